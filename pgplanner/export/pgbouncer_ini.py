"""pgbouncer/: pgbouncer.ini (one per process where several share the port), userlist.txt.example and,
for several processes, the systemd template unit that starts them and a README that says how.

PgBouncer refuses to start on a key it does not know, and distributions ship old releases (Debian 12
has 1.18). Keys added later are therefore written commented out with the release that added them,
unless the caller states a PgBouncer version that has them. Every value sits under its derivation,
read from the Plan: the ini computes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model import KernelSetting, Plan
from ..model.derivation import Derivation, n
from ..model.network import ENDPOINT_PLACEHOLDER
from .comments import Verbatim, explain, named
from .os_linux import _limit as limit_lines  # the one way a systemd limit is written, floors kept

Version = tuple[int, int]
Key = Callable[[str, object, list[str | Derivation]], list[str]]  # one key with its reasons, as the version takes it
BASELINE: Version = (1, 18)  # the oldest release the active keys of this file are checked against
KEY_SINCE: dict[str, Version] = {"max_prepared_statements": (1, 21), "peer_id": (1, 19)}
PEERS_SINCE: Version = (1, 19)  # the [peers] section: cancel requests forwarded between processes
PREPARED_STATEMENTS = 200  # PgBouncer 1.24's own default
RESERVE_POOL_TIMEOUT = 5  # PgBouncer's default, in seconds
CONFIG_DIR = "/etc/pgbouncer"
AUTH_FILE = f"{CONFIG_DIR}/userlist.txt"
SOCKET_DIR = "/var/run/postgresql"  # Debian's, where its pgbouncer.service puts the one process's socket
# Elsewhere PgBouncer's own default: /tmp, and no Unix socket at all on Windows (PgBouncer docs, unix_socket_dir).
SOCKET_DIRS = {"linux": SOCKET_DIR, "windows": ""}
SOCKET_DIR_DEFAULT = "/tmp"
PGBOUNCER_BIN = "/usr/sbin/pgbouncer"  # Debian and Ubuntu (RHEL: /usr/bin/pgbouncer)
SERVICE_USER = "postgres"  # the user Debian's pgbouncer.service runs as
UNIT = "pgbouncer@.service"
DROPIN = "pgbouncer.service.d/90-pgplanner.conf"


def ini_name(plan: Plan, process: int | None) -> str:
    """pgbouncer.ini for one process, pgbouncer-<i>.ini for process i of several."""
    return "pgbouncer.ini" if process is None or plan.pooler_processes == 1 else f"pgbouncer-{process}.ini"


def socket_dir(plan: Plan, process: int | None) -> str:
    """One process keeps Debian's socket directory; several need one each (the unit's RuntimeDirectory)."""
    if process is None or plan.pooler_processes == 1:
        return SOCKET_DIRS.get(plan.scenario.hardware.platform, SOCKET_DIR_DEFAULT)
    return f"/run/pgbouncer-{process}"


def render_pgbouncer_files(plan: Plan, version: Version | None = None) -> dict[str, str]:
    """Every file of pgbouncer/ by its name in that folder."""
    count = plan.pooler_processes
    files = {"userlist.txt.example": render_userlist_example(plan)}
    linux = plan.scenario.hardware.platform == "linux"
    if count == 1:
        files["pgbouncer.ini"] = render_pgbouncer_ini(plan, version)
        nofile = _nofile(plan)
        if linux and plan.scenario.provider is not None and nofile is not None and nofile.needed:
            files[DROPIN] = render_dropin(plan)  # no os/ folder: PgBouncer's host gets its file limit here
        return files
    for process in range(1, count + 1):
        files[ini_name(plan, process)] = render_pgbouncer_ini(plan, version, process)
    if linux:
        files[UNIT] = render_unit(plan)
    files["README.md"] = render_processes_readme(plan)
    return files


def render_pgbouncer_ini(plan: Plan, version: Version | None = None, process: int | None = None) -> str:
    """The ini for ``version`` (default: the oldest supported, so it starts everywhere); ``process`` is the
    process number (1..pooler_processes) when several share the port."""
    target = version or BASELINE
    s, d, config = plan.scenario, plan.derivations, plan.pooler_config
    pooler = s.pooler
    several = plan.pooler_processes > 1 and process is not None

    def key(name: str, value: object, reasons: list[str | Derivation]) -> list[str]:
        return _key(name, value, reasons, target)

    def why(path: str) -> list[str | Derivation]:
        return [d[path]]

    sections = [_header(plan, target, process), _databases(plan)]
    listening = [
        "[pgbouncer]",
        *key("listen_addr", config.listen_addr, why("pooler_config.listen_addr")),
        *key("listen_port", config.listen_port, why("pooler_config.listen_port")),
    ]
    if several:
        listening += key(
            "so_reuseport",
            1,
            [
                d["pooler_processes"],
                f"each of the {plan.pooler_processes} processes binds port {config.listen_port}; the kernel spreads "
                "new connections over them",
            ],
        )
    listening += key(
        "unix_socket_dir",
        socket_dir(plan, process),
        ["its own directory: two processes cannot share a socket file (the unit's RuntimeDirectory makes it)"]
        if several
        else [_socket_reason(plan.scenario.hardware.platform)],
    )
    if several:
        listening += key("pidfile", f"{socket_dir(plan, process)}/pgbouncer.pid", ["one pid file per process"])
        listening += key(
            "peer_id",
            process,
            ["a cancel request may reach another process than its query's: peers forward it ([peers] below)"],
        )
    listening += key("listen_backlog", plan.listen_backlog, why("listen_backlog"))
    sections.append(listening)
    sections.append(_authentication(plan, key))
    sections.append(
        [
            *key("pool_mode", pooler.mode, [_mode_reason(pooler.mode)]),
            *key(
                "default_pool_size",
                plan.pool_size,
                [d["pool_size"], "server connections per database/user pool" + (" of this process" if several else "")],
            ),
            *key(
                "reserve_pool_size",
                plan.reserve_pool,
                [d["reserve_pool"], "extra server connections per pool under load"],
            ),
            *key(
                "reserve_pool_timeout",
                RESERVE_POOL_TIMEOUT,
                ["PgBouncer's default: seconds a client waits before the reserve pool opens"],
            ),
            *key(
                "max_client_conn",
                plan.max_client_conn,
                [
                    d["max_client_conn"],
                    "each client is a file descriptor: LimitNOFILE in the service unit raises the limit",
                ],
            ),
            *key("max_db_connections", plan.max_db_connections, why("max_db_connections")),
        ]
    )
    sections.append(
        [
            *key("query_wait_timeout", config.query_wait_timeout, why("pooler_config.query_wait_timeout")),
            *key(
                "idle_transaction_timeout",
                config.idle_transaction_timeout,
                why("pooler_config.idle_transaction_timeout"),
            ),
            *key("server_lifetime", config.server_lifetime, why("pooler_config.server_lifetime")),
            *key("server_idle_timeout", config.server_idle_timeout, why("pooler_config.server_idle_timeout")),
            *key(
                "ignore_startup_parameters",
                config.ignore_startup_parameters,
                why("pooler_config.ignore_startup_parameters"),
            ),
        ]
    )
    if pooler.mode != "session":
        sections.append(
            key(
                "max_prepared_statements",
                PREPARED_STATEMENTS,
                [
                    f"PgBouncer 1.24's default: tracks protocol-level prepared statements in {pooler.mode} mode "
                    "(SQL PREPARE still breaks); 0 turns it off"
                ],
            )
        )
    if plan.network.app_hosts:
        sections.append(_client_tls())
    if several:
        sections.append(_peers(plan, target))
    return "\n\n".join("\n".join(section) for section in sections if section) + "\n"


def _socket_reason(platform: str) -> str:
    if platform == "linux":
        return "Debian's socket directory, where its pgbouncer.service expects it"
    if platform == "windows":
        return "no Unix socket on Windows: clients connect over TCP"
    return "PgBouncer's default socket directory"


def _header(plan: Plan, target: Version, process: int | None) -> list[str]:
    s, pooler = plan.scenario, plan.scenario.pooler
    several = plan.pooler_processes > 1 and process is not None
    which = f", process {process} of {plan.pooler_processes}" if several else ""
    pools = f"{plan.pools} pool(s) ({pooler.databases} database(s) x {pooler.users} user(s)"
    pools += f" in each of {plan.pooler_processes} processes)" if several else ")"
    name = ini_name(plan, process)
    install = (
        f"Install as {CONFIG_DIR}/{name}; start it with systemctl enable --now pgbouncer@{process} (the unit is "
        f"{UNIT} in this folder; README.md says how to start them all)."
        if several
        else f"Install as {CONFIG_DIR}/{name}, create userlist.txt from userlist.txt.example, then systemctl "
        "restart pgbouncer."
    )
    return explain(
        ";;",
        [
            f"pgplanner: PgBouncer{named(plan)}{which} for PostgreSQL {s.hardware.pg_version}, {pooler.mode} "
            f"pooling, {pools}.",
            f"{install} Every server connection below is a line of the max_connections budget.",
            f"Written for PgBouncer {_dotted(target)}+; keys of later releases are commented with the release "
            "that added them (older releases refuse to start on unknown keys).",
        ],
    )


def _databases(plan: Plan) -> list[str]:
    d, config = plan.derivations, plan.pooler_config
    target = f"host={config.server_host} port={config.server_port}"
    reasons: list[str | Derivation] = ["every database through the fallback entry", d["pooler_config.server_host"]]
    if config.server_host == ENDPOINT_PLACEHOLDER:
        reasons.append(f"replace {ENDPOINT_PLACEHOLDER} with the endpoint, or export again with --server-host")
    lines = ["[databases]", *explain(";", reasons), f"* = {target}"]
    return lines


def _authentication(plan: Plan, key: Key) -> list[str]:
    d, config = plan.derivations, plan.pooler_config
    lines = [*key("auth_type", config.auth_type, [d["pooler_config.auth_type"]])]
    lines += key(
        "auth_file",
        AUTH_FILE,
        ["SCRAM secrets (or passwords) per user, made from userlist.txt.example; the bundle holds no secret"],
    )
    lines += key("admin_users", SERVICE_USER, ["may use the admin console (SHOW POOLS); needs a line in auth_file"])
    if config.server_tls_sslmode:
        lines += key("server_tls_sslmode", config.server_tls_sslmode, [d["pooler_config.server_tls_sslmode"]])
    return lines


def _client_tls() -> list[str]:
    reasons = [
        "Clients come over the network: with a certificate for this host, make them use TLS by removing the "
        "leading ';' of these three lines (PgBouncer refuses to start with client_tls_sslmode and no key)"
    ]
    return [
        *explain(";", reasons),
        ";client_tls_sslmode = require",
        f";client_tls_key_file = {CONFIG_DIR}/server.key",
        f";client_tls_cert_file = {CONFIG_DIR}/server.crt",
    ]


def _peers(plan: Plan, target: Version) -> list[str]:
    entries = [f"{i} = host={socket_dir(plan, i)}" for i in range(1, plan.pooler_processes + 1)]
    reasons = [
        "every process of the group: a cancel request that lands on the wrong process is forwarded to the one "
        "running the query (the entry for this process itself is ignored)"
    ]
    if target < PEERS_SINCE:
        reasons.append(
            f"needs PgBouncer {_dotted(PEERS_SINCE)}+: remove the leading ';' there; before it, a cancel request "
            "reaches the right process only by chance"
        )
        return [*explain(";", reasons), ";[peers]", *(f";{entry}" for entry in entries)]
    return ["[peers]", *explain(";", reasons), *entries]


def render_unit(plan: Plan) -> str:
    """The systemd template unit: pgbouncer@<i> runs pgbouncer-<i>.ini with its own runtime directory."""
    count = plan.pooler_processes
    header = explain(
        "#",
        [
            f"pgplanner: {count} PgBouncer processes on one port (so_reuseport){named(plan)}. Install as "
            f"/etc/systemd/system/{UNIT}, then: systemctl daemon-reload; systemctl disable --now pgbouncer; "
            f"systemctl enable --now pgbouncer@{{1..{count}}}",
            "Modelled on the pgbouncer.service Debian ships (Type=notify, User=postgres); RuntimeDirectory gives each "
            "process its socket directory and pid file, /run/pgbouncer-<i>.",
        ],
    )
    limit = _nofile_lines(plan)
    lines = [
        *header,
        "[Unit]",
        "Description=PgBouncer process %i (so_reuseport group)",
        "Documentation=man:pgbouncer(1)",
        "After=network.target",
        "",
        "[Service]",
        "Type=notify",
        f"User={SERVICE_USER}",
        "RuntimeDirectory=pgbouncer-%i",
        f"ExecStart={PGBOUNCER_BIN} {CONFIG_DIR}/pgbouncer-%i.ini",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "KillSignal=SIGINT",
        *limit,
        "",
        "[Install]",
        "WantedBy=multi-user.target",
    ]
    return "\n".join(lines) + "\n"


def render_dropin(plan: Plan) -> str:
    """PgBouncer's file limit for Debian's pgbouncer.service, on a host of its own in front of a managed server."""
    header = explain(
        "#",
        [
            f"pgplanner: PgBouncer's file limit{named(plan)}. Install as /etc/systemd/system/{DROPIN} on the host "
            "that runs PgBouncer, then: systemctl daemon-reload; systemctl restart pgbouncer",
        ],
    )
    return "\n".join([*header, "[Service]", *_nofile_lines(plan)]) + "\n"


def _nofile_lines(plan: Plan) -> list[str]:
    """LimitNOFILE for one PgBouncer process, as the Plan's Linux kernel settings size it (nothing where
    systemd's stock limit already suffices: a line would lower it)."""
    setting = _nofile(plan)
    return limit_lines(setting, "LimitNOFILE") if setting is not None else []


