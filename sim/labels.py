"""The domain's words in Chinese and English, once: the only place a code or a name becomes text.

The engine stores codes (``sim.vocabulary``, ``sim.history``), measures by name
(``sim.measures``) and warnings as a code with values (``sim.warnings``); every edge (the
CLI's tables, reports, the dashboard, maps) takes its words from the tables here through
:func:`label`, :func:`staff_role`, :func:`domain`, :func:`measure`, :func:`map_feature`,
:func:`plan_side`, :func:`warning` and :func:`render_story`, so a Chinese page never shows an
English phrase, nobody parses text back into meaning, and no word has two definitions. Page
layout text (headings, buttons) stays with its page. Every entry has a ``(zh, en)`` pair
(``tests/test_labels.py`` checks it).

Stages follow the closed loop of DESIGN.md §3 and issue 17: 发生 occurred → 发现/上报 reported
→ 派遣 dispatched → 到场 on scene → 办结 resolved (``resolved_at``) → 核查 verified → 结案
closed (``closed_at``). So closure and "closed on time" are 结案, and a tier resolves (办结) a case.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, Protocol

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
    Channel.PATROL: ("网格巡查", "patrol"),  # a channel, as 经{m}发现 names it: not "巡查发现"
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
    AlarmKind.CLOSURE: ("结案超时", "closure overdue"),
}
STAGES: dict[Stage, tuple[str, str]] = {
    Stage.OCCURRED: ("发生", "occurred"),
    Stage.REPORTED: ("发现/上报", "found/reported"),
    Stage.SPOT_FIX_FAILED: ("未能当场处置", "spot fix failed"),
    Stage.HANDED_OFF: ("部门转交", "handed off"),
    Stage.QUEUED: ("排队", "queued"),
    Stage.DISPATCHED: ("派遣", "dispatched"),
    Stage.ARRIVED: ("到场", "on scene"),
    Stage.ESCALATED: ("升级", "escalated"),
    Stage.RESOLVED: ("办结", "resolved"),
    Stage.ALARM: ("预警", "alarm"),
    Stage.REWORK: ("返工", "rework"),
    Stage.CLOSED: ("结案", "closed"),
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
    Reason.NOT_RESOLVED: ("本级未能办结", "not resolved at this tier"),
    Reason.NOBODY_FOR_DOMAIN: ("本级无人负责该类事项", "nobody at this tier handles this kind of problem"),
    Reason.RESPONSE_OVERDUE: ("到场超时（时限{limit_min}分钟）", "response overdue (limit {limit_min} min)"),
    Reason.CLOSURE_OVERDUE: ("结案超时（时限{limit_h}小时）", "closure overdue (limit {limit_h} h)"),
    Reason.VERIFY_FAILED: ("核查未通过，退回返工", "not fixed, sent back"),
    Reason.VERIFIED: ("核查通过", "verified"),
    Reason.NOT_VERIFIED: ("部门自行结案（无独立核查）", "closed by the department itself (no independent check)"),
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
    ActorRole.INSPECTOR: ("部门巡查员", "department inspectors"),
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
    # departments of the service hall's windows
    "human_resources_social_security": ("人力资源和社会保障", "human resources and social security"),
    "healthcare_security": ("医疗保障", "healthcare security"),
    "market_regulation": ("市场监管", "market regulation"),
    "housing_land": ("住房和国土", "housing and land"),
    "health": ("卫生健康", "health"),
    "agriculture": ("农业农村", "agriculture"),
}
# Measures: the flat names of ``sim.measures.flat`` (``tier_share.grid``, ``squads.S1.utilisation``),
# the per-grid columns of grids.parquet (maps) and the dashboard's live counts. How each is shown
# and which way is better is the report's business (``sim.report.catalogue``); its words are here.
MEASURES: dict[str, tuple[str, str]] = {
    "incidents": ("事件数", "incidents"),
    "reported": ("已上报事件数", "incidents reported"),
    "grids": ("网格数", "grids"),
    "unreported_share": ("期末仍未发现的问题占比", "share of problems never noticed"),
    "events_per_grid_per_month": ("每网格每月事件数", "events per grid per month"),
    "discovery_p50_min": ("发现时间中位数（分钟）", "time to notice a problem, median (min)"),
    "response_p50_min": ("到场时间中位数（分钟）", "response time, median (min)"),
    "response_p90_min": ("到场时间90分位（分钟）", "response time, 90th percentile (min)"),
    "response_mean_min": ("平均到场时间（分钟）", "response time, mean (min)"),
    "share_within_15min": ("15分钟到场率（15分钟类事件）", "15-minute share (15-minute-class problems)"),
    "share_within_15min_dispatched": ("15分钟到场率（派中队的事件）", "15-minute share of problems a squad was sent to"),
    "closure_p50_min": ("结案时间中位数（分钟）", "time to closure, median (min)"),
    "closure_on_time_share": ("按时结案率", "closed on time"),
    "closed_share": ("结案率（已过时限的事件）", "closed, of cases past their limit"),
    "grid_village_share": ("网格和村内办结占比", "resolved in the grid or village"),
    "backlog_mean": ("平均积压（未结案事件）", "open problems on average (backlog)"),
    "backlog_end": ("期末积压", "open problems at the end"),
    "squad_offered_load": ("中队提供负荷（需求÷在岗车组）", "squads: offered load (demand ÷ crews on duty)"),
    "squad_wait_share": ("需排队等中队的占比", "share of squad calls that wait for a crew"),
    "squad_wait_mean_min": ("等中队的平均时间（分钟）", "mean wait for a squad crew (min)"),
    "squad_travel_mean_min": ("车组平均路程时间（分钟）", "mean travel time of a crew (min)"),
    "squad_queue_littles_ratio": ("中队队列利特尔定律比值", "squad queue: Little's law ratio"),
    "squad_preemptions": ("中队任务被抢占次数", "squad jobs preempted by a graver call"),
    "overdue_alarms": ("超时预警次数", "overdue alarms"),
    "hall_cases": ("政务服务办件数", "service-hall cases"),
    "hall_visits": ("大厅到访次数", "service-hall visits"),
    "hall_cases_per_day": ("每开放日办件数", "service-hall cases per open day"),
    "hall_wait_mean_min": ("大厅平均等候（分钟）", "service hall: mean wait (min)"),
    "hall_wait_share": ("大厅需等候的占比", "service hall: share who wait"),
    "hall_wait_p90_min": ("大厅等候90分位（分钟）", "service hall: wait, 90th percentile (min)"),
    "hall_time_in_system_mean_min": ("大厅平均逗留（分钟）", "service hall: time in the hall (min)"),
    "hall_visits_per_case": ("每件到访次数", "service hall: visits per case"),
    "hall_online_share": ("网上办理占比", "service hall: share done online"),
    "hall_processing_days_mean": ("平均办理天数", "service hall: processing days, mean"),
    "hall_complex_processing_days_mean": ("复杂事项平均办理天数", "service hall: complex matters, days"),
    "hall_window_utilisation": ("窗口利用率", "service hall: window utilisation"),
    "hall_window_gini": ("窗口负荷基尼系数", "service hall: window load Gini"),
    "hall_littles_law_ratio": ("大厅利特尔定律比值", "service hall: Little's law ratio"),
    # per grid (grids.parquet and its maps)
    "workload": ("网格人员工作负荷", "grid staff workload"),
    "response_on_time_share": ("按时响应率", "response on time"),
    "verified_first_time_share": ("一次核查通过率", "verified first time"),
    "score": ("考核得分", "evaluation score"),
    "incidents_per_month": ("每月事件数", "incidents per month"),
    "households": ("户数", "households"),
    "staff": ("网格人员", "grid staff"),
    "area_km2": ("面积", "area"),
    # plans (gridsim plan): what a proposal is judged on, per grid
    "squad_calls_per_day": ("每天派中队事件", "squad calls a day"),
    "expected_events_per_month": ("每网格每月预期事件数", "expected events per grid a month"),
    # a grid division's objectives (gridsim plan grids: objectives.csv; "grids" above)
    "villages with 2-3 grids (share)": ("划为2–3个网格的村占比", "villages with 2–3 grids"),
    "grids inside the household range (share)": ("户数在范围内的网格占比", "grids inside the household range"),
    "households per grid, min": ("每格户数，最少", "households per grid, min"),
    "households per grid, max": ("每格户数，最多", "households per grid, max"),
    "events per grid per month, mean": ("每格每月事件数，平均", "events per grid per month, mean"),
    "events per grid per month, CV": ("每格每月事件数，变异系数", "events per grid per month, CV"),
    "events per grid per month, max/mean": ("每格每月事件数，最大÷平均", "events per grid per month, max/mean"),
    "events within a village, max/mean (worst village)": ("村内各格事件数，最大÷平均（最不均的村）",
                                                          "events within a village, max/mean (worst village)"),
    "compactness (Polsby-Popper), mean": ("紧凑度（Polsby–Popper），平均", "compactness (Polsby–Popper), mean"),
    # live on the dashboard: now, or so far in the run
    "backlog": ("待办积压", "backlog"),
    "closed": ("已结案", "closed"),
    "crews_busy": ("忙碌车组", "crews busy"),
    "queued_for_squad": ("等待中队", "queued for squads"),
}
# Groups: "group.member" with {m} the member's words (a tier, a channel, a staff role).
MEASURE_GROUPS: dict[str, tuple[str, str]] = {
    # Both simulated: the tier that acted, and the same cases counted as public statistics count them
    # (squad work on grid-reported cases booked at the grid); neither is the published figure itself.
    "tier_share": ("{m}办结占比（按实际处置层级）", "resolved at {m} (by the tier that acted)"),
    "tier_share_published": ("{m}办结占比（仿真，按公开统计口径计）", "resolved at {m} (simulated, by the published counting rule)"),
    "channel_share": ("经{m}发现的占比", "noticed by {m}"),
    "workload_gini": ("工作量基尼系数：{m}", "workload balance (Gini): {m}"),
    "workload_cv": ("工作量变异系数：{m}", "workload CV: {m}"),
    "workload_max_over_mean": ("最大÷平均工作量：{m}", "workload max ÷ mean: {m}"),
    "workload_mean": ("平均工作量：{m}", "workload, mean: {m}"),
    "workload_max": ("最大工作量：{m}", "workload, max: {m}"),
    "staff_headcount": ("人数：{m}", "headcount: {m}"),
    "staff_fte": ("折合全职人数：{m}", "full-time equivalents: {m}"),
    "staff_cost_per_year": ("年人员成本（元）：{m}", "staff cost a year (yuan): {m}"),
    "workload_case_mean": ("平均案件工作量：{m}", "case workload, mean: {m}"),
    "workload_routine_mean": ("平均日常工作量：{m}", "routine workload, mean: {m}"),
    "overtime_hours_per_month": ("每月加班小时：{m}", "overtime hours a month: {m}"),
    "department_utilisation": ("{m}职能部门利用率", "{m} departments: utilisation"),
    "department_wait_mean_min": ("{m}职能部门平均等待（分钟）", "{m} departments: mean wait (min)"),
}
# A group as a heading over its members (the dashboard's live table).
GROUP_TITLES: dict[str, tuple[str, str]] = {
    "tier_share": ("各层级办结占比", "share resolved at each tier"),
    "workload_gini": ("工作量均衡（基尼系数）", "workload balance (Gini)"),
}
SQUAD_MEASURES: dict[str, tuple[str, str]] = {
    "utilisation": ("中队{m}利用率", "squad {m}: utilisation"),
    "calls_share": ("中队{m}出警占比", "squad {m}: share of calls"),
    "outside_zone_share": ("中队{m}跨区出警占比", "squad {m}: calls outside its zone"),
}
# problem_to_scene_p50_min, problem_to_closure_p90_days, ...: what, which statistic, which unit.
PROBLEM_TO: dict[str, tuple[str, str]] = {
    "problem_to_scene": ("问题发生到到场", "problem to someone on scene"),
    "problem_to_closure": ("问题发生到结案", "problem to closure"),
}
STATISTICS: dict[str, tuple[str, str]] = {"p50": ("中位数", "median"), "p90": ("90分位", "90th percentile"),
                                          "mean": ("平均", "mean")}
TOTAL = ("合计", "total")
# The model's parts a measure passes through (``sim.report.catalogue``'s ``stage``), for
# explaining where a difference arose.
MODEL_STAGES: dict[str, tuple[str, str]] = {
    "discovery": ("发现", "discovery"),
    "dispatch": ("派遣", "dispatch"),
    "escalation": ("逐级处置", "escalation"),
    "hall": ("政务服务大厅", "service hall"),
    "staffing": ("人员配置", "staffing"),
}
# What a map draws besides its shading (legends of sim.geo's maps, the dashboard, plan maps).
MAP_FEATURES: dict[str, tuple[str, str]] = {
    "squad_base": ("中队驻地", "squad base"),
    "squad_zone": ("中队辖区", "squad zone"),
    "squad_route": ("中队路线（道路）", "squad route (roads)"),
    "road": ("道路", "road"),
    "grid_boundary": ("网格界线", "grid boundary"),
    "village_boundary": ("村界", "village boundary"),
    "crew": ("车组", "crew"),
    "todays_bases": ("现有驻地", "today's bases"),
    "candidate_sites": ("候选驻地", "candidate sites"),
}
# The two sides of a plan (gridsim plan and its report).
PLANS: dict[str, tuple[str, str]] = {
    "today": ("今天的方案", "today's plan"),
    "proposal": ("新方案", "proposal"),
}
# How a squad plan placed its bases (``gridsim plan``: sim.plan.bases), short, for legends and tables;
# today's bases (method ``current``) are named as the plan's side ``today``.
PLAN_METHODS: dict[str, tuple[str, str]] = {
    "p-median": ("p-中位", "p-median"),
    "mclp": ("最大覆盖", "MCLP"),
    "p-center": ("p-中心", "p-center"),
}
# Warnings (``sim.warnings``): code → (zh, en) templates over the entry's values.
WARNINGS: dict[str, tuple[str, str]] = {
    "grids_not_more_even": (
        "新方案没有使各网格的预期事件数更均衡（变异系数 {cv_today:.3f} → {cv_proposal:.3f}，最大÷平均 {mm_today:.2f} → {mm_proposal:.2f}）："
        "各村每户每月事件数不同（{epr_low:.3f}–{epr_high:.3f}），网格数先受每格 {low:.0f}–{high:.0f} 户的范围约束（{villages} 个村中有 {range_bound} 个因此达不到每格 {target:.0f} 件的目标），"
        "再受每村 2–3 个网格的规则约束（{preferred} 个村因此偏离目标）；村内各格是均衡的（最不均的村 最大÷平均 {within:.2f}）",
        "the proposal does not make expected events per grid more even (CV {cv_today:.3f} → {cv_proposal:.3f}, max/mean {mm_today:.2f} → {mm_proposal:.2f}): "
        "events per household differ between villages ({epr_low:.3f}–{epr_high:.3f} a month) and grid counts follow the {low:.0f}–{high:.0f} households per grid range first "
        "({range_bound} of {villages} villages cannot reach the target of {target:.0f} events per grid inside it) and the 2–3 grids per village rule second "
        "({preferred} of {villages} villages kept further from it); within villages the grids are even (worst max/mean {within:.2f})",
    ),
    "unstable_queue": (
        "{server}为 {utilisation:.0%}，≥ 100%：队列无限增长，等待时间取决于运行时长",
        "{server} is {utilisation:.0%}, at or above 100%: the queue grows without bound and its waits depend on the run length",
    ),
    "staff_busy_beyond_duty": (
        "{role}中有 {people:.0f}/{total:.0f} 人的忙碌时间超过在岗时间（工作负荷最高 {high:.0%}）：方案超出其工时，需增加人手或减少例行工作",
        "{people:.0f} of {total:.0f} {role} are busy longer than they are on duty (workload up to {high:.0%}): the plan does not fit their hours; add staff or cut routine duties",
    ),
    "grid_households_out_of_range": (
        "{total} 个网格中有 {grids} 个户数为 {low:.0f}–{high:.0f}，超出每格 {range_low:.0f}–{range_high:.0f} 户的规定范围：{names}",
        "{grids} of {total} grids hold {low:.0f}–{high:.0f} households, outside the stated {range_low:.0f}–{range_high:.0f} per grid: {names}",
    ),
    "grid_people_out_of_range": (
        "{total} 个网格中有 {grids} 个人口超过 {limit:.0f} 人（最多 {high:.0f} 人）：{names}",
        "{grids} of {total} grids hold more than {limit:.0f} people (up to {high:.0f}): {names}",
    ),
    "volumes_for_another_town": (
        "本镇（GIS）有 {residents:,.0f} 名居民，而情景的 town.residents 为 {stated:,.0f}（GIS 镇不使用它，多为继承所得）："
        "{volumes}可能是按那个镇设定的；请按本镇重设（并把 town.residents 设为本镇人数）",
        "this GIS town has {residents:,.0f} residents, but the scenario's town.residents is {stated:,.0f} (unused by a GIS town, "
        "inherited most often): {volumes} may be sized for that town; set them for this one (and town.residents to its residents)",
    ),
    "village_grids_out_of_range": (
        "{total} 个村（社区）中有 {villages} 个划分为 {low}–{high} 个网格，超出规定的 {range_low}–{range_high} 个：{names}",
        "{villages} of {total} villages have a grid count of {low}–{high}, outside the stated {range_low}–{range_high} grids per village: {names}",
    ),
    "spot_fix_impossible": (
        "{category}：严重度 {severity} 达到 escalation.severity_to_village = {threshold}，该阈值同时禁止就地处置，spot_fix_prob {spot_fix_prob:g} 不起作用",
        "{category}: severity {severity} reaches escalation.severity_to_village = {threshold}, which also forbids the on-the-spot fix, so its spot_fix_prob {spot_fix_prob:g} is never used",
    ),
    "threshold_without_effect": (
        "escalation.{threshold} = {value} 不改变任何类别的起始层级：调整它没有效果",
        "escalation.{threshold} = {value} changes no category's starting tier (categories already start there or higher): varying it has no effect",
    ),
    "geometry_repaired": (
        "{file}：{count} 个无效的{layer}多边形已用 make_valid 修复（首个：{first}，{reason}）",
        "{file}: {count} invalid {layer} polygon(s) repaired with make_valid (first: {first}, {reason})",
    ),
    "points_outside_villages": (
        "{file}：{total} 个住户/企业点中有 {outside} 个不在任何村（社区）内，已忽略",
        "{file}: {outside} of {total} household/enterprise points lie outside every village and are ignored",
    ),
    "villages_without_points": (
        "{file}：{villages} 个村（社区）没有住户/企业点（{names}），其事件在村域内均匀生成",
        "{file}: {villages} villages have no household/enterprise point ({names}); their incidents are drawn uniformly over the village",
    ),
    "roads_untagged": (
        "{file}：{total} 条边中有 {edges} 条没有 highway 标签，已忽略",
        "{file}: {edges} of {total} edges have no highway tag and are ignored",
    ),
    "roads_without_speed": (
        "{file}：{edges} 条边的道路等级没有速度（{classes}），已忽略（可在 town.roads.speeds 中设定）",
        "{file}: {edges} edges of road classes with no speed ({classes}) are ignored (give them speeds in town.roads.speeds)",
    ),
    "roads_outside_connected_part": (
        "{file}：{total} 个道路节点中有 {nodes} 个（{km:.1f} 公里道路）不在{mode}路网的最大强连通部分内；这些地点的出行从最近的连通节点开始",
        "{file}: {nodes} of {total} road nodes ({km:.1f} km of road) are outside the largest strongly connected part for {mode}; trips there start at the nearest connected node",
    ),
    "grids_far_from_roads": (
        "{file}：{total} 个网格中有 {grids} 个中心 {max_km:g} 公里内没有道路（{names}）；这些网格的出行包含到最近道路的直线距离",
        "{file}: no road reaches {grids} of {total} grids within town.roads.max_access_km = {max_km:g} km of their centre ({names}); trips there include the straight-line distance to the nearest road",
    ),
    "factor_without_effect": (
        "扫描因素 {factor}：各水平 {levels} 的结果完全相同",
        "sweep factor {factor}: its levels {levels} give identical results in every measure",
    ),
}

# What queueing theory assumes and a scenario breaks (``sim.analytic.from_scenario``): code → (zh, en)
# templates over its values; ``gridsim analytic`` lists them under its estimates.
BROKEN_ASSUMPTIONS: dict[str, tuple[str, str]] = {
    "work_not_exponential": (
        "现场处置时间不服从指数分布（损失制下超立方体模型的工作量对此不敏感，有排队时只是近似不敏感）",
        "on-scene times are not exponential (the hypercube's workloads are insensitive to this in loss systems, "
        "only approximately so with a queue)",
    ),
    "work_mean_by_category": (
        "各类事件的平均现场处置时间不同（模型假设只有一个服务率）",
        "mean on-scene time differs by category (one service rate is assumed)",
    ),
    "travel_in_busy_time": (
        "路程占忙碌时间的 {travel_share:.0%}：服务时间取决于地点",
        "travel is {travel_share:.0%} of the busy time: service time depends on location",
    ),
    "squad_shifts": (
        "中队按班次工作：下班期间的派警排队等候；到达率按在岗分钟计",
        "squads work shifts: calls queue while they are off; rates are per on-duty minute",
    ),
    "crews_chain": (
        "车组从现场直接接下一个排队案件，而不是从驻地出发",
        "crews chain to queued calls from the scene instead of leaving from their base",
    ),
    "priority_queue": (
        "中队队列按优先级服务，而非先到先服务：超立方体模型的单次等待是先到先服务的；工作量和出警占比仍成立，"
        "全部派警的平均等待只在各优先级现场处置时间相同时成立（Kleinrock 守恒定律）",
        "the squads' queue serves by priority class, not first come first served: the hypercube's per-call waits "
        "are those of FCFS; workloads and shares of calls hold, and the mean wait over all calls holds only while "
        "on-scene times do not differ by class (Kleinrock's conservation law)",
    ),
    "preemption_resume": (
        "较重的案件会抢占正在处理较轻案件的车组：各优先级的等待与先到先服务相差很大；被抢占的任务保留已完成的工作，"
        "所以除多出的往返路程外工作量仍成立",
        "graver calls preempt crews on less urgent jobs: waits by class are far from FCFS; the preempted job keeps "
        "its work done, so workloads hold but for the extra drives back",
    ),
    "preemption_restart": (
        "较重的案件会抢占正在处理较轻案件的车组：各优先级的等待与先到先服务相差很大；被抢占的任务要从头再做，"
        "所以忙碌时间和工作量超出模型的预测",
        "graver calls preempt crews on less urgent jobs: waits by class are far from FCFS; the preempted job starts "
        "its work over, so busy time and workloads exceed the model's",
    ),
    "siloed_teams": (
        "执法队伍按领域分设：并非每个车组都能接每一起派警",
        "teams are siloed by domain: not every unit can answer every call",
    ),
    "window_not_exponential": ("窗口办理时间不服从指数分布", "window times are not exponential"),
    "window_mean_by_case_type": (
        "各类事项的平均窗口办理时间不同（模型假设只有一个服务率）",
        "case types differ in mean window time (one service rate is assumed)",
    ),
    "hall_hourly_arrivals": (
        "到达率随时段变化：按平均到达率算的 Erlang C 低估高峰时的等候",
        "arrivals vary by hour: Erlang C at the mean rate understates peak waits",
    ),
    "hall_closes": (
        "大厅按时关门：队列每晚清空（每天早上重新开始）",
        "the hall closes: the queue empties each evening (a fresh start each morning)",
    ),
    "hall_revisits": (
        "复杂事项多次往返，到达取决于此前的办理（不是泊松到达）",
        "revisits make arrivals depend on past service (not Poisson)",
    ),
}
# The service hall's pool of every window (comprehensive windows) in queueing theory's terms
# (``sim.analytic.from_scenario.hall_pools``); departmental windows pool by department.
ALL_WINDOWS_POOL = "all"


def hall_pool(name: str, lang: str) -> str:
    """Name a pool of service-hall windows: all of them, or a department's."""
    return pick(("全部窗口", "all windows"), lang) if name == ALL_WINDOWS_POOL else domain(name, lang)


