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

import functools

import numpy as np
import scipy.sparse as sp

from . import _midrange
from ._validation import InpaintError, check_choice, check_float, float_dtype

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

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> degree(sp.csr_matrix(np.array([[0, 2.0], [2.0, 0]])))
    array([2., 2.])
    """
    return _row_sums(_checked_weights(weights, "degree"))


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

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> laplacian(sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))).toarray()
    array([[ 1., -1.],
           [-1.,  1.]])
    """
    weights = _checked_weights(weights, "laplacian")
    return sp.csr_matrix(sp.diags(_row_sums(weights)) - weights)


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

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]]))
    >>> L_AA, W_AB = dirichlet_blocks(W, np.array([True, False, True]))
    >>> L_AA.toarray(), W_AB.toarray()
    (array([[2.]]), array([[1., 1.]]))
    """
    weights = _checked_weights(weights, "dirichlet_blocks")
    known = _checked_known(known, weights.shape[0], "dirichlet_blocks")
    split = _Partition(_edges(weights), known)
    return split.blocks(split.edges.weights)


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

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 4.0], [4.0, 0]]))
    >>> gradient(W, np.array([0.0, 1.0])).toarray()
    array([[ 0.,  2.],
           [-2.,  0.]])
    """
    weights = _checked_weights(weights, "gradient")
    edges = _edges(weights)
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

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 4.0], [4.0, 0]]))
    >>> gradient_norm(W, np.array([0.0, 1.0]))
    array([2., 2.])
    """
    weights = _checked_weights(weights, "gradient_norm")
    values = _columns(signal, weights.shape[0], "gradient_norm")
    norm = _gradient_norm(_edges(weights), values)
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
    out = _p_laplacian(_edges(weights), values, p, form, eps)
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

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 1.0], [1.0, 0, 0], [1.0, 0, 0]]))
    >>> infinity_laplacian(W, np.array([0.0, 1.0, 3.0]))
    array([ 4., -2., -6.])
    """
    weights = _checked_weights(weights, "infinity_laplacian")
    values = _columns(signal, weights.shape[0], "infinity_laplacian")
    return _shaped_like(_infinity_laplacian(_edges(weights), values), signal)


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
    out = _game_p_laplacian(_edges(weights), values, p, uniform)
    out[_row_sums(weights) <= 0] = 0.0      # no neighbours: no pull
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
    return _p_energy(_edges(weights), values, p, form, eps)


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

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.diags([1.0, 1.0], 1, shape=(3, 3)); W = W + W.T
    >>> dirichlet_residual(W, np.array([True, False, True]), np.array([0.0, 1.0, 4.0]), p=2)
    array([0., 2., 0.])
    """
    func = "dirichlet_residual"
    weights = _checked_weights(weights, func)
    known = _checked_known(known, weights.shape[0], func)
    p = check_float(p, "p", func, low=1.0, high=np.inf)
    check_choice(form, "form", func, _FORMS)
    eps = check_float(eps, "eps", func, low=0.0)
    values = _columns(signal, weights.shape[0], func)
    return _shaped_like(_dirichlet_residual(_edges(weights), known, values, p, form, eps),
                        signal)


# --- the graph as an edge list, and the kernels behind the public functions ---------------------
# The solvers call the kernels directly, once the weights are checked, because they evaluate
# energies and residuals many times per solve.

class _Edges:
    """Both directions of every edge, in CSR order (sorted by row)."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray,
                 indptr: np.ndarray, n: int) -> None:
        self.rows, self.cols, self.weights, self.indptr, self.n = rows, cols, weights, indptr, n

    @functools.cached_property
    def incidence(self) -> sp.csr_matrix:
        """(edges, n): -1 at u and +1 at v on the row of edge (u, v). Built on first use: a
        p = 2 solve never needs it."""
        count = self.rows.size
        return sp.csr_matrix(
            (np.tile([-1.0, 1.0], count), np.stack([self.rows, self.cols], axis=1).ravel(),
             np.arange(0, 2 * count + 1, 2)), shape=(count, self.n))

    def differences(self, values: np.ndarray) -> np.ndarray:
        """``f(v) - f(u)`` per edge (u, v) and channel: shape (edges, c)."""
        # A sparse product: five times faster than gathering rows of an (n, c) array.
        return self.incidence @ values

    def sum_rows(self, edge_values: np.ndarray) -> np.ndarray:
        """``sum_v x(u, v)`` per node for edge values (edges,) or (edges, c)."""
        if edge_values.ndim == 1:
            return np.bincount(self.rows, edge_values, minlength=self.n)
        return np.stack([np.bincount(self.rows, column, minlength=self.n)
                         for column in edge_values.T], axis=1)

    def dirichlet_energy(self, values: np.ndarray) -> float:
        """The p = 2 energy ``1/4 sum_u sum_v w (f(v) - f(u))**2 = 1/2 sum_c f_c^T L f_c``,
        through the Laplacian: no (edges, c) array."""
        total = 0.0
        degrees = np.bincount(self.rows, self.weights, minlength=self.n)
        for column in values.T:
            neighbours = np.bincount(self.rows, self.weights * column[self.cols],
                                     minlength=self.n)
            total += float(degrees @ column ** 2 - column @ neighbours)
        return max(total, 0.0) / 2.0


