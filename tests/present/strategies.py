"""Scenarios to draw: random valid ones, some on a provider's plan, some with measured points."""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

from pgplanner.model import Measurement, Scenario
from pgplanner.presets import Preset, apply_preset, load_catalog

from ..model.strategies import scenarios


@cache
def presets() -> list[Preset]:
    return list(load_catalog(user_dir=None)[0])


def measured(sigma: float, kappa: float, lam: float, clients: list[int]) -> tuple[Measurement, ...]:
    """Points of Gunther's USL: what a pgbench sweep of a server with that shape reports."""
    return tuple(Measurement(connections=n, tps=lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))) for n in clients)


@st.composite
def drawable(draw: st.DrawFn) -> Scenario:
    scenario = draw(scenarios())
    if draw(st.booleans()):
        scenario = apply_preset(scenario, draw(st.sampled_from(presets())))
    if draw(st.integers(0, 2)) == 0:
        clients = sorted(draw(st.sets(st.integers(1, 512), min_size=1, max_size=9)))
        points = measured(draw(st.floats(0, 0.5)), draw(st.floats(0, 0.01)), draw(st.floats(10, 200_000)), clients)
        scenario = scenario.model_copy(update={"measurements": points, "measured_on": draw(st.sampled_from(
            ["", "PostgreSQL 15.4 at db1.example.com:5432/app, pgbench select-only", "imported from sweep.csv"]
        ))})  # fmt: skip
    return scenario
