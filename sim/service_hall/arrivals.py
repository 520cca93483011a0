"""Requests to the service hall: a non-homogeneous Poisson process by hour and weekday.

A day's requests are drawn in one vectorised batch from the hall's own random stream,
each with its case type, channel, complexity, window minutes for every possible visit
and the delays between visits. All of it comes from a fixed-width row of uniforms, so
the same seed gives the same requests and the same service-time draws whatever the
window count, pooling or one-visit rule (common random numbers); raising a channel's
share only moves requests across the threshold of their own uniform.

Within an hour, a request falls uniformly over the part of the hour the hall is open
(over the whole hour if it is closed throughout). The default profiles put requests only
in opening hours on open days; a profile that puts weight on closed hours sends those
in-person requests to the next opening, where they queue at the door.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from sim.config.hall import MAX_VISITS, ServiceHall
from sim.shifts import DutyCalendar
from sim.vocabulary import DAYS_PER_WEEK as WEEK
from sim.vocabulary import DAYS_PER_YEAR, HallChannel
from sim.vocabulary import MINUTES_PER_DAY as DAY


class Col(IntEnum):
    """Columns of a request's uniforms before the per-visit ones."""

    TIME = 0
    TYPE = 1
    CHANNEL = 2
    COMPLEX = 3
    ONLINE_DAYS = 4
    BACK_OFFICE = 5


SERVICE0 = len(Col)  # MAX_VISITS columns of window minutes, then MAX_VISITS - 1 revisit delays
DELAY0 = SERVICE0 + MAX_VISITS
N_UNIFORMS = DELAY0 + MAX_VISITS - 1

ONLINE, PROXY, IN_PERSON = HallChannel.ONLINE, HallChannel.PROXY, HallChannel.IN_PERSON
CHANNELS = HallChannel.keys()


class RequestBatch:
    """One day's requests, sorted by request time: time, type, channel and complexity as arrays.

    Window minutes, revisit delays, online and back-office days are converted from the
    request's uniforms only for the rows asked for (``service``, ``revisit_days``, …).
    Shortcut: converting every uniform of every request (five window times and four delays
    each) cost more than the hall's booking, yet an online case needs none of them and only
    complex cases without 一次办 revisit. The same inverse CDF of the same uniform gives the
    same value whichever rows are converted together (tests/test_hall_arrays.py checks every
    column against converting them all, as the hall used to).
    """

    def __init__(self, stream: RequestStream, u: np.ndarray, requested_at: np.ndarray, case_type: np.ndarray,
                 channel: np.ndarray, complex_: np.ndarray) -> None:
        self._stream = stream
        self._u = u  # (n, N_UNIFORMS), rows in request order
        self.requested_at = requested_at
        self.case_type = case_type
        self.channel = channel
        self.complex = complex_

    def __len__(self) -> int:
        return len(self.requested_at)

    def service(self, rows: np.ndarray, visit: int = 0) -> np.ndarray:
        """Window minutes of visit ``visit`` (0-based) of each request in ``rows``."""
        s = self._stream
        u = self._u[rows, SERVICE0 + visit]
        if s.one_service is not None:  # one distribution for every request: no masks (same values)
            return s.one_service.ppf(u)
        out = np.empty(len(rows))
        kind, cx = self.case_type[rows], self.complex[rows]
        for j, ct in enumerate(s.types):
            for mask, dist in ((kind == j) & ~cx, ct.service_min), ((kind == j) & cx, ct.complex_service):
                if mask.any():
                    out[mask] = dist.ppf(u[mask])
        return out

    def services(self, rows: np.ndarray) -> np.ndarray:
        """Window minutes of every possible visit, (len(rows), MAX_VISITS)."""
        if len(rows) == 0:
            return np.empty((0, MAX_VISITS))
        return np.stack([self.service(rows, k) for k in range(MAX_VISITS)], axis=1)

    def revisit_days(self, rows: np.ndarray) -> np.ndarray:
        """Working days before visits 2, 3, … of each request in ``rows``, (len(rows), MAX_VISITS - 1)."""
        return self._stream.revisit_dist.ppf(self._u[rows, DELAY0:])

    def online_days(self, rows: np.ndarray) -> np.ndarray:
        """Calendar days each online request in ``rows`` takes to finish."""
        return self._stream.online_dist.ppf(self._u[rows, Col.ONLINE_DAYS])

    def back_office_days(self, rows: np.ndarray) -> np.ndarray:
        """Working days of approval after a complex case's last visit, for each request in ``rows``."""
        return self._stream.back_office_dist.ppf(self._u[rows, Col.BACK_OFFICE])


