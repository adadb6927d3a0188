"""Issue 13's study of frequency-selective extrapolation (:mod:`graphinpaint._frequency`) for
thick holes (blocks, blotches): the figures behind docs/pipeline.md, "Issue 13: frequency
selective extrapolation for compact holes".

    python benchmarks/thick_frequency.py oracle   # every mix scored on the real hole
    python benchmarks/thick_frequency.py heldout  # the held-out choice among them, by bar
    python benchmarks/thick_frequency.py guide    # as the layers' guide, as the rounds' start
    python benchmarks/thick_frequency.py branch   # held-out choice: the default or the rounds
                                                  # from the frequency fill
    python benchmarks/thick_frequency.py time     # the frequency fill's time against inpaint's
    python benchmarks/thick_frequency.py opencv   # the fill alone against OpenCV's FSR_FAST

Cases: the 26 thick cases of ``thick_selection.py``. PSNR over the hole, dB.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import fills, mixes, pipeline, _pyramid, selection  # noqa: E402
from cases import region_fill_module  # noqa: E402
from graphinpaint._frequency import frequency_fill  # noqa: E402
from graphinpaint._image_range import _channels_last, _to_unit_range  # noqa: E402
import thick_far  # noqa: E402
from compare import xphoto  # noqa: E402
from thick_selection import DEFAULT, graph_estimate, label, thick_cases  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched

GRAPH_FILL = pipeline._graph_fill


def mains_mix(strategy, thick, rounds, smooth_share, deep=False):
    """``pipeline._default_mix`` as on main (00d29a9): thick holes take the boundary blend."""
    if smooth_share is None and thick and rounds > 0 and not deep:
        return "boundary", 0.25
    return DEFAULT_MIX(strategy, thick, rounds, smooth_share, deep)


DEFAULT_MIX = pipeline._default_mix


@contextlib.contextmanager
def mains_default():
    """``inpaint`` with main's mix for thick holes: the studies below compare against it."""
    pipeline._default_mix = mains_mix
    try:
        yield
    finally:
        pipeline._default_mix = DEFAULT_MIX


def by_match_quality(kind: str, share: float, deep: float,
                     scale: float = mixes.MATCH_DISTANCE, blend: bool = False):
    """A mix by match quality (``SmoothFills.match_mix``'s rule) of the fill ``kind``: a hole
    pixel whose last round's matches lie at mean distance d takes ``share * min(d / scale,
    1)`` of it near the known pixels, ``deep`` times that deeper; with ``blend``, mixed into
    the default's boundary blend rather than the graph solution."""
    def mix(estimate, hole, smooth):
        if blend:
            estimate = smooth.blend(estimate, 0.25)
        near = smooth.depths()[hole] <= fills.BLEND_DEPTH
        quality = np.minimum(smooth.match_distance / scale, 1.0)
        weights = share * quality * np.where(near, 1.0, deep)
        return fills.mix_in(estimate, hole, smooth.on_hole(kind), weights[:, None])
    return mix


QUALITY_MIXES = {f"{kind} by match {share:g}, deep x{deep:g}": by_match_quality(kind, share, deep)
                 for kind in ("frequency", "biharmonic") for share in (0.5, 1.0)
                 for deep in (0.5, 1.0)}
QUALITY_MIXES.update({
    f"frequency by match {share:g}, deep x{deep:g}, d/{scale:g}{', on the blend' * blend}":
    by_match_quality("frequency", share, deep, scale, blend)
    for share in (0.5, 0.75) for deep in (0.25, 0.5) for scale in (0.08, 0.12, 0.2)
    for blend in (False, True)})


def oracle(image, hole) -> dict[str, float]:
    """PSNR over the hole of every mix (the frequency fill's too, and mixes by match quality)
    of the graph solution."""
    seen = graph_estimate(image, hole)
    real_fill = pipeline._fill
    mixes = {label(candidate): lambda e, h, s, c=candidate: mixes.mix_smooth(e, h, c, s)
             for candidate in selection.smooth_candidates(seen["settings"],
                                                          selection.THICK_SMOOTH_KINDS)}
    mixes.update(QUALITY_MIXES)
    scores = {}
    for name, mix in mixes.items():
        pipeline._fill = lambda *args, m=mix, **kwargs: m(seen["estimate"], seen["hole"],
                                                           seen["smooth"])
        try:
            out = gi.inpaint(image, hole, self_validation=False)
        finally:
            pipeline._fill = real_fill
        scores[name] = gi.metrics.psnr(image, out, hole)
    return scores


