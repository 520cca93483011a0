"""Faults: every refusal is one line and exit 2, nothing is half-written, the store is read-only.

The named cases are the regression corpus of issue 15 (each one crashed, hung, was wrongly
accepted or left files behind before).
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from multiprocessing import forkserver
from pathlib import Path
from unittest.mock import patch

import pandas as pd
import pytest

from sim.cli import main
from sim.config import load_scenario
from sim.config.size import expected_size
from sim.outputs import MANIFEST, OutputError, prepare
from sim.pool import _stop_signals_held, run_pool
from sim.sweep.experiment import ExperimentError, load_plan
from sim.sweep.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "xuxiake_1plus4.toml"
SMALL = ROOT / "scenarios" / "small_rural_town.toml"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def gridsim(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """The gridsim entry point in this process: (exit status, stdout, stderr)."""
    saved = {s: signal.getsignal(s) for s in STOP_SIGNALS}
    try:
        with patch.object(sys, "argv", ["gridsim", *map(str, args)]), pytest.raises(SystemExit) as exit_:
            main()
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    out, err = capsys.readouterr()
    return int(exit_.value.code or 0), out, err


def assert_refused(code: int, err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for w in words:
        assert w in lines[0], lines[0]


def experiment(folder: Path, name: str = "exp", days: float = 1.5, extra: str = "") -> Path:
    path = folder / f"{name.replace('/', '_')}.toml"
    path.write_text(f"""
