"""Restore a scratched photo.

The bundled sample is a 256 x 256 photo (astronaut.png) and a mask of scratches 2-5 pixels wide
over 12.7% of it (astronaut_scratches.png, white = hole). The photo itself is undamaged, so the
PSNR over the hole measures the restoration exactly. The script restores the hole with
:func:`graphinpaint.inpaint`, prints that PSNR, and writes the restored image and a figure
(scratched / restored / original).

Usage::

    python examples/restore_scratches.py
    python examples/restore_scratches.py --patch-size 11 --k 3 --output restored.png
    python examples/restore_scratches.py --image photo.png --mask scratches.png

With your own image the PSNR compares the result with whatever the image holds under the
mask: it is meaningful only if that is the undamaged original.
"""

from __future__ import annotations

import argparse
import time

import _common
import graphinpaint as gi


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default=_common.DATA / "astronaut.png",
                        help="image file (default: the bundled astronaut)")
    parser.add_argument("--mask", default=_common.DATA / "astronaut_scratches.png",
                        help="mask file, white = hole (default: the bundled scratches)")
    # None leaves each to inpaint, which chooses it from the hole (docs/user_guide.md).
    parser.add_argument("--p", type=float, default=None, help="p-Laplacian exponent in [1, inf]")
    parser.add_argument("--patch-size", type=int, default=None, help="odd patch side")
    parser.add_argument("--k", type=int, default=None, help="matches per hole pixel")
    parser.add_argument("--crop", type=int, help="use only the central CROP x CROP pixels")
    _common.add_output_options(parser, "restore_scratches")
    args = parser.parse_args(argv)

    image = _common.center_crop(gi.io.read_image(args.image), args.crop)
    hole = _common.center_crop(gi.io.read_mask(args.mask), args.crop)      # True = hole
    if not hole.any():
        print("The mask marks no pixel as hole: nothing to restore.")
        return 1
    start = time.perf_counter()
    restored = gi.inpaint(image, hole, p=args.p, patch_size=args.patch_size, k=args.k)
    seconds = time.perf_counter() - start

    print(f"PSNR over the hole: {gi.metrics.psnr(image, restored, hole):.2f} dB "
          f"({100 * hole.mean():.1f}% of {hole.size} pixels restored in {seconds:.2f} s)")
    gi.io.write_image(_common.prepare(args.output), restored, inputs=(args.image, args.mask))
    print(f"wrote {args.output}")
    figure = _common.figure_path(args)
    if figure is not None:
        _common.save_figure(figure, [("scratched", _common.mark_hole(image, hole)),
                                     ("restored", restored), ("original", image)])
        print(f"wrote {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
