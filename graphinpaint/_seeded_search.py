"""The masked patch search from seeds: an approximate
:func:`~graphinpaint._search_kernels.window_knn_kernel` for the inner layers of deep holes.

A pixel of a layer copies its filled neighbours' matches at the same offset (coherence: a
continuation of the structure its neighbours continued, as PatchMatch propagates), so each
query evaluates only the shifts around its seeds (their 8-neighbours too), a small square
around itself, and then the 8-neighbours of its k best until they stop changing (a hill
climb), instead of its whole window.

Distances are summed in the exact kernel's order (:func:`_masked_distance`): a candidate both
find has the same distance to the bit; each query's work is sequential, so the results do not
depend on the number of threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._search_kernels import _LANE_MATH, _SLACK, _insert, _mass_after, _own_mass

# Half side of the square searched around each query besides its seeds: on barbara's blob 2,
# 3 and 5 gave 27.78, 27.76 and 27.79 dB (seeds from layer 12 on).
SEEDED_LOCAL = 3
# Rounds of the hill climb around the k best: each evaluates the unvisited 8-neighbours of the
# k best; it stops earlier once none is left to climb from.
_CLIMBS = 4


@njit(parallel=True, cache=True, fastmath=_LANE_MATH, nogil=True)
def seeded_knn_kernel(planes, conf, qy, qx, radius, candidates, patch_size, k, min_overlap,
                      exclude_self, seeds, local):  # pragma: no cover - compiled by numba
    """Masked patch kNN in windows from seeds: ``seeds`` (n, S) flat pixel indices (-1 = none),
    ``local`` the half side of the square searched around each query. Same other arguments
    and output as ``window_knn_kernel`` with ``base, stride, taps = 0, 1, patch_size``."""
    n = qy.shape[0]
    out_idx = np.full((n, k), -1, np.int64)
    out_sq = np.full((n, k), np.inf, planes.dtype)
    for i in prange(n):
        _seeded_query(planes, conf, qy[i], qx[i], radius[i], candidates, patch_size,
                      min_overlap, exclude_self, seeds[i], local, out_sq[i], out_idx[i])
    return out_idx, out_sq


@njit(cache=True, nogil=True, fastmath=_LANE_MATH)
def _seeded_query(planes, conf, y0, x0, r, candidates, patch, min_overlap, exclude_self,
                  seeds, local, best_sq, best_idx):  # pragma: no cover - compiled by numba
    """One query: the square around it, its seeds' neighbourhoods, then the hill climb."""
    width = candidates.shape[1]
    own_mass = _own_mass(conf, y0, x0, 0, 1, patch)
    if own_mass <= 0:
        return
    after = _mass_after(planes, conf, y0, x0, 0, 1, patch)
    min_mass = min_overlap * own_mass
    side = 2 * r + 1
    seen = np.zeros(side * side, np.bool_)      # shifts evaluated, window-relative
    _search_around(planes, conf, y0, x0, r, candidates, patch, after, min_mass, exclude_self,
                   y0 * width + x0, local, seen, best_sq, best_idx)
    for seed in seeds:
        if seed >= 0:
            _search_around(planes, conf, y0, x0, r, candidates, patch, after, min_mass,
                           exclude_self, seed, 1, seen, best_sq, best_idx)
    k = best_sq.shape[0]
    climbed = np.full(k, -1, np.int64)
    for _ in range(_CLIMBS):
        moved = False
        for j in range(k):
            if best_idx[j] < 0 or _contains(climbed, best_idx[j]):
                continue
            climbed[j] = best_idx[j]
            moved = True
            _search_around(planes, conf, y0, x0, r, candidates, patch, after, min_mass,
                           exclude_self, best_idx[j], 1, seen, best_sq, best_idx)
        if not moved:
            break


@njit(cache=True, nogil=True)
def _contains(values, value):  # pragma: no cover - compiled by numba
    """Whether ``value`` is among ``values``."""
    for v in values:
        if v == value:
            return True
    return False


@njit(cache=True, nogil=True, fastmath=_LANE_MATH)
def _search_around(planes, conf, y0, x0, r, candidates, patch, after, min_mass, exclude_self,
                   centre, reach, seen, best_sq, best_idx):  # pragma: no cover - numba
    """Evaluate the shifts within ``reach`` (Chebyshev) of pixel ``centre`` that lie in the
    query's window and were not seen yet, inserting them into the k best."""
    height, width = candidates.shape
    channels = planes.shape[0]
    k = best_sq.shape[0]
    side = 2 * r + 1
    cy, cx = centre // width, centre % width
    for y in range(max(cy - reach, y0 - r, 0), min(cy + reach, y0 + r, height - 1) + 1):
        for x in range(max(cx - reach, x0 - r, 0), min(cx + reach, x0 + r, width - 1) + 1):
            cell = (y - y0 + r) * side + (x - x0 + r)
            if seen[cell]:
                continue
            seen[cell] = True
            if not candidates[y, x] or (exclude_self and y == y0 and x == x0):
                continue
            sq = _masked_distance(planes, conf, y0, x0, y, x, patch, after, min_mass,
                                  best_sq[k - 1] * channels * _SLACK)
            if sq <= best_sq[k - 1] and sq < np.inf:        # inf: out of reach
                _insert(best_sq, best_idx, sq, y * width + x, width, y0, x0)


