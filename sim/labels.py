"""Words for the codes, in Chinese and English: the only place a record becomes text.

The engine stores codes (``sim.vocabulary``, ``sim.history``); the dashboard, reports and
any other reader call :func:`label`, :func:`actor_name` and :func:`render_story` here, so
a Chinese page never shows an English phrase and nobody parses text back into meaning.
Every code has a ``(zh, en)`` pair (``tests/test_labels.py`` checks it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Literal, Protocol

from sim.history import Actor, StoryEntry
from sim.vocabulary import (
    ActorRole,
    AlarmKind,
    Channel,
    Duty,
    GridRole,
    HallChannel,
    LandUse,
    Reason,
    StaffRole,
    Stage,
    Tier,
)

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")

TIERS: dict[Tier, tuple[str, str]] = {
    Tier.GRID: ("网格", "grid"),
    Tier.VILLAGE: ("村", "village"),
    Tier.TOWN: ("镇", "town"),
    Tier.COUNTY: ("县（市）", "county"),
}
CHANNELS: dict[Channel, tuple[str, str]] = {
    Channel.PATROL: ("巡查发现", "patrol"),
    Channel.HOTLINE: ("12345热线", "12345 hotline"),
    Channel.CAMERA: ("视频监控", "camera"),
    Channel.PARTY: ("党员中心户", "Party centre household"),
    Channel.NONE: ("未发现", "not noticed"),
}
HALL_CHANNELS: dict[HallChannel, tuple[str, str]] = {
    HallChannel.ONLINE: ("网上办（不见面）", "online"),
    HallChannel.PROXY: ("代办", "by proxy"),
    HallChannel.IN_PERSON: ("窗口办", "in person"),
}
ALARMS: dict[AlarmKind, tuple[str, str]] = {
    AlarmKind.RESPONSE: ("到场超时", "response overdue"),
    AlarmKind.CLOSURE: ("办结超时", "closure overdue"),
}
STAGES: dict[Stage, tuple[str, str]] = {
    Stage.OCCURRED: ("发生", "occurred"),
    Stage.REPORTED: ("上报", "reported"),
    Stage.SPOT_FIX_FAILED: ("未能当场处置", "spot fix failed"),
    Stage.HANDED_OFF: ("部门转交", "handed off"),
    Stage.QUEUED: ("排队", "queued"),
    Stage.DISPATCHED: ("派遣", "dispatched"),
    Stage.ARRIVED: ("到场", "on scene"),
    Stage.ESCALATED: ("升级", "escalated"),
    Stage.RESOLVED: ("解决", "resolved"),
    Stage.ALARM: ("预警", "alarm"),
    Stage.REWORK: ("返工", "rework"),
    Stage.CLOSED: ("办结", "closed"),
}
# Reasons may use {limit_h}, {limit_min}, {waiting}, {domain}.
REASONS: dict[Reason, tuple[str, str]] = {
    Reason.NONE: ("", ""),
    Reason.SEEN_ON_PATROL: ("巡查发现", "seen on patrol"),
    Reason.HOTLINE_CALL: ("12345热线来电", "12345 hotline call"),
    Reason.CAMERA_ALERT: ("视频监控发现", "spotted by a camera"),
    Reason.PARTY_HOUSEHOLD: ("党员中心户报告", "told by a Party centre household"),
    Reason.CANNOT_SETTLE_ON_SPOT: ("无法当场处置，上报指挥中心", "cannot settle it on the spot"),
    Reason.FIXES_ON_SPOT: ("当场处置", "fixes it on the spot"),
    Reason.WRONG_DEPARTMENT: ("首报部门不对，转交{domain}", "first heard by the wrong department, passed to {domain}"),
    Reason.NO_CREW_FREE: ("车组全忙或不在班（{waiting}件等待）", "no crew free: busy or off shift ({waiting} waiting)"),
    Reason.CONVENED: ("镇党委召集部门会商（难事不出镇）", "the town committee convenes the departments"),
    Reason.TIME_LIMIT_USED: ("时限用尽（{limit_h}小时）", "time limit used ({limit_h} h)"),
    Reason.NOT_RESOLVED: ("本级未能解决", "not resolved at this tier"),
    Reason.NOBODY_FOR_DOMAIN: ("本级无人负责该类事项", "nobody at this tier handles this kind of problem"),
    Reason.RESPONSE_OVERDUE: ("到场超时（时限{limit_min}分钟）", "response overdue (limit {limit_min} min)"),
    Reason.CLOSURE_OVERDUE: ("办结超时（时限{limit_h}小时）", "closure overdue (limit {limit_h} h)"),
    Reason.VERIFY_FAILED: ("核查未通过，退回返工", "not fixed, sent back"),
    Reason.VERIFIED: ("核查通过", "verified"),
    Reason.NOT_VERIFIED: ("部门自行办结（无独立核查）", "closed by the department itself (no independent check)"),
    Reason.REFERRED: ("移交县（市）部门（镇无此权限）", "referred to the county department (powers the town does not hold)"),
    Reason.PREEMPTED: ("车组被调往更紧急的案件，重新排队（{waiting}件等待）",
                       "its crew was called to a more urgent case; queued again ({waiting} waiting)"),
}
ACTOR_ROLES: dict[ActorRole, tuple[str, str]] = {
    ActorRole.CHIEF: ("网格长", "grid chief"),
    ActorRole.WORKER: ("专职网格员", "grid worker"),
    ActorRole.SUPERVISOR: ("督查员", "supervisor"),
    ActorRole.INFO_OFFICER: ("信息员", "information officer"),
    ActorRole.LIAISON: ("联络员", "liaison"),
    ActorRole.PATROL_OFFICER: ("巡查员", "patrol officer"),
    ActorRole.INSPECTOR: ("部门巡查员", "department inspector"),
    ActorRole.VILLAGE_CADRE: ("村干部", "village cadre"),
    ActorRole.SQUAD_CREW: ("执法中队车组", "squad crew"),
    ActorRole.COMMAND_CENTRE: ("指挥中心", "command centre"),
    ActorRole.TOWN_DEPARTMENT: ("镇职能部门", "town department"),
    ActorRole.COUNTY_DEPARTMENT: ("县（市）部门", "county department"),
    ActorRole.EMERGENCY: ("110/119", "110/119"),
    ActorRole.TOWN_COMMITTEE: ("镇党委（召集会商）", "town committee (convened)"),
    ActorRole.DEPARTMENT: ("主管部门", "the owning department"),
}
# Staff roles as groups (workload lines, staff tables); plural in English.
STAFF_ROLES: dict[str, tuple[str, str]] = {
    GridRole.CHIEF: ("网格长", "grid chiefs"),
    GridRole.WORKER: ("专职网格员", "grid workers"),
    GridRole.SUPERVISOR: ("督查员", "supervisors"),
    GridRole.INFO_OFFICER: ("信息员", "information officers"),
    GridRole.LIAISON: ("联络员", "liaisons"),
    GridRole.PATROL_OFFICER: ("巡查员", "patrol officers"),
    StaffRole.VILLAGE_CADRE: ("村干部", "village cadres"),
    StaffRole.SQUAD_CREW: ("执法车组", "squad crews"),
    StaffRole.HALL_WINDOW: ("服务大厅窗口", "service-hall windows"),
    StaffRole.TOWN_DEPARTMENT: ("镇职能部门人员", "town department staff"),
    StaffRole.COUNTY_DEPARTMENT: ("县级部门人员", "county department staff"),
    StaffRole.SQUAD_OFFICER: ("执法队员", "squad officers"),
}
DUTIES: dict[Duty, tuple[str, str]] = {
    Duty.PATROL: ("巡查", "patrol"),
    Duty.FIX: ("处置", "fix"),
    Duty.MEDIATE: ("调解", "mediate"),
    Duty.VERIFY: ("核查", "verify"),
}
LAND_USES: dict[LandUse, tuple[str, str]] = {
    LandUse.CORE: ("镇区", "town core"),
    LandUse.INDUSTRIAL: ("工业园区", "industrial park"),
    LandUse.RURAL: ("农村", "rural"),
}
# Departments (a category's ``domain``) of the preset scenarios; others show their key.
DOMAINS: dict[str, tuple[str, str]] = {
    "urban_management": ("城市管理", "urban management"),
    "sanitation": ("环境卫生", "sanitation"),
    "public_security": ("社会治安", "public security"),
    "environment": ("生态环境", "environment"),
    "civil_affairs": ("民政", "civil affairs"),
    "land_planning": ("自然资源和规划", "land and planning"),
    "justice": ("司法", "justice"),
    "work_safety": ("安全生产", "work safety"),
    "utilities": ("市政公用", "utilities"),
}
_TABLES: dict[type[Enum], dict] = {
    Tier: TIERS, Channel: CHANNELS, HallChannel: HALL_CHANNELS, AlarmKind: ALARMS, Stage: STAGES,
    Reason: REASONS, ActorRole: ACTOR_ROLES, Duty: DUTIES, LandUse: LAND_USES,
    GridRole: STAFF_ROLES, StaffRole: STAFF_ROLES,
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def label(code: Enum, lang: str) -> str:
    """Give the word for a code (a tier, stage, reason, channel, role, ...) in ``lang``."""
    return _pick(_TABLES[type(code)][code], lang)


def staff_role(role: str, lang: str) -> str:
    """Name a staff role as a group; a departmental inspector by its department."""
    if role in STAFF_ROLES:
        return _pick(STAFF_ROLES[role], lang)
    department = role.removesuffix("_inspector")
    return f"{domain(department, 'zh')}巡查员" if lang == "zh" else f"{domain(department, 'en')} inspectors"


def domain(name: str, lang: str) -> str:
    """Name a department; one the presets do not know shows its key in words."""
    return _pick(DOMAINS[name], lang) if name in DOMAINS else name.replace("_", " ")


def actor_name(actor: Actor, lang: str) -> str:
    """Name an actor readably: 网格长（网格 V47-1）, 执法中队 S2 第1组, 村干部（V12 第2位）, 指挥中心."""
    role, zh = actor.role, lang == "zh"
    if role == ActorRole.SQUAD_CREW:
        return f"执法中队 {actor.unit} 第{actor.number}组" if zh else f"squad {actor.unit}, crew {actor.number}"
    if role == ActorRole.VILLAGE_CADRE:
        return (f"村干部（{actor.unit} 第{actor.number}位）" if zh
                else f"village cadre {actor.number} of {actor.unit}")
    if role == ActorRole.INSPECTOR:
        dept = domain(actor.domain, lang)
        return (f"{dept}巡查员（网格 {actor.unit}）" if zh
                else f"{dept} inspector (grid {actor.unit})")
    if role in (ActorRole.TOWN_DEPARTMENT, ActorRole.COUNTY_DEPARTMENT) and actor.id:  # a staffed department's member
        body, dept = label(role, lang), domain(actor.domain, lang)
        return (f"{body}（{dept}）第{actor.number}位" if zh
                else f"{body} ({dept}), staff member {actor.number}")
    if role == ActorRole.DEPARTMENT and actor.domain:
        return f"{domain(actor.domain, 'zh')}部门" if zh else f"the {domain(actor.domain, 'en')} department"
    name = label(role, lang)
    if not actor.unit:
        return name
    number = f" {actor.number}" if actor.number > 1 else ""
    return f"{name}{number}（网格 {actor.unit}）" if zh else f"{name}{number} (grid {actor.unit})"


class Named(Protocol):
    """A category as the story needs it (read-only, so a frozen config model fits)."""

    @property
    def name(self) -> str:
        """The category's key, shown in words in English."""

    @property
    def label_zh(self) -> str:
        """The category's Chinese name from the scenario (may be empty)."""