def run_oracle(cases) -> None:
    every = {}
    for name, kind, image, hole in cases:
        every[f"{name}, {kind}"] = oracle(image, hole)
    print("| mix, the same for every case | sum of changes against main's mix (boundary 0.25) | "
          "worst | cases lower by > 0.05 dB |")
    print("|---|---|---|---|")
    for mix in every[next(iter(every))]:
        gains = [scores[mix] - scores[DEFAULT] for scores in every.values()]
        print(f"| {mix} | {sum(gains):+.2f} | {min(gains):+.2f} | "
              f"{sum(g < -0.05 for g in gains)} |")
    best = max(QUALITY_MIXES, key=lambda m: sum(v[m] for v in every.values()))
    print(f"\nper case, {best}: " + ", ".join(
        f"{case} {scores[best] - scores[DEFAULT]:+.2f}" for case, scores in every.items()))
    print()
    print("| case | default | main's mix (boundary 0.25), no self-validation | frequency 1 | "
          "best frequency mix | best other mix |")
    print("|---|---|---|---|---|---|")
    for name, kind, image, hole in cases:
        scores = every[f"{name}, {kind}"]
        default = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
        freq = {k: v for k, v in scores.items() if k.startswith("frequency")}
        other = {k: v for k, v in scores.items() if not k.startswith("frequency")}
        best_f, best_o = max(freq, key=freq.get), max(other, key=other.get)
        print(f"| {name}, {kind} | {default:.2f} | {scores['boundary 0.25']:.2f} | "
              f"{scores['frequency 1']:.2f} | {freq[best_f]:.2f} ({best_f}) | "
              f"{other[best_o]:.2f} ({best_o}) |", flush=True)


BARS = (0.95, 0.9, 0.8, 0.7, 0.6, 0.5)


def held_out_errors(image, hole) -> dict[str, float]:
    """The thick path's held-out mean squared error of every mix (frequency included)."""
    seen = {}
    real_choose = pipeline.choose_settings

    def capture(*args, **options):
        options["kinds"] = selection.THICK_SMOOTH_KINDS
        chosen, errors = real_choose(*args, **options)
        seen["errors"] = errors
        return chosen, errors

    pipeline.choose_settings = capture
    try:
        gi.inpaint(image, hole)
    finally:
        pipeline.choose_settings = real_choose
    return {label(settings): error for settings, error in seen.get("errors", [])}


def choice(errors: dict[str, float], bar: float, kinds: tuple[str, ...]) -> str:
    """The mix the held-out rule picks among those of ``kinds`` (and the given one)."""
    allowed = {k: v for k, v in errors.items()
               if k == DEFAULT or k.split()[0] in ("none", "boundary", *kinds)}
    best = min(allowed, key=allowed.get)
    gain = allowed[DEFAULT] - allowed[best]
    return best if gain > max((1 - bar) * allowed[DEFAULT], selection.FLOOR) else DEFAULT


def run_heldout(cases) -> None:
    table = []
    for name, kind, image, hole in cases:
        truth, errors = oracle(image, hole), held_out_errors(image, hole)
        table.append((f"{name}, {kind}", truth, errors))
        ranked = sorted(errors, key=errors.get)[:3]
        print(f"{name}, {kind}: held-out best {ranked}; real best "
              f"{max(truth, key=truth.get)}", flush=True)
    print("\n| kinds | bar | sum of gains | worst | cases changed (gain) |")
    print("|---|---|---|---|---|")
    for kinds in (selection.SMOOTH_KINDS, selection.THICK_SMOOTH_KINDS, ("frequency",)):
        for bar in BARS:
            gains = {case: truth[choice(errors, bar, kinds)] - truth[DEFAULT]
                     for case, truth, errors in table if errors}
            changed = ", ".join(f"{case} {gain:+.2f}" for case, gain in gains.items() if gain)
            print(f"| {'/'.join(kinds)} | {bar} | {sum(gains.values()):+.2f} | "
                  f"{min(gains.values()):+.2f} | {changed} |", flush=True)


def frequency_guide(values, hole, fill, settings):
    """In place of ``_pyramid.coarse_guide``: the frequency fill of the hole."""
    return frequency_fill(values, hole)


def frequency_start(values, hole, settings, progress=None, *, smooth=None, each_round=None,
                    **options):
    """The thick path's rounds from the frequency fill instead of the layers."""
    if not (settings.strategy == "layers" and settings.patch_size == 11):
        return GRAPH_FILL(values, hole, settings, progress, smooth=smooth,
                          each_round=each_round, **options)
    estimate = frequency_fill(values, hole)
    for _ in range(settings.rounds):
        estimate, distance = region._refine(
            values, hole, estimate, patch_size=settings.patch_size, k=settings.refinement_k,
            window=settings.window, bandwidth=settings.bandwidth,
            grid_weight=settings.grid_weight, solve=settings.solve_options(), candidates=None)
        if smooth is not None:
            smooth.match_distance = distance
        if each_round is not None:
            each_round(estimate)
    return estimate


def run_guide(cases) -> None:
    named = [(f"{n}, {k}", i, h) for n, k, i, h in cases]
    runs = {"default": thick_far.run(named, {}),
            "frequency guide (0.6)": thick_far.run(named, {"coarse_guide": frequency_guide},
                                                   module=_pyramid, coarse_to_fine=True),
            "rounds from the frequency fill": thick_far.run(
                named, {"_graph_fill": frequency_start})}
    thick_far.table(named, runs)


