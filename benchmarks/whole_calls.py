"""Wall, CPU and main-thread CPU seconds of whole ``inpaint`` calls, for A/B runs.

    python benchmarks/whole_calls.py CASE [RUNS]      # CASE: a key of profile_stages.cases()
    python benchmarks/whole_calls.py bench4096 [RUNS] # test_bench_pipeline's scratch case

``bench<side>``: the image and 5% scratches of ``test_bench_pipeline.py``'s big cases
(``memory_stages.scratch_case``), warmed up on a 256 x 256 corner as there.

Warms numba up on a corner of the case, then times ``RUNS`` calls (default 2) and prints the
best wall time, the best ``time.process_time`` (every thread) and the best ``time.thread_time``
of the calling thread, which the wall time follows on two cores when the other threads' work
overlaps it. Run the base checkout and the branch alternately (``PYTHONPATH`` to each) on a
shared machine: only figures of one alternation compare.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from profile_stages import cases  # noqa: E402


def main() -> None:
    name, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2
    if name.startswith("bench"):
        from memory_stages import scratch_case

        image, hole = scratch_case(int(name[len("bench"):]))
        gi.inpaint(image[:256, :256], hole[:256, :256])         # numba warm-up, holes there
    else:
        image, hole = cases()[name]()
        gi.inpaint(image[:64, :64], hole[:64, :64])             # numba warm-up
    walls, cpus, mains = [], [], []
    for _ in range(runs):
        wall, cpu, main_thread = time.perf_counter(), time.process_time(), time.thread_time()
        out = gi.inpaint(image, hole)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        mains.append(time.thread_time() - main_thread)
    print(f"{name}: wall {min(walls):.2f} s ({', '.join(f'{s:.2f}' for s in walls)}), "
          f"CPU {min(cpus):.2f} s, main thread {min(mains):.2f} s, "
          f"PSNR {gi.metrics.psnr(image, out, hole):.4f} dB ({Path(gi.__file__).parent})")


if __name__ == "__main__":
    main()
