"""A simulated year on a road network against the same year with straight-line travel.

Both runs use the same real-geometry town (``scenarios/xuxiake_gis.toml``: villages from
a GeoPackage, roads from OSM XML) and the same seed; the only difference is the travel
model (``RoadTravel``: access + Dijkstra shortest path, vs ``EuclideanTravel``). Repeats
are interleaved so both share the machine's load; the ratio is between medians of the
process's CPU time (``time.process_time``), which a loaded machine disturbs far less than
the wall clock (printed too).

    .venv/bin/python benchmarks/bench_roads.py [SCENARIO] [--days 365] [--repeats 2]

Target (issue 10): a year on roads costs at most 1.3x the same year with straight lines.
"""

from __future__ import annotations

import time

import common  # noqa: F401  (puts the repo root on sys.path)
from common import header, median, options, table, verdict

from sim.config import load_scenario
from sim.model import TownModel

TARGET = 1.3


def one_year(sc, seed: int, days: float) -> tuple[float, float, int, float, int]:
    """Wall and CPU seconds (town built and run), incidents, mean squad response, Dijkstra rows kept."""
    start, cpu = time.perf_counter(), time.process_time()
    model = TownModel(sc, seed=seed, days=days)
    model.run()
    model.finish()
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    rec = model.log.frame()
    squad = rec[rec.queued_at.notna()]
    resp = float((squad.arrived_at - squad.reported_at).mean())
    roads = model.town.roads
    rows = sum(len(g.rows) + len(g.cols) for g in roads.modes.values()) if roads is not None else 0
    return took, cpu, len(rec), resp, rows


def main() -> None:
    ap = options(__doc__, scenario="xuxiake_gis.toml", days=365, repeats=2, seed=1)
    args = ap.parse_args()
    roads = load_scenario(args.scenario)
    if roads.town.roads is None:
        raise SystemExit(f"{args.scenario}: has no [town.roads]")
    straight = roads.model_copy(update={"town": roads.town.model_copy(update={"roads": None})})
    header("A year on roads vs straight lines", scenario=roads.meta.name, days=f"{args.days:g}",
           repeats=args.repeats, seed=args.seed)
    times: dict[str, list[float]] = {"roads": [], "straight": []}
    cpus: dict[str, list[float]] = {"roads": [], "straight": []}
    info: dict[str, tuple[int, float, int]] = {}
    for _ in range(args.repeats):
        for name, sc in (("straight", straight), ("roads", roads)):
            took, cpu, n, resp, rows = one_year(sc, args.seed, args.days)
            times[name].append(took)
            cpus[name].append(cpu)
            info[name] = (n, resp, rows)
    rows = [[name, info[name][0], median(cpus[name]), median(times[name]), min(times[name]), max(times[name]),
             info[name][1], info[name][2]] for name in ("straight", "roads")]
    print(table(rows, ["travel", "incidents", "median CPU s", "median wall s", "min wall s", "max wall s",
                       "squad response mean (min)", "shortest-path rows kept"]))
    wall = median(times["roads"]) / median(times["straight"])
    ratio = median(cpus["roads"]) / median(cpus["straight"])
    print(f"ratio roads/straight, wall time  {wall:.2f}x (on a shared box the wall clock measures the load too)")
    print(f"ratio roads/straight, CPU time   {ratio:.2f}x   target <= {TARGET:g}x  "
          f"{verdict(ratio, TARGET, higher_is_better=False)}")


if __name__ == "__main__":
    main()
