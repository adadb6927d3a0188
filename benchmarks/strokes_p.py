"""Study of p > 2 for strokes (scratches, text), and a rule by match quality (issue 13).

    python benchmarks/strokes_p.py [--variants "rule off,default,p 3 rounds,p 3 first"]
        [--cases compare|outside|reseeded|photos|fresh|retina] [--only astronaut] [--repeat 1]

For each stroke case (``compare``: the 16 scratch and text cases of ``cases.wide_cases`` and
the seed's lincoln; ``outside``: :func:`outside_cases`, drawn at random from images the compare
set does not use; ``reseeded``: :func:`reseeded_cases`, the compare images under new
scratches; ``photos``: :func:`photo_cases`, photos of 135k to 1M pixels at their own
resolution; ``fresh``: :func:`fresh_photo_cases`, the same photos and three textures drawn
again; ``retina``: :func:`whole_retina_cases`, 2M pixels) it runs every variant one after
the other (alternated per case), prints PSNR over the hole (dB), the wall time, and the
first variant's match statistics from its refinement rounds: each round's share of hole
pixels whose mean patch distance to their matches is below ``EXACT`` ("exact" matches) and
the mean of that distance. Then per variant the sum and mean
change against the first, its wins and losses (beyond 0.01 dB), its worst case and its time.

Variants: "default" (the pipeline's rule: the strokes' rounds at p = 3 where their matches are
not mostly exact); "rule off", "rule on" and "rule always" (that rule disabled, at every image
size as the pipeline solves it, or firing on every stroke case); "p X" (``inpaint(p=X)``:
every layer and round); with the rule off, "p X rounds" (the layers at p = 2, every
refinement round at p = X), "p X last" and "p X first" (that round only); and whatever
``strokes_ablation.variant`` takes. With "default" first and "p 3 rounds" among the variants,
a "rule" column takes "p 3 rounds" where the first round's exact share is below
``RULE_SHARE``, else "default" (written before the pipeline took the rule, when its default was
p = 2 everywhere). The round variants patch the stages' ``_graph_fill`` and
``_refine`` (``cases.region_fill_module``).
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _stages, _thick_holes  # noqa: E402
from graphinpaint.settings import Settings  # noqa: E402
from cases import (ROOT, region_fill_module, scratch_mask, seed_example,  # noqa: E402
                   text_mask, wide_cases)
from strokes_ablation import STROKE_KINDS, print_summary, variant  # noqa: E402

region = region_fill_module()
EXACT = 1e-3                    # a mean match distance below this: exact matches
# The rule studied (stated before the outside set was drawn): the rounds at p = 3 where fewer
# than this share of the hole pixels have exact matches in the first refinement round.
RULE_SHARE = 0.3
OUTSIDE_SEED = 20261130         # the outside set's draw (stated before it was looked at)
PHOTOS_SEED = 20261201          # the photo set's draw (stated before it was looked at)
# The fresh photo set's draw (stated before it was looked at, after the photo set had chosen
# the p = 3 rounds' truncated Newton solve at 512^2 and up): new scratches, text offsets and
# crops, and three textures at their own 512 x 512.
FRESH_SEED = 20261202


def compare_cases():
    """The 16 stroke cases of the compare benchmark and the seed's lincoln."""
    cases = [case for case in wide_cases() if case[1] in STROKE_KINDS]
    example = seed_example("lincoln")
    if example is not None:
        cases.append(("lincoln", "seed mask", *example))
    return cases


# Images of scikit-image's data (shipped with it, no download) that the compare set does not
# use (it uses astronaut, coffee, camera, brick, grass, chelsea, rocket; "cat" is chelsea).
OUTSIDE_POOL = ("cell", "clock", "coins", "gravel", "hubble_deep_field", "immunohistochemistry",
                "logo", "microaneurysms", "moon", "page", "retina", "shepp_logan_phantom",
                "text", "stereo_motorcycle", "colorwheel", "horse")


def _pool_image(name: str) -> np.ndarray:
    from skimage import data

    image = getattr(data, name)()
    if name == "stereo_motorcycle":
        image = image[0]
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[..., :3]
    return image


