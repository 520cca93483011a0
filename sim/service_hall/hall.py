"""The service hall as a daily SimPy process: requests, channels, visits and window queues.

Every request is a case. Online cases (不见面) never visit: they finish after an online
delay. Proxy cases (代办) are brought in by grid staff in one visit. In-person cases visit
once, except complex cases without one-visit handling (一次办), which come back
``visits_before`` times in all, each revisit so many working days after the last visit
ended. Visits queue FCFS in their pool: all windows when pooling is comprehensive, their
department's windows when it is departmental (see :mod:`sim.service_hall.window`).

SimPy keeps the clock: one event a day. Within the day the hall is arithmetic on the
day's arrays (see ``_requests``); cases and visits are kept as columns
(:mod:`sim.service_hall.records`), not objects.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Generator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.service_hall import records
from sim.service_hall.arrivals import IN_PERSON, ONLINE, RequestBatch, RequestStream
from sim.service_hall.window import HallWindow, WindowPool
from sim.shifts import DutyCalendar
from sim.vocabulary import MINUTES_PER_DAY as DAY

if TYPE_CHECKING:
    from pathlib import Path

    from sim.model import TownModel

# A visit still to come: (arrival, case id, visit index k from 0, window minutes of every
# visit, working days before each revisit, back-office days after the last visit).
Pending = tuple[float, int, int, list[float], list[float], float]


class Hall:
    """The hall's windows, its daily request process and its records (columns of cases and visits)."""

    def __init__(self, model: TownModel) -> None:
        cfg = model.config.service_hall
        assert cfg is not None
        self.model = model
        self.cfg = cfg
        self.calendar = DutyCalendar.of(cfg.shift, cfg.open_weekdays)
        self.stream = RequestStream(cfg, self.calendar, model.streams["hall"])
        self.pools = self._build_pools()
        self.windows = [w for p in self.pools for w in p.windows]
        self._first_window = np.array([p.windows[0].index for p in self.pools], dtype=np.int64)
        names = [p.name for p in self.pools]
        self.pool_of_type = np.array(
            [0 if cfg.pooling == "comprehensive" else names.index(c.department) for c in cfg.case_types],
            dtype=np.int64)
        # Trips a complex in-person case needs without 一次办 (one with it).
        self._complex_trips = np.array(
            [1 if cfg.one_visit else c.visits_before for c in cfg.case_types], dtype=np.int64)
        self.cases = records.case_columns()
        self.visits = records.visit_columns()
        model.env.process(self._requests())

    def _build_pools(self) -> list[WindowPool]:
        cfg = self.cfg
        if cfg.pooling == "comprehensive":
            return [WindowPool("comprehensive", [
                HallWindow(self.model, f"hall/W{k + 1:02d}", "comprehensive", k) for k in range(cfg.windows)
            ])]
        pools, index = [], 0
        for dept, n in cfg.department_windows.items():
            pools.append(WindowPool(dept, [HallWindow(self.model, f"hall/{dept}-{k + 1}", dept, index + k)
                                           for k in range(n)]))
            index += n
        return pools

    def _requests(self) -> Generator:
        """Each morning, book the day's visits in arrival order; then wait for the next day.

        Booking a visit at its arrival is the FCFS recursion (see window.py), which needs
        only the visits in arrival order, not an event each: first visits come from the
        day's requests, revisits from a heap of those booked earlier, merged by arrival.
        """
        env = self.model.env
        horizon = self.model.horizon
        pending: list[Pending] = []  # visits booked for a later day: revisits, and requests made while closed
        for d in range(int(np.ceil(self.model.days))):
            day_end = min((d + 1) * DAY, horizon)
            yield env.timeout(max(0.0, d * DAY - env.now))
            self._day(d, day_end, pending)

    def _day(self, d: int, day_end: float, pending: list[Pending]) -> None:
        """Turn the day's requests into cases (as arrays) and book their visits."""
        horizon = self.model.horizon
        cal = self.calendar
        b = self.stream.day(d)
        n = int(np.searchsorted(b.requested_at, horizon, side="left"))  # sorted: those before the horizon
        t, kind, channel, cx = b.requested_at[:n], b.case_type[:n], b.channel[:n], b.complex[:n]
        needed = np.where(channel == ONLINE, 0,
                          np.where((channel == IN_PERSON) & cx, self._complex_trips[kind], 1))
        done = np.full(n, math.nan)
        online = np.flatnonzero(needed == 0)
        if len(online):
            done[online] = t[online] + b.online_days(online) * DAY
        first = self.cases.extend(requested_at=t, done_at=done, case_type=kind, channel=channel, complex=cx,
                                  visits_needed=needed, visits=np.zeros(n, dtype=np.int8))
        go = np.flatnonzero(needed > 0)
        if cal.always:  # open round the clock: a visit is made the moment it is asked for
            arrival = t[go]
        else:  # scalar arithmetic, exactly as the plain booking does it
            arrival = np.array([cal.next_on_duty(x) for x in t[go].tolist()], dtype=np.float64)
        quiet = (not pending or pending[0][0] >= day_end) and not (needed[go] > 1).any()
        if quiet:
            self._book_first_visits(first, go, arrival, b, day_end, pending)
        else:
            self._book_merged(first, go, arrival, b, day_end, pending)

    def _book_first_visits(self, first: int, go: np.ndarray, arrival: np.ndarray, b: RequestBatch,
                           day_end: float, pending: list[Pending]) -> None:
        """Book a day with no revisits due and single-visit cases only: the FCFS recursion over arrays.

        Shortcut, equal to ``_book_merged`` on such a day (tests/test_hall_arrays.py): with
        nothing to merge, the visits are the requests in order, so the only per-visit Python
        is the heap of windows (free at, index); everything else is array arithmetic. First
        visits arriving after closing form a suffix (arrival is monotone in request time).
        """
        cut = int(np.searchsorted(arrival, day_end, side="left"))
        rows = go[:cut]
        service = b.service(rows)
        # Per visit only the heap: the root (free at, window) it replaces is noted; start and end
        # follow as arrays, start = max(arrival, free at), end = start + minutes (the same
        # float operations as booking one by one).
        free_at, at = array("d"), array("q")
        note_free, note_at = free_at.append, at.append
        replace = heapq.heapreplace
        if len(self.pools) == 1:
            free = self.pools[0].free
            for a, minutes in zip(arrival[:cut].tolist(), service.tolist(), strict=False):
                f, k = free[0]
                replace(free, ((a if a > f else f) + minutes, k))
                note_free(f)
                note_at(k)
            window = np.frombuffer(at, dtype=np.int64) + int(self._first_window[0])
        else:
            pools = self.pool_of_type[b.case_type[rows]]
            frees = [p.free for p in self.pools]
            for a, minutes, p in zip(arrival[:cut].tolist(), service.tolist(), pools.tolist(), strict=False):
                free = frees[p]
                f, k = free[0]
                replace(free, ((a if a > f else f) + minutes, k))
                note_free(f)
                note_at(k)
            window = np.frombuffer(at, dtype=np.int64) + self._first_window[pools]
        start = np.maximum(arrival[:cut], np.frombuffer(free_at, dtype=np.float64))
        end = start + service
        ids = first + rows
        self.visits.extend(case_id=ids, visit=np.ones(cut, dtype=np.int8), arrival=arrival[:cut],
                           service_start=start, service_end=end, window=window)
        self.cases["visits"][ids] = 1
        done = self.cases["done_at"]
        done[ids] = end
        cx = np.flatnonzero(b.complex[rows])
        if len(cx):
            back_office = b.back_office_days(rows[cx])
            for j, days in zip(cx[back_office > 0].tolist(), back_office[back_office > 0].tolist(), strict=True):
                done[ids[j]] = self._approved(True, float(end[j]), days)
        late = go[cut:]  # asked while closed: come when it opens
        if len(late):
            horizon = self.model.horizon
            service_all, delays, back_office = b.services(late).tolist(), b.revisit_days(late).tolist(), \
                b.back_office_days(late).tolist()
            for j, (r, a) in enumerate(zip(late.tolist(), arrival[cut:].tolist(), strict=True)):
                if a < horizon:
                    heapq.heappush(pending, (a, first + r, 0, service_all[j], delays[j], back_office[j]))

    def _book_merged(self, first: int, go: np.ndarray, arrival: np.ndarray, b: RequestBatch, day_end: float,
                     pending: list[Pending]) -> None:
        """Book the plain way: the day's first visits merged with revisits due, one at a time."""
        booked: list[tuple[int, int, float, float, float, int]] = []
        service, delays, back_office = b.services(go).tolist(), b.revisit_days(go).tolist(), b.back_office_days(go)
        for j, (r, a) in enumerate(zip(go.tolist(), arrival.tolist(), strict=False)):
            while pending and pending[0][0] <= a and pending[0][0] < day_end:
                self._book(heapq.heappop(pending), pending, booked)
            item = (a, first + r, 0, service[j], delays[j], float(back_office[j]))
            if a >= day_end:  # asked while closed: comes back when the hall opens
                if a < self.model.horizon:
                    heapq.heappush(pending, item)
                continue
            self._book(item, pending, booked)
        while pending and pending[0][0] < day_end:
            self._book(heapq.heappop(pending), pending, booked)
        if booked:
            ids, visit, arr, start, end, window = (np.array(c) for c in zip(*booked, strict=False))
            self.visits.extend(case_id=ids, visit=visit, arrival=arr, service_start=start, service_end=end,
                               window=window)

    def _book(self, item: Pending, pending: list[Pending], booked: list) -> None:
        """Visit k of a case; queue its next visit, or note when the case is done."""
        arrival, case_id, k, service, delays, back_office = item
        cases = self.cases
        kind = int(cases["case_type"][case_id])
        w, start, end = self.pools[self.pool_of_type[kind]].serve(arrival, service[k])
        cases["visits"][case_id] = k + 1
        booked.append((case_id, k + 1, arrival, start, end, w))
        if k + 1 < cases["visits_needed"][case_id]:
            cal = self.calendar
            nxt = float(cal.calendar_time(cal.duty_time(end) + delays[k] * cal.length))
            if nxt < self.model.horizon:
                heapq.heappush(pending, (nxt, case_id, k + 1, service, delays, back_office))
        else:
            cases["done_at"][case_id] = self._approved(bool(cases["complex"][case_id]), end, back_office)

    def _approved(self, complex_case: bool, end: float, back_office_days: float) -> float:
        """When a case is done: at the window, or after the back office approves a complex one."""
        if not complex_case or back_office_days <= 0:
            return end
        cal = self.calendar
        return float(cal.calendar_time(cal.duty_time(end) + back_office_days * cal.length))

    # ---- records ---------------------------------------------------------------------------
    def _types(self) -> tuple[list[str], np.ndarray, list[str]]:
        types, depts = self.cfg.case_types, self.cfg.departments
        return [t.name for t in types], np.array([depts.index(t.department) for t in types], dtype=np.int64), depts

    def window_load(self) -> tuple[np.ndarray, np.ndarray]:
        """Busy minutes within the horizon and visits served, per window (hall-wide order)."""
        return records.window_tallies(self.visits, len(self.windows), self.model.horizon)

    def visit_frame(self) -> pd.DataFrame:
        """One row per visit (hall.parquet)."""
        return records.visit_frame(self.visits, self.cases, *self._types(), [w.window_id for w in self.windows])

    def write_visits(self, path: Path) -> None:
        """Write hall.parquet (one row per visit, as ``visit_frame``) from the columns, a row group at a time."""
        records.write_visits(path, self.visits, self.cases, *self._types(), [w.window_id for w in self.windows])

    def release(self) -> None:
        """Let go of the case and visit columns once the measures and hall.parquet are made (empty after)."""
        self.cases = records.case_columns()
        self.visits = records.visit_columns()

    def case_frame(self) -> pd.DataFrame:
        """One row per case: type, channel, when requested and finished, visits needed and made."""
        return records.case_frame(self.cases, *self._types())
