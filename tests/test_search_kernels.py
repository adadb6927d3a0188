"""The search kernels against brute-force references and each other.

``offset_knn_kernel`` shares work between neighbouring queries; it must find the k nearest
candidates under the windowed kernel's rules (per-query window, candidates, exclude_self,
min_overlap, both confidence kinds, ties by nearness then index), up to float rounding.
"""

import numba
import numpy as np
import pytest

from graphinpaint import graph
from graphinpaint._offset_kernel import offset_knn_kernel, query_tiles, tile_patch_pixels
from graphinpaint._search_kernels import window_knn_kernel
from graphinpaint.graph import PatchSearch
from graphinpaint.patches import extract_patches, masked_patch_distance

SIZE = 5


def _problem(seed, *, uniform, dtype=np.float32, shape=(30, 37), channels=3, share=0.35):
    """A random image with a flat block (exact ties), a hole, uneven windows."""
    rng = np.random.default_rng(seed)
    image = rng.random((*shape, channels)).astype(dtype)
    image[8:16, 5:20] = 0.5
    hole = rng.random(shape) < share
    hole[18:24, 10:30] = True                      # a block: runs of queries in both directions
    if uniform:
        confidence, candidates = None, rng.random(shape) < 0.9
    else:                                          # fractional confidence, as after a blur
        confidence = np.where(hole, 0.0, rng.choice([0.5, 1.0], shape)).astype(dtype)
        candidates = ~hole
    search = PatchSearch(image, patch_size=SIZE, candidates=candidates, confidence=confidence)
    queries = np.flatnonzero(hole)
    qy, qx = (a.astype(np.int64) for a in np.divmod(queries, shape[1]))
    radius = rng.integers(1, 9, len(queries)).astype(np.int64)
    return search, qy, qx, radius


def _run(kernel, search, qy, qx, radius, *, k=4, min_overlap=0.3, exclude_self=True):
    args = (search._planes, search._conf, qy, qx, radius, search.candidates)
    options = (k, min_overlap, exclude_self, search._uniform)
    if kernel == "windowed":
        return window_knn_kernel(*args, 0, 1, SIZE, *options)
    return offset_knn_kernel(*args, SIZE, *options, *query_tiles(qy, qx))


