"""Edge weights from distance graphs: kernels, symmetrisation and normalisation.

Every kernel takes a sparse distance graph ``D`` (an edge of distance 0 is an explicit zero: the
sparsity structure, not the value, says where the edges are) and returns a sparse weight matrix of
the same structure. Works on any graph; knows nothing of images or solvers.

=================  ==========================================================================
kernel             weight of the edge (i, j) of distance d
=================  ==========================================================================
:func:`gaussian`   ``exp(-d**2 / h**2)``, bandwidth ``h`` given or the median edge distance
:func:`self_tuning` ``exp(-d**2 / (s_i s_j))``, ``s_i`` the distance from ``i`` to its
                   ``k_scale``-th neighbour (Zelnik-Manor and Perona, 2004)
:func:`constant`   ``1``
=================  ==========================================================================

Reweighting for sparse known values (semi-supervised learning, heavy pixel loss), on any
weights: a Laplace solution with few known nodes flattens to a constant with spikes at the
known nodes, because each known node pulls on only its own edges. Both remedies multiply
``w(i, j)`` by ``a(i) + a(j)``, with ``a`` large at and near the known nodes:

=============================  ==================================================================
reweighting                    ``a(i)``
=============================  ==================================================================
:func:`weighted_nonlocal`      ``n / m`` on the m known nodes, 1 elsewhere (Shi, Osher and Zhu
                               2017, the weighted non-local Laplacian, WNLL)
:func:`properly_weighted`      ``1 + (r / max(dist(i, known), r_zeta))**alpha`` (Calder and
                               Slepcev 2019, the properly weighted Laplacian)
=============================  ==================================================================

They are graphlearning's ``graph.reweight(method="wnll" / "properly")``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._validation import InpaintError, check_choice, check_float, check_int, check_known

__all__ = ["constant", "gaussian", "normalize", "properly_weighted", "self_tuning", "symmetrize",
           "weighted_nonlocal"]


def gaussian(distances: sp.spmatrix, *, bandwidth: float | None = None,
             relative: bool = False) -> sp.csr_matrix:
    """Gaussian kernel ``w = exp(-d**2 / h**2)`` of every edge.

    With ``relative=True`` each row is scaled so that its best edge weighs 1:
    ``w_ij = exp(-(d_ij**2 - min_j d_ij**2) / h**2)``. For a node whose edges all go to known
    nodes this leaves the Dirichlet solution unchanged, and it keeps the rows of poorly matched
    nodes from underflowing next to other edges.

    Parameters
    ----------
    distances : scipy.sparse matrix, shape (n, n)
        Non-negative edge distances.
    bandwidth : float, optional
        ``h > 0``. Estimated as the median edge distance when omitted (1 if that is 0).
    relative : bool, default False
        Scale each row so that its nearest edge weighs 1 (see above).

    Returns
    -------
    scipy.sparse.csr_matrix
        Weights in (0, 1], same sparsity structure as ``distances``.

    Raises
    ------
    InpaintError
        The graph is not a square scipy.sparse matrix of finite, non-negative values, or
        ``bandwidth`` is not positive.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> D = sp.csr_matrix(np.array([[0.0, 1.0], [1.0, 0.0]]))
    >>> gaussian(D, bandwidth=1.0).toarray().round(4)
    array([[0.    , 0.3679],
           [0.3679, 0.    ]])
    """
    weights = _checked_distances(distances, "gaussian")
    if bandwidth is None:
        bandwidth = estimate_bandwidth(weights)
    bandwidth = check_float(bandwidth, "bandwidth", "gaussian", low=0.0, low_open=True)
    squared = weights.data ** 2
    if relative:
        squared = squared - _row_minimum(weights, squared)
    weights.data = np.exp(-squared / bandwidth ** 2)
    return weights


def _row_minimum(matrix: sp.csr_matrix, data: np.ndarray) -> np.ndarray:
    """For each stored entry, the minimum of ``data`` over its row."""
    lengths = np.diff(matrix.indptr)
    starts = matrix.indptr[:-1][lengths > 0]
    minima = np.minimum.reduceat(data, starts) if data.size else data
    return np.repeat(minima, lengths[lengths > 0])


def estimate_bandwidth(distances: sp.spmatrix) -> float:
    """Median edge distance of a distance graph, or 1.0 when it is 0 (or there is no edge)."""
    data = sp.csr_matrix(distances).data
    median = float(np.median(data)) if data.size else 0.0
    return median if median > 0 else 1.0


def self_tuning(distances: sp.spmatrix, *, k_scale: int = 7) -> sp.csr_matrix:
    """Self-tuning kernel ``w_ij = exp(-d_ij**2 / (s_i s_j))`` with a local scale per node.

    ``s_i`` is the distance from node ``i`` to its ``k_scale``-th nearest neighbour in the graph
    (its farthest one if it has fewer). Nodes with no edge of their own (columns only) take the
    median scale; zero scales are raised to the smallest positive one, so weights stay finite.

    Parameters
    ----------
    distances : scipy.sparse matrix, shape (n, n)
    k_scale : int, default 7

    Returns
    -------
    scipy.sparse.csr_matrix

    Raises
    ------
    InpaintError
        The graph is not a square scipy.sparse matrix of finite, non-negative values, or
        ``k_scale`` is below 1.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> D = sp.csr_matrix(np.array([[0.0, 2.0], [2.0, 0.0]]))
    >>> self_tuning(D, k_scale=1).toarray().round(4)
    array([[0.    , 0.3679],
           [0.3679, 0.    ]])
    """
    weights = _checked_distances(distances, "self_tuning")
    k_scale = check_int(k_scale, "k_scale", "self_tuning", low=1)
    scale = _local_scales(weights, k_scale)
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    weights.data = np.exp(-weights.data ** 2 / (scale[rows] * scale[weights.indices]))
    return weights


def constant(distances: sp.spmatrix) -> sp.csr_matrix:
    """Weight 1 on every edge of the graph (explicit zeros included).

    Parameters
    ----------
    distances : scipy.sparse matrix, shape (n, n)
        The graph: its stored entries are its edges.

    Returns
    -------
    scipy.sparse.csr_matrix
        The same edges, each of weight 1.

    Raises
    ------
    InpaintError
        The graph is not a square scipy.sparse matrix of finite, non-negative values.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> D = sp.csr_matrix((np.array([0.0, 3.0]), (np.array([0, 1]), np.array([1, 0]))), (2, 2))
    >>> constant(D).toarray()
    array([[0., 1.],
           [1., 0.]])
    """
    weights = _checked_distances(distances, "constant")
    weights.data = np.ones_like(weights.data)
    return weights


def symmetrize(weights: sp.spmatrix, how: str = "max") -> sp.csr_matrix:
    """Symmetric weights from a directed graph (a kNN graph is not symmetric).

    Parameters
    ----------
    weights : scipy.sparse matrix, shape (n, n)
        Non-negative weights.
    how : {"max", "mean", "mutual"}, default "max"
        ``"max"``: an edge in either direction, with the larger weight (the usual kNN graph).
        ``"mean"``: ``(W + W.T) / 2``.
        ``"mutual"``: only edges present in both directions, with the smaller weight.

    Returns
    -------
    scipy.sparse.csr_matrix
        Symmetric weights.

    Raises
    ------
    InpaintError
        The graph is not a square scipy.sparse matrix of finite, non-negative values, or ``how`` is
        unknown.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0.0, 1.0], [0.0, 0.0]]))
    >>> symmetrize(W, "mean").toarray()
    array([[0. , 0.5],
           [0.5, 0. ]])
    """
    check_choice(how, "how", "symmetrize", ("max", "mean", "mutual"))
    weights = _checked_distances(weights, "symmetrize")
    transposed = weights.T.tocsr()
    if how == "max":
        result = weights.maximum(transposed)
    elif how == "mean":
        result = (weights + transposed) * 0.5
    else:
        result = weights.minimum(transposed)
    result = sp.csr_matrix(result)
    result.eliminate_zeros()
    return result


def normalize(weights: sp.spmatrix, how: str = "row") -> sp.csr_matrix:
    """Normalised weights: ``"row"`` gives ``D^-1 W`` (rows sum to 1, a random walk),
    ``"symmetric"`` gives ``D^-1/2 W D^-1/2``. Rows without edges stay empty.

    Parameters
    ----------
    weights : scipy.sparse matrix, shape (n, n)
        Non-negative weights.
    how : {"row", "symmetric"}, default "row"

    Returns
    -------
    scipy.sparse.csr_matrix
        The normalised weights.

    Raises
    ------
    InpaintError
        The graph is not a square scipy.sparse matrix of finite, non-negative values, or ``how`` is
        unknown.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0.0, 1.0, 3.0], [1.0, 0.0, 0.0], [3.0, 0.0, 0.0]]))
    >>> normalize(W).toarray()
    array([[0.  , 0.25, 0.75],
           [1.  , 0.  , 0.  ],
           [1.  , 0.  , 0.  ]])
    """
    check_choice(how, "how", "normalize", ("row", "symmetric"))
    weights = _checked_distances(weights, "normalize")
    degree = np.asarray(weights.sum(axis=1)).ravel()
    with np.errstate(divide="ignore"):
        inverse = np.where(degree > 0, 1.0 / degree, 0.0)
    if how == "row":
        return sp.csr_matrix(sp.diags(inverse) @ weights)
    root = np.sqrt(inverse)
    return sp.csr_matrix(sp.diags(root) @ weights @ sp.diags(root))


def weighted_nonlocal(weights: sp.spmatrix, known: np.ndarray) -> sp.csr_matrix:
    """The weighted non-local Laplacian's weights (WNLL): ``(a(i) + a(j)) w(i, j)``, with
    ``a = n / m`` on the m known nodes of the n and 1 elsewhere.

    Shi, Osher and Zhu minimise ``sum_{i unknown} sum_j w(i,j) (u_i - u_j)**2 + (n/m)
    sum_{i known} sum_j w(j,i) (u_i - u_j)**2``: the known nodes' terms weigh as much as all the
    others together. Its Euler-Lagrange equation at an unknown node is the Dirichlet problem of
    these weights: edges between unknown nodes weigh ``2 w``, edges to known nodes
    ``(1 + n/m) w``. With every neighbour of a node known, its solution is unchanged.

    Parameters
    ----------
    weights : scipy.sparse matrix, shape (n, n)
        Symmetric, non-negative weights.
    known : ndarray of bool, shape (n,)
        **True = known node** (at least one).

    Returns
    -------
    scipy.sparse.csr_matrix
        Symmetric weights, same sparsity structure.

    Raises
    ------
    InpaintError
        The graph is not a square scipy.sparse matrix of finite, non-negative values, or ``known``
        is not a boolean array of shape (n,) or marks no node known.

    References
    ----------
    Z. Shi, S. Osher and W. Zhu, "Weighted nonlocal Laplacian on interpolation from sparse
    data", J. Sci. Comput. 73 (2017) 1164-1177.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]]))
    >>> weighted_nonlocal(W, np.array([True, False, False])).toarray()
    array([[0., 4., 0.],
           [4., 0., 2.],
           [0., 2., 0.]])
    """
    func = "weighted_nonlocal"
    weights = _checked_distances(weights, func)
    known = check_known(known, weights.shape[0], func, need_one=True)
    scale = np.where(known, known.size / known.sum(), 1.0)
    return _scaled_by_ends(weights, scale)


def properly_weighted(weights: sp.spmatrix, known: np.ndarray, points: np.ndarray, *,
                      radius: float = 0.1, alpha: float = 2.0,
                      zeta: float = 1e7) -> sp.csr_matrix:
    """The properly weighted Laplacian's weights: ``(g(i) + g(j)) w(i, j)`` with
    ``g(i) = 1 + (radius / max(dist(i, known), r_zeta))**alpha``.

    ``dist(i, known)`` is the Euclidean distance from point i to the nearest known point, and
    ``r_zeta = radius / (zeta - 1)**(1/alpha)`` caps ``g`` at ``zeta`` on the known points
    themselves. Calder and Slepcev show that with ``alpha > d - 2`` (d the dimension of the
    data) the Laplace solution stays continuous at the known points as the graph grows, instead
    of spiking there. With every neighbour of a node known, its solution is unchanged.

    Parameters
    ----------
    weights : scipy.sparse matrix, shape (n, n)
        Symmetric, non-negative weights.
    known : ndarray of bool, shape (n,)
        **True = known node** (at least one).
    points : ndarray, shape (n, d)
        Coordinates of the nodes (for an image: pixel coordinates; for a point cloud: its
        points, or the features its graph was built from).
    radius : float, default 0.1
        ``r > 0``, in the units of ``points``: the reach of the extra weight.
    alpha : float, default 2.0
        ``alpha > 0``: how fast the extra weight decays with distance.
    zeta : float, default 1e7
        ``zeta > 1``: the largest factor, reached on the known points.

    Returns
    -------
    scipy.sparse.csr_matrix
        Symmetric weights, same sparsity structure.

    Raises
    ------
    InpaintError
        The graph is not a square scipy.sparse matrix of finite, non-negative values, ``known`` is
        not a boolean array of shape (n,) or marks no node known, ``points`` is not a finite (n, d)
        array, or ``radius``, ``alpha`` or ``zeta`` is out of range (positive; ``zeta`` above 1).

    References
    ----------
    J. Calder and D. Slepcev, "Properly-weighted graph Laplacian for semi-supervised learning",
    Appl. Math. Optim. 82 (2020) 1111-1159.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]]))
    >>> points = np.array([[0.0], [1.0], [2.0]])
    >>> properly_weighted(W, np.array([True, False, False]), points, radius=1.0,
    ...                   zeta=101).toarray()
    array([[  0.  , 103.  ,   0.  ],
           [103.  ,   0.  ,   3.25],
           [  0.  ,   3.25,   0.  ]])
    """
    from scipy.spatial import cKDTree

    func = "properly_weighted"
    weights = _checked_distances(weights, func)
    n = weights.shape[0]
    known = check_known(known, n, func, need_one=True)
    points = np.asarray(points, dtype=np.float64)
    if points.ndim == 1:
        points = points[:, None]
    if points.ndim != 2 or points.shape[0] != n or not np.all(np.isfinite(points)):
        raise InpaintError(
            f"The 'points' parameter of {func} must be a finite array of shape ({n}, d), one "
            f"point per node. Got shape {points.shape}."
        )
    radius = check_float(radius, "radius", func, low=0.0, low_open=True)
    alpha = check_float(alpha, "alpha", func, low=0.0, low_open=True)
    zeta = check_float(zeta, "zeta", func, low=1.0, low_open=True)
    distance, _ = cKDTree(points[known]).query(points)
    smallest = radius / (zeta - 1.0) ** (1.0 / alpha)
    scale = 1.0 + (radius / np.maximum(distance, smallest)) ** alpha
    return _scaled_by_ends(weights, scale)


def _scaled_by_ends(weights: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    """``(scale(i) + scale(j)) w(i, j)`` on every stored edge."""
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    out = weights.copy()
    out.data = (scale[rows] + scale[weights.indices]) * weights.data
    return out


def _checked_distances(matrix: sp.spmatrix, func: str) -> sp.csr_matrix:
    """A float64 CSR copy of a square, finite, non-negative sparse matrix."""
    if not sp.issparse(matrix):
        raise InpaintError(
            f"The graph given to {func} must be a scipy.sparse matrix. Got {type(matrix).__name__}."
        )
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise InpaintError(f"The graph given to {func} must be square. Got shape {matrix.shape}.")
    copy = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
    copy.sum_duplicates()
    if not np.all(np.isfinite(copy.data)) or np.any(copy.data < 0):
        raise InpaintError(
            f"The graph given to {func} must hold finite, non-negative values."
        )
    return copy


def _local_scales(distances: sp.csr_matrix, k_scale: int) -> np.ndarray:
    """Distance from each node to its k-th nearest neighbour (NaN-free, strictly positive)."""
    n = distances.shape[0]
    lengths = np.diff(distances.indptr)
    rows = np.repeat(np.arange(n), lengths)
    sorted_data = distances.data[np.lexsort((distances.data, rows))]
    scale = np.full(n, np.nan)
    has_edges = lengths > 0
    picks = distances.indptr[:-1] + np.minimum(k_scale, lengths) - 1
    scale[has_edges] = sorted_data[picks[has_edges]]
    has_scale = ~np.isnan(scale)
    if not has_scale.any():
        return np.ones(n)
    scale[~has_scale] = np.median(scale[has_scale])
    positive = scale[scale > 0]
    floor = positive.min() if positive.size else 1.0
    return np.maximum(scale, floor)
