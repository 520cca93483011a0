"""The training dashboard (Solara page): watch the closed loop on a map, compare policies.

Serve it with ``gridsim dashboard [SCENARIO]`` (or ``solara run sim/dashboard/app.py``;
the scenario file comes from the ``GRIDSIM_DASHBOARD_SCENARIO`` environment variable).
Each browser session has its own run (sim/dashboard/sessions.py), stepped by a background
runner; the page asks for a frame about eight times a second while the run goes, and a
frame sends only what moved (the town's map is sent once).
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import solara
import solara.lab

from sim.dashboard import labels as L
from sim.dashboard.drawing import (
    NO_TIER,
    OVERDUE_COLOUR,
    STAGE_COLOURS,
    STAGES,
    series_svg,
    static_map_svg,
)
from sim.dashboard.sessions import Registry
from sim.dashboard.views import (
    DEFAULT_SCENARIO,
    HOUSEHOLD_PRESETS,
    SPEEDS,
    UNNOTICED_SHOWN_MIN,
    Arm,
    Session,
    start_note,
)
from sim.dashboard.widgets import CaseRows, FrameTimer, TownMap
from sim.history import StoryEntry
from sim.labels import Named, category, dispatch_rule, label, render_story, staff_role
from sim.limits import MAX_SEED
from sim.policies import DISPATCH_RULES
from sim.vocabulary import MINUTES_PER_DAY, GridRole, StaffRole, Stage, Tier

SCENARIO_ENV = "GRIDSIM_DASHBOARD_SCENARIO"
FRAME_MS = 120  # the page asks for a frame this long after the last one arrived
SQUAD_CHOICES = (1, 2, 3, 4, 5, 6)
SEVERITY_CHOICES = (1, 2, 3, 4, 5, 6)
LIST_MAX = 150
NOTE = {"font-size": "12px", "color": "#666", "margin-top": "2px"}
SESSIONS: Registry[Session] = Registry()


def scenario_path() -> Path:
    """Find the scenario the page opens with: ``gridsim dashboard``'s argument (via the environment), else the preset."""
    return Path(os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO)


def _kernel_started() -> Callable[[], None]:
    """Free the viewer's run when the last of its pages has gone."""
    sid, kid = solara.get_session_id(), solara.get_kernel_id()
    return lambda: SESSIONS.detach(sid, kid)


solara.lab.on_kernel_start(_kernel_started)


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
.gs-page { padding: 6px 10px; font-size: 14px; }
.gs-head { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px; margin-bottom: 4px; }
.gs-title { font-size: 18px; font-weight: 700; }
/* buttons in the words' own case: upper case made "HOME ZONE FIRST" and "COUNTY" too wide for their cards */
.gs-page .v-btn { text-transform: none !important; letter-spacing: normal !important; }
.gs-clock { font-size: 18px; font-weight: 700; font-variant-numeric: tabular-nums; min-width: 8em; }
.gs-main { display: grid; gap: 10px; align-items: start;
           grid-template-columns: 300px minmax(0, var(--gs-mapw)) minmax(360px, 1fr); }
