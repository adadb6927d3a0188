"""Which hole pixels must a later round of scattered loss refine? (``_stages.still_moving``)

    python benchmarks/scattered_moving.py                  # 24 cases, about 4 minutes
    python benchmarks/scattered_moving.py --only coffee

On the compare benchmark's 24 random-loss cases (``cases.wide_cases``) the graph solution is run
with three rounds of 11 x 11 patches (k = 3, no smooth mix) for each rule: every hole pixel in
every round (a floor of 0), or only the pixels whose patch the round before moved by a floor of
1, 1.5 or 2 8-bit levels (the mean change over a box of the patch's side, or of 5). Per case:
PSNR over the hole after rounds 2 and 3 and the share of the hole they refined; at the end the
gains of rounds 2 and 3 over round 1 summed over the cases, the worst difference to the full
rounds, and the mean shares.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import wide_cases  # noqa: E402
from graphinpaint import _stages, pipeline  # noqa: E402
from cases import region_fill_module  # noqa: E402
from graphinpaint.mixes import SmoothFills  # noqa: E402
from graphinpaint.settings import Settings  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched

SETTINGS = Settings(strategy="global", window=15, bandwidth=0.05, grid_weight=0.2,
                    patch_size=11, k=3, rounds=3, smooth="none", smooth_share=0.0)
# (floor in 8-bit levels, side of the box the change is averaged over)
RULES = [(0.0, 11), (1.0, 11), (1.5, 11), (2.0, 11), (2.0, 5)]


def _psnr(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(10 * np.log10(1 / np.mean((estimate - truth) ** 2)))


def _rounds(values, hole, truth, floor, side):
    """PSNR after each round and the share of the hole rounds 2 and 3 refined, under a rule."""
    shares, scores = [], []

    def rule(moved, hole, patch_size):
        active = _stages.still_moving(moved, hole, side)
        shares.append(float(active.mean()))
        return active

    saved = _stages.MOVED_FLOOR, region.still_moving
    _stages.MOVED_FLOOR, region.still_moving = floor / 255, rule
    try:
        pipeline._graph_fill(values, hole, SETTINGS, smooth=SmoothFills(values, hole),
                             each_round=lambda e: scores.append(_psnr(e[hole], truth)))
    finally:
        _stages.MOVED_FLOOR, region.still_moving = saved
    return scores, shares[:2]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="cases whose name contains this text")
    args = parser.parse_args(argv)
    totals = {rule: np.zeros(4) for rule in RULES}
    worst = {rule: np.zeros(2) for rule in RULES}
    count = 0
    for name, kind, image, hole in wide_cases():
        label = f"{name}, {kind}"
        if not kind.startswith("random") or (args.only and args.only not in label):
            continue
        count += 1
        values = image.astype(float) / 255
        values = values if values.ndim == 3 else values[..., None]
        truth = values[hole]
        values[hole] = 0
        cells, full = [label], None
        for floor, side in RULES:
            scores, shares = _rounds(values, hole, truth, floor, side)
            full = scores if full is None else full
            totals[floor, side] += [scores[1] - scores[0], scores[2] - scores[0], *shares]
            worst[floor, side] = np.minimum(worst[floor, side],
                                            [scores[1] - full[1], scores[2] - full[2]])
            cells.append(f"{scores[1]:.2f} / {scores[2]:.2f} ({shares[0]:.2f} / {shares[1]:.2f})")
        print("| " + " | ".join(cells) + " |", flush=True)
    print("\n| floor (levels), box | round 2: sum | round 3: sum | worst | share |")
    print("|---|---|---|---|---|")
    for (floor, side), (gain2, gain3, share2, share3) in totals.items():
        low = worst[floor, side]
        print(f"| {floor:g}, {side} | {gain2:+.2f} dB | {gain3:+.2f} dB | {low[0]:+.2f} / "
              f"{low[1]:+.2f} dB | {share2 / count:.2f} / {share3 / count:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
