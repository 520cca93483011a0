"""The service hall as a daily SimPy process: requests, channels, visits and window queues.

Every request is a case. Online cases (不见面) never visit: they finish after an online
delay. Proxy cases (代办) are brought in by grid staff in one visit. In-person cases visit
once, except complex cases without one-visit handling (一次办), which come back
``visits_before`` times in all, each revisit so many working days after the last visit
ended. Visits queue FCFS in their pool: all windows when pooling is comprehensive, their
department's windows when it is departmental (see :mod:`sim.service_hall.window`).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.service_hall.arrivals import CHANNELS, IN_PERSON, ONLINE, RequestStream
from sim.service_hall.window import HallWindow, WindowPool
from sim.shifts import DutyCalendar
from sim.vocabulary import MINUTES_PER_DAY as DAY

if TYPE_CHECKING:
    from sim.model import TownModel


@dataclass(slots=True)
class HallCase:
    case_id: int
    case_type: int
    channel: int
    complex: bool
    requested_at: float
    visits_needed: int = 0  # trips the case demands under the hall's rules (0 online)
    done_at: float = math.nan
    visits: int = 0  # trips made so far


class Hall:
    """The hall's windows, its request process and its records (one row per visit and per case)."""

    def __init__(self, model: "TownModel") -> None:
        cfg = model.config.service_hall
        assert cfg is not None
        self.model = model
        self.cfg = cfg
        self.calendar = DutyCalendar.of(cfg.shift, cfg.open_weekdays)
        self.stream = RequestStream(cfg, self.calendar, model.streams["hall"])
        self.pools = self._build_pools()
        self.windows = [w for p in self.pools for w in p.windows]
        names = [p.name for p in self.pools]
        self.pool_of_type = [
            0 if cfg.pooling == "comprehensive" else names.index(c.department) for c in cfg.case_types
        ]
        self.cases: list[HallCase] = []
        # (case id, visit number, arrival, service start, service end, window index)
        self.visits: list[tuple[int, int, float, float, float, int]] = []
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

    def _visits_needed(self, case: HallCase) -> int:
        if case.channel == ONLINE:
            return 0
        if case.channel == IN_PERSON and case.complex and not self.cfg.one_visit:
            return self.cfg.case_types[case.case_type].visits_before
        return 1

    def _visit(self, case: HallCase, arrival: float, minutes: float) -> float:
        """Queue one visit at its pool; returns when its service ends."""
        w, start, end = self.pools[self.pool_of_type[case.case_type]].serve(arrival, minutes)
        case.visits += 1
        self.visits.append((case.case_id, case.visits, arrival, start, end, w))
        return end

    def _requests(self) -> Generator:
        """Each morning, book the day's visits in arrival order; then wait for the next day.

        Booking a visit at its arrival is the FCFS recursion (see window.py), which needs
        only the visits in arrival order, not an event each: first visits come from the
        day's requests, revisits from a heap of those booked earlier, merged by arrival.
        """
        env = self.model.env
        horizon = self.model.horizon
        cal = self.calendar
        pending: list[tuple[float, int, int, list[float], list[float], float]] = []  # revisits
        for d in range(int(np.ceil(self.model.days))):
            day_end = min((d + 1) * DAY, horizon)
            yield env.timeout(max(0.0, d * DAY - env.now))
            b = self.stream.day(d)
            rows = zip(b.requested_at.tolist(), b.case_type.tolist(), b.channel.tolist(), b.complex.tolist(),
                       b.online_days.tolist(), b.service_min.tolist(), b.revisit_days.tolist(),
                       b.back_office_days.tolist())
            for t, kind, channel, cx, online_days, service, delays, back_office in rows:
                if t >= horizon:
                    break
                case = HallCase(len(self.cases), kind, channel, cx, t)
                self.cases.append(case)
                n = case.visits_needed = self._visits_needed(case)
                if n == 0:
                    case.done_at = t + online_days * DAY
                    continue
                arrival = cal.next_on_duty(t)  # monotone in t: first visits stay in order
                while pending and pending[0][0] <= arrival and pending[0][0] < day_end:
                    self._revisit(heapq.heappop(pending), pending)
                if arrival >= day_end:  # asked while closed: comes back when the hall opens
                    if arrival < horizon:
                        heapq.heappush(pending, (arrival, case.case_id, 0, service, delays, back_office))
                    continue
                self._book(case, arrival, 0, service, delays, back_office, pending)
            while pending and pending[0][0] < day_end:
                self._revisit(heapq.heappop(pending), pending)

    def _book(self, case: HallCase, arrival: float, k: int, service: list[float], delays: list[float],
              back_office: float, pending: list) -> None:
        """Visit k of a case; queue its next visit, or note when the case is done."""
        end = self._visit(case, arrival, service[k])
        if k + 1 < case.visits_needed:
            cal = self.calendar
            nxt = float(cal.calendar_time(cal.duty_time(end) + delays[k] * cal.length))
            if nxt < self.model.horizon:
                heapq.heappush(pending, (nxt, case.case_id, k + 1, service, delays, back_office))
        else:
            case.done_at = self._approved(case, end, back_office)

    def _revisit(self, item: tuple, pending: list) -> None:
        arrival, case_id, k, service, delays, back_office = item
        self._book(self.cases[case_id], arrival, k, service, delays, back_office, pending)

    def _approved(self, case: HallCase, end: float, back_office_days: float) -> float:
        """When a case is done: at the window, or after the back office approves a complex one."""
        if not case.complex or back_office_days <= 0:
            return end
        cal = self.calendar
        return float(cal.calendar_time(cal.duty_time(end) + back_office_days * cal.length))

    # ---- records ---------------------------------------------------------------------------
    def visit_frame(self) -> pd.DataFrame:
        """One row per visit (hall.parquet)."""
        cols = ["case_id", "visit", "arrival", "service_start", "service_end", "window"]
        v = pd.DataFrame(self.visits, columns=cols)
        cases = self.case_frame().set_index("case_id")
        v.insert(1, "case_type", cases.case_type.reindex(v.case_id).to_numpy())
        v.insert(2, "department", cases.department.reindex(v.case_id).to_numpy())
        v.insert(3, "channel", cases.channel.reindex(v.case_id).to_numpy())
        v["window"] = pd.Categorical.from_codes(v.window.to_numpy(dtype=np.int64), [w.window_id for w in self.windows])
        return v

    def case_frame(self) -> pd.DataFrame:
        """One row per case: type, channel, when requested and finished, visits needed and made."""
        types = self.cfg.case_types
        c = pd.DataFrame(
            [(x.case_id, x.case_type, x.channel, x.complex, x.requested_at, x.done_at, x.visits_needed, x.visits)
             for x in self.cases],
            columns=["case_id", "type_code", "channel_code", "complex", "requested_at", "done_at", "visits_needed",
                     "visits"],
        )
        codes = c.type_code.to_numpy(dtype=np.int64)
        depts = self.cfg.departments
        dept_of_type = np.array([depts.index(t.department) for t in types], dtype=np.int64)
        c.insert(1, "case_type", pd.Categorical.from_codes(codes, [t.name for t in types]))
        c.insert(2, "department", pd.Categorical.from_codes(dept_of_type[codes], depts))
        c.insert(3, "channel", pd.Categorical.from_codes(c.channel_code.to_numpy(dtype=np.int64), list(CHANNELS)))
        return c.drop(columns=["type_code", "channel_code"])
