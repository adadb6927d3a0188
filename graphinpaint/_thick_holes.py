"""The defaults that follow the hole's shape: thick holes (blocks, blotches) and deep ones.

:func:`graphinpaint.inpaint` and :func:`graphinpaint.inpaint_large` (which measures the stroke
width and the depth over a lazy mask) both ask here, so that a tile runs the same pipeline as a
whole image. docs/pipeline.md has the measurements behind each rule.
"""

from __future__ import annotations

import numpy as np

from .fills import layer_depths

__all__ = ["DEEPEST_REFINED", "DEEP_WINDOW", "THICK_STROKE", "deepest", "default_patch_size",
           "is_thick", "patch_for", "rounds_for"]

# A hole whose strokes are this wide or wider (blocks, blotches) is matched with larger patches.
THICK_STROKE = 8.0
# Thick holes get three refinement rounds, each with fewer matches (k, not 2 k): on 32- and
# 64-pixel blocks and blotches (16 to 32 pixels deep) they gained 0.7 dB on average. Deeper
# ones get one round and a search window of 51 instead: barbara's blob, 40 pixels deep, went
# from 26.0 to 27.8 dB at 1.5x the time (61: 28.1 dB at 1.8-2.3x; three rounds lost 0.5 dB);
# on 80-pixel blocks over eight images the wider window was mixed.
DEEPEST_REFINED = 32
DEEP_WINDOW = 51


def is_thick(width: float, strategy: str) -> bool:
    """Whether a hole of this stroke width is thick (blocks, blotches) and filled by layers:
    the holes that take larger patches and more refinement rounds."""
    return strategy == "layers" and width >= THICK_STROKE


def patch_for(thick: bool) -> int:
    """The default patch: 11 for thick holes, else 7."""
    return 11 if thick else 7


def default_patch_size(thick: bool, shape: tuple[int, ...]) -> int:
    """:func:`patch_for` the hole, never more than the image's odd side."""
    side = min(shape[0], shape[1])
    return min(patch_for(thick), side if side % 2 else side - 1)


def rounds_for(thick: bool, deep: bool) -> int:
    """The default refinement rounds: 3 for thick holes, 1 for thin or deep ones."""
    return 3 if thick and not deep else 1


def deepest(hole: np.ndarray) -> int:
    """Depth of the hole's deepest pixel (taxicab distance to the known part); the hole must
    have a pixel."""
    rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    box = (slice(max(rows[0] - 1, 0), rows[-1] + 2), slice(max(cols[0] - 1, 0), cols[-1] + 2))
    return int(layer_depths(hole[box]).max())
