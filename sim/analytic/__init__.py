"""Closed-form and exact-numerical queueing results the simulation is checked against."""

from sim.analytic.approx import approximate_hypercube, correction_factors
from sim.analytic.erlang import ErlangC, erlang_b, erlang_c
from sim.analytic.hypercube import HypercubeResult, solve_hypercube

__all__ = [
    "ErlangC",
    "HypercubeResult",
    "approximate_hypercube",
    "correction_factors",
    "erlang_b",
    "erlang_c",
    "solve_hypercube",
]
