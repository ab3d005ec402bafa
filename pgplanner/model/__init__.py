"""The planning engine: pure, typed and Qt-free.

>>> from pgplanner.model import Scenario, plan
>>> result = plan(Scenario().with_changes(cores=16, ram="64GB"))
>>> result.productive_target
34
>>> result.derivations["productive_target"].calculation
'16 x 2 + 2 = 34'

Every number explains itself
----------------------------
A computing function returns ``(value, Derivation)`` (:mod:`.derivation`). ``plan()`` files each
derivation under the JSON path of the output it explains: ``derivations["ram_ceiling"]``,
``derivations["memory.worst_case_bytes"]``; every numeric output outside ``scenario``, ``budget``,
``provider``, ``kernel``, ``kernel_settings``, ``semaphores`` and the curve arrays has one (a test
checks it). To add an output:

1. state its constants once, named, with their source (inputs' "auto" rules in :mod:`.defaults`,
   PostgreSQL facts and version thresholds in :mod:`.versions`, references in :mod:`.sources`);
2. return ``value, Derivation(formula=..., calculation=..., inputs={...}, source=...)``, writing the
   text from those constants; :func:`.derivation.rounded` writes "2.5, rounded up to 3",
   :func:`.derivation.given` explains a value the user typed ("given: 4 GB"), :func:`.derivation.n`,
   :func:`.derivation.exact` and :func:`.units.human_size` format numbers so that every printed
   ``a op b = c`` stays true (tests/equations.py parses and checks them all);
3. add the field to :class:`Plan` and ``derivations[<its JSON path>]`` in :func:`plan`, and put the
   path on a card's ``outputs`` in :mod:`pgplanner.present.cards` if the window should show it.

Warnings (:mod:`.checks`) are rules that read the finished Plan, declared with
``@rule("max_connections", ...)``: the output paths they concern. A figure a rule needs becomes an
output of the Plan first (with its derivation), so a rule and the card showing the figure agree.
Views colour cards from ``PlanWarning.concerns``, never from codes. An error (``PlanWarning.blocking``)
makes ``plan`` exit 1 and ``export`` refuse; a bundle written anyway (``--allow-blocking``) puts it
beside the settings its concern paths are written as (``PlanWarning.settings``, through the one
mapping :data:`.checks.WRITTEN_SETTINGS`).
"""

from .budget import BudgetLine
from .checks import PlanWarning
from .derivation import Derivation
from .fields import FieldSpec
from .kernel import PLATFORMS, KernelSetting
from .plan import MemoryCurve, MemoryFigures, Plan, SemaphoreFigures, ThroughputCurve, plan
from .scenario import (
    FIELDS,
    GROUPS,
    PROVIDER_FIXES,
    SCENARIO_VERSION,
    Hardware,
    MeasuredLatency,
    Measurement,
    Memory,
    Pooler,
    PoolerOffer,
    ProviderPlan,
    ProviderReserve,
    Scaling,
    Scenario,
    ShareGuidance,
    Workload,
)
from .units import format_size, human_size, parse_size

__all__ = [
    "FIELDS",
    "GROUPS",
    "PLATFORMS",
    "PROVIDER_FIXES",
    "SCENARIO_VERSION",
    "BudgetLine",
    "Derivation",
    "FieldSpec",
    "Hardware",
    "KernelSetting",
    "MeasuredLatency",
    "Measurement",
    "Memory",
    "MemoryCurve",
    "MemoryFigures",
    "Plan",
    "PlanWarning",
    "Pooler",
    "PoolerOffer",
    "ProviderPlan",
    "ProviderReserve",
    "Scaling",
    "Scenario",
    "SemaphoreFigures",
    "ShareGuidance",
    "ThroughputCurve",
    "Workload",
    "format_size",
    "human_size",
    "parse_size",
    "plan",
]
