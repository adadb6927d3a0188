"""Issue 13's study of the frequency fill's quality profile and share for thick holes (blocks,
blotches): the figures behind docs/pipeline.md, "Issue 13: FSR_BEST's profile, fast enough, and
the frequency share".

    python benchmarks/frequency_profiles.py run --json out.json   # every profile x share
    python benchmarks/frequency_profiles.py table out.json        # replay: sums, oracle
    python benchmarks/frequency_profiles.py dump --dir cases/     # arrays to replay rules on
    python benchmarks/frequency_profiles.py time --against <checkout> --repeat 3
    python benchmarks/frequency_profiles.py alternate --repeat 5  # FSR_FAST against the
                                                  # thick holes' profile, in one process

For each of the 26 thick cases of ``thick_selection.py`` that take the frequency mix, the
default's graph solution (one fill, no self-validation) is captured once; every profile's
frequency fill (process CPU seconds, one channel after another) is mixed into it by match
quality (``SmoothFills.match_mix``'s rule, ``share * min(d / MATCH_DISTANCE, 1)`` near the
known pixels, ``deep`` times that deeper) and scored on the real hole (PSNR over the hole of
``inpaint``'s 8-bit output, dB).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import fills, _frequency, mixes, pipeline, _stages  # noqa: E402
from thick_selection import graph_estimate, thick_cases  # noqa: E402

FAST, BEST = _frequency.FSR_FAST, _frequency.FSR_BEST
PROFILES = {
    "fast": FAST,
    "best": BEST,
    "fast, window 64": dataclasses.replace(FAST, fft_size=64),
    "fast, blocks to 2": dataclasses.replace(FAST, smallest_block=2),
    "fast, 400 at 0.2": dataclasses.replace(FAST, orthogonality=0.2, iterations=(50, 400),
                                           iterations_per_deviation=2000),
    "best, window 32": dataclasses.replace(BEST, fft_size=32),
    "best, blocks to 4": dataclasses.replace(BEST, smallest_block=4),
    "best, 100 at 0.5": dataclasses.replace(BEST, orthogonality=0.5, iterations=(20, 100),
                                           iterations_per_deviation=1000),
    "fast, 200 at 0.3": dataclasses.replace(FAST, orthogonality=0.3, iterations=(30, 200),
                                           iterations_per_deviation=1500),
    "fast, 100 at 0.3": dataclasses.replace(FAST, orthogonality=0.3),
    "fast, window 48": dataclasses.replace(FAST, fft_size=48),
    "fast, window 64 for 16-px blocks": dataclasses.replace(FAST, fft_sizes=((16, 64),)),
    "fast, window 64 for 16-px blocks, 400 at 0.2": dataclasses.replace(
        FAST, fft_sizes=((16, 64),), orthogonality=0.2, iterations=(50, 400),
        iterations_per_deviation=2000),
}
# The gate's study (frequency_gate.py): FSR_BEST's 2-px blocks split from 4 px more rarely.
for _split in (0.2, 0.3):
    PROFILES[f"best, 100 at 0.5, 4-px split at {_split}"] = dataclasses.replace(
        PROFILES["best, 100 at 0.5"], split_deviation=((16, 0.014), (8, 0.030), (4, _split)))
PROFILES["best, 100 at 0.5, 4-px split at 0.2, window 48"] = dataclasses.replace(
    PROFILES["best, 100 at 0.5, 4-px split at 0.2"], fft_size=48)
SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
DEEPS = (0.5, 1.0)


def mixed(seen: dict, fill: np.ndarray, share: float, deep: float) -> np.ndarray:
    smooth, hole = seen["smooth"], seen["hole"]
    near = smooth.depths()[hole] <= fills.BLEND_DEPTH
    quality = np.minimum(smooth.match_distance / mixes.MATCH_DISTANCE, 1.0)
    weights = share * quality * np.where(near, 1.0, deep)
    return fills.mix_in(seen["estimate"], hole, fill, weights[:, None])


def score(image, hole, estimate) -> float:
    """PSNR over the hole of ``inpaint``'s output with ``estimate`` as the region's fill."""
    real_fill = pipeline._fill
    pipeline._fill = lambda *args, **kwargs: estimate
    try:
        out = gi.inpaint(image, hole, self_validation=False)
    finally:
        pipeline._fill = real_fill
    return gi.metrics.psnr(image, out, hole)


def run(cases, profiles: dict) -> dict:
    for profile in profiles.values():               # compile and warm the kernels
        _frequency.frequency_fill(np.zeros((40, 40, 1)), np.pad(np.ones((8, 8), bool), 16),
                                  profile=profile)
    results = {}
    for name, kind, image, hole in cases:
        seen = graph_estimate(image, hole)
        if seen["settings"].smooth != "frequency match":
            continue                                    # barbara: the boundary blend
        case = results[f"{name}, {kind}"] = {}
        values, region_hole = seen["smooth"].values, seen["hole"]
        for label, profile in profiles.items():
            cpu = time.process_time()
            fill = _frequency.frequency_fill(values, region_hole, on_hole=True, profile=profile)
            cpu = time.process_time() - cpu
            fill = fills.clip_to_known(fill, values, region_hole)
            case[label] = {"cpu": cpu, "alone": score(image, hole, fills.mix_in(
                seen["estimate"], region_hole, fill, 1.0))}
            for share in SHARES:
                for deep in DEEPS:
                    case[label][f"{share:g}/{deep:g}"] = score(
                        image, hole, mixed(seen, fill, share, deep))
        print(name, kind, {k: round(v["0.5/0.5"], 2) for k, v in case.items()},
              {k: round(v["cpu"], 2) for k, v in case.items()}, flush=True)
    return results


def region_of(image, hole) -> tuple[tuple[slice, slice], dict, np.ndarray]:
    """The working region ``inpaint`` cuts around ``hole``, the default's graph solution
    (:func:`graph_estimate`) and the spread of each hole pixel's last-round matches: the
    standard deviation of the matched pixels' values in the estimate they were found on."""
    regions, rounds = [], []
    real_box, real_matches = pipeline._bounding_box, _stages._round_matches

    def box(*args, **kwargs):
        regions.append(real_box(*args, **kwargs))
        return regions[-1]

    def matches(estimate, queries, **kwargs):
        rounds.append((estimate.copy(), real_matches(estimate, queries, **kwargs)))
        return rounds[-1][1]

    pipeline._bounding_box, _stages._round_matches = box, matches
    try:
        graph = graph_estimate(image, hole)
    finally:
        pipeline._bounding_box, _stages._round_matches = real_box, real_matches
    return regions[0], graph, match_spread(*rounds[-1], graph["hole"])


