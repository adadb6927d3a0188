"""Whole ``inpaint`` calls of two checkouts alternated call by call in one process.

    PYTHONPATH=<branch> python benchmarks/alternated_calls.py CASE BASE_CHECKOUT [--runs 16]

``CASE``: a key of ``profile_stages.cases()`` (``barbara``, ``scratches512``, ...) or
``bench<side>``, the scratch case of ``test_bench_pipeline.py`` (``memory_stages.scratch_case``).
The base checkout's package is copied once under another name (``gibase``, in a temporary
folder of its own: its numba cache compiles there on the first run), so that both run in the
same process, each call of one right after a call of the other (the order swapped every run):
on a shared machine the load then falls on both alike, which separate processes minutes apart
do not see. Prints each side's least and median wall, process CPU (all threads) and
calling-thread CPU, its PSNR over the hole, the median of the pairwise wall ratios, and whether
the two outputs are identical. For images up to about 1024^2: at 4096^2 the second package's
calls ran on one core at a time (docs/benchmarks.md, "Thirteenth pass"); time those in
processes of their own (``test_bench_pipeline.py``'s ``BIG_SCRIPT``).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import graphinpaint as gi  # noqa: E402


def base_package(checkout: Path):
    """The checkout's ``graphinpaint`` imported as ``gibase`` (only relative imports inside)."""
    key = hashlib.sha1(str(checkout.resolve()).encode()).hexdigest()[:10]
    home = Path(tempfile.gettempdir()) / f"gibase-{key}"
    if not (home / "gibase").exists():
        shutil.copytree(checkout / "graphinpaint", home / "gibase",
                        ignore=shutil.ignore_patterns("__pycache__"))
    sys.path.insert(0, str(home))
    import gibase

    return gibase


def case(name: str):
    """The case's image and hole, and a corner of them to warm numba up on."""
    if name.startswith("bench"):
        from memory_stages import scratch_case

        image, hole = scratch_case(int(name[len("bench"):]))
        return image, hole, (image[:256, :256], hole[:256, :256])
    from profile_stages import cases

    image, hole = cases()[name]()
    return image, hole, (image[:64, :64], hole[:64, :64])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case")
    parser.add_argument("base", type=Path)
    parser.add_argument("--runs", type=int, default=16)
    args = parser.parse_args()
    image, hole, warm = case(args.case)
    sides = {"base": base_package(args.base), "branch": gi}
    for package in sides.values():
        package.inpaint(*warm)
        package.inpaint(image, hole)
    times = {name: [] for name in sides}
    outputs = {}
    for run in range(args.runs):
        order = list(sides.items()) if run % 2 == 0 else list(sides.items())[::-1]
        for name, package in order:
            wall, cpu, main_thread = time.perf_counter(), time.process_time(), time.thread_time()
            outputs[name] = package.inpaint(image, hole)
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu,
                                time.thread_time() - main_thread))
    for name, rows in times.items():
        walls, cpus, mains = ([row[i] for row in rows] for i in range(3))
        print(f"{name:6s} {args.case}: wall min {min(walls):.3f} median "
              f"{statistics.median(walls):.3f} s | CPU min {min(cpus):.3f} median "
              f"{statistics.median(cpus):.3f} s | calling thread min {min(mains):.3f} s | "
              f"{gi.metrics.psnr(image, outputs[name], hole):.6f} dB")
    ratios = [b[0] / a[0] for a, b in zip(times["base"], times["branch"])]
    print(f"branch / base wall, median of pairs: {statistics.median(ratios):.3f}; outputs "
          f"identical: {np.array_equal(outputs['base'], outputs['branch'])}")


if __name__ == "__main__":
    main()
