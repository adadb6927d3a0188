"""Least CPU seconds of ``inpaint`` per thick case, for base/branch time ratios.

    for i in 1 2; do
        PYTHONPATH=<base checkout> python benchmarks/thick_cpu.py --only "block 32" --repeat 8
        PYTHONPATH=<branch> python benchmarks/thick_cpu.py --only "block 32" --repeat 8
    done

Runs the default ``inpaint`` on ``thick_selection.thick_cases`` (the block and blotch cases of
the compare benchmark, the seed's fly and barbara) whose name contains ``--only``, after a
numba warm-up, and prints each case's least process CPU time (every thread) of ``--repeat``
runs and the checkout it ran. Alternate base and branch in fresh processes, as above: the
machine's load moves more than most changes (docs/pipeline.md, "The spread gate's second
pass").
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from thick_selection import thick_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="the cases whose name contains this text")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases = [case for case in thick_cases() if args.only in f"{case[0]}, {case[1]}"]
    gi.inpaint(*cases[0][2:])                       # compile the kernels first
    checkout = Path(gi.__file__).resolve().parents[1]
    for name, kind, image, hole in cases:
        least = float("inf")
        for _ in range(args.repeat):
            cpu = time.process_time()
            gi.inpaint(image, hole)
            least = min(least, time.process_time() - cpu)
        print(f"{name}, {kind}: {least:.3f} s ({checkout})", flush=True)


if __name__ == "__main__":
    main()
