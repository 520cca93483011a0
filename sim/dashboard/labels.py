"""Chinese and English words of the dashboard's own controls (one table, looked up by key).

Domain words (tiers, stages, reasons, roles, who acted, the names of measures) come from
``sim.labels``, shared with every other edge; a key this table does not hold is looked up
there as a measure, so the live table and the report call a measure by the same name.
"""

from __future__ import annotations

from sim import labels
from sim.labels import GROUP_TITLES, MAP_FEATURES, MEASURES, label, map_feature, measure, page_text
from sim.vocabulary import MINUTES_PER_DAY, Channel, Duty, Stage, Tier

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
    "speed.10min": ("10分钟/秒", "10 min/s"),
    "speed.1h": ("1小时/秒", "1 h/s"),
    "speed.6h": ("6小时/秒", "6 h/s"),
    "speed.1d": ("1天/秒", "1 day/s"),
    "run_to_day": ("运行到第 N 天结束", "Run to the end of day N"),
    "end_of_day": ("（第{day}天结束）", " (end of day {day})"),
    "run_to": ("运行到", "Run to"),
    "to_end": ("运行到终点", "Run to the end"),
    "running_to": ("正在运行到{day}", "Running to {day}"),
    "paused_at": ("已暂停于 {clock}", "Paused at {clock}"),
    "finished": ("已到仿真终点", "End of the run reached"),
    "policy": ("政策", "Policy"),
    "policy_note": ("改变政策会从第0天重新开始", "Changing a policy restarts the run at day 0"),
    "seed": ("随机种子", "Seed"),
    "squads": ("执法中队数", "Squads"),
    "dispatch_rule": ("派单规则", "Dispatch rule"),
    "sev_village": ("升级到村的严重度阈值", "Severity sent to village"),
    "households": ("每网格户数", "Households per grid"),
    "grids_n": ("网格 {n} 个", "{n} grids"),
    "squads_n": ("执法中队 {n} 支", "{n} squads"),
    "seed_n": ("随机种子 {n}", "seed {n}"),
    "refused": ("未采用：", "Not applied: "),
    "seed_range": ("未采用：随机种子须为 0 到 {max} 之间的整数（输入为 {got}）",
                   "Not applied: the seed must be a whole number from 0 to {max} (got {got})"),
    "day_range": ("天数须在 1 到 {n} 之间（输入为 {got}）", "the day must be between 1 and {n} (got {got})"),
    # a case on the map that is resolved but not yet closed
    "being_verified": ("核查中", "being verified"),
    "ab": ("A/B 对比", "A/B comparison"),
    "ab_note": ("B 为基准方案：与 A 同一随机种子、同一批事件，同步运行",
                "B is the baseline: same seed and the same incidents as A, run in lockstep"),
    "pin": ("把当前方案设为基准 B", "Pin the current run as baseline B"),
    "baseline_file": ("或选用另一方案文件作基准 B", "Or use another scenario file as baseline B"),
    "drop_b": ("取消对比", "Stop comparing"),
    "run_a": ("A（当前方案）", "A (current)"),
    "run_b": ("B（基准）", "B (baseline)"),
    "diff": ("差值 A−B", "Difference A−B"),
    # why the two runs' counts of cases often agree although their squads differ (issue: A/B)
    "ab_counts_note": ("积压和结案是事件个数：中队少时，需中队处置的事件晚到几小时（见15分钟到场率、超时预警），"
                       "但中队当天就清完排队，所以两边的积压和已结案常在同一时刻相同，并非读错了方案。",
                       "The backlog and closed are counts of cases: with fewer squads a squad's cases are reached "
                       "hours later (see the 15-minute share and the alarms), but the squads clear their queue "
                       "within the day, so the two runs' backlog and closed often agree at the same moment; "
                       "neither is read from the other run."),
    "measure": ("指标", "Measure"),
    "funnel": ("闭环各环节", "Stages of the loop"),
    "funnel_now": ("当前", "now"),
    "funnel_total": ("累计", "so far"),
    "funnel_now_resolved": ("办结的事件随即进入核查，当前数计在核查", "a resolved case goes straight on to verification and is counted there"),
    "funnel_now_occurred": ("地图只画发生不到{h}小时、尚未被发现的事件：现画出 {n} 个，更早的只计在这里",
                            "The map draws a case nobody has noticed for its first {h} hours only: {n} drawn now, "
                            "the older ones are only counted here"),
    "funnel_now_closed": ("结案的事件已离开闭环", "a closed case has left the loop"),
    "follow": ("跟踪此事件（办结前放慢时间）", "Follow this case (slows time until it closes)"),
    "following": ("正在跟踪 #{id}", "Following #{id}"),
    "unfollow": ("停止跟踪", "Stop following"),
    "follow_ended": ("跟踪结束：#{id} 已结案", "Stopped following: #{id} has closed"),
    "filter": ("筛选", "Filter"),
    "f_overdue": ("超时", "overdue"),
    "f_open": ("未结案", "open"),
    "all_tiers": ("全部层级", "all tiers"),
    "all_categories": ("全部类别", "all categories"),
    "freeze": ("冻结列表", "Freeze list"),
    "frozen": ("列表已冻结（阅读中）", "List frozen while you read"),
    "n_shown": ("共 {n} 件，显示 {k} 件", "{n} cases, {k} shown"),
    "axis_day": ("仿真天数", "simulated day"),
    "axis_cases": ("件数", "cases"),
    "axis_crews": ("车组数", "crews"),
    "legend_tier": ("形状＝当前层级：● {grid} ◆ {village} ■ {town} ⬢ {county} ○ 尚未发现（无层级）",
                    "Shape = tier now: ● {grid} ◆ {village} ■ {town} ⬢ {county} ○ not noticed yet (no tier)"),
    "legend_esc": ("↑n 升级次数", "↑n escalations"),
    "legend_unnoticed": ("发生{h}小时仍未被发现的事件不画在图上（计入漏斗的“发生”）",
                         "Cases nobody has noticed for {h} hours are not drawn (the funnel's 'occurred' counts them)"),
    "legend_zone": ("底色＝{squad_zone}", "Tint = {squad_zone}"),
    "map": ("镇域地图", "Town map"),
    "map_count": ("地图上的事件: {n}（超时 {k}）", "Incidents on map: {n} (overdue {k})"),
    "measures": ("实时指标", "Live measures"),
    "series": ("时间序列", "Time series"),
    "incidents": ("事件列表", "Cases"),
    "choose_incident": ("选择事件", "Choose an incident"),
    "story": ("事件经过", "Incident story"),
    "no_incident": ("尚无事件——请单步或播放", "No incident yet: step or play"),
    "time": ("时间", "Time"),
    "stage": ("环节", "Stage"),
    "who": ("经办", "Who"),
    "elapsed": ("用时", "After"),
    "why": ("说明", "Why / detail"),
    "start_tier": ("按严重度 {sev} ≥ {thr} 直接交由{tier}处理", "severity {sev} ≥ {thr}: starts at the {tier}"),
    "overdue": ("超时", "overdue"),
    "crew_on_way": ("虚线＝车组在途", "dashed = crew on its way"),
    "limit_respond": ("到场时限", "response limit"),
    "limit_close": ("结案时限", "closure limit"),
    "limit_ok": ("用时 {took}，在{kind} {limit} 内", "took {took}, within the {kind} of {limit}"),
    "limit_over": ("超过{kind} {limit}：用时 {took}，超出 {over}", "{kind} of {limit} broken: took {took}, {over} over"),
    "crew_on_roads": ("虚线＝车组沿道路在途", "dashed = crew on its way along the roads"),
    "roads": ("白/黄线＝道路", "white/cream lines = roads"),
    "km": ("公里", "km"),
    "minutes_axis": ("天", "day"),
}

