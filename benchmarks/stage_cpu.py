"""CPU seconds of ``inpaint`` by stage: robust to other work on a shared machine.

    python benchmarks/stage_cpu.py [--cases barbara scratches512 random512 scratches2048
                                    random1024] [--runs 2] [--window 21]

Wall times on a loaded machine say little; ``time.process_time`` (every thread of the process,
numba's included) says what the work costs. Each stage's functions are wrapped where the
pipeline calls them; a stage's figure is the process's CPU time while they run, so work in a
thread of its own (the boundary blend's factorisation) counts in whichever stage runs beside
it. "main thread" is ``time.thread_time`` of the calling thread. The cases are
``profile_stages.py``'s, warm.
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _stages, fills, graph, selection  # noqa: E402

try:            # the smooth fills' home since selection.py's split; before it, selection.py
    from graphinpaint import mixes  # noqa: E402
except ImportError:
    mixes = selection
from profile_stages import cases, warm_examples  # noqa: E402

# (module, attribute the pipeline calls through, stage)
STAGES = [(graph, "window_knn_kernel", "search kernels"),
          (graph, "offset_knn_kernel", "search kernels"),
          (graph, "query_tiles", "search kernels"),           # the offset kernel's dispatch
          (graph, "tile_patch_pixels", "search kernels"),
          (graph, "rerank_kernel", "search kernels"),
          (graph, "seeded_knn_kernel", "search kernels"),      # deep layers (tenth pass)
          (graph, "_pixel_graph_from_knn", "kNN graph + weights"),
          # The weighted graphs: one pass of _match_graph (p = 2: the queries' rows and their
          # blocks) where the checkout has it, else SciPy's steps (an A/B against older mains).
          *[(_stages, name, "kNN graph + weights")
            for name in ("_match_weights", "_with_grid_edges", "weighted_match_graph",
                         "match_rows", "query_blocks") if hasattr(_stages, name)],
          (_stages, "solve_dirichlet", "graph solves"),
          *([(_stages, "_solve_p2_blocks", "graph solves")]
            if hasattr(_stages, "_solve_p2_blocks") else []),
          (mixes, "grid_laplace_fill", "fills"), (mixes, "grid_biharmonic_fill", "fills"),
          # The held-out hole's gaps (selection.py calls it on its own since the split).
          *([(selection, "grid_laplace_fill", "fills")] if mixes is not selection else []),
          (fills.BoundaryBlend, "__call__", "fills")]


def instrument(totals: dict) -> None:
    """Wrap each stage's functions so that their CPU seconds add up in ``totals``."""
    for owner, name, stage in STAGES:
        function = getattr(owner, name)

        @functools.wraps(function)
        def timed(*args, _function=function, _stage=stage, **kwargs):
            start = time.process_time()
            try:
                return _function(*args, **kwargs)
            finally:
                totals[_stage] = totals.get(_stage, 0.0) + time.process_time() - start

        setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=list(cases())[:4])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--window", type=int, default=None,
                        help="inpaint's search window (default: inpaint's own)")
    args = parser.parse_args()
    totals: dict[str, float] = {}
    options = {} if args.window is None else {"window": args.window}
    instrument(totals)
    stages = list(dict.fromkeys(stage for _, _, stage in STAGES))
    print("| case | CPU, whole | main thread | " + " | ".join(stages) + " | PSNR |")
    print("|---" * (len(stages) + 4) + "|")
    for name, image, hole in warm_examples(args.cases):
        for _ in range(args.runs):
            totals.clear()
            cpu, main_thread = time.process_time(), time.thread_time()
            out = gi.inpaint(image, hole, **options)
            cpu, main_thread = time.process_time() - cpu, time.thread_time() - main_thread
            cells = " | ".join(f"{totals.get(stage, 0.0):.2f} s" for stage in stages)
            print(f"| {name} | {cpu:.2f} s | {main_thread:.2f} s | {cells} | "
                  f"{gi.metrics.psnr(image, out, hole):.2f} dB |", flush=True)


if __name__ == "__main__":
    main()
