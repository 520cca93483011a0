"""Warnings: conditions that make a result untrustworthy or out of its stated range.

A warning is a structured entry, a ``code`` and its ``values``, from the scenario check to
``summary.json`` and the sweep store; its text is made only at the edge (stderr, report,
dashboard), in Chinese or English, from the templates below. Every part of the model that
finds a doubtful condition adds an entry here, so there is one list and one way to print it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Stated ranges the checks compare against (DESIGN.md §2).
GRID_PEOPLE_MAX = 2500.0  # people per level-2 grid
GRIDS_PER_VILLAGE_RANGE = (2, 3)  # each level-1 grid (village) split into 2–3 level-2 grids

# code → (English, Chinese) templates over the entry's values.
TEXT: dict[str, tuple[str, str]] = {
    "unstable_queue": (
        "{server} utilisation {utilisation:.0%} is at or above 100%: the queue grows without bound "
        "and its waits depend on the run length",
        "{server} 利用率 {utilisation:.0%} ≥ 100%：队列无限增长，等待时间取决于运行时长",
    ),
    "grid_households_out_of_range": (
        "{grids} of {total} grids hold {low:.0f}–{high:.0f} households, outside the stated "
        "{range_low:.0f}–{range_high:.0f} per grid: {names}",
        "{total} 个网格中有 {grids} 个户数为 {low:.0f}–{high:.0f}，超出每格 {range_low:.0f}–{range_high:.0f} 户的规定范围：{names}",
    ),
    "grid_people_out_of_range": (
        "{grids} of {total} grids hold more than {limit:.0f} people (up to {high:.0f}): {names}",
        "{total} 个网格中有 {grids} 个人口超过 {limit:.0f} 人（最多 {high:.0f} 人）：{names}",
    ),
    "village_grids_out_of_range": (
        "{villages} of {total} villages are split into {low}–{high} grids, outside the stated "
        "{range_low}–{range_high}: {names}",
        "{total} 个村（社区）中有 {villages} 个划分为 {low}–{high} 个网格，超出规定的 {range_low}–{range_high} 个：{names}",
    ),
    "spot_fix_impossible": (
        "{category}: severity {severity} reaches escalation.severity_to_village = {threshold}, which also "
        "forbids the on-the-spot fix, so its spot_fix_prob {spot_fix_prob:g} is never used",
        "{category}：严重度 {severity} 达到 escalation.severity_to_village = {threshold}，该阈值同时禁止就地处置，"
        "spot_fix_prob {spot_fix_prob:g} 不起作用",
    ),
    "threshold_without_effect": (
        "escalation.{threshold} = {value} changes no category's starting tier (categories already start "
        "there or higher): varying it has no effect",
        "escalation.{threshold} = {value} 不改变任何类别的起始层级：调整它没有效果",
    ),
    "geometry_repaired": (
        "{file}: {count} invalid {layer} polygon(s) repaired with make_valid (first: {first}, {reason})",
        "{file}：{count} 个无效的{layer}多边形已用 make_valid 修复（首个：{first}，{reason}）",
    ),
    "points_outside_villages": (
        "{file}: {outside} of {total} household/enterprise points lie outside every village and are ignored",
        "{file}：{total} 个住户/企业点中有 {outside} 个不在任何村（社区）内，已忽略",
    ),
    "villages_without_points": (
        "{file}: {villages} villages have no household/enterprise point ({names}); their incidents are "
        "drawn uniformly over the village",
        "{file}：{villages} 个村（社区）没有住户/企业点（{names}），其事件在村域内均匀生成",
    ),
    "roads_untagged": (
        "{file}: {edges} of {total} edges have no highway tag and are ignored",
        "{file}：{total} 条边中有 {edges} 条没有 highway 标签，已忽略",
    ),
    "roads_without_speed": (
        "{file}: {edges} edges of road classes with no speed ({classes}) are ignored (give them speeds in "
        "town.roads.speeds)",
        "{file}：{edges} 条边的道路等级没有速度（{classes}），已忽略（可在 town.roads.speeds 中设定）",
    ),
    "roads_outside_connected_part": (
        "{file}: {nodes} of {total} road nodes ({km:.1f} km of road) are outside the largest strongly "
        "connected part for {mode}; trips there start at the nearest connected node",
        "{file}：{total} 个道路节点中有 {nodes} 个（{km:.1f} 公里道路）不在 {mode} 的最大强连通部分内；"
        "这些地点的出行从最近的连通节点开始",
    ),
    "grids_far_from_roads": (
        "{file}: no road reaches {grids} of {total} grids within town.roads.max_access_km = {max_km:g} km of "
        "their centre ({names}); trips there include the straight-line distance to the nearest road",
        "{file}：{total} 个网格中有 {grids} 个中心 {max_km:g} 公里内没有道路（{names}）；"
        "这些网格的出行包含到最近道路的直线距离",
    ),
    "factor_without_effect": (
        "sweep factor {factor}: its levels {levels} give identical results in every measure",
        "扫描因素 {factor}：各水平 {levels} 的结果完全相同",
    ),
}


@dataclass(frozen=True)
class RunWarning:
    """One warning: a code from :data:`TEXT` and the values its text is made from."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in TEXT:
            raise KeyError(f"unknown warning code {self.code!r}")

    def as_dict(self) -> dict[str, Any]:
        """Give the warning as summary.json keeps it: its code and values, no text."""
        return {"code": self.code, "values": dict(self.values)}


def text(entry: RunWarning | dict[str, Any], language: str = "en") -> str:
    """Render the entry's sentence in English (``en``) or Chinese (``zh``)."""
    code, values = (entry.code, entry.values) if isinstance(entry, RunWarning) else (entry["code"], entry["values"])
    en, zh = TEXT[code]
    return (zh if language == "zh" else en).format(**values)


def as_dicts(entries: Iterable[RunWarning]) -> list[dict[str, Any]]:
    """Give the warnings as summary.json keeps them (codes and values, text made when shown)."""
    return [w.as_dict() for w in entries]


def merge(per_run: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Warnings of several replications: each distinct entry once, with how many runs raised it.

    Entries differing only in a measured value (``utilisation``) are one warning; the worst
    value is kept.
    """
    merged: dict[str, dict[str, Any]] = {}
    for run in per_run:
        seen: set[str] = set()
        for w in run:
            ident = {k: v for k, v in w["values"].items() if not isinstance(v, float)}
            key = json.dumps([w["code"], ident], sort_keys=True, default=str)
            if key in seen:
                continue
            seen.add(key)
            if key not in merged:
                merged[key] = {"code": w["code"], "values": dict(w["values"]), "replications": 0}
            old = merged[key]
            old["replications"] += 1
            for k, v in w["values"].items():
                if isinstance(v, float) and v > old["values"].get(k, v):
                    old["values"][k] = v
    return list(merged.values())
