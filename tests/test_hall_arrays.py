"""The hall's day as arrays gives exactly the visits and cases of the plain per-visit booking.

``plain_hall`` below is the booking as it was written before the array shortcut: one
object per case, every visit booked one at a time at its pool, first visits merged with
revisits from a heap. It draws the same requests from a fresh model's hall stream, so the
two must agree to the last bit on every case and visit, whatever the opening hours,
pooling, one-visit rule or requests made while the hall is closed.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest
from conftest import ROOT, make_scenario
from test_service_hall import SILOED

from sim.config import load_scenario
from sim.model import TownModel
from sim.service_hall.arrivals import IN_PERSON, ONLINE
from sim.vocabulary import MINUTES_PER_DAY as DAY

MMC = ROOT / "scenarios" / "textbook" / "mmc_hall.toml"


def plain_hall(model: TownModel) -> tuple[list[list], list[tuple]]:
    """Cases [requested, done, visits needed, visits made] and visits (case, k, arrival, start, end, window)."""
    hall = model.hall
    assert hall is not None
    cfg, cal, horizon = hall.cfg, hall.calendar, model.horizon
    free = [[(0.0, w.index) for w in p.windows] for p in hall.pools]  # (free at, hall-wide index)
    cases: list[list] = []
    visits: list[tuple] = []
    pending: list[tuple] = []

    def book(arrival, cid, k, service, delays, back_office, cx, kind):
        heap = free[hall.pool_of_type[kind]]
        f, w = heap[0]
        start = max(arrival, f)
        end = start + service[k]
        heapq.heapreplace(heap, (end, w))
        cases[cid][3] += 1
        visits.append((cid, k + 1, arrival, start, end, w))
        if k + 1 < cases[cid][2]:
            nxt = float(cal.calendar_time(cal.duty_time(end) + delays[k] * cal.length))
            if nxt < horizon:
                heapq.heappush(pending, (nxt, cid, k + 1, service, delays, back_office, cx, kind))
        elif not cx or back_office <= 0:
            cases[cid][1] = end
        else:
            cases[cid][1] = float(cal.calendar_time(cal.duty_time(end) + back_office * cal.length))

    for d in range(int(np.ceil(model.days))):
        day_end = min((d + 1) * DAY, horizon)
        b = hall.stream.day(d)
        for i, t in enumerate(b.requested_at.tolist()):
            if t >= horizon:
                break
            kind, channel, cx = int(b.case_type[i]), int(b.channel[i]), bool(b.complex[i])
            n = 0 if channel == ONLINE else (
                cfg.case_types[kind].visits_before if channel == IN_PERSON and cx and not cfg.one_visit else 1)
            cases.append([t, t + b.online_days[i] * DAY if n == 0 else math.nan, n, 0])
            if n == 0:
                continue
            item = (cal.next_on_duty(t), len(cases) - 1, 0, b.service_min[i].tolist(), b.revisit_days[i].tolist(),
                    float(b.back_office_days[i]), cx, kind)
            while pending and pending[0][0] <= item[0] and pending[0][0] < day_end:
                book(*heapq.heappop(pending))
            if item[0] >= day_end:
                if item[0] < horizon:
                    heapq.heappush(pending, item)
                continue
            book(*item)
        while pending and pending[0][0] < day_end:
            book(*heapq.heappop(pending))
    return cases, visits


CASES = {
    "textbook M/M/4, open round the clock": (lambda: load_scenario(MMC), 20),
    "default hall, one visit": (lambda: make_scenario(), 15),
    "several visits, back office": (lambda: make_scenario({"service_hall.one_visit": False}), 15),
    "departmental windows": (lambda: make_scenario({"service_hall.pooling": "departmental",
                                                    "service_hall.department_windows": SILOED}), 12),
    "requests while closed": (lambda: make_scenario({"service_hall.hourly_profile": [1.0] * 24}), 12),
    "part days, closed-hours requests, revisits": (lambda: make_scenario({
        "service_hall.hourly_profile": [1.0] * 24, "service_hall.one_visit": False}), 9.5),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hall_arrays_equal_the_plain_booking(case):
    build, days = CASES[case]
    sc = build()
    cases, visits = plain_hall(TownModel(sc, seed=3, days=days))
    model = TownModel(sc, seed=3, days=days)
    model.run()
    hall = model.hall
    assert hall is not None and len(visits) > 100
    c = np.array(cases, dtype=float)
    got = hall.cases
    assert np.array_equal(got["requested_at"], c[:, 0])
    assert np.array_equal(got["done_at"], c[:, 1], equal_nan=True)
    assert np.array_equal(got["visits_needed"], c[:, 2]) and np.array_equal(got["visits"], c[:, 3])
    v = np.array(visits, dtype=float)
    cols = ("case_id", "visit", "arrival", "service_start", "service_end", "window")
    for k, col in enumerate(cols):
        assert np.array_equal(hall.visits[col], v[:, k]), col
    busy, served = hall.window_load()
    for w in range(len(hall.windows)):  # window tallies added visit by visit, as the windows used to
        mine = v[v[:, 5] == w]
        total = 0.0
        for start, end in mine[:, 3:5].tolist():
            total += max(0.0, min(end, model.horizon) - start)
        assert busy[w] == total and served[w] == len(mine)
