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
def node_midrange(start, stop, indices, scales, column, uniform):  # pragma: no cover
    """The weighted midrange of the neighbour values ``column`` (n,) on the edges
    ``start:stop`` (0 with none).

    With ``uniform`` scales it is ``(max + min) / 2``. Otherwise it is the root of
    ``g(x) = U(x) - D(x)``, ``U(x) = max_v s_v (x - f_v)`` increasing and
    ``D(x) = max_v s_v (f_v - x)`` decreasing, both piecewise linear: Newton's step (the
    crossing of the two lines active at ``x``) inside a bracket that bisection keeps, which
    ends in a few O(degree) passes once the active lines are those of the root (exact, where
    the crossing of every pair would cost O(degree**2)).
    """
    low = np.inf
    high = -np.inf
    for e in range(start, stop):
        if scales[e] > 0:
            low = min(low, column[indices[e]])
            high = max(high, column[indices[e]])
    if high < low:
        return 0.0
    x = (low + high) / 2.0
    if uniform or high == low:
        return x
    for _ in range(100):
        up = -np.inf
        down = -np.inf
        s_a = f_a = s_b = f_b = 0.0
        for e in range(start, stop):
            s = scales[e]
            if s <= 0:
                continue
            f = column[indices[e]]
            if s * (x - f) > up:
                up, s_a, f_a = s * (x - f), s, f
            if s * (f - x) > down:
                down, s_b, f_b = s * (f - x), s, f
        if up == down:
            return x
        if up < down:
            low = x
        else:
            high = x
        crossing = (s_a * f_a + s_b * f_b) / (s_a + s_b)
        if crossing == x or high - low <= 1e-15 * max(abs(low), abs(high), 1.0):
            return x
        x = crossing if low < crossing < high else (low + high) / 2.0
    return x


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
            midranges[u, c] = node_midrange(indptr[u], indptr[u + 1], indices, scales,
                                            values[:, c], uniform[u])
    return means, midranges
