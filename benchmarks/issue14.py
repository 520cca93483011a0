"""Issue 14's six targets in one command: each benchmark in its own process, then one status table.

Runs bench_hall, bench_dispatch, bench_year, bench_memory, bench_run and bench_sweep one after
the other, each in a fresh process with the sizes and repeats issue 14 names (each script
interleaves what it compares repeat by repeat and takes medians; speed is judged by CPU time,
the script's own and its waited-for children's, so that other jobs on a shared box weigh
little). Around each it reads the 1-minute load average. It then prints one table: the target,
the goal, the measured value, the numbers behind it, met or not, and the load; and writes it as
Markdown (ready to paste into BENCHMARKS.md) and JSON, with each script's full output, under
``--out`` (default ``results/bench/``).

    .venv/bin/python benchmarks/issue14.py [--quick] [--only hall,year,...] [--out DIR]
    .venv/bin/python benchmarks/issue14.py --render results/bench/issue14.json   # the table again

``--quick`` runs small sizes and one or two repeats (a smoke check, ≈ 20 CPU s; the table says so):
its numbers are not the issue's measurements. ``make bench`` runs the full measurement (≈ 6 min of CPU
on a quiet box; run it under ``nice`` on a shared one).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common  # noqa: F401  (puts the repo root on sys.path)
from common import ROOT, machine


@dataclass(frozen=True)
class Bench:
    """One benchmark script and its arguments for the issue's measurement and for a smoke check."""

    key: str
    script: str
    full: tuple[str, ...]
    quick: tuple[str, ...]


BENCHES = (
    Bench("hall", "bench_hall.py", ("--n", "200000", "--repeats", "5"), ("--n", "10000", "--repeats", "2")),
    Bench("dispatch", "bench_dispatch.py", ("--n", "100000", "--repeats", "5"), ("--n", "2000", "--repeats", "2")),
    Bench("year", "bench_year.py", ("--days", "365", "--repeats", "5"), ("--days", "3", "--repeats", "2")),
    Bench("memory", "bench_memory.py", ("--days", "365", "--times", "3", "--repeats", "5"),
          ("--days", "2", "--times", "2", "--repeats", "1")),
    Bench("run", "bench_run.py", ("--days", "30", "--repeats", "5"), ("--days", "2", "--repeats", "1")),
    Bench("sweep", "bench_sweep.py", ("--runs", "20", "--days", "30", "--repeats", "5"),
          ("--runs", "2", "--days", "2", "--repeats", "1")),
)


@dataclass
class Row:
    """One line of the status table."""

    target: str
    what: str
    goal: str
    measured: float
    unit: str
    behind: str
    met: bool
    bench: str
    note: str = ""  # said beside met / not met


def load1() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return math.nan


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_bench(bench: Bench, quick: bool, out: Path) -> dict[str, Any]:
    """Run one script in a fresh process; its numbers (from --json), load before and after, wall and CPU seconds."""
    args = bench.quick if quick else bench.full
    result_path, log_path = out / f"issue14-{bench.key}.json", out / f"issue14-{bench.key}.log"
    result_path.unlink(missing_ok=True)
    cmd = [sys.executable, str(ROOT / "benchmarks" / bench.script), *args, "--json", str(result_path)]
    shown = " ".join(["benchmarks/" + bench.script, *args])
    before, start, cpu = load1(), time.perf_counter(), children_cpu()
    print(f"[{bench.key}] {datetime.now(UTC):%H:%M:%S} start (load {before:.2f}): {shown}", flush=True)
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            log.write(line)
            if line.startswith("repeat ") or "runs done" in line:
                print(f"[{bench.key}]   {line.rstrip()}", flush=True)
        code = proc.wait()
    wall, cpu, after = time.perf_counter() - start, children_cpu() - cpu, load1()
    ok = code == 0 and result_path.exists()
    print(f"[{bench.key}] {datetime.now(UTC):%H:%M:%S} {'done' if ok else f'FAILED (exit {code}), see {log_path}'}"
          f" in {wall:.0f} s ({cpu:.0f} CPU s), load {after:.2f}", flush=True)
    return {"command": shown, "load_before": before, "load_after": after, "wall_s": wall, "cpu_s": cpu,
            "exit": code, "log": str(log_path), "result": json.loads(result_path.read_text()) if ok else None}


