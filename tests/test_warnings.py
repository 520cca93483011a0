"""No silent traps: every warning is raised when its condition holds, and only then."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from conftest import make_scenario
from test_sweep import write_experiment
from typer.testing import CliRunner

from sim.checks import overload_warnings, threshold_warnings, town_warnings, utilisation_warnings
from sim.cli import app
from sim.config import apply_overrides, read_scenario_data, validate_scenario
from sim.labels import WARNINGS
from sim.model import TownModel
from sim.runner import run_replication
from sim.sweep.cli import run_sweep
from sim.sweep.experiment import load_plan
from sim.sweep.store import Store
from sim.town import build_town
from sim.validate import TEXTBOOK
from sim.warnings import RunWarning, merge, text


def codes(entries) -> list[str]:
    return [w.code if isinstance(w, RunWarning) else w["code"] for w in entries]


def test_listed_squad_units_inherit_crews_per_squad():
    sc = make_scenario({"squads.count": 0, "squads.crews_per_squad": 3,
                        "squads.units": [{"id": "N"}, {"id": "S", "crews": 1}]})
    m = TownModel(sc, days=1)
    assert [len(s.crews) for s in m.squads] == [3, 1]
    assert sc.squads.total_crews == 4


def test_measured_utilisation_at_or_above_one_is_warned(tmp_path):
    data = read_scenario_data(TEXTBOOK / "hypercube_3squads.toml")
    sc = validate_scenario(apply_overrides(data, {  # one crew, calls at 1.5 times its capacity
        "squads.units": [{"id": "U1", "base": [5.0, 5.0]}],
        "incidents.events_per_10k_residents_per_year": 1.5 / 30 * 525600,
        "run.warmup_days": 0,
    }))
    s = run_replication(sc, 1, days=3, out=tmp_path)
    unstable = [w for w in s["warnings"] if w["code"] == "unstable_queue"]
    # busy time cannot pass the on-duty time on a round-the-clock shift: the offered load shows it
    assert len(unstable) == 1 and unstable[0]["values"]["server"] == "squad_offered_load"
    assert unstable[0]["values"]["utilisation"] >= 1.0
    written = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert written["warnings"] == s["warnings"]
    assert 1.2 < s["squad_offered_load"] < 2.2  # 1.5 offered; three days of Poisson luck
    assert utilisation_warnings({"a": 0.99, "b": float("nan")}) == []


def test_grids_and_villages_outside_their_stated_range():
    big = make_scenario({"town.grid_division.households_per_grid": 800})
    found = town_warnings(big, build_town(big))
    assert "grid_households_out_of_range" in codes(found)
    w = found[codes(found).index("grid_households_out_of_range")]
    assert w.values["low"] > 500 and w.values["grids"] == w.values["total"]
    fixed = make_scenario({"town.grid_division": {"grids_per_village": 3}, "town.residents": 16000})
    assert town_warnings(fixed, build_town(fixed)) == []  # 206–463 households a grid, 3 a village
    split = make_scenario({"town.grid_division.households_per_grid": 300, "town.residents": 15000})
    found = town_warnings(split, build_town(split))  # 290–362 a grid, but two villages in 4 grids
    assert codes(found) == ["village_grids_out_of_range"] and found[0].values["villages"] == 2


def test_grid_households_are_counted_whole_against_the_range():
    """A village's households shared by area leave float crumbs: 500.0000000000002 is 500, 199.98 is 200."""
    sc = make_scenario({"town.grid_division": {"grids_per_village": 3}, "town.residents": 16000})
    town = build_town(sc)
    lo, hi = sc.town.grid_division.households_range
    town.grids[0].households, town.grids[1].households = hi + 2e-13, lo - 0.02
    assert town_warnings(sc, town) == []
    town.grids[1].households = 600.4
    (w,) = town_warnings(sc, town)
    assert w.values["low"] == w.values["high"] == 600 and w.values["names"] == f"{town.grids[1].id} (600)"
    # one count is said once: 户数为 600, not 600–600; a grid count of 1, not 1–1
    assert "户数为 600，" in text(w, "zh") and "600–600" not in text(w, "zh")
    one = RunWarning("village_grids_out_of_range", {"villages": 2, "total": 6, "low": 1, "high": 1, "range_low": 2,
                                                    "range_high": 3, "names": "东村 (1), 北村 (1)"})
    assert "划分为 1 个网格，超出规定的 2–3 个" in text(one, "zh")
    assert text(one, "en").startswith("2 of 6 villages have a grid count of 1, outside the stated 2–3 grids")