# The live table's keys that name a measure differently from sim.measures.
_MEASURE_KEYS = {"alarms": "overdue_alarms"}
# Controls named by a code's own word (the filter of escalated cases).
_CODE_KEYS = {"f_escalated": Stage.ESCALATED}
# The map legend's marks, named by sim.labels' map words (sentence case in English).
_FEATURE_KEYS = {"base": "squad_base", "crew": "crew"}


def t(key: str, lang: str, **fmt: object) -> str:
    """Give the label ``key`` in ``lang`` ("zh" or "en"), formatted with ``fmt``.

    The tiers' and map features' words are always at hand as ``{grid}``, ``{village}``, ``{town}``,
    ``{county}``, ``{squad_zone}``, ...;
    a key not in the page's own table is a code's word or a measure's name (``sim.labels``).
    """
    if key in _CODE_KEYS:
        return label(_CODE_KEYS[key], lang)
    if key in _FEATURE_KEYS:
        word = map_feature(_FEATURE_KEYS[key], lang)
        return word[:1].upper() + word[1:]
    if key not in _LABELS:
        name = _MEASURE_KEYS.get(key, key)
        if name not in MEASURES and name not in GROUP_TITLES:
            raise KeyError(key)
        return measure(name, lang)
    template = page_text(_LABELS, key, lang)
    words = {tier.key: label(tier, lang) for tier in Tier} | {k: map_feature(k, lang) for k in MAP_FEATURES}
    return page_text(_LABELS, key, lang, **{k: w for k, w in words.items() if f"{{{k}}}" in template}, **fmt)


