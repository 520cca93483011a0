"""The checks that raise warnings: on the scenario as built, and on what a run measured.

Each returns :class:`sim.warnings.RunWarning` entries; nothing here refuses to run. A run
whose queue is unstable, whose grids are outside the stated sizes, or whose thresholds
silently switch a mechanism off still gives numbers, but they carry these warnings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.config import Scenario
from sim.policies.escalation import ThresholdEscalation
from sim.vocabulary import MAX_SEVERITY
from sim.warnings import (
    GRID_PEOPLE_MAX,
    GRIDS_PER_VILLAGE_RANGE,
    RunWarning,
    counted_households,
    name_list,
)

if TYPE_CHECKING:
    import pandas as pd

    from sim.town import TownMap

_THRESHOLDS = ("severity_to_village", "severity_to_town", "severity_to_county")


def _named(pairs: list[tuple[str, str]]) -> str:
    """Give ``name (value), …`` for the first entries (:func:`sim.warnings.name_list`)."""
    return name_list([f"{n} ({v})" for n, v in pairs])


def town_warnings(scenario: Scenario, town: TownMap) -> list[RunWarning]:
    """Warn of grids and villages outside the stated sizes, naming them.

    Households per grid outside the scenario's ``town.grid_division.households_range``
    (default 200–500, DESIGN.md §2), people per grid above 2,500, villages split into other
    than 2–3 grids.
    """
    out: list[RunWarning] = []
    div = scenario.town.grid_division
    lo, hi = div.households_range
    bad = [g for g in town.grids if not lo <= counted_households(g.households) <= hi]
    if bad:
        hh = [counted_households(g.households) for g in bad]
        out.append(RunWarning("grid_households_out_of_range", {
            "grids": len(bad), "total": len(town.grids), "low": min(hh), "high": max(hh), "range_low": lo,
            "range_high": hi, "names": _named([(g.id, str(h)) for g, h in zip(bad, hh, strict=True)])}))
    pph = scenario.town.persons_per_household
    crowded = [g for g in town.grids if g.households * pph > GRID_PEOPLE_MAX]
    if crowded:
        out.append(RunWarning("grid_people_out_of_range", {
            "grids": len(crowded), "total": len(town.grids), "limit": GRID_PEOPLE_MAX,
            "high": max(g.households * pph for g in crowded),
            "names": _named([(g.id, f"{g.households * pph:.0f}") for g in crowded])}))
    out += _volumes_warnings(scenario, town)
    if div.households_per_grid is not None:  # a fixed count is the user's explicit choice
        vlo, vhi = GRIDS_PER_VILLAGE_RANGE
        odd = [v for v in town.villages if not vlo <= len(v.grids) <= vhi]
        if odd:
            counts = [len(v.grids) for v in odd]
            out.append(RunWarning("village_grids_out_of_range", {
                "villages": len(odd), "total": len(town.villages), "low": min(counts), "high": max(counts),
                "range_low": vlo, "range_high": vhi, "names": _named([(v.name, str(len(v.grids))) for v in odd])}))
    return out


def _volumes_warnings(scenario: Scenario, town: TownMap) -> list[RunWarning]:
    """Warn of a GIS town far smaller or larger than the ``town.residents`` its scenario states (inherited, most often).

    A GIS town counts its own residents and does not use ``town.residents``; its enterprises
    (without a layer column) and the service hall's yearly cases and windows are set beside
    that figure, not scaled from the layers, so a town extending a preset keeps the preset's.
    """
    stated = scenario.town.residents
    if town.source != "gis" or stated is None or 0.5 <= town.residents / stated <= 2.0:
        return []
    hall, gis = scenario.service_hall, scenario.town.gis
    enterprises = scenario.town.enterprises if gis is not None and gis.villages.enterprises is None else None
    if enterprises is None and hall is None:
        return []
    return [RunWarning("volumes_for_another_town", {
        "residents": town.residents, "stated": float(stated),
        "enterprises": None if enterprises is None else float(enterprises),
        "cases_per_year": None if hall is None else float(hall.cases_per_year),
        "windows": None if hall is None else hall.windows})]


def threshold_warnings(scenario: Scenario) -> list[RunWarning]:
    """Escalation thresholds that silently switch something off or change nothing.

    ``severity_to_village`` also forbids the on-the-spot fix (a grave matter is not settled by
    whoever finds it), so a category at or above it never uses its ``spot_fix_prob``. A
    threshold of ``MAX_SEVERITY`` or less that moves no category's starting tier has no effect.
    """
    policy = scenario.escalation
    if not isinstance(policy, ThresholdEscalation):
        return []
    out: list[RunWarning] = []
    for c in scenario.incidents.categories:
        if c.spot_fix_prob > 0 and not c.external and not policy.spot_fix_allowed(c):
            out.append(RunWarning("spot_fix_impossible", {
                "category": c.name, "severity": c.severity, "threshold": policy.severity_to_village,
                "spot_fix_prob": c.spot_fix_prob}))
    for name in _THRESHOLDS:
        value = getattr(policy, name)
        if value > MAX_SEVERITY:
            continue  # above every severity: switched off on purpose
        off = policy.model_copy(update={name: MAX_SEVERITY + 1})
        moved = any(policy.start_tier(c) != off.start_tier(c) for c in scenario.incidents.categories)
        spot = name == "severity_to_village" and any(
            policy.spot_fix_allowed(c) != off.spot_fix_allowed(c)
            for c in scenario.incidents.categories if c.spot_fix_prob > 0)
        if not moved and not spot:
            out.append(RunWarning("threshold_without_effect", {"threshold": name, "value": value}))
    return out


def utilisation_warnings(servers: dict[str, float]) -> list[RunWarning]:
    """Servers (squads, window pools, departments; by measure name) whose measured utilisation is 1 or more."""
    return [RunWarning("unstable_queue", {"server": name, "utilisation": float(u)})
            for name, u in servers.items() if u == u and u >= 1.0]


def overload_warnings(staff: pd.DataFrame) -> list[RunWarning]:
    """Roles in which someone's busy time (cases and routine duties) exceeds their on-duty time.

    A mean below 100% can hide people whose hours do not add up; counts are floats so that
    merging replications keeps the worst (``sim.warnings.merge``).
    """
    import numpy as np  # loaded by then (the run's measures); not at import, which start-up pays for

    out: list[RunWarning] = []
    # The roles' rows by array masks, not a grouped frame (issue 14: ≈ 5 ms of each run's measures).
    w = staff.workload.to_numpy(dtype=float)
    known = ~np.isnan(w)
    role = staff.role.to_numpy()
    for r in sorted(set(role[known].tolist())):
        mine = w[known & (role == r)]
        over = mine[mine > 1.0]
        if len(over):
            out.append(RunWarning("staff_busy_beyond_duty", {
                "role": str(r), "people": float(len(over)), "total": float(len(mine)), "high": float(over.max())}))
    return out


def summary_servers(summary: dict[str, Any]) -> dict[str, float]:
    """Collect the measured utilisations of one run's summary, by measure name (named in words by ``sim.labels``)."""
    out = {f"squads.{s['id']}.utilisation": s["utilisation"] for s in summary.get("squads", [])
           if s.get("utilisation") is not None}
    for name in ("squad_offered_load", "hall_window_utilisation"):
        if summary.get(name) is not None:
            out[name] = summary[name]
    for role, w in summary.get("workload_mean", {}).items():
        out[f"workload_mean.{role}"] = w
    for d in summary.get("departments", []):
        if d.get("utilisation") is not None:
            out[f"departments.{d['tier']}.{d['id']}.utilisation"] = d["utilisation"]
    return out
