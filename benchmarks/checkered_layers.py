"""The checkered layers of deep holes (``_thick_holes.CHECKERED_FROM``) against every layer
before ``SEEDED_FROM`` exact, alternated call by call in one process (a shared machine's load
hits both alike): the masked layer searches' queries, the candidates the exact kernel scans,
the CPU seconds of both kernels and of the whole call, and the PSNR.

    python benchmarks/checkered_layers.py [--case barbara] [--runs 7]

Prints, per setting, the median over the runs of each CPU figure (``time.process_time``:
every thread, the held-out fill's beside the real one's included).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, graph  # noqa: E402
from cases import seed_example  # noqa: E402

COUNTS: dict[str, float] = {}


def counted(name: str, kernel):
    """``kernel`` that adds its CPU seconds, queries and (exact) window candidates to
    COUNTS."""
    def run(planes, conf, qy, qx, radius, candidates, *rest):
        start = time.process_time()
        out = kernel(planes, conf, qy, qx, radius, candidates, *rest)
        COUNTS[name + " CPU"] = COUNTS.get(name + " CPU", 0.0) + time.process_time() - start
        COUNTS[name + " queries"] = COUNTS.get(name + " queries", 0) + len(qy)
        if name == "exact":
            height, width = candidates.shape
            rows = np.minimum(qy + radius + 1, height) - np.maximum(qy - radius, 0)
            cols = np.minimum(qx + radius + 1, width) - np.maximum(qx - radius, 0)
            COUNTS["exact candidates"] = COUNTS.get("exact candidates", 0) + int(
                np.sum(rows * cols))
        return out
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="barbara")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    image, hole = seed_example(args.case)
    graph.window_knn_kernel = counted("exact", graph.window_knn_kernel)
    graph.seeded_knn_kernel = counted("seeded", graph.seeded_knn_kernel)
    settings = {"every layer exact until SEEDED_FROM": None,
                f"checkered from {_thick_holes.CHECKERED_FROM}": _thick_holes.CHECKERED_FROM}
    figures: dict[str, list[dict]] = {name: [] for name in settings}
    psnr = {}
    for name, checkered in settings.items():            # warm-up
        _thick_holes.CHECKERED_FROM = checkered
        gi.inpaint(image, hole)
    for _ in range(args.runs):
        for name, checkered in settings.items():
            _thick_holes.CHECKERED_FROM = checkered
            COUNTS.clear()
            start = time.process_time()
            out = gi.inpaint(image, hole)
            COUNTS["whole CPU"] = time.process_time() - start
            figures[name].append(dict(COUNTS))
            psnr[name] = gi.metrics.psnr(image, out, hole)
    for name, runs in figures.items():
        median = {key: statistics.median(run.get(key, 0) for run in runs) for key in runs[0]}
        print(f"{name}: " + ", ".join(
            f"{key} {value:.3f} s" if key.endswith("CPU") else f"{key} {int(value):,}"
            for key, value in median.items()) + f", PSNR {psnr[name]:.3f} dB")


if __name__ == "__main__":
    main()
