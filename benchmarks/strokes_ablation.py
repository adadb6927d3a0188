"""Ablation for strokes (scratches, text): every setting that might move the layers strategy.

    python benchmarks/strokes_ablation.py [--variants "default,rounds 2,patch 9"] [--repeat 2]
        [--only scratches] [--seed 1]

Runs ``inpaint`` with each variant on the 16 scratch and text cases of ``cases.wide_cases``
and the seed's fly and lincoln (when ``../shared/data/seed`` is present), and prints PSNR over
the hole (dB) and the least wall time of ``--repeat`` runs per case, then per variant the mean
change against the first variant, its wins and losses (beyond 0.01 dB), its worst loss and its
total time relative to the first. ``--seed`` draws the scratches again (the text mask does not
change). The figures behind docs/pipeline.md's strokes section.
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
from graphinpaint import mixes, pipeline, _stages, _thick_holes  # noqa: E402
from cases import region_fill_module  # noqa: E402
from graphinpaint._seeded_search import seeds_from_neighbours  # noqa: E402
from graphinpaint.graph import _Matches  # noqa: E402
from cases import seed_example, wide_cases  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched

STROKE_KINDS = ("scratches 12%", "text")


@contextmanager
def _grid_weight(weight: float | None):
    """The layers strategy with another grid-edge weight (not an argument of ``inpaint``)."""
    defaults = pipeline._STRATEGY_DEFAULTS["layers"]
    saved = defaults["grid_weight"]
    defaults["grid_weight"] = saved if weight is None else weight
    try:
        yield
    finally:
        defaults["grid_weight"] = saved


@contextmanager
def _refine_k(matches: int | None):
    """The refinement rounds with ``matches`` matches per hole pixel, whatever ``k`` is."""
    settings = pipeline.Settings
    if matches is not None:
        pipeline.Settings = lambda **fields: settings(**{**fields, "refine_k": matches})
    try:
        yield
    finally:
        pipeline.Settings = settings


@contextmanager
def _refine_window(window: int | None):
    """The refinement rounds searching a window of side ``window``, whatever the layers do."""
    refine = region._refine
    if window is not None:
        region._refine = lambda *args, **kwargs: refine(*args, **{**kwargs, "window": window})
    try:
        yield
    finally:
        region._refine = refine


@contextmanager
def _match_mix(share: float | None, distance: float | None):
    """The strokes' match mix (``mixes.MATCH_SHARE``, ``MATCH_DISTANCE``) changed."""
    saved = pipeline.MATCH_SHARE, mixes.MATCH_DISTANCE
    pipeline.MATCH_SHARE = saved[0] if share is None else share
    mixes.MATCH_DISTANCE = saved[1] if distance is None else distance
    try:
        yield
    finally:
        pipeline.MATCH_SHARE, mixes.MATCH_DISTANCE = saved


def _union_matches(search, queries, matched, hole_pixels, *, k, window):
    """A layer's exact k best and, as further edges, the k best from its neighbours' matches
    moved to it (the seeded search) that the exact search did not find: up to 2 k."""
    exact = search._matches(queries, k=k, window=window, min_overlap=0.3)
    matched[np.searchsorted(hole_pixels, queries)] = exact.neighbours
    seeds = seeds_from_neighbours(queries, matched, hole_pixels, search.shape)
    seeded = search._matches(queries, k=k, window=window, min_overlap=0.3, seeds=seeds)
    again = (seeded.neighbours[:, :, None] == exact.neighbours[:, None, :]).any(axis=2)
    extra = np.where(again, -1, seeded.neighbours)
    return _Matches(queries, np.concatenate([exact.neighbours, extra], axis=1),
                    np.concatenate([exact.distances, seeded.distances], axis=1), search.shape)


FAR_REACH = 4
NEVER = 10 ** 6     # a layer no hole reaches


