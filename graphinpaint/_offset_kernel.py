"""The offset-major search kernel of :class:`graphinpaint.graph.PatchSearch`: full patches,
work shared between neighbouring queries (see :func:`offset_knn_kernel`), and its tiles.

Same conventions as :mod:`graphinpaint._search_kernels` (padded channel-first planes, ranking
by distance, then nearness, then index); parallel over tiles only, so results do not depend on
the number of threads, nor on the tiles' size.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._search_kernels import _SLACK, _insert, _outward


# Vectors of the offset kernel are whole multiples of this many values (AVX-512 float32).
_LANES = 16


@njit(parallel=True, cache=True, nogil=True)
def offset_knn_kernel(planes, conf, qy, qx, radius, candidates, patch_size, k, min_overlap,
                      exclude_self, uniform_conf, tile_order, tile_start):  # pragma: no cover
    """Masked kNN of full patches (stride 1) that shares work between neighbouring queries;
    the same result as :func:`graphinpaint._search_kernels.window_knn_kernel` up to float
    rounding.

    For an offset d = (ey, ex) the masked distance of every query q to q + d is a box sum over
    q's patch of ``E_d(p) = conf(p) conf(p + d) |I(p) - I(p + d)|^2`` (the overlap mass a box
    sum of ``conf(p) conf(p + d)``). Queries come in tiles (``tile_order[tile_start[t]:
    tile_start[t + 1]]`` are tile t's). For each window row ey a tile computes ``E_d`` once for
    every pixel of its queries' patches and every ex at once (a vector along the window row,
    as the windowed kernel's), sums the vectors down each patch's rows and then across its
    columns: neighbouring queries share all but a row or column of the work, whatever the
    hole's shape. No early exit. Parallel over tiles, each tile sequential, and no fastmath
    (a sum's rounding must not depend on where it falls in a SIMD vector): results do not
    depend on the number of threads.
    """
    n = qy.shape[0]
    out_idx = np.full((n, k), -1, np.int64)
    out_sq = np.full((n, k), np.inf, planes.dtype)
    for tile in prange(tile_start.shape[0] - 1):
        _offset_tile(planes, conf, qy, qx, radius, candidates, patch_size, k, min_overlap,
                     exclude_self, uniform_conf, tile_order[tile_start[tile]:tile_start[tile + 1]],
                     out_idx, out_sq)
    return out_idx, out_sq


@njit(cache=True, nogil=True, error_model="numpy")
def _offset_tile(planes, conf, qy, qx, radius, candidates, size, k, min_overlap, exclude_self,
                 uniform_conf, members, out_idx, out_sq):  # pragma: no cover - numba
    """One tile of :func:`offset_knn_kernel`: its queries' k best, written into the outputs."""
    channels = planes.shape[0]
    height, width = candidates.shape
    dtype = planes.dtype.type
    # Full confidence: every overlap mass is the patch's (the windowed kernel's own_mass).
    uniform_scale = dtype(dtype(size * size) * channels)
    y_min, y_max, x_min, x_max, reach = height, -1, width, -1, 0
    for i in members:
        y_min, y_max = min(y_min, qy[i]), max(y_max, qy[i])
        x_min, x_max = min(x_min, qx[i]), max(x_max, qx[i])
        reach = max(reach, radius[i])
    rows, cols = y_max - y_min + 1, x_max - x_min + 1
    # Window columns that some query may use: ex_lo + j for j < shifts, rounded up to whole
    # SIMD vectors (the extra columns are computed and ignored: see the windowed kernel).
    ex_lo, ex_hi = max(-reach, -x_max), min(reach, width - 1 - x_min)
    shifts = -(-(ex_hi - ex_lo + 1) // _LANES) * _LANES
    member_at = np.full((rows, cols), -1, np.int64)
    own = np.zeros((rows, cols), planes.dtype)       # each query's confidence mass
    q_lo = np.full(rows, cols, np.int64)         # columns of the queries on each tile row
    q_hi = np.full(rows, -1, np.int64)
    for i in members:
        b, a = qy[i] - y_min, qx[i] - x_min
        q_lo[b], q_hi[b] = min(q_lo[b], a), max(q_hi[b], a)
        member_at[b, a] = i
        for t in range(size):
            for s in range(size):
                own[b, a] += conf[qy[i] + t, qx[i] + s]
    # Columns of the patches' union on each patch row.
    e_lo = np.full(rows + size - 1, cols + size, np.int64)
    e_hi = np.full(rows + size - 1, -1, np.int64)
    for b in range(rows):
        if q_hi[b] < 0:
            continue
        for t in range(size):
            e_lo[b + t] = min(e_lo[b + t], q_lo[b])
            e_hi[b + t] = max(e_hi[b + t], q_hi[b] + size - 1)
    energy = np.zeros((rows + size - 1, cols + size - 1, shifts), planes.dtype)
    overlap = np.zeros((1, 1, 1) if uniform_conf else energy.shape, planes.dtype)
    down = np.empty((cols + size - 1, shifts), planes.dtype)     # sums down one row's patches
    down_mass = np.empty((1, 1) if uniform_conf else down.shape, planes.dtype)
    total = np.empty(shifts, planes.dtype)
    mass = np.empty(shifts, planes.dtype)
    for step in range(2 * reach + 1):
        # Window rows from the queries' own outward: near matches come first, so that the
        # k-th best tightens soon and most vectors then hold no candidate to insert.
        ey = _outward(0, step, -reach, reach + 1)
        # Query rows whose candidate row y + ey lies in the image.
        b_lo, b_hi = max(0, -ey - y_min), min(rows - 1, height - 1 - ey - y_min)
        if b_lo > b_hi:
            continue
        _window_row_energy(planes, conf, y_min, x_min, ey, ex_lo, b_lo, b_hi + size - 1,
                           e_lo, e_hi, uniform_conf, energy, overlap)
        for b in range(b_lo, b_hi + 1):
            if q_hi[b] < 0:
                continue
            _sum_down(energy, b, q_lo[b], q_hi[b] + size - 1, size, down)
            if not uniform_conf:
                _sum_down(overlap, b, q_lo[b], q_hi[b] + size - 1, size, down_mass)
            for a in range(q_lo[b], q_hi[b] + 1):
                i = member_at[b, a]
                if i < 0 or abs(ey) > radius[i]:
                    continue
                y0, x0, r = qy[i], qx[i], radius[i]
                # This query's window columns, as indices into the vectors.
                j_lo = max(-r, -x0) - ex_lo
                j_hi = min(r, width - 1 - x0) - ex_lo
                _sum_across(down, a, size, total)
                if uniform_conf:
                    # The sums against the k-th best times the scale first (with slack for
                    # rounding): the usual case once the k best are close, with no division.
                    if not _any_within(total, j_lo, j_hi,
                                       dtype(out_sq[i, k - 1] * uniform_scale * _SLACK)):
                        continue
                    for j in range(shifts):
                        total[j] = total[j] / uniform_scale
                else:
                    if own[b, a] <= 0:
                        continue
                    _sum_across(down_mass, a, size, mass)
                    _masked_quotients(total, mass, own[b, a], min_overlap, channels)
                    if not _any_within(total, j_lo, j_hi, out_sq[i, k - 1]):
                        continue                # the usual case once the k best are close
                y = y0 + ey
                for j in range(j_lo, j_hi + 1):
                    if not total[j] <= out_sq[i, k - 1]:     # NaN: no candidate
                        continue
                    x = x0 + ex_lo + j
                    if not candidates[y, x] or (exclude_self and ey == 0 and x == x0):
                        continue
                    _insert(out_sq[i], out_idx[i], total[j], y * width + x, width, y0, x0)


@njit(cache=True, nogil=True)
def _window_row_energy(planes, conf, y_min, x_min, ey, ex_lo, row_lo, row_hi, e_lo, e_hi,
                       uniform_conf, energy, overlap):  # pragma: no cover - compiled by numba
    """``E_d`` for d = (ey, ex_lo + j), every j, at each pixel of the tile's patches on patch
    rows [row_lo, row_hi] (padded position (y_min + row, x_min + col)); masked, also the
    weights ``conf(p) conf(p + d)``. Shifts past the padded image are left as they were (no
    query of the tile uses them)."""
    channels, shifts = planes.shape[0], energy.shape[2]
    padded_width = planes.shape[2]
    for row in range(row_lo, row_hi + 1):
        y = y_min + row
        for col in range(e_lo[row], e_hi[row] + 1):
            x = x_min + col
            first = max(0, x + ex_lo)                   # padded column of shift j_lo
            j_lo = max(0, first - (x + ex_lo))         # max(0, .): it vectorises
            count = min(shifts, padded_width - x - ex_lo) - j_lo
            e = energy[row, col]
            if uniform_conf:
                weight = planes.dtype.type(1.0)
            else:
                weight = conf[y, x]
                if weight == 0:                          # unknown here: no term
                    o = overlap[row, col]
                    for j in range(count):
                        e[j_lo + j] = 0
                        o[j_lo + j] = 0
                    continue
            if channels == 3:                            # colour: one pass, in registers
                v0, v1, v2 = planes[0, y, x], planes[1, y, x], planes[2, y, x]
                r0, r1, r2 = planes[0, y + ey], planes[1, y + ey], planes[2, y + ey]
                for j in range(count):
                    d0 = v0 - r0[first + j]
                    d1 = v1 - r1[first + j]
                    d2 = v2 - r2[first + j]
                    e[j_lo + j] = d0 * d0 + d1 * d1 + d2 * d2
            else:
                for j in range(count):
                    e[j_lo + j] = 0
                for c in range(channels):
                    value = planes[c, y, x]
                    c_row = planes[c, y + ey]
                    for j in range(count):
                        d = value - c_row[first + j]
                        e[j_lo + j] += d * d
            if not uniform_conf:
                o = overlap[row, col]
                c_conf = conf[y + ey]
                for j in range(count):
                    o[j_lo + j] = weight * c_conf[first + j]
                    e[j_lo + j] *= o[j_lo + j]


@njit(cache=True, nogil=True)
def _sum_down(values, b, lo, hi, size, down):  # pragma: no cover - compiled by numba
    """``down[a] = sum_t values[b + t, a]`` (vectors) for columns a in [lo, hi], t in patch
    order."""
    shifts = values.shape[2]
    lo = max(0, lo)
    for a in range(lo, hi + 1):
        out = down[a]
        first = values[b, a]
        for j in range(shifts):
            out[j] = first[j]
        for t in range(1, size):
            row = values[b + t, a]
            for j in range(shifts):
                out[j] += row[j]


@njit(cache=True, nogil=True)
def _sum_across(down, a, size, out):  # pragma: no cover - compiled by numba
    """``out = sum_s down[a + s]`` (vectors), s in patch order."""
    shifts = out.shape[0]
    a = max(0, a)
    first = down[a]
    for j in range(shifts):
        out[j] = first[j]
    for s in range(1, size):
        row = down[a + s]
        for j in range(shifts):
            out[j] += row[j]


@njit(cache=True, nogil=True)
def _any_within(values, lo, hi, bound):  # pragma: no cover - compiled by numba
    """Whether any of ``values[lo:hi + 1]`` is <= ``bound`` (a count: it vectorises)."""
    lo = max(0, lo)
    count = 0
    for j in range(hi - lo + 1):
        count += values[lo + j] <= bound
    return count > 0


@njit(cache=True, nogil=True, error_model="numpy")
def _masked_quotients(total, mass, own_mass, min_overlap, channels):  # pragma: no cover
    """Squared RMS distances from sums and overlap masses, in place; NaN (ranks nowhere) where
    the overlap is too small."""
    dtype = total.dtype.type
    for j in range(total.shape[0]):
        m = mass[j]
        total[j] = total[j] / dtype(m * channels) \
            if m > 0 and m >= min_overlap * own_mass else np.nan


@njit(cache=True, nogil=True)
def tile_patch_pixels(qy, qx, tile_order, tile_start, size):  # pragma: no cover - numba
    """How many pixels :func:`offset_knn_kernel` computes ``E_d`` at, over all tiles: the
    span of the queries' patches on each patch row of each tile (its work per offset)."""
    total = 0
    for tile in range(tile_start.shape[0] - 1):
        members = tile_order[tile_start[tile]:tile_start[tile + 1]]
        y_min, y_max = qy[members[0]], qy[members[0]]
        for i in members:
            y_min, y_max = min(y_min, qy[i]), max(y_max, qy[i])
        rows = y_max - y_min + 1
        q_lo = np.full(rows, np.iinfo(np.int64).max, np.int64)
        q_hi = np.full(rows, np.iinfo(np.int64).min, np.int64)
        for i in members:
            b = qy[i] - y_min
            q_lo[b], q_hi[b] = min(q_lo[b], qx[i]), max(q_hi[b], qx[i])
        for row in range(rows + size - 1):
            lo, hi = np.iinfo(np.int64).max, np.iinfo(np.int64).min
            for b in range(max(0, row - size + 1), min(rows, row + 1)):
                lo, hi = min(lo, q_lo[b]), max(hi, q_hi[b])
            if hi >= lo:
                total += hi - lo + size
    return total


def query_tiles(qy: np.ndarray, qx: np.ndarray, rows: int = 16,
                cols: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """Group queries into tiles of ``rows`` x ``cols`` pixels for :func:`offset_knn_kernel`:
    (the queries' order by tile, where each tile starts in it); nonempty tiles only."""
    key = (qy // rows) * (int(qx.max(initial=0)) // cols + 1) + qx // cols
    order = np.argsort(key, kind="stable")
    bounds = np.flatnonzero(np.diff(key[order])) + 1
    start = np.concatenate(([0], bounds, [len(key)])) if len(key) else np.zeros(1, np.int64)
    return order.astype(np.int64), start.astype(np.int64)
