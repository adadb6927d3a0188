"""Hole masks the tests share."""

from __future__ import annotations

import numpy as np


def centred_block(n: int, side: int) -> np.ndarray:
    """A ``side`` x ``side`` block at the centre of an ``n`` x ``n`` image."""
    hole = np.zeros((n, n), bool)
    top = (n - side) // 2
    hole[top:top + side, top:top + side] = True
    return hole