def map_stage(stage: Stage, lang: str) -> str:
    """Name the furthest stage a case reached (``Incident.stage``) as the map's legend says it."""
    sep = ("（", "）") if lang == "zh" else (" (", ")")
    if stage == Stage.OCCURRED:  # nobody has noticed it yet
        return f"{label(stage, lang)}{sep[0]}{label(Channel.NONE, lang)}{sep[1]}"
    if stage == Stage.RESOLVED:  # waiting for the check before it is closed
        return f"{label(stage, lang)}{sep[0]}{t('being_verified', lang)}{sep[1]}"
    return label(stage, lang)


def funnel(name: str, lang: str) -> str:
    """Name a box of the stage funnel: a stage's word, or the verification between 办结 and 结案."""
    return label(Duty.VERIFY, lang) if name == "verify" else label(Stage[name.upper()], lang)


def duration(minutes: float, lang: str) -> str:
    """Say a span of time: '42分' / '2小时05分' / '3天4小时' / '42 min' / '2 h 05 min' / '3 d 4 h'."""
    m = round(minutes)
    d, rest = divmod(m, int(MINUTES_PER_DAY))
    h, mm = divmod(rest, 60)
    if d:
        return f"{d}天{h}小时" if lang == "zh" else f"{d} d {h} h"
    if lang == "zh":
        return f"{h}小时{mm:02d}分" if h else f"{mm}分"
    return f"{h} h {mm:02d} min" if h else f"{mm} min"


def elapsed(minutes: float, lang: str) -> str:
    """How long after the case began: '+42分' / '+2小时05分' / '+42 min' / '+2 h 05 min'."""
    m = round(minutes)
    h, mm = divmod(m, 60)
    if lang == "zh":
        return f"+{h}小时{mm:02d}分" if h else f"+{mm}分"
    return f"+{h} h {mm:02d} min" if h else f"+{mm} min"


def against_limit(kind: str, took: float, limit: float, lang: str) -> str:
    """Say a stage's time against its limit (``kind``: "respond" or "close"), either way."""
    words = {"kind": t(f"limit_{kind}", lang), "limit": duration(limit, lang), "took": duration(took, lang),
             "over": duration(took - limit, lang)}
    return t("limit_over" if took > limit else "limit_ok", lang, **words)


def clock(minutes: float, lang: str) -> str:
    """'第1天 08:30' / 'Day 1 08:30' (day 1 is the first day of the run)."""
    m = int(minutes)
    day, rem = divmod(m, int(MINUTES_PER_DAY))
    return f"{t('day', lang, day=day + 1)} {rem // 60:02d}:{rem % 60:02d}"


def scenario_title(meta: object, lang: str) -> str:
    """Give the scenario's display name (``sim.labels.scenario_title``, shared with the reports)."""
    return labels.scenario_title(str(getattr(meta, "name", "")), str(getattr(meta, "description", "") or ""), lang)
