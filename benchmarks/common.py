"""Shared helpers for the benchmark scripts: timing, medians over repeats, noise checks, tables.

Every benchmark runs the things it compares in the same process, one after the other,
so they see the same machine load; ratios are taken between medians over repeats.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python benchmarks/bench_x.py` from anywhere
    sys.path.insert(0, str(ROOT))


def options(doc: str | None, *, scenario: str | None = None, days: float | None = None,
            repeats: int | None = None, seed: int | None = None, json_out: bool = False) -> argparse.ArgumentParser:
    """Start a benchmark's command line: its docstring's first line, and the shared options it takes.

    ``scenario`` (a file under scenarios/) becomes the optional first argument; ``--days``,
    ``--repeats`` and ``--seed`` are added with the given defaults; with ``json_out``, ``--json FILE``
    (see ``save_json``). The script adds its own.
    """
    ap = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0] if doc else None)
    if scenario is not None:
        ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / scenario))
    if days is not None:
        ap.add_argument("--days", type=float, default=days)
    if repeats is not None:
        ap.add_argument("--repeats", type=int, default=repeats)
    if seed is not None:
        ap.add_argument("--seed", type=int, default=seed)
    if json_out:
        ap.add_argument("--json", type=Path, metavar="FILE",
                        help="also write the headline numbers to FILE as JSON (what benchmarks/issue14.py reads)")
    return ap


def save_json(path: Path | None, **numbers: Any) -> None:
    """Write a benchmark's headline numbers to ``path`` (if given) as JSON, with the machine line.

    benchmarks/issue14.py runs each script with ``--json`` and builds its status table from
    these files rather than from the printed text.
    """
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"machine": machine(), **numbers}, indent=1, default=float) + "\n", encoding="utf-8")


def timed[T](fn: Callable[[], T]) -> tuple[float, T]:
    """Wall seconds (time.perf_counter) of one call, and its result."""
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children that have ended (``os.times``).

    On a shared box the wall clock also counts whatever else runs; CPU time counts only
    the work measured, so ratios of CPU time change little with the load.
    """
    t = os.times()  # children's in clock ticks; this process's at a finer grain from process_time
    return time.process_time() + t.children_user + t.children_system


def timed_cpu[T](fn: Callable[[], T]) -> tuple[float, float, T]:
    """Wall seconds and CPU seconds (``cpu_seconds``: this process and its waited-for children) of one call."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    out = fn()
    return time.perf_counter() - wall, cpu_seconds() - cpu, out


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs)) if xs else math.nan


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine() -> str:
    """One line: date, CPU, cores, load, OS, Python and the simulation libraries' versions."""
    libs = []
    for name in ("simpy", "mesa", "ciw", "numpy"):
        try:
            mod = __import__(name)
            libs.append(f"{name} {getattr(mod, '__version__', '?')}")
        except ImportError:
            pass
    try:
        load = "load {:.2f}/{:.2f}/{:.2f}".format(*os.getloadavg())
    except OSError:
        load = "load ?"
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{now}; {_cpu_model()}, nproc {_nproc()} (os.cpu_count {os.cpu_count()}), {load}; "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}; " + ", ".join(libs))


@dataclass
class Series:
    """Repeated measurements of one implementation: wall seconds, items done, any statistic, CPU seconds."""

    name: str
    seconds: list[float] = field(default_factory=list)
    items: list[int] = field(default_factory=list)
    stats: list[Any] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, seconds: float, items: int, stat: Any = None, cpu: float = math.nan) -> None:
        self.seconds.append(seconds)
        self.items.append(items)
        self.stats.append(stat)
        self.cpu.append(cpu)

    @property
    def cpu_rate(self) -> float:
        """Median items per CPU second over the repeats."""
        return median([n / c for n, c in zip(self.items, self.cpu, strict=True)])

    @property
    def rates(self) -> list[float]:
        return [n / s for n, s in zip(self.items, self.seconds, strict=True)]

    @property
    def rate(self) -> float:
        """Median items per second over the repeats."""
        return median(self.rates)


def mean_ci(xs: Sequence[float], level: float = 0.99) -> tuple[float, float]:
    """Mean and half-width of its Student-t confidence interval (nan half-width for n < 2)."""
    n = len(xs)
    m = statistics.fmean(xs)
    if n < 2:
        return m, math.nan
    from scipy.stats import t as student_t

    return m, float(student_t.ppf(0.5 + level / 2, n - 1) * statistics.stdev(xs) / math.sqrt(n))


def batch_means(xs: Sequence[float], batches: int = 20) -> list[float]:
    """Means of ``batches`` consecutive equal batches (the usual way to put a CI on a queue's mean)."""
    k = len(xs) // batches
    return [statistics.fmean(xs[i * k:(i + 1) * k]) for i in range(batches)] if k else list(xs)


def agree(a: Sequence[float], b: Sequence[float], level: float = 0.99) -> tuple[bool, float, float]:
    """Do two sets of independent estimates have the same mean? (Welch t-test at 1 - level.)

    Returns (same within noise, difference of means, half-width of its interval).
    """
    from scipy.stats import ttest_ind

    diff = statistics.fmean(a) - statistics.fmean(b)
    if len(a) < 2 or len(b) < 2:
        return True, diff, math.nan
    res = ttest_ind(a, b, equal_var=False)
    se = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    from scipy.stats import norm

    return bool(res.pvalue >= 1 - level), diff, float(norm.ppf(0.5 + level / 2) * se)


def table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    """A plain fixed-width text table (first column left-aligned, the rest right-aligned)."""
    cells = [[str(h) for h in header]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=False)))

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def _fmt(c: Any) -> str:
    if isinstance(c, float):
        if math.isnan(c):
            return "-"
        if abs(c) >= 1000:
            return f"{c:,.0f}"
        return f"{c:.3g}" if abs(c) < 10 else f"{c:.1f}"
    if isinstance(c, int):
        return f"{c:,}"
    return str(c)


def verdict(measured: float, target: float, higher_is_better: bool = True) -> str:
    """'met', or 'NOT met' with how far off, e.g. 'NOT met (1.16 vs target >= 5: 4.3x short)'."""
    ok = measured >= target if higher_is_better else measured <= target
    if ok:
        return "met"
    if higher_is_better:
        return f"NOT met ({measured:.3g} vs target >= {target:g}: {target / measured:.1f}x short)"
    return f"NOT met ({measured:.3g} vs target <= {target:g}: {measured / target:.2f}x over)"


def header(title: str, **params: Any) -> None:
    print(title)
    print("machine: " + machine())
    if params:
        print("params:  " + ", ".join(f"{k}={v}" for k, v in params.items()))
    print()
