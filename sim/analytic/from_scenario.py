"""Queueing-theory inputs read off a scenario, and the assumptions the scenario breaks.

The squads become Larson's hypercube: each crew is a unit at its squad's base, each grid a
demand atom, preference lists follow the dispatch rule by travel time, and the call rate
of an atom is the rate of its incidents that end up needing a squad. The service hall
becomes Erlang C: one M/M/c per pool of windows. What the theory cannot see (shifts,
travel inside the busy time, non-exponential work, chaining) is listed, so a planner
knows how far to trust the instant estimate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.channels import first_notice
from sim.config import Scenario
from sim.distributions import is_exponential
from sim.incidents import U
from sim.labels import ALL_WINDOWS_POOL
from sim.model import TownModel
from sim.records import Incident
from sim.vocabulary import DAYS_PER_WEEK, DAYS_PER_YEAR, MINUTES_PER_DAY, MINUTES_PER_HOUR, Tier

_SAMPLE_DAYS = 30  # days of the incident stream used to estimate who needs a squad


@dataclass(frozen=True)
class Broken:
    """An assumption of the theory that the scenario breaks: a code and its values (words: ``sim.labels``)."""

    code: str
    values: tuple[tuple[str, float], ...] = ()

    def text(self, lang: str) -> str:
        """Say it in ``lang`` (``sim.labels.BROKEN_ASSUMPTIONS``)."""
        from sim.labels import broken_assumption

        return broken_assumption(self.code, dict(self.values), lang)


@dataclass
class SquadSystem:
    """Hypercube inputs: units (crews), atoms (grids), rates per minute on duty, preferences."""

    unit_ids: list[str]
    unit_squad: list[str]
    atom_ids: list[str]
    arrival_rates: np.ndarray
    preferences: np.ndarray
    service_rate: float
    travel_min: np.ndarray  # units × atoms, minutes from base
    home: np.ndarray  # home unit of each atom (first crew of the zone's squad)
    mean_busy_min: float
    broken: list[Broken] = field(default_factory=list)


def squad_system(scenario: Scenario, seed: int = 0) -> SquadSystem:
    """Read the squads' hypercube off a scenario (the town is built, not run)."""
    model = TownModel(scenario, seed=seed, days=1)
    town, crews = model.town, model.centre.crews
    if not crews:
        raise ValueError("the scenario has no squads")
    atoms = town.grids
    if scenario.town.incidents_at_centroids:
        points = [town.villages[g.village].box.centroid for g in atoms]
    else:
        points = [g.box.centroid for g in atoms]
    drive = np.array([[model.centre.travel_minutes(c.squad.base, p) for p in points] for c in crews])
    overhead = scenario.squads.dispatch_overhead_min
    travel = drive + overhead  # minutes from dispatch to the scene, as the simulation counts them

    p_squad = _squad_probabilities(model)
    stream = model.stream
    per_min = stream.hourly_rate.sum() / MINUTES_PER_DAY
    calls = np.zeros(len(atoms))  # expected squad calls per minute (calendar) from each atom
    work = 0.0
    for c, cat in enumerate(model.categories):
        if p_squad[c] == 0:
            continue
        village_p = np.diff(np.concatenate([[0.0], stream.village_cdf[c]]))
        for j, g in enumerate(atoms):
            v = town.villages[g.village]
            if scenario.town.incidents_at_centroids:
                share = 1.0 if town.locate(v.index, *v.box.centroid) == g.index else 0.0
            else:
                share = g.area_km2 / v.box.area
            rate = per_min * stream.category_p[c] * village_p[g.village] * share * p_squad[c]
            calls[j] += rate
            work += rate * cat.work_min.mean
    total = calls.sum()
    if total == 0:
        raise ValueError("no incident of this scenario ever needs a squad")
    cal = model.squads[0].calendar
    on_duty_share = 1.0 if cal.always else cal.length / MINUTES_PER_DAY
    rates = calls / on_duty_share  # calls that come off duty are served on duty

    prefs = scenario.command_centre.dispatch_rule.preferences(
        travel, [c.squad.zone for c in crews], [g.village for g in atoms])
    # The home unit: the first crew in the atom's order from a squad whose zone holds it; an
    # atom in no zone has no home crew, so its nearest crew stands in.
    home = np.array([next((n for n in order if g.village in crews[n].squad.zone), order[0])
                     for order, g in zip(prefs, atoms, strict=True)])

    w = calls / total
    first_drive = float(sum(w[j] * drive[prefs[j][0], j] for j in range(len(atoms))))
    trips = 2 if scenario.squads.return_to_base else 1
    # Busy time as a crew lives it: the dispatch overhead once, the drive out (and back), the work.
    mean_busy = work / total + overhead + trips * first_drive
    broken = _broken_assumptions(scenario, model, overhead + first_drive, mean_busy)
    return SquadSystem(
        unit_ids=[c.crew_id for c in crews], unit_squad=[c.squad.squad_id for c in crews],
        atom_ids=[g.id for g in atoms], arrival_rates=rates, preferences=np.array(prefs),
        service_rate=1.0 / mean_busy, travel_min=travel, home=home, mean_busy_min=mean_busy, broken=broken,
    )


