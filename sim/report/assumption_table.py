"""The report's table of assumptions for a reader: grouped, named in words, values read aloud.

County leadership reads 违章停车 · 处置用时（分钟） · 对数正态，平均 20，变异系数 0.5, not
``incidents.categories.illegal_parking.work_min | { dist = "lognormal", mean = 20, cv = 0.5 }``;
the dotted paths and the values as written stay in the appendix (``--appendix``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any

from sim import labels
from sim.labels import pick
from sim.report.sources import Assumption
from sim.report.text import Lang, t
from sim.vocabulary import LandUse, Tier

# The scenario's top-level tables, as the reader knows them (the groups of the table).
GROUPS: dict[str, tuple[str, str]] = {
    "run": ("运行设置", "the run"),
    "town": ("镇域与人口", "the town and its people"),
    "incidents": ("事件的发生", "how incidents occur"),
    "channels": ("发现渠道", "how problems are noticed"),
    "grid_staff": ("网格人员", "grid staff"),
    "squads": ("综合执法中队", "enforcement squads"),
    "command_centre": ("指挥中心", "the command centre"),
    "escalation": ("逐级上报", "escalation"),
    "tiers": ("村、镇、县（市）层级", "villages, town and county"),
    "party": ("党建引领", "the Party's part"),
    "service_hall": ("便民服务中心", "the service hall"),
    "staff_cost": ("人员成本", "staff cost"),
    "departments": ("改革前各部门", "the departments before the reform"),
}
# A field of each incident category (incidents.categories.<name>.<field>).
CATEGORY_FIELDS: dict[str, tuple[str, str]] = {
    "patrol_detect_prob": ("巡查发现概率", "chance a patrol notices it"),
    "hotline_prob": ("群众热线上报概率", "chance a resident calls the hotline"),
    "hotline_delay_min": ("热线上报前的等待（分钟）", "wait before a hotline call (min)"),
    "spot_fix_prob": ("发现者当场处置概率", "chance the finder fixes it on the spot"),
    "resolve_prob": ("各层级办结概率", "chance each tier resolves it"),
    "work_min": ("处置用时（分钟）", "work on scene (min)"),
    "land_use_weight": ("各类用地的发生权重", "weight by land use"),
    "county_referral_prob": ("转交县（市）概率", "chance it is referred to the county"),
}
# A field of each kind of matter the service hall handles (service_hall.case_types.<name>.<field>).
CASE_TYPE_FIELDS: dict[str, tuple[str, str]] = {
    "share": ("占办件量比例", "share of the matters"),
    "complex_share": ("复杂事项占比", "share that is complex"),
    "online_share": ("网上办理占比", "share done online"),
    "proxy_share": ("网格员代办占比", "share a grid worker does for the resident"),
    "visits_before": ("改革前需跑的次数", "visits needed before the reform"),
}
# The kinds of matter the preset service halls handle (the departments' words where they are one).
CASE_TYPES: dict[str, tuple[str, str]] = {
    "household_registration": ("户籍", "household registration"),
    "social_security": ("社会保障", "social security"),
    "medical_insurance": ("医疗保险", "medical insurance"),
    "market_registration": ("市场主体登记", "business registration"),
}
# The keys inside a staff table (a grid role, a department's staff), in words.
STAFF_KEYS: dict[str, tuple[str, str]] = {
    "count": ("人数", "people"),
    "staff": ("人数", "people"),
    "duty_share": ("用于网格工作的时间占比", "share of time on grid work"),
    "patrol_share": ("其中巡查占比", "of which patrolling"),
    "duties": ("职责", "duties"),
    "domains": ("领域", "domains"),
    "routine": ("例行工作", "routine work"),
    "by_domain": ("按部门", "by department"),
    "shift": ("上班时间", "hours"),
    "days_per_week": ("每周工作天数", "days a week"),
    "household_visit_min_per_month": ("每户每月走访（分钟）", "household visits a month (min)"),
    "entry_min_per_case": ("每件录入（分钟）", "entry per case (min)"),
    "meetings_h_per_week": ("每周会议（小时）", "meetings a week (h)"),
    "supervision_h_per_week": ("每周督查（小时）", "supervision a week (h)"),
    "liaison_h_per_week": ("每周联络（小时）", "liaison a week (h)"),
}
# What a field's name says about its unit.
_UNITS: dict[str, tuple[str, str]] = {"_min": ("分钟", "min"), "_days": ("天", "days")}
_DISTRIBUTIONS: dict[str, tuple[str, str]] = {
    "lognormal": ("对数正态", "lognormal"), "exponential": ("指数分布", "exponential"),
    "fixed": ("固定", "fixed"), "gamma": ("伽马分布", "gamma"), "uniform": ("均匀分布", "uniform"),
}


def _parse(text: str) -> Any:
    """Read a value as written in the scenario file (the text itself when it is not TOML)."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _sep(lang: Lang) -> str:
    return "，" if lang == "zh" else ", "


