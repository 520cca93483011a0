"""Fuzzing every preset and experiment file: each perturbation is refused in one line or runs.

Hypothesis perturbs one place of a shipped scenario or experiment (wrong types, signs,
NaN/inf, huge and tiny numbers, unknown keys, missing keys, broken names). A scenario goes
through the real command (`gridsim run`, in this process, on a quarter of a day): exit 2
with one stderr line, no traceback and no output folder, or exit 0 with its summary. An
experiment goes through the sweep's validation of every design point (running sweeps here
would take minutes): a one-line ExperimentError or a plan. Examples are derandomised, so
CI runs the same ones every time.
"""

from __future__ import annotations

import json
import math
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.config import read_scenario_data, read_toml
from sim.sweep.experiment import ExperimentError, load_plan

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.toml"))
EXPERIMENTS = sorted((ROOT / "experiments").glob("*.toml"))
TIME_LIMIT_S = 30.0  # per example, on a loaded 2-core machine

BAD_VALUES: list[Any] = [
    "110", "yes", "", True, False, -1, 0, -0.5, 0.5, 3.0, 2, 10**12, 1e308, -1e308, 1e-300,
    math.nan, math.inf, -math.inf, [], [1, "x"], {}, {"x": 1}, "no_such_name",
]


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


@st.composite
def perturbation(draw: st.DrawFn, data: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The file's table changed in one place, and a description of the change."""
    data = json.loads(json.dumps(data))  # a deep copy (parsed TOML is JSON-like)
    path = draw(st.sampled_from(places(data)))
    *head, last = path
    parent: Any = data
    for k in head:
        parent = parent[k]
    action = draw(st.sampled_from(["replace", "replace", "replace", "unknown_key", "delete", "rename"]))
    if action == "replace" or (action in ("delete", "unknown_key") and isinstance(parent, list)):
        value = draw(st.sampled_from(BAD_VALUES))
        parent[last] = value
        return data, f"{'.'.join(map(str, path))} = {value!r}"
    if action == "unknown_key":
        target = parent[last] if isinstance(parent[last], dict) else parent
        target["wibble"] = 1
        return data, f"unknown key beside {'.'.join(map(str, path))}"
    if action == "delete":
        del parent[last]
        return data, f"deleted {'.'.join(map(str, path))}"
    parent[last] = "renamed_" + str(parent[last]) if isinstance(parent[last], str) else [parent[last]]
    return data, f"renamed {'.'.join(map(str, path))}"


def gridsim(*args: str) -> tuple[int, str]:
    """The gridsim command in this process: (exit status, stderr)."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    with tempfile.TemporaryFile("w+") as err, tempfile.TemporaryFile("w+") as out:
        try:
            with patch.object(sys, "argv", ["gridsim", *args]), patch.object(sys, "stderr", err), \
                    patch.object(sys, "stdout", out), pytest.raises(SystemExit) as exit_:
                main()
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)
        err.seek(0)
        return int(exit_.value.code or 0), err.read()


@pytest.mark.parametrize("preset", SCENARIOS, ids=lambda p: p.stem)
def test_perturbed_scenario_is_refused_in_one_line_or_runs(preset: Path) -> None:
    base = read_scenario_data(preset)

    @settings(max_examples=12, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(perturbation(base))
    def check(case: tuple[dict[str, Any], str]) -> None:
        data, change = case
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / preset.name
            path.write_text(toml_dumps(data), encoding="utf-8")
            out = Path(tmp) / "out"
            started = time.monotonic()
            days = float(data.get("run", {}).get("warmup_days", 0) or 0) if isinstance(data.get("run"), dict) else 0
            days = days + 0.25 if isinstance(days, float) and math.isfinite(days) and 0 <= days < 3000 else 0.25
            code, err = gridsim("run", str(path), "--days", f"{days:g}", "--out", str(out))
            assert time.monotonic() - started < TIME_LIMIT_S, change
            assert "Traceback" not in err, (change, err)
            if code == 2:
                lines = err.strip().splitlines()
                assert len(lines) == 1 and lines[0].startswith("error: "), (change, err)
                assert not out.exists(), change
            else:
                assert code == 0, (change, err)
                assert (out / "summary.json").exists(), change

    check()


@pytest.mark.parametrize("preset", EXPERIMENTS, ids=lambda p: p.stem)
def test_perturbed_experiment_is_refused_in_one_line_or_planned(preset: Path) -> None:
    base = read_toml(preset)
    base["experiment"]["scenario"] = str((preset.parent / base["experiment"]["scenario"]).resolve())
    for f in base.get("factors", []):
        if f.get("path") == "scenario":
            f["levels"] = [str((preset.parent / v).resolve()) for v in f["levels"]]

    @settings(max_examples=25, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(perturbation(base))
    def check(case: tuple[dict[str, Any], str]) -> None:
        data, change = case
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / preset.name
            path.write_text(toml_dumps(data), encoding="utf-8")
            started = time.monotonic()
            try:
                plan = load_plan(path)
            except ExperimentError as exc:
                assert "\n" not in str(exc) and str(path) in str(exc), (change, str(exc))
            else:
                assert plan.n_runs >= 1
            assert time.monotonic() - started < TIME_LIMIT_S, change
            assert sorted(p.name for p in Path(tmp).iterdir()) == [preset.name], change

    check()
