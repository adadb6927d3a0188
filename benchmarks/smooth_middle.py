"""Issue 13: a second way to open the middle gate, a smooth ring (docs/pipeline.md, "The
middle's smooth-ring gate": studied, not kept).

    python benchmarks/smooth_middle.py replay --set compare|choice|fresh   # 360 candidates
    python benchmarks/smooth_middle.py end --set compare|choice|fresh      # CHOSEN end to end
    python benchmarks/smooth_middle.py rings                # photo detail's ring roughness
    python benchmarks/smooth_middle.py statistics   # ring statistics against CHOSEN's gains

In a smooth photo (upscaled, defocused) the patches beside a 64-px block match well (match
contrast below ``_thick_holes.MIDDLE_CONTRAST``: the middle rule's gate shut) yet continue
nothing into the middle. The candidates open the middle of a component deeper than
``mixes.WHOLE_DEPTH_MAX`` by its ring's ``_frequency.ring_roughness`` instead: a fill (the
grid Laplace, the biharmonic, or their mean) at ``share`` times a depth ramp (``start``,
``length``: from ``start`` px deep to ``start + length``), times a gate on the roughness (a
step: 1 below ``low`` = ``high``; else a ramp from 1 at ``low`` to 0 at ``high``). Where the
contrast rule gives a Laplace share too, the larger is taken. ``replay``: each case is filled
once by the default ``inpaint`` (``thick_middle.recorded``: the output before
``smoother_middle``), every candidate is replayed on it and scored like ``psnr_cases.py``
(PSNR over the hole of the 8-bit result) against the kept contrast rule alone; cases whose
self-validation chose another mix than "frequency match" are listed and left out (the middle
rule never runs there: 0 for every candidate). ``end``: the chosen candidate (``CHOSEN``)
through ``inpaint`` against the default.

Sets: ``compare``: the compare benchmark's thick cases but barbara (deeper than 32 px: the
boundary blend's path; end to end it is in psnr_cases.py). ``choice``: 48 smooth 64-px blocks,
8 scikit-image photos made smooth as chelsea smooth is (``frequency_colour.smooth``: shrunk to
64 px, upscaled 4x cubic) and defocused (shrunk to 256 px, Gaussian blur of sigma 2 or 3),
three places each; ``CHOSEN`` was chosen on it and ``compare``. ``fresh``: 48 blocks drawn
by ``np.random.default_rng(FRESH_SEED)`` **after** the choice (image among the 8 and 4 new
ones, upscaled or defocused with sigma uniform in [2, 3], place). ``rings``: the ring
roughness of the 192 blocks of ``thick_middle.py outside``'s five place sets (photo detail).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from unittest import mock

import numpy as np
from scipy import ndimage as ndi

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _thick_holes, mixes  # noqa: E402
from graphinpaint._frequency import ring_roughness, ring_roughnesses  # noqa: E402
from cases import region_fill_module, shrunk  # noqa: E402
from frequency_colour import smooth  # noqa: E402
from thick_middle import (PLACES as DETAIL_PLACES, kept_shares, outside_cases as  # noqa: E402
                          detail_cases, psnr_of, recorded)
from thick_selection import thick_cases  # noqa: E402

SIDE = 256
REAL_MIDDLE = region_fill_module()._holes.smoother_middle
FILLS = {"laplace": (1.0, 0.0), "biharmonic": (0.0, 1.0), "mean": (0.5, 0.5)}
SHARES = (0.5, 0.55, 0.6, 0.65)
RAMPS = ((6, 8), (4, 8), (4, 12), (2, 12), (2, 8))
GATES = ((0.6, 0.6), (0.5, 0.5), (0.5, 0.6), (0.55, 0.65), (0.45, 0.6), (0.6, 0.7))
CANDIDATES = [(fill, share, ramp, gate) for fill in FILLS for share in SHARES
              for ramp in RAMPS for gate in GATES]
CHOICE_PLACES = ((40, 40), (150, 140), (96, 10))
# The candidate chosen on ``compare`` and ``choice`` (before ``fresh`` was drawn).
CHOSEN = ("mean", 0.55, (2, 12), (0.5, 0.6))
# Always printed by ``replay`` (docs/pipeline.md's table): the chosen candidate, the first
# study's two (frequency_colour.py outside, item 6) and the open contrast gate's profile.
NAMED = [CHOSEN, ("laplace", 0.5, (6, 8), (0.6, 0.6)), ("biharmonic", 0.5, (6, 8), (0.6, 0.6)),
         ("laplace", 0.65, (2, 12), (0.6, 0.6))]
FRESH_SEED = 20261201
FRESH_COUNT = 48


def _photos() -> dict[str, np.ndarray]:
    from skimage import data

    return {"astronaut": data.astronaut(), "coffee": data.coffee(), "chelsea": data.chelsea(),
            "rocket": data.rocket(), "ihc": data.immunohistochemistry(),
            "retina": data.retina(), "coffee left": data.coffee()[:, :400],
            "motorcycle": data.stereo_motorcycle()[0]}


def _new_photos() -> dict[str, np.ndarray]:
    """Photos that no set of the choice holds (for the fresh set)."""
    from skimage import data

    return {"cat": data.cat(), "hubble": data.hubble_deep_field()[:400, :400],
            "camera": np.stack([data.camera()] * 3, axis=-1),
            "motorcycle right": data.stereo_motorcycle()[1]}


def defocused(image: np.ndarray, sigma: float) -> np.ndarray:
    """The photo shrunk to SIDE (anti-aliased, 8-bit), then blurred by a Gaussian of
    ``sigma`` px on each channel, 8-bit."""
    small = shrunk(image, SIDE).astype(float)
    blurred = ndi.gaussian_filter(small, (sigma, sigma, 0)[:small.ndim])
    return np.clip(np.rint(blurred), 0, 255).astype(np.uint8)


def block(top: int, left: int) -> np.ndarray:
    hole = np.zeros((SIDE, SIDE), bool)
    hole[top:top + 64, left:left + 64] = True
    return hole


def choice_cases():
    for index, (name, photo) in enumerate(_photos().items()):
        pictures = {"upscaled": smooth(photo),
                    f"defocused {2 + index % 2}": defocused(photo, 2 + index % 2)}
        for how, image in pictures.items():
            for top, left in CHOICE_PLACES:
                yield f"{name} {how}", f"block 64 at {top},{left}", image, block(top, left)


def fresh_cases():
    """FRESH_COUNT blocks drawn after the choice: photo, upscaled or defocused (sigma uniform
    in [2, 3]), place."""
    rng = np.random.default_rng(FRESH_SEED)
    photos = {**_photos(), **_new_photos()}
    names = list(photos)
    for _ in range(FRESH_COUNT):
        name = names[rng.integers(len(names))]
        top, left = (int(v) for v in rng.integers(0, SIDE - 64 + 1, 2))
        if rng.random() < 0.5:
            how, image = "upscaled", smooth(photos[name])
        else:
            sigma = float(rng.uniform(2, 3))
            how, image = f"defocused {sigma:.2f}", defocused(photos[name], sigma)
        yield f"{name} {how}", f"block 64 at {top},{left}", image, block(top, left)


def cases_of(which: str):
    if which == "compare":
        return [case for case in thick_cases() if case[0] != "barbara"]
    if which == "choice":
        return choice_cases()
    return fresh_cases()


def roughness_by_pixel(seen: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per hole pixel: its component's ring roughness (inf where the component is not deeper
    than WHOLE_DEPTH_MAX) and whether it is deep."""
    found = mixes.hole_components(seen["hole"])
    deepest = found.maxima(seen["depths"])[1:]
    deep = deepest > mixes.WHOLE_DEPTH_MAX
    rough = np.full(found.count, np.inf)
    if deep.any():
        rough[deep] = ring_roughnesses(seen["values"], seen["hole"], found.labels)[deep]
    return rough[found.parts - 1], deep[found.parts - 1]


