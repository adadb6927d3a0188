"""Issue 13's study of a 64-px block's middle: a smooth share that grows with depth (studied, not
kept). The figures behind docs/pipeline.md, "Issue 13: the middle of a 64-px block".

    python benchmarks/thick_middle.py depths    # error by depth: match fill against smooth fills
    python benchmarks/thick_middle.py replay    # depth profiles replayed on the 26 thick cases
    python benchmarks/thick_middle.py outside   # the best profile on 48 other 64-px blocks
    python benchmarks/thick_middle.py heldout   # the held-out parts' verdict against the gain

Inside a 64-px block the middle lies 32 px from any known pixel. The rule studied mixes a grid
fill (biharmonic or Laplace) into the default's output at a share that grows with depth:
``share * clip((depth - start) / ramp, 0, 1)``, optionally only in the components that the
spread gate opens (``mixes.SPREAD_GATE``), whose ring is no rougher than photo detail
(``_frequency.ring_roughness`` below ``RING``) and that are deeper than
``mixes.WHOLE_DEPTH_MAX``. Each case is filled once by the default ``inpaint``; the rule is
replayed on what its last stage mixed (``pipeline.mix_smooth`` is wrapped to record it), and
scored like ``psnr_cases.py`` (PSNR over the hole of the 8-bit result).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, mixes, pipeline, selection  # noqa: E402
from graphinpaint._frequency import ring_roughnesses  # noqa: E402

from thick_selection import thick_cases  # noqa: E402

RING = 1.9
# (fill, share, start, ramp): the grid replayed; BEST is the top of its plateau on the 26 cases.
PROFILES = [(kind, share, start, ramp) for kind in ("biharmonic", "laplace")
            for share in (0.5, 0.55, 0.6, 0.75, 1.0) for start in (4, 6, 8, 12, 16)
            for ramp in (1, 4, 8, 16)]
BEST = ("biharmonic", 0.55, 6, 4)
BANDS = ((1, 4), (5, 8), (9, 12), (13, 16), (17, 20), (21, 24), (25, 28), (29, 40))
# Images for 64-px blocks outside the compare benchmark's (scikit-image's data, each shrunk to
# 256 px as cases.wide_images does), four places each.
OUTSIDE_PLACES = ((40, 40), (40, 150), (150, 60), (120, 130))


def recorded(image: np.ndarray, hole: np.ndarray) -> dict:
    """The default's last stage on one case: its mixed output, smooth fills, depths and match
    spreads on the hole (flat order: the region's hole pixels are the image's, in order)."""
    seen: dict = {}
    real = pipeline.mix_smooth

    def record(estimate, hole_, settings, smooth):
        out = real(estimate, hole_, settings, smooth)
        seen.update(out=out[hole_].copy(), depths=smooth.depths()[hole_].astype(float),
                    biharmonic=smooth.on_hole("biharmonic"),
                    laplace=smooth.on_hole("laplace").copy(),
                    spread=smooth.match_spread, settings=settings,
                    values=smooth.values, hole=hole_)
        return out

    pipeline.mix_smooth = record
    try:
        gi.inpaint(image, hole)
    finally:
        pipeline.mix_smooth = real
    seen["opened"] = _opened(seen)
    return seen


def _opened(seen: dict) -> np.ndarray:
    """Per hole pixel, whether the gate of the rule opens on its component."""
    hole = seen["hole"]
    if seen["spread"] is None or seen["settings"].smooth != "frequency match":
        return np.zeros(np.count_nonzero(hole), bool)
    labels, count = ndi.label(hole, structure=np.ones((3, 3), bool))
    parts = labels[hole] - 1
    full = np.zeros(hole.shape)
    full[hole] = seen["depths"]
    deepest = np.atleast_1d(ndi.maximum(full, labels, index=np.arange(1, count + 1)))
    rough = ring_roughnesses(seen["values"], hole, labels)
    return ((deepest > mixes.WHOLE_DEPTH_MAX) & (rough < RING))[parts] & \
        (mixes.component_medians(hole, seen["spread"]) >= mixes.SPREAD_GATE)


def psnr_of(image: np.ndarray, hole: np.ndarray, on_hole: np.ndarray) -> float:
    """PSNR over the hole of the 8-bit image whose hole takes ``on_hole`` (values in [0, 1])."""
    result = image.copy()
    values = np.clip(np.rint(on_hole * 255), 0, 255).astype(image.dtype)
    result[hole] = values if image.ndim == 3 else values[:, 0]
    return gi.metrics.psnr(image, result, hole)


def with_middle(seen: dict, profile: tuple, gated: bool = True) -> np.ndarray:
    """The recorded output with ``profile``'s fill mixed into the middle."""
    kind, share, start, ramp = profile
    shares = share * np.clip((seen["depths"] - start) / ramp, 0.0, 1.0)
    if gated:
        shares = np.where(seen["opened"], shares, 0.0)
    return (1 - shares[:, None]) * seen["out"] + shares[:, None] * seen[kind]


