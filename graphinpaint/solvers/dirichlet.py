"""The Dirichlet problem of the graph p-Laplacian on any graph: :func:`solve_dirichlet`.

Given weights ``W`` (n, n), a partition into known nodes B (``known`` True) and unknown nodes A,
and boundary values ``g`` on B, find ``f`` with ``f = g`` on B and ``Delta_{w,p} f = 0`` on A
(:mod:`graphinpaint.operators` has the operators). Equivalently, ``f`` minimises the p-Dirichlet
energy over the values on A.

==========  ====================================================================================
p           method
==========  ====================================================================================
2           one linear solve ``L_AA u_A = W_AB g_B`` (:func:`~graphinpaint.solvers.make_solver`)
[1, 2)      iteratively reweighted least squares (IRLS): each step a p=2 solve with edge weights
            ``w (|f(v)-f(u)|**2 + eps**2)**((p-2)/2)``; the smoothed energy decreases at every step
(2, inf)    Newton's method on the smoothed energy, with backtracking line search and a homotopy
            in p from 2 upward (anisotropic); IRLS directions with line search (isotropic)
inf         iterated weighted midrange (each unknown set to the value that balances its largest
            weighted differences up and down), a monotone scheme for the infinity-Laplacian
==========  ====================================================================================

All nonlinear methods start from the p=2 solution.
"""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
import scipy.sparse as sp
from scipy.optimize import OptimizeResult
from numba import njit
from scipy.sparse.csgraph import connected_components

from .. import operators
from .._validation import (ConvergenceWarning, InpaintError, check_choice, check_float,
                           check_int, float_dtype)
from .linear import make_solver

__all__ = ["DirichletResult", "solve_dirichlet"]

_SMOOTHING = 1e-3          # eps of the smoothed |x| of IRLS and Newton, in units of the data
_NONLINEAR_MAXITER = 100


class DirichletResult(OptimizeResult):
    """Result of :func:`solve_dirichlet` with ``return_result=True``.

    Attributes
    ----------
    x : ndarray, shape (n,) or (n, c)
        The solution on all nodes (known nodes keep their values).
    success : bool
    nit : int
        Outer iterations (nonlinear steps; 1 for p=2).
    linear_iterations : int
        Iterations of the inner linear solver, summed.
    residual : float
        p=2: ``max over channels of norm(b - L_AA u) / max|b|`` with ``b = W_AB g_B``.
        Other p: the largest ``|Delta_{w,p} f|`` over the unknown nodes (smoothed by ``eps``).
    energy : float
        p-Dirichlet energy of the solution (``nan`` for p=2 unless computed).
    energies : list of float
        Energy after each nonlinear step.
    method : str
    message : str
    """


