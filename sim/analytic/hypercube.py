"""Larson's exact hypercube queueing model (Larson 1974; Larson & Odoni, UOR ch. 5).

N response units (squads) with fixed bases answer Poisson calls from J demand atoms;
each call goes to the most preferred free unit of its atom, service is exponential
with a unit-specific rate and independent of travel. The state is the set of busy
units (a bit vector, bit n = unit n busy), so there are 2^N states. The simulation's
squad dispatch must reproduce these workloads and call shares (DESIGN.md section 5).

Two variants:

* ``queue="loss"`` (zero line capacity): a call that finds every unit busy is lost
  (in practice handed to a back-up service).
* ``queue="infinite"``: such a call joins one FCFS queue. While all units are busy
  with k calls waiting the chain is a birth-death process (birth sum(lambda), death
  sum(mu): whichever unit frees takes the head of the queue), so the waiting states
  form a geometric tail P(full, k) = P(full, 0) r^k with r = sum(lambda)/sum(mu).
  The tail is lumped into the all-busy state: in the reduced 2^N chain that state
  holds the whole tail mass P(full, 0)/(1 - r) and leaves it at rates mu_n (1 - r),
  which keeps every flow between lumped states exact.

``HypercubeResult.state_probs[2^N - 1]`` is therefore P(all busy, any queue length).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

__all__ = ["MAX_EXACT_UNITS", "HypercubeResult", "QueueKind", "solve_hypercube"]

QueueKind = Literal["loss", "infinite"]

#: Largest N for the exact model: N = 14 takes some seconds and ~1 GB (dense blocks of
#: C(14, 7) = 3432 states); each extra unit costs about 8x time and 4x memory.
MAX_EXACT_UNITS = 14

_PROB_TOL = 1e-12
_SUM_TOL = 1e-9
_RESIDUAL_TOL = 1e-9  # max |pi Q| relative to the largest total outflow rate of a state


@dataclass(frozen=True)
class HypercubeResult:
    """Performance measures of a hypercube model (exact or approximate).

    Arrays are read-only. Units are indexed 0..N-1 and atoms 0..J-1.

    state_probs: probability of each busy set, indexed by bit vector (None for the
        approximation); for ``queue="infinite"`` the all-busy entry includes the
        queue states.
    workload: fraction of time each unit is busy.
    p_all_busy: P(all units busy); includes the queue states for ``"infinite"``.
    p_queue: probability that an arriving call cannot be dispatched at once: the
        probability it must wait (``"infinite"``) or the fraction lost (``"loss"``).
        Poisson arrivals see time averages, so it equals ``p_all_busy``.
    mean_wait_in_queue: mean wait over all calls, queued or not (None for ``"loss"``).
    fraction_calls: f[n, j], fraction of all arriving calls that come from atom j and
        are served by unit n. Queued calls are served by the unit that frees first
        (probability mu_n / sum(mu)) and come from atom j with probability
        lambda_j / sum(lambda). Lost calls appear nowhere, so f sums to 1 - p_queue
        for ``"loss"`` and to 1 for ``"infinite"``.
    calls_share: share of the served calls answered by each unit (sums to 1).
    outside_home_share: share of the served calls answered by a unit other than the
        atom's home unit (None when no ``home`` mapping was given).
    mean_travel_time: mean travel time over served calls (None without a travel
        matrix). A unit is assumed to leave from its base, including a unit that
        takes a queued call as it frees, so a queued call from atom j costs
        t[n, j] with probability mu_n / sum(mu).
    """

    queue: QueueKind
    state_probs: np.ndarray | None
    workload: np.ndarray
    p_all_busy: float
    p_queue: float
    mean_wait_in_queue: float | None
    fraction_calls: np.ndarray
    calls_share: np.ndarray
    outside_home_share: float | None
    mean_travel_time: float | None


@dataclass(frozen=True)
class _Instance:
    """Validated inputs shared by the exact model and the approximation."""

    arrival_rates: np.ndarray  # (J,)
    preferences: np.ndarray  # (J, N), row j = units in dispatch order for atom j
    service_rates: np.ndarray  # (N,)
    queue: QueueKind
    travel_times: np.ndarray | None  # (N, J)
    home: np.ndarray | None  # (J,)

    @property
    def units(self) -> int:
        return self.preferences.shape[1]

    @property
    def total_rate(self) -> float:
        return float(self.arrival_rates.sum())


def _validate(
    arrival_rates: Sequence[float] | np.ndarray,
    preferences: Sequence[Sequence[int]] | np.ndarray,
    service_rates: float | Sequence[float] | np.ndarray,
    queue: str,
    travel_times: Sequence[Sequence[float]] | np.ndarray | None,
    home: Sequence[int] | np.ndarray | None,
) -> _Instance:
    if queue not in ("loss", "infinite"):
        raise ValueError(f'queue must be "loss" or "infinite", got {queue!r}')

    lam = np.asarray(arrival_rates, dtype=float)
    if lam.ndim != 1 or lam.size == 0:
        raise ValueError("arrival_rates must be a non-empty 1-D sequence (one rate per atom)")
    if not np.all(np.isfinite(lam)) or np.any(lam < 0.0):
        raise ValueError("arrival_rates must be finite and >= 0")
    if lam.sum() <= 0.0:
        raise ValueError("at least one atom must have a positive arrival rate")
    atoms = lam.size

    try:
        prefs = np.asarray(preferences)
    except ValueError as exc:  # ragged nested lists
        raise ValueError("every atom's preference list must name all N units") from exc
    if prefs.ndim != 2 or prefs.shape[0] != atoms:
        raise ValueError(
            f"preferences must be a J x N table with one row per atom (J = {atoms}), "
            f"got shape {prefs.shape}"
        )
    if prefs.shape[1] == 0:
        raise ValueError("there must be at least one unit")
    if prefs.dtype.kind not in "iu":
        raise ValueError("preferences must hold integer unit indices")
    units = prefs.shape[1]
    bad = np.flatnonzero(np.any(np.sort(prefs, axis=1) != np.arange(units), axis=1))
    if bad.size:
        raise ValueError(
            f"preference list of atom {bad[0]} is not a permutation of units 0..{units - 1}: "
            f"{prefs[bad[0]].tolist()}"
        )

    mu = np.asarray(service_rates, dtype=float)
    if mu.ndim == 0:
        mu = np.full(units, float(mu))
    if mu.shape != (units,):
        raise ValueError(f"service_rates must be a number or one rate per unit ({units})")
    if not np.all(np.isfinite(mu)) or np.any(mu <= 0.0):
        raise ValueError("service_rates must be positive and finite")
    if queue == "infinite" and lam.sum() >= mu.sum():
        raise ValueError(
            "infinite queue is unstable: total arrival rate "
            f"{lam.sum():.6g} must be below total service rate {mu.sum():.6g}"
        )

    travel = None
    if travel_times is not None:
        travel = np.asarray(travel_times, dtype=float)
        if travel.shape != (units, atoms):
            raise ValueError(
                f"travel_times must be an N x J matrix ({units} x {atoms}), got {travel.shape}"
            )
        if not np.all(np.isfinite(travel)) or np.any(travel < 0.0):
            raise ValueError("travel_times must be finite and >= 0")

    home_units = None
    if home is not None:
        home_units = np.asarray(home)
        if home_units.shape != (atoms,) or home_units.dtype.kind not in "iu":
            raise ValueError(f"home must give one integer unit index per atom ({atoms})")
        if np.any(home_units < 0) or np.any(home_units >= units):
            raise ValueError(f"home unit indices must lie in 0..{units - 1}")

    return _Instance(
        arrival_rates=lam,
        preferences=prefs.astype(np.int64),
        service_rates=mu,
        queue=queue,  # type: ignore[arg-type]
        travel_times=travel,
        home=home_units,
    )


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _summarise(
    inst: _Instance,
    state_probs: np.ndarray | None,
    workload: np.ndarray,
    p_all_busy: float,
    mean_wait_in_queue: float | None,
    fraction_calls: np.ndarray,
) -> HypercubeResult:
    """Derive the call-based measures from f[n, j] (common to exact and approximate)."""
    served = fraction_calls.sum()
    outside = None
    if inst.home is not None:
        at_home = fraction_calls[inst.home, np.arange(fraction_calls.shape[1])].sum()
        outside = float((served - at_home) / served)
    travel = None
    if inst.travel_times is not None:
        travel = float((fraction_calls * inst.travel_times).sum() / served)
    return HypercubeResult(
        queue=inst.queue,
        state_probs=None if state_probs is None else _frozen(state_probs),
        workload=_frozen(workload),
        p_all_busy=p_all_busy,
        p_queue=p_all_busy,
        mean_wait_in_queue=mean_wait_in_queue,
        fraction_calls=_frozen(fraction_calls),
        calls_share=_frozen(fraction_calls.sum(axis=1) / served),
        outside_home_share=outside,
        mean_travel_time=travel,
    )


def _dispatch_table(preferences: np.ndarray, states: np.ndarray) -> np.ndarray:
    """d[g, s]: unit sent to a call with preference list g in busy set s (-1: none free)."""
    groups, units = preferences.shape
    dispatch = np.full((groups, states.size), -1, dtype=np.int8)
    for pos in range(units):
        unit = preferences[:, pos][:, None]
        take = (dispatch < 0) & (((states[None, :] >> unit) & 1) == 0)
        dispatch[take] = np.broadcast_to(unit, take.shape)[take]
    return dispatch


def _stationary(generator: sp.csr_matrix, level: np.ndarray) -> np.ndarray:
    """Solve pi Q = 0, sum(pi) = 1 by block Gaussian elimination over the levels.

    A state's level is its number of busy units. Every event changes it by one, so
    Q is block tridiagonal in level order, with diagonal blocks that are diagonal. Writing
    pi_(k+1) = pi_k R_k, the top level gives R_(N-1) = U_(N-1) S_N^-1 with
    S_N = -Q_NN, and each lower level S_k = -Q_kk - R_k D_(k+1), R_(k-1) = U_(k-1) S_k^-1
    (U: up-blocks, D: down-blocks). Level 0 is the single all-free state, so
    pi_0 = 1 and the R_k rebuild the rest. This direct method works on dense blocks
    of at most C(N, N/2) states and beats a general sparse LU, which fills in badly
    on the hypercube graph.
    """
    top = int(level.max())
    order = np.argsort(level, kind="stable")
    edges = np.searchsorted(level[order], np.arange(top + 2))
    blocks = [slice(edges[k], edges[k + 1]) for k in range(top + 1)]
    q = generator[order][:, order].tocsr()
    out_rate = -q.diagonal()

    ratios: list[np.ndarray] = []
    schur = np.diag(out_rate[blocks[top]])
    for k in range(top, 0, -1):
        up = q[blocks[k - 1], blocks[k]].toarray()
        ratio = np.linalg.solve(schur.T, up.T).T  # R S = U
        ratios.append(ratio)
        down = q[blocks[k], blocks[k - 1]]
        schur = np.diag(out_rate[blocks[k - 1]]) - (down.T @ ratio.T).T
    pieces = [np.ones(1)]
    for ratio in reversed(ratios):
        pieces.append(pieces[-1] @ ratio)
    pi = np.empty(order.size)
    pi[order] = np.concatenate(pieces)
    pi /= pi.sum()

    residual = float(np.abs(generator.T @ pi).max()) if np.all(np.isfinite(pi)) else np.inf
    if (
        not residual <= _RESIDUAL_TOL * out_rate.max()
        or pi.min() < -_PROB_TOL
        or abs(pi.sum() - 1.0) > _SUM_TOL
    ):
        raise RuntimeError(
            "hypercube balance equations gave no probability distribution "
            f"(min {pi.min():.3g}, sum {pi.sum():.12g}, residual {residual:.3g})"
        )
    np.clip(pi, 0.0, None, out=pi)
    return pi / pi.sum()


def solve_hypercube(
    arrival_rates: Sequence[float] | np.ndarray,
    preferences: Sequence[Sequence[int]] | np.ndarray,
    service_rates: float | Sequence[float] | np.ndarray = 1.0,
    queue: QueueKind = "infinite",
    travel_times: Sequence[Sequence[float]] | np.ndarray | None = None,
    home: Sequence[int] | np.ndarray | None = None,
) -> HypercubeResult:
    """Solve the exact hypercube model.

    arrival_rates: lambda_j per atom (calls per time unit).
    preferences: for each atom, all N unit indices in dispatch order.
    service_rates: mu per unit, or one number for all (same time unit as lambda).
    queue: ``"loss"`` or ``"infinite"`` (needs sum(lambda) < sum(mu)).
    travel_times: optional N x J matrix, t[n, j] from unit n's base to atom j.
    home: optional home unit of each atom, for ``outside_home_share``.
    """
    inst = _validate(arrival_rates, preferences, service_rates, queue, travel_times, home)
    units = inst.units
    if units > MAX_EXACT_UNITS:
        raise ValueError(
            f"the exact model is limited to {MAX_EXACT_UNITS} units (2^N states), got {units}; "
            "use sim.analytic.approx.approximate_hypercube"
        )
    lam, mu = inst.arrival_rates, inst.service_rates
    total_lam, total_mu = inst.total_rate, float(mu.sum())
    full = (1 << units) - 1
    states = np.arange(full + 1, dtype=np.int64)
    bits = (states[:, None] >> np.arange(units)) & 1

    # Atoms with the same preference list behave as one atom with the summed rate.
    groups, group_of_atom = np.unique(inst.preferences, axis=0, return_inverse=True)
    group_of_atom = group_of_atom.ravel()
    group_rate = np.bincount(group_of_atom, weights=lam, minlength=groups.shape[0])
    dispatch = _dispatch_table(groups, states)

    src: list[np.ndarray] = []
    dst: list[np.ndarray] = []
    rate: list[np.ndarray] = []
    for g in np.flatnonzero(group_rate > 0.0):
        free = dispatch[g] >= 0
        src.append(states[free])
        dst.append(states[free] | (1 << dispatch[g][free].astype(np.int64)))
        rate.append(np.full(int(free.sum()), group_rate[g]))
    drain = 1.0 - total_lam / total_mu if inst.queue == "infinite" else 1.0
    for n in range(units):
        busy = states[bits[:, n] == 1]
        src.append(busy)
        dst.append(busy ^ (1 << n))
        r = np.full(busy.size, mu[n])
        r[busy == full] *= drain
        rate.append(r)
    s, d, r = np.concatenate(src), np.concatenate(dst), np.concatenate(rate)
    off_diagonal = sp.csr_matrix((r, (s, d)), shape=(full + 1, full + 1))  # sums duplicates
    out_rate = np.bincount(s, weights=r, minlength=full + 1)
    generator = (off_diagonal - sp.diags(out_rate)).tocsr()
    pi = _stationary(generator, bits.sum(axis=1))

    workload = bits.T.astype(float) @ pi
    p_full = float(pi[full])

    # served[g, n] = P(a call with preference list g is sent at once to unit n).
    ng = groups.shape[0]
    free = dispatch >= 0
    flat = (np.arange(ng)[:, None] * units + dispatch)[free]
    weights = np.broadcast_to(pi, dispatch.shape)[free]
    served = np.bincount(flat, weights=weights, minlength=ng * units).reshape(ng, units)
    atom_share = lam / total_lam
    fraction = (served[group_of_atom] * atom_share[:, None]).T
    mean_wait = None
    if inst.queue == "infinite":
        fraction += p_full * np.outer(mu / total_mu, atom_share)
        mean_wait = p_full / (total_mu - total_lam)

    return _summarise(inst, pi, workload, p_full, mean_wait, fraction)
