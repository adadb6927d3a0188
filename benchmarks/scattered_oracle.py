"""Which graph settings would move scattered loss, judged on the real hole (an oracle)?

    python benchmarks/scattered_oracle.py                      # 24 cases, about 15 minutes
    python benchmarks/scattered_oracle.py --only cartoon,brick --json oracle.json

The cases are the compare benchmark's 24 random-loss cases (``cases.wide_cases``). For each,
``inpaint``'s default runs once and the settings its self-validation chose are kept (rounds,
patch size, smooth mix). Each variant below changes one option of those settings and fills the
image again (``pipeline._fill``, the mix unchanged); the table gives the PSNR over the hole
(8-bit, as ``inpaint`` returns it) of the default and each variant's gain over it, in dB:

* ``k``: matches per hole pixel in a round, 2k (default k = 5: 10 matches); k = 3, 8, 12;
* ``bw``: the Gaussian bandwidth of the patch distances, 0.5x and 2x;
* ``p``: the graph p-Laplacian's exponent, 1.5 and 3 (IRLS);
* ``grid``: the grid edges' weight (0.2), 0.5x and 2x;
* ``win``: the search window (15), 11 and 23.

Each variant is scored on the held-out pixels too (the window and pixels self-validation uses,
with the same mix), so that ``--json`` can replay a selection rule offline: it writes, per case,
every variant's held-out MSE, PSNR over the hole and seconds on the image.

    python benchmarks/scattered_oracle.py --replay oracle.json [more.json ...]

replays the rule of ``selection.choose_settings(reweigh=True)`` for each variant alone and some
sets of them: the variant of least held-out error replaces the choice when that error is at
most 1.00/0.99/0.98/0.97/0.95 of the choice's; it prints the sum of the real-hole gains, the
worst and best, and how many cases changed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import wide_cases  # noqa: E402
from graphinpaint import pipeline  # noqa: E402
from graphinpaint._image_range import _to_unit_range, _unit_scale  # noqa: E402
from graphinpaint.mixes import SmoothFills, mix_smooth  # noqa: E402
from graphinpaint.selection import held_out  # noqa: E402
from graphinpaint.settings import Settings  # noqa: E402


def variants(chosen: Settings) -> dict[str, Settings]:
    """The chosen settings with one option changed, by label."""
    out = {"default": chosen}
    for k in (3, 8, 12):
        out[f"k {k}"] = chosen.replace(k=k, refine_k=2 * k)
    for factor in (0.5, 2.0):
        out[f"bw {factor:g}x"] = chosen.replace(bandwidth=chosen.bandwidth * factor)
    for p in (1.5, 3.0):
        out[f"p {p:g}"] = chosen.replace(p=p)
    for factor in (0.5, 2.0):
        out[f"grid {factor:g}x"] = chosen.replace(grid_weight=chosen.grid_weight * factor)
    for window in (11, 23):
        out[f"win {window}"] = chosen.replace(window=window)
    return out


def chosen_settings(image: np.ndarray, hole: np.ndarray) -> tuple[Settings, np.ndarray]:
    """The settings ``inpaint``'s default fills the image with, and its result."""
    seen: list[Settings] = []
    fill = pipeline._fill

    def spy(values, hole, settings, progress=None):
        seen.append(settings)
        return fill(values, hole, settings, progress)

    pipeline._fill = spy
    try:
        result = gi.inpaint(image, hole)
    finally:
        pipeline._fill = fill
    return seen[-1], result


def held_out_error(values: np.ndarray, hole: np.ndarray, settings: Settings) -> float:
    """Mean squared error on the held-out pixels self-validation cuts (same window, rng)."""
    case = held_out(hole, scattered=True, margin=0, rng=np.random.default_rng(0))
    local = values[case.window].copy()
    truth = local[case.pixels]
    local[case.hole] = 0
    smooth = SmoothFills(local, case.hole, settings.method)
    estimate = pipeline._graph_fill(local, case.hole, settings, smooth=smooth)
    mixed = mix_smooth(estimate, case.hole, settings, smooth)
    return float(np.mean((mixed[case.pixels] - truth) ** 2))


