"""The dashboard without a browser: the session and its runner, what a frame shows, labels,
the Solara page rendered to widgets, and the command's signal handling."""

from __future__ import annotations

import gc
import html
import math
import re
import signal
import subprocess
import sys
import time
import weakref
from pathlib import Path

import pytest
import shapely

solara = pytest.importorskip("solara", reason="solara is not installed (pip install 'gridsim[dashboard]')")
v = pytest.importorskip("ipyvuetify")

import solara.widgets  # noqa: E402, F811  (the submodule, after the skip check)
from typer.testing import CliRunner  # noqa: E402

from sim.config import load_scenario  # noqa: E402
from sim.dashboard import labels as L  # noqa: E402
from sim.dashboard.app import Dashboard, Page, _story_rows, stage_limits  # noqa: E402
from sim.dashboard.drawing import MARGIN, NO_TIER, STAGES, UNIT, series_svg, static_map_svg  # noqa: E402
from sim.dashboard.sessions import Registry  # noqa: E402
from sim.dashboard.views import (  # noqa: E402
    DASHBOARD_TICK_MIN,
    FADE_MIN,
    Session,
    Settings,
    live_measures,
    start_note,
)
from sim.dashboard.widgets import CaseRows, FrameTimer, TownMap  # noqa: E402
from sim.geo.places import Outline  # noqa: E402
from sim.labels import render_story  # noqa: E402
from sim.policies import DISPATCH_RULES  # noqa: E402
from sim.vocabulary import Reason, Stage, Tier  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "xuxiake_1plus4.toml"
SMALL = SCENARIO.with_name("small_rural_town.toml")
GIS_SCENARIO = SCENARIO.with_name("xuxiake_gis.toml")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def played() -> Session:
    """A session run for a simulated day (shared by the read-only checks)."""
    s = Session(SCENARIO)
    s.step(144)
    return s


# ---- the session ---------------------------------------------------------------------------
def test_session_takes_the_scenario_policies_and_a_small_tick():
    s = Session(SCENARIO)
    assert s.language == "zh"
    assert s.settings == Settings(seed=1, squads=3, dispatch_rule="home_zone_first",
                                  severity_to_village=4, households_per_grid=480)
    assert s.model.tick == DASHBOARD_TICK_MIN and s.now == 0
    assert s.step(3) == 30


def test_reset_applies_each_policy_and_refuses_bad_values():
    s = Session(SCENARIO)
    s.step(6)
    grids = len(s.model.town.grids)
    assert s.reset(squads=4) and len(s.model.squads) == 4 and s.now == 0
    s.reset(households_per_grid=300)
    assert len(s.model.town.grids) > grids
    s.reset(dispatch_rule="nearest_idle")
    assert isinstance(s.model.centre.rule, DISPATCH_RULES["nearest_idle"])
    s.reset(severity_to_village=2)
    assert s.model.config.escalation.severity_to_village == 2
    s.reset(seed=7)
    assert s.model.seed_value == 7
    assert s.settings.squads == 4 and s.settings.households_per_grid == 300  # changes accumulate
    s.step(3)
    for bad in ({"seed": -5}, {"seed": 2.5}, {"seed": 2**32}, {"households_per_grid": 0}):
        assert not s.reset(**bad)
        if "seed" in bad:  # said by the seed box, in the page's language, not as the scenario's error
            assert s.refused_seed == bad["seed"] and s.error is None
        else:
            assert s.error and "households_per_grid" in s.error, s.error
        assert s.now == 30 and s.model.seed_value == 7  # the run is left as it was
    assert s.reset(seed=8) and s.error is None and s.refused_seed is None


def test_pause_stops_the_runner_within_one_tick():
    s = Session(SCENARIO)
    s.speed = 1440.0
    s.play()
    deadline = time.monotonic() + 20
    while s.now < 120 and time.monotonic() < deadline:
        time.sleep(0.02)
    s.pause()
    stopped = s.now
    assert s.paused_at is not None and stopped - s.paused_at <= DASHBOARD_TICK_MIN
    assert not s.running
    time.sleep(0.3)
    assert s.now == stopped
    s.play(2 * DASHBOARD_TICK_MIN + stopped)  # "run to": stops there by itself
    deadline = time.monotonic() + 20
    while s.running and time.monotonic() < deadline:
        time.sleep(0.02)
    assert s.now == stopped + 2 * DASHBOARD_TICK_MIN and s.paused_at == s.now


