"""Seed 001's "Provider-specific defaults and limits" table, row by row.

A "~" figure in the seed must agree within 5 %; an exact figure exactly. Where later, better-sourced
figures disagree, the preset keeps them and its notes name the seed's figure: those rows check that
the disagreement is documented rather than the number.
"""

from __future__ import annotations

import pytest

APPROX = 0.05

# (seed provider and plan, preset, seed figure, approximate?)
AGREES = [
    ("AWS RDS db.t3.micro (1GB)", "aws-rds/db.t3.micro", 87, True),
    ("AWS RDS db.r6g.xlarge (32GB)", "aws-rds/db.r6g.xlarge", 3400, True),
    ("AWS RDS db.r6g.16xlarge (512GB)", "aws-rds/db.r6g.16xlarge", 5000, False),
    ("Cloud SQL db-f1-micro (0.6GB)", "gcp-cloudsql/db-f1-micro", 25, True),
    ("Supabase Free", "supabase/free", 60, False),
    ("Neon Free", "neon/0.25cu", 100, True),
    ("Heroku Standard-0", "heroku/standard-0", 120, False),
    ("Heroku Standard-2", "heroku/standard-2", 400, False),
]

# (seed row, preset, seed figure, what the notes must say)
DISAGREES = [
    ("Cloud SQL db-n1-standard-16 (60GB) ~1,000", "gcp-cloudsql/db-n1-standard-16", 600, "~1,000"),
    ("Supabase Pro 200 (Supavisor)", "supabase/pro", 60, "Pro 200"),
]


@pytest.mark.parametrize("row, preset, figure, approximate", AGREES, ids=[r[0] for r in AGREES])
def test_seed_row_agrees(catalog, row, preset, figure, approximate):
    value = catalog.find(preset).plan.max_connections
    if approximate:
        assert value == pytest.approx(figure, rel=APPROX)
    else:
        assert value == figure


@pytest.mark.parametrize("row, preset, kept, seed_says", DISAGREES, ids=[r[0] for r in DISAGREES])
def test_seed_row_disagreement_is_documented(catalog, row, preset, kept, seed_says):
    plan = catalog.find(preset).plan
    assert plan.max_connections == kept
    assert seed_says in plan.notes


def test_heroku_and_supabase_limit_kinds(catalog):
    """Seed: Heroku 'Hard limit, no override'; Supabase's 60 is documented as changeable, and the note says so."""
    assert catalog.find("heroku/standard-0").plan.hard_limit
    supabase_free = catalog.find("supabase/free").plan
    assert not supabase_free.hard_limit
    assert "not marked hard" in supabase_free.notes


def test_rds_cap_is_5000_from_64_gb(catalog):
    rds = [p.plan for p in catalog if p.plan.provider == "aws-rds"]
    assert all(p.max_connections == 5000 for p in rds if p.ram >= 64 * 1024**3)
    assert all(p.max_connections < 5000 for p in rds if p.ram < 64 * 1024**3)


def test_heroku_hobby_lives_on_as_essential(catalog):
    """Seed: Heroku Hobby 20. Its successors (Essential-0, the former Mini) keep 20; Heroku publishes no CPU or RAM
    for them, so the preset's machine is an assumption and says so, while the limit is the figure to plan with."""
    essential = catalog.find("heroku/essential-0").plan
    assert essential.max_connections == 20 and essential.hard_limit
    assert catalog.find("heroku/mini") is catalog.find("heroku/essential-0")
    assert "Hobby 20" in essential.notes and "assumed" in essential.notes
    assert essential.confidence != "high"
