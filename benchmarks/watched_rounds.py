"""Traced peak memory of a thick hole's rounds beside the rounds choice (review of issue 13's
branches): ``inpaint`` with the default rounds (the real fill watches its rounds and keeps the
first's estimate) against ``rounds=3`` given (not watched), the held-out work stubbed out (its
thread's allocations overlap the real fill's at random), in a fresh process each.

    PYTHONPATH=<checkout> python benchmarks/watched_rounds.py [--size 512]

The image: a colour wave; the hole: 16-px blocks every 64 px (the working region is the whole
image). Prints tracemalloc's peak of one warm call per mode, and the region's size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tracemalloc

import numpy as np

MODES = {"watched": None, "given": 3}       # the rounds passed to inpaint


def case(size: int) -> tuple[np.ndarray, np.ndarray]:
    """A colour wave and its 16-px blocks every 64 px."""
    y, x = np.mgrid[:size, :size]
    wave = 0.5 + 0.4 * np.cos(np.hypot(x - 30, y - 70) / 6.0) * np.sin(x / 9.0)
    hole = np.zeros((size, size), bool)
    for top in range(24, size - 16, 64):
        for left in range(24, size - 16, 64):
            hole[top:top + 16, left:left + 16] = True
    return np.stack([wave, wave ** 2, 1 - wave], axis=-1), hole


def peak(mode: str, size: int) -> None:
    """Print the traced peak of one warm call in ``mode``."""
    import graphinpaint as gi
    from graphinpaint import _threads, pipeline

    image, hole = case(size)
    _threads._threadsafe_kernels = lambda: True             # the choice runs beside the fill
    pipeline._self_validate_thick = lambda values_of, hole, settings, reach, **_: settings
    gi.inpaint(image, hole, rounds=MODES[mode])              # compile, warm the caches
    tracemalloc.start()
    gi.inpaint(image, hole, rounds=MODES[mode])
    print(f"| {mode} | {tracemalloc.get_traced_memory()[1] / 1e6:.1f} | "
          f"{image.nbytes / 1e6:.1f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--mode", choices=list(MODES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        peak(args.mode, args.size)
        return
    print("| rounds | traced peak, MB | region, MB |\n|---|---|---|", flush=True)
    for mode in MODES:
        subprocess.run([sys.executable, __file__, "--size", str(args.size), "--mode", mode],
                       check=True)


if __name__ == "__main__":
    main()
