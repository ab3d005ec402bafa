"""``plan(scenario) -> Plan``: every figure, curve, budget line, kernel setting and warning at once.

The Plan is the one thing the window, the CLI and the export read. It is cheap enough (well under a
millisecond) to recompute on every slider tick, so nothing downstream keeps state of its own.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, SkipValidation, computed_field

from . import budget, checks, concurrency, latency, memory, network, settings, throughput
from .budget import BudgetLine
from .checks import PlanWarning
from .construct import built
from .derivation import Derivation, exact, given, n
from .kernel import KernelSetting, kernel_settings
from .latency import LatencyFigures
from .pgbouncer import IDLE_IN_TRANSACTION, PoolerConfig, pooler_config
from .scenario import PoolerOffer, ProviderReserve, Scaling, Scenario
from .settings import Setting, SettingsInput
from .sources import PGPLANNER_RULE, USL, USL_FIT
from .throughput import DEFAULT_SHAPE_U, PEAK_PAST_KNEE
from .versions import SEMAPHORE_SET_SIZE, max_backends, semaphores


def _to_list(values: np.ndarray) -> list[Any]:
    return values.tolist()


Array = Annotated[np.ndarray, PlainSerializer(_to_list, return_type=list)]


def _as_objects(rows: tuple[Setting, ...] | tuple[KernelSetting, ...]) -> list[dict[str, object]]:
    return [row.as_json() for row in rows]


# Named tuples the model builds from typed values, written out as objects; validating the ~55 of them made
# per slider tick would only cost time.
Settings = Annotated[tuple[Setting, ...], SkipValidation, PlainSerializer(_as_objects, return_type=list)]
KernelSettings = Annotated[tuple[KernelSetting, ...], SkipValidation, PlainSerializer(_as_objects, return_type=list)]


class Output(BaseModel):
    """What plan() makes from values it has computed and typed itself: made with :func:`.construct.built`, never
    validated, so pydantic builds the schemas only to write a Plan out (``plan --json``, the bundle), not
    at the window's start-up."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True, defer_build=True)


class MemoryFigures(Output):
    ram_bytes: int
    shared_buffers_bytes: int
    os_overhead_bytes: int
    available_bytes: int
    per_connection_bytes: int
    worst_case_per_connection_bytes: int
    page_tables_bytes: int  # one process's page tables over shared_buffers (0 in guaranteed huge pages)
    per_process_bytes: int  # one backend or parallel worker running the heaviest query, its page tables included
    opened_connections: int  # min(required, max_connections): the connections the budget's lines open
    # The connections the worst case, the heavy fraction and the safe work_mem are for (and the rules judge):
    # max_connections, or on a plan that fixes max_connections the connections this plan opens.
    judged_connections: int
    parallel_workers: int  # parallel workers at once when the judged connections all run the heaviest query
    maintenance_bytes: int  # autovacuum workers x autovacuum_work_mem, a line of the worst-case budget
    maintenance_jobs: int  # manual VACUUM, CREATE INDEX ... at once
    maintenance_jobs_bytes: int  # maintenance jobs x maintenance_work_mem, a line of the worst-case budget
    logical_decoding_bytes: int  # logical subscribers x logical_decoding_work_mem, likewise
    temp_buffers_bytes: int  # sessions using temporary tables x temp_buffers
    worst_case_available_bytes: int  # available - every line above but the page tables
    worst_case_bytes: int
    heavy_fraction_bytes: int
    # The heavy fraction of the connections this plan opens (the same figure when those are the judged ones):
    # whether only the slots beyond the budget would break RAM.
    heavy_fraction_opened_bytes: int
    safe_work_mem_bytes: int | None
    work_mem_bytes: int  # the given work_mem, or the recommended one: what the worst case counts and the file writes


