"""Does reweighting for sparse known values help inpainting at 90% random pixel loss?

    python benchmarks/reweighting_90.py                  # the eight cases, about 7 minutes
    python benchmarks/reweighting_90.py --images camera,brick

The cases are the compare benchmark's 90% random-loss cases (``cases.wide_cases``: eight
256 x 256 images, cartoon and the smooth upscaled photo included, the same masks). Prints six
markdown tables:

1. **Known share**: for each hole pixel, the share of its row's weight that goes to known
   pixels, in each graph the pipeline solves on (the held-out window of self-validation, then
   the image) with the plain weights. The remedies cure spikes that form where this share is
   small.
2. **PSNR over the lost pixels** of ``inpaint`` with each reweighting applied to every graph it
   solves on, as ``inpaint`` runs by default (self-validation mixes a smooth fill in) and with
   ``self_validation=False`` (the graph solution alone), each as the difference to the plain
   weights. With one refinement round the scattered strategy solves on one graph per image
   (plus the held-out one): its first graph is its last. Beside the remedies, two controls
   that move the same balance the other way or further: WNLL's factor inverted
   (``(n/m)**-0.5``: the edges between hole pixels weigh more), and the grid edges between
   hole pixels at the grid weight instead of the twice it that ``_with_grid_edges`` gives them
   (they weigh less).
3. **Self-validation choosing the reweighting**: the plain weights and WNLL with its factor
   ``(n/m)**a`` for a in {0.25, 0.5, 1} are scored on the held-out pixels together with the
   smooth mixes, and the pair of least held-out error wins when it beats the plain weights'
   default by the selection's own margin (``selection.MARGIN``, ``selection.FLOOR``). This is
   what wiring the reweighting into ``selection.py`` would do; the time is the least of three
   runs, alternated with three of the plain pipeline on the same case.
4. **The properly weighted Laplacian's radius, alpha and zeta** (the graph solution alone).
5. **Two refinement rounds, the reweighting on the first round's graphs only** (those built
   on the biharmonic start, where the matches are least reliable).

The reweighting is hooked into the pipeline's private ``_with_grid_edges`` (the step that makes
each solve's graph) and ``choose_settings``, so this script follows those names. Result
(docs/research.md): no reweighting wins, and ``inpaint`` keeps the plain weights.
"""

from __future__ import annotations

import argparse
import copy
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import wide_cases  # noqa: E402
from graphinpaint import _stages, pipeline, selection  # noqa: E402
from graphinpaint.graph import PixelGraph  # noqa: E402

# reweight(weights, known, graph, grid_weight) -> reweighted weights; graph gives the nodes'
# pixels, grid_weight the weight _with_grid_edges was given.
Reweight = Callable[[sp.csr_matrix, np.ndarray, PixelGraph, float], sp.csr_matrix]


def wnll_power(a: float) -> Reweight:
    """WNLL with the factor ``(n/m)**a`` on the known nodes (a = 1: ``weighted_nonlocal``;
    a < 0 weighs the edges between hole pixels more, the opposite of the remedy)."""
    def reweight(weights, known, graph, grid_weight):
        if a == 1:
            return gi.weights.weighted_nonlocal(weights, known)
        factor = (known.size / known.sum()) ** a
        return gi.weights._scaled_by_ends(weights, np.where(known, factor, 1.0))
    return reweight


def properly(radius: float, alpha: float = 2.0, zeta: float = 1e7) -> Reweight:
    """``properly_weighted`` with pixel coordinates as the points."""
    def reweight(weights, known, graph, grid_weight):
        points = np.stack(np.divmod(graph.nodes, graph.shape[1]), axis=1).astype(float)
        return gi.weights.properly_weighted(weights, known, points, radius=radius, alpha=alpha,
                                            zeta=zeta)
    return reweight


