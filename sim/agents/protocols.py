"""What the agents need of the model, as small protocols instead of the whole TownModel.

The command centre and the channels see a :class:`World`; crews move in its
:class:`Space`. ``TownModel`` satisfies both, and a test or another driver may pass anything that
does, without importing the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import simpy

    from sim.agents.grid_staff import GridTeam
    from sim.agents.staff import BookableStaff
    from sim.config import Scenario
    from sim.config.incidents import Category
    from sim.records import Incident
    from sim.town import TownMap


class CaseLog(Protocol):
    """Where finished cases go (``sim.records.IncidentLog``), as the agents see it."""

    def add(self, inc: Incident) -> None:
        """Record a finished (or, at the end, still open) case."""


class World(Protocol):
    """The town a case plays out in: its clock, settings, map, staff and record."""

    env: simpy.Environment
    config: Scenario
    town: TownMap
    teams: Sequence[GridTeam]
    cadres: Sequence[Sequence[BookableStaff]]
    log: CaseLog
    space: Space
    keep_stories: bool  # each case's story is kept for a viewer (the dashboard)

    @property
    def categories(self) -> Sequence[Category]:
        """The taxonomy, indexed by the category codes cases carry."""

    @property
    def party_notice(self) -> Sequence[float]:
        """Per category, the chance a Party centre household notices a problem first."""


class Space(Protocol):
    """Where crews are drawn: moving one only changes its position."""

    def move_agent(self, agent: object, pos: tuple[float, float]) -> None:
        """Put a crew at ``pos`` (km), so maps and the next dispatch see where it is."""