def category(cat: Named, lang: str) -> str:
    """Give a category's display name: its ``label_zh`` in Chinese, its name in words in English."""
    if lang == "zh" and cat.label_zh:
        return cat.label_zh
    return cat.name.replace("_", " ")


@dataclass(frozen=True)
class StoryText:
    """One story entry in words: the stage, who acted and why (or what)."""

    stage: str
    who: str
    why: str


def _reason(entry: StoryEntry, lang: str) -> str:
    limit = entry.limit_min if entry.limit_min is not None and math.isfinite(entry.limit_min) else math.nan
    fmt = {
        "limit_min": f"{limit:g}",
        "limit_h": f"{limit / 60:g}",
        "waiting": entry.values.get("waiting", ""),
        "domain": domain(str(entry.values.get("domain", "")), lang),
    }
    return label(entry.reason, lang).format(**fmt)


def render_story(entry: StoryEntry, lang: str, categories: Sequence[Named] = ()) -> StoryText:
    """Words for one story entry; ``categories`` name the problem of an OCCURRED entry."""
    why = _reason(entry, lang)
    if entry.stage == Stage.OCCURRED and "category" in entry.values and categories:
        why = category(categories[int(entry.values["category"])], lang)
    elif entry.stage == Stage.ESCALATED and entry.tier is not None and entry.tier < Tier.COUNTY:
        sep = "：" if lang == "zh" else ": "
        why = f"{label(entry.tier, lang)} → {label(Tier(entry.tier + 1), lang)}{sep}{why}"
    elif entry.stage == Stage.RESOLVED and entry.tier is not None:
        why = label(entry.tier, lang)
    who = actor_name(entry.actor, lang) if entry.actor is not None else ""
    return StoryText(label(entry.stage, lang), who, why)
