"""A simulated year on a road network against the same year with straight-line travel.

Both runs use the same real-geometry town (``scenarios/xuxiake_gis.toml``: villages from
a GeoPackage, roads from OSM XML) and the same seed; the only difference is the travel
model (``RoadTravel``: access + Dijkstra shortest path, vs ``EuclideanTravel``). Repeats
are interleaved so both share the machine's load; the ratio is between medians.

    .venv/bin/python benchmarks/bench_roads.py [SCENARIO] [--days 365] [--repeats 2]

Target (issue 10): a year on roads costs at most 1.3x the same year with straight lines.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
from common import header, median, table, verdict

from sim.config import load_scenario
from sim.model import TownModel

ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.3


def one_year(sc, seed: int, days: float) -> tuple[float, int, float, int]:
    """Seconds (town built and run), incidents, mean squad response, Dijkstra rows kept."""
    start = time.perf_counter()
    model = TownModel(sc, seed=seed, days=days)
    model.run()
    model.finish()
    took = time.perf_counter() - start
    rec = model.log.frame()
    squad = rec[rec.queued_at.notna()]
    resp = float((squad.arrived_at - squad.reported_at).mean())
    roads = model.town.roads
    rows = sum(len(g.rows) + len(g.cols) for g in roads.modes.values()) if roads is not None else 0
    return took, len(rec), resp, rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios" / "xuxiake_gis.toml"))
    ap.add_argument("--days", type=float, default=365)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    roads = load_scenario(args.scenario)
    if roads.town.roads is None:
        raise SystemExit(f"{args.scenario}: has no [town.roads]")
    straight = roads.model_copy(update={"town": roads.town.model_copy(update={"roads": None})})
    header("A year on roads vs straight lines", scenario=roads.meta.name, days=f"{args.days:g}",
           repeats=args.repeats, seed=args.seed)
    times: dict[str, list[float]] = {"roads": [], "straight": []}
    info: dict[str, tuple[int, float, int]] = {}
    for _ in range(args.repeats):
        for name, sc in (("straight", straight), ("roads", roads)):
            took, n, resp, rows = one_year(sc, args.seed, args.days)
            times[name].append(took)
            info[name] = (n, resp, rows)
    rows = [[name, info[name][0], median(times[name]), min(times[name]), max(times[name]), info[name][1], info[name][2]]
            for name in ("straight", "roads")]
    print(table(rows, ["travel", "incidents", "median s", "min s", "max s", "squad response mean (min)",
                       "shortest-path rows kept"]))
    ratio = median(times["roads"]) / median(times["straight"])
    print(f"ratio roads/straight  {ratio:.2f}x   target <= {TARGET:g}x  {verdict(ratio, TARGET, higher_is_better=False)}")


if __name__ == "__main__":
    main()
