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
from sim.service_hall.arrivals import (
    DELAY0,
    IN_PERSON,
    MAX_VISITS,
    N_UNIFORMS,
    ONLINE,
    PROXY,
    SERVICE0,
    Col,
    RequestStream,
)
from sim.vocabulary import MINUTES_PER_DAY as DAY

MMC = ROOT / "scenarios" / "textbook" / "mmc_hall.toml"


def eager_day(s: RequestStream, day: int) -> dict[str, np.ndarray]:
    """A day's requests with every uniform converted at once, as the hall drew them before the lazy batch."""
    rng = s.rng
    counts = rng.poisson(s.hourly_rate[day % 7])
    n = int(counts.sum())
    hours = np.repeat(np.arange(24), counts)
    u = rng.random((n, N_UNIFORMS))
    a = day * DAY + hours * 60.0
    d0, d1 = s.calendar.duty_time(a), s.calendar.duty_time(a + 60.0)
    inside = s.calendar.calendar_time(d0 + u[:, Col.TIME] * (d1 - d0))
    t = np.where(d1 > d0, np.maximum(inside, a), a + 60.0 * u[:, Col.TIME])
    order = np.argsort(t, kind="stable")
    t, u = t[order], u[order]
    kind = np.minimum(np.searchsorted(s.type_cdf, u[:, Col.TYPE], side="right"), len(s.types) - 1)
    uc = u[:, Col.CHANNEL]
    channel = np.where(uc < s.online[kind], ONLINE, np.where(uc < s.online[kind] + s.proxy[kind], PROXY, IN_PERSON))
    cx = u[:, Col.COMPLEX] < s.complex[kind]
    service = np.empty((n, MAX_VISITS))
    for j, ct in enumerate(s.types):
        for mask, dist in ((kind == j) & ~cx, ct.service_min), ((kind == j) & cx, ct.complex_service):
            service[mask] = dist.ppf(u[mask, SERVICE0:DELAY0])
    return {"requested_at": t, "case_type": kind, "channel": channel, "complex": cx, "service_min": service,
            "online_days": s.online_dist.ppf(u[:, Col.ONLINE_DAYS]),
            "back_office_days": s.back_office_dist.ppf(u[:, Col.BACK_OFFICE]),
            "revisit_days": s.revisit_dist.ppf(u[:, DELAY0:])}


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
        b = eager_day(hall.stream, d)
        for i, t in enumerate(b["requested_at"].tolist()):
            if t >= horizon:
                break
            kind, channel, cx = int(b["case_type"][i]), int(b["channel"][i]), bool(b["complex"][i])
            n = 0 if channel == ONLINE else (
                cfg.case_types[kind].visits_before if channel == IN_PERSON and cx and not cfg.one_visit else 1)
            cases.append([t, t + b["online_days"][i] * DAY if n == 0 else math.nan, n, 0])
            if n == 0:
                continue
            item = (cal.next_on_duty(t), len(cases) - 1, 0, b["service_min"][i].tolist(),
                    b["revisit_days"][i].tolist(), float(b["back_office_days"][i]), cx, kind)
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


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_batch_converts_any_rows_as_converting_them_all(case):
    """The lazy batch's columns, asked for in pieces, equal converting every uniform at once."""
    build, _ = CASES[case]
    sc = build()
    eager, lazy = (TownModel(sc, seed=5, days=4).hall for _ in range(2))
    assert eager is not None and lazy is not None
    for d in range(4):
        want, b = eager_day(eager.stream, d), lazy.stream.day(d)
        n = len(b)
        rows = np.arange(n)
        odd, even = rows[1::2], rows[::2]  # converted separately, then interleaved
        for name in ("requested_at", "case_type", "channel", "complex"):
            assert np.array_equal(getattr(b, name), want[name]), name
        got = np.empty((n, MAX_VISITS))
        got[odd], got[even] = b.services(odd), b.services(even)
        assert np.array_equal(got, want["service_min"])
        assert np.array_equal(b.service(rows, 2), want["service_min"][:, 2])
        assert np.array_equal(b.revisit_days(rows), want["revisit_days"])
        for name in ("online_days", "back_office_days"):
            col = np.empty(n)
            col[odd], col[even] = getattr(b, name)(odd), getattr(b, name)(even)
            assert np.array_equal(col, want[name]), name
