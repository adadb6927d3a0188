"""Benchmark cases: images and masks of several kinds, made reproducibly (seeded rng).

Masks are boolean, True = hole. Images come from the bundled samples (``examples/data``), from
scikit-image's data (the ``bench`` extra), from code (a cartoon) and from the seed's examples in
``../shared`` when present.

``wide_cases`` is the comparison of issue 13: eight 256 x 256 images, one per regime (colour
photos, a grey photo, periodic and stochastic texture, a cartoon, a smooth upscaled photo), times
eight masks (random loss 50/80/90%, scratches, text, compact blocks of 32 and 64 pixels, object-
shaped blotches).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# The seed's examples sit in ../shared beside the checkout (../../shared from a worktree).
SEED_DIR = next((folder / "shared" / "data" / "seed" for folder in ROOT.parents[:2]
                 if (folder / "shared" / "data" / "seed").is_dir()), ROOT.parent / "shared")
SIDE = 256


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


def block_mask(shape: tuple[int, int], side: int) -> np.ndarray:
    """One square hole of ``side`` pixels at the centre (object removal)."""
    mask = np.zeros(shape, bool)
    top, left = (shape[0] - side) // 2, (shape[1] - side) // 2
    mask[top:top + side, left:left + side] = True
    return mask


def text_mask(shape: tuple[int, int]) -> np.ndarray:
    """Lines of text over the image (OpenCV's Hershey font, strokes 2 px wide)."""
    import cv2

    canvas = np.zeros(shape, np.uint8)
    words = "graph p-Laplacian inpainting"
    for row, y in enumerate(range(28, shape[0], 36)):
        cv2.putText(canvas, words[row % 7:] + words[:row % 7], (4, y), cv2.FONT_HERSHEY_SIMPLEX,
                    0.75, 255, 2, cv2.LINE_8)
    return canvas > 0


def blotch_mask(shape: tuple[int, int], rng: np.random.Generator, count: int = 5) -> np.ndarray:
    """Object-shaped holes: ``count`` rotated ellipses 10-28 px in radius, with lumpy outlines."""
    mask = np.zeros(shape, bool)
    for _ in range(count):
        centre = rng.uniform(0.15, 0.85, 2) * np.array(shape)
        radii, angle = rng.uniform(10, 28, 2), rng.uniform(0, np.pi)
        mask |= lumpy_ellipse(shape, centre, radii, angle, rng.uniform(0, 2 * np.pi))
    return mask


def lumpy_ellipse(shape: tuple[int, int], centre: np.ndarray, radii: np.ndarray, angle: float,
                  phase: float) -> np.ndarray:
    """An ellipse of ``radii`` (y, x) about ``centre`` (y, x), turned by ``angle``, its
    outline lumpy (three lobes from ``phase``): one blotch of :func:`blotch_mask`."""
    yy, xx = np.mgrid[:shape[0], :shape[1]].astype(float)
    dy, dx = yy - centre[0], xx - centre[1]
    u = (dx * np.cos(angle) + dy * np.sin(angle)) / radii[1]
    v = (-dx * np.sin(angle) + dy * np.cos(angle)) / radii[0]
    return np.hypot(u, v) <= 1 + 0.15 * np.sin(3 * np.arctan2(v, u) + phase)


def cartoon(side: int = SIDE) -> np.ndarray:
    """A cartoon drawn in code: flat colour regions (sky, hill, sun, house) with dark outlines."""
    import cv2

    image = np.empty((side, side, 3), np.uint8)
    image[:] = (120, 190, 240)                                           # sky
    scale = side / 256
    ink, width = (30, 25, 20), max(int(3 * scale), 1)

    def s(*values):
        return tuple(int(round(v * scale)) for v in values)

    cv2.circle(image, s(200, 50), int(28 * scale), (250, 210, 40), -1)
    cv2.circle(image, s(200, 50), int(28 * scale), ink, width)
    hill = np.array([s(0, 170), s(70, 130), s(150, 150), s(256, 120), s(256, 256), s(0, 256)])
    cv2.fillPoly(image, [hill], (90, 170, 70))
    cv2.polylines(image, [hill[:4]], False, ink, width)
    cv2.rectangle(image, s(40, 120), s(130, 200), (220, 80, 60), -1)      # house
    cv2.rectangle(image, s(40, 120), s(130, 200), ink, width)
    roof = np.array([s(30, 122), s(85, 70), s(140, 122)])
    cv2.fillPoly(image, [roof], (140, 60, 40))
    cv2.polylines(image, [roof], True, ink, width)
    cv2.rectangle(image, s(75, 155), s(100, 200), (250, 230, 180), -1)   # door
    cv2.rectangle(image, s(75, 155), s(100, 200), ink, width)
    cv2.rectangle(image, s(50, 135), s(68, 150), (250, 250, 250), -1)    # window
    cv2.rectangle(image, s(50, 135), s(68, 150), ink, width)
    cv2.ellipse(image, s(190, 205), s(40, 22), 0, 0, 360, (240, 150, 200), -1)
    cv2.ellipse(image, s(190, 205), s(40, 22), 0, 0, 360, ink, width)
    return image


def skimage_images() -> dict[str, np.ndarray]:
    """Photos and textures from scikit-image's data (public domain / CC0)."""
    from skimage import data

    return {"astronaut": data.astronaut(), "camera": data.camera(), "brick": data.brick(),
            "grass": data.grass(), "coffee": data.coffee()}


def shrunk(image: np.ndarray, size: int = SIDE) -> np.ndarray:
    """``image`` resized to ``size`` x ``size`` (anti-aliased), as 8-bit values."""
    from skimage import transform

    out = transform.resize(image, (size, size) + image.shape[2:], anti_aliasing=True)
    return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)


