"""Where and when problems arise: the taxonomy's arrival process over space and hour of day.

Residents and enterprises are not objects: each category is a non-homogeneous Poisson
process whose rate follows the hour-of-day profile and whose places follow households or
enterprises, weighted by land use. A day's incidents are drawn in one vectorised batch,
each with a row of uniforms that later decides its detection, work times and outcomes.
The stream depends only on the town's villages and the taxonomy, so two policies run with
the same seed see the same incidents (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import Scenario
from sim.town import TownMap
from sim.vocabulary import MINUTES_PER_DAY, MINUTES_PER_HOUR, MINUTES_PER_YEAR, Tier


class U:
    """Columns of an incident's uniforms: one per random decision, so policies share them.

    Plain ints, not an ``IntEnum``: a case reads several on its path, and an enum member read off
    its class costs ≈ 200 machine instructions more than a plain class attribute (issue 14).
    """

    BEAT = 0
    PATROL = 1
    HOTLINE = 2
    HOTLINE_DELAY = 3
    CAMERA = 4
    CAMERA_DELAY = 5
    SPOT_FIX = 6
    RESOLVE_GRID = 7
    RESOLVE_VILLAGE = 8
    RESOLVE_TOWN = 9
    WORK_GRID = 10
    WORK_VILLAGE = 11
    WORK_TOWN = 12
    WORK_COUNTY = 13
    TRIAGE = 14
    VERIFY = 15
    VERIFY_FAIL = 16
    DELAY_TOWN = 17
    DELAY_COUNTY = 18
    REWORK = 19
    HANDOFF = 20
    HANDOFF_DELAY = 21
    PARTY = 22
    PARTY_DELAY = 23
    MEDIATION = 24
    CONVENE = 25
    REVERIFY = 26


N_UNIFORMS = U.REVERIFY + 1  # the columns are numbered 0 … REVERIFY
RESOLVE_COL = {Tier.GRID: U.RESOLVE_GRID, Tier.VILLAGE: U.RESOLVE_VILLAGE, Tier.TOWN: U.RESOLVE_TOWN}
WORK_COL = {Tier.GRID: U.WORK_GRID, Tier.VILLAGE: U.WORK_VILLAGE, Tier.TOWN: U.WORK_TOWN, Tier.COUNTY: U.WORK_COUNTY}


@dataclass
class DayBatch:
    """One day's incidents as parallel arrays, sorted by time of occurrence."""

    occurred_at: np.ndarray
    category: np.ndarray
    village: np.ndarray
    x: np.ndarray
    y: np.ndarray
    uniforms: np.ndarray

    def __len__(self) -> int:
        return len(self.occurred_at)


class IncidentStream:
    """Draws incidents day by day from the scenario's rates, with its own random stream."""

    def __init__(self, scenario: Scenario, town: TownMap, rng: np.random.Generator) -> None:
        self.rng = rng
        inc = scenario.incidents
        self.at_centroids = scenario.town.incidents_at_centroids
        shares = np.array([c.share for c in inc.categories], dtype=float)
        self.category_p = shares / shares.sum()
        per_min = (
            town.residents / 10_000 * inc.events_per_10k_residents_per_year / MINUTES_PER_YEAR
        )
        profile = np.asarray(inc.hourly_profile, dtype=float)
        self.hourly_rate = per_min * MINUTES_PER_HOUR * profile / profile.mean()  # incidents per hour
        hh = np.array([v.households for v in town.villages])
        ent = np.array([v.enterprises for v in town.villages])
        uses = [v.land_use for v in town.villages]
        self.village_cdf: list[np.ndarray] = []
        for c in inc.categories:
            base = ent if c.source == "enterprises" else hh
            w = base * np.array([c.land_use_weight.get(u, 1.0) for u in uses])
            if w.sum() <= 0:  # no such place in this town: fall back to households
                w = hh.astype(float)
            self.village_cdf.append(np.cumsum(w) / w.sum())
        self.enterprise_source = np.array([c.source == "enterprises" for c in inc.categories])
        self.places = town.places  # real polygons (sim.geo.places); None for the lattice
        boxes = [v.box for v in town.villages]
        self._x0 = np.array([b.x0 for b in boxes])
        self._y0 = np.array([b.y0 for b in boxes])
        self._w = np.array([b.x1 - b.x0 for b in boxes])
        self._h = np.array([b.y1 - b.y0 for b in boxes])
        # A rectangle's centre as x0 + w/2 (as always); a real village's centroid lies inside it.
        self._centroids = np.column_stack([self._x0 + self._w / 2, self._y0 + self._h / 2])
        if self.places is not None:
            self._centroids = np.array([b.centroid for b in boxes])

    def day(self, day: int) -> DayBatch:
        """Draw the incidents occurring on day ``day`` (0-based)."""
        rng = self.rng
        counts = rng.poisson(self.hourly_rate)
        n = int(counts.sum())
        if n == 0:  # a quiet day (a town of one, as in the hall's textbook case): nothing else is drawn
            empty = np.empty(0)
            return DayBatch(empty, np.empty(0, np.int64), np.empty(0, np.int64), empty, empty,
                            np.empty((0, N_UNIFORMS)))
        hours = np.repeat(np.arange(24), counts)
        t = day * MINUTES_PER_DAY + (hours + rng.random(n)) * MINUTES_PER_HOUR
        order = np.argsort(t, kind="stable")
        t = t[order]
        cat = rng.choice(len(self.category_p), size=n, p=self.category_p)
        village = np.empty(n, dtype=np.int64)
        pick = rng.random(n)
        for c, cdf in enumerate(self.village_cdf):
            m = cat == c
            village[m] = np.minimum(np.searchsorted(cdf, pick[m], side="right"), len(cdf) - 1)
        if self.at_centroids:
            x = self._centroids[village, 0]
            y = self._centroids[village, 1]
            rng.random((n, 2))  # keep the stream aligned with the uniform-placement case
        elif self.places is not None:
            x, y = self.places.draw(village, rng.random((n, 2)), self.enterprise_source[cat])
        else:
            xy = rng.random((n, 2))
            x = self._x0[village] + xy[:, 0] * self._w[village]
            y = self._y0[village] + xy[:, 1] * self._h[village]
        uniforms = rng.random((n, N_UNIFORMS))
        return DayBatch(t, cat, village, x, y, uniforms)
