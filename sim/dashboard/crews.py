"""Where a squad crew is on its trip, for the map: along the roads, or the straight line.

The model moves a crew only when it arrives (a SimPy timeout covers the whole trip), so
the map places it by time: after the dispatch overhead at its start, a crew covers its
trip's path at the pace the travel model timed it (access legs at the off-road speed, each
road edge at its class's speed). A trip's path is looked up once, when the crew sets off,
and kept until it ends, so a frame only interpolates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.agents.squad import Crew
    from sim.town import TownMap

Leg = tuple[tuple[float, float], tuple[float, float], float, float]  # from, to, departed at, overhead


@dataclass(frozen=True)
class Trip:
    """One leg's path (km) and the minutes since departure at each vertex (overhead included).

    The road part runs from vertex ``road_from`` to vertex ``road_to``.
    """

    leg: Leg
    xy: np.ndarray
    t: np.ndarray
    road_from: int
    road_to: int

    def at(self, now: float) -> tuple[float, float, int, bool]:
        """Position at ``now``, the index of the next vertex, and whether it is on a road."""
        dt = now - self.leg[2]
        if dt <= self.t[0]:
            return float(self.xy[0, 0]), float(self.xy[0, 1]), 1, False
        if dt >= self.t[-1]:
            return float(self.xy[-1, 0]), float(self.xy[-1, 1]), len(self.t), False
        k = int(np.searchsorted(self.t, dt, side="right"))  # t[k-1] <= dt < t[k]
        span = self.t[k] - self.t[k - 1]
        f = (dt - self.t[k - 1]) / span if span > 0 else 1.0
        x, y = self.xy[k - 1] + f * (self.xy[k] - self.xy[k - 1])
        return float(x), float(y), k, self.road_from < k <= self.road_to


def plan_trip(town: TownMap, mode: str, leg: Leg) -> Trip:
    """Plan the path of ``leg`` as the town's travel model times it."""
    a, b, _, overhead = leg
    trip = getattr(town.travel, "trip", None)
    if trip is not None:  # a road network: access, shortest path, access
        xy, t, start, end = trip(a, b, mode)
        return Trip(leg, np.vstack([xy[:1], xy]), np.concatenate([[0.0], t + overhead]), start + 1, end + 1)
    minutes = town.travel.minutes(a, b, mode)
    xy = np.array([a, a, b], dtype=float)
    return Trip(leg, xy, np.array([0.0, overhead, overhead + minutes]), 0, 0)


def crew_leg(crew: Crew, overhead: float) -> Leg | None:
    """Give the trip a crew is on; None at base or on scene.

    To its job (``crew.leg``, dispatch overhead first) or back to base (``crew.homing``).
    """
    if crew.leg is not None and crew.job is not None:
        start, _, origin = crew.leg
        return (origin, (crew.job.x, crew.job.y), start, overhead)
    if crew.homing is not None:
        start, origin = crew.homing
        return (origin, crew.squad.base, start, 0.0)
    return None


class CrewTrips:
    """The trips under way, by crew, each planned once."""

    def __init__(self, town: TownMap, mode: str, overhead: float) -> None:
        self.town = town
        self.mode = mode
        self.overhead = overhead
        self._trips: dict[str, Trip] = {}

    def trip(self, crew: Crew) -> Trip | None:
        """Give the crew's trip under way (planned when it set off), or None."""
        leg = crew_leg(crew, self.overhead)
        if leg is None:
            self._trips.pop(crew.crew_id, None)
            return None
        t = self._trips.get(crew.crew_id)
        if t is None or t.leg != leg:
            t = self._trips[crew.crew_id] = plan_trip(self.town, self.mode, leg)
        return t
