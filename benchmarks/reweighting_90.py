"""Does reweighting for sparse known values help inpainting at 90% random pixel loss?

    python benchmarks/reweighting_90.py            # central 256 x 256 crops, about 10 minutes
    python benchmarks/reweighting_90.py --crop 128

For the five images of the compare benchmark (``cases.skimage_images``), each with 90% of its
pixels lost at random, prints the PSNR over the lost pixels of ``inpaint`` with the plain
weights, with ``weights.weighted_nonlocal`` (WNLL) and with ``weights.properly_weighted`` (radius
1.5, 3 and 6 pixels) applied to every graph the pipeline solves on. The reweighting is hooked
into the pipeline's private ``_with_grid_edges`` (the step that makes each solve's graph), so
this script follows that function's name. Result (docs/research.md): the plain weights win on
every image, so ``inpaint`` does not reweight.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import random_mask, skimage_images  # noqa: E402
from graphinpaint import pipeline  # noqa: E402
from graphinpaint.graph import PixelGraph  # noqa: E402

VARIANTS = [("plain", None), ("WNLL", None), ("properly", 1.5), ("properly", 3.0),
            ("properly", 6.0)]


def reweighting_hook(original, variant: str, radius: float | None):
    """``_with_grid_edges`` followed by the reweighting of its graph."""
    def hooked(graph, queries, filled, weight):
        out = original(graph, queries, filled, weight)
        if variant == "plain":
            return out
        known = filled.ravel()[out.nodes]
        if variant == "WNLL":
            matrix = gi.weights.weighted_nonlocal(out.matrix, known)
        else:
            points = np.stack(np.divmod(out.nodes, out.shape[1]), axis=1).astype(float)
            matrix = gi.weights.properly_weighted(out.matrix, known, points, radius=radius)
        return PixelGraph(matrix, out.nodes, out.shape)
    return hooked


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crop", type=int, default=256, help="central crop side (default 256)")
    args = parser.parse_args(argv)
    original = pipeline._with_grid_edges
    rng = np.random.default_rng(0)
    try:
        for name, image in skimage_images().items():
            h, w = image.shape[:2]
            top, left = max((h - args.crop) // 2, 0), max((w - args.crop) // 2, 0)
            image = image[top:top + args.crop, left:left + args.crop]
            hole = random_mask(image.shape[:2], 0.9, rng)
            cells = []
            for variant, radius in VARIANTS:
                pipeline._with_grid_edges = reweighting_hook(original, variant, radius)
                start = time.perf_counter()
                out = gi.inpaint(image, hole)
                label = variant if radius is None else f"{variant} r={radius:g}"
                cells.append(f"{label}: {gi.metrics.psnr(image, out, hole):.2f} dB "
                             f"({time.perf_counter() - start:.1f} s)")
            print(name, " | ".join(cells), flush=True)
    finally:
        pipeline._with_grid_edges = original
    return 0


if __name__ == "__main__":
    sys.exit(main())
