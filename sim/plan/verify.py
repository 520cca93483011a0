"""Proof by simulation: today's plan against each proposal on common random numbers.

Replication k of every plan uses seed ``seed + k``, so today's plan and a proposal see the
same incidents with the same luck and their difference is estimated per replication
(paired). A proposal is *confirmed* only when the paired 95% CI of its target measure
lies on the better side of zero and no guard measure is significantly worse; otherwise it
is *unconfirmed*, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sim.compare import paired_table
from sim.config import Scenario
from sim.runner import run_replications

# The measures a planner reads, with the direction that counts as better (+1 higher, -1 lower).
HEADLINE: dict[str, int] = {
    "share_within_15min": +1,
    "share_within_15min_dispatched": +1,
    "discovery_p50_min": -1,
    "closure_on_time_share": +1,
}
# Staff (headcount, full-time equivalents and cost per role and in total; the keys the
# workload model writes to summary.json) are the plan's price: reported, never judged (0).
PREFIXES: dict[str, int] = {"workload_gini.": -1, "workload_max_over_mean.": -1,
                            "staff_headcount.": 0, "staff_fte.": 0, "staff_cost_per_year.": 0}


@dataclass(frozen=True)
class Claim:
    """What a kind of proposal promises: a target measure and guards that must not get worse."""

    target: str
    guards: tuple[str, ...]


BASES_CLAIM = Claim("share_within_15min_dispatched", ("share_within_15min", "closure_on_time_share"))
GRIDS_CLAIM = Claim("workload_gini.worker", ("discovery_p50_min", "closure_on_time_share", "share_within_15min"))


def direction(measure: str) -> int:
    """Which way is better for a measure (+1 higher, -1 lower, 0 neither), for the verdict."""
    if measure in HEADLINE:
        return HEADLINE[measure]
    return next((d for p, d in PREFIXES.items() if measure.startswith(p)), 0)


def reported(measure: str) -> bool:
    """Whether a measure is one the verification reports (the headline ones and their families)."""
    return measure in HEADLINE or any(measure.startswith(p) for p in PREFIXES)


def verdict(rows: pd.DataFrame, claim: Claim) -> tuple[str, str]:
    """Judge one proposal from its paired table: ``confirmed`` or ``unconfirmed``, and why."""
    by = rows.set_index("measure")
    if claim.target not in by.index:
        return "unconfirmed", f"{claim.target} was not measured"
    t = by.loc[claim.target]
    d = direction(claim.target)
    lo, hi = sorted((d * t.diff_lo, d * t.diff_hi))
    if not lo > 0:
        side = "worse" if hi < 0 else "no significant change"
        return "unconfirmed", f"{claim.target}: {side} (B − A {t.diff_mean:+.3g} [{t.diff_lo:.3g}, {t.diff_hi:.3g}])"
    for g in claim.guards:
        if g in by.index:
            r, dg = by.loc[g], direction(g)
            if max(dg * r.diff_lo, dg * r.diff_hi) < 0:
                return "unconfirmed", f"{claim.target} better but {g} significantly worse ({r.diff_mean:+.3g})"
    return "confirmed", f"{claim.target} better (B − A {t.diff_mean:+.3g} [{t.diff_lo:.3g}, {t.diff_hi:.3g}])"


@dataclass(frozen=True)
class Price:
    """What a proposal adds to today's roll (B − A), the same in every replication.

    People, full-time equivalents and yuan a year (NaN when the scenario gives no salaries).

    Shown beside every verdict, because a plan confirmed on service may still cost more.
    """

    headcount: float
    fte: float
    cost_per_year: float


PRICE_MEASURES = ("staff_headcount.total", "staff_fte.total", "staff_cost_per_year.total")


def price(rows: pd.DataFrame) -> Price:
    """Read a proposal's price off its paired table (the mean difference of the staff totals)."""
    by = rows.set_index("measure").diff_mean
    return Price(*(float(by[m]) if m in by.index else math.nan for m in PRICE_MEASURES))


def verify(current: Scenario, proposals: dict[str, Scenario], claim: Claim, replications: int, days: float,
           seed: int, workers: int, on_done: Callable[[], None] | None = None,
           on_plan: Callable[[str], None] | None = None) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """Paired differences (proposal − today) of the headline measures, and each proposal's verdict.

    ``on_plan(id)`` is told which plan's replications start (``current`` first), ``on_done()``
    each finished replication: the command's progress.
    """
    seeds = [seed + k for k in range(replications)]
    if on_plan:
        on_plan("current")
    base = run_replications(current, seeds, days, workers, on_done=on_done)
    tables, verdicts = [], {}
    for pid, sc in proposals.items():
        if on_plan:
            on_plan(pid)
        runs = run_replications(sc, seeds, days, workers, on_done=on_done)
        table = paired_table(base, runs)
        table = table[table.measure.map(reported)].reset_index(drop=True)
        verdicts[pid] = verdict(table, claim)
        tables.append(table.assign(plan=pid))
    out = pd.concat(tables, ignore_index=True)
    return out[["plan", *[c for c in out.columns if c != "plan"]]], verdicts
