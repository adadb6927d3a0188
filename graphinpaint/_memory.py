"""Whether the pipeline's working arrays fit in memory, checked before the work starts."""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import os

import numpy as np

__all__ = ["check_fits_in_memory", "release_freed_memory"]

# Peak working memory of the pipeline per value (pixel x channel) of its working region: a
# 2048 x 2048 RGB image with 5% scratches peaked at 838 MB (docs/pipeline.md), 67 bytes a value.
BYTES_PER_VALUE = 64
# Working regions from which release_freed_memory trims the heap (1448^2 in colour, float64):
# below, the memory it gives back is small next to its 2 ms (barbara: 5 calls a run).
RELEASE_FROM_BYTES = 48 * 2**20


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


def _glibc_malloc_trim():
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, Windows, musl)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _glibc_malloc_trim()


def release_freed_memory(working: np.ndarray) -> None:
    """Hand memory freed inside the C heap back to the system, between the pipeline's stages,
    when the ``working`` array is large (``RELEASE_FROM_BYTES``): a call costs about 2 ms.

    glibc keeps the freed medium-sized blocks of the solvers and searches (some in the arenas of
    the threads that solved the smooth fills) as resident memory, which the next stage's large
    arrays then add to: at 4096^2 in colour with 5% scratches 250-420 MB at each stage, and the
    peak fell from 3,160 to under 3,000 MB (docs/benchmarks.md). No effect on any value; a no-op
    where the C library has no ``malloc_trim``."""
    if _MALLOC_TRIM is not None and working.nbytes >= RELEASE_FROM_BYTES:
        _MALLOC_TRIM(0)
