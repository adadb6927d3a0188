"""Issue 13: astronaut's blotches. Per blotch (8-connected hole component), what the default's
fill scores against FSR_FAST's, and the statistics a rule could read (docs/pipeline.md,
"Issue 13: astronaut's blotches, per component").

    python benchmarks/blotch_components.py compare          # the 8 blotch cases, ~1 min
    python benchmarks/blotch_components.py outside          # blotches on 10 other pictures
    python benchmarks/blotch_components.py crops OUT_DIR    # astronaut's crops as PNGs
    python benchmarks/blotch_components.py heldout [--scale 1] [--cases outside]
    python benchmarks/blotch_components.py spin [--cases outside]   # end to end
    python benchmarks/blotch_components.py ramps [--cases outside]
    python benchmarks/blotch_components.py peers --cases outside   # against OpenCV's FSR_FAST

Each case is filled once by the default ``inpaint``; its mix of the smooth fills (what
``mix_smooth`` returns, before the 8-bit rounding) is recorded with the last round's match
spreads and distances. ``compare`` / ``outside``, per component: its size, depth, ring
roughness (``_frequency.ring_roughness``), match contrast (``_thick_holes.match_contrast``), the
spread's quartiles and share above ``mixes.SPREAD_GATE``, the median match distance; the PSNR
over the component of the default, of the port's FSR_FAST fill of that component alone (the
hole's other pixels unknown, the grid on the component's corner), of FSR_FAST cycle-spun (the
mean of the fills on 4 grid phases 8 px apart), and of the default with those mixed in at 0.5
and 0.75, and the median misfit of FSR_FAST's block models on the known pixels.
``heldout``: the pipeline's held-out parts' verdict on the 0.5 mix, per component.
``spin``: the gated fill cycle-spun over ``SPINS``, end to end. ``ramps``: FSR_FAST mixed in by
depth (``RAMPS``). ``peers``: whole cases against OpenCV's FSR_FAST per channel.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from unittest import mock

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _frequency, _thick_holes, mixes  # noqa: E402
from cases import all_cases, blotch_mask, region_fill_module, shrunk  # noqa: E402

region = region_fill_module()
FAST = _frequency.FSR_FAST
SPIN = ((0, 0), (8, 8), (0, 8), (8, 0))
SHARES = (0.5, 0.75)


def recorded(image: np.ndarray, hole: np.ndarray) -> dict:
    """The default's mixed output on the hole, its match spreads and distances, depths."""
    seen: dict = {}
    real = region.mix_smooth

    def record(estimate, hole_, settings, smooth):
        out = real(estimate, hole_, settings, smooth)
        seen.update(out=out[hole_].copy(), depths=smooth.depths()[hole_].astype(float),
                    spread=smooth.match_spread, distance=smooth.match_distance,
                    settings=settings, values=smooth.values, hole=hole_)
        return out

    with mock.patch.object(region, "mix_smooth", record):
        gi.inpaint(image, hole)
    return seen


def psnr(truth: np.ndarray, fill: np.ndarray) -> float:
    """PSNR of ``fill`` (values in [0, 1], 8-bit rounded) against ``truth`` (8-bit)."""
    error = np.clip(np.rint(fill * 255), 0, 255) - truth.astype(np.float64)
    return float(10 * np.log10(255.0 ** 2 / np.mean(error ** 2)))


def component_fill(values, hole, part, grid_phase=None) -> np.ndarray:
    """FSR_FAST's fill of the component ``part`` alone, the hole's other pixels unknown."""
    unknown = hole & ~part
    if grid_phase is None:
        return _frequency.frequency_fill(values, part, on_hole=True, profile=FAST,
                                         unknown=unknown)
    rows, cols = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
    phase = ((rows[0] + grid_phase[0]) % FAST.block, (cols[0] + grid_phase[1]) % FAST.block)
    return _frequency._fit(values, part, FAST, grid_phase=phase, unknown=unknown)[0]


