"""Stage-by-stage profile of ``inpaint``: search, weights, solves and fills, per case.

    python benchmarks/profile_stages.py [--cases barbara scratches512 random512 scratches2048
                                                 random1024]

Runs each case once warm under cProfile and prints a markdown table of the cumulative time of
each stage's functions (a stage's figure includes everything it calls), the whole call, and the
PSNR over the hole. The seed's barbara is read from ``shared/data/seed`` when it is present.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import random_mask, scratch_mask, seed_example  # noqa: E402

# Stage -> functions (module file name, function name) whose cumulative times add up to it,
# counted only in calls from the pipeline (the fills' own solves count as fills).
STAGES = {
    "search": [("graph.py", "query"), ("graph.py", "window_knn"), ("graph.py", "_matches")],
    "weights": [("pipeline.py", "_match_weights"), ("pipeline.py", "_with_grid_edges"),
                ("_match_graph.py", "match_rows"), ("_match_graph.py", "query_blocks"),
                ("_match_graph.py", "weighted_match_graph")],
    "solves": [("dirichlet.py", "solve_dirichlet"), ("dirichlet.py", "_solve_p2_blocks")],
    "fills": [("fills.py", "grid_laplace_fill"), ("fills.py", "grid_biharmonic_fill"),
              ("fills.py", "blend_near_boundary"), ("fills.py", "__call__")],
}
# The pipeline reaches the fills through mixes.py's SmoothFills (selection.py's before the split;
# selection.py still fills the held-out hole's gaps). The boundary blend's
# factorisation runs in a thread of its own, which cProfile does not see: its "fills" figure is
# the main thread's part (the solve, and any wait for the factorisation).
CALLER = ("pipeline.py", "selection.py", "mixes.py")


def smooth_photo(side: int, rng: np.random.Generator) -> np.ndarray:
    """The smooth synthetic photo of ``test_bench_pipeline.py`` (upscaled-looking, with grain)."""
    y, x = np.mgrid[:side, :side] / side
    image = np.stack([np.sin(40 * x + 9 * y), np.cos(25 * y * x + 3 * x), np.sin(60 * y)], -1)
    return ((image * 0.35 + 0.5 + 0.05 * rng.random(image.shape)) * 255).astype(np.uint8)


def cases() -> dict:
    def scratches(side):
        rng = np.random.default_rng(0)
        image = smooth_photo(side, rng)
        return image, scratch_mask((side, side), 0.05, rng)

    def random_loss(side, share):
        from skimage import data

        image = data.astronaut()[:side, :side]
        return image, random_mask(image.shape[:2], share, np.random.default_rng(1))

    def native_random(share):
        from test_bench_speed import _native_1024     # the 1024^2 target's four photos

        image = _native_1024()
        return image, random_mask(image.shape[:2], share, np.random.default_rng(1))

    return {"barbara": lambda: seed_example("barbara"),
            "scratches512": lambda: scratches(512),
            "random512": lambda: random_loss(512, 0.8),
            "scratches2048": lambda: scratches(2048),
            "random1024": lambda: native_random(0.5)}


def warm_examples(names: list[str], makers: dict | None = None):
    """(name, image, hole) of each named case whose data is here, after a small ``inpaint``
    that compiles or loads numba's kernels. ``makers``: name -> maker, :func:`cases` if None."""
    makers = cases() if makers is None else makers
    for name in names:
        example = makers[name]()
        if example is None:
            print(f"{name}: skipped (no data)", file=sys.stderr)
            continue
        image, hole = example
        gi.inpaint(image[:64, :64], hole[:64, :64])                 # numba warm-up
        yield name, image, hole


def stage_times(stats: pstats.Stats) -> dict:
    """Cumulative seconds per stage, from the calls made by the pipeline's own functions."""
    table = {}
    for (filename, _, name), (_, _, _, _, callers) in stats.stats.items():
        for stage, functions in STAGES.items():
            if any(filename.endswith(f) and name == n for f, n in functions):
                table[stage] = table.get(stage, 0.0) + sum(
                    timing[3] for caller, timing in callers.items()
                    if caller[0].endswith(CALLER))
    return table


def profile(name: str, make) -> dict | None:
    example = make()
    if example is None:
        print(f"{name}: skipped (no data)", file=sys.stderr)
        return None
    image, hole = example
    gi.inpaint(image[:64, :64], hole[:64, :64])                     # numba warm-up
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    out = gi.inpaint(image, hole)
    profiler.disable()
    total = time.perf_counter() - start
    row = stage_times(pstats.Stats(profiler))
    row.update(total=total, psnr=gi.metrics.psnr(image, out, hole), holes=int(hole.sum()))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(cases())[:4])
    args = parser.parse_args()
    makers = cases()
    print("| case | hole pixels | search | weights | solves | fills | whole (profiled) | PSNR |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.cases:
        row = profile(name, makers[name])
        if row is None:
            continue
        cells = " | ".join(f"{row.get(s, 0.0):.2f} s" for s in STAGES)
        print(f"| {name} | {row['holes']} | {cells} | {row['total']:.2f} s | "
              f"{row['psnr']:.2f} dB |", flush=True)


if __name__ == "__main__":
    main()