def smooth_gate(rough: np.ndarray, low: float, high: float) -> np.ndarray:
    if high == low:
        return (rough < low).astype(float)
    return np.clip((high - rough) / (high - low), 0.0, 1.0)


def candidate_psnr(image, hole, seen, kept, rough, candidate) -> float:
    fill, share, (start, length), (low, high) = candidate
    smooth_share = (smooth_gate(rough, low, high) * share
                    * np.clip((seen["depths"] - start) / length, 0.0, 1.0))
    laplace_weight, biharmonic_weight = FILLS[fill]
    a = np.maximum(kept, smooth_share * laplace_weight)[:, None]
    b = (smooth_share * biharmonic_weight)[:, None]
    out = seen["out"]
    return psnr_of(image, hole, out + a * (seen["laplace"] - out) + b * (seen["biharmonic"] - out))


def run_replay(which: str) -> None:
    rows, names = [], []
    for name, kind, image, hole in cases_of(which):
        seen = recorded(image, hole)
        if seen["settings"].smooth != "frequency match":
            print(f"{name}, {kind}: {seen['settings'].smooth} (not the thick mix)", flush=True)
            continue
        kept = kept_shares(seen)
        rough, deep = roughness_by_pixel(seen)
        base = psnr_of(image, hole, seen["out"] + kept[:, None] * (seen["laplace"] - seen["out"]))
        rows.append([candidate_psnr(image, hole, seen, kept, rough, c) - base
                     for c in CANDIDATES])
        names.append(f"{name}, {kind}")
        least = rough[deep].min() if deep.any() else np.nan
        print(f"{name}, {kind}: kept {base:.3f}, roughness {least:.3f}, kept share "
              f"{kept.max():.2f}, best {max(rows[-1]):+.3f}", flush=True)
    table = np.array(rows)
    named = [CANDIDATES.index(candidate) for candidate in NAMED]
    for index in named + [i for i in np.argsort(-table.sum(axis=0)) if i not in named][:20]:
        _summary(str(CANDIDATES[index]), table[:, index], names)
    chosen = table[:, CANDIDATES.index(CHOSEN)]
    for how in ("upscaled", "defocused"):
        these = np.array([how in name for name in names])
        _summary(f"{CHOSEN}, {how} only", chosen[these], list(np.array(names)[these]))
    np.save(f"smooth_middle_{which}.npy", table)


