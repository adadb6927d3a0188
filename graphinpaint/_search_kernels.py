"""Compiled kernels of the windowed patch search (:class:`graphinpaint.graph.PatchSearch`).

Images come padded and channel-first, ``planes`` (C, H+2h, W+2h) with their confidence ``conf``
(H+2h, W+2h), so that one window row of candidates is a contiguous run and the innermost loops
vectorise. A patch is the set of samples at ``(y + dy, x + dx)`` in padded coordinates with
``dy, dx = base + t * stride`` for ``t < taps``: ``(0, 1, patch_size)`` for full patches, a
coarser lattice for the reduced space.
Every kernel is parallel over queries only and each query's work is sequential, so results do not
depend on the number of threads; ``cache=True`` spares a fresh process the compilation.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True, fastmath=True, nogil=True)
def window_knn_kernel(planes, conf, qy, qx, radius, candidates, base, stride, taps, k,
                      min_overlap, exclude_self, uniform_conf):  # pragma: no cover - compiled by numba
    """Masked patch kNN in windows.

    Returns flat neighbour indices (-1 = none) and squared RMS distances, both (n, k), sorted by
    distance; equal distances rank the nearer candidate first, then the lower index.
    """
    channels = planes.shape[0]
    height, width = candidates.shape
    extent = base + (taps - 1) * stride + 1
    n = qy.shape[0]
    out_idx = np.full((n, k), -1, np.int64)
    out_sq = np.full((n, k), np.inf, planes.dtype)
    zero = planes.dtype.type(0.0)
    for i in prange(n):
        y0, x0, r = qy[i], qx[i], radius[i]
        x_lo, x_hi = max(0, x0 - r), min(width, x0 + r + 1)
        span = x_hi - x_lo
        # Round the inner loop up to whole SIMD vectors (the extra columns are computed and
        # ignored): a 31-wide loop would spend most of its time in the scalar remainder.
        padded_span = min(-(-span // 8) * 8, conf.shape[1] - extent - x_lo + 1)
        padded_span = max(padded_span, span)
        own_mass = zero
        for dy in range(base, extent, stride):
            for dx in range(base, extent, stride):
                own_mass += conf[y0 + dy, x0 + dx]
        if own_mass <= 0:
            continue
        total = np.empty(padded_span, planes.dtype)
        mass = np.empty(padded_span, planes.dtype)
        # Each tap's weight (query confidence x candidate confidence) for a window row.
        weights = np.empty((taps * taps, padded_span), planes.dtype)
        scale = np.empty(span, planes.dtype)      # mass * channels of the live candidates
        best_sq = out_sq[i]
        best_idx = out_idx[i]
        y_lo, y_hi = max(0, y0 - r), min(height, y0 + r + 1)
        for step in range(y_hi - y_lo):
            # Rows from the query's outward (y0, y0 - 1, y0 + 1, ...): near matches come first,
            # so the k-th best, and with it the early exit below, tightens sooner.
            y = _outward(y0, step, y_lo, y_hi)
            total[:] = zero
            if uniform_conf:
                mass[:] = own_mass
            else:
                _tap_weights(conf, y, y0, x0, x_lo, padded_span, base, extent, stride,
                             weights, mass)
            live = 0
            for j in range(span):
                x = x_lo + j
                m = mass[j]
                scale[j] = 0                      # 0 = not a candidate
                if not candidates[y, x] or (exclude_self and y == y0 and x == x0):
                    continue
                if m <= 0 or m < min_overlap * own_mass:
                    continue
                scale[j] = m * channels
                live += 1
            tap = -1
            for dy in range(base, extent, stride):
                if live == 0:
                    break
                for dx in range(base, extent, stride):
                    tap += 1
                    q_conf = conf[y0 + dy, x0 + dx]
                    if q_conf == 0:
                        continue
                    # max(0, .) lets the compiler prove the index non-negative: no wraparound
                    # test per element, so the loops below vectorise (5 times faster).
                    lo = max(0, x_lo + dx)
                    if uniform_conf:
                        for c in range(channels):
                            q_val = planes[c, y0 + dy, x0 + dx]
                            row = planes[c, y + dy]
                            for j in range(padded_span):
                                d = q_val - row[lo + j]
                                total[j] += d * d
                    else:
                        weight = weights[tap]
                        for c in range(channels):
                            q_val = planes[c, y0 + dy, x0 + dx]
                            row = planes[c, y + dy]
                            for j in range(padded_span):
                                d = q_val - row[lo + j]
                                total[j] += weight[j] * d * d
                # The sums only grow: a candidate whose partial distance already reaches the
                # k-th best cannot enter, and a row with none left is done (same result).
                live = _still_live(total, scale, span, best_sq[k - 1])
            for j in range(span):
                if scale[j] == 0:
                    continue
                sq = total[j] / scale[j]
                if sq <= best_sq[k - 1]:         # most candidates stop here, without a call
                    _insert(best_sq, best_idx, sq, y * width + x_lo + j, width, y0, x0)
    return out_idx, out_sq


@njit(parallel=True, cache=True, fastmath=True, nogil=True)
def rerank_kernel(planes, rows, conf, qy, qx, shortlist, patch_size, k, min_overlap,
                  uniform_conf):  # pragma: no cover - compiled by numba
    """The k nearest of each query's shortlisted candidates (flat indices, -1 = none) by the
    exact masked distance of full patches; same output as :func:`window_knn_kernel`.

    ``rows`` is the padded image channel-last with each row flattened, (H+2h, (W+2h) C): a patch
    row is then one contiguous run of ``patch_size * C`` values, which vectorises.
    """
    channels = planes.shape[0]
    width = conf.shape[1] - patch_size + 1
    n, m = shortlist.shape
    out_idx = np.full((n, k), -1, np.int64)
    out_sq = np.full((n, k), np.inf, planes.dtype)
    zero = planes.dtype.type(0.0)
    for i in prange(n):
        y0, x0 = qy[i], qx[i]
        own_mass = zero
        for t in range(patch_size):
            for s in range(patch_size):
                own_mass += conf[y0 + t, x0 + s]
        for j in range(m):
            pixel = shortlist[i, j]
            if pixel < 0:
                continue
            y, x = pixel // width, pixel % width
            total = zero
            mass = zero
            if uniform_conf:                       # no weights: a plain sum of squares
                run = patch_size * channels
                for t in range(patch_size):
                    q_row = rows[y0 + t]
                    c_row = rows[y + t]
                    for s in range(run):
                        d = q_row[max(0, x0 * channels + s)] - c_row[max(0, x * channels + s)]
                        total += d * d
            else:
                for t in range(patch_size):
                    for s in range(patch_size):
                        weight = conf[y0 + t, x0 + s] * conf[y + t, x + s]
                        if weight == 0:
                            continue
                        mass += weight
                        for c in range(channels):
                            d = planes[c, y0 + t, x0 + s] - planes[c, y + t, x + s]
                            total += weight * d * d
            if uniform_conf:
                mass = own_mass
            if mass <= 0 or mass < min_overlap * own_mass:
                continue
            _insert(out_sq[i], out_idx[i], total / (mass * channels), pixel, width, y0, x0)
    return out_idx, out_sq


@njit(cache=True, nogil=True, fastmath=True)
def _tap_weights(conf, y, y0, x0, x_lo, padded_span, base, extent, stride, weights,
                 mass):  # pragma: no cover - compiled by numba
    """Each tap's weight for the query at (y0, x0) and every candidate of window row y (rows
    of ``weights`` in tap order; taps the query lacks are left unset) and their sums, the
    overlap masses."""
    mass[:] = 0
    tap = -1
    for dy in range(base, extent, stride):
        conf_row = conf[y + dy]
        for dx in range(base, extent, stride):
            tap += 1
            q_conf = conf[y0 + dy, x0 + dx]
            if q_conf == 0:
                continue
            lo = max(0, x_lo + dx)
            weight = weights[tap]
            for j in range(padded_span):
                weight[j] = q_conf * conf_row[lo + j]
                mass[j] += weight[j]


@njit(cache=True, nogil=True)
def _still_live(total, scale, span, bound):  # pragma: no cover - compiled by numba
    """How many candidates of a row may still beat ``bound``; the others are marked dead."""
    live = 0
    for j in range(span):
        if scale[j] == 0:
            continue
        if total[j] / scale[j] > bound:      # a tie may still enter by its smaller index
            scale[j] = 0
        else:
            live += 1
    return live


@njit(cache=True, nogil=True)
def _outward(y0, step, y_lo, y_hi):  # pragma: no cover - compiled by numba
    """The step-th row of [y_lo, y_hi) in the order y0, y0 - 1, y0 + 1, y0 - 2, ...; rows past
    one end of the window continue on the other side only."""
    above, below = y0 - y_lo, y_hi - 1 - y0
    both = 2 * min(above, below)
    if step == 0:
        return y0
    if step <= both:
        return y0 - (step + 1) // 2 if step % 2 == 1 else y0 + step // 2
    beyond = step - both
    return y0 - below - beyond if above > below else y0 + above + beyond


@njit(cache=True, nogil=True)
def _insert(best_sq, best_idx, sq, index, width, y0, x0):  # pragma: no cover - compiled by numba
    """Insert a candidate into a row of the k best of the query at (y0, x0), kept sorted by
    distance, then nearness to the query, then index: the same order whatever order the
    candidates come in."""
    k = best_sq.shape[0]
    if not _before(sq, index, best_sq[k - 1], best_idx[k - 1], width, y0, x0):
        return
    slot = k - 1
    while slot > 0 and _before(sq, index, best_sq[slot - 1], best_idx[slot - 1], width, y0, x0):
        best_sq[slot] = best_sq[slot - 1]
        best_idx[slot] = best_idx[slot - 1]
        slot -= 1
    best_sq[slot] = sq
    best_idx[slot] = index


@njit(cache=True, nogil=True)
def _before(sq, index, other_sq, other_index, width, y0, x0):  # pragma: no cover - compiled
    """Whether (sq, index) ranks before (other_sq, other_index); an empty slot (-1) ranks last.

    Equal patch distances are common where a masked patch sees only a flat part of the image
    (flat colour, cartoons): the nearer pixel is then the likelier continuation (a bar across
    a 20-px hole, patch 11: 41.9 dB, against 24.8 dB when ties went by index alone).
    """
    if sq != other_sq:
        return sq < other_sq
    if other_index < 0:
        return True
    near = _squared_offset(index, width, y0, x0)
    other_near = _squared_offset(other_index, width, y0, x0)
    if near != other_near:
        return near < other_near
    return index < other_index


@njit(cache=True, nogil=True)
def _squared_offset(index, width, y0, x0):  # pragma: no cover - compiled by numba
    """Squared distance from pixel ``index`` (flat, image width ``width``) to (y0, x0)."""
    y, x = index // width, index % width
    return (y - y0) * (y - y0) + (x - x0) * (x - x0)


@njit(cache=True, nogil=True)
def box_means_at(planes, conf, ys, xs, out_planes, out_conf):  # pragma: no cover - numba
    """Confidence-weighted 3x3 means of ``planes`` and mean confidence at the given padded
    positions (each at least one sample inside the border), written into the outputs."""
    channels = planes.shape[0]
    for i in range(ys.shape[0]):
        y, x = ys[i], xs[i]
        weight = conf.dtype.type(0.0)
        for dy in range(-1, 2):
            for dx in range(-1, 2):
                weight += conf[y + dy, x + dx]
        out_conf[y, x] = weight / 9
        for c in range(channels):
            total = planes.dtype.type(0.0)
            for dy in range(-1, 2):
                for dx in range(-1, 2):
                    total += conf[y + dy, x + dx] * planes[c, y + dy, x + dx]
            out_planes[c, y, x] = total / weight if weight > 0 else 0
