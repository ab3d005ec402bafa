"""Throughput against active connections, relative to the peak.

The model (reference/scalability.md section 6) is a ramp capped by a Universal Scalability Law
envelope: X(N) = min(N / knee, R(N / peak)). The ramp is seed 003's "linear to cores x 2": below the
knee every active connection has a core to run on. The envelope is the USL written relative to its
peak, R(x) = x (2 + u) / (1 + u x + x^2), whose single shape parameter u says how hard throughput
falls past the peak; u = 8 reproduces seed 001's table (97 / 90 / 75 / 55 % of peak at 2 / 3 / 5 /
10 x the peak) to within two points. The knee sits at the productive target and the peak 25 % past
it, which gives seed 003's plateau: a 16-core server rises to ~34 active backends, is flat to ~50
and peaks at ~42, inside its 32-48 range.

With a pooler, active backends never exceed the pool, so the pooled curve stays flat past it.
Measured (pgbench) points replace the whole default curve by the textbook USL fitted to them
(``fit_usl``, the bounded least-squares optimum), and a peak the measurements show becomes the
productive target.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from . import usl

# Active connections: an array of counts, or one count (a number, where an array of one costs ten times more).
Connections = np.ndarray | float

PEAK_PAST_KNEE = 1.25
DEFAULT_SHAPE_U = 8.0
CURVE_POINTS = 240
MIN_FIT_POINTS = 3


class Shape(NamedTuple):
    """The default curve: the lesser of the ramp N / ``knee`` and the envelope that peaks at ``peak`` (``u``: how
    hard it falls past the peak).

    A named tuple, as are :class:`UslFit` and :class:`UslShape`: cheaper than a frozen dataclass to create at import and
    to build on every plan().
    """

    knee: float
    peak: float
    u: float

    def relative(self, connections: Connections) -> Any:
        """Throughput relative to the peak (1.0) at each number of active connections (an array or a number).

        The envelope is x (2 + u) / (1 + u x + x^2), worked out in place on an array (the same operations in the
        same order, so the same floats): plan() draws it on every slider tick, where each temporary costs."""
        u = self.u
        if not isinstance(connections, np.ndarray):
            ratio = connections / self.peak  # x, for one count
            return min(connections / self.knee, ratio * (2 + u) / (1 + u * ratio + ratio * ratio))
        x = connections / self.peak
        denominator = u * x
        denominator += 1
        denominator += x * x
        x *= 2 + u
        x /= denominator
        ramp = connections / self.knee
        return np.minimum(ramp, x, out=ramp)

    @property
    def usl(self) -> tuple[float, float]:
        """The envelope as the textbook USL coefficients (sigma, kappa) in N/(1 + s(N-1) + k N(N-1))."""
        a, b = self.u / self.peak, 1 / self.peak**2
        return (a + b) / (1 + a + b), b / (1 + a + b)


def default_shape(knee: float) -> Shape:
    return Shape(knee=knee, peak=knee * PEAK_PAST_KNEE, u=DEFAULT_SHAPE_U)


# The textbook USL fit (Gunther; reference/scalability.md section 2.2), the bounded least-squares
# optimum that usl.solve finds. Its peak becomes the productive target only when the measurements
# show it: enough client counts to judge the fit, a peak of two clients or more, inside the measured
# range, with a count measured near it on each side.
PARAMETERS = 3  # lambda, sigma, kappa
MIN_JUDGED_POINTS = PARAMETERS + 2  # distinct client counts before the residuals say anything
MIN_PEAK_CLIENTS = 2  # a peak under two clients says one client does as much as more
PEAK_NEIGHBOURHOOD = 2.0  # a measured count within this factor of the peak on each side
NO_PEAK_BEYOND = 100  # a "peak" past 100 x the largest measured count is reported as no peak at all


class UslFit(NamedTuple):
    """X(N) = lam N / (1 + sigma (N - 1) + kappa N (N - 1)) fitted to measured (clients, tps) points."""

    sigma: float
    kappa: float
    lam: float  # throughput of one client (tps)
    peak: float | None  # sqrt((1 - sigma) / kappa); None when kappa is (all but) 0: no retrograde part
    # One standard error of the peak (delta method) and the root-mean-square residual relative to
    # peak_tps: None with fewer than MIN_JUDGED_POINTS client counts, where the residuals say nothing
    # (three points fit three parameters exactly: "0.0 %" would be no measure of anything).
    peak_error: float | None
    peak_tps: float  # the fitted throughput at the peak (or at the largest measured N without a peak)
    rmse: float | None
    points: int
    highest_measured: int
    verdict: str  # why the peak is not a measured one ("past what was measured ..."); "" when it is

    def throughput(self, connections: Connections) -> Any:
        n = np.asarray(connections, dtype=float)
        return self.lam * n / (1 + self.sigma * (n - 1) + self.kappa * n * (n - 1))

    @property
    def shows_peak(self) -> bool:
        """The measurements show the peak, which may then become the productive target."""
        return self.peak is not None and not self.verdict

    @property
    def judgement(self) -> str:
        """The verdict naming the peak: "a peak at 23.1 clients, past what was measured (up to 16 clients)"."""
        if self.peak is None or not self.verdict:
            return self.verdict
        return f"a peak at {self.peak:.1f} clients, {self.verdict}"


def peak_verdict(peak: float | None, counts: Sequence[float], sigma: float) -> str:
    """Why a fitted peak does not count as measured, without naming the peak ("" when it counts)."""
    measured = sorted(set(counts))
    low, high = measured[0], measured[-1]
    if len(measured) < MIN_JUDGED_POINTS:
        return (
            f"{len(measured)} client counts for {PARAMETERS} parameters are too few to judge the fit "
            f"(measure at least {MIN_JUDGED_POINTS})"
        )
    if peak is None:
        return f"no peak: kappa is about 0 and throughput levels off up to {n_text(high)} clients"
    if peak < MIN_PEAK_CLIENTS:
        return f"under {MIN_PEAK_CLIENTS} clients (sigma {sigma:.3f}): more clients add nothing, so it is no pool size"
    if peak > high:
        return f"past what was measured (up to {n_text(high)} clients)"
    if peak < low:
        return f"below the smallest count measured ({n_text(low)} clients)"
    below = max(c for c in measured if c <= peak)
    above = min(c for c in measured if c >= peak)
    if below < peak / PEAK_NEIGHBOURHOOD or above > peak * PEAK_NEIGHBOURHOOD:
        return f"with nothing measured near it (the nearest counts are {n_text(below)} and {n_text(above)})"
    return ""


def n_text(count: float) -> str:
    return f"{count:,.0f}"


class UslShape(NamedTuple):
    """The measured curve, relative to its peak: the fitted USL with nothing of the default model left."""

    fit: UslFit

    @property
    def knee(self) -> float:
        return self.peak

    @property
    def peak(self) -> float:
        """Where the curve is highest among whole clients (one client, when the fitted peak is under it)."""
        return max(self.fit.peak, 1.0) if self.fit.peak is not None else float(self.fit.highest_measured)

    @property
    def u(self) -> float:
        return self.fit.sigma * self.peak

    @property
    def usl(self) -> tuple[float, float]:
        return self.fit.sigma, self.fit.kappa

    def relative(self, connections: Connections) -> Any:
        return self.fit.throughput(connections) / self.fit.peak_tps


class ThroughputLines(NamedTuple):
    """Throughput relative to the peak against active connections, evaluable at any number of them: the plan's
    curve is these lines on its own grid, and a chart or readout reaching further (a baseline's axis, the
    mouse) evaluates them there too.

    Through a pooler no more than the pool is ever active; without one, the same pool is what a pooler
    would allow, so the pooled line shows what adding one would change: the direct line up to the pool, its
    value at the pool from there on.
    """

    shape: Shape | UslShape  # the measured USL when measured, else the default shape
    modelled: Shape | UslShape  # the default shape (the same as ``shape`` unless measurements replaced it)
    pool: int  # active backends the pooler allows

    def at(self, connections: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Direct, pooled and modelled throughput (peak = 1, rounded to 5 places) at each count."""
        direct = rounded(self.shape.relative(connections))
        at_pool = rounded(self.shape.relative(float(self.pool)))  # a number, not an array of one: a tenth of the time
        pooled = np.where(connections < self.pool, direct, at_pool)
        modelled = direct if self.modelled is self.shape else rounded(self.modelled.relative(connections))
        return direct, pooled, modelled