def test_follow_slows_time_while_the_case_is_open(played):
    s = played
    s.speed = 1440.0
    iid = next(iter(s.model.centre.live))
    s.follow = iid
    assert s.effective_speed() == 10.0
    s.follow = -1  # not an open case
    assert s.effective_speed() == 1440.0
    s.follow = None


def test_ab_runs_lockstep_on_the_same_incidents_and_differs():
    s = Session(SCENARIO)
    s.step(3)
    s.pin_baseline()  # the current policy is B; both restart
    assert s.arm_b is not None and s.now == 0 and s.arm_b.now == 0
    assert s.reset(squads=1)
    assert len(s.arm.model.squads) == 1 and len(s.arm_b.model.squads) == 3
    s.step(144)
    a, b = s.arm, s.arm_b
    assert a.now == b.now == 1440
    ia = sorted(a.cases)[:50]
    assert ia == sorted(b.cases)[:50]
    for iid in ia:  # common random numbers: the same incidents in both runs
        x, y = a.cases[iid], b.cases[iid]
        assert (x.occurred_at, x.category, x.x, x.y) == (y.occurred_at, y.category, y.x, y.y)
    ma, mb = a.measures(force=True), b.measures(force=True)
    assert ma["incidents"] == mb["incidents"]
    assert ma["response_mean_min"] != mb["response_mean_min"]  # one squad instead of three
    s.drop_baseline()
    assert s.arm_b is None and s.arms == [s.arm]


def test_ab_counts_of_cases_agree_by_the_model_not_by_a_shared_run_and_the_table_says_why():
    """1 squad against 3 (seed 1): the squads change when a case is reached, not how many are open or closed.

    A new user read 待办积压 86 | 86 and 已结案 1,581 | 1,581 beside 55% | 93% within 15 minutes and
    took B's counts for A's. They are each run's own: they differ on day 3 and agree again by day 6,
    once the single squad has cleared its queue; the table says so in A/B mode.
    """
    from sim.dashboard.app import _measures_rows

    s = Session(SCENARIO)
    s.pin_baseline()
    assert s.reset(squads=1)
    a, b = s.arm, s.arm_b
    assert b is not None and a.model is not b.model and a.model.centre is not b.model.centre
    s.step(3 * 144)  # end of day 3: the single squad's queue has not been cleared yet
    ma, mb = a.measures(force=True), b.measures(force=True)
    assert (ma["backlog"], ma["closed"]) == (67, 732) and (mb["backlog"], mb["closed"]) == (45, 754)
    s.step(3 * 144)  # end of day 6: the same cases are open and closed in both runs
    ma, mb = a.measures(force=True), b.measures(force=True)
    assert (ma["backlog"], ma["closed"]) == (mb["backlog"], mb["closed"]) == (82, 1581)
    assert ma["alarms"] > 3 * mb["alarms"] and ma["share_within_15min"] < mb["share_within_15min"] - 0.3
    for lang in ("zh", "en"):
        table = _measures_rows([ma, mb], lang)
        note = html.escape(L.t("ab_counts_note", lang))
        assert table.count(f'title="{note}"') == 2 and f'class="gs-note">{note}</td>' in table
        assert "gs-note" not in _measures_rows([ma], lang)  # one run: nothing to compare


def test_baseline_from_another_file_and_a_refused_file(tmp_path):
    s = Session(SCENARIO)
    assert s.baseline_file(SCENARIO.parent / "xuxiake_pre_reform.toml")
    assert s.arm_b is not None and s.arm_b.settings.seed == s.settings.seed
    bad = tmp_path / "bad.toml"
    bad.write_text("[run]\nseed = -1\n")
    assert not s.baseline_file(bad) and s.error and "bad.toml" in s.error


