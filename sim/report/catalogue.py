"""What each measure is called, how it is shown and which way is better: the report's lexicon.

Measure names are the flat names of ``sim.measures.flat`` (``tier_share.grid``,
``workload_gini.worker``, ``squads.S1.utilisation``). A name is matched exactly, else by its
group (the part before the first dot) with the rest as the member (a role, tier, squad).
The headline set is what ``compare``, ``summarize`` and the report show by default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, Literal

Lang = Literal["zh", "en"]
# "load": busy ÷ on-duty time, shown in % but able to exceed 100% (part-time roles, overtime).
Kind = Literal["share", "load", "minutes", "days", "gini", "count", "ratio", "money"]

# Headline measures (DESIGN §4 and issue 16): glob patterns over flat names, in display order.
HEADLINE: tuple[str, ...] = (
    "share_within_15min",
    "share_within_15min_dispatched",
    "problem_to_scene_*",
    "problem_to_closure_*",
    "closure_on_time_share",
    "grid_village_share",
    "workload_mean.*",
    "workload_max.*",
    "workload_gini.*",
    "staff_headcount.total",
    "staff_fte.total",
    "staff_cost_per_year.total",
    "hall_wait_mean_min",
)


@dataclass(frozen=True)
class Measure:
    """How a report names and reads one measure: its labels, its kind, which way is better, its stage."""

    zh: str
    en: str
    kind: Kind
    better: int = 0  # +1 higher is better, -1 lower is better, 0 neither
    stage: str | None = None  # the model stage that drives it (discovery, dispatch, escalation, hall)


_EXACT: dict[str, Measure] = {
    "incidents": Measure("事件数", "incidents", "count"),
    "reported": Measure("已上报事件数", "incidents reported", "count"),
    "grids": Measure("网格数", "grids", "count"),
    "unreported_share": Measure("期末仍未发现的问题占比", "share of problems never noticed", "share", -1, "discovery"),
    "events_per_grid_per_month": Measure("每网格每月事件数", "events per grid per month", "count"),
    "discovery_p50_min": Measure("发现时间中位数（分钟）", "time to notice a problem, median (min)", "minutes", -1,
                                 "discovery"),
    "response_p50_min": Measure("到场时间中位数（分钟）", "response time, median (min)", "minutes", -1, "dispatch"),
    "response_p90_min": Measure("到场时间90分位（分钟）", "response time, 90th percentile (min)", "minutes", -1,
                                "dispatch"),
    "response_mean_min": Measure("平均到场时间（分钟）", "response time, mean (min)", "minutes", -1, "dispatch"),
    "share_within_15min": Measure("15分钟到场率（15分钟类事件）", "15-minute share (15-minute-class problems)",
                                  "share", +1, "dispatch"),
    "share_within_15min_dispatched": Measure("15分钟到场率（派中队的事件）",
                                             "15-minute share of problems a squad was sent to", "share", +1,
                                             "dispatch"),
    "closure_p50_min": Measure("办结时间中位数（分钟）", "time to closure, median (min)", "minutes", -1, "escalation"),
    "closure_on_time_share": Measure("按时办结率", "closed on time", "share", +1, "escalation"),
    "closed_share": Measure("办结率（已过时限的事件）", "closed, of cases past their limit", "share", +1, "escalation"),
    "grid_village_share": Measure("网格和村内解决占比", "settled in the grid or village", "share", +1, "escalation"),
    "backlog_mean": Measure("平均积压（未办结事件）", "open problems on average (backlog)", "count", -1),
    "backlog_end": Measure("期末积压", "open problems at the end", "count", -1),
    "squad_wait_share": Measure("需排队等中队的占比", "share of squad calls that wait for a crew", "share", -1,
                                "dispatch"),
    "squad_wait_mean_min": Measure("等中队的平均时间（分钟）", "mean wait for a squad crew (min)", "minutes", -1,
                                   "dispatch"),
    "squad_queue_littles_ratio": Measure("中队队列利特尔定律比值", "squad queue: Little's law ratio", "ratio"),
    "squad_preemptions": Measure("中队任务被抢占次数", "squad jobs preempted by a graver call", "count", 0,
                                 "dispatch"),
    "overdue_alarms": Measure("超时预警次数", "overdue alarms", "count", -1, "escalation"),
    "hall_cases": Measure("政务服务办件数", "service-hall cases", "count", 0, "hall"),
    "hall_visits": Measure("大厅到访次数", "service-hall visits", "count", -1, "hall"),
    "hall_cases_per_day": Measure("每开放日办件数", "service-hall cases per open day", "count", 0, "hall"),
    "hall_wait_mean_min": Measure("大厅平均等候（分钟）", "service hall: mean wait (min)", "minutes", -1, "hall"),
    "hall_wait_share": Measure("大厅需等候的占比", "service hall: share who wait", "share", -1, "hall"),
    "hall_wait_p90_min": Measure("大厅等候90分位（分钟）", "service hall: wait, 90th percentile (min)", "minutes", -1,
                                 "hall"),
    "hall_time_in_system_mean_min": Measure("大厅平均逗留（分钟）", "service hall: time in the hall (min)", "minutes",
                                            -1, "hall"),
    "hall_visits_per_case": Measure("每件到访次数", "service hall: visits per case", "ratio", -1, "hall"),
    "hall_online_share": Measure("网上办理占比", "service hall: share done online", "share", +1, "hall"),
    "hall_processing_days_mean": Measure("平均办理天数", "service hall: processing days, mean", "days", -1, "hall"),
    "hall_complex_processing_days_mean": Measure("复杂事项平均办理天数", "service hall: complex matters, days",
                                                 "days", -1, "hall"),
    "hall_window_utilisation": Measure("窗口利用率", "service hall: window utilisation", "share", 0, "hall"),
    "hall_window_gini": Measure("窗口负荷基尼系数", "service hall: window load Gini", "gini", -1, "hall"),
    "hall_littles_law_ratio": Measure("大厅利特尔定律比值", "service hall: Little's law ratio", "ratio", 0, "hall"),
}

# Groups: flat name "group.member" → label with {m} the member's label.
_GROUPS: dict[str, Measure] = {
    "tier_share": Measure("{m}解决占比", "resolved at {m}", "share", 0, "escalation"),
    "channel_share": Measure("经{m}发现的占比", "noticed by {m}", "share", 0, "discovery"),
    "workload_gini": Measure("工作量基尼系数：{m}", "workload balance (Gini): {m}", "gini", -1),
    "workload_cv": Measure("工作量变异系数：{m}", "workload CV: {m}", "ratio", -1),
    "workload_max_over_mean": Measure("最大÷平均工作量：{m}", "workload max ÷ mean: {m}", "ratio", -1),
    "workload_mean": Measure("平均工作量：{m}", "workload, mean: {m}", "load", 0),
    "workload_max": Measure("最大工作量：{m}", "workload, max: {m}", "load", -1),
    "staff_headcount": Measure("人数：{m}", "headcount: {m}", "count", 0),
    "staff_fte": Measure("折合全职人数：{m}", "full-time equivalents: {m}", "count", 0),
    "staff_cost_per_year": Measure("年人员成本：{m}", "staff cost a year: {m}", "money", -1),
    "workload_case_mean": Measure("平均案件工作量：{m}", "case workload, mean: {m}", "load", 0),
    "workload_routine_mean": Measure("平均日常工作量：{m}", "routine workload, mean: {m}", "load", 0),
    "overtime_hours_per_month": Measure("每月加班小时：{m}", "overtime hours a month: {m}", "count", -1),
    "department_utilisation": Measure("{m}职能部门利用率", "{m} departments: utilisation", "share", 0, "escalation"),
    "department_wait_mean_min": Measure("{m}职能部门平均等待（分钟）", "{m} departments: mean wait (min)", "minutes", -1,
                                        "escalation"),
}

_SQUAD_FIELDS: dict[str, Measure] = {
    "utilisation": Measure("中队{m}利用率", "squad {m}: utilisation", "share", 0, "dispatch"),
    "calls_share": Measure("中队{m}出警占比", "squad {m}: share of calls", "share", 0, "dispatch"),
    "outside_zone_share": Measure("中队{m}跨区出警占比", "squad {m}: calls outside its zone", "share", -1, "dispatch"),
}

# Members of groups: roles, tiers, channels.
MEMBERS: dict[str, tuple[str, str]] = {
    "chief": ("网格长", "grid chief"),
    "worker": ("网格员", "grid worker"),
    "supervisor": ("督查员", "supervisor"),
    "info_officer": ("信息员", "information officer"),
    "liaison": ("联络员", "liaison"),
    "patrol_officer": ("巡查员", "patrol officer"),
    "inspector": ("部门巡查员", "departmental inspector"),
    "village_cadre": ("村干部", "village cadre"),
    "squad_crew": ("执法车组", "squad crew"),
    "squad_officer": ("执法队员", "squad officer"),
    "hall_window": ("服务窗口", "hall window"),
    "town_department": ("镇职能部门", "town departments"),
    "county_department": ("县级部门", "county departments"),
    "total": ("合计", "total"),
    "grid": ("网格", "grid"),
    "village": ("村（社区）", "village"),
    "town": ("镇", "town"),
    "county": ("县（区）", "county"),
    "patrol": ("巡查", "patrol"),
    "hotline": ("12345热线", "12345 hotline"),
    "camera": ("视频监控", "cameras"),
    "party": ("党员中心户", "Party centre households"),
    "none": ("未发现", "not noticed"),
}

_PROBLEM_TO = {
    "problem_to_scene": ("问题发生到到场", "problem to someone on scene"),
    "problem_to_closure": ("问题发生到办结", "problem to closure"),
}
_STAT = {"p50": ("中位数", "median"), "p90": ("90分位", "90th percentile"), "mean": ("平均", "mean")}


DEPARTMENTS: dict[str, tuple[str, str]] = {
    "urban_management": ("城管", "urban management"),
    "work_safety": ("安监", "work safety"),
    "environment": ("环保", "environment"),
    "land_planning": ("国土规划", "land and planning"),
    "utilities": ("公用事业", "utilities"),
    "civil_affairs": ("民政", "civil affairs"),
}


def member(m: str, lang: Lang) -> str:
    """Name a role, tier, channel or department in plain words."""
    pair = MEMBERS.get(m)
    if pair is None and m.endswith("_inspector"):  # before the reform: <department>_inspector
        dept = m.removesuffix("_inspector")
        d = DEPARTMENTS.get(dept, (dept.replace("_", " "), dept.replace("_", " ")))
        pair = (f"{d[0]}巡查员", f"{d[1]} inspector")
    return pair[0 if lang == "zh" else 1] if pair else m


def measure(name: str) -> Measure | None:
    """Look up the catalogue entry of a flat measure name (None: shown under its own name)."""
    if name in _EXACT:
        return _EXACT[name]
    parts = name.split(".")
    if parts[0] == "squads" and len(parts) == 3 and parts[2] in _SQUAD_FIELDS:
        return _SQUAD_FIELDS[parts[2]]
    if len(parts) == 2 and parts[0] in _GROUPS:
        return _GROUPS[parts[0]]
    for prefix, (zh, en) in _PROBLEM_TO.items():
        if name.startswith(prefix):
            stat = next((s for s in _STAT if f"_{s}" in name), "mean")
            unit_zh, unit_en = ("天", "days") if name.endswith("_days") else ("分钟", "min")
            return Measure(f"{zh}{_STAT[stat][0]}（{unit_zh}）", f"{en}, {_STAT[stat][1]} ({unit_en})",
                           "days" if name.endswith("_days") else "minutes", -1,
                           "discovery" if prefix == "problem_to_scene" else "escalation")
    if name.startswith("staff_"):
        return Measure(name, name.replace("_", " "), "money" if "cost" in name else "count", 0)
    return None


def label(name: str, lang: Lang) -> str:
    """Plain-words label of a measure in Chinese or English."""
    m = measure(name)
    if m is None:
        return name
    text = m.zh if lang == "zh" else m.en
    parts = name.split(".")
    if "{m}" in text:
        text = text.replace("{m}", member(parts[1], lang))
    return text


def kind(name: str) -> Kind:
    """Give the measure's kind (share, minutes, count …), which decides its format and range."""
    m = measure(name)
    return m.kind if m else ("share" if name.endswith("_share") else "count")


