"""benchmarks/issue14.py --quick: the status table names issue 14's six targets, each with a number.

A smoke check of the command and of every benchmark script it runs (no timing is asserted:
speed is judged in BENCHMARKS.md from the full run, not by tests).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_quick_status_table_has_the_six_targets(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "issue14.py"), "--quick", "--out", str(tmp_path)],
                   check=True, capture_output=True, text=True, cwd=ROOT, timeout=600)
    report = json.loads((tmp_path / "issue14.json").read_text())
    assert report["quick"] is True
    rows = report["rows"]
    assert [r["target"] for r in rows] == ["1a", "1b", "2", "3a", "3b", "4a", "4b", "5", "6"]
    assert {r["target"][0] for r in rows} == set("123456")
    for r in rows:
        assert isinstance(r["measured"], float) and math.isfinite(r["measured"]) and r["measured"] > 0, r
        assert isinstance(r["met"], bool)
    for b in report["benchmarks"].values():
        assert b["exit"] == 0 and b["load_before"] >= 0 and b["load_after"] >= 0
    md = (tmp_path / "issue14.md").read_text()
    assert "--quick" in md and "NOT the issue's measurement" in md
    assert md.count("\n| ") == 1 + len(rows)  # header + one line per row
