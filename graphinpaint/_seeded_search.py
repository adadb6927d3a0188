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

from typing import Iterator

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


def seeds_from_neighbours(queries: np.ndarray, matches: np.ndarray, hole_pixels: np.ndarray,
                          shape: tuple[int, int]) -> np.ndarray:
    """Each query's seeds: the matches of its 8-neighbours in the hole (``matches``: (n, k)
    flat pixel indices per pixel of ``hole_pixels``, sorted; -1 = none) moved by the offset
    from that neighbour to the query; (queries, 8 k), -1 where there is none or it falls
    outside the image."""
    height, width = shape
    seeds = []
    for dy, dx, inside, neighbour in neighbour_pixels(queries, shape):
        pixel = np.where(inside, neighbour, 0)
        row = np.minimum(np.searchsorted(hole_pixels, pixel), len(hole_pixels) - 1)
        in_hole = inside & (hole_pixels[row] == pixel)
        found = np.where(in_hole[:, None], matches[row], -1)
        my, mx = np.divmod(found, width)
        sy, sx = my - dy, mx - dx
        valid = (found >= 0) & (sy >= 0) & (sy < height) & (sx >= 0) & (sx < width)
        seeds.append(np.where(valid, sy * width + sx, -1))
    return np.concatenate(seeds, axis=1)


def neighbour_pixels(pixels: np.ndarray, shape: tuple[int, int]
                     ) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """For each 8-neighbour offset ``(dy, dx)``: the offset, which of ``pixels`` (flat
    indices into ``shape``) have that neighbour inside the image, and the neighbours' flat
    indices (meaningless where outside: no wraparound to the next row)."""
    height, width = shape
    y, x = np.divmod(pixels, width)
    for dy, dx in ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)):
        ny, nx = y + dy, x + dx
        yield dy, dx, (ny >= 0) & (ny < height) & (nx >= 0) & (nx < width), ny * width + nx
