"""The measures of DESIGN.md §4, computed from the closed-loop records and staff tallies.

Names here are the names everywhere (CLI, files, report, dashboard). Cases still open at
the end of the run are censored honestly: a case counts as late once its limit has passed,
and is left out while its limit is still ahead.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

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
    GridRole,
    StaffRole,
    Tier,
)
from sim.warnings import as_dicts

if TYPE_CHECKING:
    from sim.model import TownModel

FIFTEEN = 15.0
SQUAD_OFFICER = "squad_officer"  # a person on a squad's roll (staff counts); crews are what is dispatched


STAFF_COLUMNS = ["id", "role", "unit", "duty_share", "fte", "on_duty_min", "case_min", *ROUTINE_KINDS, "routine_min",
                 "busy_min", "overtime_min", "cases", "workload", "case_workload", "routine_workload"]


def staff_table(model: TownModel, records: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per staff member, squad crew and hall window: on-duty, case and routine minutes.

    ``busy_min`` = case work + routine duties (patrol, household visits, information entry,
    liaison, supervision, meetings: sim/duties.py); ``workload`` = busy ÷ on-duty, with the
    case and routine parts beside it. Routine duties count for grid staff and village cadres.
    ``fte`` = duty share × working days a week ÷ 5 (a full-time post works five days a week).
    """
    h = model.horizon
    rec = model.log.frame() if records is None else records
    reported = rec.loc[rec.reported_at.notna(), "grid"].value_counts()  # by grid id (no string per case)
    rows: list[dict[str, Any]] = []
    for team in model.teams:
        grid = model.town.grids[team.grid]
        per_role: dict[str, int] = {}
        for s in team.members:
            per_role[s.role] = per_role.get(s.role, 0) + 1
        roles = model.config.grid_staff.all_roles()
        for s in team.members:
            on_duty = s.on_duty_minutes(0, h)
            routine = routine_minutes(
                roles[s.role].routine, span_min=_routine_span(s, h), on_duty_min=on_duty,
                patrol_share=s.patrol_share if "patrol" in s.duties else 0.0, households=grid.households,
                cases=int(reported.get(grid.id, 0)), sharers=per_role[s.role])
            rows.append(dict(id=s.staff_id, role=s.role, unit=grid.id, duty_share=s.duty_share, fte=_fte(s), on_duty_min=on_duty,
                             case_min=s.busy_min, overtime_min=s.overtime_min, cases=s.cases, **routine))
    village_reported = {v.name: sum(int(reported.get(model.town.grids[g].id, 0)) for g in v.grids)
                        for v in model.town.villages}
    for v, cadres in zip(model.town.villages, model.cadres, strict=False):
        for s in cadres:
            on_duty = s.on_duty_minutes(0, h)
            routine = routine_minutes(model.config.tiers.village_routine, span_min=_routine_span(s, h), on_duty_min=on_duty,
                                      patrol_share=0.0, households=v.households, cases=village_reported[v.name],
                                      sharers=len(cadres))
            rows.append(dict(id=s.staff_id, role=s.role, unit=v.name, duty_share=s.duty_share, fte=_fte(s), on_duty_min=on_duty,
                             case_min=s.busy_min, overtime_min=s.overtime_min, cases=s.cases, **routine))
    for dept in model.departments.values():
        for s in dept.staff:
            rows.append({"id": s.staff_id, "role": s.role, "unit": f"{dept.tier.key}:{dept.domain}", "duty_share": 1.0,
                         "fte": _fte(s),
                             "on_duty_min": s.on_duty_minutes(0, h), "case_min": s.busy_min, "overtime_min": s.overtime_min,
                             "cases": s.cases})
    for squad in model.squads:
        duty = squad.calendar.duty_time(h)
        for c in squad.crews:
            rows.append({"id": c.crew_id, "role": StaffRole.SQUAD_CREW, "unit": squad.squad_id, "duty_share": 1.0,
                             "on_duty_min": duty, "case_min": c.busy_minutes(h), "overtime_min": c.overtime_min, "cases": c.cases})
    if model.hall is not None:
        for r in hall_staff_rows(model):
            rows.append({**r, "duty_share": 1.0, "fte": model.hall.calendar.days_per_week / FULL_TIME_DAYS_PER_WEEK,
                         "case_min": r["busy_min"], "overtime_min": 0.0})
    df = pd.DataFrame(rows).reindex(columns=STAFF_COLUMNS)
    df[list(ROUTINE_KINDS)] = df[list(ROUTINE_KINDS)].fillna(0.0)
    df["routine_min"] = df[list(ROUTINE_KINDS)].sum(axis=1)
    df["busy_min"] = df.case_min + df.routine_min
    duty = df.on_duty_min.where(df.on_duty_min > 0)
    df["workload"] = df.busy_min / duty
    df["case_workload"] = df.case_min / duty
    df["routine_workload"] = df.routine_min / duty
    return df