# ---- what a frame shows --------------------------------------------------------------------
def test_live_measures_tracked_incrementally_match_the_log(played):
    m = played.arm.measures(force=True)
    ref = live_measures(played.model)  # from the record log
    for k in ("incidents", "share_within_15min", "response_p50_min", "backlog", "closed", "alarms"):
        assert m[k] == ref[k] or (math.isnan(m[k]) and math.isnan(ref[k])), k
    assert m["incidents"] > 50 and 0 <= m["share_within_15min"] <= 1
    shares = [x for x in m["tier_share"].values() if not math.isnan(x)]
    assert shares and abs(sum(shares) - 1) < 1e-9


def test_overlay_funnel_and_fading(played):
    arm = played.arm
    ov = arm.overlay()
    live = arm.model.centre.live.values()
    now = arm.now
    shown_open = {d[0] for d in ov["dots"] if d[3] < STAGES.index(Stage.CLOSED)}
    for inc in live:  # every noticed open case is on the map
        if not math.isnan(inc.reported_at):
            assert inc.id in shown_open
    closed = [d for d in ov["dots"] if d[3] == STAGES.index(Stage.CLOSED)]
    assert closed and all(0.15 <= d[7] <= 1 for d in closed)
    for d in closed:  # fading with age
        assert now - arm.cases[d[0]].closed_at <= FADE_MIN
    assert len(ov["crews"]) == sum(len(s.crews) for s in arm.model.squads)
    now_counts, reached = arm.funnel()
    assert sum(now_counts) == len(live)
    assert reached[0] == arm.model._next_id  # every case occurred
    assert reached[-1] == arm.model.centre.closed
    assert reached[1] >= reached[3] >= reached[4] >= reached[5]
    # a case nobody has noticed has no tier (the map's ring), every other one the tier that holds it
    for d in ov["dots"]:
        inc = arm.cases[d[0]]
        assert (d[4] == NO_TIER) == (inc.stage == Stage.OCCURRED), (inc.id, inc.stage, d[4])
        assert d[4] == NO_TIER or 0 <= d[4] <= int(Tier.COUNTY)
    assert any(d[4] == NO_TIER for d in ov["dots"]) and any(d[4] >= 0 for d in ov["dots"])


def test_the_map_legend_names_the_ring_of_a_case_nobody_has_noticed():
    from sim.dashboard.app import _legend

    assert "○ 尚未发现（无层级）" in _legend("zh") and "○ not noticed yet (no tier)" in _legend("en")


def test_story_tells_stages_in_order_with_who(played):
    stories = [i.history or [] for i in played.arm.cases.values()]
    done = [s for s in stories if any(e.stage == Stage.CLOSED for e in s)]
    assert done, "some incident closed within a day"
    for s in done:
        times = [e.time for e in s]
        assert times == sorted(times)
        assert s[0].stage == Stage.OCCURRED
        assert all(e.actor is not None for e in s if e.stage in (Stage.ARRIVED, Stage.DISPATCHED))
    escalated = [e for s in stories for e in s if e.stage == Stage.ESCALATED]
    assert escalated, "some case went up a tier within a day"
    for e in escalated:  # says from where to where, and why, in words made from the codes
        assert e.reason in (Reason.NOT_RESOLVED, Reason.TIME_LIMIT_USED, Reason.NOBODY_FOR_DOMAIN, Reason.REFERRED)
        zh, en = render_story(e, "zh").why, render_story(e, "en").why
        assert " → " in zh and not re.search("[A-Za-z]{3,}", zh), zh
        assert " → " in en and not CJK.search(en), en


