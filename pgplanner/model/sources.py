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
