"""Sweeps: designs, common random numbers, refusals, kill-and-resume, Dask = local pool."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from sim.sweep.cli import register, run_sweep
from sim.sweep.experiment import load_plan
from sim.sweep.runners import Task, run_local
from sim.sweep.store import Store

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "xuxiake_1plus4.toml"
EXPERIMENTS = ROOT / "experiments"


def write_experiment(folder: Path, factors: str, design: str = 'kind = "full_factorial"',
                     replications: int = 2, days: float = 2, extra: str = "", name: str = "exp") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f"""
[experiment]
name = "{name}"
scenario = "{SCENARIO}"
replications = {replications}
base_seed = 7
days = {days}

{factors}

[design]
{design}
{extra}
""", encoding="utf-8")
    return path


SQUAD_FACTORS = """
[[factors]]
path = "squads.count"
name = "squads"
levels = [2, 3]

[[factors]]
path = "command_centre.dispatch_rule"
name = "dispatch_rule"
levels = ["nearest_idle", "home_zone_first"]
"""


def rows(out: Path) -> pd.DataFrame:
    return Store(out).read_runs().reset_index(drop=True)


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


# --- designs ------------------------------------------------------------------------------
def test_shipped_experiments_have_the_right_number_of_points() -> None:
    sizes = {"grid_size": 3, "squad_deployment": 12, "escalation_thresholds": 6, "before_after": 2}
    for name, n in sizes.items():
        plan = load_plan(EXPERIMENTS / f"{name}.toml")
        assert len(plan.points) == n
        assert len({tuple(p.values.items()) for p in plan.points}) == n


def test_scenario_factor_swaps_the_whole_scenario() -> None:
    plan = load_plan(EXPERIMENTS / "before_after.toml")
    names = [sc.meta.name for sc in plan.scenarios]
    assert names == ["xuxiake_pre_reform", "xuxiake_1plus4"]
    assert not plan.scenarios[0].command_centre.enabled and plan.scenarios[1].command_centre.enabled


def test_latin_hypercube_points_stratify_each_factor(tmp_path: Path) -> None:
    factors = """
[[factors]]
path = "squads.count"
low = 2
high = 4

