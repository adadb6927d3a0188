"""Nonlinear Dirichlet solvers of the graph p-Laplacian for p != 2, all started from the p = 2
solution that :func:`~graphinpaint.solvers.solve_dirichlet` computes first.

============================  ===================================================================
p, form                       method
============================  ===================================================================
1 <= p < 2, both forms        IRLS: each step a p = 2 solve with edge weights
                              ``w (|f(v)-f(u)|**2 + eps**2)**((p-2)/2)`` (per channel) or the
                              isotropic node factors; the quadratic model majorises the smoothed
                              energy, so the energy never rises
2 < p < inf, anisotropic      Newton's method on the smoothed energy with a backtracking line
                              search, and a homotopy in p from 3 upward
2 < p < inf, isotropic        IRLS directions with a backtracking line search
p = inf                       Gauss-Seidel sweeps of weighted midranges (monotone)
============================  ===================================================================

Every method works on the :class:`~graphinpaint.solvers._problem.DirichletProblem` checked by
``solve_dirichlet``: its edge list evaluates energies and residuals in O(edges), and its partition
rebuilds the Dirichlet blocks for new edge weights in O(edges) at every step.
"""

from __future__ import annotations

import warnings
from typing import Callable, NamedTuple

import numpy as np
import scipy.sparse as sp
from numba import njit

from .. import _edges
from .._validation import ConvergenceWarning
from ._problem import DirichletProblem, DirichletResult
from ._warnings import warn_convergence
from .linear import LinearSolver, _choose_method

_SMOOTHING = 1e-3          # default eps, as a fraction of the range of the known values
_MAXITER = 100             # default cap on nonlinear steps (IRLS, Newton per stage)
_LINE_SEARCH_HALVINGS = 30  # backtracking gives up after this many halvings of the step
_WARM_UP_START = 0.1       # first eps of the IRLS warm-up, as a fraction of the known range
_WARM_UP_FACTOR = 4.0      # eps shrinks by this factor from one warm-up stage to the next
_WARM_UP_STEPS = 5         # steps at most per warm-up stage: it only warm-starts the next
_WARM_UP_BELOW_P = 1.25    # IRLS warms up with larger eps for p below this
_FORCING = 0.1             # IRLS: each inner linear solve cuts its start's residual by this
_NEWTON_FORCING = 0.01     # Newton: a looser solve doubles the steps at p = 10 (measured)
_EXTRAPOLATION_MAX = 8.0   # IRLS tries steps up to this many times the model's minimiser
_STAGE_SLACK = 100.0       # homotopy stages before the last stop at this times the tolerance
_STALL_SHARE = 1e-3        # IRLS also stops on steps gaining less than this share of the
                           # energy the smoothing adds
_SKIP_SHARE = 1e-3         # p = inf: moves below this share of the tolerance wake no neighbour
_SMOOTHED_ACCURACY = 0.1   # smoothed methods stop once no value moves by this times eps


def solve(problem: DirichletProblem, start: DirichletResult, *, p: float, form: str,
          eps: float | None, rtol: float, maxiter: int | None,
          callback: Callable | None, newton_steps: int | None = None) -> DirichletResult:
    """Solve the p-Laplacian Dirichlet problem from the p = 2 result ``start``.
    ``newton_steps`` (p > 2, anisotropic): a truncated Newton solve of at most that many
    steps per stage, successful when they run out."""
    spread = _known_range(start.x, problem.known)
    tolerance = rtol * spread
    if np.isinf(p):
        return _solve_infinity(problem, start, tolerance=tolerance, maxiter=maxiter,
                               callback=callback)
    eps = eps if eps is not None else _SMOOTHING * spread
    # The smoothed problem's minimiser is only eps-close to the true one: polishing it further
    # than a tenth of eps buys nothing (and near p = 1 costs hundreds of steps).
    tolerance = max(tolerance, _SMOOTHED_ACCURACY * eps)
    if p > 2 and form == "anisotropic":
        return _solve_newton(problem, start, p=p, form=form, eps=eps, rtol=rtol,
                             tolerance=tolerance, maxiter=newton_steps or maxiter or _MAXITER,
                             callback=callback, truncated=newton_steps is not None)
    return _solve_reweighted(problem, start, p=p, form=form, eps=eps, rtol=rtol,
                             tolerance=tolerance, maxiter=maxiter or _MAXITER, callback=callback)


