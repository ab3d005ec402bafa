"""The bounded least-squares fit of Gunther's Universal Scalability Law, exactly, with numpy alone.

X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)), with 0 <= sigma <= 1 and 0 <= kappa <= KAPPA_MAX
(R's ``nls(algorithm = "port", lower = 0)``, reference/scalability.md section 2.2).

Variable projection: for fixed (sigma, kappa) the model is linear in lambda, whose best value is
sum(c y) / sum(c c) with c = N / (1 + sigma (N - 1) + kappa N (N - 1)), so the residual sum of squares
is a function of two parameters on a box. Its minimum on the box lies either inside (a stationary
point, found by Levenberg-Marquardt from the best cells of a coarse grid) or on one of the four
edges (a one-dimensional problem each, scanned and then narrowed by golden sections; the corners
are the edges' ends). The best of all these candidates is the bounded optimum. A grid search alone
misses it where the valley is long and flat: plateau data, with kappa near 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SIGMA_MAX = 1.0  # sigma is the serial fraction: 1 means a second client adds nothing
KAPPA_MAX = 1.0  # kappa 1 already halves throughput from one client to two
GRID_STEPS = 40  # coarse grid per parameter, log-spaced, zero included: where the searches start
STARTS = 4  # Levenberg-Marquardt runs from the best grid cells that are local minima
EDGE_STEPS = 400  # the scan of each edge of the box before the golden sections
GOLDEN_ROUNDS = 80  # each round keeps 0.618 of the bracket: 80 rounds narrow it by 1e-17
LM_ROUNDS = 200
SMALLEST = (1e-9, 1e-12)  # the smallest nonzero sigma and kappa the grids try


@dataclass(frozen=True)
class Solution:
    sigma: float
    kappa: float
    lam: float
    sse: float  # residual sum of squares


def solve(n: np.ndarray, y: np.ndarray) -> Solution:
    """The bounded least-squares (sigma, kappa, lambda) for client counts ``n`` and throughputs ``y``."""
    candidates = [_edge(n, y, fixed, value) for fixed in (0, 1) for value in (0.0, (SIGMA_MAX, KAPPA_MAX)[fixed])]
    candidates += _interior(n, y)
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
    top = (SIGMA_MAX, KAPPA_MAX)[which]
    return np.concatenate(([0.0], np.geomspace(SMALLEST[which], top, steps)))


def _edge(n: np.ndarray, y: np.ndarray, fixed: int, value: float) -> tuple[float, float]:
    """The best point of one edge of the box: parameter ``fixed`` (0 sigma, 1 kappa) held at ``value``."""
    free = _axis(1 - fixed, EDGE_STEPS)

    def sse(values: np.ndarray) -> np.ndarray:
        held = np.full_like(values, value)
        return _sse(n, y, held, values) if fixed == 0 else _sse(n, y, values, held)

    scanned = sse(free)
    best_value, best_sse = float(free[scanned.argmin()]), float(scanned.min())
    # Every local minimum of the scan is narrowed, not only the lowest: two valleys can be close.
    inner = np.flatnonzero((scanned[1:-1] <= scanned[:-2]) & (scanned[1:-1] <= scanned[2:])) + 1
    for i in inner:
        low, high = float(free[i - 1]), float(free[i + 1])
        found = _golden(sse, low, high)
        found_sse = float(sse(np.array([found]))[0])
        if found_sse < best_sse:
            best_value, best_sse = found, found_sse
    return (value, best_value) if fixed == 0 else (best_value, value)


def _golden(sse: Callable[[np.ndarray], np.ndarray], low: float, high: float) -> float:
    """The minimum of a one-dimensional function inside [low, high] by golden sections."""
    ratio = (np.sqrt(5) - 1) / 2

    def at(x: float) -> float:
        return float(sse(np.array([x]))[0])

    a, b = low, high
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = at(c), at(d)
    for _ in range(GOLDEN_ROUNDS):
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = at(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = at(d)
    return (a + b) / 2


def _interior(n: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
    """Stationary points strictly inside the box, by Levenberg-Marquardt from the grid's best local minima."""
    sigmas, kappas = _axis(0, GRID_STEPS), _axis(1, GRID_STEPS)
    grid = _sse(n, y, sigmas[:, None], kappas[None, :])
    padded = np.pad(grid, 1, constant_values=np.inf)
    lowest = np.ones_like(grid, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                lowest &= grid <= padded[1 + di : 1 + di + grid.shape[0], 1 + dj : 1 + dj + grid.shape[1]]
    cells = np.argwhere(lowest)
    order = np.argsort(grid[lowest])[:STARTS]
    found = []
    for i, j in cells[order]:
        start_sigma, start_kappa = max(sigmas[i], SMALLEST[0]), max(kappas[j], SMALLEST[1])
        point = _levenberg_marquardt(n, y, start_sigma, start_kappa)
        if point is not None:
            found.append(point)
    return found


def _levenberg_marquardt(n: np.ndarray, y: np.ndarray, sigma: float, kappa: float) -> tuple[float, float] | None:
    """An unconstrained stationary point of the least squares in (lambda, sigma, kappa) from this start,
    when the search stays inside the box (one that leaves it belongs to an edge, searched there)."""
    c = _shape(n, np.array(sigma), np.array(kappa))
    x = np.array([(c * y).sum() / (c * c).sum(), sigma, kappa])
    residual = x[0] * c - y
    sse = float(residual @ residual)
    damping = 1e-3
    for _ in range(LM_ROUNDS):
        lam, s, k = x
        c = _shape(n, np.array(s), np.array(k))
        jacobian = np.column_stack((c, -lam * c * c * (n - 1) / n, -lam * c * c * (n - 1)))
        normal = jacobian.T @ jacobian
        gradient = jacobian.T @ residual
        scale = np.diag(np.diag(normal)) + 1e-300
        try:
            step = np.linalg.solve(normal + damping * scale, -gradient)
        except np.linalg.LinAlgError:
            return None
        trial = x + step
        if not (0 < trial[1] < SIGMA_MAX and 0 < trial[2] < KAPPA_MAX):
            damping *= 4
            if damping > 1e12:
                return None  # every step leaves the box: the minimum is on an edge
            continue
        trial_c = _shape(n, np.array(trial[1]), np.array(trial[2]))
        trial_residual = trial[0] * trial_c - y
        trial_sse = float(trial_residual @ trial_residual)
        if trial_sse <= sse:
            converged = sse - trial_sse <= 1e-15 * sse and np.all(np.abs(step) <= 1e-10 * (np.abs(x) + 1e-12))
            x, residual, sse = trial, trial_residual, trial_sse
            damping = max(damping / 3, 1e-12)
            if converged:
                break
        else:
            damping *= 2
            if damping > 1e12:
                break  # no step improves: a stationary point to machine precision
    return float(x[1]), float(x[2])
