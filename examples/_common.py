"""Helpers shared by the example scripts (not part of graphinpaint).

DATA                 the bundled sample images and masks (``examples/data``)
add_output_options   ``--output`` and ``--figure`` options of an example's parser
center_crop          the central size x size part of an image or mask (quick runs)
mark_hole            an image with its hole painted white (gray) or green (colour), for display
save_figure          panels side by side: a matplotlib figure if matplotlib is installed,
                     else a plain image strip written with graphinpaint.io
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import graphinpaint as gi

DATA = Path(__file__).resolve().parent / "data"


def add_output_options(parser: argparse.ArgumentParser, name: str) -> None:
    """Add ``--output`` (the result, default ``out/NAME.png``) and ``--figure``."""
    parser.add_argument("--output", type=Path, default=Path("out") / f"{name}.png",
                        help="where to write the result (default: %(default)s)")
    parser.add_argument("--figure", default="auto",
                        help="where to write a comparison figure; 'auto' (default) puts it "
                             "beside the output as NAME_figure.png, 'none' skips it")


def figure_path(args: argparse.Namespace) -> Path | None:
    """The figure's path from ``--figure`` and ``--output`` (None: no figure)."""
    if args.figure == "none":
        return None
    if args.figure == "auto":
        return args.output.with_name(f"{args.output.stem}_figure.png")
    return Path(args.figure)


def prepare(path: Path) -> Path:
    """Create the folder of an output path; return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def center_crop(array: np.ndarray, size: int | None) -> np.ndarray:
    """The central ``size`` x ``size`` part of an image or mask (all of it when size is None)."""
    if size is None:
        return array
    top = max((array.shape[0] - size) // 2, 0)
    left = max((array.shape[1] - size) // 2, 0)
    return array[top:top + size, left:left + size]


def mark_hole(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """A copy of an integer image with the hole painted white (gray) or green (colour)."""
    marked = image.copy()
    top = np.iinfo(image.dtype).max
    marked[hole] = (0, top, 0, top)[:image.shape[2]] if image.ndim == 3 else top
    return marked


def save_figure(path: Path, panels: list[tuple[str, np.ndarray]]) -> None:
    """Write titled panels (integer images, or floats in [0, 1]) side by side as a PNG."""
    prepare(path)
    panels = [(title, _as_uint8(image)) for title, image in panels]
    try:
        import matplotlib
    except ImportError:
        strip = np.concatenate([_as_rgb(image) for _, image in panels], axis=1)
        gi.io.write_image(path, strip)
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(3 * len(panels), 3.3))
    for ax, (title, image) in zip(np.atleast_1d(axes), panels):
        ax.imshow(image, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _as_uint8(image: np.ndarray) -> np.ndarray:
    if image.dtype == np.uint8:
        return image
    if image.dtype.kind in "ui":
        return (image.astype(np.float64) / np.iinfo(image.dtype).max * 255).round() \
            .astype(np.uint8)
    return (np.clip(image, 0.0, 1.0) * 255).round().astype(np.uint8)


def _as_rgb(image: np.ndarray) -> np.ndarray:
    return np.repeat(image[:, :, None], 3, axis=2) if image.ndim == 2 else image[:, :, :3]
