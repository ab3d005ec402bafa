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
    one process of the heaviest query takes 10 MB + 2 MB of page tables (1 GB of shared_buffers / 4 kB x 8 B:
    the provider decides about huge pages) + 64 MB x 4 + 64 MB x 2 x 1 = 396 MB, and 1 core runs no parallel
    worker: 13 x 396 MB = 5,148 MB = 5.03 GB, over the 4,096 - 1,024 shared_buffers - 399.36 OS
    reserve (256 MB + 3.5 %) - 3 x 256 autovacuum - 2 x 256 maintenance jobs = 1,392.64 MB = 1.36 GB left. The
    warning and the card both speak of those 13."""
    result = plan(preset("heroku/standard-0", work_mem="64MB"))
    [worst] = [w for w in result.warnings if w.code == "WORST_CASE_OVER_RAM"]
    assert worst.numbers["connections"] == 13
    assert "If the 13 connections this plan opens run the heaviest query at once they need 5.03 GB" in worst.message
    card = {c.key: c for c in card_views(result)}["worst_case"]
    assert (card.value, card.severity) == ("5.03 GB", "warning")
    assert card.caption == "13 opened x 396 MB · 1.36 GB left after maintenance"


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


def test_a_measured_peak_tops_the_pool_range_and_the_card_says_measured():
    """PEAK_19 peaks at sqrt(0.98 / kappa) = 19 on 4 cores: the range is min(4 x 2, 19) .. 19 = 8 .. 19, so the
    target sits at its top instead of above the rule's 8 .. 16; the card names the peak in clients."""
    result = plan(measured(plan_for(cores=4).scenario, PEAK_19))
    assert result.pool_size_range == (8, 19)
    card = {c.key: c for c in card_views(result)}["productive_target"]
    assert card.value == "19"
    assert card.caption == "measured peak 19.0 clients · rule of thumb 10"  # 4 x 2 + 2 (ssd)