def _summary(label: str, column: np.ndarray, names: list[str]) -> None:
    worst = int(np.argmin(column))
    print(f"{label}: sum {column.sum():+.2f}, {np.count_nonzero(column > 0.005)} up, "
          f"{np.count_nonzero(column < -0.005)} down, worst {column[worst]:+.2f} "
          f"({names[worst]})")


def chosen_middle(estimate, hole, smooth_fills):
    """``_thick_holes.smoother_middle`` with the CHOSEN candidate beside it, mixed as the
    replay mixes it: in the deep components whose ring is smooth, the mean of the Laplace and
    biharmonic fills at the candidate's share, the Laplace share the larger of the contrast
    rule's and the candidate's; where no ring is smooth, ``smoother_middle`` itself."""
    fill, share, (start, length), (low, high) = CHOSEN
    depths = smooth_fills.depths()
    found = smooth_fills.components
    on_hole = depths[hole]
    deepest = found.maxima(on_hole)
    gates = np.zeros(len(deepest))
    for part in np.flatnonzero(deepest > mixes.WHOLE_DEPTH_MAX):
        gates[part] = smooth_gate(ring_roughness(smooth_fills.values, hole, found.labels == part),
                                  low, high)
    if not gates.any():
        return REAL_MIDDLE(estimate, hole, smooth_fills)
    smooth_share = gates[found.parts] * share * np.clip((on_hole - start) / length, 0.0, 1.0)
    contrast = _thick_holes.middle_shares(smooth_fills.values, hole, depths,
                                          components=lambda: smooth_fills.components)
    laplace_weight, biharmonic_weight = FILLS[fill]
    a = smooth_share * laplace_weight
    a = a if contrast is None else np.maximum(contrast, a)
    b = smooth_share * biharmonic_weight
    out = estimate[hole]
    mixed = estimate.copy()
    mixed[hole] = (out + a[:, None] * (smooth_fills.on_hole("laplace") - out)
                   + b[:, None] * (smooth_fills.on_hole("biharmonic") - out))
    return mixed