def _nofile(plan: Plan) -> KernelSetting | None:
    return next(
        (s for s in plan.kernel_settings if s.platform == "linux" and s.name == "systemd.pgbouncer.LimitNOFILE"), None
    )


def render_processes_readme(plan: Plan) -> str:
    count, config = plan.pooler_processes, plan.pooler_config
    d = plan.derivations
    inis = ", ".join(f"`{ini_name(plan, i)}`" for i in range(1, count + 1))
    linux = plan.scenario.hardware.platform == "linux"
    start = (
        f"""1. Copy {inis} and `userlist.txt` (made from `userlist.txt.example`) to `{CONFIG_DIR}/`, and `{UNIT}`
   to `/etc/systemd/system/`.
2. `systemctl daemon-reload`, then stop the single PgBouncer: `systemctl disable --now pgbouncer`.
3. Start each process: `systemctl enable --now pgbouncer@{{1..{count}}}` (bash expands it to
   {", ".join(f"pgbouncer@{i}" for i in range(1, count + 1))}).
4. Check each one on its own socket: `psql -h /run/pgbouncer-1 -p {config.listen_port} -U {SERVICE_USER} pgbouncer
   -c 'SHOW POOLS'` (and so on for each process); the TCP port reaches whichever process the kernel picks.
5. Restart them one at a time (`systemctl restart pgbouncer@1`, wait, then the next): the others keep the port
   open, so clients always find a process."""
        if linux
        else f"""1. Copy {inis} and `userlist.txt` to `/usr/local/etc/pgbouncer/`, and create each process's socket
   directory (`/run/pgbouncer-<i>`, owned by the user PgBouncer runs as).
2. Start each: `pgbouncer -d /usr/local/etc/pgbouncer/pgbouncer-<i>.ini` for i = 1 to {count} (or one rc.d
   service per file)."""
    )
    return f"""# PgBouncer: {count} processes on one port

{d["pooler_processes"]}.

PgBouncer is single-threaded, so this plan runs {count} processes that all listen on port {config.listen_port}
with `so_reuseport = 1`: the kernel spreads new client connections over them. Each has its own pools
(`default_pool_size = {plan.pool_size}` per database and user, {n(plan.server_connections)} server connections
in all), its own share of the clients (`max_client_conn = {n(plan.max_client_conn)}`, {n(plan.max_client_conn_total)}
in all), its own socket directory and pid file, and peers with the others so that a cancel request reaching
the wrong process is forwarded (`[peers]`, PgBouncer 1.19+).

{start}

The budget counts every process's pools: see the `pool` and `reserve_pool` lines of the top-level README.
"""