def test_every_stage_with_a_limit_says_the_time_against_it(played):
    """Arriving is measured against the response limit, closing against the closure limit,
    both from the report, on every case, not only when an alarm or escalation names them."""
    cats = played.model.categories
    arrived_over = closed_rows = 0
    for inc in played.arm.cases.values():
        entries = list(inc.history or [])
        if not any(e.stage == Stage.REPORTED for e in entries):
            continue
        zh, en = _story_rows(entries, "zh", cats), _story_rows(entries, "en", cats)
        rows = re.findall(r'<tr[^>]*data-stage="(\w+)"[^>]*?(?: data-over="(\d)")?>(.*?)</tr>', zh)
        limits = stage_limits(entries, cats)
        cat = cats[inc.category]
        for (stage, over, _), lim, e in zip(rows, limits, entries, strict=True):
            assert stage == e.stage.key
            if e.stage == Stage.ARRIVED and e is next(x for x in entries if x.stage == Stage.ARRIVED):
                assert lim == ("respond", pytest.approx(inc.arrived_at - inc.reported_at), cat.respond_limit_min)
                assert over == str(int(inc.arrived_at - inc.reported_at > cat.respond_limit_min))
                arrived_over += over == "1"
            elif e.stage == Stage.CLOSED:
                assert lim == ("close", pytest.approx(inc.closed_at - inc.reported_at), cat.close_limit_min)
                closed_rows += 1
            else:
                assert lim is None and over == ""
        if any(lim is not None and lim[1] > lim[2] for lim in limits):
            assert "超出" in zh and " over" in en and not CJK.search(re.sub(r"<[^>]+>", "", en))
    assert arrived_over >= 3 and closed_rows >= 20, (arrived_over, closed_rows)
    # the words, both ways
    assert L.against_limit("respond", 23, 15, "zh") == "超过到场时限 15分：用时 23分，超出 8分"
    assert L.against_limit("close", 90, 240, "en") == "took 1 h 30 min, within the closure limit of 4 h 00 min"
    assert L.against_limit("close", 5 * 1440 + 120, 3 * 1440, "en").endswith("2 d 2 h over")


def test_start_note_explains_a_severity_escalation():
    s = Session(SCENARIO, Settings(seed=1, squads=3, dispatch_rule="home_zone_first",
                                   severity_to_village=2, households_per_grid=480))
    s.step(144)
    notes = [start_note(s.model, i) for i in s.arm.cases.values()]
    assert any(n is not None and n.threshold == 2 and n.tier == Tier.VILLAGE for n in notes)


def test_static_map_and_series_are_labelled(played):
    zh = static_map_svg(played.model, "zh")
    en = static_map_svg(played.model, "en")
    assert zh.count('class="gs-village-name"') == len(played.model.town.villages)
    assert "公里" in zh and 'class="gs-scale"' in en and not CJK.search(en)
    for sq in played.model.squads:
        assert f">{sq.squad_id}<" in zh
    xs, ys = played.arm.series("backlog")
    svg = series_svg(xs, ys, "#000", "simulated day", "cases", title="Backlog")
    assert "simulated day" in svg and "cases" in svg and svg.count(",") <= 2 * 250


def _km(arm, sx: float, sy: float) -> tuple[float, float]:
    f = arm.frame
    return sx / UNIT + f.x0 - MARGIN, f.y1 + MARGIN - sy / UNIT


def test_real_town_map_shows_its_polygons_and_roads_and_crews_move_along_them():
    s = Session(GIS_SCENARIO)
    town = s.model.town
    zh = static_map_svg(s.model, "zh")
    assert zh.count('class="gs-roads ') >= 1 and zh.count('class="gs-village-name"') == len(town.villages)
    # real outlines, not rectangles: the village paths carry the polygons' vertices
    outlines = [v.box.geometry for v in town.villages if isinstance(v.box, Outline)]
    assert len(outlines) == len(town.villages)
    vertices = sum(len(list(g.exterior.coords)) - 1 for g in outlines if g.geom_type == "Polygon")
    assert vertices > 4 * len(town.villages)
    roads = shapely.MultiLineString(list(town.roads.lines))
    on_road = moving = 0
    for _ in range(6 * 30):  # thirty hours, one tick at a time
        s.step(1)
        for crew, row in zip([c for sq in s.model.squads for c in sq.crews], s.arm.overlay()["crews"], strict=True):
            if crew.leg is None and crew.homing is None:
                continue
            moving += 1
            x, y = _km(s.arm, row[0], row[1])
            trip = s.arm.trips.trip(crew)
            # the drawn trip lasts as long as the model's: to the job (overhead included), or home
            minutes = (crew.leg[1] if crew.leg is not None
                       else s.model.centre.travel_minutes(crew.homing[1], crew.squad.base))  # type: ignore[index]
            assert trip is not None and trip.t[-1] == pytest.approx(minutes, rel=1e-9)
            if row[7]:  # on the road part of the trip: on a road line (SVG rounds to 1 m)
                on_road += 1
                assert roads.distance(shapely.Point(x, y)) < 0.0015, (x, y)
            assert str(row[6]).startswith(f"{row[0]},{row[1]}")  # the dashed path ahead starts at the crew
    assert moving >= 20 and on_road >= 10, (moving, on_road)


