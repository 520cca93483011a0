"""Running replications, in this process or on the local process pool (sim.pool).

A replication is rebuilt from the scenario on whatever process runs it (models hold
generators and cannot be pickled). Outputs are written into the folder the caller gives,
normally a staged folder (sim.outputs) moved into place only when everything is written.
"""

from __future__ import annotations

import ctypes
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.case_columns import CaseColumns
from sim.config import Scenario
from sim.geo.export import town_info, write_run_layers
from sim.measures import flat, grid_table, staff_table, summarize
from sim.model import TownModel
from sim.pool import run_pool
from sim.stats import measure_ci
from sim.warnings import merge as merge_warnings


def _clean(obj: Any) -> Any:
    """JSON has no NaN: write null."""
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as readable UTF-8 JSON with NaN as null (JSON has no NaN; Chinese stays legible)."""
    path.write_text(json.dumps(_clean(data), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def release_memory() -> None:
    """Give the memory the run freed back to the system (glibc's ``malloc_trim``; elsewhere nothing).

    The C allocator keeps freed memory for reuse, so a process's resident set only grows; a
    year of Xu Xiake leaves ≈ 20 MB free but resident, on top of which the GeoPackages'
    libraries (GDAL through pyogrio, PROJ: ≈ 60 MB) would load. No ``gc.collect()`` first:
    what the run lets go is freed by reference counting (the resident set after the trim is
    the same with or without it, measured on a year), and a full collection over the live
    model cost 0.07 CPU s, 3% of a 30-day run.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to trim
        return
    libc.malloc_trim(0)


def run_replication(scenario: Scenario, seed: int, days: float | None = None, out: Path | None = None,
                    progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """Run one replication; with ``out``, write summary.json, incidents/staff/grids(/hall) Parquet there."""
    model = TownModel(scenario, seed=seed, days=days, incidents_path=out / "incidents.parquet" if out else None,
                      measures_only=out is None)  # without files only the summary leaves: records for the measures
    model.run(progress)
    model.finish()
    cases = CaseColumns.of_log(model.log)  # the measured fields, read a column at a time where they are
    staff = staff_table(model, cases)
    summary = summarize(model, cases, staff)
    summary["language"] = scenario.meta.language
    summary["town"] = town_info(model.town)
    if out is not None:
        staff.to_parquet(out / "staff.parquet", index=False)
        grids = grid_table(model, cases, staff)
        grids.to_parquet(out / "grids.parquet", index=False)
        model.datacollector.get_model_vars_dataframe().to_parquet(out / "timeseries.parquet", index=False)
        if model.hall is not None:
            model.hall.write_visits(out / "hall.parquet")
        # What grows with the run (records, the hall's columns, their frames) is written and let
        # go, and the freed memory given back, before the GeoPackages, whose libraries (GDAL
        # through pyogrio, PROJ) would otherwise add to their peak.
        del cases, staff
        model.log.release()
        if model.hall is not None:
            model.hall.release()
        release_memory()
        write_run_layers(model, grids, summary, out)
        write_json(out / "summary.json", summary)
    return summary


def run_replications(scenario: Scenario, seeds: list[int], days: float | None = None, workers: int = 1,
                     on_done: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """Independent replications, on a local process pool when ``workers`` > 1; in seed order."""
    results: dict[int, dict[str, Any]] = {}
    if workers <= 1:
        for s in seeds:
            results[s] = run_replication(scenario, s, days)
            if on_done:
                on_done()
    else:
        def done(seed: int, summary: dict[str, Any]) -> None:
            results[seed] = summary
            if on_done:
                on_done()

        def failed(seed: int, exc: BaseException) -> None:
            raise exc

        run_pool(run_replication, {s: (scenario, s, days) for s in seeds}, workers, done, failed)
    return [results[s] for s in seeds]


def combine(summaries: list[dict[str, Any]]) -> tuple[dict[str, Any], pd.DataFrame]:
    """Mean and 95% CI of every numeric measure over replications, plus the per-replication table.

    The result keeps the keys of a single run's summary.json; each number becomes
    ``{"mean": m, "ci95": [lo, hi]}``.
    """
    table = pd.DataFrame([{"seed": s["seed"], **flat(s)} for s in summaries])
    out: dict[str, Any] = {
        "scenario": summaries[0]["scenario"],
        "days": summaries[0]["days"],
        "replications": len(summaries),
        "seeds": [s["seed"] for s in summaries],
    }
    squads: dict[str, dict[str, Any]] = {}
    for col in table.columns.drop("seed"):
        m, lo, hi = measure_ci(col, table[col].to_numpy())
        cell = {"mean": m, "ci95": [lo, hi]}
        parts = col.split(".")
        if parts[0] == "squads":
            squads.setdefault(parts[1], {"id": parts[1]})[parts[2]] = cell
        elif len(parts) == 2:
            out.setdefault(parts[0], {})[parts[1]] = cell
        elif col not in ("days",):
            out[col] = cell
    out["squads"] = list(squads.values())
    out["town"] = summaries[0].get("town")
    out["warnings"] = merge_warnings([s.get("warnings", []) for s in summaries])
    out["by_category"] = combine_categories(summaries)
    return out, table


def combine_categories(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Combine the per-category tables of replications: each number as mean and 95% CI, by category name."""
    rows = pd.DataFrame([r for s in summaries for r in s.get("by_category", [])])
    if rows.empty:
        return []
    out = []
    for name, g in rows.groupby("category", sort=False):
        row: dict[str, Any] = {"category": name}
        for col in g.columns.drop("category"):
            m, lo, hi = measure_ci(col, pd.to_numeric(g[col], errors="coerce").to_numpy(dtype=float))
            row[col] = {"mean": m, "ci95": [lo, hi]}
        out.append(row)
    return out
