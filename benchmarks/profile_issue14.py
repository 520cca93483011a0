"""Where a run's time goes, by part of the model: pyinstrument samples grouped by the module they fall in.

Two profiles, each the way the run is made in practice:

* a sweep worker's 30-day Xu Xiake run: ``sim.sweep.runners.run_task`` in this process, after one
  untimed run (a pool's worker has its imports done before its first task, ``sim.pool_warm``),
  seeds 1..``--runs``, no output files;
* a year with the incident log written: the whole ``gridsim run SCENARIO --days 365 --out DIR``
  command under ``python -m pyinstrument`` (imports, the run, the measures, every file).

Each sample's time goes to the group of the innermost frame that belongs to one (NumPy, pandas,
the standard library and the model's helpers — duration draws, the town's geometry — take the
group of the code that called them; anything run while a module is being imported is "imports"). Prints the shares and the functions with the most self
time, and writes them as Markdown to ``--out`` (default ``results/bench/profile-issue14.md``),
with each profile's pyinstrument session and HTML page beside it.

    .venv/bin/python benchmarks/profile_issue14.py [--runs 5] [--year-days 365] [--out DIR]

pyinstrument samples the wall clock (1 ms); on a shared box a sample taken while the process
waits for a core falls where it waited, so the shares hold in expectation but not the seconds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import ROOT, machine
from pyinstrument import Profiler
from pyinstrument.frame import Frame
from pyinstrument.renderers import HTMLRenderer
from pyinstrument.session import Session

IMPORTS = "imports"
OTHER = "other (the caller's loop, standard library outside the model)"
# (path fragment, group), first match wins; fragments are matched against the frame's file path.
GROUPS = (
    ("/simpy/", "SimPy kernel (simpy, sim/flow.py)"),
    ("/sim/flow.py", "SimPy kernel (simpy, sim/flow.py)"),
    ("/sim/service_hall/", "service hall"),
    ("/sim/agents/squad.py", "squads and dispatch"),
    ("/sim/policies/dispatch.py", "squads and dispatch"),
    ("/sim/agents/grid_staff.py", "incidents, first notices, patrol (grid staff)"),
    ("/sim/incidents.py", "incidents, first notices, patrol (grid staff)"),
    ("/sim/channels.py", "incidents, first notices, patrol (grid staff)"),
    ("/sim/agents/staff.py", "staff booking and duty calendars"),
    ("/sim/shifts.py", "staff booking and duty calendars"),
    ("/sim/duties.py", "staff booking and duty calendars"),
    ("/sim/clocks.py", "staff booking and duty calendars"),
    ("/sim/agents/", "case flow (intake, tiers, verification, closure, alarms)"),
    ("/sim/policies/", "case flow (intake, tiers, verification, closure, alarms)"),
    ("/sim/limits.py", "case flow (intake, tiers, verification, closure, alarms)"),
    ("/sim/records.py", "records and Parquet"),
    ("/sim/case_columns.py", "records and Parquet"),
    ("/sim/outputs.py", "records and Parquet"),
    ("/pyarrow/", "records and Parquet"),
    ("/mesa/", "the model's day: draws, arrivals, ticks, Mesa step and data collection"),
    ("/sim/model.py", "the model's day: draws, arrivals, ticks, Mesa step and data collection"),
    ("/sim/measures.py", "measures and tables (end of run)"),
    ("/sim/runner.py", "measures and tables (end of run)"),
    ("/sim/stats.py", "measures and tables (end of run)"),
    ("/sim/history.py", "measures and tables (end of run)"),
    ("/sim/warnings.py", "measures and tables (end of run)"),
    ("/sim/sweep/", "measures and tables (end of run)"),
    ("/sim/geo/", "GeoPackages (geopandas, pyogrio)"),
    ("/geopandas/", "GeoPackages (geopandas, pyogrio)"),
    ("/pyogrio/", "GeoPackages (geopandas, pyogrio)"),
    ("/shapely/", "GeoPackages (geopandas, pyogrio)"),
    ("/sim/cli.py", "command line, scenario loaded"),
    ("/sim/console.py", "command line, scenario loaded"),
    ("/sim/config/", "command line, scenario loaded"),
    ("/sim/__main__.py", "command line, scenario loaded"),
    ("/pydantic", "command line, scenario loaded"),
)


def group_of(path: str) -> str | None:
    for fragment, group in GROUPS:
        if fragment in path:
            return group
    return None


def shares(root: Frame) -> tuple[Counter[str], Counter[str], float]:
    """Self seconds by group and by function (``file:function``), and the total."""
    groups: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    stack: list[tuple[Frame, str, bool, str]] = [(root, OTHER, False, "")]
    while stack:
        frame, outer, importing, caller = stack.pop()
        path = frame.file_path or ""
        importing = importing or path.startswith("<frozen importlib")
        group = IMPORTS if importing else group_of(path) or outer
        # a frame's own time is held by a synthetic "[self]" child: count it to the real frame above
        name = caller if frame.is_synthetic else f"{frame.file_path_short}:{frame.function}"
        own = frame.time - sum(c.time for c in frame.children)
        if own > 0:
            groups[group] += own
            functions[name] += own
        stack += [(c, group, importing, name) for c in frame.children]
    return groups, functions, root.time


def report(title: str, session: Session, top: int) -> str:
    root = session.root_frame()
    assert root is not None
    groups, functions, total = shares(root)
    lines = [f"#### {title}", "", f"{total:.2f} s sampled ({session.sample_count:,} samples).", "",
             "| group | share |", "|---|---:|"]
    lines += [f"| {g} | {100 * s / total:.1f}% |" for g, s in groups.most_common()]
    lines += ["", f"Functions with the most self time (top {top}):", "", "| function | self share |", "|---|---:|"]
    lines += [f"| `{f}` | {100 * s / total:.1f}% |" for f, s in functions.most_common(top)]
    return "\n".join(lines) + "\n"


def worker_session(scenario: Path, days: float, runs: int) -> Session:
    from sim.config import load_scenario
    from sim.sweep.runners import run_task

    sc = load_scenario(scenario)
    run_task(sc, 0, days)  # a pool worker's first-use imports, outside the profile
    profiler = Profiler(interval=0.001)
    profiler.start()
    for seed in range(1, runs + 1):
        run_task(sc, seed, days)
    return profiler.stop()


def year_session(scenario: Path, days: float, out: Path) -> Session:
    saved = out / "profile-year.pyisession"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pyinstrument", "-i", "0.001", "-r", "pyisession", "-o", str(saved),
                        "-m", "sim", "run", str(scenario), "--days", f"{days:g}", "--out", tmp],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return Session.load(str(saved))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    ap.add_argument("scenario", nargs="?", type=Path, default=ROOT / "scenarios" / "xuxiake_1plus4.toml")
    ap.add_argument("--runs", type=int, default=5, help="30-day runs profiled in the worker's profile")
    ap.add_argument("--worker-days", type=float, default=30)
    ap.add_argument("--year-days", type=float, default=365)
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "bench")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print("machine: " + machine(), flush=True)
    parts = [f"Profiled {machine()}; `.venv/bin/python benchmarks/profile_issue14.py`.", ""]
    for name, title, make in (
        ("worker", f"A sweep worker's {args.runs} runs of {args.worker_days:g} days (`run_task`, imports done)",
         lambda: worker_session(args.scenario, args.worker_days, args.runs)),
        ("year", f"`gridsim run {args.scenario.name} --days {args.year_days:g} --out DIR`, the whole command",
         lambda: year_session(args.scenario, args.year_days, args.out)),
    ):
        print(f"profiling: {title}", flush=True)
        session = make()
        (args.out / f"profile-{name}.html").write_text(HTMLRenderer().render(session), encoding="utf-8")
        if name == "worker":
            session.save(str(args.out / "profile-worker.pyisession"))
        parts.append(report(title, session, args.top))
    md = "\n".join(parts)
    (args.out / "profile-issue14.md").write_text(md, encoding="utf-8")
    print()
    print(md)


if __name__ == "__main__":
    main()
