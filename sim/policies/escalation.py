"""Escalation policies: the tier a case starts at, and how long a tier may keep it.

"小事不出格、大事不出村、难事不出镇": small matters stay in the grid, big ones in the
village, hard ones in the town. The threshold policy starts a case at the lowest tier able
to resolve it, or higher when its severity reaches a threshold, and hands it up when a
tier fails or has used its share of the close limit.
"""

from __future__ import annotations

from typing import Callable, Protocol

from sim.scenario import TIERS, Category, Escalation


class EscalationPolicy(Protocol):
    """What the command centre asks of an escalation policy."""

    def start_tier(self, cat: Category) -> int: ...

    def spot_fix_allowed(self, cat: Category) -> bool: ...

    def tier_budget(self, cat: Category, tier: int) -> float: ...


class ThresholdEscalation:
    """Severity thresholds at intake; a time budget per tier of ``overdue_fraction`` × limit."""

    def __init__(self, cfg: Escalation) -> None:
        self.cfg = cfg

    def start_tier(self, cat: Category) -> int:
        tier = TIERS.index(cat.lowest_tier)
        if cat.external:
            return TIERS.index("county")
        for name, threshold in (
            ("village", self.cfg.severity_to_village),
            ("town", self.cfg.severity_to_town),
            ("county", self.cfg.severity_to_county),
        ):
            if cat.severity >= threshold:
                tier = max(tier, TIERS.index(name))
        return tier

    def spot_fix_allowed(self, cat: Category) -> bool:
        """Grid staff who find a problem may settle it on the spot unless it is grave enough
        that the thresholds send it up."""
        return not cat.external and cat.severity < self.cfg.severity_to_village

    def tier_budget(self, cat: Category, tier: int) -> float:
        """Minutes a tier may hold the case before handing it up; the county has no limit."""
        if tier >= TIERS.index("county"):
            return float("inf")
        return self.cfg.overdue_fraction * cat.close_limit_min


ESCALATION_POLICIES: dict[str, Callable[[Escalation], EscalationPolicy]] = {"threshold": ThresholdEscalation}