def solve_dirichlet(weights: sp.spmatrix, known: np.ndarray, values: np.ndarray,
                    p: float = 2.0, *, form: str = "anisotropic", method: str = "auto",
                    x0: np.ndarray | None = None, rtol: float = 1e-6, atol: float = 0.0,
                    maxiter: int | None = None, eps: float | None = None,
                    callback: Callable[[np.ndarray], None] | None = None,
                    return_result: bool = False) -> np.ndarray | DirichletResult:
    """Solve the Dirichlet problem of the graph p-Laplacian on any weighted graph.

    Find ``f`` equal to ``values`` on the known nodes with ``Delta_{w,p} f = 0`` on the others.
    For p=2 this is the sparse symmetric positive definite system ``L_AA u_A = W_AB g_B``
    (``L = D - W`` split into unknown A and known B); its solution is the weighted mean of the
    neighbours at every unknown node, and obeys the discrete maximum principle.

    Parameters
    ----------
    weights : scipy.sparse matrix, shape (n, n)
        Symmetric, non-negative edge weights.
    known : ndarray of bool, shape (n,)
        **True = known node** (boundary value given). This is the opposite of the image masks
        of :func:`graphinpaint.inpaint`, where True marks the hole, and the same as PyGSP's and
        graphlearning's label masks.
    values : ndarray, shape (n,) or (n, c)
        Boundary values on the known nodes; entries on unknown nodes are ignored.
    p : float in [1, inf], default 2.0
    form : {"anisotropic", "isotropic"}, default "anisotropic"
        Which p-Laplacian (see :mod:`graphinpaint.operators`); they agree at p=2.
    method : {"auto", "direct", "cg", "amg"}, default "auto"
        Linear solver of each step (see :func:`graphinpaint.solvers.make_solver`).
    x0 : ndarray, shape like ``values``, optional
        Warm start for the unknown nodes (iterative linear solvers).
    rtol, atol : float
        Linear stopping rule ``norm(b - A x) <= max(rtol * norm(b), atol)``; nonlinear methods
        stop when a step changes the solution by less than ``rtol`` times its range.
    maxiter : int, optional
        Iteration cap: of the linear solver for p=2, of the nonlinear loop otherwise (default 100).
    eps : float, optional
        Smoothing of ``|x|`` as ``sqrt(x**2 + eps**2)`` in the energies of IRLS and Newton
        (1 <= p < inf, p != 2). Default: 1e-3 times the range of the known values. Larger
        converges faster, especially near p = 1, and rounds corners more.
    callback : callable, optional
        ``callback(xk)`` after each linear iteration (p=2) or nonlinear step (other p).
    return_result : bool, default False
        Return a :class:`DirichletResult` instead of the array.

    Returns
    -------
    ndarray or DirichletResult
        The solution on all nodes, shape of ``values``, float32 if ``values`` is float32, else
        float64.

    Raises
    ------
    InpaintError
        For bad arguments, and when a connected group of unknown nodes has no edge to any
        known node (its values would be undetermined).

    Warns
    -----
    ConvergenceWarning
        When an iterative method stops before its tolerance.

    Examples
    --------
    A path 0 - 1 - 2 - 3 with the ends known: the inside is interpolated linearly.

    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.diags([1.0, 1.0, 1.0], 1, shape=(4, 4)); W = W + W.T
    >>> solve_dirichlet(W, np.array([True, False, False, True]), np.array([0.0, 0, 0, 3.0]))
    array([0., 1., 2., 3.])
    """
    func = "solve_dirichlet"
    p = check_float(p, "p", func, low=1.0, high=np.inf)
    check_choice(form, "form", func, ("anisotropic", "isotropic"))
    check_choice(method, "method", func, ("auto", "direct", "cg", "amg"))
    rtol = check_float(rtol, "rtol", func, low=0.0)
    if maxiter is not None:
        maxiter = check_int(maxiter, "maxiter", func, low=1)
    if eps is not None:
        eps = check_float(eps, "eps", func, low=0.0, low_open=True)
    weights = _checked_weights(weights, func)
    known = _checked_known(known, weights.shape[0], func)
    values_in = np.asarray(values)
    signal = _checked_values(values_in, known, weights.shape[0], func)
    start = signal if x0 is None else _checked_values(np.asarray(x0), np.ones_like(known),
                                                       weights.shape[0], func, name="x0")
    dtype = float_dtype(values_in.dtype)

    if known.all():
        result = DirichletResult(x=signal, success=True, nit=0, linear_iterations=0,
                                 residual=0.0, energy=np.nan, energies=[], method="none",
                                 message="no unknown node")
    else:
        _check_every_component_touches_known(weights, known, func)
        solve = dict(method=method, rtol=rtol, atol=atol)
        result = _solve_p2(weights, known, signal, start, maxiter=maxiter, callback=callback,
                           **solve)
        solve["eps"] = eps
        if p != 2:
            nonlinear = _solve_infinity if np.isinf(p) else (
                _solve_newton if p > 2 and form == "anisotropic" else _solve_reweighted)
            result = nonlinear(weights, known, result.x, p=p, form=form, solve=solve,
                               maxiter=maxiter, callback=callback,
                               p2_iterations=result.linear_iterations)
    result.x = result.x.reshape(values_in.shape).astype(dtype, copy=False)
    return result if return_result else result.x


