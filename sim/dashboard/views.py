"""What the dashboard shows, apart from how it is shown: a per-viewer session around one
TownModel, the live measures, the incident stories, and matplotlib figures.

Nothing here imports solara, so every piece can be tested (and reused) without a browser.
Figures carry no words (the host machine may lack CJK fonts); titles and legends are
drawn by the page in the chosen language.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from sim.config import Scenario, apply_overrides, read_scenario_data, validate_scenario
from sim.measures import fifteen_minute_share, tier_shares, workload_gini_so_far
from sim.model import TownModel
from sim.policies import IntakeNote
from sim.records import Incident
from sim.vocabulary import MINUTES_PER_DAY, Stage, Tier

DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "xuxiake_1plus4.toml"
DASHBOARD_TICK_MIN = 10.0  # the dashboard steps the model in 10-minute ticks
HOUSEHOLD_PRESETS: tuple[int, ...] = (300, 400, 500)
SPEEDS: dict[str, float] = {"10 min": 10.0, "1 h": 60.0, "6 h": 360.0, "1 d": MINUTES_PER_DAY}  # sim minutes per second
STAGE_COLOURS: dict[Stage, str] = {  # the furthest stage an incident reached (Incident.stage)
    Stage.OCCURRED: "#9e9e9e",
    Stage.REPORTED: "#fbc02d",
    Stage.DISPATCHED: "#fb8c00",
    Stage.ARRIVED: "#1e88e5",
    Stage.RESOLVED: "#43a047",
    Stage.CLOSED: "#2e7d32",
}
OVERDUE_COLOUR = "#d50000"
ZONE_COLOURS: tuple[str, ...] = (
    "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f",
)
RECENT_KEEP = 200


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
        div = scenario.town.grid_division
        return cls(
            seed=scenario.run.seed,
            squads=scenario.squads.n,
            dispatch_rule=scenario.command_centre.dispatch_rule.rule,
            severity_to_village=scenario.escalation.severity_to_village,
            households_per_grid=int(div.households_per_grid or 400),
        )

    def overrides(self) -> dict[str, Any]:
        return {
            "squads.count": self.squads,
            "command_centre.dispatch_rule": self.dispatch_rule,
            "escalation.severity_to_village": self.severity_to_village,
            "town.grid_division.households_per_grid": self.households_per_grid,
        }


def scenario_with(data: dict[str, Any], settings: Settings, source: str = "<scenario>") -> Scenario:
    """The scenario table with the viewer's policies applied and the dashboard's tick."""
    d = apply_overrides(data, settings.overrides(), source=source)
    units = d.get("squads", {}).get("units")
    if units and len(units) != settings.squads:
        d["squads"].pop("units")  # another count replaces the listed units (bases, zones) by generated ones
    div = d.get("town", {}).get("grid_division", {})
    div.pop("grids_per_village", None)  # households per grid is the rule the viewer sets
    d.setdefault("run", {})["tick_minutes"] = DASHBOARD_TICK_MIN
    return validate_scenario(d, source=source)


class Session:
    """One viewer's model and what the page needs from it; all access under one lock.

    Every step and every read for a redraw holds ``lock``, so a redraw never sees a
    half-done step (the server may handle one viewer's messages on more than one thread).
    """

    def __init__(self, scenario_path: str | Path = DEFAULT_SCENARIO, settings: Settings | None = None) -> None:
        self.path = Path(scenario_path)
        self.data = read_scenario_data(self.path)
        base = validate_scenario(self.data, source=str(self.path))
        self.language = base.meta.language
        self.settings = settings or Settings.of(base)
        self.lock = threading.RLock()
        self.builds = 0
        self.version = 0  # bumped by every step and rebuild: the page redraws on it
        self._build()

    def _build(self) -> None:
        self.scenario = scenario_with(self.data, self.settings, source=str(self.path))
        self.model = TownModel(self.scenario, seed=self.settings.seed, keep_stories=True)
        self.recent: OrderedDict[int, Incident] = OrderedDict()
        self._seen = -1
        self._measures_key: tuple[int, float] | None = None
        self._measures: dict[str, Any] = {}
        self.builds += 1
        self.version += 1

    def reset(self, **changes: Any) -> None:
        """Rebuild the model from day 0, with any settings changed."""
        with self.lock:
            if changes:
                self.settings = replace(self.settings, **changes)
            self._build()

    @property
    def now(self) -> float:
        return self.model.env.now

    @property
    def finished(self) -> bool:
        return not self.model.running

    def step(self, n: int = 1) -> float:
        """Advance ``n`` ticks (stops at the horizon); returns the clock in minutes."""
        with self.lock:
            for _ in range(n):
                if not self.model.running:
                    break
                self.model.step()
                for iid, inc in self.model.centre.live.items():
                    if iid > self._seen:  # ids rise with occurrence: only the new ones
                        self.recent[iid] = inc
                        self._seen = iid
                while len(self.recent) > RECENT_KEEP:
                    self.recent.popitem(last=False)
                self.version += 1
            return self.model.env.now

    # ---- what the page shows -------------------------------------------------------
    def recent_incidents(self, n: int = 30) -> list[Incident]:
        """The latest incidents seen (open or closed since), newest first."""
        with self.lock:
            return list(reversed(list(self.recent.values())[-n:]))

    def incident(self, iid: int) -> Incident | None:
        with self.lock:
            return self.recent.get(iid) or self.model.centre.live.get(iid)

    def measures(self) -> dict[str, Any]:
        with self.lock:
            key = (len(self.model.log), self.model.env.now)
            if key != self._measures_key:
                self._measures = live_measures(self.model)
                self._measures_key = key
            return self._measures


def live_measures(model: TownModel) -> dict[str, Any]:
    """The §4 measures so far: closed records plus the cases still open, censored at now."""
    now = model.env.now
    cats = model.categories
    rows = model.log.frame()
    live = list(model.centre.live.values())
    name_to = {c.name: i for i, c in enumerate(cats)}
    cat = np.concatenate([rows.category.astype(str).map(name_to).to_numpy(int),
                          np.array([i.category for i in live], dtype=int)])
    rep = np.concatenate([rows.reported_at.to_numpy(float), np.array([i.reported_at for i in live], float)])
    arr = np.concatenate([rows.arrived_at.to_numpy(float), np.array([i.arrived_at for i in live], float)])
    tiers = np.concatenate([pd.Categorical(rows.tier, categories=Tier.keys()).codes.astype(int),
                            np.array([i.tier for i in live], dtype=int)])
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


# ---- figures ---------------------------------------------------------------------------
def zone_colour(i: int) -> str:
    return ZONE_COLOURS[i % len(ZONE_COLOURS)]


def map_figure(model: TownModel, selected: int | None = None) -> tuple[Figure, dict[str, int]]:
    """The town: villages in their squad's zone colour, grid lines, bases, crews, incidents.

    Returns the figure and what it shows (``incidents``, ``overdue``, ``crews``), which the
    page prints under the map (and tests check).
    """
    town = model.town
    w, h = town.size_km
    fig = Figure(figsize=(6.4, 6.4 * h / w if w else 6.4), dpi=80)
    ax = fig.add_axes((0.07, 0.06, 0.91, 0.92))
    owner = {}
    for k, sq in enumerate(model.squads):
        for vi in sq.zone:
            owner[vi] = k
    patches, colours = [], []
    for v in town.villages:
        b = v.box
        patches.append(Rectangle((b.x0, b.y0), b.x1 - b.x0, b.y1 - b.y0))
        colours.append(zone_colour(owner[v.index]) if v.index in owner else "#eeeeee")
    ax.add_collection(PatchCollection(patches, facecolors=colours, alpha=0.22, edgecolors="none"))
    segs = []
    for g in town.grids:
        p = g.box.polygon
        segs.extend([[p[i], p[(i + 1) % 4]] for i in range(4)])
    ax.add_collection(LineCollection(segs, colors="#9e9e9e", linewidths=0.4))
    vsegs = []
    for v in town.villages:
        p = v.box.polygon
        vsegs.extend([[p[i], p[(i + 1) % 4]] for i in range(4)])
    ax.add_collection(LineCollection(vsegs, colors="#424242", linewidths=1.1))
    for v in town.villages:
        if v.land_use == "core":
            b = v.box
            ax.add_patch(Rectangle((b.x0, b.y0), b.x1 - b.x0, b.y1 - b.y0, fill=False,
                                   hatch="...", edgecolor="#bdbdbd", linewidth=0))
    # squads: bases and crews (a busy crew draws a line to its job)
    crews = 0
    for k, sq in enumerate(model.squads):
        c = zone_colour(k)
        ax.plot(*sq.base, marker="s", markersize=12, color=c, markeredgecolor="black", zorder=5)
        for j, crew in enumerate(sq.crews):
            crews += 1
            assert crew.pos is not None, "the model's space places every crew at its base"
            x, y = crew.pos
            if crew.idle:
                x += 0.25 * (j - (len(sq.crews) - 1) / 2)
                y -= 0.45
            ax.plot(x, y, marker="^", markersize=8, color=c, markeredgecolor="black", zorder=6)
            if crew.job is not None:
                ax.plot([crew.pos[0], crew.job.x], [crew.pos[1], crew.job.y], color=c, lw=1.2, ls="--", zorder=4)
    # incidents by stage; overdue ones ringed in red
    live = list(model.centre.live.values())
    if live:
        xs = np.array([i.x for i in live])
        ys = np.array([i.y for i in live])
        cols = [STAGE_COLOURS[i.stage] for i in live]
        ax.scatter(xs, ys, s=26, c=cols, edgecolors="black", linewidths=0.4, zorder=7)
        od = np.array([i.alarms > 0 for i in live])
        if od.any():
            ax.scatter(xs[od], ys[od], s=110, facecolors="none", edgecolors=OVERDUE_COLOUR, linewidths=1.6, zorder=8)
    if selected is not None:
        inc = model.centre.live.get(selected)
        if inc is not None:
            ax.scatter([inc.x], [inc.y], s=320, marker="*", c="#ffeb3b", edgecolors="black", zorder=9)
    ax.set_xlim(-0.2, w + 0.2)
    ax.set_ylim(-0.6, h + 0.2)
    ax.set_aspect("equal")
    ax.tick_params(labelsize=8)
    overdue = sum(1 for i in live if i.alarms > 0)
    return fig, {"incidents": len(live), "overdue": overdue, "crews": crews}


def series_figure(model: TownModel, column: str, colour: str = "#1e88e5") -> Figure:
    """A small time series of one DataCollector column against days."""
    df = model.datacollector.get_model_vars_dataframe()
    fig = Figure(figsize=(4.2, 1.7), dpi=80)
    ax = fig.add_axes((0.12, 0.2, 0.85, 0.72))
    if len(df):
        ax.plot(df["day"].to_numpy(), df[column].to_numpy(), color=colour, lw=1.3)
        ax.fill_between(df["day"].to_numpy(), df[column].to_numpy(), color=colour, alpha=0.15)
    ax.set_xlim(left=0, right=max(float(df["day"].iloc[-1]) if len(df) else 0, 0.05))
    ax.set_ylim(bottom=0)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    return fig


def png(fig: Figure) -> bytes:
    """A figure as PNG bytes (the page shows images; PNG draws faster than SVG here)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
