"""Escalation policies: the tier a case starts at, and how long a tier may keep it.

"小事不出格、大事不出村、难事不出镇": small matters stay in the grid, big ones in the
village, hard ones in the town. The threshold policy starts a case at the lowest tier able
to resolve it, or higher when its severity reaches a threshold, and hands it up when a
tier fails or has used its share of the close limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

from sim.config.command import Escalation
from sim.vocabulary import Tier

if TYPE_CHECKING:
    from sim.config.incidents import Category


class EscalationPolicy(Protocol):
    """What the command centre asks of an escalation policy."""

    def start_tier(self, cat: Category) -> Tier: ...

    def spot_fix_allowed(self, cat: Category) -> bool: ...

    def tier_budget(self, cat: Category, tier: Tier) -> float: ...


class ThresholdEscalation:
    """Severity thresholds at intake; a time budget per tier of ``overdue_fraction`` × limit."""

    def __init__(self, cfg: Escalation) -> None:
        self.cfg = cfg

    def start_tier(self, cat: Category) -> Tier:
        tier = cat.lowest_tier
        if cat.external:
            return Tier.COUNTY
        for higher, threshold in (
            (Tier.VILLAGE, self.cfg.severity_to_village),
            (Tier.TOWN, self.cfg.severity_to_town),
            (Tier.COUNTY, self.cfg.severity_to_county),
        ):
            if cat.severity >= threshold:
                tier = max(tier, higher)
        return tier

    def spot_fix_allowed(self, cat: Category) -> bool:
        """Grid staff who find a problem may settle it on the spot unless it is grave enough
        that the thresholds send it up."""
        return not cat.external and cat.severity < self.cfg.severity_to_village

    def tier_budget(self, cat: Category, tier: Tier) -> float:
        """Minutes a tier may hold the case before handing it up; the county has no limit."""
        if tier >= Tier.COUNTY:
            return float("inf")
        return self.cfg.overdue_fraction * cat.close_limit_min


ESCALATION_POLICIES: dict[str, Callable[[Escalation], EscalationPolicy]] = {"threshold": ThresholdEscalation}
