"""The frequency-selective extrapolation (graphinpaint._frequency) against its peers in one run:
OpenCV's FSR_FAST per channel and the grid biharmonic fill, on a 64-px block and the blotches
over a 256^2 colour photo.

Run: ``python -m pytest benchmarks/test_bench_frequency.py --benchmark-enable``
PSNR over the hole goes into each benchmark's ``extra_info``; numba is warmed up in untimed
setup.
"""

import numpy as np
import pytest
from cases import wide_cases
from compare import xphoto

import graphinpaint as gi
from graphinpaint._frequency import frequency_fill

CASES = {kind: (image, hole) for name, kind, image, hole in wide_cases()
         if name == "astronaut" and kind in ("block 64", "blotches")}


def _values(image, hole):
    values = image / 255.0
    values[hole] = 0
    return values


def _fsr_fast(image, hole):
    cv2 = pytest.importorskip("cv2")
    return xphoto(cv2.xphoto.INPAINT_FSR_FAST, per_channel=True)(image, hole) / 255.0


@pytest.mark.parametrize("kind", sorted(CASES))
@pytest.mark.parametrize("method", ["ours", "opencv fsr_fast", "grid biharmonic"])
def test_frequency_fill(benchmark, kind, method):
    image, hole = CASES[kind]
    values = _values(image, hole)
    frequency_fill(values[:40, :40], np.pad(np.ones((8, 8), bool), 16))      # compile first
    run = {"ours": lambda: frequency_fill(values, hole),
           "opencv fsr_fast": lambda: _fsr_fast(image, hole),
           "grid biharmonic": lambda: gi.fills.grid_biharmonic_fill(values, hole)}[method]
    out = benchmark(run)
    benchmark.extra_info["psnr_hole_db"] = gi.metrics.psnr(image / 255.0, out, hole)
