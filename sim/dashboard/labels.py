"""Chinese and English labels of the dashboard (one table, looked up by key)."""

from __future__ import annotations

from sim.vocabulary import MINUTES_PER_DAY

LANGUAGES: tuple[str, ...] = ("zh", "en")

_LABELS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "title": ("“1+4”镇域治理仿真", "“1+4” town governance simulation"),
    "language": ("语言", "Language"),
    "clock": ("时钟", "Clock"),
    "day": ("第{day}天", "Day {day}"),
    "play": ("播放", "Play"),
    "pause": ("暂停", "Pause"),
    "step": ("单步", "Step"),
    "reset": ("重置", "Reset"),
    "speed": ("速度", "Speed"),
    "speed_opt": ("{label}/秒", "{label}/s"),
    "finished": ("已到仿真终点", "End of the run reached"),
    "policy": ("政策", "Policy"),
    "policy_note": ("改变政策会从第0天重新开始", "Changing a policy restarts the run at day 0"),
    "seed": ("随机种子", "Seed"),
    "squads": ("执法中队数", "Squads"),
    "dispatch_rule": ("派单规则", "Dispatch rule"),
    "rule.nearest_idle": ("最近空闲", "Nearest idle"),
    "rule.home_zone_first": ("本辖区优先", "Home zone first"),
    "sev_village": ("升级到村的严重度阈值", "Severity sent to village"),
    "households": ("每网格户数", "Households per grid"),
    "grids_n": ("网格数", "grids"),
    "map": ("镇域地图", "Town map"),
    "map_count": ("地图上的事件: {n}（超时 {k}）", "Incidents on map: {n} (overdue {k})"),
    "measures": ("实时指标", "Live measures"),
    "share_within_15min": ("15分钟到场率", "15-minute share"),
    "response_p50_min": ("到场时间中位数（分）", "Response p50 (min)"),
    "response_mean_min": ("平均到场时间（分）", "Response mean (min)"),
    "backlog": ("待办积压", "Backlog"),
    "closed": ("已办结", "Closed"),
    "alarms": ("超时预警", "Overdue alarms"),
    "tier_share": ("各层级解决占比", "Share resolved per tier"),
    "workload_gini": ("工作量均衡（基尼系数）", "Workload balance (Gini)"),
    "crews_busy": ("忙碌车组", "Crews busy"),
    "queued_for_squad": ("等待中队", "Queued for squads"),
    "series": ("时间序列", "Time series"),
    "incidents": ("近期事件", "Recent incidents"),
    "choose_incident": ("选择事件", "Choose an incident"),
    "story": ("事件经过", "Incident story"),
    "no_incident": ("尚无事件——请单步或播放", "No incident yet: step or play"),
    "time": ("时间", "Time"),
    "stage": ("环节", "Stage"),
    "who": ("经办", "Who"),
    "why": ("说明", "Why / detail"),
    "start_tier": ("按严重度 {sev} ≥ {thr} 直接交由{tier}处理", "severity {sev} ≥ {thr}: starts at the {tier}"),
    "overdue": ("超时", "overdue"),
    "village_bounds": ("村/社区边界", "Village boundary"),
    "grid_bounds": ("网格边界", "Grid boundary"),
    "base": ("中队驻地", "Squad base"),
    "crew": ("车组", "Crew"),
    "km": ("公里", "km"),
    "minutes_axis": ("天", "day"),
    # stages of the closed loop (Incident.stage and history entries)
    "stage.occurred": ("发生", "occurred"),
    "stage.reported": ("上报", "reported"),
    "stage.dispatched": ("派遣", "dispatched"),
    "stage.arrived": ("到场", "on scene"),
    "stage.resolved": ("解决", "resolved"),
    "stage.closed": ("办结", "closed"),
    "stage.queued": ("排队", "queued"),
    "stage.escalated": ("升级", "escalated"),
    "stage.alarm": ("预警", "alarm"),
    "stage.rework": ("返工", "rework"),
    # tiers
    "tier.grid": ("网格", "grid"),
    "tier.village": ("村", "village"),
    "tier.town": ("镇", "town"),
    "tier.county": ("县（市）", "county"),
    # roles for the workload line
    "role.worker": ("专职网格员", "grid workers"),
    "role.squad_crew": ("执法车组", "squad crews"),
}

# Details in the incident history that are fixed words, translated for the story view.
_DETAILS_ZH: dict[str, str] = {
    "patrol": "巡查发现",
    "hotline": "12345热线",
    "camera": "视频监控",
    "response overdue": "到场超时",
    "closure overdue": "办结超时",
    "command centre": "指挥中心",
    "town department": "镇职能部门",
    "county department": "县（市）部门",
    "fixes it on the spot": "当场处置",
    "cannot fix it on the spot": "无法当场处置，上报指挥中心",
    "verified": "核查通过",
}


def t(key: str, lang: str, **fmt: object) -> str:
    """The label ``key`` in ``lang`` ("zh" or "en"), formatted with ``fmt``."""
    zh, en = _LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**fmt) if fmt else text


def stage(name: str, lang: str) -> str:
    key = f"stage.{name}"
    return t(key, lang) if key in _LABELS else name


def tier(name: str, lang: str) -> str:
    return t(f"tier.{name}", lang)


def rule(name: str, lang: str) -> str:
    key = f"rule.{name}"
    return t(key, lang) if key in _LABELS else name


def role(name: str, lang: str) -> str:
    key = f"role.{name}"
    return t(key, lang) if key in _LABELS else name


def category(cat: object, lang: str) -> str:
    """A category's display name: its ``label_zh`` in Chinese, its name in words in English."""
    name = getattr(cat, "name")
    if lang == "zh" and getattr(cat, "label_zh", None):
        return str(getattr(cat, "label_zh"))
    return name.replace("_", " ")


def detail(text: str, lang: str) -> str:
    """Translate the fixed words of a history entry's detail; leave ids and names alone."""
    if lang != "zh":
        return text
    if text in _DETAILS_ZH:
        return _DETAILS_ZH[text]
    for en, zh in (("grid", "网格"), ("village", "村"), ("town", "镇"), ("county", "县（市）")):
        if text == en:
            return zh
    if text.startswith("time limit used ("):
        return "时限用尽（" + text.removeprefix("time limit used (").removesuffix(")") + "）"
    if text == "not resolved":
        return "本级未能解决"
    if ": " in text and " → " in text.split(": ", 1)[0]:
        a, b = text.split(": ", 1)
        return f"{detail(a, lang)}：{detail(b, lang)}"
    if " → " in text:
        a, b = text.split(" → ", 1)
        return f"{detail(a, lang)} → {detail(b, lang)}"
    if text.startswith("verified by "):
        return "核查人：" + detail(text.removeprefix("verified by "), lang)
    if text.endswith(" cannot fix it on the spot"):
        return text.removesuffix(" cannot fix it on the spot") + " 无法当场处置"
    if text.endswith(" fixes it on the spot"):
        return text.removesuffix(" fixes it on the spot") + " 当场处置"
    if text.startswith("all crews busy"):
        return "车组全忙" + text.removeprefix("all crews busy").replace("waiting", "件等待")
    if text.endswith(": not fixed, sent back"):
        return detail(text.removesuffix(": not fixed, sent back"), lang) + "：未解决，退回返工"
    return text


def clock(minutes: float, lang: str) -> str:
    """'第1天 08:30' / 'Day 1 08:30' (day 1 is the first day of the run)."""
    m = int(minutes)
    day, rem = divmod(m, int(MINUTES_PER_DAY))
    return f"{t('day', lang, day=day + 1)} {rem // 60:02d}:{rem % 60:02d}"
