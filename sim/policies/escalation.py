"""Escalation policies: the tier a case starts at, and how long a tier may keep it.

"小事不出格、大事不出村、难事不出镇": small matters stay in the grid, big ones in the
village, hard ones in the town. Each policy is one class here and owns its scenario
settings (the class is the ``[escalation]`` table, chosen by its ``policy`` name), its
behaviour, why it started a case above its lowest tier (``intake_note``) and a
plain-words description (``explain``). Adding a policy means adding a class to this file
and to ``EscalationConfig``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field

from sim import limits
from sim.config.base import Strict
from sim.vocabulary import MAX_SEVERITY, Tier

if TYPE_CHECKING:
    from sim.config.incidents import Category


@dataclass(frozen=True)
class IntakeNote:
    """Why a case started above its category's lowest tier: its severity reached a threshold."""

    severity: int
    threshold: int
    tier: Tier


class EscalationPolicy(Strict, ABC):
    """What the command centre asks of an escalation policy; ``label`` is its (zh, en) name.

    Abstract: a policy defines every ``@abstractmethod`` below, or it cannot be built.
    """

    policy: str
    label: ClassVar[tuple[str, str]]

    @abstractmethod
    def start_tier(self, cat: Category) -> Tier:
        """Give the tier a new case of ``cat`` starts at."""

    @abstractmethod
    def spot_fix_allowed(self, cat: Category) -> bool:
        """Whether whoever finds a case of ``cat`` may settle it on the spot."""

    @abstractmethod
    def tier_budget(self, cat: Category, tier: Tier) -> float:
        """Minutes a tier may hold the case before handing it up."""

    def intake_note(self, cat: Category) -> IntakeNote | None:
        """Why the case starts above its lowest tier, if the policy sent it there."""
        return None

    @abstractmethod
    def explain(self, lang: str) -> str:
        """Say what the policy does, in plain words (the dashboard shows it)."""

    def name(self, lang: str) -> str:
        """Give the policy's name in ``lang`` (the dashboard's control and reports)."""
        from sim.labels import pick

        return pick(self.label, lang)


class ThresholdEscalation(EscalationPolicy):
    """Severity thresholds at intake; a time budget per tier of ``overdue_fraction`` × limit.

    Couplings (each raises a warning when it bites, see ``sim/checks.py``):
    ``severity_to_village`` also forbids the on-the-spot fix for every category at or above
    it (a grave matter is not settled by whoever finds it), so lowering it switches spot
    fixes off; a threshold only moves a category whose ``lowest_tier`` is below it, so one
    that no category reaches changes nothing; 6 switches a threshold off (severity is 1–5).
    External categories (110/119) start at the county whatever the thresholds.
    """

    policy: Literal["threshold"] = "threshold"
    label = ("按严重度分级", "Severity thresholds")
    # A case of this severity or more starts at least at that tier; one above the scale's top
    # (MAX_SEVERITY + 1, the county's default) means no severity raises a case there.
    severity_to_village: int = Field(default=4, ge=0, le=MAX_SEVERITY + 1)
    severity_to_town: int = Field(default=5, ge=0, le=MAX_SEVERITY + 1)
    severity_to_county: int = Field(default=MAX_SEVERITY + 1, ge=0, le=MAX_SEVERITY + 1)
    # A tier that has used this fraction of the close limit hands the case up.
    overdue_fraction: float = Field(default=1.0, gt=0, le=limits.MAX_OVERDUE_FRACTION)

    def _thresholds(self) -> tuple[tuple[Tier, int], ...]:
        return ((Tier.VILLAGE, self.severity_to_village), (Tier.TOWN, self.severity_to_town),
                (Tier.COUNTY, self.severity_to_county))

    def start_tier(self, cat: Category) -> Tier:
        """Start at the category's lowest tier, raised by every severity threshold it reaches (external: the county)."""
        tier = cat.lowest_tier
        if cat.external:
            return Tier.COUNTY
        for higher, threshold in self._thresholds():
            if cat.severity >= threshold:
                tier = max(tier, higher)
        return tier

    def spot_fix_allowed(self, cat: Category) -> bool:
        """Allow the finder to settle a case on the spot unless the thresholds send it up.

        Grave matters (at or above ``severity_to_village``) and external ones are never settled
        by whoever finds them.
        """
        return not cat.external and cat.severity < self.severity_to_village

    def tier_budget(self, cat: Category, tier: Tier) -> float:
        """``overdue_fraction`` of the close limit; the county has no limit."""
        if tier >= Tier.COUNTY:
            return float("inf")
        return self.overdue_fraction * cat.close_limit_min

    def intake_note(self, cat: Category) -> IntakeNote | None:
        """Note the severity and threshold that lifted a case above its lowest tier (None: it was not lifted)."""
        start = self.start_tier(cat)
        if start <= cat.lowest_tier or cat.external:
            return None
        return IntakeNote(cat.severity, dict(self._thresholds())[start], start)

    def explain(self, lang: str) -> str:
        """Say the thresholds and the time budget in plain words, in ``lang``."""
        from sim.labels import pick

        text = pick(("严重度达到 {village} 的事件直接交村处理、达到 {town} 交镇、达到 {county} 交县（市）；"
                     "较轻的由网格当场处置或处理。每一级最多用办结时限的 {f:g} 倍，未办结或超时就上交上一级。",
                     "A case of severity {village} or more starts at the village, {town} or more at the town, "
                     "{county} or more at the county; lighter ones are settled or handled in the grid. Each tier "
                     "may use {f:g} × the close limit; if it fails or runs out of time the case goes up a tier."), lang)
        return text.format(village=self.severity_to_village, town=self.severity_to_town,
                           county=self.severity_to_county, f=self.overdue_fraction)


def _default_policy(value: object) -> object:
    """Read a table without ``policy`` as the threshold policy; refuse an unknown name by name."""
    if isinstance(value, dict):
        name = value.get("policy", "threshold")
        if name not in ESCALATION_POLICIES:
            raise ValueError(f"unknown policy {name!r} (known: {', '.join(ESCALATION_POLICIES)})")
        return {"policy": name, **value}
    return value


ESCALATION_POLICIES: dict[str, type[EscalationPolicy]] = {"threshold": ThresholdEscalation}
EscalationConfig = Annotated[
    ThresholdEscalation, BeforeValidator(_default_policy), Field(discriminator="policy")
]