def match_spread(estimate: np.ndarray, matches, hole: np.ndarray) -> np.ndarray:
    """Per hole pixel (flat order), :func:`graphinpaint._stages.match_spread` of its matches;
    nan where the round did not refine it."""
    spread = np.full(np.count_nonzero(hole), np.nan)
    spread[np.searchsorted(np.flatnonzero(hole), matches.queries)] = _stages.match_spread(
        estimate.reshape(-1, estimate.shape[2]), matches)
    return spread


def dump(cases, profiles: dict, folder: Path, image_grid: bool = True) -> None:
    """Per case, the arrays a mixing rule reads (on the region's hole pixels, flat order): the
    truth and the graph solution in [0, 1], the match distances and spreads, the depths, every
    profile's frequency fill (clipped to the known range) and its models' misfit; and the
    region's values and hole."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, kind, image, hole in cases:
        region, seen, spread = region_of(image, hole)
        if seen["settings"].smooth != "frequency match":
            continue
        values, region_hole, smooth = seen["smooth"].values, seen["hole"], seen["smooth"]
        truth = image[region].reshape(*values.shape) / 255.0
        arrays = dict(truth=truth[region_hole], estimate=seen["estimate"][region_hole],
                      distance=smooth.match_distance, spread=spread,
                      depth=smooth.depths()[region_hole],
                      values=values, hole=region_hole)
        for label, profile in profiles.items():
            fill, misfit = _frequency.frequency_fit(values, region_hole, profile=profile)
            arrays[f"fill {label}"] = fills.clip_to_known(fill, values, region_hole)
            arrays[f"misfit {label}"] = misfit
            if not image_grid:
                continue
            # The same fill with its block grid anchored at the image's corner, as OpenCV's.
            whole = (image.reshape(*image.shape[:2], -1) / 255.0).astype(values.dtype)
            fill = _frequency._fit(whole, hole, profile, grid_phase=(0, 0))[0]
            arrays[f"fill {label}, image grid"] = fills.clip_to_known(fill, values, region_hole)
        np.savez_compressed(folder / f"{name}, {kind}.npz", **arrays)
        print(name, kind, flush=True)


CHILD = """
import sys, json, time, numpy as np
sys.path.insert(0, {benchmarks!r})
from thick_selection import thick_cases
import graphinpaint as gi
name, kind, image, hole = thick_cases()[int(sys.argv[1])]
gi.inpaint(image, hole)                             # compiled, cached, warm
cpu, wall = np.inf, np.inf
for _ in range({repeat}):
    c, w = time.process_time(), time.perf_counter()
    out = gi.inpaint(image, hole)
    cpu, wall = min(cpu, time.process_time() - c), min(wall, time.perf_counter() - w)
