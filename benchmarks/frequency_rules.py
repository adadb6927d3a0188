"""Issue 13: rules for how much of the frequency fill thick holes mix in, replayed on the arrays
``frequency_profiles.py dump`` writes (docs/pipeline.md, "FSR_BEST's profile, fast enough, and
the frequency share").

    python benchmarks/frequency_profiles.py dump --dir cases/ \\
        --profiles "fast;best;fast, 400 at 0.2;fast, window 64"
    python benchmarks/frequency_rules.py cases/

Every rule gives each hole pixel a share of a profile's fill over the default's graph solution;
the score is the PSNR over the hole of the region rounded to 8 bits (within 0.06 dB of
``inpaint``'s), against the default (FSR_FAST by the match rule: share 0.5, d / 0.12, deep
x0.5). Printed: the oracle (one share per case), then per family of rules its best by sum and its
best with no case lower by more than 0.05 dB.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

NEAR = 4                    # fills.BLEND_DEPTH: the match rule's "near the known pixels"
SHARES = (0.5, 0.75, 1.0)
DEEPS = (0.5, 1.0)


def psnr(truth: np.ndarray, estimate: np.ndarray) -> float:
    error = np.rint(np.clip(estimate, 0, 1) * 255) - np.rint(truth * 255)
    return float(10 * np.log10(255 ** 2 / np.mean(error ** 2)))


def mixed(case: dict, profile: str, weights: np.ndarray) -> np.ndarray:
    return case["estimate"] + weights[:, None] * (case[f"fill {profile}"] - case["estimate"])


def by_depth(case: dict, share: float, deep: float, quality: np.ndarray) -> np.ndarray:
    return share * quality * np.where(case["depth"] <= NEAR, 1.0, deep)


def local_contrast(case: dict, size: int) -> np.ndarray:
    """Standard deviation of the estimate in a ``size`` window around each hole pixel."""
    image = case["values"].copy()
    image[case["hole"]] = case["estimate"]
    mean = ndi.uniform_filter(image, (size, size, 1))
    square = ndi.uniform_filter(image ** 2, (size, size, 1))
    return np.sqrt(np.maximum(square - mean ** 2, 0)).mean(axis=2)[case["hole"]]


def families(profiles: list[str]) -> dict:
    """name -> {label: rule(case) -> weights}."""
    match = {(p, scale, share, deep): (lambda c, p=p, s=scale, a=share, d=deep: by_depth(
        c, a, d, np.minimum(c["distance"] / s, 1))) for p, scale, share, deep in
        itertools.product(profiles, (0.005, 0.01, 0.02, 0.03, 0.06, 0.08, 0.12), SHARES,
                          (0.25, 0.5, 1.0))}
    relative = {(p, size, scale, share, deep): (
        lambda c, p=p, z=size, s=scale, a=share, d=deep: by_depth(
            c, a, d, np.minimum(c["distance"] / (local_contrast(c, z) + 0.01) / s, 1)))
        for p, size, scale, share, deep in itertools.product(
            profiles, (5, 11, 21), (0.1, 0.3, 1.0), SHARES, DEEPS)}
    variance = {(p, k, share, deep): (lambda c, p=p, k=k, a=share, d=deep: by_depth(
        c, a, d, c["distance"] / (c["distance"] + k * c[f"misfit {p}"] + 1e-12)))
        for p, k, share, deep in itertools.product(profiles, (0.25, 0.5, 1, 2, 4), SHARES,
                                                   DEEPS)}
    spread = {(p, scale, share, deep, where): (
        lambda c, p=p, s=scale, a=share, d=deep, w=where: by_depth(c, a, d, np.minimum(
            (np.nan_to_num(c["spread"]) if w == "pixel" else
             np.full(len(c["spread"]), np.nanmedian(c["spread"]))) / s, 1)))
        for p, scale, share, deep, where in itertools.product(
            profiles, (0.002, 0.004, 0.008, 0.016), SHARES, DEEPS, ("pixel", "case"))}
    return {"match distance": match, "distance / local contrast": relative,
            "inverse variance (misfit)": variance, "match spread": spread}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    cases = {path.stem: dict(np.load(path)) for path in sorted(args.folder.glob("*.npz"))}
    profiles = [key[5:] for key in next(iter(cases.values())) if key.startswith("fill ")]
    default = {name: psnr(c["truth"], mixed(c, "fast", by_depth(
        c, 0.5, 0.5, np.minimum(c["distance"] / 0.12, 1)))) for name, c in cases.items()}
    print("| case | default | " + " | ".join(f"{p}: best share (oracle)" for p in profiles)
          + " |\n|---|---|" + "---|" * len(profiles))
    for name, c in cases.items():
        cells = []
        for profile in profiles:
            scores = {s: psnr(c["truth"], mixed(c, profile, np.full(len(c["depth"]), s)))
                      for s in (0, 0.25, 0.5, 0.75, 1)}
            best = max(scores, key=scores.get)
            cells.append(f"{scores[best] - default[name]:+.2f} ({best:g})")
        print(f"| {name} | {default[name]:.2f} | " + " | ".join(cells) + " |")
    print("\n| profile | grid anchored at the hole (ours) | at the image's corner (OpenCV's) |"
          "\n|---|---|---|")
    for profile in profiles:
        if f"{profile}, image grid" not in profiles:
            continue
        sums = []
        for grid in (profile, f"{profile}, image grid"):
            gains = np.array([psnr(c["truth"], mixed(c, grid, by_depth(
                c, 0.5, 0.5, np.minimum(c["distance"] / 0.12, 1)))) - default[name]
                for name, c in cases.items()])
            sums.append(f"{gains.sum():+.2f} / {gains.min():+.2f} / {(gains < -0.05).sum()}")
        print(f"| {profile}, the match rule: sum / worst / lower | {sums[0]} | {sums[1]} |")
    print("\n| family | rules | best: sum / worst / cases lower by > 0.05 dB | "
          "best with none lower |\n|---|---|---|---|")
    for family, rules in families([p for p in profiles if not p.endswith("image grid")]).items():
        rows = []
        for label, rule in rules.items():
            gains = np.array([psnr(c["truth"], mixed(c, label[0], rule(c))) - default[name]
                              for name, c in cases.items()])
            rows.append((gains.sum(), gains.min(), int((gains < -0.05).sum()), label))
        top = max(rows)
        safe = max((row for row in rows if row[2] == 0), default=None)
        print(f"| {family} | {len(rows)} | {top[0]:+.2f} / {top[1]:+.2f} / {top[2]} {top[3]} | "
              + (f"{safe[0]:+.2f} {safe[3]} |" if safe else "none |"), flush=True)


if __name__ == "__main__":
    main()
