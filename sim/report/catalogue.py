"""How each measure is shown and which way is better: the report's lexicon.

Measure names are the flat names of ``sim.measures.flat`` (``tier_share.grid``,
``workload_gini.worker``, ``squads.S1.utilisation``). A name is matched exactly, else by its
group (the part before the first dot) with the rest as the member (a role, tier, squad).
Its words, in Chinese and English, are ``sim.labels``'s (one table for every edge); here are
its kind (share, minutes, ...), which way is better and the model stage that drives it.
The headline set is what ``compare``, ``summarize`` and the report show by default.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

from sim import labels
from sim.labels import Lang

__all__ = ["Lang"]

# "load": busy ÷ on-duty time, shown in % but able to exceed 100% (part-time roles, overtime).
Kind = Literal["share", "load", "minutes", "days", "gini", "count", "ratio", "money"]

# Where a measure's mean can lie, by kind: its CI is cut at this (t intervals of few replications
# overshoot). A kind not listed (ratio, money) is unbounded.
RANGE: dict[str, tuple[float, float]] = {"share": (0.0, 1.0), "gini": (0.0, 1.0), "load": (0.0, math.inf),
                                         "minutes": (0.0, math.inf), "days": (0.0, math.inf),
                                         "count": (0.0, math.inf)}

# Headline measures (DESIGN §4 and issue 16): glob patterns over flat names, in display order.
HEADLINE: tuple[str, ...] = (
    "share_within_15min",
    "share_within_15min_dispatched",
    "problem_to_scene_*",
    "problem_to_closure_*",
    "closure_on_time_share",
    "grid_village_share",
    "workload_mean.*",
    "workload_max.*",
    "workload_gini.*",
    "staff_headcount.total",
    "staff_fte.total",
    "staff_cost_per_year.total",
    "hall_wait_mean_min",
)


@dataclass(frozen=True)
class Measure:
    """How a report reads one measure: its kind, which way is better, its stage (its words: sim.labels)."""

    kind: Kind
    better: int = 0  # +1 higher is better, -1 lower is better, 0 neither
    stage: str | None = None  # the model stage that drives it (discovery, dispatch, escalation, hall)
    whole: bool = False  # people, households, grids: shown whole even when a mean or an even share (361.5 → 362)


_EXACT: dict[str, Measure] = {
    "incidents": Measure("count"),
    "reported": Measure("count"),
    "grids": Measure("count", whole=True),
    "unreported_share": Measure("share", -1, "discovery"),
    "events_per_grid_per_month": Measure("count"),
    "discovery_p50_min": Measure("minutes", -1, "discovery"),
    "response_p50_min": Measure("minutes", -1, "dispatch"),
    "response_p90_min": Measure("minutes", -1, "dispatch"),
    "response_mean_min": Measure("minutes", -1, "dispatch"),
    "share_within_15min": Measure("share", +1, "dispatch"),
    "share_within_15min_dispatched": Measure("share", +1, "dispatch"),
    "closure_p50_min": Measure("minutes", -1, "escalation"),
    "closure_on_time_share": Measure("share", +1, "escalation"),
    "closed_share": Measure("share", +1, "escalation"),
    "grid_village_share": Measure("share", +1, "escalation"),
    "backlog_mean": Measure("count", -1),
    "backlog_end": Measure("count", -1),
    "squad_wait_share": Measure("share", -1, "dispatch"),
    "squad_wait_mean_min": Measure("minutes", -1, "dispatch"),
    "squad_queue_littles_ratio": Measure("ratio"),
    "squad_preemptions": Measure("count", 0, "dispatch"),
    "overdue_alarms": Measure("count", -1, "escalation"),
    "hall_cases": Measure("count", 0, "hall"),
    "hall_visits": Measure("count", -1, "hall"),
    "hall_cases_per_day": Measure("count", 0, "hall"),
    "hall_wait_mean_min": Measure("minutes", -1, "hall"),
    "hall_wait_share": Measure("share", -1, "hall"),
    "hall_wait_p90_min": Measure("minutes", -1, "hall"),
    "hall_time_in_system_mean_min": Measure("minutes", -1, "hall"),
    "hall_visits_per_case": Measure("ratio", -1, "hall"),
    "hall_online_share": Measure("share", +1, "hall"),
    "hall_processing_days_mean": Measure("days", -1, "hall"),
    "hall_complex_processing_days_mean": Measure("days", -1, "hall"),
    "hall_window_utilisation": Measure("share", 0, "hall"),
    "hall_window_gini": Measure("gini", -1, "hall"),
    "hall_littles_law_ratio": Measure("ratio", 0, "hall"),
    # a grid division's objectives (gridsim plan grids: objectives.csv), today's and the proposal's
    "villages with 2-3 grids (share)": Measure("share", +1),
    "grids inside the household range (share)": Measure("share", +1),
    "households per grid, min": Measure("count", 0, whole=True),
    "households per grid, max": Measure("count", 0, whole=True),
    "events per grid per month, mean": Measure("count"),
    "events per grid per month, CV": Measure("ratio", -1),
    "events per grid per month, max/mean": Measure("ratio", -1),
    "events within a village, max/mean (worst village)": Measure("ratio", -1),
    "compactness (Polsby-Popper), mean": Measure("ratio", +1),
}

# Groups: flat name "group.member", every member alike.
_GROUPS: dict[str, Measure] = {
    "tier_share": Measure("share", 0, "escalation"),
    "tier_share_published": Measure("share"),  # simulated too: the cases counted as public statistics count them
    "channel_share": Measure("share", 0, "discovery"),
    "workload_gini": Measure("gini", -1),
    "workload_cv": Measure("ratio", -1),
    "workload_max_over_mean": Measure("ratio", -1),
    "workload_mean": Measure("load", 0),
    "workload_max": Measure("load", -1),
    "staff_headcount": Measure("count", 0, whole=True),
    "staff_fte": Measure("count", 0),
    "staff_cost_per_year": Measure("money", -1),
    "workload_case_mean": Measure("load", 0),
    "workload_routine_mean": Measure("load", 0),
    "overtime_hours_per_month": Measure("count", -1),
    "department_utilisation": Measure("share", 0, "escalation"),
    "department_wait_mean_min": Measure("minutes", -1, "escalation"),
}

_SQUAD_FIELDS: dict[str, Measure] = {
    "utilisation": Measure("share", 0, "dispatch"),
    "calls_share": Measure("share", 0, "dispatch"),
    "outside_zone_share": Measure("share", -1, "dispatch"),
}


def measure(name: str) -> Measure | None:
    """Look up the catalogue entry of a flat measure name (None: shown under its own name)."""
    if name in _EXACT:
        return _EXACT[name]
    parts = name.split(".")
    if parts[0] == "squads" and len(parts) == 3 and parts[2] in _SQUAD_FIELDS:
        return _SQUAD_FIELDS[parts[2]]
    if len(parts) == 2 and parts[0] in _GROUPS:
        return _GROUPS[parts[0]]
    for prefix in labels.PROBLEM_TO:
        if name.startswith(prefix):
            return Measure("days" if name.endswith("_days") else "minutes", -1,
                           "discovery" if prefix == "problem_to_scene" else "escalation")
    if name.startswith("staff_"):
        return Measure("money" if "cost" in name else "count", 0)
    return None


def label(name: str, lang: Lang) -> str:
    """Name a measure in plain words in Chinese or English (``sim.labels.measure``)."""
    return labels.measure(name, lang)


def kind(name: str) -> Kind:
    """Give the measure's kind (share, minutes, count …), which decides its format and range."""
    m = measure(name)
    return m.kind if m else ("share" if name.endswith("_share") else "count")


