"""Benchmark cases: images and masks of several kinds, made reproducibly (seeded rng).

Masks are boolean, True = hole. Images come from the bundled samples (``examples/data``), from
scikit-image's data (the ``bench`` extra) and from the seed's examples in ``../shared`` when present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# The seed's examples live in shared/ beside the checkout (or beside a git worktree's parent).
SEED_DIR = next((path for path in (ROOT.parent / "shared" / "data" / "seed",
                                   ROOT.parent.parent / "shared" / "data" / "seed")
                 if path.exists()), ROOT.parent / "shared" / "data" / "seed")


def scratch_mask(shape: tuple[int, int], fraction: float, rng: np.random.Generator,
                 widths: tuple[int, int] = (2, 5)) -> np.ndarray:
    """Random polylines 2-5 px wide until ``fraction`` of the pixels are covered."""
    mask = np.zeros(shape, bool)
    while mask.mean() < fraction:
        points = rng.uniform(0, 1, (int(rng.integers(3, 7)), 2)) * np.array(shape)
        width = rng.integers(widths[0], widths[1] + 1)
        for start, end in zip(points[:-1], points[1:]):
            _draw_segment(mask, start, end, width)
    return mask


def _draw_segment(mask: np.ndarray, start: np.ndarray, end: np.ndarray, width: float) -> None:
    """Set the pixels within width/2 of the segment, inside its bounding box only."""
    pad = width / 2 + 1
    lo = np.maximum(np.floor(np.minimum(start, end) - pad), 0).astype(int)
    hi = np.minimum(np.ceil(np.maximum(start, end) + pad), mask.shape).astype(int)
    yy, xx = np.mgrid[lo[0]:hi[0], lo[1]:hi[1]]
    points = np.stack([yy, xx], axis=-1).astype(float)
    direction = end - start
    length_sq = max(float(direction @ direction), 1e-12)
    t = np.clip(((points - start) @ direction) / length_sq, 0, 1)
    nearest = start + t[..., None] * direction
    mask[lo[0]:hi[0], lo[1]:hi[1]] |= np.linalg.norm(points - nearest, axis=-1) <= width / 2


def random_mask(shape: tuple[int, int], fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Each pixel missing with probability ``fraction``."""
    return rng.random(shape) < fraction


def skimage_images() -> dict[str, np.ndarray]:
    """Photos and textures from scikit-image's data (public domain / CC0)."""
    from skimage import data

    return {"astronaut": data.astronaut(), "camera": data.camera(), "brick": data.brick(),
            "grass": data.grass(), "coffee": data.coffee()}


def seed_example(name: str = "barbara") -> tuple[np.ndarray, np.ndarray] | None:
    """The seed's example image and hole mask (black = hole in its file), if ../shared has it."""
    import imageio.v3 as iio

    images = {"barbara": ("barbara.jpg", "barbara_mask.png"), "fly": ("fly.png", "fly_mask.png"),
              "lincoln": ("lincoln.png", "lincoln_mask.png")}
    image_name, mask_name = images[name]
    if not (SEED_DIR / image_name).exists():
        return None
    image = iio.imread(SEED_DIR / image_name)
    mask = iio.imread(SEED_DIR / mask_name)
    mask = mask[..., 0] if mask.ndim == 3 else mask
    return image[..., :3] if image.ndim == 3 else image, mask < 128


def standard_cases(seed: int = 0):
    """(image name, mask kind, image, hole) for every scored case of the comparison."""
    rng = np.random.default_rng(seed)
    for name, image in skimage_images().items():
        yield name, "scratches 12%", image, scratch_mask(image.shape[:2], 0.12, rng)
        yield name, "random 80%", image, random_mask(image.shape[:2], 0.8, rng)
