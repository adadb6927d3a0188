"""Fill scattered missing pixels: 80% of a photo's pixels lost at random.

A seeded random generator drops a fraction of the pixels of the bundled astronaut (80% by
default); :func:`graphinpaint.inpaint` fills them and the script prints the PSNR over the lost
pixels. With most known pixels next to the hole, ``strategy="auto"`` picks the ``"global"``
strategy: a smooth (biharmonic) fill first, then one Dirichlet problem on the whole hole over a
graph of patch matches among the known pixels.

Usage::

    python examples/fill_missing_pixels.py
    python examples/fill_missing_pixels.py --fraction 0.5 --seed 1 --output half.png
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import _common
import graphinpaint as gi


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default=_common.DATA / "astronaut.png",
                        help="image file (default: the bundled astronaut)")
    parser.add_argument("--fraction", type=float, default=0.8,
                        help="share of the pixels to drop, in (0, 1) (default 0.8)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random loss")
    parser.add_argument("--patch-size", type=int, default=7, help="odd patch side")
    parser.add_argument("--k", type=int, default=5, help="matches per hole pixel")
    parser.add_argument("--crop", type=int, help="use only the central CROP x CROP pixels")
    _common.add_output_options(parser, "fill_missing_pixels")
    args = parser.parse_args(argv)
    if not 0 < args.fraction < 1:
        parser.error(f"--fraction must lie in (0, 1), got {args.fraction}")

    image = _common.center_crop(gi.io.read_image(args.image), args.crop)
    rng = np.random.default_rng(args.seed)
    hole = rng.random(image.shape[:2]) < args.fraction                     # True = lost
    start = time.perf_counter()
    restored = gi.inpaint(image, hole, patch_size=args.patch_size, k=args.k)
    seconds = time.perf_counter() - start

    print(f"PSNR over the lost pixels: {gi.metrics.psnr(image, restored, hole):.2f} dB "
          f"({100 * hole.mean():.1f}% of {hole.size} pixels filled in {seconds:.2f} s)")
    gi.io.write_image(_common.prepare(args.output), restored, inputs=(args.image,))
    print(f"wrote {args.output}")
    figure = _common.figure_path(args)
    if figure is not None:
        damaged = image.copy()
        damaged[hole] = 0
        _common.save_figure(figure, [(f"{100 * args.fraction:.0f}% lost (black)", damaged),
                                     ("restored", restored), ("original", image)])
        print(f"wrote {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