def test_labels_cover_both_languages_and_english_has_no_chinese():
    assert L.t("step", "zh") == "单步" and L.t("step", "en") == "Step"
    assert L.clock(1440 + 90, "zh") == "第2天 01:30"
    assert L.clock(0, "en") == "Day 1 00:00"
    for key, (zh, en) in L._LABELS.items():
        assert zh and en, key
        assert not CJK.search(en), key
    assert not CJK.search(L.scenario_title(Session(SCENARIO).meta, "en"))
    for path in sorted(SCENARIO.parent.glob("*.toml")):  # a Chinese page never shows an English title
        meta = load_scenario(path).meta
        assert CJK.search(L.scenario_title(meta, "zh")) or L.scenario_title(meta, "zh") == meta.name.replace("_", " ")
    assert CJK.search(L.scenario_title(load_scenario(GIS_SCENARIO).meta, "zh"))
    for stage in STAGES:  # every stage a case on the map can be at has words in both languages
        assert CJK.search(L.map_stage(stage, "zh")) and not CJK.search(L.map_stage(stage, "en"))
    assert L.elapsed(125, "zh") == "+2小时05分" and L.elapsed(42, "en") == "+42 min"


# ---- who owns which run ------------------------------------------------------------------------
def test_registry_keeps_a_run_across_reloads_and_frees_it():
    class Run:
        closed = False

        def close(self):
            self.closed = True

    reg: Registry[Run] = Registry(grace_s=0.2)
    a = reg.attach("s1", "k1", Run)
    assert reg.attach("s2", "k3", Run) is not a  # another browser has its own
    reg.detach("s1", "k1")  # a reload: the old page goes first ...
    assert reg.attach("s1", "k2", Run) is a  # ... and the new page finds the same run
    time.sleep(0.4)
    assert not a.closed and len(reg) == 2
    reg.detach("s1", "k2")  # the tab closed
    assert not a.closed
    time.sleep(0.4)
    assert a.closed and len(reg) == 1


def test_a_dropped_session_is_freed_with_its_models():
    """The registry's last page gone: the session's runner stops and its models are garbage."""
    reg: Registry[Session] = Registry(grace_s=0)
    s = reg.attach("viewer", "page", lambda: Session(SMALL))
    s.pin_baseline()  # A/B: two models to free
    s.speed = 1440.0
    s.play()
    deadline = time.monotonic() + 20
    while s.now < 30 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert s.running and s.arm_b is not None
    refs: list[weakref.ref] = [weakref.ref(s), weakref.ref(s.arm.model), weakref.ref(s.arm_b.model),
                               weakref.ref(s.arm.model.town)]
    runner = s._thread
    del s
    reg.detach("viewer", "page")
    assert len(reg) == 0
    assert runner is not None and not runner.is_alive()
    gc.collect()
    assert [r() is None for r in refs] == [True] * 4


# ---- the page, rendered to widgets -----------------------------------------------------------
def _html(rc, cls: str):
    found = [w for w in rc.find(solara.widgets.HTML).widgets if w.attributes.get("class") == cls]
    assert len(found) == 1, f"{len(found)} widgets of class {cls}"
    return found[0]


def _clock(rc) -> tuple[float, str]:
    w = _html(rc, "gs-clock")
    return float(w.attributes["data-minutes"]), w.unsafe_innerHTML


