"""Every code the records use has words in Chinese and English, and a story reads in one language."""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import pytest
from conftest import DEFAULT, ROOT, make_scenario

from sim import labels
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
from sim.report import catalogue as cat
from sim.report import text as report_text
from sim.vocabulary import ActorRole, Channel, Duty, Reason, Stage, Tier

CJK = re.compile(r"[\u4e00-\u9fff]")
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


# One table for every edge: measures, warnings, the dashboard's live table and the maps.

PLACEHOLDER = re.compile(r"\{(\w+)")


def _catalogued_names() -> list[str]:
    """A flat name for every entry of the report's catalogue (groups with a member each)."""
    names = list(cat._EXACT)
    for g in cat._GROUPS:
        members = {"tier_share": Tier.keys(), "channel_share": Channel.keys(), "department_utilisation": Tier.keys(),
                   "department_wait_mean_min": Tier.keys()}.get(
            g, ("worker", "squad_crew", "total", "urban_management_inspector"))
        names += [f"{g}.{m}" for m in members]
    names += [f"squads.S1.{f}" for f in cat._SQUAD_FIELDS]
    names += [f"{p}_{s}_{u}" for p in labels.PROBLEM_TO for s in labels.STATISTICS for u in ("min", "days")]
    return names


def test_every_measure_has_words_in_both_languages():
    for name in [*labels.MEASURES, *labels.GROUP_TITLES, *_catalogued_names()]:
        zh, en = labels.measure(name, "zh"), labels.measure(name, "en")
        assert zh != name and zh != en and "_" not in en, (name, en)  # words, not the key
        assert not LATIN_WORD.search(re.sub(r"Gini|CV|S1|Polsby|Popper", "", zh)), (name, zh)  # names stay
        assert not re.search(r"[\u4e00-\u9fff]", en), (name, en)
    # every catalogued measure has words, and every word a catalogue entry or an edge that shows it
    assert set(cat._EXACT) <= set(labels.MEASURES)
    assert set(cat._GROUPS) == set(labels.MEASURE_GROUPS) and set(cat._SQUAD_FIELDS) == set(labels.SQUAD_MEASURES)


def test_group_members_take_the_codes_words():
    assert labels.measure("tier_share.county", "zh") == f"{label(Tier.COUNTY, 'zh')}办结占比（按实际处置层级）"
    assert labels.measure("channel_share.hotline", "en") == "noticed by 12345 hotline"
    assert labels.measure("channel_share.patrol", "zh") == "经网格巡查发现的占比"  # not 经巡查发现发现
    assert labels.measure("workload_gini.worker", "en") == "workload balance (Gini): grid workers"
    assert labels.measure("staff_headcount.total", "zh") == "人数：合计"
    assert labels.measure("workload_mean.work_safety_inspector", "zh") == "平均工作量：安全生产巡查员"


@pytest.mark.parametrize("code", sorted(labels.WARNINGS))
def test_every_warning_has_both_texts_over_the_same_values(code):
    zh, en = labels.WARNINGS[code]
    assert zh and en and zh != en
    assert set(PLACEHOLDER.findall(zh)) == set(PLACEHOLDER.findall(en)), code


def test_the_dashboard_and_maps_read_the_same_measure_words():
    from sim.dashboard import labels as dash
    from sim.geo.maps import MEASURES as MAP_MEASURES

    for lang in LANGUAGES:
        assert dash.t("share_within_15min", lang) == labels.measure("share_within_15min", lang)
        assert dash.t("alarms", lang) == labels.measure("overdue_alarms", lang)
        assert dash.t("tier_share", lang) == labels.measure("tier_share", lang)
        for name, spec in MAP_MEASURES.items():
            assert name in labels.MEASURES and spec.title(lang) == labels.measure(name, lang)
        # the funnel's boxes are the stages' own words
        assert [dash.funnel(k, lang) for k in ("occurred", "resolved", "verify", "closed")] == [
            label(Stage.OCCURRED, lang), label(Stage.RESOLVED, lang), label(Duty.VERIFY, lang),
            label(Stage.CLOSED, lang)]
    with pytest.raises(KeyError):
        dash.t("no_such_key", "en")