# --- 1 <= p < 2 (and isotropic p > 2): iteratively reweighted least squares -----------------------

class _Iterate(NamedTuple):
    """A signal on all nodes with its edge differences, which every step needs once."""

    values: np.ndarray        # (n, c)
    differences: np.ndarray   # (edges, c)

    @classmethod
    def of(cls, problem: DirichletProblem, values: np.ndarray) -> "_Iterate":
        return cls(values, problem.edges.differences(values))


class _Loop(NamedTuple):
    steps: int
    linear_iterations: int
    energies: list
    converged: bool


def _solve_reweighted(problem: DirichletProblem, start: DirichletResult, *, p: float, form: str,
                      eps: float, rtol: float, tolerance: float, maxiter: int,
                      callback: Callable | None) -> DirichletResult:
    """Minimise the quadratic model of the smoothed energy at the current iterate, repeatedly.

    For p <= 2 the model majorises the energy, so its minimiser lowers it; for p > 2 the model's
    minimiser is a descent direction, searched by backtracking. Both are checked by the line
    search, which never accepts a rise.

    Near p = 1 a small eps makes IRLS crawl (its rate tends to 1 as eps shrinks), so there the
    loop first runs with larger eps, each stage to the accuracy its eps allows; only the last
    stage, whose energies are reported, runs at ``eps``.
    """
    current = _Iterate.of(problem, start.x)
    steps, linear_iterations = 0, start.linear_iterations
    for stage_eps in _smoothing_stages(p, eps, _known_range(start.x, problem.known)):
        current, stage = _reweighted_loop(problem, current, p=p, form=form, eps=stage_eps,
                                          rtol=rtol,
                                          tolerance=_SMOOTHED_ACCURACY * stage_eps,
                                          maxiter=min(maxiter, _WARM_UP_STEPS),
                                          callback=callback)
        steps += stage.steps
        linear_iterations += stage.linear_iterations
    current, final = _reweighted_loop(problem, current, p=p, form=form, eps=eps, rtol=rtol,
                                      tolerance=tolerance, maxiter=maxiter, callback=callback)
    steps += final.steps
    linear_iterations += final.linear_iterations
    if not final.converged:
        warn_convergence(_not_converged("IRLS", maxiter))
    return _result(problem, current, p, form, eps, steps, final.energies,
                   linear_iterations, "IRLS", success=final.converged)


def _reweighted_loop(problem: DirichletProblem, current: _Iterate, *, p: float, form: str,
                     eps: float, rtol: float, tolerance: float, maxiter: int,
                     callback: Callable | None) -> tuple[_Iterate, _Loop]:
    energy = _energy(problem, current, p, form, eps)
    # The smoothing shifts the energy by about this much: steps that gain a small share of it
    # refine the smoothed problem, not the p-Laplacian one.
    smoothing_share = _STALL_SHARE * abs(energy - _energy(problem, current, p, form, 0.0))
    energies, linear_iterations = [energy], 0
    for step in range(1, maxiter + 1):
        proposal, iterations = _reweighted_solve(problem, current, p, form, eps)
        linear_iterations += iterations
        previous, previous_energy = current, energy
        current, energy = _line_search(problem, current, proposal, p, form, eps, energy,
                                       extrapolate=True)
        energies.append(energy)
        if callback is not None:
            callback(current.values)
        # Near p = 1 the minimisers form flat valleys (the median of an even number of
        # neighbours is any value between the middle two), along which a few nodes drift for
        # hundreds of steps without lowering the energy: a stalled energy is convergence too.
        stalled = previous_energy - energy <= max(rtol * abs(energy), smoothing_share)
        if np.abs(current.values - previous.values).max() <= tolerance or stalled:
            return current, _Loop(step, linear_iterations, energies, True)
    return current, _Loop(maxiter, linear_iterations, energies, False)


