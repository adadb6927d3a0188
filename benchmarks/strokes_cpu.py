"""CPU seconds of ``inpaint`` over the stroke cases, for base/branch time ratios.

    for i in 1 2 3; do
        PYTHONPATH=<base checkout> python benchmarks/strokes_cpu.py base
        PYTHONPATH=<branch> python benchmarks/strokes_cpu.py branch
    done

Runs the default ``inpaint`` on ``strokes_ablation.stroke_cases`` (the 16 scratch and text
cases of the compare benchmark, the seed's fly and lincoln) after a numba warm-up, and prints
the summed CPU time (every thread: ``time.process_time``) and wall time. Alternate base and
branch in fresh processes, as above: the machine's load moves more than most changes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from strokes_ablation import stroke_cases  # noqa: E402


def main(label: str = "") -> None:
    gi.inpaint(np.zeros((32, 32, 3), np.uint8), np.eye(32, dtype=bool))      # numba warm-up
    cpu = wall = 0.0
    for _, _, image, hole in stroke_cases():
        start_cpu, start_wall = time.process_time(), time.perf_counter()
        gi.inpaint(image, hole)
        cpu += time.process_time() - start_cpu
        wall += time.perf_counter() - start_wall
    print(f"{label} ({Path(gi.__file__).parent}): CPU {cpu:.2f} s, wall {wall:.2f} s")


if __name__ == "__main__":
    main(*sys.argv[1:2])