def rows_of(name: str, kind: str, image: np.ndarray, hole: np.ndarray) -> list[dict]:
    seen = recorded(image, hole)
    # The working region (a crop of the image): its hole pixels are the image's, in order.
    truth = (image if image.ndim == 3 else image[..., None])[hole]
    values, hole = seen["values"], seen["hole"]
    found = mixes.hole_components(hole)
    roughness = _frequency.ring_roughnesses(values, hole, found.labels)
    rows = []
    for label in range(1, found.count + 1):
        on = found.parts == label
        part = found.labels == label
        spread = seen["spread"][on] if seen["spread"] is not None else np.full(on.sum(), np.nan)
        distance = (seen["distance"][on] if seen["distance"] is not None
                    else np.full(on.sum(), np.nan))
        fast, misfit = _frequency._fit(values, part, FAST, misfit=True, unknown=hole & ~part)
        fast = np.clip(fast, 0, 1)
        spun = np.clip(np.mean([component_fill(values, hole, part, phase) for phase in SPIN],
                               axis=0), 0, 1)
        row = {"case": f"{name}, {kind}", "label": label, "size": int(on.sum()),
               "depth": float(seen["depths"][on].max()), "ring": float(roughness[label - 1]),
               "contrast": _thick_holes.match_contrast(values, part, missing=hole),
               "spread": np.nanpercentile(spread, [25, 50, 75, 90]),
               "open_share": float(np.mean(spread >= mixes.SPREAD_GATE)),
               "distance": float(np.nanmedian(distance)), "misfit": float(np.median(misfit)),
               "default": psnr(truth[on], seen["out"][on]), "fast": psnr(truth[on], fast),
               "spun": psnr(truth[on], spun)}
        for share in SHARES:
            row[f"fast {share}"] = psnr(truth[on], (1 - share) * seen["out"][on] + share * fast)
            row[f"spun {share}"] = psnr(truth[on], (1 - share) * seen["out"][on] + share * spun)
        rows.append(row)
    return rows


def show(rows: list[dict]) -> None:
    print("case | part | px | deep | ring | contrast | spread q25/50/75/90 (x1e-3) | open | "
          "dist | default | FAST | spun | FAST .5/.75 | spun .5/.75 | misfit")
    for row in rows:
        q = " ".join(f"{v * 1e3:.2f}" for v in row["spread"])
        print(f"{row['case']} | {row['label']} | {row['size']} | {row['depth']:.0f} | "
              f"{row['ring']:.2f} | {row['contrast']:.3f} | {q} | {row['open_share']:.2f} | "
              f"{row['distance']:.4f} | {row['default']:.2f} | {row['fast']:.2f} | "
              f"{row['spun']:.2f} | {row['fast 0.5']:.2f}/{row['fast 0.75']:.2f} | "
              f"{row['spun 0.5']:.2f}/{row['spun 0.75']:.2f} | {row['misfit']:.4f}", flush=True)


def held_out_ratios(image: np.ndarray, hole: np.ndarray, scale: int = 2) -> dict[int, float]:
    """Per component of the hole (8-connected labels, as :func:`rows_of` numbers them), the
    error of its held-out part (``_thick_holes.shrunk_beside``: shrunk by ``scale``, 2 as the
    pipeline's, beside it) with FSR_FAST's fill of that part mixed in at 0.5, over its error
    without, after the rounds the real hole runs (the default mix). A held-out part counts for
    the real component whose centre is nearest its own."""
    from thick_middle import held_out_last

    found = held_out_last(image, hole, scale)
    if found is None:
        return {}
    case, out, held_hole, smooth = found
    truth = image[case.window] / 255.0
    truth = truth if truth.ndim == 3 else truth[..., None]
    real = mixes.hole_components(hole)
    centres = np.array([np.argwhere(real.labels == label).mean(axis=0)
                        for label in range(1, real.count + 1)])
    held = mixes.hole_components(held_hole)
    errors: dict[int, list[float]] = {}
    corner = np.array([case.window[0].start, case.window[1].start])
    for label in range(1, held.count + 1):
        part = held.labels == label
        fast = np.clip(_frequency.frequency_fill(smooth.values, part, on_hole=True,
                                                 profile=FAST, unknown=held_hole & ~part), 0, 1)
        mine = out[part]
        default = np.sum((mine - truth[part]) ** 2)
        mixed = np.sum((0.5 * mine + 0.5 * fast - truth[part]) ** 2)
        owner = int(np.argmin(np.linalg.norm(centres - (np.argwhere(part).mean(axis=0)
                                                          + corner), axis=1))) + 1
        errors.setdefault(owner, [0.0, 0.0])
        errors[owner][0] += mixed
        errors[owner][1] += default
    return {owner: mixed / default for owner, (mixed, default) in errors.items()}


