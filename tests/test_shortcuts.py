"""Issue 14's shortcuts in the per-case arithmetic give exactly what the plain versions give."""

from __future__ import annotations

import math
import random
from types import SimpleNamespace

import pytest

from sim.agents.grid_staff import RotaClock
from sim.agents.staff import soonest
from sim.shifts import DutyCalendar
from sim.vocabulary import DAYS_PER_WEEK as WEEK
from sim.vocabulary import MINUTES_PER_DAY as DAY

CALENDARS = [DutyCalendar(510.0, 540.0, 5, 2), DutyCalendar(480.0, 600.0), DutyCalendar(0.0, DAY),
             DutyCalendar(1320.0, 600.0, 6, 4), DutyCalendar(450.0, 720.0, 7)]


def _times(n: int = 4000) -> list[float]:
    rng = random.Random(14)
    # random minutes, and the shift edges themselves (where rounding would show)
    edges = [d * DAY + c.start + e for c in CALENDARS for d in range(-1, 15) for e in (0.0, c.length, -1e-9)]
    return [rng.uniform(0, 60 * DAY) for _ in range(n)] + edges


@pytest.mark.parametrize("cal", CALENDARS)
def test_on_duty_and_next_on_duty_equal_the_divmod_formula(cal):
    for t in _times():
        k, r = divmod(t - cal._t0, DAY)
        plain = cal.always or (r < cal.length and k % WEEK < cal.days_per_week)
        assert cal.on_duty(t) == plain
        nxt = t if plain else max(t, cal.calendar_time(cal.duty_time(t)))
        assert cal.next_on_duty(t) == nxt


@pytest.mark.parametrize("cal", CALENDARS)
def test_scalar_duty_and_calendar_time_equal_the_general_conversions(cal):
    def plain_calendar_time(d: float) -> float:  # calendar_time's scalar branch before calendar_at
        g = d + cal._g0
        week, rem = divmod(g, cal.days_per_week * cal.length)
        day = math.floor(rem / cal.length)
        return cal._t0 + (week * WEEK + day) * DAY + (rem - day * cal.length)

    for t in _times():
        assert cal.duty_at(t) == cal.duty_time(t)
        d = t / 3.0  # duty minutes off any grid
        assert cal.calendar_at(d) == cal.calendar_time(d) == (d if cal.always else plain_calendar_time(d))


@pytest.mark.parametrize("cal", CALENDARS)
def test_duty_time_without_min_calls_and_a_job_span_in_one_call_equal_the_plain_formula(cal):
    def plain_g(t: float) -> float:  # _g_scalar as it was written with min()
        k, r = divmod(t - cal._t0, DAY)
        if cal.days_per_week == WEEK:
            return k * cal.length + min(cal.length, r)
        week, dow = divmod(k, WEEK)
        done = week * cal.days_per_week + min(dow, cal.days_per_week)
        return done * cal.length + (min(cal.length, r) if dow < cal.days_per_week else 0.0)

    times = _times()
    rng = random.Random(2)
    for t in times:
        assert cal._g_scalar(t) == plain_g(t)
        t1 = t + rng.choice([0.0, 1e-9, 30.0, rng.uniform(0, 3 * DAY)])
        assert cal.duty_span(t, t1) == cal.duty_at(t1) - cal.duty_at(t)


def test_soonest_is_min_keyed_on_free_time_then_load():
    rng = random.Random(3)
    cals = CALENDARS[:2]
    for _ in range(2000):
        people = [SimpleNamespace(calendar=rng.choice(cals), busy_until=rng.choice([0.0, 500.0, rng.uniform(0, 3000)]),
                                  busy_min=rng.choice([0.0, 10.0, 20.0]))
                  for _ in range(rng.randint(1, 6))]
        ready = rng.choice([0.0, 500.0, rng.uniform(0, 3000)])
        plain = min(people, key=lambda m: (m.calendar.next_on_duty(max(ready, m.busy_until)), m.busy_min))
        assert soonest(people, ready) is plain  # type: ignore[arg-type]


def test_rota_effort_time_with_weekday_sums_kept_equals_summing_each_time():
    rota = RotaClock(510.0, 540.0, (0.3, 0.55, 0.1, 0.7, 0.45, 0.25, 0.6))

    def plain(t: float) -> float:
        k, r = divmod(t - rota.start, DAY)
        week, dow = divmod(int(k), WEEK)
        return rota.length * (week * sum(rota.weights) + sum(rota.weights[:dow])
                              + rota.weights[dow] * min(r, rota.length) / rota.length)

    for t in _times():
        assert rota._e(t) == plain(t)


