"""Issue 13's study of a 64-px block's middle: a smooth share that grows with depth. The figures
behind docs/pipeline.md, "Issue 13: the middle of a 64-px block".

    python benchmarks/thick_middle.py depths    # error by depth: match fill against smooth fills
    python benchmarks/thick_middle.py replay [--gate G]    # profiles on the 25 thick cases
    python benchmarks/thick_middle.py outside [--gate G] [--places P]  # on 48 other blocks
    python benchmarks/thick_middle.py heldout   # the held-out parts' verdict against the gain
    python benchmarks/thick_middle.py deep      # the kept rule end to end on the 20 deep holes
    python benchmarks/thick_middle.py thresholds [--places P|compare]  # the gate's (low, high)
    python benchmarks/thick_middle.py ramps [--places P|compare]  # the open gate's ramp, share
    python benchmarks/thick_middle.py periods [--places P|compare|deep]  # the periodic guard

Inside a 64-px block the middle lies 32 px from any known pixel. The rule studied mixes a grid
fill (biharmonic or Laplace) into the default's output at a share that grows with depth:
``share * clip((depth - start) / ramp, 0, 1)`` in the components deeper than
``mixes.WHOLE_DEPTH_MAX``, behind a gate (``--gate``): ``spread`` (the first design: where the
spread gate opens, ``mixes.SPREAD_GATE``, and the ring is no rougher than photo detail,
``_frequency.ring_roughness`` below ``RING``), ``contrast`` (kept: each deep component's own
``_thick_holes.middle_gates``, its ring's ``match_contrast`` ramped over
``_thick_holes.MIDDLE_CONTRAST``) or ``none``.
Each case is filled once by the default ``inpaint``; the rule is replayed on what its mix of
the smooth fills gave (``mix_smooth`` is wrapped to record it: the kept rule comes
after it), and scored like ``psnr_cases.py`` (PSNR over the hole of the 8-bit result).
``--places second`` takes 3 other places of the outside blocks (the check after the choice);
``third`` and ``fourth`` 3 more each (the checks of the ramp that follows the gate, ``ramps``),
``fifth`` 3 more drawn at random after the ramp was chosen.
``outside`` scores the kept rule as the package computes it (``_thick_holes.middle_shares``).
``periods`` lists each deep component's gate, ``ring_periodicity`` and periodic guard
(``_thick_holes.periodic_guard``), measured on the picture with the hole zeroed, without a fill.
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
from graphinpaint import _thick_holes, mixes, selection  # noqa: E402
from cases import region_fill_module, shrunk  # noqa: E402
from graphinpaint._frequency import ring_roughnesses  # noqa: E402
from graphinpaint.fills import layer_depths  # noqa: E402

from thick_selection import thick_cases  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched

RING = 1.9
# (fill, share, start, ramp): the grid replayed; BEST is the top of its plateau on the 26 cases.
PROFILES = [(kind, share, start, ramp) for kind in ("biharmonic", "laplace")
            for share in (0.5, 0.55, 0.6, 0.65, 0.75, 1.0) for start in (4, 6, 8, 12, 16)
            for ramp in (1, 4, 8, 16)]
BEST = {"spread": ("biharmonic", 0.55, 6, 4), "none": ("laplace", 0.5, 6, 8),
        "contrast": ("laplace", _thick_holes.MIDDLE_SHARE, _thick_holes.MIDDLE_FROM,
                     _thick_holes.MIDDLE_RAMP)}
BANDS = ((1, 4), (5, 8), (9, 12), (13, 16), (17, 20), (21, 24), (25, 28), (29, 40))
# Images for 64-px blocks outside the compare benchmark's (scikit-image's data, each shrunk to
# 256 px as cases.wide_images does), four places each.
PLACES = {"first": ((40, 40), (40, 150), (150, 60), (120, 130)),
          "second": ((90, 10), (10, 90), (170, 170)),
          "third": ((20, 190), (130, 20), (190, 120)),
          "fourth": ((60, 100), (100, 180), (192, 40)),
          # drawn by np.random.default_rng(20261130).integers(0, 193, (3, 2)) after the open
          # ramp was chosen: the one set no choice has seen
          "fifth": ((154, 126), (84, 62), (174, 92))}


def recorded(image: np.ndarray, hole: np.ndarray) -> dict:
    """The default's last stage on one case: its mixed output, smooth fills, depths and match
    spreads on the hole (flat order: the region's hole pixels are the image's, in order)."""
    seen: dict = {}
    real = region.mix_smooth

    def record(estimate, hole_, settings, smooth):
        out = real(estimate, hole_, settings, smooth)
        seen.update(out=out[hole_].copy(), depths=smooth.depths()[hole_].astype(float),
                    depth_map=smooth.depths(),
                    biharmonic=smooth.on_hole("biharmonic"),
                    laplace=smooth.on_hole("laplace").copy(),
                    spread=smooth.match_spread, settings=settings,
                    values=smooth.values, hole=hole_)
        return out

    with mock.patch.object(region, "mix_smooth", record):
        gi.inpaint(image, hole)
    seen["gates"] = _gates(seen)
    return seen


def _gates(seen: dict) -> dict[str, np.ndarray]:
    """Per hole pixel, each gate's weight (0 to 1) on its component."""
    hole = seen["hole"]
    shut = np.zeros(np.count_nonzero(hole))
    if seen["settings"].smooth != "frequency match":
        return {"spread": shut, "contrast": shut, "none": shut}
    labels, count = ndi.label(hole, structure=np.ones((3, 3), bool))
    parts = labels[hole] - 1
    full = np.zeros(hole.shape)
    full[hole] = seen["depths"]
    deepest = np.atleast_1d(ndi.maximum(full, labels, index=np.arange(1, count + 1)))
    deep = (deepest > mixes.WHOLE_DEPTH_MAX)[parts]
    rough = ring_roughnesses(seen["values"], hole, labels)[parts]
    spread = mixes.component_medians(hole, seen["spread"]) >= mixes.SPREAD_GATE
    contrast = _thick_holes.middle_gates(seen["values"], hole, labels,
                                         np.concatenate([[0], deepest]))[parts + 1]
    return {"spread": (deep & spread & (rough < RING)).astype(float),
            "contrast": contrast, "none": deep.astype(float)}


