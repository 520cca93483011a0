"""Memory across dashboard sessions: open ~20 viewers' runs, drop them, and again.

Each viewer's run is a ``Session`` held by the dashboard's ``Registry`` (as the page does
for each browser session); it is played for a simulated day, then its page goes and the
registry frees it. Two rounds: if dropped sessions were kept, the second round would add
as much memory as the first. Prints the process's resident set (``/proc/self/status``
VmRSS) at each point and the live Session and TownModel objects after each drop.

    .venv/bin/python benchmarks/bench_sessions.py [SCENARIO] [--sessions 20] [--ticks 144] [--rounds 2]

Target (issue 17): dropped sessions are freed — none alive after a drop, and a later round
grows the resident set by at most 10% of what the first round's open sessions took.
"""

from __future__ import annotations

import argparse
import gc
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import header, table, verdict

from sim.dashboard.sessions import Registry
from sim.dashboard.views import Session
from sim.model import TownModel

ROOT = Path(__file__).resolve().parents[1]
TARGET_REGROWTH = 0.10


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def alive() -> tuple[int, int]:
    gc.collect()
    objs = gc.get_objects()
    return sum(isinstance(o, Session) for o in objs), sum(isinstance(o, TownModel) for o in objs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "xuxiake_1plus4.toml"))
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--ticks", type=int, default=144, help="10-minute ticks each viewer plays (144 = a day)")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    header("Dashboard sessions opened and dropped", scenario=Path(args.scenario).stem, sessions=args.sessions,
           ticks=args.ticks, rounds=args.rounds)
    reg: Registry[Session] = Registry(grace_s=0)
    # warm-up: imports, caches and the first model's allocations are not a session's cost
    reg.attach("warm", "page", lambda: Session(args.scenario)).step(args.ticks)
    reg.detach("warm", "page")
    rows = [["start (one session opened and dropped)", f"{rss_mb():.0f}", *alive()]]
    base = rss_mb()
    opened: list[float] = []
    after: list[float] = []
    for r in range(args.rounds):
        for i in range(args.sessions):
            reg.attach(f"r{r}-v{i}", "page", lambda: Session(args.scenario)).step(args.ticks)
        opened.append(rss_mb())
        rows.append([f"round {r + 1}: {args.sessions} sessions open", f"{opened[-1]:.0f}", *alive()])
        for i in range(args.sessions):
            reg.detach(f"r{r}-v{i}", "page")
        gc.collect()
        after.append(rss_mb())
        rows.append([f"round {r + 1}: all dropped", f"{after[-1]:.0f}", *alive()])
    print(table(rows, ["point", "RSS MB", "live sessions", "live models"]))
    first = opened[0] - base
    regrowth = (max(opened[1:]) - opened[0]) / first if len(opened) > 1 and first > 0 else 0.0
    live_s, live_m = alive()
    print(f"open sessions took {first:.0f} MB ({first / args.sessions:.1f} MB each); "
          f"after every drop: {live_s} sessions, {live_m} models alive")
    print(f"later rounds grew the peak by {100 * regrowth:.1f}% of the first round's   target <= "
          f"{100 * TARGET_REGROWTH:.0f}%  {verdict(regrowth, TARGET_REGROWTH, higher_is_better=False)}")


if __name__ == "__main__":
    main()
