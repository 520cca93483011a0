"""A service-hall window as a Mesa agent, and a pool of identical windows with one FCFS queue.

Visits reach a pool in arrival order (each is booked at its arrival instant), and each
goes to the window that is free soonest, starting at ``max(arrival, busy_until)``. For
identical windows this is exactly a first-come-first-served multi-server queue (the
Kiefer–Wolfowitz workload recursion), with no waiting event per customer. Among idle
windows the one idle longest takes the visit, so quiet hours spread work evenly.

Arrivals happen only while the hall is open; a window finishes everyone who arrived
before closing (service may run past closing time, counted as busy time).
"""

from __future__ import annotations

import heapq
import math

import mesa

from sim.vocabulary import StaffRole


class HallWindow(mesa.Agent):
    """One window (窗口) with its busy minutes and cases served, for staff.parquet."""

    role = StaffRole.HALL_WINDOW

    def __init__(self, model: mesa.Model, window_id: str, pool: str, index: int) -> None:
        super().__init__(model)
        self.window_id = window_id
        self.pool = pool
        self.index = index  # position among all the hall's windows
        self.horizon = getattr(model, "horizon", math.inf)
        self.busy_until = 0.0
        self.busy_min = 0.0  # within the run's horizon
        self.cases = 0

    def serve(self, arrival: float, minutes: float) -> tuple[float, float]:
        """Take the next visit in this window's queue; returns (service_start, service_end)."""
        start = max(arrival, self.busy_until)
        end = start + minutes
        self.busy_until = end
        self.busy_min += max(0.0, min(end, self.horizon) - start)
        self.cases += 1
        return start, end


class WindowPool:
    """Windows that serve the same case types from one shared FCFS queue.

    A heap keyed by (free at, window index) gives the window free soonest, ties to the
    first listed, in O(log c).
    """

    def __init__(self, name: str, windows: list[HallWindow]) -> None:
        self.name = name
        self.windows = windows
        self._free = [(0.0, k) for k in range(len(windows))]

    def serve(self, arrival: float, minutes: float) -> tuple[int, float, float]:
        """Book a visit; returns (the window's hall-wide index, service start, service end)."""
        _, k = self._free[0]
        w = self.windows[k]
        start, end = w.serve(arrival, minutes)
        heapq.heapreplace(self._free, (end, k))
        return w.index, start, end
