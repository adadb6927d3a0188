"""The graph as an edge list, and the kernels behind :mod:`graphinpaint.operators`.

The public operators check their arguments once and call these; the solvers call them directly,
many times per solve (energies, residuals, the Dirichlet blocks of reweighted edges), on weights
they have already checked.
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.sparse as sp

from . import _midrange


class Edges:
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


def edge_list(weights: sp.csr_matrix) -> Edges:
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    return Edges(rows, weights.indices, weights.data, weights.indptr, weights.shape[0])


def dirichlet_blocks_of(weights: sp.csr_matrix, known: np.ndarray
                        ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(L_AA, W_AB)`` of checked weights, sliced by SciPy: the rows of A gathered once, then
    split by column. Four to eight times faster than :class:`Partition`'s edge arrays, which
    the nonlinear solvers need for other edge weights (12M edges: 0.08 s against 0.4-0.8 s)."""
    return dirichlet_blocks_of_rows(weights[np.flatnonzero(~known)], known)


def dirichlet_blocks_of_rows(from_a: sp.csr_matrix, known: np.ndarray
                             ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``(L_AA, W_AB)`` from the rows of the unknown nodes alone, ``from_a`` (|A|, n): all
    the blocks read (the pipeline builds no other rows, ``_match_graph.match_rows``)."""
    l_aa = sp.diags(row_sums(from_a), format="csr") - from_a[:, np.flatnonzero(~known)]
    return sp.csr_matrix(l_aa), from_a[:, np.flatnonzero(known)]


class Partition:
    """The edges split by a partition into unknown A and known B, to build the Dirichlet blocks.

    Built once per partition; :meth:`blocks` then makes ``(L_AA, W_AB)`` for any edge weights
    on the same edges in O(edges), which the nonlinear solvers do at every step.
    """

    def __init__(self, edges: Edges, known: np.ndarray) -> None:
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


def row_sums(weights: sp.csr_matrix) -> np.ndarray:
    return np.asarray(weights.sum(axis=1)).ravel()


def gradient_norm_of(edges: Edges, values: np.ndarray) -> np.ndarray:
    return np.sqrt(squared_gradient_norm(edges, edges.differences(values)))


def squared_gradient_norm(edges: Edges, diff: np.ndarray) -> np.ndarray:
    """``sum_v w(u,v) ||f(v) - f(u)||**2`` per node, from the edge differences (edges, c)."""
    return edges.sum_rows(edges.weights * (diff ** 2).sum(axis=1))


def isotropic_edge_weights(edges: Edges, diff: np.ndarray, p: float,
                            eps: float) -> np.ndarray:
    """``w(u,v) (|grad f(u)|**(p-2) + |grad f(v)|**(p-2)) / 2`` per edge, smoothed by eps: the
    edge weights of the isotropic p-Laplacian (and of its IRLS model)."""
    node_factor = smoothed_power(np.sqrt(squared_gradient_norm(edges, diff)), p - 2, eps)
    return edges.weights * (node_factor[edges.rows] + node_factor[edges.cols]) / 2.0


def p_laplacian_of(edges: Edges, values: np.ndarray, p: float, form: str,
                 eps: float) -> np.ndarray:
    diff = edges.differences(values)
    if p == 2.0:
        return edges.sum_rows(edges.weights[:, None] * diff)
    if form == "anisotropic":
        factor = smoothed_power(np.abs(diff), p - 2, eps)
        return edges.sum_rows(edges.weights[:, None] * factor * diff)
    return edges.sum_rows(isotropic_edge_weights(edges, diff, p, eps)[:, None] * diff)


def infinity_laplacian_of(edges: Edges, values: np.ndarray) -> np.ndarray:
    scaled = np.sqrt(edges.weights)[:, None] * edges.differences(values)
    out = np.zeros((edges.n, values.shape[1]))
    lengths = np.diff(edges.indptr)
    has_edges = lengths > 0
    if scaled.size:
        starts = edges.indptr[:-1][has_edges]
        out[has_edges] = (np.maximum.reduceat(scaled, starts, axis=0)
                          + np.minimum.reduceat(scaled, starts, axis=0))
    return out


def game_p_laplacian_of(edges: Edges, values: np.ndarray, p: float,
                      uniform: np.ndarray) -> np.ndarray:
    """``(1/p) (mean - f) + (1 - 2/p) (mid - f)`` per node, the midrange plain on ``uniform``
    rows (the game solver's residual calls it too)."""
    means, midranges = _midrange.means_and_midranges(edges.indptr, edges.cols, edges.weights,
                                                     np.ascontiguousarray(values), uniform)
    mean_share = 0.0 if np.isinf(p) else 1.0 / p
    return mean_share * (means - values) + (1.0 - 2.0 / p) * (midranges - values)


def p_energy_of(edges: Edges, values: np.ndarray, p: float, form: str, eps: float) -> float:
    if p == 2.0 and eps == 0.0:         # both forms: the Laplacian's quadratic form
        return edges.dirichlet_energy(values)
    diff = edges.differences(values)
    if np.isinf(p):
        return float(np.max(np.sqrt(edges.weights)[:, None] * np.abs(diff), initial=0.0))
    if form == "anisotropic":
        magnitude = np.sqrt(diff ** 2 + eps ** 2) if eps else np.abs(diff)
        return float((edges.weights[:, None] * magnitude ** p).sum() / (2.0 * p))
    squared = squared_gradient_norm(edges, diff)
    return float(((squared + eps ** 2) ** (p / 2.0)).sum() / (2.0 * p))


def dirichlet_residual_of(edges: Edges, known: np.ndarray, values: np.ndarray, p: float,
                        form: str, eps: float) -> np.ndarray:
    if np.isinf(p):
        out = infinity_laplacian_of(edges, values)
    else:
        out = p_laplacian_of(edges, values, p, form, eps)
    out[known] = 0.0
    return out


def smoothed_power(magnitude: np.ndarray, exponent: float, eps: float) -> np.ndarray:
    """``(magnitude**2 + eps**2)**(exponent/2)``, with 0**negative read as 0 (no edge pull)."""
    smoothed = np.sqrt(magnitude ** 2 + eps ** 2) if eps else magnitude
    if exponent >= 0:
        return smoothed ** exponent
    with np.errstate(divide="ignore"):
        return np.where(smoothed > 0, smoothed ** exponent, 0.0)
