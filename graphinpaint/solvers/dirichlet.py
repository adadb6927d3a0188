"""The Dirichlet problem of the graph p-Laplacian on any graph: :func:`solve_dirichlet`.

Given weights ``W`` (n, n), a partition into known nodes B (``known`` True) and unknown nodes A,
and boundary values ``g`` on B, find ``f`` with ``f = g`` on B and ``Delta_{w,p} f = 0`` on A
(:mod:`graphinpaint.operators` has the operators). Equivalently, ``f`` minimises the p-Dirichlet
energy over the values on A.

==========  ====================================================================================
p           method (:mod:`graphinpaint.solvers.nonlinear` for p != 2)
==========  ====================================================================================
2           one linear solve ``L_AA u_A = W_AB g_B`` (:func:`~graphinpaint.solvers.make_solver`)
[1, 2)      iteratively reweighted least squares (IRLS): each step a p=2 solve with edge weights
            ``w (|f(v)-f(u)|**2 + eps**2)**((p-2)/2)``; the smoothed energy decreases at every step
(2, inf)    Newton's method on the smoothed energy, with backtracking line search and a homotopy
            in p from 2 upward (anisotropic); IRLS directions with line search (isotropic)
inf         Gauss-Seidel sweeps of weighted midranges (each unknown set to the value that balances
            its largest weighted differences up and down), a monotone scheme
==========  ====================================================================================

All nonlinear methods start from the p=2 solution.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .. import operators
from .._edges import row_sums
from .._validation import (InpaintError, check_choice, check_float, check_int, check_known,
                           float_dtype)
from . import game, nonlinear
from ._problem import DirichletProblem, DirichletResult
from .linear import METHODS, _solver_of_symmetric

__all__ = ["DirichletResult", "solve_dirichlet"]

_FUNC = "solve_dirichlet"


def solve_dirichlet(weights: sp.spmatrix, known: np.ndarray, values: np.ndarray,
                    p: float = 2.0, *, form: str = "anisotropic", method: str = "auto",
                    x0: np.ndarray | None = None, rtol: float = 1e-6, atol: float = 0.0,
                    maxiter: int | None = None, eps: float | None = None,
                    callback: Callable[[np.ndarray], None] | None = None,
                    return_result: bool = False,
                    midrange: str = "weighted",
                    _connected: bool = False,
                    _trusted: bool = False,
                    _newton_steps: int | None = None) -> np.ndarray | DirichletResult:
    """Solve the Dirichlet problem of the graph p-Laplacian on any weighted graph.

    Find ``f`` equal to ``values`` on the known nodes B with ``Delta_{w,p} f = 0`` on the
    unknown nodes A. For p = 2 this is the sparse symmetric positive definite system
    ``L_AA u_A = W_AB g_B`` (``L = D - W`` split into A and B,
    :func:`graphinpaint.operators.dirichlet_blocks`); its solution is the weighted mean of the
    neighbours at every unknown node, and obeys the discrete maximum principle (so do the
    solutions for every other p). Other p minimise the p-Dirichlet energy: see the table of
    methods in :mod:`graphinpaint.solvers.dirichlet` and ``docs/theory.md``.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
        Symmetric, non-negative edge weights.
    known : ndarray of bool, shape (n,)
        **True = known node** (boundary value given). This is the opposite of the image masks
        of :func:`graphinpaint.inpaint`, where True marks the hole, and the same as PyGSP's and
        graphlearning's label masks.
    values : ndarray, shape (n,) or (n, c)
        Boundary values on the known nodes; entries on unknown nodes are ignored (they may be
        NaN). Pass them as ``x0`` too to warm-start from them.
    p : float in [1, inf], default 2.0
    form : {"anisotropic", "isotropic", "game"}, default "anisotropic"
        Which p-Laplacian (see :mod:`graphinpaint.operators`); they agree at p = 2. ``"game"``
        is the game-theoretic p-Laplacian (:func:`graphinpaint.operators.game_p_laplacian`,
        graphlearning's ``plaplace``), for p in [2, inf]: each unknown is the mix
        ``mean / (p-1) + (1 - 1/(p-1)) midrange`` of its neighbours, found by compiled sweeps
        from ``x0`` (default: the mean of the known values) until no value moves by more than
        ``rtol`` times the range of the known values (:mod:`graphinpaint.solvers.game`). It has
        no energy (``result.energy`` is NaN).
    method : {"auto", "direct", "cg", "amg"}, default "auto"
        Linear solver of each step (see :func:`graphinpaint.solvers.make_solver`).
    x0 : ndarray, shape like ``values``, optional
        Warm start on the unknown nodes for the iterative linear solvers (p = 2, and the p = 2
        start of the nonlinear methods). Default: zeros.
    rtol, atol : float
        p = 2: ``norm(b - L_AA u) <= max(rtol * norm(b), atol)`` per channel. p = inf: stop when
        a sweep changes no value by more than ``rtol`` times the range of the known values.
        Other p: stop when a step changes no value by more than
        ``max(rtol * range, eps / 10)``, or lowers the energy by less than ``rtol`` of itself
        (the inner linear solves are inexact: they cut their residual ten- or hundredfold).
    maxiter : int, optional
        Iteration cap: of the linear solver for p = 2, of the nonlinear loop otherwise (default
        100 steps; for p = inf, sweeps, default ``max(100, 10 |A|)``).
    eps : float, optional
        Smoothing of ``|x|`` as ``sqrt(x**2 + eps**2)`` in the energies of IRLS and Newton
        (1 <= p < inf, p != 2). Default: 1e-3 times the range of the known values. Larger
        converges faster, especially near p = 1, and rounds corners more.
    callback : callable, optional
        ``callback(xk)`` after each linear iteration (p = 2, ``xk`` the unknowns of one
        channel) or nonlinear step (other p, ``xk`` the whole (n, c) signal).
    return_result : bool, default False
        Return a :class:`DirichletResult` (solution, iterations, residual, energy, success)
        instead of the array.
    midrange : {"weighted", "unweighted"}, default "weighted"
        Game form only: the midrange of the neighbours weighted as in
        :func:`graphinpaint.operators.infinity_laplacian`, or their plain
        ``(max + min) / 2`` whatever the weights (graphlearning's ``plaplace(fast=True)``).
        The two agree on unit weights.
    _connected : bool, default False
        Private, for the pipeline's own graphs: skips the check that every connected group of
        unknown nodes reaches a known one. Not part of the public API.
    _trusted : bool, default False
        Private, for the pipeline's own graphs: ``weights`` is a canonical float64 CSR matrix,
        symmetric, finite and non-negative by construction, used as it is (no copy, no
        checks). Not part of the public API.
    _newton_steps : int, optional
        Private, for the pipeline's strokes' rounds (p > 2, anisotropic): at most this many
        Newton steps from the p = 2 solution, a truncated solve by design, which succeeds
        without a ConvergenceWarning when they run out. Not part of the public API.

    Returns
    -------
    ndarray or DirichletResult
        The solution on all nodes, shape of ``values``, equal to ``values`` on the known nodes;
        float32 if ``values`` is float32, else float64.

    Raises
    ------
    InpaintError
        For bad arguments (the message names the parameter), when no node is known, and when a
        connected group of unknown nodes has no edge to any known node (its values would be
        undetermined; the message says how many groups and nodes).

    Warns
    -----
    ConvergenceWarning
        When an iterative method stops before its tolerance (``result.success`` is then False).

    Examples
    --------
    A path 0 - 1 - 2 - 3 with the ends known: the inside is interpolated linearly.

    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.diags([1.0, 1.0, 1.0], 1, shape=(4, 4)); W = W + W.T
    >>> known = np.array([True, False, False, True])
    >>> solve_dirichlet(W, known, np.array([0.0, np.nan, np.nan, 3.0]))
    array([0., 1., 2., 3.])

    A star whose centre is unknown takes the mean of its leaves at p = 2, their median at
    p = 1 and their midrange at p = inf:

    >>> W = sp.csr_matrix(np.array([[0, 1, 1, 1], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0.0]]))
    >>> leaves = np.array([np.nan, 0.0, 1.0, 5.0])
    >>> known = np.array([False, True, True, True])
    >>> [round(float(solve_dirichlet(W, known, leaves, p=p)[0]), 3) for p in (1, 2, np.inf)]
    [1.0, 2.0, 2.5]
    """
    p = check_float(p, "p", _FUNC, low=1.0, high=np.inf)
    check_choice(form, "form", _FUNC, ("anisotropic", "isotropic", "game"))
    check_choice(midrange, "midrange", _FUNC, ("weighted", "unweighted"))
    if form == "game" and p < 2:
        raise InpaintError(
            f"The 'p' parameter of {_FUNC} must be a float in [2, inf] with form='game'. Got "
            f"{p:g} instead: the game p-Laplacian is defined for p >= 2."
        )
    check_choice(method, "method", _FUNC, METHODS)
    rtol = check_float(rtol, "rtol", _FUNC, low=0.0, high=1.0)
    atol = check_float(atol, "atol", _FUNC, low=0.0)
    if maxiter is not None:
        maxiter = check_int(maxiter, "maxiter", _FUNC, low=1)
    if eps is not None:
        eps = check_float(eps, "eps", _FUNC, low=0.0, low_open=True)
    if callback is not None and not callable(callback):
        raise InpaintError(
            f"The 'callback' parameter of {_FUNC} must be callable or None. Got "
            f"{type(callback).__name__}."
        )
    if not isinstance(return_result, (bool, np.bool_)):
        raise InpaintError(
            f"The 'return_result' parameter of {_FUNC} must be a bool. Got {return_result!r}."
        )
    # _trusted (private): the pipeline's graphs are symmetric by construction, and the
    # check's copy, transpose and difference took 0.3 s a solve at 4096^2 with scratches.
    if not _trusted:
        weights = operators._checked_weights(weights, _FUNC)
    n = weights.shape[0]
    known = check_known(known, n, _FUNC, need_one=True)
    signal = _checked_values(values, known, n)
    start = None if x0 is None else _checked_start(x0, np.shape(values), n)

    if known.all():
        result = DirichletResult(x=signal, success=True, status=0, nit=0, linear_iterations=0,
                                 residual=0.0, energy=np.nan, energies=[], eps=0.0,
                                 method="none", message="every node is known")
    else:
        problem = DirichletProblem(weights, known, method=method, atol=atol)
        # _connected (private): the caller's graph links every unknown group to a known node
        # by construction (the pipeline's grid edges), and the check's connected components
        # took 0.44 s of the main thread's 18 at 4096^2 with scratches.
        if not _connected:
            _check_every_group_reaches_known(problem)
        if form == "game" and p != 2:
            result = game.solve(problem, signal, start, p=p, rtol=rtol, maxiter=maxiter,
                                callback=callback, weighted_midrange=midrange == "weighted")
        else:
            result = _solve_p2(problem, signal, start, rtol=rtol, maxiter=maxiter,
                               callback=callback, p=p, form=form)
        if p != 2 and form != "game":
            result = nonlinear.solve(problem, result, p=p, form=form, eps=eps, rtol=rtol,
                                     maxiter=maxiter, callback=callback,
                                     newton_steps=_newton_steps)
    result.x = result.x.reshape(np.shape(values)).astype(float_dtype(np.asarray(values).dtype),
                                                         copy=False)
    return result if return_result else result.x


def _solve_p2_blocks(l_aa: sp.csr_matrix, w_ab: sp.csr_matrix, known_values: np.ndarray,
                     start: np.ndarray, *, method: str = "auto", rtol: float = 1e-6,
                     atol: float = 0.0, maxiter: int | None = None) -> np.ndarray:
    """The p = 2 solve ``L_AA u_A = W_AB g_B`` of checked options from blocks the caller made
    (the pipeline's own graphs, whose other rows it never builds: ``_match_graph``): the
    same solver and iterates as :func:`solve_dirichlet`'s; returns ``u_A`` (|A|, c).
    ``start``: the unknowns' warm start."""
    solver = _solver_of_symmetric(l_aa, method, rtol=rtol, atol=atol, maxiter=maxiter)
    return solver.solve(w_ab @ known_values, x0=start).x


def _solve_p2(problem: DirichletProblem, signal: np.ndarray, start: np.ndarray | None, *,
              rtol: float, maxiter: int | None, callback: Callable | None, p: float,
              form: str) -> DirichletResult:
    """The linear problem; for p != 2 its solution is the nonlinear methods' start, solved
    with the nonlinear loop's ``maxiter`` and ``callback`` left to that loop."""
    linear_only = p == 2
    solution, linear = problem.solve_linear(
        signal, x0=start, rtol=rtol, maxiter=maxiter if linear_only else None,
        callback=callback if linear_only else None)
    return DirichletResult(
        x=solution, success=linear.success, status=linear.status, nit=1,
        linear_iterations=int(linear.nit.sum()), residual=linear.relative_residual,
        energy_of=lambda: problem.energy(solution, 2.0, "anisotropic", 0.0), energies=[], eps=0.0,
        method=f"p=2 linear solve ({linear.method})", message=linear.message)


def _check_every_group_reaches_known(problem: DirichletProblem) -> None:
    """Raise if a connected group of unknown nodes has no edge of positive weight to B."""
    l_aa, w_ab = problem.blocks
    to_known = row_sums(w_ab) > 0
    if to_known.all():      # every unknown node has an edge to B (the pipeline's matches)
        return
    inner = sp.csr_matrix(-l_aa)           # off-diagonal: the weights between unknown nodes
    inner.setdiag(0.0)
    inner.eliminate_zeros()                # zero weights join nothing
    count, labels = connected_components(inner, directed=False)
    reaches_known = np.zeros(count, dtype=bool)
    reaches_known[labels[to_known]] = True
    if reaches_known.all():
        return
    stranded = ~reaches_known[labels]
    first = np.flatnonzero(problem.unknown)[stranded][0]
    raise InpaintError(
        f"{int((~reaches_known).sum())} connected group(s) of unknown nodes "
        f"({int(stranded.sum())} nodes in all, e.g. node {first}) have no edge to any known "
        f"node in {_FUNC}, so their values are undetermined. Add edges from each group to "
        "known nodes (for an image, a grid graph with a small weight), or mark a node of each "
        "group as known."
    )


def _checked_values(values: np.ndarray, known: np.ndarray, n: int) -> np.ndarray:
    """``values`` as a new float64 (n, c) array; non-finite entries on A become 0."""
    columns = operators._columns(values, n, _FUNC, name="values")
    if not np.all(np.isfinite(columns[known])):
        raise InpaintError(
            f"The 'values' parameter of {_FUNC} holds NaN or inf on known nodes: give every "
            "known node a finite value."
        )
    columns[~known] = 0.0
    return columns


def _checked_start(x0: np.ndarray, shape: tuple[int, ...], n: int) -> np.ndarray:
    if np.shape(x0) != shape:
        raise InpaintError(
            f"The 'x0' parameter of {_FUNC} must have the shape of values, {shape}. Got "
            f"{np.shape(x0)}."
        )
    start = operators._columns(x0, n, _FUNC, name="x0")
    if not np.all(np.isfinite(start)):
        raise InpaintError(f"The 'x0' parameter of {_FUNC} holds NaN or inf.")
    return start