def _routine_span(person: Any, horizon: float) -> float:
    """Give the calendar span whose weeks and months a person's routine duties are counted over.

    On a rota of fewer than 7 days it is their own working weeks (working days × 7 ÷ days a
    week), so a meeting "an hour a week" is an hour per five working days, whichever weekdays
    the person's rota leaves inside the run.
    """
    cal = person.calendar
    if cal.days_per_week >= DAYS_PER_WEEK:
        return horizon
    return cal.working_days(0.0, horizon) * MINUTES_PER_DAY * DAYS_PER_WEEK / cal.days_per_week


def _fte(person: Any) -> float:
    """Full-time equivalents of one person: duty share of a five-day week (a 7-day rota counts 7/5)."""
    return float(person.duty_share * person.calendar.days_per_week / FULL_TIME_DAYS_PER_WEEK)


def staffing(model: TownModel, staff: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Headcount, full-time equivalents (``fte`` summed) and yearly cost, per role and in total.

    Squads count their officers on the roll (``officers_per_squad``), not the crews on the
    road; a hall window is one clerk. Cost is FTE × the scenario's salary for the role.
    """
    people = staff[staff.role != StaffRole.SQUAD_CREW]
    head: dict[str, float] = {k: int(v) for k, v in people.groupby("role").size().items()}
    fte = people.groupby("role").fte.sum().astype(float).to_dict()
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
    g = staff.groupby("role")
    return {
        "workload_mean": g.workload.mean().dropna().to_dict(),
        "workload_max": g.workload.max().dropna().to_dict(),
        "workload_case_mean": g.case_workload.mean().dropna().to_dict(),
        "workload_routine_mean": g.routine_workload.mean().dropna().to_dict(),
        "overtime_hours_per_month": (g.overtime_min.sum() / 60.0 / months).to_dict(),
    }


def department_measures(model: TownModel, staff: pd.DataFrame) -> dict[str, Any]:
    """Each staffed town or county department: staff, utilisation (case work ÷ on-duty), queue wait."""
    rows = []
    for (tier, domain), dept in model.departments.items():
        s = staff[staff.unit == f"{tier.key}:{domain}"]
        duty = float(s.on_duty_min.sum())
        rows.append({"tier": tier.key, "id": domain, "staff": len(dept.staff), "cases": int(s.cases.sum()),
                         "utilisation": float(s.case_min.sum()) / duty if duty else math.nan,
                         "wait_mean_min": float(np.mean(dept.waits)) if dept.waits else math.nan,
                         "overtime_hours": float(s.overtime_min.sum()) / 60.0})
    out: dict[str, Any] = {"departments": rows}
    for key in ("utilisation", "wait_mean_min"):
        by_tier: dict[str, float] = {}
        for tier_key in ("town", "county"):
            if not any(r["tier"] == tier_key for r in rows):
                continue
            if key == "utilisation":
                s = staff[staff.unit.str.startswith(f"{tier_key}:")]
                by_tier[tier_key] = float(s.case_min.sum() / s.on_duty_min.sum()) if s.on_duty_min.sum() else math.nan
            else:
                waits = [w for (t, _), d in model.departments.items() if t.key == tier_key for w in d.waits]
                by_tier[tier_key] = float(np.mean(waits)) if waits else math.nan
        out[f"department_{key}"] = by_tier
    return out


def published_tier_share(rec: pd.DataFrame) -> dict[str, float]:
    """Share cases by tier as published statistics count them.

    A zoned squad's work on a case the grid reported is booked at grid level (the grid closes
    it), so only town departments and the Party's convened cases remain at town.
    """
    done = rec.loc[rec.tier.notna(), ["tier", "queued_at"]]  # the two columns read, not a copy of every field
    tiers = _labels(done.tier)
    squad = done.queued_at.notna().to_numpy() & (tiers == "town")
    booked = np.where(squad, "grid", tiers)
    n = len(booked)
    return {t.key: float((booked == t.key).sum()) / n if n else math.nan for t in Tier}


def _limits(model: TownModel, records: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each case's response and close limits, and whether they run on working time."""
    cats = {c.name: c for c in model.categories}
    category = records["category"].astype("category")
    names, codes = category.cat.categories, category.cat.codes.to_numpy()
    # Looked up by category code: a value per category, then one take (a lambda per row made
    # an object array of names and one of results per limit: ≈ 20 MB a year of records).
    respond = np.array([cats[n].respond_limit_min for n in names], dtype=float)[codes]
    close = np.array([cats[n].close_limit_min for n in names], dtype=float)[codes]
    working = np.array([cats[n].limit_clock == "working" for n in names], dtype=bool)[codes]
    return respond, close, working