def test_threshold_that_forbids_spot_fixes_is_warned():
    sc = make_scenario({"escalation.severity_to_village": 2})
    found = threshold_warnings(sc)
    impossible = {w.values["category"] for w in found if w.code == "spot_fix_impossible"}
    # every category of severity >= 2 that could otherwise be settled on the spot
    expected = {c.name for c in sc.incidents.categories
                if c.severity >= 2 and c.spot_fix_prob > 0 and not c.external}
    assert impossible == expected and "illegal_parking" in impossible
    assert "spot_fix_impossible" not in codes(threshold_warnings(make_scenario()))


def test_threshold_without_effect_is_warned():
    found = threshold_warnings(make_scenario())  # the preset: only emergencies reach 5, and they are external
    assert {w.values["threshold"] for w in found if w.code == "threshold_without_effect"} == {
        "severity_to_village", "severity_to_town"}
    lowered = threshold_warnings(make_scenario({"escalation.severity_to_town": 2}))
    assert "severity_to_town" not in {w.values["threshold"] for w in lowered}


@pytest.mark.parametrize("code", sorted(WARNINGS))
def test_every_warning_has_english_and_chinese_text(code):
    values = {"server": "squad S1", "utilisation": 1.04, "grids": 3, "total": 10, "low": 510.0, "high": 600.0,
              "range_low": 200.0, "range_high": 500.0, "limit": 2500.0, "villages": 2, "category": "x",
              "severity": 4, "threshold": "severity_to_town", "spot_fix_prob": 0.5, "value": 4,
              "factor": "f", "levels": [1, 2],
              # sim.geo's: layers and roads
              "file": "v.gpkg", "count": 1, "layer": "village", "first": "村1", "reason": "Self-intersection",
              "outside": 2, "names": "村1", "edges": 3, "classes": "raceway", "nodes": 4, "km": 0.3,
              "mode": "car", "max_km": 1.0, "role": "liaison", "people": 2.0,
              # sim.plan.grids': a division no more even than today's
              "cv_today": 0.34, "cv_proposal": 0.344, "mm_today": 1.63, "mm_proposal": 1.58, "epr_low": 0.1,
              "epr_high": 0.18, "target": 67.0, "range_bound": 36, "preferred": 5, "within": 1.09,
              # sim.checks': a GIS town with another town's volumes
              "residents": 13580.0, "stated": 180000.0, "enterprises": 3000.0, "cases_per_year": 120000.0, "windows": 14}
    en, zh = text({"code": code, "values": values}), text({"code": code, "values": values}, "zh")
    assert en and zh and en != zh
    with pytest.raises(KeyError):
        RunWarning("no_such_code")


def test_replications_merge_warnings_and_keep_the_worst_value():
    a = [{"code": "unstable_queue", "values": {"server": "squad S1", "utilisation": 1.02}}]
    b = [{"code": "unstable_queue", "values": {"server": "squad S1", "utilisation": 1.10}}]
    merged = merge([a, b, []])
    assert merged == [{"code": "unstable_queue", "values": {"server": "squad S1", "utilisation": 1.10},
                       "replications": 2}]