def hourly_weights(cfg: ServiceHall) -> np.ndarray:
    """Give the hour-of-day profile; by default each hour weighs its share of opening time."""
    if cfg.hourly_profile is not None:
        return np.asarray(cfg.hourly_profile, dtype=float)
    cal = DutyCalendar.of(cfg.shift, WEEK)  # one open day, whatever the weekdays
    edges = np.arange(25) * 60.0 + DAY  # a day away from the origin: wrap-around counts too
    return np.diff(cal.duty_time(edges))


def weekday_weights(cfg: ServiceHall) -> np.ndarray:
    """Give the day-of-week profile; by default the open weekdays weigh the same and the rest nothing."""
    if cfg.weekday_profile is not None:
        return np.asarray(cfg.weekday_profile, dtype=float)
    return (np.arange(WEEK) < cfg.open_weekdays).astype(float)


class RequestStream:
    """Draws the hall's requests day by day, with the hall's own random stream."""

    def __init__(self, cfg: ServiceHall, calendar: DutyCalendar, rng: np.random.Generator) -> None:
        self.rng = rng
        self.calendar = calendar
        self.types = cfg.case_types
        per_week = cfg.cases_per_year * WEEK / DAYS_PER_YEAR
        h = hourly_weights(cfg)
        w = weekday_weights(cfg)
        self.hourly_rate = per_week * np.outer(w / w.sum(), h / h.sum())  # (weekday, hour)
        shares = np.array([c.share for c in self.types], dtype=float)
        self.type_cdf = np.cumsum(shares) / shares.sum()
        self.online = np.array([c.online_share for c in self.types])
        self.proxy = np.array([c.proxy_share for c in self.types])
        self.complex = np.array([c.complex_share for c in self.types])
        dists = {(c.service_min, c.complex_service) for c in self.types}
        self.one_service = next(iter(dists))[0] if len(dists) == 1 and len(set(next(iter(dists)))) == 1 else None
        self.online_dist = cfg.online_days
        self.revisit_dist = cfg.revisit_delay_days
        self.back_office_dist = cfg.back_office_days
        self.one_type = len(self.types) == 1  # searchsorted over one share gives 0 for every u < 1
        self._hours = np.arange(24)

    def _times(self, day: int, hours: np.ndarray, u: np.ndarray) -> np.ndarray:
        a = day * DAY + hours * 60.0
        if self.calendar.always:  # open all hour: inside = a + u·((a + 60) − a) = a + u·60 ≥ a, exactly
            return a + u * 60.0
        d0 = self.calendar.duty_time(a)
        d1 = self.calendar.duty_time(a + 60.0)
        inside = self.calendar.calendar_time(d0 + u * (d1 - d0))
        return np.where(d1 > d0, np.maximum(inside, a), a + 60.0 * u)

    def day(self, day: int) -> RequestBatch:
        """Draw the requests made on day ``day`` (0-based; day 0 is a Monday)."""
        rng = self.rng
        counts = rng.poisson(self.hourly_rate[day % WEEK])
        n = int(counts.sum())
        hours = np.repeat(self._hours, counts)
        u = rng.random((n, N_UNIFORMS))
        t = self._times(day, hours, u[:, Col.TIME])
        order = np.argsort(t, kind="stable")
        t, u = t[order], u[order]
        if self.one_type:
            kind = np.zeros(n, dtype=np.int64)
        else:
            kind = np.minimum(np.searchsorted(self.type_cdf, u[:, Col.TYPE], side="right"), len(self.types) - 1)
        uc = u[:, Col.CHANNEL]
        online, proxy = self.online[kind], self.proxy[kind]
        channel = np.where(uc < online, ONLINE, np.where(uc < online + proxy, PROXY, IN_PERSON))
        cx = u[:, Col.COMPLEX] < self.complex[kind]
        return RequestBatch(self, u, t, kind, channel, cx)