def gains(image, hole, profiles, gated=True) -> list[float]:
    seen = recorded(image, hole)
    before = psnr_of(image, hole, seen["out"])
    return [psnr_of(image, hole, with_middle(seen, p, gated)) - before for p in profiles]


def run_depths(cases) -> None:
    """Per depth band, the MSE of the grid fills and of an even mix over the default's."""
    for name, kind, image, hole in cases:
        if kind not in ("block 64", "blotches"):
            continue
        seen = recorded(image, hole)
        truth = (image[hole] / 255.0).reshape(seen["out"].shape)
        cells = []
        for low, high in BANDS:
            band = (seen["depths"] >= low) & (seen["depths"] <= high)
            if not band.any():
                continue
            error = lambda x: np.mean((x[band] - truth[band]) ** 2)  # noqa: E731
            ours = error(seen["out"])
            cells.append(f"{low}-{high}: L {error(seen['laplace']) / ours:.2f} "
                         f"B {error(seen['biharmonic']) / ours:.2f} "
                         f"mix B {error((seen['out'] + seen['biharmonic']) / 2) / ours:.2f}")
        print(f"{name}, {kind} | " + " | ".join(cells), flush=True)


def run_replay(cases, gated: bool = True) -> None:
    """Every profile on the thick cases (the gate on or off): sum, worst, and the best's rows."""
    table = {}
    for name, kind, image, hole in cases:
        if kind == "seed mask" and name == "barbara":
            continue                        # deeper than 32: the boundary mix, not this path
        table[f"{name}, {kind}"] = gains(image, hole, PROFILES, gated)
        print(f"{name}, {kind}: best profile {table[f'{name}, {kind}'][PROFILES.index(BEST)]:+.3f}",
              flush=True)
    columns = np.array(list(table.values()))
    order = np.argsort(-columns.sum(axis=0))
    for index in order[:15]:
        print(f"{PROFILES[index]}: sum {columns[:, index].sum():+.2f} "
              f"worst {columns[:, index].min():+.2f}")


def outside_cases():
    from skimage import data, transform

    def shrink(image, size=256):
        out = transform.resize(image, (size, size) + image.shape[2:], anti_aliasing=True)
        return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)

    images = {"chelsea": data.chelsea()[:, 75:375], "coins": data.coins(), "moon": data.moon(),
              "hubble": data.hubble_deep_field()[:400, :400],
              "ihc": data.immunohistochemistry(), "retina": data.retina()[100:900, 100:900],
              "camera": data.camera(), "astronaut": data.astronaut(),
              "coffee": data.coffee()[:, 100:500], "rocket": data.rocket()[:, 100:527],
              "cat": data.cat(), "motorcycle": data.stereo_motorcycle()[0][:, 200:700]}
    for name, image in images.items():
        image = shrink(image)
        for top, left in OUTSIDE_PLACES:
            hole = np.zeros(image.shape[:2], bool)
            hole[top:top + 64, left:left + 64] = True
            yield name, f"block 64 at {top},{left}", image, hole


