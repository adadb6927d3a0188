"""Compose your own pipeline from graphinpaint's modules: on a point cloud and on an image.

``graph``, ``weights`` and ``solvers`` work on any graph, not only on images:

1. **Point cloud: label propagation.** Two interleaved half-moons of noisy 2-D points, two
   labelled points per moon. ``knn_graph`` joins each point to its nearest neighbours,
   ``gaussian`` turns distances into weights, ``symmetrize`` makes the graph undirected, and
   ``solve_dirichlet`` extends the labels (1 and 0) to every point, for p=2 (harmonic: the
   weighted mean of the neighbours) and p=inf (Lipschitz learning: the midrange). A point
   takes the moon whose label it is nearer to. p=2 follows the density of the points and
   stops at the gap between the moons; p=inf ignores density (it extends the labels as a
   Lipschitz function along the graph) and may cross it.
2. **Image: one Dirichlet problem on a hand-made graph.** ``window_knn`` matches every hole
   pixel to pixels with similar surroundings (known pixels only compared), a weak
   ``grid_graph`` ties each hole pixel to its neighbours, and one ``solve_dirichlet`` fills
   the hole. ``graphinpaint.inpaint`` does more (layers from the boundary inward, a refinement
   round): the script prints both scores.

Note the conventions: ``solve_dirichlet``'s ``known`` is True on the *known* nodes, where image
masks are True on the hole.

Usage::

    python examples/custom_pipeline.py
    python examples/custom_pipeline.py --points 1000 --labels 1 --p 1.5 --output mine.png
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp
from scipy import ndimage as ndi

import _common
import graphinpaint as gi


def two_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n noisy points on two interleaved half circles, and which moon each is on (bool)."""
    angle = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    x = np.where(upper, np.cos(angle), 1 - np.cos(angle))
    y = np.where(upper, np.sin(angle), 0.5 - np.sin(angle))
    return np.c_[x, y] + rng.normal(scale=noise, size=(n, 2)), upper


def propagate_labels(points: np.ndarray, labelled: np.ndarray, labels: np.ndarray, p: float,
                     k: int = 10) -> np.ndarray:
    """Extend labels (1.0 or 0.0 on the nodes where ``labelled`` is True) to every point."""
    distances = gi.graph.knn_graph(points, k=k)                  # sparse, directed
    weights = gi.weights.symmetrize(gi.weights.gaussian(distances), "max")
    return gi.solve_dirichlet(weights, labelled, labels, p=p, rtol=1e-4)


def on_all_pixels(graph: gi.graph.PixelGraph, matrix: sp.spmatrix, n: int) -> sp.csr_matrix:
    """Move a graph on a subset of pixels (``graph.nodes``) onto all n pixels."""
    coo = sp.coo_matrix(matrix)
    return sp.csr_matrix((coo.data, (graph.nodes[coo.row], graph.nodes[coo.col])),
                         shape=(n, n))


def fill_hole(image: np.ndarray, hole: np.ndarray, p: float, *, k: int = 10,
              patch_size: int = 7, window: int = 21, bandwidth: float = 0.1,
              grid_weight: float = 0.01) -> np.ndarray:
    """Fill the hole (True = missing) of a float image in [0, 1] with one Dirichlet problem."""
    values = image.copy()
    values[hole] = 0                        # unknown: must not leak into the result
    n = hole.size
    # Non-local edges: the k best matches of each hole pixel in masked patch space. Hole pixels
    # have confidence 0, so only known pixels enter a patch distance; min_overlap keeps
    # candidates that share at least half of the query's known pixels.
    matches = gi.graph.window_knn(values, hole, k=k, patch_size=patch_size, window=window,
                                  confidence=(~hole).astype(float), min_overlap=0.5)
    match_weights = gi.weights.gaussian(matches.matrix, bandwidth=bandwidth, relative=True)
    # Local edges: the 4-neighbour grid around the hole, weak, so that every hole pixel is tied
    # to the known part even where matching found only other hole pixels.
    grid = gi.graph.grid_graph(hole.shape, pixels=ndi.binary_dilation(hole))
    grid_weights = grid_weight * gi.weights.constant(grid.matrix)
    weights = gi.weights.symmetrize(on_all_pixels(matches, match_weights, n)
                                    + on_all_pixels(grid, grid_weights, n))
    known = ~hole.ravel()                   # True = known node
    solved = gi.solve_dirichlet(weights, known, values.reshape(n, -1), p=p)
    return solved.reshape(image.shape)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=500, help="points in the cloud")
    parser.add_argument("--labels", type=int, default=2, help="labelled points per moon")
    parser.add_argument("--seed", type=int, default=0, help="seed of the point cloud")
    parser.add_argument("--image", default=_common.DATA / "astronaut.png",
                        help="image file (default: the bundled astronaut)")
    parser.add_argument("--mask", default=_common.DATA / "astronaut_scratches.png",
                        help="mask file, white = hole (default: the bundled scratches)")
    parser.add_argument("--p", type=float, default=2.0,
                        help="p of the image's Dirichlet problem, in [1, inf] (default 2)")
    parser.add_argument("--crop", type=int, help="use only the central CROP x CROP pixels")
    _common.add_output_options(parser, "custom_pipeline")
    args = parser.parse_args(argv)

    # 1. Point cloud.
    rng = np.random.default_rng(args.seed)
    points, upper = two_moons(args.points, 0.1, rng)
    labelled = np.zeros(len(points), dtype=bool)                 # True = known label
    for moon in (True, False):
        labelled[rng.choice(np.flatnonzero(upper == moon), args.labels, replace=False)] = True
    scores = {}
    for p in (2.0, np.inf):
        start = time.perf_counter()
        scores[p] = propagate_labels(points, labelled, upper.astype(float), p)
        accuracy = np.mean((scores[p] > 0.5) == upper)
        print(f"point cloud, p={p:g}: {100 * accuracy:.1f}% of {len(points)} points on the right "
              f"moon from {labelled.sum()} labels ({time.perf_counter() - start:.2f} s)")

    # 2. Image.
    image = _common.center_crop(gi.io.read_image(args.image), args.crop)
    hole = _common.center_crop(gi.io.read_mask(args.mask), args.crop)   # True = hole
    unit = image / np.iinfo(image.dtype).max
    start = time.perf_counter()
    filled = fill_hole(unit, hole, args.p)
    seconds = time.perf_counter() - start
    print(f"image, hand-made graph, p={args.p:g}: PSNR over the hole "
          f"{gi.metrics.psnr(unit, filled, hole):.2f} dB ({seconds:.2f} s); "
          f"graphinpaint.inpaint: {gi.metrics.psnr(image, gi.inpaint(image, hole), hole):.2f} dB")
    result = (np.clip(filled, 0, 1) * 255).round().astype(np.uint8)
    gi.io.write_image(_common.prepare(args.output), result, inputs=(args.image, args.mask))
    print(f"wrote {args.output}")

    figure = _common.figure_path(args)
    if figure is not None:
        try:
            import matplotlib
        except ImportError:
            print("matplotlib is not installed: no point-cloud figure")
            return 0
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(8, 3))
        for ax, (p, score) in zip(axes, scores.items()):
            ax.scatter(*points.T, c=score, cmap="coolwarm", s=8, vmin=0, vmax=1)
            ax.scatter(*points[labelled].T, c="k", marker="x", s=60)
            ax.set_title(f"p={p:g}: solution of the Dirichlet problem", fontsize=9)
            ax.set_aspect("equal")
            ax.axis("off")
        fig.tight_layout()
        fig.savefig(_common.prepare(figure), dpi=100)
        plt.close(fig)
        print(f"wrote {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