def psnr_of(image: np.ndarray, hole: np.ndarray, on_hole: np.ndarray) -> float:
    """PSNR over the hole of the 8-bit image whose hole takes ``on_hole`` (values in [0, 1])."""
    result = image.copy()
    values = np.clip(np.rint(on_hole * 255), 0, 255).astype(image.dtype)
    result[hole] = values if image.ndim == 3 else values[:, 0]
    return gi.metrics.psnr(image, result, hole)


def with_middle(seen: dict, profile: tuple, gate: str | None) -> np.ndarray:
    """The recorded output with ``profile``'s fill mixed into the middle behind ``gate`` (None:
    every hole pixel, deep or not)."""
    kind, share, start, ramp = profile
    shares = share * np.clip((seen["depths"] - start) / ramp, 0.0, 1.0)
    if gate is not None:
        shares = shares * seen["gates"][gate]
    return (1 - shares[:, None]) * seen["out"] + shares[:, None] * seen[kind]


def gains(image, hole, profiles, gates) -> np.ndarray:
    """(gate, profile) gains in dB over the default without the middle rule."""
    seen = recorded(image, hole)
    before = psnr_of(image, hole, seen["out"])
    return np.array([[psnr_of(image, hole, with_middle(seen, p, gate)) - before
                      for p in profiles] for gate in gates])


def kept_shares(seen: dict) -> np.ndarray:
    """Per hole pixel, the middle share of the package's rule (``_thick_holes.middle_shares``)
    where the default's mix is the thick one the pipeline applies it after, else 0."""
    shares = None
    if seen["settings"].smooth == "frequency match":
        shares = _thick_holes.middle_shares(seen["values"], seen["hole"], seen["depth_map"])
    return np.zeros(len(seen["out"])) if shares is None else shares


def laplace_mixed(image: np.ndarray, hole: np.ndarray, seen: dict, shares: np.ndarray) -> float:
    """PSNR of the recorded output with the Laplace fill mixed in at ``shares`` (per pixel)."""
    shares = shares[:, None]
    return psnr_of(image, hole, (1 - shares) * seen["out"] + shares * seen["laplace"])


def kept_gain(image: np.ndarray, hole: np.ndarray, seen: dict) -> float:
    """The package's middle rule's gain in dB over the recorded output without it."""
    return (laplace_mixed(image, hole, seen, kept_shares(seen))
            - psnr_of(image, hole, seen["out"]))


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