.gs-main > div { min-width: 0; }
@media (max-width: 1100px) {
  .gs-main { grid-template-columns: minmax(0, 1fr); }
  .gs-col-map { order: 1; } .gs-col-side { order: 2; } .gs-col-controls { order: 3; }
}
.gs-card { padding: 6px 10px !important; margin-bottom: 8px; }
.gs-card .v-card__title { padding: 2px 0 4px 0 !important; font-size: 15px !important; }
.gs-maps { display: flex; gap: 8px; }
.gs-maps > div { flex: 1 1 0; min-width: 0; }
.gs-map-static svg { width: 100%; height: auto; display: block; }
.gs-ab-tag { font-weight: 700; font-size: 14px; }
.gs-measures { border-collapse: collapse; width: 100%; }
.gs-measures td, .gs-measures th { padding: 1px 6px 1px 0; font-size: 13px; text-align: left; }
.gs-measures td.gs-note { font-size: 12px; color: #546e7a; padding-top: 6px; line-height: 1.35; }
.gs-measures td.v, .gs-measures th.v { text-align: right; font-variant-numeric: tabular-nums; }
.gs-story td, .gs-story th { padding: 2px 6px 2px 0; font-size: 13px; text-align: left; vertical-align: top; }
.gs-story td:nth-child(-n+3), .gs-story th { white-space: nowrap; }
.gs-legend { font-size: 12px; line-height: 1.7; display: flex; flex-wrap: wrap; column-gap: 10px; }
.gs-legend span { white-space: nowrap; }
.gs-swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 3px;
             border: 1px solid #333; vertical-align: -1px; }
.gs-label { display: block; margin-top: 6px; font-size: 13px; color: #555; }
.gs-funnel { display: flex; gap: 3px; margin-bottom: 6px; }
.gs-funnel > div { flex: 1 1 0; min-width: 0; border-radius: 4px; padding: 2px 4px; color: #fff;
                   font-size: 12px; line-height: 1.25; text-align: center; }
.gs-funnel b { display: block; font-size: 15px; font-variant-numeric: tabular-nums; }
.gs-funnel .dim { background: #eceff1; color: #263238; }
.gs-error { color: #b71c1c; font-weight: 600; }
.gs-list { max-height: 230px; overflow-y: auto; border: 1px solid #e0e0e0; }
.gs-incident { font-size: 13px; padding: 1px 6px; cursor: pointer; white-space: nowrap; overflow: hidden;
               text-overflow: ellipsis; }
.gs-incident:hover { background: #eeeeee !important; }
.gs-card .v-btn-toggle { flex-wrap: wrap; max-width: 100%; height: auto !important; }
.gs-card .v-btn-toggle .v-btn { min-width: 34px !important; padding: 0 7px !important; }
.gs-row { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.gs-story-box { max-height: 46vh; overflow-y: auto; }
.v-application .solara-watermark, .solara-watermark { display: none !important; }
"""


@solara.component
def Page():
    """One viewer: the run of this browser session (a reload finds it again)."""
    def attach() -> Session:
        try:
            sid, kid = solara.get_session_id(), solara.get_kernel_id()
        except RuntimeError:  # rendered outside a server (tests, notebooks): a run of its own
            return Session(scenario_path())
        return SESSIONS.attach(sid, kid, lambda: Session(scenario_path()))

    session = solara.use_memo(attach, [])
    Dashboard(session)


@solara.component
def Dashboard(session: Session):
    """Lay out the trainer's page for one viewer's session; redrawn on every beat of the running clock."""
    lang, set_lang_state = solara.use_state(str(session.language))
    frame, set_frame = solara.use_state(session.version)
    selected, set_selected_state = solara.use_state(session.selected)

    def set_lang(v: str) -> None:
        session.language = "zh" if v == "zh" else "en"
        set_lang_state(v)

    def set_selected(v: int | None) -> None:
        session.selected = v
        set_selected_state(v)

    def refresh() -> None:
        """After a control: draw now (even when the clock did not move)."""
        with session.lock:
            session.version += 1
            set_frame(session.version)

    def on_beat(_beats: int) -> None:
        # always a new value: the answer to a beat must reach the browser (it schedules the
        # next beat on it), also when the run ended between two beats and nothing moved
        with session.lock:
            session.version += 1
            set_frame(session.version)

    FrameTimer.element(active=session.running, interval_ms=FRAME_MS, acked=frame, on_beats=on_beat)

    running = session.running
    with session.lock:  # what the parts below show, read once per frame
        measures = tuple(arm.measures(force=not running) for arm in session.arms)
        chosen = session.arm.incident(selected) if selected is not None else None
        story_key = (None if chosen is None else (chosen.id, len(chosen.history or ()), chosen.stage),
                     session.follow, session.builds)
    filters = solara.use_state(CaseFilter())

    solara.Title(L.t("title", lang))
    solara.Style(CSS)
    # Each part gets only what it shows, so a frame re-renders the clock, map, funnel and
    # lists, and leaves the controls alone (reacton skips parts whose arguments are equal).
    with solara.Column(classes=["gs-page"], gap="0px"):
        with solara.Div(classes=["gs-head"]):
            Titles(session.meta, lang)
            Clock(session.now, session.paused_at, running, lang)
            Transport(session, lang, refresh, (running, session.finished, session.follow, session.speed,
                                               session.follow_ended))
            Options(lang, set_lang)
        with solara.Div(classes=["gs-main"], style={"--gs-mapw": _map_width(session)}):
            with solara.Div(classes=["gs-col-controls"]):
                Controls(session, lang, refresh, set_selected,
                         (session.builds, session.finished, session.error, session.refused_seed, session.b_path,
                          session.arm_b is None, current_day(session.now, session.model.days)))
                Measures(measures, lang)
                Series(session, lang, tuple(arm.measured_at for arm in session.arms))
            with solara.Div(classes=["gs-col-map"]):
                MapPanel(session, lang, selected, set_selected, frame)
            with solara.Div(classes=["gs-col-side"]):
                CaseFilters(session.arm.model.categories, lang, *filters)
                CaseList(session, lang, selected, set_selected, filters[0], frame)
                Story(session, lang, selected, refresh, story_key)


def _map_width(session: Session) -> str:
    """Map column width: as wide as the window's height allows for the town's shape."""
    f = session.arm.frame
    vb = [float(x) for x in f.view_box.split()]
    aspect = vb[2] / vb[3] * len(session.arms)
    return f"calc((100vh - 215px) * {aspect:.3f})"


@solara.component
def Titles(meta: Any, lang: str):
    """Show the page title and the scenario's display name."""
    with solara.Div(classes=["gs-row"]):
        solara.Text(L.t("title", lang), classes=["gs-title"])
        solara.Text(L.scenario_title(meta, lang), classes=["gs-scenario"],
                    style={"font-size": "16px", "font-weight": "600", "color": "#37474f"})


@solara.component
def Clock(now: float, paused_at: float | None, running: bool, lang: str):
    """Show the simulated clock; its data attributes let the browser tests read it."""
    text = L.clock(now, lang)
    if now > 0 and now % MINUTES_PER_DAY == 0:  # midnight: the day that just ended, as "run to day N" counts it
        text += L.t("end_of_day", lang, day=int(now // MINUTES_PER_DAY))
    solara.HTML(tag="span", unsafe_innerHTML=html.escape(text), classes=["gs-clock"],
                attributes={"data-minutes": f"{now:.0f}",
                            "data-paused-at": "" if paused_at is None else f"{paused_at:.0f}",
                            "data-running": str(running).lower()})


@solara.component
def Transport(session: Session, lang: str, refresh: Callable[[], None], shown: tuple[Any, ...]):
    """Play/Pause, Step and the speed; redrawn when one of ``shown`` changes."""
    running, finished, follow, speed, follow_ended = shown
    speed_key = next((k for k, v in SPEEDS.items() if v == speed), "1h")

    def play() -> None:
        session.play()
        refresh()

    def pause() -> None:
        session.pause()
        refresh()

    def step() -> None:
        session.step(1)
        refresh()

    def set_speed(key: str) -> None:
        session.speed = SPEEDS[key]
        if session.running and session.target is None:
            session.play()  # re-pace from now
        refresh()

    with solara.Div(classes=["gs-row"]):
        if running:
            solara.Button(L.t("pause", lang), icon_name="mdi-pause", on_click=pause, color="primary",
                          classes=["gs-pause"])
        else:
            solara.Button(L.t("play", lang), icon_name="mdi-play", on_click=play, color="primary",
                          disabled=finished, classes=["gs-play"])
        solara.Button(L.t("step", lang), icon_name="mdi-skip-next", on_click=step,
                      disabled=running or finished, classes=["gs-step"])
        with solara.ToggleButtonsSingle(value=speed_key, on_value=set_speed, dense=True, classes=["gs-speed"]):
            for k in SPEEDS:
                solara.Button(L.t(f"speed.{k}", lang), value=k, text=True)
        if finished:
            solara.Text(L.t("finished", lang), classes=["gs-finished"])
        if follow is not None:
            solara.Text(L.t("following", lang, id=follow), classes=["gs-following"],
                        style={"color": "#6a1b9a", "font-weight": "600"})
        elif follow_ended is not None:
            solara.Text(L.t("follow_ended", lang, id=follow_ended), classes=["gs-follow-ended"],
                        style={"color": "#2e7d32", "font-weight": "600"})


@solara.component
def Options(lang: str, set_lang: Callable[[str], None]):
    """Switch the page between Chinese and English."""
    with solara.ToggleButtonsSingle(value=lang, on_value=set_lang, dense=True, classes=["gs-lang"]):
        solara.Button("中文", value="zh", text=True)
        solara.Button("English", value="en", text=True)


@solara.component
def Controls(session: Session, lang: str, refresh: Callable[[], None], set_selected: Callable[[Any], None],
             shown: tuple[Any, ...]):
    """Offer run, pause, run-to-day and the policies a trainer may change (each change restarts the run)."""
    st = session.settings
    today = current_day(session.now, session.model.days)
    # the day typed, or the latest day the clock has been in once it passed the typed one (a run to day 3 leaves
    # the box at 4, not at 1); it never goes back by itself: a restart at day 0 keeps it, so the page never
    # changes the box under a trainer's (or a test's) typing
    typed, set_day_state = solara.use_state(cast(int | None, today))
    latest = solara.use_ref(today)
    latest.current = max(latest.current, today)
    day_to = typed if typed is not None and typed >= latest.current else latest.current
    day_ref = solara.use_ref(cast(int | None, day_to))  # what the button reads, whatever render it was bound in
    day_ref.current = day_to

    def set_day_to(value: int | None) -> None:
        day_ref.current = value
        set_day_state(value)

    def reset(**changes: Any) -> Callable[[], None]:
        def do() -> None:
            if session.reset(**changes):
                set_selected(None)
            refresh()
        return do

    def on_policy(field: str) -> Callable[[Any], None]:
        def do(value: Any) -> None:
            if value is None or getattr(session.settings, field) == value:
                return
            reset(**{field: value})()
        return do

    def run_to_day() -> None:
        days = session.model.days
        day = day_ref.current
        if not isinstance(day, int) or not 1 <= day <= math.ceil(days):
            session.error = L.t("day_range", lang, n=math.ceil(days), got=day)
            session.version += 1
        else:
            session.error = None
            session.play(min(day * MINUTES_PER_DAY, session.model.horizon))
        refresh()

    def to_end() -> None:
        session.play(math.inf)
        refresh()

    def pin() -> None:
        session.pin_baseline()
        set_selected(None)
        refresh()

    def drop() -> None:
        session.drop_baseline()
        refresh()

    def baseline_file(name: str | None) -> None:
        if name:
            session.baseline_file(scenario_path().parent / name)
            set_selected(None)
            refresh()

    with solara.Card(L.t("clock", lang), classes=["gs-card"]):
        with solara.Div(classes=["gs-row"]):
            solara.Button(L.t("reset", lang), icon_name="mdi-restart", on_click=reset(), classes=["gs-reset"],
                          small=True)
            solara.Button(L.t("to_end", lang), icon_name="mdi-fast-forward", on_click=to_end, small=True,
                          disabled=session.finished, classes=["gs-to-end"])
        with solara.Div(classes=["gs-row"]):
            solara.InputInt(L.t("run_to_day", lang), value=day_to, on_value=set_day_to, classes=["gs-day"],
                            style={"max-width": "130px"})
            solara.Button(L.t("run_to", lang), on_click=run_to_day, small=True, classes=["gs-run-to"],
                          disabled=session.finished)
        if session.error:
            solara.Text(L.t("refused", lang) + session.error, classes=["gs-error"])

    with solara.Card(L.t("policy", lang), classes=["gs-card"]):
        solara.Text(L.t("policy_note", lang), style={"font-size": "12px", "color": "#666"})
        solara.InputInt(L.t("seed", lang), value=st.seed, on_value=on_policy("seed"), classes=["gs-seed"],
                        continuous_update=False)
        if session.refused_seed is not None:
            solara.Text(L.t("seed_range", lang, max=f"{MAX_SEED:,}", got=session.refused_seed),
                        classes=["gs-error", "gs-seed-error"])
        solara.Text(L.t("squads", lang), classes=["gs-label"])
        solara.ToggleButtonsSingle(value=st.squads, values=list(SQUAD_CHOICES), on_value=on_policy("squads"),
                                   dense=True, classes=["gs-squads"])
        solara.Text(L.t("dispatch_rule", lang), classes=["gs-label"])
        with solara.ToggleButtonsSingle(value=st.dispatch_rule, on_value=on_policy("dispatch_rule"), dense=True,
                                        classes=["gs-rule"]):
            for name in DISPATCH_RULES:
                solara.Button(dispatch_rule(name, lang), value=name, text=True)
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(session.scenario.command_centre.dispatch_rule.explain(lang)),
                    style=NOTE, classes=["gs-rule-explain"])
        solara.Text(L.t("sev_village", lang), classes=["gs-label"])
        solara.ToggleButtonsSingle(value=st.severity_to_village, values=list(SEVERITY_CHOICES),
                                   on_value=on_policy("severity_to_village"), dense=True, classes=["gs-severity"])
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(session.scenario.escalation.explain(lang)),
                    style=NOTE, classes=["gs-escalation-explain"])
        solara.Text(L.t("households", lang), classes=["gs-label"])
        presets = sorted(set(HOUSEHOLD_PRESETS) | {st.households_per_grid})
        solara.ToggleButtonsSingle(value=st.households_per_grid, values=presets,
                                   on_value=on_policy("households_per_grid"), dense=True, classes=["gs-households"])

    with solara.Card(L.t("ab", lang), classes=["gs-card"]):
        solara.Text(L.t("ab_note", lang), style={"font-size": "12px", "color": "#666"})
        with solara.Div(classes=["gs-row"]):
            solara.Button(L.t("pin", lang), icon_name="mdi-pin", on_click=pin, small=True, classes=["gs-pin"])
            if session.arm_b is not None:
                solara.Button(L.t("drop_b", lang), on_click=drop, small=True, text=True, classes=["gs-drop-b"])
        files = sorted(p.name for p in scenario_path().parent.glob("*.toml"))
        current_b = session.b_path.name if session.b_path is not None and session.b_path.name in files else None
        solara.Select(L.t("baseline_file", lang), values=files, value=current_b, on_value=baseline_file,
                      classes=["gs-b-file"])


@solara.component
def MapPanel(session: Session, lang: str, selected: int | None, set_selected: Callable[[Any], None], frame: int):
    """Draw the map of run A (and of run B beside it in A/B mode) with the live cases and crews."""
    arms = session.arms
    arm_b = session.arm_b or session.arm
    statics = [solara.use_memo(lambda: static_map_svg(session.arm.model, lang), [id(session.arm.model), lang]),
               solara.use_memo(lambda: static_map_svg(arm_b.model, lang), [id(arm_b.model), lang])]

    def clicked(value: str) -> None:
        if value:
            set_selected(int(value.split(":")[0]))

    with session.lock:
        views = [(arm.overlay(selected), arm.frame.view_box) for arm in arms]
        funnels = [arm.funnel() for arm in arms]
    drawn = [sum(1 for d in ov["dots"] if d[3] == 0) for ov, _ in views]  # unnoticed cases on the map
    Funnel(funnels, lang, drawn)
    with solara.Div(classes=["gs-maps"]):
        for k, ((ov, vb), static) in enumerate(zip(views, statics, strict=False)):
            with solara.Div(classes=["gs-map", f"gs-map-{'ab'[k]}"]):
                if len(arms) > 1:
                    solara.Text(L.t("run_a" if k == 0 else "run_b", lang), classes=["gs-ab-tag"])
                TownMap.element(static_svg=static, view_box=vb, dots=ov["dots"], crews=ov["crews"],
                                selected=selected if selected is not None else -1, on_clicked=clicked)
    solara.HTML(tag="div", unsafe_innerHTML=_legend(lang, session.arm.model.town.roads is not None), classes=["gs-legend"])


def current_day(now: float, days: float) -> int:
    """Give the day the clock is in (1 = the first), at most the run's last: what "run to day N" offers first."""
    return max(1, min(int(now // MINUTES_PER_DAY) + 1, math.ceil(days)))


@solara.component
def Funnel(funnels: list[tuple[list[int], list[int]]], lang: str, drawn: list[int]):
    """发生 → 发现/上报 → 派遣 → 到场 → 办结 → 核查 → 结案: cases now at each stage / so far.

    ``drawn``: how many of the cases at 发生 each map draws (the old unnoticed ones are not).
    """
    hours = f"{UNNOTICED_SHOWN_MIN / 60:g}"
    for k, (now, reached) in enumerate(funnels):
        boxes = []
        for key, stage, n_now, n_all in _funnel_rows(now, reached):
            colour = STAGE_COLOURS[stage]
            why = ""
            if key in ("occurred", "resolved", "closed"):
                why = f' title="{html.escape(L.t(f"funnel_now_{key}", lang, n=drawn[k], h=hours))}"'
            boxes.append(f'<div style="background:{colour}" data-stage="{key}"{why}><span>{html.escape(L.funnel(key, lang))}'
                         f'</span><b class="gs-now">{n_now:,}</b><span class="gs-all">{n_all:,}</span></div>')
        tag = f'<div class="dim" style="flex:0 0 auto">{"AB"[k]}<br>{html.escape(L.t("funnel_now", lang))}<br>' \
              f'{html.escape(L.t("funnel_total", lang))}</div>'
        solara.HTML(tag="div", unsafe_innerHTML=tag + "".join(boxes), classes=["gs-funnel"])


def _funnel_rows(now: list[int], reached: list[int]) -> list[tuple[str, Stage, int, int]]:
    """Count the seven boxes of the closed-loop funnel: now in each stage, and reached so far.

    A verified case is one that closed, so 核查 shows the cases being verified now (resolved,
    not closed) and the verified so far. None waits at 办结 (a resolved case is at once being
    verified) or at 结案 (a closed case has left the loop): their "now" is 0, shown as 0.
    """
    i = {s: k for k, s in enumerate(STAGES)}
    return [
        ("occurred", Stage.OCCURRED, now[i[Stage.OCCURRED]], reached[i[Stage.OCCURRED]]),
        ("reported", Stage.REPORTED, now[i[Stage.REPORTED]], reached[i[Stage.REPORTED]]),
        ("dispatched", Stage.DISPATCHED, now[i[Stage.DISPATCHED]], reached[i[Stage.DISPATCHED]]),
        ("arrived", Stage.ARRIVED, now[i[Stage.ARRIVED]], reached[i[Stage.ARRIVED]]),
        ("resolved", Stage.RESOLVED, 0, reached[i[Stage.RESOLVED]]),
        ("verify", Stage.RESOLVED, now[i[Stage.RESOLVED]], reached[i[Stage.CLOSED]]),
        ("closed", Stage.CLOSED, now[i[Stage.CLOSED]], reached[i[Stage.CLOSED]]),
    ]


def _legend(lang: str, roads: bool = False) -> str:
    parts = [f'<span><i class="gs-swatch" style="background:{STAGE_COLOURS[s]}"></i>{html.escape(L.map_stage(s, lang))}</span>'
             for s in STAGES]
    parts.append(f'<span><i class="gs-swatch" style="background:white;border:3px solid {OVERDUE_COLOUR}"></i>'
                 f'{html.escape(L.t("overdue", lang))}</span>')
    parts.append(f'<span>{html.escape(L.t("legend_tier", lang))}</span>')
    parts.append(f'<span>{html.escape(L.t("legend_esc", lang))}</span>')
    parts.append(f'<span>{html.escape(L.t("legend_unnoticed", lang, h=f"{UNNOTICED_SHOWN_MIN / 60:g}"))}</span>')
    parts.append(f'<span>■ {html.escape(L.t("base", lang))} ▲ {html.escape(L.t("crew", lang))} '
                 f'{html.escape(L.t("crew_on_roads" if roads else "crew_on_way", lang))}</span>')
    if roads:
        parts.append(f'<span>{html.escape(L.t("roads", lang))}</span>')
    parts.append(f'<span>{html.escape(L.t("legend_zone", lang))}</span>')
    return "".join(parts)


@solara.component
def Measures(ms: tuple[dict[str, Any], ...], lang: str):
    """Show the live measures (and, in A/B mode, B and the difference A − B)."""
    with solara.Card(L.t("measures", lang), classes=["gs-card"]):
        # data-minutes: the clock the measures were taken at (the browser tests wait on it)
        solara.HTML(tag="table", unsafe_innerHTML=_measures_rows(list(ms), lang), classes=["gs-measures"],
                    attributes={"data-minutes": f"{ms[0].get('now_min', 0):.0f}" if ms else ""})


_MEASURE_ROWS: tuple[tuple[str, str], ...] = (
    ("share_within_15min", "pct"), ("response_p50_min", "min"), ("response_mean_min", "min"),
    ("backlog", ""), ("closed", ""), ("alarms", ""), ("crews_busy", ""), ("queued_for_squad", ""),
)


def _measures_rows(ms: list[dict[str, Any]], lang: str) -> str:
    """One column per run; with two runs a third column with the difference A − B."""
    counts_note = html.escape(L.t("ab_counts_note", lang))

    def row(key: str, label: str, vals: list[Any], kind: str) -> str:
        cells = "".join(f'<td class="v">{_fmt(v, kind)}</td>' for v in vals)
        why = ""
        if len(vals) == 2:
            a, b = vals
            cells += f'<td class="v gs-diff">{_diff(a, b, kind, lang)}</td>'
            if key in ("backlog", "closed"):
                why = f' title="{counts_note}"'
        return f'<tr data-key="{key}"{why}><td>{html.escape(label)}</td>{cells}</tr>'

    head = ""
    if len(ms) == 2:
        head = (f'<tr><th>{html.escape(L.t("measure", lang))}</th><th class="v">A</th><th class="v">B</th>'
                f'<th class="v">{html.escape(L.t("diff", lang))}</th></tr>')
    out = [head]
    for key, kind in _MEASURE_ROWS:
        out.append(row(key, L.t(key, lang), [m.get(key, math.nan) for m in ms], kind))
    out.append(f'<tr><td colspan="4"><b>{html.escape(L.t("tier_share", lang))}</b></td></tr>')
    for tier in Tier:
        out.append(row(f"tier.{tier.key}", "\u2003" + label(tier, lang),
                       [m.get("tier_share", {}).get(tier.key, math.nan) for m in ms], "pct"))
    out.append(f'<tr><td colspan="4"><b>{html.escape(L.t("workload_gini", lang))}</b></td></tr>')
    for role in (GridRole.WORKER, StaffRole.SQUAD_CREW):
        out.append(row(f"gini.{role}", "\u2003" + staff_role(role, lang),
                       [m.get("workload_gini", {}).get(role, math.nan) for m in ms], "gini"))
    if len(ms) == 2:
        out.append(f'<tr class="gs-ab-counts"><td colspan="4" class="gs-note">{counts_note}</td></tr>')
    return "".join(out)


def _diff(a: Any, b: Any, kind: str, lang: str) -> str:
    """Format A − B with its sign; shares as percentage points, worded in ``lang`` (as the reports word them)."""
    from sim.report.catalogue import POINTS

    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or math.isnan(a) or math.isnan(b):
        return "–"
    d = a - b
    if kind == "pct":
        return f"{100 * d:+.0f}{POINTS[lang]}"
    if kind == "gini":
        return f"{d:+.2f}"
    return f"{d:+,}" if isinstance(d, int) else f"{d:+.1f}"


@solara.component
def Series(session: Session, lang: str, measured_at: tuple[float, ...]):
    """Backlog and busy crews against days; redrawn with the measures (twice a second at most)."""
    with session.lock:
        data = [(arm.series("backlog"), arm.series("crews_busy")) for arm in session.arms]
    colours = ("#6a1b9a", "#00838f")
    with solara.Card(L.t("series", lang), classes=["gs-card"]):
        for col, (label, axis) in enumerate((("backlog", "axis_cases"), ("crews_busy", "axis_crews"))):
            for k, d in enumerate(data):
                xs, ys = d[col]
                title = L.t(label, lang) + (f" · {'AB'[k]}" if len(data) > 1 else "")
                solara.HTML(tag="div", unsafe_innerHTML=series_svg(xs, ys, colours[k], L.t("axis_day", lang),
                                                                 L.t(axis, lang), title=title),
                            classes=["gs-series", f"gs-series-{label}"])


def _checkbox(cls: str, **kwargs: Any) -> None:
    with solara.Div(classes=[cls], style={"display": "inline-block"}):
        solara.Checkbox(**kwargs)


# ---- the case list and the story -----------------------------------------------------------
@dataclass(frozen=True)
class CaseFilter:
    """What the case list shows, so a trainer can pick cases to talk about.

    Escalated, overdue or open cases, one tier, one category; ``frozen`` holds the ids listed
    when the trainer froze the list to read.
    """

    escalated: bool = False
    overdue: bool = False
    open: bool = False
    tier: str = ""
    category: str = ""
    frozen: tuple[int, ...] | None = None


@solara.component
def CaseFilters(categories: list[Any], lang: str, f: CaseFilter, set_f: Callable[[CaseFilter], None]):
    """Offer the case list's filters and the switch that freezes the list while it is read."""
    def on(field: str) -> Callable[[Any], None]:
        return lambda value: set_f(replace(f, **{field: value}))

    def freeze(on: bool) -> None:
        set_f(replace(f, frozen=() if on else None))  # CaseList keeps the ids shown at this moment

    with solara.Card(L.t("incidents", lang), classes=["gs-card", "gs-filters"]):
        with solara.Div(classes=["gs-row"]):
            _checkbox("gs-f-esc", label=L.t("f_escalated", lang), value=f.escalated, on_value=on("escalated"))
            _checkbox("gs-f-overdue", label=L.t("f_overdue", lang), value=f.overdue, on_value=on("overdue"))
            _checkbox("gs-f-open", label=L.t("f_open", lang), value=f.open, on_value=on("open"))
            _checkbox("gs-freeze", label=L.t("freeze", lang), value=f.frozen is not None, on_value=freeze)
        with solara.Div(classes=["gs-row"]):
            with solara.ToggleButtonsSingle(value=f.tier, on_value=on("tier"), dense=True, classes=["gs-f-tier"]):
                solara.Button(L.t("all_tiers", lang), value="", text=True)
                for tier in Tier:
                    solara.Button(label(tier, lang), value=tier.key, text=True)
            names = {c.name: category(c, lang) for c in categories}
            solara.Select(L.t("filter", lang), values=[L.t("all_categories", lang), *names.values()],
                          value=names.get(f.category, L.t("all_categories", lang)),
                          on_value=lambda v: set_f(replace(f, category=next((k for k, n in names.items() if n == v), ""))),
                          classes=["gs-f-cat"], style={"max-width": "220px"}, dense=True)


@solara.component
def CaseList(session: Session, lang: str, selected: int | None, set_selected: Callable[[Any], None],
             f: CaseFilter, frame: int):
    """List the cases the filter selects; choosing one shows its story."""
    arm = session.arm
    cats = arm.model.categories
    frozen_ids = solara.use_ref(cast(tuple[int, ...] | None, None))  # the ids on screen when the trainer froze the list
    if f.frozen is None:
        frozen_ids.current = None
    with session.lock:
        if frozen_ids.current is not None:
            pool = [arm.cases[i] for i in frozen_ids.current if i in arm.cases]
        else:
            pool = list(reversed(arm.cases.values()))
        rows: list[tuple[int, Any, Stage, bool, int, str]] = []
        total = 0
        for inc in pool:
            if f.escalated and inc.escalations == 0:
                continue
            if f.overdue and inc.alarms == 0:
                continue
            if f.open and not math.isnan(inc.closed_at):
                continue
            held = arm.tier_now(inc)
            tier = "" if held == NO_TIER else Tier(held).key  # unnoticed: no tier yet
            if f.tier and tier != f.tier:
                continue
            if f.category and cats[inc.category].name != f.category:
                continue
            total += 1
            if len(rows) < LIST_MAX:
                rows.append((inc.id, cats[inc.category], inc.stage, inc.alarms > 0, inc.escalations, tier))
    if f.frozen is not None and frozen_ids.current is None:
        frozen_ids.current = tuple(r[0] for r in rows)

    def clicked(value: str) -> None:
        if value:
            set_selected(int(value.split(":")[0]))

    items = []
    for iid, cat, stg, late, esc, tr in rows:
        text = f"#{iid} {category(cat, lang)} · {L.map_stage(stg, lang)}" + (f" · {label(Tier[tr.upper()], lang)}" if tr else "")
        if esc:
            text += f" · ↑{esc}"
        if late:
            text += f" · {L.t('overdue', lang)}"
        items.append([iid, text, STAGE_COLOURS[stg]])
    with solara.Card(classes=["gs-card"]):
        solara.Text(L.t("n_shown", lang, n=total, k=len(rows)) + (" · " + L.t("frozen", lang) if f.frozen is not None else ""),
                    style={"font-size": "12px", "color": "#666"}, classes=["gs-list-count"])
        CaseRows.element(rows=items, selected=selected if selected is not None else -1, on_clicked=clicked)


@solara.component
def Story(session: Session, lang: str, selected: int | None, refresh: Callable[[], None], shown: tuple[Any, ...]):
    """Show the chosen case's story; redrawn when it gains a stage (``shown``), not every frame."""
    arm: Arm = session.arm
    with session.lock:
        chosen = arm.incident(selected) if selected is not None else None
        entries = list(chosen.history or []) if chosen is not None else []
        note = start_note(arm.model, chosen) if chosen is not None else None
        cat = arm.model.categories[chosen.category] if chosen is not None else None
        is_open = chosen is not None and math.isnan(chosen.closed_at)

    def follow() -> None:
        session.follow = None if session.follow == selected else selected
        session.follow_ended = None
        if session.running and session.target is None:
            session.play()
        refresh()

    with solara.Card(L.t("story", lang), classes=["gs-card"]):
        if chosen is None or cat is None:
            solara.Text(L.t("choose_incident", lang))
            return
        head = f"#{chosen.id} {category(cat, lang)}"
        if note is not None:
            head += " · " + L.t("start_tier", lang, sev=note.severity, thr=note.threshold, tier=label(note.tier, lang))
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(head), style={"font-weight": "600"},
                    classes=["gs-story-head"], attributes={"data-id": str(chosen.id)})
        if is_open or session.follow == chosen.id:
            solara.Button(L.t("unfollow", lang) if session.follow == chosen.id else L.t("follow", lang),
                          icon_name="mdi-eye", small=True, on_click=follow, classes=["gs-follow"])
        with solara.Div(classes=["gs-story-box"]):
            solara.HTML(tag="table", unsafe_innerHTML=_story_rows(entries, lang, arm.model.categories),
                        classes=["gs-story"])


def _story_rows(entries: list[StoryEntry], lang: str, categories: Sequence[Named]) -> str:
    """Render each stage of a story as a table row, from the codes by sim.labels.

    When, how long after the case began, what, who acted, and why (with the limit involved).
    """
    head = "".join(f"<th>{html.escape(L.t(k, lang))}</th>" for k in ("time", "elapsed", "stage", "who", "why"))
    out = [f"<tr>{head}</tr>"]
    start = entries[0].time if entries else 0.0
    for e, limit in zip(entries, stage_limits(entries, categories), strict=True):
        words = render_story(e, lang, categories)
        style = f' style="color:{OVERDUE_COLOUR}"' if e.stage in (Stage.ALARM, Stage.ESCALATED) else ""
        why = html.escape(words.why)
        over = ""
        if limit is not None:
            kind, took, lim = limit
            over = f' data-over="{int(took > lim)}"'
            said = html.escape(L.against_limit(kind, took, lim, lang))
            said = f'<b style="color:{OVERDUE_COLOUR}">{said}</b>' if took > lim else said
            why = f"{why} · {said}" if why else said
        out.append(
            f'<tr{style} data-stage="{e.stage.key}" data-reason="{e.reason.key}"{over}>'
            f"<td>{html.escape(L.clock(e.time, lang))}</td><td>{html.escape(L.elapsed(e.time - start, lang))}</td>"
            f"<td>{html.escape(words.stage)}</td><td>{html.escape(words.who)}</td><td>{why}</td></tr>"
        )
    return "".join(out)


def stage_limits(entries: list[StoryEntry], categories: Sequence[Any]) -> list[tuple[str, float, float] | None]:
    """Pair each stage a limit applies to with (which limit, minutes taken, limit).

    Arriving on scene counts against the category's response limit, closing against its
    closure limit, both from the report (as the alarms and the on-time measures count them).
    """
    cat_i = next((e.values.get("category") for e in entries if e.stage == Stage.OCCURRED), None)
    reported = next((e.time for e in entries if e.stage == Stage.REPORTED), None)
    out: list[tuple[str, float, float] | None] = [None] * len(entries)
    if cat_i is None or reported is None or not categories:
        return out
    cat = categories[int(cat_i)]
    first_arrival = True
    for k, e in enumerate(entries):
        if e.stage == Stage.ARRIVED and first_arrival:  # the response: the first on scene
            out[k] = ("respond", e.time - reported, float(cat.respond_limit_min))
            first_arrival = False
        elif e.stage == Stage.CLOSED:
            out[k] = ("close", e.time - reported, float(cat.close_limit_min))
    return out