class ThroughputCurve(Output):
    """Relative throughput (peak = 1) against active connections, direct and through the pooler."""

    connections: Array
    direct: Array
    pooled: Array
    knee: float
    peak: float
    shape_u: float
    sigma: float
    kappa: float
    pool_connections: int  # active backends the pooler allows; the pooled curve is flat past it
    # The default model's curve: the same as ``direct`` unless measurements replaced it.
    modelled: Array
    measured_peak_tps: float | None = None  # set when the shape was fitted to measurements
    fit_rmse: float | None = None  # relative to the peak
    fit_lambda_tps: float | None = None  # the fitted throughput of one client
    fit_peak_error: float | None = None  # one standard error of the fitted peak, in connections
    measured_on: str | None = None  # where the measurements were taken, as saved with the scenario
    # The lines the arrays sample, for any other number of connections; not written out.
    lines: Annotated[throughput.ThroughputLines, SkipValidation] = Field(exclude=True, repr=False)

    def at(self, connections: float) -> tuple[float, float, float]:
        """Direct, pooled and modelled throughput (peak = 1) at ``connections`` active ones, wherever they are."""
        direct, pooled, modelled = self.lines.at(np.array([float(connections)]))
        return float(direct[0]), float(pooled[0]), float(modelled[0])

    def over(self, highest: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Connections, direct, pooled and modelled up to ``highest``: the plan's own grid when it reaches that
        far, else the lines on a grid to ``highest`` (an axis a baseline widened)."""
        if highest <= self.connections[-1]:
            return self.connections, self.direct, self.pooled, self.modelled
        grid = throughput.connection_grid(highest)
        return (grid, *self.lines.at(grid))


class MemoryCurve(Output):
    """Memory in bytes against connections: shared_buffers + OS + N x per-connection cost."""

    connections: Array
    typical: Array
    worst_case: Array
    heavy_fraction: Array
    ram_bytes: int
    marks: dict[str, int]  # ram_ceiling, max_connections, productive_target (+ provider_limit)
    # The lines the arrays sample, for any other number of connections; not written out.
    lines: Annotated[memory.MemoryLines, SkipValidation] = Field(exclude=True, repr=False)

    def at(self, connections: float) -> tuple[float, float, float]:
        """Typical, heavy-fraction and worst-case memory (bytes) at ``connections``, wherever they are."""
        typical, heavy, worst = self.lines.at(np.array([float(connections)]))
        return float(typical[0]), float(heavy[0]), float(worst[0])

    def over(self, highest: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Connections, typical, heavy-fraction and worst-case memory up to ``highest``: the plan's own grid
        when it reaches that far, else the lines on a grid to ``highest`` (an axis a baseline widened)."""
        if highest <= self.connections[-1]:
            return self.connections, self.typical, self.heavy_fraction, self.worst_case
        grid = memory_grid(highest)
        return (grid, *self.lines.at(grid))


class SemaphoreFigures(Output):
    """The semaphores the server needs (one per process slot) and the System V limits that hold them."""

    num_os_semaphores: int
    processes: int  # server processes at most: every slot can be one, plus the postmaster
    semmni: int
    semmns: int
    semmsl: int
    derivation: Derivation


class NetworkFigures(Output):
    """Where connections come from, as pg_hba.conf and the pooler's listen_addr need it."""

    app_hosts: tuple[str, ...]  # the application hosts' networks (CIDRs, samenet); empty: on this server
    replica_hosts: tuple[str, ...]  # where the standbys connect from
    remote_clients: int  # connections from the application hosts straight to PostgreSQL (bypassing a pooler)


class ProviderSummary(Output):
    id: str
    provider: str
    plan: str
    vcpus: float
    ram_bytes: int
    max_connections: int
    hard_limit: bool
    reserved: int
    pooler: PoolerOffer | None
    source: str
    as_of: str
    confidence: str
    notes: str
    derivations: dict[str, Derivation]  # how the preset's figures were reached (max_connections, cores ...)
    reserves: tuple[ProviderReserve, ...] = ()  # the reserved slots by what holds them
    max_connections_settable: tuple[int, int] | None = None
    scaling: Scaling | None = None  # an autoscaling plan's range


class Plan(Output):
    scenario: Scenario
    ram_ceiling: int
    productive_target: int
    productive_target_measured: bool  # the measured peak decides the target, not the rule of thumb
    rule_of_thumb_target: int  # cores x multiplier + disk concurrency, whatever the measurements say
    disk_concurrency: int
    pool_size: int  # per database/user pool, as pgbouncer.ini's default_pool_size
    pool_size_range: tuple[int, int]
    reserve_pool: int
    pools: int
    max_client_conn: int
    client_demand: int
    app_clients: int  # client demand without the serverless peak
    direct_clients: int  # application connections straight to PostgreSQL (no pooler), one backend each
    server_connections: int  # pools x pool_size (+ pinned clients): the backends a pooler keeps open
    server_connections_max: int  # pools x (pool_size + reserve_pool): with every reserve open
    max_db_connections: int  # PgBouncer's per-database cap (0 without a pooler)
    pinned_clients: int  # clients a pinning pooler (RDS Proxy) ties to their own backend (0 otherwise)
    pooler_processes: int  # PgBouncer processes sharing the port (so_reuseport); 1 for other poolers
    pooler_processes_needed: int  # what the clients and the load ask for, before the platform and cores cap it
    max_client_conn_total: int  # clients the pooler accepts in all: processes x max_client_conn
    listen_backlog: int  # each pooler process's listen queue (0 without a pooler)
    clients_without_backend: int  # session pooling: clients the pools cannot give a backend (0 otherwise)
    network: NetworkFigures
    pooler_config: PoolerConfig  # the pooler's settings beyond its pool sizes (pgbouncer.ini, pgcat.toml)
    max_connections_required: int
    max_connections_recommended: int
    max_connections: int
    max_wal_senders: int
    max_backends: int  # PostgreSQL's MaxBackends: max_connections and every other backend slot
    wal_disk_bytes: int  # the file system holding pg_wal, given or derived: it bounds the WAL settings
    reserved_slots: int  # superuser_reserved_connections (+ reserved_connections from 16): below max_connections
    headroom: int  # max_connections - required: free slots (negative when the budget does not fit)
    spare_wal_senders: int  # max_wal_senders the budget's replication lines leave free
    pooler_capacity_tps: float | None
    budget: tuple[BudgetLine, ...]
    memory: MemoryFigures
    throughput: ThroughputCurve
    memory_curve: MemoryCurve
    kernel_settings: KernelSettings
    settings: Settings
    semaphores: SemaphoreFigures
    warnings: tuple[PlanWarning, ...]
    derivations: dict[str, Derivation]
    provider: ProviderSummary | None
    latency: LatencyFigures | None = None  # the queue at the pool, when the scenario gives a demand

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kernel(self) -> dict[str, dict[str, int | str]]:
        """Kernel and OS values per platform: ``{"linux": {"vm.nr_hugepages": 2130, ...}, ...}``, written or not."""
        table: dict[str, dict[str, int | str]] = {}
        for setting in self.kernel_settings:
            table.setdefault(setting.platform, {})[setting.name] = setting.value
        return table

    def to_json_dict(self) -> dict[str, Any]:
        """The CLI's ``plan --json`` object (a contract other tools read)."""
        return self.model_dump(mode="json")


def plan(scenario: Scenario) -> Plan:
    """Compute the whole Plan for ``scenario``; ``derivations`` are keyed by the JSON path they explain."""
    derivations: dict[str, Derivation] = {}
    hw, wl = scenario.hardware, scenario.workload

    disk, derivations["disk_concurrency"] = concurrency.disk_concurrency(scenario)
    fit = throughput.fit_usl([(m.connections, m.tps) for m in scenario.measurements])
    thumb = concurrency.rule_of_thumb(scenario, disk)
    derivations["rule_of_thumb_target"] = thumb[1]
    productive, derivations["productive_target"] = concurrency.productive_target(thumb, fit)
    measured = fit is not None and fit.shows_peak
    peak = productive if measured else None  # a measured peak tops the pool range
    pool_range = concurrency.pool_size_range(hw.cores, peak)
    derivations["pool_size_range"] = concurrency.pool_size_range_derivation(hw.cores, peak)
    pooling = concurrency.pooling(scenario, productive, measured=measured)
    derivations.update(pooling.derivations)
    tps, derivations["pooler_capacity_tps"] = concurrency.pooler_capacity(pooling, wl.txn_ms)

    lines = budget.budget_lines(scenario, pooling)
    required, derivations["max_connections_required"] = budget.required(lines)
    recommended, derivations["max_connections_recommended"] = budget.recommended(required)
    max_conn, derivations["max_connections"] = budget.chosen_max_connections(scenario, recommended)
    wal_senders, derivations["max_wal_senders"] = budget.max_wal_senders(scenario)
    reserved, derivations["reserved_slots"] = budget.reserved_slots(scenario)
    free, derivations["headroom"] = budget.headroom(max_conn, required)
    spare_senders, derivations["spare_wal_senders"] = budget.spare_wal_senders(lines, wal_senders)

    # The memory model comes after the budget: an "auto" work_mem is the largest that keeps the worst case of
    # the connections judged in RAM, resolved once here for the worst case and postgresql.conf alike.
    opened, derivations["memory.opened_connections"] = _opened_connections(required, max_conn)
    judged, derivations["memory.judged_connections"] = _judged_connections(scenario, opened, max_conn)
    basis = memory.memory_basis(scenario, judged)
    derivations.update(basis.derivations)
    ceiling, derivations["ram_ceiling"] = memory.ram_ceiling(basis)
    server = basis.server
    backends, derivations["max_backends"] = max_backends(
        hw.pg_version, max_conn, wal_senders, server.max_worker_processes, server.autovacuum_workers
    )

    workers, derivations["memory.parallel_workers"] = memory.parallel_workers(basis, judged)
    worst, derivations["memory.worst_case_bytes"] = memory.worst_case(basis, judged)
    share = scenario.memory.heavy_fraction
    heavy, derivations["memory.heavy_fraction_bytes"] = memory.heavy_fraction(basis, judged, share)
    heavy_opened, derivations["memory.heavy_fraction_opened_bytes"] = (
        (heavy, derivations["memory.heavy_fraction_bytes"])
        if opened == judged
        else memory.heavy_fraction(basis, opened, share)
    )
    safe = basis.safe_work_mem  # for the connections judged; its derivation filed by the memory model

    curve = _throughput_curve(scenario, productive, pooling, max_conn, fit)
    queue, latency_derivations = latency.latency(scenario, _shape(productive, fit), fit, productive, pooling)
    derivations.update(latency_derivations)
    derivations.update(_throughput_derivations(curve, productive, fit))
    sems = semaphores(hw.pg_version, max_conn, wal_senders, server.max_worker_processes, server.autovacuum_workers)
    kernel = kernel_settings(scenario, max_conn, wal_senders, basis, pooling, sems)
    wal_disk, derivations["wal_disk_bytes"] = settings.wal_disk(scenario)
    server_settings = settings.recommend(SettingsInput(scenario, basis, max_conn, wal_senders, derivations, wal_disk))
    app_hosts, derivations["network.app_hosts"] = network.app_hosts(scenario)
    replica_hosts, derivations["network.replica_hosts"] = network.replica_hosts(scenario)
    remote, derivations["network.remote_clients"] = network.remote_clients(scenario, pooling)
    idle = next((s.value for s in server_settings if s.name == IDLE_IN_TRANSACTION), None)
    config, config_derivations = pooler_config(scenario, app_hosts, network.server_host(scenario), idle)
    derivations.update(config_derivations)

    result = built(
        Plan,
        scenario=scenario,
        ram_ceiling=ceiling,
        productive_target=productive,
        productive_target_measured=measured,
        rule_of_thumb_target=thumb[0],
        disk_concurrency=disk,
        pool_size=pooling.pool_size,
        pool_size_range=pool_range,
        reserve_pool=pooling.reserve_pool,
        pools=pooling.pools,
        max_client_conn=pooling.max_client_conn,
        client_demand=pooling.client_demand,
        app_clients=pooling.app_clients,
        direct_clients=pooling.direct_clients,
        server_connections=pooling.server_connections,
        server_connections_max=pooling.server_connections_max,
        max_db_connections=pooling.max_db_connections,
        pinned_clients=pooling.pinned,
        pooler_processes=pooling.processes,
        pooler_processes_needed=pooling.processes_needed,
        max_client_conn_total=pooling.max_client_conn_total,
        listen_backlog=pooling.listen_backlog,
        clients_without_backend=pooling.clients_without_backend,
        network=built(NetworkFigures, app_hosts=app_hosts, replica_hosts=replica_hosts, remote_clients=remote),
        pooler_config=config,
        max_connections_required=required,
        max_connections_recommended=recommended,
        max_connections=max_conn,
        max_wal_senders=wal_senders,
        max_backends=backends,
        wal_disk_bytes=wal_disk,
        reserved_slots=reserved,
        headroom=free,
        spare_wal_senders=spare_senders,
        pooler_capacity_tps=tps,
        budget=tuple(lines),
        memory=built(
            MemoryFigures,
            ram_bytes=basis.ram,
            shared_buffers_bytes=basis.shared_buffers,
            os_overhead_bytes=basis.os_overhead,
            available_bytes=basis.available,
            per_connection_bytes=basis.per_connection,
            worst_case_per_connection_bytes=basis.worst_per_connection,
            page_tables_bytes=basis.page_tables,
            per_process_bytes=basis.per_process,
            opened_connections=opened,
            judged_connections=judged,
            parallel_workers=workers,
            maintenance_bytes=basis.maintenance,
            maintenance_jobs=basis.maintenance_jobs,
            maintenance_jobs_bytes=basis.maintenance_jobs_memory,
            logical_decoding_bytes=basis.logical_decoding,
            temp_buffers_bytes=basis.temp_buffers,
            worst_case_available_bytes=basis.worst_available,
            worst_case_bytes=worst,
            heavy_fraction_bytes=heavy,
            heavy_fraction_opened_bytes=heavy_opened,
            safe_work_mem_bytes=safe,
            work_mem_bytes=basis.work_mem,
        ),
        throughput=curve,
        memory_curve=_memory_curve(scenario, basis, ceiling, max_conn, productive),
        kernel_settings=tuple(kernel),
        settings=server_settings,
        semaphores=built(
            SemaphoreFigures,
            num_os_semaphores=sems.count,
            processes=sems.processes,
            semmni=sems.semmni,
            semmns=sems.semmns,
            semmsl=SEMAPHORE_SET_SIZE,
            derivation=sems.derivation,
        ),
        warnings=(),
        derivations=derivations,
        provider=_provider_summary(scenario),
        latency=queue,
    )
    # The rules read the finished Plan, so what they judge is what every view shows. Its warnings are filled in
    # before anything but the rules has seen it: the one step of building a frozen Plan done after the others.
    result.__dict__["warnings"] = checks.evaluate(result)
    return result


def _opened_connections(required: int, max_conn: int) -> tuple[int, Derivation]:
    """The connections the budget's lines open: what the plan itself puts on the server."""
    opened = min(required, max_conn)
    return opened, Derivation.later(_opened_why, required, max_conn, opened)


def _opened_why(required: int, max_conn: int, opened: int) -> Derivation:
    return Derivation(
        formula="connections this plan opens = min(required, max_connections) (the budget's lines)",
        calculation=f"min({n(required)}, {n(max_conn)}) = {n(opened)}",
        inputs={"required": n(required), "max_connections": n(max_conn)},
        source=PGPLANNER_RULE,
        note="slots beyond them stay idle unless something outside the budget opens them",
    )


def _judged_connections(scenario: Scenario, opened: int, max_conn: int) -> tuple[int, Derivation]:
    """The connections the memory figures are for, and the rules judge.

    Self-managed: max_connections, which the user sets. On a plan that fixes max_connections the user
    can act only on the connections the plan opens (the budget's lines), so those are judged.
    """
    provider = scenario.provider
    if provider is None or not provider.hard_limit:
        return max_conn, Derivation.later(_judged_all_why, max_conn)
    return opened, Derivation.later(_judged_opened_why, provider.id, opened, max_conn)


def _judged_all_why(max_conn: int) -> Derivation:
    return Derivation(
        formula="connections judged = max_connections (every slot may run the heaviest query)",
        calculation=n(max_conn),
        inputs={"max_connections": n(max_conn)},
        source=PGPLANNER_RULE,
    )


def _judged_opened_why(provider: str, opened: int, max_conn: int) -> Derivation:
    return Derivation(
        formula=(
            "connections judged = the connections this plan opens: "
            f"{provider} fixes max_connections, so only the budget's connections are yours to size"
        ),
        calculation=n(opened),
        inputs={"connections this plan opens": n(opened), "max_connections": n(max_conn), "fixed by": provider},
        source=PGPLANNER_RULE,
    )


def _throughput_derivations(
    curve: ThroughputCurve, productive: int, fit: throughput.UslFit | None
) -> dict[str, Derivation]:
    """The knee and peak of the throughput curve, and its shape, by their JSON paths (written when first read)."""
    pool = Derivation.later(_pool_connections, curve)
    if fit is not None:
        fitted = Derivation.later(_fit_derivation, fit, curve.measured_on or "")
        fitted_keys = ("peak", "shape_u", "sigma", "kappa", "measured_peak_tps", "fit_lambda_tps")
        return {
            "throughput.knee": Derivation.later(_fitted_knee, curve),
            **{f"throughput.{key}": fitted for key in fitted_keys},
            **({"throughput.fit_rmse": fitted} if fit.rmse is not None else {}),
            **({"throughput.fit_peak_error": fitted} if fit.peak_error is not None else {}),
            "throughput.pool_connections": pool,
        }
    shape = Derivation.later(_default_shape, curve)
    return {
        "throughput.knee": Derivation.later(_default_knee, productive),
        "throughput.peak": Derivation.later(_default_peak, curve, productive),
        "throughput.shape_u": shape,
        "throughput.sigma": shape,
        "throughput.kappa": shape,
        "throughput.pool_connections": pool,
    }


def _fitted_knee(curve: ThroughputCurve) -> Derivation:
    return Derivation(
        formula="knee = the fitted peak (the measured curve is the USL itself, with no separate ramp)",
        calculation=exact(round(curve.knee, 3)),
        inputs={"fitted peak": exact(round(curve.peak, 3))},
        source=USL_FIT,
    )


def _default_knee(productive: int) -> Derivation:
    return Derivation(
        formula="knee = productive target (throughput rises linearly until every core is busy)",
        calculation=f"{productive}",
        inputs={"productive target": str(productive)},
        source=USL,
    )


def _default_peak(curve: ThroughputCurve, productive: int) -> Derivation:
    return Derivation(
        formula=f"peak = knee x {PEAK_PAST_KNEE:g}",
        calculation=f"{productive} x {PEAK_PAST_KNEE:g} = {exact(curve.peak)}",
        inputs={"knee": str(productive)},
        source=USL,
    )


def _default_shape(curve: ThroughputCurve) -> Derivation:
    return Derivation(
        formula=(
            f"USL shape u = {DEFAULT_SHAPE_U:g} (throughput falls to about 97 / 90 / 75 / 55 % at 2 / 3 / 5 / 10 x "
            "the peak); sigma and kappa are the same envelope as Gunther's coefficients"
        ),
        calculation=f"u = {curve.shape_u:g}, sigma = {curve.sigma:.4g}, kappa = {curve.kappa:.4g}",
        inputs={"peak": exact(curve.peak)},
        source=USL,
    )


def _pool_connections(curve: ThroughputCurve) -> Derivation:
    return Derivation(
        formula="active backends through the pooler = server connections (pools x pool size)",
        calculation=n(curve.pool_connections),
        inputs={"server connections": n(curve.pool_connections)},
        source=USL,
    )


def _shape(productive: int, fit: throughput.UslFit | None) -> throughput.Shape | throughput.UslShape:
    """The measured USL when there are measurements, else the default shape around the productive target."""
    return throughput.UslShape(fit) if fit else throughput.default_shape(productive)


def _throughput_curve(
    scenario: Scenario, productive: int, pooling: concurrency.Pooling, max_conn: int, fit: throughput.UslFit | None
) -> ThroughputCurve:
    """The measured USL when there are measurements, else the default shape around the productive target."""
    shape = _shape(productive, fit)
    highest = max(12 * shape.peak, 1.5 * max_conn, 1.5 * pooling.server_connections, 1.2 * pooling.client_demand)
    if fit:
        highest = max(highest, 2 * fit.highest_measured)
    grid = throughput.connection_grid(highest)
    lines = throughput.ThroughputLines(
        shape, throughput.default_shape(productive) if fit else shape, pooling.server_connections
    )
    direct, pooled, modelled = lines.at(grid)
    sigma, kappa = shape.usl
    return built(
        ThroughputCurve,
        connections=grid,
        direct=direct,
        pooled=pooled,
        knee=float(shape.knee),  # a whole number of connections when not fitted
        peak=shape.peak,
        shape_u=shape.u,
        sigma=sigma,
        kappa=kappa,
        pool_connections=pooling.server_connections,
        modelled=modelled,
        measured_peak_tps=fit.peak_tps if fit else None,
        fit_rmse=fit.rmse if fit else None,
        fit_lambda_tps=fit.lam if fit else None,
        fit_peak_error=fit.peak_error if fit else None,
        measured_on=scenario.measured_on if fit else None,
        lines=lines,
    )


def _fit_derivation(fit: throughput.UslFit, measured_on: str) -> Derivation:
    sigma, kappa = f"{fit.sigma:.4g}", f"{fit.kappa:.4g}"
    if fit.peak is None:
        peak = "no peak: kappa is about 0, throughput levels off"
    else:
        peak = f"peak N* = sqrt((1 - {sigma}) / {kappa}) = {fit.peak:.1f}"
        if fit.peak_error is not None:
            peak += f" (+/- {fit.peak_error:.1f}, one standard error)"
    return Derivation(
        formula="USL X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)), sigma and kappa >= 0, fitted by "
        "least squares to the measured points",
        calculation=(
            f"lambda = {n(round(fit.lam))} tps, sigma = {sigma}, kappa = {kappa}; {peak}; "
            f"{n(round(fit.peak_tps))} tps at the peak"
        ),
        inputs={"measured points": n(fit.points), "measured on": measured_on or "not said"},
        source=USL_FIT,
        note=f"RMS error {fit.rmse:.1%} of the peak" if fit.rmse is not None else fit.judgement,
    )


MEMORY_CURVE_POINTS = 200
MEMORY_CURVE_REACH = 1.25  # draw past the ceiling and the chosen max_connections
_MEMORY_CURVE_STEPS = throughput.steps(MEMORY_CURVE_POINTS)


@functools.lru_cache(maxsize=64)
def memory_grid(highest: float) -> np.ndarray:
    """Whole numbers of connections from 0 to ``highest``, evenly spaced; read-only, shared by the plans that reach
    as far."""
    grid = throughput.distinct(np.rint(throughput.linear(highest, _MEMORY_CURVE_STEPS))).astype(np.int64)
    return throughput.frozen(grid)


def _memory_curve(
    scenario: Scenario, basis: memory.MemoryBasis, ceiling: int, max_conn: int, productive: int
) -> MemoryCurve:
    grid = memory_grid(max(ceiling, max_conn, 10) * MEMORY_CURVE_REACH)
    lines = basis.lines(scenario.memory.heavy_fraction)
    typical, heavy_fraction, worst_case = lines.at(grid)
    marks = {"ram_ceiling": ceiling, "max_connections": max_conn, "productive_target": productive}
    if scenario.provider is not None:
        marks["provider_limit"] = scenario.provider.max_connections
    return built(
        MemoryCurve,
        connections=grid,
        typical=typical,
        worst_case=worst_case,
        heavy_fraction=heavy_fraction,
        ram_bytes=basis.ram,
        marks=marks,
        lines=lines,
    )


def _provider_summary(scenario: Scenario) -> ProviderSummary | None:
    p = scenario.provider
    if p is None:
        return None
    return built(
        ProviderSummary,
        id=p.id,
        provider=p.provider,
        plan=p.plan,
        vcpus=p.vcpus,
        ram_bytes=p.ram,
        max_connections=p.max_connections,
        hard_limit=p.hard_limit,
        reserved=p.reserved,
        pooler=p.pooler,
        source=p.source,
        as_of=p.as_of,
        confidence=p.confidence,
        notes=p.notes,
        derivations={"max_connections": given(n(p.max_connections), "max_connections", p.source or p.id)}
        | p.derivations,
        reserves=p.reserves,
        max_connections_settable=p.max_connections_settable,
        scaling=p.scaling,
    )
