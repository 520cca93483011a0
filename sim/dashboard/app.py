"""The training dashboard (Solara page): watch the closed loop on a map, change a policy.

Serve it with ``gridsim dashboard [SCENARIO]`` (or ``solara run sim/dashboard/app.py``;
the scenario file comes from the ``GRIDSIM_DASHBOARD_SCENARIO`` environment variable).
Every browser session gets its own model: ``Page`` creates it with ``use_memo``, never at
module level (DESIGN.md §7).
"""

from __future__ import annotations

import html
import math
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipyvue
import solara
import traitlets

from sim.dashboard import labels as L
from sim.dashboard.views import (
    DEFAULT_SCENARIO,
    HOUSEHOLD_PRESETS,
    OVERDUE_COLOUR,
    SPEEDS,
    STAGE_COLOURS,
    Session,
    map_figure,
    png,
    series_figure,
    start_note,
    zone_colour,
)
from sim.history import StoryEntry
from sim.labels import Named, category, label, render_story, staff_role
from sim.policies import DISPATCH_RULES
from sim.vocabulary import Stage, Tier

SCENARIO_ENV = "GRIDSIM_DASHBOARD_SCENARIO"
FRAME_S = 0.5  # at most two redraws a second while playing
SQUAD_CHOICES = (1, 2, 3, 4, 5, 6)
WRAP = {"flex-wrap": "wrap", "height": "auto"}
SEVERITY_CHOICES = (1, 2, 3, 4, 5, 6)
NOTE = {"font-size": "12px", "color": "#666"}


class PlayTimer(ipyvue.VueTemplate):
    """A timer in the browser: while ``active``, bumps ``beats`` once per ``interval_ms``.

    The next beat is scheduled only when the server acknowledges the last one (``acked``
    changes after the step is drawn), so a slow server is never flooded. Stepping in the
    browser's rhythm keeps every model update on the ordinary event path (updates sent
    from a background thread did not reach the page once a button had been clicked).
    """

    template = traitlets.Unicode("""
<template><span class="gs-timer" :data-active="String(active)" :data-beats="beats"></span></template>
<script>
module.exports = {
  mounted() { this.schedule(); },
  beforeDestroy() { clearTimeout(this.timer); },
  watch: {
    active() { this.schedule(); },
    interval_ms() { this.schedule(); },
    acked() { this.schedule(); },
  },
  methods: {
    schedule() {
      clearTimeout(this.timer);
      if (this.active) {
        this.timer = setTimeout(() => { this.beats = this.beats + 1; }, this.interval_ms);
      }
    },
  },
};
</script>
""").tag(sync=True)
    active = traitlets.Bool(False).tag(sync=True)
    interval_ms = traitlets.Int(500).tag(sync=True)
    acked = traitlets.Int(0).tag(sync=True)
    beats = traitlets.Int(0).tag(sync=True)


def scenario_path() -> Path:
    return Path(os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO)


def play_plan(speed_min_per_s: float, tick_min: float) -> tuple[int, float]:
    """(ticks per frame, seconds per frame) to run ``speed_min_per_s`` simulated minutes a second."""
    ticks = max(1, round(speed_min_per_s * FRAME_S / tick_min))
    return ticks, ticks * tick_min / speed_min_per_s


def _fmt(v: Any, kind: str = "") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if kind == "pct":
        return f"{100 * v:.0f}%"
    if kind == "min":
        return f"{v:.1f}"
    if kind == "gini":
        return f"{v:.2f}"
    return f"{v:,}" if isinstance(v, int) else f"{v:.1f}"


CSS = """
.gs-card { padding: 8px 12px; }
.gs-measures td { padding: 1px 8px 1px 0; font-size: 14px; }
.gs-measures td.v { text-align: right; font-weight: 600; }
.gs-story td, .gs-story th { padding: 2px 8px 2px 0; font-size: 13px; text-align: left; vertical-align: top; }
.gs-legend span { margin-right: 10px; font-size: 13px; white-space: nowrap; }
.gs-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 3px; border: 1px solid #333; }
.gs-clock { font-size: 20px; font-weight: 700; }
.gs-label { display: block; margin-top: 8px; font-size: 13px; color: #555; }
.gs-card .v-btn-toggle .v-btn { min-width: 40px !important; padding: 0 10px !important; }
.gs-incidents .v-btn { text-transform: none; justify-content: flex-start; }
"""


