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

# Relative slack of the masked search's early exit: a candidate is dropped only when its
# partial distance passes the k-th best by more than float rounding could explain.
_SLACK = 1.0 + 2.0 ** -12
# Float arithmetic of the masked search's sums: each lane's sum is the IEEE sequence of its
# terms (no reassociation, no fused multiply-add), whatever the loop's shape; infinities and
# NaN keep their meaning (the k-th best starts at +inf).
_LANE_MATH = {"nsz", "arcp", "afn"}
# The other kernels reassociate freely (numba's fastmath=True) but without "nnan" and "ninf":
# their k-th best starts at +inf, and a comparison with it must keep its IEEE meaning.
_FAST_MATH = {"reassoc", "contract", "nsz", "arcp", "afn"}


@njit(parallel=True, cache=True, fastmath=_FAST_MATH, nogil=True)
def window_knn_kernel(planes, conf, qy, qx, radius, candidates, base, stride, taps, k,
                      min_overlap, exclude_self,
                      uniform_conf):  # pragma: no cover - compiled by numba
    """Masked patch kNN in windows.

    Returns flat neighbour indices (-1 = none) and squared RMS distances, both (n, k), sorted by
    distance; equal distances rank the nearer candidate first, then the lower index.
    """
    n = qy.shape[0]
    out_idx = np.full((n, k), -1, np.int64)
    out_sq = np.full((n, k), np.inf, planes.dtype)
    for i in prange(n):
        if uniform_conf:
            _uniform_query(planes, conf, qy[i], qx[i], radius[i], candidates, base, stride,
                           taps, min_overlap, exclude_self, out_sq[i], out_idx[i])
        else:
            _masked_query(planes, conf, qy[i], qx[i], radius[i], candidates, base, stride,
                          taps, min_overlap, exclude_self, out_sq[i], out_idx[i])
    return out_idx, out_sq


