"""Issue 13: the frequency fill's block grid against OpenCV's, and FSR_BEST's differences on a
smooth photo (docs/pipeline.md, "FSR_FAST's grid and FSR_BEST's differences").

    python benchmarks/frequency_grid.py port                  # per component, ~30 s
    python benchmarks/frequency_grid.py phases "astronaut, blotches"        # ~30 s a case
    python benchmarks/frequency_grid.py profiles "chelsea smooth, block 32"
    python benchmarks/frequency_grid.py anchor                # end to end, ~1 min

``port``: on the blotch cases (and ``--cases``), the PSNR over each hole component (8-connected)
of ``cv2.xphoto.inpaint``'s FSR_FAST per channel (the compare table's peer), of this port's
FSR_FAST with the grid at the hole's top-left corner (``frequency_fill``'s) and at the image's
corner (OpenCV's: ``_fit(grid_phase=(0, 0))``), and of ``inpaint``. ``phases``: the port's
FSR_FAST PSNR over the hole with the grid at each even phase (0-14 by 0-14), and its spread.
``profiles``: the fill alone of ``mixes.GATED_PROFILE``, FSR_BEST and profiles between them,
with the fill's CPU seconds. ``anchor``: ``inpaint`` on the thick cases with every frequency
fill on OpenCV's grid, against the default.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import all_cases  # noqa: E402
from graphinpaint import _frequency, mixes  # noqa: E402

BEST, GATED = _frequency.FSR_BEST, mixes.GATED_PROFILE
PROFILES = {
    "gated (mixes.GATED_PROFILE)": GATED,
    "FSR_BEST": BEST,
    "gated, orthogonality 0.2": dataclasses.replace(GATED, orthogonality=0.2),
    "gated, 400 functions": dataclasses.replace(
        GATED, iterations=BEST.iterations,
        iterations_per_deviation=BEST.iterations_per_deviation),
    "gated, 4-px split at 0.09 (FSR_BEST's)": dataclasses.replace(
        GATED, split_deviation=BEST.split_deviation),
    "FSR_BEST, 4-px split at 0.2": dataclasses.replace(
        BEST, split_deviation=GATED.split_deviation),
    "FSR_BEST, at most 200 functions": dataclasses.replace(BEST, iterations=(50, 200)),
    "FSR_BEST, at most 100 functions": dataclasses.replace(BEST, iterations=(50, 100)),
    "FSR_BEST, orthogonality 0.3": dataclasses.replace(BEST, orthogonality=0.3),
}
THICK = ("block 32", "block 64", "blotches", "seed mask")


def psnr(image: np.ndarray, out: np.ndarray, where: np.ndarray) -> float:
    error = (image.astype(np.float64) - out.astype(np.float64))[where]
    return float(10 * np.log10(255.0 ** 2 / np.mean(error ** 2)))


def ported(image: np.ndarray, hole: np.ndarray, profile=_frequency.FSR_FAST,
           grid_phase: tuple[int, int] | None = None) -> np.ndarray:
    """The port's fill of an 8-bit image (grey or colour), rounded to 8 bits."""
    channels = image if image.ndim == 3 else image[..., None]
    fill = _frequency._fit(channels / 255.0, hole, profile, grid_phase=grid_phase)[0]
    out = channels.copy()
    out[hole] = np.clip(np.rint(fill * 255), 0, 255)
    return out.reshape(image.shape)


def cases_named(names: list[str]):
    return [case for case in all_cases() if f"{case[0]}, {case[1]}" in names]


def port(names: list[str]) -> None:
    import cv2

    import compare

    opencv = compare.xphoto(cv2.xphoto.INPAINT_FSR_FAST, per_channel=True)
    for name, kind, image, hole in cases_named(names):
        outs = {"OpenCV FSR_FAST per channel": opencv(image, hole),
                "port, hole's corner": ported(image, hole),
                "port, image's corner": ported(image, hole, grid_phase=(0, 0)),
                "inpaint": gi.inpaint(image, hole)}
        labels, count = ndi.label(hole, structure=np.ones((3, 3), bool))
        print(f"{name}, {kind}: components of " + ", ".join(
            str(np.count_nonzero(labels == k)) for k in range(1, count + 1)) + " px")
        for label, out in outs.items():
            parts = " ".join(f"{psnr(image, out, labels == k):6.2f}"
                             for k in range(1, count + 1))
            print(f"  {label:28s} {psnr(image, out, hole):6.2f} | {parts}", flush=True)


def phases(names: list[str]) -> None:
    for name, kind, image, hole in cases_named(names):
        grid = np.array([[psnr(image, ported(image, hole, grid_phase=(y, x)), hole)
                          for x in range(0, 16, 2)] for y in range(0, 16, 2)])
        rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
        print(f"{name}, {kind}: hole's corner (phase {rows[0] % 16}, {cols[0] % 16}) "
              f"{psnr(image, ported(image, hole), hole):.2f}; image's corner {grid[0, 0]:.2f}; "
              f"even phases: min {grid.min():.2f}, median {np.median(grid):.2f}, "
              f"max {grid.max():.2f}")
        print(np.array2string(grid, precision=2, max_line_width=120), flush=True)


def profiles(names: list[str]) -> None:
    for name, kind, image, hole in cases_named(names):
        ported(image, hole, BEST)                               # compile the kernel first
        for label, profile in PROFILES.items():
            cpu = time.process_time()
            out = ported(image, hole, profile)
            cpu = time.process_time() - cpu
            print(f"{name}, {kind}: {label:40s} {psnr(image, out, hole):.2f} dB "
                  f"{cpu:.3f} s", flush=True)


def anchor() -> None:
    real = _frequency._fit

    def at_opencv_grid(values, hole, profile, misfit=False, grid_phase=None, unknown=None):
        return real(values, hole, profile, misfit, (0, 0) if grid_phase is None
                    else grid_phase, unknown)

    total = 0.0
    for name, kind, image, hole in all_cases():
        if kind not in THICK:
            continue
        default = psnr(image, gi.inpaint(image, hole), hole)
        _frequency._fit = at_opencv_grid
        try:
            moved = psnr(image, gi.inpaint(image, hole), hole)
        finally:
            _frequency._fit = real
        total += moved - default
        print(f"{name}, {kind}: {default:.2f} -> {moved:.2f} ({moved - default:+.3f})",
              flush=True)
    print(f"sum {total:+.2f} dB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=("port", "phases", "profiles", "anchor"))
    parser.add_argument("cases", nargs="*", help='"name, kind" of compare cases')
    args = parser.parse_args()
    names = args.cases or [f"{name}, blotches" for name in
                           ("astronaut", "coffee", "camera", "chelsea smooth")]
    if args.study == "anchor":
        anchor()
    else:
        {"port": port, "phases": phases, "profiles": profiles}[args.study](names)


if __name__ == "__main__":
    main()
