"""Where a deep hole's search time goes: each search kernel's calls, queries and CPU seconds in
one warm ``inpaint`` call, on one numba thread (each query's work is sequential, so per-query
figures do not depend on the thread count) and without self-validation (its held-out fill
runs beside the real one).

    python benchmarks/deep_kernels.py [--case barbara] [--runs 3] [--calls]

Prints the calling thread's CPU of the call (``time.thread_time``, least of ``--runs``) and,
for that run, each kernel's queries, CPU and microseconds per query; ``--calls``: every call
(kernel, queries, largest window radius, milliseconds). Run base and branch checkouts
alternately (``PYTHONPATH``): only figures of one alternation compare.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numba

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import graph  # noqa: E402
from profile_stages import cases  # noqa: E402

CALLS: list[tuple[str, int, int, float]] = []


def timed(name: str, kernel):
    """``kernel`` that appends (name, queries, largest radius, CPU seconds) to CALLS."""
    def run(planes, conf, qy, qx, radius, *rest):
        start = time.thread_time()
        out = kernel(planes, conf, qy, qx, radius, *rest)
        CALLS.append((name, len(qy), int(radius.max(initial=0)), time.thread_time() - start))
        return out
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="barbara")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--calls", action="store_true")
    args = parser.parse_args()
    numba.set_num_threads(1)
    image, hole = cases()[args.case]()
    graph.window_knn_kernel = timed("exact", graph.window_knn_kernel)
    graph.seeded_knn_kernel = timed("seeded", graph.seeded_knn_kernel)
    graph.offset_knn_kernel = timed("offset", graph.offset_knn_kernel)
    for _ in range(2):                                  # numba's cache, the allocator
        gi.inpaint(image, hole, self_validation=False)
    best = None
    for _ in range(args.runs):
        CALLS.clear()
        start = time.thread_time()
        out = gi.inpaint(image, hole, self_validation=False)
        spent = time.thread_time() - start
        if best is None or spent < best[0]:
            best = (spent, list(CALLS))
    spent, calls = best
    print(f"{args.case}: calling thread {spent:.3f} s, PSNR "
          f"{gi.metrics.psnr(image, out, hole):.4f} dB ({Path(gi.__file__).parent})")
    for name in ("exact", "seeded", "offset"):
        mine = [c for c in calls if c[0] == name]
        queries, seconds = sum(c[1] for c in mine), sum(c[3] for c in mine)
        print(f"  {name}: {len(mine)} calls, {queries} queries, {seconds:.3f} s, "
              f"{1e6 * seconds / max(queries, 1):.1f} us a query")
    if args.calls:
        for name, queries, radius, seconds in calls:
            print(f"  {name} {queries} radius {radius} {1e3 * seconds:.1f} ms")
    print(f"  other: {spent - sum(c[3] for c in calls):.3f} s")


if __name__ == "__main__":
    main()
