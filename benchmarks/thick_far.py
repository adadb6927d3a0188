"""Issue 13's study of far matches and coarse-to-fine for thick holes (blocks, blotches): the
figures behind docs/pipeline.md, "Issue 13: far matches and coarse-to-fine for thick holes".

    python benchmarks/thick_far.py pyramid   # half resolution first: as the start, as a guide
    python benchmarks/thick_far.py far       # a global kNN of known patches beside the window's
    python benchmarks/thick_far.py branch    # held-out choice between the default and a pyramid
    python benchmarks/thick_far.py time      # coarse_to_fine=True, the pyramid, the default

Cases: the 26 thick cases of ``thick_selection.py`` (block 32 / block 64 / blotches of
``cases.wide_cases``, the seed's fly and barbara when ``../shared/data/seed`` is present). Each
variant replaces the thick path's graph fill (or its refinement rounds) for thick holes only,
self-validation and the smooth mix unchanged; the default runs in the same process. PSNR over
the hole, dB, as a change against the default; time of each ``inpaint`` call (warm: a first
call compiles the kernels before the table).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _pyramid, _stages, _thick_holes, pipeline  # noqa: E402
from cases import region_fill_module  # noqa: E402
from graphinpaint._image_range import _channels_last, _to_unit_range, _unit_scale  # noqa: E402
from graphinpaint.fills import grid_laplace_fill  # noqa: E402
from graphinpaint.graph import _Matches, window_knn  # noqa: E402
from graphinpaint.patches import extract_patches, pca_project  # noqa: E402
from graphinpaint.settings import Settings  # noqa: E402
from thick_selection import thick_cases  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched

GRAPH_FILL, REFINE = region._graph_fill, region._refine


def is_thick(settings: Settings) -> bool:
    """The thick path's settings (layers with the thick holes' 11 x 11 patches)."""
    return settings.strategy == "layers" and settings.patch_size == 11


# --- coarse-to-fine ------------------------------------------------------------------------------

def coarse_start(values, hole, settings, *, patch: int, rounds: int) -> np.ndarray:
    """``_pyramid.coarse_guide`` with another coarse patch size and round count."""
    saved = _pyramid.COARSE_PATCH, _pyramid.COARSE_ROUNDS
    _pyramid.COARSE_PATCH, _pyramid.COARSE_ROUNDS = patch, rounds
    try:
        return _pyramid.coarse_guide(values, hole, GRAPH_FILL, settings)
    finally:
        _pyramid.COARSE_PATCH, _pyramid.COARSE_ROUNDS = saved


def pyramid(patch: int = 7, rounds: int = 3, fine_rounds: int = 2, known_only: bool = False):
    """Fill at half resolution (layers and ``rounds`` rounds, ``patch`` x ``patch`` patches,
    the same window: it reaches twice as far), then ``fine_rounds`` refinement rounds at full
    resolution from the upsampled fill instead of the layers (with ``known_only``, matching
    known pixels only, as Wexler, Shechtman and Irani's sources)."""
    def fill(values, hole, settings, progress=None, *, smooth=None, each_round=None,
             release_start=False):
        if not is_thick(settings):
            return GRAPH_FILL(values, hole, settings, progress, smooth=smooth,
                              each_round=each_round, release_start=release_start)
        start = coarse_start(values, hole, settings, patch=patch, rounds=rounds)
        estimate = np.where(hole[..., None], start, values)
        s = settings
        for _ in range(fine_rounds):
            estimate, distance = REFINE(
                values, hole, estimate, patch_size=s.patch_size,
                k=s.k if known_only else s.refinement_k, window=s.window, bandwidth=s.bandwidth,
                grid_weight=s.grid_weight, solve=s.solve_options(),
                candidates=~hole if known_only else None)
            if smooth is not None:
                smooth.match_distance = distance
            if each_round is not None:
                each_round(estimate)
        return estimate
    return fill


# --- far matches ---------------------------------------------------------------------------------

FAR_KEPT: list[float] = []


def far_matches(image, hole, queries, patch_size, count, *, stride, dims):
    """Each query's ``count`` nearest known full patches anywhere in the image: exact kNN
    (scipy's cKDTree) in a PCA space of the patches of known pixels on a ``stride`` lattice,
    re-ranked by the full patches' root-mean-square distance (the window search's)."""
    half = patch_size // 2
    clear = ~ndi.binary_dilation(hole, structure=np.ones((patch_size, patch_size), bool))
    lattice = np.zeros_like(clear)
    lattice[half:-half:stride, half:-half:stride] = True
    sources = np.flatnonzero(clear & lattice)
    source_patches = extract_patches(image, sources, patch_size)
    query_patches = extract_patches(image, queries, patch_size)
    reduced = pca_project(np.concatenate([source_patches, query_patches]), dims, rng=0)
    _, nearest = cKDTree(reduced[:len(sources)]).query(reduced[len(sources):], k=count)
    distances = np.sqrt(((query_patches[:, None] - source_patches[nearest]) ** 2).mean(axis=2))
    return sources[nearest], distances


def graph_rows(graph, queries, width):
    """The neighbours (flat pixels, -1 = none) and distances (inf) of each query's row."""
    matrix = graph.matrix.tocsr()
    neighbours = np.full((len(queries), width), -1, np.intp)
    distances = np.full((len(queries), width), np.inf)
    for i, row in enumerate(graph.node_of(queries)):
        start, stop = matrix.indptr[row], matrix.indptr[row + 1]
        neighbours[i, :stop - start] = graph.nodes[matrix.indices[start:stop]]
        distances[i, :stop - start] = matrix.data[start:stop]
    return neighbours, distances


def far(stride: int, dims: int):
    """Refinement rounds whose candidates are the window's k best plus 2 k far matches: the k
    nearest of the union are kept (``FAR_KEPT``: the share of far ones)."""
    def refine(values, hole, estimate, *, patch_size, k, window, bandwidth, grid_weight, solve,
               candidates, **rest):
        if patch_size != 11 or candidates is not None:
            return REFINE(values, hole, estimate, patch_size=patch_size, k=k, window=window,
                          bandwidth=bandwidth, grid_weight=grid_weight, solve=solve,
                          candidates=candidates, **rest)
        queries = np.flatnonzero(hole)
        image = estimate.astype(np.float32)
        near = graph_rows(window_knn(image, queries, k=k, patch_size=patch_size, window=window),
                          queries, k)
        distant = far_matches(image, hole, queries, patch_size, 2 * k, stride=stride, dims=dims)
        neighbours, distances = (np.concatenate(pair, axis=1) for pair in zip(near, distant))
        for j in range(1, neighbours.shape[1]):              # a far match the window has too
            seen = (neighbours[:, :j] == neighbours[:, j:j + 1]).any(axis=1)
            distances[seen, j] = np.inf
        order = np.argsort(distances, axis=1, kind="stable")[:, :k]
        FAR_KEPT.append(float(np.mean(order >= k)))
        distances = np.take_along_axis(distances, order, axis=1)
        found = np.isfinite(distances)
        neighbours = np.where(found, np.take_along_axis(neighbours, order, axis=1), -1)
        distances = np.where(found, distances, 0.0)
        # The pipeline's own round solve on these matches (its weights, grid edges, tolerance).
        matches = _Matches(queries, neighbours, distances, hole.shape)
        refined = estimate.copy()
        refined.reshape(-1, values.shape[2])[queries] = _stages._solve_on_matches(
            matches, estimate.reshape(-1, values.shape[2]), ~hole, bandwidth=bandwidth,
            grid_weight=grid_weight, solve=solve, refinement=True)
        return refined, distances.sum(axis=1) / k
    return refine


# --- runs ----------------------------------------------------------------------------------------

def run(cases, replace: dict, module=region, **options
        ) -> dict[str, tuple[float, float, np.ndarray]]:
    """PSNR, time and output of every case with names of ``module`` replaced, ``inpaint``
    called with ``options``."""
    saved = {key: getattr(module, key) for key in replace}
    for key, value in replace.items():
        setattr(module, key, value)
    try:
        results = {}
        for case, image, hole in cases:
            started = time.perf_counter()
            out = gi.inpaint(image, hole, **options)
            results[case] = (gi.metrics.psnr(image, out, hole), time.perf_counter() - started,
                             out)
        return results
    finally:
        for key, value in saved.items():
            setattr(module, key, value)


def averaged(cases, first, second) -> dict[str, tuple[float, float, np.ndarray]]:
    """The mean of two variants' outputs (both branches run: the two times add up)."""
    results = {}
    for case, image, hole in cases:
        out = np.rint((first[case][2].astype(float) + second[case][2]) / 2).astype(image.dtype)
        results[case] = (gi.metrics.psnr(image, out, hole), first[case][1] + second[case][1],
                         out)
    return results


def table(cases, runs: dict[str, dict]) -> None:
    """Markdown: the default's PSNR and time, each variant's change and time; sums."""
    default = runs["default"]
    others = [name for name in runs if name != "default"]
    print("| case | default | " + " | ".join(others) + " |")
    print("|---" * (len(others) + 2) + "|")
    for case, _, _ in cases:
        cells = [f"{runs[n][case][0] - default[case][0]:+.2f} ({runs[n][case][1]:.2f} s)"
                 for n in others]
        print(f"| {case} | {default[case][0]:.2f} ({default[case][1]:.2f} s) | "
              + " | ".join(cells) + " |")
    total = sum(default[case][1] for case, _, _ in cases)
    rows = {"sum of changes": lambda d: f"{sum(d):+.2f}", "worst": lambda d: f"{min(d):+.2f}",
            "cases worse by > 0.05 dB": lambda d: str(sum(x < -0.05 for x in d))}
    for label, show in rows.items():
        cells = [show([runs[n][c][0] - default[c][0] for c, _, _ in cases]) for n in others]
        print(f"| {label} | | " + " | ".join(cells) + " |")
    ratios = [f"{sum(runs[n][c][1] for c, _, _ in cases) / total:.2f}x" for n in others]
    print(f"| time, all cases | {total:.1f} s | " + " | ".join(ratios) + " |")


def study_pyramid(cases) -> None:
    runs = {"default": run(cases, {})}
    variants = {
        "pyramid (patch 7, 3 coarse rounds, 2 fine)": pyramid(),
        "pyramid, 3 fine rounds": pyramid(fine_rounds=3),
        "pyramid, coarse patch 5": pyramid(patch=5),
        "pyramid, 1 coarse round": pyramid(rounds=1),
        "pyramid, fine rounds from known pixels only": pyramid(fine_rounds=3, known_only=True),
    }
    for name, fill in variants.items():
        runs[name] = run(cases, {"_graph_fill": fill})
    for confidence in (0.1, 0.3, 0.6, 1.0):         # coarse_to_fine=True: 0.6
        runs[f"layers guided by the coarse fill, confidence {confidence}"] = run(
            cases, {"GUIDE_CONFIDENCE": confidence}, _pyramid, coarse_to_fine=True)
    runs["average of the default and the pyramid"] = averaged(
        cases, runs["default"], runs["pyramid (patch 7, 3 coarse rounds, 2 fine)"])
    runs["average of the default and guided 0.6"] = averaged(
        cases, runs["default"], runs["layers guided by the coarse fill, confidence 0.6"])
    table(cases, runs)


def study_far(cases) -> None:
    runs = {"default": run(cases, {})}
    for stride, dims in ((2, 16), (1, 24)):
        FAR_KEPT.clear()
        name = f"far matches, stride {stride}, {dims} components"
        runs[name] = run(cases, {"_refine": far(stride, dims)})
        print(f"{name}: {100 * np.mean(FAR_KEPT):.2f}% of the kept matches are far ones")
    table(cases, runs)


def study_branch(cases) -> None:
    """Held-out errors of the default fill and the pyramid on the thick holes' held-out parts
    (halved as the default's selection cuts them, or of the hole's own size), and what choosing
    the pyramid below each bar would change on the real hole."""
    runs = {"default": run(cases, {}), "pyramid": run(cases, {"_graph_fill": pyramid()})}
    for scale in (1, 2):
        errors = {case: held_out_errors(image, hole, scale) for case, image, hole in cases}
        for bar in (0.9, 0.8, 0.7, 0.6):
            chosen = [case for case, pair in errors.items()
                      if pair is not None and pair[1] < bar * pair[0]]
            gains = [runs["pyramid"][c][0] - runs["default"][c][0] for c in chosen]
            print(f"| held out at 1/{scale} | {bar} | {len(chosen)} | {sum(gains):+.2f} | "
                  f"{min(gains, default=0):+.2f} | "
                  + ", ".join(f"{c} {g:+.2f}" for c, g in zip(chosen, gains)) + " |")


def held_out_errors(image, hole, scale) -> tuple[float, float] | None:
    """Mean squared error of the default graph fill and the pyramid's on a held-out copy of
    the hole's parts, shrunk by ``scale`` (the selection's design, ``shrunk_beside``)."""
    channels_last = _channels_last(image, -1, "study")
    case = _thick_holes.shrunk_beside(hole, 60, scale=scale)
    if case is None:
        return None
    local = _to_unit_range(channels_last[case.window], hole[case.window],
                           _unit_scale(channels_last, hole))[0].copy()
    truth = local[case.pixels]
    if case.gaps.any():
        local = grid_laplace_fill(local, case.gaps, "auto")
    local[case.hole] = 0
    deep = _thick_holes.deepest(hole) > _thick_holes.DEEPEST_REFINED
    settings = Settings(strategy="layers", window=pipeline._window_for("layers", deep),
                        bandwidth=0.1, grid_weight=1e-3, patch_size=11,
                        rounds=_thick_holes.rounds_for("layers", True, deep),
                        refine_k=None if deep else 5)
    return tuple(float(np.mean((fill(local, case.hole, settings)[case.pixels] - truth) ** 2))
                 for fill in (GRAPH_FILL, pyramid()))


def study_time(cases, repeats: int = 3) -> None:
    """Least of ``repeats`` process CPU times (every thread) and wall times of the default,
    ``coarse_to_fine=True`` and the pyramid, the three alternated in one process."""
    variants = {"default": ({}, {}), "coarse_to_fine=True": ({}, {"coarse_to_fine": True}),
                "pyramid": ({"_graph_fill": pyramid()}, {})}
    best = {case: np.full((len(variants), 2), np.inf) for case, _, _ in cases}
    for _ in range(repeats):
        for case, image, hole in cases:
            for which, (replace, options) in enumerate(variants.values()):
                saved = {key: getattr(region, key) for key in replace}
                for key, value in replace.items():
                    setattr(region, key, value)
                cpu, wall = time.process_time(), time.perf_counter()
                gi.inpaint(image, hole, **options)
                spent = (time.process_time() - cpu, time.perf_counter() - wall)
                for key, value in saved.items():
                    setattr(region, key, value)
                best[case][which] = np.minimum(best[case][which], spent)
    others = list(variants)[1:]
    print("| case | default: CPU, wall | " + " | ".join(f"{n}: CPU, wall (CPU ratio)"
                                                        for n in others) + " |")
    print("|---" * (len(variants) + 1) + "|")
    for case, times in [*best.items(), ("all cases", sum(best.values()))]:
        cells = [f"{cpu:.2f} s, {wall:.2f} s" for cpu, wall in times]
        ratios = [f"{cells[i]} ({times[i, 0] / times[0, 0]:.2f}x)" for i in range(1, len(cells))]
        print(f"| {case} | {cells[0]} | " + " | ".join(ratios) + " |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=("pyramid", "far", "branch", "time"))
    args = parser.parse_args(argv)
    cases = [(f"{name}, {kind}", image, hole) for name, kind, image, hole in thick_cases()]
    gi.inpaint(cases[-1][1], cases[-1][2])               # compile the kernels first
    {"pyramid": study_pyramid, "far": study_far, "branch": study_branch,
     "time": study_time}[args.study](cases)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
