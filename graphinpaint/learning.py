"""Semi-supervised classification on any graph with the Dirichlet solvers.

A few nodes carry labels; every other node gets the class whose score is largest, the scores
being the solution of one problem on the graph with one column per class (the one-hot labels):

- :func:`laplace_learning`: the p = 2 Dirichlet problem with the one-hot labels as boundary
  values, the harmonic extension (Zhu, Ghahramani and Lafferty 2003); graphlearning's
  ``ssl.laplace``.
- :func:`p_laplace_learning`: the same with a p-Laplacian, by default the game-theoretic one at
  p = 10, graphlearning's ``ssl.plaplace`` (Flores, Calder and Lerman 2022); or any ``form`` of
  :func:`~graphinpaint.solve_dirichlet`.
- :func:`poisson_learning`: ``L u = sum_j (y_j - mean y) delta_j`` with ``sum_i d_i u_i = 0``:
  the labels are sources, not boundary values, which keeps the scores from flattening at very
  low label rates (Calder, Cook, Thorpe and Slepcev 2020); graphlearning's ``ssl.poisson``.

Every function takes symmetric weights ``W`` (n, n), ``known`` (n,) bool (**True = labelled
node**, as in :func:`~graphinpaint.solve_dirichlet`) and ``labels`` (n,), read on the labelled
nodes only (any values: ints, strings). To come from graphlearning's ``train_ind``:
``known = np.zeros(n, bool); known[train_ind] = True``. A kNN graph of any point set is
``weights.symmetrize(weights.gaussian(graph.knn_graph(points, k=10)))``.
Knows nothing of images.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from . import _edges, operators
from ._validation import InpaintError, check_choice, check_float, check_known
from ._edges import dirichlet_blocks_of
from .solvers import game, solve_dirichlet
from .solvers.linear import METHODS, _solver_of_symmetric

__all__ = ["laplace_learning", "p_laplace_learning", "poisson_learning"]

# Default tolerance: scores only need to rank the classes (digits, 1-10 labels a class: the
# same labels as 1e-6 at every rate; 1e-2 changes a few; measured).
_RTOL = 1e-4
# Poisson learning's scores carry no boundary values to pin them; graphlearning's conjugate
# gradient stops at 1e-3 too (digits, 10 draws at 1-10 labels a class: accuracy within 0.03%
# of 1e-4's, 1-4 of 17,970 labels differ, 12% fewer iterations; measured).
_POISSON_RTOL = 1e-3


def laplace_learning(weights: sp.spmatrix, known: np.ndarray, labels: np.ndarray, *,
                     method: str = "auto", rtol: float = _RTOL,
                     return_scores: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Laplace learning: the class of the largest harmonic extension of the one-hot labels.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
        Symmetric, non-negative weights.
    known : ndarray of bool, shape (n,)
        **True = labelled node.** Every connected part of the graph needs one.
    labels : array_like, shape (n,)
        The labels, read on the labelled nodes only.
    method : {"auto", "direct", "cg", "amg"}, default "auto"
        Linear solver (:func:`graphinpaint.solvers.make_solver`).
    rtol : float, default 1e-4
        Relative residual of the linear solve (per class). The class is the largest score, so
        a few digits suffice: on scikit-learn's digits 1e-4 gives the labels of 1e-6 at every
        label rate with 30% fewer CG iterations.
    return_scores : bool, default False
        Also return the scores, (n, classes), columns in the order of ``np.unique`` of the
        labels.

    Returns
    -------
    ndarray, shape (n,), or (predicted, scores)
        The predicted label of every node (labelled nodes keep theirs).

    Examples
    --------
    A path of six nodes with the two ends labelled splits in the middle:

    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.diags(np.ones(5), 1, shape=(6, 6)); W = W + W.T
    >>> known = np.array([True, False, False, False, False, True])
    >>> laplace_learning(W, known, np.array(["a", "", "", "", "", "b"]))
    array(['a', 'a', 'a', 'b', 'b', 'b'], dtype='<U1')
    """
    func = "laplace_learning"
    check_choice(method, "method", func, METHODS)
    rtol = check_float(rtol, "rtol", func, low=0.0, high=1.0)
    weights = operators._checked_weights(weights, func)
    known, classes, onehot = _one_hot(known, labels, weights.shape[0], func)
    _check_every_part_labelled(weights, known, func)
    unknown = ~known
    scores = onehot.copy()
    if unknown.any():                   # every node labelled: nothing to solve
        l_aa, w_ab = dirichlet_blocks_of(weights, known)
        scores[unknown] = _solve_classes(l_aa, w_ab @ onehot[known], method=method, rtol=rtol)
    return _decide(classes, scores, known, labels, return_scores)


