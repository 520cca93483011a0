"""Service- and delay-time distributions named in scenario files.

A scenario states a distribution as a small table, e.g. ``{dist = "lognormal", mean = 20,
cv = 0.5}``. Sampling goes through the inverse CDF of a uniform so that an incident's
pre-drawn uniforms give the same durations under every policy (common random numbers).
"""

from __future__ import annotations

import math
from functools import cached_property
from statistics import NormalDist
from typing import Annotated, Literal

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from sim import limits
from sim.config.base import NoCoercion

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, validate_default=True)
_NORMAL = NormalDist()
_TINY = 1e-300


class Fixed(NoCoercion):
    """Always the same value (minutes); also used for 'negligible' (value 0)."""

    model_config = _STRICT
    dist: Literal["fixed"]
    value: float = Field(ge=0, le=limits.MAX_MINUTES)

    @property
    def mean(self) -> float:
        return self.value

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full_like(np.asarray(u, dtype=float), self.value)

    def draw(self, u: float) -> float:
        return self.value


class Exponential(NoCoercion):
    """Memoryless times: what queueing theory assumes (Erlang C, hypercube)."""

    model_config = _STRICT
    dist: Literal["exponential"]
    mean: float = Field(gt=0, le=limits.MAX_MINUTES)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return -self.mean * np.log1p(-np.asarray(u, dtype=float))

    def draw(self, u: float) -> float:
        return -self.mean * math.log1p(-u)


class Uniform(NoCoercion):
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
        return (self.low + self.high) / 2

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * np.asarray(u, dtype=float)

    def draw(self, u: float) -> float:
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
        from scipy import (
            special,  # the inverse CDFs alone, and only when drawn: scipy slows start-up
        )

        mu, sigma = self._params
        return np.exp(mu + sigma * special.ndtri(np.asarray(u, dtype=float)))  # = scipy.stats.norm.ppf

    def draw(self, u: float) -> float:
        mu, sigma = self._params
        return math.exp(mu + sigma * _NORMAL.inv_cdf(max(u, _TINY)))


class Gamma(NoCoercion):
    model_config = _STRICT
    dist: Literal["gamma"]
    mean: float = Field(gt=0, le=limits.MAX_MINUTES)
    cv: float = Field(gt=0, le=limits.MAX_CV)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special

        shape = 1 / self.cv**2
        return special.gammaincinv(shape, np.asarray(u, dtype=float)) * (self.mean / shape)  # = stats.gamma.ppf

    def draw(self, u: float) -> float:
        return float(self.ppf(np.asarray(u)))


Distribution = Annotated[
    Fixed | Exponential | Uniform | LogNormal | Gamma, Field(discriminator="dist")
]


def is_exponential(d: Distribution) -> bool:
    return isinstance(d, Exponential)
