"""Rules judge what the cards show: the same connections, the same target, the same figures."""

from __future__ import annotations

from pgplanner.model import plan
from pgplanner.present import card_views

from ..scenarios import PEAK_19, measured, preset
from .helpers import plan_for


def codes(result) -> set[str]:
    return {w.code for w in result.warnings}


def test_a_fixed_limit_plan_is_warned_about_the_connections_it_opens():
    """heroku/standard-0 (1 core, 4 GB) fixes max_connections at 120; the budget opens 13. With work_mem 64 MB
    one process of the heaviest query takes 10 MB + 64 MB x 4 + 64 MB x 2 x 1 = 394 MB, and 1 core allows one
    parallel worker: (13 + 1) x 394 MB = 5,516 MB = 5.39 GB, over the 4 GB - 1 GB - 1 GB - 3 x 256 MB = 1.25 GB
    left. The warning and the card both speak of those 13."""
    result = plan(preset("heroku/standard-0", work_mem="64MB"))
    [worst] = [w for w in result.warnings if w.code == "WORST_CASE_OVER_RAM"]
    assert worst.numbers["connections"] == 13
    assert "If the 13 connections this plan opens run the heaviest query at once they need 5.39 GB" in worst.message
    card = {c.key: c for c in card_views(result)}["worst_case"]
    assert (card.value, card.severity) == ("5.39 GB", "warning")
    assert card.caption == "(13 opened + 1 parallel) x 394 MB · available 1.25 GB"


def test_a_pool_up_to_the_measured_peak_is_not_warned_against():
    """A measured peak of 19 on 4 cores is past the rule's cores x 4 = 16, and still the best the server does."""
    result = plan(measured(plan_for(cores=4).scenario, PEAK_19))
    assert result.productive_target_measured and result.server_connections == 19
    assert not codes(result) & {"POOL_ABOVE_PRODUCTIVE_RANGE", "POOL_ABOVE_MEASURED_PEAK"}


def test_a_pool_past_the_measured_peak_is():
    result = plan(measured(plan_for(cores=4, pool_size=24).scenario, PEAK_19))
    [above] = [w for w in result.warnings if w.code == "POOL_ABOVE_MEASURED_PEAK"]
    assert above.message.startswith("The pools open 24 backends, above the 19 active connections")


def test_without_measurements_the_pool_range_judges():
    """4 cores: the pool range is 4 x 2 .. 4 x 4 = 8 .. 16."""
    assert "POOL_ABOVE_PRODUCTIVE_RANGE" in codes(plan_for(cores=4, pool_size=17))
    assert "POOL_ABOVE_PRODUCTIVE_RANGE" not in codes(plan_for(cores=4, pool_size=16))
