"""Fuzzing every preset and experiment file: each perturbation is refused in one line or runs to the end.

Hypothesis changes one place of a shipped scenario or experiment: a legal-looking change (a
number scaled ×0.5 … ×2, a switch flipped) or a bad one (wrong type, sign, NaN/inf, huge or
tiny number, unknown or missing key, a broken name). The schema is the oracle: what
``load_scenario`` / ``load_plan`` accept must run through the real command to the end (exit 0,
its results written) within a CPU-time limit; what they refuse the command must refuse with
exit 2, one stderr line starting ``error:``, no traceback and nothing written. Every file must
see legal changes run, not only refusals. Runs are short: a quarter of a day after the
warm-up; an experiment is first shrunk to one replication of that length and to the first
two levels of its first factor (the other factors at their first level), then perturbed,
so its days and replications are fuzzed too. Examples are derandomised: CI runs the same ones.
"""

from __future__ import annotations

import json
import math
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.config import ScenarioError, load_scenario, read_scenario_data, read_toml
from sim.sweep.experiment import ExperimentError, load_plan

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.toml"))
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.toml"))
CPU_LIMIT_S = 20.0  # per example, CPU time of this process (robust to a loaded machine)
HANG_LIMIT_S = 300  # wall clock: beyond it the example is a hang, whatever the load
AFTER_WARMUP_DAYS = 0.25

BAD_VALUES: list[Any] = [
    "110", "yes", "", True, False, -1, 0, -0.5, 0.5, 3.0, 2, 10**12, 1e308, -1e308, 1e-300,
    math.nan, math.inf, -math.inf, [], [1, "x"], {}, {"x": 1}, "no_such_name",
]
SCALES = [0.5, 0.8, 1.25, 2.0]
ACTIONS = ["scale", "scale", "scale", "flip", "bad", "bad", "bad", "unknown_key", "delete", "rename"]


