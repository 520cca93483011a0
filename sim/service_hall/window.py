"""A service-hall window as a Mesa agent, and a pool of identical windows with one FCFS queue.

Visits reach a pool in arrival order (each is booked at its arrival instant), and each
goes to the window that is free soonest, starting at ``max(arrival, free at)``. For
identical windows this is exactly a first-come-first-served multi-server queue (the
Kiefer–Wolfowitz workload recursion), with no waiting event per customer. Among idle
windows the one idle longest takes the visit, so quiet hours spread work evenly.

Arrivals happen only while the hall is open; a window finishes everyone who arrived
before closing (service may run past closing time, counted as busy time). Busy minutes
and visits per window are tallied from the visit records (``Hall.window_load``).
"""

from __future__ import annotations

import heapq

import mesa

from sim.vocabulary import StaffRole


class HallWindow(mesa.Agent):
    """One window (窗口): its id and pool; its load is in the hall's visit records."""

    role = StaffRole.HALL_WINDOW

    def __init__(self, model: mesa.Model, window_id: str, pool: str, index: int) -> None:
        super().__init__(model)
        self.window_id = window_id
        self.pool = pool
        self.index = index  # position among all the hall's windows


class WindowPool:
    """Windows that serve the same case types from one shared FCFS queue.

    ``free`` is a heap of (free at, position in the pool): the window free soonest, ties
    to the first listed, in O(log c).
    """

    def __init__(self, name: str, windows: list[HallWindow]) -> None:
        self.name = name
        self.windows = windows
        self.free = [(0.0, k) for k in range(len(windows))]

    def serve(self, arrival: float, minutes: float) -> tuple[int, float, float]:
        """Book a visit; returns (the window's hall-wide index, service start, service end)."""
        f, k = self.free[0]
        start = max(arrival, f)
        end = start + minutes
        heapq.heapreplace(self.free, (end, k))
        return self.windows[k].index, start, end