def broken_assumption(code: str, values: Mapping[str, Any], lang: str) -> str:
    """Say an assumption of queueing theory that a scenario breaks, from its code and values."""
    return pick(BROKEN_ASSUMPTIONS[code], lang).format(**values)


# Travel modes (``walk``, ``ebike``, ``car``: squads, patrols, road graphs).
TRAVEL_MODES: dict[str, tuple[str, str]] = {"walk": ("步行", "on foot"), "ebike": ("电动自行车", "e-bike"),
                                            "car": ("汽车", "car")}

# Scenario fields a report shows by name (its settings and differences tables); other fields
# keep their dotted path.
FIELDS: dict[str, tuple[str, str]] = {
    "town.area_km2": ("镇域面积（平方公里）", "town area (km²)"),
    "town.residents": ("常住人口", "residents"),
    "town.households": ("户数", "households"),
    "town.enterprises": ("企业数", "enterprises"),
    "town.villages": ("村（社区）数", "villages and communities"),
    "town.grids": ("二级网格数", "level-2 grids"),
    "town.gis.villages.path": ("村界图层文件", "village layer file"),
    "town.roads.path": ("道路网文件", "road network file"),
    "town.grid_division.households_per_grid": ("每个网格户数", "households per grid"),
    "town.grid_division.grids_per_village": ("每村网格数", "grids per village"),
    "command_centre.enabled": ("指挥中心统一调度", "command centre dispatches"),
    "command_centre.dispatch_rule": ("调度规则", "dispatch rule"),
    "squads.count": ("执法中队数", "squads"),
    "squads.crews_per_squad": ("每中队执法组数", "crews per squad"),
    "squads.mode": ("中队出行方式", "squads travel by"),
    "squads.units": ("执法中队（驻地与辖区）", "squads (bases and zones)"),
    "escalation.overdue_fraction": ("超时上报比例", "overdue fraction before escalation"),
    "party.eyes": ("党员中心户发现问题", "Party households report problems"),
    "party.mediation": ("党员参与调解", "Party members mediate"),
    "party.convening": ("党建引领议事", "Party convening"),
    "service_hall.windows": ("服务大厅窗口数", "service-hall windows"),
    "service_hall.pooling": ("窗口设置", "window pooling"),
    "service_hall.one_visit": ("复杂事项一次办", "complex matters in one visit"),
    "service_hall.department_windows": ("各部门窗口数", "windows by department"),
    "service_hall.back_office_days": ("复杂事项后台审批天数", "back-office days of a complex matter"),
    "grid_staff.rest_days": ("网格人员休息方式", "grid staff rest days"),
    "grid_staff.inspectors": ("部门巡查员", "department inspectors"),
    "squads.shift.start_h": ("执法中队上班时间（时）", "squads on duty from (hour)"),
    "squads.shift.end_h": ("执法中队下班时间（时）", "squads on duty until (hour)"),
    "departments": ("各部门自行派遣（改革前）", "departments dispatching their own cases (before the reform)"),
    "departments.dispatch_min": ("部门自行派遣用时（分钟）", "a department's own dispatch (min)"),
    "departments.handoff_prob": ("首报部门不对需转交的概率", "chance a report first reaches the wrong department"),
    "departments.handoff_min": ("部门间转交用时（分钟）", "minutes to pass a case between departments"),
    "squads.shift": ("执法中队班次", "squads' shift"),
    # the `# assumption` values of the preset scenarios (the report's table of assumptions)
    "run.warmup_days": ("预热期（天）", "warm-up (days)"),
    "town.persons_per_household": ("每户人数", "persons per household"),
    "town.core_share": ("镇区村（社区）占比", "share of villages in the town core"),
    "town.industrial_share": ("工业园区村占比", "share of villages in industrial parks"),
    "town.density": ("各类用地的相对户数密度", "relative household density by land use"),
    "town.travel.detour_factor": ("绕行系数（道路距离 ÷ 直线距离）", "detour factor (road ÷ straight distance)"),
    "town.travel.car_kmh": ("汽车车速（公里/小时）", "car speed (km/h)"),
    "incidents.hourly_profile": ("事件在一天24小时的分布（均值为1）", "incidents by hour of the day (mean 1)"),
    "incidents.events_per_10k_residents_per_year": ("每万人每年事件数", "incidents per 10,000 residents a year"),
    "channels.camera_coverage": ("各类用地的摄像头覆盖率", "camera coverage by land use"),
    "channels.camera_delay_min": ("摄像头发现用时（分钟）", "camera's time to notice (min)"),
    "command_centre.squad_priority": ("中队派单的先后", "order of the squads' queue"),
    "command_centre.triage_min": ("指挥中心分拨用时（分钟）", "centre's triage (min)"),
    "command_centre.verify_fail_prob": ("核查不合格的概率", "chance a check fails"),
    "command_centre.verify_min": ("指挥中心核查用时（分钟）", "centre's check (min)"),
    "command_centre.working_days_per_week": ("每周工作日", "working days a week"),
    "command_centre.working_hours": ("政府办公时间", "office hours"),
    "escalation.severity_to_village": ("直接交村的严重度", "severity sent straight to the village"),
    "escalation.severity_to_town": ("直接交镇的严重度", "severity sent straight to the town"),
    "escalation.severity_to_county": ("直接交县（市）的严重度", "severity sent straight to the county"),
    "grid_staff.days_per_week": ("网格人员每周工作天数", "grid staff's days a week"),
    "grid_staff.patrol_mode": ("网格巡查方式", "grid patrols go"),
    "grid_staff.shift": ("网格人员上班时间", "grid staff's hours"),
    "grid_staff.street_km_per_km2": ("各类用地每平方公里街巷长度（公里）", "street km per km² by land use"),
    "grid_staff.verify_min": ("督查员核查用时（分钟）", "supervisor's check (min)"),
    "grid_staff.verify_off_duty": ("督查员不在岗时由谁核查", "who checks while supervisors are off"),
    "grid_staff.verify_work_min": ("每次核查的工作量（分钟）", "work per check (min)"),
    "party.convene_min": ("召集部门会商用时（分钟）", "convening the departments (min)"),
    "party.convene_min_severity": ("召集会商的最低严重度", "least severity to convene"),
    "party.mediation_resolve_prob": ("党员调解成功的概率", "chance Party mediation succeeds"),
    "party.notice_prob_per_household": ("党员中心户发现问题的概率", "chance a Party household notices"),
    "party.report_delay_min": ("党员中心户上报前的等待（分钟）", "Party household's wait before reporting (min)"),
    "service_hall.cases_per_year": ("每年办件量", "matters a year"),
    "service_hall.hourly_profile": ("大厅办件在一天中的分布", "matters by hour of the day"),
    "service_hall.online_days": ("网上办理用时（天）", "done online in (days)"),
    "service_hall.open_weekdays": ("每周开放天数", "open days a week"),
    "service_hall.revisit_delay_days": ("两次到访之间的工作日", "working days between two visits"),
    "service_hall.shift": ("服务大厅办公时间", "service hall's hours"),
    "squads.dispatch_overhead_min": ("中队出发前的准备（分钟）", "a squad's time to set out (min)"),
    "tiers.county_delay_min": ("转交县（市）到手用时（分钟）", "time until the county has a case (min)"),
    "tiers.county_departments": ("县级部门人员", "county department staff"),
    "tiers.department_delay_min": ("镇职能部门接手用时（分钟）", "time until a town department has a case (min)"),
    "tiers.town_departments": ("镇职能部门人员", "town department staff"),
    "tiers.village_cadres": ("每村村干部人数", "cadres per village"),
    "tiers.village_days_per_week": ("村干部每周工作天数", "cadres' days a week"),
}
# Fields of one member each (a role, a domain, a department): their words over the member's ("{m}").
FIELD_FAMILIES: dict[str, tuple[str, str]] = {
    "grid_staff.roles.*": ("{m}的配置", "{m}: staffing"),
    "grid_staff.roles.*.count": ("每格{m}人数", "{m} per grid"),
    "grid_staff.roles.*.domains": ("{m}负责的领域", "{m}: domains"),
    "grid_staff.inspectors.*": ("{m}巡查员", "{m} inspectors"),
    "staff_cost.salary_per_year.*": ("年薪（元）：{m}", "salary a year (yuan): {m}"),
    "service_hall.department_windows.*": ("{m}窗口数", "{m} windows"),
}
# A statistic of a field's distribution (``….mean``, ``….cv``).
FIELD_STATISTICS: dict[str, tuple[str, str]] = {"mean": ("平均", "mean"), "cv": ("变异系数", "CV")}