# --- p = 2 ----------------------------------------------------------------------------------------

def _solve_p2(weights: sp.csr_matrix, known: np.ndarray, signal: np.ndarray, start: np.ndarray,
              *, method: str, rtol: float, atol: float, maxiter: int | None,
              callback: Callable | None) -> DirichletResult:
    l_aa, w_ab = operators.dirichlet_blocks(weights, known)
    solver = make_solver(l_aa, method=method, rtol=rtol, atol=atol, maxiter=maxiter,
                         callback=callback)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        linear = solver.solve(w_ab @ signal[known], x0=start[~known])
    solution = signal.copy()
    solution[~known] = linear.x
    if caught:
        warnings.warn(
            f"solve_dirichlet (p=2): {caught[-1].message}", ConvergenceWarning, stacklevel=4)
    return DirichletResult(
        x=solution, success=linear.success, nit=1, linear_iterations=int(linear.nit.sum()),
        residual=float(linear.residual.max() / max(np.abs(w_ab @ signal[known]).max(), 1e-300)),
        energy=np.nan, energies=[], method=f"p=2 ({linear.method})", message=linear.message)


# --- 1 <= p < 2, and isotropic p > 2: reweighted least squares ---------------------------------------

def _solve_reweighted(weights: sp.csr_matrix, known: np.ndarray, start: np.ndarray, *, p: float,
                      form: str, solve: dict, maxiter: int, callback: Callable | None,
                      p2_iterations: int) -> DirichletResult:
    """IRLS: minimise the quadratic model of the smoothed energy at the current iterate.

    For p <= 2 the model majorises the energy, so every step lowers it (no line search
    needed; we still check). For p > 2 the model's minimiser is a descent direction, searched
    by backtracking.
    """
    maxiter = maxiter or _NONLINEAR_MAXITER
    eps = solve.pop("eps", None) or _SMOOTHING * _value_range(start, known)
    energy = _energy(weights, start, p, form, eps)
    current, energies, linear_iterations = start, [energy], p2_iterations
    tolerance = solve["rtol"] * _value_range(start, known)
    for step in range(1, maxiter + 1):
        reweighted = _reweighted_graph(weights, current, p, form, eps)
        proposal = _linear_dirichlet(reweighted, known, current, solve)
        linear_iterations += proposal.linear_iterations
        previous = current
        current, energy = _line_search(weights, current, proposal.x, p, form, eps, energy)
        energies.append(energy)
        if callback is not None:
            callback(current)
        # Near p = 1 the minimisers can form a flat valley along which the iterate drifts
        # without lowering the energy: a stalled energy is convergence too.
        stalled = energies[-2] - energy <= 1e-2 * solve["rtol"] * abs(energy)
        if np.abs(current - previous).max() <= tolerance or stalled:
            return _nonlinear_result(weights, known, current, p, form, eps, step, energies,
                                     linear_iterations, "IRLS", True)
    _warn_nonlinear("IRLS", maxiter)
    return _nonlinear_result(weights, known, current, p, form, eps, maxiter, energies,
                             linear_iterations, "IRLS", False)


def _reweighted_graph(weights: sp.csr_matrix, signal: np.ndarray, p: float, form: str,
                      eps: float) -> list[sp.csr_matrix]:
    """Edge weights of the quadratic model: one graph per channel (anisotropic) or one shared."""
    coo = weights.tocoo()
    diff = signal[coo.col] - signal[coo.row]
    if form == "isotropic":
        factor = np.sqrt(operators.gradient_norm(weights, signal) ** 2 + eps ** 2) ** (p - 2)
        data = coo.data * (factor[coo.row] + factor[coo.col]) / 2.0
        return [sp.csr_matrix((data, (coo.row, coo.col)), shape=weights.shape)]
    graphs = []
    for channel in range(signal.shape[1]):
        data = coo.data * (diff[:, channel] ** 2 + eps ** 2) ** ((p - 2) / 2.0)
        graphs.append(sp.csr_matrix((data, (coo.row, coo.col)), shape=weights.shape))
    return graphs