[experiment]
name = "{name}"
scenario = "{SMALL}"
replications = 1
days = {days}
{extra}
[[factors]]
path = "squads.count"
levels = [2]
""", encoding="utf-8")
    return path


def small_store(tmp_path: Path) -> Path:
    """A sweep folder with one finished run, written without running the model."""
    out = tmp_path / "sweep"
    plan = load_plan(experiment(tmp_path))
    store = Store(out)
    with store.writing():
        store.init(plan)
        store.write_run(0, 0, 1, {"count": 2}, {"share_within_15min": 0.9, "incidents": 100.0})
    store.build_database(force=True)
    return out


# --- options: every refusal is one line --------------------------------------------------
OPTION_CASES: dict[str, tuple[list[str | Path], str]] = {
    "days_not_a_number": (["run", DEFAULT, "--days", "abc"], "--days"),
    "days_negative": (["run", DEFAULT, "--days", "-1"], "--days"),
    "days_huge": (["run", DEFAULT, "--days", "1e9"], "3650"),
    "days_nan": (["run", DEFAULT, "--days", "nan"], "--days"),
    "workers_negative": (["run", DEFAULT, "--workers", "-1"], "--workers"),
    "replications_zero": (["run", DEFAULT, "--replications", "0"], "--replications"),
    "replications_huge": (["run", DEFAULT, "--replications", "1000000000000"], "--replications"),
    "seed_negative": (["run", DEFAULT, "--seed", "-1"], "--seed"),
    "compare_seed_negative": (["compare", DEFAULT, DEFAULT, "--seed", "-1"], "--seed"),
    "analytic_check_negative": (["analytic", DEFAULT, "--check", "-1"], "--check"),
    "analytic_days_negative": (["analytic", DEFAULT, "--check", "2", "--days", "-1"], "--days"),
    "validate_days_negative": (["validate", "--days", "-1"], "--days"),
    "sweep_workers_negative": (["sweep", ROOT / "experiments" / "grid_size.toml", "--workers", "-1"], "--workers"),
    "sweep_scheduler_not_an_address": (["sweep", ROOT / "experiments" / "grid_size.toml",
                                        "--scheduler", "not an address"], "--scheduler"),
    # a bare host:port is Dask's tcp; nothing listens on port 1: refused before the sweep folder is made
    "sweep_scheduler_not_running": (["sweep", ROOT / "experiments" / "grid_size.toml", "--scheduler", "127.0.0.1:1"],
                                    "--scheduler 127.0.0.1:1: no Dask scheduler answers at 127.0.0.1:1"),
    "plan_bases_squads_huge": (["plan", "bases", SMALL, "--squads", "1000000000000"], "--squads"),
    "plan_bases_time_limit_huge": (["plan", "bases", SMALL, "--time-limit", "1e308"], "--time-limit"),
    "plan_bases_time_limit_nan": (["plan", "bases", SMALL, "--time-limit", "nan"], "--time-limit"),
    "plan_bases_verify_huge": (["plan", "bases", SMALL, "--verify", "1000000000000"], "--verify"),
    "plan_bases_verify_one": (["plan", "bases", SMALL, "--verify", "1"], "--verify"),
    "plan_bases_days_huge": (["plan", "bases", SMALL, "--verify", "2", "--days", "1e9"], "--days"),
    "plan_bases_seed_negative": (["plan", "bases", SMALL, "--seed", "-1"], "--seed"),
    "plan_bases_workers_negative": (["plan", "bases", SMALL, "--workers", "-1"], "--workers"),
    "plan_grids_households_huge": (["plan", "grids", SMALL, "--households", "1e308..1e308"], "--households"),
    "plan_grids_households_tiny": (["plan", "grids", SMALL, "--households", "0.001..1"], "--households"),
    "plan_grids_first_seed_negative": (["plan", "grids", SMALL, "--first-seed", "-1"], "--first-seed"),
    "plan_grids_seed_huge": (["plan", "grids", SMALL, "--seed", str(2**64)], "--seed"),
    "plan_grids_days_nan": (["plan", "grids", SMALL, "--verify", "2", "--days", "nan"], "--days"),
    "dashboard_port_zero": (["dashboard", SMALL, "--port", "0"], "--port"),
    "dashboard_port_huge": (["dashboard", SMALL, "--port", "99999"], "--port"),
    "report_lang_unknown": (["report", ROOT, "--lang", "fr"], "--lang"),
    "report_no_folder": (["report", "no_such_folder"], "no_such_folder"),
    "map_lang_unknown": (["map", ROOT, "--lang", "fr"], "--lang"),
    "map_no_folder": (["map", "no_such_folder"], "no_such_folder"),
    "town_out_not_gpkg": (["town", SMALL, "--out", "town.txt"], "--out"),
    "query_no_folder": (["query", "no_such_folder", "SELECT 1"], "no_such_folder"),
    "summarize_no_folder": (["summarize", "no_such_folder"], "no_such_folder"),
    "compare_replications_huge": (["compare", SMALL, SMALL, "--replications", "1000000000000"], "--replications"),
    "validate_replications_one": (["validate", "--replications", "1"], "--replications"),
    "sweep_workers_huge": (["sweep", ROOT / "experiments" / "grid_size.toml", "--workers", "1000000"], "--workers"),
    "unknown_option": (["run", DEFAULT, "--dayz", "3"], "--dayz"),
    "missing_argument": (["run"], "missing argument SCENARIO"),
    "unknown_command": (["runn"], "runn"),
}


@pytest.mark.parametrize("case", sorted(OPTION_CASES))
def test_bad_option_is_one_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # default output folders land here, if anything were written
    args, words = OPTION_CASES[case]
    code, _, err = gridsim(capsys, *args)
    assert_refused(code, err, words)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["run", DEFAULT], ["plan", "bases", SMALL], ["report", ROOT], ["map", ROOT]])
def test_a_bad_option_value_reads_alike_in_every_command(args: list[str | Path], capsys: pytest.CaptureFixture[str]) -> None:
    """typer's own checks and the commands' own refusals name the option the same way."""
    code, _, err = gridsim(capsys, *args, "--lang", "de")
    assert (code, err) == (2, "error: --lang: must be zh or en, got 'de'\n")


@pytest.mark.parametrize(("days", "lang", "line"), [
    ("1", "en", "error: --days: 1 day leaves nothing after the scenario's run.warmup_days (1)\n"),
    ("0.5", "en", "error: --days: 0.5 days leave nothing after the scenario's run.warmup_days (1)\n"),
    ("1", None, "错误：--days：1天不长于情景的预热期 run.warmup_days（1天），预热之后没有可统计的时间\n")])
def test_a_run_no_longer_than_its_warm_up_is_refused_in_the_scenarios_language(
        days: str, lang: str | None, line: str, capsys: pytest.CaptureFixture[str]) -> None:
    """One day is a day, not "1 days"; the Chinese preset is refused in Chinese unless --lang says otherwise."""
    code, _, err = gridsim(capsys, "run", DEFAULT, "--days", days, *(("--lang", lang) if lang else ()))
    assert (code, err) == (2, line)


@pytest.mark.parametrize(("args", "line"), [
    (["run"], "error: gridsim run: missing argument SCENARIO\n"),
    (["compare", "{zh}"], "错误：gridsim compare：缺少参数 SCENARIO_B\n"),
    (["run", "{zh}", "--bogus"], "错误：gridsim run：没有 --bogus 这个选项（是否想用 --out？）\n"),
    (["run", "{zh}", "--bogus", "--lang", "en"], "error: gridsim run: no such option --bogus (did you mean --out?)\n"),
    (["run", "{en}", "--days"], "error: --days: needs a value\n"),
    (["run", "{zh}", "--days"], "错误：--days：需要给出一个值\n"),
    (["sweep", "{exp}", "--wrkers", "2"], "错误：gridsim sweep：没有 --wrkers 这个选项（是否想用 --workers？）\n"),
    (["frob"], "error: gridsim: no such command frob (gridsim --help lists them)\n"),
    (["run", "{zh}", "--seed", "x"], "error: --seed: input should be a valid integer, unable to parse string as an integer\n"),
])
def test_a_usage_error_is_one_line_naming_the_option_in_the_scenarios_language(
        args: list[str], line: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing argument, an unknown option, an option without its value: one line, exit 2, in the
    language the command would print in (--lang, else the scenario's); a bad value's words are its check's."""
    en = tmp_path / "en.toml"
    en.write_text(f'extends = "{SMALL}"\n[meta]\nlanguage = "en"\n', encoding="utf-8")
    files = {"zh": DEFAULT, "en": en, "exp": ROOT / "experiments" / "grid_size.toml"}
    code, out, err = gridsim(capsys, *(a.format(**files) for a in args))
    assert (code, out, err) == (2, "", line)


