"""The command centre, the departments before the reform, the escalation ladder and its tiers.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.config.base import Shift, Strict
from sim.distributions import Distribution


class CommandCentre(Strict):
    dispatch_rule: str = "nearest_idle"
    # Complaint-type categories under the 15-minute response rule; empty: every category
    # whose respond_limit_min is at most 15.
    fifteen_minute_rule: list[str] = Field(default_factory=list)
    triage_min: Distribution = Field(default_factory=lambda: {"dist": "fixed", "value": 2})
    verify_min: Distribution = Field(default_factory=lambda: {"dist": "exponential", "mean": 30})
    verify_fail_prob: float = Field(default=0.03, ge=0, le=1)
    # False models the town before the reform: no shared centre, each department dispatches
    # its own cases (see [departments]), no response clock, no overdue alarms, no verification.
    enabled: bool = True


class Departments(Strict):
    """How departments worked without a shared command centre (before the reform)."""

    dispatch_min: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 90, "cv": 1.0}
    )
    handoff_prob: float = Field(default=0.2, ge=0, le=1)  # first heard by the wrong department
    handoff_min: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 1440, "cv": 1.0}
    )


class Escalation(Strict):
    """Thresholds that move a case up: by severity at intake, by failure, by time overdue.

    Couplings (each raises a warning when it bites, see ``sim/checks.py``):
    ``severity_to_village`` also forbids the on-the-spot fix for every category at or above
    it (a grave matter is not settled by whoever finds it), so lowering it switches spot
    fixes off; a threshold only moves a category whose ``lowest_tier`` is below it, so one
    that no category reaches changes nothing; 6 switches a threshold off (severity is 1–5).
    External categories (110/119) start at the county whatever the thresholds.
    """

    policy: str = "threshold"
    # A case of this severity or more starts at least at that tier.
    severity_to_village: int = Field(default=4, ge=0, le=6)
    severity_to_town: int = Field(default=5, ge=0, le=6)
    severity_to_county: int = Field(default=6, ge=0, le=6)
    # A tier that has used this fraction of the close limit hands the case up.
    overdue_fraction: float = Field(default=1.0, gt=0)


class Tiers(Strict):
    village_cadres: int = Field(default=3, ge=1)
    village_shift: Shift = Shift()
    village_travel_mode: Literal["walk", "ebike", "car"] = "ebike"
    department_delay_min: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 240, "cv": 0.8}
    )
    county_delay_min: Distribution = Field(
        default_factory=lambda: {"dist": "lognormal", "mean": 2880, "cv": 0.8}
    )
