"""Reading the folders a report is made from: a run, a compare, a sweep.

An *option* is one scenario's results: its ``summary.json``, one row per replication
(``replications.parquet``, or the single run's summary), and its scenario snapshot.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.measures import flat
from sim.report.figures import Estimate
from sim.report.sources import read_snapshot
from sim.stats import measure_ci

Kind = Literal["run", "compare", "sweep", "plan"]


class ReportError(Exception):
    """A folder the report cannot be made from (one line for the user)."""


@dataclass
class Option:
    """One scenario's results in a run or compare folder."""

    folder: Path
    summary: dict[str, Any]
    reps: pd.DataFrame  # one row per replication: seed + flat measures
    snapshot: dict[str, Any] | None
    files: dict[str, Path] = field(default_factory=dict)  # per-run tables of a single replication

    label: str | None = None  # the name a run or compare report gives it: its display title, or A/B and its file

    @property
    def name(self) -> str:
        """The option's name in the report: its label, else the scenario's, else the folder's."""
        return self.label or str(self.summary.get("scenario", self.folder.name))

    @property
    def n(self) -> int:
        """Number of replications behind the option's estimates."""
        return len(self.reps)

    def measures(self) -> list[str]:
        """List the flat measures recorded for every replication."""
        return [c for c in self.reps.columns if c not in ("seed", "days")]

    def estimate(self, measure: str) -> Estimate:
        """Mean and 95% CI of a measure over the replications, cut at the measure's range."""
        if measure not in self.reps:
            return Estimate(math.nan, math.nan, math.nan)
        return Estimate(*measure_ci(measure, self.reps[measure].to_numpy(dtype=float)))


def kind_of(folder: Path) -> Kind:
    """Which command made the folder."""
    if not folder.is_dir():
        raise ReportError(f"{folder}: no such folder")
    if (folder / "compare.json").is_file():
        return "compare"
    if (folder / "experiment.json").is_file():
        return "sweep"
    if (folder / "plan.json").is_file():
        return "plan"
    if (folder / "summary.json").is_file():
        return "run"
    raise ReportError(f"{folder}: not a run, compare, sweep or plan folder (no summary.json, compare.json, "
                      "experiment.json or plan.json)")


def read_json(path: Path) -> dict[str, Any]:
    """Read a JSON file of a results folder; a damaged or missing one is a one-line ReportError."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: cannot be read: {exc}") from None


def load_option(folder: Path) -> Option:
    """Read one scenario's results from a run folder (one replication or several)."""
    summary = read_json(folder / "summary.json")
    reps_path = folder / "replications.parquet"
    if reps_path.is_file():
        reps = pd.read_parquet(reps_path)
    elif isinstance(summary.get("incidents"), dict):
        raise ReportError(f"{folder}: summary.json holds replications but replications.parquet is missing")
    else:
        reps = pd.DataFrame([{"seed": summary.get("seed"), **flat(summary)}])
    files = {name: folder / f"{name}.parquet" for name in ("grids", "incidents", "staff", "hall")
             if (folder / f"{name}.parquet").is_file()}
    return Option(folder, summary, reps, read_snapshot(folder), files)


def paired(a: Option, b: Option, measure: str) -> Estimate:
    """Mean and 95% CI of B − A over replications paired by seed (a share's within ±100 points)."""
    if measure not in a.reps or measure not in b.reps:
        return Estimate(math.nan, math.nan, math.nan)
    m = a.reps[["seed", measure]].merge(b.reps[["seed", measure]], on="seed", suffixes=("_a", "_b"))
    d = m[f"{measure}_b"].to_numpy(dtype=float) - m[f"{measure}_a"].to_numpy(dtype=float)
    return Estimate(*measure_ci(measure, d, difference=True))


def identical(a: Option, b: Option, measure: str) -> bool:
    """Whether the measure is the same in A and B in every replication (then the row says nothing)."""
    if measure not in a.reps or measure not in b.reps:
        return False
    m = a.reps[["seed", measure]].merge(b.reps[["seed", measure]], on="seed", suffixes=("_a", "_b"))
    x, y = m[f"{measure}_a"].to_numpy(dtype=float), m[f"{measure}_b"].to_numpy(dtype=float)
    return bool(np.all((x == y) | (np.isnan(x) & np.isnan(y))))


def by_category(option: Option) -> list[dict[str, Any]]:
    """Per-category rows as ``{category, measure: Estimate}`` (combined or single run)."""
    rows = option.summary.get("by_category") or []
    out = []
    for r in rows:
        row: dict[str, Any] = {"category": r["category"]}
        for k, v in r.items():
            if k == "category":
                continue
            if isinstance(v, dict) and "mean" in v:
                lo, hi = v.get("ci95") or (None, None)
                row[k] = Estimate(*(math.nan if x is None else float(x) for x in (v["mean"], lo, hi)))
            elif isinstance(v, (int, float)) or v is None:
                row[k] = Estimate(math.nan if v is None else float(v), math.nan, math.nan)
        out.append(row)
    return out
