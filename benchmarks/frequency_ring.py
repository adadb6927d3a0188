"""Issue 13: the spread gate's second pass, replayed on the arrays ``frequency_profiles.py
dump`` writes (docs/pipeline.md, "The spread gate's second pass").

    python benchmarks/frequency_ring.py cases/      # the folder frequency_gate.py reads

An opened component (median match spread at least ``SPREAD_GATE``) whose ring of known pixels
has a ``ring_roughness`` in ``[low, high)`` and that is at most ``deepest`` deep takes the gated
profile's fill up to ``depth`` from the known pixels at ``min(spread / scale, 1)`` (times
``deep`` beyond 4 px); the other opened components keep the first pass's rule (12 px, x0.5,
scale 0.016). Printed: each component's ring roughness, then the best rules by sum against the
first pass and the best with no case lower by more than 0.05 dB, with their per-case changes.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))

from frequency_gate import KEPT, components, default_weights, median_spread  # noqa: E402
from frequency_rules import mixed, psnr  # noqa: E402
from graphinpaint import mixes  # noqa: E402
from graphinpaint._frequency import ring_roughness  # noqa: E402

PROFILE = "best, 100 at 0.5, 4-px split at 0.2"          # mixes.GATED_PROFILE
# mixes.WHOLE_DEPTH_RING, WHOLE_DEPTH_MAX; the whole depth at the near pixels' weight.
KEPT_RULE = (*mixes.WHOLE_DEPTH_RING, mixes.WHOLE_DEPTH_MAX, 99, 1.0,
             mixes.WHOLE_DEPTH_SCALE)


def prepared(case: dict) -> dict:
    """The case with each hole pixel's component's ring roughness, depth and median spread."""
    labels, count = ndi.label(case["hole"], structure=np.ones((3, 3)))
    parts = components(case)
    rings = [0.0] + [ring_roughness(case["values"], case["hole"], labels == k)
                     for k in range(1, count + 1)]
    case["ring"] = np.asarray(rings)[parts]
    case["deepest"] = np.asarray(ndi.maximum(case["depth"], parts,
                                             index=np.arange(count + 1)))[parts]
    case["median"] = median_spread(case, "component")
    case["default"] = mixed(case, KEPT, default_weights(case))
    return case


def ruled(case: dict, low: float, high: float, deepest: int, depth: int, deep: float,
          scale: float) -> np.ndarray:
    spread = case["median"]
    chosen = (case["ring"] >= low) & (case["ring"] < high) & (case["deepest"] <= deepest)
    near = case["depth"] <= 4
    weights = np.minimum(spread / np.where(chosen, scale, mixes.SPREAD_SCALE), 1) * \
        np.where(near, 1.0, np.where(chosen, deep, mixes.DEEP_FACTOR))
    opened = (spread >= mixes.SPREAD_GATE) & \
        (case["depth"] <= np.where(chosen, depth, mixes.GATED_DEPTH))
    out = case["default"].copy()
    out[opened] = mixed(case, PROFILE, weights)[opened]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    cases = {path.stem: prepared(dict(np.load(path)))
             for path in sorted(args.folder.glob("*.npz"))}
    for name, case in cases.items():
        print(f"{name}: ring roughness {', '.join(f'{r:.2f}' for r in np.unique(case['ring']))}")
    first = {name: psnr(c["truth"], ruled(c, 0, 0, 0, 12, 0.5, 0.016))
             for name, c in cases.items()}
    rows = []
    for rule in itertools.product((0.0, 0.6), (1.6, 1.9, 2.5), (24, 99), (16, 20, 99),
                                  (0.5, 1.0), (0.008, 0.01, 0.012, 0.016)):
        gains = np.array([psnr(c["truth"], ruled(c, *rule)) - first[name]
                          for name, c in cases.items()])
        rows.append((gains.sum(), gains.min(), rule, gains))
    rows.sort(key=lambda row: -row[0])
    print("\n(low, high, deepest, depth, deep, scale): sum / worst against the first pass")
    kept = [r for r in rows if r[2][:5] == KEPT_RULE[:5]]
    for total, worst, rule, gains in rows[:3] + [r for r in rows if r[1] >= -0.05][:3] + kept:
        print(f"{rule}: {total:+.2f} / {worst:+.2f}; " + ", ".join(
            f"{name} {gain:+.2f}" for name, gain in zip(cases, gains) if abs(gain) >= 0.01))


if __name__ == "__main__":
    main()
