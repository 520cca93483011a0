"""The service-hall measures of DESIGN.md §4 (service-hall wait, utilisation), from the hall's records.

Waits and times in system are per visit arriving after the warm-up (every visit booked is
known to its end, so nothing is censored). Visits per case are the trips each case
requested after the warm-up needs under the hall's rules (0 online), so revisits still
ahead at the horizon are not lost; processing days are over those cases finished by the
horizon, which leaves out slow cases near the end of a short run. Window utilisation is busy
minutes over opening minutes; service past closing (the queue left at closing time is
still served) counts as busy, so it can exceed 1 in an overloaded hall.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.stats import gini
from sim.vocabulary import MINUTES_PER_DAY as DAY

if TYPE_CHECKING:
    from sim.model import TownModel


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else math.nan


def hall_staff_rows(model: "TownModel") -> list[dict[str, Any]]:
    """One staff.parquet row per window (role ``hall_window``)."""
    hall = model.hall
    open_min = float(hall.calendar.duty_time(model.horizon))
    return [dict(id=w.window_id, role=w.role, unit=w.pool, on_duty_min=open_min, busy_min=w.busy_min,
                 cases=w.cases) for w in hall.windows]


def littles_law(arrival: np.ndarray, start: np.ndarray, t0: float, t1: float,
                samples: int = 20_000) -> dict[str, float]:
    """Queue length seen at evenly spaced instants (L_q), beside arrival rate × mean wait.

    The two are estimated independently: L_q counts, at each instant, the visits that had
    arrived but not yet started; λW_q uses only the arrivals inside [t0, t1) and their waits.
    """
    span = t1 - t0
    inside = (arrival >= t0) & (arrival < t1)
    rate = inside.sum() / span
    at = t0 + (np.arange(samples) + 0.5) * span / samples
    waiting = np.searchsorted(np.sort(arrival), at, side="right") - np.searchsorted(np.sort(start), at, side="right")
    return {"L_q": float(waiting.mean()), "lambda_W_q": float(rate * _mean(start[inside] - arrival[inside]))}


def hall_summary(model: "TownModel") -> dict[str, Any]:
    """The hall's keys of summary.json."""
    hall = model.hall
    warm = model.config.run.warmup_days * DAY
    horizon = model.horizon
    visits = np.array([v[2:5] for v in hall.visits], dtype=float).reshape(-1, 3)
    arrival, start, end = visits.T
    after = arrival >= warm
    wait = (start - arrival)[after]
    cases = hall.case_frame()
    cases = cases[cases.requested_at >= warm]
    done = cases[cases.done_at <= horizon]
    open_days = hall.calendar.working_days(warm, horizon)
    load = np.array([w.busy_min for w in hall.windows]) / max(float(hall.calendar.duty_time(horizon)), 1e-9)
    return {
        "hall_cases": int(len(cases)),
        "hall_visits": int(after.sum()),
        "hall_cases_per_day": len(cases) / open_days if open_days > 0 else math.nan,
        "hall_wait_mean_min": _mean(wait),
        "hall_wait_share": _mean((wait > 1e-9).astype(float)),
        "hall_wait_p90_min": float(np.quantile(wait, 0.9)) if len(wait) else math.nan,
        "hall_time_in_system_mean_min": _mean((end - arrival)[after]),
        "hall_visits_per_case": _mean(cases.visits_needed.to_numpy(float)),
        "hall_online_share": _mean((cases.channel == "online").to_numpy(float)),
        "hall_processing_days_mean": _mean((done.done_at - done.requested_at).to_numpy(float) / DAY),
        "hall_complex_processing_days_mean": _mean(
            ((done.done_at - done.requested_at)[done.complex.astype(bool) & (done.channel != "online")]).to_numpy(float) / DAY
        ),
        "hall_window_utilisation": _mean(load),
        "hall_window_gini": gini(load),
        "hall_littles_law": (law := littles_law(arrival, start, warm, horizon)),
        "hall_littles_law_ratio": law["L_q"] / law["lambda_W_q"] if law["lambda_W_q"] > 0 else math.nan,
    }