# Coded values of those fields, in words.
FIELD_VALUES: dict[str, tuple[str, str]] = {
    "comprehensive": ("综合窗口（全科受理）", "comprehensive windows"),
    "departmental": ("按部门分设窗口", "departmental windows"),
    "staggered": ("轮流休息（每天有人在岗）", "in turn (someone on duty every day)"),
    "together": ("同时休息（周末无人）", "together (nobody at weekends)"),
    "severity": ("更严重的先派", "the most severe first"),
    "centre": ("指挥中心值班人员", "the command centre's duty staff"),
}


def field(path: str, lang: str) -> str:
    """Name a scenario field in words (its dotted path when the report has no words for it).

    A field of one member (``grid_staff.roles.worker.count``, ``staff_cost.salary_per_year.…``) is
    named with the member's words; a distribution's statistic (``….mean``) after its field's.
    """
    if path in FIELDS:
        return pick(FIELDS[path], lang)
    parts = path.split(".")
    for pattern, words in FIELD_FAMILIES.items():
        head = pattern.split(".")
        if len(parts) == len(head) and all(h in ("*", p) for h, p in zip(head, parts, strict=True)):
            key = parts[head.index("*")]  # a department (inspectors, hall windows) or a staff role
            member = domain(key, lang) if head[0] in ("service_hall", "grid_staff") and head[1] != "roles" \
                else staff_role(key, lang)
            return pick(words, lang).replace("{m}", member)
    if len(parts) > 1 and parts[-1] in FIELD_STATISTICS and ".".join(parts[:-1]) in FIELDS:
        base, stat = field(".".join(parts[:-1]), lang), pick(FIELD_STATISTICS[parts[-1]], lang)
        if lang != "zh":
            return f"{base}, {stat}"
        if not (base.endswith("）") and "（" in base):
            return f"{base}（{stat}）"
        name, unit = base[:base.rindex("（")], base[base.rindex("（") + 1:-1]  # 用时（分钟） → 用时（平均，分钟）
        return f"{name}（{stat}，{unit}）" if parts[-1] == "mean" else f"{name}（{stat}）"  # a CV has no unit
    return path