def bounds(name: str, difference: bool = False) -> tuple[float, float]:
    """Give the range a measure's mean can take, or that of a difference of two means of it.

    A share lies in [0, 1], so a difference of shares in [-1, 1]; a difference of minutes or
    counts has no bound.
    """
    low, high = RANGE.get(kind(name), (-math.inf, math.inf))
    if difference:
        return (low - high, high - low) if math.isfinite(high) else (-math.inf, math.inf)
    return low, high


def better(name: str) -> int:
    """Which way is better for the measure (+1 higher, -1 lower, 0 neither), to colour differences."""
    m = measure(name)
    return m.better if m else 0


def stage(name: str) -> str | None:
    """Give the model stage a measure belongs to, so the report can explain a difference by its stage."""
    m = measure(name)
    return m.stage if m else None


def is_headline(name: str) -> bool:
    """Whether the measure is one of the headline measures shown first."""
    return any(fnmatchcase(name, p) for p in HEADLINE)


def headline_order(names: list[str]) -> list[str]:
    """Order the headline measures among ``names`` as HEADLINE lists them, then as given."""
    out: list[str] = []
    for p in HEADLINE:
        out += [n for n in names if fnmatchcase(n, p) and n not in out]
    return out


# A difference of two shares is in percentage points, as the reader's language says them.
POINTS: dict[str, str] = {"zh": "个百分点", "en": " pt"}


