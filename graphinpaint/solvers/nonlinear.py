"""Nonlinear Dirichlet solvers of the graph p-Laplacian for p != 2, all started from the p = 2
solution that :func:`~graphinpaint.solvers.solve_dirichlet` computes first.

==================================  ===================================================================
p, form                             method
==================================  ===================================================================
1 <= p < 2, both forms              IRLS: each step a p = 2 solve with edge weights
                                    ``w (|f(v)-f(u)|**2 + eps**2)**((p-2)/2)`` (per channel) or the
                                    isotropic node factors; the quadratic model majorises the smoothed
                                    energy, so the energy never rises
2 < p < inf, anisotropic            Newton's method on the smoothed energy with a backtracking line
                                    search, and a homotopy in p from 3 upward
2 < p < inf, isotropic              IRLS directions with a backtracking line search
p = inf                             Gauss-Seidel sweeps of weighted midranges (monotone)
==================================  ===================================================================

Every method works on the :class:`~graphinpaint.solvers._problem.DirichletProblem` checked by
``solve_dirichlet``: its edge list evaluates energies and residuals in O(edges), and its partition
rebuilds the Dirichlet blocks for new edge weights in O(edges) at every step.
"""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
from numba import njit

from .._validation import ConvergenceWarning
from ._problem import DirichletProblem, DirichletResult
from ._warnings import warn_convergence
from .linear import make_solver

_SMOOTHING = 1e-3          # default eps, as a fraction of the range of the known values
_MAXITER = 100             # default cap on nonlinear steps (IRLS, Newton per stage)
_LINE_SEARCH_HALVINGS = 30


def solve(problem: DirichletProblem, start: DirichletResult, *, p: float, form: str,
          eps: float | None, rtol: float, maxiter: int | None,
          callback: Callable | None) -> DirichletResult:
    """Solve the p-Laplacian Dirichlet problem from the p = 2 result ``start``."""
    spread = _known_range(start.x, problem.known)
    tolerance = rtol * spread
    if np.isinf(p):
        return _solve_infinity(problem, start, tolerance=tolerance, maxiter=maxiter,
                               callback=callback)
    eps = eps if eps is not None else _SMOOTHING * spread
    loop = _solve_newton if p > 2 and form == "anisotropic" else _solve_reweighted
    return loop(problem, start, p=p, form=form, eps=eps, rtol=rtol, tolerance=tolerance,
                maxiter=maxiter or _MAXITER, callback=callback)


# --- 1 <= p < 2 (and isotropic p > 2): iteratively reweighted least squares -------------------------

def _solve_reweighted(problem: DirichletProblem, start: DirichletResult, *, p: float, form: str,
                      eps: float, rtol: float, tolerance: float, maxiter: int,
                      callback: Callable | None) -> DirichletResult:
    """Minimise the quadratic model of the smoothed energy at the current iterate, repeatedly.

    For p <= 2 the model majorises the energy, so its minimiser lowers it; for p > 2 the model's
    minimiser is a descent direction, searched by backtracking. Both are checked by the line
    search, which never accepts a rise.
    """
    current = start.x
    energy = problem.energy(current, p, form, eps)
    energies, linear_iterations = [], start.linear_iterations
    for step in range(1, maxiter + 1):
        proposal, iterations = _reweighted_solve(problem, current, p, form, eps, rtol)
        linear_iterations += iterations
        previous, previous_energy = current, energy
        current, energy = _line_search(problem, current, proposal, p, form, eps, energy)
        energies.append(energy)
        if callback is not None:
            callback(current)
        # Near p = 1 the minimisers can form a flat valley along which the iterate drifts
        # without lowering the energy: a stalled energy is convergence too.
        stalled = previous_energy - energy <= 1e-2 * rtol * abs(energy)
        if np.abs(current - previous).max() <= tolerance or stalled:
            return _result(problem, current, p, form, eps, step, energies, linear_iterations,
                           "IRLS", success=True)
    warn_convergence(_not_converged("IRLS", maxiter))
    return _result(problem, current, p, form, eps, maxiter, energies, linear_iterations, "IRLS",
                   success=False)