def _crop(image: np.ndarray, rng: np.random.Generator, side: int = 256) -> np.ndarray:
    """A ``side`` x ``side`` crop at a random place of ``image`` resized so that its smaller
    side is 320 (anti-aliased), as 8-bit values."""
    from skimage import transform

    scale = 320 / min(image.shape[:2])
    shape = (max(round(image.shape[0] * scale), side), max(round(image.shape[1] * scale), side))
    resized = transform.resize(image, shape + image.shape[2:], anti_aliasing=scale < 1)
    resized = np.clip(np.rint(resized * 255), 0, 255).astype(np.uint8)
    top = int(rng.integers(0, shape[0] - side + 1))
    left = int(rng.integers(0, shape[1] - side + 1))
    return np.ascontiguousarray(resized[top:top + side, left:left + side])


def random_cartoon(rng: np.random.Generator, side: int = 256) -> np.ndarray:
    """A cartoon other than ``cases.cartoon``: flat colour regions (a background band split
    by a wavy horizon, filled polygons, circles and ellipses of random colours) with dark
    outlines of random width."""
    import cv2

    def colour():
        return tuple(int(v) for v in rng.integers(30, 256, 3))

    image = np.empty((side, side, 3), np.uint8)
    image[:] = colour()
    ink = tuple(int(v) for v in rng.integers(0, 50, 3))
    width = int(rng.integers(2, 5))
    horizon = np.array([[x, side * 0.6 + 20 * np.sin(x / side * 2 * np.pi * rng.uniform(0.5, 2))]
                        for x in np.linspace(0, side, 12)] + [[side, side], [0, side]], np.int32)
    cv2.fillPoly(image, [horizon], colour())
    cv2.polylines(image, [horizon[:12]], False, ink, width)
    for _ in range(int(rng.integers(4, 8))):
        kind = rng.integers(0, 3)
        centre = tuple(int(v) for v in rng.integers(20, side - 20, 2))
        if kind == 0:
            radius = int(rng.integers(10, 45))
            cv2.circle(image, centre, radius, colour(), -1)
            cv2.circle(image, centre, radius, ink, width)
        elif kind == 1:
            axes = tuple(int(v) for v in rng.integers(10, 50, 2))
            angle = float(rng.uniform(0, 180))
            cv2.ellipse(image, centre, axes, angle, 0, 360, colour(), -1)
            cv2.ellipse(image, centre, axes, angle, 0, 360, ink, width)
        else:
            corners = (np.array(centre) + rng.integers(-45, 46, (int(rng.integers(3, 6)), 2)))
            corners = np.clip(corners, 0, side - 1).astype(np.int32)
            cv2.fillPoly(image, [corners], colour())
            cv2.polylines(image, [corners], True, ink, width)
    return image


def outside_cases(seed: int = OUTSIDE_SEED, count: int = 10, cartoons: int = 3):
    """Stroke cases the compare set does not hold, drawn with ``default_rng(seed)``:
    ``count`` images of ``OUTSIDE_POOL`` (a random 256-px crop each) and ``cartoons``
    random cartoons, each under scratches (12%, ``cases.scratch_mask`` from the same rng) and
    text (``cases.text_mask`` shifted by a random offset)."""
    rng = np.random.default_rng(seed)
    names = list(rng.choice(OUTSIDE_POOL, size=count, replace=False))
    images = [(str(name), _crop(_pool_image(str(name)), rng)) for name in names]
    images += [(f"cartoon {index + 1}", random_cartoon(rng)) for index in range(cartoons)]
    cases = []
    for name, image in images:
        shape = image.shape[:2]
        cases.append((name, "scratches 12%", image, scratch_mask(shape, 0.12, rng)))
        shift = tuple(int(v) for v in rng.integers(0, 36, 2))
        cases.append((name, "text", image, np.roll(text_mask(shape), shift, axis=(0, 1))))
    return cases


def reseeded_cases(seeds: tuple[int, ...] = (1, 2)):
    """The compare set's images under scratches drawn again (``cases.wide_cases(seed)``), and
    the bundled astronaut sample under its own scratches (``examples/data``)."""
    import imageio.v3 as iio

    cases = [(f"{name} (seed {seed})", kind, image, hole) for seed in seeds
             for name, kind, image, hole in wide_cases(seed) if kind == "scratches 12%"]
    data = ROOT / "examples" / "data"
    cases.append(("astronaut sample", "its scratches", iio.imread(data / "astronaut.png"),
                  iio.imread(data / "astronaut_scratches.png") > 0))
    return cases