[[factors]]
path = "escalation.overdue_fraction"
low = 0.5
high = 1.0
"""
    plan = load_plan(write_experiment(tmp_path, factors, 'kind = "latin_hypercube"\npoints = 5\nseed = 3'))
    assert len(plan.points) == 5
    counts = [p.values["squads.count"] for p in plan.points]
    fracs = sorted(p.values["escalation.overdue_fraction"] for p in plan.points)
    assert all(isinstance(c, int) and 2 <= c <= 4 for c in counts)
    # one value in each fifth of the range: that is what makes it a Latin hypercube
    assert [int((f - 0.5) / 0.1) for f in fracs] == [0, 1, 2, 3, 4]
    again = load_plan(write_experiment(tmp_path, factors, 'kind = "latin_hypercube"\npoints = 5\nseed = 3'))
    assert [p.values for p in again.points] == [p.values for p in plan.points]


# --- common random numbers ---------------------------------------------------------------
def test_dispatch_rule_points_share_the_incident_stream(tmp_path: Path) -> None:
    plan = load_plan(write_experiment(tmp_path, SQUAD_FACTORS))
    assert run_sweep(plan, tmp_path / "out", workers=1) == []
    df = rows(tmp_path / "out")
    inc = df[df.measure == "incidents"].set_index(["squads", "dispatch_rule", "replication"])["value"]
    assert (inc > 0).all()  # past the scenario's one warm-up day
    for squads in (2, 3):
        for k in (0, 1):
            assert inc[(squads, "nearest_idle", k)] == inc[(squads, "home_zone_first", k)]
    assert inc[(2, "nearest_idle", 0)] != inc[(2, "nearest_idle", 1)]  # replications differ
    assert sorted(df.seed.unique()) == [7, 8]
    # the store answers SQL, one summary row per point and measure
    con = duckdb.connect(str(tmp_path / "out" / "results.duckdb"), read_only=True)
    row = con.execute("SELECT count(DISTINCT (point, replication)), count(DISTINCT point) FROM runs").fetchone()
    assert row is not None
    n_runs, n_points = row
    assert (n_runs, n_points) == (8, 4)
    n = con.execute("SELECT min(n), max(n) FROM summary WHERE measure = 'incidents'").fetchone()
    assert n == (2, 2)
    con.close()
    result = CliRunner().invoke(cli(), ["query", str(tmp_path / "out"),
                                        "SELECT dispatch_rule, count(*) AS k FROM design GROUP BY 1 ORDER BY 1"])
    assert result.exit_code == 0, result.output
    assert "home_zone_first" in result.stdout and "nearest_idle" in result.stdout
    bad = CliRunner().invoke(cli(), ["query", str(tmp_path / "out"), "SELECT nope FROM runs"])
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1 and "nope" in bad.stderr


# --- refusals --------------------------------------------------------------------------------
BAD = {
    "unknown_path": ('[[factors]]\npath = "town.grid_division.household_per_grid"\nlevels = [300]',
                     'kind = "full_factorial"', "household_per_grid"),
    "empty_levels": ('[[factors]]\npath = "squads.count"\nlevels = []', 'kind = "full_factorial"', "levels"),
    "lhs_without_range": ('[[factors]]\npath = "squads.count"\nlevels = [2, 3]',
                          'kind = "latin_hypercube"\npoints = 4', "low"),
    "lhs_without_points": ('[[factors]]\npath = "squads.count"\nlow = 2\nhigh = 4',
                           'kind = "latin_hypercube"', "design.points"),
    "bad_level": ('[[factors]]\npath = "command_centre.dispatch_rule"\nlevels = ["nearest_idle", "teleport"]',
                  'kind = "full_factorial"', "dispatch_rule"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_experiment_is_refused_with_one_line(tmp_path: Path, case: str) -> None:
    factors, design, field = BAD[case]
    path = write_experiment(tmp_path, factors, design)
    result = CliRunner().invoke(cli(), ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and field in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()  # refused before anything ran


@pytest.mark.parametrize(("days", "lang", "words"), [
    (1, [], "：experiment.days：1天不长于预热期 run.warmup_days（1天），预热之后没有可统计的时间"),
    (1, ["--lang", "en"], ": experiment.days: 1 day leaves nothing after run.warmup_days (1)"),
    (0.5, ["--lang", "en"], ": experiment.days: 0.5 days leave nothing after run.warmup_days (1)")])
def test_an_experiment_no_longer_than_its_warm_up_is_refused_in_the_scenarios_language(
        tmp_path: Path, days: float, lang: list[str], words: str) -> None:
    """The base scenario is Chinese: so is the refusal, unless --lang says otherwise; one day is a day."""
    path = write_experiment(tmp_path, SQUAD_FACTORS, days=days)
    result = CliRunner().invoke(cli(), ["sweep", str(path), "--out", str(tmp_path / "out"), *lang])
    assert result.exit_code == 2
    head = "error: " if lang else "错误："
    assert result.stderr == f"{head}{path}{words}\n"
    assert not (tmp_path / "out").exists()


def test_missing_and_non_toml_files_are_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.toml"
    junk.write_text("this is [not toml", encoding="utf-8")
    for path, words in ((tmp_path / "missing.toml", "no such file"), (junk, "not valid TOML")):
        result = CliRunner().invoke(cli(), ["sweep", str(path)])
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(path) in lines[0] and words in lines[0]


# --- crash safety ----------------------------------------------------------------------------
def test_killed_sweep_resumes_without_losing_or_doubling_runs(tmp_path: Path) -> None:
    factors = SQUAD_FACTORS + '\n[[factors]]\npath = "squads.crews_per_squad"\nlevels = [2, 3]\n'
    exp = write_experiment(tmp_path, factors, replications=2, days=2)
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "sim", "sweep", str(exp), "--workers", "1", "--out", str(out)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "runs").glob("*.parquet"))) >= 3:
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    done_at_kill = len(list((out / "runs").glob("*.parquet")))
    assert 3 <= done_at_kill < 16, "the sweep was not killed mid-way"
    (out / "runs" / "p000099_r00000.parquet.tmp-1").write_bytes(b"PAR1 half a file")  # a torn write
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"（已完成{done_at_kill}次）" in again.stderr.replace("\n", "")  # in the scenario's language (zh)
    assert not list((out / "runs").glob("*.tmp-*"))

    reference = tmp_path / "whole"
    assert run_sweep(load_plan(exp), reference, workers=1) == []
    resumed, whole = rows(out), rows(reference)
    assert len(resumed) == len(whole) and not resumed.duplicated(["point", "replication", "measure"]).any()
    pd.testing.assert_frame_equal(resumed, whole)


def _dies_once(scenario: object, seed: int, days: float | None) -> dict[str, float]:
    """A job whose worker process dies the first time it meets seed 2."""
    marker = Path(os.environ["GRIDSIM_TEST_MARKER"])
    if seed == 2 and not marker.exists():
        marker.touch()
        os._exit(1)
    return {"seed": float(seed)}


def test_local_pool_reruns_the_runs_of_a_dead_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDSIM_TEST_MARKER", str(tmp_path / "died"))
    tasks = [Task(f"k{s}", s, 0, s, None, None) for s in range(5)]  # type: ignore[arg-type]
    done: dict[str, float] = {}
    failed: list[str] = []
    run_local(tasks, 2, lambda t, r: done.__setitem__(t.key, r["seed"]), lambda t, m: failed.append(m),
              job=_dies_once)
    assert (tmp_path / "died").exists()
    assert failed == [] and done == {f"k{s}": float(s) for s in range(5)}


# --- Dask ----------------------------------------------------------------------------------
@pytest.mark.slow  # ≈ 8 s on an idle 2-core machine, more under load (cluster start-up)
def test_dask_cluster_gives_the_same_rows_as_the_local_pool(tmp_path: Path) -> None:
    from distributed import LocalCluster

    plan = load_plan(write_experiment(tmp_path, SQUAD_FACTORS))
    assert run_sweep(plan, tmp_path / "local", workers=2) == []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        assert run_sweep(plan, tmp_path / "dask", scheduler=cluster.scheduler_address) == []
    local, dask = rows(tmp_path / "local"), rows(tmp_path / "dask")
    assert len(local[["point", "replication"]].drop_duplicates()) == 8  # 2 squad counts × 2 rules × 2 replications
    pd.testing.assert_frame_equal(local, dask)


# --- analysis --------------------------------------------------------------------------------
def test_summarize_writes_tables_figures_and_morris(tmp_path: Path) -> None:
    factors = """