def toml_value(v: Any) -> str:
    """TOML for a value (inline tables and arrays; JSON strings are TOML basic strings)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if v != v else "inf" if v == math.inf else "-inf" if v == -math.inf else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(str(k))} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_dumps(data: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in data.items())


def places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and list item of a parsed file, as a path from the top."""
    out = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += places(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += places(v, (*path, i))
    return out


def leaf(data: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = data
    for k in path:
        node = node[k]
    return node


@st.composite
def perturbation(draw: st.DrawFn, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The file's table changed in one place, and a description of the change."""
    data = json.loads(json.dumps(data))  # a deep copy (parsed TOML is JSON-like)
    action = draw(st.sampled_from(ACTIONS))
    numbers = [p for p in places(data) if isinstance(leaf(data, p), (int, float)) and not isinstance(leaf(data, p), bool)]
    switches = [p for p in places(data) if isinstance(leaf(data, p), bool)]
    if (action == "scale" and numbers) or (action == "flip" and switches):
        path = draw(st.sampled_from(numbers if action == "scale" else switches))
    else:
        path = draw(st.sampled_from(places(data)))
        action = "bad" if action in ("scale", "flip") else action
    *head, last = path
    parent = leaf(data, tuple(head))
    where = ".".join(map(str, path))
    if action == "scale":
        factor = draw(st.sampled_from(SCALES))
        old = parent[last]
        parent[last] = max(1, round(old * factor)) if isinstance(old, int) and old >= 1 else old * factor
        return data, f"{where}: {old!r} → {parent[last]!r}"
    if action == "flip":
        parent[last] = not parent[last]
        return data, f"{where} flipped"
    if action == "bad" or (action in ("delete", "unknown_key") and isinstance(parent, list)):
        value = draw(st.sampled_from(BAD_VALUES))
        parent[last] = value
        return data, f"{where} = {value!r}"
    if action == "unknown_key":
        target = parent[last] if isinstance(parent[last], dict) else parent
        target["wibble"] = 1
        return data, f"unknown key beside {where}"
    if action == "delete":
        del parent[last]
        return data, f"deleted {where}"
    parent[last] = "renamed_" + str(parent[last]) if isinstance(parent[last], str) else [parent[last]]
    return data, f"renamed {where}"


class HangError(Exception):
    """An example ran past HANG_LIMIT_S of wall-clock time."""


@contextmanager
def hang_alarm(seconds: int) -> Iterator[None]:
    def ring(signum: int, frame: object) -> None:
        raise HangError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def gridsim(*args: str | Path) -> tuple[int, str]:
    """The gridsim command in this process: (exit status, stderr)."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    with tempfile.TemporaryFile("w+") as err, tempfile.TemporaryFile("w+") as out:
        try:
            with patch.object(sys, "argv", ["gridsim", *map(str, args)]), patch.object(sys, "stderr", err), \
                    patch.object(sys, "stdout", out), pytest.raises(SystemExit) as exit_:
                main()
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)
        err.seek(0)
        return int(exit_.value.code or 0), err.read()


def check_example(name: str, data: dict[str, Any], change: str, accepts: Callable[[Path], bool],
                  command: Callable[[Path, Path], list[str | Path]], written: str, ran: list[str]) -> None:
    """Write the perturbed file, ask the schema, run the command and hold it to the schema's answer.

    The command works in a fresh folder (also its working directory) and writes into
    ``out`` there; ``written`` is the file a finished run must leave in ``out``. Nothing else
    may appear in that folder: a default output folder (``results/...``, relative to the
    working directory) would. The clone's own ``results/`` is not looked at, so a user running
    gridsim there while the tests run does not fail them.
    """
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path, out = folder / name, folder / "out"
        path.write_text(toml_dumps(data), encoding="utf-8")
        legal = accepts(path)
        cwd = os.getcwd()
        os.chdir(folder)  # default output folders, had a refusal written any, would land here
        cpu = time.process_time()
        try:
            with hang_alarm(HANG_LIMIT_S):
                code, err = gridsim(*command(path, out))
        finally:
            os.chdir(cwd)
        assert time.process_time() - cpu < CPU_LIMIT_S, change
        assert "Traceback" not in err, (change, err)
        if legal:
            assert code == 0, (change, err)
            assert (out / written).exists(), change
            assert sorted(p.name for p in folder.iterdir()) == sorted([name, "out"]), change
            ran.append(change)
        else:
            lines = err.strip().splitlines()
            assert code == 2 and len(lines) == 1 and lines[0].startswith(("error: ", "错误：")), (change, err)
            assert sorted(p.name for p in folder.iterdir()) == [name], change


def scenario_accepted(path: Path) -> bool:
    """The schema's answer for the run the test makes (sized by its --days, as the command sizes it)."""
    try:
        load_scenario(path, days=float(run_days(path)))
    except ScenarioError:
        return False
    return True


def run_days(path: Path) -> str:
    """A quarter of a day after the file's warm-up (a legal warm-up is at most MAX_DAYS)."""
    run = read_toml(path).get("run")
    warmup = run.get("warmup_days", 0) if isinstance(run, dict) else 0
    ok = isinstance(warmup, (int, float)) and not isinstance(warmup, bool) and 0 <= warmup < 3000
    return f"{(warmup if ok else 0) + AFTER_WARMUP_DAYS:g}"


@pytest.mark.slow  # ≈ 8 examples × 11 presets, about half of them short runs
@pytest.mark.parametrize("preset", SCENARIOS, ids=lambda p: p.stem)
def test_perturbed_scenario_is_refused_in_one_line_or_runs(preset: Path) -> None:
    base = read_scenario_data(preset)  # `extends` resolved: every field of the preset is fuzzed
    ran: list[str] = []

    @settings(max_examples=8, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(perturbation(base))
    def check(case: tuple[dict[str, Any], str]) -> None:
        data, change = case
        check_example(preset.name, data, change, scenario_accepted,
                      lambda path, out: ["run", path, "--days", run_days(path), "--out", out],
                      "summary.json", ran)

    check()
    assert len(ran) >= 2, f"too few legal changes ran: {ran}"


def shrunk_experiment(preset: Path, folder: Path) -> dict[str, Any]:
    """The experiment made short: one replication, a quarter day after the warm-up, the first
    two levels of its first factor and the others at their first level. Its scenarios are
    copies (in ``folder``) that extend the originals with that length as ``run.days``, so
    that deleting ``experiment.days`` still makes a short sweep.
    """
    def short(scenario: str) -> str:
        original = (preset.parent / scenario).resolve()
        copy = folder / f"short_{original.stem}.toml"
        copy.write_text(f'extends = "{original}"\n\n[run]\ndays = {days:g}\n', encoding="utf-8")
        return str(copy)

    data = read_toml(preset)
    meta = data["experiment"]
    days = read_scenario_data(preset.parent / meta["scenario"]).get("run", {}).get("warmup_days", 0) \
        + AFTER_WARMUP_DAYS
    meta["scenario"] = short(meta["scenario"])
    meta["replications"], meta["days"] = 1, days
    for i, f in enumerate(data.get("factors", [])):
        if f.get("path") == "scenario":
            f["levels"] = [short(v) for v in f["levels"]]
        if "levels" in f:
            f["levels"] = f["levels"][:2 if i == 0 else 1]
    return data


def experiment_accepted(path: Path) -> bool:
    try:
        load_plan(path)
    except ExperimentError:
        return False
    return True


@pytest.mark.slow  # ≈ 6 examples × 4 experiments, about half of them sweeps of 1–2 short runs
@pytest.mark.parametrize("preset", EXPERIMENTS, ids=lambda p: p.stem)
def test_perturbed_experiment_is_refused_in_one_line_or_sweeps(preset: Path, tmp_path: Path) -> None:
    ran: list[str] = []

    @settings(max_examples=6, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(perturbation(shrunk_experiment(preset, tmp_path)))
    def check(case: tuple[dict[str, Any], str]) -> None:
        data, change = case
        check_example(preset.name, data, change, experiment_accepted,
                      lambda path, out: ["sweep", path, "--workers", "1", "--out", out], "results.duckdb", ran)

    check()
    assert len(ran) >= 2, f"too few legal changes ran: {ran}"


def test_an_example_is_judged_by_its_own_folder_not_by_the_clones_results(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A user's run into the clone's results/ while the tests run is no failure; a stray default output is."""
    monkeypatch.chdir(tmp_path)  # the directory the tests run from, with its results/

    def user_runs_meanwhile(*_args: str | Path) -> tuple[int, str]:
        (tmp_path / "results" / "run").mkdir(parents=True)  # the user's own gridsim run, at the same time
        return 2, "error: x.toml: run.days: Input should be greater than 0\n"

    monkeypatch.setattr(sys.modules[__name__], "gridsim", user_runs_meanwhile)
    check_example("x.toml", {"run": {"days": -1}}, "run.days = -1", lambda _p: False,
                  lambda path, out: ["run", path, "--out", out], "summary.json", [])

    def stray_default_output(*_args: str | Path) -> tuple[int, str]:
        Path("results/run").mkdir(parents=True)  # relative to the command's working directory
        return 2, "error: x.toml: run.days: Input should be greater than 0\n"

    monkeypatch.setattr(sys.modules[__name__], "gridsim", stray_default_output)
    with pytest.raises(AssertionError):
        check_example("x.toml", {"run": {"days": -1}}, "run.days = -1", lambda _p: False,
                      lambda path, out: ["run", path, "--out", out], "summary.json", [])
