"""Coarse-to-fine for thick holes: the hole filled at half resolution first, then upsampled as
a guide that the full-resolution layers' patch distances read inside the hole.

At half resolution a 64-px block is 32 px, and the same search window reaches twice as far
across it: a bar or an edge that crosses a wide hole is continued there, and the guide carries
it into the fine fill, whose layers from the boundary inward would otherwise meet in the middle
without it (Wexler, Shechtman and Irani 2007; Newson et al. 2014 continue structure the same
way). Opt-in (``inpaint(..., coarse_to_fine=True)``): on the compare benchmark's real blocks
and blotches it gains as much as it loses (docs/pipeline.md, "far matches and coarse-to-fine").
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import ndimage as ndi

from .settings import Settings

__all__ = ["COARSE_PATCH", "COARSE_ROUNDS", "GUIDE_CONFIDENCE", "coarse_guide", "halve",
           "upsample"]

# The coarse fill: 7 x 7 patches (11 x 11 at full resolution halved, rounded to odd) and the
# thick holes' three refinement rounds.
COARSE_PATCH = 7
COARSE_ROUNDS = 3
# Weight of the guide's values in the fine layers' masked patch distances (known and filled
# pixels: 1). 0.6 gained most over the 26 thick cases (0.1: less; docs/pipeline.md).
GUIDE_CONFIDENCE = 0.6


def halve(values: np.ndarray, hole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2 x 2 means of an (H, W, C) image, edge-padded to even sides; a coarse pixel is missing
    where any of its four is.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.arange(16.0).reshape(4, 4, 1)
    >>> hole = np.zeros((4, 4), bool); hole[0, 0] = True
    >>> coarse, coarse_hole = halve(values, hole)
    >>> coarse[..., 0], coarse_hole
    (array([[ 2.5,  4.5],
           [10.5, 12.5]]), array([[ True, False],
           [False, False]]))
    """
    pad = ((0, values.shape[0] % 2), (0, values.shape[1] % 2))
    image = np.pad(values, (*pad, (0, 0)), mode="edge")
    mask = np.pad(hole, pad, mode="edge")
    height, width = mask.shape[0] // 2, mask.shape[1] // 2
    return (image.reshape(height, 2, width, 2, -1).mean(axis=(1, 3)),
            mask.reshape(height, 2, width, 2).any(axis=(1, 3)))


def upsample(coarse: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear upsampling of an (h, w, C) image by 2 (pixel centres aligned: a 2 x 2 block
    of the fine grid around each coarse pixel), cropped to the spatial ``shape``."""
    fine = ndi.zoom(coarse, (2, 2, 1), order=1, mode="nearest", grid_mode=True)
    return fine[:shape[0], :shape[1]]


def coarse_guide(values: np.ndarray, hole: np.ndarray,
                 fill: Callable[[np.ndarray, np.ndarray, Settings], np.ndarray],
                 settings: Settings) -> np.ndarray | None:
    """The hole filled at half resolution by the graph fill ``fill(values, hole, settings)``
    (:data:`COARSE_PATCH`, :data:`COARSE_ROUNDS` rounds of ``settings.k`` matches, the same
    window) and upsampled to ``values``' shape; None where halving leaves no known pixel or
    no room for the coarse patches."""
    coarse_values, coarse_hole = halve(values, hole)
    if coarse_hole.all() or min(coarse_hole.shape) < COARSE_PATCH:
        return None
    coarse = settings.replace(patch_size=COARSE_PATCH, rounds=COARSE_ROUNDS, refine_k=settings.k,
                              coarse_to_fine=False)
    return upsample(fill(coarse_values, coarse_hole, coarse), hole.shape)
