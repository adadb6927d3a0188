"""The seeded search of deep layers against the exact windowed kernel, layer by layer, on the
masked layer searches of one ``inpaint`` call.

    python benchmarks/seeded_layers.py [--case barbara] [--from 12 16]

Runs ``gi.inpaint`` once (warm) with every layer searched exactly and records the real fill's
masked layer searches (the held-out fill's, in a window of its own, are left out). Then, for
each ``--from`` layer L, replays the layers from L on twice: with the exact kernel, and seeded
with the exact matches of the layers before (as the pipeline seeds them, but from exact
neighbours). Prints CPU seconds of both (``time.process_time``: both numba threads) and how
many of the exact matches the seeded search finds: the best one, the k, the whole k-set.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, graph  # noqa: E402
from graphinpaint._search_kernels import window_knn_kernel  # noqa: E402
from graphinpaint._seeded_search import SEEDED_LOCAL, seeded_knn_kernel  # noqa: E402
from graphinpaint._seeded_search import seeds_from_neighbours  # noqa: E402
from cases import seed_example  # noqa: E402


def record_layers(image: np.ndarray, hole: np.ndarray) -> list[dict]:
    """The arguments and results of the real fill's masked layer searches (min_overlap 0.3,
    the deep window) of one inpaint call with every layer exact."""
    calls = []
    kernel = graph.window_knn_kernel

    def recording(planes, conf, qy, qx, radius, candidates, *rest):
        out = kernel(planes, conf, qy, qx, radius, candidates, *rest)
        calls.append(dict(planes=planes.copy(), conf=conf.copy(), qy=qy, qx=qx,
                          radius=radius, candidates=candidates.copy(), k=rest[3],
                          min_overlap=rest[4], index=out[0].copy()))
        return out

    seeded_from, graph.window_knn_kernel = _thick_holes.SEEDED_FROM, recording
    _thick_holes.SEEDED_FROM = None
    try:
        gi.inpaint(image, hole)
    finally:
        graph.window_knn_kernel, _thick_holes.SEEDED_FROM = kernel, seeded_from
    shape = max(call["candidates"].shape for call in calls)       # the real fill's region
    return [call for call in calls if call["candidates"].shape == shape
            and call["min_overlap"] == 0.3]


def replay(calls: list[dict], first: int) -> dict:
    """CPU seconds of the exact and the seeded search of the layers from ``first`` on, and
    the share of exact matches the seeded one finds."""
    shape = calls[0]["candidates"].shape
    hole_pixels = np.sort(np.concatenate([c["qy"] * shape[1] + c["qx"] for c in calls]))
    matches = np.full((len(hole_pixels), calls[0]["k"]), -1, np.int64)
    exact_cpu = seeded_cpu = 0.0
    best = found = sets = queries = 0
    for layer, c in enumerate(calls, start=1):
        pixels = c["qy"] * shape[1] + c["qx"]
        if layer >= first:
            args = (c["planes"], c["conf"], c["qy"], c["qx"], c["radius"], c["candidates"])
            start = time.process_time()
            window_knn_kernel(*args, 0, 1, c["planes"].shape[1] - shape[0] + 1, c["k"],
                              c["min_overlap"], True, False)
            exact_cpu += time.process_time() - start
            seeds = seeds_from_neighbours(pixels, matches, hole_pixels, shape)
            start = time.process_time()
            index, _ = seeded_knn_kernel(*args, c["planes"].shape[1] - shape[0] + 1, c["k"],
                                         c["min_overlap"], True, seeds, SEEDED_LOCAL)
            seeded_cpu += time.process_time() - start
            exact = c["index"]
            best += int(np.sum(index[:, 0] == exact[:, 0]))
            found += sum(len(set(a) & set(b)) for a, b in zip(index, exact))
            sets += sum(set(a) == set(b) for a, b in zip(index, exact))
            queries += len(pixels)
        matches[np.searchsorted(hole_pixels, pixels)] = c["index"]
    k = calls[0]["k"]
    return dict(exact=exact_cpu, seeded=seeded_cpu, best=best / queries,
                found=found / (k * queries), sets=sets / queries, queries=queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="barbara")
    parser.add_argument("--from", dest="first", type=int, nargs="+", default=[12, 16])
    args = parser.parse_args()
    image, hole = seed_example(args.case)
    gi.inpaint(image, hole)                                         # compile, warm caches
    calls = record_layers(image, hole)
    replay(calls, len(calls))                                       # the kernels, warm
    print(f"{args.case}: {len(calls)} layers")
    print("| from layer | queries | exact CPU | seeded CPU | ratio | best match | k matches "
          "| whole k-set |")
    print("|---|---|---|---|---|---|---|---|")
    for first in args.first:
        r = replay(calls, first)
        print(f"| {first} | {r['queries']} | {r['exact']:.3f} s | {r['seeded']:.3f} s | "
              f"{r['exact'] / r['seeded']:.1f}x | {r['best']:.1%} | {r['found']:.1%} | "
              f"{r['sets']:.1%} |", flush=True)


if __name__ == "__main__":
    main()
