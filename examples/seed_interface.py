"""The seed's (PyInpaint's) front: ``Inpaint(org_img, mask, ps)(k_boundary, k_search, k_patch)``.

Code written for PyInpaint runs unchanged: ``from graphinpaint import Inpaint`` instead of
``from pyinpaint import Inpaint``. Its conventions hold: the mask is **black = hole** (the
opposite of ``graphinpaint.inpaint`` and of the bundled masks), and the result is a float image
in [0, 1]. The script inverts the bundled scratch mask into a temporary file to get a mask in the
seed's convention, then calls both of the seed's forms:

    Inpaint(image_path, mask_path)()                          # ps=7, 4, 1000, 5
    Inpaint(image_path, mask_path, ps)(k_boundary, k_search, k_patch)

prints which :func:`graphinpaint.inpaint` options the seed's parameters stand for, the PSNR of
each result over the hole and the equivalent shell command, and writes the second result.

Usage::

    python examples/seed_interface.py
    python examples/seed_interface.py --ps 9 --k-boundary 8 --k-search 400 --k-patch 3
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np

import _common
import graphinpaint as gi
from graphinpaint import Inpaint


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default=_common.DATA / "astronaut.png",
                        help="image file (default: the bundled astronaut)")
    parser.add_argument("--mask", default=_common.DATA / "astronaut_scratches.png",
                        help="mask file, WHITE = hole as the bundled masks; the script "
                             "inverts it for the seed (default: the bundled scratches)")
    parser.add_argument("--ps", type=int, default=9, help="patch size (seed: ps)")
    parser.add_argument("--k-boundary", type=int, default=8, choices=(4, 8, 16),
                        help="seed: k_boundary")
    parser.add_argument("--k-search", type=int, default=400, help="seed: k_search")
    parser.add_argument("--k-patch", type=int, default=3, help="seed: k_patch")
    parser.add_argument("--crop", type=int, help="use only the central CROP x CROP pixels")
    _common.add_output_options(parser, "seed_interface")
    args = parser.parse_args(argv)

    image = _common.center_crop(gi.io.read_image(args.image), args.crop)
    hole = _common.center_crop(gi.io.read_mask(args.mask), args.crop)      # True = hole
    original = image / np.iinfo(image.dtype).max                            # the seed's floats
    with tempfile.TemporaryDirectory() as folder:
        image_path = Path(folder) / "image.png"
        seed_mask_path = Path(folder) / "mask_black_hole.png"
        gi.io.write_image(image_path, image)
        gi.io.write_image(seed_mask_path, np.where(hole, 0, 255).astype(np.uint8))  # black = hole

        default = Inpaint(image_path, seed_mask_path)()
        chosen = Inpaint(image_path, seed_mask_path, args.ps)(
            args.k_boundary, args.k_search, args.k_patch)
        options = Inpaint(image_path, seed_mask_path, args.ps).options(
            args.k_boundary, args.k_search, args.k_patch)

    calls = [("Inpaint(img, mask)()", default),
             (f"Inpaint(img, mask, {args.ps})({args.k_boundary}, {args.k_search}, "
              f"{args.k_patch})", chosen)]
    for call, result in calls:
        print(f"{call:38s} PSNR over the hole {gi.metrics.psnr(original, result, hole):.2f} dB")
    print(f"  which is graphinpaint.inpaint(image, hole, "
          f"{', '.join(f'{key}={value}' for key, value in options.items())})")
    print(f"  and in a shell: graphinpaint --org_img IMG --mask MASK --ps {args.ps} "
          f"--k_boundary {args.k_boundary} --k_search {args.k_search} --k_patch {args.k_patch}")

    result = (chosen * 255).round().astype(np.uint8)                        # floats -> 8 bits
    gi.io.write_image(_common.prepare(args.output), result, inputs=(args.image, args.mask))
    print(f"wrote {args.output}")
    figure = _common.figure_path(args)
    if figure is not None:
        _common.save_figure(figure, [
            ("seed mask (black = hole)", np.where(hole, 0, 255).astype(np.uint8)),
            ("Inpaint(img, mask)()", default),
            (f"Inpaint(.., {args.ps})({args.k_boundary}, {args.k_search}, {args.k_patch})",
             chosen),
            ("original", original)])
        print(f"wrote {figure}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
