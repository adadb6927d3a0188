"""Neighbour search benchmarks (issue 2): 50k query pixels, 7x7x3 patches, 31x31 window, k=10.

Run: ``python -m pytest benchmarks/test_bench_graph.py --benchmark-enable``
(build in untimed setup, time only the search; numba is warmed up first).
"""

import subprocess
import sys
import textwrap
import tracemalloc

import numpy as np
import pytest
from scipy import ndimage as ndi

from graphinpaint.graph import knn_graph, window_knn
from graphinpaint.patches import extract_patches, pca_project


@pytest.fixture(scope="module")
def photo_like():
    """512x512 RGB with smooth structure and fine noise, and 50k query pixels."""
    rng = np.random.default_rng(0)
    image = ndi.gaussian_filter(rng.random((512, 512, 3)), (2, 2, 0))
    image = (image + 0.05 * rng.random(image.shape)).astype(np.float32)
    queries = np.sort(rng.choice(512 * 512, 50_000, replace=False))
    return image, queries


def test_window_knn_warm(benchmark, photo_like):
    image, queries = photo_like
    window_knn(image[:40, :40], np.arange(20), k=10, patch_size=7, window=31)  # compile/load
    graph = benchmark(window_knn, image, queries, k=10, patch_size=7, window=31)
    assert graph.matrix.nnz == 10 * len(queries)


def test_window_knn_masked_warm(benchmark, photo_like):
    image, queries = photo_like
    confidence = np.ones(image.shape[:2])
    confidence.ravel()[queries[::2]] = 0.0                   # half the queries are unknown
    window_knn(image[:40, :40], np.arange(20), k=10, confidence=confidence[:40, :40])
    graph = benchmark(window_knn, image, queries, k=10, patch_size=7, window=31,
                      confidence=confidence, min_overlap=0.3)
    assert graph.matrix.nnz > 0


def test_nndescent_knn_warm(benchmark, photo_like):
    """The same queries in PCA-projected patch space (24 dims) against all pixels."""
    image, queries = photo_like
    features = pca_project(extract_patches(image, None, 7), 24, rng=0)
    knn_graph(features[:2000], k=10, backend="nndescent", rng=0)     # numba compilation
    graph = benchmark.pedantic(knn_graph, args=(features,),
                               kwargs=dict(k=10, queries=queries, backend="nndescent", rng=0),
                               rounds=1, iterations=1)
    assert graph.nnz == 10 * len(queries)


COLD_SCRIPT = textwrap.dedent("""
    import time, numpy as np
    start = time.perf_counter()
    from graphinpaint.graph import {name}
    rng = np.random.default_rng(0)
    {call}
    print(time.perf_counter() - start)
""")


@pytest.mark.parametrize("name, call", [
    ("window_knn", "window_knn(rng.random((64, 64, 3)), np.arange(100), k=10)"),
    ("knn_graph", "knn_graph(rng.random((3000, 24)), k=10, backend='nndescent', rng=0)"),
], ids=["window_knn", "nndescent"])
def test_cold_start_in_a_new_process(benchmark, name, call):
    """Import plus first small search in a fresh interpreter (numba cache warm on disk)."""
    script = COLD_SCRIPT.format(name=name, call=call)

    def run():
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             check=True)
        return float(out.stdout.strip().splitlines()[-1])

    seconds = benchmark.pedantic(run, rounds=1, iterations=1)
    benchmark.extra_info["seconds_in_child"] = seconds


@pytest.mark.parametrize("side", [256, 512, 1024])
def test_peak_memory_is_linear_in_the_number_of_nodes(benchmark, side):
    """Peak traced memory of a window search over a fixed share (5%) of the pixels."""
    rng = np.random.default_rng(1)
    image = rng.random((side, side, 3)).astype(np.float32)
    queries = rng.choice(side * side, side * side // 20, replace=False)
    window_knn(image[:40, :40], np.arange(20), k=10)

    def build():
        tracemalloc.start()
        window_knn(image, queries, k=10, patch_size=7, window=31)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak

    peak = benchmark.pedantic(build, rounds=1, iterations=1)
    benchmark.extra_info["peak_mb"] = peak / 2**20
    benchmark.extra_info["peak_bytes_per_node"] = peak / len(queries)
