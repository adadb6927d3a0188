"""Where the offset kernel beats the windowed one: every search ``inpaint`` makes, both ways.

    python benchmarks/kernel_dispatch.py out.json [--cases barbara "astronaut block 32" ...]
    python benchmarks/kernel_dispatch.py --table out.json

Each ``PatchSearch.query`` call inside ``inpaint`` runs untimed once each way (caches), then
timed once each way, alternated: with the offset kernel (``graph._OFFSET_TILE`` tiles) and
without it (the windowed kernel, or the shortlist and re-ranking when the call asks for one).
CPU seconds (``time.process_time``: both numba threads). Each call is saved with its kind
(masked: confidence < 1, the layers; full: the rounds; shortlist: scattered-loss refinement
with a shortlist), its queries and the patch pixels per query that the offset kernel's tiles
compute (``_offset_kernel.tile_patch_pixels``) on 16 x 16 and on 32 x 32 tiles, the dispatch
rule's measure. ``--table`` prints, per kind, the calls binned by that measure with the summed
CPU of both kernels: where their ratio crosses 1 is the rule's threshold.

Cases: ``profile_stages.cases()`` (barbara, scratches512/2048, random512, random1024) and
``cases.wide_masks``' blocks of 32 and 64 and blotches on three of the wide images.

    python benchmarks/kernel_dispatch.py --synthetic

Masked searches denser than the layers' contours (which ``inpaint`` does not make, so the cases
above cannot place the masked crossover), and full ones on the same queries: on a 1024^2
smooth photo (masked: known pixels confidence 1, hole 0, min_overlap 0.3; full: all
confidences 1; k 5, window 31), the hole pixels up to depth 1, 2, 3 and all of them, of 5%
scratches, 20% and 50% random loss and a 64 x 64 block; both kernels best of 2, alternated.

    PYTHONPATH=<checkout> python benchmarks/kernel_dispatch.py --random-loss 0.2 0.3 0.1

Whole ``inpaint`` calls on astronaut 512^2 with random loss of the given shares (rng 1), for
A/B runs of the dispatch between checkouts: best of 2 warm calls (wall, process CPU, and the
CPU inside the three search kernels), and the PSNR over the hole.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import block_mask, random_mask, scratch_mask, wide_images, wide_masks  # noqa: E402
from graphinpaint.fills import layer_depths  # noqa: E402
from graphinpaint import _offset_kernel as kernels, graph  # noqa: E402
from profile_stages import cases as stage_cases, smooth_photo, warm_examples  # noqa: E402

WIDE = ("astronaut", "brick", "cartoon")
WIDE_MASKS = ("block 32", "block 64", "blotches")


def all_cases() -> dict:
    """name -> maker of (image, hole)."""
    makers = dict(stage_cases())
    images = wide_images()
    for name in WIDE:
        masks = wide_masks(images[name].shape[:2], np.random.default_rng(0))
        for kind in WIDE_MASKS:
            makers[f"{name} {kind}"] = (lambda i=images[name], m=masks[kind]: (i, m))
    return makers


def pixels_per_query(qy: np.ndarray, qx: np.ndarray, patch_size: int, side: int) -> float:
    tiles = kernels.query_tiles(qy, qx, side, side)
    return kernels.tile_patch_pixels(qy, qx, *tiles, patch_size) / len(qy)


class Recorder:
    """Stands in for ``PatchSearch.query``: each call both ways, the dispatched result returned."""

    def __init__(self):
        # The pipeline searches through _matches (no distance graph: tenth pass).
        self.query = graph.PatchSearch._matches
        self.rows: list[dict] = []

    def forced(self, offset: bool, search, queries, kwargs) -> float:
        dispatch = graph._offset_tiles
        graph._offset_tiles = (lambda qy, qx, size, **_: kernels.query_tiles(
            qy, qx, graph._OFFSET_TILE, graph._OFFSET_TILE)) if offset \
            else (lambda qy, qx, size, **_: None)
        try:
            start = time.process_time()
            self.query(search, queries, **kwargs)
            return time.process_time() - start
        finally:
            graph._offset_tiles = dispatch

    def __call__(self, search, queries, **kwargs):
        pixels = graph._pixel_subset(queries, search.shape, "benchmark")
        qy, qx = (a.astype(np.int64) for a in np.divmod(pixels, search.shape[1]))
        if len(qy) == 0:
            return self.query(search, queries, **kwargs)
        self.forced(True, search, queries, kwargs), self.forced(False, search, queries, kwargs)
        offset = self.forced(True, search, queries, kwargs)
        windowed = self.forced(False, search, queries, kwargs)
        kind = "shortlist" if kwargs.get("shortlist") else "full" if search._uniform else "masked"
        self.rows.append(dict(
            kind=kind, queries=len(qy), offset=offset, windowed=windowed,
            per_query_16=pixels_per_query(qy, qx, search.patch_size, 16),
            per_query_32=pixels_per_query(qy, qx, search.patch_size, 32),
            dispatched_offset=graph._offset_tiles(
                qy, qx, search.patch_size, masked=not search._uniform) is not None))
        return self.query(search, queries, **kwargs)


def synthetic() -> None:
    """The ``--synthetic`` table (see the module's doc)."""
    side = 1024
    rng = np.random.default_rng(0)
    image = smooth_photo(side, rng).astype(np.float32) / 255
    holes = {"scratches 5%": scratch_mask((side, side), 0.05, rng),
             "random 20%": random_mask((side, side), 0.2, rng),
             "random 50%": random_mask((side, side), 0.5, rng),
             "block 64": block_mask((side, side), 64)}
    recorder = Recorder()
    print("| search | hole | queries: depth | queries | patch pixels per query (32 x 32) | "
          "windowed | offset | windowed / offset |")
    print("|---" * 8 + "|")
    for (name, hole), kind in itertools.product(holes.items(), ("masked", "full")):
        known = ~hole
        search = graph.PatchSearch(image, candidates=known, confidence=known.astype(np.float32)
                                   if kind == "masked" else None)
        depths = layer_depths(hole)
        for depth in (1, 2, 3, None):
            queries = np.flatnonzero(hole if depth is None else (depths >= 1) & (depths <= depth))
            qy, qx = np.divmod(queries, side)
            kwargs = dict(k=5, window=31, min_overlap=0.3)
            recorder.forced(True, search, queries, kwargs)
            recorder.forced(False, search, queries, kwargs)
            offset = min(recorder.forced(True, search, queries, kwargs) for _ in range(2))
            windowed = min(recorder.forced(False, search, queries, kwargs) for _ in range(2))
            print(f"| {kind} | {name} | {depth or 'all'} | {len(queries)} | "
                  f"{pixels_per_query(qy, qx, 7, 32):.2f} | {windowed:.3f} s | {offset:.3f} s "
                  f"| {windowed / offset:.2f}x |", flush=True)


def random_loss_calls(shares: list[float], side: int = 512) -> None:
    """The ``--random-loss`` lines (see the module's doc)."""
    from skimage import data

    image = data.astronaut()[:side, :side]
    spent = [0.0]
    for name in ("window_knn_kernel", "offset_knn_kernel", "rerank_kernel"):
        setattr(graph, name, _timed(getattr(graph, name), spent))
    for share in shares:
        hole = random_mask(image.shape[:2], share, np.random.default_rng(1))
        gi.inpaint(image[:64, :64], hole[:64, :64])                 # numba warm-up
        best = None
        for _ in range(2):
            spent[0] = 0.0
            wall, cpu = time.perf_counter(), time.process_time()
            out = gi.inpaint(image, hole)
            row = (time.perf_counter() - wall, time.process_time() - cpu, spent[0])
            best = row if best is None or row[1] < best[1] else best
        print(f"random {share:.0%} {side}^2: wall {best[0]:.2f} s, CPU {best[1]:.2f} s, search "
              f"kernels {best[2]:.2f} s, PSNR {gi.metrics.psnr(image, out, hole):.4f} dB "
              f"({Path(gi.__file__).parent})", flush=True)


def _timed(kernel, spent: list[float]):
    """``kernel`` adding its CPU seconds to ``spent[0]``."""
    def run(*args):
        start = time.process_time()
        out = kernel(*args)
        spent[0] += time.process_time() - start
        return out
    return run


BINS = (0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 1e9)


def table(rows: list[dict], measure: str) -> None:
    """Per kind and bin of the measure: calls, queries, CPU of both kernels, their ratio."""
    print(f"| search | {measure} | calls | queries | windowed | offset | windowed / offset |")
    print("|---" * 7 + "|")
    for kind in ("masked", "full", "shortlist"):
        for lo, hi in zip(BINS[:-1], BINS[1:]):
            part = [r for r in rows if r["kind"] == kind and lo <= r[measure] < hi]
            if not part:
                continue
            windowed = sum(r["windowed"] for r in part)
            offset = sum(r["offset"] for r in part)
            print(f"| {kind} | {lo:g}-{hi:g} | {len(part)} | {sum(r['queries'] for r in part)} "
                  f"| {windowed:.3f} s | {offset:.3f} s | {windowed / max(offset, 1e-9):.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--synthetic", action="store_true", help="dense masked searches")
    parser.add_argument("--random-loss", nargs="+", type=float, default=None,
                        help="whole calls on astronaut 512^2 with these shares of loss")
    parser.add_argument("--cases", nargs="+", default=None)
    parser.add_argument("--table", action="store_true", help="print the table of a saved run")
    parser.add_argument("--measure", default="per_query_32", choices=["per_query_16",
                                                                       "per_query_32"])
    args = parser.parse_args()
    if args.random_loss:
        random_loss_calls(args.random_loss)
        return
    if args.synthetic:
        synthetic()
        return
    if args.table:
        table(json.loads(args.out.read_text()), args.measure)
        return
    makers = all_cases()
    recorder = Recorder()
    graph.PatchSearch._matches = lambda search, queries, **kwargs: recorder(search, queries,
                                                                         **kwargs)
    rows = []
    for name, image, hole in warm_examples(args.cases or list(makers), makers):
        recorder.rows.clear()
        gi.inpaint(image, hole)
        rows += [dict(case=name, **r) for r in recorder.rows]
        print(name, len(recorder.rows), "calls", flush=True)
        args.out.write_text(json.dumps(rows))
    table(rows, args.measure)


if __name__ == "__main__":
    main()
