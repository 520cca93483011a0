"""The measures of DESIGN.md §4, computed from the closed-loop records and staff tallies.

Names here are the names everywhere (CLI, files, report, dashboard). Cases still open at
the end of the run are censored honestly: a case counts as late once its limit has passed,
and is left out while its limit is still ahead.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from sim.case_columns import CaseColumns
from sim.checks import (
    overload_warnings,
    summary_servers,
    threshold_warnings,
    town_warnings,
    utilisation_warnings,
)
from sim.duties import ROUTINE_KINDS, routine_minutes
from sim.service_hall.measures import hall_staff_rows, hall_summary
from sim.stats import gini
from sim.vocabulary import (
    DAYS_PER_MONTH,
    DAYS_PER_WEEK,
    FULL_TIME_DAYS_PER_WEEK,
    MINUTES_PER_DAY,
    MINUTES_PER_HOUR,
    Channel,
    GridRole,
    StaffRole,
    Tier,
)
from sim.warnings import as_dicts

if TYPE_CHECKING:
    from sim.agents.staff import BookableStaff
    from sim.config.staff import Routine
    from sim.model import TownModel
    from sim.shifts import DutyCalendar

FIFTEEN = 15.0
SQUAD_OFFICER = "squad_officer"  # a person on a squad's roll (staff counts); crews are what is dispatched


STAFF_COLUMNS = ["id", "role", "unit", "duty_share", "fte", "on_duty_min", "case_min", *ROUTINE_KINDS, "routine_min",
                 "busy_min", "overtime_min", "cases", "workload", "case_workload", "routine_workload"]


def staff_table(model: TownModel, cases: CaseColumns | None = None) -> pd.DataFrame:
    """One row per staff member, squad crew and hall window: on-duty, case and routine minutes.

    ``busy_min`` = case work + routine duties (patrol, household visits, information entry,
    liaison, supervision, meetings: sim/duties.py); ``workload`` = busy ÷ on-duty, with the
    case and routine parts beside it. Routine duties count for grid staff and village cadres.
    ``fte`` = duty share × working days a week ÷ 5 (a full-time post works five days a week).
    ``cases`` are the run's records (every case, warm-up included), read from its log when not given.
    """
    h = model.horizon
    reported = reported_per_grid(model, CaseColumns.of_log(model.log) if cases is None else cases)
    # Issue 14 shortcut: the table is built a column at a time (each person's unit, share,
    # on-duty and routine minutes noted in row order, then a list per column) instead of a dict
    # per row that pandas splits into columns (≈ 7 ms of a 30-day run's measures). Values, row
    # order, column order and dtypes are the same: a row without a field (a department's routine
    # duties, a crew's fte) gets the NaN the row-wise frame put there; ``tests/test_shortcuts.py``
    # compares the table with the frame of a dict per row.
    people: list[BookableStaff] = []
    units: list[str] = []
    shares: list[float] = []
    on_duty_min: list[float] = []
    routines: list[dict[str, float] | None] = []
    # On-duty minutes in [0, h) of each calendar, computed once: a thousand people share a few
    # rotas (``on_duty_minutes(0, h)`` and ``working_days(0, h)`` are this span, scaled). Kept by
    # the calendar object: hashing the frozen dataclass for every person cost more than the span.
    spans: dict[int, float] = {}

    def span_of(cal: DutyCalendar) -> float:
        if (span := spans.get(id(cal))) is None:
            span = spans[id(cal)] = cal.duty_time(h) - cal.duty_time(0.0)
        return span

    def routine_span(cal: DutyCalendar) -> float:
        """Give the calendar span a person's routine duties are counted over.

        On a rota of fewer than 7 days it is their own working weeks (working days × 7 ÷ days a
        week), so a meeting "an hour a week" is an hour per five working days, whichever weekdays
        the person's rota leaves inside the run.
        """
        if cal.days_per_week >= DAYS_PER_WEEK:
            return h
        return float(span_of(cal)) / cal.length * MINUTES_PER_DAY * DAYS_PER_WEEK / cal.days_per_week

    def add_booked(s: BookableStaff, unit: str, routine: Routine, *, patrol_share: float, households: float,
                   cases: int, sharers: int) -> None:
        """Add a grid worker's or a cadre's row: their on-duty minutes and their routine duties' minutes."""
        on_duty = span_of(s.calendar) * s.duty_share
        people.append(s)
        units.append(unit)
        shares.append(s.duty_share)
        on_duty_min.append(on_duty)
        routines.append(routine_minutes(routine, span_min=routine_span(s.calendar), on_duty_min=on_duty,
                                        patrol_share=patrol_share, households=households, cases=cases,
                                        sharers=sharers))

    roles = model.config.grid_staff.all_roles()
    for team in model.teams:
        grid = model.town.grids[team.grid]
        per_role: dict[str, int] = {}
        for s in team.members:
            per_role[s.role] = per_role.get(s.role, 0) + 1
        for s in team.members:
            add_booked(s, grid.id, roles[s.role].routine, patrol_share=s.patrol_share if "patrol" in s.duties else 0.0,
                       households=grid.households, cases=int(reported[grid.index]), sharers=per_role[s.role])
    village_reported = {v.name: sum(int(reported[g]) for g in v.grids) for v in model.town.villages}
    for v, cadres in zip(model.town.villages, model.cadres, strict=False):
        for s in cadres:
            add_booked(s, v.name, model.config.tiers.village_routine, patrol_share=0.0, households=v.households,
                       cases=village_reported[v.name], sharers=len(cadres))
    for dept in model.departments.values():
        unit = f"{dept.tier.key}:{dept.domain}"
        for s in dept.staff:
            people.append(s)
            units.append(unit)
            shares.append(1.0)
            on_duty_min.append(span_of(s.calendar) * s.duty_share)
            routines.append(None)
    col: dict[str, list[Any]] = {
        "id": [s.staff_id for s in people], "role": [s.role for s in people], "unit": units, "duty_share": shares,
        "fte": [_fte(s) for s in people], "on_duty_min": on_duty_min, "case_min": [s.busy_min for s in people],
        **{k: [math.nan if r is None else r[k] for r in routines] for k in ROUTINE_KINDS},
        "overtime_min": [s.overtime_min for s in people], "cases": [s.cases for s in people],
    }
    extra: list[dict[str, Any]] = []  # crews and hall windows: few rows, each with its own fields
    for squad in model.squads:
        duty = squad.calendar.duty_time(h)
        for c in squad.crews:
            extra.append({"id": c.crew_id, "role": StaffRole.SQUAD_CREW, "unit": squad.squad_id, "duty_share": 1.0,
                          "on_duty_min": duty, "case_min": c.busy_minutes(h), "overtime_min": c.overtime_min,
                          "cases": c.cases})
    if model.hall is not None:
        for r in hall_staff_rows(model):
            extra.append({**r, "duty_share": 1.0, "fte": model.hall.calendar.days_per_week / FULL_TIME_DAYS_PER_WEEK,
                          "case_min": r["busy_min"], "overtime_min": 0.0})
    for name, values in col.items():
        values.extend(r.get(name, math.nan) for r in extra)
    # The derived columns from arrays, in the order and with the operations the frame used: NaN
    # routine minutes as 0, their sum kind by kind left to right (DataFrame.sum(axis=1) adds a
    # row's six values in column order), workloads over on-duty minutes (NaN where none).
    num = {name: np.asarray(values, dtype=float) for name, values in col.items()
           if name not in ("id", "role", "unit", "cases")}
    for k in ROUTINE_KINDS:
        num[k] = np.where(np.isnan(num[k]), 0.0, num[k])
    routine_min = num[ROUTINE_KINDS[0]].copy()
    for k in ROUTINE_KINDS[1:]:
        routine_min += num[k]
    busy_min = num["case_min"] + routine_min
    minutes = num["on_duty_min"]
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.where(minutes > 0, minutes, math.nan)
        derived = {"routine_min": routine_min, "busy_min": busy_min, "workload": busy_min / per,
                   "case_workload": num["case_min"] / per, "routine_workload": routine_min / per}
    return pd.DataFrame({c: col[c] if c in ("id", "role", "unit") else
                         np.asarray(col[c], dtype=np.int64) if c == "cases" else
                         derived[c] if c in derived else num[c] for c in STAFF_COLUMNS})


