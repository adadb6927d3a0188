"""Issue 13: the frequency fill's colour mode on the smooth photo's blocks (docs/pipeline.md,
"The frequency fill's colour mode, and chelsea smooth's blocks").

    python benchmarks/frequency_colour.py alone        # the fill alone, ~1 min
    python benchmarks/frequency_colour.py compare      # end to end, colour thick cases, ~2 min
    python benchmarks/frequency_colour.py outside      # upscaled photos, other places, ~6 min
    python benchmarks/frequency_colour.py heldout      # chelsea smooth's blocks: held out / real

Colour modes of the frequency-selective fill (``_frequency``): ``channels`` (each RGB channel on
its own, the pipeline's), ``luma-chroma`` (``frequency_fill(colour="luma-chroma")``: JPEG's
luma and chroma, chroma split at cv2.xphoto's "Cx" deviations, as cv2.xphoto's colour mode
fits), ``joint`` (one greedy choice of basis functions per block for the three channels
together, the sum of their weighted residual energies, each channel its own coefficients;
blocks split on the channels' RMS deviation; written here, not kept) and ``joint
luma-chroma`` (the same on luma and chroma).

``alone``: PSNR over the hole of each mode's fill alone (the kept profile
``mixes.FREQUENCY_PROFILE`` and the gated one ``mixes.GATED_PROFILE``) and of cv2.xphoto's
FSR_FAST in colour and per channel, on the colour block and blotch cases of the compare
benchmark, with the fill's CPU seconds. ``compare``: ``inpaint`` end to end on those cases with
(a) the gated fill in luma-chroma for components whose ring is smoother than photo detail
(``ring_roughness`` below ``mixes.WHOLE_DEPTH_RING[0]``), (b) the joint mode in the kept fill,
(c) in the gated fill, (d) the joint luma-chroma mode in the kept fill. ``outside``: eight
scikit-image photos made smooth as chelsea smooth is (shrunk to 64 px, upscaled 4x cubic), with
32-px and 64-px blocks at three or four places and blotches: (a) as above; (e) a smooth ring's
component at most 24 px deep takes the gated fill at its whole depth (as detailed rings do), per
channel or in luma-chroma; (f) a smooth ring's component deeper than 24 px takes a fill in its
middle (the middle rule's ramp, depth 6 over 8 px) at 0.5 or 1 (with chelsea smooth's own
64-px block of the compare benchmark). ``heldout``: on chelsea
smooth's blocks, the thick self-validation's held-out error of each candidate mix beside its
PSNR on the real hole.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.fft
from numba import njit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from graphinpaint import _frequency as F, mixes, pipeline  # noqa: E402
from graphinpaint.fills import clip_to_known, mix_in  # noqa: E402
from cases import blotch_mask, region_fill_module, wide_cases  # noqa: E402

SIDE = 256
THICK = ("block 32", "block 64", "blotches")


@njit(cache=True, nogil=True, fastmath=True)
def greedy_joint(residual, weight, frequency_weight, orthogonality,
                 iterations):  # pragma: no cover - compiled by numba
    """``_frequency._greedy_model`` for channels stacked on the first axis: each step picks
    the frequency of the largest weighted residual energy summed over the channels and adds
    it to every channel at its own coefficient."""
    channels, size = residual.shape[0], residual.shape[1]
    half = size // 2 + 1
    model = np.zeros((channels, size, size), np.complex128)
    total = weight[0, 0].real
    if not total > 0:
        return model
    score = frequency_weight * frequency_weight
    padded = np.concatenate((weight, weight), axis=1)
    best, bu, bv = -1.0, 0, 0
    for u in range(size):
        for v in range(half):
            value = 0.0
            for ch in range(channels):
                value += residual[ch, u, v].real ** 2 + residual[ch, u, v].imag ** 2
            value *= score[u, v]
            if value > best:
                best, bu, bv = value, u, v
    done = 0
    cs = np.zeros(channels, np.complex128)
    while done < iterations:
        cu, cv = (size - bu) % size, (size - bv) % size
        pair = not (cu == bu and cv == bv)
        for ch in range(channels):
            c = orthogonality * residual[ch, bu, bv] / total
            if not pair:
                c = c.real + 0j
            cs[ch] = c
            model[ch, bu, bv] += c
            if pair:
                model[ch, cu, cv] += np.conj(c)
        best, nu, nv = -1.0, 0, 0
        for u in range(size):
            srow = padded[(u - bu) % size]
            trow = padded[(u - cu) % size]
            so, to = size - bv, size - cv
            for v in range(half):
                value2 = 0.0
                for ch in range(channels):
                    c = cs[ch]
                    step = c * srow[v + so]
                    if pair:
                        step += np.conj(c) * trow[v + to]
                    value = residual[ch, u, v] - step
                    residual[ch, u, v] = value
                    value2 += value.real ** 2 + value.imag ** 2
                value2 *= score[u, v]
                if value2 > best:
                    best, nu, nv = value2, u, v
        bu, bv = nu, nv
        done += 2 if pair else 1
    return model


def deviation(window, available):
    """The RMS over the channels of the available pixels' standard deviations."""
    seen = window[available > 0]
    return float(np.sqrt(seen.var(axis=0).mean())) if seen.size else float("nan")


