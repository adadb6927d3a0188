"""Issue 10's two random-loss speed cases, this checkout against another and scikit-image's
biharmonic, each run in a process of its own, alternated.

    python benchmarks/scattered_speed.py --against /work/wt/base20            # both cases
    python benchmarks/scattered_speed.py --against <checkout> --case 512 --repeat 5

Cases as in ``test_bench_speed.py``: astronaut 512^2 at 80% random loss, and the native 1024^2
photos at 50%. Each process warms up (numba) and times two calls; per runner the least wall
and CPU seconds over ``--repeat`` processes, the PSNR over the hole, and the ratios. CPU
seconds count both threads: on a machine shared with other work they move less than wall ones.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHILD = r'''
import sys, time, json, numpy as np
sys.path.insert(0, sys.argv[3])
from test_bench_speed import _native_1024, _biharmonic
from cases import random_mask
from skimage import data as skimage_data
import graphinpaint as gi
case, who = sys.argv[1], sys.argv[2]
if case == "1024":
    image, share = _native_1024(), 0.5
else:
    image, share = skimage_data.astronaut(), 0.8
hole = random_mask(image.shape[:2], share, np.random.default_rng(1))
run = _biharmonic if who == "biharmonic" else gi.inpaint
if who != "biharmonic":
    rng = np.random.default_rng(0)
    gi.inpaint(rng.random((40, 40, 3)), rng.random((40, 40)) < 0.8)
best = (np.inf, np.inf)
for _ in range(2):
    wall, cpu = time.perf_counter(), time.process_time()
    out = run(image, hole)
    best = min(best, (time.perf_counter() - wall, time.process_time() - cpu))
print(json.dumps([best[0], best[1], gi.metrics.psnr(image, out, hole)]))
'''


def timed(case: str, repeat: int, roots: dict[str, Path]) -> dict[str, list]:
    """Least (wall, CPU, PSNR) per runner over ``repeat`` rounds, the order reversed each round."""
    results: dict[str, list] = {name: [] for name in roots}
    for index in range(repeat):
        order = list(roots.items())
        for name, root in (order if index % 2 == 0 else order[::-1]):
            out = subprocess.run([sys.executable, "-c", CHILD, case, name, str(HERE)],
                                 env=dict(os.environ, PYTHONPATH=str(root)), cwd=root,
                                 capture_output=True, text=True, check=True).stdout
            results[name].append(json.loads(out.strip().splitlines()[-1]))
    return {name: min(runs) for name, runs in results.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", type=Path, required=True, help="another checkout")
    parser.add_argument("--case", choices=("512", "1024"), action="append")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    roots = {"other": args.against.resolve(), "this": HERE.parent, "biharmonic": HERE.parent}
    print("| case | other: s (CPU), dB | this: s (CPU), dB | biharmonic: s (CPU), dB "
          "| this / other | this / biharmonic | other / biharmonic |\n"
          "|---|---|---|---|---|---|---|")
    for case in args.case or ("512", "1024"):
        best = timed(case, args.repeat, roots)
        cells = [f"{w:.2f} s ({c:.2f}), {p:.2f} dB" for w, c, p in best.values()]
        this, other, peer = best["this"][0], best["other"][0], best["biharmonic"][0]
        print(f"| {case} | " + " | ".join(cells) +
              f" | {this / other:.2f} | {this / peer:.2f} | {other / peer:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
