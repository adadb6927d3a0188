"""The two exact search kernels of full patches, timed against each other (issue 10).

Run: ``python -m pytest benchmarks/test_bench_search_kernels.py --benchmark-enable``
Each benchmark times the offset-major kernel (``offset_knn_kernel``) with the windowed one
(``window_knn_kernel``) as its peer in the same run, alternated, best of 3; ``extra_info`` has
both times, their ratio, the patch pixels per query that ``graph._offset_tiles`` decides by
(on the kernel's own tiles, ``graph._OFFSET_TILE``), whether it picks the offset kernel, and
the share of queries whose k neighbours are the same set.
"""

import time

import numpy as np
import pytest

from cases import random_mask, scratch_mask
from graphinpaint import graph
from graphinpaint._offset_kernel import offset_knn_kernel, query_tiles, tile_patch_pixels
from graphinpaint._search_kernels import window_knn_kernel
from graphinpaint.fills import layer_depths
from graphinpaint.graph import PatchSearch
from profile_stages import smooth_photo

SIDE, PATCH, WINDOW = 1024, 7, 31


def _search(hole, *, layer):
    """The pipeline's two searches: the first layer (masked patches, k = 5, min_overlap 0.3)
    or the refinement (every hole pixel, full patches, k = 10)."""
    image = smooth_photo(SIDE, np.random.default_rng(0)).astype(np.float32) / 255
    if layer:
        known = ~hole
        search = PatchSearch(image, patch_size=PATCH, candidates=known,
                             confidence=known.astype(np.float32))
        queries = np.flatnonzero(layer_depths(hole) == 1)
        options = (5, 0.3)
    else:
        search = PatchSearch(image, patch_size=PATCH)
        queries = np.flatnonzero(hole)
        options = (10, 0.0)
    qy, qx = (a.astype(np.int64) for a in np.divmod(queries, SIDE))
    radius = np.full(len(queries), WINDOW // 2, np.int64)
    return (search._planes, search._conf, qy, qx, radius, search.candidates), options, \
        search._uniform


@pytest.mark.parametrize("case", ["scratches 5%, refinement", "scratches 5%, first layer",
                                  "random 20%, refinement"])
def test_offset_kernel_against_the_windowed_kernel(benchmark, case):
    rng = np.random.default_rng(1)
    hole = random_mask((SIDE, SIDE), 0.2, rng) if case.startswith("random") \
        else scratch_mask((SIDE, SIDE), 0.05, rng)
    args, (k, min_overlap), uniform = _search(hole, layer="layer" in case)
    qy, qx = args[2], args[3]

    def windowed():
        return window_knn_kernel(*args, 0, 1, PATCH, k, min_overlap, True, uniform)

    def offset():
        return offset_knn_kernel(*args, PATCH, k, min_overlap, True, uniform,
                                 *query_tiles(qy, qx, graph._OFFSET_TILE, graph._OFFSET_TILE))

    windowed(), offset()                                   # numba warm-up, untimed
    best, results = {"windowed": np.inf, "offset": np.inf}, {}
    for _ in range(3):
        for name, run in (("windowed", windowed), ("offset", offset)):
            start = time.perf_counter()
            results[name] = run()
            best[name] = min(best[name], time.perf_counter() - start)
    benchmark.pedantic(offset, rounds=1, iterations=1)
    same = np.all(np.sort(results["windowed"][0], 1) == np.sort(results["offset"][0], 1), 1)
    tiles = query_tiles(qy, qx, graph._OFFSET_TILE, graph._OFFSET_TILE)
    pixels = tile_patch_pixels(qy, qx, *tiles, PATCH) / len(qy)
    benchmark.extra_info.update(
        queries=len(qy), windowed_s=best["windowed"], offset_s=best["offset"],
        windowed_over_offset=best["windowed"] / best["offset"], same_k_set=float(same.mean()),
        patch_pixels_per_query=pixels,
        rule_picks_offset=graph._offset_tiles(qy, qx, PATCH, masked=not uniform) is not None)