def _x(v: float) -> str:
    return f"{v:.2f}×"


def hall_rows(r: dict[str, Any]) -> list[Row]:
    runs, ratios = r["runs"], r["ratios"]
    model = runs["model"]
    wait = (f"mean wait {model['mean_wait_min']:.2f} ± {model['ci99_min']:.2f} min, Erlang C "
            f"{r['erlang_c_mean_wait_min']:.2f}: {'inside' if model['erlang_c_in_ci'] else 'OUTSIDE'} its 99% CI")
    rows = []
    for t, key, name in (("1a", "simpy", "textbook SimPy"), ("1b", "ciw", "Ciw")):
        other = runs[key]
        ratio = ratios[key]["cpu"]
        rows.append(Row(t, f"service hall M/M/c / {name}", f"≥ {ratios[key]['target']:g}×, inside Erlang C's CI",
                        ratio, "×", f"model {model['customers_per_cpu_s']:,.0f} customers a CPU s, {name} "
                        f"{other['customers_per_cpu_s']:,.0f} ({_x(ratios[key]['wall'])} by wall); {wait}; same "
                        f"wait as {name} (Welch 1%): {'yes' if other.get('same_wait_as_model') else 'NO'}; "
                        f"{r['n']:,} customers × {r['repeats']}",
                        ratio >= ratios[key]["target"] and model["erlang_c_in_ci"], "hall"))
    return rows


def year_rows(r: dict[str, Any]) -> list[Row]:
    ratio, runs = r["ratios"]["model"], r["runs"]
    m, b, f = runs["model"], runs["bare"], runs["floor"]
    return [Row("2", f"Xu Xiake {r['days']:g} days, log written / like-for-like bare SimPy loop",
                f"≤ {ratio['target']:g}×", ratio["cpu"], "×",
                f"model {m['cpu_us_per_incident']:.1f} CPU µs an incident at {m['events_per_incident']:.2f} SimPy "
                f"events, bare loop {b['cpu_us_per_incident']:.2f} µs at {b['events_per_incident']:.2f} "
                f"({r['incidents']:,} incidents × {r['repeats']}; {_x(ratio['wall'])} by wall); prototype floor "
                f"(every case stage free) {_x(r['ratios']['floor']['cpu'])} ({f['cpu_us_per_incident']:.1f} µs)",
                ratio["cpu"] <= ratio["target"], "year")]


def dispatch_rows(r: dict[str, Any]) -> list[Row]:
    runs, ratios = r["runs"], r["ratios"]
    tb = runs["simpy"]
    base = f"textbook SimPy {tb['cpu_us_per_call']:.2f} CPU µs a call ({tb['events_per_call']:.2f} queue entries)"

    def us(k: str) -> str:
        return f"{runs[k]['cpu_us_per_call']:.2f} µs, {runs[k]['events_per_call']:.2f} entries"

    sq, loop = ratios["squads"], ratios["model"]
    inside = runs["model"]["workloads_inside_hypercube_ci"]
    return [
        Row("3a", "squad subsystem / textbook SimPy (hypercube)", f"≥ {sq['target']:g}×", sq["cpu"], "×",
            f"squads alone {us('squads')} a call; {base}; prototype bare callbacks {_x(ratios['bare']['cpu'])} "
            f"({us('bare')}); {r['n']:,} calls × {r['repeats']}", sq["cpu"] >= sq["target"], "dispatch"),
        Row("3b", "closed loop per call / textbook SimPy (hypercube)",
            f"≥ {loop['target']:g}×, workloads in the hypercube's CI", loop["cpu"], "×",
            f"model {us('model')} a call; {base}; every unit's workload inside the exact hypercube's 99% CI: "
            f"{'yes' if inside else 'NO' if inside is not None else 'n/a'}; prototype loop with every stage but the "
            f"squads free {_x(ratios['floor']['cpu'])} ({us('floor')})",
            loop["cpu"] >= loop["target"] and bool(inside), "dispatch"),
    ]