def run_replay(cases, gate: str = "contrast") -> None:
    """Every profile on the thick cases behind ``gate``: sum, worst, and each case's gain with
    the gate's best profile."""
    table = {}
    best = PROFILES.index(BEST[gate])
    for name, kind, image, hole in cases:
        if kind == "seed mask" and name == "barbara":
            continue                        # deeper than 32: the boundary mix, not this path
        table[f"{name}, {kind}"] = gains(image, hole, PROFILES, [gate])[0]
        print(f"{name}, {kind}: {BEST[gate]} {table[f'{name}, {kind}'][best]:+.3f}", flush=True)
    columns = np.array(list(table.values()))
    for index in np.argsort(-columns.sum(axis=0))[:15]:
        print(f"{PROFILES[index]}: sum {columns[:, index].sum():+.2f} "
              f"worst {columns[:, index].min():+.2f}")


def outside_images() -> dict[str, np.ndarray]:
    """The 12 scikit-image pictures of the outside blocks, cropped (not yet shrunk)."""
    from skimage import data

    return {"chelsea": data.chelsea()[:, 75:375], "coins": data.coins(), "moon": data.moon(),
            "hubble": data.hubble_deep_field()[:400, :400],
            "ihc": data.immunohistochemistry(), "retina": data.retina()[100:900, 100:900],
            "camera": data.camera(), "astronaut": data.astronaut(),
            "coffee": data.coffee()[:, 100:500], "rocket": data.rocket()[:, 100:527],
            "cat": data.cat(), "motorcycle": data.stereo_motorcycle()[0][:, 200:700]}


def outside_cases(places: str = "first"):
    for name, image in outside_images().items():
        image = shrunk(image)
        for top, left in PLACES[places]:
            hole = np.zeros(image.shape[:2], bool)
            hole[top:top + 64, left:left + 64] = True
            yield name, f"block 64 at {top},{left}", image, hole


def run_outside(_cases, gate: str = "contrast", places: str = "first") -> None:
    """The gate's best profile of the replay on 64-px blocks of other pictures and places, then
    every profile's sum over them behind that gate."""
    rows, kept = [], []
    best = PROFILES.index(BEST[gate])
    for name, kind, image, hole in outside_cases(places):
        seen = recorded(image, hole)
        before = psnr_of(image, hole, seen["out"])
        rows.append([psnr_of(image, hole, with_middle(seen, p, gate)) - before
                     for p in PROFILES])
        kept.append(kept_gain(image, hole, seen) if gate == "contrast" else rows[-1][best])
        print(f"{name}, {kind}: {kept[-1]:+.2f}", flush=True)
    table = np.array(rows)
    chosen = np.array(kept)
    label = "the kept rule (middle_shares)" if gate == "contrast" else BEST[gate]
    print(f"{label} behind {gate}: changed {np.count_nonzero(np.abs(chosen) > 0.005)} of "
          f"{len(rows)}, sum {chosen.sum():+.2f}, worst {chosen.min():+.2f}, best "
          f"{chosen.max():+.2f}, {np.count_nonzero(chosen > 0.005)} up, "
          f"{np.count_nonzero(chosen < -0.005)} down")
    sums = table.sum(axis=0)
    for index in np.argsort(-sums)[:8]:
        print(f"{PROFILES[index]}: sum {sums[index]:+.2f}, worst {table[:, index].min():+.2f}, "
              f"{np.count_nonzero(table[:, index] > 0.005)} up, "
              f"{np.count_nonzero(table[:, index] < -0.005)} down")


# (low, high) of the contrast gate swept by ``thresholds``.
THRESHOLDS = [(low, low + ramp) for low in (0.8, 0.825, 0.85, 0.875, 0.9, 0.925)
              for ramp in (0.025, 0.05, 0.1, 0.15)]


def component_contrasts(seen: dict) -> np.ndarray:
    """Per hole pixel, the match contrast of its component's ring (nan off deep components)."""
    hole = seen["hole"]
    labels, count = ndi.label(hole, structure=np.ones((3, 3), bool))
    full = np.zeros(hole.shape)
    full[hole] = seen["depths"]
    deepest = np.atleast_1d(ndi.maximum(full, labels, index=np.arange(1, count + 1)))
    contrasts = np.full(count + 1, np.nan)
    for part in np.flatnonzero(deepest > mixes.WHOLE_DEPTH_MAX) + 1:
        contrasts[part] = _thick_holes.match_contrast(seen["values"], labels == part,
                                                      missing=hole)
    return contrasts[labels[hole]]


