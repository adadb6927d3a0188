"""Issue 13: where does our FSR_BEST port alone beat the default on a compact block? The figures
behind docs/pipeline.md, "Issue 13: FSR_BEST alone on compact blocks".

    python benchmarks/compact_best.py compare          # the compare set's 32- and 64-px blocks
    python benchmarks/compact_best.py outside          # 32- and 64-px blocks on other pictures
    python benchmarks/compact_best.py rules COMPARE.json OUTSIDE.json   # rules replayed on rows
    python benchmarks/compact_best.py heldout compare|outside ROWS.json  # held-out blocks' verdict
    python benchmarks/compact_best.py whole64   # 64-px blocks with mixes.WHOLE_DEPTH_MAX = 32

Each case is filled once by the default ``inpaint`` (its 8-bit result recorded, with the match
spreads and distances of its last round), and once by ``_frequency.frequency_fill(values, hole,
profile=FSR_BEST)`` on the whole hole (fill CPU timed). Printed per case: the statistics the
pipeline already has (the component's median match spread and match distance, its ring's
roughness, its ring's match contrast), both PSNRs over the hole (8-bit, as ``psnr_cases.py``
scores), and the gain of FSR_BEST's fill mixed into the default's result at shares 0.5 / 0.75 /
1. ``--json`` keeps the rows for replaying rules on them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, mixes  # noqa: E402
from graphinpaint._frequency import FSR_BEST, frequency_fill, ring_roughnesses  # noqa: E402
from cases import region_fill_module, shrunk, wide_cases  # noqa: E402
from thick_middle import outside_images, psnr_of  # noqa: E402

region = region_fill_module()
SHARES = (0.5, 0.75, 1.0)
# 32- and 64-px blocks' top-left corners outside the compare set, drawn by
# np.random.default_rng(20261130 + side).integers(0, 257 - side, (3, 2)) before any was looked at.
SIDES = (32, 64)


def compare_cases():
    for name, kind, image, hole in wide_cases():
        if kind in ("block 32", "block 64"):
            yield name, kind, image, hole


def outside_cases(seed: int = 20261130):
    images = outside_images()
    for side in SIDES:
        places = np.random.default_rng(seed + side).integers(0, 257 - side, (3, 2))
        for name, image in images.items():
            image = shrunk(image)
            for top, left in places:
                hole = np.zeros(image.shape[:2], bool)
                hole[top:top + side, left:left + side] = True
                yield name, f"block {side} at {top},{left}", image, hole


def measured(image: np.ndarray, hole: np.ndarray) -> dict:
    """One case's row: statistics, the default's and FSR_BEST's PSNR, the mixed gains."""
    seen: dict = {}
    real = region.mix_smooth

    def record(estimate, hole_, settings, smooth):
        seen.update(values=smooth.values, hole=hole_, spread=smooth.match_spread,
                    distance=smooth.match_distance, smooth=settings.smooth)
        return real(estimate, hole_, settings, smooth)

    start = time.process_time()
    with mock.patch.object(region, "mix_smooth", record):
        result = gi.inpaint(image, hole)
    ours_cpu = time.process_time() - start
    values, hole_ = seen["values"], seen["hole"]
    scale = 255.0
    out = result.reshape(result.shape[0], result.shape[1], -1)[hole] / scale
    start = time.process_time()
    fsr = frequency_fill(values, hole_, on_hole=True, profile=FSR_BEST)
    fsr_cpu = time.process_time() - start
    labels, _ = ndi.label(hole_, structure=np.ones((3, 3), bool))
    spread = (np.nan if seen["spread"] is None
              else float(np.median(mixes.component_medians(hole_, seen["spread"]))))
    distance = (np.nan if seen["distance"] is None else float(np.median(seen["distance"])))
    row = dict(smooth=seen["smooth"], spread=spread, distance=distance,
               ring=float(ring_roughnesses(values, hole_, labels)[0]),
               contrast=float(_thick_holes.match_contrast(values, hole_)),
               ours=psnr_of(image, hole, out), fsr=psnr_of(image, hole, fsr),
               ours_cpu=ours_cpu, fsr_cpu=fsr_cpu)
    row["gains"] = [psnr_of(image, hole, (1 - s) * out + s * fsr) - row["ours"] for s in SHARES]
    return row


