"""The ``[evaluation]`` section: weights of the score each grid and squad gets."""

from pydantic import Field

from sim import limits
from sim.config.base import Strict


class Evaluation(Strict):
    """Weights of the score every grid and squad gets (sum normalised)."""

    on_time_weight: float = Field(default=0.5, ge=0, le=limits.MAX_WEIGHT)
    response_weight: float = Field(default=0.3, ge=0, le=limits.MAX_WEIGHT)
    verified_first_time_weight: float = Field(default=0.2, ge=0, le=limits.MAX_WEIGHT)