[[factors]]
path = "squads.count"
name = "squads"
low = 2
high = 4

[[factors]]
path = "escalation.overdue_fraction"
low = 0.5
high = 1.0
"""
    exp = write_experiment(tmp_path, factors, 'kind = "morris"\ntrajectories = 2\nnum_levels = 4\nseed = 1',
                           replications=1, extra='[analysis]\nsensitivity = "morris"')
    plan = load_plan(exp)
    assert len(plan.points) == 2 * (2 + 1)
    assert run_sweep(plan, tmp_path / "out", workers=1) == []
    result = CliRunner().invoke(cli(), ["summarize", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    table = result.output.split(str(tmp_path))[0]  # the table, before the files written
    assert "15分钟到场率" in table and "执法中队数" in table and "share_within_15min" not in table  # zh: words
    folder = tmp_path / "out" / "analysis"
    morris = pd.read_csv(folder / "morris.csv")
    assert set(morris.factor) == {"squads", "overdue_fraction"}
    trade = pd.read_csv(folder / "tradeoff.csv")
    assert len(trade) == 6 and trade.non_dominated.any()
    for name in ("fig_tradeoff.png", "fig_morris.png", "fig_share_within_15min_vs_factors.png",
                 "fig_heatmap_share_within_15min.png", "summary.csv", "marginal_squads.csv"):
        assert (folder / name).stat().st_size > 0, name


def _runs(levels: dict[str, list], measure: str = "share_within_15min") -> pd.DataFrame:
    """A store's long table for every combination of the levels, 3 replications, without running the model."""
    import itertools

    rows = []
    for point, combo in enumerate(itertools.product(*levels.values())):
        for rep in range(3):
            rows.append({"point": point, "replication": rep, "measure": measure, "value": 0.9 + 0.01 * rep,
                         **dict(zip(levels, combo, strict=True))})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("lang, title, unit", [("zh", "15分钟到场率", "百分比（%）"), ("en", "15-minute share", "per cent (%)")])