def wide_images(side: int = SIDE) -> dict[str, np.ndarray]:
    """Eight ``side`` x ``side`` images, one per regime of issue 13."""
    from skimage import data, transform

    def centre(image):
        top, left = (image.shape[0] - side) // 2, (image.shape[1] - side) // 2
        return np.ascontiguousarray(image[top:top + side, left:left + side])

    coffee = data.coffee()[:, 100:500]
    smooth = transform.resize(shrunk(data.chelsea()[:, 75:375], side // 4), (side, side, 3),
                              order=3)
    return {
        "astronaut": shrunk(data.astronaut(), side),              # colour photo
        "coffee": shrunk(coffee, side),                           # colour photo
        "camera": shrunk(data.camera(), side),                    # grey photo
        "brick": centre(data.brick()),                            # periodic texture
        "grass": centre(data.grass()),                            # stochastic texture
        "cartoon": cartoon(side),                                 # flat regions, dark outlines
        "chelsea smooth": np.clip(np.rint(smooth * 255), 0, 255).astype(np.uint8),  # upscaled 4x
        "rocket": shrunk(data.rocket()[:, 100:527], side),        # colour photo, sky and metal
    }


def wide_masks(shape: tuple[int, int], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The eight masks of issue 13 for one image (True = hole)."""
    return {"random 50%": random_mask(shape, 0.5, rng), "random 80%": random_mask(shape, 0.8, rng),
            "random 90%": random_mask(shape, 0.9, rng),
            "scratches 12%": scratch_mask(shape, 0.12, rng), "text": text_mask(shape),
            "block 32": block_mask(shape, 32), "block 64": block_mask(shape, 64),
            "blotches": blotch_mask(shape, rng)}


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
    """(image name, mask kind, image, hole) for the original 10 cases (ablation, p_quality)."""
    rng = np.random.default_rng(seed)
    for name, image in skimage_images().items():
        yield name, "scratches 12%", image, scratch_mask(image.shape[:2], 0.12, rng)
        yield name, "random 80%", image, random_mask(image.shape[:2], 0.8, rng)


def wide_cases(seed: int = 0):
    """(image name, mask kind, image, hole) for the 64 cases of issue 13's comparison."""
    rng = np.random.default_rng(seed)
    for name, image in wide_images().items():
        for kind, mask in wide_masks(image.shape[:2], rng).items():
            yield name, kind, image, mask


def all_cases():
    """(name, kind, image, hole) of the compare benchmark: the seed's examples that are here
    (kind "seed mask"), then :func:`wide_cases`."""
    for name in ("barbara", "fly", "lincoln"):
        example = seed_example(name)
        if example is not None:
            yield name, "seed mask", *example
    yield from wide_cases()


def region_fill_module():
    """The module whose globals the working region's stages read (``_fill``, ``_graph_fill``,
    and the ``_layers``, ``_fill_layers``, ``_refine``, ``mix_smooth`` they call): the place to
    patch them. ``graphinpaint._region_fill`` since pipeline.py's split (2026-11-30),
    ``graphinpaint.pipeline`` in older checkouts (asked of the checkout itself: an editable
    install may find a newer ``_region_fill`` elsewhere)."""
    from graphinpaint import pipeline

    if pipeline._graph_fill.__module__ == pipeline.__name__:
        return pipeline
    from graphinpaint import _region_fill
    return _region_fill