@solara.component
def Page():
    """One viewer: a fresh Session (model) per browser session."""
    session = solara.use_memo(lambda: Session(scenario_path()), [])
    Dashboard(session)


@solara.component
def Dashboard(session: Session):
    lang, set_lang = solara.use_state(session.language)
    version, set_version = solara.use_state(session.version)
    playing, set_playing = solara.use_state(False)
    speed, set_speed = solara.use_state("1 h")
    selected, set_selected = solara.use_state(None)

    def bump() -> None:
        set_version(session.version)

    # ---- play: the browser's timer asks for a frame; each answer asks for the next --------
    last_beat = solara.use_ref(0.0)

    def on_beat(_beats: int) -> None:
        if not playing:
            return
        ticks, frame = play_plan(SPEEDS[speed], session.model.tick)
        # keep the promised speed when drawing takes longer than a frame
        t = time.monotonic()
        elapsed = min(t - last_beat.current, 3 * frame) if last_beat.current else frame
        last_beat.current = t
        ticks = max(1, round(ticks * elapsed / frame))
        session.step(ticks)
        if session.finished:
            set_playing(False)
        bump()

    frame_ms = int(1000 * play_plan(SPEEDS[speed], session.model.tick)[1])
    PlayTimer.element(active=playing and not session.finished, interval_ms=frame_ms, acked=version,
                      on_beats=on_beat)

    if not playing:
        last_beat.current = 0.0

    def step_once() -> None:
        session.step(1)
        bump()

    def reset(**changes: Any) -> Callable[[], None]:
        def do() -> None:
            set_playing(False)
            session.reset(**changes)
            set_selected(None)
            bump()
        return do

    def on_policy(field: str) -> Callable[[Any], None]:
        def do(value: Any) -> None:
            if value is None or getattr(session.settings, field) == value:
                return
            reset(**{field: value})()
        return do

    # ---- what to draw (read under the session's lock) --------------------------------
    def draw_map() -> tuple[bytes, dict[str, int]]:
        with session.lock:
            fig, shown = map_figure(session.model, selected)
        return png(fig), shown

    def draw_series(column: str, colour: str) -> Callable[[], bytes]:
        def draw() -> bytes:
            with session.lock:
                fig = series_figure(session.model, column, colour)
            return png(fig)
        return draw

    map_png, shown = solara.use_memo(draw_map, [version, selected])
    backlog_png = solara.use_memo(draw_series("backlog", "#e53935"), [version])
    busy_png = solara.use_memo(draw_series("crews_busy", "#1e88e5"), [version])
    with session.lock:
        model = session.model
        now = model.env.now
        measures = dict(session.measures())
        n_grids, n_squads = len(model.town.grids), len(model.squads)
        chosen = session.incident(selected) if selected is not None else None
        chosen_story: list[StoryEntry] = list(chosen.history or []) if chosen is not None else []
        chosen_note = start_note(model, chosen) if chosen is not None else None
        chosen_cat = model.categories[chosen.category] if chosen is not None else None
        recent_rows = [(i.id, model.categories[i.category], i.stage, i.alarms > 0)
                       for i in session.recent_incidents(15)]
    st = session.settings

    solara.Title(L.t("title", lang))
    solara.Style(CSS)
    with solara.Column(style={"padding": "12px", "max-width": "1500px"}):
        # ---- header: title, clock, language ------------------------------------------
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Text(L.t("title", lang), style={"font-size": "22px", "font-weight": "700"}, classes=["gs-title"])
            solara.HTML(tag="span", unsafe_innerHTML=html.escape(L.clock(now, lang)), classes=["gs-clock"],
                        attributes={"data-minutes": f"{now:.0f}"})
            if session.finished:
                solara.Text(L.t("finished", lang), classes=["gs-finished"])
            solara.Text(f"{session.scenario.meta.name} · {n_grids} {L.t('grids_n', lang)} · "
                        f"{L.t('squads', lang)} {n_squads} · {L.t('seed', lang)} {st.seed}",
                        classes=["gs-model-info"])
            with solara.ToggleButtonsSingle(value=lang, on_value=set_lang, classes=["gs-lang"]):
                solara.Button("中文", value="zh", text=True)
                solara.Button("English", value="en", text=True)

        with solara.Columns([4, 5, 4]):
            # ---- controls -----------------------------------------------------------
            with solara.Column():
                with solara.Card(L.t("clock", lang), classes=["gs-card"]):
                    with solara.Row():
                        solara.Button(L.t("pause", lang) if playing else L.t("play", lang),
                                      icon_name="mdi-pause" if playing else "mdi-play",
                                      on_click=lambda: set_playing(not playing), color="primary",
                                      disabled=session.finished, classes=["gs-play"])
                        solara.Button(L.t("step", lang), icon_name="mdi-skip-next", on_click=step_once,
                                      disabled=playing or session.finished, classes=["gs-step"])
                        solara.Button(L.t("reset", lang), icon_name="mdi-restart", on_click=reset(),
                                      classes=["gs-reset"])
                    solara.Text(L.t("speed", lang), classes=["gs-label"])
                    solara.ToggleButtonsSingle(value=speed, values=list(SPEEDS), on_value=set_speed,
                                               dense=True, classes=["gs-speed"], style=WRAP)
                with solara.Card(L.t("policy", lang), classes=["gs-card"]):
                    solara.Text(L.t("policy_note", lang), style={"font-size": "12px", "color": "#666"})
                    solara.InputInt(L.t("seed", lang), value=st.seed, on_value=on_policy("seed"),
                                    classes=["gs-seed"])
                    solara.Text(L.t("squads", lang), classes=["gs-label"])
                    solara.ToggleButtonsSingle(value=st.squads, values=list(SQUAD_CHOICES),
                                               on_value=on_policy("squads"), dense=True, classes=["gs-squads"],
                                               style=WRAP)
                    solara.Text(L.t("dispatch_rule", lang), classes=["gs-label"])
                    with solara.ToggleButtonsSingle(value=st.dispatch_rule, on_value=on_policy("dispatch_rule"),
                                                    dense=True, classes=["gs-rule"], style=WRAP):
                        for name in DISPATCH_RULES:
                            solara.Button(DISPATCH_RULES[name].label[0 if lang == "zh" else 1], value=name, text=True)
                    solara.Text(session.scenario.command_centre.dispatch_rule.explain(lang), style=NOTE,
                                classes=["gs-rule-explain"])
                    solara.Text(L.t("sev_village", lang), classes=["gs-label"])
                    solara.ToggleButtonsSingle(value=st.severity_to_village, values=list(SEVERITY_CHOICES),
                                               on_value=on_policy("severity_to_village"), dense=True,
                                               classes=["gs-severity"], style=WRAP)
                    solara.Text(session.scenario.escalation.explain(lang), style=NOTE,
                                classes=["gs-escalation-explain"])
                    solara.Text(L.t("households", lang), classes=["gs-label"])
                    presets = sorted(set(HOUSEHOLD_PRESETS) | {st.households_per_grid})
                    solara.ToggleButtonsSingle(value=st.households_per_grid, values=presets,
                                               on_value=on_policy("households_per_grid"), dense=True,
                                               classes=["gs-households"], style=WRAP)

            # ---- the map ------------------------------------------------------------
            with solara.Column(), solara.Card(L.t("map", lang), classes=["gs-card"]):
                solara.Image(map_png, width="100%", classes=["gs-map"])
                solara.Text(L.t("map_count", lang, n=shown["incidents"], k=shown["overdue"]),
                            classes=["gs-map-count"])
                solara.HTML(tag="div", unsafe_innerHTML=_legend(lang, n_squads), classes=["gs-legend"])

            # ---- measures, series, stories ------------------------------------------
            with solara.Column():
                with solara.Card(L.t("measures", lang), classes=["gs-card"]):
                    solara.HTML(tag="table", unsafe_innerHTML=_measures_rows(measures, lang),
                                classes=["gs-measures"])
                with solara.Card(L.t("series", lang), classes=["gs-card"]):
                    solara.Text(L.t("backlog", lang))
                    solara.Image(backlog_png, width="100%")
                    solara.Text(L.t("crews_busy", lang))
                    solara.Image(busy_png, width="100%")

        with solara.Columns([4, 8]):
            with solara.Card(L.t("incidents", lang), classes=["gs-card", "gs-incidents"]):
                if not recent_rows:
                    solara.Text(L.t("no_incident", lang))
                with solara.Column(gap="0px", style={"max-height": "420px", "overflow-y": "auto"}):
                    for iid, cat, stg, late in recent_rows:
                        text = f"#{iid} {category(cat, lang)} · {label(stg, lang)}"
                        if late:
                            text += f" · {L.t('overdue', lang)}"
                        solara.Button(text, text=True, small=True,
                                      color="primary" if iid == selected else None,
                                      on_click=lambda iid=iid: set_selected(iid),
                                      classes=["gs-incident"])
            with solara.Card(L.t("story", lang), classes=["gs-card"]):
                if chosen is None:
                    solara.Text(L.t("choose_incident", lang))
                else:
                    head = f"#{chosen.id} {category(chosen_cat, lang)}"
                    if chosen_note is not None:
                        head += " · " + L.t("start_tier", lang, sev=chosen_note.severity, thr=chosen_note.threshold,
                                            tier=label(chosen_note.tier, lang))
                    solara.Text(head, style={"font-weight": "600"}, classes=["gs-story-head"])
                    solara.HTML(tag="table", unsafe_innerHTML=_story_rows(chosen_story, lang, model.categories),
                                classes=["gs-story"])


