"""k nearest neighbours of feature vectors (:func:`graphinpaint.graph.knn_graph`, whose home
this is): any data, exact (a k-d tree or blocked brute force) or approximate with pynndescent.

pynndescent compiles with numba on its first index in every new process (about 20 s on a small
machine), so it is imported only when asked for and ``backend="auto"`` picks it only for problems
big enough to repay that.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._graph_arguments import _node_subset
from ._validation import InpaintError, check_choice, check_int

__all__ = ["knn_graph"]

# Above this many query-candidate pairs, "auto" uses pynndescent rather than exact search.
_NNDESCENT_PAIRS = 2e10


def knn_graph(features: np.ndarray, *, k: int = 10, queries: np.ndarray | None = None,
              candidates: np.ndarray | None = None, backend: str = "auto",
              rng: np.random.Generator | int | None = None) -> sp.csr_matrix:
    """k nearest neighbours of feature vectors, as a sparse Euclidean distance graph.

    Works on any data: patch features of pixels, point clouds, mesh vertices.

    Parameters
    ----------
    features : ndarray, shape (n, d)
        One feature vector per node.
    k : int, default 10
        Neighbours per query node.
    queries, candidates : ndarray, optional
        Boolean masks of shape (n,) or node indices: whose neighbours are sought (default all) and
        who may be a neighbour (default all). A node is never its own neighbour.
    backend : {"auto", "exact", "nndescent"}, default "auto"
        ``"exact"``: k-d tree for up to 16 dimensions, blocked brute force above.
        ``"nndescent"``: approximate search with pynndescent (index built on the candidates,
        queried by the queries); its numba compilation costs about 20 s in each new process.
        ``"auto"``: exact unless the problem is large enough to repay that cost.
    rng : numpy.random.Generator or int, optional
        Randomness of pynndescent's index (SPEC 7).

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n, n)
        ``D[i, j]`` is the distance from query ``i`` to its neighbour ``j``; other rows are empty.

    Examples
    --------
    >>> import numpy as np
    >>> points = np.array([[0.0], [1.0], [3.0]])
    >>> knn_graph(points, k=1).toarray()
    array([[0., 1., 0.],
           [1., 0., 0.],
           [0., 2., 0.]])
    """
    features = np.asarray(features)
    func = "knn_graph"
    if features.ndim != 2 or len(features) == 0:
        raise InpaintError(
            f"The 'features' parameter of {func} must be a non-empty 2-D array (nodes x "
            f"dimensions). Got shape {features.shape}."
        )
    if not np.all(np.isfinite(features)):
        raise InpaintError(f"The 'features' parameter of {func} holds NaN or inf values.")
    n = len(features)
    k = check_int(k, "k", func, low=1)
    check_choice(backend, "backend", func, ("auto", "exact", "nndescent"))
    query_idx = _node_subset(queries, n, "queries", func)
    cand_idx = _node_subset(candidates, n, "candidates", func)
    if backend == "auto":
        backend = "nndescent" if len(query_idx) * len(cand_idx) > _NNDESCENT_PAIRS else "exact"
    search = _nndescent_knn if backend == "nndescent" else _exact_knn
    # Ask for one more neighbour than needed so that dropping the node itself still leaves k.
    k_ask = min(k + 1, len(cand_idx))
    neighbours, distances = search(features[cand_idx], features[query_idx], k_ask, rng)
    neighbours = cand_idx[neighbours]
    not_self = neighbours != query_idx[:, None]
    rows, cols, vals = _first_k_per_row(query_idx, neighbours, distances, not_self, k)
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


def _exact_knn(data: np.ndarray, query: np.ndarray, k: int,
               rng: object) -> tuple[np.ndarray, np.ndarray]:
    """Exact kNN: a k-d tree in low dimension, blocked brute force (BLAS) above."""
    if data.shape[1] <= 16:
        # Imported here: scipy.spatial costs a fresh process 50 ms that image inpainting never uses.
        from scipy.spatial import cKDTree

        distances, neighbours = cKDTree(data).query(query, k=k)
        return neighbours.reshape(len(query), k), distances.reshape(len(query), k)
    data = data.astype(np.float64, copy=False)
    data_sq = np.einsum("ij,ij->i", data, data)
    block = max(1, int(2**26 // max(len(data), 1)))  # keep each distance block near 512 MB
    neighbours = np.empty((len(query), k), dtype=np.intp)
    distances = np.empty((len(query), k))
    for start in range(0, len(query), block):
        chunk = query[start:start + block].astype(np.float64, copy=False)
        squared = (data_sq[None, :] - 2.0 * chunk @ data.T
                   + np.einsum("ij,ij->i", chunk, chunk)[:, None])
        part = np.argpartition(squared, k - 1, axis=1)[:, :k]
        part_sq = np.take_along_axis(squared, part, axis=1)
        order = np.argsort(part_sq, axis=1)
        neighbours[start:start + block] = np.take_along_axis(part, order, axis=1)
        distances[start:start + block] = np.sqrt(np.maximum(
            np.take_along_axis(part_sq, order, axis=1), 0.0))
    return neighbours, distances


def _nndescent_knn(data: np.ndarray, query: np.ndarray, k: int,
                   rng: np.random.Generator | int | None) -> tuple[np.ndarray, np.ndarray]:
    """Approximate kNN with pynndescent, imported lazily: its first index compiles for ~20 s."""
    try:
        from pynndescent import NNDescent
    except ImportError as error:  # pragma: no cover - pynndescent is a core dependency
        raise ImportError(
            "backend='nndescent' needs pynndescent: install it with 'pip install pynndescent'."
        ) from error
    seed = int(np.random.default_rng(rng).integers(2**31 - 1))
    index = NNDescent(data, n_neighbors=max(k, 15), random_state=seed, low_memory=True)
    neighbours, distances = index.query(query, k=k)
    return neighbours, distances.astype(np.float64)


def _first_k_per_row(query_idx: np.ndarray, neighbours: np.ndarray, distances: np.ndarray,
                     keep: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """COO triplets of the first ``k`` kept neighbours of each query."""
    keep = keep & (np.cumsum(keep, axis=1) <= k)
    rows = np.broadcast_to(query_idx[:, None], neighbours.shape)[keep]
    return rows, neighbours[keep], distances[keep]
