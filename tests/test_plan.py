"""gridsim plan: known optima on a line of villages, refusals, and proof by simulation."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Literal

import numpy as np
import pandas as pd
import pytest
import tomli_w
from typer.testing import CliRunner

from sim.cli import app
from sim.config import load_scenario, read_scenario_data, validate_scenario
from sim.plan.inputs import PlanError, plan_town
from sim.plan.locate import cost_matrix, locate, village_sites

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "xuxiake_1plus4.toml"

# Nine villages 3 km wide in a row; 30 km/h × detour 1.3 makes one step 7.8 min, so the
# 12-minute travel budget (15 − triage 2 − dispatch 1) reaches the next village, not the one after.
LINE_HOUSEHOLDS = [300, 300, 300, 1, 1, 1, 200, 400, 200]


def line_data() -> dict:
    data = read_scenario_data(DEFAULT)
    data["town"].update(
        village_list=[{"name": f"L{i}", "x0": 3.0 * i, "y0": 0.0, "x1": 3.0 * i + 3.0, "y1": 1.0, "households": h}
                      for i, h in enumerate(LINE_HOUSEHOLDS)],
        incidents_at_centroids=True, grid_division={"grids_per_village": 1}, residents=40000)
    data["town"].pop("villages", None)
    data["run"].update(days=3, warmup_days=0)
    data["squads"].update(count=2, crews_per_squad=2)
    data.pop("service_hall", None)
    return data


@pytest.fixture(scope="module")
def line_town():
    return plan_town(validate_scenario(line_data(), "line"))


def _brute_force_p_median(cost: np.ndarray, w: np.ndarray, k: int) -> tuple[int, ...]:
    return min(itertools.combinations(range(cost.shape[1]), k), key=lambda s: float(w @ cost[:, s].min(axis=1)))


def test_demand_follows_households_on_the_line(line_town):
    share = line_town.squad_calls / line_town.squad_calls.sum()
    assert share == pytest.approx(np.array(LINE_HOUSEHOLDS) / sum(LINE_HOUSEHOLDS), rel=1e-9)
    assert line_town.budget_min == pytest.approx(12.0)


def test_p_median_finds_the_known_optimum(line_town):
    t = line_town
    cost = cost_matrix(t, village_sites(t))
    step = 3.0 * 1.3 / 30 * 60  # minutes between neighbouring villages
    assert cost[0, 1] - cost[0, 0] == pytest.approx(step)
    loc = locate(cost, t.squad_calls, t.atom_village, 2, "p-median", t.reach_min)
    assert [t.villages[j] for j in loc.sites] == ["L1", "L7"]  # the middle of each cluster
    assert tuple(loc.sites) == _brute_force_p_median(cost, t.squad_calls, 2)
    assert loc.optimal
    w = np.array(LINE_HOUSEHOLDS, dtype=float)
    by_hand = (w @ np.abs(np.arange(9)[:, None] - np.array([1, 7])[None]).min(axis=1) * step) / w.sum() + 1.0
    assert loc.objective == pytest.approx(by_hand)


def test_mclp_covers_the_two_clusters_and_p_center_bounds_the_longest_trip(line_town):
    t = line_town
    cost = cost_matrix(t, village_sites(t))
    mclp = locate(cost, t.squad_calls, t.atom_village, 2, "mclp", t.reach_min)
    assert [t.villages[j] for j in mclp.sites] == ["L1", "L7"]
    assert mclp.objective == pytest.approx(1700 / 1703)  # all but L3, L4, L5 within 12 minutes
    centre = locate(cost, t.squad_calls, t.atom_village, 2, "p-center", t.reach_min)
    assert centre.objective == pytest.approx(1.0 + 2 * 7.8)  # no village more than two steps away


def test_more_squads_than_sites_is_refused_with_the_nearest_setting(line_town):
    cost = cost_matrix(line_town, village_sites(line_town))
    with pytest.raises(PlanError, match="nearest feasible setting is --squads 9"):
        locate(cost, line_town.squad_calls, line_town.atom_village, 12, "p-median", line_town.reach_min)


def plan(*args: str):
    """Run ``gridsim plan …`` in-process (the CLI's own imports are already loaded)."""
    return CliRunner().invoke(app, ["plan", *args])


def test_plan_bases_verify_confirms_a_better_plan_by_paired_difference(tmp_path, monkeypatch):
    data = line_data()
    far = [25.5, 0.5]  # today: both squads based at the far end of the line
    data["squads"]["units"] = [{"id": "A", "base": far, "zone": [f"L{i}" for i in range(5)]},
                               {"id": "B", "base": far, "zone": [f"L{i}" for i in range(5, 9)]}]
    data["command_centre"]["dispatch_rule"] = "home_zone_first"
    src = tmp_path / "line.toml"
    src.write_text(tomli_w.dumps(data))
    out = tmp_path / "plan"
    r = plan("bases", str(src), "--squads", "2", "--verify", "3", "--days", "3", "--workers", "1", "--out", str(out))
    assert r.exit_code == 0, r.output
    table = pd.read_csv(out / "bases.csv")
    assert set(table.id) == {"current", "pmedian_k2", "mclp_k2", "pcenter_k2"}
    v = pd.read_csv(out / "verify.csv")
    row = v[(v.plan == "pmedian_k2") & (v.measure == "share_within_15min_dispatched")].iloc[0]
    assert row.diff_mean == pytest.approx(row.b_mean - row.a_mean)
    assert 0 < row.diff_lo <= row.diff_mean <= row.diff_hi  # the simulation confirms the gain
    verdicts = json.loads((out / "plan.json").read_text())["verification"]["verdicts"]
    assert verdicts["pmedian_k2"]["verdict"] == "confirmed"
    # in the scenario's language (zh): each plan by its name, the verdict in words
    assert "p-中位 K=2：已确认" in r.output and "confirmed" not in r.output
    variant = out / "scenarios" / "pmedian_k2.toml"
    text = variant.read_text()
    assert "extends" not in text  # today's plan lists its own units: the variant is written in full
    sc = load_scenario(variant)
    assert [u.id for u in sc.squads.units] == ["S1", "S2"]
    s1, s2 = (set(u.zone or []) for u in sc.squads.units)
    assert {"L0", "L1", "L2"} <= s1 and {"L6", "L7", "L8"} <= s2 and s1 | s2 == {f"L{i}" for i in range(9)}
    assert (out / "pareto.png").stat().st_size > 10_000 and (out / "maps" / "pmedian_k2.png").exists()
    # the table on a 100-column terminal: no cell wraps (a plan's name, its interval and verdict each whole)
    import io

    from rich.cells import cell_len
    from rich.console import Console

    import sim.plan.cli as plan_cli

    langs: tuple[tuple[Literal["zh", "en"], str, str], ...] = (("en", "p-median K=2", "confirmed"),
                                                               ("zh", "p-中位 K=2", "已确认"))
    for lang, name, verdict in langs:
        console = Console(width=100, record=True, file=io.StringIO())
        monkeypatch.setattr(plan_cli, "out_console", console)
        plan_cli._print_bases(table, SimpleNamespace(budget_min=12.0, calls_per_day=lambda: np.ones(3)), lang, 3)
        lines = console.export_text().splitlines()
        assert max(cell_len(line) for line in lines) <= 100, lines
        row = next(line for line in lines if line.lstrip().startswith(name))
        sim = table.set_index("id").loc["pmedian_k2"]
        assert row.split()[-2:] == [f"{100 * sim.sim_mean:.1f}%", verdict], lines
        below = lines[lines.index(row) + 1].split()
        assert below[0] == "pmedian_k2" and below[-2:] == [f"[{100 * sim.sim_lo:.1f}%,", f"{100 * sim.sim_hi:.1f}%]"]


def test_plan_variant_extends_the_input(tmp_path):
    src = tmp_path / "line.toml"
    src.write_text(tomli_w.dumps(line_data()))
    out = tmp_path / "plan"
    r = plan("bases", str(src), "--squads", "2", "--out", str(out))
    assert r.exit_code == 0, r.output
    variant = out / "scenarios" / "mclp_k2.toml"
    assert 'extends = "../../line.toml"' in variant.read_text()
    sc = load_scenario(variant)
    assert sc.squads.n == 2 and sc.command_centre.dispatch_rule.rule == "home_zone_first"
    assert sc.incidents == load_scenario(src).incidents


@pytest.mark.parametrize("args, message", [
    (["--squads", "12"], "nearest feasible setting is --squads 9"),
    (["--squads", "two"], "--squads: expected a number or a range"),
    (["--time-limit", "0"], "--time-limit"),
    (["--verify", "1"], "--verify: need at least 2"),
])
def test_plan_bases_refuses_in_one_line(tmp_path, args, message):
    src = tmp_path / "line.toml"
    src.write_text(tomli_w.dumps(line_data()))
    out = tmp_path / "plan"
    r = plan("bases", str(src), *args, "--out", str(out))
    assert r.exit_code == 2
    assert message in r.output and len(r.output.strip().splitlines()) == 1, r.output
    assert not out.exists() or not any(out.iterdir())


def test_no_time_for_travel_is_refused(tmp_path):
    data = line_data()
    data["command_centre"]["triage_min"] = {"dist": "fixed", "value": 14.5}
    src = tmp_path / "slow.toml"
    src.write_text(tomli_w.dumps(data))
    r = plan("bases", str(src), "--squads", "2", "--out", str(tmp_path / "p"))
    assert r.exit_code == 2 and "coverage budget is -0.5 min" in r.output, r.output


def test_todays_plan_is_judged_by_the_same_hypercube_as_gridsim_analytic():
    from sim.analytic.from_scenario import squad_system
    from sim.analytic.hypercube import solve_hypercube
    from sim.plan.bases import current_plan

    sc = load_scenario(DEFAULT)
    today = current_plan(plan_town(sc))
    ss = squad_system(sc)
    r = solve_hypercube(ss.arrival_rates, ss.preferences, ss.service_rate, "infinite")
    per_squad = r.workload.reshape(len(today.bases), -1).mean(axis=1)
    assert today.predicted.exact
    assert today.predicted.squad_workload == pytest.approx(per_squad, rel=1e-9)
    assert today.predicted.p_wait == pytest.approx(r.p_queue, rel=1e-9)


def test_plan_grids_writes_the_layer_and_refuses_an_impossible_range(tmp_path):
    import geopandas as gpd

    src = tmp_path / "line.toml"
    src.write_text(tomli_w.dumps(line_data()))
    r = plan("grids", str(src), "--out", str(tmp_path / "no"))
    assert r.exit_code == 2 and "L3 (1 households)" in r.output and "--households 1..500" in r.output, r.output
    out = tmp_path / "grids"
    r = plan("grids", str(src), "--households", "1..500", "--verify", "2", "--days", "1", "--workers", "1",
             "--out", str(out), "--lang", "en")
    assert r.exit_code == 0, r.output
    layer = gpd.read_file(out / "grids.gpkg", layer="grids")
    assert layer.groupby("village").size().to_dict()["L7"] == 2  # 400 households: two grids of 200
    assert layer.households.sum() == pytest.approx(sum(LINE_HOUSEHOLDS))
    assert (out / "grids.png").exists() and (out / "objectives.csv").exists()
    # The proposal is a scenario the model runs: the grid layer of [town.gis], extending the input.
    from sim.town import build_town

    variant = load_scenario(out / "scenarios" / "grids.toml")
    town = build_town(variant)
    assert sorted(g.id for g in town.grids) == sorted(layer.grid)
    assert [v.name for v in town.villages] == [f"L{i}" for i in range(9)]
    v = pd.read_csv(out / "verify.csv")
    assert set(v.plan) == {"grids"} and "workload_gini.worker" in set(v.measure)
    # Staff per role, paired: every proposed grid brings its own team, the same in every replication.
    staff = v.set_index("measure")
    workers = staff.loc["staff_headcount.worker"]
    assert workers.a_mean == 9 * load_scenario(src).grid_staff.all_roles()["worker"].count
    assert workers.diff_mean == pytest.approx((len(layer) - 9) * workers.a_mean / 9)
    assert workers.diff_lo == workers.diff_hi == pytest.approx(workers.diff_mean)
    assert staff.loc["staff_fte.total"].diff_mean > 0 and "staff_fte.worker" in staff.index
    assert "headcount: grid workers" in r.output and "staff_headcount" not in r.output  # named, not coded
    # progress on stderr while verifying (not a terminal: one line per plan started)
    assert "verifying by simulation: 2 plans (today's and 1 proposed) × 2 replications of 1 days = 4 runs" in r.output
    assert "verifying today's division: runs 1–2 of 4" in r.output
    assert "verifying the proposed grids: runs 3–4 of 4" in r.output
    assert "mean [low, high] where it is cut" in " ".join(r.output.split())  # text, not markup rich swallowed
    assert json.loads((out / "plan.json").read_text())["verification"]["verdicts"]["grids"]["verdict"] in (
        "confirmed", "unconfirmed")
    # The report for leadership states the price in its main body, in both languages, in their money units.
    from sim.report.plan import money

    people, cost = staff.loc["staff_headcount.total"].diff_mean, staff.loc["staff_cost_per_year.total"].diff_mean
    assert people > 0 and cost > 0
    langs: tuple[tuple[Literal["zh", "en"], str], ...] = (("zh", f"+{people:.0f}人"), ("en", f"+{people:.0f} staff"))
    for lang, staff_words in langs:
        r = CliRunner().invoke(app, ["report", str(out), "--lang", lang, "--out", str(tmp_path / f"{lang}.html")])
        assert r.exit_code == 0, r.output
        html = (tmp_path / f"{lang}.html").read_text(encoding="utf-8")
        body = html[html.index('<section id="proposals">'):html.index('<section id="maps">')]
        assert staff_words in body and money(cost, lang, True) in body, lang  # 万元 / thousand yuan, not 1,234,567
        assert 'id="verify-all"' not in html  # the price is not only in the appendix


def test_pareto_figure_speaks_the_scenarios_language(tmp_path):
    """`gridsim plan`'s Pareto figure: title, axes, colour bar and legend in Chinese or English, like its maps."""
    import re

    import matplotlib.pyplot as plt

    from sim.labels import plan_method
    from sim.plan.figures import pareto_figure
    from sim.plan.pareto import pareto_plot

    table = pd.DataFrame({"id": ["current", "pmedian_k3", "mclp_k3"], "method": ["current", "p-median", "mclp"],
                          "crews": [9, 9, 9], "predicted_fifteen_share": [0.85, 0.86, 0.84],
                          "sim_mean": [0.85, 0.87, 0.83], "sim_lo": [0.84, 0.86, 0.82], "sim_hi": [0.86, 0.88, 0.84],
                          "squad_max_over_mean": [1.1, 1.05, 1.2], "pareto": [True, True, False]})
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for lang in ("zh", "en"):
        fig = pareto_plot(table, lang)
        try:
            ax, bar = fig.axes
            words = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), bar.get_ylabel()]
            box = ax.get_legend()
            assert box is not None
            legend = [t.get_text() for t in box.get_texts()]
            assert all(bool(cjk.search(w)) == (lang == "zh") for w in words + legend), (lang, words, legend)
            assert {plan_method(m, lang) for m in table.method} <= set(legend) and len(legend) == 5
        finally:
            plt.close(fig)
    assert pareto_figure(table, tmp_path / "pareto.png", "zh").stat().st_size > 10_000