def _squad_probabilities(model: TownModel) -> list[float]:
    """Per category, the chance a case reaches the squads (sampled from the model's own stream)."""
    hits = np.zeros(len(model.categories))
    seen = np.zeros(len(model.categories))
    town = model.town
    for day in range(_SAMPLE_DAYS):
        batch = model.stream.day(day)
        grids = town.locate_many(batch.village, batch.x, batch.y)
        for t, c, v, g, x, y, u in zip(batch.occurred_at.tolist(), batch.category.tolist(), batch.village.tolist(),
                                       grids.tolist(), batch.x.tolist(), batch.y.tolist(), batch.uniforms.tolist(), strict=True):
            if model.categories[c].town_handler != "squad":
                continue
            seen[c] += 1
            hits[c] += _needs_squad(model, Incident(0, c, v, g, x, y, t, u))
    return [float(h / n) if n else 0.0 for h, n in zip(hits, seen, strict=True)]


def _needs_squad(model: TownModel, inc: Incident) -> bool:
    """Whether the case reaches the squads, rather than being fixed on the spot by whoever found it."""
    cat = model.categories[inc.category]
    if model.centre.escalation.start_tier(cat) > Tier.TOWN:
        return False
    _, channel, finder = first_notice(model, inc)
    fixer, _ = model.centre.spot_fixer(inc, channel, finder)
    return fixer is None or inc.u[U.SPOT_FIX] >= cat.spot_fix_prob


def _broken_assumptions(scenario: Scenario, model: TownModel, travel: float, busy: float) -> list[Broken]:
    out = []
    squad_cats = [c for c in scenario.incidents.categories if c.town_handler == "squad"]
    if not all(is_exponential(c.work_min) for c in squad_cats):
        out.append(Broken("work_not_exponential"))
    if len({c.work_min.mean for c in squad_cats if hasattr(c.work_min, 'mean')}) > 1:
        out.append(Broken("work_mean_by_category"))
    if travel > 0.05 * busy:
        out.append(Broken("travel_in_busy_time", (("travel_share", travel / busy),)))
    if not model.squads[0].calendar.always:
        out.append(Broken("squad_shifts"))
    if scenario.squads.return_to_base and travel > 0.05 * busy:
        out.append(Broken("crews_chain"))
    classes = {model.centre.priority_class(c) for c in squad_cats}
    if len(classes) > 1:
        out.append(Broken("priority_queue"))
    if len(classes) > 1 and scenario.command_centre.squad_preemption != "none":
        out.append(Broken("preemption_resume" if scenario.command_centre.squad_preemption == "resume"
                          else "preemption_restart"))
    if any(s.domains is not None for s in model.squads):
        out.append(Broken("siloed_teams"))
    return out


@dataclass(frozen=True)
class HallPool:
    """One pool of identical windows as an M/M/c queue: visits per open minute, service rate."""

    name: str  # ALL_WINDOWS_POOL, or the department of departmental windows (words: sim.labels.hall_pool)
    windows: int
    arrival_rate: float
    service_rate: float
    broken: tuple[Broken, ...]


def hall_pools(scenario: Scenario) -> list[HallPool]:
    """Model the service hall as one M/M/c per pool (one pool when windows are comprehensive)."""
    hall = scenario.service_hall
    if hall is None:
        raise ValueError("the scenario has no service hall")
    open_min_per_year = (hall.shift.end_h - hall.shift.start_h) * MINUTES_PER_HOUR * DAYS_PER_YEAR * hall.open_weekdays / DAYS_PER_WEEK
    total_share = sum(t.share for t in hall.case_types)
    rate: dict[str, float] = {}
    work: dict[str, float] = {}
    for t in hall.case_types:
        pool = t.department if hall.pooling == "departmental" else ALL_WINDOWS_POOL
        complex_visits = 1 if hall.one_visit else t.visits_before
        per_case = (1 - t.online_share) * ((1 - t.complex_share) + t.complex_share * complex_visits)
        visits = hall.cases_per_year * t.share / total_share * per_case / open_min_per_year
        minutes = (1 - t.complex_share) * t.service_min.mean + t.complex_share * complex_visits * t.complex_service.mean
        rate[pool] = rate.get(pool, 0.0) + visits
        work[pool] = work.get(pool, 0.0) + hall.cases_per_year * t.share / total_share * (1 - t.online_share) \
            * minutes / open_min_per_year
    broken = []
    if not all(is_exponential(t.service_min) and is_exponential(t.complex_service) for t in hall.case_types):
        broken.append(Broken("window_not_exponential"))
    if len({t.service_min.mean for t in hall.case_types}) > 1 or any(t.complex_share for t in hall.case_types):
        broken.append(Broken("window_mean_by_case_type"))
    if hall.hourly_profile is not None and len(set(hall.hourly_profile)) > 1:
        broken.append(Broken("hall_hourly_arrivals"))
    if hall.open_weekdays < 7 or hall.shift.end_h - hall.shift.start_h < 24:
        broken.append(Broken("hall_closes"))
    if not hall.one_visit and any(t.complex_share for t in hall.case_types):
        broken.append(Broken("hall_revisits"))
    windows = hall.department_windows if hall.pooling == "departmental" else {ALL_WINDOWS_POOL: hall.windows}
    return [
        HallPool(name, windows[name], rate[name], rate[name] / work[name], tuple(broken))
        for name in rate if rate[name] > 0
    ]
