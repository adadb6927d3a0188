"""The layers' and rounds' weighted graphs in one pass, from the search kernels' matches.

The graph of a layer or round is the Gaussian weight of each patch match (relative: a query's
best match weighs 1), symmetrised by the larger of the two directions, joined by the larger of
it and the grid edges from each query to its filled 4-neighbours (the grid weight) and to its
query 4-neighbours (twice it). Built with SciPy that took a distance graph (COO to CSR and a
sort), a transpose and an elementwise maximum, a re-indexing onto the grid's nodes, a second
COO to CSR and maximum: 1.7 s of the calling thread at 4096^2 with scratches. Here each edge
is written once into its two rows and each row sorted on its own; a maximum does not depend on
the order it is taken in, so the matrix is the same to the bit (``tests/test_match_graph.py``
compares it with that composition).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from ._edges import row_sums
from ._kernel_threads import on_threads_for
from .graph import PixelGraph, _Matches, _node_positions, _union_of_pixels

# Rows up to this long are sorted by insertion (most: k matches, a few back, 4 grid edges).
_INSERTION_MAX = 32
# Fewer rows than this are merged and split on one thread (``_kernel_threads``): at most a few
# milliseconds of work (18k rows: 3 ms), less than waking numba's threads costs beside other
# work.
PARALLEL_ROWS = 65_536


def weighted_match_graph(matches: _Matches, bandwidth: float, filled: np.ndarray,
                         grid_weight: float) -> PixelGraph:
    """The symmetric weights of ``matches`` with their grid edges (see the module's text).

    ``filled``: (H, W) bool, the pixels a query's grid edges may join besides other queries.
    """
    shape, queries = matches.shape, matches.queries
    found = matches.neighbours >= 0
    partners = matches.neighbours[found]
    owners = np.repeat(queries, np.count_nonzero(found, axis=1))
    grid_from, grid_to, grid_weights = _grid_edges(queries, filled, shape, grid_weight)
    nodes = _union_of_pixels(shape[0] * shape[1], queries, partners, grid_to)
    rows, cols = (positions.astype(_index_dtype(len(nodes)), copy=False) for positions in
                  _node_positions(nodes, shape, np.concatenate([owners, queries[grid_from]]),
                                  np.concatenate([partners, grid_to])))
    weights = np.concatenate([_relative_gaussian(matches.distances[found], found, bandwidth),
                              grid_weights])
    indptr, indices, data = _symmetric_max_csr(len(nodes), rows, cols, weights)
    matrix = sp.csr_matrix((data, indices, indptr), shape=(len(nodes), len(nodes)))
    return PixelGraph(matrix, nodes, shape)


def match_rows(matches: _Matches, bandwidth: float, filled: np.ndarray, grid_weight: float
               ) -> tuple[sp.csr_matrix, np.ndarray]:
    """The queries' rows of :func:`weighted_match_graph`'s matrix, the same to the bit, and
    its nodes: ``(rows, nodes)``, ``rows`` (queries, nodes) in the queries' order.

    All a p = 2 solve needs when the queries are its unknowns: ``L_AA`` and ``W_AB`` are cut
    from these rows (:func:`graphinpaint._edges.dirichlet_blocks_of_rows`). The rows of the
    other nodes (their edges back to the queries: about half the entries) are never made.
    """
    shape, queries = matches.shape, matches.queries
    found = matches.neighbours >= 0
    partners = matches.neighbours[found]
    grid_from, grid_to, grid_weights = _grid_edges(queries, filled, shape, grid_weight)
    nodes = _union_of_pixels(shape[0] * shape[1], queries, partners, grid_to)
    index_dtype = _index_dtype(len(nodes))
    query_nodes, partner_nodes, grid_nodes = (
        positions.astype(index_dtype, copy=False)
        for positions in _node_positions(nodes, shape, queries, partners, grid_to))
    weights = _relative_gaussian(matches.distances[found], found, bandwidth)
    # A match of query i to query j is also an edge of row j (whose rank is found from its
    # node); grid edges between queries are made from both ends already.
    rank = np.full(len(nodes), -1, dtype=np.int64)
    rank[query_nodes] = np.arange(len(queries))
    sources = (np.count_nonzero(found, axis=1), partner_nodes, weights, grid_from, grid_nodes,
               grid_weights, rank, query_nodes)
    starts = _query_bucket_starts(*sources)
    targets = np.empty(starts[-1], dtype=index_dtype)
    values = np.empty(starts[-1])
    _query_buckets(starts, *sources, targets, values)
    indptr, indices, data = _compacted(starts, targets, values,
                                       _merged_rows(starts, targets, values))
    return sp.csr_matrix((data, indices, indptr), shape=(len(queries), len(nodes))), nodes


def _index_dtype(n: int) -> type:
    """int32 where it holds every node (the index image's dtype, ``graph._node_index``): the
    compiled steps then see one dtype whatever the graph's size (no second compilation)."""
    return np.int32 if n < 2**31 else np.int64


def _relative_gaussian(distances: np.ndarray, found: np.ndarray, bandwidth: float) -> np.ndarray:
    """``exp(-(d**2 - min d**2) / h**2)`` of each found match, the minimum over its query's
    matches: :func:`graphinpaint.weights.gaussian` with ``relative=True``, the same arithmetic
    on a contiguous float64 array."""
    squared = distances.astype(np.float64) ** 2
    counts = np.count_nonzero(found, axis=1)
    matched = counts > 0
    starts = (np.cumsum(counts) - counts)[matched]
    minima = np.minimum.reduceat(squared, starts) if squared.size else squared
    squared = squared - np.repeat(minima, counts[matched])
    return np.exp(-squared / bandwidth ** 2)


def _grid_edges(queries: np.ndarray, filled: np.ndarray, shape: tuple[int, int],
                weight: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each query's 4-neighbours that are filled (``weight``) or queries (twice it: the edge
    is made from both ends and summed, as the SciPy composition before did), as (the query's
    rank in ``queries``, the neighbour's pixel, the weight).

    They tie every query to a known value even where matching found nothing, so that no hole
    component is cut off from the boundary. The doubled weight between queries is the one the
    defaults were measured with: at the given weight the graph solution lost 0.03 to 0.26 dB on
    every 90% random-loss case (``benchmarks/reweighting_90.py``)."""
    height, width = shape
    ys, xs = np.divmod(queries, width)
    is_query = np.zeros(height * width, dtype=bool)
    is_query[queries] = True
    sources, targets = [], []
    for dy, dx in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        ny, nx = ys + dy, xs + dx
        inside = (ny >= 0) & (ny < height) & (nx >= 0) & (nx < width)
        sources.append(np.flatnonzero(inside))
        targets.append(ny[inside] * width + nx[inside])
    sources, targets = np.concatenate(sources), np.concatenate(targets)
    between_queries = is_query[targets]
    keep = between_queries | filled.ravel()[targets]
    values = np.where(between_queries[keep], weight + weight, weight)
    return sources[keep], targets[keep], values


def _symmetric_max_csr(n: int, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays of the symmetric matrix whose (i, j) entry is the largest weight given to
    the edge (i, j) in either direction; entries of weight 0 are left out."""
    return _max_csr(n, np.concatenate([rows, cols]), np.concatenate([cols, rows]),
                    np.concatenate([weights, weights]))


def _max_csr(n: int, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays of the n-row matrix whose (i, j) entry is the largest of the weights given
    to it; entries of weight 0 are left out. The rows are merged where they were bucketed,
    moved up in place and the arrays shrunk: no second pair of arrays to touch (their pages
    cost as much as the work)."""
    starts = _bucket_starts(n, rows)
    targets = np.empty(starts[-1], dtype=_index_dtype(n))
    values = np.empty(starts[-1])
    _bucket(starts, rows, cols, weights, targets, values)
    return _compacted(starts, targets, values, _merged_rows(starts, targets, values))


def _compacted(starts: np.ndarray, targets: np.ndarray, values: np.ndarray,
               kept: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays from rows merged at their buckets' starts (``kept`` entries each): moved up
    in place and the arrays shrunk (realloc: no copy, no second pair of arrays to touch)."""
    indptr = np.zeros(len(kept) + 1, dtype=np.int64)
    np.cumsum(kept, out=indptr[1:])
    _move_up(starts, targets, values, indptr)
    for array in (targets, values):
        array.resize(indptr[-1], refcheck=False)
    return indptr, targets, values


@njit(cache=True, nogil=True)
def _bucket_starts(n, rows):  # pragma: no cover - compiled by numba
    """Where each row's bucket starts."""
    starts = np.zeros(n + 1, np.int64)
    for e in range(rows.shape[0]):
        starts[rows[e] + 1] += 1
    return _summed_up(starts)


@njit(cache=True, nogil=True)
def _summed_up(starts):  # pragma: no cover - compiled by numba
    """Bucket sizes (each at the entry after its bucket's) into bucket starts, in place."""
    for i in range(starts.shape[0] - 1):
        starts[i + 1] += starts[i]
    return starts


@njit(cache=True, nogil=True)
def _bucket(starts, rows, cols, weights, targets, values):  # pragma: no cover - numba
    """Each entry (i, j, w) written into row i as (j, w), unsorted within the rows."""
    fill = starts[:-1].copy()
    for e in range(rows.shape[0]):
        i = rows[e]
        targets[fill[i]], values[fill[i]] = cols[e], weights[e]
        fill[i] += 1


@njit(cache=True, nogil=True)
def _query_bucket_starts(counts, partners, weights, grid_from, grid_nodes, grid_weights, rank,
                         query_nodes):  # pragma: no cover - compiled by numba
    """Where each query's bucket starts in :func:`_query_buckets`."""
    n = counts.shape[0]
    starts = np.zeros(n + 1, np.int64)
    e = 0
    for i in range(n):
        starts[i + 1] += counts[i]
        for _ in range(counts[i]):
            back = rank[partners[e]]
            if back >= 0:
                starts[back + 1] += 1
            e += 1
    for g in range(grid_from.shape[0]):
        starts[grid_from[g] + 1] += 1
    return _summed_up(starts)


@njit(cache=True, nogil=True)
def _query_buckets(starts, counts, partners, weights, grid_from, grid_nodes, grid_weights,
                   rank, query_nodes, targets, values):  # pragma: no cover - numba
    """Each query's row, unsorted: its matches (``counts[i]`` of ``partners``, the queries'
    matches in order), the matches of other queries to it (``rank`` of a node: its query's
    row, -1 for none) and its grid edges."""
    fill = starts[:-1].copy()
    e = 0
    for i in range(counts.shape[0]):
        for _ in range(counts[i]):
            node, weight = partners[e], weights[e]
            targets[fill[i]], values[fill[i]] = node, weight
            fill[i] += 1
            back = rank[node]
            if back >= 0:
                targets[fill[back]], values[fill[back]] = query_nodes[i], weight
                fill[back] += 1
            e += 1
    for g in range(grid_from.shape[0]):
        i = grid_from[g]
        targets[fill[i]], values[fill[i]] = grid_nodes[g], grid_weights[g]
        fill[i] += 1


def _merged_rows(starts: np.ndarray, targets: np.ndarray, values: np.ndarray) -> np.ndarray:
    """:func:`_merge_rows` on one thread for fewer than ``PARALLEL_ROWS`` rows."""
    return on_threads_for(len(starts) - 1, PARALLEL_ROWS, _merge_rows, starts, targets, values)


@njit(parallel=True, cache=True, nogil=True)
def _merge_rows(starts, targets, values):  # pragma: no cover - compiled by numba
    """Sort each row by column in place, keep the largest weight of each column at the row's
    start, and return how many columns of positive weight each row keeps. Parallel over rows,
    each row's work its own: the result does not depend on the number of threads."""
    n = starts.shape[0] - 1
    kept = np.zeros(n, np.int64)
    for i in prange(n):
        lo, hi = starts[i], starts[i + 1]
        if hi - lo <= _INSERTION_MAX:
            _insertion_sort(targets, values, lo, hi)
        else:
            order = np.argsort(targets[lo:hi], kind="mergesort")
            targets[lo:hi] = targets[lo:hi][order]
            values[lo:hi] = values[lo:hi][order]
        out = lo
        e = lo
        while e < hi:
            column, largest = targets[e], values[e]
            e += 1
            while e < hi and targets[e] == column:
                largest = max(largest, values[e])
                e += 1
            if largest > 0:
                targets[out], values[out] = column, largest
                out += 1
        kept[i] = out - lo
    return kept


@njit(cache=True, nogil=True)
def _insertion_sort(targets, values, lo, hi):  # pragma: no cover - compiled by numba
    for e in range(lo + 1, hi):
        column, value = targets[e], values[e]
        f = e - 1
        while f >= lo and targets[f] > column:
            targets[f + 1], values[f + 1] = targets[f], values[f]
            f -= 1
        targets[f + 1], values[f + 1] = column, value


@njit(cache=True, nogil=True)
def _move_up(starts, targets, values, indptr):  # pragma: no cover - compiled by numba
    """Move each row's kept entries from its bucket's start to its place in the CSR arrays
    (never to the right of where they are: rows in order, in place)."""
    for i in range(indptr.shape[0] - 1):
        src, dst = starts[i], indptr[i]
        if src == dst:
            continue
        for e in range(indptr[i + 1] - dst):
            targets[dst + e] = targets[src + e]
            values[dst + e] = values[src + e]


def query_blocks(rows: sp.csr_matrix, known: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(L_AA, W_AB)`` of :func:`match_rows`' rows, the unknowns being the queries:
    :func:`graphinpaint._edges.dirichlet_blocks_of_rows` to the bit (the degrees are its
    row sums), each row split once by its columns instead of two column slicings and a
    difference of sparse matrices (0.17 s a round at 4096^2)."""
    degree = row_sums(rows)
    unknown_before = np.cumsum(~known) - ~known          # unknown nodes before each node
    lengths = np.diff(rows.indptr)
    to_unknown = on_threads_for(len(lengths), PARALLEL_ROWS, _unknown_counts, rows.indptr,
                                rows.indices, known)
    l_indptr = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(to_unknown + 1, out=l_indptr[1:])
    w_indptr = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths - to_unknown, out=w_indptr[1:])
    l_indices = np.empty(l_indptr[-1], rows.indices.dtype)
    l_data = np.empty(l_indptr[-1])
    w_indices = np.empty(w_indptr[-1], rows.indices.dtype)
    w_data = np.empty(w_indptr[-1])
    on_threads_for(len(lengths), PARALLEL_ROWS, _split_rows, rows.indptr, rows.indices,
                   rows.data, known, unknown_before, degree, l_indptr, l_indices, l_data,
                   w_indptr, w_indices, w_data)
    size_a, size_b = len(lengths), len(known) - len(lengths)
    return (sp.csr_matrix((l_data, l_indices, l_indptr), shape=(size_a, size_a)),
            sp.csr_matrix((w_data, w_indices, w_indptr), shape=(size_a, size_b)))


@njit(parallel=True, cache=True, nogil=True)
def _unknown_counts(indptr, indices, known):  # pragma: no cover - compiled by numba
    """How many of each row's columns are unknown nodes."""
    counts = np.zeros(indptr.shape[0] - 1, np.int64)
    for i in prange(indptr.shape[0] - 1):
        for e in range(indptr[i], indptr[i + 1]):
            counts[i] += not known[indices[e]]
    return counts


@njit(parallel=True, cache=True, nogil=True)
def _split_rows(indptr, indices, data, known, unknown_before, degree, l_indptr, l_indices,
                l_data, w_indptr, w_indices, w_data):  # pragma: no cover - compiled by numba
    """Row i's edges to unknown node j as ``-w`` at column ``rank(j)`` of L_AA, with the
    degree on the diagonal in column order; its edges to known node j as ``w`` at column
    ``j - (unknown nodes before j)`` of W_AB."""
    for i in prange(indptr.shape[0] - 1):
        out_l, out_w, diagonal_done = l_indptr[i], w_indptr[i], False
        for e in range(indptr[i], indptr[i + 1]):
            node = indices[e]
            if known[node]:
                w_indices[out_w], w_data[out_w] = node - unknown_before[node], data[e]
                out_w += 1
                continue
            column = unknown_before[node]
            if not diagonal_done and column > i:
                l_indices[out_l], l_data[out_l] = i, degree[i]
                out_l += 1
                diagonal_done = True
            l_indices[out_l], l_data[out_l] = column, -data[e]
            out_l += 1
        if not diagonal_done:
            l_indices[out_l], l_data[out_l] = i, degree[i]