def true_psnr(pixels: np.ndarray, values: np.ndarray, hole: np.ndarray,
              settings: Settings) -> tuple[float, float]:
    """PSNR over the hole of the 8-bit fill with these settings, and its seconds."""
    start = time.perf_counter()
    estimate = pipeline._fill(values, hole, settings)
    seconds = time.perf_counter() - start
    out = np.clip(np.rint(estimate * 255), 0, 255)
    return gi.metrics.psnr(pixels.astype(float), out, hole, data_range=255), seconds


def label(settings: Settings) -> str:
    mix = settings.smooth if settings.smooth in ("none", "boundary") else \
        f"{settings.smooth} {settings.smooth_share:g}"
    return f"p{settings.patch_size} r{settings.rounds} {mix}"


REPLAYED_SETS = (("k 3", "grid 0.5x"), ("k 3", "grid 0.5x", "win 23"), ("grid 0.5x", "win 23"),
                 ("k 3", "grid 0.5x", "p 1.5", "win 23"))


def replay(records: list[dict]) -> None:
    """Print the held-out rule's gains on the real hole, per variant set and bar."""
    names = [key for key in records[0]["variants"] if key != "default"]
    print("| bar | variants | sum, dB | worst | best | changed |\n|---|---|---|---|---|---|")
    for bar in (1.0, 0.99, 0.98, 0.97, 0.95):
        for chosen_from in [(name,) for name in names] + list(REPLAYED_SETS):
            gains = []
            for record in records:
                rows = record["variants"]
                best = min(chosen_from, key=lambda name: rows[name]["held"])
                taken = rows[best]["held"] <= bar * rows["default"]["held"]
                gains.append(rows[best]["psnr"] - rows["default"]["psnr"] if taken else 0.0)
            print(f"| {bar:.2f} | {', '.join(chosen_from)} | {sum(gains):+.2f} | "
                  f"{min(gains):+.2f} | {max(gains):+.2f} | {sum(g != 0 for g in gains)} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None,
                        help="cases whose name contains one of these comma-separated texts")
    parser.add_argument("--json", type=Path, default=None, help="write every variant's scores")
    parser.add_argument("--replay", type=Path, nargs="+", default=None,
                        help="replay the held-out rule on files written by --json")
    args = parser.parse_args(argv)
    if args.replay is not None:
        replay([record for path in args.replay for record in json.loads(path.read_text())])
        return 0
    warm = np.random.default_rng(0)
    gi.inpaint(warm.integers(0, 256, (48, 48, 3), dtype=np.uint8), warm.random((48, 48)) < 0.8)
    records, names = [], None
    for name, kind, image, hole in wide_cases():
        case = f"{name}, {kind}"
        if not kind.startswith("random") or (
                args.only and not any(text in case for text in args.only.split(","))):
            continue
        pixels = image if image.ndim == 3 else image[..., None]
        chosen, _ = chosen_settings(pixels, hole)
        values, _ = _to_unit_range(pixels, hole, _unit_scale(pixels, hole))
        rows = {}
        for key, settings in variants(chosen).items():
            psnr, seconds = true_psnr(pixels, values, hole, settings)
            rows[key] = {"held": held_out_error(values, hole, settings), "psnr": psnr,
                         "seconds": seconds}
        records.append({"case": case, "chosen": label(chosen), "variants": rows})
        if names is None:
            names = [key for key in rows if key != "default"]
            print("| case | default (chosen) | " + " | ".join(names) + " |")
            print("|---" * (len(names) + 2) + "|")
        base = rows["default"]["psnr"]
        print(f"| {case} | {base:.2f} ({label(chosen)}) | " +
              " | ".join(f"{rows[key]['psnr'] - base:+.2f}" for key in names) + " |", flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps(records, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
