"""The case history as codes: each case's story is in time order, its stages follow the
closed loop, and it agrees with the record written to incidents.parquet."""

from __future__ import annotations

import math

import pytest
from conftest import make_scenario, play_with_stories

from sim.history import Actor, StoryEntry
from sim.model import TownModel
from sim.records import Incident
from sim.vocabulary import ActorRole, Reason, Stage, Tier

# Stages a case passes at most once, in this order (others repeat: dispatched, arrived, alarm, …).
ONCE = (Stage.OCCURRED, Stage.REPORTED, Stage.CLOSED)


@pytest.fixture(scope="module")
def cases() -> list[Incident]:
    _m, recorded = play_with_stories(make_scenario({"town.residents": 60000}), seed=3, days=10)
    assert len(recorded) > 800
    return recorded


def first(inc: Incident, stage: Stage) -> StoryEntry | None:
    return next((e for e in inc.history or [] if e.stage == stage), None)


def test_every_story_is_in_time_order(cases):
    """Alarms are raised a tick after their due time but stamped at it: they still sit in order."""
    alarms = 0
    for inc in cases:
        times = [e.time for e in inc.history or []]
        assert times == sorted(times), inc.id
        alarms += sum(e.stage == Stage.ALARM for e in inc.history or [])
    assert alarms > 20  # the order is tested where it can go wrong


def test_stories_follow_the_closed_loop(cases):
    for inc in cases:
        h = inc.history or []
        stages = [e.stage for e in h]
        assert h[0].stage == Stage.OCCURRED and h[0].time == inc.occurred_at
        assert h[0].values["category"] == inc.category
        for s in ONCE:
            assert stages.count(s) <= 1
        if math.isnan(inc.reported_at):  # never noticed: only its occurrence (and nothing else)
            assert stages == [Stage.OCCURRED]
            continue
        rep = first(inc, Stage.REPORTED)
        assert rep is not None and rep.time == inc.reported_at
        if not math.isnan(inc.closed_at):
            assert h[-1].stage == Stage.CLOSED and h[-1].time == inc.closed_at
            resolved = [e for e in h if e.stage == Stage.RESOLVED]
            assert len(resolved) == 1 and resolved[0].tier == inc.tier
            assert resolved[0].time <= inc.resolved_at <= inc.closed_at
        if not math.isnan(inc.dispatched_at):
            d = first(inc, Stage.DISPATCHED)
            assert d is not None and d.time == inc.dispatched_at
        if not math.isnan(inc.arrived_at):
            a = first(inc, Stage.ARRIVED)
            assert a is not None and a.time == inc.arrived_at and a.actor is not None


def test_counts_in_the_story_match_the_record(cases):
    for inc in cases:
        h = inc.history or []
        assert sum(e.stage == Stage.ESCALATED for e in h) == inc.escalations
        assert sum(e.stage == Stage.REWORK for e in h) == inc.reworks
        assert sum(e.stage == Stage.ALARM for e in h) == inc.alarms
        ups = [e.tier for e in h if e.stage == Stage.ESCALATED]
        assert ups == sorted(ups) and len(set(ups)) == len(ups)  # each tier hands up once, upwards
        convened = any(e.reason == Reason.CONVENED for e in h)  # 难事不出镇: the town keeps it
        if ups and inc.tier >= 0:
            top = max(t for t in ups if t is not None)
            assert inc.tier == Tier.TOWN if convened else inc.tier > top


def test_handler_is_the_last_actor_sent(cases):
    checked = 0
    for inc in cases:
        h = inc.history or []
        sent = [e.actor for e in h if e.stage == Stage.DISPATCHED and e.actor is not None]
        if sent:
            assert inc.handler == sent[-1].record_id
            checked += 1
        elif not math.isnan(inc.arrived_at):  # settled on the spot by the finder
            a = first(inc, Stage.ARRIVED)
            assert a is not None and a.actor is not None and inc.handler == a.actor.record_id
    assert checked > 100


def test_actor_record_id():
    assert Actor(ActorRole.WORKER, "V01-1-worker-1", "V01-1", 1).record_id == "V01-1-worker-1"
    assert Actor(ActorRole.COUNTY_DEPARTMENT).record_id == "county_department"
    assert Actor(ActorRole.SQUAD_CREW, "S2-c3", "S2", 3).record_id == "S2-c3"


def test_notes_are_kept_only_when_asked():
    m = TownModel(make_scenario(), seed=1, days=1)
    m.run()  # the cases still open at the horizon: noted nothing
    assert len(m.centre.live) > 10 and all(inc.history is None for inc in m.centre.live.values())


def test_a_late_note_goes_into_its_place():
    import numpy as np

    inc = Incident(0, 0, 0, 0, 0.0, 0.0, 0.0, np.zeros(3))
    inc.history = [StoryEntry(0.0, Stage.OCCURRED)]
    inc.note(10.0, Stage.REPORTED)
    inc.note(40.0, Stage.ARRIVED, tier=Tier.TOWN)
    inc.note(25.0, Stage.ALARM, limit_min=15.0)  # due at 25, raised at the tick after 40
    assert [e.stage for e in inc.history] == [Stage.OCCURRED, Stage.REPORTED, Stage.ALARM, Stage.ARRIVED]
    inc.note(40.0, Stage.RESOLVED)  # same time: after what is already there
    assert inc.history[-1].stage == Stage.RESOLVED
