"""Issue 13: a gate on the spread of the matches that lets thick holes take a costlier
frequency fill, replayed on the arrays ``frequency_profiles.py dump`` writes (docs/pipeline.md,
"FSR_BEST where the matches disagree").

    python benchmarks/frequency_profiles.py dump --dir cases/ --no-image-grid --profiles \
        "fast, 400 at 0.2;best;best, 100 at 0.5;fast, window 64;best, 100 at 0.5, 4-px \
split at 0.2;best, 100 at 0.5, 4-px split at 0.3;best, 100 at 0.5, 4-px split at 0.2, window 48"
    python benchmarks/frequency_gate.py cases/ \
        --show "best, 100 at 0.5, 4-px split at 0.2;0.002;0.016;1;0.5;component;12"
    python benchmarks/frequency_gate.py --alternate 5         # CPU: the gate on and off

The reference is the default (the kept profile, "fast, 400 at 0.2", mixed in by the match rule:
share 0.5 * min(d / 0.12, 1), deep x0.5). A gate rule reads the median spread of the matches
(the standard deviation of the matched pixels' values in the last round) over the case or over
each 8-connected hole component; where it is at least ``gate``, the component takes a profile's
fill at ``share * min(spread / scale, 1)`` near the known pixels, ``deep`` times that deeper,
up to ``depth`` from them; elsewhere the default. Printed: each profile's best rule by sum, its
best three with no case lower by more than 0.05 dB, and the per-case changes of the rules asked
for with ``--show``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))

from frequency_rules import by_depth, mixed, psnr  # noqa: E402

KEPT = "fast, 400 at 0.2"


def default_weights(case: dict) -> np.ndarray:
    return by_depth(case, 0.5, 0.5, np.minimum(case["distance"] / 0.12, 1))


def components(case: dict) -> np.ndarray:
    """Each hole pixel's 8-connected component, in flat order."""
    labels, _ = ndi.label(case["hole"], structure=np.ones((3, 3)))
    return labels[case["hole"]]


def median_spread(case: dict, where: str) -> np.ndarray:
    """Per hole pixel, the median spread over its case or its component."""
    spread = np.nan_to_num(case["spread"])
    if where == "case":
        return np.full(len(spread), np.median(spread))
    parts = case.setdefault("_parts", components(case))
    medians = ndi.median(spread, parts, index=np.arange(parts.max() + 1))
    return np.asarray(medians)[parts]


def gated(case: dict, profile: str, gate: float, scale: float, share: float, deep: float,
          where: str, depth: int) -> np.ndarray:
    """The region's hole values under one gate rule: the gated fill up to ``depth`` from the
    known pixels (the pipeline fills that ring alone, the rest unknown: within a few
    hundredths of a dB of the whole fill cut there, end to end)."""
    spread = median_spread(case, where)
    weights = by_depth(case, share, deep, np.minimum(spread / scale, 1))
    open_ = (spread >= gate) & (case["depth"] <= depth)
    out = mixed(case, KEPT, default_weights(case))
    out[open_] = mixed(case, profile, weights)[open_]
    return out


def rules(profiles: list[str]) -> dict:
    return {(p, gate, scale, share, deep, where, depth): (
        lambda c, a=(p, gate, scale, share, deep, where, depth): gated(c, *a))
        for p, gate, scale, share, deep, where, depth in itertools.product(
            profiles, (0.0, 0.002, 0.003, 0.004, 0.005), (0.004, 0.008, 0.016),
            (0.5, 0.75, 1.0), (0.5, 1.0), ("case", "component"), (8, 12, 99))}


