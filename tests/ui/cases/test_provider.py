"""A user puts the plan on a managed provider and sees that plan's truth."""

from ..adapter import (
    back_to_self_managed,
    choose_provider_plan,
    input_is_editable,
    input_value,
    mark,
    provider_facts,
    read_card,
    redo,
    search_provider_plans,
    set_hardware,
    set_workload,
    size,
    undo,
    warnings,
)


def test_heroku_standard_0_blocks_150_connections(app):
    """Load Heroku Standard-0, ask for 150 connections, see the blocking warning and the limit line."""
    choose_provider_plan(app, "heroku/standard-0")
    set_workload(app, listeners=100, batch_workers=40)
    assert "PROVIDER_HARD_LIMIT" in warnings(app)
    assert read_card(app, "max_connections") == 120
    assert mark(app, "throughput", "provider_limit") == 120
    assert mark(app, "memory", "provider_limit") == 120


def test_a_plan_fixes_cores_and_ram_and_says_where_it_comes_from(app):
    choose_provider_plan(app, "aws-rds/db.r6g.xlarge")
    assert input_value(app, "cores") == 4
    assert input_value(app, "ram") == size("32GB")
    assert not input_is_editable(app, "cores") and not input_is_editable(app, "ram")
    facts = provider_facts(app)
    assert "max_connections 3,484" in facts and "Source:" in facts and "as of" in facts


def test_back_to_self_managed_unlocks_the_hardware(app):
    choose_provider_plan(app, "neon/2cu")
    back_to_self_managed(app)
    assert input_is_editable(app, "cores")
    assert mark(app, "throughput", "provider_limit") is None


def test_choosing_a_plan_is_one_undo_step(app):
    choose_provider_plan(app, "supabase/small")
    undo(app)
    assert input_value(app, "cores") == 4
    assert mark(app, "throughput", "provider_limit") is None


def test_the_picker_searches_as_you_type(app):
    found = search_provider_plans(app, "r6g.2x")
    assert any("db.r6g.2xlarge" in title for title in found)
    assert all("r6g.2x" in title.lower() for title in found)


def test_back_to_self_managed_after_undo_and_redo_finds_my_own_hardware(app):
    """12 cores and 48 GB of my own, then Neon 2 CU (2 vCPU, one physical core, 8 GB) and back: Undo lands on
    Neon again, and going back from there must still find my 12 cores, as must Redo onto Neon from a later step."""
    set_hardware(app, cores=12, ram="48GB")
    choose_provider_plan(app, "neon/2cu")
    back_to_self_managed(app)
    undo(app)
    assert input_value(app, "cores") == 1  # on Neon again: 2 vCPU are one physical core
    back_to_self_managed(app)
    assert (input_value(app, "cores"), input_value(app, "ram")) == (12, size("48GB"))
    undo(app)  # on Neon
    undo(app)  # my own hardware, before Neon
    redo(app)  # Neon again
    back_to_self_managed(app)
    assert (input_value(app, "cores"), input_value(app, "ram")) == (12, size("48GB"))
