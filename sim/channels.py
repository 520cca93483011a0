"""How a problem becomes known: patrol, the 12345 hotline, cameras, Party centre households.

The first to notice wins. Each channel's time is computed from the incident's own uniforms
when it occurs, so the winner and the delay are the same under any policy that does not
change the channel.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.agents.grid_staff import (
    BEAT_ROW,
    PATROLLER_ROW,
    Beat,
    beat_row,
    patroller_rows,
    rota_find_times,
    rota_finders,
)
from sim.incidents import U
from sim.vocabulary import Channel

if TYPE_CHECKING:
    from sim.agents.grid_staff import GridStaffMember
    from sim.agents.protocols import World
    from sim.config import Scenario
    from sim.records import Incident

# The first report of a problem: calendar time (inf if never), channel, and the staff member
# who found it on patrol (None for every other channel).
Notice = tuple[float, Channel, "GridStaffMember | None"]


CHANNELS = {int(c): c for c in Channel}  # a channel by its code, without Channel(code)'s look-up


def party_notice_prob(config: Scenario, category: str) -> float:
    """Chance that at least one of the grid's centre households notices (0 if the effect is off)."""
    party = config.party
    if not party.eyes or category not in party.eyes_categories:
        return 0.0
    return 1.0 - (1.0 - party.notice_prob_per_household) ** party.centre_households_per_grid


def first_notice(model: World, inc: Incident) -> Notice:
    """(calendar time, channel, finding staff member) of the first report; inf if never."""
    cat = model.categories[inc.category]
    cfg = model.config
    u = inc.u
    t_patrol, finder = model.teams[inc.grid].patrol_finds(
        inc.occurred_at, u[U.BEAT], u[U.PATROL], cat.patrol_detect_prob, cat.domain
    )
    best, channel = t_patrol, Channel.PATROL
    if u[U.HOTLINE] < cat.hotline_prob:
        t = inc.occurred_at + cat.hotline_delay_min.draw(u[U.HOTLINE_DELAY])
        if t < best:
            best, channel = t, Channel.HOTLINE
    if cat.camera:
        land_use = model.town.grids[inc.grid].land_use
        if u[U.CAMERA] < cfg.channels.camera_coverage.get(land_use, 0.0):
            t = inc.occurred_at + cfg.channels.camera_delay_min.draw(u[U.CAMERA_DELAY])
            if t < best:
                best, channel = t, Channel.CAMERA
    if u[U.PARTY] < model.party_notice[inc.category]:
        t = inc.occurred_at + cfg.party.report_delay_min.draw(u[U.PARTY_DELAY])
        if t < best:
            best, channel = t, Channel.PARTY
    if math.isinf(best):
        return best, Channel.NONE, None
    return best, channel, finder if channel == Channel.PATROL else None