def memory_rows(r: dict[str, Any]) -> list[Row]:
    short, long_, peaks = r["peak_mb"]["short"], r["peak_mb"]["long"], r["peaks_mb"]
    spread = "; ".join(f"--days {d}: {min(p):.1f}–{max(p):.1f} MB" for d, p in peaks.items())
    return [
        Row("4a", f"peak RSS of `gridsim run … --days {r['days']:g}`", f"≤ {r['target_mb']:g} MB", short, "MB",
            f"median of {r['repeats']} processes ({spread})", short <= r["target_mb"], "memory"),
        Row("4b", f"peak of {r['times']:g}× the days / peak of {r['days']:g} days", f"≤ {r['target_growth']:g}×",
            r["growth"], "×", f"{long_:.1f} / {short:.1f} MB", r["growth"] <= r["target_growth"], "memory"),
    ]


def run_rows(r: dict[str, Any]) -> list[Row]:
    ratio, cpu = r["ratios"]["whole"], r["cpu_s"]
    return [Row("5", f"`gridsim run --days {r['days']:g}` / the simulation alone", f"≤ {ratio['target']:g}×",
                ratio["cpu"], "×",
                f"whole {cpu['whole']:.2f} CPU s, simulation alone {cpu['simulation']:.3f}; floor (imports a run "
                f"cannot avoid + the scenario) {cpu['floor']:.2f}: floor + simulation = {_x(r['ratios']['floor']['cpu'])}"
                f"; {_x(ratio['wall'])} by wall; × {r['repeats']}", ratio["cpu"] <= ratio["target"], "run")]


def sweep_rows(r: dict[str, Any]) -> list[Row]:
    mins = r["minutes_1000"]
    cpu_min = mins["cpu_two_free_cores"]
    return [Row("6", f"1,000 runs of {r['days']:g} days on 2 workers (by CPU)", f"≤ {r['target_minutes']:g} min",
                cpu_min, "min",
                f"{r['cpu_s_per_run']:.3f} CPU s a run × 1,000 / 2 cores; the pool's wall from {r['runs']} runs: "
                f"{mins['pool_linear']:.1f} min linear, {mins['pool_fixed_marginal']:.1f} min fixed + marginal "
                f"(scaling 1→2 workers {r['scaling_efficiency']:.2f}; wall counts the box's load)",
                cpu_min <= r["target_minutes"], "sweep",
                f"by CPU; the pool's wall at this load says {mins['pool_linear']:.1f} min"
                if cpu_min <= r["target_minutes"] < mins["pool_linear"] else "")]


ROWS: dict[str, Callable[[dict[str, Any]], list[Row]]] = {
    "hall": hall_rows, "year": year_rows, "dispatch": dispatch_rows, "memory": memory_rows, "run": run_rows,
    "sweep": sweep_rows,
}
ORDER = ("1a", "1b", "2", "3a", "3b", "4a", "4b", "5", "6")


def fmt_value(row: Row) -> str:
    if math.isnan(row.measured):
        return "—"
    return f"{row.measured:.2f}×" if row.unit == "×" else f"{row.measured:.1f} {row.unit}"


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    rev = git("rev-parse", "--short", "HEAD") or "?"
    return rev + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def machine_only(line: str) -> str:
    """The machine line without its date and load (the table gives both, per benchmark)."""
    return re.sub(r", load [0-9./]+", "", line.split("; ", 1)[-1])


