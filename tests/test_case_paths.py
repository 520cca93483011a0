"""The hand-off and rework paths of a case, forced by scenario settings: the story shows
them, and the times they add are exactly the configured ones."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import ROOT, make_scenario, play_with_stories

from sim.agents.command_centre import COMMAND_CENTRE
from sim.incidents import U
from sim.records import Incident
from sim.vocabulary import ActorRole, Channel, Reason, Stage, Tier

PRE_REFORM = ROOT / "scenarios" / "xuxiake_pre_reform.toml"
DISPATCH, HANDOFF, VERIFY, GRID_VERIFY = 30.0, 100.0, 10.0, 20.0


def fixed(v: float) -> dict[str, object]:
    return {"dist": "fixed", "value": v}


def entries(inc: Incident, stage: Stage) -> list:
    return [e for e in inc.history or [] if e.stage == stage]


@pytest.fixture(scope="module")
def handed_off():
    """Before the reform, every report that did not come from the owner's own patrol reaches the
    wrong department first and waits exactly HANDOFF minutes more than the DISPATCH every case waits."""
    sc = make_scenario({"town.residents": 60000, "departments.handoff_prob": 1.0,
                        "departments.handoff_min": fixed(HANDOFF), "departments.dispatch_min": fixed(DISPATCH)},
                       base=PRE_REFORM)
    model, cases = play_with_stories(sc, seed=4, days=8)
    return model, [c for c in cases if not math.isnan(c.reported_at)]


def _routed(inc: Incident) -> bool:
    """Went through the departments' routing (not settled on the spot by its finder)."""
    return not (entries(inc, Stage.ARRIVED) and not entries(inc, Stage.DISPATCHED)
                and not entries(inc, Stage.SPOT_FIX_FAILED))


def test_every_report_from_outside_is_handed_off_once(handed_off):
    model, cases = handed_off
    outside = [c for c in cases if c.channel != Channel.PATROL and _routed(c)]
    patrol = [c for c in cases if c.channel == Channel.PATROL]
    assert len(outside) > 100 and len(patrol) > 100
    for inc in outside:
        (h,) = entries(inc, Stage.HANDED_OFF)
        assert h.reason == Reason.WRONG_DEPARTMENT and h.time == inc.reported_at
        assert h.values["domain"] == model.categories[inc.category].domain
    assert not any(entries(c, Stage.HANDED_OFF) for c in patrol)  # the owner's own inspector found it


def test_handing_off_adds_exactly_its_minutes(handed_off):
    _model, cases = handed_off
    exact = {True: 0, False: 0}
    for inc in cases:
        if not _routed(inc) or not entries(inc, Stage.DISPATCHED):
            continue
        waited = entries(inc, Stage.DISPATCHED)[0].time - inc.reported_at
        delay = DISPATCH + (HANDOFF if entries(inc, Stage.HANDED_OFF) else 0.0)
        assert waited >= delay - 1e-9  # nobody is sent before the routing is done
        if math.isclose(waited, delay, abs_tol=1e-6):
            exact[bool(entries(inc, Stage.HANDED_OFF))] += 1
    # most cases find someone free at once: sent the moment the routing ends
    assert exact[True] > 100 and exact[False] > 50


def test_without_a_centre_a_resolved_case_is_closed_unverified(handed_off):
    _model, cases = handed_off
    closed = [c for c in cases if not math.isnan(c.closed_at)]
    assert len(closed) > 200
    for inc in closed:
        last = (inc.history or [])[-1]
        assert last.stage == Stage.CLOSED and last.reason == Reason.NOT_VERIFIED
        assert last.actor is not None and last.actor.role == ActorRole.DEPARTMENT
        assert inc.closed_at == inc.resolved_at and inc.reworks == 0


@pytest.fixture(scope="module")
def reworked():
    """After the reform with every verification failing once; verification lags fixed."""
    sc = make_scenario({"town.residents": 60000, "command_centre.verify_fail_prob": 1.0,
                        "command_centre.verify_min": fixed(VERIFY), "grid_staff.verify_min": fixed(GRID_VERIFY)})
    model, cases = play_with_stories(sc, seed=4, days=6)
    return model, [c for c in cases if not math.isnan(c.closed_at)]


def test_every_closed_case_was_reworked_once(reworked):
    _model, cases = reworked
    assert len(cases) > 300
    for inc in cases:
        assert inc.reworks == 1
        (r,) = entries(inc, Stage.REWORK)
        stages = [e.stage for e in inc.history or [] if e.stage != Stage.ALARM]
        assert stages[-3:] == [Stage.RESOLVED, Stage.REWORK, Stage.CLOSED]
        assert r.reason == Reason.VERIFY_FAILED and r.actor is not None


def test_rework_times_add_up(reworked):
    """Resolved → (verification lag) → rework (the category's work time) → re-verify → closed."""
    model, cases = reworked
    by_grid = 0
    for inc in cases:
        (first_fix,) = entries(inc, Stage.RESOLVED)
        (r,) = entries(inc, Stage.REWORK)
        work = model.categories[inc.category].work_min.draw(float(inc.u[U.REWORK]))
        assert inc.resolved_at == pytest.approx(r.time + work, abs=1e-6)
        assert inc.closed_at == pytest.approx(inc.resolved_at + VERIFY, abs=1e-6)
        if r.actor is not None and r.actor.role == ActorRole.COMMAND_CENTRE:
            assert r.time == pytest.approx(first_fix.time + VERIFY, abs=1e-6)
        else:  # the grid's supervisor: lag after they are free to book the visit
            assert r.tier == Tier.GRID and r.actor is not None and r.actor.role == ActorRole.SUPERVISOR
            assert r.time >= first_fix.time + GRID_VERIFY - 1e-6
            by_grid += 1
    assert 0 < by_grid < len(cases)


def test_no_failed_verification_no_rework():
    sc = make_scenario({"command_centre.verify_fail_prob": 0.0, "command_centre.verify_min": fixed(VERIFY)})
    _model, cases = play_with_stories(sc, seed=4, days=4)
    closed = [c for c in cases if not math.isnan(c.closed_at)]
    assert len(closed) > 50
    assert not any(c.reworks or entries(c, Stage.REWORK) for c in closed)
    centre = [c for c in closed if (c.history or [])[-1].actor == COMMAND_CENTRE]
    assert centre and np.allclose([c.closed_at - c.resolved_at for c in centre], VERIFY)