def field_value(path: str, value: Any, lang: str) -> str | None:
    """Give a coded field value in words (yes/no, a travel mode, a dispatch rule), None for a plain value."""
    if isinstance(value, bool):
        return pick(("是", "yes") if value else ("否", "no"), lang)
    if not isinstance(value, str):
        return None
    if path.endswith("dispatch_rule"):
        try:
            return dispatch_rule(value, lang)
        except KeyError:
            return None
    if path.endswith("mode") and value in TRAVEL_MODES:
        return pick(TRAVEL_MODES[value], lang)
    return pick(FIELD_VALUES[value], lang) if value in FIELD_VALUES else None


def shown_path(path: str) -> str:
    """Show a file path as a reader knows it: relative to the working directory when it lies under it."""
    import os

    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return path
    return path if rel.startswith("..") else rel


_TABLES: dict[type[Enum], dict] = {
    Tier: TIERS, Channel: CHANNELS, HallChannel: HALL_CHANNELS, AlarmKind: ALARMS, Stage: STAGES,
    Reason: REASONS, ActorRole: ACTOR_ROLES, Duty: DUTIES, LandUse: LAND_USES,
    GridRole: STAFF_ROLES, StaffRole: STAFF_ROLES,
}


def pick(pair: tuple[str, str], lang: str) -> str:
    """Give a ``(zh, en)`` pair's text in ``lang``: the one look-up behind every word shown (policies' names too)."""
    return pair[0] if lang == "zh" else pair[1]


