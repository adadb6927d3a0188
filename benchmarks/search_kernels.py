"""The search kernels of ``PatchSearch.query`` against each other, call by call inside ``inpaint``.

    python benchmarks/search_kernels.py [--cases barbara scratches2048 random512 random1024]
    python benchmarks/search_kernels.py --against <checkout> [--cases ...]

Every ``PatchSearch.query`` that ``inpaint`` makes (``window_knn`` goes through it) runs once
untimed, then four times on the same arguments: as dispatched (the offset kernel where the
queries' patches overlap, ``graph._offset_tiles``), as before this kernel existed
(the windowed kernel, or the reduced-space shortlist and exact re-ranking when the call asks
for one), with the windowed kernel exactly, and with the offset kernel; the pipeline goes on
with the dispatched result. Per case and kind of search (masked: the layers; seeded: the deep
layers searched from seeds, whose "windowed" way is the exact search without them; full: the
refinement; shortlist: the scattered-loss refinement): the calls, their queries, CPU seconds of
each way (``time.process_time``: both numba threads, robust to other work on the machine), how
many calls the rule gives the offset kernel, and the share of queries whose k neighbours are
the same set as the exact windowed search's, dispatched and before. The cases are
``stage_cpu.py``'s, warm.

With ``--against``, each call of a windowed or offset kernel inside ``inpaint`` also runs the
same kernel of another checkout (its ``_search_kernels`` and ``_offset_kernel`` modules, loaded
alone) on the same arguments (the offset kernel on the tiles of that checkout's
``query_tiles`` defaults), each once untimed and once timed, alternated: CPU seconds of both
per case, kernel and kind of search (masked: the layers; full: the rounds), and the share of queries
whose neighbours and distances are the same to the bit.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import types
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _offset_kernel as kernels, graph  # noqa: E402
from profile_stages import warm_examples  # noqa: E402


def _cpu(function, *args, **kwargs):
    start = time.process_time()
    out = function(*args, **kwargs)
    return out, time.process_time() - start


def neighbour_sets(result, pixels: np.ndarray) -> list[frozenset]:
    """Each query pixel's neighbours (flat pixel indices) in a PixelGraph."""
    rows = result.matrix[result.node_of(pixels)]
    return [frozenset(result.nodes[rows.indices[rows.indptr[i]:rows.indptr[i + 1]]])
            for i in range(len(pixels))]


def same_share(a, b, pixels: np.ndarray) -> tuple[int, int]:
    """(queries with the same neighbour set in two results, queries)."""
    return sum(x == y for x, y in zip(neighbour_sets(a, pixels), neighbour_sets(b, pixels))), \
        len(pixels)


class Recorder:
    """Stands in for ``PatchSearch.query``: each call the four ways (see the module's doc)."""

    def __init__(self):
        # The pipeline searches through _matches (no distance graph: tenth pass).
        self.query = graph.PatchSearch._matches
        self.rows: list[dict] = []

    def forced(self, tiles, search, queries, kwargs):
        """The query with the dispatch replaced: ``tiles`` None = never the offset kernel,
        True = always."""
        dispatch = graph._offset_tiles
        graph._offset_tiles = (lambda qy, qx, size, **_: kernels.query_tiles(
            qy, qx, graph._OFFSET_TILE, graph._OFFSET_TILE)) if tiles \
            else (lambda qy, qx, size, **_: None)
        try:
            return _cpu(self.query, search, queries, **kwargs)
        finally:
            graph._offset_tiles = dispatch

    def __call__(self, search, queries, **kwargs):
        self.query(search, queries, **kwargs)       # untimed: the first run pays for the caches
        picked, picked_cpu = _cpu(self.query, search, queries, **kwargs)
        before, before_cpu = self.forced(None, search, queries, kwargs)
        exact, exact_cpu = self.forced(None, search, queries,
                                       {**kwargs, "shortlist": None, "seeds": None})
        _, offset_cpu = self.forced(True, search, queries, kwargs)
        pixels = graph._pixel_subset(queries, search.shape, "benchmark")
        qy, qx = (a.astype(np.int64) for a in np.divmod(pixels, search.shape[1]))
        kind = ("seeded" if kwargs.get("seeds") is not None else "shortlist"
                if kwargs.get("shortlist") else "full" if search._uniform else "masked")
        self.rows.append(dict(
            kind=kind, queries=len(pixels), picked=picked_cpu, before=before_cpu,
            windowed=exact_cpu, offset=offset_cpu,
            to_offset=graph._offset_tiles(
                qy, qx, search.patch_size, masked=not search._uniform) is not None,
            same_picked=same_share(picked.graph(), exact.graph(), pixels),
            same_before=same_share(before.graph(), exact.graph(), pixels)))
        return picked


