"""Quality of every p: PSNR over the hole of ``inpaint(..., p=p, form=form)`` on every case.

    pip install ".[bench]"
    python benchmarks/p_quality.py --output p_quality.md

The cases are those of ``compare.py``: the seed's examples when ``../shared/data/seed`` is
present, and photos and textures from scikit-image with 12% scratches and 80% random loss.
p = 2 and p = inf run once (their two forms coincide); the other p run in both forms.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from compare import all_cases, score, write_report  # noqa: E402

EXPONENTS = (1.0, 1.5, 2.0, 4.0, np.inf)


def runners() -> dict:
    """One inpainting function per (p, form), labelled like ``p=1.5 iso``."""
    out = {}
    for p in EXPONENTS:
        forms = ("anisotropic",) if p == 2 or np.isinf(p) else ("anisotropic", "isotropic")
        for form in forms:
            label = f"p={'inf' if np.isinf(p) else f'{p:g}'}" + \
                (f" {form[:3]}" if len(forms) == 2 else "")
            out[label] = functools.partial(gi.inpaint, p=p, form=form)
    return out


def markdown(rows: list[dict], labels: list[str]) -> str:
    """PSNR (time) per case and p, the best in bold, and a last row of mean ranks."""
    lines = ["| case | " + " | ".join(labels) + " | best |", "|---" * (len(labels) + 2) + "|"]
    ranks = np.zeros(len(labels))
    for row in rows:
        scores = np.array([row[label][0] for label in labels])
        ranks += np.argsort(np.argsort(-scores)) + 1
        cells = [f"{row[label][0]:.2f} ({row[label][1]:.1f} s)" for label in labels]
        best = int(scores.argmax())
        cells[best] = f"**{cells[best]}**"
        lines.append(f"| {row['case']} | " + " | ".join(cells) + f" | {labels[best]} |")
    lines.append("| mean rank (1 = best) | " +
                 " | ".join(f"{rank / len(rows):.1f}" for rank in ranks) + " | |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("p_quality.md"))
    args = parser.parse_args(argv)
    functions = runners()
    labels = list(functions)
    rows = score(all_cases(), functions)
    write_report(args.output, "python benchmarks/p_quality.py", markdown(rows, labels))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