def branch_errors(image, hole) -> tuple[float, float]:
    """The held-out mean squared error of the default's graph fill and of the rounds from the
    frequency fill, on the thick selection's held-out problem, each with its given mix."""
    seen = []
    real_choose = pipeline.choose_settings

    def capture(values_of, hole, settings, fill, **options):
        for branch in (fill, frequency_start):
            _, errors = real_choose(values_of, hole, settings, branch, **options)
            seen.append(errors[0][1] if errors else float("nan"))
        return settings, []

    pipeline.choose_settings = capture
    try:
        gi.inpaint(image, hole)
    finally:
        pipeline.choose_settings = real_choose
    return seen[0], seen[1]


def run_branch(cases) -> None:
    named = [(f"{n}, {k}", i, h) for n, k, i, h in cases]
    default = thick_far.run(named, {})
    start = thick_far.run(named, {"_graph_fill": frequency_start})
    print("| case | default | rounds from the frequency fill | held-out error ratio |")
    print("|---|---|---|---|")
    rows = []
    for case, image, hole in named:
        graph, freq = branch_errors(image, hole)
        rows.append((case, start[case][0] - default[case][0], freq / graph))
        print(f"| {case} | {default[case][0]:.2f} | {rows[-1][1]:+.2f} | {rows[-1][2]:.2f} |",
              flush=True)
    for bar in BARS:
        gains = [gain for _, gain, ratio in rows if ratio < bar]
        print(f"bar {bar}: {len(gains)} switched, sum {sum(gains):+.2f}, "
              f"worst {min(gains, default=0):+.2f}")


def run_time(cases) -> None:
    """Least of three process-CPU and wall times of ``inpaint``, main's mix and the frequency
    match alternated in one process; the frequency fill of the region alone."""
    gi.inpaint(*cases[-1][2:])          # compile the kernels first
    frequency_fill(np.zeros((40, 40, 1)), np.pad(np.ones((8, 8), bool), 16))
    print("| case | main's mix: CPU (wall) s | frequency match: CPU (wall) s | CPU ratio | "
          "frequency fill alone, CPU s |")
    print("|---|---|---|---|---|")
    totals = [0.0, 0.0]
    for name, kind, image, hole in cases:
        best = [[np.inf, np.inf], [np.inf, np.inf]]
        for _ in range(3):
            for index, mix in enumerate((mains_mix, DEFAULT_MIX)):
                pipeline._default_mix = mix
                try:
                    cpu, wall = time.process_time(), time.perf_counter()
                    gi.inpaint(image, hole)
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                finally:
                    pipeline._default_mix = DEFAULT_MIX
                best[index] = [min(best[index][0], cpu), min(best[index][1], wall)]
        values, _ = _to_unit_range(_channels_last(image, -1 if image.ndim == 3 else None,
                                                  "inpaint"), hole)
        cpu = time.process_time()
        frequency_fill(values, hole)
        fill = time.process_time() - cpu
        totals = [totals[0] + best[0][0], totals[1] + best[1][0]]
        print(f"| {name}, {kind} | {best[0][0]:.3f} ({best[0][1]:.3f}) | {best[1][0]:.3f} "
              f"({best[1][1]:.3f}) | {best[1][0] / best[0][0]:.2f} | {fill:.3f} |", flush=True)
    print(f"| all | {totals[0]:.2f} | {totals[1]:.2f} | {totals[1] / totals[0]:.2f} | |")


def run_opencv(cases) -> None:
    """The frequency fill alone against ``cv2.xphoto.inpaint`` (``INPAINT_FSR_FAST``), both
    one channel at a time, on the 24 block and blotch cases; process CPU seconds in total."""
    import cv2

    frequency_fill(np.zeros((40, 40, 1)), np.pad(np.ones((8, 8), bool), 16))
    print("| case | OpenCV FSR_FAST per channel | ours | change |")
    print("|---|---|---|---|")
    seconds = [0.0, 0.0]
    for name, kind, image, hole in cases:
        if kind == "seed mask":
            continue
        channels = image[..., None] if image.ndim == 2 else image
        start = time.process_time()
        theirs = xphoto(cv2.xphoto.INPAINT_FSR_FAST, per_channel=True)(channels, hole)
        middle = time.process_time()
        ours = frequency_fill(channels / 255.0, hole)
        seconds = [seconds[0] + middle - start, seconds[1] + time.process_time() - middle]
        ours = np.clip(np.rint(ours * 255), 0, 255).astype(np.uint8)
        a, b = gi.metrics.psnr(channels, theirs, hole), gi.metrics.psnr(channels, ours, hole)
        print(f"| {name}, {kind} | {a:.2f} | {b:.2f} | {b - a:+.2f} |", flush=True)
    print(f"| CPU, all | {seconds[0]:.2f} s | {seconds[1]:.2f} s | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("oracle", "heldout", "guide", "branch", "time",
                                         "opencv"))
    args = parser.parse_args()
    cases = thick_cases()
    studies = {"heldout": run_heldout, "guide": run_guide, "branch": run_branch}
    if args.mode in studies:
        with mains_default():           # measured against main's mix (00d29a9)
            studies[args.mode](cases)
        return
    {"oracle": run_oracle, "time": run_time, "opencv": run_opencv}[args.mode](cases)


if __name__ == "__main__":
    main()
