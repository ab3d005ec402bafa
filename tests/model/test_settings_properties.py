"""Properties of the recommended settings over random valid scenarios (hypothesis).

The accepted ranges below are PostgreSQL's (pg_settings min_val / max_val of 13-18, and the Windows
limit on kB-sized settings before 18), written out here rather than read from pgplanner.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pgplanner.model import Scenario, plan
from pgplanner.model.units import GB, KB, MB, parse_size

from .strategies import scenarios

INT_MAX = 2**31 - 1
PAGE = 8 * KB
# name: (first release, lowest, highest); sizes in bytes
RANGES = {
    "max_connections": (13, 1, 262_143),
    "superuser_reserved_connections": (13, 0, 262_143),
    "reserved_connections": (16, 0, 262_143),
    "max_wal_senders": (13, 0, 262_143),
    "shared_buffers": (13, 16 * PAGE, INT_MAX // 2 * PAGE),
    "effective_cache_size": (13, PAGE, INT_MAX * PAGE),
    "work_mem": (13, 64 * KB, INT_MAX * KB),
    "hash_mem_multiplier": (13, 1, 1000),
    "maintenance_work_mem": (13, 1 * MB, INT_MAX * KB),
    "autovacuum_work_mem": (13, 1 * MB, INT_MAX * KB),
    "temp_buffers": (13, 100 * PAGE, INT_MAX // 2 * PAGE),
    "wal_buffers": (13, 4 * PAGE, 262_143 * PAGE),
    "min_wal_size": (13, 32 * MB, INT_MAX * MB),
    "max_wal_size": (13, 32 * MB, INT_MAX * MB),
    "checkpoint_completion_target": (13, 0, 1),
    "random_page_cost": (13, 0, 1.79e308),
    "effective_io_concurrency": (13, 0, 1000),
    "maintenance_io_concurrency": (13, 0, 1000),
    "default_statistics_target": (13, 1, 10_000),
    "io_workers": (18, 1, 32),
    "max_worker_processes": (13, 0, 262_143),
    "max_parallel_workers": (13, 0, 1024),
    "max_parallel_workers_per_gather": (13, 0, 1024),
    "max_parallel_maintenance_workers": (13, 0, 1024),
    "autovacuum_max_workers": (13, 1, 262_143),
    "max_locks_per_transaction": (13, 10, INT_MAX),
    "checkpoint_timeout": (13, 30, 86_400),  # seconds
    "max_slot_wal_keep_size": (13, -1, INT_MAX * MB),
    "autovacuum_vacuum_cost_limit": (13, -1, 10_000),
    "autovacuum_naptime": (13, 1, 2_147_483),  # seconds
    "autovacuum_vacuum_scale_factor": (13, 0, 100),
    "autovacuum_vacuum_insert_scale_factor": (13, 0, 100),
    "autovacuum_analyze_scale_factor": (13, 0, 100),
    "idle_in_transaction_session_timeout": (13, 0, INT_MAX),  # milliseconds
    "tcp_keepalives_idle": (13, 0, INT_MAX),
    "tcp_keepalives_interval": (13, 0, INT_MAX),
    "tcp_keepalives_count": (13, 0, INT_MAX),
    "log_min_duration_statement": (13, -1, INT_MAX),  # milliseconds
    "log_temp_files": (13, -1, INT_MAX * KB),
    "log_autovacuum_min_duration": (13, -1, INT_MAX),  # milliseconds
}
# Times as postgresql.conf takes them (a number and ms, s, min, h), compared in the parameter's own unit.
TIMES = {"checkpoint_timeout": 1, "autovacuum_naptime": 1, "tcp_keepalives_idle": 1, "tcp_keepalives_interval": 1,
         "idle_in_transaction_session_timeout": 1e-3, "log_min_duration_statement": 1e-3,
         "log_autovacuum_min_duration": 1e-3}  # fmt: skip
TIME_UNITS = {"ms": 0.001, "s": 1, "min": 60, "h": 3600}
# Free text: what the value may be, by name.
TEXTS = {
    "listen_addresses": {"localhost", "*"},
    "log_line_prefix": {"%m [%p] %q%u@%d "},
    "shared_preload_libraries": {"pg_stat_statements"},
}
ENUMS = {
    "password_encryption": {"scram-sha-256"},
    "log_checkpoints": {"on", "off"},
    "log_lock_waits": {"on", "off"},
    "track_io_timing": {"on", "off"},
    "huge_pages": {"try", "on", "off"},
    "jit": {"on", "off"},
    "wal_level": {"minimal", "replica", "logical"},
    "io_method": {"worker", "sync", "io_uring"},
}
WAL_COMPRESSION = {13: {"on", "off"}, 15: {"on", "off", "pglz", "lz4", "zstd"}}
SIZES = {"shared_buffers", "effective_cache_size", "work_mem", "maintenance_work_mem", "autovacuum_work_mem",
         "temp_buffers", "wal_buffers", "min_wal_size", "max_wal_size", "max_slot_wal_keep_size",
         "log_temp_files"}  # fmt: skip
WINDOWS_KB_LIMIT = INT_MAX // 1024 * KB  # before 18 a "long" holds the kB count on Windows
WINDOWS_LIMITED = {"work_mem", "maintenance_work_mem", "autovacuum_work_mem"}


def number(name: str, text: str) -> float:
    if name in TIMES:
        digits = text.rstrip("abcdefghijklmnopqrstuvwxyz")
        if digits == text:  # a bare number is in the parameter's own unit
            return float(text)
        return float(digits) * TIME_UNITS[text[len(digits) :]] / TIMES[name]
    if name in SIZES and text != "0":
        return parse_size(text)
    return float(text)


@given(scenarios())
def test_every_setting_is_one_the_version_knows_with_a_value_it_accepts(scenario):
    result = plan(scenario)
    version, platform = scenario.hardware.pg_version, scenario.hardware.platform
    names = [s.name for s in result.settings]
    assert len(names) == len(set(names))
    for s in result.settings:
        if s.name in ENUMS:
            assert s.value in ENUMS[s.name], s
            continue
        if s.name in TEXTS:
            assert s.value in TEXTS[s.name], s
            continue
        if s.name == "wal_compression":
            assert s.value in WAL_COMPRESSION[15 if version >= 15 else 13]
            continue
        since, low, high = RANGES[s.name]
        assert version >= since, s
        if platform == "windows" and version < 18 and s.name in WINDOWS_LIMITED:
            high = WINDOWS_KB_LIMIT
        assert low <= number(s.name, s.value) <= high, s
    if version >= 18:
        assert int(next(s.value for s in result.settings if s.name == "autovacuum_max_workers")) <= 16


@given(scenarios())
def test_settings_that_need_each_other_agree(scenario):
    values = {s.name: s.value for s in plan(scenario).settings}
    assert int(values["max_parallel_workers"]) <= int(values["max_worker_processes"])
    if scenario.memory.parallel_workers_per_gather is None:  # a given value is written as given
        assert int(values["max_parallel_workers_per_gather"]) <= int(values["max_parallel_workers"])
    assert parse_size(values["min_wal_size"]) <= parse_size(values["max_wal_size"])
    assert parse_size(values["autovacuum_work_mem"]) <= parse_size(values["maintenance_work_mem"])
    assert parse_size(values["effective_cache_size"]) >= min(parse_size(values["shared_buffers"]), 2**31 * PAGE - PAGE)


MEMORY_SETTINGS = ("shared_buffers", "effective_cache_size", "maintenance_work_mem", "autovacuum_work_mem",
                   "wal_buffers")  # fmt: skip


@given(scenarios(), st.floats(1.0, 4.0))
def test_memory_settings_never_shrink_when_ram_grows(scenario, factor):
    hw = scenario.hardware
    bigger_ram = min(round(hw.ram * factor), 64 * 1024 * GB)
    small = {s.name: s.value for s in plan(scenario).settings}
    big = {s.name: s.value for s in plan(scenario.with_changes(ram=bigger_ram)).settings}
    for name in MEMORY_SETTINGS:
        assert parse_size(big[name]) >= parse_size(small[name]), (name, small[name], big[name])


@given(scenarios(), st.floats(1.0, 8.0))
def test_worst_case_grows_with_hash_mem_multiplier_exactly_as_the_formula_says(scenario, multiplier):
    mem = scenario.memory
    result = plan(scenario.with_changes(hash_mem_multiplier=multiplier))
    written = {s.name: s.value for s in result.settings}
    workers = int(written["max_parallel_workers_per_gather"])
    # each process maps shared_buffers through 4 kB pages (8 B of page table each) unless huge_pages = on
    page_tables = 0 if written["huge_pages"] == "on" else result.memory.shared_buffers_bytes // 4096 * 8
    work_mem = parse_size(written["work_mem"]) * (mem.sort_nodes + multiplier * mem.hash_nodes)  # as written
    per_process = round(mem.backend_memory + page_tables + work_mem)
    assert result.memory.worst_case_per_connection_bytes == per_process * (1 + workers)


@given(scenarios(), st.integers(0, 16))
def test_worst_case_grows_with_parallel_workers_exactly_as_the_formula_says(scenario, workers):
    scenario = scenario.with_changes(work_mem=plan(scenario).memory.work_mem_bytes)  # held: "auto" follows workers
    result = plan(scenario.with_changes(parallel_workers_per_gather=workers))
    per_process = plan(scenario.with_changes(parallel_workers_per_gather=0)).memory.worst_case_per_connection_bytes
    assert abs(result.memory.worst_case_per_connection_bytes - per_process * (1 + workers)) <= 1 + workers


@given(scenarios())
def test_the_written_work_mem_is_the_one_the_worst_case_counts(scenario):
    """One figure: the work_mem line of postgresql.conf, the plan's work_mem and the worst case's."""
    result = plan(scenario)
    written = parse_size(next(s.value for s in result.settings if s.name == "work_mem"))
    m, mem = result.memory, scenario.memory
    assert written == m.work_mem_bytes
    values = {s.name: s.value for s in result.settings}
    hmm, workers = float(values["hash_mem_multiplier"]), int(values["max_parallel_workers_per_gather"])
    per_process = round(mem.backend_memory + m.page_tables_bytes + written * (mem.sort_nodes + hmm * mem.hash_nodes))
    # hash_mem_multiplier as written has fewer digits than the one given: what those digits hold of the hash
    # nodes' work_mem, and a byte of rounding, per process (64 GB x 59 hash nodes x 512.4277951404133 is 2 bytes
    # more than with the 512.427795140413 written)
    given = mem.hash_mem_multiplier if mem.hash_mem_multiplier is not None else hmm
    lost = abs(given - hmm) * written * mem.hash_nodes
    assert abs(m.worst_case_per_connection_bytes - per_process * (1 + workers)) <= (1 + lost) * (1 + workers)
    if mem.work_mem is None and m.safe_work_mem_bytes is not None and m.safe_work_mem_bytes >= 4 * MB:
        # recommended, and a safe value above PostgreSQL's default exists: the worst case fits
        assert m.worst_case_bytes <= m.worst_case_available_bytes


def test_default_scenario_is_valid_for_every_version():
    for version in range(13, 19):
        result = plan(Scenario().with_changes(pg_version=version))
        assert ("io_method" in {s.name for s in result.settings}) == (version >= 18)
        assert ("reserved_connections" in {s.name for s in result.settings}) == (version >= 16)