def p_laplace_learning(weights: sp.spmatrix, known: np.ndarray, labels: np.ndarray, *,
                       p: float = 10.0, form: str = "game", midrange: str = "weighted",
                       rtol: float = _RTOL, return_scores: bool = False
                       ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """p-Laplace learning: the class of the largest p-harmonic extension of the one-hot labels.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
        Symmetric, non-negative weights.
    known : ndarray of bool, shape (n,)
        **True = labelled node.**
    labels : array_like, shape (n,)
        The labels, read on the labelled nodes only.
    p : float, default 10.0
        In [2, inf] for the game form, [1, inf] for the others.
    form : {"game", "anisotropic", "isotropic"}, default "game"
        Which p-Laplacian (:func:`graphinpaint.solve_dirichlet`). ``"game"``, the
        game-theoretic one, is graphlearning's ``ssl.plaplace``; like it, each class is
        solved and stopped on its own (:mod:`graphinpaint.solvers.game`).
    midrange : {"weighted", "unweighted"}, default "weighted"
        Game form: ``"unweighted"`` is graphlearning's ``plaplace(fast=True)`` exactly (see
        :func:`graphinpaint.solve_dirichlet`).
    rtol : float, default 1e-4
        Tolerance of the solver (see :func:`graphinpaint.solve_dirichlet`); loose, as the
        class is the largest score (see :func:`laplace_learning`).
    return_scores : bool, default False
        Also return the scores, (n, classes).

    Returns
    -------
    ndarray, shape (n,), or (predicted, scores)

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.diags(np.ones(5), 1, shape=(6, 6)); W = W + W.T
    >>> known = np.array([True, False, False, False, False, True])
    >>> p_laplace_learning(W, known, np.array([0, 0, 0, 0, 0, 1]), p=4)
    array([0, 0, 0, 1, 1, 1])
    """
    func = "p_laplace_learning"
    check_choice(form, "form", func, ("game", "anisotropic", "isotropic"))
    check_choice(midrange, "midrange", func, ("weighted", "unweighted"))
    p = check_float(p, "p", func, low=2.0 if form == "game" else 1.0, high=np.inf)
    rtol = check_float(rtol, "rtol", func, low=0.0, high=1.0)
    weights = operators._checked_weights(weights, func)
    known, classes, onehot = _one_hot(known, labels, weights.shape[0], func)
    if form == "game" and p > 2:
        # The game iteration itself, on the weights checked above: solve_dirichlet would
        # check them again and build the Dirichlet blocks the sweeps never use (a third of
        # the time on scikit-learn's digits, measured).
        _check_every_part_labelled(weights, known, func)
        scores = game.iterate(_edges.edge_list(weights), known, onehot, None, p=p, rtol=rtol,
                              maxiter=None, callback=None,
                              weighted_midrange=midrange == "weighted").x
    else:
        scores = solve_dirichlet(weights, known, onehot, p=p, form=form, rtol=rtol,
                                 midrange=midrange)
    return _decide(classes, scores, known, labels, return_scores)


def poisson_learning(weights: sp.spmatrix, known: np.ndarray, labels: np.ndarray, *,
                     method: str = "auto", rtol: float = _POISSON_RTOL,
                     return_scores: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Poisson learning: the labels as sources of a Poisson equation on the graph.

    Solves ``L u = b`` with ``L = D - W`` and ``b = sum_j (y_j - mean y) delta_j`` (one row per
    labelled node ``j``, ``y_j`` its one-hot label and ``mean y`` the mean of them), under the
    constraint ``sum_i d_i u_i = 0`` that makes the solution unique (Calder, Cook, Thorpe and
    Slepcev 2020, eq. 2.7; graphlearning's ``ssl.poisson`` with its conjugate-gradient
    solver gives the same). ``b`` sums to 0, so fixing ``u`` at one node leaves a positive
    definite system whose solution, shifted to zero weighted mean, solves the equation
    everywhere. Labelled nodes are classified like the others, by the largest score.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
        Symmetric, non-negative weights of a connected graph.
    known : ndarray of bool, shape (n,)
        **True = labelled node.**
    labels : array_like, shape (n,)
        The labels, read on the labelled nodes only.
    method : {"auto", "direct", "cg", "amg"}, default "auto"
        Linear solver (:func:`graphinpaint.solvers.make_solver`).
    rtol : float, default 1e-3
        Relative residual of the linear solve, per class; graphlearning's ``ssl.poisson``
        stops its conjugate gradient at 1e-3 too (on the absolute residual).
    return_scores : bool, default False
        Also return the scores ``u``, (n, classes).

    Returns
    -------
    ndarray, shape (n,), or (predicted, scores)

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.diags(np.ones(5), 1, shape=(6, 6)); W = W + W.T
    >>> known = np.array([True, False, False, False, False, True])
    >>> poisson_learning(W, known, np.array([0, 0, 0, 0, 0, 1]))
    array([0, 0, 0, 1, 1, 1])
    """
    func = "poisson_learning"
    check_choice(method, "method", func, METHODS)
    rtol = check_float(rtol, "rtol", func, low=0.0, high=1.0)
    weights = operators._checked_weights(weights, func)
    n = weights.shape[0]
    known, classes, onehot = _one_hot(known, labels, n, func)
    sources = np.zeros((n, classes.size))
    sources[known] = onehot[known] - onehot[known].mean(axis=0)
    degrees = _edges.row_sums(weights)
    _check_connected(weights, func)
    scores = _poisson_scores(operators._laplacian_of(weights), sources, degrees, method=method,
                             rtol=rtol)
    predicted = classes[np.argmax(scores, axis=1)]
    return (predicted, scores) if return_scores else predicted


def _solve_classes(matrix: sp.csr_matrix, rhs: np.ndarray, *, method: str,
                   rtol: float) -> np.ndarray:
    """Every class column of ``matrix @ x = rhs`` in one call of one prepared solver: one
    factorisation or hierarchy serves them all, and a block solver sweeps them together."""
    return _solver_of_symmetric(matrix, method, rtol=rtol).solve(rhs).x


def _poisson_scores(laplacian: sp.csr_matrix, sources: np.ndarray, degrees: np.ndarray, *,
                    method: str, rtol: float) -> np.ndarray:
    """``L u = sources`` with ``sum_i d_i u_i = 0``, every class in one solve.

    Fixing ``u`` at the best-connected node leaves a positive definite block, which LU and AMG
    solve. Jacobi-CG instead runs on the singular system itself (graphlearning's way): the
    sources sum to zero, so it is consistent, and CG from zero converges at the rate of the
    graph's spectral gap, where the grounded block's smallest eigenvalue is of order 1/n (50k-node
    kNN graph: 3.6 s against 5.3 s, measured). Either way the weighted mean is removed after.
    """
    free = np.ones(laplacian.shape[0], dtype=bool)
    free[int(np.argmax(degrees))] = False
    scores = np.zeros_like(sources)
    grounded = None if method == "cg" else _solver_of_symmetric(laplacian[free][:, free],
                                                                method, rtol=rtol)
    if grounded is None or grounded.method == "cg":
        scores = _solver_of_symmetric(laplacian, "cg", rtol=rtol).solve(sources).x
    else:
        scores[free] = grounded.solve(sources[free]).x
    return scores - degrees @ scores / degrees.sum()


def _one_hot(known: np.ndarray, labels: np.ndarray, n: int, func: str
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``known`` checked against the graph's ``n`` nodes, the classes (sorted) and the
    (n, classes) one-hot labels, zero on unlabelled nodes."""
    known = check_known(known, n, func, role="labelled node")
    labels = np.asarray(labels)
    if labels.shape != known.shape:
        raise InpaintError(
            f"The 'labels' parameter of {func} must have the shape of known, {known.shape}. Got "
            f"{labels.shape}."
        )
    if not known.any():
        raise InpaintError(f"The 'known' parameter of {func} marks no labelled node.")
    classes, index = np.unique(labels[known], return_inverse=True)
    onehot = np.zeros((known.size, classes.size))
    onehot[np.flatnonzero(known), index] = 1.0
    return known, classes, onehot


def _decide(classes: np.ndarray, scores: np.ndarray, known: np.ndarray, labels: np.ndarray,
            return_scores: bool) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """The class of the largest score, labelled nodes keeping their own label."""
    predicted = classes[np.argmax(scores, axis=1)]
    predicted[known] = np.asarray(labels)[known]
    return (predicted, scores) if return_scores else predicted


def _check_every_part_labelled(weights: sp.csr_matrix, known: np.ndarray, func: str) -> None:
    """Raise if a connected part of the graph holds no labelled node (its scores would be
    undetermined: the Dirichlet block is singular there)."""
    count, parts = _parts(weights)
    unlabelled = np.setdiff1d(np.arange(count), parts[known])
    if unlabelled.size:
        nodes = np.isin(parts, unlabelled)
        raise InpaintError(
            f"The graph given to {func} has {unlabelled.size} connected part(s) with no "
            f"labelled node ({int(nodes.sum())} nodes in all, e.g. node "
            f"{int(np.flatnonzero(nodes)[0])}): their scores are undetermined. Label a node in "
            "each part, or add edges, e.g. more neighbours."
        )


def _check_connected(weights: sp.csr_matrix, func: str) -> None:
    count, _ = _parts(weights)
    if count > 1:
        raise InpaintError(
            f"The graph given to {func} has {count} connected parts: Poisson learning needs a "
            "connected graph (its equation has no solution otherwise). Add edges, e.g. more "
            "neighbours, or classify each part on its own."
        )


def _parts(weights: sp.csr_matrix) -> tuple[int, np.ndarray]:
    """The connected parts of the graph and each node's part, joined by positive weights only
    (scipy counts a stored zero as an edge; it joins nothing in any of the equations)."""
    linked = weights.copy()
    linked.eliminate_zeros()
    return connected_components(linked, directed=False)