print(json.dumps([gi.metrics.psnr(image, out, hole), cpu, wall]))
"""


def timing(other: Path, repeat: int) -> None:
    """Least-of-``repeat`` process CPU (and wall) seconds of ``inpaint``'s default here and in
    the checkout ``other``, each case in a child process per checkout, alternating in order."""
    here = Path(__file__).resolve().parent.parent
    script = CHILD.format(benchmarks=str(Path(__file__).resolve().parent), repeat=repeat)
    print(f"| case | {other}: PSNR, CPU (wall) s | this checkout: PSNR, CPU (wall) s | "
          "CPU ratio |\n|---|---|---|---|")
    totals = {other: 0.0, here: 0.0}
    for index, (name, kind, _, _) in enumerate(thick_cases()):
        result = {}
        for root in ((other, here) if index % 2 == 0 else (here, other)):
            # Run in the checkout: ``python -c`` puts the working directory first on the path.
            env = dict(os.environ, PYTHONPATH=str(root))
            out = subprocess.run([sys.executable, "-c", script, str(index)], env=env, cwd=root,
                                 check=True, capture_output=True, text=True).stdout
            result[root] = json.loads(out.strip().splitlines()[-1])
            totals[root] += result[root][1]
        (a, b, c), (d, e, f) = result[other], result[here]
        print(f"| {name}, {kind} | {a:.2f} dB, {b:.3f} ({c:.3f}) | {d:.2f} dB, {e:.3f} "
              f"({f:.3f}) | {e / b:.2f} |", flush=True)
    print(f"| all | {totals[other]:.2f} | {totals[here]:.2f} | "
          f"{totals[here] / totals[other]:.2f} |")


def alternate(repeat: int, only: str | None = None) -> None:
    """Least-of-``repeat`` process CPU seconds of ``inpaint``'s default with the frequency fill
    at FSR_FAST (the base's) and at ``mixes.FREQUENCY_PROFILE``, alternated in one process
    (the machine is shared: runs in separate processes minutes apart differed by 0.6-1.8x),
    and of the fill alone on the working region; ``only``: the cases whose name contains it."""
    kept = mixes.FREQUENCY_PROFILE
    profiles = {"FSR_FAST": FAST, "kept": kept}
    cases = [case for case in thick_cases() if only is None or only in f"{case[0]}, {case[1]}"]
    gi.inpaint(*cases[-1][2:])                      # compile the kernels first
    print("| case | FSR_FAST: CPU s | kept profile: CPU s | CPU ratio | fill alone, FSR_FAST / "
          "kept: CPU s |\n|---|---|---|---|---|")
    totals = dict.fromkeys(profiles, 0.0)
    try:
        for name, kind, image, hole in cases:
            best = dict.fromkeys(profiles, np.inf)
            for _ in range(repeat):
                for label, profile in profiles.items():
                    mixes.FREQUENCY_PROFILE = profile
                    cpu = time.process_time()
                    gi.inpaint(image, hole)
                    best[label] = min(best[label], time.process_time() - cpu)
            seen = graph_estimate(image, hole)
            alone = {}
            for label, profile in profiles.items():
                cpu = time.process_time()
                _frequency.frequency_fill(seen["smooth"].values, seen["hole"], profile=profile)
                alone[label] = time.process_time() - cpu
            for label in profiles:
                totals[label] += best[label]
            print(f"| {name}, {kind} | {best['FSR_FAST']:.3f} | {best['kept']:.3f} | "
                  f"{best['kept'] / best['FSR_FAST']:.2f} | {alone['FSR_FAST']:.3f} / "
                  f"{alone['kept']:.3f} |", flush=True)
    finally:
        mixes.FREQUENCY_PROFILE = kept
    print(f"| all | {totals['FSR_FAST']:.2f} | {totals['kept']:.2f} | "
          f"{totals['kept'] / totals['FSR_FAST']:.2f} | |")


def table(results: dict) -> None:
    base = {case: r["fast"]["0.5/0.5"] for case, r in results.items()}
    profiles = list(next(iter(results.values())))
    print("| profile, share/deep | sum of changes | worst | cases lower by > 0.05 dB | CPU s |")
    print("|---|---|---|---|---|")
    for label in profiles:
        for mix in [f"{s:g}/{d:g}" for s in SHARES for d in DEEPS] + ["alone"]:
            gains = [r[label][mix] - base[c] for c, r in results.items()]
            cpu = sum(r[label]["cpu"] for r in results.values())
            print(f"| {label}, {mix} | {sum(gains):+.2f} | {min(gains):+.2f} | "
                  f"{sum(g < -0.05 for g in gains)} | {cpu:.2f} |")
    print()
    print("| case | fast 0.5/0.5 | " + " | ".join(f"{p}: best share (dB)" for p in profiles)
          + " |")
    print("|---|---|" + "---|" * len(profiles))
    for case, r in results.items():
        cells = []
        for label in profiles:
            mixes = {k: v for k, v in r[label].items() if "/" in k}
            best = max(mixes, key=mixes.get)
            cells.append(f"{mixes[best] - base[case]:+.2f} ({best}, 0.5/0.5 "
                         f"{r[label]['0.5/0.5'] - base[case]:+.2f}, {r[label]['cpu']:.2f} s)")
        print(f"| {case} | {base[case]:.2f} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("run", "table", "dump", "time", "alternate"))
    parser.add_argument("--against", type=Path, help="time: the checkout to time against")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="alternate: the cases whose name contains this text")
    parser.add_argument("--dir", default="frequency_cases")
    parser.add_argument("path", nargs="?")
    parser.add_argument("--json")
    parser.add_argument("--profiles", help="names of PROFILES, separated by semicolons")
    parser.add_argument("--no-image-grid", action="store_true",
                        help="dump: skip the fills on OpenCV's block grid")
    args = parser.parse_args()
    if args.mode == "table":
        table(json.loads(Path(args.path).read_text()))
        return
    names = args.profiles.split(";") if args.profiles else list(PROFILES)
    if args.mode == "alternate":
        alternate(args.repeat, args.only)
        return
    if args.mode == "time":
        timing(args.against.resolve(), args.repeat)
        return
    if args.mode == "dump":
        dump(thick_cases(), {n: PROFILES[n] for n in names}, Path(args.dir),
             image_grid=not args.no_image_grid)
        return
    results = run(thick_cases(), {n: PROFILES[n] for n in names})
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    table(results)


if __name__ == "__main__":
    main()