def run_end(which: str) -> None:
    """CHOSEN end to end (``inpaint`` with the region's ``smoother_middle`` replaced by
    :func:`chosen_middle`) against the default, on the cases of ``which``."""
    holes = region_fill_module()._holes
    moves, names = [], []
    for name, kind, image, hole in cases_of(which):
        base = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
        with mock.patch.object(holes, "smoother_middle", chosen_middle):
            moved = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
        moves.append(moved - base)
        names.append(f"{name}, {kind}")
        print(f"{name}, {kind}: {base:.3f} -> {moved:.3f} ({moves[-1]:+.3f})", flush=True)
    moves = np.array(moves)
    worst = int(np.argmin(moves))
    print(f"{CHOSEN} end to end on {which}: changed {np.count_nonzero(moves)} of {len(moves)}, "
          f"sum {moves.sum():+.2f}, {np.count_nonzero(moves > 0.005)} up, "
          f"{np.count_nonzero(moves < -0.005)} down, worst {moves[worst]:+.3f} ({names[worst]})")


def ring_statistics(values: np.ndarray, hole: np.ndarray) -> dict[str, float]:
    """Statistics of the known pixels 1-12 px from a block (the grey channels' mean) that
    might tell where a smooth middle pays: the ring's roughness, its 95th-percentile gradient
    magnitude and that over the median (an edge crossing), the grey values' standard
    deviation, and the match contrast."""
    grey = values.mean(axis=2)
    distance = ndi.distance_transform_edt(~hole)
    ring = (distance >= 1) & (distance <= 12)
    gradient = np.hypot(*np.gradient(grey))[ring]
    peak = np.percentile(gradient, 95)
    return {"roughness": ring_roughness(values, hole, hole), "gradient 95%": peak,
            "95% over median": peak / (np.median(gradient) + 1e-6),
            "grey std": grey[ring].std(),
            "contrast": _thick_holes.match_contrast(np.where(hole[..., None], 0, values), hole)}


def run_statistics(_which: str) -> None:
    """Spearman's rank correlation of CHOSEN's gain (replayed) with each
    :func:`ring_statistics` over the blocks whose ring is below the gate's high end, on the
    choice and the fresh set: is there a statistic that ranks the gains on both?"""
    from scipy import stats

    fill, share, ramp, (low, high) = CHOSEN
    for which in ("choice", "fresh"):
        gains, found = [], []
        for name, kind, image, hole in cases_of(which):
            values = image / 255.0
            values = values if values.ndim == 3 else values[..., None]
            measured = ring_statistics(values, hole)
            if measured["roughness"] >= high:
                continue
            seen = recorded(image, hole)
            if seen["settings"].smooth != "frequency match":
                continue
            kept = kept_shares(seen)
            rough, _ = roughness_by_pixel(seen)
            base = psnr_of(image, hole,
                           seen["out"] + kept[:, None] * (seen["laplace"] - seen["out"]))
            gains.append(candidate_psnr(image, hole, seen, kept, rough, CHOSEN) - base)
            found.append(measured)
        print(f"{which} ({len(gains)} blocks): " + ", ".join(
            f"{key} {stats.spearmanr(gains, [m[key] for m in found])[0]:+.2f}"
            for key in found[0]), flush=True)


def run_rings(_which: str) -> None:
    """The ring roughness of the blocks of the five place sets of ``thick_middle.py outside``
    (photo detail): how many the smooth gates would read as smooth."""
    rough = []
    for places in DETAIL_PLACES:
        for name, kind, image, hole in detail_cases(places):
            values = image / 255.0
            values = values if values.ndim == 3 else values[..., None]
            rough.append(ring_roughness(values, hole, hole))
    rough = np.array(rough)
    print(f"{len(rough)} blocks: ring roughness {rough.min():.3f} to {rough.max():.3f}, "
          f"{np.count_nonzero(rough < max(high for _, high in GATES))} below "
          f"{max(high for _, high in GATES)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=("replay", "end", "rings", "statistics"))
    parser.add_argument("--set", choices=("compare", "choice", "fresh"),
                        default="choice")
    args = parser.parse_args(argv)
    {"replay": run_replay, "end": run_end, "rings": run_rings,
     "statistics": run_statistics}[args.study](args.set)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