def summarise(name: str, rows: list[dict]) -> None:
    """One table row per kind of search."""
    for kind in ("masked", "seeded", "full", "shortlist"):
        part = [r for r in rows if r["kind"] == kind]
        if not part:
            continue
        total = {key: sum(r[key] for r in part) for key in ("queries", "picked", "before",
                                                           "windowed", "offset", "to_offset")}
        same = [sum(r[key][i] for r in part) for key in ("same_picked", "same_before")
                for i in (0, 1)]
        print(f"| {name} | {kind} | {len(part)} | {total['queries']} | {total['before']:.2f} s "
              f"| {total['windowed']:.2f} s | {total['offset']:.2f} s | {total['to_offset']} | "
              f"{total['picked']:.2f} s | {total['before'] / total['picked']:.2f}x | "
              f"{100 * same[0] / same[1]:.2f}% | {100 * same[2] / same[3]:.2f}% |", flush=True)


def load_kernels(checkout: Path) -> types.SimpleNamespace:
    """Another checkout's search kernels (its ``_search_kernels`` and, where it has one, its
    ``_offset_kernel``), imported as a package of their own without that checkout's
    ``__init__``."""
    name = "against_graphinpaint"
    package = types.ModuleType(name)
    package.__path__ = [str(checkout / "graphinpaint")]
    sys.modules[name] = package
    modules = [importlib.import_module(f"{name}._search_kernels")]
    if (checkout / "graphinpaint" / "_offset_kernel.py").exists():
        modules.append(importlib.import_module(f"{name}._offset_kernel"))
    return types.SimpleNamespace(**{key: value for module in modules
                                    for key, value in vars(module).items()})


# Kernel name -> position of its ``uniform_conf`` argument.
PAIRED = {"window_knn_kernel": 12, "offset_knn_kernel": 10}


class KernelPairs:
    """Stands in for ``graph``'s kernels: each call runs another checkout's kernel too."""

    def __init__(self, other):
        self.rows: list[dict] = []
        self.other = other
        for name, uniform_at in PAIRED.items():
            setattr(graph, name, self._paired(name, getattr(graph, name),
                                              getattr(other, name), uniform_at))

    def _their_args(self, name, args):
        """The offset kernel of the other checkout gets its own tiles (its ``query_tiles``'
        defaults, as its ``graph._offset_tiles`` made them); the rest is the same."""
        if name != "offset_knn_kernel":
            return args
        return (*args[:-2], *self.other.query_tiles(args[2], args[3]))

    def _paired(self, name, mine, theirs, uniform_at):
        def run(*args):
            their_args = self._their_args(name, args)
            mine(*args), theirs(*their_args)             # untimed: caches, compilation
            theirs_out, theirs_cpu = _cpu(theirs, *their_args)
            out, cpu = _cpu(mine, *args)
            same = np.all(out[0] == theirs_out[0], axis=1) & np.all(
                (out[1] == theirs_out[1]) | (np.isnan(out[1]) & np.isnan(theirs_out[1])), axis=1)
            self.rows.append(dict(kernel=name, kind="full" if args[uniform_at] else "masked",
                                  queries=len(args[2]), mine=cpu, theirs=theirs_cpu,
                                  same=int(same.sum())))
            return out
        return run

    def summarise(self, name: str) -> None:
        """One table row per kernel and kind of search."""
        for kernel in PAIRED:
            for kind in ("masked", "full"):
                part = [r for r in self.rows if r["kernel"] == kernel and r["kind"] == kind]
                if not part:
                    continue
                total = {key: sum(r[key] for r in part)
                         for key in ("queries", "mine", "theirs", "same")}
                print(f"| {name} | `{kernel}` | {kind} | {len(part)} | {total['queries']} | "
                      f"{total['theirs']:.2f} s | {total['mine']:.2f} s | "
                      f"{total['theirs'] / max(total['mine'], 1e-9):.2f}x | "
                      f"{100 * total['same'] / max(total['queries'], 1):.2f}% |", flush=True)


def against(checkout: Path, names: list[str]) -> None:
    """The ``--against`` table (see the module's doc)."""
    pairs = KernelPairs(load_kernels(checkout))
    print(f"| case | kernel | search | calls | queries | {checkout} | this checkout | ratio | "
          "same bits |")
    print("|---" * 9 + "|")
    for name, image, hole in warm_examples(names):
        pairs.rows.clear()
        gi.inpaint(image, hole)
        pairs.summarise(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["barbara", "scratches2048",
                                                        "random512", "random1024"])
    parser.add_argument("--against", type=Path, default=None,
                        help="another checkout whose kernels to time on the same calls")
    args = parser.parse_args()
    if args.against is not None:
        against(args.against, args.cases)
        return
    recorder = Recorder()
    graph.PatchSearch._matches = lambda search, queries, **kwargs: recorder(search, queries,
                                                                         **kwargs)
    print("| case | search | calls | queries | before | windowed, exact | offset | calls given "
          "to offset | dispatched | before / dispatched | same k-set as exact: dispatched | "
          "before |")
    print("|---" * 12 + "|")
    for name, image, hole in warm_examples(args.cases):
        recorder.rows.clear()
        gi.inpaint(image, hole)
        summarise(name, recorder.rows)


if __name__ == "__main__":
    main()
