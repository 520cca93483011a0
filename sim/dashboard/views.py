"""What the dashboard shows, apart from how it is shown.

A per-viewer session of one or two TownModels stepped in lockstep by a background runner,
the live measures, the stage funnel, the map overlay rows and the incident stories.

Nothing here imports solara, so every piece can be tested (and reused) without a browser.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import limits
from sim.config import (
    Scenario,
    ScenarioError,
    apply_overrides,
    read_scenario_data,
    validate_scenario,
)
from sim.dashboard.crews import CrewTrips
from sim.dashboard.drawing import NO_TIER, STAGES, Frame, town_frame, zone_owner
from sim.measures import fifteen_minute_share, tier_shares, workload_gini_so_far
from sim.model import TownModel
from sim.policies import IntakeNote
from sim.records import Incident
from sim.vocabulary import MINUTES_PER_DAY, Stage, Tier

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "xuxiake_1plus4.toml"
DASHBOARD_TICK_MIN = 10.0  # the dashboard steps the model in 10-minute ticks
HOUSEHOLD_PRESETS: tuple[int, ...] = (300, 400, 500)
SPEEDS: dict[str, float] = {"10min": 10.0, "1h": 60.0, "6h": 360.0, "1d": MINUTES_PER_DAY}  # sim minutes per second
FOLLOW_SPEED = 10.0  # sim minutes a second while a followed case is open
FADE_MIN = 360.0  # closed cases fade out over six simulated hours
CLOSED_KEEP = 400  # closed cases kept for the list and their stories
UNNOTICED_SHOWN_MIN = 180.0  # unnoticed cases leave the map after three hours (still counted)
MEASURES_EVERY_S = 0.5  # live measures are recomputed at most twice a second while running


@dataclass(frozen=True)
class Settings:
    """The controls a viewer can set: the seed and the policies."""

    seed: int
    squads: int
    dispatch_rule: str
    severity_to_village: int
    households_per_grid: int

    @classmethod
    def of(cls, scenario: Scenario) -> Settings:
        """Read the controls' starting values from the scenario."""
        div = scenario.town.grid_division
        return cls(
            seed=scenario.run.seed,
            squads=scenario.squads.n,
            dispatch_rule=scenario.command_centre.dispatch_rule.rule,
            severity_to_village=scenario.escalation.severity_to_village,
            households_per_grid=int(div.households_per_grid or 400),
        )

    def overrides(self) -> dict[str, Any]:
        """Give the settings as scenario overrides by dotted path (what a restart applies)."""
        return {
            "run.seed": self.seed,
            "squads.count": self.squads,
            "command_centre.dispatch_rule": self.dispatch_rule,
            "escalation.severity_to_village": self.severity_to_village,
            "town.grid_division.households_per_grid": self.households_per_grid,
        }


def valid_seed(seed: object) -> bool:
    """Whether a seed typed in the page can be used: a whole number from 0 to MAX_SEED."""
    return isinstance(seed, int) and not isinstance(seed, bool) and 0 <= seed <= limits.MAX_SEED


def scenario_with(data: dict[str, Any], settings: Settings, source: str = "<scenario>") -> Scenario:
    """Apply the viewer's policies and the dashboard's tick to the scenario table.

    Raises ScenarioError (one line naming the field) for a value the scenario refuses.
    """
    if isinstance(settings.seed, bool) or not isinstance(settings.seed, int):
        raise ScenarioError(f"{source}: run.seed: must be a whole number, got {settings.seed!r}")
    d = apply_overrides(data, settings.overrides(), source=source)
    units = d.get("squads", {}).get("units")
    if units and len(units) != settings.squads:
        d["squads"].pop("units")  # another count replaces the listed units (bases, zones) by generated ones
    div = d.get("town", {}).get("grid_division", {})
    div.pop("grids_per_village", None)  # households per grid is the rule the viewer sets
    d.setdefault("run", {})["tick_minutes"] = DASHBOARD_TICK_MIN
    return validate_scenario(d, source=source)


def stage_index(inc: Incident) -> int:
    """Index in STAGES of the furthest stage reached (Incident.stage, without the name lookups)."""
    if inc.closed_at == inc.closed_at:  # not NaN
        return 5
    if inc.resolved_at == inc.resolved_at:
        return 4
    if inc.arrived_at == inc.arrived_at:
        return 3
    if inc.dispatched_at == inc.dispatched_at:
        return 2
    return 1 if inc.reported_at == inc.reported_at else 0