def run_thresholds(cases, places: str = "first") -> None:
    """The kept profile behind contrast gates of every (low, high) in THRESHOLDS, on the outside
    blocks of ``places`` or (``compare``) the thick cases but barbara: sum, worst, up and
    down."""
    rows = []
    profile = BEST["contrast"]
    chosen = ([case for case in cases if case[0] != "barbara"] if places == "compare"
              else outside_cases(places))
    for name, kind, image, hole in chosen:
        seen = recorded(image, hole)
        if seen["settings"].smooth != "frequency match":
            continue
        contrast = component_contrasts(seen)
        before = psnr_of(image, hole, seen["out"])
        row = []
        for low, high in THRESHOLDS:
            seen["gates"]["contrast"] = np.nan_to_num(np.clip((contrast - low) / (high - low),
                                                              0, 1))
            row.append(psnr_of(image, hole, with_middle(seen, profile, "contrast")) - before)
        rows.append(row)
        print(f"{name}, {kind}: contrast {np.nanmax(contrast):.3f}", flush=True)
    table = np.array(rows)
    for index in np.argsort(-table.sum(axis=0)):
        column = table[:, index]
        print(f"{THRESHOLDS[index][0]:.3f}-{THRESHOLDS[index][1]:.3f}: sum {column.sum():+.2f}, "
              f"worst {column.min():+.2f}, {np.count_nonzero(column > 0.005)} up, "
              f"{np.count_nonzero(column < -0.005)} down")


# The open gate's variants swept by ``ramps``: (open start, open length) of the depth ramp,
# moved linearly in the gate (share MIDDLE_SHARE); and a share rising above the gate, (top,
# contrast where it reaches top, start and length there), everything moved linearly from
# (MIDDLE_SHARE, MIDDLE_FROM, MIDDLE_RAMP) at the gate's high end.
OPEN_RAMPS = [(start, length) for start in (2, 3, 4, 6) for length in (4, 8, 10, 12)]
RISING = [(top, reach, start, length) for top in (0.65, 0.8, 0.9, 1.0)
          for reach in (0.9, 0.925, 0.975, 1.05, 1.1) for start in (2, 3, 4, 6)
          for length in (4, 8, 10)]
# Always printed (docs/pipeline.md's table): the kept ramp and its neighbours, the first set's
# best rising share that reaches camera's and grass's targets, and the best of the first and
# second sets together.
NAMED = ["ramp (2, 12)", "ramp (2, 10)", "ramp (3, 10)", "ramp (4, 8)", "ramp (2, 8)",
         "rising (1.0, 1.05, 4, 8)", "rising (0.8, 0.9, 3, 10)"]


def open_ramp_shares(contrast: np.ndarray, depths: np.ndarray, start: float,
                     length: float) -> np.ndarray:
    """The rule with the open gate's ramp (``start``, ``length``): main's is (6, 8), the kept
    one (``MIDDLE_OPEN_FROM``, ``MIDDLE_OPEN_RAMP``)."""
    gate = np.array([_thick_holes.middle_gate(c) for c in np.nan_to_num(contrast, nan=-1.0)])
    with mock.patch.object(_thick_holes, "MIDDLE_OPEN_FROM", start), \
            mock.patch.object(_thick_holes, "MIDDLE_OPEN_RAMP", length):
        begin, span = _thick_holes.middle_ramp(gate)
    return gate * _thick_holes.MIDDLE_SHARE * np.clip((depths - begin) / span, 0, 1)


def rising_shares(contrast: np.ndarray, depths: np.ndarray, top: float, reach: float,
                  start: float, length: float) -> np.ndarray:
    """A share that follows the contrast above the gate: MIDDLE_SHARE at the gate's high end,
    ``top`` from the contrast ``reach`` on, the ramp moving to (``start``, ``length``)."""
    low, high = _thick_holes.MIDDLE_CONTRAST
    contrast = np.nan_to_num(contrast, nan=-1.0)
    gate = np.clip((contrast - low) / (high - low), 0, 1)
    rise = np.clip((contrast - high) / (reach - high), 0, 1)
    share = _thick_holes.MIDDLE_SHARE + (top - _thick_holes.MIDDLE_SHARE) * rise
    begin = _thick_holes.MIDDLE_FROM + (start - _thick_holes.MIDDLE_FROM) * rise
    span = _thick_holes.MIDDLE_RAMP + (length - _thick_holes.MIDDLE_RAMP) * rise
    return gate * share * np.clip((depths - begin) / span, 0, 1)


