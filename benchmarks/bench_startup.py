"""Start-up: ``gridsim --help`` and a refused bad scenario against ``python -c "import numpy"``.

Interleaved repeats, each in a fresh process, of

* ``python -c "import numpy"`` (the baseline: the least any command of ours imports);
* ``gridsim --help``;
* ``gridsim run BAD.toml``: a scenario with one bad field, refused in one line with exit 2
  (before typer loads: ``sim.__main__.refused_early``);
* ``gridsim run BAD.toml --days 2 --seed 3 --out X``: the same refusal through typer and the
  command (any option sends it there; typer builds only ``run``: ``sim.cli.invoked``).

Heavy libraries (scipy, pandas, mesa, duckdb, matplotlib) load only in the commands that use
them, so neither of the last two should import them. The ratio of medians is the measure,
in wall time and in CPU time (user + system of each process: steadier on a shared box).
Each command runs once unmeasured first, as a user's second call would find it: bytecode
and the kept scenario schema (``sim.config.schema_cache``) written.

    .venv/bin/python benchmarks/bench_startup.py [--repeats 15]

Target (issue 13): each at most 2x the baseline, the refusal in both forms. Two references
for the refusal through typer: ``import typer, pydantic``, and a bare typer app with ``run``'s
options that refuses at once (typer builds one pydantic TypeAdapter per option); both end with
the interpreter's usual collection at exit, which gridsim skips (``sim.__main__``), so gridsim
can come out below them (see BENCHMARKS.md).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import ROOT, Series, header, median, options, table, timed, verdict

TARGET = 2.0
GRIDSIM = Path(sys.executable).with_name("gridsim")
BAD = '[meta]\nname = "bad"\n\n[run]\ndays = -5\n'


# As a user runs it: bytecode and the kept scenario schema written by the first (unmeasured) call.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# The floor under `gridsim run BAD.toml` itself: typer parsing the same five options (one
# pydantic TypeAdapter each, built when the command runs) and refusing, with no scenario code.
TYPER_RUN = """
from pathlib import Path
from typing import Annotated
import typer
app = typer.Typer(add_completion=False)
@app.command()
def run(scenario: str, seed: Annotated[int | None, typer.Option(min=0, max=10**9)] = None,
        days: Annotated[float | None, typer.Option()] = None, out: Path = Path("results/run"),
        replications: Annotated[int, typer.Option(min=1, max=1000)] = 1,
        workers: Annotated[int, typer.Option(min=0, max=256)] = 0, force: bool = False) -> None:
    raise typer.Exit(2)
@app.command()
def other() -> None:
    pass
app()
"""


def call(argv: list[str], expect: int) -> float:
    """Run one command; give the CPU seconds (user + system) its process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != expect:
        sys.exit(f"{' '.join(argv)}: exit {done.returncode}, expected {expect}: {done.stderr.strip()[:300]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    ap = options(__doc__, repeats=15)
    args = ap.parse_args()
    header("start-up of the command line against importing numpy", repeats=args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        bad = Path(tmp) / "bad.toml"
        bad.write_text(BAD, encoding="utf-8")
        runs = {
            "numpy": (Series('python -c "import numpy"'), [sys.executable, "-c", "import numpy"], 0),
            "help": (Series("gridsim --help"), [str(GRIDSIM), "--help"], 0),
            "refused": (Series("gridsim run BAD.toml (refused)"), [str(GRIDSIM), "run", str(bad)], 2),
            "refused_cli": (Series("gridsim run BAD.toml --days 2 --seed 3 --out X (through typer)"),
                            [str(GRIDSIM), "run", str(bad), "--days", "2", "--seed", "3", "--out", str(Path(tmp) / "x")],
                            2),
            # The floor of any refusal through the command: typer (0.29+ coerces every option through
            # a pydantic TypeAdapter) and pydantic itself, before a single scenario model exists.
            "floor": (Series("python -c 'import typer, pydantic' (floor)"),
                      [sys.executable, "-c", "import typer, typer._adapters, pydantic"], 0),
            "typer_run": (Series("typer app with run's options, refusing (floor)"),
                          [sys.executable, "-c", TYPER_RUN, "run", "x"], 2),
        }
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        for _, argv, expect in runs.values():  # warm the file cache once, unmeasured
            call(argv, expect)
        for k in range(args.repeats):
            for key, (s, argv, expect) in runs.items():
                secs, used = timed(partial(call, argv, expect))
                s.add(secs, 1)
                cpu[key].append(used)
            print(f"repeat {k + 1}/{args.repeats}: " + ", ".join(
                f"{s.name} {s.seconds[-1]:.3f} s" for s, _, _ in runs.values()), flush=True)
    print()
    series = [s for s, _, _ in runs.values()]
    print(table([[s.name, median(s.seconds), min(s.seconds), max(s.seconds), median(cpu[k])]
                 for k, s in zip(runs, series, strict=True)],
                ["command", "median s", "min s", "max s", "median CPU s"]))
    base, base_cpu = median(runs["numpy"][0].seconds), median(cpu["numpy"])
    print()
    for key in ("help", "refused", "refused_cli", "floor", "typer_run"):
        ratio, cpu_ratio = median(runs[key][0].seconds) / base, median(cpu[key]) / base_cpu
        line = f"{runs[key][0].name} / import numpy: {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU"
        if key in ("floor", "typer_run"):
            print(f"{line}  (reference: typer alone, ending with the usual exit collection)")
            continue
        print(f"{line}  (target <= {TARGET:g}x)  {verdict(ratio, TARGET, higher_is_better=False)}")


if __name__ == "__main__":
    main()
