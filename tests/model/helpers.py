"""Small helpers that keep the model tests reading like the seeds' tables."""

from __future__ import annotations

import numpy as np

from pgplanner.model import Plan, Scenario, plan
from pgplanner.model.units import GB, MB


def plan_for(**inputs: object) -> Plan:
    """The plan of the default scenario with some inputs changed by their flat names."""
    return plan(Scenario().with_changes(**inputs))


def line(result: Plan, key: str) -> int:
    """Connections on one budget line (0 when the line is absent)."""
    return next((b.connections for b in result.budget if b.key == key), 0)


def relative_throughput(result: Plan, connections: float) -> float:
    """Direct throughput relative to the peak at ``connections`` active connections."""
    curve = result.throughput
    return float(np.interp(connections, curve.connections, curve.direct))


def in_mb(size: int) -> float:
    return size / MB


def in_gb(size: int) -> float:
    return size / GB
