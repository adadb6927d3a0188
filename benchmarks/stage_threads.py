"""Wall and calling-thread CPU seconds of ``gi.inpaint``'s stages on the big scratch case.

    PYTHONPATH=<checkout> python benchmarks/stage_threads.py 4096

``memory_stages.py``'s image (RGB, 5% scratches) at the given side, warm. Each listed function
is wrapped; its "thread" figure is ``time.thread_time`` of the thread that runs it, so a fill
solved in a thread of its own beside the search (the layers' Laplace start) is counted once,
by itself, and a stage's wait for it shows as wall time only. Numba's parallel workers are
other threads: a search kernel's "thread" figure is its calling thread's share. The whole call
is given as wall and process CPU (all threads).
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _stages, fills, graph, pipeline, selection  # noqa: E402
from cases import region_fill_module  # noqa: E402

try:            # the smooth fills' home since selection.py's split; before it, selection.py
    from graphinpaint import mixes  # noqa: E402
except ImportError:
    mixes = selection
from memory_stages import scratch_case  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched

# The weighted graphs: one pass of _match_graph where the checkout has it, else SciPy's steps.
_GRAPH_STAGES = ([(_stages, "weighted_match_graph"), (_stages, "match_rows"),
                  (_stages, "query_blocks"), (_stages, "_solve_p2_blocks")]
                 if hasattr(_stages, "match_rows")
                 else [(_stages, "_match_weights"), (_stages, "_with_grid_edges")])
STAGES = [(region, "_layers"), (region, "_fill_layers"), (region, "_refine"),
          (pipeline, "choose_settings"), (region, "mix_smooth"), (_stages, "solve_dirichlet"),
          (_stages, "_round_matches"), *_GRAPH_STAGES,
          (_stages.PatchSearch, "__init__"), (_stages.PatchSearch, "query"),
          (graph, "_pixel_graph_from_knn"),
          *([(_stages.PatchSearch, "_matches")] if hasattr(_stages.PatchSearch, "_matches")
            else []),
          (mixes, "grid_laplace_fill"), (mixes, "grid_biharmonic_fill"),
          (mixes, "clip_to_known"), (mixes, "mix_in"),
          # The held-out hole's gaps (selection.py calls it on its own since the split).
          *([(selection, "grid_laplace_fill")] if mixes is not selection else []),
          (fills, "solve_dirichlet"), (fills._Biharmonic, "__init__"),
          (fills._Biharmonic, "solve")]


def instrument(totals: dict) -> None:
    """Wrap each stage so that its wall and thread seconds and its calls add up in ``totals``."""
    for owner, name in STAGES:
        function = getattr(owner, name)
        key = f"{owner.__name__.split('.')[-1]}.{name}"

        @functools.wraps(function)
        def timed(*args, _function=function, _key=key, **kwargs):
            wall, thread = time.perf_counter(), time.thread_time()
            try:
                return _function(*args, **kwargs)
            finally:
                before = totals.get(_key, (0.0, 0.0, 0))
                totals[_key] = (before[0] + time.perf_counter() - wall,
                                before[1] + time.thread_time() - thread, before[2] + 1)

        setattr(owner, name, timed)


def main() -> None:
    side = int(sys.argv[1])
    image, hole = scratch_case(side)
    gi.inpaint(image[:256, :256], hole[:256, :256])         # load the kernels (holes there)
    totals: dict[str, tuple[float, float, int]] = {}
    instrument(totals)
    wall, cpu = time.perf_counter(), time.process_time()
    out = gi.inpaint(image, hole)
    print(f"{side}^2: wall {time.perf_counter() - wall:.2f} s, CPU {time.process_time() - cpu:.2f}"
          f" s, {gi.metrics.psnr(image, out, hole):.6f} dB, {int(hole.sum())} hole pixels")
    print("| stage | wall | thread | calls |\n|---|---|---|---|")
    for key, (seconds, thread, calls) in sorted(totals.items(), key=lambda item: -item[1][0]):
        print(f"| {key} | {seconds:.2f} s | {thread:.2f} s | {calls} |")


if __name__ == "__main__":
    main()