def known_share(weights: sp.csr_matrix, known: np.ndarray) -> np.ndarray:
    """Per node: the share of its row's weight that goes to known nodes."""
    weights = sp.csr_matrix(weights)
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    to_known = np.bincount(rows, weights=weights.data * known[weights.indices],
                           minlength=weights.shape[0])
    total = np.bincount(rows, weights=weights.data, minlength=weights.shape[0])
    return to_known / np.maximum(total, 1e-300)


def weak_rows_only(threshold: float) -> Reweight:
    """WNLL's factor n/m on the edges from a hole pixel to known pixels only where that pixel's
    known share is below ``threshold``."""
    def reweight(weights, known, graph, grid_weight):
        weak = ~known & (known_share(weights, known) < threshold)
        factor = np.where(weak, known.size / known.sum(), 1.0)
        rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
        # An edge between a weak hole pixel and a known pixel, from either end.
        scale = np.where(known[rows], factor[weights.indices],
                         np.where(known[weights.indices], factor[rows], 1.0))
        out = weights.copy()
        out.data = weights.data * scale
        return out
    return reweight


def single_grid_weight(weights, known, graph, grid_weight):
    """The grid edges between two hole pixels at the grid weight, not twice it (what
    ``_with_grid_edges``'s comment said before this benchmark measured it)."""
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    first, second = graph.nodes[rows], graph.nodes[weights.indices]
    width = graph.shape[1]
    neighbours = (np.abs(first - second) == width) | (
        (np.abs(first - second) == 1) & (first // width == second // width))
    doubled = (neighbours & ~known[rows] & ~known[weights.indices]
               & np.isclose(weights.data, 2 * grid_weight))
    out = weights.copy()
    out.data = np.where(doubled, grid_weight, weights.data)
    return out


# name -> (reweighting, applied to "all" edges of each solve's graph or to the "patch" matches
# only, before the grid edges are added)
VARIANTS: dict[str, tuple[Reweight | None, str]] = {
    "plain": (None, "all"),
    "WNLL": (wnll_power(1.0), "all"),
    "WNLL a=0.5": (wnll_power(0.5), "all"),
    "WNLL a=0.25": (wnll_power(0.25), "all"),
    "WNLL, patch edges": (wnll_power(1.0), "patch"),
    "WNLL, weak rows": (weak_rows_only(0.5), "all"),
    "properly r=1.5": (properly(1.5), "all"),
    "properly r=1.5 zeta=3": (properly(1.5, zeta=3.0), "all"),
    "inverse a=-0.5": (wnll_power(-0.5), "all"),
    "hole-hole grid edges 1x": (single_grid_weight, "all"),
}
SELECTABLE = ("plain", "WNLL a=0.25", "WNLL a=0.5", "WNLL")
# The properly weighted Laplacian's radius (pixels), alpha and zeta, on the graph solution alone.
PROPERLY_SWEEP: dict[str, tuple[Reweight, str]] = {
    "r=3": (properly(3.0), "all"), "r=6": (properly(6.0), "all"),
    "r=1.5 alpha=1 zeta=3": (properly(1.5, alpha=1.0, zeta=3.0), "all"),
    "r=3 alpha=1 zeta=3": (properly(3.0, alpha=1.0, zeta=3.0), "all"),
    "r=3 alpha=4 zeta=3": (properly(3.0, alpha=4.0, zeta=3.0), "all"),
}
# With two refinement rounds, these reweight the first round's graphs only.
FIRST_ROUND = ("WNLL", "WNLL a=0.5")


def hook(name: str, shares: list | None = None, first_of: int | None = None):
    """``_with_grid_edges`` with the variant's reweighting (and the known shares recorded).

    With ``first_of=rounds`` only the first of each run of ``rounds`` graphs is reweighted:
    ``inpaint`` solves the held-out window's rounds, then the image's, in order.
    """
    reweight, where = {**VARIANTS, **PROPERLY_SWEEP}[name]
    original = ORIGINAL_GRID_EDGES
    calls = [0]

    def reweighted(graph, filled, weight):
        known = filled.ravel()[graph.nodes]
        return PixelGraph(reweight(sp.csr_matrix(graph.matrix), known, graph, weight),
                          graph.nodes, graph.shape)

    def hooked(graph, queries, filled, weight):
        calls[0] += 1
        if first_of is not None and (calls[0] - 1) % first_of:
            return original(graph, queries, filled, weight)
        if reweight is not None and where == "patch":
            graph = reweighted(graph, filled, weight)
        out = original(graph, queries, filled, weight)
        if shares is not None:
            known = filled.ravel()[out.nodes]
            shares.append(known_share(out.matrix, known)[~known])
        if reweight is not None and where == "all":
            out = reweighted(out, filled, weight)
        return out
    return hooked


if not hasattr(_stages, "_with_grid_edges"):
    # Hooking the graphs' new one-pass builder would measure other variants than the ones
    # docs/research.md records: the study is rerun on the code it measured.
    sys.exit("benchmarks/reweighting_90.py hooks _stages._with_grid_edges, the step that made "
             "each solve's graph until the graphs were built in one pass (_match_graph, "
             "2026-11-30): run it from a checkout of 00d29a9 or earlier.")
ORIGINAL_GRID_EDGES = _stages._with_grid_edges
ORIGINAL_CHOOSE = pipeline.choose_settings


def choose_with_reweighting(chosen: list):
    """``choose_settings`` that scores each SELECTABLE reweighting with every smooth mix on the
    same held-out pixels, and installs the winner's hook for the real solve."""
    def choose(values_of, hole, settings, fill, *, scattered, margin, rng, rounds=()):
        # The study compared weights at one refinement round: further round counts are not
        # tried (``rounds`` ignored), so that its figures stand as measured.
        scored = []
        for name in SELECTABLE:
            _stages._with_grid_edges = hook(name)
            _, errors = ORIGINAL_CHOOSE(values_of, hole, settings, fill, scattered=scattered,
                                        margin=margin, rng=copy.deepcopy(rng))
            scored += [(name, candidate, error) for candidate, error in errors]
        given = scored[0][2]                          # plain weights, the given settings
        name, best, error = min(scored, key=lambda entry: entry[2])
        if not given - error > max((1 - selection.MARGIN) * given, selection.FLOOR):
            name, best = scored[0][:2]
        chosen.append(f"{name}, {best.smooth} {best.smooth_share:g}")
        _stages._with_grid_edges = hook(name)
        return best, scored
    return choose


def run(image, hole, **options) -> tuple[float, float]:
    """PSNR over the hole and seconds of one ``inpaint``."""
    start = time.perf_counter()
    out = gi.inpaint(image, hole, **options)
    return gi.metrics.psnr(image, out, hole), time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", default=None,
                        help="comma-separated image names (default: all eight)")
    args = parser.parse_args(argv)
    wanted = None if args.images is None else set(args.images.split(","))
    cases = [(name, image, hole) for name, kind, image, hole in wide_cases()
             if kind == "random 90%" and (wanted is None or name in wanted)]
    gi.inpaint(cases[0][1][:64, :64], cases[0][2][:64, :64])      # compile the kernels first
    rows: list[tuple[str, ...]] = []
    try:
        for name, image, hole in cases:
            rows.append(_measure(name, image, hole))
            print(name, "done", flush=True, file=sys.stderr)
    finally:
        _stages._with_grid_edges = ORIGINAL_GRID_EDGES
        pipeline.choose_settings = ORIGINAL_CHOOSE
    share_rows, default_rows, graph_rows, chosen_rows, sweep_rows, round_rows = zip(*rows)
    print("Known share of each hole pixel's weight (plain weights; held-out graph / image "
          "graph)\n")
    print("| image | minimum | 1% | 5% | median | share < 0.5 |\n| --- | --- | --- | --- | --- "
          "| --- |")
    print("\n".join(share_rows))
    header = "| image | plain | " + " | ".join(list(VARIANTS)[1:]) + " |\n" + \
        "| --- " * len(VARIANTS) + "| --- |"
    print("\nPSNR over the lost pixels, inpaint as by default (self-validation on); the "
          "variants as differences to plain\n")
    print(header + "\n" + "\n".join(default_rows))
    print("\nThe graph solution alone (self_validation=False)\n")
    print(header + "\n" + "\n".join(graph_rows))
    print("\nSelf-validation choosing among " + ", ".join(SELECTABLE) + " and the smooth "
          "mixes\n")
    print("| image | plain | selected | its choice | time vs plain |\n| --- | --- | --- | --- "
          "| --- |")
    print("\n".join(chosen_rows))
    print("\nThe properly weighted Laplacian's parameters, the graph solution alone, as "
          "differences to plain\n")
    print("| image | plain | " + " | ".join(PROPERLY_SWEEP) + " |\n" +
          "| --- " * (len(PROPERLY_SWEEP) + 1) + "| --- |")
    print("\n".join(sweep_rows))
    print("\nTwo refinement rounds (inpaint as by default otherwise); the reweighting of the "
          "first round's graphs only as differences to two plain rounds\n")
    print("| image | one round | two rounds | " + " | ".join(f"{name}, first round"
                                                         for name in FIRST_ROUND) + " |\n" +
          "| --- " * (len(FIRST_ROUND) + 3) + "|")
    print("\n".join(round_rows))
    return 0


def _measure(name: str, image: np.ndarray, hole: np.ndarray) -> tuple[str, ...]:
    """One case's rows of the six tables (known share, default, graph alone, selected,
    properly weighted's parameters, first round only)."""
    shares: list = []
    _stages._with_grid_edges = hook("plain", shares)
    run(image, hole)
    default, graph = [], []
    for variant in VARIANTS:
        _stages._with_grid_edges = hook(variant)
        default.append(run(image, hole)[0])
        graph.append(run(image, hole, self_validation=False)[0])
    chosen: list = []
    plain_time = selected_time = np.inf
    for _ in range(3):                          # alternated: both see the same load
        _stages._with_grid_edges = hook("plain")
        plain, seconds = run(image, hole)
        plain_time = min(plain_time, seconds)
        pipeline.choose_settings = choose_with_reweighting(chosen)
        selected, seconds = run(image, hole)
        selected_time = min(selected_time, seconds)
        pipeline.choose_settings = ORIGINAL_CHOOSE
    sweep = [graph[0]]
    for variant in PROPERLY_SWEEP:
        _stages._with_grid_edges = hook(variant)
        sweep.append(run(image, hole, self_validation=False)[0])
    two_rounds = []
    for variant in ("plain",) + FIRST_ROUND:
        _stages._with_grid_edges = hook(variant, first_of=2)
        two_rounds.append(run(image, hole, rounds=2)[0])
    return (_share_row(name, shares), _delta_row(name, default), _delta_row(name, graph),
            (f"| {name} | {plain:.2f} dB | {selected:.2f} dB ({selected - plain:+.2f}) | "
             f"{chosen[0]} | {selected_time / plain_time:.2f}x |"),
            _delta_row(name, sweep),
            _delta_row(name, two_rounds).replace(f"| {name} |",
                                                 f"| {name} | {default[0]:.2f} |", 1))


def _share_row(name: str, shares: list) -> str:
    cells = []
    for quantity in (lambda s: s.min(), lambda s: np.quantile(s, 0.01),
                     lambda s: np.quantile(s, 0.05), np.median, lambda s: np.mean(s < 0.5)):
        cells.append(" / ".join(f"{quantity(s):.3f}" for s in shares))
    return f"| {name} | " + " | ".join(cells) + " |"


def _delta_row(name: str, psnrs: list[float]) -> str:
    return f"| {name} | {psnrs[0]:.2f} | " + " | ".join(f"{p - psnrs[0]:+.2f}"
                                                     for p in psnrs[1:]) + " |"


if __name__ == "__main__":
    sys.exit(main())
