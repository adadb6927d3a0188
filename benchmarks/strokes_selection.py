"""Study of a per-image choice for strokes (scratches, text) on the held-out strokes.

    python benchmarks/strokes_selection.py [--candidates "p 3,patch 9,mix boundary 0.5"]
        [--seeds 0,1,2] [--only rocket]

For each stroke case of ``strokes_ablation.stroke_cases`` it cuts the held-out problem the
pipeline cuts (``selection.held_out``: the strokes of a 96-px window moved beside themselves),
fills it with the default graph settings and with each candidate, scores every candidate by its
held-out error (with the smooth mix the default chose) relative to the default's, and runs
``inpaint`` on the real hole with the candidate forced, so that the held-out ratio can be set
against the real change in PSNR. A candidate is graph settings named as in
``strokes_ablation`` ("p 3 + patch 9") or a smooth mix, "mix KIND SHARE" (KIND one of
``Settings.smooth``: the default graph, that mix, on the held-out and on the real hole).
``--seeds``: other placements of the held-out window (the pipeline uses seed 0), to see how
much the ratio is noise. Cells: the held-out error ratio per seed / the real change (dB) and
time against the default.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import mixes, pipeline, selection  # noqa: E402
from graphinpaint.fills import grid_laplace_fill  # noqa: E402
from strokes_ablation import NAMES, stroke_cases  # noqa: E402

CANDIDATES = "p 3,p 4,patch 9,patch 5,bandwidth 0.05,bandwidth 0.2"
MIXES = ("mix none 0,mix boundary 0.25,mix boundary 0.5,mix boundary 0.75,mix biharmonic 0.25,"
         "mix biharmonic 0.5,mix laplace 0.25")


def mix_of(name: str) -> tuple[str, float] | None:
    """(kind, share) of a "mix KIND SHARE" candidate, else None."""
    if not name.startswith("mix "):
        return None
    _, kind, share = name.split()
    return kind, float(share)


@contextmanager
def forced_mix(mix: tuple[str, float] | None):
    """inpaint's default smooth mix replaced by ``mix`` (with self_validation=False: kept)."""
    saved = pipeline._default_mix
    if mix is not None:
        pipeline._default_mix = lambda *args: mix
    try:
        yield
    finally:
        pipeline._default_mix = saved


def parse(name: str) -> dict:
    """The settings of a candidate named like a strokes_ablation variant ("p 3 + patch 9")."""
    if name == "default" or mix_of(name) is not None:
        return {}
    options = {}
    for part in name.split(" + "):
        key, _, value = part.rpartition(" ")
        field, kind = NAMES[key]
        options[field] = kind(value)
    return options


def captured_call(image, hole):
    """The arguments of the pipeline's choose_settings call for this image (None if none)."""
    seen = {}
    original = pipeline.choose_settings

    def spy(values_of, hole, settings, fill, **kwargs):
        seen.update(values_of=values_of, settings=settings, margin=kwargs["margin"])
        chosen = original(values_of, hole, settings, fill, **kwargs)
        seen["chosen"] = chosen[0]
        return chosen

    pipeline.choose_settings = spy
    try:
        gi.inpaint(image, hole)
    finally:
        pipeline.choose_settings = original
    return seen or None


def held_out_errors(call, hole, candidates, seed):
    """(held-out pixels, {candidate: (mean squared error, seconds)}) on the window of ``seed``."""
    case = selection.held_out(hole, scattered=False, margin=call["margin"],
                              rng=np.random.default_rng(seed))
    local = call["values_of"](case.window).copy()
    truth = local[case.pixels]
    local = grid_laplace_fill(local, case.gaps, "auto")
    local[case.hole] = 0
    smooth = mixes.SmoothFills(local, case.hole)
    errors = {}
    for name in candidates:
        settings = call["settings"].replace(**parse(name))
        start = time.process_time()
        estimate = pipeline._graph_fill(local, case.hole, settings, smooth=smooth)
        seconds = time.process_time() - start
        mix = mix_of(name)
        chosen = call["chosen"] if mix is None else call["chosen"].replace(
            smooth=mix[0], smooth_share=mix[1])
        mixed = mixes.mix_smooth(estimate, case.hole, chosen, smooth)
        errors[name] = (float(np.mean((mixed[case.pixels] - truth) ** 2)), seconds)
    return int(case.pixels.sum()), errors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", default=CANDIDATES,
                        help=f"comma-separated; the smooth mixes studied: {MIXES!r}")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--only", default=None)
    parser.add_argument("--no-real", action="store_true", help="held-out errors only")
    args = parser.parse_args(argv)
    names = ["default", *args.candidates.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    gi.inpaint(np.zeros((32, 32, 3), np.uint8), np.eye(32, dtype=bool))      # numba warm-up
    print("| case | held-out px | " + " | ".join(names[1:]) + " |")
    print("|---" * (len(names) + 1) + "|")
    for case, kind, image, hole in stroke_cases():
        if args.only is not None and args.only not in f"{case}, {kind}":
            continue
        call = captured_call(image, hole)
        if call is None:
            continue
        ratios = {name: [] for name in names}
        pixels = []
        for seed in seeds:
            count, errors = held_out_errors(call, hole, names, seed)
            pixels.append(count)
            for name in names:
                ratios[name].append(errors[name][0] / errors["default"][0])
        real = {}
        for name in names:
            options = {} if name == "default" else parse(name)
            mix = mix_of(name)
            if mix is not None:
                options["self_validation"] = False
            start = time.process_time()
            with forced_mix(mix):
                out = gi.inpaint(image, hole, **options)
            real[name] = (gi.metrics.psnr(image, out, hole), time.process_time() - start)
        cells = [" ".join(f"{r:.3f}" for r in ratios[name]) +
                 f" / {real[name][0] - real['default'][0]:+.2f} dB"
                 f" ({real[name][1] / real['default'][1]:.2f}x)" for name in names[1:]]
        print(f"| {case}, {kind} ({real['default'][0]:.2f} dB, mix {call['chosen'].smooth} "
              f"{call['chosen'].smooth_share}) | {'/'.join(map(str, pixels))} | "
              + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
