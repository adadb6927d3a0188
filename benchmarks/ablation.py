"""Ablation of the pipeline's stages: PSNR over the hole (dB) and time, case by case.

    python benchmarks/ablation.py > ablation.md
    python benchmarks/ablation.py --wide "block 32,block 64,blotches,scratches 12%" > issue13.md
    python benchmarks/ablation.py --compact --wide "block 32,block 64,blotches,block 80"

The figures behind the choices in docs/pipeline.md. ``--wide`` runs issue 13's variants (the
previous default with patch size 7 everywhere, the current default, self-validation off and on)
on those masks of ``cases.wide_cases``. Needs the ``bench`` extra (scikit-image
images) and, for the seed's barbara example, ``../shared/data/seed``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import fills, pipeline  # noqa: E402
from cases import (block_mask, seed_example, standard_cases, wide_cases,  # noqa: E402
                   wide_images)


def _smooth_fill(fill):
    """A grid fill (Laplace or biharmonic) as a whole-image function, for comparison."""
    def run(image, hole):
        channels = image if image.ndim == 3 else image[..., None]
        values, scale = pipeline._to_unit_range(channels, hole)
        filled = fill(values, hole)
        return pipeline._from_unit_range(filled, image, channels, hole, scale,
                                         -1 if image.ndim == 3 else None)
    return run


VARIANTS = {
    "grid Laplace": _smooth_fill(lambda v, h: fills.grid_laplace_fill(v, h, "auto")),
    "grid biharmonic": _smooth_fill(fills.grid_biharmonic_fill),
    "layers only": lambda i, m: gi.inpaint(i, m, strategy="layers", rounds=0, smooth_share=0),
    "layers + refinement": lambda i, m: gi.inpaint(i, m, strategy="layers", smooth_share=0),
    "layers + refinement + blend": lambda i, m: gi.inpaint(i, m, strategy="layers"),
    "global": lambda i, m: gi.inpaint(i, m, strategy="global"),
    "auto (default)": gi.inpaint,
}


WIDE_VARIANTS = {
    "previous default (patch 7)": lambda i, m: gi.inpaint(i, m, patch_size=7,
                                                          self_validation=False),
    "default": gi.inpaint,
    "self-validation off": lambda i, m: gi.inpaint(i, m, self_validation=False),
    "self-validation on": lambda i, m: gi.inpaint(i, m, self_validation=True),
}

# Compact holes (blocks, blotches): the rounds and the window of thick holes.
COMPACT_VARIANTS = {
    "1 round, window 31": lambda i, m: gi.inpaint(i, m, rounds=1, window=31),
    "3 rounds, window 31": lambda i, m: gi.inpaint(i, m, rounds=3, window=31),
    "1 round, window 51": lambda i, m: gi.inpaint(i, m, rounds=1, window=51),
    "default": gi.inpaint,
    "default + self-validation": lambda i, m: gi.inpaint(i, m, self_validation=True),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wide", default=None, metavar="MASKS",
                        help="comma-separated mask kinds of issue 13's cases")
    parser.add_argument("--compact", action="store_true",
                        help="with --wide: the rounds and windows of thick holes; "
                             "'block 80' among the kinds adds an 80-px block on each image")
    args = parser.parse_args(argv)
    if args.wide is None:
        cases, variants = list(standard_cases()), VARIANTS
    else:
        kinds = args.wide.split(",")
        cases = [case for case in wide_cases() if case[1] in kinds]
        if "block 80" in kinds:
            cases += [(name, "block 80", image, block_mask(image.shape[:2], 80))
                      for name, image in wide_images().items()]
        variants = COMPACT_VARIANTS if args.compact else WIDE_VARIANTS
    barbara = seed_example("barbara")
    if barbara is not None:
        cases.insert(0, ("barbara", "seed mask", *barbara))
    gi.inpaint(np.zeros((32, 32, 3), np.uint8), np.eye(32, dtype=bool))      # numba warm-up
    print("| case | " + " | ".join(variants) + " |")
    print("|---" * (len(variants) + 1) + "|")
    for name, kind, image, hole in cases:
        cells = []
        for run in variants.values():
            start = time.perf_counter()
            out = run(image, hole)
            cells.append(f"{gi.metrics.psnr(image, out, hole):.2f} "
                         f"({time.perf_counter() - start:.1f} s)")
        print(f"| {name}, {kind} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
