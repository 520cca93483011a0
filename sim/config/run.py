"""The ``[meta]`` and ``[run]`` sections: what the scenario is called and how long it runs."""

from typing import Literal

from pydantic import Field

from sim import limits
from sim.config.base import Strict


class Meta(Strict):
    """The scenario's name (folders, figures), a description, and the language of its reports."""

    name: str
    description: str = ""
    language: Literal["zh", "en"] = "zh"


class Run(Strict):
    """Length, seed, warm-up and clock tick of a run: what changes between runs, not the town."""

    days: float = Field(default=30, gt=0, le=limits.MAX_DAYS)
    seed: int = Field(default=1, ge=0, le=limits.MAX_SEED)
    warmup_days: float = Field(default=0, ge=0, le=limits.MAX_DAYS)
    tick_minutes: float = Field(default=60, ge=limits.MIN_TICK_MINUTES, le=limits.MAX_TICK_MINUTES)