class DayNotices:
    """First notices of a whole day's incidents at once, in arrays (issue 14 shortcut).

    Who notices a problem first and when depends only on its uniforms and on the town's fixed
    staff, beats and rotas, never on what other cases are doing, so the day's notices are
    computed together when its incidents are drawn and each case reads its own. The
    arithmetic is ``first_notice``'s operation for operation (sums, products, quotients, floor
    division and ceilings give the same bits in NumPy; logarithms and inverse CDFs stay the
    scalar ``math`` ones), so every time is identical; ``tests/test_shortcuts.py`` checks it
    against ``first_notice``. Patrols on a shared rota (the presets') are vectorised; a beat of
    patrollers who keep their own shifts goes through ``GridTeam.patrol_finds`` one by one.
    """

    def __init__(self, model: World) -> None:
        self.model = model
        cfg = model.config
        cats = model.categories
        self.n_cat = len(cats)
        coverage = cfg.channels.camera_coverage
        camera_cover = np.array([coverage.get(g.land_use, 0.0) for g in model.town.grids])
        camera_cat = np.array([c.camera for c in cats])
        hotline_prob = np.array([c.hotline_prob for c in cats])
        party_prob = np.array(model.party_notice, dtype=float)
        # The other channels in first_notice's order: whether it reports, and each category's delay draw.
        self.others: tuple[tuple[Channel, int, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
                                 list[Callable[[float], float]]], ...] = (
            (Channel.HOTLINE, U.HOTLINE_DELAY, lambda u, cat, _: u[:, U.HOTLINE] < hotline_prob[cat],
             [c.hotline_delay_min.draw for c in cats]),
            (Channel.CAMERA, U.CAMERA_DELAY,
             lambda u, cat, grid: camera_cat[cat] & (u[:, U.CAMERA] < camera_cover[grid]),
             [cfg.channels.camera_delay_min.draw] * self.n_cat),
            (Channel.PARTY, U.PARTY_DELAY, lambda u, cat, _: u[:, U.PARTY] < party_prob[cat],
             [cfg.party.report_delay_min.draw] * self.n_cat),
        )
        self.p_detect = np.array([c.patrol_detect_prob for c in cats])
        # log1p(-p) of each category's detection probability, the divisor of its passes (None: found on the first)
        self._log_miss = [math.log1p(-c.patrol_detect_prob) if c.patrol_detect_prob < 1 else None for c in cats]
        # Each (grid, category)'s beat, looked up once: -1 not yet, -2 nobody patrols for it.
        self._beat_of = np.full(len(model.teams) * self.n_cat, -1, dtype=np.int64)
        self._beats: list[Beat] = []  # each once (they live as long as the model, so ids stay theirs)
        self._index_of: dict[int, int] = {}  # a beat's index in _beats, by id
        self._table = np.empty((0, BEAT_ROW))  # beat_row of each beat
        self._width = max((len(t.members) for t in model.teams), default=0)  # patrollers a beat can have
        self._patrollers = np.empty((0, self._width, PATROLLER_ROW))  # patroller_rows of each beat

    def _beat_index(self, grid: np.ndarray, category: np.ndarray) -> np.ndarray:
        """Each incident's beat (index in ``_beats``; -2: nobody patrols for it), building new ones."""
        key = grid * self.n_cat + category
        found = self._beat_of[key]
        if (found == -1).any():
            cats = self.model.categories
            rows, patrollers = [], []
            for k in np.unique(key[found == -1]).tolist():
                g, c = divmod(k, self.n_cat)
                beat = self.model.teams[g].beat(cats[c].domain)
                if beat is None:
                    self._beat_of[k] = -2
                elif (known := self._index_of.get(id(beat))) is not None:  # shared by the grid's domains
                    self._beat_of[k] = known
                else:
                    self._beat_of[k] = self._index_of[id(beat)] = len(self._beats)
                    self._beats.append(beat)
                    rows.append(beat_row(beat))
                    patrollers.append(patroller_rows(beat, self._width))
            self._table = np.concatenate([self._table, np.array(rows).reshape(-1, BEAT_ROW)])
            if patrollers:
                self._patrollers = np.concatenate([self._patrollers, np.array(patrollers)])
            found = self._beat_of[key]
        return found

    def day(self, occurred_at: np.ndarray, category: np.ndarray, grid: np.ndarray,
            u: np.ndarray) -> list[Notice]:
        """``first_notice`` of each of a day's incidents (the batch's arrays, its order).

        The per-incident Python left is scalar arithmetic in comprehensions: the passes (with each
        category's ``log1p(-p)`` computed once: the same divisor), the delays of the incidents a
        channel reports (one pass over them, not NumPy masks per channel and category; a float sum
        is the same in NumPy and Python) and the notices themselves.
        """
        n = len(occurred_at)
        best = np.full(n, math.inf)
        channel = np.full(n, int(Channel.PATROL), dtype=np.int64)
        finder: list[GridStaffMember | None] = [None] * n
        beat_ix = self._beat_index(grid, category)
        p = self.p_detect[category]
        patrolled = np.flatnonzero((beat_ix >= 0) & (p > 0))
        own_shifts = False  # whether some beat's patrollers keep their own shifts
        if len(patrolled):
            log_miss, ceil, log1p = self._log_miss, math.ceil, math.log1p
            passes = np.array([1 if (lm := log_miss[c]) is None else (k if (k := ceil(log1p(-ud) / lm)) > 1 else 1)
                               for ud, c in zip(u[patrolled, U.PATROL].tolist(), category[patrolled].tolist(),
                                                strict=True)], dtype=float)  # as patrol_finds
            rows = self._table[beat_ix[patrolled]]
            rota = ~np.isnan(rows[:, 0])
            best[patrolled[rota]] = rota_find_times(rows[rota], occurred_at[patrolled[rota]],
                                                    u[patrolled[rota], U.BEAT], passes[rota])
            cats = self.model.categories
            for i in patrolled[~rota].tolist():  # patrollers with their own shifts: one by one
                own_shifts = True
                best[i], finder[i] = self.model.teams[grid[i]].patrol_finds(
                    float(occurred_at[i]), float(u[i, U.BEAT]), float(u[i, U.PATROL]), float(p[i]),
                    cats[category[i]].domain)
        for code, delay_col, reports, draws in self.others:
            told = np.flatnonzero(reports(u, category, grid))
            if not len(told):
                continue
            t = np.array([at + draws[c](x) for at, c, x in zip(  # the scalar inverse CDF, as first_notice
                occurred_at[told].tolist(), category[told].tolist(), u[told, delay_col].tolist(), strict=True)])
            sooner = t < best[told]
            best[told[sooner]] = t[sooner]
            channel[told[sooner]] = int(code)
        found = np.flatnonzero((channel == Channel.PATROL) & (beat_ix >= 0) & np.isfinite(best))
        if own_shifts:
            found = found[[finder[i] is None for i in found.tolist()]]  # on a rota: who of those on duty
        if len(found):
            slot = rota_finders(self._patrollers[beat_ix[found]], best[found], u[found, U.BEAT])
            beats = self._beats
            for i, b, j in zip(found.tolist(), beat_ix[found].tolist(), slot.tolist(), strict=True):
                finder[i] = beats[b].patrollers[j]
        inf, patrol, none, channels = math.inf, int(Channel.PATROL), Channel.NONE, CHANNELS
        return [(t, none, None) if t == inf else (t, channels[ch], who if ch == patrol else None)
                for t, ch, who in zip(best.tolist(), channel.tolist(), finder, strict=True)]
