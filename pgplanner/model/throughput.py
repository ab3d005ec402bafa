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
(``fit_usl``), and a peak the measurements reach becomes the productive target.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PEAK_PAST_KNEE = 1.25
DEFAULT_SHAPE_U = 8.0
CURVE_POINTS = 240
MIN_FIT_POINTS = 3


@dataclass(frozen=True)
class Shape:
    knee: float
    peak: float
    u: float

    def relative(self, connections: np.ndarray) -> np.ndarray:
        """Throughput relative to the peak (1.0) at each number of active connections."""
        x = connections / self.peak
        envelope = x * (2 + self.u) / (1 + self.u * x + x * x)
        return np.minimum(connections / self.knee, envelope)

    @property
    def usl(self) -> tuple[float, float]:
        """The envelope as the textbook USL coefficients (sigma, kappa) in N/(1 + s(N-1) + k N(N-1))."""
        a, b = self.u / self.peak, 1 / self.peak**2
        return (a + b) / (1 + a + b), b / (1 + a + b)


def default_shape(knee: float) -> Shape:
    return Shape(knee=knee, peak=knee * PEAK_PAST_KNEE, u=DEFAULT_SHAPE_U)


# The textbook USL fit (Gunther; reference/scalability.md section 2.2): sigma, kappa >= 0 by bounded
# least squares, as R's nls(algorithm="port", lower=c(0, 0, 0)) does. For fixed (sigma, kappa) the
# best lambda is linear least squares in closed form, so only two parameters are searched: a coarse
# grid over [0, 1) x [0, 1] (zero included, so a bound can win), then the cell around the best value
# is searched again, finer each round, until the grid is far below the noise.
SIGMA_MAX = 0.999
KAPPA_MAX = 1.0
GRID_STEPS = 48
ZOOM_STEPS = 9
ZOOM_ROUNDS = 12


@dataclass(frozen=True)
class UslFit:
    """X(N) = lam N / (1 + sigma (N - 1) + kappa N (N - 1)) fitted to measured (clients, tps) points."""

    sigma: float
    kappa: float
    lam: float  # throughput of one client (tps)
    peak: float | None  # sqrt((1 - sigma) / kappa); None when kappa is (all but) 0: no retrograde part
    peak_error: float | None  # one standard error of the peak (delta method); None with 3 points or no peak
    peak_tps: float  # the fitted throughput at the peak (or at the largest measured N without a peak)
    rmse: float  # root-mean-square residual, relative to peak_tps
    points: int
    highest_measured: int

    def throughput(self, connections: np.ndarray) -> np.ndarray:
        n = np.asarray(connections, dtype=float)
        return self.lam * n / (1 + self.sigma * (n - 1) + self.kappa * n * (n - 1))

    @property
    def shows_peak(self) -> bool:
        """The measurements reach the peak: it exists and lies within the measured range (with a margin).

        A peak extrapolated far past the largest measured client count is a guess, not a measurement.
        """
        return self.peak is not None and self.peak <= PEAK_REACH * self.highest_measured


PEAK_REACH = 1.5  # a fitted peak up to 1.5 x the largest measured client count counts as measured
NO_PEAK_BEYOND = 100  # a "peak" past 100 x the largest measured count is reported as no peak at all


@dataclass(frozen=True)
class UslShape:
    """The measured curve, relative to its peak: the fitted USL with nothing of the default model left."""

    fit: UslFit

    @property
    def knee(self) -> float:
        return self.peak

    @property
    def peak(self) -> float:
        return self.fit.peak if self.fit.peak is not None else float(self.fit.highest_measured)

    @property
    def u(self) -> float:
        return self.fit.sigma * self.peak

    @property
    def usl(self) -> tuple[float, float]:
        return self.fit.sigma, self.fit.kappa

    def relative(self, connections: np.ndarray) -> np.ndarray:
        return self.fit.throughput(connections) / self.fit.peak_tps


def fit_usl(points: Sequence[tuple[float, float]]) -> UslFit | None:
    """The bounded least-squares USL fit of measured (clients, tps) points.

    None when fewer than three distinct client counts were measured or nothing ran. A fit takes about
    a millisecond; plan() runs on every slider tick with the same points, so the last few are kept.
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
    sigmas = np.concatenate(([0.0], np.geomspace(1e-5, SIGMA_MAX, GRID_STEPS)))
    kappas = np.concatenate(([0.0], np.geomspace(1e-9, KAPPA_MAX, GRID_STEPS)))
    for _ in range(ZOOM_ROUNDS):
        sse = _sse(n, y, sigmas[:, None, None], kappas[None, :, None])
        i, j = (int(index) for index in np.unravel_index(np.argmin(sse), sse.shape))
        sigma, kappa = float(sigmas[i]), float(kappas[j])
        sigmas = np.linspace(sigmas[max(i - 1, 0)], sigmas[min(i + 1, sigmas.size - 1)], ZOOM_STEPS)
        kappas = np.linspace(kappas[max(j - 1, 0)], kappas[min(j + 1, kappas.size - 1)], ZOOM_STEPS)
    c = n / (1 + sigma * (n - 1) + kappa * n * (n - 1))
    lam = float((c * y).sum() / (c * c).sum())
    residuals = lam * c - y
    top = float(n.max())
    peak = float(np.sqrt((1 - sigma) / kappa)) if kappa > 0 else None
    if peak is not None and peak > NO_PEAK_BEYOND * top:
        peak = None  # kappa is all but zero: nothing retrograde anywhere near what was measured
    reference = peak if peak is not None else top
    peak_tps = float(lam * reference / (1 + sigma * (reference - 1) + kappa * reference * (reference - 1)))
    rmse = float(np.sqrt((residuals**2).mean())) / peak_tps
    error = _peak_error(n, c, lam, sigma, kappa, peak, residuals)
    return UslFit(sigma, kappa, lam, peak, error, peak_tps, rmse, len(n), int(top))


def _sse(n: np.ndarray, y: np.ndarray, sigma: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    """Residual sum of squares for each (sigma, kappa), with lambda at its least-squares value."""
    c = n / (1 + sigma * (n - 1) + kappa * n * (n - 1))
    return (y * y).sum() - (c * y).sum(axis=-1) ** 2 / (c * c).sum(axis=-1)


def _peak_error(
    n: np.ndarray, c: np.ndarray, lam: float, sigma: float, kappa: float, peak: float | None, residuals: np.ndarray
) -> float | None:
    """One standard error of the peak: the Jacobian's covariance of (lambda, sigma, kappa), carried to
    sqrt((1 - sigma) / kappa) by its gradient (the delta method, as nls's summary would give)."""
    freedom = n.size - 3
    if peak is None or freedom <= 0:
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


def connection_grid(highest: float) -> np.ndarray:
    """Whole numbers of active connections from 1 to ``highest``, evenly spaced on a log scale."""
    return distinct(np.rint(np.geomspace(1, max(highest, 2), CURVE_POINTS)).astype(np.int64))


def distinct(ascending: np.ndarray) -> np.ndarray:
    """The values of an ascending array without repeats (np.unique would also sort, and loads numpy.ma)."""
    keep = np.empty(ascending.size, dtype=bool)
    keep[0] = True
    np.greater(ascending[1:], ascending[:-1], out=keep[1:])
    return ascending[keep]
