"""The bounded least-squares fit of Gunther's Universal Scalability Law, exactly, with numpy alone.

X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)), with 0 <= sigma <= 1 and 0 <= kappa <= KAPPA_MAX
(R's ``nls(algorithm = "port", lower = 0)``, reference/scalability.md section 2.2).

Variable projection: for fixed (sigma, kappa) the model is linear in lambda, whose best value is
sum(c y) / sum(c c) with c = N / (1 + sigma (N - 1) + kappa N (N - 1)), so the residual sum of squares
is a function of two parameters on a box. Its minimum on the box lies either inside (a stationary
point, found by Levenberg-Marquardt from the best cells of a coarse grid) or on one of the four
edges (a one-dimensional problem each, scanned and then narrowed around each local minimum; the corners
are the edges' ends). The best of all these candidates is the bounded optimum. A grid search alone
misses it where the valley is long and flat: plateau data, with kappa near 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

SIGMA_MAX = 1.0  # sigma is the serial fraction: 1 means a second client adds nothing
KAPPA_MAX = 1.0  # kappa 1 already halves throughput from one client to two
GRID_STEPS = 40  # coarse grid per parameter, log-spaced, zero included: where the searches start
STARTS = 3  # searches from the lowest local minima of a grid (Levenberg-Marquardt) or of an edge's scan
EDGE_STEPS = 400  # the scan of each edge of the box before narrowing
NARROW_STEPS = 21  # points across a bracket per round: the two cells around the best keep a tenth of it
NARROW_ROUNDS = 14  # a bracket a few percent wide narrows below 1e-15 of the value
LM_ROUNDS = 100
MAX_DAMPING = 1e10  # a step this damped is no step: stop
TOLERANCE = 1e-13  # relative change of the residual, or of every parameter, that ends the search
SMALLEST = (1e-9, 1e-12)  # the smallest nonzero sigma and kappa the grids try
EDGE_MARGIN = 1e-3  # a start taken from an edge is moved this far inside


class Solution(NamedTuple):
    """The least-squares optimum. A named tuple: cheaper than a frozen dataclass to create at import."""

    sigma: float
    kappa: float
    lam: float
    sse: float  # residual sum of squares


def solve(n: np.ndarray, y: np.ndarray) -> Solution:
    """The bounded least-squares (sigma, kappa, lambda) for client counts ``n`` and throughputs ``y``."""
    edges = [_edge(n, y, fixed, value) for fixed in (0, 1) for value in (0.0, (SIGMA_MAX, KAPPA_MAX)[fixed])]
    candidates = edges + _interior(n, y, edges)
    sigma, kappa = min(candidates, key=lambda c: _sse(n, y, np.array(c[0]), np.array(c[1])).item())
    c = _shape(n, np.array(sigma), np.array(kappa))
    lam = float((c * y).sum() / (c * c).sum())
    return Solution(sigma, kappa, lam, float(((lam * c - y) ** 2).sum()))


def _shape(n: np.ndarray, sigma: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    """c = N / (1 + sigma (N - 1) + kappa N (N - 1)), broadcast over any shape of sigma and kappa."""
    return n / (1 + sigma[..., None] * (n - 1) + kappa[..., None] * n * (n - 1))


def _sse(n: np.ndarray, y: np.ndarray, sigma: np.ndarray, kappa: np.ndarray) -> np.ndarray:
    """Residual sum of squares at each (sigma, kappa), with lambda at its least-squares value."""
    c = _shape(n, sigma, kappa)
    return np.maximum((y * y).sum() - (c * y).sum(axis=-1) ** 2 / (c * c).sum(axis=-1), 0.0)


def _axis(which: int, steps: int) -> np.ndarray:
    """Zero, log-spaced values from the smallest to the top, and (for sigma, a fraction between 0 and 1)
    evenly spaced ones too: a log grid alone steps from 0.35 to 0.59 with 40 points."""
    top = (SIGMA_MAX, KAPPA_MAX)[which]
    values: list[np.ndarray] = [np.zeros(1), np.geomspace(SMALLEST[which], top, steps)]
    if which == 0:
        values.append(np.linspace(0, top, steps + 1))
    return np.unique(np.concatenate(values))


def _edge(n: np.ndarray, y: np.ndarray, fixed: int, value: float) -> tuple[float, float]:
    """The best point of one edge of the box: parameter ``fixed`` (0 sigma, 1 kappa) held at ``value``."""
    free = _axis(1 - fixed, EDGE_STEPS)

    def sse(values: np.ndarray) -> np.ndarray:
        held = np.full_like(values, value)
        return _sse(n, y, held, values) if fixed == 0 else _sse(n, y, values, held)

    scanned = sse(free)
    best_value, best_sse = float(free[scanned.argmin()]), float(scanned.min())
    # The lowest few local minima of the scan are narrowed, not only the lowest: two valleys can be close.
    inner = np.flatnonzero((scanned[1:-1] < scanned[:-2]) & (scanned[1:-1] <= scanned[2:])) + 1
    for i in inner[np.argsort(scanned[inner])][:STARTS]:
        low, high = float(free[i - 1]), float(free[i + 1])
        found = _narrow(sse, low, high)
        found_sse = float(sse(np.array([found]))[0])
        if found_sse < best_sse:
            best_value, best_sse = found, found_sse
    return (value, best_value) if fixed == 0 else (best_value, value)


def _narrow(sse: Callable[[np.ndarray], np.ndarray], low: float, high: float) -> float:
    """The minimum of a one-dimensional function inside [low, high]: each round evaluates an even grid
    across the bracket at once and keeps the two cells around its best point (a tenth of the width)."""
    for _ in range(NARROW_ROUNDS):
        grid = np.linspace(low, high, NARROW_STEPS)
        best = int(np.argmin(sse(grid)))
        low, high = float(grid[max(best - 1, 0)]), float(grid[min(best + 1, NARROW_STEPS - 1)])
    return (low + high) / 2


def _interior(n: np.ndarray, y: np.ndarray, edges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Stationary points inside the box, by Levenberg-Marquardt from several starts: the grid's lowest
    local minima, its lowest cells off the edges (a narrow valley across the grid has no local minimum
    on it), and each edge's optimum moved inside (a valley that runs into an edge)."""
    sigmas, kappas = _axis(0, GRID_STEPS), _axis(1, GRID_STEPS)
    grid = _sse(n, y, sigmas[:, None], kappas[None, :])
    padded = np.pad(grid, 1, constant_values=np.inf)
    lowest = np.ones_like(grid, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                lowest &= grid <= padded[1 + di : 1 + di + grid.shape[0], 1 + dj : 1 + dj + grid.shape[1]]
    inside = np.zeros_like(grid, dtype=bool)
    inside[1:-1, 1:-1] = True
    starts = []
    for chosen in (lowest, inside):
        cells = np.argwhere(chosen)
        starts += [(sigmas[i], kappas[j]) for i, j in cells[np.argsort(grid[chosen])[:STARTS]]]
    typical_kappa = 1 / float(n.max()) ** 2  # a kappa that puts the peak at the largest count measured
    starts += [(sigma, kappa or typical_kappa) for sigma, kappa in edges]
    found = []
    for sigma, kappa in starts:
        start = (min(max(sigma, EDGE_MARGIN), SIGMA_MAX - EDGE_MARGIN), min(max(kappa, SMALLEST[1]), KAPPA_MAX / 2))
        point = _levenberg_marquardt(n, y, *start)
        if point is not None:
            found.append(point)
    return found


def _levenberg_marquardt(n: np.ndarray, y: np.ndarray, sigma: float, kappa: float) -> tuple[float, float] | None:
    """A stationary point of the least squares from this start, inside the box.

    The search runs in (lambda, log sigma, log kappa): a coefficient orders of magnitude below its
    start (kappa 1e-7 where the grid had 1e-4) is a few steps away, and the lower bounds, at minus
    infinity there, cannot be crossed; a search that runs towards one ends near the edge, which is
    searched on its own anyway. Steps past the upper bounds are refused.
    """
    c = _shape(n, np.array(sigma), np.array(kappa))
    x = np.array([(c * y).sum() / (c * c).sum(), np.log(sigma), np.log(kappa)])
    residual = x[0] * c - y
    sse = float(residual @ residual)
    damping = 1e-3
    for _ in range(LM_ROUNDS):
        lam, s, k = x[0], np.exp(x[1]), np.exp(x[2])
        c = _shape(n, np.array(s), np.array(k))
        jacobian = np.column_stack((c, -lam * c * c * (n - 1) / n * s, -lam * c * c * (n - 1) * k))
        normal = jacobian.T @ jacobian
        gradient = jacobian.T @ residual
        scale = np.diag(np.diag(normal) + 1e-300)  # Marquardt's scaling: each parameter in its own units
        while damping < MAX_DAMPING:
            try:
                step = np.linalg.solve(normal + damping * scale, -gradient)
            except np.linalg.LinAlgError:
                return None
            trial = x + step
            if trial[1] < np.log(SIGMA_MAX) and trial[2] < np.log(KAPPA_MAX):
                trial_residual = trial[0] * _shape(n, np.exp(trial[1:2]), np.exp(trial[2:3]))[0] - y
                trial_sse = float(trial_residual @ trial_residual)
                if trial_sse <= sse:
                    break
            damping *= 10
        else:
            break  # no step lowers the residual: a stationary point to machine precision
        gain = sse - trial_sse
        x, residual, sse = trial, trial_residual, trial_sse
        damping = max(damping / 10, 1e-12)
        if gain <= TOLERANCE * sse or np.all(np.abs(step) <= TOLERANCE * np.maximum(np.abs(x), 1)):
            break
    return float(np.exp(x[1])), float(np.exp(x[2]))
