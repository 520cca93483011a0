"""Larson's (1975) approximate hypercube model ("A-hypercube").

Reference: R.C. Larson (1975), "Approximating the performance of urban emergency
service systems", Operations Research 23(5):845-868; Larson & Odoni, Urban
Operations Research, section 5.5. It needs N unknowns (the unit workloads) instead
of 2^N state probabilities, so it scales to towns with many squads.

The idea: the probability that an atom's first j preferred units are busy and the
(j+1)-th is free is approximated by treating the units as independent and then
correcting with a factor Q(N, r, j) that makes the product exact for an M/M/N
system (all units alike, units sampled in random order):

    P{B_1 ... B_j F_(j+1)} ~= Q(N, r, j) * rho_(m1) ... rho_(mj) * (1 - rho_(m(j+1)))

Derivation used here. Let P_k be the probability that k units are busy in the
M/M/N system (k < N) and r its per-unit utilisation. If k units are busy, the first
j units drawn without replacement are busy and the next one is free with
probability [k!/(k-j)!] / [N!/(N-j)!] * (N-k)/(N-j), so

    Q(N, r, j) = sum_{k=j}^{N-1} P_k * k! (N-j-1)! (N-k) / ((k-j)! N!) / (r^j (1 - r)).

* Infinite queue (M/M/N): P_k = P_0 (N r)^k / k! with r = lambda/(N mu), giving
  Larson's eq. (5.48): Q = sum_k [(N-j-1)!(N-k)/(k-j)!] [N^k r^(k-j)/N!] P_0/(1-r).
  It reproduces UOR's Q(3, 1/2, j) = 1, 0.73684, 0.63158.
* Loss (M/M/N/N): P_k = P_0 a^k / k! with offered load a = lambda/mu and carried
  utilisation r = a (1 - B(N, a)) / N (B = Erlang B), i.e. a = N r / (1 - B):
  Q = sum_k [(N-j-1)!(N-k)/(k-j)!] [N^k r^(k-j)/N!] P_0 / ((1-r)(1-B)^k).

Both are evaluated in log space so that N can be in the hundreds.

Workloads solve rho_n = (1 - rho_n) A_n(rho) + D, where A_n sums, over the atoms,
lambda_a/mu * Q(N, r, k-1) * prod(rho of the k-1 units the atom prefers to n) for n
in position k, and D = lambda P(all busy) / (N mu) spreads queued calls evenly over
the units (0 for the loss variant). As in Larson's algorithm each sweep sets
rho_n = (A_n + D)/(1 + A_n) from the previous sweep's workloads and then rescales
them so that they sum to N r, the total busy time known exactly from the M/M/N
model; sweeps stop when the largest change is below ``tol``. On UOR's three-unit
example this gives 0.56263, 0.47170, 0.46566 against the book's 0.5627, 0.4716,
0.4657 (section 5.5.3, stopped at a change of about 0.001).

When many units share one backup order the plain sweep can oscillate, so the step
towards the new workloads is halved whenever the change fails to shrink (down to
1/64); this does not move the fixed point. In such ordered-entry-like systems
under heavy load the fixed point can even give a unit a workload >= 1: the
approximation then has no meaningful answer and a RuntimeError says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import gammaln, logsumexp

from sim.analytic.erlang import erlang_b, erlang_c
from sim.analytic.hypercube import HypercubeResult, QueueKind, _summarise, _validate

__all__ = ["approximate_hypercube", "correction_factors"]

_MIN_STEP = 1.0 / 64.0
_RHO_FLOOR = 1e-300  # keeps log(rho) finite while iterating


def _log_correction_factors(
    units: int, load: float, queue: QueueKind
) -> tuple[np.ndarray, float, float]:
    """Log Q(N, r, j) for j = 0..N-1, the utilisation r and P(all busy).

    ``load`` is the offered load per unit, lambda / (N mu).
    """
    n = units
    offered = n * load
    k = np.arange(n)
    log_terms = k * np.log(offered) - gammaln(k + 1)  # log of P_k / P_0 for k < N
    log_top = n * np.log(offered) - gammaln(n + 1)  # log of P_N / P_0
    if queue == "infinite":
        log_norm = np.logaddexp(logsumexp(log_terms), log_top - np.log1p(-load))
        p_all_busy = erlang_c(offered, 1.0, n).p_wait
        util = load
    else:
        log_norm = np.logaddexp(logsumexp(log_terms), log_top)
        p_all_busy = erlang_b(offered, 1.0, n)
        util = load * (1.0 - p_all_busy)
    log_p = log_terms - log_norm

    # All j at once: row j sums over k = j..N-1 (the other entries are -inf, i.e. 0).
    j, kk = k[:, None], k[None, :]
    terms = (log_p[None, :] + gammaln(kk + 1) + gammaln(n - j) + np.log(n - kk)
             - gammaln(np.maximum(kk - j, 0) + 1) - gammaln(n + 1))
    log_first_free = logsumexp(np.where(kk >= j, terms, -np.inf), axis=1)
    log_q = log_first_free - k * np.log(util) - np.log1p(-util)
    return log_q, util, p_all_busy


def correction_factors(units: int, load: float, queue: QueueKind = "infinite") -> np.ndarray:
    """Larson's correction factors Q(N, r, j), j = 0..N-1.

    ``load`` is the offered load per unit lambda/(N mu) (< 1 for the infinite queue);
    for the loss variant the factors refer to the carried utilisation (see module doc).
    """
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise ValueError(f"units must be a positive integer, got {units!r}")
    if queue not in ("loss", "infinite"):
        raise ValueError(f'queue must be "loss" or "infinite", got {queue!r}')
    load = float(load)
    if not np.isfinite(load) or load <= 0.0 or (queue == "infinite" and load >= 1.0):
        raise ValueError(
            "load must be positive and finite, and below 1 for the infinite queue; "
            f"got {load!r}"
        )
    return np.exp(_log_correction_factors(units, load, queue)[0])


def approximate_hypercube(
    arrival_rates: Sequence[float] | np.ndarray,
    preferences: Sequence[Sequence[int]] | np.ndarray,
    service_rates: float | Sequence[float] | np.ndarray = 1.0,
    queue: QueueKind = "infinite",
    travel_times: Sequence[Sequence[float]] | np.ndarray | None = None,
    home: Sequence[int] | np.ndarray | None = None,
    tol: float = 1e-10,
    max_iter: int = 10_000,
) -> HypercubeResult:
    """Larson's approximation; same inputs and result type as ``solve_hypercube``.

    Differences from the exact result: ``state_probs`` is None; ``workload`` is the
    fixed point of Larson's equations; ``fraction_calls`` takes each atom's
    approximate dispatch probabilities scaled so that they sum to 1 - P(all busy),
    which is exact (P(all busy) is Erlang C or Erlang B because the number of busy
    units is a birth-death process whatever the dispatch rule). All units must share
    one service rate: Larson's correction factors come from the M/M/N model.
    ``max_iter`` only guards against non-convergence (RuntimeError).
    """
    inst = _validate(arrival_rates, preferences, service_rates, queue, travel_times, home)
    if not (np.isfinite(tol) and tol > 0.0):
        raise ValueError(f"tol must be positive and finite, got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int) or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    mu_all = inst.service_rates
    if np.ptp(mu_all) > 1e-12 * mu_all.max():
        raise ValueError(
            "the approximation assumes identical service rates for all units; "
            "use solve_hypercube for unequal rates"
        )
    units, mu = inst.units, float(mu_all[0])
    lam, prefs = inst.arrival_rates, inst.preferences
    total_lam = inst.total_rate

    log_q, util, p_all_busy = _log_correction_factors(units, total_lam / (units * mu), inst.queue)
    queued_share = total_lam * p_all_busy / (units * mu) if inst.queue == "infinite" else 0.0

    def reach(rho: np.ndarray) -> np.ndarray:
        """Q(N, r, k-1) times the product of rho over the units atom a prefers to its k-th."""
        log_rho = np.log(rho)[prefs]
        before = np.cumsum(log_rho, axis=1) - log_rho
        return np.exp(log_q[None, :] + before)

    rho = np.full(units, util)
    step, last_change = 1.0, np.inf
    for _ in range(max_iter):
        weights = (lam[:, None] * reach(rho)).ravel()
        a = np.bincount(prefs.ravel(), weights=weights, minlength=units) / mu
        new = (a + queued_share) / (1.0 + a)
        new *= units * util / new.sum()
        change = float(np.max(np.abs(new - rho)))
        if change < tol:
            rho = new
            break
        # Damping (see module doc): halve the step whenever the change fails to shrink.
        if change >= last_change:
            step = max(step / 2.0, _MIN_STEP)
        last_change = change
        rho = np.maximum(rho + step * (new - rho), _RHO_FLOOR)
    else:
        raise RuntimeError(
            f"approximate hypercube did not converge to tol={tol:g} in {max_iter} sweeps "
            f"(last change {change:.3g})"
        )
    if rho.max() >= 1.0:
        raise RuntimeError(
            f"Larson's approximation breaks down here: unit {int(rho.argmax())} gets workload "
            f"{rho.max():.6g} >= 1 (typical when many units share one dispatch order under "
            "heavy load); use solve_hypercube"
        )

    dispatch = reach(rho) * (1.0 - rho[prefs])
    dispatch *= (1.0 - p_all_busy) / dispatch.sum(axis=1, keepdims=True)
    atom_share = lam / total_lam
    fraction = np.empty((units, lam.size))
    atom_index = np.broadcast_to(np.arange(lam.size)[:, None], prefs.shape)
    fraction[prefs, atom_index] = dispatch * atom_share[:, None]  # each row names every unit
    mean_wait = None
    if inst.queue == "infinite":
        fraction += p_all_busy * atom_share[None, :] / units
        mean_wait = erlang_c(total_lam, mu, units).mean_wait

    return _summarise(inst, None, rho, p_all_busy, mean_wait, fraction)