def _linear_dirichlet(graphs: list[sp.csr_matrix], known: np.ndarray, current: np.ndarray,
                      solve: dict) -> DirichletResult:
    """p=2 solves with the given graphs: one for all channels, or one graph per channel."""
    if len(graphs) == 1:
        return _solve_p2(graphs[0], known, current, current, maxiter=None, callback=None,
                         **solve)
    solution = current.copy()
    iterations = 0
    for channel, graph in enumerate(graphs):
        part = _solve_p2(graph, known, current[:, [channel]], current[:, [channel]],
                         maxiter=None, callback=None, **solve)
        solution[:, channel] = part.x[:, 0]
        iterations += part.linear_iterations
    return DirichletResult(x=solution, linear_iterations=iterations)


# --- p > 2, anisotropic: Newton with homotopy ---------------------------------------------------

def _solve_newton(weights: sp.csr_matrix, known: np.ndarray, start: np.ndarray, *, p: float,
                  form: str, solve: dict, maxiter: int, callback: Callable | None,
                  p2_iterations: int) -> DirichletResult:
    """Newton's method on the smoothed anisotropic energy, channel by channel.

    The Hessian is the graph Laplacian with edge weights ``w phi''(f(v) - f(u))``; the step is
    damped by backtracking on the energy. p rises from 2 in steps (homotopy), each stage
    warm-started from the last, because Newton from the p=2 solution stalls for large p.
    """
    maxiter = maxiter or _NONLINEAR_MAXITER
    eps = solve.pop("eps", None) or _SMOOTHING * _value_range(start, known)
    current, energies, linear_iterations, steps = start, [], p2_iterations, 0
    tolerance = solve["rtol"] * _value_range(start, known)
    for stage_p in _homotopy(p):
        energy = _energy(weights, current, stage_p, form, eps)
        for _ in range(maxiter):
            steps += 1
            direction, iterations = _newton_direction(weights, known, current, stage_p, eps,
                                                      solve)
            linear_iterations += iterations
            current, energy = _line_search(weights, current, current + direction, stage_p,
                                           form, eps, energy)
            if callback is not None:
                callback(current)
            if np.abs(direction).max() <= tolerance:
                break
        else:
            if stage_p == p:
                _warn_nonlinear("Newton", maxiter)
                return _nonlinear_result(weights, known, current, p, form, eps, steps,
                                         energies, linear_iterations, "Newton", False)
        energies.append(energy)
    return _nonlinear_result(weights, known, current, p, form, eps, steps, energies,
                             linear_iterations, "Newton (homotopy in p)", True)


def _homotopy(p: float) -> list[float]:
    """Exponents from near 2 up to p, each at most 1.5 times the previous (minus 1)."""
    stages = [p]
    while stages[-1] > 3.0:
        stages.append(1.0 + (stages[-1] - 1.0) / 1.5)
    return stages[::-1]


def _newton_direction(weights: sp.csr_matrix, known: np.ndarray, current: np.ndarray, p: float,
                      eps: float, solve: dict) -> tuple[np.ndarray, int]:
    coo = weights.tocoo()
    direction = np.zeros_like(current)
    iterations = 0
    for channel in range(current.shape[1]):
        diff = current[coo.col, channel] - current[coo.row, channel]
        smooth_sq = diff ** 2 + eps ** 2
        first = diff * smooth_sq ** (p / 2 - 1)                          # phi'(d)
        second = smooth_sq ** (p / 2 - 2) * ((p - 1) * diff ** 2 + eps ** 2)  # phi''(d)
        gradient = -np.bincount(coo.row, coo.data * first, minlength=weights.shape[0])
        hessian_graph = sp.csr_matrix((coo.data * second, (coo.row, coo.col)),
                                      shape=weights.shape)
        l_aa, _ = operators.dirichlet_blocks(hessian_graph, known)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            step = make_solver(l_aa, **solve).solve(-gradient[~known])
        direction[~known, channel] = step.x
        iterations += int(step.nit.sum())
    return direction, iterations