ROUNDING = 10.0**5  # relative throughput is kept to 5 decimal places


def rounded(relative: Any) -> Any:
    """``relative`` to 5 decimal places, as ``numpy.round(relative, 5)`` gives them (times 10^5, to the nearest even
    whole number, divided back), an array in place; a number without numpy's scalar machinery."""
    if not isinstance(relative, np.ndarray):
        return round(relative * ROUNDING) / ROUNDING
    relative *= ROUNDING
    np.rint(relative, out=relative)
    relative /= ROUNDING
    return relative


def fit_usl(points: Sequence[tuple[float, float]]) -> UslFit | None:
    """The bounded least-squares USL fit of measured (clients, tps) points.

    None when fewer than three distinct client counts were measured or nothing ran. A fit takes a few
    milliseconds; plan() runs on every slider tick with the same points, so the last few are kept.
    """
    return _fit_once(tuple((float(c), float(t)) for c, t in points))


@functools.lru_cache(maxsize=8)
def _fit_once(points: tuple[tuple[float, float], ...]) -> UslFit | None:
    if len({p[0] for p in points}) < MIN_FIT_POINTS:
        return None
    n = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    if not np.all(n > 0) or not np.all(y >= 0) or not y.any():
        return None
    best = usl.solve(n, y)
    sigma, kappa, lam = float(best.sigma), float(best.kappa), float(best.lam)
    c = n / (1 + sigma * (n - 1) + kappa * n * (n - 1))
    residuals = lam * c - y
    top = float(n.max())
    peak = float(np.sqrt((1 - sigma) / kappa)) if kappa > 0 else None
    if peak is not None and peak > NO_PEAK_BEYOND * top:
        peak = None  # kappa is all but zero: nothing retrograde anywhere near what was measured
    # The curve's best point among whole clients: a peak under one client means one client is best.
    reference = max(peak, 1.0) if peak is not None else top
    peak_tps = float(lam * reference / (1 + sigma * (reference - 1) + kappa * reference * (reference - 1)))
    judged = len(set(n.tolist())) >= MIN_JUDGED_POINTS
    rmse = float(np.sqrt((residuals**2).mean())) / peak_tps if judged else None
    error = _peak_error(n, c, lam, sigma, kappa, peak, residuals) if judged else None
    verdict = peak_verdict(peak, n.tolist(), sigma)
    return UslFit(sigma, kappa, lam, peak, error, peak_tps, rmse, len(n), int(top), verdict)