@njit(cache=True, nogil=True)
def _window_columns(x0, r, width, padded_width, extent):  # pragma: no cover - compiled by numba
    """The window's first column, its span, and the span rounded up to whole SIMD vectors
    (the extra columns are computed and ignored: a 31-wide loop would spend most of its time
    in the scalar remainder), within the padded image."""
    x_lo, x_hi = max(0, x0 - r), min(width, x0 + r + 1)
    span = x_hi - x_lo
    padded_span = min(-(-span // 8) * 8, padded_width - extent - x_lo + 1)
    return x_lo, span, max(padded_span, span)


@njit(cache=True, nogil=True, fastmath=_LANE_MATH)
def _own_mass(conf, y0, x0, base, stride, taps):  # pragma: no cover - compiled by numba
    """The query's confidence summed over its patch's taps, in patch order."""
    extent = base + (taps - 1) * stride + 1
    mass = conf.dtype.type(0.0)
    for dy in range(base, extent, stride):
        for dx in range(base, extent, stride):
            mass += conf[y0 + dy, x0 + dx]
    return mass


@njit(cache=True, nogil=True, fastmath=_LANE_MATH)
def _mass_after(planes, conf, y0, x0, base, stride, taps):  # pragma: no cover - numba
    """The query's confidence on the patch rows after each one (patch order), in the planes'
    dtype: what a candidate's overlap mass can still grow by, row by row."""
    extent = base + (taps - 1) * stride + 1
    after = np.empty(taps, planes.dtype)
    rest = planes.dtype.type(0.0)
    for t in range(taps - 1, -1, -1):
        after[t] = rest
        for dx in range(base, extent, stride):
            rest += conf[y0 + base + t * stride, x0 + dx]
    return after


@njit(cache=True, nogil=True, fastmath=_FAST_MATH)
def _uniform_query(planes, conf, y0, x0, r, candidates, base, stride, taps, min_overlap,
                   exclude_self, best_sq, best_idx):  # pragma: no cover - compiled by numba
    """One query of :func:`window_knn_kernel` with full confidence: its k best, written into
    ``best_sq`` and ``best_idx``."""
    channels = planes.shape[0]
    height, width = candidates.shape
    k = best_sq.shape[0]
    extent = base + (taps - 1) * stride + 1
    x_lo, span, padded_span = _window_columns(x0, r, width, conf.shape[1], extent)
    zero = planes.dtype.type(0.0)
    own_mass = _own_mass(conf, y0, x0, base, stride, taps)
    if own_mass <= 0:
        return
    total = np.empty(padded_span, planes.dtype)
    scale = np.empty(span, planes.dtype)      # mass * channels of the live candidates
    y_lo, y_hi = max(0, y0 - r), min(height, y0 + r + 1)
    for step in range(y_hi - y_lo):
        # Rows from the query's outward (y0, y0 - 1, y0 + 1, ...): near matches come first,
        # so the k-th best, and with it the early exit below, tightens sooner.
        y = _outward(y0, step, y_lo, y_hi)
        total[:] = zero
        live = 0
        for j in range(span):
            x = x_lo + j
            scale[j] = 0                      # 0 = not a candidate
            if not candidates[y, x] or (exclude_self and y == y0 and x == x0):
                continue
            if own_mass < min_overlap * own_mass:
                continue
            scale[j] = own_mass * channels
            live += 1
        for dy in range(base, extent, stride):
            if live == 0:
                break
            for dx in range(base, extent, stride):
                if conf[y0 + dy, x0 + dx] == 0:
                    continue
                # max(0, .) lets the compiler prove the index non-negative: no wraparound
                # test per element, so the loops below vectorise (5 times faster).
                lo = max(0, x_lo + dx)
                for c in range(channels):
                    q_val = planes[c, y0 + dy, x0 + dx]
                    row = planes[c, y + dy]
                    for j in range(padded_span):
                        d = q_val - row[lo + j]
                        total[j] += d * d
            # The sums only grow: a candidate whose partial distance already reaches the
            # k-th best cannot enter, and a row with none left is done (same result).
            live = _still_live(total, scale, span, best_sq[k - 1])
        for j in range(span):
            if scale[j] == 0:
                continue
            sq = total[j] / scale[j]
            if sq <= best_sq[k - 1]:         # most candidates stop here, without a call
                _insert(best_sq, best_idx, sq, y * width + x_lo + j, width, y0, x0)


@njit(cache=True, nogil=True, fastmath=_LANE_MATH)
def _masked_query(planes, conf, y0, x0, r, candidates, base, stride, taps, min_overlap,
                  exclude_self, best_sq, best_idx):  # pragma: no cover - compiled by numba
    """One query of :func:`window_knn_kernel` with confidence weights: its k best, written
    into ``best_sq`` and ``best_idx``.

    Each window row sums, tap by tap in patch order, the weights ``conf(query tap) x
    conf(candidate tap)`` (the overlap masses) and the weighted squared differences of all
    candidates at once. After each patch row a candidate is dropped once its partial sum,
    divided by the largest overlap mass it can still reach (its mass so far plus the query's
    confidence on the patch rows to come), passes the k-th best, or once that mass cannot
    reach ``min_overlap``; the row stops when none is left. Only rows summed to the end insert
    candidates, with the same sums as a full computation: the result does not depend on
    when a row stops.
    """
    channels = planes.shape[0]
    height, width = candidates.shape
    k = best_sq.shape[0]
    dtype = planes.dtype.type
    extent = base + (taps - 1) * stride + 1
    x_lo, span, padded_span = _window_columns(x0, r, width, conf.shape[1], extent)
    own_mass = _own_mass(conf, y0, x0, base, stride, taps)
    if own_mass <= 0:
        return
    after = _mass_after(planes, conf, y0, x0, base, stride, taps)
    min_mass = min_overlap * own_mass
    total = np.empty(padded_span, planes.dtype)
    mass = np.empty(padded_span, planes.dtype)
    weight = np.empty(padded_span, planes.dtype)
    eligible = np.empty(padded_span, planes.dtype)      # 1 = a candidate, 0 = not
    y_lo, y_hi = max(0, y0 - r), min(height, y0 + r + 1)
    for step in range(y_hi - y_lo):
        # Rows from the query's outward, as in the uniform search.
        y = _outward(y0, step, y_lo, y_hi)
        total[:] = 0
        mass[:] = 0
        eligible[:] = 0
        live = 0
        for j in range(span):
            if candidates[y, x_lo + j] and not (exclude_self and y == y0 and x_lo + j == x0):
                eligible[j] = 1
                live += 1
        for t in range(taps):
            if live == 0:
                break
            dy = base + t * stride
            conf_row = conf[y + dy]
            summed = False
            for dx in range(base, extent, stride):
                q_conf = conf[y0 + dy, x0 + dx]
                if q_conf == 0:
                    continue
                summed = True
                # max(0, .): a provably non-negative index, so the loops vectorise.
                lo = max(0, x_lo + dx)
                if channels == 3:           # colour: one pass, the sums in registers
                    v0, v1, v2 = planes[0, y0 + dy, x0 + dx], planes[1, y0 + dy, x0 + dx], \
                        planes[2, y0 + dy, x0 + dx]
                    r0, r1, r2 = planes[0, y + dy], planes[1, y + dy], planes[2, y + dy]
                    for j in range(padded_span):
                        w = q_conf * conf_row[lo + j]
                        mass[j] += w
                        d0 = v0 - r0[lo + j]
                        d1 = v1 - r1[lo + j]
                        d2 = v2 - r2[lo + j]
                        lane = total[j]
                        lane += w * d0 * d0
                        lane += w * d1 * d1
                        lane += w * d2 * d2
                        total[j] = lane
                    continue
                for j in range(padded_span):
                    weight[j] = q_conf * conf_row[lo + j]
                    mass[j] += weight[j]
                for c in range(channels):
                    q_val = planes[c, y0 + dy, x0 + dx]
                    row = planes[c, y + dy]
                    for j in range(padded_span):
                        d = q_val - row[lo + j]
                        total[j] += weight[j] * d * d
            if summed:
                live = _masked_live(total, mass, eligible, span, after[t],
                                    dtype(best_sq[k - 1] * channels * _SLACK),
                                    dtype(min_mass / _SLACK))
        if live == 0:
            continue
        for j in range(span):
            m = mass[j]
            if eligible[j] == 0 or m <= 0 or m < min_mass:
                continue
            sq = total[j] / dtype(m * channels)
            if sq <= best_sq[k - 1]:         # most candidates stop here, without a call
                _insert(best_sq, best_idx, sq, y * width + x_lo + j, width, y0, x0)


@njit(cache=True, nogil=True)
def _masked_live(total, mass, eligible, span, after, limit, min_mass):  # pragma: no cover
    """How many candidates of a window row may still enter: eligible, an overlap mass that can
    still reach ``min_mass``, and a partial sum within ``limit`` (the k-th best x channels, with
    slack) times the largest mass it can reach. A count without branches: it vectorises."""
    live = 0
    for j in range(span):
        most = mass[j] + after
        live += (eligible[j] > 0) & (total[j] <= limit * most) & (most >= min_mass)
    return live


@njit(parallel=True, cache=True, fastmath=_FAST_MATH, nogil=True)
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