def test_resolved_verified_closed_are_banjie_hecha_jiean():
    """DESIGN.md §3 and issue 17: resolved_at 办结, verification 核查, closed_at 结案; no 解决."""
    assert (label(Stage.RESOLVED, "zh"), label(Duty.VERIFY, "zh"), label(Stage.CLOSED, "zh")) == ("办结", "核查", "结案")
    assert labels.measure("closure_on_time_share", "zh") == "按时结案率"
    words = [zh for table in (*labels._TABLES.values(), labels.MEASURES, labels.MEASURE_GROUPS, labels.GROUP_TITLES,
                              labels.WARNINGS) for zh, _ in table.values()]
    assert not [w for w in words if "解决" in w]


def test_no_page_redefines_a_domain_word():
    """The dashboard's, the report's, the maps' and the plan figures' own tables hold layout
    text only: none of their entries repeats a word the label table defines (a tier, a stage,
    a measure, a map feature, ...), whatever its case."""
    from sim.dashboard.labels import _LABELS
    from sim.geo.maps import _TEXT as MAP_TEXT
    from sim.plan.figures import _TEXT as PLAN_TEXT
    from sim.report.text import _TEXT

    domain = {w.casefold() for table in (*labels._TABLES.values(), labels.MEASURES, labels.GROUP_TITLES,
                                         labels.DOMAINS, labels.MAP_FEATURES, labels.PLANS)
              for pair in table.values() for w in pair if w}
    pages = [_LABELS, _TEXT, PLAN_TEXT, MAP_TEXT]
    for page in pages:
        repeated = {k: pair for k, pair in page.items() if {w.casefold() for w in pair} & domain}
        assert not repeated, repeated


def test_map_legends_and_plan_sides_come_from_the_label_table():
    """The dashboard's legend, sim.geo's map legend and the plan report name map marks alike."""
    from sim.dashboard import labels as dash

    for lang in LANGUAGES:
        assert dash.t("base", lang).casefold() == labels.map_feature("squad_base", lang).casefold()
        assert labels.map_feature("squad_zone", lang) in dash.t("legend_zone", lang)
    assert labels.plan_side("today", "zh") == "今天的方案" and labels.map_feature("squad_base", "zh") == "中队驻地"
    for zh, en in (*labels.MAP_FEATURES.values(), *labels.PLANS.values()):
        assert re.search(r"[\u4e00-\u9fff]", zh) and en and not re.search(r"[\u4e00-\u9fff]", en), (zh, en)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_page_text_has_both_languages_over_the_same_values():
    """The report's, the dashboard's, the maps' and the plan figures' own tables, and the plan methods:
    each key has a Chinese and an English text filled from the same values; the figures' words (plan
    figures, maps, plan methods) have Chinese in the one and none in the other."""
    from sim.console import TEXT as TERMINAL_TEXT
    from sim.dashboard.labels import _LABELS
    from sim.geo.maps import _TEXT as MAP_TEXT
    from sim.plan.figures import _TEXT as PLAN_TEXT
    from sim.report.text import _TEXT

    for table in (_LABELS, _TEXT, PLAN_TEXT, MAP_TEXT, labels.PLAN_METHODS, TERMINAL_TEXT):
        for key, (zh, en) in table.items():
            assert zh and en and _fields(zh) == _fields(en), key
    for key, (zh, en) in (PLAN_TEXT | MAP_TEXT | labels.PLAN_METHODS).items():
        assert CJK.search(zh) and not CJK.search(en), key


def test_one_page_text_lookup_for_report_dashboard_and_plan_figures():
    """sim.labels.page_text is the look-up of all three pages: the language's text, filled only when given values."""
    from sim.dashboard import labels as dash
    from sim.report.text import t

    table = {"n": ("{n} 件", "{n} cases"), "plain": ("共{n}", "all {n}")}
    assert labels.page_text(table, "n", "zh", n=3) == "3 件" and labels.page_text(table, "n", "en", n=3) == "3 cases"
    assert labels.page_text(table, "plain", "en") == "all {n}"  # no values: the text as it is
    assert t("plan.pareto_sim", "en", reps=5) == labels.page_text(report_text._TEXT, "plan.pareto_sim", "en", reps=5)
    assert "5" in t("plan.pareto_sim", "zh", reps=5)
    assert dash.t("step", "zh") == "单步" and dash.t("day", "en", day=4) == "Day 4"
    # the dashboard still fills the tiers' and map features' words without being given them
    tiered = next(k for k, (zh, _) in dash._LABELS.items() if "{grid}" in zh or "{squad_zone}" in zh)
    for lang in LANGUAGES:
        text = dash.t(tiered, lang)
        assert "{" not in text and (labels.label(Tier.GRID, lang) in text
                                    or labels.map_feature("squad_zone", lang) in text), (tiered, text)
    with pytest.raises(KeyError):
        labels.page_text(table, "missing", "en")


