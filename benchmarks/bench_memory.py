"""Peak memory of a whole `gridsim run` process: one simulated year against three.

Each run is a fresh process (`python -m sim run SCENARIO --days D`), as a user starts it:
imports, the model, the records streamed to Parquet, the end-of-run measures and every
output file. Its peak resident set (``ru_maxrss`` from ``wait4``) is read when it exits.
Records and hall visits are kept as compact columns and the measures read columns, so
memory should hardly grow with the horizon.

    .venv/bin/python benchmarks/bench_memory.py [SCENARIO] [--days 365] [--times 3] [--repeats 1] [--phases]

With ``--repeats R`` the two horizons are run R times each, in turn, and the medians of their
peaks compared (a peak varies by a few MB from one process to the next).

With ``--phases`` each horizon is also run once in a child process that prints its resident
set and its peak so far (``VmRSS``/``VmHWM`` of ``/proc/self/status``) after each step of
``run_replication``: the run, the staff table, the summary, the grid table, the files
and the memory given back, the GeoPackages. Where the peak is reached says what to cut.

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
from common import ROOT, header, median, options, save_json, table, verdict

TARGET_MB, TARGET_GROWTH = 300.0, 1.1

# A child that runs one replication like `gridsim run` (Arrow on the C allocator) and
# prints VmRSS and VmHWM (MB) after each step of sim.runner.run_replication.
_PHASES = """
import os, sys, tempfile
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
from pathlib import Path
import sim.runner as runner
from sim.config import load_scenario
from sim.model import TownModel

def mem(step):
    vm = dict(line.split(":", 1) for line in open("/proc/self/status") if line.startswith(("VmRSS", "VmHWM")))
    print(f"{step:<22} {int(vm['VmRSS'].split()[0]) / 1024:7.1f} {int(vm['VmHWM'].split()[0]) / 1024:7.1f}", flush=True)

def after(name, fn):
    def step(*args, **kwargs):
        out = fn(*args, **kwargs)
        mem(name)
        return out
    return step

mem("imports")
TownModel.finish = after("run", TownModel.finish)
for name in ("staff_table", "summarize", "grid_table", "release_memory", "write_run_layers"):
    setattr(runner, name, after(name, getattr(runner, name)))
with tempfile.TemporaryDirectory() as out:
    runner.run_replication(load_scenario(sys.argv[1]), None, float(sys.argv[2]), Path(out))
"""


def phases(scenario: str, days: float) -> str:
    """The child's lines: step, resident MB, peak MB so far."""
    return subprocess.run([sys.executable, "-c", _PHASES, scenario, f"{days:g}"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


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
    ap = options(__doc__, scenario="xuxiake_1plus4.toml", days=365, repeats=1, json_out=True)
    ap.add_argument("--times", type=float, default=3, help="the longer run is this many times --days")
    ap.add_argument("--phases", action="store_true", help="also print the resident set after each end-of-run step")
    args = ap.parse_args()
    header("Peak memory of a whole gridsim run: one horizon against a longer one", scenario=Path(args.scenario).name,
           days=f"{args.days:g} and {args.days * args.times:g}")
    horizons = (args.days, args.days * args.times)
    peaks: dict[float, list[float]] = {d: [] for d in horizons}
    walls: dict[float, list[float]] = {d: [] for d in horizons}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeats):
            for days in horizons:
                mb, secs = peak_of_run(args.scenario, days, Path(tmp) / f"r{k}d{days:g}")
                peaks[days].append(mb)
                walls[days].append(secs)
            print(f"repeat {k + 1}/{args.repeats}: " + ", ".join(
                f"--days {d:g} peak {peaks[d][-1]:.1f} MB ({walls[d][-1]:.1f} s)" for d in horizons), flush=True)
    rows = [[f"gridsim run --days {d:g}", d, median(peaks[d]), min(peaks[d]), max(peaks[d]), median(walls[d])]
            for d in horizons]
    print(table(rows, ["process", "days", "peak RSS (MB), median", "min", "max", "wall s"]))
    one, more = rows[0][2], rows[1][2]
    print()
    print(f"peak of {args.days:g} days <= {TARGET_MB:g} MB : {one:.0f} MB  "
          f"{verdict(one, TARGET_MB, higher_is_better=False)}")
    growth = more / one
    print(f"{args.times:g}x the horizon <= {TARGET_GROWTH:g}x the peak: {growth:.3f}x  "
          f"{verdict(growth, TARGET_GROWTH, higher_is_better=False)}")
    save_json(args.json, days=args.days, times=args.times, repeats=args.repeats,
              peak_mb={"short": one, "long": more}, peaks_mb={f"{d:g}": peaks[d] for d in horizons},
              growth=growth, target_mb=TARGET_MB, target_growth=TARGET_GROWTH)
    if args.phases:
        for days in (args.days, args.days * args.times):
            print(f"\n--days {days:g}: resident set after each step (peak so far; the files are written before release_memory)")
            print(f"{'step':<22} {'RSS MB':>7} {'peak MB':>7}")
            print(phases(args.scenario, days), end="")


if __name__ == "__main__":
    main()
