"""Start-up: ``gridsim --help`` and a refused bad scenario against ``python -c "import numpy"``.

Interleaved repeats, each in a fresh process, of

* ``python -c "import numpy"`` (the baseline: the least any command of ours imports);
* ``gridsim --help``;
* ``gridsim run BAD.toml``: a scenario with one bad field, refused in one line with exit 2.

Heavy libraries (scipy, pandas, mesa, duckdb, matplotlib) load only in the commands that use
them, so neither of the last two should import them. The ratio of medians is the measure.

    .venv/bin/python benchmarks/bench_startup.py [--repeats 15]

Target (issue 13): each at most 2x the baseline. A fourth row, ``import typer, pydantic``,
is the floor under any refusal that validates the scenario (see BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import Series, header, median, table, timed, verdict

ROOT = Path(__file__).resolve().parents[1]
TARGET = 2.0
GRIDSIM = Path(sys.executable).with_name("gridsim")
BAD = '[meta]\nname = "bad"\n\n[run]\ndays = -5\n'


def call(argv: list[str], expect: int) -> None:
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != expect:
        sys.exit(f"{' '.join(argv)}: exit {done.returncode}, expected {expect}: {done.stderr.strip()[:300]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    header("start-up of the command line against importing numpy", repeats=args.repeats)
    with tempfile.TemporaryDirectory() as tmp:
        bad = Path(tmp) / "bad.toml"
        bad.write_text(BAD, encoding="utf-8")
        runs = {
            "numpy": (Series('python -c "import numpy"'), [sys.executable, "-c", "import numpy"], 0),
            "help": (Series("gridsim --help"), [str(GRIDSIM), "--help"], 0),
            "refused": (Series("gridsim run BAD.toml (refused)"), [str(GRIDSIM), "run", str(bad)], 2),
            # The floor of any refusal that validates: typer (0.29+ coerces every option through
            # a pydantic TypeAdapter) and pydantic itself, before a single scenario model exists.
            "floor": (Series("python -c 'import typer, pydantic' (floor)"),
                      [sys.executable, "-c", "import typer, typer._adapters, pydantic"], 0),
        }
        for _, argv, expect in runs.values():  # warm the file cache once, unmeasured
            call(argv, expect)
        for k in range(args.repeats):
            for s, argv, expect in runs.values():
                secs, _ = timed(partial(call, argv, expect))
                s.add(secs, 1)
            print(f"repeat {k + 1}/{args.repeats}: " + ", ".join(
                f"{s.name} {s.seconds[-1]:.3f} s" for s, _, _ in runs.values()), flush=True)
    print()
    series = [s for s, _, _ in runs.values()]
    print(table([[s.name, median(s.seconds), min(s.seconds), max(s.seconds)] for s in series],
                ["command", "median s", "min s", "max s"]))
    base = median(runs["numpy"][0].seconds)
    print()
    for key in ("help", "refused", "floor"):
        ratio = median(runs[key][0].seconds) / base
        if key == "floor":
            print(f"{runs[key][0].name} / import numpy: {ratio:.2f}x  (what a validated refusal cannot go below)")
            continue
        print(f"{runs[key][0].name} / import numpy: {ratio:.2f}x  (target <= {TARGET:g}x)  "
              f"{verdict(ratio, TARGET, higher_is_better=False)}")


if __name__ == "__main__":
    main()
