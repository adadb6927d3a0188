"""Checks behind the review of the merged middle rule (``_thick_holes.smoother_middle``) and the
small kernel calls on one numba thread (``_kernel_threads``).

    python benchmarks/review_checks.py sample    # the middle gate against match_contrast's sample
    python benchmarks/review_checks.py tiles     # inpaint against inpaint_large, two deep blocks
    python benchmarks/review_checks.py solves    # the smooth fills solved, self-validation or not
    python benchmarks/review_checks.py threads   # inpaint's output on 1 and 2 numba threads

``sample``: the gate of ``match_contrast`` on the 48 outside blocks of ``thick_middle.py``,
its ring sampled on grids of strides 2 to 6 moved to 8 phases each, and against every ring
pixel (the review of 822254d drew 64 and 256 queries with 8 seeds instead). ``tiles``: a 128 x 512
picture, camera's left half and the Hubble deep field's right, a 64-px block in each, 384 px
apart (farther than the halo): on 822254d ``inpaint`` measured one gate for both,
``inpaint_large`` with 128-px tiles one per block; since, each block has its own gate in both;
with the rule and with ``MIDDLE_SHARE`` = 0.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, mixes  # noqa: E402


def strided_gate(values: np.ndarray, hole: np.ndarray, stride: int,
                 phase: tuple[int, int]) -> tuple[float, int]:
    """The gate of ``match_contrast`` with its ring sampled every ``stride`` pixels, the grid
    moved by ``phase`` from the hole's corner, and the sample's size."""
    ring = _thick_holes._ring_sample
    size = []

    def moved(near, hole_):
        shifted = np.roll(near, (-phase[0], -phase[1]), axis=(0, 1))
        picked = np.roll(ring(shifted, hole_), phase, axis=(0, 1)) & near
        size.append(int(picked.sum()))
        return picked

    with mock.patch.object(_thick_holes, "_ring_sample", moved), \
            mock.patch.object(_thick_holes, "CONTRAST_STRIDE", stride):
        return _thick_holes.middle_gate(_thick_holes.match_contrast(values, hole)), size[0]


def run_sample() -> None:
    """The gate on a stride's grid, moved to 8 phases, against every ring pixel's gate."""
    from thick_middle import outside_cases

    strides = (2, 3, 4, 5, 6)
    rows = {stride: [] for stride in strides}
    every, sizes = [], {stride: [] for stride in strides}
    for _, _, image, hole in outside_cases("first"):
        values = image.astype(float) / 255
        values = values[..., None] if values.ndim == 2 else values
        values[hole] = 0
        every.append(strided_gate(values, hole, 1, (0, 0))[0])
        for stride in strides:
            phases = [(y, x) for y in range(stride) for x in range(stride)][:8]
            gates = [strided_gate(values, hole, stride, phase) for phase in phases]
            rows[stride].append([g for g, _ in gates])
            sizes[stride].append(gates[0][1])
    for stride, table in rows.items():
        table = np.array(table)
        spread = table.max(axis=1) - table.min(axis=1)
        off = np.abs(table[:, 0] - every) > 0.5
        print(f"stride {stride} (~{np.mean(sizes[stride]):.0f} pixels): the gate's range over "
              f"{table.shape[1]} phases above 0.5 on {np.sum(spread > 0.5)} of {len(table)} "
              f"blocks (mean range {spread.mean():.2f}, above 0.2 on {np.sum(spread > 0.2)}); "
              f"phase 0 more than 0.5 from every ring pixel's gate on {np.sum(off)}", flush=True)


def two_blocks() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    from skimage import data, transform

    def shrink(image, size=256):
        out = transform.resize(image, (size, size) + image.shape[2:], anti_aliasing=True)
        return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)

    camera = shrink(data.camera())[8:136]
    hubble = shrink(data.hubble_deep_field()[:400, :400]).mean(axis=2).round()[8:136]
    image = np.concatenate([camera, hubble.astype(np.uint8)], axis=1)
    hole = np.zeros(image.shape, bool)
    hole[32:96, 32:96] = hole[32:96, 416:480] = True
    parts = {"camera": hole.copy(), "hubble": hole.copy()}
    parts["camera"][:, 256:] = parts["hubble"][:, :256] = False
    return image, hole, parts


def run_tiles() -> None:
    image, hole, parts = two_blocks()
    values = np.where(hole, 0, image / 255.0)[..., None]
    for name, part in {"both": hole, **parts}.items():
        print(f"match_contrast around {name}: {_thick_holes.match_contrast(values, part):.3f}")
    for share in (_thick_holes.MIDDLE_SHARE, 0.0):
        with mock.patch.object(_thick_holes, "MIDDLE_SHARE", share):
            whole = gi.inpaint(image, hole)
            tiles = gi.inpaint_large(image, hole, tile=128, scheduler="synchronous")
        for name, part in parts.items():
            apart = np.abs(whole.astype(int) - tiles.astype(int))[part]
            print(f"MIDDLE_SHARE {share}, {name}'s block: whole "
                  f"{gi.metrics.psnr(image, whole, part):.2f} dB, tiles "
                  f"{gi.metrics.psnr(image, tiles, part):.2f} dB; {np.count_nonzero(apart)} "
                  f"pixels apart, by up to {apart.max()} levels")


def run_solves() -> None:
    from test_thick_middle import _blurred_noise, _block

    image, hole = _blurred_noise(), _block(64)
    for self_validation in (True, False):
        kinds = []
        real = mixes.SmoothFills._solve

        def spy(smooth, kind):
            kinds.append(kind)
            return real(smooth, kind)

        with mock.patch.object(mixes.SmoothFills, "_solve", spy):
            gi.inpaint(image, hole, self_validation=self_validation)
        print(f"self_validation={self_validation}: {kinds}")


def hashes() -> str:
    from test_speed_paths import _scratches

    image = gi.io.read_image(ROOT / "examples" / "data" / "astronaut.png")[:128, :128]
    block = np.zeros((128, 128), bool)
    block[32:96, 32:96] = True                                  # deep: the middle rule
    out = []
    for hole in (_scratches((128, 128)), block):
        for _ in range(2):                                      # fresh, then warm
            out.append(hashlib.sha1(gi.inpaint(image, hole).tobytes()).hexdigest()[:12])
    return " ".join(out)


def run_threads() -> None:
    for count in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=count)
        line = subprocess.run([sys.executable, __file__, "hashes"], env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
        print(f"NUMBA_NUM_THREADS={count}: scratches fresh, warm; block fresh, warm: {line}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("check", choices=("sample", "tiles", "solves", "threads", "hashes"))
    check = parser.parse_args(argv).check
    if check == "hashes":
        print(hashes())
    else:
        {"sample": run_sample, "tiles": run_tiles, "solves": run_solves,
         "threads": run_threads}[check]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
