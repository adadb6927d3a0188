"""Remove text written over an image.

The bundled sample is a 256 x 256 gray brick wall (brick.png) and the text "GRAPH 2026" in
strokes 3 pixels wide (brick_text.png, white = hole, 4.2% of the pixels). Thin strokes over a
repeating texture are what patch matching does best: each hole pixel takes the mean of the
pixels whose surroundings look like its own, found in a search window around it. A wider
window finds more repeats of the bricks (``--window 51``), at a cost that grows with its area.

Usage::

    python examples/remove_text.py
    python examples/remove_text.py --window 51 --output wall.png
    python examples/remove_text.py --image photo.png --mask caption.png

The PSNR over the hole is exact for the sample, whose image is the undamaged wall.
"""

from __future__ import annotations

import argparse
import time

import _common
import graphinpaint as gi


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default=_common.DATA / "brick.png",
                        help="image file (default: the bundled brick wall)")
    parser.add_argument("--mask", default=_common.DATA / "brick_text.png",
                        help="mask file, white = hole (default: the bundled text)")
    parser.add_argument("--patch-size", type=int, default=7, help="odd patch side")
    parser.add_argument("--k", type=int, default=5, help="matches per hole pixel")
    parser.add_argument("--window", type=int, default=None,
                        help="odd side of the search window (default 31)")
    parser.add_argument("--crop", type=int, help="use only the central CROP x CROP pixels")
    _common.add_output_options(parser, "remove_text")
    args = parser.parse_args(argv)

    image = _common.center_crop(gi.io.read_image(args.image), args.crop)
    hole = _common.center_crop(gi.io.read_mask(args.mask), args.crop)      # True = hole
    if not hole.any():
        print("The mask marks no pixel as hole: nothing to restore.")
        return 1
    start = time.perf_counter()
    restored = gi.inpaint(image, hole, patch_size=args.patch_size, k=args.k, window=args.window)
    seconds = time.perf_counter() - start

    print(f"PSNR over the hole: {gi.metrics.psnr(image, restored, hole):.2f} dB "
          f"({100 * hole.mean():.1f}% of {hole.size} pixels restored in {seconds:.2f} s)")
    gi.io.write_image(_common.prepare(args.output), restored, inputs=(args.image, args.mask))
    print(f"wrote {args.output}")
    figure = _common.figure_path(args)
    if figure is not None:
        _common.save_figure(figure, [("with text", _common.mark_hole(image, hole)),
                                     ("text removed", restored), ("original", image)])
        print(f"wrote {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