def _far_seeded_matches(search, queries, matched, hole_pixels, *, k, window):
    """A layer's pixels whose neighbours' matches lie (median) farther than FAR_REACH searched
    from them, the others exactly."""
    seeds = seeds_from_neighbours(queries, matched, hole_pixels, search.shape)
    width = search.shape[1]
    reach = np.maximum(np.abs(seeds // width - (queries // width)[:, None]),
                       np.abs(seeds % width - (queries % width)[:, None])).astype(float)
    reach[seeds < 0] = np.nan
    valid = (seeds >= 0).any(axis=1)
    typical = np.zeros(len(queries))
    typical[valid] = np.nanmedian(reach[valid], axis=1)
    far = typical > FAR_REACH
    neighbours = np.empty((len(queries), k), np.int64)
    distances = np.empty((len(queries), k), search._work)
    for part, part_seeds in ((far, seeds), (~far, None)):
        if part.any():
            found = search._matches(queries[part], k=k, window=window, min_overlap=0.3,
                                    seeds=None if part_seeds is None else part_seeds[part])
            neighbours[part], distances[part] = found.neighbours, found.distances
    matched[np.searchsorted(hole_pixels, queries)] = neighbours
    return _Matches(queries, neighbours, distances, search.shape)


def _closest_matches(slack: float):
    """A layer's pixels take the matches from their neighbours' (the seeded search) where
    their mean distance is within ``slack`` times the exact k best's, else the exact ones."""
    def matches(search, queries, matched, hole_pixels, *, k, window):
        exact = search._matches(queries, k=k, window=window, min_overlap=0.3)
        seeds = seeds_from_neighbours(queries, matched, hole_pixels, search.shape)
        seeded = search._matches(queries, k=k, window=window, min_overlap=0.3, seeds=seeds)
        near = (np.nanmean(np.where(seeded.neighbours >= 0, seeded.distances, np.nan), axis=1)
                <= slack * np.nanmean(np.where(exact.neighbours >= 0, exact.distances, np.nan),
                                      axis=1))
        neighbours = np.where(near[:, None], seeded.neighbours, exact.neighbours)
        distances = np.where(near[:, None], seeded.distances, exact.distances)
        matched[np.searchsorted(hole_pixels, queries)] = neighbours
        return _Matches(queries, neighbours, distances, search.shape)
    return matches


@contextmanager
def _layer_search(seeded: int | None, checkered: int | None, union: int | None,
                  far: int | None = None, slack: float | None = None):
    """Thin strokes' layers from a depth on seeded, checkered, or exact plus seeded (union)."""
    saved = (_thick_holes.STROKES_SEEDED_FROM, _thick_holes.STROKES_CHECKERED_FROM,
             _stages._checkered_matches)
    _thick_holes.STROKES_CHECKERED_FROM = next(
        (depth for depth in (checkered, union, far) if depth is not None),
        3 if slack is not None else None)
    # Checkered layers (and the variants that take their place) come with seeded ones only.
    _thick_holes.STROKES_SEEDED_FROM = (
        NEVER if seeded is None and _thick_holes.STROKES_CHECKERED_FROM is not None else seeded)
    if slack is not None:
        _stages._checkered_matches = _closest_matches(slack)
    if union is not None:
        _stages._checkered_matches = _union_matches
    if far is not None:
        _stages._checkered_matches = _far_seeded_matches
    try:
        yield
    finally:
        (_thick_holes.STROKES_SEEDED_FROM, _thick_holes.STROKES_CHECKERED_FROM,
         _stages._checkered_matches) = saved


def _with(**options):
    layer_search = (options.pop("seeded_from", None), options.pop("checkered_from", None),
                    options.pop("union_from", None), options.pop("far_from", None),
                    options.pop("seeded_slack", None))
    grid = options.pop("grid_weight", None)
    refine_k = options.pop("refine_k", None)
    refine_window = options.pop("refine_window", None)
    match = options.pop("match_share", None), options.pop("match_distance", None)

    def run(image, hole):
        with _grid_weight(grid), _refine_k(refine_k), _refine_window(refine_window), \
                _match_mix(*match), _layer_search(*layer_search):
            return gi.inpaint(image, hole, **options)
    return run


# A variant is "default", "no self-validation", or settings joined by " + ", each a name and a
# value: "k 3 + rounds 2 + refine k 6". The names: inpaint's arguments, "patch" (patch_size),
# "smooth" (smooth_share), and what inpaint does not take: "grid" (the layers' grid-edge weight),
# "refine k" (matches per hole pixel in each refinement round), "refine window" (the rounds'
# search window), "match share" and "match distance" (the strokes' match mix, mixes.py),
# "seeded from", "checkered from" (the layers from this depth on searched from their
# neighbours' matches, or half of them) and "union from" (exact matches plus the seeded ones).
NAMES = {"k": ("k", int), "rounds": ("rounds", int), "patch": ("patch_size", int),
         "window": ("window", int), "bandwidth": ("bandwidth", float), "p": ("p", float),
         "smooth": ("smooth_share", float), "grid": ("grid_weight", float),
         "refine k": ("refine_k", int), "refine window": ("refine_window", int),
         "match share": ("match_share", float), "match distance": ("match_distance", float),
         "seeded from": ("seeded_from", int), "checkered from": ("checkered_from", int),
         "union from": ("union_from", int), "far seeded from": ("far_from", int),
         "seeded slack": ("seeded_slack", float)}
EXAMPLES = ("default,no self-validation,rounds 2,rounds 3,patch 5,patch 9,k 3,k 8,"
            "bandwidth 0.05,bandwidth 0.15,window 21,window 41,grid 0.01,grid 0.2,p 1.5,p 3,"
            "smooth 0,smooth 0.4,k 3 + rounds 2,rounds 2 + refine k 6")


def variant(name: str):
    """The run of one variant: ``inpaint`` with its settings."""
    if name == "default":
        return _with()
    if name == "no self-validation":
        return _with(self_validation=False)
    options = {}
    for part in name.split(" + "):
        key, _, value = part.rpartition(" ")
        if key not in NAMES:
            raise ValueError(f"unknown setting {key!r} in variant {name!r}; "
                             f"choose from {list(NAMES)}")
        field, kind = NAMES[key]
        options[field] = kind(value)
    return _with(**options)


def stroke_cases(seed: int = 0):
    """(name, kind, image, hole) of the 16 stroke cases (scratches drawn with ``seed``) and the
    seed's fly and lincoln."""
    cases = [case for case in wide_cases(seed) if case[1] in STROKE_KINDS]
    for name in ("fly", "lincoln"):
        example = seed_example(name)
        if example is not None:
            cases.append((name, "seed mask", *example))
    return cases


def measure(run, image, hole, repeat: int) -> tuple[float, float]:
    """(PSNR over the hole, least time of ``repeat`` runs)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = run(image, hole)
        times.append(time.perf_counter() - start)
    return gi.metrics.psnr(image, out, hole), min(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", default=EXAMPLES,
                        help="comma-separated variants; the first is the reference")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", default=None, help="cases whose name contains this text")
    parser.add_argument("--seed", type=int, default=0, help="the scratches' random seed")
    args = parser.parse_args(argv)
    names = args.variants.split(",")
    try:
        runs = {name: variant(name) for name in names}
    except ValueError as error:
        parser.error(str(error))
    cases = [c for c in stroke_cases(args.seed)
             if args.only is None or args.only in f"{c[0]}, {c[1]}"]
    gi.inpaint(np.zeros((32, 32, 3), np.uint8), np.eye(32, dtype=bool))      # numba warm-up
    results = table_header(names)
    for case, kind, image, hole in cases:
        cells = []
        for name in names:
            value, seconds = measure(runs[name], image, hole, args.repeat)
            results[name].append((value, seconds))
            cells.append(f"{value:.2f} ({seconds:.2f} s)")
        print(f"| {case}, {kind} | " + " | ".join(cells) + " |", flush=True)
    print_summary(results, names)
    return 0


def table_header(names: list[str]) -> dict:
    """Print the markdown table's header; the empty results per variant it will fill."""
    print("| case | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 1) + "|")
    return {name: [] for name in names}


def print_summary(results: dict, names: list[str]) -> None:
    """Per variant (``results[name]``: (PSNR, seconds) per case) its change against the
    first: sum and mean, wins and losses beyond 0.01 dB, worst and best, and total time."""
    reference = np.array(results[names[0]])
    print("\n| variant | sum (dB) | mean change (dB) | better | worse | worst (dB) | best (dB) "
          "| time |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        scores = np.array(results[name])
        change = scores[:, 0] - reference[:, 0]
        print(f"| {name} | {change.sum():+.2f} | {change.mean():+.3f} | "
              f"{(change > 0.01).sum()} | {(change < -0.01).sum()} | {change.min():+.2f} | "
              f"{change.max():+.2f} | {scores[:, 1].sum() / reference[:, 1].sum():.2f}x |")


if __name__ == "__main__":
    sys.exit(main())