def label(code: Enum, lang: str) -> str:
    """Give the word for a code (a tier, stage, reason, channel, role, ...) in ``lang``."""
    return pick(_TABLES[type(code)][code], lang)


def staff_role(role: str, lang: str) -> str:
    """Name a staff role as a group; a departmental inspector by its department."""
    if role in STAFF_ROLES:
        return pick(STAFF_ROLES[role], lang)
    if not role.endswith("_inspector"):
        return role.replace("_", " ")
    department = role.removesuffix("_inspector")
    return f"{domain(department, 'zh')}巡查员" if lang == "zh" else f"{domain(department, 'en')} inspectors"


def domain(name: str, lang: str) -> str:
    """Name a department; one the presets do not know shows its key in words."""
    return pick(DOMAINS[name], lang) if name in DOMAINS else name.replace("_", " ")


def staff_or_total(role: str, lang: str) -> str:
    """Name a staff role as a group, or the total over all roles (``total``)."""
    return pick(TOTAL, lang) if role == "total" else staff_role(role, lang)


def _member(group: str, key: str, lang: str) -> str:
    """Name a group's member: a tier, a channel, the total, or a staff role."""
    if (group in ("tier_share", "tier_share_published", "department_utilisation", "department_wait_mean_min")
            and key.upper() in Tier.__members__):
        return label(Tier[key.upper()], lang)
    if group == "channel_share" and key.upper() in Channel.__members__:
        return label(Channel[key.upper()], lang)
    return staff_or_total(key, lang)