def test_page_steps_switches_language_and_refuses_a_bad_seed():
    s = Session(SCENARIO)
    _box, rc = solara.render(Dashboard(s), handle_error=False)
    assert _clock(rc) == (0.0, "第1天 00:00")
    step = rc.find(v.Btn, class_="gs-step").widget
    assert "单步" in step.children
    step.click()
    assert _clock(rc)[0] == 10.0
    rc.find(v.BtnToggle, class_="gs-lang").widget.v_model = 1  # English
    assert "Step" in rc.find(v.Btn, class_="gs-step").widget.children
    assert _clock(rc)[1] == "Day 1 00:10"
    seed = rc.find(v.TextField, class_="gs-seed").widget
    seed.v_model = "-5"
    seed.fire_event("keyup.enter", None)  # what the browser sends on Enter
    said = rc.find(v.Html, class_="gs-error gs-seed-error").widget.children[0]
    assert said == "Not applied: the seed must be a whole number from 0 to 4,294,967,295 (got -5)"
    assert s.model.seed_value == 1 and s.now == 10
    rc.find(v.BtnToggle, class_="gs-lang").widget.v_model = 0  # Chinese: the same refusal in Chinese
    assert rc.find(v.Html, class_="gs-error gs-seed-error").widget.children[0].startswith("未采用：随机种子须为 0 到")
    rc.find(v.BtnToggle, class_="gs-lang").widget.v_model = 1
    rc.find(v.BtnToggle, class_="gs-squads").widget.v_model = 3  # the fourth choice: 4 squads
    assert len(s.model.squads) == 4 and s.now == 0
    rc.close()


def test_page_frames_map_clicks_and_story():
    s = Session(SCENARIO)
    s.step(144)
    _box, rc = solara.render(Dashboard(s), handle_error=False)
    town = rc.find(TownMap).widget
    assert "V01" in town.static_svg and town.dots and town.crews
    iid = town.dots[0][0]
    town.clicked = f"{iid}:1"  # what a click on the dot sends
    head = _html(rc, "gs-story-head")
    assert head.attributes["data-id"] == str(iid)
    assert 'data-stage="occurred"' in _html(rc, "gs-story").unsafe_innerHTML
    assert rc.find(CaseRows).widget.selected == iid
    cat = s.model.categories[s.arm.cases[iid].category]
    assert head.unsafe_innerHTML.startswith(f"#{iid} {cat.label_zh}")
    rc.find(v.BtnToggle, class_="gs-lang").widget.v_model = 1  # English: the scenario's label_en, not the code
    assert _html(rc, "gs-story-head").unsafe_innerHTML.startswith(f"#{iid} {cat.label_en}") and cat.label_en
    rc.find(v.BtnToggle, class_="gs-lang").widget.v_model = 0
    static_before = town.static_svg
    s.speed = 1440.0
    rc.find(v.Btn, class_="gs-play").widget.click()
    timer = rc.find(FrameTimer).widget
    assert timer.active
    before, acked = s.now, timer.acked
    time.sleep(0.3)
    timer.beats += 1  # what the browser's timer does
    assert _clock(rc)[0] > before and timer.acked != acked  # drawn and acknowledged
    assert rc.find(TownMap).widget.static_svg is static_before  # the map itself is not redrawn
    rc.find(v.Btn, class_="gs-pause").widget.click()
    assert not rc.find(FrameTimer).widget.active and not s.running
    rc.close()


