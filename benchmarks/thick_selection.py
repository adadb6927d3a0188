"""Issue 13's study of a cheap selection for thick holes (blocks, blotches): the figures behind
docs/pipeline.md, "Issue 13: a cheap selection for thick holes".

    python benchmarks/thick_selection.py oracle     # every smooth mix, scored on the real hole
    python benchmarks/thick_selection.py heldout    # held-out designs x rounds x bars
    python benchmarks/thick_selection.py premix     # a smooth fill mixed in before the rounds
    python benchmarks/thick_selection.py time       # the default against self_validation=False
    python benchmarks/thick_selection.py stats      # match quality against the smooth mixes' gain
    python benchmarks/thick_selection.py coherence  # choosing a branch by its patch coherence
    python benchmarks/thick_selection.py heldwindow # held-out fill: its own window against 51

Cases: the block 32 / block 64 / blotches masks of ``cases.wide_cases`` and the seed's fly and
barbara (both thick) when ``../shared/data/seed`` is present. PSNR over the hole, dB.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import fills, mixes, pipeline, selection, _thick_holes  # noqa: E402
from cases import region_fill_module  # noqa: E402
from graphinpaint.graph import PatchSearch, window_knn  # noqa: E402
from cases import seed_example, wide_cases  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched

DEFAULT = "boundary 0.25"
MARGINS = (0.95, 0.9, 0.8, 0.7, 0.6)


def thick_cases():
    cases = [case for case in wide_cases() if case[1] in ("block 32", "block 64", "blotches")]
    for name in ("fly", "barbara"):
        example = seed_example(name)
        if example is not None:
            cases.insert(0, (name, "seed mask", *example))
    return cases


def label(settings) -> str:
    return f"{settings.smooth} {settings.smooth_share:g}"


def graph_estimate(image, hole) -> dict:
    """The default's graph solution (one fill, no self-validation), with its settings, hole
    and smooth fills, as ``inpaint`` hands them to its last stage."""
    seen = {}
    real_fill = pipeline._fill

    def capture(values, hole, settings, progress=None, smooth=None, **_):
        # _fill's other options (mix_choice, scattered) do not bear on the graph solution.
        smooth = mixes.SmoothFills(values, hole, settings.method)
        estimate = pipeline._graph_fill(values, hole, settings, smooth=smooth)
        seen.update(estimate=estimate, smooth=smooth, hole=hole, settings=settings)
        return mixes.mix_smooth(estimate, hole, settings, smooth)

    pipeline._fill = capture
    try:
        gi.inpaint(image, hole, self_validation=False)
    finally:
        pipeline._fill = real_fill
    return seen


def oracle(image, hole) -> dict[str, float]:
    """PSNR over the hole of every smooth mix of the default's graph solution (one fill)."""
    seen = graph_estimate(image, hole)
    real_fill = pipeline._fill
    scores = {}
    for candidate in selection.smooth_candidates(seen["settings"]):
        pipeline._fill = lambda *args, c=candidate, **kwargs: mixes.mix_smooth(
            seen["estimate"], seen["hole"], c, seen["smooth"])
        try:
            out = gi.inpaint(image, hole, self_validation=False)
        finally:
            pipeline._fill = real_fill
        scores[label(candidate)] = gi.metrics.psnr(image, out, hole)
    return scores


DESIGNS = {
    "same size, moved beside (the previous option)": lambda hole, margin: selection.held_out(
        hole, scattered=False, margin=margin, rng=np.random.default_rng(0)),
    "halved, one side (default)": _thick_holes.shrunk_beside,
    "halved, two sides": lambda hole, margin: _thick_holes.shrunk_beside(hole, margin, sides=2),
    "a third, two sides": lambda hole, margin: _thick_holes.shrunk_beside(hole, margin, scale=3,
                                                                          sides=2),
}


def held_out_errors(image, hole, design) -> dict[int, dict[str, float]]:
    """Held-out mean squared error of every smooth mix after 1, 2 and 3 rounds."""
    seen = {}
    real_choose = pipeline.choose_settings

    def capture(values_of, hole, settings, fill, **options):
        options.update(case=DESIGNS[design](hole, options["margin"]), rounds=(2, 3))
        if options["case"] is None:
            return settings, []
        _, errors = real_choose(values_of, hole, settings.replace(rounds=1), fill, **options)
        seen["errors"] = errors
        return settings, errors

    pipeline.choose_settings = capture
    try:
        gi.inpaint(image, hole, self_validation=True)
    finally:
        pipeline.choose_settings = real_choose
    by_rounds: dict[int, dict[str, float]] = {}
    for candidate, error in seen.get("errors", []):
        by_rounds.setdefault(candidate.rounds, {})[label(candidate)] = error
    return by_rounds