def measure(name: str, lang: str) -> str:
    """Name a measure in words; a name the table does not know is shown as it is."""
    if name in MEASURES:
        return pick(MEASURES[name], lang)
    parts = name.split(".")
    if parts[0] == "squads" and len(parts) == 3 and parts[2] in SQUAD_MEASURES:
        return pick(SQUAD_MEASURES[parts[2]], lang).replace("{m}", parts[1])
    if parts[0] == "departments" and len(parts) == 4:  # departments.TIER.DOMAIN.utilisation (warnings)
        tier = label(Tier[parts[1].upper()], lang) if parts[1].upper() in Tier.__members__ else parts[1]
        return (f"{tier}{domain(parts[2], 'zh')}部门利用率" if lang == "zh"
                else f"{tier} department {domain(parts[2], 'en')}: utilisation")
    if len(parts) == 2 and parts[0] in MEASURE_GROUPS:
        return pick(MEASURE_GROUPS[parts[0]], lang).replace("{m}", _member(parts[0], parts[1], lang))
    if name in GROUP_TITLES:
        return pick(GROUP_TITLES[name], lang)
    for prefix, what in PROBLEM_TO.items():
        if name.startswith(prefix):
            stat = next((s for s in STATISTICS if f"_{s}" in name), "mean")
            unit = ("天", "days") if name.endswith("_days") else ("分钟", "min")
            return (f"{what[0]}{STATISTICS[stat][0]}（{unit[0]}）" if lang == "zh"
                    else f"{what[1]}, {STATISTICS[stat][1]} ({unit[1]})")
    return name