def extrapolate(window, available, rho, fft_size, profile):
    """``_frequency._extrapolate`` of a (h, w, C) window with the joint selection."""
    height, width, channels = window.shape
    top, left = (fft_size - height) // 2, (fft_size - width) // 2
    inside = (slice(top, top + height), slice(left, left + width))
    weight = np.zeros((fft_size, fft_size))
    weight[inside] = available * F._decay(height, width, rho)
    signal = np.zeros((channels, fft_size, fft_size))
    signal[:, top:top + height, left:left + width] = np.moveaxis(window, -1, 0)
    dev = deviation(window, available)
    least, most = profile.iterations
    iterations = min(max(round(profile.iterations_per_deviation * dev), least), most) \
        if dev == dev else least
    spectrum = greedy_joint(scipy.fft.rfft2(signal * weight), scipy.fft.fft2(weight),
                            F._frequency_weights(fft_size), profile.orthogonality, iterations)
    model = scipy.fft.irfft2(spectrum[:, :, :fft_size // 2 + 1], s=(fft_size, fft_size))
    return np.moveaxis(model[:, top:top + height, left:left + width], 0, -1) * fft_size ** 2


def blocks(planes, hole, origin, profile, unknown=None):
    """``_frequency._extrapolate_blocks`` of (H, W, C) planes, one split and selection for
    the channels."""
    absent = hole if unknown is None else hole | unknown
    available = np.where(absent, 0.0, 1.0)
    planes[absent] = 0.0
    size = profile.block
    todo = F._blocks_with_hole(hole, size, F._grid_corners(hole.shape, origin, size))
    while todo:
        fft_size = profile.fft_of(size)
        border = (fft_size - size) // 2
        now, later = [], []
        for corner in todo:
            if size == profile.smallest_block:
                now.append(corner)
                continue
            window = F._window(corner, size, border, hole.shape)
            if not deviation(planes[window], available[window]) < profile.split_of(size):
                half = size // 2
                later += [(corner[0] + dy, corner[1] + dx) for dy in (0, half) for dx in (0, half)]
            else:
                now.append(corner)
        for corner in F._in_order(now, available == 0, size):
            window = F._window(corner, size, border, hole.shape)
            block = F._block(corner, size, hole.shape)
            model = extrapolate(planes[window], available[window], profile.rho_of(size),
                                fft_size, profile)
            inner = tuple(slice(b.start - w.start, b.stop - w.start) for b, w in zip(block, window))
            missing = hole[block] & (available[block] == 0)
            planes[block][missing] = model[inner][missing]
            available[block][missing] = F.FILLED_WEIGHT
        size //= 2
        todo = F._blocks_with_hole(hole & (available == 0), size, later)


def joint_fill(values, hole, *, on_hole=True, profile=F.FSR_FAST, unknown=None,
               colour="joint"):
    """:func:`graphinpaint._frequency.frequency_fill`'s fill on the hole (``on_hole`` only)
    with one basis selection for the channels (``colour`` "joint" or "joint luma-chroma")."""
    margin = max(max((profile.fft_of(s) - s) // 2 for s in F._sizes(profile)), profile.block)
    rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    top, left = rows[0], cols[0]
    crop = (slice(max(top - margin, 0), rows[-1] + 1 + margin),
            slice(max(left - margin, 0), cols[-1] + 1 + margin))
    origin = (top - crop[0].start, left - crop[1].start)
    luma = colour == "joint luma-chroma"
    planes = values[crop].astype(np.float64)
    planes = F.luma_chroma(planes) if luma else planes
    blocks(planes, hole[crop], origin, profile, None if unknown is None else unknown[crop])
    filled = planes[hole[crop]]
    return (F.luma_chroma(filled, inverse=True) if luma else filled).astype(values.dtype)


def fill_in(values, hole, profile, colour, unknown=None):
    """The fill on the hole in any of the four colour modes."""
    if colour.startswith("joint"):
        return joint_fill(values, hole, profile=profile, unknown=unknown, colour=colour)
    return F.frequency_fill(values, hole, on_hole=True, profile=profile, unknown=unknown,
                            colour=colour)


def psnr(image, out, where):
    error = (image.astype(np.float64) - out.astype(np.float64))[where]
    return float(10 * np.log10(255.0 ** 2 / np.mean(error ** 2)))


def colour_cases():
    return [case for case in wide_cases() if case[2].ndim == 3 and case[1] in THICK]


def smooth(image):
    """As ``cases.wide_images`` makes chelsea smooth: the centred square shrunk to a quarter of
    SIDE (anti-aliased, 8-bit), upscaled 4x by cubic interpolation."""
    from skimage import transform

    h, w = image.shape[:2]
    s = min(h, w)
    image = image[(h - s) // 2:(h - s) // 2 + s, (w - s) // 2:(w - s) // 2 + s]
    small = transform.resize(image, (SIDE // 4, SIDE // 4, 3), anti_aliasing=True)
    small = np.clip(np.rint(small * 255), 0, 255).astype(np.uint8)
    return np.clip(np.rint(transform.resize(small, (SIDE, SIDE, 3), order=3) * 255),
                   0, 255).astype(np.uint8)


def smooth_images():
    from skimage import data

    # chelsea's centred square is chelsea smooth's crop: its block c is the compare case.
    return {name: smooth(image) for name, image in {
        "astronaut": data.astronaut(), "coffee": data.coffee(), "chelsea": data.chelsea(),
        "rocket": data.rocket(), "ihc": data.immunohistochemistry(), "retina": data.retina(),
        "coffee left": data.coffee()[:, :400], "motorcycle": data.stereo_motorcycle()[0]}.items()}


def square(side, top, left):
    hole = np.zeros((SIDE, SIDE), bool)
    hole[top:top + side, left:left + side] = True
    return hole


def outside_cases(kinds):
    rng = np.random.default_rng(3)
    places = {"block 32": ((60, 150), (170, 50), (112, 112)),
              "block 64": ((40, 40), (150, 140), (96, 10))}
    for name, image in smooth_images().items():
        for kind in kinds:
            if kind == "blotches":
                yield name, kind, image, blotch_mask((SIDE, SIDE), rng)
                continue
            for place, (top, left) in zip("abc", places[kind]):
                yield name, f"{kind} {place}", image, square(int(kind[-2:]), top, left)


def smooth_rings(smooth_fills, deepest=None):
    """Per hole pixel (flat order), whether its component's ring is smoother than photo
    detail (and, with ``deepest`` = (low, high), its depth within (low, high])."""
    found = smooth_fills.components
    rough = F.ring_roughnesses(smooth_fills.values, smooth_fills.hole, found.labels)
    keep = rough < mixes.WHOLE_DEPTH_RING[0]
    if deepest is not None:
        depth = found.maxima(smooth_fills.depths()[smooth_fills.hole])[1:]
        keep &= (deepest[0] < depth) & (depth <= deepest[1])
    return keep[found.parts - 1]


REAL_GATED, REAL_WHOLE, REAL_FILL = (mixes.SmoothFills._gated, mixes.SmoothFills._whole_depth,
                                     mixes.frequency_fill)
REAL_MIDDLE = region_fill_module()._holes.smoother_middle


def gated_in(colour):
    """``SmoothFills._gated`` with the opened components of smooth rings filled in
    ``colour`` (the others, unknown to that fill, per channel as before)."""
    def gated(self, estimate, weights, near):
        smooth_part = smooth_rings(self)

        def filled(values, hole, *, on_hole=False, profile=F.FSR_FAST, unknown=None):
            if profile != mixes.GATED_PROFILE:
                return REAL_FILL(values, hole, on_hole=on_hole, profile=profile,
                                 unknown=unknown)
            out = np.empty((np.count_nonzero(hole), values.shape[-1]))
            part = smooth_part[hole[self.hole]]
            for mode, pixels in (("channels", ~part), (colour, part)):
                if pixels.any():
                    these = np.zeros_like(hole)
                    these[hole] = pixels
                    out[pixels] = fill_in(values, these, profile, mode,
                                          unknown | (hole & ~these))
            return out.astype(values.dtype)

        mixes.frequency_fill = filled
        try:
            return REAL_GATED(self, estimate, weights, near)
        finally:
            mixes.frequency_fill = REAL_FILL
    return gated


def fill_everywhere(colour, gated):
    """``mixes.frequency_fill`` in ``colour`` for the gated profile's fills (``gated``) or for
    the kept profile's."""
    def filled(values, hole, *, on_hole=False, profile=F.FSR_FAST, unknown=None):
        if (profile == mixes.GATED_PROFILE) == gated and values.shape[-1] == 3:
            return fill_in(values, hole, profile, colour, unknown)
        return REAL_FILL(values, hole, on_hole=on_hole, profile=profile, unknown=unknown)
    return filled


def whole_depth_smooth(self, opened):
    return REAL_WHOLE(self, opened) | (opened & smooth_rings(self, (0, mixes.WHOLE_DEPTH_MAX)))


def middle_of(kind, share):
    """``_thick_holes.smoother_middle`` and then, in smooth rings' components deeper than
    ``WHOLE_DEPTH_MAX``, ``kind`` at ``share`` times the middle rule's ramp."""
    from graphinpaint import _thick_holes

    def middle(estimate, hole, smooth_fills):
        estimate = REAL_MIDDLE(estimate, hole, smooth_fills)
        part = smooth_rings(smooth_fills, (mixes.WHOLE_DEPTH_MAX, np.inf))
        if not part.any():
            return estimate
        depth = smooth_fills.depths()[hole]
        ramp = np.clip((depth - _thick_holes.MIDDLE_FROM) / _thick_holes.MIDDLE_RAMP, 0, 1)
        if kind == "joint luma-chroma":
            fill = clip_to_known(joint_fill(smooth_fills.values, hole,
                                            profile=mixes.FREQUENCY_PROFILE, colour=kind),
                                 smooth_fills.values, hole)
        else:
            fill = smooth_fills.on_hole(kind)
        return mix_in(estimate, hole, fill, (share * ramp * part)[:, None])
    return middle


def patched(change):
    """Set the patch ``change`` (None: the default) on mixes and the region's stages."""
    holes = region_fill_module()._holes
    mixes.SmoothFills._gated, mixes.SmoothFills._whole_depth = REAL_GATED, REAL_WHOLE
    mixes.frequency_fill, holes.smoother_middle = REAL_FILL, REAL_MIDDLE
    if change is None:
        return
    what, *args = change
    if what == "gated":
        mixes.SmoothFills._gated = gated_in(*args)
    elif what == "everywhere":
        mixes.frequency_fill = fill_everywhere(*args)
    elif what == "whole":
        mixes.SmoothFills._whole_depth = whole_depth_smooth
        if args:
            mixes.SmoothFills._gated = gated_in(*args)
    elif what == "middle":
        holes.smoother_middle = middle_of(*args)


def run_changes(cases, changes) -> None:
    """``inpaint`` on each case under each change, against the default: per case, and the
    sum, worst change and count of cases lower by more than 0.01 dB."""
    totals = {label: [] for label in changes}
    for name, kind, image, hole in cases:
        patched(None)
        base = psnr(image, gi.inpaint(image, hole), hole)
        row = []
        for label, change in changes.items():
            patched(change)
            try:
                moved = psnr(image, gi.inpaint(image, hole), hole) - base
            finally:
                patched(None)
            totals[label].append(moved)
            row.append(f"{label} {moved:+.3f}")
        print(f"{name}, {kind}: {base:.3f}; " + "; ".join(row), flush=True)
    for label, moved in totals.items():
        moved = np.array(moved)
        print(f"{label}: sum {moved.sum():+.2f}, worst {moved.min():+.2f}, "
              f"{np.count_nonzero(moved < -0.01)} lower by > 0.01 dB, "
              f"{np.count_nonzero(moved > 0.01)} higher")


def alone() -> None:
    import cv2

    import compare

    peers = {"OpenCV colour": compare.xphoto(cv2.xphoto.INPAINT_FSR_FAST, per_channel=False),
             "OpenCV per channel": compare.xphoto(cv2.xphoto.INPAINT_FSR_FAST, per_channel=True)}
    profiles = {"kept": mixes.FREQUENCY_PROFILE, "gated": mixes.GATED_PROFILE}
    modes = ("channels", "luma-chroma", "joint", "joint luma-chroma")
    joint_fill(np.zeros((40, 40, 3)), _tiny_hole())            # compile the kernel first
    for name, kind, image, hole in colour_cases():
        print(f"{name}, {kind}: " + "; ".join(
            f"{label} {psnr(image, peer(image, hole), hole):.2f}" for label, peer in peers.items()))
        for label, profile in profiles.items():
            row = []
            for mode in modes:
                cpu = time.process_time()
                fill = fill_in(image / 255.0, hole, profile, mode)
                cpu = time.process_time() - cpu
                out = image.copy()
                out[hole] = np.clip(np.rint(fill * 255), 0, 255)
                row.append(f"{mode} {psnr(image, out, hole):.2f} ({cpu:.2f} s)")
            print(f"  {label}: " + "; ".join(row), flush=True)


def _tiny_hole():
    hole = np.zeros((40, 40), bool)
    hole[16:24, 16:24] = True
    return hole


def heldout() -> None:
    import thick_selection

    for name, kind, image, hole in wide_cases():
        if name != "chelsea smooth" or kind not in ("block 32", "block 64"):
            continue
        seen = {}
        real = pipeline.choose_settings

        def capture(*args, **options):
            seen["chosen"], seen["errors"] = real(*args, **options)
            return seen["chosen"], seen["errors"]

        pipeline.choose_settings = capture
        try:
            out = gi.inpaint(image, hole)
        finally:
            pipeline.choose_settings = real
        real_hole = thick_selection.oracle(image, hole)
        print(f"{name}, {kind}: inpaint {psnr(image, out, hole):.2f}, chose "
              f"{thick_selection.label(seen['chosen'])}, {seen['chosen'].rounds} rounds")
        errors = {(thick_selection.label(c), c.rounds): e for c, e in seen["errors"]}
        default = errors[("frequency match 0.5", 1)]
        for (label, rounds), error in errors.items():
            print(f"  {label:22s} {rounds} round(s): held-out error {error / default:.2f}x, "
                  f"real hole {real_hole.get(label, float('nan')):.2f} dB "
                  "(scored ungated)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("study", choices=("alone", "compare", "outside", "heldout"))
    args = parser.parse_args(argv)
    if args.study == "alone":
        alone()
    elif args.study == "heldout":
        heldout()
    elif args.study == "compare":
        run_changes(colour_cases(), {
            "(a) gated luma-chroma on smooth rings": ("gated", "luma-chroma"),
            "(b) kept joint": ("everywhere", "joint", False),
            "(c) gated joint": ("everywhere", "joint", True),
            "(d) kept joint luma-chroma": ("everywhere", "joint luma-chroma", False)})
    else:
        run_changes(outside_cases(("block 32", "block 64", "blotches")), {
            "(a) gated luma-chroma on smooth rings": ("gated", "luma-chroma")})
        run_changes(outside_cases(("block 32", "blotches")), {
            "(e) whole depth": ("whole",),
            "(e) whole depth, luma-chroma": ("whole", "luma-chroma")})
        compare_block = [case for case in colour_cases()
                         if case[:2] == ("chelsea smooth", "block 64")]
        run_changes(compare_block + list(outside_cases(("block 64",))), {
            f"(f) {kind} {share:g}": ("middle", kind, share)
            for kind in ("biharmonic", "laplace", "frequency", "joint luma-chroma")
            for share in (0.5, 1.0)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