def run_ramps(cases, places: str = "first") -> None:
    """Each open-gate variant's gain over main's rule (the ramp from 6 over 8 at any gate), on
    the outside blocks of ``places`` or (``compare``) the thick cases but barbara: sum, up,
    down, worst, and camera's and grass's 64-px blocks on the compare cases."""
    variants = {f"ramp {v}": (open_ramp_shares, v) for v in OPEN_RAMPS}
    variants.update({f"rising {v}": (rising_shares, v) for v in RISING})
    chosen = ([case for case in cases if case[0] != "barbara"] if places == "compare"
              else outside_cases(places))
    names, rows = [], []
    main_ramp = (_thick_holes.MIDDLE_FROM, _thick_holes.MIDDLE_RAMP)
    for name, kind, image, hole in chosen:
        seen = recorded(image, hole)
        if seen["settings"].smooth != "frequency match":
            continue
        contrast, depths = component_contrasts(seen), seen["depths"]

        before = laplace_mixed(image, hole, seen, open_ramp_shares(contrast, depths,
                                                                    *main_ramp))
        kept = laplace_mixed(image, hole, seen, kept_shares(seen))
        rows.append([kept - before] + [
            laplace_mixed(image, hole, seen, rule(contrast, depths, *v)) - before
            for rule, v in variants.values()])
        names.append(f"{name}, {kind}")
        peak = np.nanmax(contrast) if np.isfinite(contrast).any() else np.nan
        print(f"{name}, {kind}: contrast {peak:.3f}, main {before:.3f}, "
              f"kept {kept - before:+.3f}", flush=True)
    table = np.array(rows)
    labels = ["kept (middle_shares)", *variants]
    watched = [names.index(n) for n in ("camera, block 64", "grass, block 64") if n in names]
    named = [labels.index(name) for name in NAMED]
    order = [0, *named] + [i for i in np.argsort(-table.sum(axis=0))
                           if i != 0 and i not in named][:10]
    for index in order:
        column = table[:, index]
        extra = "".join(f", {names[i].split(',')[0]} {column[i]:+.3f}" for i in watched)
        print(f"{labels[index]}: sum {column.sum():+.2f}, {np.count_nonzero(column > 0.005)} "
              f"up, {np.count_nonzero(column < -0.005)} down, worst {column.min():+.2f}{extra}")


def held_out_ratio(image: np.ndarray, hole: np.ndarray) -> float:
    """The held-out parts' error with the best profile (depths scaled by HELD_OUT_SCALE, no
    gate) over their error without it, after the rounds the real hole runs."""
    case, out, held_hole, smooth = held_out_last(image, hole)
    values = image[case.window] / 255.0
    truth = (values if values.ndim == 3 else values[..., None])[case.pixels]
    scaled = {"out": out[held_hole], "biharmonic": smooth.on_hole("biharmonic"),
              "depths": smooth.depths()[held_hole] * _thick_holes.HELD_OUT_SCALE}
    mixed = out.copy()
    mixed[held_hole] = with_middle(scaled, BEST["spread"], gate=None)
    return float(np.mean((mixed[case.pixels] - truth) ** 2) /
                 np.mean((out[case.pixels] - truth) ** 2))


def held_out_last(image: np.ndarray, hole: np.ndarray,
                  scale: int = _thick_holes.HELD_OUT_SCALE) -> tuple | None:
    """The default's thick held-out problem (``_thick_holes.shrunk_beside``, its parts shrunk
    by ``scale``) and, after the rounds the real hole runs, its default mix (the window's
    values), held-out hole and smooth fills; None where no part found room."""
    seen: dict = {}
    real_mix, real_cut, real_regrow = (selection.mix_smooth, _thick_holes.shrunk_beside,
                                       _thick_holes.regrown)

    def mix(estimate, hole_, settings, smooth):
        out = real_mix(estimate, hole_, settings, smooth)
        if settings.smooth == "frequency match" and smooth.match_spread is None:
            seen[settings.rounds] = (out, hole_, smooth)
        return out

    def cut(*args, **options):
        seen["case"] = real_cut(*args, **options, scale=scale)
        return seen["case"]

    def regrow(*args, **options):
        seen["case"] = real_regrow(*args, **options)
        return seen["case"]

    with mock.patch.object(selection, "mix_smooth", mix), \
            mock.patch.object(_thick_holes, "shrunk_beside", cut), \
            mock.patch.object(_thick_holes, "regrown", regrow):
        gi.inpaint(image, hole)
    if "case" not in seen:
        return None
    return (seen["case"], *seen[max(key for key in seen if isinstance(key, int))])