def map_feature(name: str, lang: str) -> str:
    """Name something a map draws (a squad base, a zone, a road, ...)."""
    return pick(MAP_FEATURES[name], lang)


def plan_side(name: str, lang: str) -> str:
    """Name a side of a plan: ``today`` or ``proposal``."""
    return pick(PLANS[name], lang)


def plan_method(name: str, lang: str) -> str:
    """Name how a squad plan placed its bases; ``current`` is today's plan."""
    return plan_side("today", lang) if name == "current" else pick(PLAN_METHODS[name], lang)


def dispatch_rule(name: str, lang: str) -> str:
    """Name a dispatch rule by its config name (``nearest_idle``, ``home_zone_first``): the rule's own label."""
    from sim.policies.dispatch import DISPATCH_RULES

    return pick(DISPATCH_RULES[name].label, lang)


# Display names of the shipped scenarios (by ``meta.name``); any other scenario shows its description's head.
SCENARIO_TITLES: dict[str, tuple[str, str]] = {
    "xuxiake_1plus4": ("徐霞客镇（“1+4”改革后）", "Xu Xiake town, after the 1+4 reform"),
    "xuxiake_pre_reform": ("徐霞客镇（改革前）", "Xu Xiake town, before the reform"),
    "dense_town_core": ("人口密集的镇区", "A dense town core"),
    "small_rural_town": ("农村小镇", "A small rural town"),
    "xuxiake_gis": ("徐霞客镇（GIS 村界与OSM路网）", "Xu Xiake town on GIS village borders and OSM roads"),
    "xuxiake_2squads": ("徐霞客镇（2个执法中队）", "Xu Xiake town with two squads"),
    "xuxiake_4squads": ("徐霞客镇（4个执法中队）", "Xu Xiake town with four squads"),
    "xuxiake_300hh": ("徐霞客镇（每网格约300户）", "Xu Xiake town, grids of about 300 households"),
    "xuxiake_lower_thresholds": ("徐霞客镇（降低上报镇、县的严重度阈值）", "Xu Xiake town, lower escalation thresholds"),
}


