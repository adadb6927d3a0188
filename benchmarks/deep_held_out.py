"""The held-out selection of deep holes alone: its choice and its CPU, with the held-out fill's
settings as the pipeline makes them (``pipeline._held_out_settings``) and with overrides.

    NUMBA_NUM_THREADS=1 python benchmarks/deep_held_out.py [VARIANT ...] [--runs 3]

A VARIANT is ``name:field=value,field=value`` of ``Settings`` fields replacing the held-out
fill's (the search reach follows a new patch size); ``pipeline`` is the pipeline's own, and
``main:patch_size=11,seeded_from=16`` the rule before the held-out parts took the deep hole's
rules halved (issue 10). On the 20 holes of ``deep_self_validation.py`` each variant prints,
per case, the mix chosen and the whole biharmonic fill's held-out error over the default
mix's (the fill is chosen below ``selection.LAYERS_MARGIN``, 0.6), then the selection's
total CPU (``time.process_time``, least of ``--runs`` calls per case) and barbara's. One numba
thread: on a shared machine OpenMP's waiting threads count in the process's CPU.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, pipeline  # noqa: E402
from deep_self_validation import deep_cases  # noqa: E402


def held_out_calls() -> list[tuple[str, tuple, dict]]:
    """(case name, args, kwargs) of each deep case's ``_self_validate_thick`` call."""
    calls = []
    real = pipeline._self_validate_thick

    def spy(*args, **kwargs):
        calls.append((name, args, kwargs))
        return real(*args, **kwargs)

    pipeline._self_validate_thick = spy
    try:
        for image_name, kind, image, hole in deep_cases(256):
            name = f"{image_name}/{kind}"
            gi.inpaint(image, hole)
    finally:
        pipeline._self_validate_thick = real
    return calls


def overridden(changes: dict):
    """``_held_out_settings`` with ``changes`` applied, and the reach of the changed fill."""
    real = pipeline._held_out_settings

    def held_out_settings(held, settings):
        settings, margin = real(held, settings)
        if not changes:
            return settings, margin
        settings = settings.replace(**changes)
        return settings, pipeline._reach(_thick_holes.deepest(held), settings.window,
                                         settings.window_growth, settings.patch_size,
                                         settings.strategy, settings.coarse_to_fine)
    return held_out_settings


def parse(variant: str) -> tuple[str, dict]:
    name, _, fields = variant.partition(":")
    changes = {}
    for pair in filter(None, fields.split(",")):
        key, value = pair.split("=")
        changes[key] = int(value) if value.lstrip("-").isdigit() else value
    return name, changes


def run(calls, changes: dict, runs: int) -> None:
    real_settings, real_choose = pipeline._held_out_settings, pipeline.choose_settings
    ratios = []

    def choose(*args, **kwargs):
        chosen, errors = real_choose(*args, **kwargs)
        whole = [e for s, e in errors if (s.smooth, s.smooth_share) == ("biharmonic", 1.0)]
        ratios.append(whole[0] / errors[0][1] if whole and errors[0][1] else float("nan"))
        return chosen, errors

    pipeline._held_out_settings, pipeline.choose_settings = overridden(changes), choose
    try:
        total, rows = 0.0, []
        for name, args, kwargs in calls:
            best = float("inf")
            for _ in range(runs):
                ratios.clear()
                start = time.process_time()
                chosen = pipeline._self_validate_thick(*args, **kwargs)
                best = min(best, time.process_time() - start)
            total += best
            if name.startswith("barbara"):
                barbara = best
            rows.append(f"{name} {chosen.smooth} {chosen.smooth_share} "
                        f"{ratios[0] if ratios else float('nan'):.2f}")
    finally:
        pipeline._held_out_settings, pipeline.choose_settings = real_settings, real_choose
    print("  " + "\n  ".join(rows))
    print(f"  CPU {total:.3f} s in total, barbara {barbara:.3f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*",
                        default=["pipeline", "main:patch_size=11,seeded_from=16"])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    calls = held_out_calls()
    for variant in args.variants:
        name, changes = parse(variant)
        print(name, changes)
        run(calls, changes, args.runs)


if __name__ == "__main__":
    main()
