"""The seed-style command in fresh processes, checkouts alternated: wall and process CPU.

    python benchmarks/seed_command.py <checkout> [<checkout> ...] [--runs 5]

Runs ``python -m graphinpaint --org_img barbara.jpg --mask barbara_mask.png`` (the seed's
barbara, copied to a temporary folder) with ``PYTHONPATH`` set to each checkout in turn, and
prints each checkout's minimum and median wall time and CPU seconds (user + system of the child:
robust to other work on a shared machine, unlike the wall time).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import SEED_DIR  # noqa: E402


def run_once(checkout: str, folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one seed command with ``checkout`` first on the path."""
    env = dict(os.environ, PYTHONPATH=checkout)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "graphinpaint", "--org_img",
                    str(folder / "barbara.jpg"), "--mask", str(folder / "barbara_mask.png")],
                   check=True, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("barbara.jpg", "barbara_mask.png"):
            shutil.copy(SEED_DIR / name, folder / name)
        times = {checkout: [] for checkout in args.checkouts}
        for _ in range(args.runs):
            for checkout in args.checkouts:
                times[checkout].append(run_once(checkout, folder))
    for checkout, runs in times.items():
        walls, cpus = zip(*runs)
        print(f"{checkout}: wall min {min(walls):.3f} s, median {statistics.median(walls):.3f} s;"
              f" CPU min {min(cpus):.3f} s, median {statistics.median(cpus):.3f} s")


if __name__ == "__main__":
    main()