def _reweighted_solve(problem: DirichletProblem, current: np.ndarray, p: float, form: str,
                      eps: float, rtol: float) -> tuple[np.ndarray, int]:
    """The minimiser of the quadratic model: one p = 2 solve (isotropic: one graph for all
    channels; anisotropic: one graph per channel)."""
    edges = problem.edges
    if form == "isotropic":
        node_factor = _smoothed_power_of_norm(problem, current, p - 2, eps)
        edge_weights = edges.weights * (node_factor[edges.rows] + node_factor[edges.cols]) / 2.0
        solution, linear = _quiet_linear(problem, current, edge_weights, rtol)
        return solution, int(linear.nit.sum())
    differences = edges.differences(current)
    solution = current.copy()
    iterations = 0
    for channel in range(current.shape[1]):
        edge_weights = edges.weights * (differences[:, channel] ** 2 + eps ** 2) ** ((p - 2) / 2)
        part, linear = _quiet_linear(problem, current[:, [channel]], edge_weights, rtol)
        solution[:, channel] = part[:, 0]
        iterations += int(linear.nit.sum())
    return solution, iterations


def _smoothed_power_of_norm(problem: DirichletProblem, values: np.ndarray, exponent: float,
                            eps: float) -> np.ndarray:
    edges = problem.edges
    squared = edges.sum_rows(edges.weights * (edges.differences(values) ** 2).sum(axis=1))
    return (squared + eps ** 2) ** (exponent / 2)


def _quiet_linear(problem: DirichletProblem, values: np.ndarray, edge_weights: np.ndarray,
                  rtol: float):
    # An inner solve that stops early only shortens a step; the outer loop judges convergence.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return problem.solve_linear(values, edge_weights, x0=values, rtol=rtol)


# --- p > 2, anisotropic: Newton with a homotopy in p ------------------------------------------------

def _solve_newton(problem: DirichletProblem, start: DirichletResult, *, p: float, form: str,
                  eps: float, rtol: float, tolerance: float, maxiter: int,
                  callback: Callable | None) -> DirichletResult:
    """Newton's method on the smoothed anisotropic energy, channel by channel.

    The Hessian is the graph Laplacian with edge weights ``w phi''(f(v) - f(u))`` restricted to
    the unknown nodes, positive definite for eps > 0; the step is damped by backtracking on the
    energy. p rises from 3 in steps (homotopy), each stage warm-started from the last, because
    Newton from the p = 2 solution takes many damped steps for large p.
    """
    current = start.x
    energies, linear_iterations, steps = [], start.linear_iterations, 0
    for stage_p in _homotopy(p):
        energy = problem.energy(current, stage_p, form, eps)
        for _ in range(maxiter):
            steps += 1
            direction, iterations = _newton_direction(problem, current, stage_p, eps, rtol)
            linear_iterations += iterations
            current, energy = _line_search(problem, current, current + direction, stage_p,
                                           form, eps, energy)
            if callback is not None:
                callback(current)
            if np.abs(direction).max() <= tolerance:
                break
        else:
            if stage_p == p:
                warn_convergence(_not_converged("Newton", maxiter))
                return _result(problem, current, p, form, eps, steps, energies,
                               linear_iterations, "Newton", success=False)
        energies.append(energy)
    return _result(problem, current, p, form, eps, steps, energies, linear_iterations,
                   "Newton (homotopy in p)", success=True)


def _homotopy(p: float) -> list[float]:
    """Exponents from at most 3 up to p, each ``p - 1`` at most 1.5 times the previous one's."""
    stages = [p]
    while stages[-1] > 3.0:
        stages.append(1.0 + (stages[-1] - 1.0) / 1.5)
    return stages[::-1]


