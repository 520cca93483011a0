"""A simulated year of a preset against a like-for-like bare SimPy loop over the same incidents.

The baseline, run in the same process and interleaved repeat by repeat, is the bare cost
of the same incident stream in textbook SimPy: one process per incident and as many
timeouts in all as make its SimPy events equal the model's, shared out over the incidents (both
counts are printed; SimPy numbers every event it schedules). The ratio says what the
model's agents, policies, service hall and records cost on top of the events themselves.

    .venv/bin/python benchmarks/bench_year.py [SCENARIO] [--days 365] [--repeats 5]

Target (issue 14): the year with the incident log written <= 2x the bare loop. Peak
memory of the whole command is measured by bench_memory.py.

"Floor" (a prototype, not the model): the same model with each case recorded the moment it
is first noticed, its stages (intake, tiers, verification, closure) cut out. What is left is
what every incident costs whatever its stages cost: the day's draws and first notices, the
``Incident``, its queue entry, its record in the Parquet log, the hall and the clock's ticks.
Per-day array stages could at best bring the model down to this floor, so its ratio to the
bare loop says how far they can go.
"""

from __future__ import annotations

import tempfile
import time
from functools import partial
from pathlib import Path

import common  # noqa: F401  (puts the repo root on sys.path)
import simpy
from common import cpu_seconds, header, median, options, save_json, table, verdict

from sim.agents.command_centre import CommandCentre
from sim.config import load_scenario
from sim.flow import FlowGen
from sim.model import TownModel
from sim.records import Incident
from sim.vocabulary import Channel

TARGET = 2.0  # issue 14: model <= 2x the like-for-like bare loop


def events_of(env: simpy.Environment) -> int:
    """Events scheduled so far (SimPy gives every scheduled event the next number of a counter)."""
    return next(env._eid) - 1  # type: ignore[attr-defined]


def baseline(occurred: list[float], events: int) -> tuple[float, float, int]:
    """Wall and CPU seconds and events for textbook SimPy to push the incidents through ``events`` events in all.

    Each incident costs ``BARE_OVERHEAD`` events and its stage timeouts; the timeouts are shared out
    so that the total equals ``events`` (the model's own count): ``q`` each and one more for the
    first ``r`` incidents, not a per-incident count rounded to a whole number (5.48 → 5 would drop
    a tenth of the events).
    """
    q, r = divmod(max(len(occurred), events - BARE_OVERHEAD * len(occurred)), len(occurred))
    env = simpy.Environment()

    def case(env: simpy.Environment, stages: int):
        for _ in range(stages):
            yield env.timeout(5.0)

    def arrivals(env: simpy.Environment):
        for k, t in enumerate(occurred):
            yield env.timeout(t - env.now)
            env.process(case(env, q + (k < r)))

    start, cpu = time.perf_counter(), cpu_seconds()
    env.process(arrivals(env))
    env.run()
    return time.perf_counter() - start, cpu_seconds() - cpu, events_of(env)


def run_model(sc, seed: int, days: float, tmp: str, floor: bool = False) -> tuple[float, float, TownModel]:
    """Build, run and finish the model with its log written; with ``floor``, each case recorded at its first notice."""
    start, cpu = time.perf_counter(), cpu_seconds()
    model = TownModel(sc, seed=seed, days=days, incidents_path=Path(tmp) / "incidents.parquet")
    if floor:
        model.centre.case = partial(recorded_at_notice, model.centre)  # type: ignore[method-assign]
    model.run()
    model.finish()
    return time.perf_counter() - start, cpu_seconds() - cpu, model


def recorded_at_notice(centre: CommandCentre, inc: Incident, channel: Channel, finder: object) -> FlowGen:
    """The floor's case: reported and closed the moment it is first noticed, and recorded (no stage between)."""
    inc.reported_at = inc.closed_at = centre.env.now
    inc.channel = channel
    del centre.live[inc.id]
    centre.closed += 1
    centre.world.log.add(inc)
    yield from ()


