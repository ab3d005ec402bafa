"""Load test: hundreds of slider moves, typed values and scenario switches, built from the same
adaptation layer as the UI cases. After every burst the cards must show plan()'s figures for the
scenario on screen; at the end nothing has crashed and memory has stayed flat.

PGPLANNER_LOAD_STEPS sets the number of steps: 600 by default, for every test run; 10,000 is the soak,
which catches the PySide6 6.12.0 / Python 3.11 refcount bug that kills live plots after a few thousand
redraws (run it when PySide6, pyqtgraph or the plots change).
"""

from __future__ import annotations

import os
import random

import psutil

from pgplanner.assets import example_scenarios
from pgplanner.model import FIELDS, format_size
from pgplanner.ui.steps import slider_stops

from ..ui.adapter import (
    back_to_self_managed,
    can_redo,
    can_undo,
    card_disagrees,
    cards_disagreeing_with_model,
    choose_provider_plan,
    load_scenario,
    new_scenario,
    on_provider_plan,
    redo,
    set_inputs,
    slide,
    undo,
)

STEPS = int(os.environ.get("PGPLANNER_LOAD_STEPS", "600"))
WARM_UP = 300  # steps until every widget, font and cache exists
BURST = 25
RSS_GROWTH_LIMIT_MB = 40  # what "flat" allows after warm-up: caches, fonts, Qt's pixmap cache
SLIDERS = [flat for flat, spec in FIELDS.items() if spec.kind in ("count", "size", "number") and spec.hi - spec.lo >= 8]
TYPED = [flat for flat, spec in FIELDS.items() if spec.kind in ("count", "size") and spec.hi - spec.lo >= 8]
PRESETS = ["heroku/standard-0", "aws-rds/db.r6g.xlarge", "neon/2cu", "supabase/small", "gcp-cloudsql/db-custom-8-30720"]


def typed_value(flat: str, rng: random.Random) -> str:
    spec = FIELDS[flat]
    value = rng.choice(slider_stops(spec))
    return format_size(int(value)) if spec.kind == "size" else str(int(value))


def one_step(app, rng: random.Random) -> None:
    roll = rng.random()
    if roll < 0.70:
        slide(app, rng.choice(SLIDERS), rng.choice((-3, -2, -1, 1, 2, 3)))
    elif roll < 0.85:
        flat = rng.choice(TYPED)
        set_inputs(app, **{flat: typed_value(flat, rng)})
    elif roll < 0.90:
        if rng.random() < 0.5 and can_undo(app):
            undo(app)
        elif can_redo(app):
            redo(app)
    elif roll < 0.95:
        choose_provider_plan(app, rng.choice(PRESETS))
    elif roll < 0.97:
        back_to_self_managed(app)
    elif roll < 0.99:
        load_scenario(app, rng.choice(list(example_scenarios().values())))
    else:
        new_scenario(app)


def test_thousands_of_edits(app):
    rng = random.Random(2026)
    process = psutil.Process()
    baseline_rss = None
    for step in range(STEPS):
        one_step(app, rng)
        if on_provider_plan(app) and rng.random() < 0.3:
            back_to_self_managed(app)  # keep the sliders for cores and RAM in play
        if (step + 1) % BURST == 0:
            assert cards_disagreeing_with_model(app) == [], f"after step {step + 1}"
        if step + 1 == min(STEPS, WARM_UP):
            baseline_rss = process.memory_info().rss
    growth_mb = (process.memory_info().rss - baseline_rss) / 2**20
    print(f"{STEPS} steps; RSS grew {growth_mb:.1f} MB after warm-up")
    assert growth_mb < RSS_GROWTH_LIMIT_MB


def test_the_card_check_reads_figures_to_their_shown_digits():
    """The oracle above: plan()'s number against the card's text, within what its digits can show."""
    gib = 2**30
    assert not card_disagrees("1.13 GB", 1.134 * gib, "size")
    assert card_disagrees("1.13 GB", 1.136 * gib, "size")
    assert card_disagrees("1.13 GB", 3 * gib, "size")  # issue 17's "30 x 102 MB" sum
    assert not card_disagrees("963 MB", 963.4 * 2**20, "size")
    assert card_disagrees("963 kB", 963 * 2**20, "size")
    assert not card_disagrees("1,234", 1234, "count") and card_disagrees("1,234", 1235, "count")
    assert not card_disagrees("2,500 tps", 2500.4, "rate") and card_disagrees("2,500", 2500, "rate")
    assert not card_disagrees("no pooler", None, "count") and card_disagrees("10", None, "count")
    assert not card_disagrees("none", 0, "size") and card_disagrees("0 B", 0, "size")
    assert not card_disagrees("none", None, "size") and card_disagrees("no pooler", None, "size")
