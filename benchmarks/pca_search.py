"""Study: the patch search in the space of the patches' leading principal components.

    python benchmarks/pca_search.py [--cases barbara scratches512 scratches2048]

Issue 10 suggests projecting patches on their leading principal components (the data's own,
from a sample of fully known patches), searching there and re-ranking a shortlist with the
exact distance. This script measures it against the exact windowed search of the pipeline
(``_search_kernels.window_knn_kernel``), on the two searches of the layers strategy:

* *layers*: the first layer's masked search (k = 5, window 31, min_overlap 0.3), the
  projections taken from the image filled by the grid Laplace fill ("fill then project"), the
  queries' own projections included; the shortlist is re-ranked by the exact masked distance;
* *refinement*: the refinement round's search of full patches (k = 10, every pixel a
  candidate) on the layers' estimate.

For each number of components d and shortlist length m it prints the share of queries whose k
neighbours are exactly the full search's, and the CPU seconds (``time.process_time``, both
numba threads counted) of the projections, the reduced search and the re-ranking against the
exact search's. docs/benchmarks.md has the figures and the conclusion (not adopted).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit, prange
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))

from graphinpaint import _thick_holes, fills, pipeline, selection  # noqa: E402
from cases import region_fill_module  # noqa: E402
from graphinpaint._search_kernels import rerank_kernel, window_knn_kernel  # noqa: E402
from graphinpaint.graph import PatchSearch  # noqa: E402
from graphinpaint.settings import Settings  # noqa: E402
from profile_stages import cases  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched

SAMPLES = 2000


def principal_basis(planes: np.ndarray, conf: np.ndarray, patch_size: int, dims: int):
    """The ``dims`` leading principal directions of a sample of fully known patches (taps in
    channel, row, column order) and the share of the patch energy they hold."""
    half = patch_size // 2
    full = ndi.minimum_filter(conf, patch_size, mode="constant") >= 1
    positions = np.flatnonzero(full)
    positions = positions[np.linspace(0, len(positions) - 1, SAMPLES).astype(int)]
    ys, xs = np.divmod(positions, conf.shape[1])
    offsets = np.arange(-half, half + 1)
    patches = planes[:, ys[:, None, None] + offsets[None, :, None],
                     xs[:, None, None] + offsets[None, None, :]]
    patches = patches.transpose(1, 0, 2, 3).reshape(len(positions), -1).astype(np.float64)
    patches -= patches.mean(axis=0)
    energy, vectors = np.linalg.eigh(patches.T @ patches)
    energy, vectors = energy[::-1], vectors[:, ::-1]
    share = energy[:dims].sum() / energy.sum()
    return np.ascontiguousarray(vectors[:, :dims].astype(planes.dtype)), share


@njit(parallel=True, fastmath=True)
def project_image(planes, basis, patch_size, out):  # pragma: no cover - compiled by numba
    """Projections of every pixel's patch, written at its padded position in ``out``."""
    half = patch_size // 2
    height, width = planes.shape[1] - 2 * half, planes.shape[2] - 2 * half
    for y in prange(height):
        acc = np.empty(width, out.dtype)
        for j in range(basis.shape[1]):
            acc[:] = 0
            tap = 0
            for c in range(planes.shape[0]):
                for dy in range(patch_size):
                    row = planes[c, y + dy]
                    for dx in range(patch_size):
                        weight = basis[tap, j]
                        tap += 1
                        for x in range(width):
                            acc[x] += weight * row[x + dx]
            out[j, y + half, half:half + width] = acc


def exact(search, qy, qx, radius, k, min_overlap):
    return window_knn_kernel(search._planes, search._conf, qy, qx, radius, search.candidates,
                             0, 1, search.patch_size, k, min_overlap, True, search._uniform)


def reduced(search, features, qy, qx, radius, k, min_overlap, m):
    """Shortlist of m by the projections, re-ranked exactly; CPU seconds of both steps."""
    start = time.process_time()
    ones = np.ones(features.shape[1:], features.dtype)
    short, _ = window_knn_kernel(features, ones, qy, qx, radius, search.candidates,
                                 search.patch_size // 2, 1, 1, m, 0.0, True, True)
    middle = time.process_time()
    rows = np.ascontiguousarray(search._planes.transpose(1, 2, 0)).reshape(
        search._planes.shape[1], -1)
    neighbours, _ = rerank_kernel(search._planes, rows, search._conf, qy, qx, short,
                                  search.patch_size, k, min_overlap, search._uniform)
    return neighbours, middle - start, time.process_time() - middle


def compare(name, search, queries, k, window, min_overlap, basis_planes):
    qy, qx = (a.astype(np.int64) for a in np.divmod(queries, search.shape[1]))
    radius = np.full(len(queries), window // 2, np.int64)
    start = time.process_time()
    truth, _ = exact(search, qy, qx, radius, k, min_overlap)
    exact_s = time.process_time() - start
    for dims in (8, 12, 16):
        start = time.process_time()
        basis, share = principal_basis(basis_planes, search._conf, search.patch_size, dims)
        features = np.zeros((dims,) + search._planes.shape[1:], search._planes.dtype)
        project_image(search._planes, basis, search.patch_size, features)
        project_s = time.process_time() - start
        for m in (2 * k, 4 * k, 8 * k):
            found, short_s, rerank_s = reduced(search, features, qy, qx, radius, k,
                                               min_overlap, m)
            same = np.mean([set(a) == set(b) for a, b in zip(truth, found)])
            print(f"| {name} | {len(queries)} | {dims} ({share:.3f}) | {m} | {same:.1%} | "
                  f"{project_s:.2f} + {short_s:.2f} + {rerank_s:.2f} s | {exact_s:.2f} s |",
                  flush=True)


def study(name, image, hole):
    channels = image if image.ndim == 3 else image[..., None]
    values, _ = pipeline._to_unit_range(channels, hole)
    thick = _thick_holes.is_thick(selection.stroke_width(hole), "layers")
    patch = _thick_holes.default_patch_size(thick, channels.shape)
    laplace = fills.grid_laplace_fill(values, hole, "auto")
    filled = ~hole
    # Layers: the first layer's masked search; projections of the Laplace-filled image.
    search = PatchSearch(laplace.astype(np.float32), patch_size=patch, candidates=filled,
                         confidence=filled.astype(np.float32))
    compare(f"{name}, layers", search, region._layers(hole)[0], 5, 31, 0.3, search._planes)
    # Refinement: full patches of the layers' estimate, every pixel a candidate.
    settings = Settings(strategy="layers", patch_size=patch, k=5, window=31, window_growth=1.0,
                        bandwidth=0.1, grid_weight=1e-3, rounds=0, smooth="none",
                        smooth_share=0.0, p=2.0, form="anisotropic", method="auto")
    estimate = pipeline._graph_fill(values, hole, settings).astype(np.float32)
    search = PatchSearch(estimate, patch_size=patch)
    compare(f"{name}, refinement", search, np.flatnonzero(hole), 10, 31, 0.0, search._planes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["barbara", "scratches512"])
    args = parser.parse_args()
    makers = cases()
    print("| case, search | queries | d (energy) | m | same k | CPU: project + reduced + "
          "re-rank | CPU: exact |")
    print("|---|---|---|---|---|---|---|")
    for name in args.cases:
        example = makers[name]()
        if example is None:
            print(f"{name}: skipped (no data)", file=sys.stderr)
            continue
        study(name, *example)


if __name__ == "__main__":
    main()
