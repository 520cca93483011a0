"""The dashboard without a browser: views, labels, and the Solara page rendered to widgets."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

solara = pytest.importorskip("solara", reason="solara is not installed (pip install 'gridsim[dashboard]')")
v = pytest.importorskip("ipyvuetify")

import solara.widgets  # noqa: E402, F811
from typer.testing import CliRunner  # noqa: E402

from sim.dashboard import labels as L  # noqa: E402
from sim.dashboard.app import Dashboard, Page, PlayTimer, play_plan  # noqa: E402
from sim.dashboard.views import (  # noqa: E402
    DASHBOARD_TICK_MIN,
    Session,
    Settings,
    live_measures,
    map_figure,
    series_figure,
    start_note,
)
from sim.labels import render_story  # noqa: E402
from sim.policies import DISPATCH_RULES  # noqa: E402
from sim.vocabulary import Reason, Stage, Tier  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "xuxiake_1plus4.toml"


@pytest.fixture(scope="module")
def played() -> Session:
    """A session run for a simulated day (shared by the read-only checks)."""
    s = Session(SCENARIO)
    s.step(144)
    return s


# ---- views -------------------------------------------------------------------------------
def test_session_takes_the_scenario_policies_and_a_small_tick():
    s = Session(SCENARIO)
    assert s.language == "zh"
    assert s.settings == Settings(seed=1, squads=3, dispatch_rule="home_zone_first",
                                  severity_to_village=4, households_per_grid=480)
    assert s.model.tick == DASHBOARD_TICK_MIN and s.now == 0
    assert s.step(3) == 30


def test_reset_applies_each_policy():
    s = Session(SCENARIO)
    s.step(6)
    grids = len(s.model.town.grids)
    s.reset(squads=4)
    assert len(s.model.squads) == 4 and s.now == 0
    s.reset(households_per_grid=300)
    assert len(s.model.town.grids) > grids
    s.reset(dispatch_rule="nearest_idle")
    assert isinstance(s.model.centre.rule, DISPATCH_RULES["nearest_idle"])
    s.reset(severity_to_village=2)
    assert s.model.config.escalation.severity_to_village == 2
    s.reset(seed=7)
    assert s.model.seed_value == 7
    assert s.settings.squads == 4 and s.settings.households_per_grid == 300  # changes accumulate


def test_live_measures_are_sane(played):
    m = live_measures(played.model)
    assert m["incidents"] > 50
    assert 0 <= m["share_within_15min"] <= 1
    assert m["response_p50_min"] > 0
    assert m["backlog"] == len(played.model.centre.open)
    shares = [x for x in m["tier_share"].values() if not math.isnan(x)]
    assert shares and abs(sum(shares) - 1) < 1e-9
    assert set(m["workload_gini"]) == {"worker", "squad_crew"}
    assert all(0 <= g <= 1 for g in m["workload_gini"].values() if not math.isnan(g))


def test_map_shows_every_live_incident_and_crew(played):
    fig, shown = map_figure(played.model)
    live = played.model.centre.live.values()
    assert shown["incidents"] == len(live) > 0
    assert shown["overdue"] == sum(1 for i in live if i.alarms > 0)
    assert shown["crews"] == sum(len(s.crews) for s in played.model.squads)
    fig.canvas.draw()  # renders without a display
    series_figure(played.model, "backlog").canvas.draw()


def test_story_tells_stages_in_order_with_who(played):
    stories = [i.history or [] for i in played.recent.values()]
    done = [s for s in stories if any(e.stage == Stage.CLOSED for e in s)]
    assert done, "some recent incident closed within a day"
    for s in done:
        times = [e.time for e in s]
        assert times == sorted(times)
        assert s[0].stage == Stage.OCCURRED
        assert all(e.actor is not None for e in s if e.stage in (Stage.ARRIVED, Stage.DISPATCHED))
    escalated = [e for s in stories for e in s if e.stage == Stage.ESCALATED]
    assert escalated, "some case went up a tier within a day"
    for e in escalated:  # says from where to where, and why, in words made from the codes
        assert e.reason in (Reason.NOT_RESOLVED, Reason.TIME_LIMIT_USED, Reason.NOBODY_FOR_DOMAIN)
        zh, en = render_story(e, "zh").why, render_story(e, "en").why
        assert " → " in zh and ("本级" in zh or "时限用尽" in zh), zh
        assert " → " in en and ("not resolved" in en or "time limit used" in en or "nobody" in en), en


def test_start_note_explains_a_severity_escalation():
    s = Session(SCENARIO, Settings(seed=1, squads=3, dispatch_rule="home_zone_first",
                                   severity_to_village=2, households_per_grid=480))
    s.step(144)
    notes = [start_note(s.model, i) for i in s.recent.values()]
    assert any(n is not None and n.threshold == 2 and n.tier == Tier.VILLAGE for n in notes)


def test_labels_cover_both_languages():
    assert L.t("step", "zh") == "单步" and L.t("step", "en") == "Step"
    assert L.clock(1440 + 90, "zh") == "第2天 01:30"
    assert L.clock(0, "en") == "Day 1 00:00"
    for key, (zh, en) in L._LABELS.items():
        assert zh and en, key


def test_play_plan_keeps_the_speed():
    for speed in (10.0, 60.0, 360.0, 1440.0):
        ticks, frame = play_plan(speed, 10.0)
        assert ticks >= 1 and math.isclose(ticks * 10.0 / frame, speed)


# ---- the page, rendered to widgets --------------------------------------------------------
def _html(rc, cls: str):
    found = [w for w in rc.find(solara.widgets.HTML).widgets if w.attributes.get("class") == cls]
    assert len(found) == 1, f"{len(found)} widgets of class {cls}"
    return found[0]


def _clock(rc) -> tuple[float, str]:
    w = _html(rc, "gs-clock")
    return float(w.attributes["data-minutes"]), w.unsafe_innerHTML


def _text(rc, cls: str) -> str:
    return rc.find(v.Html, class_=cls).widget.children[0]


def test_page_steps_and_switches_language():
    _box, rc = solara.render(Page(), handle_error=False)
    assert _clock(rc) == (0.0, "第1天 00:00")
    step = rc.find(v.Btn, class_="gs-step").widget
    assert "单步" in step.children
    step.click()
    assert _clock(rc)[0] == 10.0
    rc.find(v.BtnToggle, class_="gs-lang").widget.v_model = 1  # English
    assert "Step" in rc.find(v.Btn, class_="gs-step").widget.children
    assert _clock(rc)[1] == "Day 1 00:10"
    assert _text(rc, "gs-map-count").startswith("Incidents on map")
    rc.close()


def test_controls_change_the_model():
    s = Session(SCENARIO)
    _box, rc = solara.render(Dashboard(s), handle_error=False)
    rc.find(v.Btn, class_="gs-step").widget.click()
    assert s.now == 10
    rc.find(v.BtnToggle, class_="gs-squads").widget.v_model = 3  # the fourth choice: 4 squads
    assert len(s.model.squads) == 4 and s.now == 0
    assert "4" in _text(rc, "gs-model-info")
    rc.find(v.BtnToggle, class_="gs-households").widget.v_model = 0  # 300 households per grid
    assert s.settings.households_per_grid == 300
    assert f"{len(s.model.town.grids)} " in _text(rc, "gs-model-info")
    rc.find(v.BtnToggle, class_="gs-rule").widget.v_model = list(DISPATCH_RULES).index("nearest_idle")
    assert s.model.config.command_centre.dispatch_rule.rule == "nearest_idle"
    rc.find(v.BtnToggle, class_="gs-severity").widget.v_model = 1  # severity 2 goes to the village
    assert s.model.config.escalation.severity_to_village == 2
    seed = rc.find(v.TextField, class_="gs-seed").widget
    seed.v_model = "5"
    seed.fire_event("keyup.enter", None)  # what the browser sends on Enter
    assert s.model.seed_value == 5
    rc.close()


def test_play_steps_on_each_timer_beat_and_story_shows():
    s = Session(SCENARIO)
    _box, rc = solara.render(Dashboard(s), handle_error=False)
    rc.find(v.BtnToggle, class_="gs-speed").widget.v_model = 3  # 1 day a second
    rc.find(v.Btn, class_="gs-play").widget.click()
    timer = rc.find(PlayTimer).widget
    assert timer.active
    for _ in range(3):
        timer.beats += 1  # what the browser's timer does
        time.sleep(0.05)
    assert s.now >= 3 * 10
    assert timer.acked == s.version  # acknowledged: the browser may send the next beat
    rc.find(v.Btn, class_="gs-play").widget.click()  # pause
    assert not rc.find(PlayTimer).widget.active
    before = s.now
    timer.beats += 1
    assert s.now == before  # paused: beats are ignored
    buttons = rc.find(v.Btn, class_="gs-incident").widgets
    assert buttons
    buttons[-1].click()
    table = _html(rc, "gs-story")
    assert 'data-stage="occurred"' in table.unsafe_innerHTML
    rc.close()


def test_each_page_has_its_own_model():
    _, rc1 = solara.render(Page(), handle_error=False)
    _, rc2 = solara.render(Page(), handle_error=False)
    rc1.find(v.Btn, class_="gs-step").widget.click()
    rc1.find(v.Btn, class_="gs-step").widget.click()
    assert _clock(rc1)[0] == 20.0
    assert _clock(rc2)[0] == 0.0
    rc1.close()
    rc2.close()


# ---- the command ----------------------------------------------------------------------------
def test_dashboard_command_refuses_a_missing_scenario():
    from sim.cli import app

    r = CliRunner().invoke(app, ["dashboard", "no/such/scenario.toml"])
    assert r.exit_code == 2
    assert "no such file" in r.output


def test_dashboard_command_runs_solara(monkeypatch):
    import subprocess

    from sim.cli import app
    from sim.dashboard.app import SCENARIO_ENV

    seen = {}

    def fake_call(cmd, env):
        seen["cmd"], seen["env"] = cmd, env
        return 0

    monkeypatch.setattr(subprocess, "call", fake_call)
    r = CliRunner().invoke(app, ["dashboard", str(SCENARIO), "--port", "8799"])
    assert r.exit_code == 0, r.output
    cmd = seen["cmd"]
    assert cmd[1:4] == ["-m", "solara", "run"] and cmd[4].endswith("sim/dashboard/app.py")
    assert cmd[cmd.index("--port") + 1] == "8799" and cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert seen["env"]["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert seen["env"][SCENARIO_ENV] == str(SCENARIO)