def test_following_ends_when_the_case_closes_and_its_story_stays():
    """A new user followed #133; days later the header still said 'Following #133' and the story was gone."""
    s = Session(SCENARIO)
    s.step(36)  # 6 a.m. on day 1
    _box, rc = solara.render(Dashboard(s), handle_error=False)
    iid = next(i.id for i in s.model.centre.live.values() if not math.isnan(i.dispatched_at))
    rc.find(TownMap).widget.clicked = f"{iid}:1"
    rc.find(v.Btn, class_="gs-follow").widget.click()
    assert rc.find(v.Html, class_="gs-following").widget.children[0] == f"正在跟踪 #{iid}"
    while iid in s.model.centre.live:
        s.step(1)
    assert s.follow is None and s.follow_ended == iid
    rc.find(v.Btn, class_="gs-step").widget.click()  # a frame: the header says following ended
    assert not rc.find(v.Html, class_="gs-following").widgets
    assert rc.find(v.Html, class_="gs-follow-ended").widget.children[0] == f"跟踪结束：#{iid} 已结案"
    closed = s.model.centre.closed
    s.step(3 * 144)  # far more than the closed cases the list keeps
    assert s.model.centre.closed - closed > 400
    rc.find(v.Btn, class_="gs-step").widget.click()
    assert _html(rc, "gs-story-head").attributes["data-id"] == str(iid)  # its story is still shown
    assert 'data-stage="closed"' in _html(rc, "gs-story").unsafe_innerHTML
    rc.find(v.BtnToggle, class_="gs-lang").widget.v_model = 1
    assert rc.find(v.Html, class_="gs-follow-ended").widget.children[0] == f"Stopped following: #{iid} has closed"
    rc.close()


def test_the_funnel_and_the_legend_say_which_unnoticed_cases_the_map_leaves_out():
    """A new user counted 110 cases at 发生 and about 6 grey marks: those unnoticed for 3 h are not drawn."""
    s = Session(SCENARIO)
    s.step(194)  # 8:20 on day 2: the night's unnoticed cases are hours old
    _box, rc = solara.render(Dashboard(s), handle_error=False)
    at_occurred = s.arm.funnel()[0][0]
    drawn = sum(1 for d in rc.find(TownMap).widget.dots if d[3] == 0)
    assert at_occurred > 3 * drawn > 0
    box = re.search(r'data-stage="occurred" title="([^"]*)"', _html(rc, "gs-funnel").unsafe_innerHTML)
    assert box and box.group(1) == f"地图只画发生不到3小时、尚未被发现的事件：现画出 {drawn} 个，更早的只计在这里"
    legend = _html(rc, "gs-legend").unsafe_innerHTML
    assert "发生3小时仍未被发现的事件不画在图上（计入漏斗的“发生”）" in legend
    rc.find(v.BtnToggle, class_="gs-lang").widget.v_model = 1
    assert "Cases nobody has noticed for 3 hours are not drawn" in _html(rc, "gs-legend").unsafe_innerHTML
    rc.close()


def test_each_browser_session_has_its_own_run():
    _, rc1 = solara.render(Page(), handle_error=False)
    rc1.find(v.Btn, class_="gs-step").widget.click()
    rc1.find(v.Btn, class_="gs-step").widget.click()
    assert _clock(rc1)[0] == 20.0
    rc1.close()


# ---- the command ----------------------------------------------------------------------------
def test_dashboard_command_refuses_a_missing_scenario():
    from sim.cli import app

    r = CliRunner().invoke(app, ["dashboard", "no/such/scenario.toml"])
    assert r.exit_code == 2
    assert "no such file" in r.output


