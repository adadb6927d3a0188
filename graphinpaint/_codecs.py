"""Byte-level codecs for what imageio's Pillow backend gets wrong: 16-bit colour PNGs (read as
8-bit, not written at all) go through pypng, and CMYK files are told apart so that they are not
read as RGBA. Used by :mod:`graphinpaint.io` only.
"""

from __future__ import annotations

from io import BytesIO
from typing import BinaryIO

import numpy as np


# Pillow, imageio's PNG backend, reads 16-bit colour PNGs as 8-bit and cannot write them:
# 16-bit PNGs go through pypng so that they keep their depth.

def is_png16(content: bytes) -> bool:
    """Whether the bytes are a PNG of 16 bits per sample (the IHDR chunk's bit depth)."""
    return content[:8] == b"\x89PNG\r\n\x1a\n" and len(content) > 26 and content[24] == 16


def read_png16(content: bytes) -> np.ndarray:
    """A 16-bit PNG's pixels as uint16, (H, W) or (H, W, planes)."""
    import png

    width, height, rows, info = png.Reader(bytes=content).asDirect()
    pixels = np.vstack([np.asarray(row, dtype=np.uint16) for row in rows])
    planes = info["planes"]
    return pixels.reshape(height, width, planes) if planes > 1 else pixels.reshape(height, width)


def write_png16(file: BinaryIO, image: np.ndarray) -> None:
    """Write a uint16 image as a 16-bit PNG to a binary file object (:mod:`graphinpaint.io`
    opens the files)."""
    import png

    planes = 1 if image.ndim == 2 else image.shape[2]
    writer = png.Writer(width=image.shape[1], height=image.shape[0], bitdepth=16,
                        greyscale=planes in (1, 2), alpha=planes in (2, 4))
    writer.write(file, image.reshape(image.shape[0], -1))


def is_cmyk(content: bytes) -> bool:
    """A CMYK file (print JPEGs and TIFFs), told by Pillow from its header."""
    from PIL import Image

    try:
        with Image.open(BytesIO(content)) as image:
            return image.mode == "CMYK"
    except Exception:  # not a file Pillow knows: imageio decides
        return False