# Photos at their own resolution (not resized): the compare set's five (scikit-image's data) and
# six more, two of them (hubble, retina) a crop at a random place, to reach 1024 x 1024.
PHOTOS = {"astronaut": None, "camera": None, "coffee": None, "chelsea": None, "rocket": None,
          "stereo_motorcycle": None, "immunohistochemistry": None, "moon": None, "cell": None,
          "hubble_deep_field": (768, 768), "retina": (1024, 1024)}


def tiled_text_mask(shape: tuple[int, int]) -> np.ndarray:
    """:func:`cases.text_mask` at any width: the same font, size and line spacing, each line's
    words repeated to cross the whole image."""
    import cv2

    canvas = np.zeros(shape, np.uint8)
    words = "graph p-Laplacian inpainting "
    line = words * (shape[1] // 300 + 2)
    for row, y in enumerate(range(28, shape[0], 36)):
        cv2.putText(canvas, line[row % 7:], (4, y), cv2.FONT_HERSHEY_SIMPLEX, 0.75, 255, 2,
                    cv2.LINE_8)
    return canvas > 0


def photo_cases(seed: int = PHOTOS_SEED, photos: dict | None = None):
    """Stroke cases on :data:`PHOTOS` at their own resolution, drawn with
    ``default_rng(seed)``: each under 12% scratches 2-5 px wide (``cases.scratch_mask``, as
    in the compare set: the fraction and the lines' reach scale with the image, their width
    does not) and text (:func:`tiled_text_mask` shifted by a random offset)."""
    rng = np.random.default_rng(seed)
    cases = []
    for name, crop in (PHOTOS if photos is None else photos).items():
        image = _pool_image(name)
        if crop is not None:
            top = int(rng.integers(0, image.shape[0] - crop[0] + 1))
            left = int(rng.integers(0, image.shape[1] - crop[1] + 1))
            image = np.ascontiguousarray(image[top:top + crop[0], left:left + crop[1]])
        shape = image.shape[:2]
        label = f"{name} {shape[0]}x{shape[1]}"
        cases.append((label, "scratches 12%", image, scratch_mask(shape, 0.12, rng)))
        shift = tuple(int(v) for v in rng.integers(0, 36, 2))
        cases.append((label, "text", image, np.roll(tiled_text_mask(shape), shift, axis=(0, 1))))
    return cases


def fresh_photo_cases():
    """:func:`photo_cases` drawn with ``FRESH_SEED``, brick, grass and gravel added."""
    return photo_cases(FRESH_SEED, {**PHOTOS, "brick": None, "grass": None, "gravel": None})


def whole_retina_cases():
    """The whole retina (1411 x 1411, 2M pixels: the largest photo of scikit-image's data)
    under :func:`photo_cases`' masks, drawn with ``default_rng(20261203)``."""
    return photo_cases(20261203, {"retina": None})


@contextmanager
def _round_p(p: float | None, which: str):
    """The refinement rounds' solves at ``p`` (``which``: "rounds", all of them; "last" or
    "first", that one only), the layers at p = 2."""
    refine, fill_layers, graph_fill = region._refine, region._fill_layers, region._graph_fill
    if p is None:
        yield
        return
    # As the pipeline's rule solves them: Newton's inner solves by Jacobi-CG.
    options = Settings(strategy="layers", window=31, bandwidth=0.1, grid_weight=1e-3,
                       p=p, method="cg").solve_options()
    left, done = {}, {}     # rounds left and done per hole (the held-out fill runs beside)

    def graph_fill_(values, hole, settings, *args, **kwargs):
        left[id(hole)], done[id(hole)] = settings.rounds, 0
        return graph_fill(values, hole, settings, *args, **kwargs)

    def refine_(values, hole, *args, **kwargs):
        left[id(hole)] = left.get(id(hole), 0) - 1
        done[id(hole)] = done.get(id(hole), 0) + 1
        if which == "rounds" or (which == "last" and left[id(hole)] == 0) or \
                (which == "first" and done[id(hole)] == 1):
            kwargs["solve"] = options
        return refine(values, hole, *args, **kwargs)

    region._refine, region._graph_fill = refine_, graph_fill_
    try:
        yield
    finally:
        region._refine, region._fill_layers, region._graph_fill = refine, fill_layers, graph_fill


@contextmanager
def _rule(below: int | None, exact_share: float | None):
    """The strokes' rule for p (``_thick_holes.STROKES_INEXACT_BELOW``,
    ``_stages.EXACT_SHARE``) changed."""
    saved = _thick_holes.STROKES_INEXACT_BELOW, _stages.EXACT_SHARE
    if below is not None:
        _thick_holes.STROKES_INEXACT_BELOW = below
    if exact_share is not None:
        _stages.EXACT_SHARE = exact_share
    try:
        yield
    finally:
        _thick_holes.STROKES_INEXACT_BELOW, _stages.EXACT_SHARE = saved


# "rule off": every solve at p = 2 (main before the rule); "rule on": the rule at every image
# size; "rule always": the strokes' rounds at
# p = 3 whatever their matches (exact on no image) and the image's size.
RULES = {"rule off": (0, None), "rule on": (2 ** 62, None), "rule always": (2 ** 62, 2.0)}


def run_of(name: str):
    """The run of a variant: ``image, hole -> output``."""
    if name in RULES:
        def run(image, hole):
            with _rule(*RULES[name]):
                return gi.inpaint(image, hole)
        return run
    parts = name.split()
    if len(parts) == 3 and parts[0] == "p" and parts[2] in ("rounds", "last", "first"):
        p, which = float(parts[1]), parts[2]

        def run(image, hole):
            with _round_p(p, which), _rule(0, None):
                return gi.inpaint(image, hole)
        return run
    return variant(name)


@contextmanager
def recorded_rounds(record: list):
    """Each refinement round's mean match distances appended to ``record``."""
    merged = region._merged_distance

    def merged_(last, distance, active):
        out = merged(last, distance, active)
        record.append(out.copy())
        return out
    region._merged_distance = merged_
    try:
        yield
    finally:
        region._merged_distance = merged


def own_rounds(record: list, hole: np.ndarray) -> list:
    """The rounds of the image's own fill (not the held-out fill's)."""
    return [d for d in record if len(d) == np.count_nonzero(hole)]


def statistics(record: list, hole: np.ndarray) -> str:
    """'exact share / mean distance' of each round of the image's own fill."""
    return " ; ".join(f"{np.mean(d < EXACT):.2f}/{np.mean(d):.3f}"
                      for d in own_rounds(record, hole))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default="default,p 3,p 3 rounds,p 3 last")
    parser.add_argument("--cases", choices=("compare", "outside", "reseeded", "photos", "fresh",
                                                "retina"),
                        default="compare")
    parser.add_argument("--only", default=None)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    names = args.variants.split(",")
    runs = {name: run_of(name) for name in names}
    cases = {"compare": compare_cases, "outside": outside_cases,
             "reseeded": reseeded_cases, "photos": photo_cases,
             "fresh": fresh_photo_cases, "retina": whole_retina_cases}[args.cases]()
    cases = [c for c in cases if args.only is None or args.only in f"{c[0]}, {c[1]}"]
    for name in names:                  # numba warm-up, each variant's solver too
        runs[name](*cases[0][2:])
    # The rule's result is one of two runs (both deterministic): p 3 rounds where it fires.
    rule = "p 3 rounds" in names and names[0] == "default"
    columns = names + (["rule"] if rule else [])
    print("| case | " + " | ".join(columns) + " | default's rounds: exact share/mean d |")
    print("|---" * (len(columns) + 2) + "|")
    results = {name: [] for name in columns}
    for case, kind, image, hole in cases:
        cells, stats, fires = [], "", False
        for name in names:
            times = []
            for _ in range(args.repeat):
                record: list = []
                with recorded_rounds(record):
                    start = time.perf_counter()
                    out = runs[name](image, hole)
                    times.append(time.perf_counter() - start)
                if name == names[0]:
                    stats = statistics(record, hole)
                    fires = np.mean(own_rounds(record, hole)[0] < EXACT) < RULE_SHARE
            value = gi.metrics.psnr(image, out, hole)
            results[name].append((value, min(times)))
            cells.append(f"{value:.2f} ({min(times):.2f} s)")
        if rule:
            results["rule"].append(results["p 3 rounds" if fires else "default"][-1])
            cells.append(("p 3 " if fires else "p 2 ") + cells[names.index(
                "p 3 rounds" if fires else "default")])
        print(f"| {case}, {kind} | " + " | ".join(cells) + f" | {stats} |", flush=True)
    print_summary(results, columns)
    return 0


if __name__ == "__main__":
    sys.exit(main())
