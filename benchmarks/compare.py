"""Compare graphinpaint with OpenCV (Telea, Navier-Stokes) and scikit-image (biharmonic).

    pip install ".[bench]"
    python benchmarks/compare.py --output docs/benchmarks_table.md --figure docs/figures/crops.png

Scores PSNR over the hole (dB) and wall time on every case of ``cases.standard_cases`` (photos
and textures from scikit-image, 12% scratches and 80% random loss) and on the seed's examples when
``../shared/data/seed`` is present. OpenCV and scikit-image are benchmark-only extras.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import seed_example, standard_cases  # noqa: E402


def methods() -> dict:
    import cv2
    from skimage.restoration import inpaint_biharmonic

    def opencv(flag):
        def run(image, hole):
            return cv2.inpaint(image, hole.astype(np.uint8), 3, flag)
        return run

    def biharmonic(image, hole):
        out = inpaint_biharmonic(image, hole, channel_axis=-1 if image.ndim == 3 else None)
        return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)

    return {"graphinpaint": gi.inpaint, "OpenCV Telea": opencv(cv2.INPAINT_TELEA),
            "OpenCV Navier-Stokes": opencv(cv2.INPAINT_NS), "skimage biharmonic": biharmonic}


def all_cases():
    for name in ("barbara", "fly", "lincoln"):
        example = seed_example(name)
        if example is not None:
            yield name, "seed mask", *example
    yield from standard_cases()


def score(cases, runners) -> list[dict]:
    gi.inpaint(np.zeros((32, 32, 3), np.uint8), np.eye(32, dtype=bool))      # numba warm-up
    rows = []
    for name, kind, image, hole in cases:
        row = {"case": f"{name}, {kind}", "outputs": {}}
        for label, run in runners.items():
            start = time.perf_counter()
            out = run(image, hole)
            row[label] = (gi.metrics.psnr(image, out, hole), time.perf_counter() - start)
            row["outputs"][label] = out
        row["image"], row["hole"] = image, hole
        rows.append(row)
        print(row["case"], {k: round(v[0], 2) for k, v in row.items()
                            if isinstance(v, tuple)}, flush=True)
    return rows


def markdown(rows: list[dict], labels: list[str]) -> str:
    lines = ["| case | " + " | ".join(labels) + " | margin over best peer |",
             "|---" * (len(labels) + 2) + "|"]
    for row in rows:
        best = max(row[label][0] for label in labels[1:])
        cells = []
        for label in labels:
            value, seconds = row[label]
            text = f"{value:.2f} ({seconds:.2f} s)"
            cells.append(f"**{text}**" if value >= max(row[x][0] for x in labels) else text)
        lines.append(f"| {row['case']} | " + " | ".join(cells) +
                     f" | {row[labels[0]][0] - best:+.2f} dB |")
    return "\n".join(lines)


def write_report(path: Path, command: str, table: str) -> None:
    """Write a markdown table under a line saying when, where and how it was measured."""
    header = (f"Measured {date.today()} on {platform.machine()}, {platform.processor() or 'cpu'}, "
              f"Python {platform.python_version()}, numpy {np.__version__}; "
              f"command: `{command}`. PSNR over the hole in dB (time).\n\n")
    path.write_text(header + table + "\n")
    print(f"wrote {path}")


def crops_figure(rows: list[dict], labels: list[str], path: Path) -> None:
    """One row per case: a 128x128 crop around the hole's densest part, per method."""
    tiles = []
    for row in rows:
        hole = row["hole"]
        y, x = np.unravel_index(np.argmax(_box_sum(hole, 64)), hole.shape)
        y0 = int(np.clip(y - 64, 0, max(hole.shape[0] - 128, 0)))
        x0 = int(np.clip(x - 64, 0, max(hole.shape[1] - 128, 0)))
        window = (slice(y0, y0 + 128), slice(x0, x0 + 128))
        masked = _rgb(row["image"]).copy()
        masked[hole] = [255, 0, 0]
        parts = [masked[window]] + [_rgb(row["outputs"][label])[window] for label in labels] + \
                [_rgb(row["image"])[window]]
        tiles.append(np.concatenate([_pad(p) for p in parts], axis=1))
    width = max(t.shape[1] for t in tiles)
    figure = np.concatenate([np.pad(t, ((0, 0), (0, width - t.shape[1]), (0, 0))) for t in tiles])
    path.parent.mkdir(parents=True, exist_ok=True)
    gi.io.write_image(path, figure)


def _box_sum(mask: np.ndarray, size: int) -> np.ndarray:
    from scipy import ndimage as ndi

    return ndi.uniform_filter(mask.astype(float), size)


def _rgb(image: np.ndarray) -> np.ndarray:
    return np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image[..., :3]


def _pad(tile: np.ndarray) -> np.ndarray:
    tile = tile[:128, :128]
    return np.pad(tile, ((0, 128 - tile.shape[0] + 4), (0, 128 - tile.shape[1] + 4), (0, 0)),
                  constant_values=255)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("benchmarks_table.md"))
    parser.add_argument("--figure", type=Path, default=None)
    args = parser.parse_args(argv)
    runners = methods()
    labels = list(runners)
    rows = score(all_cases(), runners)
    write_report(args.output, "python benchmarks/compare.py", markdown(rows, labels))
    if args.figure is not None:
        crops_figure(rows, labels, args.figure)
        print(f"wrote {args.figure} (columns: masked, {', '.join(labels)}, original)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
