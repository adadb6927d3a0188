"""A deep hole's search settings against the defaults: barbara and the 36-deep blotch on
stripes (``tests/test_seeded_search.py``), PSNR over the hole and CPU seconds on one numba
thread (the held-out fill runs beside the real one: process CPU counts it, the calling
thread's does not).

    python benchmarks/deep_knobs.py [KNOB=VALUE ...]

Knobs: ``round_k``, ``round_window``, ``round_patch`` (the deep hole's refinement round:
its matches, window and patch; defaults 10, 51 and 11), ``checkered_from`` and
``seeded_from`` (``_thick_holes.CHECKERED_FROM``, ``SEEDED_FROM``; ``None`` for none).
Without knobs: the defaults. Least of 3 warm calls on barbara, one on the stripes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numba

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, pipeline  # noqa: E402
from cases import region_fill_module  # noqa: E402
from cases import ROOT, seed_example  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from test_seeded_search import _deep_blob as stripes_blob  # noqa: E402  the test's blotch

region = region_fill_module()        # where the working region's stages are patched

ROUND = {"round_k": "k", "round_window": "window", "round_patch": "patch_size"}
LAYERS = {"checkered_from": "CHECKERED_FROM", "seeded_from": "SEEDED_FROM"}


def with_round(changes: dict):
    """The working region's ``_refine`` with a deep hole's round (11 x 11 patches, window 51)
    changed."""
    real = region._refine

    def refine(*args, **kwargs):
        if kwargs["patch_size"] == 11 and not hasattr(kwargs["window"], "shape") \
                and kwargs["window"] == pipeline._holes.DEEP_WINDOW:
            kwargs.update(changes)
        return real(*args, **kwargs)
    return refine


def main() -> None:
    knobs = dict(arg.split("=") for arg in sys.argv[1:])
    unknown = set(knobs) - set(ROUND) - set(LAYERS)
    if unknown:
        sys.exit(f"deep_knobs.py: unknown knobs {sorted(unknown)}; known: "
                 f"{sorted(ROUND) + sorted(LAYERS)}")
    numba.set_num_threads(1)
    region._refine = with_round({ROUND[name]: int(value) for name, value in knobs.items()
                                   if name in ROUND})
    for name, value in knobs.items():
        if name in LAYERS:
            setattr(_thick_holes, LAYERS[name], None if value == "None" else int(value))
    figures = []
    for case, (image, hole), runs in (("barbara", seed_example("barbara"), 3),
                                      ("stripes", stripes_blob(), 1)):
        gi.inpaint(image, hole)                         # numba's cache, the allocator
        cpu, main_thread = [], []
        for _ in range(runs):
            start, start_main = time.process_time(), time.thread_time()
            out = gi.inpaint(image, hole)
            cpu.append(time.process_time() - start)
            main_thread.append(time.thread_time() - start_main)
        figures.append(f"{case} {gi.metrics.psnr(image, out, hole):.4f} dB, CPU "
                       f"{min(cpu):.3f} s, calling thread {min(main_thread):.3f} s")
    print(" ".join(sys.argv[1:]) or "defaults", "|", " | ".join(figures))


if __name__ == "__main__":
    main()