def _edges(weights: sp.csr_matrix) -> _Edges:
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    return _Edges(rows, weights.indices, weights.data, weights.indptr, weights.shape[0])


class _Partition:
    """The edges split by a partition into unknown A and known B, to build the Dirichlet blocks.

    Built once per partition; :meth:`blocks` then makes ``(L_AA, W_AB)`` for any edge weights
    on the same edges in O(edges), which the nonlinear solvers do at every step.
    """

    def __init__(self, edges: _Edges, known: np.ndarray) -> None:
        self.edges = edges
        self.known = known
        self.unknown_nodes = np.flatnonzero(~known)
        position = np.empty(edges.n, dtype=np.int64)
        position[~known] = np.arange(self.unknown_nodes.size)
        position[known] = np.arange(edges.n - self.unknown_nodes.size)
        # Index arrays, not boolean masks: the nonlinear solvers gather through them each step.
        from_a = ~known[edges.rows]
        self._from_a = np.flatnonzero(from_a)
        self._rows_a = position[edges.rows[from_a]]
        self._aa = np.flatnonzero(from_a & ~known[edges.cols])
        self._ab = np.flatnonzero(from_a & known[edges.cols])
        # Rows stay sorted under the monotone renumbering, so the CSR structures are direct.
        self._laplacian_structure(position)
        self._ab_structure = self._structure(position, self._ab)

    def _structure(self, position: np.ndarray, selected: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
        counts = np.bincount(position[self.edges.rows[selected]],
                             minlength=self.unknown_nodes.size)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        return position[self.edges.cols[selected]], indptr

    def _laplacian_structure(self, position: np.ndarray) -> None:
        """CSR structure of L_AA: each row holds its diagonal entry, then its edges inside A."""
        size_a = self.unknown_nodes.size
        aa_columns, aa_indptr = self._structure(position, self._aa)
        aa_rows = position[self.edges.rows[self._aa]]
        self._l_indptr = aa_indptr + np.arange(size_a + 1)
        self._l_diagonal = self._l_indptr[:-1]
        self._l_off_diagonal = np.arange(aa_columns.size) + aa_rows + 1
        self._l_indices = np.empty(self._l_indptr[-1], dtype=np.int64)
        self._l_indices[self._l_diagonal] = np.arange(size_a)
        self._l_indices[self._l_off_diagonal] = aa_columns

    def blocks(self, edge_weights: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """``(L_AA, W_AB)`` for ``edge_weights`` aligned with the partition's edges."""
        size_a = self.unknown_nodes.size
        size_b = self.edges.n - size_a
        data = np.empty(self._l_indices.size)
        data[self._l_diagonal] = np.bincount(self._rows_a, edge_weights[self._from_a],
                                             minlength=size_a)
        data[self._l_off_diagonal] = -edge_weights[self._aa]
        l_aa = sp.csr_matrix((data, self._l_indices, self._l_indptr), shape=(size_a,) * 2)
        w_ab = sp.csr_matrix((edge_weights[self._ab], *self._ab_structure),
                             shape=(size_a, size_b))
        return l_aa, w_ab


def _row_sums(weights: sp.csr_matrix) -> np.ndarray:
    return np.asarray(weights.sum(axis=1)).ravel()


def _gradient_norm(edges: _Edges, values: np.ndarray) -> np.ndarray:
    return np.sqrt(_squared_gradient_norm(edges, edges.differences(values)))


def _squared_gradient_norm(edges: _Edges, diff: np.ndarray) -> np.ndarray:
    """``sum_v w(u,v) ||f(v) - f(u)||**2`` per node, from the edge differences (edges, c)."""
    return edges.sum_rows(edges.weights * (diff ** 2).sum(axis=1))


def _isotropic_edge_weights(edges: _Edges, diff: np.ndarray, p: float,
                            eps: float) -> np.ndarray:
    """``w(u,v) (|grad f(u)|**(p-2) + |grad f(v)|**(p-2)) / 2`` per edge, smoothed by eps: the
    edge weights of the isotropic p-Laplacian (and of its IRLS model)."""
    node_factor = _smoothed_power(np.sqrt(_squared_gradient_norm(edges, diff)), p - 2, eps)
    return edges.weights * (node_factor[edges.rows] + node_factor[edges.cols]) / 2.0


def _p_laplacian(edges: _Edges, values: np.ndarray, p: float, form: str,
                 eps: float) -> np.ndarray:
    diff = edges.differences(values)
    if p == 2.0:
        return edges.sum_rows(edges.weights[:, None] * diff)
    if form == "anisotropic":
        factor = _smoothed_power(np.abs(diff), p - 2, eps)
        return edges.sum_rows(edges.weights[:, None] * factor * diff)
    return edges.sum_rows(_isotropic_edge_weights(edges, diff, p, eps)[:, None] * diff)


def _infinity_laplacian(edges: _Edges, values: np.ndarray) -> np.ndarray:
    scaled = np.sqrt(edges.weights)[:, None] * edges.differences(values)
    out = np.zeros((edges.n, values.shape[1]))
    lengths = np.diff(edges.indptr)
    has_edges = lengths > 0
    if scaled.size:
        starts = edges.indptr[:-1][has_edges]
        out[has_edges] = (np.maximum.reduceat(scaled, starts, axis=0)
                          + np.minimum.reduceat(scaled, starts, axis=0))
    return out


def _game_p_laplacian(edges: _Edges, values: np.ndarray, p: float,
                      uniform: np.ndarray) -> np.ndarray:
    """``(1/p) (mean - f) + (1 - 2/p) (mid - f)`` per node, the midrange plain on ``uniform``
    rows (the game solver's residual calls it too)."""
    means, midranges = _midrange.means_and_midranges(edges.indptr, edges.cols, edges.weights,
                                                     np.ascontiguousarray(values), uniform)
    mean_share = 0.0 if np.isinf(p) else 1.0 / p
    return mean_share * (means - values) + (1.0 - 2.0 / p) * (midranges - values)


def _p_energy(edges: _Edges, values: np.ndarray, p: float, form: str, eps: float) -> float:
    if p == 2.0 and eps == 0.0:         # both forms: the Laplacian's quadratic form
        return edges.dirichlet_energy(values)
    diff = edges.differences(values)
    if np.isinf(p):
        return float(np.max(np.sqrt(edges.weights)[:, None] * np.abs(diff), initial=0.0))
    if form == "anisotropic":
        magnitude = np.sqrt(diff ** 2 + eps ** 2) if eps else np.abs(diff)
        return float((edges.weights[:, None] * magnitude ** p).sum() / (2.0 * p))
    squared = _squared_gradient_norm(edges, diff)
    return float(((squared + eps ** 2) ** (p / 2.0)).sum() / (2.0 * p))


def _dirichlet_residual(edges: _Edges, known: np.ndarray, values: np.ndarray, p: float,
                        form: str, eps: float) -> np.ndarray:
    if np.isinf(p):
        out = _infinity_laplacian(edges, values)
    else:
        out = _p_laplacian(edges, values, p, form, eps)
    out[known] = 0.0
    return out


def _smoothed_power(magnitude: np.ndarray, exponent: float, eps: float) -> np.ndarray:
    """``(magnitude**2 + eps**2)**(exponent/2)``, with 0**negative read as 0 (no edge pull)."""
    smoothed = np.sqrt(magnitude ** 2 + eps ** 2) if eps else magnitude
    if exponent >= 0:
        return smoothed ** exponent
    with np.errstate(divide="ignore"):
        return np.where(smoothed > 0, smoothed ** exponent, 0.0)


# --- argument checks (shared with graphinpaint.solvers) --------------------------------------------

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


def _checked_known(known: np.ndarray, n: int, func: str) -> np.ndarray:
    """``known`` as a new bool array; integers are accepted when they are all 0 or 1."""
    known = np.asarray(known)
    is_flag = known.dtype == bool or (known.dtype.kind in "iu" and np.isin(known, (0, 1)).all())
    if known.shape != (n,) or not is_flag:
        raise InpaintError(
            f"The 'known' parameter of {func} must be a boolean array of shape ({n},) "
            f"(True = known node). Got dtype {known.dtype} and shape {known.shape}."
        )
    return known.astype(bool)


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