def _smoothing_stages(p: float, eps: float, spread: float) -> list[float]:
    """The warm-up smoothings of IRLS near p = 1: from a tenth of the data's range down by
    factors of 4, above ``eps``. Elsewhere the smoothing hardly slows IRLS and the warm-up
    costs more steps than it saves (measured: p = 1.5, 8 steps without, 19 with)."""
    if p >= _WARM_UP_BELOW_P:
        return []
    stages = []
    stage = _WARM_UP_START * spread
    while stage > 2 * eps:
        stages.append(stage)
        stage /= _WARM_UP_FACTOR
    return stages


def _reweighted_solve(problem: DirichletProblem, current: _Iterate, p: float, form: str,
                      eps: float) -> tuple[np.ndarray, int]:
    """The minimiser of the quadratic model, to the forcing tolerance: one p = 2 solve
    (isotropic: one graph for all channels; anisotropic: one graph per channel)."""
    if form == "isotropic":
        edge_weights = _edges.isotropic_edge_weights(problem.edges, current.differences, p,
                                                         eps)
        return _model_minimiser(problem, current.values, edge_weights)
    solution = current.values.copy()
    iterations = 0
    for channel in range(solution.shape[1]):
        edge_weights = _mirrored(problem, _reweighted_edges, current.differences[:, channel],
                                 p, eps)[0]
        part, its = _model_minimiser(problem, current.values[:, [channel]], edge_weights)
        solution[:, channel] = part[:, 0]
        iterations += its
    return solution, iterations


def _model_minimiser(problem: DirichletProblem, current: np.ndarray,
                     edge_weights: np.ndarray) -> tuple[np.ndarray, int]:
    """Solve ``L_AA u_A = W_AB g_B`` for the given edge weights from the current iterate, as a
    correction that cuts the iterate's residual by ``_FORCING`` (an inexact step: the line
    search keeps the energy monotone, and a fixed point is still an exact one)."""
    unknown = problem.unknown
    l_aa, w_ab = problem.partition.blocks(edge_weights)
    residual = w_ab @ current[problem.known] - l_aa @ current[unknown]
    correction, iterations = _reduce(problem, l_aa, residual, _FORCING)
    solution = current.copy()
    solution[unknown] += correction
    return solution, iterations


def _reduce(problem: DirichletProblem, matrix: sp.csr_matrix, rhs: np.ndarray,
            forcing: float) -> tuple[np.ndarray, int]:
    """Solve ``matrix x = rhs`` from zero to a relative residual of ``forcing``."""
    # The matrix is a Laplacian block built by the partition, symmetric by construction: the
    # solver is made without make_solver's checks, which cost a transpose per step.
    if problem.method == "auto":
        problem.method = _choose_method(matrix)     # once: every step's matrix is alike
    solver = LinearSolver(matrix, problem.method, rtol=forcing, atol=0.0, maxiter=None,
                          callback=None)
    with warnings.catch_warnings():
        # An inner solve that stops early only shortens a step; the outer loop judges.
        warnings.simplefilter("ignore", ConvergenceWarning)
        linear = solver.solve(rhs)
    return linear.x, int(linear.nit.sum())


# --- p > 2, anisotropic: Newton with a homotopy in p ----------------------------------------------

