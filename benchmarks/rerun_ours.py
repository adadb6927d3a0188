"""Rerun graphinpaint's column of the compare table in docs/benchmarks.md for some cases.

    python benchmarks/rerun_ours.py random          # the 24 random-loss rows, about 2 minutes

The peers' cells are kept (they are deterministic and take most of ``compare.py``'s hour);
graphinpaint's cell of every case whose name contains the text is measured again, the bold
marks and the margin of each such row recomputed, and the summary line under the table
recounted from the margin column.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compare  # noqa: E402

TABLE = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def psnr_of(cell: str) -> float | None:
    """The PSNR of a cell such as ``**30.20 / 0.954 (1.7 s)**``; None for ``> 20 s``."""
    found = re.match(r"\**\s*([0-9.]+) /", cell.strip())
    return float(found.group(1)) if found else None


def rerun_row(cells: list[str], ours: tuple) -> list[str]:
    """The row's cells with our result in the first method column, bold marks and margin redone."""
    cells = list(cells)
    cells[1] = compare._cell(ours, -np.inf).strip("*")
    values = [psnr_of(cell) for cell in cells[1:-1]]
    best = max(v for v in values if v is not None)
    for k, value in enumerate(values):
        text = cells[k + 1].strip().strip("*").strip()
        cells[k + 1] = f"**{text}**" if value is not None and value >= best - 1e-9 else text
    best_peer = max(v for v in values[1:] if v is not None)
    cells[-1] = f"{round(ours[0] - best_peer, 2) + 0.0:+.2f} dB"      # never "-0.00"
    return cells


def summary_line(margins: list[float]) -> str:
    margins = np.round(margins, 2)
    return (f"graphinpaint best (or tied) on {int((margins >= 0).sum())} of {len(margins)} cases, "
            f"within 0.1 dB of the best on {int((margins >= -0.1).sum())}; median margin "
            f"{np.median(margins) + 0.0:+.2f} dB, worst {margins.min():+.2f} dB.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="?", default="",
                        help="rerun the cases whose name contains this text (default: all)")
    only = parser.parse_args(argv).only
    cases = [c for c in compare.all_cases() if only in f"{c[0]}, {c[1]}"]
    if not cases:
        parser.error(f"no case's name contains {only!r}")
    ours = {row["case"]: row["graphinpaint"]
            for row in compare.score(cases, {"graphinpaint": compare.methods()["graphinpaint"]})}
    lines = TABLE.read_text().splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith("graphinpaint best"))
    start = end - 1
    while not lines[start].startswith("| case"):
        start -= 1
    margins = []
    for i in range(start + 2, end):
        if not lines[i].startswith("| "):
            continue
        cells = [cell.strip() for cell in lines[i].split("|")[1:-1]]
        if cells[0] in ours:
            cells = rerun_row(cells, ours[cells[0]])
            lines[i] = "| " + " | ".join(cells) + " |"
        margins.append(float(cells[-1].split()[0]))
    lines[end] = summary_line(margins)
    TABLE.write_text("\n".join(lines) + "\n")
    print(lines[end])
    return 0


if __name__ == "__main__":
    sys.exit(main())
