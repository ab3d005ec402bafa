"""The planning engine: pure, typed and Qt-free.

>>> from pgplanner.model import Scenario, plan
>>> plan(Scenario().with_changes(cores=16, ram="64GB")).productive_target
34
"""

from .budget import BudgetLine
from .checks import PlanWarning
from .derivation import Derivation
from .fields import FieldSpec
from .kernel import PLATFORMS, KernelSetting
from .plan import MemoryCurve, MemoryFigures, Plan, ThroughputCurve, plan
from .scenario import (
    FIELDS,
    GROUPS,
    PROVIDER_FIXES,
    SCENARIO_VERSION,
    Hardware,
    Measurement,
    Memory,
    Pooler,
    PoolerOffer,
    ProviderPlan,
    Scenario,
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
    "Measurement",
    "Memory",
    "MemoryCurve",
    "MemoryFigures",
    "Plan",
    "PlanWarning",
    "Pooler",
    "PoolerOffer",
    "ProviderPlan",
    "Scenario",
    "ThroughputCurve",
    "Workload",
    "format_size",
    "human_size",
    "parse_size",
    "plan",
]