def run_heldout(cases) -> None:
    """Does the held-out hole tell where the middle rule gains? Its error ratio with the
    spread design's profile against the real hole's gain (every 64-px block), on the
    compare's 64-px blocks and the outside ones."""
    blocks = [case for case in cases if case[1] == "block 64"] + list(outside_cases())
    for name, kind, image, hole in blocks:
        ratio = held_out_ratio(image, hole)
        gain = gains(image, hole, [BEST["spread"]], ["none"])[0, 0]
        print(f"{name}, {kind}: held-out ratio {ratio:.3f}, real gain {gain:+.2f}", flush=True)


def run_deep(_cases) -> None:
    """The kept rule end to end on the 20 deep holes of deep_self_validation.py (deeper than 32
    px: after the boundary blend), against the rule switched off (``MIDDLE_SHARE`` = 0)."""
    from deep_self_validation import deep_cases

    moves = []
    for name, kind, image, hole in deep_cases(256):
        with_rule = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
        with mock.patch.object(_thick_holes, "MIDDLE_SHARE", 0.0):
            without = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
        moves.append(with_rule - without)
        print(f"{name}, {kind}: {without:.3f} -> {with_rule:.3f} ({moves[-1]:+.3f})", flush=True)
    print(f"changed {np.count_nonzero(moves)} of {len(moves)}, sum {sum(moves):+.2f}, "
          f"worst {min(moves):+.3f}")


def run_periods(cases, places: str = "first") -> None:
    """Each deep component's contrast gate, the reach and ``ring_periodicity`` of its ring and
    the periodic guard on it, on the outside blocks of ``places``, the thick cases but barbara
    (``compare``) or the deep holes (``deep``); then the open gates the guard moves."""
    if places == "deep":
        from deep_self_validation import deep_cases
        chosen = deep_cases(256)
    elif places == "compare":
        chosen = [case for case in cases if case[0] != "barbara"]
    else:
        chosen = outside_cases(places)
    moved = []
    for name, kind, image, hole in chosen:
        values = image / 255.0 if image.dtype == np.uint8 else image.astype(float)
        values = np.where(hole[..., None], 0, values if values.ndim == 3 else values[..., None])
        found = mixes.hole_components(hole)
        deepest = found.maxima(layer_depths(hole)[hole])
        for part in np.flatnonzero(deepest > mixes.WHOLE_DEPTH_MAX):
            component = found.labels == part
            gate = _thick_holes.middle_gate(
                _thick_holes.match_contrast(values, component, missing=hole))
            reach = _thick_holes.period_reach(deepest[part])
            period = _thick_holes.ring_periodicity(values, component, missing=hole, reach=reach)
            guard = _thick_holes.periodic_guard(period)
            if gate > 0 and guard < 1:
                moved.append(f"{name}, {kind}")
            print(f"{name}, {kind}: gate {gate:.2f}, reach {reach}, periodicity {period:.3f}, "
                  f"guard {guard:.2f}", flush=True)
    print(f"open gates the guard moves: {len(moved)} ({'; '.join(moved)})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=("depths", "replay", "outside", "heldout", "deep",
                                          "thresholds", "ramps", "periods"))
    parser.add_argument("--gate", choices=tuple(BEST), default="contrast")
    parser.add_argument("--places", choices=(*PLACES, "compare", "deep"), default="first",
                        help="compare: the thick cases (thresholds, ramps and periods only); "
                             "deep: the deep holes (periods only)")
    args = parser.parse_args(argv)
    cases = thick_cases()
    if args.study == "replay":
        run_replay(cases, args.gate)
    elif args.study == "outside":
        run_outside(cases, args.gate, args.places)
    elif args.study == "thresholds":
        run_thresholds(cases, args.places)
    elif args.study == "ramps":
        run_ramps(cases, args.places)
    elif args.study == "periods":
        run_periods(cases, args.places)
    else:
        {"depths": run_depths, "heldout": run_heldout, "deep": run_deep}[args.study](cases)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