def _brute_force(search, qy, qx, radius, *, k, min_overlap, exclude_self):
    """Every query's k smallest squared distances over its window, in float64."""
    height, width = search.shape
    image = search._planes[:, SIZE // 2:SIZE // 2 + height, SIZE // 2:SIZE // 2 + width]
    conf = search._conf[SIZE // 2:SIZE // 2 + height, SIZE // 2:SIZE // 2 + width]
    patches = extract_patches(image.transpose(1, 2, 0).astype(np.float64), patch_size=SIZE)
    weights = extract_patches(conf[..., None].astype(np.float64), patch_size=SIZE)
    weights = np.repeat(weights, search.channels, axis=1)   # one weight per entry
    best = []
    for y0, x0, r in zip(qy, qx, radius):
        ys, xs = np.mgrid[max(0, y0 - r):min(height, y0 + r + 1),
                          max(0, x0 - r):min(width, x0 + r + 1)]
        pixels = (ys * width + xs).ravel()
        pixels = pixels[search.candidates.ravel()[pixels]]
        if exclude_self:
            pixels = pixels[pixels != y0 * width + x0]
        query = y0 * width + x0
        own = weights[query].sum()
        mass = (weights[query] * weights[pixels]).sum(axis=1)
        dist = masked_patch_distance(np.repeat(patches[[query]], len(pixels), 0),
                                     patches[pixels], np.repeat(weights[[query]], len(pixels), 0),
                                     weights[pixels])
        keep = (mass > 0) & (mass >= min_overlap * own) & (own > 0)
        best.append(np.sort(dist[keep] ** 2)[:k])
    return best


@pytest.mark.parametrize("uniform", [True, False], ids=["full confidence", "masked"])
@pytest.mark.parametrize("seed, channels", [(0, 3), (1, 3), (2, 1)], ids=["rgb", "rgb2", "grey"])
def test_offset_kernel_finds_the_brute_force_k_nearest(uniform, seed, channels):
    search, qy, qx, radius = _problem(seed, uniform=uniform, channels=channels)
    k, min_overlap = 4, 0.3
    index, squared = _run("offset", search, qy, qx, radius, k=k, min_overlap=min_overlap)
    reference = _brute_force(search, qy, qx, radius, k=k, min_overlap=min_overlap,
                             exclude_self=True)
    width = search.shape[1]
    for i, expected in enumerate(reference):
        found = index[i] >= 0
        assert found.sum() == len(expected)                      # as many as exist
        np.testing.assert_allclose(squared[i][found], expected, rtol=1e-5, atol=1e-7)
        ys, xs = np.divmod(index[i][found], width)               # each one in its window
        assert np.all(np.maximum(abs(ys - qy[i]), abs(xs - qx[i])) <= radius[i])
        assert np.all(search.candidates[ys, xs])
        assert not np.any((ys == qy[i]) & (xs == qx[i]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("uniform", [True, False], ids=["full confidence", "masked"])
@pytest.mark.parametrize("exclude_self", [True, False])
def test_offset_kernel_agrees_with_the_windowed_kernel(dtype, uniform, exclude_self):
    search, qy, qx, radius = _problem(3, uniform=uniform, dtype=dtype)
    for min_overlap in (0.0, 0.6):
        windowed = _run("windowed", search, qy, qx, radius, min_overlap=min_overlap,
                        exclude_self=exclude_self)
        offset = _run("offset", search, qy, qx, radius, min_overlap=min_overlap,
                      exclude_self=exclude_self)
        same = np.all(np.sort(windowed[0], 1) == np.sort(offset[0], 1), axis=1)
        assert same.mean() >= 0.99
        found = np.isfinite(windowed[1])
        np.testing.assert_array_equal(found, np.isfinite(offset[1]))
        np.testing.assert_allclose(offset[1][found], windowed[1][found], rtol=1e-5, atol=1e-7)


def test_offset_kernel_ranks_exact_ties_like_the_windowed_kernel():
    """A flat image: every distance is 0, the nearer candidate (then the lower index) wins."""
    image = np.full((20, 24, 3), 0.25, np.float32)
    search = PatchSearch(image, patch_size=SIZE)
    qy, qx = np.array([5, 5, 6, 12], np.int64), np.array([7, 8, 8, 20], np.int64)
    radius = np.array([3, 4, 2, 5], np.int64)
    windowed = _run("windowed", search, qy, qx, radius, k=6)
    offset = _run("offset", search, qy, qx, radius, k=6)
    np.testing.assert_array_equal(offset[0], windowed[0])
    np.testing.assert_array_equal(offset[1], 0)


def _assert_same_bits_on_one_and_two_threads(kernel, search, qy, qx, radius):
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = _run(kernel, search, qy, qx, radius)
        numba.set_num_threads(2)
        two = _run(kernel, search, qy, qx, radius)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])


@pytest.mark.parametrize("uniform", [True, False], ids=["full confidence", "masked"])
def test_offset_kernel_gives_the_same_bits_on_one_and_two_threads(uniform):
    _assert_same_bits_on_one_and_two_threads("offset", *_problem(4, uniform=uniform,
                                                                  shape=(48, 64)))


@pytest.mark.parametrize("uniform", [True, False], ids=["full confidence", "masked"])
def test_offset_kernel_gives_the_same_bits_whatever_the_tiles(uniform):
    """A query's sums do not depend on which tile it is in: the search may pick its tiles."""
    search, qy, qx, radius = _problem(9, uniform=uniform, shape=(48, 64))
    args = (search._planes, search._conf, qy, qx, radius, search.candidates, SIZE, 4, 0.3,
            True, search._uniform)
    first = offset_knn_kernel(*args, *query_tiles(qy, qx))
    for rows, cols in ((32, 32), (8, 24), (64, 64)):
        other = offset_knn_kernel(*args, *query_tiles(qy, qx, rows, cols))
        np.testing.assert_array_equal(other[0], first[0])
        np.testing.assert_array_equal(other[1], first[1])


def test_tile_patch_pixels_counts_the_union_of_patch_rows():
    qy = np.array([0, 0, 0, 3], np.int64)            # a run of three, and one more below
    qx = np.array([2, 3, 4, 3], np.int64)
    order, start = query_tiles(qy, qx)
    # Patch rows 0-4 hold the run's patches (columns 2-8; the lone query's 3-7 inside them on
    # rows 3-4), rows 5-7 the lone query's alone.
    assert tile_patch_pixels(qy, qx, order, start, SIZE) == 5 * (3 + SIZE - 1) + 3 * SIZE


def test_search_picks_the_offset_kernel_for_blocks_and_the_windowed_for_scattered_pixels(
        monkeypatch):
    calls = []
    monkeypatch.setattr(graph, "offset_knn_kernel",
                        lambda *a: calls.append("offset") or offset_knn_kernel(*a))
    monkeypatch.setattr(graph, "window_knn_kernel",
                        lambda *a: calls.append("windowed") or window_knn_kernel(*a))
    image = np.random.default_rng(0).random((64, 64, 3))
    block = np.zeros((64, 64), bool)
    block[20:40, 20:44] = True
    graph.window_knn(image, block, k=3, window=9)
    scattered = np.zeros((64, 64), bool)
    scattered[::9, ::9] = True
    graph.window_knn(image, scattered, k=3, window=9)
    assert calls == ["offset", "windowed"]


# The masked windowed search (the layers' search): its early exit may stop a window row at any
# patch row, yet every candidate it keeps carries the same sum as a full computation. The
# reference below makes that sum the slow obvious way, in the kernel's order (taps in patch
# order, channels in order, each product and sum rounded in the planes' dtype), so the two
# must agree to the bit, ties included.

def _canonical_masked_knn(planes, conf, qy, qx, radius, candidates, base, stride, taps, k,
                          min_overlap, exclude_self):
    dtype = planes.dtype.type
    channels = planes.shape[0]
    height, width = candidates.shape
    offsets = [base + t * stride for t in range(taps)]
    index_out = np.full((len(qy), k), -1, np.int64)
    squared_out = np.full((len(qy), k), np.inf, planes.dtype)
    for i, (y0, x0, r) in enumerate(zip(qy, qx, radius)):
        own = dtype(0)
        for dy in offsets:
            for dx in offsets:
                own = dtype(own + conf[y0 + dy, x0 + dx])
        if own <= 0:
            continue
        ys, xs = (a.ravel() for a in np.mgrid[max(0, y0 - r):min(height, y0 + r + 1),
                                              max(0, x0 - r):min(width, x0 + r + 1)])
        keep = candidates[ys, xs] & ~(exclude_self & (ys == y0) & (xs == x0))
        ys, xs = ys[keep], xs[keep]
        total = np.zeros(len(ys), planes.dtype)
        mass = np.zeros(len(ys), planes.dtype)
        for dy in offsets:
            for dx in offsets:
                q_conf = conf[y0 + dy, x0 + dx]
                if q_conf == 0:
                    continue
                weight = q_conf * conf[ys + dy, xs + dx]
                mass = mass + weight
                for c in range(channels):
                    d = planes[c, y0 + dy, x0 + dx] - planes[c, ys + dy, xs + dx]
                    total = total + weight * d * d
        enough = (mass > 0) & ~(mass.astype(np.float64) < min_overlap * np.float64(own))
        ys, xs, total, mass = ys[enough], xs[enough], total[enough], mass[enough]
        squared = total / (mass.astype(np.float64) * channels).astype(planes.dtype)
        index, near = ys * width + xs, (ys - y0) ** 2 + (xs - x0) ** 2
        order = np.lexsort((index, near, squared))[:k]
        index_out[i, :len(order)] = index[order]
        squared_out[i, :len(order)] = squared[order]
    return index_out, squared_out


def _masked_problem(seed, *, binary, dtype=np.float32, channels=3, shape=(30, 37)):
    """A masked search as in the layers (0/1 confidence) or after a blur (fractional)."""
    search, qy, qx, radius = _problem(seed, uniform=False, dtype=dtype, channels=channels,
                                      shape=shape)
    if binary:
        search._conf = (search._conf > 0).astype(dtype)
    return search, qy, qx, radius


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("binary", [True, False], ids=["0/1 confidence", "fractional"])
@pytest.mark.parametrize("channels", [3, 1], ids=["rgb", "grey"])
@pytest.mark.parametrize("exclude_self", [True, False])
def test_masked_window_search_keeps_the_full_sums_to_the_bit(dtype, binary, channels,
                                                             exclude_self):
    search, qy, qx, radius = _masked_problem(5, binary=binary, dtype=dtype, channels=channels)
    args = (search._planes, search._conf, qy, qx, radius, search.candidates, 0, 1, SIZE)
    for k, min_overlap in ((1, 0.0), (4, 0.3), (6, 0.6)):
        index, squared = window_knn_kernel(*args, k, min_overlap, exclude_self, False)
        expected = _canonical_masked_knn(*args, k, min_overlap, exclude_self)
        np.testing.assert_array_equal(index, expected[0])
        np.testing.assert_array_equal(squared, expected[1])


def test_masked_window_search_on_the_reduced_lattice_keeps_the_full_sums_to_the_bit():
    """The shortlist's search: 3 x 3 means on a lattice (base, stride, taps) of the patch."""
    search, qy, qx, radius = _masked_problem(6, binary=False)
    planes, conf = search._reduced_planes()
    args = (planes, conf, qy, qx, radius, search.candidates, *graph._lattice(SIZE))
    index, squared = window_knn_kernel(*args, 5, 0.3, True, False)
    expected = _canonical_masked_knn(*args, 5, 0.3, True)
    np.testing.assert_array_equal(index, expected[0])
    np.testing.assert_array_equal(squared, expected[1])


@pytest.mark.parametrize("binary", [True, False], ids=["0/1 confidence", "fractional"])
def test_masked_window_search_finds_the_brute_force_k_nearest(binary):
    search, qy, qx, radius = _masked_problem(7, binary=binary)
    k, min_overlap = 3, 0.3
    index, squared = _run("windowed", search, qy, qx, radius, k=k, min_overlap=min_overlap)
    reference = _brute_force(search, qy, qx, radius, k=k, min_overlap=min_overlap,
                             exclude_self=True)
    for i, expected in enumerate(reference):
        found = index[i] >= 0
        assert found.sum() == len(expected)
        np.testing.assert_allclose(squared[i][found], expected, rtol=1e-5, atol=1e-7)


def test_masked_window_search_gives_the_same_bits_on_one_and_two_threads():
    _assert_same_bits_on_one_and_two_threads("windowed", *_masked_problem(8, binary=True,
                                                                           shape=(48, 64)))
