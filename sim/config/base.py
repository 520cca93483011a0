"""The leaf every scenario section builds on: the strict base model, the shift, the error.

Nothing here imports another part of the simulation, so sections, policies and the service
hall can all build on it without an import cycle.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ScenarioError(Exception):
    """A scenario that cannot be run; the message is one line naming file and field."""


class Strict(BaseModel):
    """A section of a scenario: unknown fields, NaN and inf refused; frozen once loaded."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, frozen=True, validate_default=True)


class Shift(Strict):
    """Daily on-duty window in hours; end > 24 wraps past midnight, [0, 24] is round the clock."""

    start_h: float = Field(default=8, ge=0, lt=24)
    end_h: float = Field(default=17.5, gt=0, le=48)

    @model_validator(mode="after")
    def _length(self) -> Shift:
        if not 0 < self.end_h - self.start_h <= 24:
            raise ValueError("end_h must be after start_h and at most 24 h later")
        return self