# Grid phases (y, x) from the part's corner that ``spin`` averages the gated fill over.
SPINS = {"2 phases": ((0, 0), (9, 9)), "4 phases": ((0, 0), (5, 5), (9, 9), (13, 13))}


def spun_gated(phases):
    """``frequency_fill`` for ``mixes``, the gated profile's fills averaged over ``phases``."""
    real = _frequency.frequency_fill

    def fill(values, hole, *, on_hole=False, profile=FAST, unknown=None):
        if profile is not mixes.GATED_PROFILE or not hole.any():
            return real(values, hole, on_hole=on_hole, profile=profile, unknown=unknown)
        rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
        fills = []
        for dy, dx in phases:
            phase = ((rows[0] + dy) % profile.block, (cols[0] + dx) % profile.block)
            fills.append(_frequency._fit(values, hole, profile, grid_phase=phase,
                                         unknown=unknown)[0])
        return np.mean(fills, axis=0)         # on_hole: the gated fill is always so asked
    return fill


def run_spin(cases) -> None:
    """End to end: the gated fill (the opened components' only) cycle-spun, against the
    default, PSNR over the hole of the 8-bit result and the call's CPU seconds."""
    import time

    for name, kind, image, hole in cases:
        cpu = time.process_time()
        base = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
        line = f"{name}, {kind}: default {base:.3f} ({time.process_time() - cpu:.2f} s)"
        for label, phases in SPINS.items():
            cpu = time.process_time()
            with mock.patch.object(mixes, "frequency_fill", spun_gated(phases)):
                moved = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
            line += f"; {label} {moved - base:+.3f} ({time.process_time() - cpu:.2f} s)"
        print(line, flush=True)


# (share, start, ramp): FSR_FAST mixed in at share * clip((depth - start) / ramp, 0, 1).
RAMPS = [(share, start, ramp) for share in (0.25, 0.5, 0.75) for start in (0, 4, 8, 12)
         for ramp in (1, 4, 8)]


