"""Issue 13's thick holes' losses since the first table (rocket's blotches, grass's 64-px block):
the figures behind docs/pipeline.md, "Issue 13: thick holes' losses since the first table".

    python benchmarks/thick_losses.py rounds    # held-out error after one round / three, and
                                                # the real hole's PSNR after each
    python benchmarks/thick_losses.py time      # CPU seconds with the rounds choice and without
        [--repeat 9 --case "rocket, block 32" ...]
    python benchmarks/thick_losses.py texture   # match contrast and the grid Laplace mix, on
                                                # the thick cases and on smoothed white noise
    python benchmarks/thick_losses.py poles     # a synthetic sky, poles ending under disks

Cases: ``thick_selection.thick_cases`` (block 32 / block 64 / blotches of ``cases.wide_cases``
and the seed's fly when ``../shared/data/seed`` is present; barbara, deep, is left out: it has
one round). PSNR over the hole, dB.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, pipeline  # noqa: E402
from thick_selection import thick_cases  # noqa: E402

THREE = 3
# The texture study's statistic (studied here, not kept for the whole hole; kept since as the
# gate of a 64-px block's middle): _thick_holes.match_contrast.
match_contrast = _thick_holes.match_contrast


def with_settings(**changes):
    """A stand-in for ``pipeline._fill`` that runs the settings inpaint chose, with
    ``changes`` (the mix chosen beside the fill waited for first)."""
    real_fill = pipeline._fill

    def fill(values, hole, settings, progress=None, *, mix_choice=None, **options):
        chosen = settings if mix_choice is None else gi.fills._done(mix_choice)
        return real_fill(values, hole, chosen.replace(**changes), progress, **options)
    return fill


def psnr_with(image, hole, **changes) -> float:
    with mock.patch.object(pipeline, "_fill", with_settings(**changes)):
        return gi.metrics.psnr(image, gi.inpaint(image, hole), hole)


def held_out_ratio(image, hole) -> tuple[float, int]:
    """The default mix's held-out error after one round over its error after three, and the
    rounds chosen."""
    seen = []
    real = pipeline.choose_settings

    def capture(*args, **options):
        best, errors = real(*args, **options)
        given = args[2]
        seen.append(({c.rounds: e for c, e in errors if (c.smooth, c.smooth_share) ==
                      (given.smooth, given.smooth_share)}, best.rounds))
        return best, errors

    with mock.patch.object(pipeline, "choose_settings", capture):
        gi.inpaint(image, hole)
    (errors, rounds), = seen
    return errors[1] / errors.get(THREE, np.nan), rounds


def run_rounds(cases) -> None:
    print("| case | held-out error, 1 round / 3 | rounds chosen | PSNR, 1 round | 3 rounds | "
          "default |\n| --- | --- | --- | --- | --- | --- |")
    for name, kind, image, hole in cases:
        ratio, rounds = held_out_ratio(image, hole)
        one, three = psnr_with(image, hole, rounds=1), psnr_with(image, hole, rounds=THREE)
        default = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
        print(f"| {name}, {kind} | {ratio:.3f} | {rounds} | {one:.2f} | {three:.2f} | "
              f"{default:.2f} |", flush=True)


def run_time(cases, repeat: int = 3) -> None:
    """CPU seconds (all threads) of the default against the same without the rounds choice
    (main's work), alternated, median of ``repeat``."""
    own = pipeline._self_validate_thick
    without = functools.partial(own, choose_rounds=False)
    totals = np.zeros(2)
    print("| case | without, CPU s | with | ratio |\n| --- | --- | --- | --- |")
    for name, kind, image, hole in cases:
        times = {False: [], True: []}
        for _ in range(repeat):
            for choose in (False, True):
                pipeline._self_validate_thick = own if choose else (
                    lambda *args, choose_rounds=False, **options: without(*args, **options))
                start = time.process_time()
                gi.inpaint(image, hole)
                times[choose].append(time.process_time() - start)
        pipeline._self_validate_thick = own
        before, after = (float(np.median(times[key])) for key in (False, True))
        totals += (before, after)
        print(f"| {name}, {kind} | {before:.2f} | {after:.2f} | {after / before:.2f} |",
              flush=True)
    print(f"\ntotal {totals[0]:.1f} s -> {totals[1]:.1f} s: {totals[1] / totals[0]:.2f}x")


def smoothed_noise(sigma: float, seed: int, side: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """White noise blurred by ``sigma``, stretched to [0, 1], under a centred 32-px block."""
    image = ndi.gaussian_filter(np.random.default_rng(seed).random((side, side)), sigma)
    image = (image - image.min()) / (image.max() - image.min())
    hole = np.zeros((side, side), bool)
    hole[side // 2 - 16:side // 2 + 16, side // 2 - 16:side // 2 + 16] = True
    return image, hole


def blades(seed: int, count: int, side: int = 128, length: int = 10,
           sigma: float = 0.7) -> tuple[np.ndarray, np.ndarray]:
    """A grass-like texture: ``count`` straight blades of random grey, near vertical, on a
    mid-grey ground, blurred by ``sigma``, under a centred 32-px block."""
    rng = np.random.default_rng(seed)
    image = np.full((side, side), 0.5)
    for _ in range(count):
        y, x = rng.uniform(0, side, 2)
        angle, value = rng.uniform(-0.6, 0.6) + np.pi / 2, rng.uniform(0.1, 0.9)
        for step in np.linspace(0, length, 3 * length):
            row, col = int(y + step * np.sin(angle)), int(x + step * np.cos(angle))
            if 0 <= row < side and 0 <= col < side:
                image[row, col] = value
    hole = np.zeros((side, side), bool)
    hole[side // 2 - 16:side // 2 + 16, side // 2 - 16:side // 2 + 16] = True
    return ndi.gaussian_filter(image, sigma), hole


def run_texture(cases) -> None:
    noise = [("noise, sigma %g" % sigma, f"seed {seed}", *smoothed_noise(sigma, seed))
             for sigma in (0.7, 1.0, 1.5) for seed in (1, 2)]
    noise += [(f"blades {count}", f"seed {seed}", *blades(seed, count))
              for seed in (1, 2, 3) for count in (600, 1500)]
    print("| case | match contrast | default mix, 3 rounds | Laplace 0.5 | 0.75 | 1 |\n"
          "| --- | --- | --- | --- | --- | --- |")
    for name, kind, image, hole in [*cases, *noise]:
        values = np.asarray(image, float) / (255 if image.dtype == np.uint8 else 1)
        contrast = match_contrast(values.reshape(*hole.shape, -1), hole)
        default = psnr_with(image, hole, rounds=THREE)
        mixes = [psnr_with(image, hole, rounds=THREE, smooth="laplace", smooth_share=share)
                 for share in (0.5, 0.75, 1.0)]
        print(f"| {name}, {kind} | {contrast:.3f} | {default:.2f} | "
              + " | ".join(f"{m - default:+.2f}" for m in mixes) + " |", flush=True)


def poles_scene(radius: int, width: int = 2, side: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """A smooth sky with two thin poles rising from the bottom: one ends at the centre of a
    disk of ``radius`` (the hole), the other at the centre of the disk's held-out part
    (``_thick_holes.shrunk_beside``), so that the held-out hole sees a pole's end too."""
    yy, xx = np.mgrid[:side, :side]
    hole = (yy - 44) ** 2 + (xx - 48) ** 2 <= radius ** 2
    case = _thick_holes.shrunk_beside(hole, 20)
    held = np.zeros_like(hole)
    held[case.window] = case.pixels
    image = 0.3 + 0.3 * yy / side + 0.05 * xx / side
    for y, x in ((44, 48), (int(np.nonzero(held)[0].mean()), int(np.nonzero(held)[1].mean()))):
        image[y:, x - width // 2:x - width // 2 + width] = 0.75
    return image, hole


def run_poles(_cases) -> None:
    print("| disk radius | held-out error, 1 round / 3 | rounds chosen | PSNR, 1 round | "
          "3 rounds |\n| --- | --- | --- | --- | --- |")
    for radius in (8, 10, 12):
        image, hole = poles_scene(radius)
        ratio, rounds = held_out_ratio(image, hole)
        one, three = psnr_with(image, hole, rounds=1), psnr_with(image, hole, rounds=THREE)
        print(f"| {radius} | {ratio:.3f} | {rounds} | {one:.2f} | {three:.2f} |", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=("rounds", "time", "texture", "poles"))
    parser.add_argument("--case", action="append", default=None,
                        help='only this case ("rocket, blotches"); may be repeated')
    parser.add_argument("--repeat", type=int, default=3, help="time: alternated runs")
    args = parser.parse_args(argv)
    gi.inpaint(np.zeros((32, 32, 3), np.uint8), np.eye(32, dtype=bool))      # numba warm-up
    cases = [case for case in thick_cases() if case[0] != "barbara" and
             (args.case is None or f"{case[0]}, {case[1]}" in args.case)]
    if args.study == "time":
        run_time(cases, args.repeat)
    else:
        {"rounds": run_rounds, "texture": run_texture, "poles": run_poles}[args.study](cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
