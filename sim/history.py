"""A case's story as codes: who did what, when, at which tier and why — no text.

The engine appends :class:`StoryEntry` records; words in Chinese or English are made from
them only at the edge (``sim.labels.render_story``), so nothing downstream parses text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.vocabulary import ActorRole, Reason, Stage, Tier


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted in a case, as codes the labels turn into a name.

    A role, its id in the records, the unit it belongs to (grid, village, squad) and its number
    there. ``domain`` names the department of an inspector or of a department acting itself.
    Bodies without a person (the command centre, a county department) have no id or unit;
    the records name them by their role's key.
    """

    role: ActorRole
    id: str = ""
    unit: str = ""
    number: int = 0
    domain: str = ""

    @property
    def record_id(self) -> str:
        """The ``handler`` in incidents.parquet: the person's or crew's id, else the body's role."""
        return self.id or self.role.value


@dataclass(frozen=True, slots=True)
class StoryEntry:
    """One stage of a case, as codes, so no reader has to parse text.

    ``tier`` is where it happened (for ESCALATED: the tier handing up), ``limit_min`` the time
    limit involved, ``values`` numbers and names such as the category index (``category``),
    cases waiting (``waiting``) or a department (``domain``).
    """

    time: float
    stage: Stage
    reason: Reason = Reason.NONE
    actor: Actor | None = None
    tier: Tier | None = None
    limit_min: float | None = None
    values: dict[str, int | float | str] = field(default_factory=dict)
