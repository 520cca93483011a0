"""Dispatch rules: which idle crew the command centre sends to a case.

A rule gets the idle, on-duty crews and the case and returns one crew. Travel times come
from the town's travel model through ``minutes_to``, so a road graph changes every rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

if TYPE_CHECKING:
    from sim.agents.squad import Crew
    from sim.records import Incident


class MinutesTo(Protocol):
    def __call__(self, crew: "Crew", inc: "Incident") -> float: ...


DispatchRule = Callable[[list["Crew"], "Incident", MinutesTo], "Crew"]


def nearest_idle(idle: list["Crew"], inc: "Incident", minutes_to: MinutesTo) -> "Crew":
    """The idle crew with the shortest travel time (ties: first listed)."""
    return min(idle, key=lambda c: minutes_to(c, inc))


def home_zone_first(idle: list["Crew"], inc: "Incident", minutes_to: MinutesTo) -> "Crew":
    """The nearest idle crew of the squad whose zone holds the case; else cross-zone backup."""
    home = [c for c in idle if inc.village in c.squad.zone]
    return nearest_idle(home or idle, inc, minutes_to)


DISPATCH_RULES: dict[str, DispatchRule] = {
    "nearest_idle": nearest_idle,
    "home_zone_first": home_zone_first,
}