def test_pareto_figure_names_plans_by_marker_not_by_text_over_the_crowded_points():
    """Today and three methods at K = 3 within a point of each other (the README figure's crowded spot): names
    written at the points covered one another and the markers; each plan is its method's marker at its K."""
    import matplotlib.pyplot as plt

    from sim.labels import plan_method
    from sim.plan.pareto import pareto_plot

    rows = [("current", "current", 0.850, 0.856), ("pmedian_k3", "p-median", 0.848, 0.876),
            ("mclp_k3", "mclp", 0.845, 0.824), ("pcenter_k3", "p-center", 0.846, 0.828),
            ("pmedian_k2", "p-median", 0.637, 0.631), ("pmedian_k4", "p-median", 0.902, 0.926)]
    table = pd.DataFrame({"id": [r[0] for r in rows], "method": [r[1] for r in rows],
                          "crews": [9, 9, 9, 9, 6, 12], "predicted_fifteen_share": [r[2] for r in rows],
                          "sim_mean": [r[3] for r in rows], "sim_lo": [r[3] - 0.01 for r in rows],
                          "sim_hi": [r[3] + 0.01 for r in rows], "squad_max_over_mean": 1.05,
                          "pareto": True})
    fig = pareto_plot(table, "zh")
    try:
        fig.canvas.draw()
        ax = fig.axes[0]
        assert not ax.texts  # nothing written over the points
        box = ax.get_legend()
        assert box is not None
        legend = [t.get_text() for t in box.get_texts()]
        assert [plan_method(m, "zh") for m in ("current", "p-median", "mclp", "p-center")] == legend[:4]
        # the four plans of K = 3 stand apart across the axis, each inside the plot
        xs = sorted(x for c in ax.collections[:4] for x in np.asarray(c.get_offsets(), dtype=float)[:, 0].tolist() if 8 < x < 10)
        assert len(xs) == 4 and min(b - a for a, b in itertools.pairwise(xs)) >= 0.29
    finally:
        plt.close(fig)


