"""Service- and delay-time distributions named in scenario files.

A scenario states a distribution as a small table, e.g. ``{dist = "lognormal", mean = 20,
cv = 0.5}``. Sampling goes through the inverse CDF of a uniform so that an incident's
pre-drawn uniforms give the same durations under every policy (common random numbers).
"""

from __future__ import annotations

import math
from functools import cached_property
from statistics import NormalDist
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from sim import limits
from sim.config.base import NoCoercion
from sim.deferred import scipy_special

if TYPE_CHECKING:  # numpy loads when a run draws (ppf), not when a scenario is read or refused
    import numpy as np

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, validate_default=True, defer_build=True)
_NORMAL = NormalDist()
_TINY = 1e-300


class Fixed(NoCoercion):
    """Always the same value (minutes); also used for 'negligible' (value 0)."""

    model_config = _STRICT
    dist: Literal["fixed"]
    value: float = Field(ge=0, le=limits.MAX_MINUTES)

    @property
    def mean(self) -> float:
        """The value itself: a fixed time is its own mean (what Erlang and hypercube inputs read)."""
        return self.value

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Return the value for every uniform, so a fixed time still consumes the case's uniform column."""
        import numpy as np

        return np.full_like(np.asarray(u, dtype=float), self.value)

    def draw(self, u: float) -> float:
        """Return the value whatever ``u`` is (one case, in the engine's scalar path)."""
        return self.value


class Exponential(NoCoercion):
    """Memoryless times: what queueing theory assumes (Erlang C, hypercube)."""

    model_config = _STRICT
    dist: Literal["exponential"]
    mean: float = Field(gt=0, le=limits.MAX_MINUTES)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Invert the CDF for many uniforms at once (analyses and batch checks)."""
        import numpy as np

        return -self.mean * np.log1p(-np.asarray(u, dtype=float))

    def draw(self, u: float) -> float:
        """Invert the CDF for one uniform: the engine's path, equal to ``ppf`` for the same ``u``."""
        return -self.mean * math.log1p(-u)


class Uniform(NoCoercion):
    """Times known only within bounds, equally likely anywhere between ``low`` and ``high``."""

    model_config = _STRICT
    dist: Literal["uniform"]
    low: float = Field(ge=0, le=limits.MAX_MINUTES)
    high: float = Field(ge=0, le=limits.MAX_MINUTES)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("high must be >= low")
        return self

    @property
    def mean(self) -> float:
        """Midpoint of the bounds, for the analytic inputs that need a mean time."""
        return (self.low + self.high) / 2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Invert the CDF for many uniforms at once (analyses and batch checks)."""
        import numpy as np

        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)

    def draw(self, u: float) -> float:
        """Invert the CDF for one uniform, as ``ppf`` does for many."""
        return self.low + (self.high - self.low) * u


class LogNormal(NoCoercion):
    """Right-skewed work times, stated by mean and coefficient of variation."""

    model_config = _STRICT
    dist: Literal["lognormal"]
    mean: float = Field(gt=0, le=limits.MAX_MINUTES)
    cv: float = Field(gt=0, le=limits.MAX_CV)

    @cached_property
    def _params(self) -> tuple[float, float]:
        sigma2 = math.log1p(self.cv**2)
        return math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Invert the CDF for many uniforms at once through the normal quantile."""
        import numpy as np

        special = scipy_special()  # the inverse CDFs alone, and only when drawn: scipy slows start-up
        mu, sigma = self._params
        return np.exp(mu + sigma * special.ndtri(np.asarray(u, dtype=float)))  # = scipy.stats.norm.ppf

    def draw(self, u: float) -> float:
        """Invert the CDF for one uniform without scipy (the engine draws one value per case).

        ``u`` = 0 is nudged off zero so the normal quantile stays finite.
        """
        mu, sigma = self._params
        return math.exp(mu + sigma * _NORMAL.inv_cdf(max(u, _TINY)))


class Gamma(NoCoercion):
    """Work times between exponential (cv = 1) and fixed (cv → 0), stated by mean and cv."""

    model_config = _STRICT
    dist: Literal["gamma"]
    mean: float = Field(gt=0, le=limits.MAX_MINUTES)
    cv: float = Field(gt=0, le=limits.MAX_CV)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Invert the CDF through the regularised incomplete gamma function (shape 1/cv², scale mean·cv²)."""
        import numpy as np

        special = scipy_special()
        shape = 1 / self.cv**2
        return special.gammaincinv(shape, np.asarray(u, dtype=float)) * (self.mean / shape)  # = stats.gamma.ppf

    def draw(self, u: float) -> float:
        """Invert the CDF for one uniform; no closed form, so through ``ppf``."""
        import numpy as np

        return float(self.ppf(np.asarray(u)))


Distribution = Annotated[
    Fixed | Exponential | Uniform | LogNormal | Gamma, Field(discriminator="dist")
]


def is_exponential(d: Distribution) -> bool:
    """Tell whether ``d`` is memoryless, the assumption queueing theory (and ``analytic``) needs."""
    return isinstance(d, Exponential)