def test_fifo_as_scenario_is_refused_without_hanging(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "scenario.toml"
    os.mkfifo(fifo)
    code, _, err = gridsim(capsys, "run", fifo, "--out", tmp_path / "out")
    assert_refused(code, err, str(fifo), "regular file")


# --- output folders ------------------------------------------------------------------------
@pytest.mark.parametrize("where", ["existing_file", "under_a_file", "under_proc"])
def test_unusable_out_is_one_line(where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    out = {"existing_file": tmp_path / "file", "under_a_file": tmp_path / "file" / "sub",
           "under_proc": Path("/proc/gridsim-out")}[where]
    code, _, err = gridsim(capsys, "run", SMALL, "--days", "1.5", "--out", out)
    assert_refused(code, err, "--out", str(out))
    assert (tmp_path / "file").read_text() == "x"


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run of the small town (for the commands that read one)."""
    out = tmp_path_factory.mktemp("run") / "out"
    subprocess.run([sys.executable, "-m", "sim", "run", str(SMALL), "--days", "1.5", "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    return out


@pytest.mark.parametrize("command", ["report", "map", "town"])
@pytest.mark.parametrize("where", ["under_a_file", "under_proc"])
def test_unusable_out_of_other_commands_is_one_line(command: str, where: str, run_folder: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    name = {"report": "r.html", "map": "maps", "town": "t.gpkg"}[command]
    out = tmp_path / "file" / name if where == "under_a_file" else Path("/proc") / name
    source = SMALL if command == "town" else run_folder
    before = sorted(p.name for p in run_folder.rglob("*"))
    code, _, err = gridsim(capsys, command, source, "--out", out)
    assert_refused(code, err, "--out", str(out))
    assert (tmp_path / "file").read_text() == "x"
    assert sorted(p.name for p in run_folder.rglob("*")) == before


def test_map_with_an_unknown_measure_leaves_no_folder(run_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = gridsim(capsys, "map", run_folder, "--measure", "happiness")
    assert_refused(code, err, "'happiness'")
    assert not (run_folder / "maps").exists()


def test_run_into_a_used_folder_replaces_the_older_run_whole(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code, _, err = gridsim(capsys, "run", SMALL, "--days", "1.5", "--replications", "2", "--workers", "1",
                           "--out", out)
    assert code == 0, err
    assert (out / "replications.parquet").exists()
    code, _, err = gridsim(capsys, "run", SMALL, "--days", "1.5", "--out", out, "--lang", "en")
    assert code == 0, err
    assert "replaced the earlier results" in err and "replications.parquet" in err
    assert not (out / "replications.parquet").exists()  # no stale file of the older run
    assert {p.name for p in out.iterdir()} == {MANIFEST, *json.loads((out / MANIFEST).read_text())["files"]}
    assert "replications" not in json.loads((out / "summary.json").read_text())


def test_folder_with_foreign_files_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    code, _, err = gridsim(capsys, "run", SMALL, "--days", "1.5", "--out", out)
    assert_refused(code, err, "notes.txt", "--force")
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    code, _, err = gridsim(capsys, "run", SMALL, "--days", "1.5", "--out", out, "--force")
    assert code == 0, err
    assert (out / "notes.txt").read_text() == "keep me" and (out / "summary.json").exists()


def test_a_stopped_command_removes_the_empty_folders_it_made_and_only_those(tmp_path: Path) -> None:
    from sim.outputs import staged_output

    for stop in (KeyboardInterrupt, OSError):
        with pytest.raises(stop), staged_output(tmp_path / "new" / "deeper" / "out") as staged:
            (staged.path / "half.parquet").write_bytes(b"PAR1 half")
            raise stop()
        assert list(tmp_path.iterdir()) == []
    (tmp_path / "mine").mkdir()
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "notes.txt").write_text("keep me")
    for out in (tmp_path / "mine", tmp_path / "mine" / "out", tmp_path / "kept"):
        with pytest.raises(KeyboardInterrupt), staged_output(out, force=True):
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "mine"]
    assert list((tmp_path / "mine").iterdir()) == [] and [p.name for p in (tmp_path / "kept").iterdir()] == ["notes.txt"]


def test_stale_partial_is_removed_and_a_live_one_is_respected(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / ".partial-999999-abc"
    stale.mkdir(parents=True)
    (stale / "incidents.parquet").write_bytes(b"PAR1 half")
    prepare(out)
    assert not stale.exists()
    live = out / ".partial-123-live"
    live.mkdir()
    fd = os.open(live, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a running command holds it
    try:
        with pytest.raises(OutputError, match="pid 123"):
            prepare(out)
        assert live.exists()
    finally:
        os.close(fd)


def _start_and_signal(tmp_path: Path, args: list[str], ready: Callable[[], bool], sig: int) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and not ready():
        time.sleep(0.05)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", err)


def test_sigterm_and_kill_leave_nothing_half_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = _start_and_signal(tmp_path, ["run", str(DEFAULT), "--days", "300", "--out", str(out)],
                          lambda: bool(list(out.glob(".partial-*/incidents.parquet"))), signal.SIGTERM)
    assert r.returncode == 128 + signal.SIGTERM, r.stderr
    assert r.stderr.strip().splitlines()[-1] == f"stopped (SIGTERM): nothing was written to {out}/"
    assert "Traceback" not in r.stderr
    assert not out.exists()  # the folder it made is gone with it: nothing written, no empty folder
    r = _start_and_signal(tmp_path, ["run", str(DEFAULT), "--days", "300", "--out", str(out)],
                          lambda: bool(list(out.glob(".partial-*/incidents.parquet"))), signal.SIGKILL)
    assert list(out.glob(".partial-*"))  # kill -9 cannot be seen; the next run cleans up
    prepare(out)
    assert list(out.iterdir()) == []


def test_ctrl_c_on_a_sweep_says_what_was_kept_and_how_to_resume(tmp_path: Path) -> None:
    exp = experiment(tmp_path, days=30, extra="").read_text().replace("replications = 1", "replications = 6")
    path = tmp_path / "long.toml"
    path.write_text(exp)
    out = tmp_path / "sweep"
    r = _start_and_signal(tmp_path, ["sweep", str(path), "--workers", "1", "--out", str(out)],
                          lambda: bool(list((out / "runs").glob("*.parquet"))), signal.SIGINT)
    assert r.returncode == 130, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("stopped (Ctrl-C): ") and "finished runs are kept" in last
    assert f"resume with: gridsim sweep {path} --out {out}" in last
    assert "Traceback" not in r.stderr


# --- the sweep store -------------------------------------------------------------------------
def test_a_refused_second_sweep_touches_nothing_of_the_running_one(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = small_store(tmp_path)
    torn = out / "runs" / "p000001_r00000.parquet.tmp-4242"
    torn.write_bytes(b"being written")
    fd = os.open(out / ".sweep.lock", os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # the running sweep
    try:
        code, _, err = gridsim(capsys, "sweep", experiment(tmp_path), "--out", out, "--workers", "1")
        assert_refused(code, err, "another sweep")
        assert torn.exists()
    finally:
        os.close(fd)


def test_a_database_build_cut_short_is_removed_by_the_next_sweep(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = small_store(tmp_path)
    dead = [out / ".results.duckdb.tmp-999999", out / ".results.duckdb.tmp-999999.wal"]  # kill -9 mid-build
    live = out / f".results.duckdb.tmp-{os.getppid()}"  # a query building it right now (a live process)
    for p in (*dead, live):
        p.write_bytes(b"half a database")
    code, _, err = gridsim(capsys, "sweep", experiment(tmp_path), "--out", out, "--workers", "1")
    assert code == 0, err
    assert not any(p.exists() for p in dead) and live.exists()


def test_corrupt_experiment_json_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = small_store(tmp_path)
    (out / "experiment.json").write_text("{ not json")
    code, _, err = gridsim(capsys, "query", out, "SELECT 1")
    assert_refused(code, err, "experiment.json", "damaged")
    code, _, err = gridsim(capsys, "sweep", experiment(tmp_path), "--out", out, "--workers", "1")
    assert_refused(code, err, "experiment.json", "damaged")


def test_experiment_name_cannot_leave_results_sweeps(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = experiment(tmp_path, name="../../x")
    code, _, err = gridsim(capsys, "sweep", path, "--workers", "1")
    assert_refused(code, err, "experiment.name", "folder name")
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1 AS a) TO '{out}/runs/p000000_r00000.parquet'",
    "ATTACH '{out}/other.duckdb' AS other",
    "INSERT INTO runs SELECT * FROM runs",
    "DROP TABLE runs",
    "SET enable_external_access = true",
    "INSTALL httpfs",
    "SELECT * FROM read_csv('/etc/passwd')",
    "EXPORT DATABASE '{out}/export'",
])
def test_query_cannot_change_the_store(sql: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = small_store(tmp_path)
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    code, _, err = gridsim(capsys, "query", out, sql.format(out=out))
    assert_refused(code, err, "query:")
    assert {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} == before


def test_query_exports_with_its_own_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = small_store(tmp_path)
    sql = "SELECT measure, value FROM runs ORDER BY measure"
    code, _, err = gridsim(capsys, "query", out, sql, "--csv", tmp_path / "a.csv", "--parquet", tmp_path / "a.parquet")
    assert code == 0, err
    assert pd.read_csv(tmp_path / "a.csv").to_dict("list") == {"measure": ["incidents", "share_within_15min"],
                                                              "value": [100.0, 0.9]}
    assert len(pd.read_parquet(tmp_path / "a.parquet")) == 2
    code, _, err = gridsim(capsys, "query", out, sql, "--parquet", out / "runs" / "p000000_r00000.parquet")
    assert_refused(code, err, "--parquet", "sweep's own files")
    code, _, err = gridsim(capsys, "query", out, "")
    assert_refused(code, err, "empty")


# --- the schema: the issue's corpus, each a copy of the default preset changed in one place ---
GOOD = DEFAULT.read_text(encoding="utf-8")
UNIT = '\n[[squads.units]]\nid = "S1"\ncrews = 3\nzone = ["V01"]\n'


def _with(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


SCHEMA_CASES = {
    # crashes
    "street_density_zero": (_with("core = 20.0, industrial", "core = 0.0, industrial"), "street_km_per_km2"),
    "zone_names_unknown_village": (_with("count = 3                   #", "count = 0 #") + UNIT.replace("V01", "V99"),
                                   "unknown village 'V99'"),
    "rate_1e308": (_with("events_per_10k_residents_per_year = 6000", "events_per_10k_residents_per_year = 1e308"),
                   "events_per_10k_residents_per_year"),
    "area_1e308": (_with("area_km2 = 110", "area_km2 = 1e308"), "town.area_km2"),
    "speed_1e308": (_with("car_kmh = 30 ", "car_kmh = 1e308 "), "car_kmh"),
    "delay_1e308": (_with("camera_delay_min = { dist = \"exponential\", mean = 5 }",
                          "camera_delay_min = { dist = \"exponential\", mean = 1e308 }"), "camera_delay_min"),
    "work_time_1e308": (_with('work_min = { dist = "lognormal", mean = 30, cv = 0.6 }',
                              'work_min = { dist = "lognormal", mean = 1e308, cv = 0.6 }'), "work_min.mean"),
    "hall_rate_1e308": (_with("cases_per_year = 120000", "cases_per_year = 1e308"), "service_hall.cases_per_year"),
    "routine_hours_1e308": (_with("meetings_h_per_week = 4 }", "meetings_h_per_week = 1e308 }"),
                            "tiers.village_routine.meetings_h_per_week"),
    "salary_1e308": (_with("chief = 90000,", "chief = 1e308,"), "staff_cost.salary_per_year.chief"),
    "squads_1e12": (_with("count = 3                   #", "count = 1000000000000 #"), "squads.count"),
    # hangs
    "villages_1e12": (_with("villages = 60 ", "villages = 1000000000000 "), "town.villages"),
    "residents_1e12": (_with("residents = 180000", "residents = 1000000000000"), "town.residents"),
    "crews_1e12": (_with("crews_per_squad = 3 ", "crews_per_squad = 1000000000000 "), "crews_per_squad"),
    "cadres_1e12": (_with("village_cadres = 3 ", "village_cadres = 1000000000000 "), "village_cadres"),
    "windows_1e12": (_with("windows = 14 ", "windows = 1000000000000 "), "windows"),
    "grid_staff_count_1e12": (_with("chief = { count = 1,", "chief = { count = 1000000000000,"),
                              "grid_staff.roles.chief.count"),
    "department_staff_1e12": (_with("town_departments = { staff = 1,", "town_departments = { staff = 1000000000000,"),
                              "tiers.town_departments.staff"),
    "department_by_domain_1e12": (_with("by_domain = { utilities = 5 }", "by_domain = { utilities = 1000000000000 }"),
                                  "tiers.town_departments.by_domain.utilities"),
    "squad_officers_1e12": (_with("count = 3                   #", "count = 0 #")
                            + UNIT.replace("crews = 3", "officers = 1000000000000"), "officers"),
    "priority_class_1e30": (_with('squad_priority = "severity"', 'squad_priority = "severity"\n'
                                  "squad_priority_classes = { safety_hazard = 1000000000000000000000000000000 }"),
                            "squad_priority_classes.safety_hazard"),
    "days_1e308_in_file": (_with("days = 30", "days = 1e308"), "run.days"),
    # accepted but wrong
    "area_as_text": (_with("area_km2 = 110", 'area_km2 = "110"'), "town.area_km2"),
    "camera_as_text": (_with("camera = true", 'camera = "yes"'), "camera"),
    "villages_as_boolean": (_with("villages = 60 ", "villages = true "), "town.villages"),
    "street_density_negative": (_with("core = 20.0, industrial", "core = -1.0, industrial"), "street_km_per_km2"),
    "squad_domain_unknown": (_with("crews_per_squad = 3 ", 'domains = ["astrology"]\ncrews_per_squad = 3 '),
                             "unknown domain 'astrology'"),
    "department_domain_unknown": (_with("by_domain = { utilities = 5 }", "by_domain = { astrology = 5 }"),
                                  "tiers.town_departments.by_domain: unknown domain 'astrology'"),
}


BIG = _with("residents = 180000", "residents = 5000000").replace(
    "events_per_10k_residents_per_year = 6000", "events_per_10k_residents_per_year = 90000").replace(
    "days = 30", "days = 3000")  # 5 million residents, 9 problems a resident a year, 3,000 days


def test_run_size_is_checked_at_the_length_the_command_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The file's run.days sizes a run only when --days (or an experiment's days) is not given."""
    path = tmp_path / "big.toml"
    path.write_text(BIG, encoding="utf-8")
    out = tmp_path / "out"
    code, _, err = gridsim(capsys, "run", path, "--out", out)
    assert (code, err) == (2, f"error: {path}: a 3000-day run (run.days) would have ≈ 370,849,315 incidents and "
                              "hall cases, beyond the limit of 10,000,000 (sim/limits.py); shorten the run or shrink "
                              "the town\n")
    code, _, err = gridsim(capsys, "compare", DEFAULT, path, "--days", "2000", "--out", out)
    assert code == 2 and "big.toml: a 2000-day run (--days) would have ≈ 247,232,877 incidents" in err, err
    long_a = tmp_path / "long_small.toml"
    long_a.write_text(f'extends = "{SMALL}"\n[run]\ndays = 2000\n', encoding="utf-8")
    code, _, err = gridsim(capsys, "compare", long_a, path, "--out", out)  # B runs as long as A
    assert code == 2 and f"big.toml: a 2000-day run ({long_a}'s run.days) would have" in err, err
    assert not out.exists()
    # a 1.5-day run of the same file is 185,425 events: sized, not refused
    assert expected_size(load_scenario(path, days=1.5), 1.5).events == pytest.approx(185_424.7, abs=0.1)
    short = experiment(tmp_path, days=1.5).read_text().replace(str(SMALL), str(path))
    (tmp_path / "short.toml").write_text(short, encoding="utf-8")
    assert len(load_plan(tmp_path / "short.toml").scenarios) == 1
    (tmp_path / "long.toml").write_text(short.replace("days = 1.5", "days = 2000"), encoding="utf-8")
    with pytest.raises(ExperimentError, match=r"a 2000-day run \(experiment.days\) would have"):
        load_plan(tmp_path / "long.toml")


@pytest.mark.parametrize("case", sorted(SCHEMA_CASES))
def test_issue_corpus_is_refused_in_one_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, words = SCHEMA_CASES[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    code, _, err = gridsim(capsys, "run", path, "--days", "1.5", "--out", tmp_path / "out")
    assert_refused(code, err, str(path), words)
    assert not (tmp_path / "out").exists()


def test_deeply_nested_array_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(GOOD + "\n[extra]\nx = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    code, _, err = gridsim(capsys, "run", path, "--days", "1.5", "--out", tmp_path / "out")
    assert_refused(code, err, str(path), "nested too deeply")


@pytest.mark.parametrize("item", ['label_zh = "无名"', 'name = ["a", "b"]'])
def test_extends_list_item_without_a_text_name(item: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "child.toml"
    path.write_text(f'extends = "{DEFAULT}"\n\n[[incidents.categories]]\n{item}\nshare = 1\n', encoding="utf-8")
    code, _, err = gridsim(capsys, "run", path, "--days", "1.5", "--out", tmp_path / "out")
    assert_refused(code, err, str(path), "incidents.categories")


EXPERIMENT_CASES = {
    "days_1e308": ("days = 1.5", "days = 1e308", "experiment.days"),
    "replications_1e12": ("replications = 1", "replications = 1000000000000", "experiment.replications"),
    "households_per_grid_1e-300": ("levels = [2]", "levels = [1e-300]", "households_per_grid"),
    "days_shorter_than_warmup": ("days = 1.5", "days = 0.5", "warmup"),
    "latin_hypercube_1e9_points": ("[[factors]]", '[design]\nkind = "latin_hypercube"\npoints = 1000000000\n\n[[factors]]',
                                   "design.points"),
    "replications_as_text": ("replications = 1", 'replications = "1"', "experiment.replications"),
}


@pytest.mark.parametrize("case", sorted(EXPERIMENT_CASES))
def test_experiment_corpus_is_refused_in_one_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    old, new, words = EXPERIMENT_CASES[case]
    text = experiment(tmp_path, extra="").read_text().replace("[experiment]", "[experiment]", 1)
    text = text.replace('path = "squads.count"', 'path = "town.grid_division.households_per_grid"') \
        if case == "households_per_grid_1e-300" else text
    if case == "latin_hypercube_1e9_points":
        text = text.replace("levels = [2]", "low = 2\nhigh = 3")
    path = tmp_path / "exp.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, _, err = gridsim(capsys, "sweep", path, "--workers", "1")
    assert_refused(code, err, str(path), words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml"]


# --- a lost Dask cluster: one line and the command that resumes ------------------------------
def test_a_dask_cluster_without_workers_gives_up_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from distributed import LocalCluster

    monkeypatch.setattr("sim.sweep.runners.NO_WORKERS_TIMEOUT_S", 1.0)
    path, out = experiment(tmp_path), tmp_path / "sweep"
    with LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        capsys.readouterr()  # the cluster's own start-up notes (a busy dashboard port) are not the sweep's
        code, _, err = gridsim(capsys, "sweep", path, "--scheduler", address, "--out", out)
    lines = err.strip().splitlines()
    assert code == 2 and "Traceback" not in err, err
    assert len(lines) == 2 and f"在 Dask {address} 上运行" in lines[0], err  # the opening line (zh), then the loss
    assert lines[1] == (f"error: the Dask cluster at {address} has had no worker for 1 s; 0 finished runs are kept "
                        f"in {out}/runs/; resume with: gridsim sweep {path} --out {out} --scheduler {address}")


@pytest.mark.slow  # a scheduler and a worker start as processes (≈ 10 s)
def test_a_killed_dask_scheduler_ends_the_sweep_in_one_line(tmp_path: Path) -> None:
    exp = experiment(tmp_path, days=20).read_text().replace("replications = 1", "replications = 8")
    path, out = tmp_path / "long.toml", tmp_path / "sweep"
    path.write_text(exp)
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    port = 30000 + os.getpid() % 20000
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0",
                                  "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "1",
                               "--nthreads", "1", "--no-dashboard"], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        r = _start_and_kill(["sweep", str(path), "--scheduler", address, "--out", str(out)],
                            lambda: bool(list((out / "runs").glob("*.parquet"))), scheduler)
    finally:
        for proc in (worker, scheduler):
            proc.kill()
            proc.wait()
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert len(lines) == 2, r.stderr
    assert lines[1].startswith(f"error: lost the Dask scheduler at {address}")
    kept = len(list((out / "runs").glob("*.parquet")))
    assert kept >= 1 and f"; {kept} finished runs are kept in {out}/runs/; resume with: " \
        f"gridsim sweep {path} --out {out} --scheduler {address}" in lines[1]


def _start_and_kill(args: list[str], ready: Callable[[], bool], victim: subprocess.Popen[bytes],
                    timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """Start gridsim, kill -9 another process (the scheduler) once ``ready()``, wait for gridsim."""
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None and not ready():
        time.sleep(0.05)
    victim.kill()
    _, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", err)


# --- Ctrl-C: one line saying it stopped and what was kept, for every long command ----------
def _ctrl_c(args: list[str], ready: Callable[[], bool], timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """Start gridsim in its own process group and press Ctrl-C (SIGINT to the group) once ``ready()``."""
    proc = subprocess.Popen([sys.executable, "-m", "sim", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None and not ready():
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", err)


def _serving(port: str) -> bool:
    """True once a dashboard server process for this port has started (it may still be loading)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"solara" in words and port.encode() in words:
            return True
    return False


def _after(seconds: float) -> Callable[[], bool]:
    start = time.monotonic()
    return lambda: time.monotonic() - start > seconds


def test_pool_workers_ignore_ctrl_c_and_the_parent_keeps_its_handler() -> None:
    """Only the parent acts on Ctrl-C (it stops the workers); the pool leaves its handler as it was."""
    before = signal.getsignal(signal.SIGINT)
    got: dict[int, object] = {}
    try:
        run_pool(signal.getsignal, {0: (signal.SIGINT,), 1: (signal.SIGINT,)}, 2, got.__setitem__,
                 lambda key, exc: pytest.fail(repr(exc)))
    finally:  # the server keeps this test's environment: later tests of this process start their own
        forkserver._forkserver._stop()  # type: ignore[attr-defined]  # CPython's own test hook
    assert got == {0: signal.SIG_IGN, 1: signal.SIG_IGN}
    assert signal.getsignal(signal.SIGINT) is before


def test_pool_workers_start_with_what_a_run_imports_on_first_use() -> None:
    """The forkserver imports sim.pool_warm's modules once: no worker pays them on its first run (issue 14)."""
    loaded = "__import__('sys').modules.__contains__({!r})"
    got: dict[str, object] = {}
    try:
        run_pool(eval, {name: (loaded.format(name),) for name in ("scipy.special", "pyarrow.pandas_compat")}, 2,
                 got.__setitem__, lambda key, exc: pytest.fail(repr(exc)))
    finally:  # the server keeps this test's environment: later tests of this process start their own
        forkserver._forkserver._stop()  # type: ignore[attr-defined]  # CPython's own test hook
    assert got == {"scipy.special": True, "pyarrow.pandas_compat": True}


def test_a_stop_while_workers_start_is_delivered_once_they_have_started() -> None:
    """A stop inside pool.submit would orphan the worker being started (issue 15's forkserver traceback)."""
    order: list[str] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: order.append("stopped"))
    try:
        with _stop_signals_held():
            signal.raise_signal(signal.SIGTERM)
            order.append("workers started")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert order == ["workers started", "stopped"]


@pytest.mark.slow  # five commands started and stopped as processes
@pytest.mark.parametrize("command", [
    "run", "compare_starting_workers",
    "sweep_starting_workers", "plan", "dashboard"])
def test_ctrl_c_says_it_stopped_and_what_was_kept(command: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = experiment(tmp_path, days=300)  # long enough that no run finishes before the Ctrl-C, even on an idle box
    partial = lambda: bool(list(out.glob(".partial-*")))  # noqa: E731  # the command is writing
    port = str(20000 + os.getpid() % 20000)
    args, ready, kept = {
        "run": (["run", str(SMALL), "--days", "300", "--out", str(out)], partial, f"nothing was written to {out}/"),
        "compare_starting_workers": (["compare", str(SMALL), str(SMALL), "--days", "20", "--replications", "2",
                                      "--workers", "2", "--out", str(out)], partial, f"nothing was written to {out}/"),
        "sweep_starting_workers": (["sweep", str(path), "--workers", "2", "--out", str(out)],
                                   lambda: (out / "experiment.json").exists(),
                                   f"0 finished runs are kept in {out}/runs/; resume with: gridsim sweep {path} "
                                   f"--out {out}"),
        "plan": (["plan", "bases", str(SMALL), "--squads", "2..4", "--out", str(out)], _after(3), ""),
        "dashboard": (["dashboard", str(SMALL), "--port", port], lambda: _serving(port),
                      f"the dashboard server at http://127.0.0.1:{port} is stopped; nothing was written"),
    }[command]
    r = _ctrl_c(args, ready)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 130 and "Traceback" not in r.stderr, r.stderr
    assert lines[-1].startswith("stopped (Ctrl-C): ") and kept in lines[-1], r.stderr
    assert len(lines) <= 2, r.stderr  # the line, after the command's own opening line
    assert not list(out.glob(".partial-*"))
    if command == "plan":
        assert not out.exists() or not any(out.iterdir())


def test_a_long_command_without_a_terminal_says_where_it_is_a_line_at_a_time(capsys: pytest.CaptureFixture[str]) -> None:
    """No bar without a terminal (a log, a pipe): a line each PROGRESS_EVERY_S, none for a short run."""
    from sim.console import PROGRESS_EVERY_S, RunProgress

    now = [0.0]
    with RunProgress("town seed 1", 30, "days", "en", clock=lambda: now[0]) as progress:
        for day in range(1, 30):
            now[0] += PROGRESS_EVERY_S / 2  # half an interval a day: a line every other day
            progress.update(day)
        now[0] += PROGRESS_EVERY_S / 2
        progress.update(30)  # the simulation is done: the outputs are written next
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 15
    # the time left is the simulation's: the line says the outputs come after it, and then that they do
    assert lines[0] == "town seed 1: 2 of 30 days simulated (7%), 15 s so far, ≈ 4 min left, then writing the outputs"
    assert lines[-1] == "town seed 1: 30 of 30 days simulated in 4 min; writing the outputs"
    now[0] = 0.0
    with RunProgress("徐霞客镇，随机种子 1（天）", 30, "days", "zh", clock=lambda: now[0]) as progress:
        now[0] = 30.0
        progress.update(3)
        now[0] = 300.0
        progress.update(30)
    assert capsys.readouterr().err.splitlines() == [
        "徐霞客镇，随机种子 1（天）：已仿真 3/30 天（10%），已用 30秒，约剩 4分钟，之后写出结果",
        "徐霞客镇，随机种子 1（天）：已仿真 30/30 天，用时 5分钟；正在写出结果"]
    with RunProgress("A and B replications", 4, "runs", "zh", clock=lambda: 0.0) as progress:
        for _ in range(4):
            progress.advance()
    assert capsys.readouterr().err == ""
