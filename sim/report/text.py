"""The report's own page text in Chinese and English (one table, looked up by key).

Domain words (measures, tiers, channels, roles, the model's stages, warnings) are
``sim.labels``'s; this table holds headings, explanations and figure captions only.
"""

from __future__ import annotations

import re

from sim.labels import Lang, page_text

_TEXT: dict[str, tuple[str, str]] = {
    "title.run": ("仿真结果报告：{name}", "Simulation report: {name}"),
    "title.compare": ("方案比较报告：{a} 与 {b}", "Comparison report: {a} and {b}"),
    "title.sweep": ("试验报告：{name}", "Experiment report: {name}"),
    "subtitle": ("{days}天 × {reps}次重复 · 生成于 {date}", "{days} days × {reps} replications · made {date}"),
    "subtitle_plan": ("{lead} · 生成于 {date}", "{lead} · made {date}"),
    "contents": ("目录", "Contents"),
    "how_to_read": ("如何阅读", "How to read this report"),
    "how_to_read.text": (
        "每个数字都是多次随机重复（不同随机种子）的平均值，方括号内为95%置信区间：真实平均值有95%的把握落在其中。"
        "区间越窄，结论越可靠。比较时两个方案使用相同的随机种子（同样的事件、同样的运气），差值按每次重复配对计算。"
        "只有当差值的置信区间不含0时才着色：绿色表示变好，红色表示变差，蓝色表示有变化但无好坏之分。"
        "区间在指标可能的范围处截断（占比在0到100%之间，占比之差在±100个百分点之内，时间和数量不小于0）："
        "重复次数少时t区间很宽，否则会超出这个范围。",
        "Every number is the mean over random replications (different seeds), with its 95% confidence interval in "
        "brackets: the true mean lies inside it with 95% confidence. Narrow intervals mean firm conclusions. In a "
        "comparison both options see the same seeds (the same incidents, the same luck), and the difference is taken "
        "replication by replication (paired). A difference is coloured only when its interval excludes 0: green "
        "better, red worse, blue changed without a better or worse direction. An interval is cut at the range the "
        "measure can take (a share between 0 and 100%, a difference of shares within ±100 points, minutes and "
        "counts at 0): with few replications the t interval is wide and would otherwise reach past it."),
    "one_rep": ("本结果只有1次重复，无法给出置信区间；请用 --replications 运行多次。",
                "This result rests on one replication, so no confidence interval can be given; run with "
                "--replications for intervals."),
    # sections
    "sec.question": ("问题与方案", "The question and the options"),
    "sec.headline": ("主要指标", "Headline measures"),
    "sec.diff": ("差异（B − A）及其原因", "Differences B − A and why"),
    "sec.tiers": ("问题在哪里被发现、在哪一级办结", "Where problems are noticed and resolved"),
    "sec.category": ("各类问题", "By kind of problem"),
    "sec.maps": ("地图", "Maps"),
    "sec.assumptions": ("结果所依赖的假设", "The assumptions the results rest on"),
    "sec.limits": ("模型的已知局限", "What the model does not capture"),
    "sec.all": ("全部指标", "Every measure"),
    "sec.effects": ("各因素的影响", "Effect of each factor"),
    "sec.vsbase": ("与基准点的配对差异", "Paired differences against the base point"),
    "sec.pareto": ("权衡：人员、15分钟到场与工作量均衡", "Trade-off: staff, 15-minute share and workload balance"),
    # question
    "q.run": ("这个方案表现如何？下表列出方案的主要设置（来自情景文件）。",
              "How does this option perform? The option's main settings, from its scenario file:"),
    "q.compare": ("从方案A换成方案B，会有什么变化？A = {a}，B = {b}。下表逐项列出两个情景文件的不同之处"
                  "（已展开 extends 继承）。",
                  "What changes if we move from option A to option B? A = {a}, B = {b}. The table lists every "
                  "field in which the two scenario files differ (with `extends` resolved)."),
    "q.files": ("情景文件：{files}", "Scenario files: {files}"),
    "q.no_snapshot": ("输出文件夹中没有情景文件快照（scenario.json），无法列出设置。",
                      "The output folder holds no scenario snapshot (scenario.json), so settings cannot be listed."),
    "q.same": ("两个情景的所有字段都相同。", "The two scenarios are identical in every field."),
    "field": ("字段", "field"),
    "value": ("取值", "value"),
    "assumption_col": ("假设？", "assumption?"),
    "absent": ("（未设置）", "(not set)"),
    "units.none": ("未列出（驻地与辖区按中队数自动布设）", "none listed (bases and zones placed from the squad count)"),
    "units.n": ("{n}个中队：", "{n} squads: "),
    "units.one": ("{id} {base}，{crews}个执法组，辖区{zone}个村{domains}",
                  "{id} {base}, {crews} crews, a zone of {zone} villages{domains}"),
    "units.no_zone": ("{id} {base}，{crews}个执法组，辖区按距离划分{domains}",
                      "{id} {base}, {crews} crews, zone by distance{domains}"),
    "units.base": ("驻地 ({x:.1f}, {y:.1f}) 公里", "based at ({x:.1f}, {y:.1f}) km"),
    "units.base_auto": ("驻地自动布设", "base placed by the model"),
    "units.domains": ("，仅负责{domains}", ", only {domains}"),
    "inspectors": ("每格{count}人（按{share:.0%}工时计），职责：{duties}", "{count} a grid at {share:.0%} time, "
                   "duties: {duties}"),
    "inspectors.domains": ("，领域：{domains}", "; domains: {domains}"),
    "q.town": ("镇域数值为实际仿真的镇（GIS 图层或生成的村格局）。", "Town figures are those of the town simulated (its GIS layers or the generated villages)."),
    # headline
    "measure": ("指标", "measure"),
    "mean_ci": ("平均值 [95%置信区间]", "mean [95% CI]"),
    "diff_ci": ("B − A [95%置信区间]", "B − A [95% CI]"),
    "fig.headline": ("主要指标：平均值与95%置信区间（{reps}次重复）",
                     "Headline measures: mean and 95% CI ({reps} replications)"),
    "fig.headline_one": ("主要指标（1次运行，无置信区间）", "Headline measures (one run, no confidence interval)"),
    "fig.diff": ("配对差异 B − A 与95%置信区间（{reps}次配对重复）；着色表示区间不含0",
                 "Paired differences B − A with 95% CI ({reps} paired replications); coloured where the CI "
                 "excludes 0"),
    "unit.share": ("百分比（%）", "per cent (%)"),
    "unit.share_diff": ("百分点", "percentage points"),
    "unit.load": ("工作量（忙碌 ÷ 在岗时间，%）", "workload (busy ÷ on-duty time, %)"),
    "unit.minutes": ("分钟", "minutes"),
    "unit.days": ("天", "days"),
    "unit.gini": ("基尼系数（0 = 完全均衡）", "Gini (0 = perfectly even)"),
    "unit.ratio": ("比值", "ratio"),
    "unit.count": ("数量", "count"),
    "unit.money": ("金额", "amount"),
    "unit.money_1e8": ("金额（亿元）", "amount (100 million yuan)"),
    "unit.money_1e6": ("金额（百万元）", "amount (million yuan)"),
    "unit.money_1e4": ("金额（万元）", "amount (10 thousand yuan)"),
    "unit.money_1e3": ("金额（千元）", "amount (thousand yuan)"),
    "unit.money_1": ("金额（元）", "amount (yuan)"),
    "headline.note": ("完整指标见 compare.csv 和附录“全部指标”（gridsim report --appendix）。",
                      "Every measure is in compare.csv and in the appendix “Every measure” (gridsim report "
                      "--appendix)."),
    "sec.appendix": ("附录", "Appendix"),
    "appendix.left_out": ("本报告未附附录（全部指标、其余假设）；需要时运行 gridsim report {folder} --appendix。"
                          "全部数据在该文件夹的 {files} 文件中。",
                          "The appendix (every measure, the other assumptions) is left out; gridsim report "
                          "{folder} --appendix adds it. The folder's {files} files hold every number."),
    "diff.none": ("没有哪个主要指标的差异置信区间不含0。", "No headline difference has an interval excluding 0."),
    "diff.small": ("{measures}：差值的置信区间不含0，但幅度不大（占比不足5个百分点，其他指标不足A值的10%），此处不分析其机制。",
                   "{measures}: the interval of the difference excludes 0, but the change is small (under 5 points "
                   "for a share, under 10% of A's value otherwise), so its mechanism is not traced here."),
    "diff.staffing": ("{measures}：人员由两个情景各自设定，每次重复的差值都相同，这也是差异；见“{section}”一节。",
                      "{measures}: staff set by each scenario, the same difference in every replication (a "
                      "difference all the same); see “{section}”."),
    "diff.large": ("较大的差异及其机制", "Large differences and their mechanism"),
    "diff.mech_intro": (
        "模型把每个问题的经历分为几个环节：发现（巡查、热线、监控、党员中心户）、派遣（指挥中心、执法中队）、"
        "逐级处置（网格→村→镇→县，超时预警与核查）和政务服务大厅。下面先列出较大的差异，"
        "再对驱动它们的每个环节说一次：情景中改动了什么，以及该环节的指标如何随之变化。",
        "The model follows each problem through stages: discovery (patrol, hotline, cameras, Party households), "
        "dispatch (command centre, squads), escalation (grid → village → town → county, alarms and verification), "
        "and the service hall. Below: the large differences, then once for each stage that drives them, what the "
        "scenario changed there and how that stage's own measures moved."),
    "diff.changed_fields": ("情景改动", "scenario changes"),
    "diff.moved": ("该环节的指标", "this stage's measures"),
    "diff.no_field": ("该环节的设置未改动", "no setting of this stage changed"),
    "diff.drives": ("影响上列的", "drives, of those above"),
    "diff.mechanisms": ("各环节的机制（每个环节说一次）：", "The stages behind them (each said once):"),
    "mech.colon": ("：", ": "),
    "mech.sep": ("；", "; "),
    "mech.open": ("（", " ("),
    "mech.close": ("）", ")"),
    "mech.more": ("；……（另 {n} 项）", "; … (+{n})"),
    # tiers and categories
    "fig.tiers": ("各层级办结占比（平均值与95%置信区间，{reps}次重复）",
                  "Share resolved at each tier (mean and 95% CI, {reps} replications)"),
    "fig.channels": ("各渠道发现占比（平均值与95%置信区间，{reps}次重复）",
                     "Share noticed by each channel (mean and 95% CI, {reps} replications)"),
    "category": ("类别", "category"),
    "cat.note": ("每类问题的数值为{reps}次重复的平均值与95%置信区间。",
                 "Per kind of problem: mean and 95% CI over {reps} replications."),
    # maps
    "map.score": ("各网格考核得分（0–100）", "Score of each grid (0–100)"),
    "map.discovery": ("各网格发现时间中位数（分钟）", "Median time to notice a problem, per grid (min)"),
    "map.discovery_legend": ("发现时间中位数", "time to notice, median"),
    "map.squads_opt": ("执法中队驻地与辖区：{opt}", "Squad bases and zones: {opt}"),
    "map.sweep_levels": ("基准点及 {factor} 各水平（其他因素取基准点的值）的镇域布局，由情景文件重建：网格按户数着色，"
                         "星为中队驻地，虚线为辖区（各图使用同一色标）。",
                         "The town's layout at the base point and at each level of {factor} (the other factors at "
                         "the base point), rebuilt from the scenario: grids shaded by households, squad bases as stars, "
                         "zones dashed (one colour scale for all maps)."),
    "map.sweep_base": ("基准点的镇域布局，由情景文件重建：网格按户数着色，星为中队驻地，虚线为辖区。",
                       "The town's layout at the base point, rebuilt from the scenario: grids shaded by households, "
                       "squad bases as stars, zones dashed."),
    "map.grids_opt": ("网格划分：{opt}（{n}个网格）", "Grid division: {opt} ({n} grids)"),
    "map.households": ("每格户数", "households per grid"),
    "map.calls_squads": ("各网格事件数（问题发生地），执法中队驻地与辖区",
                         "Where problems arose (incidents per grid), with squad bases and zones"),
    "map.layout_compare": ("两个方案在地图上的不同之处，由各自情景文件重建的镇域布局绘制（两图使用同一色标）。",
                           "What differs on the map between the options, drawn from the layout each scenario "
                           "builds (one colour scale for both)."),
    "map.count_unit": ("件", "count"),
    "map.note_one": ("地图来自一次重复（种子 {seed}）：单次结果，无置信区间。",
                     "The maps come from one replication (seed {seed}): a single draw, without a confidence "
                     "interval."),
    "map.layout": ("地图由情景文件重建的镇域布局绘制（网格按户数着色）。",
                   "The map is drawn from the town layout the scenario builds (grids shaded by households)."),
    # assumptions
    "as.intro.compare": ("下列取值在情景文件中标注为“假设”，且正是两个方案不同的字段：结论直接依赖于它们。",
                         "These values are marked “assumption” in the scenario files and are among the fields the "
                         "options differ in: the conclusions rest directly on them."),
    "as.intro.run": ("情景文件中标注为“假设”的取值（其余数字来自公开资料，见 DESIGN.md §2）。",
                     "Values marked “assumption” in the scenario files (every other number comes from public "
                     "figures, DESIGN.md §2)."),
    "as.intro.sweep": ("试验所改变的字段在基准情景中的假设取值。",
                       "The assumption values of the base scenario on the fields the experiment varies."),
    "as.none": ("所比较的字段中没有标注为假设的取值。", "None of the compared fields carries an assumption value."),
    "as.shared": ("两个方案共有的其他假设：{n}项（附录，--appendix）。",
                  "Other assumptions both options share: {n} (in the appendix, --appendix)."),
    "as.appendix": ("附录：其他假设", "Appendix: other assumptions"),
    "as.note": ("说明", "note"),
    "as.item": ("项目", "item"),
    "as.group": ("方面", "about"),
    "as.raw": ("情景文件中的字段与原文见附录（--appendix）。", "The scenario fields and their values as written are in the appendix (--appendix)."),
    "as.appendix_raw": ("附录：假设的字段与原文", "Appendix: the assumptions' fields as written"),
    "as.file": ("文件", "file"),
    # limits
    "limits": (
        "时限按类别在两种时钟之一上计算：自然时间，或镇的工作时间（limit_clock = \"working\"，即政府办公时间 command_centre.working_hours，"
        "预设为每周5天），例如周五傍晚上报的问题到周六并不超时；工作日历不含法定节假日。"
        "执法中队每天排班（预设07:00–22:00），因此夜间的呼叫要等早班车组，结案较晚。|"
        "每周工作不足7天的人员按固定规则轮休（n人中第k人从第round(7k/n)天开始一周，各网格依次错开），"
        "服务大厅只在开放日办公；一个网格轮休时的巡查按一人的在岗强度计算，谁替谁顶班不另建模。|"
        "到场时间分位数包含发现者当场处置的0分钟事件；运行结束时仍在等待的事件不计入中位数（按时率在期限过后计入）。|"
        "巡查员被派案件时仍在巡查；兼职角色的忙碌时间按其兼职时长计算，因此工作量可能超过1。核查不通过后的返工只是延迟，不占用人员。|"
        "移交110/119的紧急事件计入县级。|"
        "大厅办理时间只统计运行结束前办完的事项，短期运行会低估多次到访的慢事项；请比较同样长度的运行。|"
        "除非情景给出地理数据（[town.gis]），镇域由生成的矩形村落组成；除非给出路网，出行时间为直线距离乘绕行系数。|"
        "概率、作业时间等标注为“假设”的数值并非实测，结论只在这些假设成立时成立。",
        "Limits run on one of two clocks, chosen per category: calendar time, or the town's working time "
        "(limit_clock = \"working\": government office hours, command_centre.working_hours, five days a week in the "
        "presets), on which "
        "a problem reported on Friday evening is not late on Saturday; the working calendar has no public holidays. "
        "Squads keep a shift every day (07:00–22:00 in the presets), so a call at night waits for the morning crew "
        "and closes late.|"
        "People who work fewer than seven days a week rest by a fixed rota (person k of n begins the week on day "
        "round(7k/n), staggered from grid to grid), and the service hall opens on its open weekdays only; a grid's "
        "patrol on a rota is one beat at the on-duty effort, so who covers for whom is not modelled beyond that.|"
        "Response percentiles include the 0-minute cases a finder settles on the spot; cases still waiting at the "
        "end of a run are left out of the medians (on-time shares count them once their limit has passed).|"
        "A patroller keeps patrolling while booked on a case; a part-time role's busy time is set against its "
        "part-time hours, so its workload can exceed 1. Rework after a failed verification is a delay, not a "
        "booking of anyone.|"
        "Emergencies handed to 110/119 count in the county tier.|"
        "Hall processing times count the cases finished by the end of the run, so a short run understates slow "
        "(multi-visit) cases: compare runs of the same length.|"
        "Unless the scenario gives GIS layers ([town.gis]), the town is a generated lattice of rectangular villages; "
        "unless it gives roads, travel is straight-line distance times a detour factor.|"
        "Probabilities, work times and other values marked “assumption” are not measured: the conclusions hold "
        "only as far as those assumptions do."),
    # sweeps
    "q.sweep": ("试验“{name}”：{points}个设计点 × {reps}次重复（{design}）。各点的第k次重复使用同一随机种子，"
                "因此点与点之间的差异按重复配对计算。改变的因素：",
                "Experiment “{name}”: {points} design points × {reps} replications ({design}). Replication k of "
                "every point uses the same seed, so differences between points are paired by replication. The "
                "factors varied:"),
    "factor": ("因素", "factor"),
    "levels": ("水平", "levels"),
    "q.base": ("基准点：第{point}点（{values}），即基准情景 {scenario} 自身的取值。",
               "Base point: point {point} ({values}), the base scenario {scenario}'s own values."),
    "eff.intro": ("图中为每个因素各水平下的平均值（对其他因素取平均）与95%置信区间，基于{reps}次重复。",
                  "Each figure shows a measure's mean at each level of each factor (averaged over the other "
                  "factors), with its 95% CI over {reps} replications."),
    "fig.effects": ("各因素水平下的平均值与95%置信区间（每行一个指标，每列一个因素；{reps}次重复）",
                    "Mean at each factor level with 95% CI (a row per measure, a column per factor; "
                    "{reps} replications)"),
    "eff.table": ("主效应（相对基准水平，配对）", "Main effects against the base level (paired)"),
    "eff.table_note": ("每个水平与基准水平在其他因素相同的设计点之间逐次重复配对相减，再取平均；"
                       "区间为{reps}次重复上的95%置信区间。",
                       "Each level is set against the base level at design points equal in every other factor, "
                       "replication by replication; the interval is the 95% CI over {reps} replications."),
    "contrast": ("比较", "contrast"),
    "effect_ci": ("效应 [95%置信区间]", "effect [95% CI]"),
    "point": ("设计点", "point"),
    "vs.intro": ("每个设计点的平均值，以及与基准点（★，第{point}点）逐次重复配对的差异和95%置信区间（{reps}次重复）。",
                 "Each design point's mean, and its paired difference from the base point (★, point {point}) "
                 "with 95% CI ({reps} replications)."),
    "as.scenario_factor": ("“scenario”因素在两个情景文件之间切换，它们有{n}个字段不同：",
                           "The “scenario” factor switches between scenario files that differ in {n} fields:"),
    "par.intro.squad": ("这是执法中队的试验，因此用中队的指标衡量：{share}，以及{gini}，对照中队的人员。"
                        "红圈为非劣点：没有其他点在三方面都不差且至少一方面更好。",
                        "This experiment varies the squads, so it is judged by squad measures: {share}, and {gini}, "
                        "against the squads' staff. Ringed points are non-dominated: no other point is as "
                        "good on all three and better on one."),
    "par.intro.grid": ("用{share}、{gini}和人员衡量。红圈为非劣点：没有其他点在三方面都不差且至少一方面更好。",
                       "Judged by {share}, {gini} and staff. Ringed points are non-dominated: no other point is "
                       "as good on all three and better on one."),
    "fig.pareto": ("各设计点的权衡（平均值与95%置信区间，{reps}次重复；标签为设计点编号）",
                   "Trade-off per design point (means with 95% CI, {reps} replications; labels: point)"),
    "par.staff": ("人员（网格人员 + 执法车组）", "staff (grid staff + squad crews)"),
    "par.front": ("非劣设计点", "Non-dominated design points"),
    "warnings": ("注意：以下情况使结果不可靠或超出规定范围：",
                 "Warning: these conditions make the results untrustworthy or out of their stated range:"),
    "all.note": ("省略了两个方案完全相同的指标。", "Measures identical in A and B are left out."),
    "yes": ("是", "yes"),
    "reps_n": ("重复次数", "replications"),
    # workload
    "sec.workload": ("工作量与人员", "Workload and staff"),
    # the workload section's intro: what the columns mean, then what a cell is (wl.cells / wl.cells_one)
    "wl.intro": ("工作量 = 忙碌时间 ÷ 在岗时间（含日常工作和案件），平均为该角色所有人员的平均，最大为最忙的一人；"
                 "基尼系数衡量人员之间是否均衡（0 = 完全均衡）；加班为每人每月小时数。",
                 "Workload = busy time ÷ on-duty time (routine duties and cases); mean over the people of a role, "
                 "max the busiest one; the Gini says how evenly the work is spread (0 = perfectly even); overtime in "
                 "hours per person a month. "),
    "wl.cells": ("每格为{reps}次重复的平均值，第二行为95%置信区间（各次重复相同的人数、成本不列区间）。",
                 "Each cell is the mean over {reps} replications, its 95% CI on the "
                 "second line (headcounts and costs that every replication shares have none)."),
    "wl.role": ("角色", "role"),
    "wl.workload_mean": ("平均工作量", "workload, mean"),
    "wl.workload_max": ("最大工作量", "workload, max"),
    "wl.workload_gini": ("基尼系数", "Gini"),
    "wl.overtime_hours_per_month": ("每月加班（小时）", "overtime (h/month)"),
    "wl.staff_headcount": ("人数", "headcount"),
    "wl.staff_fte": ("折合全职", "FTE"),
    "wl.staff_cost_per_year": ("年成本（元）", "cost a year (CNY)"),
    "wl.diff": ("差异 B − A（按重复配对，{reps}次，95%置信区间）", "Differences B − A (paired, {reps} replications, 95% CI)"),
    "wl.fig": ("各角色平均工作量（平均值与95%置信区间，{reps}次重复）",
               "Mean workload per role (mean and 95% CI, {reps} replications)"),
    "wl.sweep_intro": ("本试验按{role}的工作量衡量。每个设计点：{reps}次重复的平均值与95%置信区间；"
                       "“较基准”为与基准点（★，第{point}点）逐次重复配对的差异及其区间。",
                       "This experiment is judged by the workload of {role}. Per design point: the mean and 95% CI "
                       "over {reps} replications; \u201cvs base\u201d is the paired difference from the base point "
                       "(★, point {point}) with its interval."),
    "wl.vs_base": ("较基准", "vs base"),
    "wl.departments": ("镇、县职能部门", "Town and county departments"),
    # plans
    "title.plan_bases": ("执法中队驻地与辖区方案：{name}", "Squad bases and zones: {name}"),
    "title.plan_grids": ("网格划分方案：{name}", "Grid division: {name}"),
    "plan.subtitle_verified": ("方案经仿真验证：{days}天 × {reps}次配对重复",
                               "proposals verified by simulation: {days} days × {reps} paired replications"),
    "plan.subtitle_unverified": ("方案未经仿真验证（仅为模型预测）", "proposals not verified by simulation (predictions only)"),
    "plan.read": (
        "方案由优化模型提出，先用解析模型预测其效果（执法中队：Larson排队超立方体模型；网格：事件模型的期望事件数）。"
        "随后在完整仿真中验证：今天的方案与每个新方案使用相同的随机种子各运行若干次，差值（新方案 − 今天）按每次重复配对计算，"
        "方括号内为95%置信区间。只有当目标指标的区间整体落在“更好”一侧、且其他把关指标都没有显著变差时，方案才算“已确认”；"
        "其余方案标为“未确认”，并说明原因。只有区间不含0的差值才着色：绿色变好，红色变差，蓝色有变化但无好坏之分。",
        "Each proposal comes from an optimisation model, and its effect is first predicted analytically (squads: "
        "Larson's hypercube queueing model; grids: the incident model's expected events). It is then checked in "
        "the full simulation: today's plan and each proposal run on the same seeds, and the difference (proposal − "
        "today) is taken replication by replication (paired), with its 95% confidence interval in brackets. A "
        "proposal is confirmed only when the interval of its target measure lies wholly on the better side and no "
        "guard measure is significantly worse; every other proposal is unconfirmed, with the reason. Only "
        "differences whose interval excludes 0 are coloured: green better, red worse, blue changed without a "
        "better side."),
    "plan.unverified": ("这些方案没有经过仿真验证（未使用 --verify），表中数字只是解析模型的预测，所有方案均视为未确认。"
                        "请用 gridsim plan … --verify R 运行R次配对重复。",
                        "These proposals were not checked by simulation (no --verify): the numbers are the analytic "
                        "model's predictions and every proposal counts as unconfirmed. Run gridsim plan … --verify R "
                        "for R paired replications."),
    "sec.proposals": ("方案", "The proposals"),
    "sec.proposal": ("方案", "The proposal"),
    "sec.verify": ("仿真验证：配对差异与结论", "Verification by simulation: paired differences and verdicts"),
    "sec.verify_all": ("附录：验证的全部指标", "Appendix: every measure of the verification"),
    "plan.q_bases": ("执法中队应驻在哪里、每个中队优先负责哪些村？对 K = {ks} 个中队分别求解。情景 {name}："
                     "每天约 {calls} 次需要派中队的事件；15分钟内到场要求扣除分诊和派单后，留给行车的时间为 {budget} 分钟。",
                     "Where should the enforcement squads be based, and which villages should each answer first? "
                     "Solved for K = {ks} squads. Scenario {name}: about {calls} squad calls a day; the 15-minute "
                     "rule less triage and dispatch leaves {budget} minutes of driving."),
    "plan.q_today": ("今天的方案：{k}个中队、{crews}个车组，驻地 {bases}。",
                     "Today's plan: {k} squads, {crews} crews, based at {bases}."),
    "plan.q_grids": ("每个村应如何划分为二级网格，使每格户数在 {low}–{high} 户之间、网格连片紧凑、各网格的预期事件数尽量均衡？"
                     "情景 {name}。",
                     "How should each village be divided into level-2 grids so that every grid holds {low}–{high} "
                     "households, grids are contiguous and compact, and expected events per grid are as even as "
                     "possible? Scenario {name}."),
    "method.p-median": ("p-中位：每次出车的平均行程最短（每个村整体归一个驻地）。",
                        "p-median: the shortest mean trip per call (villages assigned whole)."),
    "method.mclp": ("最大覆盖（MCLP）：在行车时限内可到达的事件最多。",
                    "maximal covering (MCLP): the most calls within the driving budget."),
    "method.p-center": ("p-中心：最远一次出车的行程最短。", "p-center: the shortest longest trip."),
    "plan.proposals_bases": ("每个K用三种选址模型求驻地，再按负荷均衡调整辖区。预测值来自排队超立方体模型；"
                             "●表示非劣方案（没有其他方案车组更少、15分钟到场率更高且负荷更均衡）。",
                             "For each K, three location models choose the bases; zones are then balanced by "
                             "workload. Predictions come from the hypercube queueing model; ● marks a non-dominated "
                             "plan (no other plan has fewer crews, a higher 15-minute share and more even work)."),
    "plan.col_plan": ("方案", "plan"),
    "plan.col_crews": ("车组数", "crews"),
    "plan.col_bases": ("驻地", "bases"),
    "plan.col_pred": ("预测15分钟到场率", "predicted 15-min share"),
    "plan.col_trip": ("平均行程（分钟）", "mean trip (min)"),
    "plan.col_wait": ("需等待的概率", "P(wait)"),
    "plan.col_balance": ("中队负荷 最大÷平均（1 = 均衡）", "squad load max ÷ mean (1 = even)"),
    "plan.col_front": ("非劣", "non-dominated"),
    "plan.col_sim": ("仿真15分钟到场率（派中队事件）[95%置信区间，{reps}次重复]",
                     "simulated 15-min share of squad calls [95% CI, {reps} replications]"),
    "plan.col_verdict": ("结论", "verdict"),
    "plan.col_price": ("人员与每年人员成本（较今天）", "staff and staff cost a year (vs today)"),
    "plan.dearer": ("（但更贵）", " (but costs more)"),
    "plan.fte": ("折合全职{n}人", "{n} FTE"),
    "plan.per_year": ("{cost}/年", "{cost}/year"),
    "plan.same": ("不变", "unchanged"),
    "plan.staff": ("{n}人", "{n} staff"),
    "plan.price": ("{staff}（折合全职{fte}人），每年人员成本{cost}", "{staff} ({fte} full-time equivalents), {cost} a year"),
    "plan.price_nocost": ("{staff}（折合全职{fte}人）", "{staff} ({fte} full-time equivalents)"),
    "plan.price_same": ("人员与成本不变", "the same staff and cost"),
    "plan.costs_more": ("，但每年多花{cost}（{staff}）", ", but it costs {cost} more a year ({staff})"),
    "plan.saves": ("，且每年节省{cost}（{staff}）", ", and it saves {cost} a year ({staff})"),
    "plan.price_of": ("；代价：{price}", "; price: {price}"),
    "plan.saving_of": ("；可节省{staff}（折合全职{fte}人），每年人员成本{cost}",
                       "; it would save {staff} ({fte} full-time equivalents) and {cost} a year"),
    "plan.grids_price": ("新方案有{grids}个网格（今天{today}个，{diff}）。每个网格配一长五员，所以人员{price}。仿真验证的结论：{verdict}。",
                         "The proposal has {grids} grids (today {today}, {diff}). Each grid carries its own team "
                         "(一长五员), so staff change by {price}. Verdict of the simulation: {verdict}."),
    "plan.grids_price_unverified": ("新方案有{grids}个网格（今天{today}个，{diff}）。每个网格配一长五员，网格越多人员与成本越高；"
                                    "人员与每年成本的变化由 --verify 的验证算出。",
                                    "The proposal has {grids} grids (today {today}, {diff}). Each grid carries its own "
                                    "team (一长五员), so more grids mean more staff and cost; --verify works out the "
                                    "change in staff and yearly cost."),
    "plan.bases_price": ("下表每个方案都列出其人员与每年人员成本相对今天的变化；已确认但更贵的方案在结论中注明。",
                         "Every plan below shows its change in staff and yearly staff cost against today; a plan "
                         "confirmed on service that costs more says so in its verdict."),
    "money.1e8": ("{v}亿元", "{v} hundred million yuan"),
    "money.1e6": ("{v}百万元", "{v} million yuan"),
    "money.1e4": ("{v}万元", "{v} × 10,000 yuan"),
    "money.1e3": ("{v}千元", "{v} thousand yuan"),
    "money.1": ("{v}元", "{v} yuan"),
    "plan.col_objective": ("目标", "objective"),
    "plan.col_today": ("今天", "today"),
    "verdict.confirmed": ("已确认", "confirmed"),
    "verdict.unconfirmed": ("未确认", "unconfirmed"),
    "plan.pareto_title": ("各K的方案：车组数、15分钟到场率与负荷均衡", "Plans across K: crews, 15-minute share and balance"),
    "plan.pareto_sim": ("（菱形：仿真值与95%置信区间，{reps}次重复）",
                        " (diamonds: simulated, with 95% CI over {reps} replications)"),
    "plan.pareto_read": ("标记为预测值：形状表示选址方法，横轴为在岗车组数（同一K的方案并排），红圈为非劣方案，"
                         "各方案的名称与数值见上表；颜色越浅，最忙中队与平均负荷越接近。",
                         "Markers are predictions: the shape is the method, the position across the crews on shift "
                         "(plans of one K side by side), a red ring a non-dominated plan, named with its numbers in "
                         "the table above; the lighter the colour, the closer the busiest squad is to the mean load."),
    "plan.verify_intro": ("目标指标：{target}；把关指标（不得显著变差）：{guards}。每行为新方案减今天的方案，按重复配对。",
                          "Target measure: {target}; guards (must not get significantly worse): {guards}. Each row is "
                          "proposal − today, paired by replication."),
    "plan.list_sep": ("、", ", "),
    "plan.why_confirmed": ("{target}显著改善（{diff}），把关指标均未显著变差",
                           "{target} better ({diff}) and no guard significantly worse"),
    "plan.why_none": ("{target}没有显著变化（{diff}）", "{target}: no significant change ({diff})"),
    "plan.why_worse": ("{target}显著变差（{diff}）", "{target} significantly worse ({diff})"),
    "plan.why_guard": ("{target}改善，但{guard}显著变差（{diff}）", "{target} better, but {guard} significantly worse ({diff})"),
    "plan.why_missing": ("没有测到{target}", "{target} was not measured"),
    "plan.forest": ("{target}：新方案 − 今天（95%置信区间）；绿色为已确认", "{target}: proposal − today (95% CI); green: confirmed"),
    "plan.verify_all": ("每个方案与今天相比有差异的全部指标（均值[95%置信区间]；完全相同的行已省略）。",
                        "Every measure that differs between a proposal and today (mean [95% CI]; identical rows left "
                        "out)."),
    "plan.maps_bases": ("每个方案的驻地（★）与辖区（虚线），网格按每天需派中队的预期事件数着色（所有地图同一色标）。",
                        "Each plan's bases (★) and zones (dashed), grids shaded by expected squad calls a day (one "
                        "colour scale for every map)."),
    "plan.maps_bases_hh": ("每个方案的驻地（★）与辖区（虚线），网格按户数着色。",
                           "Each plan's bases (★) and zones (dashed), grids shaded by households."),
    "plan.map_title": ("{plan}（预测15分钟到场率 {share}）", "{plan} (predicted 15-min share {share})"),
    "plan.calls_unit": ("次/天", "per day"),
    "plan.proposal_grids": ("今天的划分与新方案的目标对比（事件数为事件模型的期望值）。",
                            "Today's division against the proposal (events are the incident model's expectation)."),
    "plan.maps_grids": ("今天的网格与新方案（蓝线为网格界线，黑色粗线为村界，灰线为道路；两图同一色标），以及新方案各网格的预期事件数。",
                        "Today's grids and the proposal (blue lines grid boundaries, thick black lines villages, grey lines roads; "
                        "one colour scale), "
                        "and the proposal's expected events per grid."),
    "plan.map_events": ("新方案：各网格每月预期事件数", "Proposal: expected events per grid a month"),
    "plan.events_unit": ("件/月", "per month"),
    "plan.as_bases": ("方案建立在以下方法假设上：", "The proposals rest on these assumptions of the method:"),
    "plan.as_grids": ("方案建立在以下方法假设上：", "The proposal rests on these assumptions of the method:"),
    "plan.method_bases": (
        "候选驻地为各村中心点；行程时间来自情景的出行模型（直线×绕行系数，或路网），加上派单开销。|"
        "需求为事件模型给出的各网格预期派中队事件数（不需派中队、当场处置的事件不计）。|"
        "超立方体模型假设到达为泊松过程、服务时间按指数分布近似，9个车组以上为近似解；预测值需经仿真验证。|"
        "辖区必须连片，调整辖区时不得降低驻地覆盖率。",
        "Candidate bases are the village centroids; travel times come from the scenario's travel model "
        "(straight line × detour, or roads) plus the dispatch overhead.|"
        "Demand is each grid's expected squad calls from the incident model (calls settled on the spot do not "
        "count).|"
        "The hypercube assumes Poisson arrivals and exponential service, exact up to 9 crews and approximate "
        "beyond: its predictions are checked by simulation.|"
        "Zones stay contiguous, and balancing them may not lower the share of calls within the budget of their "
        "home base."),
    "plan.method_grids": (
        "每个村单独划分；网格由规则网格单元拼成，只在村内连片。|"
        "预期事件数来自事件模型（按户数和企业数），不是历史记录。|"
        "验证时每个新网格配备与今天相同的人员编制（一长五员），因此网格越多，人员越多。",
        "Each village is divided on its own; grids are unions of lattice cells, contiguous within the village.|"
        "Expected events come from the incident model (by households and enterprises), not from records.|"
        "In the verification each new grid carries the same team as today's (一长五员), so more grids mean more "
        "staff."),
    "plan.as_rest": ("输入情景的其他假设：{n}项（见情景文件 {files}）。",
                     "Other assumptions of the input scenario: {n} (in its files {files})."),
    "plan.as_files": ("输入情景中与方案相关、标注为“假设”的取值：",
                      "Values marked “assumption” in the input scenario on the fields the plan rests on:"),
    # one run: no interval, and no promise of one
    "mean_one": ("数值（1次运行，无置信区间）", "value (one run, no confidence interval)"),
    "fig.tiers_one": ("各层级办结占比（1次运行，无置信区间）", "Share resolved at each tier (one run, no confidence interval)"),
    "fig.channels_one": ("各渠道发现占比（1次运行，无置信区间）",
                         "Share noticed by each channel (one run, no confidence interval)"),
    "cat.note_one": ("每类问题的数值来自1次运行，无置信区间。", "Per kind of problem: the values of one run, with no "
                     "confidence interval."),
    "wl.cells_one": ("每格为1次运行的数值，无置信区间。", "Each cell is the value of one run, with no confidence interval."),
    "wl.fig_one": ("各角色平均工作量（1次运行，无置信区间）", "Mean workload per role (one run, no confidence interval)"),
    # response time 0: the finder settled it on the spot
    "cat.on_spot": ("{value}（当场处置）", "{value} (on the spot)"),
    "cat.on_spot_note": ("到场时间 = 到场时刻 − 上报时刻，只计需要有人到场的问题。巡查人员在现场发现并当场处置的问题，"
                         "上报时人已在场，到场时间记为0；中位数为0（标“当场处置”）表示该类问题过半是这样当场处置的，"
                         "不是派人到场特别快。",
                         "Response time = arrival − report, for problems that need someone on scene. A problem a "
                         "patroller finds and settles on the spot is reported by someone already there: its "
                         "response time is 0. A median of 0 (marked “on the spot”) means more than half of "
                         "that kind were settled so, not that anyone was sent faster."),
    # staff whose cost the scenario does not give
    "cost.left_out": ("年人员成本合计不含{roles}共{n}人：情景未给出其薪酬（成本列为“–”），人数和折合全职合计包含他们。",
                      "The staff cost total leaves out {roles} ({n} people): the scenario gives no salary for them "
                      "(their cost reads “–”); the headcount and FTE totals include them."),
    "cost.role_sep": ("、", ", "),
    "unit.yuan_in_label": ("（元）", " (yuan)"),  # a money measure's unit in its name (sim.labels), the axis's on a chart
    # the scenario behind a report, by its file
    "scenario_file": ("情景文件 {files}", "Scenario file {files}"),
    "footer": ("由 gridsim report 生成；数字来自 {folder}。", "Made by gridsim report from {folder}."),
}


def t(key: str, lang: Lang, **kw: object) -> str:
    """Look up a report text in Chinese or English, filled with ``kw`` (one replication, not "1 replications")."""
    text = page_text(_TEXT, key, lang, **kw)
    return re.sub(r"\b1 (paired )?replications\b", r"1 \1replication", text) if lang == "en" else text
