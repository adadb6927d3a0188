"""Where the strokes' p = 3 rounds spend their time, and cheaper ways to solve them (issue 13
x issue 10).

    python benchmarks/strokes_p_cost.py [--cases big|photos|fresh|retina|compare|outside|reseeded]
        [--sides 512,1024] [--variants "rule off,rule on,rtol 1e-3,steps 2,last round"]

Every variant runs the strokes' p rule at every image size (``STROKES_INEXACT_BELOW``
lifted), its rounds' Newton solves to convergence (``STROKES_TRUNCATED_FROM`` lifted) unless
it says otherwise, but "rule off" (p = 2 everywhere: main's result at 512^2 and up before the
rule reached them) and "default" (the pipeline as it is: at 512^2 and up one Newton step).
"rtol X": the rounds' Newton solves stop at X of the value range (the pipeline's 1e-4);
"steps N": after N Newton steps at most (the p = 2 solution the start; the unconverged
warning silenced); "last round": p = 3 in the last round only; "first round": in the first
only; "forcing X": Newton's inner CG to a relative residual of X (the solver's 0.01). Variants
combine with "+" ("rtol 1e-3+steps 2"). ``big``: issue 10's grainy photo with 5% scratches
(``test_bench_pipeline.BIG_SCRIPT``'s drawing) at ``--sides``; the other case sets are
``strokes_p``'s. Per case and variant: PSNR over the hole, wall time, and the p = 3 solves'
share of it, Newton steps and inner CG iterations (summed over rounds and channels).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _stages, _thick_holes  # noqa: E402
from graphinpaint.solvers import nonlinear  # noqa: E402
from graphinpaint._validation import ConvergenceWarning  # noqa: E402
from cases import region_fill_module, scratch_mask  # noqa: E402
import strokes_p  # noqa: E402
from strokes_ablation import print_summary, table_header  # noqa: E402

region = region_fill_module()


def big_case(side: int, fraction: float = 0.05):
    """Issue 10's benchmark image and scratches (``BIG_SCRIPT``'s drawing, seed 0)."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[:side, :side] / side
    image = np.stack([np.sin(40 * x + 9 * y), np.cos(25 * y * x + 3 * x), np.sin(60 * y)], -1)
    image = ((image * 0.35 + 0.5 + 0.05 * rng.random(image.shape)) * 255).astype(np.uint8)
    return f"grainy {side}^2", "scratches 5%", image, scratch_mask((side, side), fraction, rng)


@contextmanager
def _patched(module, name, value):
    saved = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, saved)


class _Profile:
    """The p != 2 solves of the rounds: wall time, Newton steps, inner iterations."""

    def __init__(self):
        self.seconds, self.steps, self.inner, self.solves = 0.0, 0, 0, 0

    def wrap(self, solve):
        def solve_(*args, **kwargs):
            if kwargs.get("p", 2.0) == 2:
                return solve(*args, **kwargs)
            start = time.perf_counter()
            result = solve(*args, return_result=True, **kwargs)
            self.seconds += time.perf_counter() - start
            self.steps += int(result.nit)
            self.inner += int(result.linear_iterations)
            self.solves += 1
            return result.x
        return solve_


def _round_solves(extra: dict, which: str | None):
    """``RoundSolves`` whose p = 3 options take ``extra``, on ``which`` round only."""
    base = _stages.RoundSolves

    class RoundSolves(base):
        def __init__(self, solve, inexact=None):
            super().__init__(solve, None if inexact is None else {**inexact, **extra})
            self._plain, self._round = solve, 0

        def __call__(self, distance):
            options = super().__call__(distance)
            self._round += 1
            if which == "last" and self._round == 1 or which == "first" and self._round > 1:
                return self._plain
            return options
    return RoundSolves


def run_of(name: str, profile: _Profile):
    """``image, hole -> output`` of a variant."""
    extra, which, forcing = {}, None, nonlinear._NEWTON_FORCING
    for part in name.split("+"):
        words = part.split()
        if words[0] == "rtol":
            extra["rtol"] = float(words[1])
        elif words[0] == "steps":
            extra["maxiter"] = int(words[1])
        elif words[0] == "forcing":
            forcing = float(words[1])
        elif words[1:] == ["round"]:
            which = words[0]
        elif part not in ("rule on", "rule off", "default"):
            raise SystemExit(f"unknown variant {part!r}")

    def run(image, hole):
        with ExitStack() as stack:
            if name != "default":
                below = 0 if name == "rule off" else 2 ** 62
                stack.enter_context(_patched(_thick_holes, "STROKES_INEXACT_BELOW", below))
                if hasattr(_thick_holes, "STROKES_TRUNCATED_FROM"):     # solved as asked
                    stack.enter_context(_patched(_thick_holes, "STROKES_TRUNCATED_FROM", 2 ** 62))
            stack.enter_context(_patched(region, "RoundSolves", _round_solves(extra, which)))
            stack.enter_context(_patched(_stages, "solve_dirichlet",
                                         profile.wrap(_stages.solve_dirichlet)))
            stack.enter_context(_patched(nonlinear, "_NEWTON_FORCING", forcing))
            if "maxiter" in extra:
                stack.enter_context(warnings.catch_warnings())
                warnings.simplefilter("ignore", ConvergenceWarning)
            return gi.inpaint(image, hole)
    return run


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="big",
                        choices=("big", "photos", "fresh", "retina", "compare",
                                 "outside", "reseeded"))
    parser.add_argument("--sides", default="512,1024")
    parser.add_argument("--variants", default="rule off,rule on,rtol 1e-3,steps 2,last round")
    parser.add_argument("--only", default=None)
    args = parser.parse_args(argv)
    names = args.variants.split(",")
    if args.cases == "big":
        cases = [big_case(int(side)) for side in args.sides.split(",")]
    else:
        cases = {"photos": strokes_p.photo_cases, "fresh": strokes_p.fresh_photo_cases,
                 "retina": strokes_p.whole_retina_cases,
                 "compare": strokes_p.compare_cases,
                 "outside": strokes_p.outside_cases,
                 "reseeded": strokes_p.reseeded_cases}[args.cases]()
    cases = [c for c in cases if args.only is None or args.only in f"{c[0]}, {c[1]}"]
    profiles = {name: _Profile() for name in names}
    runs = {name: run_of(name, profiles[name]) for name in names}
    warm = big_case(256)
    for name in names:
        runs[name](*warm[2:])
    results = table_header(names)
    for case, kind, image, hole in cases:
        cells = []
        for name in names:
            profile = profiles[name]
            profile.__init__()
            start = time.perf_counter()
            out = runs[name](image, hole)
            seconds = time.perf_counter() - start
            value = gi.metrics.psnr(image, out, hole)
            results[name].append((value, seconds))
            cells.append(f"{value:.3f} ({seconds:.2f} s; p3 {profile.seconds:.2f} s, "
                         f"{profile.steps} st, {profile.inner} cg)")
        print(f"| {case}, {kind} | " + " | ".join(cells) + " |", flush=True)
    print_summary(results, names)
    return 0


if __name__ == "__main__":
    sys.exit(main())