def test_run_prints_warnings_on_stderr(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('extends = "%s"\n[town.grid_division]\nhouseholds_per_grid = 900\n'
                    % (TEXTBOOK.parent / "small_rural_town.toml"), encoding="utf-8")
    r = CliRunner().invoke(app, ["run", str(path), "--days", "2", "--out", str(tmp_path / "out"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "warning: " in r.stderr and "outside the stated 200–500" in r.stderr
    assert "warning: " not in r.stdout
    # in the scenario's language when --lang is not given (meta.language = "zh"), as its report
    r = CliRunner().invoke(app, ["run", str(path), "--days", "2", "--out", str(tmp_path / "zh")])
    assert r.exit_code == 0, r.output
    stderr = "".join(r.stderr.split())  # a line may wrap at the test terminal's width
    assert "警告：" in stderr and "超出每格200–500户的规定范围" in stderr and "warning" not in stderr


def test_run_prints_its_table_in_the_chosen_language_with_money_in_whole_yuan(tmp_path):
    """The table follows --lang, else the scenario's meta.language (zh here), as the report does."""
    from sim.labels import measure

    path = TEXTBOOK.parent / "small_rural_town.toml"
    out = {lang: CliRunner().invoke(app, ["run", str(path), "--days", "2", "--out", str(tmp_path / lang),
                                          *(["--lang", lang] if lang == "en" else [])]) for lang in ("en", "zh")}
    assert all(r.exit_code == 0 for r in out.values()), {k: r.output for k, r in out.items()}
    for lang, words in (("en", ("measure", "staff by role", "results written to")),
                        ("zh", ("指标", "各岗位人员", "结果已写入"))):
        text = "".join(out[lang].stdout.split())
        assert all("".join(w.split()) in text for w in words), (lang, out[lang].stdout)
        row = next(line for line in out[lang].stdout.splitlines()
                   if measure("staff_cost_per_year.total", lang) in line)
        assert re.search(r"\d{1,3}(,\d{3})+ *│", row) and ".0 " not in row, row  # whole yuan: 12,345,600
    assert "指标" not in out["en"].stdout and "measure" not in out["zh"].stdout
    # staff rows in the report's reading order: grid team, village, squads, hall, departments
    from sim.labels import staff_role
    from sim.report.catalogue import ROLES
    lines = out["en"].stdout.splitlines()
    at = {r: k for r in ROLES for k, line in enumerate(lines) if line.startswith(f"│ {staff_role(r, 'en')} ")}
    shown = [r for r in ROLES if r in at]
    assert {"chief", "worker", "village_cadre", "town_department"} <= set(shown), out["en"].stdout
    assert [at[r] for r in shown] == sorted(at.values()), shown


def test_sweep_warns_of_a_factor_without_effect(tmp_path):
    factors = """
[[factors]]
path = "escalation.severity_to_town"
levels = [5, 6]

[[factors]]
path = "squads.count"
levels = [2, 3]
"""
    exp = write_experiment(tmp_path, factors, replications=1, days=1.5)  # longer than the 1-day warm-up
    out = tmp_path / "sweep"
    run_sweep(load_plan(exp), out)
    found = Store(out).read_warnings()
    no_effect = [w["values"]["factor"] for w in found if w["code"] == "factor_without_effect"]
    assert no_effect == ["severity_to_town"]
    # the scenario checks are stored per design point as well
    assert any(w["code"] == "threshold_without_effect" and w["point"] is not None for w in found)


def test_people_busy_beyond_their_duty_time_are_warned_by_role():
    staff = pd.DataFrame({
        "role": ["patrol_officer", "patrol_officer", "patrol_officer", "liaison", "squad_crew"],
        "workload": [0.9, 1.25, 1.05, 0.7, float("nan")],
    })
    found = overload_warnings(staff)
    assert [w.values for w in found] == [{"role": "patrol_officer", "people": 2.0, "total": 3.0, "high": 1.25}]
    assert text(found[0]) == ("2 of 3 patrol officers are busy longer than they are on duty (workload up to 125%): "
                              "the plan does not fit their hours; add staff or cut routine duties")
    assert text(found[0], "zh").startswith("巡查员中有 2/3 人")  # the role named in Chinese, not its code
    inspectors = overload_warnings(pd.DataFrame({"role": ["work_safety_inspector"], "workload": [1.5]}))
    assert text(inspectors[0], "zh").startswith("安全生产巡查员中有 1/1 人")
    # replications merge into the worst count and workload
    again = {"code": "staff_busy_beyond_duty", "values": {**found[0].values, "people": 1.0, "high": 1.4}}
    assert merge([[found[0].as_dict()], [again]])[0]["values"] == {
        "role": "patrol_officer", "people": 2.0, "total": 3.0, "high": 1.4}


def test_a_sweeps_warning_raised_at_several_points_is_listed_once_with_its_points():
    from sim.warnings import by_points

    w = {"code": "escalation_no_effect", "values": {"field": "escalation.severity_to_town", "value": 5}}
    other = {"code": "escalation_no_effect", "values": {"field": "escalation.severity_to_village", "value": 4}}
    got = by_points([{**w, "point": 1}, {**w, "point": 0}, {**other, "point": 2}, {**w, "point": None}])
    assert got == [(w, [0, 1]), (other, [2])]


def test_two_scenarios_warnings_split_into_both_and_each_own():
    """gridsim compare says a warning both scenarios raise alike once, the others under A or B."""
    from sim.warnings import shared

    grids = {"code": "grid_households", "values": {"n": 28}, "replications": 3}
    a_only = {"code": "grid_households", "values": {"n": 5}, "replications": 3}
    b_only = {"code": "grid_households", "values": {"n": 28}, "replications": 2}  # not in every run of B
    assert shared([grids, a_only], [b_only, grids]) == ([grids], [a_only], [b_only])