def test_plan_methods_are_named_alike_in_the_plan_figure_and_report():
    """Today's bases are the plan's side ``today``; the three location methods have short names in both languages."""
    for lang in LANGUAGES:
        assert labels.plan_method("current", lang) == labels.plan_side("today", lang)
    assert [labels.plan_method(m, "zh") for m in ("p-median", "mclp", "p-center")] == ["p-中位", "最大覆盖", "p-中心"]
    assert [labels.plan_method(m, "en") for m in ("p-median", "mclp", "p-center")] == ["p-median", "MCLP", "p-center"]


def test_dispatch_rules_are_named_by_their_own_label():
    """The plan map's title and the dashboard's buttons name a rule through one look-up, in each language."""
    from sim.policies import DISPATCH_RULES

    assert labels.dispatch_rule("nearest_idle", "zh") == "最近空闲"
    assert labels.dispatch_rule("nearest_idle", "en") == "Nearest idle"
    for name, rule in DISPATCH_RULES.items():
        zh, en = labels.dispatch_rule(name, "zh"), labels.dispatch_rule(name, "en")
        assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[\u4e00-\u9fff]", en), name
        assert rule.label == (zh, en)
    with pytest.raises(KeyError):
        labels.dispatch_rule("nearest", "en")


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").rglob("*.toml")),
                         ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_every_shipped_category_and_case_type_has_a_chinese_and_an_english_name(path):
    """Pages name categories by the scenario's label_zh / label_en, so the files users copy give both."""
    from sim.config import load_scenario

    sc = load_scenario(path, town_files=False)
    items = [*sc.incidents.categories, *(sc.service_hall.case_types if sc.service_hall else [])]
    for c in items:
        assert CJK.search(c.label_zh) and c.label_en and not CJK.search(c.label_en), (c.name, c.label_zh, c.label_en)
        assert labels.category(c, "zh") == c.label_zh and labels.category(c, "en") == c.label_en


def test_a_category_without_names_of_its_own_shows_its_code_in_words():
    from sim.config.incidents import Category

    work = {"dist": "exponential", "mean": 10}
    bare = Category.model_validate({"name": "roof_leak", "share": 1, "severity": 1, "respond_limit_min": 60,
                                    "close_limit_min": 120, "work_min": work})
    assert labels.category(bare, "en") == labels.category(bare, "zh") == "roof leak"
    named = bare.model_copy(update={"label_en": "leaking roofs"})
    assert labels.category(named, "en") == "leaking roofs" and labels.category(named, "zh") == "roof leak"


def test_a_field_of_one_member_is_named_with_the_members_words():
    """The before/after report's differences table: roles, departments and statistics in words, not dotted paths."""
    named = {"grid_staff.roles.worker.count": ("每格专职网格员人数", "grid workers per grid"),
             "grid_staff.inspectors.work_safety": ("安全生产巡查员", "work safety inspectors"),
             "staff_cost.salary_per_year.civil_affairs_inspector": ("年薪（元）：民政巡查员",
                                                                    "salary a year (yuan): civil affairs inspectors"),
             "service_hall.department_windows.civil_affairs": ("民政窗口数", "civil affairs windows"),
             "service_hall.back_office_days.mean": ("复杂事项后台审批天数（平均）", "back-office days of a complex matter, mean"),
             "departments.handoff_min.mean": ("部门间转交用时（平均，分钟）", "minutes to pass a case between departments, mean"),
             "squads.shift.start_h": ("执法中队上班时间（时）", "squads on duty from (hour)")}
    for path, (zh, en) in named.items():
        assert (labels.field(path, "zh"), labels.field(path, "en")) == (zh, en)
    assert labels.field("town.no_such_field", "zh") == "town.no_such_field"  # no words: the path, as code
    assert labels.field_value("grid_staff.rest_days", "together", "zh") == "同时休息（周末无人）"