def _number(v: Any) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10000 else str(v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def _clock(h: float) -> str:
    return f"{int(h)}:{round((h - int(h)) * 60):02d}"


def _words(keys: dict[str, Any], lang: Lang) -> dict[str, str] | None:
    """Name a table's keys when they are all land uses or all tiers (镇区 1.3，工业园区 1.0); else None."""
    tables: tuple[dict[str, Any], ...] = ({u.value: u for u in LandUse}, {tier.key: tier for tier in Tier})
    for names in tables:
        if all(k in names for k in keys):
            return {k: labels.label(names[k], lang) for k in keys}
    return None


def value_words(path: str, text: str, lang: Lang) -> str:
    """Read an assumption's value aloud: a distribution, hours, a table by land use or tier, a code in words."""
    from sim.report.build import value_text  # the report's own words for codes and squads

    v = _parse(text)
    unit = next((pick(u, lang) for end, u in _UNITS.items() if path.endswith(end)), "")
    if isinstance(v, dict) and "dist" in v:
        parts = [pick(_DISTRIBUTIONS.get(v["dist"], (v["dist"], v["dist"])), lang)]
        for key, words in (("value", ("", "")), ("mean", ("平均", "mean")), ("cv", ("变异系数", "CV"))):
            if key in v:
                n = _number(v[key]) + (f" {unit}" if unit and key != "cv" else "")
                parts.append(f"{pick(words, lang)} {n}".strip())
        return _sep(lang).join(parts)
    if isinstance(v, dict) and set(v) == {"start_h", "end_h"}:
        return f"{_clock(v['start_h'])}–{_clock(v['end_h'])}"
    if isinstance(v, dict) and (names := _words(v, lang)) is not None:
        return _sep(lang).join(f"{names[k]} {_number(x)}" for k, x in v.items())
    if isinstance(v, list) and all(isinstance(x, (int, float)) for x in v):
        return ", ".join(_number(x) for x in v)  # an hourly profile: breaks after its commas
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _number(v) + (f" {unit.removesuffix('s') if v == 1 and lang == 'en' else unit}" if unit else "")
    if isinstance(v, dict) and set(v) <= set(STAFF_KEYS):
        return _staff_words(v, lang)
    return value_text(v, lang, path)


def _staff_words(v: dict[str, Any], lang: Lang) -> str:
    """Read a staff table in words (人数：1；职责：核查；例行工作：每周督查（小时） 3), not as TOML."""
    from sim.vocabulary import Duty

    parts = []
    for k, x in v.items():
        name = pick(STAFF_KEYS[k], lang)
        if k == "duties":
            x = t("plan.list_sep", lang).join(labels.label(Duty(d), lang) for d in x) or "–"
        elif k in ("domains", "by_domain") and isinstance(x, (list, dict)):
            x = t("plan.list_sep", lang).join(
                labels.domain(d, lang) + (f" {_number(x[d])}" if isinstance(x, dict) else "") for d in x)
        elif k == "shift" and isinstance(x, dict) and {"start_h", "end_h"} <= set(x):
            x = f"{_clock(x['start_h'])}–{_clock(x['end_h'])}"
        elif isinstance(x, dict):
            x = _sep(lang).join(f"{pick(STAFF_KEYS.get(kk, (kk, kk)), lang)} {_number(xx)}" for kk, xx in x.items())
        else:
            x = _number(x)
        parts.append(f"{name}{'：' if lang == 'zh' else ': '}{x}")
    return ("；" if lang == "zh" else "; ").join(parts)


def _field_words(path: str, lang: Lang, categories: dict[str, str]) -> tuple[str, str]:
    """Give (group, item) in words for a field; an item without words keeps its last key."""
    parts = path.split(".")
    if parts[:2] == ["incidents", "categories"] and len(parts) == 4:
        return categories.get(parts[2], parts[2]), pick(CATEGORY_FIELDS.get(parts[3], (parts[3], parts[3])), lang)
    if parts[:2] == ["service_hall", "case_types"] and len(parts) == 4:
        kind = pick(CASE_TYPES[parts[2]], lang) if parts[2] in CASE_TYPES else labels.domain(parts[2], lang)
        group = f"{pick(GROUPS['service_hall'], lang)}{'：' if lang == 'zh' else ': '}{kind}"
        return group, pick(CASE_TYPE_FIELDS.get(parts[3], (parts[3], parts[3])), lang)
    group = pick(GROUPS[parts[0]], lang) if parts[0] in GROUPS else parts[0]
    words = labels.field(path, lang)
    return group, (words if words != path else ".".join(parts[1:]))


def grouped_rows(found: list[Assumption], lang: Lang, categories: dict[str, str],
                 cell: Callable[[str, str], Any]) -> list[tuple[str, list[list[Any]]]]:
    """Give the assumptions as (group title, rows of item, value, note), groups in the files' order."""
    groups: dict[str, list[list[Any]]] = {}
    for a in found:
        group, item = _field_words(a.path, lang, categories)
        groups.setdefault(group, []).append([cell(item, ""), cell(value_words(a.path, a.value, lang), ""),
                                             cell(_note(a, lang), "")])
    return list(groups.items())


def _note(a: Assumption, lang: Lang) -> str:
    """Give the note without the bare word 假设 / assumption every row would repeat."""
    text = a.text(lang).strip()
    for word in ("假设：", "假设，", "assumption:", "Assumption:", "assumption,", "Assumption,"):
        if text.startswith(word):
            return text[len(word):].strip()
    return "" if text.lower() in ("假设", "assumption") else text


def head(lang: Lang) -> list[str]:
    """Give the table's columns: the item, its value, the note."""
    return [t("as.item", lang), t("value", lang), t("as.note", lang)]