def test_dashboard_command_serves_solara_without_badge(monkeypatch):
    from sim.cli import app
    from sim.dashboard import cli
    from sim.dashboard.app import SCENARIO_ENV

    seen = {}

    def fake_serve(cmd, env, **_):
        seen["cmd"], seen["env"] = cmd, env
        return 0

    monkeypatch.setattr(cli, "serve", fake_serve)
    r = CliRunner().invoke(app, ["dashboard", str(SCENARIO), "--port", "8799"])
    assert r.exit_code == 0, r.output
    cmd = seen["cmd"]
    assert cmd[1:4] == ["-m", "solara", "run"] and cmd[4].endswith("sim/dashboard/app.py")
    assert cmd[cmd.index("--port") + 1] == "8799" and cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert seen["env"]["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert seen["env"]["SOLARA_THEME_SHOW_BANNER"] == "False"
    assert seen["env"][SCENARIO_ENV] == str(SCENARIO)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_command_stops_the_server(tmp_path, sig):
    """serve() forwards SIGINT/SIGTERM: the server child is gone when the command exits."""
    pidfile = tmp_path / "child.pid"
    child = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    parent = (f"import sys; from sim.dashboard.cli import serve; "
              f"sys.exit(serve([sys.executable, '-c', {child!r}], {{}}, grace_s=2))")
    proc = subprocess.Popen([sys.executable, "-c", parent])
    deadline = time.monotonic() + 30
    while not pidfile.exists() or not pidfile.read_text():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    proc.send_signal(sig)
    assert proc.wait(timeout=10) == 0
    with pytest.raises(ProcessLookupError):
        for _ in range(50):  # reaped by serve(): the pid no longer exists
            import os

            os.kill(pid, 0)
            time.sleep(0.05)
        raise AssertionError("server child still running")




def test_a_bad_port_is_named_before_the_scenario_outside_the_repository(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sim.cli import app

    monkeypatch.chdir(tmp_path)  # the default scenario's relative path does not exist here
    r = CliRunner().invoke(app, ["dashboard", "--port", "70000"])
    assert r.exit_code == 2 and "--port: must be between 1 and 65535, got 70000" in r.output, r.output


def test_the_server_silences_solaras_samesite_cookie_warning_and_nothing_else():
    """Solara's 'samesite=none require https' warning came with every page served at http://127.0.0.1 (where
    its SameSite=Lax fallback is right); the server's filter drops exactly it, other warnings still show."""
    from sim.dashboard.cli import server_env

    env = server_env(Path("scenarios/xuxiake_1plus4.toml"))
    code = ("import warnings\n"
            "for text in ('Cookies with samesite=none require https, but according to the asgi framework', 'other'):\n"
            "    warnings.warn_explicit(text, UserWarning, 'starlette.py', 621, module='solara.server.starlette')\n"
            "warnings.warn_explicit('Cookies with samesite=none require https', UserWarning, 'x.py', 1, module='x')\n")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "other" in r.stderr and r.stderr.count("Cookies with samesite") == 1  # only the one from elsewhere


def test_run_to_day_n_ends_that_day_the_box_follows_the_clock_the_funnel_counts_and_unnoticed_cases_have_no_tier():
    s = Session(SMALL)
    _box, rc = solara.render(Dashboard(s), handle_error=False)
    assert "运行到第 N 天结束" in str(rc.find(v.TextField, class_="gs-day").widget.label)
    day = rc.find(v.TextField, class_="gs-day").widget
    assert day.v_model == "1"
    day.v_model = "2"
    day.fire_event("keyup.enter", None)
    rc.find(v.Btn, class_="gs-run-to").widget.click()
    deadline = time.monotonic() + 120
    while s.running and time.monotonic() < deadline:
        time.sleep(0.05)
    rc.find(FrameTimer).widget.beats += 1  # the browser's next beat draws the page
    assert s.now == 2 * 1440
    assert _clock(rc) == (2880.0, "第3天 00:00（第2天结束）")  # the end of day 2, said so
    assert rc.find(v.TextField, class_="gs-day").widget.v_model == "3"  # the day the clock is in now, not 1
    funnel = _html(rc, "gs-funnel").unsafe_innerHTML
    now = dict(re.findall(r'data-stage="(\w+)"[^>]*><span>[^<]*</span><b class="gs-now">([\d,]+)</b>', funnel))
    assert set(now) == {"occurred", "reported", "dispatched", "arrived", "resolved", "verify", "closed"}
    assert now["resolved"] == now["closed"] == "0" and "·" not in funnel
    rows = [r[1] for r in rc.find(CaseRows).widget.rows]
    unnoticed = [r for r in rows if "发生（未发现）" in r]
    assert unnoticed and all(r.endswith("发生（未发现）") for r in unnoticed)  # no tier before anyone noticed it
    assert all(r.rsplit(" · ", 1)[-1] in ("网格", "村", "镇", "县（市）", "发生（未发现）") or "↑" in r or "超时" in r
               for r in rows)
    assert not any(re.search(r"[A-Za-z]", r) for r in rows)  # a Chinese page's list has no English word
    rc.close()
