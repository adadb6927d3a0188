"""Issue 13: where does our FSR_BEST port alone beat the default on a compact block? The figures
behind docs/pipeline.md, "Issue 13: FSR_BEST alone on compact blocks".

    python benchmarks/compact_best.py compare          # the compare set's 32- and 64-px blocks
    python benchmarks/compact_best.py outside          # 32- and 64-px blocks on other pictures

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

region = region_fill_module()
SHARES = (0.5, 0.75, 1.0)
# 32- and 64-px blocks' top-left corners outside the compare set, drawn by
# np.random.default_rng(20261130 + side).integers(0, 257 - side, (3, 2)) before any was looked at.
SIDES = (32, 64)


def compare_cases():
    for name, kind, image, hole in wide_cases():
        if kind in ("block 32", "block 64"):
            yield name, kind, image, hole


def outside_cases():
    from skimage import data

    images = {"chelsea": data.chelsea()[:, 75:375], "coins": data.coins(), "moon": data.moon(),
              "hubble": data.hubble_deep_field()[:400, :400],
              "ihc": data.immunohistochemistry(), "retina": data.retina()[100:900, 100:900],
              "camera": data.camera(), "astronaut": data.astronaut(),
              "coffee": data.coffee()[:, 100:500], "rocket": data.rocket()[:, 100:527],
              "cat": data.cat(), "motorcycle": data.stereo_motorcycle()[0][:, 200:700]}
    for side in SIDES:
        places = np.random.default_rng(20261130 + side).integers(0, 257 - side, (3, 2))
        for name, image in images.items():
            image = shrunk(image)
            for top, left in places:
                hole = np.zeros(image.shape[:2], bool)
                hole[top:top + side, left:left + side] = True
                yield name, f"block {side} at {top},{left}", image, hole


def psnr_of(image: np.ndarray, hole: np.ndarray, on_hole: np.ndarray) -> float:
    result = image.copy()
    values = np.clip(np.rint(on_hole * 255), 0, 255).astype(image.dtype)
    result[hole] = values if image.ndim == 3 else values[:, 0]
    return gi.metrics.psnr(image, result, hole)


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=("compare", "outside"))
    parser.add_argument("--json", help="write the rows here")
    args = parser.parse_args(argv)
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