def test_a_factor_figure_reads_in_words_with_integer_ticks_and_a_whole_title(lang, title, unit) -> None:
    from sim.fonts import cjk_font
    from sim.sweep.analysis import Words, vs_factors_figure

    cjk_font()
    factors = [{"column": "squads", "path": "squads.count"},
               {"column": "dispatch_rule", "path": "command_centre.dispatch_rule"}]
    runs = _runs({"squads": [2.0, 3.0, 4.0]})  # one factor: the narrowest figure, whose title was cut off
    fig = vs_factors_figure(runs, ["squads"], "share_within_15min", Words(lang, factors))
    fig.canvas.draw()
    ax = fig.axes[0]
    assert [x.get_text() for x in ax.get_xticklabels()] == ["2", "3", "4"]  # not 2.0, 2.5, …
    assert ax.get_ylabel() == unit and ax.get_xlabel() == ("执法中队数" if lang == "zh" else "squads")
    sup = fig.texts[0]  # the suptitle
    text = sup.get_text()
    assert title in text.replace("\n", "") and "share_within_15min" not in text
    box = sup.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width  # the whole title on the figure
    assert max(max(np.asarray(line.get_ydata(), dtype=float)) for line in ax.get_lines()) == pytest.approx(91.0)
    plt.close(fig)
    fig = vs_factors_figure(_runs({"dispatch_rule": ["nearest_idle", "home_zone_first"]}), ["dispatch_rule"],
                            "share_within_15min", Words(lang, factors))
    ticks = [x.get_text() for x in fig.axes[0].get_xticklabels()]
    assert ticks == (["本辖区优先", "最近空闲"] if lang == "zh" else ["Home zone first", "Nearest idle"])
    plt.close(fig)


def test_a_heatmap_cell_cut_at_the_measures_range_reads_lo_hi_as_the_terminal_does(tmp_path: Path) -> None:
    """A share near 100% has its CI cut at 100%: the cell says [lo, hi], not a ± that would pass 100."""
    from sim.compare import plus_minus
    from sim.fonts import cjk_font
    from sim.stats import measure_ci
    from sim.sweep.analysis import Words, _heatmap, cell_label

    cjk_font()
    assert cell_label(50.0, 48.0, 52.0) == "50\n±2"
    assert cell_label(96.7, 81.2, 100.0) == "96.7\n[81.2, 100]"  # the terminal: 96.7% [81.2%, 100.0%]
    assert cell_label(float("nan"), float("nan"), float("nan")) == "" and cell_label(40.0, float("nan"), 1) == "40"
    runs = _runs({"squads": [2, 3], "dispatch_rule": ["nearest_idle", "home_zone_first"]})
    runs.loc[runs.point == 0, "value"] = [1.0, 1.0, 0.9]
    csv, png = _heatmap(runs, "squads", "dispatch_rule", "share_within_15min", tmp_path,
                        Words("zh", [{"column": "squads", "path": "squads.count"},
                                     {"column": "dispatch_rule", "path": "command_centre.dispatch_rule"}]))
    cells = pd.read_csv(csv)
    cut = cells[(cells.squads == 2) & (cells.dispatch_rule == "nearest_idle")].iloc[0]
    m, lo, hi = measure_ci("share_within_15min", np.array([1.0, 1.0, 0.9]))
    assert (cut["mean"], cut.ci_low, cut.ci_high) == pytest.approx((m, lo, hi)) and hi == 1.0
    assert "[" in plus_minus(m, lo, hi, "share_within_15min")  # the terminal shows it cut, so does the cell
    assert cell_label(100 * m, 100 * lo, 100 * hi).endswith(f"[{100 * lo:.3g}, 100]")
    assert png.stat().st_size > 10_000