def _peak_error(
    n: np.ndarray, c: np.ndarray, lam: float, sigma: float, kappa: float, peak: float | None, residuals: np.ndarray
) -> float | None:
    """One standard error of the peak: the Jacobian's covariance of (lambda, sigma, kappa), carried to
    sqrt((1 - sigma) / kappa) by its gradient (the delta method, as nls's summary would give)."""
    freedom = n.size - PARAMETERS
    if peak is None or peak <= 0 or freedom <= 0:
        return None
    jacobian = np.column_stack((c, -lam * c * c * (n - 1) / n, -lam * c * c * (n - 1)))
    variance = (residuals**2).sum() / freedom
    try:
        covariance = variance * np.linalg.inv(jacobian.T @ jacobian)
    except np.linalg.LinAlgError:
        return None
    gradient = np.array([0.0, -1 / (2 * kappa * peak), -peak / (2 * kappa)])
    spread = float(gradient @ covariance @ gradient)
    return float(np.sqrt(spread)) if np.isfinite(spread) and spread >= 0 else None


def steps(count: int) -> np.ndarray:
    """0, 1, ..., count - 1 as floats: the positions of an evenly spaced grid, made once per grid size."""
    return np.arange(count, dtype=np.float64)


_GRID_STEPS = steps(CURVE_POINTS)


@functools.lru_cache(maxsize=64)
def connection_grid(highest: float) -> np.ndarray:
    """Whole numbers of active connections from 1 to ``highest``, evenly spaced on a log scale; read-only, as
    plans with the same reach share it (a slider tick that leaves the reach as it was finds it made)."""
    return frozen(distinct(np.rint(_geometric(max(highest, 2))).astype(np.int64)))


def frozen(array: np.ndarray) -> np.ndarray:
    """``array``, made read-only: one shared by several plans."""
    array.flags.writeable = False
    return array


def linear(stop: float, positions: np.ndarray) -> np.ndarray:
    """``np.linspace(0, stop, positions.size)`` for ``positions`` from :func:`steps`, the same floats bit
    for bit. linspace's generic set-up (array end points, dtypes) costs more than the arithmetic at the
    sizes plan() draws on every slider tick."""
    points = positions * (stop / (positions.size - 1))
    points[-1] = stop
    return points


def _geometric(top: float) -> np.ndarray:
    """``np.geomspace(1, top, CURVE_POINTS)``, the same floats bit for bit: 10 ** (evenly spaced exponents
    from 0 to log10(top)) with both ends pinned, without geomspace's handling of negative, complex and
    array end points."""
    points = np.power(10.0, linear(np.log10(top), _GRID_STEPS))
    points[0], points[-1] = 1, top
    return points


def distinct(ascending: np.ndarray) -> np.ndarray:
    """The values of an ascending array without repeats (np.unique would also sort, and loads numpy.ma)."""
    keep = np.empty(ascending.size, dtype=bool)
    keep[0] = True
    np.greater(ascending[1:], ascending[:-1], out=keep[1:])
    return ascending[keep]
