"""The service hall (审批服务一窗口): Erlang C, pooling, one visit, online share, Little's law, refusals."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import DEFAULT, ROOT, make_scenario
from typer.testing import CliRunner

from sim.analytic.erlang import erlang_c
from sim.cli import app
from sim.config import Shift, load_scenario
from sim.model import TownModel
from sim.runner import run_replication
from sim.service_hall import records
from sim.service_hall.measures import hall_summary, littles_law
from sim.shifts import DutyCalendar
from sim.stats import mean_ci

MMC = ROOT / "scenarios" / "textbook" / "mmc_hall.toml"
# Before the reform each department kept its own windows: the same 14, split by load.
SILOED = {
    "public_security": 2, "human_resources_social_security": 3, "healthcare_security": 2, "civil_affairs": 1,
    "market_regulation": 2, "housing_land": 2, "health": 1, "agriculture": 1,
}


def _hall(overrides=None, days=10, seed=4) -> TownModel:
    m = TownModel(make_scenario(overrides), seed=seed, days=days)
    m.run()
    m.finish()
    return m


def _summary(overrides=None, days=10, seed=4) -> dict:
    return run_replication(make_scenario(overrides), seed, days=days)


@pytest.mark.parametrize("start_h,end_h,weekdays", [(8.5, 17, 5), (20, 28, 6), (0, 24, 7)])
def test_calendar_counts_opening_minutes(start_h, end_h, weekdays):
    """Opening minutes against counting minute by minute; the next opening is open and not early."""
    cal = DutyCalendar.of(Shift(start_h=start_h, end_h=end_h), weekdays)
    minutes = np.arange(0, 21 * 1440)
    k, r = np.divmod(minutes - cal.start, 1440)
    is_open = (k % 7 < weekdays) & (r < cal.length)
    counted = np.concatenate([[0], np.cumsum(is_open)])
    t = np.array([0, 509, 510, 1019, 1020, 1500, 7 * 1440 - 1, 9000, 20000, 21 * 1440])
    assert np.allclose(cal.duty_time(t), counted[t])
    for x in t[:-1]:
        nxt = cal.next_on_duty(float(x))
        assert nxt >= x and is_open[int(nxt)] and not is_open[int(x):int(nxt)].any()


def test_mmc_hall_matches_erlang_c():
    """DESIGN §5: c windows, Poisson arrivals, exponential service: the mean wait is Erlang C's."""
    sc = load_scenario(MMC)
    hall = sc.service_hall
    assert hall is not None
    lam = hall.cases_per_year / (365 * 1440)
    theory = erlang_c(lam, 1 / hall.case_types[0].service_min.mean, hall.windows)
    runs = [run_replication(sc, seed, 60) for seed in range(1, 13)]
    # Two checks at 99% each: a correct model fails either with probability about 2%.
    _m, lo, hi = mean_ci(np.array([r["hall_wait_mean_min"] for r in runs]), 0.99)
    assert (hi - lo) / 2 < 0.1 * theory.mean_wait  # tight enough to mean something
    assert lo <= theory.mean_wait <= hi
    _u, ulo, uhi = mean_ci(np.array([r["hall_window_utilisation"] for r in runs]), 0.99)
    assert ulo <= theory.utilisation <= uhi
    assert all(r["incidents"] == 0 for r in runs)  # the hall ran alone


def test_littles_law_holds_for_the_hall_queue():
    for s in (run_replication(load_scenario(MMC), 1), _summary()):
        law = s["hall_littles_law"]
        assert law["L_q"] == pytest.approx(law["lambda_W_q"], rel=0.03)


def test_littles_law_without_time_after_the_warm_up_is_nan_not_a_division_by_zero():
    arrival = np.array([1.0, 2.0, 3.0])
    for t0, t1 in ((5.0, 5.0), (6.0, 5.0)):
        law = littles_law(arrival, arrival + 0.5, t0, t1)
        assert np.isnan(law["L_q"]) and np.isnan(law["lambda_W_q"])
    s = run_replication(load_scenario(MMC).model_copy(update={"run": load_scenario(MMC).run.model_copy(
        update={"warmup_days": 2.0})}), 1, days=2)  # the whole run is warm-up
    assert np.isnan(s["hall_littles_law_ratio"]) and np.isnan(s["hall_littles_law"]["L_q"])


def test_pooling_cuts_the_wait_at_equal_staff():
    """Departmental windows vs the same windows pooled: same visits, same window minutes, longer wait."""
    pooled = _hall()
    siloed = _hall({"service_hall.pooling": "departmental", "service_hall.department_windows": SILOED})
    assert pooled.hall is not None and siloed.hall is not None
    a, b = pooled.hall.visit_frame(), siloed.hall.visit_frame()
    assert len(a) == len(b) > 1000
    assert np.array_equal(a.arrival.to_numpy(), b.arrival.to_numpy())  # common random numbers
    assert np.allclose((a.service_end - a.service_start).to_numpy(), (b.service_end - b.service_start).to_numpy())
    wait_a = (a.service_start - a.arrival).mean()
    wait_b = (b.service_start - b.arrival).mean()
    assert wait_b > 2 * wait_a
    assert siloed.hall.windows[0].pool == "public_security"