def _newton_direction(problem: DirichletProblem, current: np.ndarray, p: float, eps: float,
                      rtol: float) -> tuple[np.ndarray, int]:
    """Solve ``H_AA d = -grad_A E`` per channel, with ``E`` the smoothed anisotropic energy."""
    edges = problem.edges
    differences = edges.differences(current)
    direction = np.zeros_like(current)
    iterations = 0
    for channel in range(current.shape[1]):
        diff = differences[:, channel]
        smooth_sq = diff ** 2 + eps ** 2
        slope = edges.weights * diff * smooth_sq ** (p / 2 - 1)                       # w phi'/p
        curvature = edges.weights * smooth_sq ** (p / 2 - 2) * ((p - 1) * diff ** 2 + eps ** 2)
        gradient = -edges.sum_rows(slope)[problem.unknown]
        l_aa, _ = problem.partition.blocks(curvature)
        solver = make_solver(l_aa, method=problem.method, rtol=rtol, atol=problem.atol)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            step = solver.solve(-gradient)
        direction[problem.unknown, channel] = step.x
        iterations += int(step.nit.sum())
    return direction, iterations


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
    for sweep in range(1, maxiter + 1):
        change = _midrange_sweep(indptr, indices, scales, unknown, current, tolerance * 1e-3)
        if callback is not None:
            callback(current)
        if change <= tolerance:
            return _result(problem, current, np.inf, "anisotropic", 0.0, sweep, [],
                           start.linear_iterations, "midrange iteration", success=True)
    warn_convergence(_not_converged("midrange iteration", maxiter))
    return _result(problem, current, np.inf, "anisotropic", 0.0, maxiter, [],
                   start.linear_iterations, "midrange iteration", success=False)


@njit(cache=True, nogil=True)
def _midrange_sweep(indptr, indices, scales, unknown, values, precision):  # pragma: no cover
    """One Gauss-Seidel sweep of weighted midranges, in place; returns the largest change.

    For node u the map ``x -> max_v s_v (f_v - x) - max_v s_v (x - f_v)`` decreases in x; its
    root, found by bisection to ``precision``, is the minimiser of ``max_v s_v |f_v - x|``.
    """
    largest = 0.0
    for u in unknown:
        start, stop = indptr[u], indptr[u + 1]
        if start == stop:
            continue
        for c in range(values.shape[1]):
            low = np.inf
            high = -np.inf
            for e in range(start, stop):
                if scales[e] > 0:
                    low = min(low, values[indices[e], c])
                    high = max(high, values[indices[e], c])
            if low > high:
                continue
            while high - low > precision:
                middle = 0.5 * (low + high)
                up = -np.inf
                down = -np.inf
                for e in range(start, stop):
                    d = values[indices[e], c] - middle
                    up = max(up, scales[e] * d)
                    down = max(down, -scales[e] * d)
                if up > down:
                    low = middle
                else:
                    high = middle
            updated = 0.5 * (low + high)
            largest = max(largest, abs(updated - values[u, c]))
            values[u, c] = updated
    return largest


# --- shared ----------------------------------------------------------------------------------------

def _line_search(problem: DirichletProblem, current: np.ndarray, target: np.ndarray, p: float,
                 form: str, eps: float, energy: float) -> tuple[np.ndarray, float]:
    """Backtrack from the full step toward ``target`` until the energy does not rise."""
    step = 1.0
    for _ in range(_LINE_SEARCH_HALVINGS):
        candidate = current + step * (target - current)
        candidate_energy = problem.energy(candidate, p, form, eps)
        if candidate_energy <= energy:
            return candidate, candidate_energy
        step /= 2.0
    return current, energy


def _result(problem: DirichletProblem, solution: np.ndarray, p: float, form: str, eps: float,
            steps: int, energies: list[float], linear_iterations: int, method: str, *,
            success: bool) -> DirichletResult:
    return DirichletResult(
        x=solution, success=success, status=0 if success else 1, nit=steps,
        linear_iterations=int(linear_iterations),
        residual=problem.residual(solution, p, form, eps),
        energy=problem.energy(solution, p, form, eps), energies=energies, eps=eps,
        method=method, message="converged" if success else "maximum number of steps reached")


def _not_converged(method: str, maxiter: int) -> str:
    return (f"solve_dirichlet: the {method} did not converge in {maxiter} steps. Raise "
            "maxiter, loosen rtol, give a larger eps, or use a p closer to 2.")


def _known_range(values: np.ndarray, known: np.ndarray) -> float:
    """The spread of the known values, the scale of the tolerances and of eps (1 if flat)."""
    spread = float(np.ptp(values[known])) if known.any() else 0.0
    return spread if spread > 0 else 1.0
