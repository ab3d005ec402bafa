"""A user puts the plan on a managed provider and sees that plan's truth."""

from ..adapter import (
    back_to_self_managed,
    choose_provider_plan,
    input_is_editable,
    input_value,
    mark,
    new_scenario,
    press_alt,
    provider_facts,
    provider_plan_shown,
    provider_search_note,
    provider_search_text,
    read_card,
    redo,
    search_provider_plans,
    search_provider_plans_and_press_enter,
    set_hardware,
    set_workload,
    size,
    tab_away_from_provider_search,
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


def test_the_searchs_own_examples_find_plans_whatever_the_word_order(app):
    """The placeholder offers "rds r6g, heroku standard, neon 2 cu": each finds the plans holding all its words."""
    rds = search_provider_plans(app, "rds r6g")
    assert "AWS RDS for PostgreSQL — db.r6g.large (2 vCPU, 16 GB, max 1,717)" in rds
    assert all("rds" in title.lower() and "r6g" in title.lower() for title in rds)
    assert search_provider_plans(app, "R6G rds") == rds  # any order, any case
    heroku = search_provider_plans(app, "heroku standard")
    assert "Heroku Postgres — standard-0 (2 vCPU, 4 GB, max 120)" in heroku
    assert all(title.startswith("Heroku Postgres — standard-") for title in heroku)
    assert "Neon — 2cu (2 vCPU, 8 GB, max 839)" in search_provider_plans(app, "neon 2 cu")


def test_enter_on_the_placeholders_neon_example_chooses_neon_2_cu(app):
    """The search "neon 2 cu" names Neon's 2 CU plan (8 GB, Neon's docs); each word is matched where a word starts, so
    the "2" of 0.25 CU and of "max 2,098" does not count."""
    assert search_provider_plans_and_press_enter(app, "neon 2 cu") == ""
    assert provider_plan_shown(app).startswith("Neon — 2cu")
    assert input_value(app, "ram") == size("8GB")


def test_a_plan_named_by_every_word_comes_before_one_found_by_its_facts(app):
    """ "neon 2" also finds Neon's 0.5 CU plan, by its 2 GB of RAM: the plans whose names hold the 2 come first,
    so Enter chooses 2 CU (8 GB), not the 0.5 CU plan listed before it."""
    found = search_provider_plans(app, "neon 2")
    assert found[0] == "Neon — 2cu (2 vCPU, 8 GB, max 839)"
    assert found[-1].startswith("Neon — 0.5cu (0.5 vCPU, 2 GB")  # found, by its facts, and listed last
    assert search_provider_plans_and_press_enter(app, "neon 2") == ""
    assert input_value(app, "ram") == size("8GB")


def test_enter_on_a_search_that_finds_nothing_says_so_and_enter_on_one_that_finds_chooses_it(app):
    said = search_provider_plans_and_press_enter(app, "oracle exadata")
    assert said.startswith("No plan matches “oracle exadata”")
    assert provider_facts(app).startswith("Your own server")  # nothing chosen
    assert search_provider_plans_and_press_enter(app, "heroku standard-0") == ""
    assert read_card(app, "max_connections") == 120  # heroku/standard-0 fixes it


def test_no_plan_matches_goes_once_the_box_holds_something_else(app):
    nothing = "oracle exadata"
    set_hardware(app, cores=8)
    assert search_provider_plans_and_press_enter(app, nothing).startswith("No plan matches")
    undo(app)
    assert provider_search_note(app) == ""
    search_provider_plans_and_press_enter(app, nothing)
    new_scenario(app)
    assert provider_search_note(app) == ""
    choose_provider_plan(app, "heroku/standard-0")
    search_provider_plans_and_press_enter(app, nothing)
    back_to_self_managed(app)
    assert provider_search_note(app) == ""
    search_provider_plans_and_press_enter(app, nothing)
    search_provider_plans(app, "heroku standard")  # typing a new search: the note spoke of the old one
    assert provider_search_note(app) == ""


def test_leaving_a_search_that_found_nothing_puts_back_the_plan_in_effect(app):
    """Tab away from "oracle exadata" (no plan): the box says again what is in effect, and the note goes."""
    search_provider_plans_and_press_enter(app, "oracle exadata")
    tab_away_from_provider_search(app)
    assert provider_search_text(app) == "Self-managed (no provider)"
    assert provider_search_note(app) == ""
    choose_provider_plan(app, "heroku/standard-0")
    search_provider_plans_and_press_enter(app, "oracle exadata")
    tab_away_from_provider_search(app)
    assert provider_search_text(app) == "Heroku Postgres — standard-0 (2 vCPU, 4 GB, max 120)"
    assert provider_search_note(app) == ""
    assert read_card(app, "max_connections") == 120  # still on standard-0


def test_the_chosen_plan_shows_the_head_of_its_title(app):
    choose_provider_plan(app, "aws-rds/db.r6g.large")
    assert provider_plan_shown(app).startswith("AWS RDS for Post")


def test_the_chosen_plan_still_shows_the_head_of_its_title_after_alt_p_and_tab(app):
    """Alt+P selects the whole title to type over it (the cursor goes to its end, the box scrolls to its tail);
    Tab on without typing: the box shows the provider and the plan again, not "...or PostgreSQL — db.r6g.large"."""
    choose_provider_plan(app, "aws-rds/db.r6g.large")
    tab_away_from_provider_search(app)  # on to the next input
    press_alt(app, "P")  # and back to the plan
    tab_away_from_provider_search(app)
    assert provider_plan_shown(app).startswith("AWS RDS for Post")
