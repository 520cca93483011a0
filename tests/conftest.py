"""Shared fixtures: small, fast variants of the default preset."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sim.config import Scenario, apply_overrides, read_scenario_data, validate_scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "xuxiake_1plus4.toml"

SMALL_TOWN = {
    "town.area_km2": 12.0,
    "town.residents": 20000,
    "town.villages": 6,
    "town.enterprises": 300,
    "run.warmup_days": 0,
}


def make_scenario(overrides: dict[str, Any] | None = None, base: Path = DEFAULT) -> Scenario:
    """The default preset shrunk to a small town, with extra overrides on top."""
    data = apply_overrides(read_scenario_data(base), {**SMALL_TOWN, **(overrides or {})})
    return validate_scenario(data, source=str(base))


@pytest.fixture
def small() -> Scenario:
    return make_scenario()


def play_with_stories(scenario: Scenario, seed: int, days: float) -> tuple[Any, list[Any]]:
    """Run a model with case stories kept; the model and every case it recorded, in order."""
    from sim.model import TownModel
    from sim.records import Incident

    m = TownModel(scenario, seed=seed, days=days, keep_stories=True)
    recorded: list[Incident] = []
    keep = m.log.add

    def add(inc: Incident) -> None:
        recorded.append(inc)
        keep(inc)

    m.log.add = add  # type: ignore[method-assign]  # see each case as it is written
    m.run()
    m.finish()
    return m, recorded


def python_last_line(code: str) -> str:
    """Run ``code`` in a fresh interpreter (so imports start clean) and give its last printed line."""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-500:]
    return r.stdout.strip().splitlines()[-1]


def plain_arrivals(model: Any, start: Any) -> None:
    """The plain arrivals (``sim.model.Arrivals`` without its shortcut), started with ``start(env, gen)``.

    One generator releases each day's incidents; each case's flow starts at once and waits
    for its first notice itself.
    """
    import math

    import numpy as np

    from sim.history import StoryEntry
    from sim.records import Incident
    from sim.vocabulary import Stage

    env = model.env

    def noticed(inc: Incident, notice: Any) -> Any:
        t, channel, finder = notice
        if math.isinf(t):
            return  # never noticed: stays in `live`
        yield max(0.0, t - env.now)
        yield from model.centre.case(inc, channel, finder)

    def arrivals() -> Any:
        for d in range(int(np.ceil(model.days))):
            batch = model.stream.day(d)
            grids = model.town.locate_many(batch.village, batch.x, batch.y)
            model.town.travel.places(batch.x, batch.y)
            notices = model.notices.day(batch.occurred_at, batch.category, grids, batch.uniforms)
            rows = zip(batch.occurred_at.tolist(), batch.category.tolist(), batch.village.tolist(),
                       grids.tolist(), batch.x.tolist(), batch.y.tolist(), batch.uniforms.tolist(), notices,
                       strict=True)
            for t, c, v, g, x, y, u, notice in rows:
                if t >= model.horizon:
                    return
                yield max(0.0, t - env.now)
                inc = Incident(model._next_id, c, v, g, x, y, t, u)
                if model.keep_stories:
                    inc.history = [StoryEntry(t, Stage.OCCURRED, values={"category": c})]
                model._next_id += 1
                model.centre.live[inc.id] = inc
                start(env, noticed(inc, notice))

    start(env, arrivals())