# --- p = inf: iterated weighted midrange --------------------------------------------------------------

def _solve_infinity(weights: sp.csr_matrix, known: np.ndarray, start: np.ndarray, *, p: float,
                    form: str, solve: dict, maxiter: int, callback: Callable | None,
                    p2_iterations: int) -> DirichletResult:
    """Set every unknown to the weighted midrange of its neighbours until nothing moves.

    The weighted midrange of values ``f_v`` with weights ``s_v = sqrt(w(u, v))`` is the ``x``
    that minimises ``max_v s_v |f_v - x|``: there the largest weighted differences up and down
    balance and the infinity-Laplacian vanishes. Sweeps go node by node in place (Gauss-Seidel),
    which is monotone and converges to the infinity-harmonic extension (Oberman 2005; Calder
    2019, Lipschitz learning), about twice as fast as simultaneous (Jacobi) updates.
    """
    solve.pop("eps", None)
    current = np.ascontiguousarray(start.copy())
    tolerance = solve["rtol"] * _value_range(start, known)
    unknown = np.flatnonzero(~known).astype(np.int64)
    scales = weights.copy()
    scales.data = np.sqrt(scales.data)
    # Like Jacobi for the Laplacian, information crosses the graph one edge per sweep.
    maxiter = maxiter or max(_NONLINEAR_MAXITER, 10 * len(unknown))
    for step in range(1, int(maxiter) + 1):
        change = _midrange_sweep(scales.indptr.astype(np.int64), scales.indices.astype(np.int64),
                                 scales.data, unknown, current, tolerance * 1e-3)
        if callback is not None:
            callback(current)
        if change <= tolerance:
            return _nonlinear_result(weights, known, current, p, form, 0.0, step, [],
                                     p2_iterations, "midrange iteration", True)
    _warn_nonlinear("midrange iteration", int(maxiter))
    return _nonlinear_result(weights, known, current, p, form, 0.0, int(maxiter), [],
                             p2_iterations, "midrange iteration", False)


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


# --- shared ---------------------------------------------------------------------------------------------

def _energy(weights: sp.csr_matrix, signal: np.ndarray, p: float, form: str, eps: float) -> float:
    return operators.p_energy(weights, signal, p, form=form, eps=eps)


def _line_search(weights: sp.csr_matrix, current: np.ndarray, target: np.ndarray, p: float,
                 form: str, eps: float, energy: float) -> tuple[np.ndarray, float]:
    """Backtrack from the full step toward ``target`` until the energy does not rise."""
    step = 1.0
    for _ in range(30):
        candidate = current + step * (target - current)
        candidate_energy = _energy(weights, candidate, p, form, eps)
        if candidate_energy <= energy:
            return candidate, candidate_energy
        step /= 2.0
    return current, energy


def _nonlinear_result(weights: sp.csr_matrix, known: np.ndarray, solution: np.ndarray,
                      p: float, form: str, eps: float, steps: int, energies: list[float],
                      linear_iterations: int, method: str, success: bool) -> DirichletResult:
    if np.isinf(p):
        residual = np.abs(operators.infinity_laplacian(weights, solution)[~known]).max()
        energy = operators.p_energy(weights, solution, np.inf)
    else:
        residual = np.abs(operators.p_laplacian(weights, solution, p, form=form,
                                                eps=eps)[~known]).max()
        energy = _energy(weights, solution, p, form, eps)
    return DirichletResult(
        x=solution, success=success, nit=steps, linear_iterations=linear_iterations,
        residual=float(residual), energy=energy, energies=energies, method=method,
        message="converged" if success else "maximum number of iterations reached")