class Arm:
    """One model of a run and what the page tracks about it between ticks.

    Tracks every case from occurrence: the open ones, the recently closed (kept for their
    stories and to fade on the map) and how many reached each stage of the loop.
    """

    def __init__(self, data: dict[str, Any], path: Path, settings: Settings) -> None:
        self.path = path
        self.data = data
        self.settings = settings
        self.scenario = scenario_with(data, settings, source=str(path))
        self.model = TownModel(self.scenario, seed=settings.seed, keep_stories=True)
        self.frame: Frame = town_frame(self.model)
        self.owner = zone_owner(self.model)
        self.trips = CrewTrips(self.model.town, self.scenario.squads.mode, self.scenario.squads.dispatch_overhead_min)
        cats = self.model.categories
        self.start_tier = [self.model.centre.escalation.start_tier(c) for c in cats]
        self.cases: OrderedDict[int, Incident] = OrderedDict()  # open, then recently closed
        self.closed_ids: OrderedDict[int, None] = OrderedDict()
        self._open_ids: set[int] = set()
        self._seen = -1
        self.reached_closed = [0] * len(STAGES)  # stages reached by cases already closed
        self._closed_cols: dict[str, list[float]] = {k: [] for k in ("category", "reported_at", "arrived_at", "tier")}
        self._measures: dict[str, Any] = {}
        self._measures_at = (-1.0, -1.0)  # (sim minute, wall time)
        self.kept: int | None = None  # the case whose story is shown: kept however long ago it closed

    @property
    def now(self) -> float:
        """The run's clock in minutes."""
        return self.model.env.now

    def step(self) -> None:
        """Advance one tick and keep every case seen, open or closed, for the list and stories."""
        m = self.model
        m.step()
        live = m.centre.live
        for iid, inc in live.items():
            if iid > self._seen:  # ids rise with occurrence: only the new ones
                self.cases[iid] = inc
                self._seen = iid
        now_ids = set(live)
        for iid in self._open_ids - now_ids:
            gone = self.cases.get(iid)
            if gone is not None:
                inc = gone
                for k, s in enumerate(STAGES):
                    if k == 0 or not math.isnan(getattr(inc, f"{s.key}_at")):
                        self.reached_closed[k] += 1
                self.closed_ids[iid] = None
                for name, col in self._closed_cols.items():
                    col.append(getattr(inc, name))
        self._open_ids = now_ids
        while len(self.closed_ids) > CLOSED_KEEP:
            old, _ = self.closed_ids.popitem(last=False)
            if old != self.kept:
                self.cases.pop(old, None)

    # ---- what the page shows -----------------------------------------------------------
    def incident(self, iid: int) -> Incident | None:
        """Find the case with id ``iid`` if this run has seen it."""
        return self.cases.get(iid)

    def tier_now(self, inc: Incident) -> int:
        """Give the tier holding the case: where it was resolved, else its start plus escalations.

        NO_TIER for a case nobody has noticed yet: no tier holds it (the map draws it in a shape of
        its own, the case list shows no tier).
        """
        if inc.tier >= 0:
            return inc.tier
        if inc.stage == Stage.OCCURRED:
            return NO_TIER
        return min(int(Tier.COUNTY), int(self.start_tier[inc.category]) + inc.escalations)

    def funnel(self) -> tuple[list[int], list[int]]:
        """(cases now at each stage, cases that reached each stage so far) over STAGES."""
        now = [0] * len(STAGES)
        reached = list(self.reached_closed)
        for inc in self.model.centre.live.values():
            k = stage_index(inc)
            now[k] += 1
            for j in range(k + 1):
                reached[j] += 1
        # a case skips "dispatched" when its finder settles it on the spot: count what happened
        for inc in self.model.centre.live.values():
            if math.isnan(inc.dispatched_at) and stage_index(inc) >= 3:
                reached[2] -= 1
        now[STAGES.index(Stage.CLOSED)] = 0
        return now, reached

    def overlay(self, selected: int | None = None) -> dict[str, list[list[float]]]:
        """Give what moves on the map, as compact rows in SVG units.

        ``dots``: [id, x, y, stage, tier, overdue, escalations, opacity]; closed cases fade over
        FADE_MIN. ``crews``: [x, y, zone, busy, job_x, job_y] with crews on the way placed along
        their trip.
        """
        m, f = self.model, self.frame
        now = m.env.now
        dots: list[list[float]] = []
        for inc in m.centre.live.values():
            if now - inc.occurred_at > UNNOTICED_SHOWN_MIN and math.isnan(inc.reported_at) and inc.id != selected:
                continue
            st = stage_index(inc)
            dots.append([inc.id, f.sx(inc.x), f.sy(inc.y), st, self.tier_now(inc), int(inc.alarms > 0),
                         inc.escalations, 1.0])
        closed_k = STAGES.index(Stage.CLOSED)
        for iid in reversed(self.closed_ids):
            inc = self.cases[iid]
            age = now - inc.closed_at
            if age > FADE_MIN:
                break
            dots.append([inc.id, f.sx(inc.x), f.sy(inc.y), closed_k, self.tier_now(inc), int(inc.alarms > 0),
                         inc.escalations, round(max(0.15, 1 - age / FADE_MIN), 2)])
        crews: list[list[Any]] = []
        for k, sq in enumerate(m.squads):
            idle_n = 0
            for crew in sq.crews:
                assert crew.pos is not None  # placed by the model's space
                trip = self.trips.trip(crew)
                if trip is None:  # at base, or at work on scene
                    x, y = crew.pos
                    if crew.job is None:
                        sx, sy = f.sx(x) + 22 * idle_n - 10 * (len(sq.crews) - 1), f.sy(y) + 30
                        idle_n += 1
                        crews.append([sx, sy, k, 0, sx, sy, "", 0])
                    else:
                        crews.append([f.sx(x), f.sy(y), k, 1, f.sx(x), f.sy(y), "", 0])
                    continue
                x, y, nxt, on_road = trip.at(now)
                ahead = " ".join(f"{f.sx(px)},{f.sy(py)}" for px, py in trip.xy[nxt:])
                bx, by = trip.xy[-1]
                crews.append([f.sx(x), f.sy(y), k, 1, f.sx(bx), f.sy(by), f"{f.sx(x)},{f.sy(y)} {ahead}",
                              int(on_road)])
        return {"dots": dots, "crews": crews}

    def measures(self, force: bool = False) -> dict[str, Any]:
        """Give the live measures, recomputed at most every MEASURES_EVERY_S of wall time."""
        now, wall = self.now, time.monotonic()
        at, last = self._measures_at
        if now != at and (force or wall - last >= MEASURES_EVERY_S or not self._measures):
            closed = {k: np.asarray(v, dtype=float) for k, v in self._closed_cols.items()}
            self._measures = live_measures(self.model, closed)
            self._measures_at = (now, wall)
        return self._measures

    @property
    def measured_at(self) -> float:
        """Wall time the measures were last computed (the series redraw with them)."""
        return self._measures_at[1]

    def series(self, column: str) -> tuple[list[float], list[float]]:
        """(days, values) of one DataCollector column."""
        mv = self.model.datacollector.model_vars
        return mv["day"], mv[column]


