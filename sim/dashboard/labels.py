"""Chinese and English words of the dashboard's own controls (one table, looked up by key).

Words for the model's codes (tiers, stages, reasons, roles, who acted) come from
``sim.labels``, shared with every other reader of the records.
"""

from __future__ import annotations

from sim.vocabulary import MINUTES_PER_DAY

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
}

def t(key: str, lang: str, **fmt: object) -> str:
    """The label ``key`` in ``lang`` ("zh" or "en"), formatted with ``fmt``."""
    zh, en = _LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**fmt) if fmt else text


def clock(minutes: float, lang: str) -> str:
    """'第1天 08:30' / 'Day 1 08:30' (day 1 is the first day of the run)."""
    m = int(minutes)
    day, rem = divmod(m, int(MINUTES_PER_DAY))
    return f"{t('day', lang, day=day + 1)} {rem // 60:02d}:{rem % 60:02d}"