def test_one_visit_cuts_visits_and_processing_time():
    old, new = _hall({"service_hall.one_visit": False}), _hall()
    before, after = hall_summary(old), hall_summary(new)
    assert before["hall_cases"] == after["hall_cases"]
    assert before["hall_visits_per_case"] > after["hall_visits_per_case"] * 1.1
    assert before["hall_processing_days_mean"] > after["hall_processing_days_mean"]
    assert after["hall_visits_per_case"] <= 1.0
    assert old.hall is not None
    cases = old.hall.case_frame()
    done = cases.done_at <= old.horizon
    assert (cases.visits[done] == cases.visits_needed[done]).all()
    assert (cases.visits <= cases.visits_needed).all() and (cases.visits_needed > 1).any()


def test_online_share_reduces_hall_visits():
    hall = make_scenario().service_hall
    assert hall is not None
    names = [c.name for c in hall.case_types]
    more_online = {f"service_hall.case_types.{n}.online_share": 0.8 for n in names}
    more_online.update({f"service_hall.case_types.{n}.proxy_share": 0.1 for n in names})
    base, online = _summary(), _summary(more_online)
    assert base["hall_cases"] == online["hall_cases"]
    assert 0.3 <= base["hall_online_share"] <= 0.6  # DESIGN §2: 30–60% done online
    assert online["hall_online_share"] > 0.75
    assert online["hall_visits"] < 0.6 * base["hall_visits"]
    assert online["hall_wait_mean_min"] <= base["hall_wait_mean_min"]


def test_visits_only_while_open_and_records_written(tmp_path):
    s = run_replication(make_scenario({"service_hall.one_visit": False}), 2, days=9, out=tmp_path)
    visits = pd.read_parquet(tmp_path / "hall.parquet")
    assert {"case_id", "case_type", "department", "channel", "visit", "arrival", "service_start",
            "service_end", "window"} <= set(visits.columns)
    minute = visits.arrival % 1440
    weekday = (visits.arrival // 1440) % 7
    assert ((minute >= 8.5 * 60) & (minute < 17 * 60) & (weekday < 5)).all()
    assert (visits.visit > 1).any() and set(visits.channel) == {"in_person", "proxy"}
    assert (visits.service_start >= visits.arrival).all()
    staff = pd.read_parquet(tmp_path / "staff.parquet")
    windows = staff[staff.role == "hall_window"]
    assert len(windows) == 14 and windows.cases.sum() == len(visits)
    assert 0 < s["hall_window_utilisation"] < 1 and 0 <= s["hall_window_gini"] < 0.2
    assert s["hall_cases_per_day"] == pytest.approx(120000 / 365 * 7 / 5, rel=0.1)


GOOD = DEFAULT.read_text(encoding="utf-8")
POOLING = 'pooling = "comprehensive"        # seed'


def _departmental(windows: dict[str, int]) -> str:
    table = ", ".join(f"{k} = {v}" for k, v in windows.items())
    return GOOD.replace(POOLING, f'pooling = "departmental"\ndepartment_windows = {{ {table} }}\n#')


BAD_HALLS = {
    "unknown_department": (_departmental({**{k: v for k, v in SILOED.items() if k != "agriculture"},
                                          "health": 2}),
                           "service_hall.case_types", "unknown department 'agriculture'"),
    "windows_mismatch": (_departmental({**SILOED, "health": 3}), "service_hall.department_windows",
                         "sum to 16, but windows = 14"),
    "departmental_without_windows": (GOOD.replace(POOLING, 'pooling = "departmental" #'),
                                     "service_hall.department_windows", "needs windows per department"),
    "negative_rate": (GOOD.replace("cases_per_year = 120000", "cases_per_year = -5"),
                      "service_hall.cases_per_year", "greater than 0"),
    "unknown_field": (GOOD.replace("[service_hall]\n", "[service_hall]\nwibble = 3\n"),
                      "service_hall.wibble", "unknown field"),
    "share_out_of_range": (GOOD.replace("online_share = 0.25 ", "online_share = 1.5 "),
                           "service_hall.case_types[household_registration].online_share", "less than or equal to 1"),
}


@pytest.mark.parametrize("case", sorted(BAD_HALLS))
def test_bad_hall_is_refused_in_one_line(tmp_path, case):
    text, field, words = BAD_HALLS[case]
    assert text != GOOD
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(path), "--days", "1", "--out", str(out)])
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert str(path) in lines[0] and field in lines[0] and words in lines[0], lines[0]
    assert not out.exists()


def test_gridsim_refuses_a_bad_hall(tmp_path):
    """The same refusal in a fresh process, as a planner meets it.

    The process imports the hall's section before the scenario (the section is a leaf of
    ``sim.config``; no import order is needed).
    """
    path = tmp_path / "bad.toml"
    path.write_text(BAD_HALLS["unknown_department"][0], encoding="utf-8")
    code = "import sim.config.hall; from sim.cli import main; main()"
    r = subprocess.run([sys.executable, "-c", code, "run", str(path), "--out", str(tmp_path / "out")],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "service_hall.case_types" in r.stderr


def test_hall_parquet_written_by_row_groups_equals_the_visit_frame(tmp_path):
    """hall.parquet is written from the columns a row group at a time: the same rows as the frame of every visit."""
    m = _hall()
    assert m.hall is not None
    path = tmp_path / "hall.parquet"
    records.write_visits(path, m.hall.visits, m.hall.cases, *m.hall._types(), [w.window_id for w in m.hall.windows],
                         row_group=500)
    assert pq.ParquetFile(path).metadata.num_row_groups > 2
    pd.testing.assert_frame_equal(pd.read_parquet(path), m.hall.visit_frame(), check_categorical=True)
