"""Erlang B (M/M/c/c) and Erlang C (M/M/c) formulas.

These are the closed-form yardsticks the simulated service hall must reproduce
(DESIGN.md section 5). Erlang B is computed by its stable recursion and Erlang C
is derived from it, so the results stay accurate for a few hundred servers where
the textbook factorial sums overflow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ErlangC", "erlang_b", "erlang_c"]


def _check_rate(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def _check_servers(servers: int) -> int:
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < 1:
        raise ValueError(f"servers must be a positive integer, got {servers!r}")
    return servers


def _blocking(offered_load: float, servers: int) -> float:
    """Erlang B by the recursion B_k = A B_{k-1} / (k + A B_{k-1}), B_0 = 1."""
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_b(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Probability that an arrival to an M/M/c/c loss system finds every server busy."""
    lam = _check_rate("arrival_rate", arrival_rate)
    mu = _check_rate("service_rate", service_rate)
    return _blocking(lam / mu, _check_servers(servers))


@dataclass(frozen=True)
class ErlangC:
    """Steady-state measures of an M/M/c queue (FCFS, unlimited waiting room)."""

    arrival_rate: float
    service_rate: float
    servers: int
    utilisation: float
    p_wait: float
    mean_wait: float
    mean_in_queue: float
    mean_in_system: float
    mean_time_in_system: float

    def p_wait_longer_than(self, t: float) -> float:
        """P(Wq > t): the wait is 0 with prob 1 - p_wait, else exponential(c*mu - lambda)."""
        t = float(t)
        if not math.isfinite(t) or t < 0.0:
            raise ValueError(f"t must be a finite number >= 0, got {t!r}")
        drain_rate = self.servers * self.service_rate - self.arrival_rate
        return self.p_wait * math.exp(-drain_rate * t)


def erlang_c(arrival_rate: float, service_rate: float, servers: int) -> ErlangC:
    """Solve the M/M/c queue; requires utilisation lambda / (c mu) < 1."""
    lam = _check_rate("arrival_rate", arrival_rate)
    mu = _check_rate("service_rate", service_rate)
    c = _check_servers(servers)
    offered = lam / mu
    rho = offered / c
    if rho >= 1.0:
        raise ValueError(
            f"M/M/c queue is unstable: utilisation lambda/(c*mu) = {rho:.6g} must be < 1"
        )
    b = _blocking(offered, c)
    p_wait = c * b / (c - offered * (1.0 - b))
    mean_wait = p_wait / (c * mu - lam)
    mean_time_in_system = mean_wait + 1.0 / mu
    return ErlangC(
        arrival_rate=lam,
        service_rate=mu,
        servers=c,
        utilisation=rho,
        p_wait=p_wait,
        mean_wait=mean_wait,
        mean_in_queue=lam * mean_wait,
        mean_in_system=lam * mean_time_in_system,
        mean_time_in_system=mean_time_in_system,
    )