def _fte(person: Any) -> float:
    """Full-time equivalents of one person: duty share of a five-day week (a 7-day rota counts 7/5)."""
    return float(person.duty_share * person.calendar.days_per_week / FULL_TIME_DAYS_PER_WEEK)


def staffing(model: TownModel, staff: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Headcount, full-time equivalents (``fte`` summed) and yearly cost, per role and in total.

    Squads count their officers on the roll (``officers_per_squad``), not the crews on the
    road; a hall window is one clerk. Cost is FTE × the scenario's salary for the role.
    """
    names, codes = role_codes(staff)
    people = codes != (names.index(StaffRole.SQUAD_CREW) if StaffRole.SQUAD_CREW in names else -1)
    by_role = pd.Series(staff.fte.to_numpy()[people]).groupby(codes[people])
    head: dict[str, float] = {names[k]: int(v) for k, v in by_role.size().items()}
    fte = {names[k]: v for k, v in by_role.sum().astype(float).to_dict().items()}
    cfg = model.config.squads
    officers = sum(cfg.officers_of(u) for u in cfg.units) if cfg.units else cfg.n * cfg.officers_per_squad
    if officers:
        head[SQUAD_OFFICER], fte[SQUAD_OFFICER] = officers, float(officers)
    salary = model.config.staff_cost.salary_per_year
    cost = {r: fte[r] * salary[r] for r in fte if r in salary}
    out = {"staff_headcount": head, "staff_fte": fte}
    head["total"] = sum(head.values())
    fte["total"] = float(sum(fte.values()))
    if cost:
        cost["total"] = float(sum(cost.values()))
        out["staff_cost_per_year"] = cost
    return out


def workload_by_role(staff: pd.DataFrame, months: float) -> dict[str, dict[str, float]]:
    """Mean and max workload per role, its case and routine parts, and overtime hours a month."""
    names, codes = role_codes(staff)
    g = staff.groupby(codes)

    def named(by_code: pd.Series) -> dict[str, float]:
        return {names[k]: v for k, v in by_code.to_dict().items()}
    return {
        "workload_mean": named(g.workload.mean().dropna()),
        "workload_max": named(g.workload.max().dropna()),
        "workload_case_mean": named(g.case_workload.mean().dropna()),
        "workload_routine_mean": named(g.routine_workload.mean().dropna()),
        "overtime_hours_per_month": named(g.overtime_min.sum() / MINUTES_PER_HOUR / months),
    }


def role_codes(staff: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    """Give the staff table's roles in sorted order, and each row's role as its index there.

    Issue 14 shortcut: grouping by these codes groups the rows as grouping by the role column
    does (the same groups, in the same sorted order, each group's rows in table order, so the
    same sums and means), without pandas factorising the column's strings for every group-by
    (≈ 0.5 ms each, four a summary). ``tests/test_shortcuts.py`` compares with the column.
    """
    names, codes = np.unique(staff.role.to_numpy(dtype=object), return_inverse=True)
    return [str(n) for n in names], codes


def department_measures(model: TownModel, staff: pd.DataFrame) -> dict[str, Any]:
    """Each staffed town or county department: staff, utilisation (case work ÷ on-duty), queue wait."""
    rows = []
    # The staff table's columns as arrays, each department's rows picked by a mask: the same
    # sums as the frame's (pandas sums a float column as NumPy does, NaN as 0: np.nansum), without
    # a frame per department (issue 14: a frame per mask was ≈ 15 ms of a 30-day run's measures).
    unit = staff.unit.to_numpy()
    cols = {c: staff[c].to_numpy() for c in ("on_duty_min", "case_min", "overtime_min", "cases")}
    for (tier, domain), dept in model.departments.items():
        mine = unit == f"{tier.key}:{domain}"
        duty = float(np.nansum(cols["on_duty_min"][mine]))
        rows.append({"tier": tier.key, "id": domain, "staff": len(dept.staff), "cases": int(np.nansum(cols["cases"][mine])),
                         "utilisation": float(np.nansum(cols["case_min"][mine])) / duty if duty else math.nan,
                         "wait_mean_min": float(np.mean(dept.waits)) if dept.waits else math.nan,
                         "overtime_hours": float(np.nansum(cols["overtime_min"][mine])) / MINUTES_PER_HOUR})
    out: dict[str, Any] = {"departments": rows}
    for key in ("utilisation", "wait_mean_min"):
        by_tier: dict[str, float] = {}
        for tier_key in ("town", "county"):
            if not any(r["tier"] == tier_key for r in rows):
                continue
            if key == "utilisation":
                ours = np.array([u.startswith(f"{tier_key}:") for u in unit.tolist()], dtype=bool)
                duty_sum = np.nansum(cols["on_duty_min"][ours])
                by_tier[tier_key] = float(np.nansum(cols["case_min"][ours]) / duty_sum) if duty_sum else math.nan
            else:
                waits = [w for (t, _), d in model.departments.items() if t.key == tier_key for w in d.waits]
                by_tier[tier_key] = float(np.mean(waits)) if waits else math.nan
        out[f"department_{key}"] = by_tier
    return out


def reported_per_grid(model: TownModel, cases: CaseColumns) -> np.ndarray:
    """Count the reported cases of each grid, by grid index (a count per grid, no label per case)."""
    grid = cases["grid"][~np.isnan(cases["reported_at"])]
    return np.bincount(grid, minlength=len(model.town.grids))


def published_tier_share(tier: np.ndarray, queued_at: np.ndarray) -> dict[str, float]:
    """Share cases by tier as published statistics count them, from Tier codes (-1: not resolved).

    A zoned squad's work on a case the grid reported is booked at grid level (the grid closes
    it), so only town departments and the Party's convened cases remain at town.
    """
    done = tier >= 0
    booked = np.where(~np.isnan(queued_at[done]) & (tier[done] == Tier.TOWN), Tier.GRID, tier[done])
    n = len(booked)
    return {t.key: float((booked == t).sum()) / n if n else math.nan for t in Tier}


def _limits(model: TownModel, category: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each case's response and close limits, and whether they run on working time, from category codes."""
    cats = model.categories
    # Looked up by category code: a value per category, then one take (a lambda per row made
    # an object array of names and one of results per limit: ≈ 20 MB a year of records).
    respond = np.array([c.respond_limit_min for c in cats], dtype=float)[category]
    close = np.array([c.close_limit_min for c in cats], dtype=float)[category]
    working = np.array([c.limit_clock == "working" for c in cats], dtype=bool)[category]
    return respond, close, working


