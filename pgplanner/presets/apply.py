"""Putting a preset into a Scenario: the plan fixes the hardware and brings its limits along."""

from __future__ import annotations

from ..model.scenario import Scenario
from .catalog import Preset

MANAGED_STORAGE = "network"


def apply_preset(scenario: Scenario, preset: Preset) -> Scenario:
    """A new Scenario on ``preset``'s hardware (physical cores from its vCPUs, its RAM) with its limits.

    Everything else the user chose (workload, memory, pooler) stays; the Plan then checks them
    against the provider's limits.
    """
    # A managed database sits on the provider's network block storage (EBS, persistent disks ...),
    # whatever the disk of the machine the scenario was planned on.
    changed = scenario.with_changes(cores=preset.cores, ram=preset.plan.ram, storage=MANAGED_STORAGE)
    return changed.model_copy(update={"provider": preset.plan})