def better(name: str) -> int:
    """Which way is better for the measure (+1 higher, -1 lower, 0 neither), to colour differences."""
    m = measure(name)
    return m.better if m else 0


def stage(name: str) -> str | None:
    """Give the model stage a measure belongs to, so the report can explain a difference by its stage."""
    m = measure(name)
    return m.stage if m else None


def is_headline(name: str) -> bool:
    """Whether the measure is one of the headline measures shown first."""
    return any(fnmatchcase(name, p) for p in HEADLINE)


def headline_order(names: list[str]) -> list[str]:
    """Order the headline measures among ``names`` as HEADLINE lists them, then as given."""
    out: list[str] = []
    for p in HEADLINE:
        out += [n for n in names if fnmatchcase(n, p) and n not in out]
    return out


def fmt(value: Any, name: str, signed: bool = False) -> str:
    """Format a number as a reader wants it: shares in %, minutes and days to 3 significant figures."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    v = float(value)
    k = kind(name)
    sign = "+" if signed and v > 0 else ""
    if k in ("share", "load"):
        return f"{sign}{100 * v:.1f}" + (" pt" if signed else "%")
    if k == "gini" or k == "ratio":
        return f"{sign}{v:.3f}"
    if name.startswith("staff_headcount."):  # people
        return f"{sign}{v:,.0f}"
    if abs(v) >= 1000:
        return f"{sign}{v:,.0f}"
    if abs(v) >= 100:
        return f"{sign}{v:.0f}"
    if abs(v) >= 10:
        return f"{sign}{v:.1f}"
    return f"{sign}{v:.2f}"


def fmt_ci(mean: float, lo: float, hi: float, name: str, signed: bool = False) -> str:
    """``mean [lo, hi]``; the bracket is left out when there is no interval (one replication)."""
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return fmt(mean, name, signed)
    return f"{fmt(mean, name, signed)} [{fmt(lo, name, signed)}, {fmt(hi, name, signed)}]"