def _legend(lang: str, n_squads: int) -> str:
    parts = [f'<span><i class="gs-dot" style="background:{c}"></i>{html.escape(label(s, lang))}</span>'
             for s, c in STAGE_COLOURS.items() if s != Stage.CLOSED]
    parts.append(f'<span><i class="gs-dot" style="background:white;border:2px solid {OVERDUE_COLOUR}"></i>'
                 f'{html.escape(L.t("overdue", lang))}</span>')
    parts.append(f'<span>■ {html.escape(L.t("base", lang))} ▲ {html.escape(L.t("crew", lang))}</span>')
    parts += [f'<span style="color:{zone_colour(k)}">■ S{k + 1}</span>' for k in range(n_squads)]
    return "".join(parts)


def _measures_rows(m: dict[str, Any], lang: str) -> str:
    rows = [
        ("share_within_15min", _fmt(m["share_within_15min"], "pct")),
        ("response_p50_min", _fmt(m["response_p50_min"], "min")),
        ("response_mean_min", _fmt(m["response_mean_min"], "min")),
        ("backlog", _fmt(m["backlog"])),
        ("closed", _fmt(m["closed"])),
        ("alarms", _fmt(m["alarms"])),
        ("crews_busy", _fmt(m["crews_busy"])),
        ("queued_for_squad", _fmt(m["queued_for_squad"])),
    ]
    out = [f'<tr data-key="{k}"><td>{html.escape(L.t(k, lang))}</td><td class="v">{v}</td></tr>' for k, v in rows]
    out.append(f'<tr><td colspan="2"><b>{html.escape(L.t("tier_share", lang))}</b></td></tr>')
    for tier in Tier:
        out.append(f'<tr data-key="tier.{tier.key}"><td>&nbsp;&nbsp;{html.escape(label(tier, lang))}</td>'
                   f'<td class="v">{_fmt(m["tier_share"][tier.key], "pct")}</td></tr>')
    out.append(f'<tr><td colspan="2"><b>{html.escape(L.t("workload_gini", lang))}</b></td></tr>')
    for role, g in m["workload_gini"].items():
        out.append(f'<tr data-key="gini.{role}"><td>&nbsp;&nbsp;{html.escape(staff_role(role, lang))}</td>'
                   f'<td class="v">{_fmt(g, "gini")}</td></tr>')
    return "".join(out)


def _story_rows(entries: list[StoryEntry], lang: str, categories: Sequence[Named]) -> str:
    head = "".join(f"<th>{html.escape(L.t(k, lang))}</th>" for k in ("time", "stage", "who", "why"))
    out = [f"<tr>{head}</tr>"]
    for e in entries:
        words = render_story(e, lang, categories)
        style = f' style="color:{OVERDUE_COLOUR}"' if e.stage in (Stage.ALARM, Stage.ESCALATED) else ""
        out.append(
            f'<tr{style} data-stage="{e.stage.key}" data-reason="{e.reason.key}">'
            f"<td>{html.escape(L.clock(e.time, lang))}</td><td>{html.escape(words.stage)}</td>"
            f"<td>{html.escape(words.who)}</td><td>{html.escape(words.why)}</td></tr>"
        )
    return "".join(out)
