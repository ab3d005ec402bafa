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
Measured (pgbench) points replace the default knee, peak and shape by a least-squares fit.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Fit:
    shape: Shape
    scale: float  # measured throughput at the peak (e.g. tps)
    rmse: float  # root-mean-square residual, relative to ``scale``


def fit_shape(points: Sequence[tuple[float, float]]) -> Fit | None:
    """Least-squares (peak, u, scale) for measured (active connections, throughput) points.

    A grid over peak and u with the scale solved in closed form: robust, dependency-free and fast
    enough for a slider (about a millisecond for a dozen points). None when fewer than three distinct
    connection counts were measured.
    """
    if len({p[0] for p in points}) < MIN_FIT_POINTS:
        return None
    n = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    if not np.all(n > 0) or not np.all(y >= 0) or not y.any():
        return None
    peaks = np.geomspace(n.min() / 2, n.max() * 2, 80)[:, None, None]
    us = np.geomspace(0.25, 100, 60)[None, :, None]
    x = n[None, None, :] / peaks
    model = np.minimum(n[None, None, :] * PEAK_PAST_KNEE / peaks, x * (2 + us) / (1 + us * x + x * x))
    scale = (model * y).sum(axis=2) / (model * model).sum(axis=2)
    sse = ((scale[..., None] * model - y) ** 2).sum(axis=2)
    i, j = np.unravel_index(np.argmin(sse), sse.shape)
    peak, u, s = float(peaks[i, 0, 0]), float(us[0, j, 0]), float(scale[i, j])
    rmse = float(np.sqrt(sse[i, j] / len(n))) / s
    return Fit(Shape(knee=peak / PEAK_PAST_KNEE, peak=peak, u=u), s, rmse)


def connection_grid(highest: float) -> np.ndarray:
    """Whole numbers of active connections from 1 to ``highest``, evenly spaced on a log scale."""
    return distinct(np.rint(np.geomspace(1, max(highest, 2), CURVE_POINTS)).astype(np.int64))


def distinct(ascending: np.ndarray) -> np.ndarray:
    """The values of an ascending array without repeats (np.unique would also sort, and loads numpy.ma)."""
    keep = np.empty(ascending.size, dtype=bool)
    keep[0] = True
    np.greater(ascending[1:], ascending[:-1], out=keep[1:])
    return ascending[keep]