# Per incident the bare loop schedules its arrival timeout, the process start, its stage
# timeouts and the process end: stages + 3 events.
BARE_OVERHEAD = 3


def main() -> None:
    ap = options(__doc__, scenario="xuxiake_1plus4.toml", days=365, repeats=5, seed=1, json_out=True)
    args = ap.parse_args()
    sc = load_scenario(args.scenario)
    header("A simulated year: model vs a like-for-like bare SimPy loop", scenario=sc.meta.name,
           days=f"{args.days:g}", seed=args.seed, repeats=args.repeats)
    model_s, bare_s, model_cpu, bare_cpu, floor_s, floor_cpu = [], [], [], [], [], []
    for k in range(args.repeats):
        with tempfile.TemporaryDirectory() as tmp:
            took, cpu, model = run_model(sc, args.seed, args.days, tmp)
        n = len(model.log)
        per_incident = events_of(model.env) / n
        base, base_cpu, bare_events = baseline(sorted(model.log.measure_frame().occurred_at.tolist()),
                                               events_of(model.env))
        del model
        with tempfile.TemporaryDirectory() as tmp:
            floor_took, floor_c, floor_model = run_model(sc, args.seed, args.days, tmp, floor=True)
        floor_n, floor_events = len(floor_model.log), events_of(floor_model.env) / len(floor_model.log)
        del floor_model
        model_s.append(took)
        bare_s.append(base)
        model_cpu.append(cpu)
        bare_cpu.append(base_cpu)
        floor_s.append(floor_took)
        floor_cpu.append(floor_c)
        print(f"repeat {k + 1}/{args.repeats}: model {took:.2f} s ({cpu:.2f} CPU s), "
              f"bare {base:.2f} s ({base_cpu:.2f} CPU s), floor {floor_took:.2f} s ({floor_c:.2f} CPU s)", flush=True)
    print()
    m, b = median(model_s), median(bare_s)
    print(table([
        ["model (TownModel, log to Parquet)", n, per_incident, m, median(model_cpu), n / median(model_cpu),
         1e6 * median(model_cpu) / n],
        [f"bare SimPy, {bare_events / n - BARE_OVERHEAD:.2f} timeouts each", n, bare_events / n, b, median(bare_cpu), n / median(bare_cpu),
         1e6 * median(bare_cpu) / n],
        ["floor: cases recorded at notice", floor_n, floor_events, median(floor_s), median(floor_cpu),
         floor_n / median(floor_cpu), 1e6 * median(floor_cpu) / floor_n],
    ], ["run", "incidents", "SimPy events/incident", "median s", "median CPU s", "incidents/CPU s", "CPU µs/incident"]))
    print()
    ratio = median(model_cpu) / median(bare_cpu)
    print(f"model / like-for-like bare loop: {ratio:.2f}x by CPU time, {m / b:.2f}x by wall time  "
          f"(target <= {TARGET:g}x, judged by CPU time)  {verdict(ratio, TARGET, higher_is_better=False)}")
    print(f"floor / bare loop: {median(floor_cpu) / median(bare_cpu):.2f}x by CPU time (the prototype: what the model "
          f"would cost with every case stage free; the stages cost {median(model_cpu) / median(floor_cpu):.2f}x the floor)")

    save_json(args.json, days=args.days, repeats=args.repeats, incidents=n,
              ratios={"model": {"cpu": ratio, "wall": m / b, "target": TARGET},
                      "floor": {"cpu": median(floor_cpu) / median(bare_cpu), "wall": median(floor_s) / b}},
              runs={"model": {"cpu_s": median(model_cpu), "cpu_us_per_incident": 1e6 * median(model_cpu) / n,
                              "events_per_incident": per_incident},
                    "bare": {"cpu_s": median(bare_cpu), "cpu_us_per_incident": 1e6 * median(bare_cpu) / n,
                             "events_per_incident": bare_events / n},
                    "floor": {"cpu_s": median(floor_cpu), "cpu_us_per_incident": 1e6 * median(floor_cpu) / floor_n,
                              "events_per_incident": floor_events}})


if __name__ == "__main__":
    main()
