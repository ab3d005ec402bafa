"""A user fills in each form group and the plan follows."""

from ..adapter import (
    input_is_auto,
    input_value,
    read_card,
    set_hardware,
    set_inputs,
    set_memory,
    set_pooler,
    set_workload,
    size,
    slide,
    warnings,
)


def test_hardware_sets_the_productive_target(app):
    set_hardware(app, cores=16, ram="64GB")
    assert read_card(app, "productive target") == 34
    set_hardware(app, storage="hdd")
    assert read_card(app, "productive target") == 36


def test_cores_slider_walks_machine_sizes(app):
    set_hardware(app, cores=4)
    slide(app, "cores", 1)
    assert input_value(app, "cores") == 6
    slide(app, "cores", 2)
    assert input_value(app, "cores") == 12
    assert read_card(app, "productive target") == 26


def test_memory_sets_the_ram_ceiling(app):
    set_hardware(app, ram="16GB")
    set_memory(app, shared_buffers="4GB", os_overhead="2GB", per_connection_memory="10MB")
    assert read_card(app, "RAM ceiling") == 1024


def test_auto_fields_show_what_they_derive(app):
    set_hardware(app, ram="64GB")
    assert input_is_auto(app, "shared_buffers")
    assert input_value(app, "shared_buffers") == size("16GB")
    set_memory(app, shared_buffers="8GB")
    assert not input_is_auto(app, "shared_buffers")
    set_memory(app, shared_buffers="auto")
    assert input_value(app, "shared_buffers") == size("16GB")


def test_work_mem_slider_is_logarithmic(app):
    set_memory(app, work_mem="4MB")
    slide(app, "work_mem", 2)
    assert input_value(app, "work_mem") == size("8MB")
    slide(app, "work_mem", 2)
    assert input_value(app, "work_mem") == size("16MB")


def test_workload_and_budget_lines_add_up(app):
    set_workload(app, listeners=50, batch_workers=10, monitoring=5, admin=0)
    set_pooler(app, pool_size=30, reserve_pool=0)
    assert read_card(app, "max_connections") > 98
    assert "LISTEN_NEEDS_DIRECT_CONNECTIONS" in warnings(app)


def test_no_pooler_with_serverless_demand_blocks(app):
    set_pooler(app, pooler="none")
    set_workload(app, serverless_peak=2000)
    assert "SERVERLESS_WITHOUT_POOLER" in warnings(app)
    assert read_card(app, "pooler capacity") == "no pooler"


def test_session_state_flag_warns_in_transaction_mode(app):
    set_workload(app, session_state=True)
    assert "SESSION_STATE_IN_TRANSACTION_POOL" in warnings(app)
    set_pooler(app, pool_mode="session")
    assert "SESSION_STATE_IN_TRANSACTION_POOL" not in warnings(app)


def test_version_changes_what_counts(app):
    set_workload(app, reserved_connections=4)
    set_hardware(app, pg_version=15)
    assert "RESERVED_CONNECTIONS_NEEDS_16" in warnings(app)
    set_inputs(app, pg_version=17)
    assert "RESERVED_CONNECTIONS_NEEDS_16" not in warnings(app)
