"""Warnings: conditions that make a result untrustworthy or out of its stated range.

A warning is a structured entry, a ``code`` and its ``values``, from the scenario check to
``summary.json`` and the sweep store; its text is made only at the edge (stderr, report,
dashboard), in Chinese or English, from the templates in ``sim.labels.WARNINGS``. Every part of the model that
finds a doubtful condition adds an entry here, so there is one list and one way to print it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.labels import WARNINGS, warning

# Stated ranges the checks compare against (DESIGN.md §2).
GRID_PEOPLE_MAX = 2500.0  # people per level-2 grid
GRIDS_PER_VILLAGE_RANGE = (2, 3)  # each level-1 grid (village) split into 2–3 level-2 grids


def counted_households(households: float) -> int:
    """Households of a level-2 grid as counted against a range: whole households.

    A village's households shared among its grids by area or by cells are floats
    (500.0000000000002, 199.98); a grid holds whole households, so ranges compare the count.
    """
    return round(households)



def name_list(names: Sequence[str], shown: int = 8) -> str:
    """Join the first ``shown`` names, with an ellipsis if there are more.

    The sentence around it gives the count, so the list carries no words of either language.
    """
    return ", ".join(names[:shown]) + (", …" if len(names) > shown else "")


@dataclass(frozen=True)
class RunWarning:
    """One warning: a code from ``sim.labels.WARNINGS`` and the values its text is made from."""

    code: str
    values: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in WARNINGS:
            raise KeyError(f"unknown warning code {self.code!r}")

    def as_dict(self) -> dict[str, Any]:
        """Give the warning as summary.json keeps it: its code and values, no text."""
        return {"code": self.code, "values": dict(self.values)}


def text(entry: RunWarning | dict[str, Any], language: str = "en") -> str:
    """Render the entry's sentence in English (``en``) or Chinese (``zh``)."""
    code, values = (entry.code, entry.values) if isinstance(entry, RunWarning) else (entry["code"], entry["values"])
    return warning(code, values, language)


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


def shared(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], ...]:
    """Split two scenarios' merged warnings into those both raise alike, A's others and B's others.

    A warning of the town both share (grid sizes, a setting with no effect) is then said once,
    not twice word for word.
    """
    both = [w for w in a if w in b]
    return both, [w for w in a if w not in both], [w for w in b if w not in both]


def by_points(entries: Iterable[dict[str, Any]]) -> list[tuple[dict[str, Any], list[int]]]:
    """Group a sweep's warnings: the same entry at several design points once, with those points.

    Without this a warning the base scenario raises is repeated for every point. Entries
    without a point (the whole sweep's) come with an empty list.
    """
    grouped: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for w in entries:
        key = json.dumps([w["code"], w["values"]], sort_keys=True, default=str)
        _, points = grouped.setdefault(key, ({k: v for k, v in w.items() if k != "point"}, []))
        if w.get("point") is not None and w["point"] not in points:
            points.append(int(w["point"]))
    return [(entry, sorted(points)) for entry, points in grouped.values()]
