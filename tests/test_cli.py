"""The gridsim command: outputs, reproducibility, and refusing bad input in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import python_last_line
from scipy import stats
from typer.testing import CliRunner

from sim.__main__ import refused_early
from sim.cli import app, invoked
from sim.config import load_scenario
from sim.console import fmt
from sim.labels import measure
from sim.outputs import staged_output
from sim.vocabulary import MINUTES_PER_DAY

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "xuxiake_1plus4.toml"


def gridsim(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in a fresh process, as a user runs it (end to end: entry point, exit status)."""
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=ROOT)


def gridsim_here(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in this process (typer's CliRunner): refusals need no new interpreter."""
    r = CliRunner().invoke(app, list(args))
    return subprocess.CompletedProcess(list(args), r.exit_code, r.stdout, r.stderr)


def test_run_writes_the_closed_loop_record(tmp_path):
    out = tmp_path / "run"
    r = gridsim("run", str(DEFAULT), "--days", "2", "--seed", "5", "--out", str(out))
    assert r.returncode == 0, r.stderr
    summary = json.loads((out / "summary.json").read_text())
    for key in ("incidents", "response_p50_min", "response_p90_min", "share_within_15min",
                "closure_on_time_share", "tier_share", "workload_gini", "squads"):
        assert key in summary
    assert set(summary["tier_share"]) == {"grid", "village", "town", "county"}
    assert sum(summary["tier_share"].values()) == pytest.approx(1.0)
    assert {"id", "utilisation", "calls_share"} <= set(summary["squads"][0])
    inc = pd.read_parquet(out / "incidents.parquet")
    for col in ("occurred_at", "reported_at", "dispatched_at", "arrived_at", "resolved_at", "closed_at",
                "category", "grid", "channel", "tier", "handler"):
        assert col in inc.columns
    warm = load_scenario(DEFAULT).run.warmup_days * MINUTES_PER_DAY  # the measures count the cases after it
    assert summary["incidents"] == int((inc.occurred_at >= warm).sum()) and summary["incidents"] < len(inc)
    assert sum(s["calls_share"] for s in summary["squads"]) == pytest.approx(1.0)
    staff = pd.read_parquet(out / "staff.parquet")
    assert {"role", "on_duty_min", "busy_min", "cases"} <= set(staff.columns)
    assert not list(out.glob(".partial-*"))
    # both tier shares simulated, each a row of its own, named so: no figure in a label reads as the published one
    lines = r.stdout.splitlines()
    for tier in summary["tier_share"]:
        for group, words in (("tier_share", "按实际处置层级"), ("tier_share_published", "仿真，按公开统计口径计")):
            label = measure(f"{group}.{tier}", "zh")
            assert words in label
            row = [line for line in lines if f"│ {label} " in line]
            assert len(row) == 1 and fmt(summary[group][tier], True) in row[0], r.stdout
    assert "公开口径：" not in r.stdout
    # titled by the scenario's display name (as its report), not its file id; the cost total says whom it leaves out
    assert lines[0].strip() == "徐霞客镇（“1+4”改革后）：2天，随机种子 5"
    assert "注：年人员成本合计不含镇职能部门人员、县级部门人员共28人（情景未给出其薪酬），人数和折合全职合计包含他们" in lines


def test_same_seed_identical_summary_other_seed_not(tmp_path):
    runs = {}
    for name, seed in (("a", "11"), ("b", "11"), ("c", "12")):
        out = tmp_path / name
        assert gridsim("run", str(DEFAULT), "--days", "2", "--seed", seed, "--out", str(out)).returncode == 0
        runs[name] = (out / "summary.json").read_text()
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_replications_report_mean_and_ci(tmp_path):
    out = tmp_path / "reps"
    r = gridsim("run", str(DEFAULT), "--days", "2", "--replications", "3", "--workers", "2", "--out", str(out),
                "--lang", "en")
    assert r.returncode == 0, r.stderr
    lines = [line.strip() for line in r.stdout.splitlines()]
    assert lines[0] == "Xu Xiake town, after the 1+4 reform: 2 days × 3 replications (mean, 95% CI)"
    assert ("Note: the staff cost total leaves out town department staff, county department staff (28 people: the "
            "scenario gives no salary for them); the headcount and FTE totals include them") in lines
    s = json.loads((out / "summary.json").read_text())
    assert s["replications"] == 3
    cell = s["share_within_15min"]
    reps = pd.read_parquet(out / "replications.parquet")
    assert len(reps) == 3
    x = reps["share_within_15min"].to_numpy(float)  # Student's t with 2 degrees of freedom, cut at a share's [0, 1]
    half = stats.t.ppf(0.975, 2) * x.std(ddof=1) / np.sqrt(3)
    assert [cell["mean"], *cell["ci95"]] == pytest.approx([x.mean(), max(x.mean() - half, 0), min(x.mean() + half, 1)],
                                                          rel=1e-12)


GOOD = DEFAULT.read_text(encoding="utf-8")

BAD_SCENARIOS = {
    "missing_field": (GOOD.replace("area_km2 = 110", ""), "town: area_km2", "missing"),
    "unknown_field": (GOOD.replace("[town]\n", "[town]\nwibble = 3\n"), "town.wibble", "unknown field"),
    "wrong_type": (GOOD.replace("residents = 180000", 'residents = "many"'), "town.residents", ""),
    "negative_rate": (GOOD.replace("events_per_10k_residents_per_year = 6000",
                                   "events_per_10k_residents_per_year = -5"),
                      "incidents.events_per_10k_residents_per_year", "greater than 0"),
    "nan_rate": (GOOD.replace("events_per_10k_residents_per_year = 6000",
                              "events_per_10k_residents_per_year = nan"),
                 "incidents.events_per_10k_residents_per_year", "finite"),
    "inf_count": (GOOD.replace("residents = 180000", "residents = inf"), "town.residents", ""),
    "negative_count": (GOOD.replace("count = 3                   #", "count = -1                   #"),
                       "squads.count", "greater than or equal to 0"),
    "unknown_category": (GOOD.replace('fifteen_minute_rule = ["illegal_parking", "street_vending"]',
                                      'fifteen_minute_rule = ["illegal_parking", "jaywalking"]'),
                         "fifteen_minute_rule", "jaywalking"),
    "unknown_policy": (GOOD.replace('dispatch_rule = "home_zone_first"', 'dispatch_rule = "random_walk"'),
                       "dispatch_rule", "random_walk"),
    "grid_without_staff": (GOOD.replace("count = 1, duty_share", "count = 0, duty_share"),
                           "grid_staff", "at least one staff"),
    "duplicate_key": (GOOD.replace("area_km2 = 110", "area_km2 = 110\narea_km2 = 120"), "town.area_km2",
                      "given twice"),
    "not_toml": ("this is { not toml", "", "not valid TOML"),
    "misspelt_field": (f'extends = "{DEFAULT}"\n[squads]\ncuont = 2\n', "squads.cuont",
                       "unknown field (did you mean count?)"),
    "misspelt_category": (f'extends = "{DEFAULT}"\n[[incidents.categories]]\nname = "illegal_parkng"\nshare = 3.0\n',
                          "incidents.categories[illegal_parkng]", "unknown category (did you mean illegal_parking?)"),
    "categories_as_tables": (f'extends = "{DEFAULT}"\n[incidents.categories.illegal_parking]\nshare = 0.3\n',
                             "incidents.categories", 'write each category as [[incidents.categories]] with name = '
                             '"illegal_parking" (an array of tables), not as [incidents.categories.illegal_parking]'),
}


@pytest.mark.parametrize("case", sorted(BAD_SCENARIOS))
def test_bad_scenario_is_refused_in_one_line(tmp_path, case):
    text, field, words = BAD_SCENARIOS[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = gridsim_here("run", str(path), "--days", "2", "--out", str(out))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert str(path) in lines[0] and field in lines[0] and words in lines[0]
    assert "Traceback" not in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("case", ["missing_field", "not_toml"])
def test_bad_scenario_is_refused_end_to_end(tmp_path, case):
    """The same refusal from a fresh process: exit 2, one line, no traceback, nothing written."""
    text, field, words = BAD_SCENARIOS[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = gridsim("run", str(path), "--days", "2", "--out", str(out))
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0 and field in r.stderr and words in r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    """Bad scenarios of every kind: fields, checks across sections, run size, files, ``extends``."""
    files = {}
    for case, (text, _, _) in BAD_SCENARIOS.items():
        files[case] = tmp_path / f"{case}.toml"
        files[case].write_text(text, encoding="utf-8")
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    (tmp_path / "huge.toml").write_text(GOOD.replace("\ndays = 30\n", "\ndays = 3650\n", 1)
                                        .replace("residents = 180000", "residents = 5000000"), encoding="utf-8")
    (tmp_path / "latin1.toml").write_bytes(b'[meta]\nname = "caf\xe9"\n')
    return files | {"extends_cycle": tmp_path / "a.toml", "too_big": tmp_path / "huge.toml",
                    "not_utf8": tmp_path / "latin1.toml", "missing_file": tmp_path / "nope.toml",
                    "directory": tmp_path}


def test_early_refusal_is_the_commands_own(tmp_path):
    """`gridsim run BAD.toml` is refused before typer loads (sim.__main__) with the very line and
    exit status of the command itself, for bad fields, cross-section checks, run size and bad files."""
    for case, path in _bad_files(tmp_path).items():
        r = gridsim_here("run", str(path))
        assert r.returncode == 2 and len(r.stderr.splitlines()) == 1, (case, r.stderr)
        assert refused_early(["run", str(path)]) == r.stderr, case


def test_early_refusal_leaves_everything_else_to_the_command(tmp_path):
    """A good scenario, any option, another command or help: nothing is refused before the command."""
    bad = _bad_files(tmp_path)["unknown_field"]
    for argv in (["run", str(DEFAULT)], ["run", str(bad), "--days", "2"], ["run", "--help"], ["run"],
                 ["compare", str(bad), str(bad)], ["--help"], ["run", str(bad), str(bad)]):
        assert refused_early(argv) is None, argv


def test_early_refusal_end_to_end(tmp_path):
    """From a fresh process, as a user runs it: exit 2 and the command's own line, no traceback."""
    path = _bad_files(tmp_path)["negative_rate"]
    r = gridsim("run", str(path))
    assert r.returncode == 2 and r.stderr == gridsim_here("run", str(path)).stderr
    assert "incidents.events_per_10k_residents_per_year" in r.stderr and "Traceback" not in r.stderr


def test_plain_run_of_a_bad_scenario_never_loads_typer(tmp_path):
    """The early refusal is the one taken: exit 2 with neither typer nor the command line imported;
    with an option the same file goes through both."""
    bad = _bad_files(tmp_path)["unknown_field"]
    probe = ("import sys\nsys.argv = ['gridsim', *{argv!r}]\nfrom sim.__main__ import main\ntry:\n    main()\n"
             "except SystemExit as exc:\n    print(exc.code, 'typer' in sys.modules, 'sim.cli' in sys.modules)")
    assert python_last_line(probe.format(argv=["run", str(bad)])) == "2 False False"
    assert python_last_line(probe.format(argv=["run", str(bad), "--days", "2"])) == "2 True True"


def _commands() -> list[tuple[str, ...]]:
    """Every command as typed: the top-level ones, each group and each command of a group."""
    tops: list[tuple[str, ...]] = [(c.name or c.callback.__name__.replace("_", "-"),)
                                   for c in app.registered_commands if c.callback]
    groups: list[tuple[str, ...]] = [(g.name,) for g in app.registered_groups if g.name]
    subs: list[tuple[str, ...]] = [(g.name, c.name or c.callback.__name__)
                                   for g in app.registered_groups if g.name and g.typer_instance
                                   for c in g.typer_instance.registered_commands if c.callback]
    return tops + groups + subs


def test_invoked_builds_only_the_named_command():
    """Typer builds only the command named on the line; help, no command and unknown names get the whole app."""
    assert len(_commands()) >= 14
    for name in ("run", "compare", "sweep", "report", "map"):
        only = invoked([name, "x", "--days", "2"])
        assert [c.name or c.callback.__name__ for c in only.registered_commands if c.callback] == [name]
        assert only.registered_groups == []
    plan = invoked(["plan", "bases", "x"])
    assert plan.registered_commands == [] and [g.name for g in plan.registered_groups] == ["plan"]
    for argv in ([], ["--help"], ["rnu"], ["-x"]):
        assert invoked(argv) is app, argv
    assert len(app.registered_commands) > 1  # the whole app is left as it was


def test_a_command_alone_helps_and_refuses_as_in_the_whole_app(tmp_path):
    """Each command's help, a misspelt option, a missing argument and a bad value read the same
    (text and exit status) whether typer built the whole app or only that command."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[meta]\nname = "bad"\n\n[run]\ndays = -5\n', encoding="utf-8")
    groups = [(g.name,) for g in app.registered_groups]
    for cmd in _commands():
        # no tail only for a group (its help): a command with no argument may run (validate, dashboard)
        for tail in (["--help"], *([[]] if len(cmd) == 1 and (cmd[0],) in groups else []), ["--no-such-option"],
                     [str(bad), "--days", "2", "--seed", "-1"], [str(bad), str(bad), "--days", "2"]):
            argv = [*cmd, *tail]
            whole, alone = CliRunner().invoke(app, argv), CliRunner().invoke(invoked(argv), argv)
            assert (alone.exit_code, alone.stdout, alone.stderr) == (whole.exit_code, whole.stdout, whole.stderr), argv
    whole, alone = CliRunner().invoke(app, ["run", str(bad), "--days", "2"]), CliRunner().invoke(
        invoked(["run"]), ["run", str(bad), "--days", "2"])
    assert alone.exit_code == whole.exit_code == 2 and alone.stderr == whole.stderr and "run.days" in alone.stderr


def test_exit_leaves_the_last_collection_nothing_to_scan(tmp_path):
    """gridsim freezes its objects on the way out (the collection at exit cost a fifth of a refusal);
    the refusal, its exit status and the atexit handlers are unaffected."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[meta]\nname = "bad"\n\n[run]\ndays = -5\n', encoding="utf-8")
    probe = ("import atexit, gc, sys\natexit.register(lambda: print('atexit ran'))\n"
             "sys.argv = ['gridsim', *{argv!r}]\nfrom sim.__main__ import main\ntry:\n    main()\n"
             "except SystemExit as exc:\n    print(exc.code, gc.get_freeze_count() > 1000)")
    for argv in (["run", str(bad)], ["run", str(bad), "--days", "2"]):
        r = subprocess.run([sys.executable, "-c", probe.format(argv=argv)], capture_output=True, text=True, cwd=ROOT)
        assert r.stdout.split("\n")[:2] == ["2 True", "atexit ran"], r.stdout + r.stderr
        assert r.stderr == "error: " + str(bad) + ": run.days: Input should be greater than 0\n"


def test_missing_path_is_refused(tmp_path):
    r = gridsim_here("run", str(tmp_path / "nope.toml"))
    assert r.returncode == 2
    assert "nope.toml" in r.stderr and "no such file" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_bad_option_is_refused():
    r = gridsim_here("run", str(DEFAULT), "--days", "-3")
    assert r.returncode == 2 and "--days" in r.stderr


def test_failed_run_leaves_nothing_behind(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), staged_output(out) as staged:
        (staged.path / "summary.json").write_text("{}")
        raise RuntimeError("killed mid-run")
    assert not out.exists()  # made for the run, removed with it


# What start-up must not import: the model, data frames, scientific and plotting libraries,
# the sweep machinery, and rich (fail() writes a plain line; help is click's plain text).
HEAVY = ("numpy", "pandas", "scipy", "mesa", "simpy", "duckdb", "dask", "matplotlib", "pyarrow", "geopandas",
         "rich", "sim.runner", "sim.model", "sim.sweep.store", "sim.sweep.runners", "sim.report.build")
_PROBE = """
import sys
sys.argv = ["gridsim", *{argv!r}]
from sim.__main__ import main
try:
    main()
except SystemExit:
    pass
from sim.deferred import Deferred  # a stand-in (sim/deferred.py) is not a loaded module
print("loaded:", *sorted({heavy!r} & {{m.split(".")[0] if not m.startswith("sim.") else m
                                        for m, mod in sys.modules.items() if not isinstance(mod, Deferred)}}))
"""


@pytest.mark.parametrize("argv", [["--help"], ["run", "{bad}"], ["run", "{bad}", "--days", "2"], ["plan", "--help"],
                                  ["sweep", "--help"]])
def test_help_and_a_refusal_import_nothing_heavy(tmp_path, argv):
    """The fast start (issue 13) as a guard: a regression shows the module that came back."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[meta]\nname = "bad"\n\n[run]\ndays = -5\n', encoding="utf-8")
    code = _PROBE.format(argv=[a.format(bad=bad) for a in argv], heavy=set(HEAVY))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.stdout.strip().splitlines()[-1] == "loaded:", r.stdout[-300:] + r.stderr[-300:]


def test_a_run_draws_no_figures_so_imports_no_plotting(tmp_path):
    """`gridsim run` writes tables and a terminal summary, no figure: matplotlib (≈ 0.3 CPU s) stays out.

    The cost note under the summary once pulled it in through the report's workload section.
    """
    argv = ["run", str(ROOT / "scenarios/small_rural_town.toml"), "--days", "1.5", "--out", str(tmp_path / "out")]
    code = _PROBE.format(argv=argv, heavy={"matplotlib", "seaborn", "sim.report.build", "sim.report.figures"})
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert (tmp_path / "out" / "summary.json").is_file(), r.stderr[-300:]
    assert r.stdout.strip().splitlines()[-1] == "loaded:", r.stdout[-300:] + r.stderr[-300:]