class Session:
    """One viewer's run A (the policies tried) and, in A/B mode, run B (the baseline).

    Both runs share the seed and incidents and are stepped in lockstep by a background runner.
    Every step and every read for a redraw holds ``lock``, so a redraw never sees a half-done
    step. The runner checks between ticks whether it should stop, so Pause takes effect within
    one tick.
    """

    def __init__(self, scenario_path: str | Path = DEFAULT_SCENARIO, settings: Settings | None = None) -> None:
        self.path = Path(scenario_path)
        self.data = read_scenario_data(self.path)
        base = validate_scenario(self.data, source=str(self.path))
        self.language = base.meta.language
        self.meta = base.meta
        self.lock = threading.RLock()
        self.builds = 0
        self.version = 0  # bumped by every step and rebuild: the page redraws on it
        self.error: str | None = None  # the last refused input, shown in the page
        self.refused_seed: object = None  # a seed out of range: said by the seed box, in the page's language
        self.b_path: Path | None = None
        self.b_data: dict[str, Any] | None = None
        self.b_settings: Settings | None = None
        self.arm_b: Arm | None = None
        self.follow: int | None = None
        self.follow_ended: int | None = None  # the case followed until it closed (the header says so)
        self.selected: int | None = None  # the case whose story the page shows
        self.speed = SPEEDS["1h"]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.target: float | None = None  # "run to": minutes (None: play at speed)
        self.paused_at: float | None = None
        self.arm = Arm(self.data, self.path, settings or Settings.of(base))
        self.builds += 1

    # ---- building -------------------------------------------------------------------------
    @property
    def settings(self) -> Settings:
        """Run A's settings: what the controls show."""
        return self.arm.settings

    @property
    def model(self) -> TownModel:
        """Run A's model."""
        return self.arm.model

    @property
    def scenario(self) -> Scenario:
        """Run A's scenario."""
        return self.arm.scenario

    def reset(self, **changes: Any) -> bool:
        """Rebuild from day 0 with any settings changed (B too, to stay in lockstep).

        A value the scenario refuses leaves the run as it was and sets ``error``; returns
        whether the run was rebuilt.
        """
        self.pause()
        if "seed" in changes and not valid_seed(changes["seed"]):
            self.refused_seed = changes["seed"]
            self.version += 1
            return False
        with self.lock:
            settings = replace(self.settings, **changes) if changes else self.settings
            try:
                arm = Arm(self.data, self.path, settings)
                arm_b = self._build_b(settings.seed)
            except ScenarioError as exc:
                self.error = str(exc)
                self.version += 1
                return False
            self.arm, self.arm_b, self.error, self.follow = arm, arm_b, None, None
            self.follow_ended = self.selected = None
            self.refused_seed = None
            self.builds += 1
            self.version += 1
            return True

    def _build_b(self, seed: int) -> Arm | None:
        if self.b_settings is None or self.b_data is None or self.b_path is None:
            return None
        return Arm(self.b_data, self.b_path, replace(self.b_settings, seed=seed))

    def pin_baseline(self) -> None:
        """Make the current policies run B (the baseline); both restart at day 0."""
        with self.lock:
            self.b_path, self.b_data, self.b_settings = self.path, self.data, self.settings
        self.reset()

    def baseline_file(self, path: str | Path) -> bool:
        """Run B from another scenario file (its own policies) on the same seed."""
        p = Path(path)
        try:
            data = read_scenario_data(p)
            settings = Settings.of(validate_scenario(data, source=str(p)))
        except (ScenarioError, OSError) as exc:
            with self.lock:
                self.error = str(exc)
                self.version += 1
            return False
        with self.lock:
            self.b_path, self.b_data, self.b_settings = p, data, settings
        return self.reset()

    def drop_baseline(self) -> None:
        """Leave A/B mode: stop, and keep run A alone."""
        self.pause()
        with self.lock:
            self.b_path = self.b_data = self.b_settings = None
            self.arm_b = None
            self.version += 1

    @property
    def arms(self) -> list[Arm]:
        """The runs shown: A, and B in A/B mode."""
        return [self.arm] if self.arm_b is None else [self.arm, self.arm_b]

    # ---- the clock ------------------------------------------------------------------------
    @property
    def now(self) -> float:
        """The shared clock (run A's; B steps in lockstep)."""
        return self.arm.now

    @property
    def finished(self) -> bool:
        """Whether run A reached its horizon."""
        return not self.arm.model.running

    @property
    def running(self) -> bool:
        """Whether the background runner is stepping."""
        return self._thread is not None and self._thread.is_alive()

    def step(self, n: int = 1) -> float:
        """Advance ``n`` ticks, all runs together (stops at the horizon); returns the clock."""
        with self.lock:
            for _ in range(n):
                if not self._tick():
                    break
            return self.now

    def _tick(self) -> bool:
        if not self.arm.model.running:
            return False
        self.arm.kept = self.selected
        for arm in self.arms:
            if arm.model.running:
                arm.step()
        if self.follow is not None and self.follow not in self.arm.model.centre.live:  # it closed: following ends
            self.follow_ended, self.follow = self.follow, None
        self.version += 1
        return True

    def effective_speed(self) -> float:
        """Give the simulated minutes a second: slowed while the followed case is still open."""
        if self.follow is not None and self.follow in self.arm.model.centre.live:
            return min(self.speed, FOLLOW_SPEED)
        return self.speed

    def play(self, target_min: float | None = None) -> None:
        """Run in the background at ``speed``, or as fast as possible up to ``target_min``.

        ``target_min`` = ``inf`` runs to the end.
        """
        self.pause()
        with self.lock:
            self.target = target_min
            self.paused_at = None
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="gridsim-dashboard-runner", daemon=True)
            self._thread.start()

    def pause(self) -> None:
        """Stop the runner at once, under the lock, so no tick is under way and none starts after.

        ``paused_at`` is the clock the run stopped at.
        """
        with self.lock:
            self._stop.set()
            was_running = self._thread is not None
            if was_running or self.paused_at is None:
                self.paused_at = self.now
            self.version += 1
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(timeout=5)
        self._thread = None

    def _run(self) -> None:
        tick = DASHBOARD_TICK_MIN
        start_wall, start_sim, speed = time.monotonic(), self.now, self.effective_speed()
        while not self._stop.is_set():
            sp = self.effective_speed()
            if sp != speed:  # follow mode began or ended: pace from here
                start_wall, start_sim, speed = time.monotonic(), self.now, sp
            if self.target is not None:
                if self.now >= self.target - 1e-9:
                    break
            else:
                due = start_sim + speed * (time.monotonic() - start_wall)
                if self.now + tick > due:
                    time.sleep(min(0.05, max(0.002, (self.now + tick - due) / speed)))
                    continue
            with self.lock:
                if self._stop.is_set() or not self._tick():
                    break
        with self.lock:
            if not self._stop.is_set():  # reached its target or the end by itself
                self.paused_at = self.now
            self.target = None
            self.version += 1

    def close(self) -> None:
        """Stop the runner and drop the models (the viewer has gone)."""
        self.pause()
        with self.lock:
            self.arm_b = None