@pytest.mark.parametrize("base, overrides", [
    ("xuxiake_1plus4.toml", {}),  # staggered rest days: the grid is one rota beat
    ("xuxiake_pre_reform.toml", {}),  # departmental inspectors, each seeing their own domains
    ("small_rural_town.toml", {"grid_staff.rest_days": "together"}),  # each patroller on their own shift
    ("dense_town_core.toml", {"grid_staff.days_per_week": 6}),
])
def test_day_notices_equal_first_notice_case_by_case(base, overrides):
    from conftest import ROOT

    from sim.channels import DayNotices, first_notice
    from sim.config import apply_overrides, read_scenario_data, validate_scenario
    from sim.model import TownModel
    from sim.records import Incident

    path = ROOT / "scenarios" / base
    sc = validate_scenario(apply_overrides(read_scenario_data(path), overrides), source=str(path))
    m = TownModel(sc, seed=5, days=1)
    notices = DayNotices(m)
    seen = set()
    for day in range(8):  # every weekday, so every rota day and rest day
        b = m.stream.day(day)
        grids = m.town.locate_many(b.village, b.x, b.y)
        got = notices.day(b.occurred_at, b.category, grids, b.uniforms)
        for i in range(len(b)):
            inc = Incident(i, int(b.category[i]), int(b.village[i]), int(grids[i]), float(b.x[i]),
                           float(b.y[i]), float(b.occurred_at[i]), b.uniforms[i].tolist())
            assert got[i] == first_notice(m, inc)
            seen.add(got[i][1])
    assert len(seen) >= 3  # several channels won somewhere


def test_due_pair_equals_due_twice():
    from conftest import make_scenario

    from sim.clocks import LimitClock

    sc = make_scenario()
    clock = LimitClock(sc)
    rng = random.Random(7)
    for cat in sc.incidents.categories:
        for t in _times(300):
            a, b = rng.choice([30.0, 240.0, 2880.0, math.inf]), rng.uniform(0, 20000)
            assert clock.due_pair(cat, t, a, b) == (clock.due(cat, t, a), clock.due(cat, t, b))


def test_a_run_collecting_rarely_keeps_every_record_and_puts_the_thresholds_back(monkeypatch):
    """``TownModel.run`` under the raised collector threshold against Python's own (the plain version)."""
    import gc

    import pandas as pd
    from conftest import make_scenario

    import sim.model
    from sim.model import TownModel, collecting_rarely

    def run() -> pd.DataFrame:
        m = TownModel(make_scenario(), seed=5, days=4)
        m.run()
        m.finish()
        return m.log.frame()

    before = gc.get_threshold()
    fast = run()
    assert gc.get_threshold() == before
    with collecting_rarely():
        assert gc.get_threshold()[0] == max(before[0], sim.model.RUN_GC_THRESHOLD)
    monkeypatch.setattr(sim.model, "RUN_GC_THRESHOLD", 0)  # Python's thresholds through the run
    plain = run()
    assert len(fast) > 100
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)


@pytest.mark.parametrize(("path", "keep_stories", "days"), [
    ("xuxiake_1plus4.toml", False, 5), ("xuxiake_1plus4.toml", True, 2),
    ("textbook/hypercube_5squads.toml", False, 4), ("xuxiake_pre_reform.toml", False, 3.5),
])
def test_cases_started_at_their_first_notice_keep_every_record_of_the_plain_arrivals(monkeypatch, path, keep_stories,
                                                                                     days):
    """``sim.model.Arrivals`` (each case's flow queued at its notice) against a generator starting each at once."""
    import pandas as pd
    from conftest import ROOT, plain_arrivals

    import sim.model
    from sim.config import load_scenario
    from sim.flow import Flow
    from sim.model import TownModel

    def run() -> tuple[pd.DataFrame, list, list]:
        m = TownModel(load_scenario(ROOT / "scenarios" / path), seed=4, days=days, keep_stories=keep_stories)
        m.run()
        m.finish()
        staff = [(s.staff_id, s.busy_min, s.cases, s.overtime_min) for t in m.teams for s in t.members]
        stories = [i.history for i in m.centre.live.values()]
        return m.log.frame(), staff, stories

    fast = run()
    monkeypatch.setattr(sim.model, "Arrivals", lambda m: plain_arrivals(m, Flow))
    plain = run()
    assert len(fast[0]) > 200
    pd.testing.assert_frame_equal(fast[0], plain[0], check_exact=True)
    assert fast[1] == plain[1]
    assert fast[2] == plain[2]