def run_oracle(cases) -> dict[str, dict[str, float]]:
    table = {}
    for name, kind, image, hole in cases:
        scores = oracle(image, hole)
        if not table:
            print("| case | " + " | ".join(scores) + " | best mix |")
            print("|---" * (len(scores) + 2) + "|")
        best = max(scores, key=scores.get)
        table[f"{name}, {kind}"] = scores
        print(f"| {name}, {kind} | " + " | ".join(f"{v:.2f}" for v in scores.values())
              + f" | {best} ({scores[best] - scores[DEFAULT]:+.2f}) |", flush=True)
    return table


def run_heldout(cases) -> None:
    truth = run_oracle(cases)
    errors = {design: {f"{n}, {k}": held_out_errors(i, h, design) for n, k, i, h in cases}
              for design in DESIGNS}
    print("\n| held-out design | scored after | bar (error ratio) | sum of gains | worst | "
          "cases worse by > 0.05 dB | changed cases |")
    print("|---|---|---|---|---|---|---|")
    for design, per_case in errors.items():
        for rounds in (1, 3):
            for margin in MARGINS:
                gains, changed = [], []
                for case, by_rounds in per_case.items():
                    errs = by_rounds.get(rounds)
                    if not errs:
                        continue
                    best = min(errs, key=errs.get)
                    pick = best if errs[best] < margin * errs[DEFAULT] else DEFAULT
                    gain = truth[case][pick] - truth[case][DEFAULT]
                    gains.append(gain)
                    if pick != DEFAULT:
                        changed.append(f"{case} {gain:+.2f}")
                print(f"| {design} | {rounds} round{'s' if rounds > 1 else ''} | {margin} | "
                      f"{sum(gains):+.2f} | {min(gains):+.2f} | "
                      f"{sum(g < -0.05 for g in gains)} | {'; '.join(changed)} |", flush=True)


def run_premix(cases) -> None:
    """A smooth fill averaged into the layers' estimate before the refinement rounds."""
    variants = [("biharmonic", 0.25), ("biharmonic", 0.5), ("laplace", 0.5)]
    real_layers = region._fill_layers
    mix = {}

    def premixed(values, hole, estimate, *args, **kwargs):
        estimate = real_layers(values, hole, estimate, *args, **kwargs)
        if mix:
            smooth = mixes.SmoothFills(values * ~hole[..., None], hole)[mix["kind"]]
            estimate = fills.mix_in(estimate, hole, smooth[hole], mix["share"])
        return estimate

    print("| case | default | " + " | ".join(f"{k} {s} before the rounds (its average with "
                                             "the default)" for k, s in variants) + " |")
    print("|---" * (len(variants) + 2) + "|")
    region._fill_layers = premixed
    try:
        for name, kind, image, hole in cases:
            mix.clear()
            default = gi.inpaint(image, hole, self_validation=False)
            base = gi.metrics.psnr(image, default, hole)
            cells = []
            for kind_, share in variants:
                mix.update(kind=kind_, share=share)
                out = gi.inpaint(image, hole, self_validation=False)
                average = (default.astype(float) + out) / 2       # the two branches averaged
                cells.append(f"{gi.metrics.psnr(image, out, hole) - base:+.2f} "
                             f"({gi.metrics.psnr(image, average, hole) - base:+.2f})")
            print(f"| {name}, {kind} | {base:.2f} | " + " | ".join(cells) + " |", flush=True)
    finally:
        region._fill_layers = real_layers


