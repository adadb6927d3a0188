"""Does the self-validation of a deep thick hole (deeper than ``DEEPEST_REFINED``) change its
result? Each case is filled with and without it (``self_validation``), and the mix chosen,
the PSNR of both and whether the outputs differ are printed.

    python benchmarks/deep_self_validation.py [--side 256] [--scale 2]

Cases: an 80-px block at the centre of each of ``cases.wide_images`` and of a smooth
gradient, and one large blotch (radii 34-48 px) on each, the seed's barbara and the 36-deep
blotch on stripes of tests/test_seeded_search.py: 20 holes 33-46 px deep. ``--scale``: the
held-out parts' shrink factor (``_thick_holes.shrunk_beside``'s ``scale``; default the
pipeline's).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, pipeline  # noqa: E402
from cases import ROOT, block_mask, lumpy_ellipse, seed_example, wide_images  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from test_seeded_search import _deep_blob as stripes_blob  # noqa: E402  the test's blotch


def big_blotch(shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """One rotated, lumpy ellipse of radii 34-48 px near the centre: deeper than 32 px."""
    centre = rng.uniform(0.4, 0.6, 2) * np.array(shape)
    radii, angle = rng.uniform(34, 48, 2), rng.uniform(0, np.pi)
    return lumpy_ellipse(shape, centre, radii, angle, rng.uniform(0, 6.3))


def smooth_gradient(side: int) -> np.ndarray:
    """tests/test_thick_selection.py's smooth radial gradient, in colour."""
    yy, xx = np.mgrid[:side, :side] / side
    grey = 0.5 + 0.4 * np.cos(7 * np.hypot(xx - 0.4, yy - 0.5))
    return np.stack([grey, grey ** 2, 1 - grey], axis=-1)


def deep_cases(side: int):
    """(image name, hole kind, image, hole) of the 20 deep holes."""
    rng = np.random.default_rng(0)
    images = {**wide_images(side), "gradient": smooth_gradient(side)}
    for name, image in images.items():
        yield name, "block 80", image, block_mask(image.shape[:2], 80)
        yield name, "blotch", image, big_blotch(image.shape[:2], rng)
    barbara = seed_example("barbara")
    if barbara is not None:
        yield "barbara", "seed", *barbara
    yield "stripes", "blotch 36 deep", *stripes_blob()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=256)
    parser.add_argument("--scale", type=int, default=_thick_holes.HELD_OUT_SCALE)
    args = parser.parse_args()
    _thick_holes.shrunk_beside.__kwdefaults__["scale"] = args.scale
    chosen = []
    real = pipeline._self_validate_thick

    def spy(*a, **kw):
        settings = real(*a, **kw)
        chosen.append((settings.smooth, settings.smooth_share))
        return settings

    pipeline._self_validate_thick = spy
    changed = 0
    for name, kind, image, hole in deep_cases(args.side):
        assert _thick_holes.deepest(hole) > _thick_holes.DEEPEST_REFINED, (name, kind)
        chosen.clear()
        start = time.process_time()
        validated = gi.inpaint(image, hole)
        middle = time.process_time()
        plain = gi.inpaint(image, hole, self_validation=False)
        end = time.process_time()
        same = np.array_equal(validated, plain)
        changed += not same
        print(f"{name:15s} {kind:15s} depth {_thick_holes.deepest(hole):3d} "
              f"chosen {chosen[0] if chosen else None} "
              f"PSNR {gi.metrics.psnr(image, validated, hole):.3f} / "
              f"{gi.metrics.psnr(image, plain, hole):.3f} dB (without) "
              f"{'same' if same else 'DIFFERENT'}  CPU {middle - start:.2f} / "
              f"{end - middle:.2f} s", flush=True)
    print(f"{changed} case(s) changed by the self-validation")


if __name__ == "__main__":
    main()
