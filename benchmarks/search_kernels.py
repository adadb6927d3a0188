"""The windowed search kernel against the offset-major one, call by call inside ``inpaint``.

    python benchmarks/search_kernels.py [--cases barbara scratches2048 random512 random1024]

Every search of full patches (stride 1) that ``inpaint`` makes runs with both
``window_knn_kernel`` and ``offset_knn_kernel`` on the same arguments; the pipeline goes on
with the windowed kernel's result, so both see the same calls. Per case and kind of patch
(masked: the layers; full: the refinement): the calls, their queries, CPU seconds of each kernel
(``time.process_time``: both numba threads, robust to other work on the machine), how many
calls the dispatch rule (``graph._OFFSET_PIXELS_PER_QUERY``) gives the offset kernel and the
CPU of the kernels it picks, the share of queries whose k neighbours are the same set, and the
largest difference of a squared distance. The reduced lattice (stride > 1, the scattered-loss
shortlist) is the windowed kernel's alone. The cases are ``stage_cpu.py``'s, warm.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _search_kernels as kernels, graph  # noqa: E402
from profile_stages import cases  # noqa: E402


def native_1024():
    """test_bench_speed's 1024^2 photo of native detail with 50% random loss."""
    from cases import random_mask
    from skimage import data

    tiles = [getattr(data, name)()[:512, :512] for name in ("astronaut", "coffee", "chelsea",
                                                           "rocket")]
    tiles = [np.pad(t, ((0, 512 - t.shape[0]), (0, 512 - t.shape[1]), (0, 0)), mode="reflect")
             for t in tiles]
    image = np.concatenate([np.concatenate(tiles[:2], 1), np.concatenate(tiles[2:], 1)])
    return image, random_mask(image.shape[:2], 0.5, np.random.default_rng(1))


def _cpu(function, *args):
    start = time.process_time()
    out = function(*args)
    return out, time.process_time() - start


def same_sets(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per query, whether two (n, k) neighbour arrays hold the same set."""
    return np.all(np.sort(a, axis=1) == np.sort(b, axis=1), axis=1)


class Recorder:
    """Stands in for ``graph._full_patch_knn`` and runs both kernels on every call."""

    def __init__(self):
        self.rows: list[dict] = []

    def __call__(self, planes, conf, qy, qx, radius, candidates, patch_size, k, min_overlap,
                 exclude_self, uniform):
        out, seconds = _cpu(kernels.window_knn_kernel, planes, conf, qy, qx, radius,
                            candidates, 0, 1, patch_size, k, min_overlap, exclude_self, uniform)
        (idx, sq), offset_seconds = _cpu(_offset_search, planes, conf, qy, qx, radius,
                                         candidates, patch_size, k, min_overlap, exclude_self,
                                         uniform)
        order, start = kernels.query_tiles(qy, qx)
        pixels = kernels.tile_patch_pixels(qy, qx, order, start, patch_size) / max(len(qy), 1)
        found = np.isfinite(out[1]) & np.isfinite(sq)
        self.rows.append(dict(
            queries=len(qy), uniform=uniform, windowed=seconds, offset=offset_seconds,
            same=int(same_sets(out[0], idx).sum()),
            diff=float(np.abs(out[1][found] - sq[found]).max(initial=0.0)),
            pixels_per_query=pixels, picks_offset=pixels <= graph._OFFSET_PIXELS_PER_QUERY))
        return out


def _offset_search(planes, conf, qy, qx, radius, candidates, patch_size, k, min_overlap,
                   exclude_self, uniform):
    order, start = kernels.query_tiles(qy, qx)       # timed: the dispatch pays for it too
    return kernels.offset_knn_kernel(planes, conf, qy, qx, radius, candidates, patch_size, k,
                                     min_overlap, exclude_self, uniform, order, start)


def _lattice_cpu(totals: dict):
    """Wrap the windowed kernel as the reduced-lattice search calls it (stride > 1)."""
    windowed = graph.window_knn_kernel

    def timed(*args):
        out, seconds = _cpu(windowed, *args)
        totals["lattice"] = totals.get("lattice", 0.0) + seconds
        return out
    graph.window_knn_kernel = timed


def summarise(name: str, rows: list[dict], lattice: float) -> None:
    """One table row per kind of call, and the rule's choice: the CPU of the kernel it picks."""
    for kind, uniform in (("masked", False), ("full", True)):
        part = [r for r in rows if r["uniform"] == uniform]
        if not part:
            continue
        queries = sum(r["queries"] for r in part)
        windowed = sum(r["windowed"] for r in part)
        offset = sum(r["offset"] for r in part)
        picked = sum(r["offset"] if r["picks_offset"] else r["windowed"] for r in part)
        print(f"| {name} | {kind} | {len(part)} | {queries} | {windowed:.2f} s | {offset:.2f} s "
              f"| {sum(r['picks_offset'] for r in part)} | {picked:.2f} s | "
              f"{100 * sum(r['same'] for r in part) / queries:.2f}% | "
              f"{max(r['diff'] for r in part):.1e} |", flush=True)
    print(f"| {name} | lattice (stride > 1) | | | {lattice:.2f} s | | | {lattice:.2f} s | | |",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    makers = {**cases(), "random1024": native_1024}
    parser.add_argument("--cases", nargs="+", default=["barbara", "scratches2048",
                                                        "random512", "random1024"])
    parser.add_argument("--calls", action="store_true", help="print every call's figures")
    args = parser.parse_args()
    recorder = Recorder()
    graph._full_patch_knn = recorder
    lattice: dict = {}
    _lattice_cpu(lattice)
    print("| case | patches | calls | queries | windowed CPU | offset CPU | calls given to "
          "offset | picked CPU | same k-set | largest difference |")
    print("|---" * 10 + "|")
    for name in args.cases:
        example = makers[name]()
        if example is None:
            print(f"{name}: skipped (no data)", file=sys.stderr)
            continue
        image, hole = example
        gi.inpaint(image[:64, :64], hole[:64, :64])                 # numba warm-up
        recorder.rows.clear()
        lattice.clear()
        gi.inpaint(image, hole)
        summarise(name, recorder.rows, lattice.get("lattice", 0.0))
        if args.calls:
            for row in recorder.rows:
                print(row, file=sys.stderr)


if __name__ == "__main__":
    main()