@njit(cache=True, nogil=True, fastmath=_LANE_MATH)
def _masked_distance(planes, conf, y0, x0, y, x, patch, after, min_mass,
                     limit):  # pragma: no cover - compiled by numba
    """One candidate's squared masked distance, summed as the exact kernel's lanes sum it; inf
    once it cannot come within ``limit`` (the k-th best x channels, with slack) or reach
    ``min_mass``."""
    channels = planes.shape[0]
    dtype = planes.dtype.type
    total = dtype(0.0)
    mass = dtype(0.0)
    for t in range(patch):
        summed = False
        for s in range(patch):
            q_conf = conf[y0 + t, x0 + s]
            if q_conf == 0:
                continue
            summed = True
            w = q_conf * conf[y + t, x + s]
            mass += w
            for c in range(channels):
                d = planes[c, y0 + t, x0 + s] - planes[c, y + t, x + s]
                total += w * d * d
        if summed:
            most = mass + after[t]
            if total > limit * most or most < min_mass / _SLACK:
                return np.inf
    if mass <= 0 or mass < min_mass:
        return np.inf
    return total / dtype(mass * channels)


# The 8-neighbour offsets (dy, dx), in the order of the seeds' blocks.
_NEIGHBOURS = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def seeds_from_neighbours(queries: np.ndarray, matches: np.ndarray, hole_pixels: np.ndarray,
                          shape: tuple[int, int]) -> np.ndarray:
    """Each query's seeds: the matches of its 8-neighbours in the hole (``matches``: (n, k)
    flat pixel indices per pixel of ``hole_pixels``, sorted; -1 = none) moved by the offset
    from that neighbour to the query; (queries, 8 k), one block of k per neighbour offset, -1
    where there is none or it falls outside the image."""
    return _seeds_kernel(np.asarray(queries, np.int64), np.asarray(matches, np.int64),
                         np.asarray(hole_pixels, np.int64), *shape)


def next_to(pixels: np.ndarray, others: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Which of ``pixels`` (flat indices into ``shape``) have an 8-neighbour among
    ``others``."""
    return _next_to_kernel(np.asarray(pixels, np.int64), np.sort(np.asarray(others, np.int64)),
                           *shape)


@njit(cache=True, nogil=True)
def _seeds_kernel(queries, matches, hole_pixels, height, width):  # pragma: no cover - numba
    """:func:`seeds_from_neighbours`, compiled: a binary search per neighbour instead of
    NumPy passes over all queries for each offset (a twentieth of the layers' calling
    thread on barbara)."""
    k = matches.shape[1]
    seeds = np.full((queries.shape[0], 8 * k), -1, np.int64)
    for i in range(queries.shape[0]):
        y, x = queries[i] // width, queries[i] % width
        for d in range(8):
            dy, dx = _NEIGHBOURS[d]
            row = _row_of(hole_pixels, y + dy, x + dx, height, width)
            if row < 0:
                continue
            for j in range(k):
                match = matches[row, j]
                if match < 0:
                    continue
                sy, sx = match // width - dy, match % width - dx
                if 0 <= sy < height and 0 <= sx < width:
                    seeds[i, d * k + j] = sy * width + sx
    return seeds


@njit(cache=True, nogil=True)
def _next_to_kernel(pixels, others, height, width):  # pragma: no cover - compiled by numba
    """:func:`next_to`, compiled; ``others`` sorted."""
    near = np.zeros(pixels.shape[0], np.bool_)
    for i in range(pixels.shape[0]):
        y, x = pixels[i] // width, pixels[i] % width
        for d in range(8):
            dy, dx = _NEIGHBOURS[d]
            if _row_of(others, y + dy, x + dx, height, width) >= 0:
                near[i] = True
                break
    return near


@njit(cache=True, nogil=True)
def _row_of(sorted_pixels, y, x, height, width):  # pragma: no cover - compiled by numba
    """Where pixel (y, x) is in ``sorted_pixels`` (flat indices), -1 if it is not there or
    outside the image."""
    if not (0 <= y < height and 0 <= x < width):
        return -1
    pixel = y * width + x
    row = np.searchsorted(sorted_pixels, pixel)
    if row < sorted_pixels.shape[0] and sorted_pixels[row] == pixel:
        return row
    return -1
