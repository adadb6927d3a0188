"""Make the bundled sample images and masks of ``examples/data`` (run from the repo root).

    python examples/data/make_samples.py            # masks only (numpy, imageio)
    python examples/data/make_samples.py --images   # also re-cut the images (needs scikit-image)

Masks are white (255) = hole, black (0) = keep. Every random choice comes from a seeded
generator, so the files are reproducible bit for bit.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import imageio.v3 as iio
import numpy as np

HERE = Path(__file__).resolve().parent
SIZE = 256


def draw_polyline(mask: np.ndarray, points: np.ndarray, width: float) -> None:
    """Set the pixels within width/2 of the polyline through ``points`` (row, col)."""
    yy, xx = np.mgrid[:mask.shape[0], :mask.shape[1]]
    pixels = np.stack([yy, xx], axis=-1).astype(float)
    for start, end in zip(points[:-1], points[1:]):
        direction = end - start
        t = np.clip(((pixels - start) @ direction) / max(direction @ direction, 1e-12), 0, 1)
        nearest = start + t[..., None] * direction
        mask |= np.linalg.norm(pixels - nearest, axis=-1) <= width / 2


def scratches(rng: np.random.Generator, fraction: float = 0.12) -> np.ndarray:
    """Random polylines 2-5 px wide until ``fraction`` of the pixels are covered."""
    mask = np.zeros((SIZE, SIZE), bool)
    while mask.mean() < fraction:
        points = rng.uniform(0, SIZE, (int(rng.integers(3, 6)), 2))
        draw_polyline(mask, points, float(rng.integers(2, 6)))
    return mask


# Block capitals as polylines on a 4 x 6 grid (x, y), for a text mask without a font library.
LETTERS = {
    "G": [[(4, 0), (0, 0), (0, 6), (4, 6), (4, 3), (2, 3)]],
    "R": [[(0, 6), (0, 0), (4, 0), (4, 3), (0, 3), (4, 6)]],
    "A": [[(0, 6), (0, 0), (4, 0), (4, 6)], [(0, 3), (4, 3)]],
    "P": [[(0, 6), (0, 0), (4, 0), (4, 3), (0, 3)]],
    "H": [[(0, 0), (0, 6)], [(4, 0), (4, 6)], [(0, 3), (4, 3)]],
    "2": [[(0, 0), (4, 0), (4, 3), (0, 3), (0, 6), (4, 6)]],
    "0": [[(0, 0), (4, 0), (4, 6), (0, 6), (0, 0)]],
    "6": [[(4, 0), (0, 0), (0, 6), (4, 6), (4, 3), (0, 3)]],
}


def text(lines: list[str], scale: float = 5.0, width: float = 3.0) -> np.ndarray:
    """Text in block capitals, ``scale`` pixels per grid unit, strokes ``width`` px wide."""
    mask = np.zeros((SIZE, SIZE), bool)
    for row, line in enumerate(lines):
        top = 30 + row * 11 * scale
        for column, letter in enumerate(line):
            left = 20 + column * 6.5 * scale
            for stroke in LETTERS.get(letter, []):
                points = np.array([(top + y * scale, left + x * scale) for x, y in stroke])
                draw_polyline(mask, points, width)
    return mask


def blotch(rng: np.random.Generator) -> np.ndarray:
    """An irregular blob: a union of discs around a random walk."""
    mask = np.zeros((SIZE, SIZE), bool)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    centre = np.array([SIZE * 0.55, SIZE * 0.45])
    for _ in range(12):
        radius = rng.uniform(6, 14)
        mask |= (yy - centre[0]) ** 2 + (xx - centre[1]) ** 2 <= radius ** 2
        centre = centre + rng.normal(0, 6, 2)
    return mask


def make_images() -> None:
    """Cut 256 x 256 samples from scikit-image's public-domain and CC0 data."""
    from skimage import data, transform

    astronaut = transform.resize(data.astronaut(), (SIZE, SIZE), anti_aliasing=True)
    iio.imwrite(HERE / "astronaut.png", (astronaut * 255).round().astype(np.uint8))
    iio.imwrite(HERE / "brick.png", data.brick()[128:128 + SIZE, 128:128 + SIZE])
    iio.imwrite(HERE / "grass.png", data.grass()[:SIZE, :SIZE])


def make_masks() -> None:
    rng = np.random.default_rng(2026)
    masks = {"astronaut_scratches.png": scratches(rng),
             "brick_text.png": text(["GRAPH", "2026"]),
             "grass_blotch.png": blotch(rng)}
    for name, mask in masks.items():
        iio.imwrite(HERE / name, np.where(mask, 255, 0).astype(np.uint8))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", action="store_true", help="re-cut the images too")
    if parser.parse_args().images:
        make_images()
    make_masks()
    print(f"wrote the samples in {HERE}")