def _solve_newton(problem: DirichletProblem, start: DirichletResult, *, p: float, form: str,
                  eps: float, rtol: float, tolerance: float, maxiter: int,
                  callback: Callable | None, truncated: bool = False) -> DirichletResult:
    """Newton's method on the smoothed anisotropic energy, channel by channel.
    ``truncated``: ``maxiter`` steps per stage are all that is asked, not a failure.

    The Hessian is the graph Laplacian with edge weights ``w phi''(f(v) - f(u))`` restricted to
    the unknown nodes, positive definite for eps > 0; the step is damped by backtracking on the
    energy. p rises from 3 in steps (homotopy), each stage warm-started from the last, because
    Newton from the p = 2 solution takes many damped steps for large p.
    """
    current = _Iterate.of(problem, start.x)
    energies, linear_iterations, steps = [], start.linear_iterations, 0
    for stage_p in _homotopy(p):
        energy = _energy(problem, current, stage_p, form, eps)
        # Stages before the last only warm-start the next one: a rough solve does.
        slack = 1.0 if stage_p == p else _STAGE_SLACK
        for _ in range(maxiter):
            steps += 1
            direction, iterations = _newton_direction(problem, current, stage_p, eps)
            linear_iterations += iterations
            previous_energy = energy
            current, energy = _line_search(problem, current, current.values + direction,
                                           stage_p, form, eps, energy)
            if callback is not None:
                callback(current.values)
            # For large p the energy is flat where differences are below eps, and the inexact
            # Newton direction there need not shrink: a stalled energy is convergence too.
            stalled = previous_energy - energy <= slack * rtol * abs(energy)
            if np.abs(direction).max() <= slack * tolerance or stalled:
                break
        else:
            if stage_p == p and not truncated:
                warn_convergence(_not_converged("Newton", maxiter))
                return _result(problem, current, p, form, eps, steps, energies,
                               linear_iterations, "Newton", success=False)
        energies.append(energy)
    method = f"Newton, truncated at {maxiter} steps" if truncated else "Newton (homotopy in p)"
    return _result(problem, current, p, form, eps, steps, energies, linear_iterations, method,
                   success=True)


def _homotopy(p: float) -> list[float]:
    """Exponents from at most 3 up to p, each ``p - 1`` at most 1.5 times the previous one's."""
    stages = [p]
    while stages[-1] > 3.0:
        stages.append(1.0 + (stages[-1] - 1.0) / 1.5)
    return stages[::-1]


def _newton_direction(problem: DirichletProblem, current: _Iterate, p: float,
                      eps: float) -> tuple[np.ndarray, int]:
    """Solve ``H_AA d = -grad_A E`` per channel to the forcing tolerance (inexact Newton), with
    ``E`` the smoothed anisotropic energy."""
    edges = problem.edges
    direction = np.zeros_like(current.values)
    iterations = 0
    for channel in range(direction.shape[1]):
        slope, curvature = _newton_terms(problem, current.differences[:, channel], p, eps)
        gradient = -edges.sum_rows(slope)[problem.unknown]
        l_aa, _ = problem.partition.blocks(curvature)
        step, its = _reduce(problem, l_aa, -gradient, _NEWTON_FORCING)
        direction[problem.unknown, channel] = step
        iterations += its
    return direction, iterations


