"""A user reads the advice, the units and the provider facts: they fit the plan on screen."""

from pathlib import Path

from ..adapter import (
    about_links,
    all_card_texts,
    all_warning_texts,
    back_to_self_managed,
    box_text,
    choose_provider_plan,
    hover,
    input_tooltip,
    input_value,
    provider_facts,
    set_hardware,
    set_memory,
    set_pooler,
    set_workload,
    size,
    slider_left_edges,
    warning_text,
)


def test_with_pgbouncer_the_advice_is_not_to_get_a_pooler(app):
    set_memory(app, work_mem="256MB")
    set_workload(app, max_connections=900)
    assert "with a pooler" not in all_warning_texts(app)
    assert "the pooler opens only 10 backends" in warning_text(app, "WORST_CASE_OVER_RAM")
    set_pooler(app, pooler="none")
    assert "keep active connections low with a pooler" in warning_text(app, "WORST_CASE_OVER_RAM")


def test_listeners_already_budgeted_direct_are_information_not_a_warning(app):
    set_workload(app, listeners=5)
    text = warning_text(app, "LISTEN_NEEDS_DIRECT_CONNECTIONS")
    assert text.startswith("INFO") and "budgeted as direct connections" in text


def test_a_provider_hard_limit_is_never_told_to_lower_max_connections(app):
    choose_provider_plan(app, "heroku/standard-0")
    set_memory(app, work_mem="1GB", sort_nodes=8)
    assert "lower max_connections" not in all_warning_texts(app).lower()
    assert "Lower work_mem or the connections this plan opens" in warning_text(app, "HEAVY_FRACTION_OVER_RAM")


def test_a_session_pool_smaller_than_its_clients_is_an_error(app):
    """Session pooling cannot multiplex: 200 clients on a pool of 20 leave 180 waiting until query_wait_timeout."""
    set_pooler(app, pool_mode="session", pool_size=20, reserve_pool=0)
    text = warning_text(app, "SESSION_POOL_TOO_SMALL")
    assert text.startswith("ERROR") and "180 wait" in text


def test_sizes_read_the_same_in_boxes_and_cards_and_never_go_negative(app):
    set_memory(app, work_mem="4MB")
    assert box_text(app, "per_connection_memory") == "10.6 MB"  # 10 MB + 4 MB x 5 / 32, as the RAM ceiling card says
    assert "/ 10.6 MB each" in all_card_texts(app)
    set_hardware(app, ram="4GB")
    set_memory(app, shared_buffers="8GB")
    assert "-" not in all_card_texts(app).replace("Worst-case", "").replace("8–16", "")
    assert "no memory left" in all_card_texts(app)


def test_a_preset_says_how_vcpus_become_cores_and_sits_on_network_storage(app):
    choose_provider_plan(app, "heroku/standard-0")
    assert input_value(app, "cores") == 1
    assert "Cores: max(2 / 2, 1) = 1 (cores = max(vCPUs / 2, 1)" in provider_facts(app)  # 2 vCPUs, 2 per core
    assert "max(2 / 2, 1) = 1" in input_tooltip(app, "cores")
    assert input_value(app, "storage") == "network"


def test_back_to_self_managed_restores_my_own_hardware(app):
    set_hardware(app, cores=16, ram="64GB", storage="nvme")
    choose_provider_plan(app, "aws-rds/db.r6g.xlarge")
    choose_provider_plan(app, "heroku/standard-0")
    back_to_self_managed(app)
    assert (input_value(app, "cores"), input_value(app, "ram"), input_value(app, "storage")) == (
        16, size("64GB"), "nvme"
    )  # fmt: skip


def test_every_slider_starts_at_the_same_place(app):
    assert len(slider_left_edges(app)) == 1


def test_about_links_to_the_documentation(app):
    links = about_links(app)
    assert links and links[0].startswith("file://") and links[0].endswith("README.md")
    assert Path(links[0].removeprefix("file://")).is_file()


def test_the_readouts_say_one_connection_not_one_connections(app):
    """Pointing just right of 1 (the readout reads the nearest whole count; the axis' own edge is not in the plot)."""
    assert hover(app, "throughput", 1.2, 50).startswith("1 active connection:")
    assert hover(app, "memory", 1.2, 1).startswith("1 connection:")
    assert hover(app, "memory", 20, 1).startswith("20 connections:")