def live_measures(model: TownModel, closed: dict[str, np.ndarray] | None = None) -> dict[str, Any]:
    """Compute the §4 measures so far: closed records plus the cases still open, censored at now."""
    now = model.env.now
    cats = model.categories
    if closed is None:
        rows = model.log.frame()
        name_to = {c.name: i for i, c in enumerate(cats)}
        closed = {
            "category": rows.category.astype(str).map(name_to).to_numpy(int),
            "reported_at": rows.reported_at.to_numpy(float),
            "arrived_at": rows.arrived_at.to_numpy(float),
            "tier": pd.Categorical(rows.tier, categories=Tier.keys()).codes.astype(int),
        }
    live = list(model.centre.live.values())
    cat = np.concatenate([closed["category"], np.array([i.category for i in live], dtype=int)]).astype(int)
    rep = np.concatenate([closed["reported_at"], np.array([i.reported_at for i in live], float)])
    arr = np.concatenate([closed["arrived_at"], np.array([i.arrived_at for i in live], float)])
    tiers = np.concatenate([closed["tier"], np.array([i.tier for i in live], dtype=int)]).astype(int)
    fifteen_names = model.config.fifteen_minute_categories
    in_class = np.array([c.name in fifteen_names for c in cats], bool)[cat] if len(cat) else np.zeros(0, bool)
    resp = arr - rep
    has = ~np.isnan(resp)
    return {
        "now_min": now,
        "incidents": len(cat),
        "share_within_15min": fifteen_minute_share(rep, arr, in_class, now),
        "response_p50_min": float(np.median(resp[has])) if has.any() else math.nan,
        "response_mean_min": float(resp[has].mean()) if has.any() else math.nan,
        "backlog": len(model.centre.open),
        "closed": model.centre.closed,
        "alarms": model.centre.alarms_raised,
        "crews_busy": sum(not c.idle for c in model.centre.crews),
        "queued_for_squad": len(model.centre.queue),
        "tier_share": tier_shares(tiers),
        "workload_gini": workload_gini_so_far(model, now),
    }


def start_note(model: TownModel, inc: Incident) -> IntakeNote | None:
    """Why the escalation policy started the case above its category's lowest tier, if it did."""
    return model.centre.escalation.intake_note(model.categories[inc.category])