def test_both_plan_commands_take_the_verification_seed_as_seed_and_list_the_dispatch_rules():
    from sim.plan.cli import DISPATCH_RULE_NAMES
    from sim.policies import DISPATCH_RULES

    assert sorted(DISPATCH_RULE_NAMES) == sorted(DISPATCH_RULES)
    bases_help = " ".join(plan("bases", "--help").output.split())
    grids_help = " ".join(plan("grids", "--help").output.split())
    assert "use: home_zone_first or nearest_idle" in bases_help
    for text in (bases_help, grids_help):
        assert "--seed <int range> First seed of the verification" in text and "--first-seed" not in text
    assert "--division-seed" in grids_help
    # the old spelling still works (hidden) and is checked like --seed
    r = plan("grids", str(DEFAULT), "--first-seed", "-1")
    assert r.exit_code == 2 and "--first-seed" in r.output


def test_plan_grids_prints_in_the_scenarios_language_with_whole_counts(tmp_path):
    """The line town says meta.language = "zh": objectives by their names as the report shows them, counts of
    grids and households whole (an even share of a village's households is 361.5, not a count), one CV format."""
    src = tmp_path / "line.toml"
    src.write_text(tomli_w.dumps(line_data()))
    r = plan("grids", str(src), "--households", "1..500", "--out", str(tmp_path / "g"))
    assert r.exit_code == 0, r.output

    def cells(label: str) -> list[str]:
        line = next(x for x in r.output.splitlines() if f" {label} " in x)
        return [c.strip() for c in line.split("│")[2:] if c.strip()]

    assert cells("网格数")[0] == "9" and cells("网格数")[1].isdigit()
    assert all("." not in c for c in cells("每格户数，最少") + cells("每格户数，最多"))
    assert all(re.fullmatch(r"\d\.\d{3}", c) for c in cells("每格每月事件数，变异系数"))
    assert cells("户数在范围内的网格占比")[1] == "100.0%"
    assert "households per grid" not in r.output and "objective " not in r.output and "written to" not in r.output


def test_objectives_and_counts_read_the_same_everywhere():
    from sim.report.catalogue import fmt

    assert fmt(361.5, "households per grid, min") == "362" and fmt(119.0, "grids") == "119"
    assert fmt(0.3441, "events per grid per month, CV") == "0.344" and fmt(0.797, "grids inside the household range (share)") == "79.7%"
    assert fmt(1086.0, "staff_headcount.total") == "1,086" and fmt(41.4, "staff_fte.chief") == "41.4"
