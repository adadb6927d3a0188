"""Does self-validation choose the rounds and patch size of scattered loss well?

    python benchmarks/scattered_rounds.py                       # 24 cases, about 5 minutes
    python benchmarks/scattered_rounds.py --only cartoon
    python benchmarks/scattered_rounds.py --time-against <a checkout of main> --repeat 2

The cases are the compare benchmark's 24 random-loss cases (``cases.wide_cases``: eight images x
50/80/90% loss). For each patch size (7 and ``selection.PATCH_SIZES``) the graph solution is run
once with three rounds on the held-out window and once on the image, and every smooth mix is
scored after each round: on the held-out pixels (what self-validation sees) and on the real hole
(the truth). The table gives, per case, the PSNR over the hole (8-bit, as ``inpaint`` returns it)
of

* the previous default: one round of 7 x 7 patches, the mix chosen on the held-out pixels;
* the choice among ``selection.ROUNDS`` rounds of 7 x 7 patches, then among 7 x 7 and 11 x 11
  patches, by the rule of ``selection.choose_settings`` (``MARGIN`` and ``FLOOR`` for the
  one-round mix; for the rest, the held-out error charged ``COST_DROP`` per extra unit of
  ``relative_cost``);
* the same with a third round scored for the patch size of least held-out error after two
  (``selection.LAST_ROUNDS``, ``FURTHER_ROUND_GATE``: ``choose_staged``), the shipped rule;
* the best candidate on the real hole (the oracle), and the best per round count (1-3).

``--json PATH`` writes every candidate's held-out error and PSNR, and the seconds to the end of
each round on the held-out window and on the image, to simulate other rules offline.

``--time-against PATH`` times ``inpaint``'s default in this checkout and in the one at PATH
(``PATH/graphinpaint``), each case in child processes alternating in order, least of
``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import wide_cases  # noqa: E402
from graphinpaint import pipeline, selection  # noqa: E402
from graphinpaint.mixes import SmoothFills, mix_smooth  # noqa: E402
from graphinpaint.selection import held_out, smooth_candidates  # noqa: E402
from graphinpaint.settings import Settings  # noqa: E402

ROUNDS = 3
GLOBAL = Settings(strategy="global", window=15, bandwidth=0.05, grid_weight=0.2,
                  smooth="none", smooth_share=0.25)


def random_cases(only: str | None):
    for name, kind, image, hole in wide_cases():
        if kind.startswith("random") and (only is None or only in f"{name}, {kind}"):
            yield f"{name}, {kind}", image, hole


def each_round(values: np.ndarray, hole: np.ndarray, settings: Settings):
    """The graph solution after each of ROUNDS rounds, the shared smooth fills, and the seconds
    from the start to the end of each round."""
    estimates: list[np.ndarray] = []
    seconds: list[float] = []
    smooth = SmoothFills(values, hole, settings.method)
    start = time.perf_counter()

    def keep(estimate: np.ndarray) -> None:
        estimates.append(estimate)
        seconds.append(time.perf_counter() - start)

    pipeline._graph_fill(values, hole, settings.replace(rounds=ROUNDS), smooth=smooth,
                         each_round=keep)
    return estimates, smooth, seconds


def scores(image: np.ndarray, hole: np.ndarray, patch: int) -> tuple[dict, dict, dict, tuple]:
    """{(patch, rounds, smooth, share): held-out MSE}, {same: PSNR over the real hole},
    {"held" or "image": seconds to the end of each round} of this patch size, and the share of
    the held-out hole each later round refined (``selection.relative_cost``'s ``shares``)."""
    pixels = image if image.ndim == 3 else image[..., None]
    values, _ = pipeline._to_unit_range(pixels, hole, (0.0, 255.0))
    settings = GLOBAL.replace(patch_size=patch)
    case = held_out(hole, scattered=True, margin=0, rng=np.random.default_rng(0))
    local = values[case.window].copy()
    local[case.hole] = 0
    truth = values[case.window][case.pixels]
    held, true = {}, {}
    estimates, smooth, held_seconds = each_round(local, case.hole, settings)
    # The share of the held-out hole each later round refined, which its cost follows.
    shares = selection._refined_shares({(patch, n): e for n, e in enumerate(estimates, start=1)},
                                       smooth, case.hole)[patch]
    for count, estimate in enumerate(estimates, start=1):
        for c in smooth_candidates(settings):
            mixed = mix_smooth(estimate, case.hole, c, smooth)
            held[patch, count, c.smooth, c.smooth_share] = float(
                np.mean((mixed[case.pixels] - truth) ** 2))
    estimates, smooth, seconds = each_round(values, hole, settings)
    for count, estimate in enumerate(estimates, start=1):
        for c in smooth_candidates(settings):
            mixed = np.clip(np.rint(mix_smooth(estimate, hole, c, smooth) * 255), 0, 255)
            true[patch, count, c.smooth, c.smooth_share] = gi.metrics.psnr(
                pixels.astype(float), mixed, hole, data_range=255)
    return held, true, {"held": held_seconds, "image": seconds}, shares


def choose(held: dict, patches: tuple[int, ...], counts: tuple[int, ...] = selection.ROUNDS,
           drop: float = selection.COST_DROP, shares: dict | None = None) -> tuple:
    """The rule of selection.choose_settings on precomputed held-out errors, with round counts
    ``counts`` and COST_DROP = ``drop``; ``shares``: per patch size, the share of the hole each
    later round refined (without them every round is charged in full)."""
    shares = {} if shares is None else {int(patch): tuple(s) for patch, s in shares.items()}
    given = (7, 1, "none", 0.25)
    one = {key: error for key, error in held.items() if key[:2] == (7, 1)}
    best = min(one, key=one.get)
    if not held[given] - one[best] > max((1 - selection.MARGIN) * held[given], selection.FLOOR):
        best = given

    def charged(key: tuple) -> float:
        extra = (selection.relative_cost(*key[:2], shares.get(key[0], ()))
                 - selection.relative_cost(7, 1))
        return held[key] / (1 - drop) ** extra

    more = [key for key in held if key[:2] != (7, 1) and key[0] in patches
            and key[1] in counts]
    if more:
        other = min(more, key=charged)
        if charged(other) < held[best]:
            best = other
    return best


def choose_staged(held: dict, drop: float = selection.COST_DROP,
                  gate: float = selection.FURTHER_ROUND_GATE, shares: dict | None = None
                  ) -> tuple:
    """The rule of selection.choose_settings with its third round: after rounds 1-2 of both
    patch sizes, the third is scored for the patch size of least held-out error after two only,
    and only when its second round cut that error to ``gate`` times the first's or less.
    Returns the choice and the patch size given a third round (None if none)."""
    two = {key: error for key, error in held.items() if key[1] <= 2}
    after_two = {patch: min(e for k, e in two.items() if k[:2] == (patch, 2))
                 for patch in (7, *selection.PATCH_SIZES)}
    patch = min(after_two, key=after_two.get)
    first = min(e for k, e in two.items() if k[:2] == (patch, 1))
    if after_two[patch] > gate * first:
        return choose(two, tuple(after_two), (1, 2), drop, shares), None
    tried = {**two, **{k: e for k, e in held.items() if k[:2] == (patch, 3)}}
    return choose(tried, tuple(after_two), (1, 2, 3), drop, shares), patch


def label(key: tuple) -> str:
    patch, count, kind, share = key
    mix = kind if kind in ("none", "boundary") else f"{kind} {share:g}"
    return f"p{patch} r{count} {mix}"


def quality(only: str | None, dump: Path | None = None) -> None:
    counts = f"{min(selection.ROUNDS)}-{max(selection.ROUNDS)}"
    print(f"| case | previous default | rounds {counts}, patch 7 | rounds {counts}, patch 7 or 11 "
          "| and a third round for the best patch (chosen) | oracle "
          "| best per rounds, patch 7 (1/2/3) | patch 11 (1/2/3) |")
    print("|---" * 8 + "|")
    # Compile numba's kernels first, or the first case's first round would time them.
    warm = np.random.default_rng(0)
    gi.inpaint(warm.integers(0, 256, (48, 48, 3), dtype=np.uint8), warm.random((48, 48)) < 0.8)
    gains, records = [], []
    for name, image, hole in random_cases(only):
        held, true, seconds, shares = {}, {}, {}, {}
        for patch in (7, *selection.PATCH_SIZES):
            h, t, seconds[patch], shares[patch] = scores(image, hole, patch)
            held.update(h)
            true.update(t)
        records.append({"case": name, "seconds": seconds, "shares": shares,
                        "candidates": [[*key, held[key], true[key]] for key in held]})
        before = choose({k: v for k, v in held.items() if k[:2] == (7, 1)}, ())
        rounds_only = choose({k: v for k, v in held.items() if k[0] == 7}, (7,), shares=shares)
        two_rounds = choose(held, (7, *selection.PATCH_SIZES), shares=shares)
        chosen, _ = choose_staged(held, shares=shares)
        oracle = max(true, key=true.get)
        per = {patch: "/".join(f"{max(v for k, v in true.items() if k[:2] == (patch, n)):.2f}"
                               for n in range(1, ROUNDS + 1))
               for patch in (7, *selection.PATCH_SIZES)}
        gains.append(true[chosen] - true[before])
        print(f"| {name} | {true[before]:.2f} ({label(before)}) | {true[rounds_only]:.2f} "
              f"({label(rounds_only)}) | {true[two_rounds]:.2f} ({label(two_rounds)}) | "
              f"**{true[chosen]:.2f}** ({label(chosen)}) | "
              f"{true[oracle]:.2f} ({label(oracle)}) | " + " | ".join(per.values()) + " |",
              flush=True)
    print(f"\nchosen minus previous default: sum {sum(gains):+.2f} dB, "
          f"worst {min(gains):+.2f} dB, best {max(gains):+.2f} dB")
    if dump is not None:
        dump.write_text(json.dumps(records))


def timing(only: str | None, other: Path, repeat: int) -> None:
    """Least-of-``repeat`` seconds of inpaint's default here and at ``other``, per case."""
    here = Path(__file__).resolve().parent.parent
    script = (
        "import sys, json, time, numpy as np\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "from cases import wide_cases\nimport graphinpaint as gi\n"
        "gi.inpaint(np.zeros((32, 32, 3), np.uint8), np.eye(32, dtype=bool))\n"
        "want = sys.argv[1]\n"
        "for name, kind, image, hole in wide_cases():\n"
        "    if f'{name}, {kind}' != want: continue\n"
        "    best = np.inf\n"
        f"    for _ in range({repeat}):\n"
        "        t = time.perf_counter(); out = gi.inpaint(image, hole)\n"
        "        best = min(best, time.perf_counter() - t)\n"
        "    print(json.dumps([gi.metrics.psnr(image, out, hole), best]))\n")
    print(f"| case | {other} PSNR, s | this checkout PSNR, s | ratio |\n|---|---|---|---|")
    ratios, totals = [], {other: 0.0}
    for index, (name, _, _) in enumerate(random_cases(only)):
        result = {}
        for root in ((other, here) if index % 2 == 0 else (here, other)):
            # Run in the checkout: ``python -c`` puts the working directory first on the path.
            env = dict(os.environ, PYTHONPATH=str(root))
            out = subprocess.run([sys.executable, "-c", script, name], env=env, cwd=root,
                                 check=True, capture_output=True, text=True).stdout
            result[root] = json.loads(out.strip().splitlines()[-1])
        ratios.append(result[here][1] / result[other][1])
        totals[other] += result[other][1]
        totals[here] = totals.get(here, 0.0) + result[here][1]
        print(f"| {name} | {result[other][0]:.2f} dB, {result[other][1]:.2f} s | "
              f"{result[here][0]:.2f} dB, {result[here][1]:.2f} s | {ratios[-1]:.2f} |",
              flush=True)
    print(f"\nratio median {np.median(ratios):.2f}, range {min(ratios):.2f}-{max(ratios):.2f}; "
          f"total {totals[other]:.1f} s -> {totals[here]:.1f} s "
          f"({totals[here] / totals[other]:.2f}x)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=None, help="cases whose name contains this text")
    parser.add_argument("--time-against", type=Path, default=None,
                        help="a checkout whose graphinpaint the default is timed against")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", type=Path, default=None,
                        help="write each case's candidates (patch, rounds, smooth, share, "
                             "held-out MSE, PSNR) and seconds per round to this file")
    args = parser.parse_args(argv)
    if args.time_against is not None:
        timing(args.only, args.time_against.resolve(), args.repeat)
    else:
        quality(args.only, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
