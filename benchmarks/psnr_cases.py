"""graphinpaint's PSNR on every case of ``compare.py``, for A/B quality checks of a change.

    PYTHONPATH=<base checkout> python benchmarks/psnr_cases.py base.json
    PYTHONPATH=<branch> python benchmarks/psnr_cases.py branch.json --against base.json

Runs ``gi.inpaint`` with its defaults on ``cases.wide_cases()`` and the seed's examples (when
``../shared/data/seed`` is present), 67 cases in about three minutes, and writes the PSNR over
the hole of each to a JSON file; ``--against`` prints how each case moved from an earlier file
and the largest loss. No peers are run (``compare.py`` times them for the table).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import all_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--against", type=Path, default=None)
    args = parser.parse_args()
    scores = {f"{name}, {kind}": gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
              for name, kind, image, hole in all_cases()}
    args.output.write_text(json.dumps(scores, indent=1))
    if args.against is not None:
        before = json.loads(args.against.read_text())
        moves = sorted((scores[name] - before[name], name) for name in scores if name in before)
        for change, name in moves:
            if change != 0:
                print(f"{name}: {before[name]:.4f} -> {scores[name]:.4f} dB ({change:+.4f})")
        same = sum(change == 0 for change, _ in moves)
        print(f"{same} of {len(moves)} cases identical; largest loss {min(moves)[0]:+.4f} dB")


if __name__ == "__main__":
    main()
