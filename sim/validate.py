"""Textbook validation: the simulation against queueing theory on scenarios/textbook/.

Each textbook scenario is a case where the theory is exact (DESIGN.md §5). The simulation
runs independent replications; a measure passes when the theoretical value lies inside
the confidence interval of the replication mean. About 25 measures are checked at once,
so each interval is at the Bonferroni level 1 − 0.05/25 = 99.8%: a correct model then
fails any check at all with probability at most 5%.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.analytic.erlang import erlang_c
from sim.analytic.from_scenario import hall_pools, squad_system
from sim.analytic.hypercube import solve_hypercube
from sim.config import Scenario, load_scenario
from sim.runner import run_replications
from sim.stats import measure_ci

TEXTBOOK = Path(__file__).resolve().parents[1] / "scenarios" / "textbook"
LEVEL = 0.998


@dataclass(frozen=True)
class Check:
    """One measure of one textbook case: the theory, the simulated mean and its confidence interval."""

    case: str
    measure: str  # a flat measure name (sim.measures.flat): its words come from sim.labels
    theory: float
    mean: float
    lo: float
    hi: float

    @property
    def passed(self) -> bool:
        """Theory inside the interval: the simulation agrees at the Bonferroni level."""
        return bool(self.lo <= self.theory <= self.hi)


def _check(case: str, measure: str, theory: float, values: list[float]) -> Check:
    m, lo, hi = measure_ci(measure, np.asarray(values, dtype=float), level=LEVEL)  # cut at its range, as every output
    return Check(case, measure, float(theory), m, lo, hi)


def hypercube_checks(sc: Scenario, runs: list[dict]) -> list[Check]:
    """Per-squad workload and share of calls, P(wait), mean wait, Little's law on the queue."""
    ss = squad_system(sc)
    r = solve_hypercube(ss.arrival_rates, ss.preferences, ss.service_rate, "infinite")
    case = sc.meta.name
    out = []
    squads = list(dict.fromkeys(ss.unit_squad))
    for k, sid in enumerate(squads):
        units = [n for n, s in enumerate(ss.unit_squad) if s == sid]
        out.append(_check(case, f"squads.{sid}.utilisation", float(r.workload[units].mean()),
                          [run["squads"][k]["utilisation"] for run in runs]))
        out.append(_check(case, f"squads.{sid}.calls_share", float(r.calls_share[units].sum()),
                          [run["squads"][k]["calls_share"] for run in runs]))
    out.append(_check(case, "squad_wait_share", r.p_queue, [run["squad_wait_share"] for run in runs]))
    out.append(_check(case, "squad_wait_mean_min", float(r.mean_wait_in_queue or 0.0),
                      [run["squad_wait_mean_min"] for run in runs]))
    out.append(_check(case, "squad_queue_littles_ratio", 1.0, [run["squad_queue_littles_ratio"] for run in runs]))
    return out


def hall_checks(sc: Scenario, runs: list[dict]) -> list[Check]:
    """Mean wait and utilisation of an M/M/c hall against Erlang C; Little's law."""
    (pool,) = hall_pools(sc)
    ec = erlang_c(pool.arrival_rate, pool.service_rate, pool.windows)
    case = sc.meta.name
    return [
        _check(case, "hall_wait_mean_min", ec.mean_wait, [run["hall_wait_mean_min"] for run in runs]),
        _check(case, "hall_wait_share", ec.p_wait, [run["hall_wait_share"] for run in runs]),
        _check(case, "hall_window_utilisation", ec.utilisation, [run["hall_window_utilisation"] for run in runs]),
        _check(case, "hall_littles_law_ratio", 1.0, [run["hall_littles_law_ratio"] for run in runs]),
    ]


CASES: dict[str, Callable[[Scenario, list[dict]], list[Check]]] = {
    "hypercube_3squads.toml": hypercube_checks,
    "hypercube_5squads.toml": hypercube_checks,
    "mmc_hall.toml": hall_checks,
}


def validate(replications: int = 20, days: float | None = None, workers: int = 1,
             on_done: Callable[[], None] | None = None) -> list[Check]:
    """Run every textbook case and compare with theory."""
    checks: list[Check] = []
    for name, compare in CASES.items():
        sc = load_scenario(TEXTBOOK / name)
        runs = run_replications(sc, list(range(1, replications + 1)), days, workers, on_done)
        checks += compare(sc, runs)
    return checks
