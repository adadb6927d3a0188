"""Whether the pipeline's working arrays fit in memory, checked before the work starts."""

from __future__ import annotations

import math
import os

__all__ = ["check_fits_in_memory"]

# Peak working memory of the pipeline per value (pixel x channel) of its working region: a
# 2048 x 2048 RGB image with 5% scratches peaked at 838 MB (docs/pipeline.md), 67 bytes a value.
BYTES_PER_VALUE = 64


def available_memory() -> float:
    """Bytes the system can still hand out (MemAvailable on Linux), or inf if unknown."""
    try:
        with open("/proc/meminfo") as file:
            for line in file:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return math.inf


def check_fits_in_memory(height: int, width: int, channels: int, func: str) -> None:
    """Raise a MemoryError pointing to ``inpaint_large`` when a working region cannot fit."""
    needed = float(height) * width * channels * BYTES_PER_VALUE
    available = available_memory()
    if needed > available:
        raise MemoryError(
            f"{func} would need about {needed / 1e9:.1f} GB to restore the {height} x {width} "
            f"part of the image around its hole, more than the {available / 1e9:.1f} GB "
            "available. Restore it in tiles: graphinpaint.inpaint_large(image, mask, tile=2048) "
            "(graphinpaint --tile 2048 on the command line)."
        )