@pytest.mark.parametrize("path", ["xuxiake_1plus4.toml", "xuxiake_pre_reform.toml"])
def test_staff_department_and_squad_measures_equal_the_plain_frame_look_ups(path):
    """The measures' shortcuts (a calendar's span once, rows picked by array masks) against a frame per unit."""
    import numpy as np
    from conftest import ROOT

    from sim.case_columns import CaseColumns
    from sim.config import load_scenario
    from sim.measures import department_measures, staff_table, summarize
    from sim.model import TownModel
    from sim.vocabulary import StaffRole

    m = TownModel(load_scenario(ROOT / "scenarios" / path), seed=3, days=9)
    m.run()
    m.finish()
    cases = CaseColumns.of_log(m.log)
    staff = staff_table(m, cases)
    h = m.horizon
    people = {s.staff_id: s for t in m.teams for s in t.members} | {s.staff_id: s for c in m.cadres for s in c} \
        | {s.staff_id: s for d in m.departments.values() for s in d.staff}
    rows = staff.set_index("id")
    for sid, s in people.items():  # on_duty_minutes(0, h) per person, as the table was built
        assert rows.at[sid, "on_duty_min"] == s.on_duty_minutes(0, h)
        cal = s.calendar
        if sid in {x.staff_id for t in m.teams for x in t.members} and "meetings" in rows.columns:
            weeks = h if cal.days_per_week >= WEEK else cal.working_days(0.0, h) * DAY * WEEK / cal.days_per_week
            per_week = m.config.grid_staff.all_roles()[s.role].routine.meetings_h_per_week
            assert rows.at[sid, "meetings"] == per_week * 60.0 * (weeks / (WEEK * DAY))
    got = department_measures(m, staff)
    for row in got["departments"]:  # a frame per department
        s = staff[staff.unit == f"{row['tier']}:{row['id']}"]
        duty = float(s.on_duty_min.sum())
        assert row["cases"] == int(s.cases.sum())
        assert row["utilisation"] == float(s.case_min.sum()) / duty if duty else math.isnan(row["utilisation"])
        assert row["overtime_hours"] == float(s.overtime_min.sum()) / 60.0
    for tier, u in got.get("department_utilisation", {}).items():
        s = staff[staff.unit.str.startswith(f"{tier}:")]
        assert u == float(s.case_min.sum() / s.on_duty_min.sum())
    crews = staff[staff.role == StaffRole.SQUAD_CREW]
    for squad in summarize(m, cases, staff)["squads"]:
        c = crews[crews.unit == squad["id"]]
        plain = float(c.busy_min.sum() / c.on_duty_min.sum()) if c.on_duty_min.sum() else None
        assert squad["utilisation"] == plain or (plain is None and np.isnan(squad["utilisation"]))


def test_a_rota_clock_kept_per_rota_equals_summing_the_patrollers_each_time():
    from conftest import make_scenario

    from sim.agents.grid_staff import RotaClock
    from sim.model import TownModel

    m = TownModel(make_scenario(), seed=1, days=1)
    beats = [b for t in m.teams for d in sorted({c.domain for c in m.categories})
             if (b := t.beat(d)) is not None and b.rota is not None]
    assert len(beats) > 20
    for b in beats:
        cal = b.patrollers[0].calendar
        weights = tuple(sum(p.effort for p in b.patrollers if p.calendar.on_duty(d * DAY + cal.start))
                        for d in range(WEEK))
        assert b.rota == RotaClock(cal.start, cal.length, weights) == RotaClock.of(b.patrollers)


def test_overload_warnings_by_masks_equal_the_grouped_frame():
    import numpy as np
    import pandas as pd

    from sim.checks import overload_warnings
    from sim.warnings import RunWarning

    rng = np.random.default_rng(8)
    n = 400
    staff = pd.DataFrame({"role": rng.choice(["patrol_officer", "grid_worker", "hall", "cadre"], n),
                          "workload": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0.3, 1.4, n))})
    plain: list[RunWarning] = []
    for role, g in staff.dropna(subset=["workload"]).groupby("role", sort=True):
        over = g.workload[g.workload > 1.0]
        if len(over):
            plain.append(RunWarning("staff_busy_beyond_duty", {
                "role": str(role), "people": float(len(over)), "total": float(len(g)), "high": float(over.max())}))
    assert len(plain) == 4
    assert overload_warnings(staff) == plain


