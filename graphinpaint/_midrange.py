"""Compiled per-node averages on a CSR graph: the weighted mean and the weighted midrange of a
node's neighbours, shared by the game p-Laplacian (:func:`graphinpaint.operators.game_p_laplacian`)
and its Dirichlet solver (:mod:`graphinpaint.solvers.game`).

The weighted midrange of neighbour values ``f_v`` with scales ``s_v = sqrt(w(u, v))`` is the
``x`` that minimises ``max_v s_v |f_v - x|``, where the infinity-Laplacian of
:func:`graphinpaint.operators.infinity_laplacian` vanishes. With equal scales it is
``(max f_v + min f_v) / 2``.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def uniform_rows(indptr: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per node: True when all its positive edge weights are equal (its midrange is then the
    plain ``(max + min) / 2``, in O(degree) instead of O(degree**2))."""
    rows = np.repeat(np.arange(indptr.size - 1), np.diff(indptr))
    positive = weights > 0
    largest = np.full(indptr.size - 1, -np.inf)
    smallest = np.full(indptr.size - 1, np.inf)
    np.maximum.at(largest, rows[positive], weights[positive])
    np.minimum.at(smallest, rows[positive], weights[positive])
    return ~(largest > smallest)


@njit(cache=True, nogil=True)
def node_mean(start, stop, indices, weights, values, c):  # pragma: no cover
    """``sum_v w f_v / sum_v w`` over the edges ``start:stop`` (0 when they weigh nothing)."""
    total = 0.0
    mass = 0.0
    for e in range(start, stop):
        total += weights[e] * values[indices[e], c]
        mass += weights[e]
    return total / mass if mass > 0 else 0.0


@njit(cache=True, nogil=True)
def node_midrange(start, stop, indices, scales, values, c, uniform):  # pragma: no cover
    """The weighted midrange of the neighbours on the edges ``start:stop`` (0 with none).

    ``max_v s_v |f_v - x|`` is the larger of an increasing and a decreasing piecewise-linear
    function of x; its minimum is at the highest of the crossings
    ``x = (s_a f_a + s_b f_b) / (s_a + s_b)``, of height ``s_a s_b |f_a - f_b| / (s_a + s_b)``,
    over the pairs of neighbours: exact, in O(degree**2), or O(degree) when ``uniform``.
    """
    if uniform:
        found = False
        low = 0.0
        high = 0.0
        for e in range(start, stop):
            if scales[e] > 0:
                value = values[indices[e], c]
                if not found:
                    low = value
                    high = value
                    found = True
                low = min(low, value)
                high = max(high, value)
        return (low + high) / 2.0
    best_height = -1.0
    best_x = 0.0
    for a in range(start, stop):
        s_a = scales[a]
        if s_a <= 0:
            continue
        f_a = values[indices[a], c]
        for b in range(a, stop):
            s_b = scales[b]
            if s_b <= 0:
                continue
            f_b = values[indices[b], c]
            height = s_a * s_b * abs(f_a - f_b) / (s_a + s_b)
            if height > best_height:
                best_height = height
                best_x = (s_a * f_a + s_b * f_b) / (s_a + s_b)
    return best_x


@njit(cache=True, nogil=True)
def means_and_midranges(indptr, indices, weights, values, uniform):  # pragma: no cover
    """Weighted means and weighted midranges of every node's neighbours: two (n, c) arrays."""
    n = indptr.size - 1
    channels = values.shape[1]
    means = np.zeros((n, channels))
    midranges = np.zeros((n, channels))
    scales = np.sqrt(weights)
    for u in range(n):
        for c in range(channels):
            means[u, c] = node_mean(indptr[u], indptr[u + 1], indices, weights, values, c)
            midranges[u, c] = node_midrange(indptr[u], indptr[u + 1], indices, scales, values,
                                            c, uniform[u])
    return means, midranges
