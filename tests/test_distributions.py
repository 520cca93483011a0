"""Time distributions: sample moments match the stated parameters, closed forms are exact,
and the scalar and vector samplers agree (common random numbers depend on it)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.distributions import (
    Distribution,
    Exponential,
    Fixed,
    Gamma,
    LogNormal,
    Uniform,
    is_exponential,
)

PARSE = TypeAdapter(Distribution)
N = 200_000


def _uniforms(seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).random(N)


def _mean_within_ci(x: np.ndarray, mean: float, z: float = 4.0) -> None:
    se = x.std(ddof=1) / math.sqrt(len(x))
    assert abs(x.mean() - mean) < z * se, (x.mean(), mean, se)


def _variance_within_ci(x: np.ndarray, var: float, z: float = 4.0) -> None:
    """Sample variance against the stated one; its standard error from the fourth moment."""
    d2 = (x - x.mean()) ** 2
    se = d2.std(ddof=1) / math.sqrt(len(x))
    assert abs(d2.mean() - var) < z * se, (d2.mean(), var, se)


@pytest.mark.parametrize(("mean", "cv"), [(20.0, 0.5), (240.0, 0.8), (3.0, 1.5)])
def test_lognormal_moments_match_mean_and_cv(mean, cv):
    d = LogNormal(dist="lognormal", mean=mean, cv=cv)
    x = d.ppf(_uniforms())
    _mean_within_ci(x, mean)
    _variance_within_ci(x, (cv * mean) ** 2)
    # log X is normal with these exact parameters, so its moments are tight
    sigma2 = math.log1p(cv**2)
    _mean_within_ci(np.log(x), math.log(mean) - sigma2 / 2)
    _variance_within_ci(np.log(x), sigma2)


def test_lognormal_median_is_exact():
    d = LogNormal(dist="lognormal", mean=90.0, cv=1.0)
    assert float(d.ppf(np.array([0.5]))[0]) == pytest.approx(90.0 / math.sqrt(2.0), rel=1e-12)
    assert d.draw(0.5) == pytest.approx(90.0 / math.sqrt(2.0), rel=1e-12)


@pytest.mark.parametrize(("mean", "cv"), [(30.0, 0.5), (60.0, 1.0), (5.0, 2.0)])
def test_gamma_moments_match_mean_and_cv(mean, cv):
    x = Gamma(dist="gamma", mean=mean, cv=cv).ppf(_uniforms(11))
    _mean_within_ci(x, mean)
    _variance_within_ci(x, (cv * mean) ** 2)


def test_gamma_with_cv_one_is_the_exponential():
    u = np.linspace(0.001, 0.999, 999)
    g = Gamma(dist="gamma", mean=42.0, cv=1.0).ppf(u)
    e = Exponential(dist="exponential", mean=42.0).ppf(u)
    np.testing.assert_allclose(g, e, rtol=1e-10)


def test_exponential_closed_forms():
    d = Exponential(dist="exponential", mean=30.0)
    assert d.draw(1 - math.exp(-1)) == pytest.approx(30.0, rel=1e-12)  # the mean's quantile
    assert d.draw(0.5) == pytest.approx(30.0 * math.log(2), rel=1e-12)  # the median
    x = d.ppf(_uniforms(3))
    _mean_within_ci(x, 30.0)
    _variance_within_ci(x, 900.0)
    assert is_exponential(d) and not is_exponential(Fixed(dist="fixed", value=30.0))


def test_fixed_and_uniform_closed_forms():
    f = Fixed(dist="fixed", value=12.5)
    assert f.mean == 12.5 and f.draw(0.9) == 12.5
    np.testing.assert_array_equal(f.ppf(np.array([0.0, 0.3, 0.99])), [12.5, 12.5, 12.5])
    u = Uniform(dist="uniform", low=10.0, high=30.0)
    assert u.mean == 20.0
    assert u.draw(0.25) == 15.0
    np.testing.assert_array_equal(u.ppf(np.array([0.0, 0.5, 1.0])), [10.0, 20.0, 30.0])


@pytest.mark.parametrize("table", [
    {"dist": "fixed", "value": 7.0},
    {"dist": "exponential", "mean": 30.0},
    {"dist": "uniform", "low": 5.0, "high": 25.0},
    {"dist": "lognormal", "mean": 20.0, "cv": 0.5},
    {"dist": "gamma", "mean": 60.0, "cv": 0.7},
])
def test_scalar_draw_equals_vector_ppf(table):
    """The engine draws one value at a time, analyses use the vector: they must agree."""
    d = PARSE.validate_python(table)
    u = np.random.default_rng(5).random(200)
    np.testing.assert_allclose([d.draw(float(v)) for v in u], d.ppf(u), rtol=1e-9)
    assert np.all(np.diff(d.ppf(np.sort(u))) >= 0)  # an inverse CDF is monotone


@pytest.mark.parametrize(("table", "words"), [
    ({"dist": "uniform", "low": 30.0, "high": 10.0}, "high must be >= low"),
    ({"dist": "lognormal", "mean": 20.0, "cv": 0.0}, "greater than 0"),
    ({"dist": "gamma", "mean": -1.0, "cv": 0.5}, "greater than 0"),
    ({"dist": "weibull", "mean": 1.0}, "weibull"),
    ({"dist": "fixed", "value": "5"}, ".value: must be a number"),  # text is not converted
])
def test_bad_distribution_is_refused(table, words):
    with pytest.raises(ValidationError) as err:
        PARSE.validate_python(table)
    assert words in str(err.value)
