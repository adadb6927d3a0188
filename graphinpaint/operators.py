"""Operators on weighted graphs: Laplacians, Dirichlet blocks, p-Laplacians, gradients, energies.

Conventions: ``W`` is an (n, n) matrix of non-negative, symmetric weights (scipy.sparse, or a
dense array that is converted); a signal ``f`` is (n,) or (n, c). For a node ``u`` with
neighbours ``v``:

=====================================  ===========================================================
operator                               formula
=====================================  ===========================================================
:func:`degree`                         ``d(u) = sum_v w(u,v)``
:func:`laplacian`                      ``L = D - W``, ``D = diag(d)``
:func:`dirichlet_blocks`               ``(L_AA, W_AB)``: ``L`` restricted to unknown nodes A, and
                                       ``W`` from A to the known nodes B
:func:`gradient`                       ``(grad_w f)(u, v) = sqrt(w(u,v)) (f(v) - f(u))``
:func:`gradient_norm`                  ``|grad_w f(u)| = sqrt(sum_v w(u,v) (f(v) - f(u))**2)``
:func:`p_laplacian` (anisotropic)      ``sum_v w(u,v) |f(v) - f(u)|**(p-2) (f(v) - f(u))``
:func:`p_laplacian` (isotropic)        ``sum_v w(u,v) (|grad f(u)|**(p-2) + |grad f(v)|**(p-2))/2
                                       (f(v) - f(u))``
:func:`infinity_laplacian`             ``max_v sqrt(w) (f(v)-f(u)) + min_v sqrt(w) (f(v)-f(u))``
:func:`game_p_laplacian`               ``(1/p) (mean f - f)(u) + (1 - 2/p) (mid f - f)(u)``, the
                                       weighted mean and midrange of the neighbours
:func:`p_energy` (anisotropic)         ``1/(2p) sum_u sum_v w(u,v) |f(v) - f(u)|**p``
:func:`p_energy` (isotropic)           ``1/(2p) sum_u |grad_w f(u)|**p``
:func:`dirichlet_residual`             the p-Laplacian (or infinity-Laplacian) on A, 0 on B
=====================================  ===========================================================

The p-Laplacians carry the sign of ``-L`` (``Delta_{w,2} f = -L f``) and are minus the gradient
of their energy, so a solution of the Dirichlet problem makes them vanish on the unknown nodes.
Works on any graph: images, point clouds, meshes; knows nothing of images.

Array results follow the package's dtype policy: float32 signals give float32, others float64
(the arithmetic is float64 throughout).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from . import _midrange
from ._edges import (dirichlet_blocks_of, dirichlet_residual_of, edge_list,
                     game_p_laplacian_of, gradient_norm_of, infinity_laplacian_of, p_energy_of,
                     p_laplacian_of, row_sums)
from ._validation import InpaintError, check_choice, check_float, check_known, float_dtype

__all__ = [
    "degree",
    "dirichlet_blocks",
    "dirichlet_residual",
    "game_p_laplacian",
    "gradient",
    "gradient_norm",
    "infinity_laplacian",
    "laplacian",
    "p_energy",
    "p_laplacian",
]

_FORMS = ("anisotropic", "isotropic")


def degree(weights: sp.spmatrix) -> np.ndarray:
    """Weighted degree ``d(u) = sum_v w(u, v)`` of every node.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
        Symmetric, non-negative weights.

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> degree(sp.csr_matrix(np.array([[0, 2.0], [2.0, 0]])))
    array([2., 2.])
    """
    return row_sums(_checked_weights(weights, "degree"))


def laplacian(weights: sp.spmatrix) -> sp.csr_matrix:
    """Combinatorial graph Laplacian ``L = D - W`` (rows sum to zero).

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
        Symmetric, non-negative weights. Self-loops cancel out of ``L``.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, n)
        Symmetric positive semi-definite.

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> laplacian(sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))).toarray()
    array([[ 1., -1.],
           [-1.,  1.]])
    """
    return _laplacian_of(_checked_weights(weights, "laplacian"))


def _laplacian_of(weights: sp.csr_matrix) -> sp.csr_matrix:
    """``L = D - W`` of weights already checked (callers that checked them skip a second
    check: a tenth of a Laplace learning run on scikit-learn's digits)."""
    return sp.csr_matrix(sp.diags(row_sums(weights)) - weights)


def dirichlet_blocks(weights: sp.spmatrix, known: np.ndarray
                     ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """The blocks ``(L_AA, W_AB)`` of the Dirichlet problem for unknown nodes A and known B.

    Order the nodes as (A, B) and split ``L = D - W``::

        [ L_AA  -W_AB ] [ u_A ]   [ 0 ]
        [ -W_BA  L_BB ] [ g_B ] = [ * ]    =>    L_AA u_A = W_AB g_B,

    the p=2 Dirichlet problem ``(L f)_A = 0``, ``f_B = g``. ``L_AA`` keeps the full degree of
    each unknown node (edges to B included), so it is positive definite when every connected
    group of unknown nodes has an edge to B.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
        Symmetric, non-negative weights.
    known : ndarray of bool, shape (n,)
        **True = known node** (in B). Image masks of :func:`graphinpaint.inpaint` use the
        opposite convention (True = hole).

    Returns
    -------
    L_AA : scipy.sparse.csr_matrix, shape (|A|, |A|)
    W_AB : scipy.sparse.csr_matrix, shape (|A|, |B|)
        Rows and columns in increasing node order.

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers, or ``known`` is
        not a boolean array of shape (n,).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]]))
    >>> L_AA, W_AB = dirichlet_blocks(W, np.array([True, False, True]))
    >>> L_AA.toarray(), W_AB.toarray()
    (array([[2.]]), array([[1., 1.]]))
    """
    weights = _checked_weights(weights, "dirichlet_blocks")
    known = check_known(known, weights.shape[0], "dirichlet_blocks")
    return dirichlet_blocks_of(weights, known)


def gradient(weights: sp.spmatrix, signal: np.ndarray) -> sp.csr_matrix | list[sp.csr_matrix]:
    """Weighted gradient ``(grad_w f)(u, v) = sqrt(w(u, v)) (f(v) - f(u))`` on every edge.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
    signal : ndarray, shape (n,) or (n, c)

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, n), or a list of c of them
        Row ``u`` holds the gradient at ``u``, one entry per edge (the sparsity structure of
        ``W``); a multichannel signal gives one matrix per channel. It is antisymmetric, and the
        Euclidean norm of row ``u`` is :func:`gradient_norm`.

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers, or ``signal`` is
        not a real array of shape (n,) or (n, c).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 4.0], [4.0, 0]]))
    >>> gradient(W, np.array([0.0, 1.0])).toarray()
    array([[ 0.,  2.],
           [-2.,  0.]])
    """
    weights = _checked_weights(weights, "gradient")
    edges = edge_list(weights)
    values = _columns(signal, weights.shape[0], "gradient")
    dtype = float_dtype(np.asarray(signal).dtype)
    scaled = np.sqrt(edges.weights)[:, None] * edges.differences(values)
    matrices = [sp.csr_matrix((scaled[:, c].astype(dtype), weights.indices, weights.indptr),
                              shape=weights.shape) for c in range(values.shape[1])]
    return matrices[0] if np.ndim(signal) == 1 else matrices


def gradient_norm(weights: sp.spmatrix, signal: np.ndarray) -> np.ndarray:
    """Norm of the weighted gradient, ``sqrt(sum_v w(u,v) ||f(v) - f(u)||**2)`` per node.

    For a multichannel signal the channels are summed inside the root.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
    signal : ndarray, shape (n,) or (n, c)

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers, or ``signal`` is
        not a real array of shape (n,) or (n, c).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 4.0], [4.0, 0]]))
    >>> gradient_norm(W, np.array([0.0, 1.0]))
    array([2., 2.])
    """
    weights = _checked_weights(weights, "gradient_norm")
    values = _columns(signal, weights.shape[0], "gradient_norm")
    norm = gradient_norm_of(edge_list(weights), values)
    return norm.astype(float_dtype(np.asarray(signal).dtype), copy=False)


def p_laplacian(weights: sp.spmatrix, signal: np.ndarray, p: float, *,
                form: str = "anisotropic", eps: float = 0.0) -> np.ndarray:
    """Graph p-Laplacian of a signal, per node (and channel).

    Anisotropic: ``Delta_p f(u) = sum_v w(u,v) |f(v) - f(u)|**(p-2) (f(v) - f(u))``.
    Isotropic: ``Delta_p f(u) = sum_v w(u,v) (|grad f(u)|**(p-2) + |grad f(v)|**(p-2))/2
    (f(v) - f(u))``.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
    signal : ndarray, shape (n,) or (n, c)
    p : float in [1, inf)
        For p = inf use :func:`infinity_laplacian`.
    form : {"anisotropic", "isotropic"}, default "anisotropic"
        For ``p = 2`` both give ``-L f``. The isotropic form is the variational one of Elmoataz,
        Lezoray and Bougleux (2008): minus the gradient of the isotropic energy, with the factor
        ``|grad f|**(p-2)`` of both ends of each edge (the shorter form that keeps only ``u``'s
        factor is not the gradient of any energy). A multichannel signal is taken channel by
        channel in the anisotropic form; the isotropic form couples the channels through the
        gradient norm.
    eps : float, default 0
        Smoothing: ``|x|`` is replaced by ``sqrt(x**2 + eps**2)`` inside the power, which keeps
        ``p < 2`` finite where neighbours agree. With ``eps = 0`` and ``p < 2`` an edge with no
        difference exerts no pull (``0**(p-2) * 0`` is read as 0).

    Returns
    -------
    ndarray, shape like ``signal``

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers, ``signal`` is not
        a real array of shape (n,) or (n, c), ``p`` is outside [1, inf) (:func:`infinity_laplacian`
        is p = inf), ``form`` is unknown or ``eps`` negative.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]]))
    >>> p_laplacian(W, np.array([0.0, 1.0, 4.0]), p=3)
    array([ 1.,  8., -9.])
    """
    func = "p_laplacian"
    weights = _checked_weights(weights, func)
    p = _checked_finite_p(p, func)
    check_choice(form, "form", func, _FORMS)
    eps = check_float(eps, "eps", func, low=0.0)
    values = _columns(signal, weights.shape[0], func)
    out = p_laplacian_of(edge_list(weights), values, p, form, eps)
    return _shaped_like(out, signal)


def infinity_laplacian(weights: sp.spmatrix, signal: np.ndarray) -> np.ndarray:
    """Graph infinity-Laplacian: the largest plus the smallest weighted difference at each node.

    ``Delta_inf f(u) = max_v sqrt(w(u,v)) (f(v) - f(u)) + min_v sqrt(w(u,v)) (f(v) - f(u))``
    (Elmoataz, Toutain and Tenbrinck 2015); it vanishes where ``f(u)`` is the weighted midrange
    of its neighbours, the minimiser of ``max_v sqrt(w(u,v)) |f(v) - x|``. Nodes without
    neighbours get 0.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
    signal : ndarray, shape (n,) or (n, c)

    Returns
    -------
    ndarray, shape like ``signal``

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers, or ``signal`` is
        not a real array of shape (n,) or (n, c).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 1.0], [1.0, 0, 0], [1.0, 0, 0]]))
    >>> infinity_laplacian(W, np.array([0.0, 1.0, 3.0]))
    array([ 4., -2., -6.])
    """
    weights = _checked_weights(weights, "infinity_laplacian")
    values = _columns(signal, weights.shape[0], "infinity_laplacian")
    return _shaped_like(infinity_laplacian_of(edge_list(weights), values), signal)


def game_p_laplacian(weights: sp.spmatrix, signal: np.ndarray, p: float, *,
                     midrange: str = "weighted") -> np.ndarray:
    """Game-theoretic (normalised) p-Laplacian: ``(1/p) (mean f - f) + (1 - 2/p) (mid f - f)``.

    ``mean f(u) = sum_v w(u,v) f(v) / d(u)`` is the weighted mean of the neighbours (so
    ``mean f - f`` is the random-walk 2-Laplacian) and ``mid f(u)`` their weighted midrange, the
    ``x`` that minimises ``max_v sqrt(w(u,v)) |f(v) - x|``, where :func:`infinity_laplacian`
    vanishes (with unit weights, ``(max_v f(v) + min_v f(v)) / 2``). From tug-of-war games
    with noise (Peres and Sheffield 2008; Manfredi, Parviainen and Rossi 2012). It vanishes
    where ``f(u) = mean f(u) / (p-1) + (1 - 1/(p-1)) mid f(u)``: the mix that graphlearning's
    ``graph.plaplace`` iterates (with its default ``fast=True``, which takes the unweighted
    midrange; docs/theory.md compares the conventions). It is *not* the variational
    p-Laplacian of :func:`p_laplacian`. ``p = 2`` gives half the random-walk Laplacian,
    ``p = inf`` ``mid f - f``: with unit weights, half of :func:`infinity_laplacian`.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
    signal : ndarray, shape (n,) or (n, c)
    p : float in [1, inf]
    midrange : {"weighted", "unweighted"}, default "weighted"
        ``"unweighted"`` takes the plain ``(max + min) / 2`` of the neighbours whatever the
        weights, as graphlearning's ``plaplace(fast=True)`` does (the mean stays weighted).

    Returns
    -------
    ndarray, shape like ``signal``
        0 on nodes without neighbours.

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers, ``signal`` is not
        a real array of shape (n,) or (n, c), ``p`` is outside [1, inf] or ``midrange`` is unknown.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 1.0], [1.0, 0, 0], [1.0, 0, 0]]))
    >>> game_p_laplacian(W, np.array([0.0, 1.0, 3.0]), p=2)
    array([ 1. , -0.5, -1.5])
    >>> game_p_laplacian(W, np.array([0.0, 1.0, 3.0]), p=np.inf)
    array([ 2., -1., -3.])
    """
    func = "game_p_laplacian"
    p = check_float(p, "p", func, low=1.0, high=np.inf)
    check_choice(midrange, "midrange", func, ("weighted", "unweighted"))
    weights = _checked_weights(weights, func)
    values = _columns(signal, weights.shape[0], func)
    uniform = _midrange.uniform_rows(weights.indptr, weights.data) if midrange == "weighted" \
        else np.ones(weights.shape[0], dtype=bool)
    out = game_p_laplacian_of(edge_list(weights), values, p, uniform)
    out[row_sums(weights) <= 0] = 0.0      # no neighbours: no pull
    return _shaped_like(out, signal)


def p_energy(weights: sp.spmatrix, signal: np.ndarray, p: float, *,
             form: str = "anisotropic", eps: float = 0.0) -> float:
    """p-Dirichlet energy of a signal, whose minimisers solve the Dirichlet problem.

    Anisotropic: ``E_p(f) = 1/(2p) sum_u sum_v w(u,v) |f(v) - f(u)|**p`` (each edge counted from
    both ends); isotropic: ``E_p(f) = 1/(2p) sum_u |grad_w f(u)|**p``. With these constants both
    forms agree at p = 2 and :func:`p_laplacian` is minus the gradient of the energy. With
    ``eps`` the magnitudes are smoothed to ``sqrt(x**2 + eps**2)``. For ``p = inf`` the energy
    is the largest weighted difference ``max sqrt(w(u,v)) |f(v) - f(u)|`` (a Lipschitz constant).

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
    signal : ndarray, shape (n,) or (n, c)
        Channels add up (anisotropic) or share the gradient norm (isotropic).
    p : float in [1, inf]
    form : {"anisotropic", "isotropic"}, default "anisotropic"
    eps : float, default 0

    Returns
    -------
    float

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers, ``signal`` is not
        a real array of shape (n,) or (n, c), ``p`` is outside [1, inf], ``form`` is unknown or
        ``eps`` negative.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
    >>> p_energy(W, np.array([0.0, 2.0]), p=2)
    2.0
    """
    func = "p_energy"
    weights = _checked_weights(weights, func)
    p = check_float(p, "p", func, low=1.0, high=np.inf)
    check_choice(form, "form", func, _FORMS)
    eps = check_float(eps, "eps", func, low=0.0)
    values = _columns(signal, weights.shape[0], func)
    return p_energy_of(edge_list(weights), values, p, form, eps)


def dirichlet_residual(weights: sp.spmatrix, known: np.ndarray, signal: np.ndarray, p: float,
                       *, form: str = "anisotropic", eps: float = 0.0) -> np.ndarray:
    """Residual of a candidate solution of the Dirichlet problem: the p-Laplacian on A, 0 on B.

    A solution of ``Delta_p f = 0`` on the unknown nodes A has a zero residual. For ``p = inf``
    the operator is :func:`infinity_laplacian`, otherwise :func:`p_laplacian` of the given
    ``form`` and ``eps``. The residual has the units of ``w |df|**(p-1)``: compare it with that
    of the starting guess rather than with 1.

    Parameters
    ----------
    weights : scipy.sparse matrix or array_like, shape (n, n)
    known : ndarray of bool, shape (n,)
        **True = known node.**
    signal : ndarray, shape (n,) or (n, c)
    p : float in [1, inf]
    form : {"anisotropic", "isotropic"}, default "anisotropic"
    eps : float, default 0

    Returns
    -------
    ndarray, shape like ``signal``

    Raises
    ------
    InpaintError
        ``weights`` is not a square matrix of finite, non-negative real numbers, ``known`` is not a
        boolean array of shape (n,), ``signal`` is not a real array of shape (n,) or (n, c), ``p``
        is outside [1, inf], ``form`` is unknown or ``eps`` negative.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.diags([1.0, 1.0], 1, shape=(3, 3)); W = W + W.T
    >>> dirichlet_residual(W, np.array([True, False, True]), np.array([0.0, 1.0, 4.0]), p=2)
    array([0., 2., 0.])
    """
    func = "dirichlet_residual"
    weights = _checked_weights(weights, func)
    known = check_known(known, weights.shape[0], func)
    p = check_float(p, "p", func, low=1.0, high=np.inf)
    check_choice(form, "form", func, _FORMS)
    eps = check_float(eps, "eps", func, low=0.0)
    values = _columns(signal, weights.shape[0], func)
    return _shaped_like(dirichlet_residual_of(edge_list(weights), known, values, p, form, eps),
                        signal)


# --- argument checks (shared with graphinpaint.solvers) -------------------------------------------

def _checked_weights(weights: sp.spmatrix, func: str) -> sp.csr_matrix:
    """``weights`` as a float64 CSR matrix, after checking it is square, finite, non-negative
    and symmetric (to a tolerance that follows its dtype). Never modifies the input."""
    matrix = _as_sparse(weights, func)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise InpaintError(
            f"The 'weights' parameter of {func} must be a square (n, n) matrix. Got shape "
            f"{matrix.shape}."
        )
    if matrix.dtype.kind not in "biuf":
        raise InpaintError(
            f"The 'weights' parameter of {func} must hold real numbers. Got dtype "
            f"{matrix.dtype}."
        )
    tolerance = np.sqrt(np.finfo(float_dtype(matrix.dtype)).eps)
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    matrix.sum_duplicates()             # canonical form, in place on our own copy
    if matrix.nnz and not np.all(np.isfinite(matrix.data)):
        raise InpaintError(f"The 'weights' parameter of {func} holds NaN or inf.")
    if matrix.nnz and matrix.data.min() < 0:
        raise InpaintError(
            f"The 'weights' parameter of {func} must be non-negative. Got a smallest weight of "
            f"{matrix.data.min():g}."
        )
    asymmetry = abs(matrix - matrix.T)
    largest = matrix.data.max() if matrix.nnz else 0.0
    if asymmetry.nnz and asymmetry.max() > tolerance * largest:
        raise InpaintError(
            f"The 'weights' parameter of {func} must be symmetric (w(u,v) = w(v,u)). Got a "
            f"largest difference of {asymmetry.max():g}. Symmetrise it first, e.g. with "
            "graphinpaint.weights.symmetrize."
        )
    return matrix


def _as_sparse(weights: sp.spmatrix, func: str) -> sp.spmatrix:
    if sp.issparse(weights):
        return sp.csr_matrix(weights, copy=True)
    try:
        dense = np.asarray(weights)
    except Exception as error:
        raise InpaintError(
            f"The 'weights' parameter of {func} must be a scipy.sparse matrix or an array. Got "
            f"{type(weights).__name__}."
        ) from error
    if dense.ndim != 2:
        raise InpaintError(
            f"The 'weights' parameter of {func} must be a square (n, n) matrix. Got shape "
            f"{dense.shape}."
        )
    if dense.dtype.kind not in "biuf":
        raise InpaintError(
            f"The 'weights' parameter of {func} must hold real numbers. Got dtype {dense.dtype}."
        )
    return sp.csr_matrix(dense)


def _checked_finite_p(p: float, func: str) -> float:
    p = check_float(p, "p", func, low=1.0, high=np.inf)
    if np.isinf(p):
        raise InpaintError(
            f"The 'p' parameter of {func} must be a float in [1, inf). Got inf instead: use "
            "infinity_laplacian for p = inf."
        )
    return p


def _columns(signal: np.ndarray, n: int, func: str, name: str = "signal") -> np.ndarray:
    """The signal as a float64 (n, c) array (a copy), after checking its shape and dtype."""
    array = np.asarray(signal)
    if array.ndim not in (1, 2) or array.shape[0] != n or array.dtype.kind not in "biuf":
        raise InpaintError(
            f"The {name!r} parameter of {func} must be a real array of shape ({n},) or ({n}, c). "
            f"Got dtype {array.dtype} and shape {array.shape}."
        )
    return array.astype(np.float64).reshape(n, -1)


def _shaped_like(out: np.ndarray, signal: np.ndarray) -> np.ndarray:
    signal = np.asarray(signal)
    return out.reshape(signal.shape).astype(float_dtype(signal.dtype), copy=False)
