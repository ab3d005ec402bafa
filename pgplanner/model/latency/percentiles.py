"""Response-time percentiles: the time t with P(R > t) = 1 - level, R = W + S under FCFS.

- W: an arrival that finds k >= c in the chain waits for k - c + 1 departures at the saturated rate
  mu(c), an Erlang(k - c + 1, mu(c)); over the chain's geometric tail that is exactly exponential,
  P(W > t) = P(wait) exp(-(mu(c) - lambda) t);
- S: exact only while every busy backend works at the same speed (the linear region: S is exponential
  with mean s, and R is M/M/c's). Past it a transaction's speed changes with the busy count during its
  service. The approximation used: a transaction that waited starts with every backend busy and is
  served exponentially at the saturated per-backend rate mu(c) / c; the others exponentially with the
  mean that makes the overall mean service the chain's exact (L - Lq) / lambda.

The percentiles count queueing and exponential service only: stalls of a shared machine
(descheduling, I/O hiccups) made the measured p99 3-15 x the mean, against about 4.6 x here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

PERCENTILE_TOLERANCE = 1e-6  # a percentile is solved when Newton's step is below this share (its error then far less)
PERCENTILES = (0.95, 0.99)
_NEWTON_ROUNDS = 60
_TINY = 1e-300


def response_percentiles(
    p_wait: np.ndarray, others_mean: np.ndarray, wait_rate: np.ndarray, waiter_rate: np.ndarray, levels: Sequence[float]
) -> np.ndarray:
    """The ``levels`` percentiles of R (one row per level), solving P(R > t) = 1 - level for each pool.

    P(R > t) = (1 - P(wait)) exp(-t / others_mean) + P(wait) H(t), H the survival of the sum of two
    exponentials at rates wait_rate and waiter_rate (the wait, then the service), written in logs so
    that nothing underflows. Newton's steps on log P(R > t) stay inside a bracket, halving it whenever a
    step would leave it.
    """
    target = np.log1p(-np.asarray(levels, dtype=float))[:, None]  # one row per level, broadcast over pools
    a, b = np.minimum(wait_rate, waiter_rate), np.maximum(wait_rate, waiter_rate)
    with np.errstate(divide="ignore"):
        log_pw, log_served = np.log(p_wait), np.log1p(-p_wait)
    # There each part of the survival is below the target (a union bound for the two exponentials).
    hi = (math.log(2) - target) * (others_mean + np.where(p_wait > 0, 1 / a + 1 / b, 0.0))
    lo = np.zeros_like(hi)
    t = np.minimum(-target * (others_mean + p_wait * (1 / a + 1 / b)), hi)  # the mean-matched exponential
    constants = (log_pw, log_served, 1 / others_mean, a, b - a, a * b)
    for _ in range(_NEWTON_ROUNDS):
        log_s, slope = _log_survival(t, *constants)
        gap = log_s - target
        above = gap > 0
        lo, hi = np.where(above, t, lo), np.where(above, hi, t)
        step = t - gap / slope
        new = np.where((step >= lo) & (step <= hi), step, (lo + hi) / 2)  # NaN steps fail the test too
        done = np.abs(new - t) <= PERCENTILE_TOLERANCE * new
        t = new
        if done.all():
            break
    return t


def _log_survival(
    t: np.ndarray,
    log_pw: np.ndarray,
    log_served: np.ndarray,
    rate: np.ndarray,
    a: np.ndarray,
    d: np.ndarray,
    ab: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """log P(R > t) and its derivative in t (``rate``: 1 / the others' mean service; a <= b the two
    exponential rates, d = b - a, ab = a b).

    The sum of two exponentials survives t with probability H = exp(-a t) (1 + a t phi(d t)),
    phi(x) = (1 - exp(-x)) / x (1 at 0): no cancellation when a is near b, and d >= 0 keeps expm1 from
    overflowing. d log H / dt = -a b t phi / (1 + a t phi).
    """
    x = d * t
    phi = (_TINY - np.expm1(-x)) / (x + _TINY)  # 1 at x = 0, and x is never negative
    at = a * t
    grow = 1 + at * phi
    first = log_served - t * rate
    log_s = np.logaddexp(first, log_pw - at + np.log(grow))
    share = np.exp(first - log_s)  # of the survival, the part of those that did not wait
    slope = (share - 1) * (ab * t * phi / grow) - share * rate
    return log_s, slope