def run_outside(_cases) -> None:
    """The best profile of the replay on other 64-px blocks, with its gate and without; then
    every profile's sum over them, gated and not."""
    rows = []
    for name, kind, image, hole in outside_cases():
        gated, forced = gains(image, hole, PROFILES, True), gains(image, hole, PROFILES, False)
        rows.append((gated, forced))
        best = PROFILES.index(BEST)
        print(f"{name}, {kind}: gated {gated[best]:+.2f}, every 64-px block {forced[best]:+.2f}",
              flush=True)
    gated, forced = np.array(rows).transpose(1, 0, 2)       # (gate, case, profile)
    best = PROFILES.index(BEST)
    print(f"gate opened on {np.count_nonzero(gated[:, best])} of {len(rows)}: sum "
          f"{gated[:, best].sum():+.2f}, worst {gated[:, best].min():+.2f}, best "
          f"{gated[:, best].max():+.2f}; without the gate sum {forced[:, best].sum():+.2f}, "
          f"worst {forced[:, best].min():+.2f}, {np.count_nonzero(forced[:, best] > 0)} gain")
    for label, table in (("gated", gated), ("every block", forced)):
        sums = table.sum(axis=0)
        for index in np.argsort(-sums)[:5]:
            print(f"{label} {PROFILES[index]}: sum {sums[index]:+.2f}, worst "
                  f"{table[:, index].min():+.2f}, {np.count_nonzero(table[:, index] > 0)} gain")


def held_out_ratio(image: np.ndarray, hole: np.ndarray) -> float:
    """The held-out parts' error with the best profile (depths scaled by HELD_OUT_SCALE, no
    gate) over their error without it, after the rounds the real hole runs."""
    seen: dict = {}
    real_mix, real_cut, real_regrow = (selection.mix_smooth, _thick_holes.shrunk_beside,
                                       _thick_holes.regrown)

    def mix(estimate, hole_, settings, smooth):
        out = real_mix(estimate, hole_, settings, smooth)
        if settings.smooth == "frequency match" and smooth.match_spread is None:
            seen[settings.rounds] = (out, hole_, smooth)
        return out

    def cut(*args, **options):
        seen["case"] = real_cut(*args, **options)
        return seen["case"]

    def regrow(*args, **options):
        seen["case"] = real_regrow(*args, **options)
        return seen["case"]

    selection.mix_smooth, _thick_holes.shrunk_beside, _thick_holes.regrown = mix, cut, regrow
    try:
        gi.inpaint(image, hole)
    finally:
        selection.mix_smooth, _thick_holes.shrunk_beside, _thick_holes.regrown = (
            real_mix, real_cut, real_regrow)
    case = seen["case"]
    out, held_hole, smooth = seen[max(key for key in seen if isinstance(key, int))]
    values = image[case.window] / 255.0
    truth = (values if values.ndim == 3 else values[..., None])[case.pixels]
    scaled = {"out": out[held_hole], "biharmonic": smooth.on_hole("biharmonic"),
              "depths": smooth.depths()[held_hole] * _thick_holes.HELD_OUT_SCALE,
              "opened": None}
    mixed = out.copy()
    mixed[held_hole] = with_middle(scaled, BEST, gated=False)
    return float(np.mean((mixed[case.pixels] - truth) ** 2) /
                 np.mean((out[case.pixels] - truth) ** 2))


def run_heldout(cases) -> None:
    """Does the held-out hole tell where the middle rule gains? Its error ratio against the
    real hole's gain (no gate), on the compare's 64-px blocks and the outside ones."""
    blocks = [case for case in cases if case[1] == "block 64"] + list(outside_cases())
    for name, kind, image, hole in blocks:
        ratio = held_out_ratio(image, hole)
        gain = gains(image, hole, [BEST], False)[0]
        print(f"{name}, {kind}: held-out ratio {ratio:.3f}, real gain {gain:+.2f}", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=("depths", "replay", "outside", "heldout"))
    args = parser.parse_args(argv)
    study = {"depths": run_depths, "replay": run_replay, "outside": run_outside,
             "heldout": run_heldout}[args.study]
    study(thick_cases())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