def markdown(report: dict[str, Any]) -> str:
    """The status table as a Markdown block, ready to paste into BENCHMARKS.md."""
    mode = ("**`--quick`: small sizes and 1-2 repeats, a smoke check, NOT the issue's measurement**"
            if report["quick"] else "the issue's sizes, medians of 5 interleaved repeats")
    lines = [
        f"Measured {report['when']} by `.venv/bin/python benchmarks/issue14.py{' --quick' if report['quick'] else ''}`"
        f" at `{report['commit']}` ({mode}; {report['cpu_s']:.0f} CPU s, {report['wall_s'] / 60:.1f} min of wall).",
        f"Machine: {machine_only(report['machine'])}.",
        "Speed is judged by CPU time (each process's own and its waited-for children's); the load is the 1-minute "
        "load average before → after the benchmark that measured the row (2 cores: above 2, others' jobs shared them).",
        "",
        "| # | target | goal | measured | behind it | status | load |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        b = report["benchmarks"].get(row["bench"], {})
        load = f"{b['load_before']:.1f} → {b['load_after']:.1f}" if b else "—"
        status = ("**met**" if row["met"] else "**not met**") + (f" ({row['note']})" if row["note"] else "")
        lines.append(f"| {row['target']} | {row['what']} | {row['goal']} | **{fmt_value(Row(**row))}** | "
                     f"{row['behind']} | {status} | {load} |")
    lines += ["", "Commands (each a fresh process; full output in `results/bench/issue14-*.log`; CPU s of the script and "
              "the processes it waited for: a sweep's pool workers, the fork server's children, are not in it):", ""]
    lines += [f"* `{b['command']}`: {b['wall_s']:.0f} s, {b['cpu_s']:.0f} CPU s" + ("" if b["exit"] == 0 else
              f", FAILED (exit {b['exit']})") for b in report["benchmarks"].values()]
    return "\n".join(lines) + "\n"


def text_table(rows: list[Row], benches: dict[str, Any]) -> str:
    lines = []
    for row in rows:
        b = benches[row.bench]
        lines.append(f"{row.target:<3} {row.what:<62.62} {row.goal:<40.40} {fmt_value(row):>9}  "
                     f"{'met' if row.met else 'NOT met':<8} load {b['load_before']:.1f}→{b['load_after']:.1f}")
    return "\n".join(lines)


def rows_of(benches: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    for key, b in benches.items():
        if b["result"] is not None:
            rows += ROWS[key](b["result"])
    return sorted(rows, key=lambda r: ORDER.index(r.target))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").strip().splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, 1-2 repeats: a smoke check, not the measurement")
    ap.add_argument("--only", help="comma-separated benchmarks to run (of " + ", ".join(ROWS) + ")")
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "bench", help="where the table and logs go")
    ap.add_argument("--render", type=Path, metavar="JSON",
                    help="measure nothing: print the table again from an issue14.json this command wrote")
    args = ap.parse_args()
    if args.render:
        report = json.loads(args.render.read_text(encoding="utf-8"))
        rows = rows_of(report["benchmarks"])
        print(text_table(rows, report["benchmarks"]) + "\n")
        print(markdown({**report, "rows": [asdict(r) for r in rows]}))
        return
    chosen = [b for b in BENCHES if not args.only or b.key in args.only.split(",")]
    if args.only and len(chosen) != len(set(args.only.split(","))):
        ap.error(f"--only takes some of: {', '.join(ROWS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    when, commit = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), git_commit()
    print(f"issue 14: {len(chosen)} benchmarks{' (--quick)' if args.quick else ''}; machine: {machine()}", flush=True)
    start, cpu = time.perf_counter(), children_cpu()
    benches = {b.key: run_bench(b, args.quick, args.out) for b in chosen}
    rows = rows_of(benches)
    report = {"when": when, "commit": commit, "machine": machine(), "quick": args.quick,
              "wall_s": time.perf_counter() - start, "cpu_s": children_cpu() - cpu,
              "benchmarks": benches, "rows": [asdict(r) for r in rows]}
    (args.out / "issue14.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    md = markdown(report)
    (args.out / "issue14.md").write_text(md, encoding="utf-8")
    print()
    print(text_table(rows, benches))
    print()
    print(f"Markdown (also in {args.out / 'issue14.md'}; JSON in issue14.json):")
    print()
    print(md)
    if any(b["result"] is None for b in benches.values()):
        raise SystemExit(1)

if __name__ == "__main__":
    main()
