"""Peak memory of a whole `gridsim run` process: one simulated year against three.

Each run is a fresh process (`python -m sim run SCENARIO --days D`), as a user starts it:
imports, the model, the records streamed to Parquet, the end-of-run measures and every
output file. Its peak resident set (``ru_maxrss`` from ``wait4``) is read when it exits.
Records and hall visits are kept as compact columns and the measures read columns, so
memory should hardly grow with the horizon.

    .venv/bin/python benchmarks/bench_memory.py [SCENARIO] [--days 365] [--times 3]

Targets (issue 14): a year peaks at <= 300 MB; three years at <= 1.1x one year.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import ROOT, header, options, table, verdict

TARGET_MB, TARGET_GROWTH = 300.0, 1.1


def peak_of_run(scenario: str, days: float, out: Path) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one `gridsim run` process."""
    cmd = [sys.executable, "-m", "sim", "run", scenario, "--days", f"{days:g}", "--out", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"gridsim run failed: {err.strip()}")
    return usage.ru_maxrss / 1024, took


def main() -> None:
    ap = options(__doc__, scenario="xuxiake_1plus4.toml", days=365)
    ap.add_argument("--times", type=float, default=3, help="the longer run is this many times --days")
    args = ap.parse_args()
    header("Peak memory of a whole gridsim run: one horizon against a longer one", scenario=Path(args.scenario).name,
           days=f"{args.days:g} and {args.days * args.times:g}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for days in (args.days, args.days * args.times):
            mb, secs = peak_of_run(args.scenario, days, Path(tmp) / f"d{days:g}")
            rows.append([f"gridsim run --days {days:g}", days, mb, secs])
    print(table(rows, ["process", "days", "peak RSS (MB)", "wall s"]))
    one, more = rows[0][2], rows[1][2]
    print()
    print(f"peak of {args.days:g} days <= {TARGET_MB:g} MB : {one:.0f} MB  "
          f"{verdict(one, TARGET_MB, higher_is_better=False)}")
    growth = more / one
    print(f"{args.times:g}x the horizon <= {TARGET_GROWTH:g}x the peak: {growth:.3f}x  "
          f"{verdict(growth, TARGET_GROWTH, higher_is_better=False)}")


if __name__ == "__main__":
    main()