@pytest.mark.parametrize("path", ["xuxiake_1plus4.toml", "small_rural_town.toml"])
def test_response_alarms_not_queued_for_cases_settled_at_intake_keep_every_record(monkeypatch, path):
    """Every response alarm queued (the plain intake) against the shortcut that leaves out those certain not to fire."""
    import pandas as pd
    from conftest import ROOT

    from sim.agents.command_centre import CommandCentre
    from sim.config import load_scenario
    from sim.model import TownModel

    def run() -> tuple[pd.DataFrame, list, int]:
        m = TownModel(load_scenario(ROOT / "scenarios" / path), seed=6, days=6)
        series = []
        while m.running:
            m.step()
            series.append(m.centre.alarms_raised)
        m.finish()
        return m.log.frame(), series, m.centre.alarms_raised

    fast = run()
    intake = CommandCentre._intake
    monkeypatch.setattr(CommandCentre, "_intake", lambda self, inc, cat, channel, on_scene=False:
                        intake(self, inc, cat, channel))
    plain = run()
    assert fast[2] > 5 and len(fast[0]) > 200
    pd.testing.assert_frame_equal(fast[0], plain[0], check_exact=True)
    assert fast[1] == plain[1]


def _plain_staff_table(m):
    """The staff table as it was built before issue 14's columns: a dict per row, then pandas."""
    import pandas as pd

    from sim.case_columns import CaseColumns
    from sim.duties import ROUTINE_KINDS, routine_minutes
    from sim.measures import FULL_TIME_DAYS_PER_WEEK, STAFF_COLUMNS, _fte, reported_per_grid
    from sim.service_hall.measures import hall_staff_rows
    from sim.vocabulary import StaffRole

    h = m.horizon
    reported = reported_per_grid(m, CaseColumns.of_log(m.log))

    def on_duty(s):
        return s.on_duty_minutes(0, h)

    def span(s):
        cal = s.calendar
        return h if cal.days_per_week >= WEEK else cal.working_days(0.0, h) * DAY * WEEK / cal.days_per_week

    rows = []
    roles = m.config.grid_staff.all_roles()
    for team in m.teams:
        grid = m.town.grids[team.grid]
        for s in team.members:
            routine = routine_minutes(roles[s.role].routine, span_min=span(s), on_duty_min=on_duty(s),
                                      patrol_share=s.patrol_share if "patrol" in s.duties else 0.0,
                                      households=grid.households, cases=int(reported[grid.index]),
                                      sharers=sum(x.role == s.role for x in team.members))
            rows.append(dict(id=s.staff_id, role=s.role, unit=grid.id, duty_share=s.duty_share, fte=_fte(s),
                             on_duty_min=on_duty(s), case_min=s.busy_min, overtime_min=s.overtime_min, cases=s.cases,
                             **routine))
    for v, cadres in zip(m.town.villages, m.cadres, strict=False):
        for s in cadres:
            routine = routine_minutes(m.config.tiers.village_routine, span_min=span(s), on_duty_min=on_duty(s),
                                      patrol_share=0.0, households=v.households,
                                      cases=sum(int(reported[g]) for g in v.grids), sharers=len(cadres))
            rows.append(dict(id=s.staff_id, role=s.role, unit=v.name, duty_share=s.duty_share, fte=_fte(s),
                             on_duty_min=on_duty(s), case_min=s.busy_min, overtime_min=s.overtime_min, cases=s.cases,
                             **routine))
    for dept in m.departments.values():
        for s in dept.staff:
            rows.append({"id": s.staff_id, "role": s.role, "unit": f"{dept.tier.key}:{dept.domain}", "duty_share": 1.0,
                         "fte": _fte(s), "on_duty_min": on_duty(s), "case_min": s.busy_min,
                         "overtime_min": s.overtime_min, "cases": s.cases})
    for squad in m.squads:
        for c in squad.crews:
            rows.append({"id": c.crew_id, "role": StaffRole.SQUAD_CREW, "unit": squad.squad_id, "duty_share": 1.0,
                         "on_duty_min": squad.calendar.duty_time(h), "case_min": c.busy_minutes(h),
                         "overtime_min": c.overtime_min, "cases": c.cases})
    if m.hall is not None:
        for r in hall_staff_rows(m):
            rows.append({**r, "duty_share": 1.0, "fte": m.hall.calendar.days_per_week / FULL_TIME_DAYS_PER_WEEK,
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


@pytest.mark.parametrize("path", ["xuxiake_1plus4.toml", "xuxiake_pre_reform.toml", "small_rural_town.toml",
                                  "textbook/mmc_hall.toml"])
def test_staff_table_by_columns_and_measures_by_role_codes_equal_the_frame_of_rows(path):
    """The staff table built a column at a time against a dict per row; grouping by role codes against the column."""
    import numpy as np
    import pandas as pd
    from conftest import ROOT

    from sim.case_columns import CaseColumns
    from sim.config import load_scenario
    from sim.measures import role_codes, staff_table, staffing, workload_by_role
    from sim.model import TownModel
    from sim.vocabulary import StaffRole

    m = TownModel(load_scenario(ROOT / "scenarios" / path), seed=4, days=8)
    m.run()
    m.finish()
    staff = staff_table(m, CaseColumns.of_log(m.log))
    plain = _plain_staff_table(m)
    pd.testing.assert_frame_equal(staff, plain, check_exact=True)
    assert staff.dtypes.to_dict() == plain.dtypes.to_dict()

    names, codes = role_codes(staff)
    groups = {role: g.index.to_list() for role, g in staff.groupby("role")}
    assert list(groups) == names and {n: np.flatnonzero(codes == k).tolist() for k, n in enumerate(names)} == groups
    g = staff.groupby("role")
    assert workload_by_role(staff, 0.3) == {
        "workload_mean": g.workload.mean().dropna().to_dict(), "workload_max": g.workload.max().dropna().to_dict(),
        "workload_case_mean": g.case_workload.mean().dropna().to_dict(),
        "workload_routine_mean": g.routine_workload.mean().dropna().to_dict(),
        "overtime_hours_per_month": (g.overtime_min.sum() / 60.0 / 0.3).to_dict()}
    people = staff[staff.role != StaffRole.SQUAD_CREW]
    got = staffing(m, staff)
    assert {k: v for k, v in got["staff_headcount"].items() if k in groups} == \
        {k: int(v) for k, v in people.groupby("role").size().items()}
    assert {k: v for k, v in got["staff_fte"].items() if k in groups} == \
        people.groupby("role").fte.sum().astype(float).to_dict()


@pytest.mark.parametrize("path", ["xuxiake_1plus4.toml", "xuxiake_pre_reform.toml"])
def test_patrol_phases_drawn_at_once_equal_a_draw_per_member(path):
    """Every grid member's phase from one ``random(n)`` against ``random()`` per member; the stream left alike."""
    import numpy as np
    from conftest import ROOT

    from sim.config import load_scenario
    from sim.model import _STREAMS, TownModel

    m = TownModel(load_scenario(ROOT / "scenarios" / path), seed=11, days=1)
    rng = np.random.default_rng(np.random.SeedSequence(11).spawn(len(_STREAMS))[_STREAMS.index("staff")])
    members = [s for t in m.teams for s in t.members]
    assert len(members) > 500 and len({s.phase_u for s in members}) == len(members)
    assert [s.phase_u for s in members] == [float(rng.random()) for _ in members]
    assert m.streams["staff"].bit_generator.state == rng.bit_generator.state  # the stream left where it was


def test_tick_collector_stores_what_mesas_data_collector_stores(monkeypatch):
    """A run's series per tick from the collector that appends values as they are, against Mesa's own."""
    import mesa
    from conftest import ROOT

    import sim.model
    from sim.config import load_scenario

    def run() -> tuple[dict, list]:
        m = sim.model.TownModel(load_scenario(ROOT / "scenarios" / "xuxiake_1plus4.toml"), seed=2, days=3)
        m.run()
        return m.datacollector.model_vars, m.datacollector._collection_steps

    fast = run()
    monkeypatch.setattr(sim.model, "TickCollector", mesa.DataCollector)
    plain = run()
    assert len(fast[0]["backlog"]) == 3 * 24 + 1 and max(fast[0]["crews_busy"]) > 0
    assert fast == plain
    assert [type(v) for vs in fast[0].values() for v in vs] == [type(v) for vs in plain[0].values() for v in vs]


def test_a_step_without_mesas_step_event_counts_time_and_steps_as_mesa_does(monkeypatch):
    """``TownModel._wrapped_step`` against Mesa's own (its event list): the same time, steps, ticks and records."""
    import mesa
    import pandas as pd
    from conftest import ROOT

    import sim.model
    from sim.config import load_scenario

    def run() -> tuple[float, int, list, dict, pd.DataFrame]:
        m = sim.model.TownModel(load_scenario(ROOT / "scenarios" / "xuxiake_1plus4.toml"), seed=2, days=2)
        for _ in range(5):  # stepped as the dashboard steps it, then run to the end
            m.step()
        m.run()
        m.finish()
        return m.time, m.steps, m.datacollector._collection_steps, m.datacollector.model_vars, m.log.frame()

    fast = run()
    monkeypatch.setattr(sim.model.TownModel, "_wrapped_step", mesa.Model._wrapped_step)
    plain = run()
    assert fast[:2] == plain[:2] == (48.0, 48) and type(fast[0]) is float
    assert fast[2:4] == plain[2:4]
    assert fast[4].equals(plain[4]) and len(fast[4]) > 300


@pytest.mark.parametrize("path", ["xuxiake_1plus4.toml", "small_rural_town.toml"])
def test_uniform_rows_as_views_keep_every_record_of_rows_as_lists(monkeypatch, path):
    """Each incident's uniforms as a view of the day's array against ``tolist()``: same records, tallies and summary."""
    import json

    import numpy as np
    import pandas as pd
    from conftest import ROOT

    import sim.model
    from sim.case_columns import CaseColumns
    from sim.config import load_scenario
    from sim.measures import staff_table, summarize

    rows = sim.model.uniform_rows(np.arange(12.0).reshape(4, 3))
    assert [list(r) for r in rows] == np.arange(12.0).reshape(4, 3).tolist()
    assert all(type(r[1]) is float for r in rows) and sim.model.uniform_rows(np.empty((0, 3))) == []

    def run() -> tuple[pd.DataFrame, list, str]:
        m = sim.model.TownModel(load_scenario(ROOT / "scenarios" / path), seed=9, days=6)
        m.run()
        m.finish()
        staff = [(s.staff_id, s.busy_min, s.cases, s.overtime_min) for t in m.teams for s in t.members]
        cases = CaseColumns.of_log(m.log)
        return m.log.frame(), staff, json.dumps(summarize(m, cases, staff_table(m, cases)), default=str)

    fast = run()
    monkeypatch.setattr(sim.model, "uniform_rows", lambda u: u.tolist())
    plain = run()
    assert len(fast[0]) > 150
    pd.testing.assert_frame_equal(fast[0], plain[0], check_exact=True)
    assert fast[1] == plain[1]
    assert fast[2] == plain[2]


@pytest.mark.parametrize("path", ["xuxiake_1plus4.toml", "textbook/hypercube_5squads.toml"])
def test_a_run_keeping_only_the_measured_fields_gives_the_summary_of_every_field(path):
    """``run_replication`` without files (records for the measures only) against a model keeping every field."""
    import json

    import numpy as np
    from conftest import ROOT

    from sim.case_columns import CaseColumns
    from sim.config import load_scenario
    from sim.geo.export import town_info
    from sim.measures import staff_table, summarize
    from sim.model import TownModel
    from sim.records import MEASURED, IncidentLog
    from sim.runner import run_replication

    sc = load_scenario(ROOT / "scenarios" / path)
    m = TownModel(sc, seed=7, days=5)
    m.run()
    m.finish()
    cases = CaseColumns.of_log(m.log)
    plain = summarize(m, cases, staff_table(m, cases))
    plain["language"], plain["town"] = sc.meta.language, town_info(m.town)
    assert plain["incidents"] > 100
    assert json.dumps(run_replication(sc, 7, 5), default=str) == json.dumps(plain, default=str)

    lean = TownModel(sc, seed=7, days=5, measures_only=True)
    lean.run()
    lean.finish()
    assert sorted(lean.log._cols) == sorted(MEASURED)
    for name in MEASURED:  # NaN where a stage was not reached: equal in both
        np.testing.assert_array_equal(lean.log.measured(name), m.log.measured(name), strict=True)
    with pytest.raises(RuntimeError, match="measured fields"):
        lean.log.frame()
    with pytest.raises(ValueError):
        IncidentLog(["c"], ["v"], ["g"], path=ROOT / "unused.parquet", measured_only=True)


def test_the_case_paths_tier_codes_are_the_tier_members():
    """``sim.agents.command_centre``'s module names for tiers: the members themselves, the next tier as ``Tier(t + 1)``."""
    from sim.agents import command_centre as cc
    from sim.vocabulary import Tier

    assert tuple(Tier) == (cc.GRID, cc.VILLAGE, cc.TOWN, cc.COUNTY)
    assert all(cc.NEXT_TIER[t] is Tier(t + 1) for t in (Tier.GRID, Tier.VILLAGE, Tier.TOWN))