def _in_categories(model: TownModel, category: np.ndarray, names: Collection[str]) -> np.ndarray:
    """Tell which cases' category is one of ``names``, from category codes."""
    return np.array([c.name in names for c in model.categories], dtype=bool)[category]


def _q(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if len(x) else math.nan


def on_time(reported: np.ndarray, done: np.ndarray, limit: np.ndarray, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """(hit, counted): done within limit; cases not done count only once their limit passed."""
    elapsed = done - reported
    finished = ~np.isnan(done)
    hit = finished & (elapsed <= limit)
    counted = finished | (reported + limit <= horizon)
    return hit, counted


def on_time_by_clock(model: TownModel, reported: np.ndarray, done: np.ndarray, limit: np.ndarray,
                     working: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``on_time`` with the limits of ``working`` cases counted in the town's working time."""
    hit, counted = on_time(reported, done, limit, model.horizon)
    if working.any():
        due = model.centre.clock.due_many(working, reported, limit)
        finished = ~np.isnan(done)
        hit = np.where(working, finished & (done <= due), hit)
        counted = np.where(working, finished | (due <= model.horizon), counted)
    return hit, counted


CHUNK = 1 << 16  # cases per step of the on-time checks: their temporaries stay the same size over any horizon


def _on_time_of_category(model: TownModel, category: np.ndarray, reported: np.ndarray, done: np.ndarray,
                         limit: Literal["respond", "close"]) -> tuple[np.ndarray, np.ndarray]:
    """``on_time_by_clock`` against each case's category limit, ``CHUNK`` cases at a time (case by case the same)."""
    hit, counted = np.empty(len(reported), dtype=bool), np.empty(len(reported), dtype=bool)
    for lo in range(0, len(reported), CHUNK):
        part = slice(lo, lo + CHUNK)
        respond, close, working = _limits(model, category[part])
        hit[part], counted[part] = on_time_by_clock(model, reported[part], done[part],
                                                    respond if limit == "respond" else close, working)
    return hit, counted


def fifteen_minute_share(reported: np.ndarray, arrived: np.ndarray, in_class: np.ndarray, now: float,
                         among: np.ndarray | None = None) -> float:
    """Share of reported 15-minute-class cases with someone on scene within 15 minutes.

    A case still waiting counts once its 15 minutes have passed (``among`` narrows the cases).
    """
    hit, counted = on_time(reported, arrived, np.full_like(reported, FIFTEEN), now)
    sel = in_class & ~np.isnan(reported) & counted
    if among is not None:
        sel &= among
    return float(hit[sel].mean()) if sel.any() else math.nan


def channel_shares(channels: np.ndarray) -> dict[str, float]:
    """Share of the reported cases by the channel that reported them, from Channel codes.

    Most frequent first; channels equally frequent in the order they first appear (as
    pandas' ``value_counts`` orders them, which summary.json used before).
    """
    codes, first, counts = np.unique(channels, return_index=True, return_counts=True)
    seen = np.argsort(first, kind="stable")
    codes, counts = codes[seen], counts[seen]
    order = np.argsort(-counts, kind="stable")
    shares = counts / counts.sum()
    return {Channel(int(codes[k])).key: float(shares[k]) for k in order}


def tier_shares(tiers: np.ndarray) -> dict[str, float]:
    """Share of the resolved cases resolved at each tier, from Tier codes (-1: not resolved)."""
    resolved = tiers[tiers >= 0]
    return {t.key: float((resolved == t).sum()) / len(resolved) if len(resolved) else math.nan for t in Tier}


def workload_gini_so_far(model: TownModel, now: float) -> dict[str, float]:
    """Gini of busy ÷ on-duty minutes up to ``now``, for grid workers and squad crews.

    The live view of ``workload_gini``: full-time grid workers and squad crews only.
    """
    w = [s.busy_minutes_so_far(now) / duty for team in model.teams for s in team.members
         if s.role == GridRole.WORKER and (duty := s.on_duty_minutes(0, now)) > 0]
    crews = [c.busy_minutes(now) / duty for squad in model.squads
             if (duty := squad.calendar.duty_time(now)) > 0 for c in squad.crews]
    return {GridRole.WORKER: gini(np.array(w)) if w else math.nan,
            StaffRole.SQUAD_CREW: gini(np.array(crews)) if crews else math.nan}


def _team_workload(members: list[Any], on_duty: np.ndarray, busy: np.ndarray, row_of: dict[str, int]) -> float:
    """Pool a grid team's busy minutes (case work and routine duties) over its on-duty minutes.

    This is the staff table's workload, pooled over the team (its rows by position: a label
    look-up in the table per team was most of the grid table's time).
    """
    rows = [row_of[m.staff_id] for m in members]
    duty = float(on_duty[rows].sum())
    return float(busy[rows].sum()) / duty if duty > 0 else math.nan


def grid_table(model: TownModel, cases: CaseColumns | None = None, staff: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per grid: households, staff, incidents per month, times, on-time shares and the score.

    ``cases`` are the run's records (read from its log when not given), counted after the
    warm-up; ``staff`` is the run's staff table (``staff_table``), made here when not given.
    Each count is a sum per grid index over one column at a time (``np.bincount``).
    """
    ev = model.config.evaluation
    cases = CaseColumns.of_log(model.log) if cases is None else cases
    table = staff_table(model, cases) if staff is None else staff
    row_of = {sid: k for k, sid in enumerate(table["id"].tolist())}
    on_duty, busy = table.on_duty_min.to_numpy(float), table.busy_min.to_numpy(float)
    cases = cases.since(model.config.run.warmup_days * MINUTES_PER_DAY)
    n = len(model.town.grids)
    counts = {k: np.zeros(n, dtype=np.int64) for k in ("incidents", "f_hit", "f_cnt", "r_hit", "r_cnt", "c_hit",
                                                         "c_cnt", "first_time", "closed")}
    found_grid, found = [], []
    for part in cases.chunks():  # counts per grid added chunk by chunk: the temporaries of one chunk at a time
        grid = part["grid"]
        category = part["category"]
        rep, arr, clo = part["reported_at"], part["arrived_at"], part["closed_at"]
        reported = ~np.isnan(rep)
        r_hit, r_cnt = _on_time_of_category(model, category, rep, arr, "respond")
        c_hit, c_cnt = _on_time_of_category(model, category, rep, clo, "close")
        fifteen = reported & _in_categories(model, category, model.config.fifteen_minute_categories)
        f_hit, f_cnt = on_time(rep, arr, np.full_like(rep, FIFTEEN), model.horizon)
        closed = ~np.isnan(clo)
        for key, mask in (("incidents", None), ("f_hit", f_hit & fifteen), ("f_cnt", f_cnt & fifteen),
                          ("r_hit", r_hit & reported), ("r_cnt", r_cnt & reported),
                          ("c_hit", c_hit & reported), ("c_cnt", c_cnt & reported),
                          ("first_time", closed & (part["reworks"] == 0)), ("closed", closed)):
            counts[key] += np.bincount(grid if mask is None else grid[mask], minlength=n)
        found_grid.append(grid[reported])
        found.append((rep - part["occurred_at"])[reported])
    out = pd.DataFrame([
        {"grid": gr.id, "village": model.town.villages[gr.village].name, "land_use": gr.land_use,
             "households": gr.households, "area_km2": gr.area_km2, "street_km": gr.street_km,
             "staff": len(model.teams[gr.index].members),
             "workload": _team_workload(model.teams[gr.index].members, on_duty, busy, row_of)}
        for gr in model.town.grids
    ])
    out["incidents"] = counts["incidents"]
    out["discovery_p50_min"] = _median_per_grid(np.concatenate(found_grid), np.concatenate(found), n)
    months = max(model.horizon - model.config.run.warmup_days * MINUTES_PER_DAY, 1.0) / MINUTES_PER_DAY / DAYS_PER_MONTH
    out["incidents_per_month"] = out.incidents / months
    with np.errstate(invalid="ignore", divide="ignore"):  # a grid with none counted: NaN
        out["share_within_15min"] = counts["f_hit"] / counts["f_cnt"]
        out["response_on_time_share"] = counts["r_hit"] / counts["r_cnt"]
        out["closure_on_time_share"] = counts["c_hit"] / counts["c_cnt"]
        out["verified_first_time_share"] = counts["first_time"] / counts["closed"]
    w = np.array([ev.on_time_weight, ev.response_weight, ev.verified_first_time_weight])
    parts = out[["closure_on_time_share", "response_on_time_share", "verified_first_time_share"]].fillna(1.0)
    out["score"] = 100 * (parts.to_numpy() @ w) / (w.sum() or 1)
    return out


def _median_per_grid(grid: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Median of ``values`` per grid index (NaN for a grid without any): one sort, then each grid's slice."""
    order = np.argsort(grid, kind="stable")
    per = np.split(values[order], np.cumsum(np.bincount(grid, minlength=n))[:-1])
    return np.array([np.median(v) if len(v) else math.nan for v in per])


def squad_queue(model: TownModel, cases: CaseColumns) -> dict[str, float]:
    """Measure the squads' queue: P(wait), mean wait, Little's law L = λW, and preemptions.

    The mean wait of a preempted call sums every spell it spent in the queue.
    """
    wait = cases["squad_wait"]
    wait = wait[~np.isnan(wait)]
    span = model.horizon - model.config.run.warmup_days * MINUTES_PER_DAY
    if not len(wait) or span <= 0:
        return {"squad_offered_load": math.nan, "squad_wait_share": math.nan, "squad_wait_mean_min": math.nan,
                "squad_queue_littles_ratio": math.nan, "squad_preemptions": float(model.centre.preemptions)}
    w = float(wait.mean())
    lam = len(wait) / span
    crews = [c for sq in model.squads for c in sq.crews]
    served = sum(c.cases for c in crews)
    busy = sum(c.busy_minutes(model.horizon) for c in crews)
    duty = sum(sq.calendar.duty_time(model.horizon) * len(sq.crews) for sq in model.squads)
    return {
        # Offered load ρ: every call (served, or still waiting at the end) at the mean busy time
        # per served call, over the crews' on-duty time. Measured utilisation cannot pass 100%
        # on a round-the-clock shift however long the queue grows; ρ ≥ 1 says it is growing.
        "squad_offered_load": (served + len(model.centre.queue)) * busy / served / duty if served and duty else math.nan,
        "squad_wait_share": float((wait > 1e-9).mean()),
        "squad_wait_mean_min": w,
        "squad_queue_littles_ratio": model.centre.mean_queue_length() / (lam * w) if w > 0 else math.nan,
        "squad_preemptions": float(model.centre.preemptions),  # crews taken off a job for a graver call
    }


def case_measures(model: TownModel, cases: CaseColumns, months: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Compute the summary's measures of the cases themselves (counts, times, shares) and its rows per category.

    Columns are read when a measure needs them and let go when it is done, and the on-time
    checks run a chunk of cases at a time, so a long run's end holds a few columns (8 bytes
    a case each) rather than a frame of every measured field.
    """
    sc = model.config
    category = cases["category"]
    rep = cases["reported_at"]
    reported = ~np.isnan(rep)
    channels = channel_shares(cases["channel"][reported])
    occ = cases["occurred_at"]
    discovery = _q((rep - occ)[reported], 0.5)
    arr = cases["arrived_at"]
    to_scene = (arr - occ)[~np.isnan(arr)]
    scene = _q(to_scene, 0.5), _q(to_scene, 0.9)
    del to_scene
    clo = cases["closed_at"]
    to_close = (clo - occ)[~np.isnan(clo)]
    closure = _q(to_close, 0.5), _q(to_close, 0.9)
    del to_close, occ
    closure_p50 = _q((clo - rep)[~np.isnan(clo)], 0.5)
    c_hit, c_cnt = _on_time_of_category(model, category, rep, clo, "close")
    judged = reported & c_cnt
    closure_on_time = float(c_hit[judged].mean()) if judged.any() else math.nan
    # Closed at all, of the reported cases whose close limit has passed (DESIGN §2: good systems 99%+).
    closed_share = float((~np.isnan(clo[judged])).mean()) if judged.any() else math.nan
    del clo, judged
    resp = arr - rep
    has_resp = ~np.isnan(resp)
    in_class = _in_categories(model, category, sc.fifteen_minute_categories)
    queued_at = cases["queued_at"]
    within = fifteen_minute_share(rep, arr, in_class, model.horizon)
    # The same, for the cases the centre had to send a squad to (not settled by the finder).
    within_dispatched = fifteen_minute_share(rep, arr, in_class, model.horizon, ~np.isnan(queued_at))
    del arr, in_class
    tier = cases["tier"]
    tier_share = tier_shares(tier)
    by_category = []
    for code, c in enumerate(model.categories):
        m = category == code
        hit, cnt = c_hit[m], c_cnt[m]
        by_category.append({
            "category": c.name, "incidents": int(m.sum()), "reported": int((m & reported).sum()),
            "response_p50_min": _q(resp[m & has_resp], 0.5),
            "closure_on_time_share": float(hit[cnt].mean()) if cnt.any() else math.nan,
        })
    n = len(rep)
    return {
        "incidents": n,
        "reported": int(reported.sum()),
        "unreported_share": float(1 - reported.mean()) if n else math.nan,
        "events_per_grid_per_month": n / len(model.town.grids) / months,
        "channel_share": channels,
        "discovery_p50_min": discovery,
        "response_p50_min": _q(resp[has_resp], 0.5),
        "response_p90_min": _q(resp[has_resp], 0.9),
        "response_mean_min": float(resp[has_resp].mean()) if has_resp.any() else math.nan,
        "share_within_15min": within,
        "share_within_15min_dispatched": within_dispatched,
        "closure_p50_min": closure_p50,
        # What a resident lives through: from the problem arising, where grid size shows.
        "problem_to_scene_p50_min": scene[0],
        "problem_to_scene_p90_min": scene[1],
        "problem_to_closure_p50_min": closure[0],
        "problem_to_closure_p90_min": closure[1],
        "closure_on_time_share": closure_on_time,
        "closed_share": closed_share,
        "tier_share": tier_share,
        "tier_share_published": published_tier_share(tier, queued_at),
        "grid_village_share": tier_share["grid"] + tier_share["village"],
    }, by_category


def summarize(model: TownModel, cases: CaseColumns | None, staff: pd.DataFrame) -> dict[str, Any]:
    """Compute the summary of one replication (the keys of summary.json).

    ``cases`` are the run's records (read from its log when None), counted after the warm-up;
    ``staff`` is its staff table (``staff_table``).
    """
    sc = model.config
    warm = sc.run.warmup_days * MINUTES_PER_DAY
    cases = (CaseColumns.of_log(model.log) if cases is None else cases).since(warm)
    months = max(model.horizon - warm, 1.0) / MINUTES_PER_DAY / DAYS_PER_MONTH
    of_cases, by_category = case_measures(model, cases, months)

    gini_by_role, cv_by_role, maxmean_by_role = {}, {}, {}
    names, codes = role_codes(staff)  # each role's rows in table order, roles sorted: as groupby("role")
    workload = staff.workload.to_numpy()
    for code, role in enumerate(names):
        w = workload[codes == code]
        w = w[~np.isnan(w)]
        if len(w) and w.sum() > 0:
            gini_by_role[role] = gini(w)
            cv_by_role[role] = float(w.std() / w.mean())
            maxmean_by_role[role] = float(w.max() / w.mean())

    crew_rows = (staff.role == StaffRole.SQUAD_CREW).to_numpy()  # each squad's rows by a mask, as in department_measures
    unit, busy, duty = staff.unit.to_numpy(), staff.busy_min.to_numpy(), staff.on_duty_min.to_numpy()
    total_calls = sum(s.calls for s in model.squads)
    squads = []
    for s in model.squads:
        mine = crew_rows & (unit == s.squad_id)
        duty_sum = np.nansum(duty[mine])
        squads.append({
            "id": s.squad_id,
            "crews": len(s.crews),
            "utilisation": float(np.nansum(busy[mine]) / duty_sum) if duty_sum else math.nan,
            "calls_share": s.calls / total_calls if total_calls else math.nan,
            "outside_zone_share": s.outside_zone_calls / s.calls if s.calls else math.nan,
        })
    backlog = np.asarray(model.datacollector.model_vars["backlog"])

    summary = {
        "scenario": sc.meta.name,
        "seed": model.seed_value,
        "days": model.days,
        "grids": len(model.town.grids),
        **of_cases,
        "workload_gini": gini_by_role,
        "workload_cv": cv_by_role,
        "workload_max_over_mean": maxmean_by_role,
        **workload_by_role(staff, months),
        **staffing(model, staff),
        **department_measures(model, staff),
        "squads": squads,
        "backlog_mean": float(backlog.mean()),
        "backlog_end": int(backlog[-1]),
        **squad_queue(model, cases),
        "overdue_alarms": int(model.centre.alarms_raised),
        "by_category": by_category,
        **(hall_summary(model) if model.hall is not None else {}),
    }
    found = (list(model.town.warnings) + town_warnings(sc, model.town) + threshold_warnings(sc)
             + utilisation_warnings(summary_servers(summary)) + overload_warnings(staff))
    summary["warnings"] = as_dicts(found)
    return summary


# A squad's entries that are measures (its other entries, id and crews, describe it).
SQUAD_MEASURES = ("utilisation", "calls_share", "outside_zone_share")


def flat_items(summary: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Each entry of a summary under its flat name: ``name``, ``group.key`` or ``squads.ID.key``.

    The one naming of measures in tables, sweeps and the terminal. An entry that is a mean
    with its CI (a combined summary's) stays whole; callers keep the values they can show.
    """
    for k, v in summary.items():
        if k == "squads" and isinstance(v, list):
            for squad in v:
                yield from ((f"squads.{squad['id']}.{m}", squad[m]) for m in SQUAD_MEASURES if m in squad)
        elif isinstance(v, dict) and "mean" not in v:
            yield from ((f"{k}.{kk}", vv) for kk, vv in v.items())
        else:
            yield k, v


def is_number(v: Any) -> bool:
    """Whether ``v`` is a plain number (a bool is not one)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def flat(summary: dict[str, Any]) -> dict[str, float]:
    """Numeric measures of a summary by flat name → value (for tables and CIs)."""
    return {k: float(v) for k, v in flat_items(summary) if k != "seed" and is_number(v)}