def ramp_gains(name: str, kind: str, image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Per component (rows) and ``RAMPS`` profile (columns), the PSNR gain over the component
    of the default with FSR_FAST's fill of that component (alone) mixed in by depth."""
    seen = recorded(image, hole)
    truth = (image if image.ndim == 3 else image[..., None])[hole]
    values, hole = seen["values"], seen["hole"]
    found = mixes.hole_components(hole)
    table = []
    for label in range(1, found.count + 1):
        on = found.parts == label
        fast = np.clip(component_fill(values, hole, found.labels == label), 0, 1)
        out, depths = seen["out"][on], seen["depths"][on]
        before = psnr(truth[on], out)
        row = []
        for share, start, ramp in RAMPS:
            weight = (share * np.clip((depths - start) / ramp, 0, 1))[:, None]
            row.append(psnr(truth[on], (1 - weight) * out + weight * fast) - before)
        table.append(row)
    return np.array(table)


def run_ramps(cases) -> None:
    rows = []
    for case in cases:
        gains = ramp_gains(*case)
        rows.extend(gains)
        print(f"{case[0]}, {case[1]}: best profile per component "
              + ", ".join(f"{RAMPS[int(np.argmax(g))]} {g.max():+.2f}" for g in gains),
              flush=True)
    table = np.array(rows)
    for index in np.argsort(-table.sum(axis=0))[:10]:
        column = table[:, index]
        print(f"{RAMPS[index]}: sum {column.sum():+.2f}, worst {column.min():+.2f}, "
              f"{np.count_nonzero(column > 0.005)} up, {np.count_nonzero(column < -0.005)} down")


def run_peers(cases) -> None:
    """Whole cases: ``inpaint`` against OpenCV's FSR_FAST per channel (the compare table's
    peer), PSNR over the hole."""
    import cv2

    import compare

    opencv = compare.xphoto(cv2.xphoto.INPAINT_FSR_FAST, per_channel=True)
    ahead = 0
    for name, kind, image, hole in cases:
        ours = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
        theirs = gi.metrics.psnr(image, opencv(image, hole), hole)
        ahead += ours >= theirs - 0.1
        print(f"{name}, {kind}: inpaint {ours:.2f}, FSR_FAST per channel {theirs:.2f} "
              f"({ours - theirs:+.2f})", flush=True)
    print(f"inpaint best or within 0.1 dB on {ahead} of {len(cases)}")


def outside_cases():
    """Blotch masks (``cases.blotch_mask``, seeded) on scikit-image pictures outside the
    compare benchmark's, shrunk to 256 px as ``cases.wide_images`` does."""
    from skimage import data

    images = {"chelsea": data.chelsea()[:, 75:375], "coins": data.coins(), "moon": data.moon(),
              "hubble": data.hubble_deep_field()[:400, :400],
              "ihc": data.immunohistochemistry(), "retina": data.retina()[100:900, 100:900],
              "cat": data.cat(), "motorcycle": data.stereo_motorcycle()[0][:, 200:700],
              "page": data.page(), "coffee full": data.coffee()}
    rng = np.random.default_rng(13)
    for name, image in images.items():
        image = shrunk(image)
        yield name, "blotches", image, blotch_mask(image.shape[:2], rng)


def crops(folder: Path) -> None:
    """Astronaut's blotches: the truth, the default and FSR_FAST per component, side by side
    around each component (PNG, 3x enlarged)."""
    import imageio.v3 as iio

    *_, image, hole = next(case for case in all_cases()
                           if case[:2] == ("astronaut", "blotches"))
    seen = recorded(image, hole)
    values, region = seen["values"], seen["hole"]
    found = mixes.hole_components(region)
    folder.mkdir(parents=True, exist_ok=True)
    for label in range(1, found.count + 1):
        inside = found.labels == label
        part = np.zeros_like(hole)
        part[hole] = found.parts == label
        default, fast = image.copy(), image.copy()
        default[hole] = np.clip(np.rint(seen["out"] * 255), 0, 255)
        fast[part] = np.clip(np.rint(component_fill(values, region, inside) * 255), 0, 255)
        spun = fast.copy()
        spun[part] = np.clip(np.rint(np.mean([component_fill(values, region, inside, phase)
                                              for phase in SPIN], axis=0) * 255), 0, 255)
        rows, cols = np.flatnonzero(part.any(axis=1)), np.flatnonzero(part.any(axis=0))
        box = (slice(max(rows[0] - 12, 0), rows[-1] + 13), slice(max(cols[0] - 12, 0),
                                                                 cols[-1] + 13))
        marked = image.copy()
        marked[part] = (255, 0, 255)
        strip = np.concatenate([marked[box], image[box], default[box], fast[box], spun[box]],
                               axis=1)
        strip = np.repeat(np.repeat(strip, 3, axis=0), 3, axis=1)
        iio.imwrite(folder / f"astronaut_blotch_{label}.png", strip)
        print(folder / f"astronaut_blotch_{label}.png")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", choices=("compare", "outside", "crops", "heldout", "spin",
                                           "ramps", "peers"))
    parser.add_argument("--cases", choices=("compare", "outside"), default="compare")
    parser.add_argument("--scale", type=int, default=2, help="heldout: the parts shrunk by")
    parser.add_argument("folder", nargs="?", default="crops")
    args = parser.parse_args(argv)
    if args.part == "crops":
        crops(Path(args.folder))
        return 0
    chosen = args.cases if args.part in ("heldout", "spin", "ramps", "peers") else args.part
    cases = ([case for case in all_cases() if case[1] == "blotches"]
             if chosen == "compare" else list(outside_cases()))
    if args.part == "peers":
        run_peers(cases)
        return 0
    if args.part == "ramps":
        run_ramps(cases)
        return 0
    if args.part == "spin":
        run_spin(cases)
        return 0
    if args.part == "heldout":
        for name, kind, image, hole in cases:
            ratios = held_out_ratios(image, hole, args.scale)
            print(f"{name}, {kind}: " + ", ".join(f"{label}: {ratio:.3f}"
                                                  for label, ratio in sorted(ratios.items())),
                  flush=True)
        return 0
    rows = []
    for case in cases:
        rows += rows_of(*case)
    show(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