def held_out_blocks(hole: np.ndarray) -> list[np.ndarray]:
    """Blocks of the hole's size beside it (a quarter of its side away, up, down, left,
    right), inside the picture and clear of the hole."""
    rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    top, left, side = rows[0], cols[0], len(rows)
    step = side + side // 4
    blocks = []
    for dy, dx in ((-step, 0), (step, 0), (0, -step), (0, step)):
        y, x = top + dy, left + dx
        if 0 <= y and y + side <= hole.shape[0] and 0 <= x and x + side <= hole.shape[1]:
            block = np.zeros_like(hole)
            block[y:y + side, x:x + side] = True
            blocks.append(block)
    return blocks


def held_out_gain(image: np.ndarray, hole: np.ndarray) -> float:
    """FSR_BEST's fill against the default's on held-out blocks beside the hole (the hole
    unknown too): the dB gain of their summed squared errors, 8-bit as ``psnr_of``."""
    errors = np.zeros(2)
    for block in held_out_blocks(hole):
        both = hole | block
        ours = gi.inpaint(image, both)
        values = image.reshape(image.shape[0], image.shape[1], -1) / 255.0
        fsr = frequency_fill(values, both, profile=FSR_BEST)
        fsr = np.clip(np.rint(fsr * 255), 0, 255)
        truth = values[block] * 255
        errors += [np.sum((ours.reshape(values.shape)[block] - truth) ** 2),
                   np.sum((fsr[block] - truth) ** 2)]
    return float(10 * np.log10(errors[0] / errors[1]))


def run_heldout(cases, rows: list[dict]) -> None:
    """The held-out blocks' verdict against the real hole's gain at share 1."""
    real = {(row["name"], row["kind"]): row["gains"][-1] for row in rows}
    pairs = []
    for name, kind, image, hole in cases:
        pairs.append((held_out_gain(image, hole), real[(name, kind)]))
        print(f"{name}, {kind}: held out {pairs[-1][0]:+.2f}, real {pairs[-1][1]:+.2f}",
              flush=True)
    held, gained = np.array(pairs).T
    from scipy.stats import spearmanr
    for bar in (0.0, 0.5, 1.0):
        chosen = held > bar
        print(f"FSR_BEST where the held-out gain > {bar:g}: {np.count_nonzero(chosen)} chosen, "
              f"real sum {gained[chosen].sum():+.2f}, {np.count_nonzero(gained[chosen] > 0)} up, "
              f"worst {gained[chosen].min() if chosen.any() else 0:+.2f}")
    print(f"rank correlation {spearmanr(held, gained).statistic:+.2f}; the sign agrees on "
          f"{np.count_nonzero((held > 0) == (gained > 0))} of {len(held)}")


def run_whole64(seed: int = 20261130) -> None:
    """The 64-px blocks (compare and outside) with the gated fill at their whole depth
    (``mixes.WHOLE_DEPTH_MAX`` 32 in place of 24; ``_thick_holes`` keeps its own copy, 24, so
    the middle rule is untouched), alternated with the default in one process, least of 2."""
    cases = [case for case in compare_cases() if case[1] == "block 64"]
    cases = cases if seed == 20261130 else []       # another seed: other places alone
    cases += [case for case in outside_cases(seed) if case[1].startswith("block 64")]
    gains, ratios = [], []
    for name, kind, image, hole in cases:
        seconds, psnrs = {24: [], 32: []}, {}
        for _ in range(2):
            for depth in (24, 32):
                with mock.patch.object(mixes, "WHOLE_DEPTH_MAX", depth):
                    start = time.process_time()
                    result = gi.inpaint(image, hole)
                    seconds[depth].append(time.process_time() - start)
                psnrs[depth] = gi.metrics.psnr(image, result, hole)
        gains.append(psnrs[32] - psnrs[24])
        ratios.append(min(seconds[32]) / min(seconds[24]))
        print(f"{name}, {kind}: {psnrs[24]:.2f} -> {psnrs[32]:.2f} ({gains[-1]:+.2f}), CPU "
              f"{min(seconds[24]):.2f} -> {min(seconds[32]):.2f} s ({ratios[-1]:.2f}x)",
              flush=True)
    gains = np.array(gains)
    print(f"sum {gains.sum():+.2f}, {np.count_nonzero(gains > 0.005)} up, "
          f"{np.count_nonzero(gains < -0.005)} down, worst {gains.min():+.2f}; CPU ratio "
          f"median {np.median(ratios):.2f}, max {max(ratios):.2f}")


STATS = ("spread", "distance", "ring", "contrast")
# What the two compare misses need: within 0.1 dB of OpenCV's FSR_BEST (17.10, 16.55).
TARGETS = {("camera", "block 32"): 17.00, ("coffee", "block 64"): 16.45}