def run_time(cases, repeat: int = 2) -> None:
    """PSNR and least time of ``repeat`` calls, self_validation=False (the previous default for
    thick holes) and the default, alternating in one process."""
    print("| case | self_validation=False | default | difference | time ratio |")
    print("|---|---|---|---|---|")
    totals = [0.0, 0.0]
    for name, kind, image, hole in cases:
        best = {}
        for _ in range(repeat):
            for key, options in (("off", dict(self_validation=False)), ("on", {})):
                start = time.perf_counter()
                out = gi.inpaint(image, hole, **options)
                took = time.perf_counter() - start
                best[key] = (gi.metrics.psnr(image, out, hole),
                             min(took, best.get(key, (0, np.inf))[1]))
        (p_off, t_off), (p_on, t_on) = best["off"], best["on"]
        totals[0] += t_off
        totals[1] += t_on
        print(f"| {name}, {kind} | {p_off:.2f} ({t_off:.2f} s) | {p_on:.2f} ({t_on:.2f} s) | "
              f"{p_on - p_off:+.2f} | {t_on / t_off:.2f} |", flush=True)
    print(f"\ntotal {totals[0]:.1f} s -> {totals[1]:.1f} s: {totals[1] / totals[0]:.2f}x")


def _best_distances(graph) -> np.ndarray:
    matrix = graph.matrix.tocsr()
    return np.array([matrix.data[a:b].min() for a, b in zip(matrix.indptr[:-1], matrix.indptr[1:])
                     if b > a])


def _variogram(values, hole, lag, band=16) -> float:
    """Half the mean squared difference of known pixels ``lag`` apart (rows and columns),
    within ``band`` pixels of the hole, per channel."""
    known = ~hole
    near = known & (ndi.distance_transform_cdt(known) <= band)
    squares = []
    for dy, dx in ((lag, 0), (0, lag)):
        h, w = values.shape[0] - dy, values.shape[1] - dx
        both = near[:h, :w] & known[dy:, dx:]
        squares.append(((values[:h, :w] - values[dy:, dx:]) ** 2).sum(-1)[both])
    return 0.5 * float(np.concatenate(squares).mean()) / values.shape[2]


def run_stats(cases) -> None:
    """Match quality (mean squared distance of the first layer's best matches) over the
    variogram at lag 4 of the known pixels near the hole, beside what a smooth mix gains; and
    the best rule "mix X where the ratio exceeds t"."""
    seen = {}
    real_query, real_fill = PatchSearch.query, pipeline._fill

    def query(self, queries, **options):
        graph = real_query(self, queries, **options)
        seen.setdefault("first", _best_distances(graph))
        return graph

    def fill(values, hole, settings, progress=None):
        seen.update(values=values, hole=hole)
        return real_fill(values, hole, settings, progress)

    PatchSearch.query, pipeline._fill = query, fill
    ratios, truth = {}, {}
    try:
        for name, kind, image, hole in cases:
            seen.clear()
            gi.inpaint(image, hole, self_validation=False)
            key = f"{name}, {kind}"
            ratios[key] = float(np.mean(seen["first"] ** 2)) / _variogram(seen["values"],
                                                                          seen["hole"], 4)
    finally:
        PatchSearch.query, pipeline._fill = real_query, real_fill
    for name, kind, image, hole in cases:
        truth[f"{name}, {kind}"] = oracle(image, hole)
    gains = {k: max(t.values()) - t[DEFAULT] for k, t in truth.items()}
    print("| case | match quality / variogram(4) | best mix gains |")
    print("|---|---|---|")
    for key in sorted(ratios, key=ratios.get):
        print(f"| {key} | {ratios[key]:.3f} | {gains[key]:+.2f} |")
    keys = list(ratios)
    correlation = np.corrcoef(np.log([ratios[k] for k in keys]), [gains[k] for k in keys])[0, 1]
    print(f"\ncorrelation of the ratio's log with the best mix's gain: {correlation:.2f}")
    rules = []
    for threshold in sorted(ratios.values()):
        for candidate in truth[next(iter(truth))]:
            picked = [truth[k][candidate if ratios[k] > threshold else DEFAULT] - truth[k][DEFAULT]
                      for k in truth]
            rules.append((sum(picked), min(picked), threshold, candidate))
    print("\nbest rules (sum of gains, worst case):")
    for total, worst, threshold, candidate in sorted(rules, reverse=True)[:5]:
        print(f"  {candidate} where the ratio > {threshold:.3f}: {total:+.2f} dB, "
              f"worst {worst:+.2f}")
    safe = [rule for rule in rules if rule[1] >= -0.05]
    total, worst, threshold, candidate = max(safe)
    print(f"best rule losing nowhere more than 0.05 dB: {candidate} where the ratio > "
          f"{threshold:.3f}: {total:+.2f} dB")