def _labels(column: pd.Series) -> np.ndarray:
    """Give a categorical column's labels, one per row, as the category objects themselves (NaN where missing).

    ``astype(str)`` would make a string per row (≈ 60 bytes a case at the end of a run).
    """
    column = column.astype("category")
    labels = np.array([*column.cat.categories, math.nan], dtype=object)
    return labels[column.cat.codes.to_numpy()]  # code -1 (missing) picks the NaN at the end


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


def grid_table(model: TownModel, records: pd.DataFrame, staff: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per grid: households, staff, incidents per month, times, on-time shares and the score.

    ``staff`` is the run's staff table (``staff_table``), made here when not given.
    """
    ev = model.config.evaluation
    table = staff_table(model, records) if staff is None else staff
    row_of = {sid: k for k, sid in enumerate(table["id"].tolist())}
    on_duty, busy = table.on_duty_min.to_numpy(float), table.busy_min.to_numpy(float)
    records = records[records.occurred_at >= model.config.run.warmup_days * MINUTES_PER_DAY]
    respond, close, working = _limits(model, records)
    rep = records.reported_at.to_numpy(float)
    r_hit, r_cnt = on_time_by_clock(model, rep, records.arrived_at.to_numpy(float), respond, working)
    c_hit, c_cnt = on_time_by_clock(model, rep, records.closed_at.to_numpy(float), close, working)
    closed = ~records.closed_at.isna()
    fifteen = ~np.isnan(rep) & records.category.isin(model.config.fifteen_minute_categories).to_numpy()
    f_hit, f_cnt = on_time(rep, records.arrived_at.to_numpy(float), np.full_like(rep, FIFTEEN), model.horizon)
    df = pd.DataFrame({
        "grid": records.grid.astype(str),
        "f_hit": f_hit & fifteen, "f_cnt": f_cnt & fifteen,
        "r_hit": r_hit & ~np.isnan(rep), "r_cnt": r_cnt & ~np.isnan(rep),
        "c_hit": c_hit & ~np.isnan(rep), "c_cnt": c_cnt & ~np.isnan(rep),
        "first_time": closed & (records.reworks == 0), "closed": closed,
        "found_min": records.reported_at - records.occurred_at,
    })
    g = df.groupby("grid").agg(
        incidents=("grid", "size"), f_hit=("f_hit", "sum"), f_cnt=("f_cnt", "sum"),
        r_hit=("r_hit", "sum"), r_cnt=("r_cnt", "sum"),
        c_hit=("c_hit", "sum"), c_cnt=("c_cnt", "sum"), first_time=("first_time", "sum"),
        closed=("closed", "sum"), discovery_p50_min=("found_min", "median"),
    )
    base = pd.DataFrame([
        {"grid": gr.id, "village": model.town.villages[gr.village].name, "land_use": gr.land_use,
             "households": gr.households, "area_km2": gr.area_km2, "street_km": gr.street_km,
             "staff": len(model.teams[gr.index].members),
             "workload": _team_workload(model.teams[gr.index].members, on_duty, busy, row_of)}
        for gr in model.town.grids
    ]).set_index("grid")
    out = base.join(g).fillna({"incidents": 0})
    months = max(model.horizon - model.config.run.warmup_days * MINUTES_PER_DAY, 1.0) / MINUTES_PER_DAY / DAYS_PER_MONTH
    out["incidents_per_month"] = out.incidents / months
    out["share_within_15min"] = out.f_hit / out.f_cnt
    out["response_on_time_share"] = out.r_hit / out.r_cnt
    out["closure_on_time_share"] = out.c_hit / out.c_cnt
    out["verified_first_time_share"] = out.first_time / out.closed
    w = np.array([ev.on_time_weight, ev.response_weight, ev.verified_first_time_weight])
    parts = out[["closure_on_time_share", "response_on_time_share", "verified_first_time_share"]].fillna(1.0)
    out["score"] = 100 * (parts.to_numpy() @ w) / (w.sum() or 1)
    return out.drop(columns=["f_hit", "f_cnt", "r_hit", "r_cnt", "c_hit", "c_cnt", "first_time", "closed"]).reset_index()


def squad_queue(model: TownModel, rec: pd.DataFrame) -> dict[str, float]:
    """Measure the squads' queue: P(wait), mean wait, Little's law L = λW, and preemptions.

    The mean wait of a preempted call sums every spell it spent in the queue.
    """
    wait = rec.squad_wait.to_numpy(float)
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


def summarize(model: TownModel, records: pd.DataFrame, staff: pd.DataFrame) -> dict[str, Any]:
    """Compute the summary of one replication (the keys of summary.json)."""
    sc = model.config
    warm = sc.run.warmup_days * MINUTES_PER_DAY
    rec = records[records.occurred_at >= warm]
    _respond, close, working = _limits(model, rec)
    rep = rec.reported_at.to_numpy(float)
    arr = rec.arrived_at.to_numpy(float)
    clo = rec.closed_at.to_numpy(float)
    reported = ~np.isnan(rep)
    resp = arr - rep
    has_resp = ~np.isnan(resp)
    in_class = rec.category.isin(sc.fifteen_minute_categories).to_numpy()  # by category, no string per case
    squad_called = ~rec.queued_at.isna().to_numpy()
    c_hit, c_cnt = on_time_by_clock(model, rep, clo, close, working)
    tier_share = tier_shares(pd.Categorical(rec.tier, categories=Tier.keys()).codes)
    months = max(model.horizon - warm, 1.0) / MINUTES_PER_DAY / DAYS_PER_MONTH
    channels = rec.channel.astype(str)[reported].value_counts(normalize=True)
    occ = rec.occurred_at.to_numpy(float)
    to_scene = (arr - occ)[~np.isnan(arr)]
    to_close = (clo - occ)[~np.isnan(clo)]

    gini_by_role, cv_by_role, maxmean_by_role = {}, {}, {}
    for role, g in staff.groupby("role"):
        w = g.workload.dropna().to_numpy()
        if len(w) and w.sum() > 0:
            gini_by_role[role] = gini(w)
            cv_by_role[role] = float(w.std() / w.mean())
            maxmean_by_role[role] = float(w.max() / w.mean())

    crews = staff[staff.role == StaffRole.SQUAD_CREW]
    total_calls = sum(s.calls for s in model.squads)
    squads = []
    for s in model.squads:
        c = crews[crews.unit == s.squad_id]
        squads.append({
            "id": s.squad_id,
            "crews": len(s.crews),
            "utilisation": float(c.busy_min.sum() / c.on_duty_min.sum()) if c.on_duty_min.sum() else math.nan,
            "calls_share": s.calls / total_calls if total_calls else math.nan,
            "outside_zone_share": s.outside_zone_calls / s.calls if s.calls else math.nan,
        })
    backlog = model.datacollector.get_model_vars_dataframe()["backlog"]

    by_category = []
    names = _labels(rec.category)
    for c in model.categories:
        m = names == c.name
        rm = m & reported
        hit, cnt = c_hit[m], c_cnt[m]
        by_category.append({
            "category": c.name, "incidents": int(m.sum()), "reported": int(rm.sum()),
            "response_p50_min": _q(resp[m & has_resp], 0.5),
            "closure_on_time_share": float(hit[cnt].mean()) if cnt.any() else math.nan,
        })

    summary = {
        "scenario": sc.meta.name,
        "seed": model.seed_value,
        "days": model.days,
        "grids": len(model.town.grids),
        "incidents": len(rec),
        "reported": int(reported.sum()),
        "unreported_share": float(1 - reported.mean()) if len(rec) else math.nan,
        "events_per_grid_per_month": len(rec) / len(model.town.grids) / months,
        "channel_share": {k: float(v) for k, v in channels.items()},
        "discovery_p50_min": _q((rep - rec.occurred_at.to_numpy(float))[reported], 0.5),
        "response_p50_min": _q(resp[has_resp], 0.5),
        "response_p90_min": _q(resp[has_resp], 0.9),
        "response_mean_min": float(resp[has_resp].mean()) if has_resp.any() else math.nan,
        "share_within_15min": fifteen_minute_share(rep, arr, in_class, model.horizon),
        # The same, for the cases the centre had to send a squad to (not settled by the finder).
        "share_within_15min_dispatched": fifteen_minute_share(rep, arr, in_class, model.horizon, squad_called),
        "closure_p50_min": _q((clo - rep)[~np.isnan(clo)], 0.5),
        # What a resident lives through: from the problem arising, where grid size shows.
        "problem_to_scene_p50_min": _q(to_scene, 0.5),
        "problem_to_scene_p90_min": _q(to_scene, 0.9),
        "problem_to_closure_p50_min": _q(to_close, 0.5),
        "problem_to_closure_p90_min": _q(to_close, 0.9),
        "closure_on_time_share": float(c_hit[reported & c_cnt].mean()) if (reported & c_cnt).any() else math.nan,
        # Closed at all, of the reported cases whose close limit has passed (DESIGN §2: good systems 99%+).
        "closed_share": float((~np.isnan(clo[reported & c_cnt])).mean()) if (reported & c_cnt).any() else math.nan,
        "tier_share": tier_share,
        "tier_share_published": published_tier_share(rec),
        "grid_village_share": tier_share["grid"] + tier_share["village"],
        "workload_gini": gini_by_role,
        "workload_cv": cv_by_role,
        "workload_max_over_mean": maxmean_by_role,
        **workload_by_role(staff, months),
        **staffing(model, staff),
        **department_measures(model, staff),
        "squads": squads,
        "backlog_mean": float(backlog.mean()),
        "backlog_end": int(backlog.iloc[-1]),
        **squad_queue(model, rec),
        "overdue_alarms": int(model.centre.alarms_raised),
        "by_category": by_category,
        **(hall_summary(model) if model.hall is not None else {}),
    }
    found = (list(model.town.warnings) + town_warnings(sc, model.town) + threshold_warnings(sc)
             + utilisation_warnings(summary_servers(summary)) + overload_warnings(staff))
    summary["warnings"] = as_dicts(found)
    return summary


def flat(summary: dict[str, Any]) -> dict[str, float]:
    """Numeric measures of a summary as ``name`` or ``group.key`` → value (for tables and CIs)."""
    out: dict[str, float] = {}
    for k, v in summary.items():
        if isinstance(v, bool) or k in ("seed",):
            continue
        if isinstance(v, (int, float)):
            out[k] = float(v)
        elif isinstance(v, dict):
            for kk, vv in v.items():
                if isinstance(vv, (int, float)):
                    out[f"{k}.{kk}"] = float(vv)
        elif k == "squads":
            for s in v:
                for kk in ("utilisation", "calls_share", "outside_zone_share"):
                    out[f"squads.{s['id']}.{kk}"] = float(s[kk])
    return out