def _newton_terms(problem: DirichletProblem, diff: np.ndarray, p: float,
                  eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Slope (odd in the difference) and curvature (even) of every edge."""
    return _mirrored(problem, _newton_edges, diff, p, eps)


def _mirrored(problem: DirichletProblem, kernel, diff: np.ndarray, p: float,
              eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Run an edge kernel once per undirected edge and mirror its results onto the reverse
    edges, when the stored structure is symmetric; on every edge otherwise. Loops keep zeros:
    their difference is 0 and they cancel in the Laplacian."""
    diff = np.ascontiguousarray(diff)
    pairs = problem.edge_pairs
    if pairs is None:
        every = np.arange(diff.size)
        return kernel(problem.edges.weights, diff, p, eps, every, every)
    return kernel(problem.edges.weights, diff, p, eps, pairs.first, pairs.reverse)


@njit(cache=True, nogil=True, fastmath=True)
def _newton_edges(weights, diff, p, eps, edge_ids, reverse):  # pragma: no cover
    """For the listed edges e, ``w phi'(d) / p = w d s**(p/2-1)`` and ``w phi''(d) / p =
    w s**(p/2-2) ((p-1) d**2 + eps**2)`` with ``s = d**2 + eps**2``, one power per edge;
    written at e and, the slope negated, at ``reverse[e]``."""
    slope = np.zeros(diff.size)
    curvature = np.zeros(diff.size)
    eps_sq = eps * eps
    for i in range(edge_ids.size):
        e = edge_ids[i]
        d = diff[e]
        smooth_sq = d * d + eps_sq
        power = smooth_sq ** (0.5 * p - 2.0)
        edge_slope = weights[e] * d * power * smooth_sq
        edge_curvature = weights[e] * power * ((p - 1.0) * d * d + eps_sq)
        slope[reverse[e]] = -edge_slope
        curvature[reverse[e]] = edge_curvature
        slope[e] = edge_slope
        curvature[e] = edge_curvature
    return slope, curvature


@njit(cache=True, nogil=True, fastmath=True)
def _reweighted_edges(weights, diff, p, eps, edge_ids, reverse):  # pragma: no cover
    """IRLS edge weights ``w (d**2 + eps**2)**((p-2)/2)`` for the listed edges e, written at e
    and at ``reverse[e]`` (returned with an unused second array, like _newton_edges)."""
    out = np.zeros(diff.size)
    eps_sq = eps * eps
    for i in range(edge_ids.size):
        e = edge_ids[i]
        smooth_sq = diff[e] * diff[e] + eps_sq
        factor = 1.0 / np.sqrt(smooth_sq) if p == 1.0 else smooth_sq ** (0.5 * p - 1.0)
        out[e] = weights[e] * factor
        out[reverse[e]] = weights[e] * factor
    return out, out


# --- p = inf: Gauss-Seidel sweeps of weighted midranges -------------------------------------------

def _solve_infinity(problem: DirichletProblem, start: DirichletResult, *, tolerance: float,
                    maxiter: int | None, callback: Callable | None) -> DirichletResult:
    """Set every unknown to the weighted midrange of its neighbours until nothing moves.

    The weighted midrange of values ``f_v`` with scales ``s_v = sqrt(w(u, v))`` is the ``x``
    that minimises ``max_v s_v |f_v - x|``: there the largest weighted differences up and down
    balance and the infinity-Laplacian vanishes. Sweeps go node by node in place (Gauss-Seidel),
    which is monotone and converges to the infinity-harmonic extension (Oberman 2005; Calder
    2019, Lipschitz learning), about twice as fast as simultaneous (Jacobi) updates.
    """
    edges = problem.edges
    current = np.ascontiguousarray(start.x.copy())
    unknown = problem.partition.unknown_nodes.astype(np.int64)
    indptr = edges.indptr.astype(np.int64)
    indices = edges.cols.astype(np.int64)
    scales = np.sqrt(edges.weights)
    # Like Jacobi for the Laplacian, information crosses the graph one edge per sweep.
    maxiter = maxiter or max(_MAXITER, 10 * unknown.size)
    # A node is recomputed only when a neighbour moved by more than this since its last update:
    # the midrange is non-expansive, so the skipped node would move by less.
    negligible = _SKIP_SHARE * tolerance
    stale = np.ones(current.shape[0], dtype=np.bool_)
    for sweep in range(1, maxiter + 1):
        change = _midrange_sweep(indptr, indices, scales, unknown, current, stale, negligible)
        if callback is not None:
            callback(current)
        if change <= tolerance:
            break
    else:
        warn_convergence(_not_converged("midrange iteration", maxiter))
    # The residual and the Lipschitz constant come from operators: no edge differences needed.
    return _result(problem, _Iterate(current, None), np.inf, "anisotropic", 0.0, sweep, [],
                   start.linear_iterations, "midrange iteration", success=change <= tolerance)


@njit(cache=True, nogil=True, fastmath=True)
def _midrange_sweep(indptr, indices, scales, unknown, values, stale,
                    negligible):  # pragma: no cover
    """One Gauss-Seidel sweep of weighted midranges over the stale unknowns, in place; returns
    the largest change. A node that moves by more than ``negligible`` makes its neighbours stale.

    ``max_v s_v |f_v - x|`` is the larger of an increasing and a decreasing piecewise-linear
    function of x; its minimum is where the two cross, which is the highest of the crossings
    ``x = (s_i f_i + s_j f_j) / (s_i + s_j)``, at height ``s_i s_j (f_i - f_j) / (s_i + s_j)``,
    over the pairs of neighbours with ``f_i >= f_j``. Exact, in O(degree**2).
    """
    largest = 0.0
    degree_max = 0
    for u in unknown:
        degree_max = max(degree_max, indptr[u + 1] - indptr[u])
    # The neighbours' scales and values, gathered once per node and channel: the pair loop
    # then reads contiguous memory.
    local_scales = np.empty(degree_max)
    local_values = np.empty(degree_max)
    for u in unknown:
        if not stale[u]:
            continue
        stale[u] = False
        count = 0
        for e in range(indptr[u], indptr[u + 1]):
            if scales[e] > 0:
                local_scales[count] = scales[e]
                count += 1
        moved = 0.0
        for c in range(values.shape[1]):
            count = 0
            for e in range(indptr[u], indptr[u + 1]):
                if scales[e] > 0:
                    local_values[count] = values[indices[e], c]
                    count += 1
            best_height = -1.0
            best_x = values[u, c]
            for a in range(count):
                s_a = local_scales[a]
                f_a = local_values[a]
                for b in range(a, count):
                    s_b = local_scales[b]
                    f_b = local_values[b]
                    height = s_a * s_b * abs(f_a - f_b) / (s_a + s_b)
                    if height > best_height:
                        best_height = height
                        best_x = (s_a * f_a + s_b * f_b) / (s_a + s_b)
            moved = max(moved, abs(best_x - values[u, c]))
            values[u, c] = best_x
        largest = max(largest, moved)
        if moved > negligible:
            for e in range(indptr[u], indptr[u + 1]):
                stale[indices[e]] = True
    return largest


# --- shared ---------------------------------------------------------------------------------------

def _energy(problem: DirichletProblem, current: _Iterate, p: float, form: str,
            eps: float) -> float:
    return _energy_along(problem, current.differences, None, 0.0, p, form, eps)


def _energy_along(problem: DirichletProblem, start: np.ndarray, change: np.ndarray | None,
                  step: float, p: float, form: str, eps: float) -> float:
    """The smoothed energy of the signal whose edge differences are ``start + step * change``,
    in one compiled pass with no temporary arrays (the line searches call it a few times per
    step, on (edges, c) arrays)."""
    edges = problem.edges
    change = start if change is None else change
    if form == "isotropic":
        return _isotropic_energy(edges.indptr, edges.weights, start, change, step, p, eps)
    edge_ids, multiplicity = problem.energy_edges
    return _anisotropic_energy(edges.weights, start, change, step, p, eps, edge_ids,
                               multiplicity)


@njit(cache=True, nogil=True, fastmath=True)
def _anisotropic_energy(weights, start, change, step, p, eps, edge_ids,
                        multiplicity):  # pragma: no cover
    """``1/(2p) sum_e m_e w_e sum_c (d**2 + eps**2)**(p/2)`` with ``d = start + step * change``
    over the listed edges ``e`` with multiplicities ``m_e``."""
    total = 0.0
    eps_sq = eps * eps
    for i in range(edge_ids.size):
        e = edge_ids[i]
        edge = 0.0
        for c in range(start.shape[1]):
            d = start[e, c] + step * change[e, c]
            smooth_sq = d * d + eps_sq
            edge += np.sqrt(smooth_sq) if p == 1.0 else smooth_sq ** (0.5 * p)
        total += multiplicity[i] * weights[e] * edge
    return total / (2.0 * p)


@njit(cache=True, nogil=True, fastmath=True)
def _isotropic_energy(indptr, weights, start, change, step, p, eps):  # pragma: no cover
    """``1/(2p) sum_u (sum_v w sum_c d**2 + eps**2)**(p/2)`` with ``d = start + step * change``."""
    total = 0.0
    for u in range(indptr.size - 1):
        squared = eps * eps
        for e in range(indptr[u], indptr[u + 1]):
            for c in range(start.shape[1]):
                d = start[e, c] + step * change[e, c]
                squared += weights[e] * d * d
        total += squared ** (0.5 * p)
    return total / (2.0 * p)


def _line_search(problem: DirichletProblem, current: _Iterate, target: np.ndarray, p: float,
                 form: str, eps: float, energy: float, *,
                 extrapolate: bool = False) -> tuple[_Iterate, float]:
    """Backtrack from the full step toward ``target`` until the energy does not rise; with
    ``extrapolate``, first go past it, doubling the step while the energy keeps falling.

    The edge differences are linear along the step, so each trial costs only the energy's
    arithmetic, a small fraction of a step's linear solves.
    """
    change = problem.edges.differences(target) - current.differences

    def energy_at(step: float) -> float:
        return _energy_along(problem, current.differences, change, step, p, form, eps)

    step = 1.0
    for _ in range(_LINE_SEARCH_HALVINGS):
        accepted_energy = energy_at(step)
        if accepted_energy <= energy:
            break
        step /= 2.0
    else:
        return current, energy
    while extrapolate and step < _EXTRAPOLATION_MAX:
        trial_energy = energy_at(2.0 * step)
        if trial_energy >= accepted_energy:
            break
        step, accepted_energy = 2.0 * step, trial_energy
    accepted = _Iterate(current.values + step * (target - current.values),
                        current.differences + step * change)
    return accepted, accepted_energy


def _result(problem: DirichletProblem, solution: _Iterate, p: float, form: str, eps: float,
            steps: int, energies: list[float], linear_iterations: int, method: str, *,
            success: bool) -> DirichletResult:
    return DirichletResult(
        x=solution.values, success=success, status=0 if success else 1, nit=steps,
        linear_iterations=int(linear_iterations),
        residual=_residual(problem, solution, p, form, eps),
        energy=(problem.energy(solution.values, p, form, eps) if np.isinf(p)   # Lipschitz
                else _energy(problem, solution, p, form, eps)),
        energies=energies, eps=eps,
        method=method, message="converged" if success else "maximum number of steps reached")


def _residual(problem: DirichletProblem, solution: _Iterate, p: float, form: str,
              eps: float) -> float:
    """Largest ``|Delta_p f|`` over the unknown nodes; the anisotropic one from the compiled
    IRLS edge weights (``Delta_p f(u) = sum_v w s**((p-2)/2) d``), the others from operators."""
    if np.isinf(p) or form == "isotropic":
        return problem.residual(solution.values, p, form, eps)
    largest = 0.0
    for channel in range(solution.values.shape[1]):
        diff = solution.differences[:, channel]
        weights = _mirrored(problem, _reweighted_edges, diff, p, eps)[0]
        laplacian = problem.edges.sum_rows(weights * diff)[problem.unknown]
        largest = max(largest, float(np.abs(laplacian).max(initial=0.0)))
    return largest


def _not_converged(method: str, maxiter: int) -> str:
    smoothing = "" if method.startswith("midrange") else " give a larger eps,"
    return (f"solve_dirichlet: the {method} did not converge in {maxiter} steps. Raise "
            f"maxiter, loosen rtol,{smoothing} or use a p closer to 2.")


def _known_range(values: np.ndarray, known: np.ndarray) -> float:
    """The spread of the known values, the scale of the tolerances and of eps (1 if flat)."""
    spread = float(np.ptp(values[known])) if known.any() else 0.0
    return spread if spread > 0 else 1.0