def rule_gains(rows: list[dict], rule: list[tuple]) -> np.ndarray:
    """Each row's gain under ``rule``: [(stat, low, high), ...] all met -> the share's gain."""
    *conditions, share = rule
    index = SHARES.index(share)
    return np.array([row["gains"][index] if all(low <= row[stat] < high
                                                   for stat, low, high in conditions) else 0.0
                     for row in rows])


def cuts(rows: list[dict], stat: str) -> list[float]:
    """Thresholds between consecutive values of ``stat`` on the rows, and the ends."""
    values = np.unique([row[stat] for row in rows])
    return [-np.inf, *((values[1:] + values[:-1]) / 2), np.inf]


def candidate_rules(rows: list[dict]):
    """Every interval of one statistic, and every pair of intervals of two, at each share."""
    intervals = {stat: [(stat, low, high) for i, low in enumerate(cuts(rows, stat))
                        for high in cuts(rows, stat)[i + 1:]] for stat in STATS}
    for share in SHARES:
        for a, stat in enumerate(STATS):
            for first in intervals[stat]:
                yield [first, share]
                for other in STATS[a + 1:]:
                    for second in intervals[other]:
                        yield [first, second, share]


def run_rules(compare: list[dict], outside: list[dict]) -> None:
    """Rules that reach both targets and lose nowhere on the compare blocks (by more than 0.01
    dB), then how each does on the outside blocks."""
    kept = []
    for rule in candidate_rules(compare):
        gained = rule_gains(compare, rule)
        reach = all(row["ours"] + g >= TARGETS[(row["name"], row["kind"])]
                    for row, g in zip(compare, gained) if (row["name"], row["kind"]) in TARGETS)
        if reach and gained.min() >= -0.01:
            kept.append(rule)
    print(f"{len(kept)} rules reach both targets and lose nowhere on the compare blocks")
    scored = []
    for rule in kept:
        there = rule_gains(outside, rule)
        scored.append((there.sum(), there.min(), np.count_nonzero(there > 0.005),
                       np.count_nonzero(there < -0.01), rule))
    outcomes = {}
    for total, worst, up, down, rule in scored:     # one line per distinct outcome outside
        outcomes.setdefault((round(total, 2), round(worst, 2), up, down), rule)
    print(f"{len(outcomes)} distinct outcomes outside; the best by sum, then by worst case:")
    for order in (lambda item: -item[0][0], lambda item: -item[0][1]):
        for (total, worst, up, down), rule in sorted(outcomes.items(), key=order)[:6]:
            text = ", ".join(f"{low:.4g} <= {stat} < {high:.4g}" for stat, low, high in rule[:-1])
            print(f"  {text}, share {rule[-1]:g}: outside sum {total:+.2f}, worst {worst:+.2f}, "
                  f"{up} up, {down} down")
    ceiling = np.array([max(0.0, *row["gains"]) for row in outside])
    print(f"outside: FSR_BEST ahead on {np.count_nonzero(ceiling > 0.005)} of {len(outside)}; "
          f"the oracle's gain {ceiling.sum():+.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=("compare", "outside", "rules", "heldout", "whole64"))
    parser.add_argument("rows", nargs="*", help="rules: the compare and outside JSON files")
    parser.add_argument("--json", help="write the rows here")
    parser.add_argument("--seed", type=int, default=20261130,
                        help="whole64: the outside places' seed (another: those places alone)")
    args = parser.parse_args(argv)
    if args.which == "rules":
        compare, outside = (json.loads(Path(name).read_text()) for name in args.rows)
        run_rules(compare, outside)
        return 0
    if args.which == "whole64":
        run_whole64(args.seed)
        return 0
    if args.which == "heldout":
        which, rows = args.rows
        run_heldout(compare_cases() if which == "compare" else outside_cases(),
                    json.loads(Path(rows).read_text()))
        return 0
    cases = compare_cases() if args.which == "compare" else outside_cases()
    rows = []
    print("case | smooth | spread | distance | ring | contrast | ours dB, s | FSR_BEST dB, s | "
          "gain at " + " / ".join(f"{s:g}" for s in SHARES))
    for name, kind, image, hole in cases:
        row = measured(image, hole)
        row.update(name=name, kind=kind)
        rows.append(row)
        print(f"{name}, {kind} | {row['smooth']} | {row['spread']:.4f} | {row['distance']:.4f} | "
              f"{row['ring']:.2f} | {row['contrast']:.2f} | {row['ours']:.2f}, "
              f"{row['ours_cpu']:.2f} | {row['fsr']:.2f}, {row['fsr_cpu']:.2f} | "
              + " / ".join(f"{g:+.2f}" for g in row["gains"]), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