def render_userlist_example(plan: Plan) -> str:
    """The auth_file format with placeholders, and how to fill it: the bundle never carries a secret."""
    version, managed = plan.scenario.hardware.pg_version, plan.scenario.provider is not None
    if managed:
        how = [
            f'Format of {AUTH_FILE}: one line per user, "name" "secret". This example holds no secrets. A managed '
            "service does not let you read pg_authid: write each role's password in plain text instead of the "
            "placeholder (PgBouncer then logs in to the server with SCRAM itself), and keep the file private.",
        ]
    else:
        how = [
            f'Format of {AUTH_FILE}: one line per user, "name" "secret". This example holds no secrets; replace '
            "each placeholder with the role's SCRAM secret from PostgreSQL:",
            Verbatim("SELECT format('\"%s\" \"%s\"', rolname, rolpassword) FROM pg_authid WHERE rolname = 'app';"),
            "auth_type = scram-sha-256 needs a secret starting SCRAM-SHA-256$; a role whose password was set while "
            "password_encryption was md5 (the default before PostgreSQL 14"
            + (f", so on this {version} server until the bundle's postgresql.conf is in force" if version < 14 else "")
            + ") has an md5 hash instead: set its password again (\\password app in psql) before copying it. These "
            "roles still have one:",
            Verbatim("SELECT rolname FROM pg_authid WHERE rolpassword LIKE 'md5%';"),
            "Instead of copying secrets, PgBouncer can look them up: auth_user = pgbouncer and auth_query calling a "
            "SECURITY DEFINER function that reads pg_authid (PgBouncer docs, auth_query); then this file needs "
            "only the pgbouncer role.",
        ]
    lines = explain(
        ";;",
        [
            *how,
            f"Then chmod 600 the file, owned by the user PgBouncer runs as ({SERVICE_USER} on Debian).",
            f"The pools: {plan.scenario.pooler.users} user(s); add one line for each, and one for admin_users.",
        ],
    )
    placeholder = "<password>" if managed else "SCRAM-SHA-256$4096:<salt>$<stored key>:<server key>"
    return "\n".join([*lines, f'"app" "{placeholder}"', f'"{SERVICE_USER}" "{placeholder}"']) + "\n"


def _key(key: str, value: object, reasons: list[str | Derivation], version: Version) -> list[str]:
    since = KEY_SINCE.get(key, BASELINE)
    if since > version:
        reasons = [*reasons, f"needs PgBouncer {_dotted(since)}+: remove the leading ';' there"]
        return [*explain(";", reasons), f";{key} = {value}"]
    return [*explain(";", reasons), f"{key} = {value}"]


def _mode_reason(mode: str) -> str:
    if mode == "session":
        return "session: a client keeps its server connection until it disconnects"
    return (
        f"{mode}: a server connection returns to the pool after each {mode}; SET, LISTEN, session advisory "
        "locks and SQL PREPARE do not survive it"
    )


def _dotted(version: Version) -> str:
    return ".".join(map(str, version))
