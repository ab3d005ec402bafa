"""The throughput model: ramp to the knee, USL envelope past the peak, fitted to measurements."""

import numpy as np
import pytest

from pgplanner.model import Measurement, Scenario, plan
from pgplanner.model.throughput import Shape, default_shape, fit_shape

from .helpers import plan_for

# Robert Haas, PostgreSQL 9.1 pgbench -S on 24 cores (reference/scalability.md section 2.3).
HAAS_91 = [(1, 4373), (4, 15583), (8, 27354), (12, 37502), (16, 45365), (20, 46927), (24, 42854), (28, 39836),
           (32, 38863), (40, 37881), (48, 37379), (56, 37306), (64, 37220), (72, 36793), (80, 36735)]  # fmt: skip


def test_peak_is_one_and_sits_a_quarter_past_the_knee():
    shape = default_shape(knee=40)
    n = np.arange(1, 2000)
    values = shape.relative(n)
    assert values.max() == pytest.approx(1.0, abs=1e-4)
    assert n[values.argmax()] == 50


def test_envelope_is_a_textbook_usl():
    shape = default_shape(knee=40)
    sigma, kappa = shape.usl
    n = np.array([50.0, 100, 200, 500, 1000])
    usl = n / (1 + sigma * (n - 1) + kappa * n * (n - 1))
    assert np.allclose(usl / usl[0], shape.relative(n) / shape.relative(n[:1]), rtol=1e-9)
    assert 0 < sigma < 1 and kappa > 0


def test_fit_recovers_a_known_shape():
    truth = Shape(knee=24, peak=30, u=12)
    n = np.array([1, 4, 8, 16, 24, 32, 48, 64, 96, 128, 256])
    fit = fit_shape(list(zip(n, 5000 * truth.relative(n), strict=True)))
    assert fit is not None
    assert fit.shape.peak == pytest.approx(30, rel=0.05)
    assert fit.scale == pytest.approx(5000, rel=0.03)
    assert fit.rmse < 0.02


def test_fit_to_haas_pgbench_peaks_near_20():
    """The data peak at 20 clients (46,927 tps) and plateau near 37k; least squares trades the sharp
    peak against the plateau, as the USL fits in reference/scalability.md do."""
    fit = fit_shape(HAAS_91)
    assert fit is not None
    assert 14 <= fit.shape.peak <= 26
    assert fit.scale == pytest.approx(46927, rel=0.10)
    assert fit.rmse < 0.06


@pytest.mark.parametrize("points", [[], [(10, 100)], [(10, 100), (10, 120), (20, 150)], [(1, 0), (2, 0), (4, 0)]])
def test_too_little_to_fit(points):
    assert fit_shape(points) is None


def test_measurements_replace_the_default_shape():
    scenario = Scenario(measurements=tuple(Measurement(connections=c, tps=t) for c, t in HAAS_91))
    result = plan(scenario.with_changes(cores=24, disk_concurrency=0))
    assert result.throughput.measured_peak_tps == pytest.approx(46927, rel=0.10)
    assert "least-squares" in result.derivations["throughput.peak"].formula
    assert "MEASURED_PEAK_DIFFERS" in {w.code for w in result.warnings}  # 24 cores x 2 = 48, measured ~17
    assert plan_for(cores=24).throughput.measured_peak_tps is None


def test_pooled_curve_is_capped_at_the_pool():
    result = plan_for(cores=16, pool_size=20, reserve_pool=0)
    t = result.throughput
    at_pool = t.pooled[t.connections == 20][0]
    assert np.all(t.pooled[t.connections >= 20] == at_pool)
    assert t.direct[-1] < at_pool
