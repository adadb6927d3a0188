"""Compare p-Laplacians: inpaint one image for several p and both forms.

For every p in ``--p`` (default 1, 1.5, 2, 4, inf) and every form in ``--forms`` (default
anisotropic and isotropic; p = 2 and p = inf have one form each, so they run once), the script
restores the hole with :func:`graphinpaint.inpaint`, then prints a markdown table of the PSNR
over the hole and the time, and writes a figure of the results side by side (a crop around
the hole's densest part, so that differences are visible).

The default case is the bundled astronaut photo with its scratch mask (white = hole); the photo
itself is undamaged, so the PSNR measures each restoration exactly.

Usage::

    python examples/compare_p.py
    python examples/compare_p.py --p 1 2 inf --forms anisotropic --crop 128
    python examples/compare_p.py --image photo.png --mask hole.png --figure compare.png
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import _common
import graphinpaint as gi

FORMS = ("anisotropic", "isotropic")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    image = _common.center_crop(gi.io.read_image(args.image), args.crop)
    hole = _common.center_crop(gi.io.read_mask(args.mask), args.crop)      # True = hole
    if not hole.any():
        print("The mask marks no pixel as hole: nothing to compare.")
        return 1

    rows, panels = [], [("with hole", _common.mark_hole(image, hole))]
    for p, form in _runs(args.p, args.forms):
        start = time.perf_counter()
        restored = gi.inpaint(image, hole, p=p, form=form, patch_size=args.patch_size, k=args.k)
        seconds = time.perf_counter() - start
        rows.append((_p_label(p), form if _has_forms(p) else "-",
                     gi.metrics.psnr(image, restored, hole), seconds))
        panels.append((f"p={_p_label(p)}{_form_tag(p, form)}", restored))
    panels.append(("original", image))

    print(_table(rows, hole))
    if args.figure != "none":
        figure = _common.prepare(Path(args.figure))
        box = _densest_window(hole, args.zoom)
        _common.save_figure(figure, [(title, panel[box]) for title, panel in panels])
        print(f"wrote {figure}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", type=Path, default=_common.DATA / "astronaut.png",
                        help="image file (default: the bundled astronaut)")
    parser.add_argument("--mask", type=Path, default=_common.DATA / "astronaut_scratches.png",
                        help="mask file, white = hole (default: the bundled scratches)")
    parser.add_argument("--p", type=float, nargs="+", default=[1.0, 1.5, 2.0, 4.0, np.inf],
                        help="exponents in [1, inf] ('inf' accepted; default: %(default)s)")
    parser.add_argument("--forms", nargs="+", choices=FORMS, default=list(FORMS),
                        help="p-Laplacian forms (default: both)")
    parser.add_argument("--patch-size", type=int, default=7, help="odd patch side")
    parser.add_argument("--k", type=int, default=5, help="matches per hole pixel")
    parser.add_argument("--crop", type=int, help="use only the central CROP x CROP pixels")
    parser.add_argument("--zoom", type=int, default=96,
                        help="side of the figure's crop around the hole (default: %(default)s)")
    parser.add_argument("--figure", default=str(Path("out") / "compare_p.png"),
                        help="where to write the figure, or 'none' (default: %(default)s)")
    return parser


def _runs(ps: list[float], forms: list[str]) -> list[tuple[float, str]]:
    """(p, form) pairs; p = 2 and p = inf once each, since their two forms coincide."""
    runs = []
    for p in ps:
        runs.extend((p, form) for form in (forms if _has_forms(p) else forms[:1]))
    return runs


def _has_forms(p: float) -> bool:
    return p != 2 and not np.isinf(p)


def _p_label(p: float) -> str:
    return "inf" if np.isinf(p) else f"{p:g}"


def _form_tag(p: float, form: str) -> str:
    return f" ({form[:3]})" if _has_forms(p) else ""


def _table(rows: list[tuple[str, str, float, float]], hole: np.ndarray) -> str:
    """A markdown table, best PSNR in bold."""
    best = max(psnr for _, _, psnr, _ in rows)
    lines = [f"{int(hole.sum())} hole pixels ({100 * hole.mean():.1f}% of the image)", "",
             "| p | form | PSNR over the hole (dB) | time (s) |", "|---|---|---:|---:|"]
    for p, form, psnr, seconds in rows:
        shown = f"**{psnr:.2f}**" if psnr == best else f"{psnr:.2f}"
        lines.append(f"| {p} | {form} | {shown} | {seconds:.2f} |")
    return "\n".join(lines)


def _densest_window(hole: np.ndarray, size: int) -> tuple[slice, slice]:
    """The size x size window (clipped to the image) holding the most hole pixels."""
    height, width = hole.shape
    size_y, size_x = min(size, height), min(size, width)
    counts = np.pad(hole, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    sums = (counts[size_y:, size_x:] - counts[:-size_y, size_x:]
            - counts[size_y:, :-size_x] + counts[:-size_y, :-size_x])
    top, left = np.unravel_index(np.argmax(sums), sums.shape)
    return slice(top, top + size_y), slice(left, left + size_x)


if __name__ == "__main__":
    raise SystemExit(main())