def run_coherence(cases) -> None:
    """Three branches (the default; biharmonic or Laplace 0.5 mixed in before the rounds),
    and the one whose hole patches lie nearest known patches (Wexler et al.'s coherence: mean
    squared distance of every third hole pixel's best known match) picked."""
    real_layers, real_fill = region._fill_layers, pipeline._fill
    mix, seen = {}, {}

    def premixed(values, hole, estimate, *args, **kwargs):
        estimate = real_layers(values, hole, estimate, *args, **kwargs)
        if mix:
            smooth = mixes.SmoothFills(values * ~hole[..., None], hole)[mix["kind"]]
            estimate = fills.mix_in(estimate, hole, smooth[hole], 0.5)
        return estimate

    def fill(values, hole, settings, progress=None):
        out = real_fill(values, hole, settings, progress)
        queries = np.zeros_like(hole)
        queries[::3, ::3] = True
        window = min(2 * (int(fills.layer_depths(hole).max()) + settings.patch_size // 2) + 1,
                     121)
        graph = window_knn(out.astype(np.float32), np.flatnonzero(queries & hole), k=1,
                           patch_size=settings.patch_size, window=window, candidates=~hole)
        seen["energy"] = float(np.mean(_best_distances(graph) ** 2))
        return out

    print("| case | default: PSNR / coherence | biharmonic 0.5 first | Laplace 0.5 first | "
          "picked: gain (best) |")
    print("|---|---|---|---|---|")
    region._fill_layers, pipeline._fill = premixed, fill
    try:
        for name, kind, image, hole in cases:
            branches = []
            for kind_ in (None, "biharmonic", "laplace"):
                mix.clear()
                if kind_:
                    mix["kind"] = kind_
                out = gi.inpaint(image, hole, self_validation=False)
                branches.append((gi.metrics.psnr(image, out, hole), seen["energy"]))
            picked = min(range(3), key=lambda i: branches[i][1])
            best = max(p for p, _ in branches)
            print(f"| {name}, {kind} | " + " | ".join(f"{p:.2f} / {e * 1e4:.1f}"
                                                      for p, e in branches)
                  + f" | {branches[picked][0] - branches[0][0]:+.2f} "
                    f"({best - branches[0][0]:+.2f}) |", flush=True)
    finally:
        region._fill_layers, pipeline._fill = real_layers, real_fill


def run_heldwindow(cases, repeat: int = 3) -> None:
    """A deep hole's held-out fill with the window of its own depth (the default) against the
    real hole's (``DEEP_WINDOW``, the previous default): the same output, and the median time
    of ``repeat`` calls after a warm-up, alternating in one process."""
    own = pipeline._held_out_settings

    def real_window(held, settings):
        return settings, np.iinfo(np.int64).max     # the window and the reach of the real hole

    print("| case | same output | PSNR | window 51 | own window | time ratio |")
    print("|---|---|---|---|---|---|")
    totals = [0.0, 0.0]
    for name, kind, image, hole in cases:
        times, outs = {"real": [], "own": []}, {}
        for turn in range(repeat + 1):
            for key, settings_of in (("real", real_window), ("own", own)):
                pipeline._held_out_settings = settings_of
                start = time.perf_counter()
                outs[key] = gi.inpaint(image, hole)
                if turn:
                    times[key].append(time.perf_counter() - start)
        pipeline._held_out_settings = own
        t_real, t_own = (float(np.median(times[key])) for key in ("real", "own"))
        totals[0] += t_real
        totals[1] += t_own
        print(f"| {name}, {kind} | {np.array_equal(outs['real'], outs['own'])} | "
              f"{gi.metrics.psnr(image, outs['own'], hole):.2f} | {t_real:.2f} s | "
              f"{t_own:.2f} s | {t_own / t_real:.2f} |", flush=True)
    print(f"\ntotal {totals[0]:.1f} s -> {totals[1]:.1f} s: {totals[1] / totals[0]:.2f}x")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=("oracle", "heldout", "premix", "time", "stats",
                                          "coherence", "heldwindow"))
    args = parser.parse_args(argv)
    gi.inpaint(np.zeros((32, 32, 3), np.uint8), np.eye(32, dtype=bool))      # numba warm-up
    cases = thick_cases()
    {"oracle": run_oracle, "heldout": run_heldout, "premix": run_premix, "time": run_time,
     "stats": run_stats, "coherence": run_coherence,
     "heldwindow": run_heldwindow}[args.study](cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