def alternate(repeat: int, only: str | None = None) -> None:
    """Least-of-``repeat`` process CPU seconds of ``inpaint``'s default on the thick cases with
    the gate as built and shut (``SPREAD_GATE`` infinite and no spread computed: main's path),
    alternated in one process (the machine is shared), and the PSNR of each."""
    import graphinpaint as gi
    from graphinpaint import mixes, _stages
    from thick_selection import thick_cases

    real_gate, real_spread = mixes.SPREAD_GATE, _stages.match_spread

    def shut(flat, matches):
        return np.zeros(len(matches.queries))

    def run(image, hole, gated: bool) -> tuple[float, float]:
        mixes.SPREAD_GATE = real_gate if gated else np.inf
        _stages.match_spread = real_spread if gated else shut
        cpu = time.process_time()
        out = gi.inpaint(image, hole)
        return time.process_time() - cpu, gi.metrics.psnr(image, out, hole)

    cases = [case for case in thick_cases() if only is None or only in f"{case[0]}, {case[1]}"]
    gi.inpaint(*cases[-1][2:])                      # compile the kernels first
    print("| case | shut: dB, CPU s | gated: dB, CPU s | CPU ratio |\n|---|---|---|---|")
    totals = [0.0, 0.0]
    try:
        for name, kind, image, hole in cases:
            best = [np.inf, np.inf]
            scores = [0.0, 0.0]
            for _ in range(repeat):
                for index, gated in enumerate((False, True)):
                    cpu, scores[index] = run(image, hole, gated)
                    best[index] = min(best[index], cpu)
            totals = [t + b for t, b in zip(totals, best)]
            print(f"| {name}, {kind} | {scores[0]:.2f}, {best[0]:.3f} | {scores[1]:.2f}, "
                  f"{best[1]:.3f} | {best[1] / best[0]:.2f} |", flush=True)
    finally:
        mixes.SPREAD_GATE, _stages.match_spread = real_gate, real_spread
    print(f"| all | {totals[0]:.2f} | {totals[1]:.2f} | {totals[1] / totals[0]:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?")
    parser.add_argument("--alternate", type=int, metavar="REPEAT",
                        help="time the gate on and off instead, least of REPEAT")
    parser.add_argument("--only", help="--alternate: the cases whose name contains this text")
    parser.add_argument("--show", action="append", default=[],
                        help="a rule to print per case: profile;gate;scale;share;deep;where;depth")
    args = parser.parse_args()
    if args.alternate:
        alternate(args.alternate, args.only)
        return
    cases = {path.stem: dict(np.load(path)) for path in sorted(args.folder.glob("*.npz"))}
    profiles = [key[5:] for key in next(iter(cases.values())) if key.startswith("fill ")]
    default = {name: psnr(c["truth"], mixed(c, KEPT, default_weights(c)))
               for name, c in cases.items()}
    print("| case | default | median spread | components' median spreads |\n|---|---|---|---|")
    for name, c in cases.items():
        parts = np.unique(median_spread(c, "component"))
        print(f"| {name} | {default[name]:.2f} | {np.median(np.nan_to_num(c['spread'])):.4f} | "
              f"{', '.join(f'{s:.4f}' for s in parts[:6])} |")
    rows = {}
    for label, rule in rules(profiles).items():
        gains = np.array([psnr(c["truth"], rule(c)) - default[name]
                          for name, c in cases.items()])
        rows[label] = gains
    print("\n| profile | best: sum / worst / lower by > 0.05 dB | best with none lower |"
          "\n|---|---|---|")
    for profile in profiles:
        mine = [(g.sum(), g.min(), int((g < -0.05).sum()), label)
                for label, g in rows.items() if label[0] == profile]
        top = max(mine)
        safe = sorted((row for row in mine if row[2] == 0), reverse=True)[:3]
        print(f"| {profile} | {top[0]:+.2f} / {top[1]:+.2f} / {top[2]} {top[3][1:]} | "
              + "; ".join(f"{s[0]:+.2f} (worst {s[1]:+.2f}) {s[3][1:]}" for s in safe) + " |")
    for text in args.show:
        p, gate, scale, share, deep, where, depth = text.split(";")
        label = (p, float(gate), float(scale), float(share), float(deep), where, int(depth))
        gains = rows[label]
        print(f"\n{label}: sum {gains.sum():+.2f}, worst {gains.min():+.2f}")
        for name, gain in zip(cases, gains):
            print(f"  {name}: {default[name]:.2f} {gain:+.2f}")


if __name__ == "__main__":
    main()
