"""Every code the records use has words in Chinese and English, and a story reads in one language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from conftest import DEFAULT, ROOT, make_scenario

from sim.history import Actor, StoryEntry
from sim.labels import (
    _TABLES,
    LANGUAGES,
    actor_name,
    label,
    render_story,
    staff_role,
)
from sim.model import TownModel
from sim.records import Incident
from sim.vocabulary import ActorRole, Reason, Stage, Tier

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")  # an English word; ids such as V47-1 or S2 are not


@pytest.mark.parametrize("enum", list(_TABLES), ids=lambda e: e.__name__)
def test_every_code_has_both_labels(enum):
    for code in enum:
        for lang in LANGUAGES:
            text = label(code, lang)
            assert isinstance(text, str)
            assert text or code == Reason.NONE, (code, lang)


def test_actor_names_are_readable_in_each_language():
    crew = Actor(ActorRole.SQUAD_CREW, "S2-1", "S2", 1)
    assert actor_name(crew, "zh") == "执法中队 S2 第1组"
    assert actor_name(crew, "en") == "squad S2, crew 1"
    worker = Actor(ActorRole.PATROL_OFFICER, "V47-1/patrol_officer-1", "V47-1", 1)
    assert actor_name(worker, "zh") == "巡查员（网格 V47-1）"
    inspector = Actor(ActorRole.INSPECTOR, "G/work_safety_inspector-1", "G", 1, "work_safety")
    assert actor_name(inspector, "zh") == "安全生产巡查员（网格 G）"
    for role in ActorRole:
        for lang in LANGUAGES:
            assert actor_name(Actor(role, unit="V1-1", number=2, domain="justice"), lang)
    assert staff_role("urban_management_inspector", "zh") == "城市管理巡查员"


def test_escalation_and_alarm_words_come_from_codes():
    e = StoryEntry(600.0, Stage.ESCALATED, Reason.TIME_LIMIT_USED, tier=Tier.GRID, limit_min=1440.0)
    assert render_story(e, "zh").why == "网格 → 村：时限用尽（24小时）"
    assert render_story(e, "en").why == "grid → village: time limit used (24 h)"
    q = StoryEntry(0.0, Stage.QUEUED, Reason.NO_CREW_FREE, tier=Tier.TOWN, values={"waiting": 3})
    assert render_story(q, "zh").why == "车组全忙或不在班（3件等待）"


def test_a_chinese_story_has_no_english_words():
    """Play a day of the default town (and one before the reform) with stories kept: every
    entry renders in Chinese without an English word, and in English without Chinese."""
    seen: set[Stage] = set()
    for base in (DEFAULT, ROOT / "scenarios" / "xuxiake_pre_reform.toml"):
        m = TownModel(make_scenario({"run.days": 2}, base), keep_stories=True)
        closed: list[Incident] = []

        def add(inc: Incident, closed: list[Incident] = closed, keep: Callable[[Incident], None] = m.log.add) -> None:
            closed.append(inc)
            keep(inc)

        m.log.add = add  # type: ignore[method-assign]
        m.run()
        entries = [e for inc in [*closed, *m.centre.live.values()] for e in inc.history or []]
        seen |= {e.stage for e in entries}
        for e in entries:
            zh = render_story(e, "zh", m.categories)
            unit = e.actor.unit if e.actor is not None else ""  # a name from the scenario
            for text in (zh.stage, zh.who.replace(unit, "") if unit else zh.who, zh.why):
                assert not LATIN_WORD.search(text), (e, text)
            en = render_story(e, "en", m.categories)
            assert not re.search(r"[\u4e00-\u9fff]", en.stage + en.who), (e, en)
    assert seen >= set(Stage) - {Stage.REWORK}, set(Stage) - seen  # rework is rare (3%): may not occur