def scenario_title(name: str, description: str, lang: str) -> str:
    """Give a scenario's display name: its own words, never the file id when a better name is known.

    Else the description's head (before a colon), unless it is English on a Chinese page; the
    id with spaces as the last resort.
    """
    if name in SCENARIO_TITLES:
        return pick(SCENARIO_TITLES[name], lang)
    desc = (description or "").split(":")[0].strip()
    if lang == "zh" and not any("\u4e00" <= c <= "\u9fff" for c in desc):  # no English title on a Chinese page
        desc = ""
    return desc or name.replace("_", " ")


def page_text(table: Mapping[str, tuple[str, str]], key: str, lang: str, **values: object) -> str:
    """Give a page's own text ``key`` from its ``(zh, en)`` table in ``lang``, filled with ``values`` if any.

    Layout text (headings, axes, buttons) stays with its page (the report's, the dashboard's,
    the maps' and the plan figures' tables); the look-up is this one.
    """
    text = pick(table[key], lang)
    return text.format(**values) if values else text


def model_stage(name: str, lang: str) -> str:
    """Name a part of the model (discovery, dispatch, escalation, hall, staffing)."""
    return pick(MODEL_STAGES[name], lang)


def warning(code: str, values: dict[str, Any], lang: str) -> str:
    """Make a warning's sentence from its code and values; a staff ``role`` code is named here."""
    if "role" in values:
        values = {**values, "role": staff_role(str(values["role"]), lang)}
    if "server" in values:  # a measure's name (summary.json keeps the code)
        values = {**values, "server": measure(values["server"], lang)}
    if "mode" in values and values["mode"] in TRAVEL_MODES:
        values = {**values, "mode": pick(TRAVEL_MODES[values["mode"]], lang)}
    if isinstance(values.get("file"), str):  # absolute where it was read; shorter where the reader is
        values = {**values, "file": shown_path(values["file"])}
    template = pick(WARNINGS[code], lang)
    if code == "volumes_for_another_town":  # enterprises: only when not from the town's layer; the hall if any
        e, cases, windows = values["enterprises"], values["cases_per_year"], values["windows"]
        parts = [f"企业数 {e:,.0f}" if lang == "zh" else f"town.enterprises {e:,.0f}"] if e is not None else []
        if cases is not None:
            parts.append(f"服务大厅每年 {cases:,.0f} 件、{windows} 个窗口" if lang == "zh"
                         else f"the service hall's {cases:,.0f} cases a year and {windows} windows")
        values = {**values, "volumes": ("、" if lang == "zh" else ", ").join(parts)}
    if "low" in values and values["low"] == values.get("high"):  # "1–1 个网格" reads as "1 个网格"
        template = re.sub(r"\{low(:[^}]*)?\}–\{high(:[^}]*)?\}", r"{low\1}", template)
    return template.format(**values)


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

    @property
    def label_en(self) -> str:
        """The category's English name from the scenario (may be empty)."""


def category(cat: Named, lang: str) -> str:
    """Give a category's display name: the scenario's ``label_zh`` or ``label_en``.

    A user's scenario that gives none in that language shows the code in words.
    """
    own = cat.label_zh if lang == "zh" else cat.label_en
    return own or cat.name.replace("_", " ")


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
