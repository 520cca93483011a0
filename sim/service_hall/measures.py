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

from sim.service_hall.arrivals import ONLINE
from sim.stats import gini
from sim.vocabulary import MINUTES_PER_DAY as DAY

if TYPE_CHECKING:
    from sim.model import TownModel


def _mean(x: np.ndarray) -> float:
    return float(x.mean()) if len(x) else math.nan


def hall_staff_rows(model: TownModel) -> list[dict[str, Any]]:
    """One staff.parquet row per window (role ``hall_window``)."""
    hall = model.hall
    assert hall is not None, "only for a scenario with a service hall"
    open_min = float(hall.calendar.duty_time(model.horizon))
    busy, served = hall.window_load()
    return [{"id": w.window_id, "role": w.role, "unit": w.pool, "on_duty_min": open_min, "busy_min": float(b),
                 "cases": int(n)} for w, b, n in zip(hall.windows, busy.tolist(), served.tolist(), strict=False)]


def littles_law(arrival: np.ndarray, start: np.ndarray, t0: float, t1: float,
                samples: int = 20_000) -> dict[str, float]:
    """Queue length seen at evenly spaced instants (L_q), beside arrival rate × mean wait.

    The two are estimated independently: L_q counts, at each instant, the visits that had
    arrived but not yet started; λW_q uses only the arrivals inside [t0, t1) and their waits.
    With no time after the warm-up (t1 <= t0) there is nothing to measure: both are NaN.
    """
    span = t1 - t0
    if span <= 0:
        return {"L_q": math.nan, "lambda_W_q": math.nan}
    inside = (arrival >= t0) & (arrival < t1)
    rate = inside.sum() / span
    at = t0 + (np.arange(samples) + 0.5) * span / samples
    waiting = np.searchsorted(np.sort(arrival), at, side="right") - np.searchsorted(np.sort(start), at, side="right")
    return {"L_q": float(waiting.mean()), "lambda_W_q": float(rate * _mean(start[inside] - arrival[inside]))}


def hall_summary(model: TownModel) -> dict[str, Any]:
    """Compute the hall's keys of summary.json."""
    hall = model.hall
    assert hall is not None, "only for a scenario with a service hall"
    warm = model.config.run.warmup_days * DAY
    horizon = model.horizon
    v, c = hall.visits, hall.cases
    arrival, start, end = v["arrival"], v["service_start"], v["service_end"]
    after = arrival >= warm
    wait = (start - arrival)[after]
    asked = c["requested_at"] >= warm
    requested, done_at = c["requested_at"][asked], c["done_at"][asked]
    online = c["channel"][asked] == ONLINE
    done = done_at <= horizon
    took = (done_at - requested)[done]
    open_days = hall.calendar.working_days(warm, horizon)
    load = hall.window_load()[0] / max(float(hall.calendar.duty_time(horizon)), 1e-9)
    return {
        "hall_cases": int(asked.sum()),
        "hall_visits": int(after.sum()),
        "hall_cases_per_day": int(asked.sum()) / open_days if open_days > 0 else math.nan,
        "hall_wait_mean_min": _mean(wait),
        "hall_wait_share": _mean((wait > 1e-9).astype(float)),
        "hall_wait_p90_min": float(np.quantile(wait, 0.9)) if len(wait) else math.nan,
        "hall_time_in_system_mean_min": _mean((end - arrival)[after]),
        "hall_visits_per_case": _mean(c["visits_needed"][asked].astype(float)),
        "hall_online_share": _mean(online.astype(float)),
        "hall_processing_days_mean": _mean(took / DAY),
        "hall_complex_processing_days_mean": _mean((took[(c["complex"][asked] & ~online)[done]]) / DAY),
        "hall_window_utilisation": _mean(load),
        "hall_window_gini": gini(load),
        "hall_littles_law": (law := littles_law(arrival, start, warm, horizon)),
        "hall_littles_law_ratio": law["L_q"] / law["lambda_W_q"] if law["lambda_W_q"] > 0 else math.nan,
    }
