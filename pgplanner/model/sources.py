"""The references pgplanner's formulas and constants come from, by the names a reader can look up.

A derivation's ``source`` is one of these: the documentation page, the wiki page or the article by
its title. (The project's tests cite the same articles by their internal file names; users never
see those.)
"""

from __future__ import annotations

YOUR_SCENARIO = "your scenario"
PG_KERNEL_RESOURCES = "PostgreSQL docs, Managing Kernel Resources"
PG_CONNECTIONS = "PostgreSQL docs, Connections and Authentication"
PG_REPLICATION = "PostgreSQL docs, Replication (max_wal_senders)"
PG_RESOURCE_CONSUMPTION = "PostgreSQL docs, Resource Consumption (work_mem, max_files_per_process)"
PG_OVERCOMMIT = "PostgreSQL docs, Linux Memory Overcommit"
PG_HUGE_PAGES = "PostgreSQL docs, Linux Huge Pages"
PG_WIKI_CONNECTIONS = "PostgreSQL wiki, Number Of Database Connections"
PGBOUNCER_CONFIG = "PgBouncer docs, Configuration"
PGBOUNCER_REUSEPORT = (
    'PgBouncer docs, Configuration (so_reuseport: "PgBouncer is single-threaded and uses one CPU core per instance")'
)
PGBOUNCER_TIMEOUTS = "PgBouncer docs, Configuration (Connection sanity checks, timeouts)"
PGBOUNCER_AUTH = "PgBouncer docs, Configuration (auth_type, auth_file, auth_query)"
POOLER_BENCHMARK = (
    "pg_doorman's published pgbench comparison (2026): one PgBouncer process near 55-90k trivial tps at 40-500 "
    "clients, 36-54k at 10,000"
)
PG_HBA = "PostgreSQL docs, The pg_hba.conf File"
MAX_CONNECTIONS_ARTICLE = 'article "PostgreSQL max_connections: Why 100 Is Not Enough (and Why 1000 Is Too Many)"'
PROCESS_MODEL_ARTICLE = 'article "The Postgres process model and why raising max_connections degrades throughput"'
OS_X_ARTICLE = 'article "1000 connections in PostgreSQL on OS X"'
USL = "Universal Scalability Law (Gunther), shaped to the throughput table of the max_connections article"
PGPLANNER_RULE = "pgplanner's planning rule"
PGTUNE = "pgtune (le0pard/pgtune), the configuration it computes"
PG_WAL = "PostgreSQL docs, WAL Configuration"
PG_QUERY_PLANNING = "PostgreSQL docs, Query Planning"
PG_ASYNC_IO = "PostgreSQL docs, Resource Consumption (Asynchronous Behavior)"
PG_AUTOVACUUM = "PostgreSQL docs, Automatic Vacuuming"
USL_FIT = "Universal Scalability Law (Gunther), fitted by bounded least squares to your pgbench measurements"
# The settings of postgresql.conf beyond memory: each rule by the page or tool it comes from.
PG_BACKGROUND_WORKERS = (
    "PostgreSQL docs, Resource Consumption (max_worker_processes) and Logical Replication, Configuration Settings"
)
PG_WAL_SHARED_BUFFERS = "PostgreSQL docs, Resource Consumption (shared_buffers, and so max_wal_size)"
PG_REPLICATION_SLOTS = "PostgreSQL docs, Replication (max_slot_wal_keep_size)"
PG_CONNECTION_SETTINGS = "PostgreSQL docs, Connections and Authentication (Connection Settings)"
PG_AUTHENTICATION = "PostgreSQL docs, Connections and Authentication (Authentication: password_encryption)"
PG_CLIENT_DEFAULTS = "PostgreSQL docs, Client Connection Defaults (Statement Behavior)"
PG_LOGGING = "PostgreSQL docs, Error Reporting and Logging (What to Log)"
PG_STATISTICS = "PostgreSQL docs, Run-time Statistics (track_io_timing)"
PG_STAT_STATEMENTS = "PostgreSQL docs, pg_stat_statements"
PG_LOCKS = "PostgreSQL docs, Lock Management (max_locks_per_transaction)"
PG_COST_DELAY = "PostgreSQL docs, Resource Consumption (Cost-based Vacuum Delay)"
PG_18_IO = "PostgreSQL docs 18, Resource Consumption (Asynchronous Behavior: io_method, io_max_concurrency)"
TIMESCALEDB_TUNE = "timescaledb-tune (timescale/timescaledb-tune), the configuration it computes"
DEBIAN_POSTGRESQL = "Debian's postgresql-common, the postgresql.conf it installs"
DIGITALOCEAN_DROPLETS = "DigitalOcean Droplet pricing, Basic Droplets (1 GB of RAM with 25 GB of SSD)"
ERLANG_C = "Erlang C formula (A. K. Erlang, 1917): the M/M/c queue's chance of waiting and its waiting time"
FLOW_EQUIVALENT = (
    "Menascé, Almeida & Dowdy, Performance by Design (2004): the flow-equivalent server, a birth-death chain "
    "with load-dependent service rates"
)
HIKARI_POOL_SIZING = 'HikariCP wiki, "About Pool Sizing"'
LATENCY_EXPERIMENT = (
    "pgplanner's latency experiment: PostgreSQL 18 behind PgBouncer in transaction mode, pgbench --rate, "
    "pool sizes 1-8 on 2 CPUs"
)
# Figures of the memory and OS model (reference/providers.md, reference/scalability.md,
# reference/kernel_pooler.md, reference/dba_review.md).
RDS_OS_RESERVE = (
    "AWS RDS, DBInstanceClassMemory (RAM less the memory reserved for the OS and RDS processes), "
    "back-calculated from observed max_connections"
)
PAGE_TABLES = "x86-64 and arm64 4-level paging: one 8-byte page-table entry per 4 kB page (VmPTE in /proc/PID/status)"
PG_MAINTENANCE_WORK_MEM = "PostgreSQL docs, Resource Consumption (maintenance_work_mem)"
PG_LOGICAL_DECODING = "PostgreSQL docs, Resource Consumption (logical_decoding_work_mem)"
LINUX_OVERCOMMIT = "Linux docs, mm/overcommit-accounting.rst, and proc(5): CommitLimit"
LINUX_VM_SYSCTL = "Linux docs, admin-guide/sysctl/vm.rst"
LINUX_THP = "Linux docs, admin-guide/mm/transhuge.rst"
DALIBO_OVERCOMMIT = "Dalibo knowledge base, Overcommit (vm.swappiness = 10, 1-2 GB of swap)"
AUTOBASE_SYSCTL = "autobase (vitabaza/autobase), the sysctl defaults it writes on PostgreSQL hosts"
PGBOUNCER_LISTEN_BACKLOG = "PgBouncer docs, Configuration (listen_backlog)"
# The server's own statistics read by probe: the views, and the rules read from them.
SPILL_MEASUREMENT = (
    "pgplanner's measurement on PostgreSQL 15 and 18: sorts, hash aggregates and DISTINCT over tables stayed in "
    "memory with 0.7 to 2.5 x the bytes they wrote to temporary files"
)
CACHE_HIT_ARTICLE = 'article "Understanding Postgres Performance" (Craig Kerstiens): a cache hit ratio of about 99 %'