def _warn_nonlinear(method: str, maxiter: int) -> None:
    warnings.warn(
        f"solve_dirichlet: the {method} did not converge in {maxiter} steps. Raise maxiter, "
        "loosen rtol, or use a p closer to 2.", ConvergenceWarning, stacklevel=4)


def _value_range(signal: np.ndarray, known: np.ndarray) -> float:
    values = signal[known]
    spread = float(values.max() - values.min()) if values.size else 0.0
    return spread if spread > 0 else 1.0


def _check_every_component_touches_known(weights: sp.csr_matrix, known: np.ndarray,
                                         func: str) -> None:
    unknown = np.flatnonzero(~known)
    inner = weights[unknown][:, unknown]
    count, labels = connected_components(inner, directed=False)
    to_known = np.asarray(weights[unknown][:, known].sum(axis=1)).ravel() > 0
    touching = np.zeros(count, dtype=bool)
    touching[labels[to_known]] = True
    if not touching.all():
        isolated = np.isin(labels, np.flatnonzero(~touching))
        raise InpaintError(
            f"{(~touching).sum()} group(s) of unknown nodes ({isolated.sum()} nodes in all, "
            f"e.g. node {unknown[isolated][0]}) have no edge to any known node in {func}, so "
            "their values are undetermined. Add edges to known nodes (a grid graph with a small "
            "weight, say) or mark a node of each group as known."
        )


def _checked_weights(weights: sp.spmatrix, func: str) -> sp.csr_matrix:
    if not sp.issparse(weights) or weights.ndim != 2 or weights.shape[0] != weights.shape[1]:
        raise InpaintError(
            f"The 'weights' parameter of {func} must be a square scipy.sparse matrix. Got "
            f"{type(weights).__name__} of shape {getattr(weights, 'shape', None)}."
        )
    weights = sp.csr_matrix(weights, dtype=np.float64)
    if weights.nnz and (not np.all(np.isfinite(weights.data)) or weights.data.min() < 0):
        raise InpaintError(f"The 'weights' parameter of {func} must be finite and non-negative.")
    asymmetry = abs(weights - weights.T)
    if asymmetry.nnz and asymmetry.max() > 1e-10 * max(weights.max(), 1e-300):
        raise InpaintError(
            f"The 'weights' parameter of {func} must be symmetric. Symmetrise it first, e.g. "
            "with graphinpaint.weights.symmetrize."
        )
    return weights


def _checked_known(known: np.ndarray, n: int, func: str) -> np.ndarray:
    known = np.asarray(known)
    if known.shape != (n,) or known.dtype.kind not in "biu":
        raise InpaintError(
            f"The 'known' parameter of {func} must be a boolean array of shape ({n},). Got "
            f"dtype {known.dtype} and shape {known.shape}."
        )
    known = known.astype(bool)
    if not known.any():
        raise InpaintError(
            f"The 'known' parameter of {func} marks no node as known: there is no boundary "
            "value to extend. Mark at least one node True (True = known)."
        )
    return known


def _checked_values(values: np.ndarray, known: np.ndarray, n: int, func: str,
                    name: str = "values") -> np.ndarray:
    if values.ndim not in (1, 2) or values.shape[0] != n or values.dtype.kind not in "biuf":
        raise InpaintError(
            f"The {name!r} parameter of {func} must be a numeric array of shape ({n},) or "
            f"({n}, c). Got dtype {values.dtype} and shape {values.shape}."
        )
    columns = values.reshape(n, -1).astype(np.float64)
    if not np.all(np.isfinite(columns[known])):
        raise InpaintError(f"The {name!r} parameter of {func} holds NaN or inf on known nodes.")
    columns = columns.copy()
    columns[~known] = np.where(np.isfinite(columns[~known]), columns[~known], 0.0)
    return columns