def fmt(value: Any, name: str, signed: bool = False, lang: str = "en") -> str:
    """Format a number as a reader wants it: shares in %, minutes and days to 3 significant figures.

    A value that rounds to zero carries no sign (a zero difference reads 0.0, not -0.0); a
    difference of shares (``signed``) is in percentage points, worded in ``lang`` (POINTS).
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    v = float(value)
    m = measure(name)
    k, a = kind(name), abs(v)
    unit = ""
    if k in ("share", "load"):
        body, unit = f"{100 * a:.1f}", (POINTS[lang] if signed else "%")
    elif k == "gini" or k == "ratio":
        body = f"{a:.3f}"
    elif (m is not None and m.whole) or a >= 1000 or (k == "count" and a.is_integer()):
        body = f"{a:,.0f}"  # people, households, whole counts (47 incidents, not 47.0); large counts and money
    elif a >= 100:
        body = f"{a:.0f}"
    elif a >= 10:
        body = f"{a:.1f}"
    else:
        body = f"{a:.2f}"
    sign = "" if _reads_zero(body) else "-" if v < 0 else "+" if signed else ""
    return f"{sign}{body}{unit}"


def _reads_zero(text: str) -> bool:
    """Tell whether a formatted number shows no non-zero digit (0.0, 0.000: a rounded-off value)."""
    return not any(c in "123456789" for c in text)


def no_interval(mean: float, lo: float | None, hi: float | None, name: str, signed: bool = False) -> bool:
    """Tell whether an estimate shows as a single number.

    So it does with no interval (one replication), or one that reads as the mean itself (every
    replication agrees, e.g. a headcount): ``1,086 [1,086, 1,086]`` says no more than ``1,086``.
    """
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return True
    return fmt(lo, name, signed) == fmt(hi, name, signed) == fmt(mean, name, signed)


def excludes_zero(lo: float, hi: float) -> bool:
    """Tell whether an interval lies on one side of 0 (a zero-width one at a non-zero value too).

    The one test for colouring a difference, naming it in the report's sentences and showing its bounds.
    A bound within NOISE of 0 is 0: two equal Gini coefficients summed in another order differ by
    2.2e-16, which read 0.000 and was shaded "worse".
    """
    return math.isfinite(lo) and math.isfinite(hi) and (lo > NOISE or hi < -NOISE)


NOISE = 1e-9  # a difference this small is floating-point rounding, not a difference


def bound_text(value: float, name: str, signed: bool, excludes_zero: bool, lang: str = "en") -> str:
    """Format an interval's bound; one that excludes 0 never reads as 0 (+0.046 pt, not 0.0).

    A difference is coloured when its interval excludes 0, so its bounds must say so too. In
    Chinese the points' word follows the mean alone (``+36.4个百分点 [+35.2, +37.6]``): four
    characters on each bound wrapped a table's cell over three lines.
    """
    text = fmt(value, name, signed, lang).removesuffix(POINTS["zh"])
    if not excludes_zero or value == 0 or not _reads_zero(text):
        return text
    scale, unit = (100.0, (" pt" if lang == "en" else "") if signed else "%") if kind(name) in ("share", "load") \
        else (1.0, "")
    return f"{'-' if value < 0 else '+' if signed else ''}{abs(value) * scale:.2g}{unit}"


def fmt_ci(mean: float, lo: float, hi: float, name: str, signed: bool = False, lang: str = "en") -> str:
    """``mean [lo, hi]``; a single number when there is no interval or it has no width."""
    if no_interval(mean, lo, hi, name, signed):
        return fmt(mean, name, signed, lang)
    excludes = excludes_zero(lo, hi)
    return (f"{fmt(mean, name, signed, lang)} [{bound_text(lo, name, signed, excludes, lang)}, "
            f"{bound_text(hi, name, signed, excludes, lang)}]")


# Rows in this order (grid team, village, squads, hall, departments, total); others follow as found.
ROLES: tuple[str, ...] = ("chief", "worker", "supervisor", "info_officer", "liaison", "patrol_officer", "inspector",
                          "village_cadre", "squad_crew", "squad_officer", "hall_window", "town_department",
                          "county_department", "total")


def unpaid(headcount: Mapping[str, float], cost: Mapping[str, float]) -> list[str]:
    """List the roles on the roll whose cost the scenario does not give (no salary), in reading order.

    The staff cost total leaves them out while the headcount and FTE totals count them; the
    report and ``gridsim run``'s terminal both say so. ``headcount`` and ``cost`` by role.
    """
    found = [r for r, n in headcount.items() if r != "total" and math.isfinite(n) and n > 0
             and not math.isfinite(cost.get(r, math.nan))]
    return sorted(found, key=lambda r: (ROLES.index(r) if r in ROLES else len(ROLES), r))
