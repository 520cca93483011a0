"""Small statistics used by every report: inequality of workloads and confidence intervals."""

from __future__ import annotations

import math

import numpy as np

from sim.deferred import scipy_special


def gini(values: np.ndarray) -> float:
    """Gini coefficient (0 = all equal, → 1 = one member does everything); NaN if all zero."""
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n == 0 or x.sum() <= 0:
        return math.nan
    ranks = np.arange(1, n + 1)
    return max(0.0, float((2 * (ranks * x).sum()) / (n * x.sum()) - (n + 1) / n))  # no -1e-16 for equal loads


def mean_ci(values: np.ndarray, level: float = 0.95,
            within: tuple[float, float] = (-math.inf, math.inf)) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval over replications (NaNs dropped).

    The interval is cut at ``within``, the range the mean can take (a share's is [0, 1]): with
    few replications the t interval is wide and would otherwise reach past 100%.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    m = float(x.mean())
    if n == 1:
        return m, math.nan, math.nan
    special = scipy_special()  # here, not at the top: importing scipy would slow every command's start
    half = float(special.stdtrit(n - 1, (1 + level) / 2) * x.std(ddof=1) / math.sqrt(n))  # = stats.t.ppf
    low, high = within
    return m, max(m - half, low), min(m + half, high)


def half_width(mean: float, lo: float, hi: float) -> float | None:
    """Give the half-width of ``[lo, hi]`` when it is ``mean ± half``, else None.

    None when the interval was cut at the measure's range (a share's 85.1% [35.3%, 100.0%]) or
    is missing: then ``mean ± half`` would show an interval that is not the one computed.
    """
    if not all(math.isfinite(v) for v in (mean, lo, hi)):
        return None
    below, above = mean - lo, hi - mean
    return (hi - lo) / 2 if math.isclose(below, above, rel_tol=1e-9, abs_tol=1e-12 * max(1.0, abs(mean))) else None


def measure_ci(name: str, values: np.ndarray, difference: bool = False,
               level: float = 0.95) -> tuple[float, float, float]:
    """Mean and CI of a named measure (or of a paired difference of it), cut at its range.

    The range comes from the measure's kind (``sim.report.catalogue.bounds``), so every output
    (terminal, summary.json, Parquet, reports, plan verification) gives the same interval.
    """
    from sim.report.catalogue import bounds

    return mean_ci(values, level, bounds(name, difference))
