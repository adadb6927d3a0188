"""The defaults that follow the hole's shape: thin strokes, thick holes (blocks, blotches) and
deep ones.

:func:`graphinpaint.inpaint` and :func:`graphinpaint.inpaint_large` (which measures the stroke
width and the depth over a lazy mask) both ask here, so that a tile runs the same pipeline as a
whole image. docs/pipeline.md has the measurements behind each rule.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy import fft
from scipy import ndimage as ndi

from .fills import _bounding_box, layer_depths, mix_in
from .mixes import WHOLE_DEPTH_MAX, HoleComponents, SmoothFills, hole_components
from .selection import HeldOut

__all__ = ["CHECKERED_FROM", "DEEPEST_REFINED", "DEEP_WINDOW", "DEFAULT_K",
           "FEWER_ROUNDS_MARGIN", "HELD_OUT_GAP",
           "HELD_OUT_PATCH", "HELD_OUT_SCALE", "MIDDLE_CONTRAST", "MIDDLE_FROM",
           "MIDDLE_OPEN_FROM", "MIDDLE_OPEN_RAMP",
           "MIDDLE_RAMP", "MIDDLE_SHARE", "PERIODIC", "PERIOD_REACH", "SEEDED_FROM",
           "SHALLOW_PERIOD_REACH", "STROKES_CHECKERED_FROM",
           "STROKES_INEXACT_BELOW", "STROKES_INEXACT_P",
           "STROKES_K", "STROKES_NEWTON_STEPS", "STROKES_ROUNDS", "STROKES_SEEDED_FROM",
           "STROKES_TRUNCATED_FROM", "THICK_STROKE", "deepest",
           "default_patch_size", "inexact_p_for", "inexact_steps_for", "is_strokes", "is_thick",
           "k_for",
           "layer_searches",
           "match_contrast", "middle_gate", "middle_gates", "middle_ramp", "middle_shares",
           "patch_for", "period_reach", "periodic_guard", "regrown", "ring_periodicity",
           "rounds_for", "shrunk_beside", "smoother_middle"]

# A hole whose strokes are this wide or wider (blocks, blotches) is matched with larger patches.
THICK_STROKE = 8.0
# Thick holes get three refinement rounds, each with fewer matches (k, not 2 k): on 32- and
# 64-pixel blocks and blotches (16 to 32 pixels deep) they gained 0.7 dB on average. Deeper
# ones get one round and a search window of 51 instead: barbara's blob, 40 pixels deep, went
# from 26.0 to 27.8 dB at 1.5x the time (61: 28.1 dB at 1.8-2.3x; three rounds lost 0.5 dB);
# on 80-pixel blocks over eight images the wider window was mixed.
DEEPEST_REFINED = 32
DEEP_WINDOW = 51
# The layers of a deep hole from this depth on are searched from their filled neighbours'
# matches (graphinpaint._seeded_search) instead of their whole window, which grows with the
# depth (barbara's blob: 51 to 129 pixels). Barbara: 27.719 dB against 27.758 with every
# layer exact; seeded from layer 12, 27.757 dB, but a 36-deep blotch on stripes
# (tests/test_seeded_search.py) lost 0.27 dB there and 0.03 from 16 (from 5 or 1, barbara
# lost 0.23 and 0.29 dB). The layers' search costs 1.4x less CPU (docs/benchmarks.md,
# "Tenth pass: barbara's layers").
SEEDED_FROM = 16
# Between CHECKERED_FROM and SEEDED_FROM, half of each layer's pixels (a checkerboard) search
# their whole window and the other half from seeds, the exact matches of their neighbours in
# the same layer among them (_stages._checkered_matches): on barbara the exact kernel scans
# 0.62x the candidates at 0.72x the CPU, the whole call takes 0.92x, 27.728 dB; the stripes'
# blotch 20.303 (every layer exact: 20.345; docs/benchmarks.md, "Eleventh pass"). From layer
# 2: 27.729 and 20.278; from 1: 27.721 and 20.241. Every layer seeded from 2 lost 0.25 dB on
# barbara and 0.5 on the stripes, with PatchMatch's random search as well; an exact quarter
# (y + 2x = 0 mod 4) lost 0.08 there. A seeded query costs 16 us on barbara, an exact one 38-70
# (one thread, at low load): checkered from 2 would save 3% of the call's CPU, but leaves the
# stripes 0.017 dB under their test's bound (docs/benchmarks.md, "Twelfth pass").
CHECKERED_FROM = 3
# Self-validation of a thick hole holds out each of its parts shrunk by HELD_OUT_SCALE (a 64-px
# block: a 32-px one) and moved beside it, HELD_OUT_GAP pixels away: a quarter of the area, so
# that the held-out fill costs a fraction of the real one (a same-size held-out block cost 2.3x
# the time). Its choice is noisy (docs/pipeline.md), so it must cut the held-out error by 40%.
# Holes deeper than DEEPEST_REFINED keep it although it cost a fifth of barbara's CPU (an
# eighth since their parts take HELD_OUT_PATCH): on 20 deep cases it changed 3 results, a
# smooth gradient's by +12.7 and +22.5 dB, camera's blotch by -1.16; shrunk by 3, the stripes'
# blotch lost 2.4 dB (benchmarks/deep_self_validation.py).
HELD_OUT_SCALE = 2
HELD_OUT_GAP = 3
# With its default rounds, a thick hole's held-out fill runs them too, and one round replaces
# them where the default mix's held-out error after it is below FEWER_ROUNDS_MARGIN times
# theirs (1.25 dB lower). Rocket's blotches: 0.67, and one round gives back what the rounds took
# since the first table (36.95 -> 40.11 dB: they carry a pole up past its end into the sky).
# On the 24 other thick cases of docs/pipeline.md ("Issue 13: thick holes' losses since the
# first table") the ratio stayed at 0.78 or above: camera's blotch 0.78 (one round -0.01 dB),
# rocket's 64-px block 0.82 (-3.3 dB), camera's 0.84 (+0.24), the cartoon's 0.86 (-1.2).
FEWER_ROUNDS_MARGIN = 0.75
# A deep hole's held-out parts, halved, are matched with patches of HELD_OUT_PATCH at most and
# seeded from layer SEEDED_FROM // HELD_OUT_SCALE (the real hole's depth rules, halved with the
# parts): it only ranks the mixes. On the 20 deep cases every choice stayed the same (the
# closest, chelsea's block, at 0.80 of the default's held-out error against the 0.6 bar), and
# the selection took 0.73x the CPU, barbara's 0.70x (docs/benchmarks.md, "Eleventh pass").
HELD_OUT_PATCH = 7
# The middle of a hole component deeper than mixes.WHOLE_DEPTH_MAX (a 64-px block: 32 px from
# any known pixel) takes the grid Laplace fill at a share that grows with depth, from nothing
# at MIDDLE_FROM to MIDDLE_SHARE at MIDDLE_FROM + MIDDLE_RAMP and deeper (the gate moves the
# ramp, below), times the gate clip((contrast - low) / (high - low), 0, 1) of the
# :func:`match_contrast` of its own surroundings (MIDDLE_CONTRAST = (low, high); each
# 8-connected component its own gate, from a fixed sample, so that a block's share follows
# neither the rest of the picture nor a tile's extent). Far from the rim a match is a guess
# uncorrelated with the truth, and PSNR rewards the conditional mean, which the harmonic fill
# (a weighted mean of the rim) approximates;
# where patches repeat (low contrast: periodic texture, a cartoon's flats and outlines, a
# rocket's straight edges) the matches continue the structure instead. Share and ramp chosen
# on the compare benchmark's thick cases and 48 other 64-px blocks (12 scikit-image pictures,
# 4 places each); the gate's thresholds re-chosen for the per-component sample on the same
# sets: +0.53 and +14.3 dB in sum, none lower on the first, 32 up and 4 down (worst -0.40) on
# the second; checked on 36 blocks at 3 new places: +6.3 dB, 18 up, 7 down (worst -0.58). The
# first gate (64 random ring pixels of every deep part together, 0.9-0.95) gave +10.3 and +5.9
# there, partly its seed's luck. The biharmonic fill, and gates on the spread and the ring
# roughness, gained on the compare cases but lost -4.0 dB over the 48 (docs/pipeline.md, "The
# middle of a 64-px block" and "The gate per component"; benchmarks/thick_middle.py). Holes
# deeper than DEEPEST_REFINED take it after their boundary blend: on the 20 deep cases of
# benchmarks/deep_self_validation.py camera's 80-px block +0.79 dB, astronaut's +0.40, grass's
# +0.17, grass's blotch +0.07, barbara identical (contrast 0.53), but the stripes' blotch -1.15:
# its period (25 px) lies beyond CONTRAST_REACH, so its contrast reads 0.95 (the guard of
# PERIODIC shuts it since).
# The ramp moves toward the rim as the gate opens: from MIDDLE_FROM over MIDDLE_RAMP where it
# is shut to MIDDLE_OPEN_FROM over MIDDLE_OPEN_RAMP where it is open (linearly in the gate):
# where the surroundings match worst, a matched texture is a poor guess nearer the rim too.
# Camera's compare block +0.027 dB, grass's +0.034, astronaut's (gate 0.2) -0.002; four sets
# of 36-48 other 64-px blocks +0.27, +0.38, +0.46, +0.06 in sum; the deep cases +0.03 (the
# stripes' blotch, whose gate opens wrongly, -0.17). Over 10 the stripes lost 0.31 and the
# fourth set 0.16; a share rising above 0.65 with the contrast gained on the set it was chosen
# on and lost on the next ones (docs/pipeline.md, "The middle's ramp follows the gate").
MIDDLE_FROM = 6
MIDDLE_RAMP = 8
MIDDLE_OPEN_FROM = 2
MIDDLE_OPEN_RAMP = 12
MIDDLE_SHARE = 0.65
MIDDLE_CONTRAST = (0.825, 0.875)
# match_contrast's sample: the known pixels within CONTRAST_RING of the hole on every
# CONTRAST_STRIDE-th row and column from its bounding box's corner (~185 around a 64-px block;
# moved to 8 phases, the gate's range exceeds 0.5 on 8 of the 48 blocks, stride 2: 2, 6: 14;
# 64 random pixels: 22), each patch CONTRAST_PATCH wide compared within CONTRAST_REACH;
# CONTRAST_FLOOR keeps flat patches' ratio finite. A ring of more than CONTRAST_SAMPLES such
# pixels keeps every n-th of them in raster order, at most CONTRAST_SAMPLES (still fixed by
# the component): barbara's whole hole is one component with 901, which took 0.1 s of its
# 0.37-s call on the calling thread (64- and 80-px blocks: 185 and 225, all kept).
CONTRAST_PATCH, CONTRAST_REACH, CONTRAST_RING, CONTRAST_STRIDE = 11, 10, 16, 4
CONTRAST_SAMPLES = 256
CONTRAST_FLOOR = 1e-3
# The contrast cannot see a texture that repeats farther than CONTRAST_REACH: the stripes'
# 36-deep blotch (tests/test_seeded_search.py, period 25 px) reads 0.95 and its gate opened
# (20.30 -> 18.98 dB). An open gate is therefore multiplied by the guard
# clip((periodicity - low) / (high - low), 0, 1), PERIODIC = (low, high), of the component's
# :func:`ring_periodicity`: how well one shift beyond CONTRAST_REACH maps the ring's detail
# onto itself (0: exactly, about 1: unrelated; by FFT, every shift at once, only where the gate
# opens), up to the reach of the default search window: PERIOD_REACH (DEEP_WINDOW's half) for
# a component deeper than DEEPEST_REFINED, SHALLOW_PERIOD_REACH (the window of 31's) for one
# up to it. The stripes 0.22, blurred noise 0.69-0.74; the other 157 deep components of the
# compare, deep and five outside sets whose gate opens 0.46 or more (docs/pipeline.md, "The
# gate's periodic guard"). A 64-px block on gratings of period 22 and 25 px loses 0.70 dB when
# guarded at a reach of 32 (its window of 31 does not continue them), an 80-px one gains 15.1.
PERIOD_REACH = DEEP_WINDOW // 2
SHALLOW_PERIOD_REACH = 15
PERIODIC = (0.3, 0.4)

# Thin strokes (scratches, text: the layers strategy on holes that are not thick) take fewer
# matches (3 per hole pixel in the layers, 6 in each round) and two refinement rounds, the
# second rebuilding the graph on the first's estimate: on the 16 scratch and text cases of
# benchmarks/compare.py and the seed's lincoln +0.35 dB on average, better on 15, none worse,
# at 1.2x the time. A third round gained 0.1 dB more on average but left tiles of
# inpaint_large up to 7 levels from a whole-image run (2 rounds: 1). A smooth photo with fine
# grain loses 0.2 dB: few matches average less grain away (benchmarks/strokes_ablation.py,
# docs/pipeline.md).
STROKES_K = 3
STROKES_ROUNDS = 2
# Thin strokes with p left to the pipeline (inpaint(p=None), anisotropic): the refinement
# rounds solve at STROKES_INEXACT_P where the first round's matches are not mostly exact
# (_stages.RoundSolves). On the compare benchmark's 17 thin stroke cases +1.06 dB in sum
# (astronaut's scratches 22.85 -> 23.03), none lower by more than 0.04; on 26 outside cases
# +2.05, 12 up, 1 down (-0.08); on the compare images under new scratches +1.10, 8 up, 5 down
# (-0.12); at 1.1-1.25x the time
# (benchmarks/strokes_p.py, docs/pipeline.md). From STROKES_TRUNCATED_FROM pixels up (issue
# 10's speed targets start at 512^2) the rounds' Newton solves stop after STROKES_NEWTON_STEPS
# steps from the p = 2 solution: solved to convergence (three steps) they cost 1.4-1.5x there
# and broke the targets. One step kept the whole gain on 22 photos of 135k to 1M pixels at
# their own resolution (+2.21 dB in sum against +2.12 converged, 19 up, 1 down; p = 2 at 512^2
# and up until then) and on a fresh draw of them (docs/pipeline.md, "... at real photo
# sizes"). Images of STROKES_INEXACT_BELOW pixels or more keep p = 2 (None: no limit): issue
# 10's 2048^2 scratches took 1.33-1.46x the time with one step (target 4.5 s, 1.4x), and at
# 4096^2 the p = 3 rounds' whole graph and Newton arrays took the peak from 2.2 to 3.7 GB
# (target 3 GB).
STROKES_INEXACT_P = 3.0
STROKES_INEXACT_BELOW: int | None = 2048 * 2048
STROKES_TRUNCATED_FROM = 512 * 512
STROKES_NEWTON_STEPS = 1
DEFAULT_K = 5
# Thin strokes' layers from STROKES_SEEDED_FROM on would be searched from their filled
# neighbours' matches, from STROKES_CHECKERED_FROM on half of them (as deep holes' are); None:
# every layer exactly. Seeded from layer 3, the compare cases' 17 strokes moved by -0.03 to
# +0.39 dB, but over 56 scratch cases (8 images x 7 scratch seeds) brick gained up to 0.50 dB
# and the cartoon lost up to 0.19 (3 masks beyond 0.05), astronaut 0.02-0.05 on 6 of 7; from
# layer 2, -0.89 to +0.53. Checkered from 3 (scratch seeds 0-2): -0.15 to +0.04; the exact
# matches plus the seeded ones as extra edges: -0.05 to +0.19, +0.003 dB on average. No time
# saved at 2048^2 or 4096^2 (docs/pipeline.md, strokes' ablation: "Not kept: strokes' inner
# layers ...").
STROKES_SEEDED_FROM: int | None = None
STROKES_CHECKERED_FROM: int | None = None


def is_thick(width: float, strategy: str) -> bool:
    """Whether a hole of this stroke width is thick (blocks, blotches) and filled by layers:
    the holes that take larger patches and more refinement rounds."""
    return strategy == "layers" and width >= THICK_STROKE


def patch_for(thick: bool) -> int:
    """The default patch: 11 for thick holes, else 7."""
    return 11 if thick else 7


def default_patch_size(thick: bool, shape: tuple[int, ...]) -> int:
    """:func:`patch_for` the hole, never more than the image's odd side."""
    side = min(shape[0], shape[1])
    return min(patch_for(thick), side if side % 2 else side - 1)


def is_strokes(strategy: str, thick: bool) -> bool:
    """Whether the hole is thin strokes (scratches, text) filled by layers."""
    return strategy == "layers" and not thick


def rounds_for(strategy: str, thick: bool, deep: bool) -> int:
    """The default refinement rounds: 2 for thin strokes, 3 for thick holes up to
    :data:`DEEPEST_REFINED` deep, else 1."""
    if is_strokes(strategy, thick):
        return STROKES_ROUNDS
    return 3 if thick and not deep else 1


def layer_searches(strategy: str, thick: bool, deep: bool) -> tuple[int | None, int | None]:
    """The layers searched from their neighbours' matches: (``seeded_from``,
    ``checkered_from``) of :class:`~graphinpaint.settings.Settings`."""
    if deep:
        return SEEDED_FROM, CHECKERED_FROM
    if is_strokes(strategy, thick):
        return STROKES_SEEDED_FROM, STROKES_CHECKERED_FROM
    return None, None


def inexact_p_for(strategy: str, thick: bool, p: float, form: str,
                  image_pixels: int) -> float | None:
    """``Settings.inexact_p``: :data:`STROKES_INEXACT_P` for thin strokes at p = 2 in an image
    of fewer than :data:`STROKES_INEXACT_BELOW` pixels (None: any), else None. Asked only
    where p is the pipeline's choice (``inpaint(p=None)``): a p given is used in every solve."""
    if is_strokes(strategy, thick) and p == 2 and form == "anisotropic" and \
            (STROKES_INEXACT_BELOW is None or image_pixels < STROKES_INEXACT_BELOW):
        return STROKES_INEXACT_P
    return None


def inexact_steps_for(image_pixels: int) -> int | None:
    """``Settings.inexact_steps``: :data:`STROKES_NEWTON_STEPS` in an image of
    :data:`STROKES_TRUNCATED_FROM` pixels or more, else None (solved to convergence)."""
    return STROKES_NEWTON_STEPS if image_pixels >= STROKES_TRUNCATED_FROM else None


def k_for(strategy: str, thick: bool) -> int:
    """The default matches per hole pixel: 3 for thin strokes, else 5."""
    return STROKES_K if is_strokes(strategy, thick) else DEFAULT_K


def deepest(hole: np.ndarray) -> int:
    """Depth of the hole's deepest pixel (taxicab distance to the known part); the hole must
    have a pixel."""
    return int(layer_depths(hole[_bounding_box(hole, 1)]).max())


def shrunk_beside(hole: np.ndarray, margin: int, *, scale: int = HELD_OUT_SCALE,
                  sides: int = 1) -> HeldOut | None:
    """A held-out problem for a thick hole: each part (connected component) of the hole shrunk
    by ``scale`` and moved beside itself, on up to ``sides`` sides, ``HELD_OUT_GAP`` pixels
    clear of the hole.

    Each part goes left, right, above or below its bounding box, centred on it, where it
    overlaps the hole (grown by the gap) and the parts already placed least; pixels that still
    overlap are dropped. The window is the held-out pixels' box grown by ``margin`` (the reach
    of the searches); the real hole's pixels in it are the held-out problem's ``gaps``.
    Returns None when no part finds room.
    """
    labels, _ = ndi.label(hole)
    taken = ndi.binary_dilation(hole, iterations=HELD_OUT_GAP)
    held = np.zeros_like(hole)
    for part, box in enumerate(ndi.find_objects(labels), start=1):
        small = (labels[box] == part)[::scale, ::scale]
        for place in _places_beside(small, box, taken | held)[:sides]:
            held[place] |= small
    held &= ~taken
    if not held.any():
        return None
    window = _bounding_box(held, margin)
    return HeldOut(window, held[window], held[window], hole[window])


def regrown(case: HeldOut, hole: np.ndarray, margin: int) -> HeldOut:
    """The held-out problem of :func:`shrunk_beside` with its window grown by ``margin``
    instead: the same held-out pixels, not placed again."""
    held = np.zeros_like(hole)
    held[case.window] = case.pixels
    window = _bounding_box(held, margin)
    return HeldOut(window, held[window], held[window], hole[window])


def _places_beside(small: np.ndarray, box: tuple[slice, slice],
                   occupied: np.ndarray) -> list[tuple[slice, slice]]:
    """The places beside ``box``, one per side that fits in the image, centred on it, by how
    little ``small`` overlaps the ``occupied`` pixels there (least first)."""
    (top, bottom), (left, right) = (box[0].start, box[0].stop), (box[1].start, box[1].stop)
    height, width = small.shape
    middle_y, middle_x = (top + bottom - height) // 2, (left + right - width) // 2
    gap = HELD_OUT_GAP
    scored = []
    for y, x in ((middle_y, left - gap - width), (middle_y, right + gap),
                 (top - gap - height, middle_x), (bottom + gap, middle_x)):
        if y < 0 or x < 0 or y + height > occupied.shape[0] or x + width > occupied.shape[1]:
            continue
        place = (slice(y, y + height), slice(x, x + width))
        scored.append((int((small & occupied[place]).sum()), len(scored), place))
    return [place for *_, place in sorted(scored)]


def match_contrast(values: np.ndarray, hole: np.ndarray, *,
                   missing: np.ndarray | None = None) -> float:
    """How poorly the known patches around the hole match one another: the median, over the
    known pixels within ``CONTRAST_RING`` of the hole on a grid of ``CONTRAST_STRIDE`` anchored
    at the hole's bounding box (a fixed sample: the same wherever the hole sits, whatever lies
    farther than ``CONTRAST_RING + CONTRAST_PATCH // 2 + CONTRAST_REACH`` from it), of the RMS
    distance from a pixel's patch to its nearest known patch that does not overlap it (within
    ``CONTRAST_REACH``), over the patch's own standard deviation.

    Near 1 or more on stochastic texture and on photos' uneven detail (a patch as far from its
    best match as from its own mean); low where patches repeat (periodic texture, a cartoon's
    flats: 0). 0 when no known pixel is far enough from the hole and the image's edge.

    Parameters
    ----------
    values : ndarray, shape (H, W, C)
        The image in [0, 1]. A patch counts as known where its centre lies more than half a
        patch from ``missing`` in 4-neighbour steps: the corners of the patches next to the
        hole's corners read values in it (the pipeline's are 0).
    hole : ndarray of bool, shape (H, W)
        True = missing: the pixels whose surroundings are measured (:func:`middle_shares`
        passes one component).
    missing : ndarray of bool, shape (H, W), optional
        Every missing pixel (``hole`` and other parts), which no known patch may cover;
        default ``hole``.

    Returns
    -------
    float
        The median ratio.
    """
    if not hole.any():
        return 0.0
    half = CONTRAST_PATCH // 2
    edge = half + CONTRAST_REACH
    box = _bounding_box(hole, CONTRAST_RING + edge)     # nothing farther reaches the sample
    values, hole = values[box], hole[box]
    missing = hole if missing is None else missing[box]
    known = ~ndi.binary_dilation(missing, iterations=half)
    near = _ring_sample(ndi.binary_dilation(hole, iterations=CONTRAST_RING) & known, hole)
    near[:edge], near[-edge:], near[:, :edge], near[:, -edge:] = False, False, False, False
    windows = np.lib.stride_tricks.sliding_window_view(
        values, (CONTRAST_PATCH, CONTRAST_PATCH), (0, 1))
    shifts = np.abs(np.arange(-CONTRAST_REACH, CONTRAST_REACH + 1))
    apart = np.maximum(*np.meshgrid(shifts, shifts, indexing="ij")) > half
    reach = CONTRAST_REACH
    ratios = []
    for y, x in zip(*_at_most(np.nonzero(near), CONTRAST_SAMPLES)):
        own = windows[y - half, x - half]
        around = windows[y - edge:y - half + reach + 1, x - edge:x - half + reach + 1]
        usable = apart & known[y - reach:y + reach + 1, x - reach:x + reach + 1]
        if not usable.any():
            continue
        distance = np.sqrt(((around[usable] - own) ** 2).mean(axis=(1, 2, 3))).min()
        ratios.append(distance / (own.std(axis=(1, 2)).mean() + CONTRAST_FLOOR))
    return float(np.median(ratios)) if ratios else 0.0


def _at_most(pixels: tuple[np.ndarray, np.ndarray], count: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """Every n-th of the ``pixels`` (rows, columns) in their order, n the least that leaves at
    most ``count`` of them."""
    step = max(1, -(-len(pixels[0]) // count))
    return pixels[0][::step], pixels[1][::step]


def _ring_sample(ring: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The ring's pixels on the grid of ``CONTRAST_STRIDE`` through the top left corner of the
    hole's bounding box (a deterministic sample that moves with the hole)."""
    top, left = (int(np.flatnonzero(hole.any(axis=axis))[0]) for axis in (1, 0))
    rows, cols = np.indices(ring.shape, sparse=True)
    return ring & ((rows - top) % CONTRAST_STRIDE == 0) & ((cols - left) % CONTRAST_STRIDE == 0)


def middle_gate(contrast: float) -> float:
    """The gate of a component's middle share, 0 to 1, from its :func:`match_contrast`:
    ``clip((contrast - low) / (high - low), 0, 1)`` with ``MIDDLE_CONTRAST = (low, high)``."""
    return _opening(contrast, MIDDLE_CONTRAST)


def _opening(value: float, bounds: tuple[float, float]) -> float:
    """``clip((value - low) / (high - low), 0, 1)``, ``bounds = (low, high)``: 0 below ``low``,
    1 above ``high``, linear between (each gate's ramp)."""
    low, high = bounds
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def ring_periodicity(values: np.ndarray, hole: np.ndarray, *,
                     missing: np.ndarray | None = None, reach: int = PERIOD_REACH) -> float:
    """How well the hole's surroundings repeat at a period beyond :func:`match_contrast`'s
    reach: the least, over the shifts ``d`` with ``CONTRAST_REACH < max(|dy|, |dx|) <=
    reach`` that keep at least half of the ring's pixels on known ones, of

        sum |h(p + d) - h(p)|^2 / sum (|h(p)|^2 + |h(p + d)|^2)

    over the ring's pixels ``p`` (the known pixels within ``CONTRAST_RING`` of the hole, more
    than half a patch from ``missing``) whose ``p + d`` is known, ``h`` each known pixel's
    detail (its value minus the mean of the known pixels of its ``CONTRAST_PATCH`` patch,
    over the patch's RMS detail: each part of the ring counts alike).
    0 where one shift maps the ring's detail onto itself (a period), about 1 where the detail
    at that distance is unrelated (noise, photos' uneven detail). Every shift at once by FFT
    correlations over the hole's box grown by ``CONTRAST_RING + reach`` plus half a patch
    (nothing farther changes it). ``values``, ``hole`` and ``missing`` as
    :func:`match_contrast`'s; ``reach`` (more than ``CONTRAST_REACH``): the farthest shift, in
    pixels on each axis. 1.0 where no shift keeps half the ring.
    """
    if not hole.any():
        return 1.0
    half = CONTRAST_PATCH // 2
    box = _bounding_box(hole, CONTRAST_RING + reach + half)
    values, hole = values[box], hole[box]
    known = ~(hole if missing is None else missing[box])
    ring = ndi.binary_dilation(hole, iterations=CONTRAST_RING) & ~ndi.binary_dilation(
        ~known, iterations=half)
    detail = _detail(values, known)
    energy = (detail ** 2).sum(axis=-1)
    # Zero-padded by the reach, so that no shift wraps around.
    shape = [fft.next_fast_len(side + reach, real=True) for side in hole.shape]

    def spectrum(a: np.ndarray) -> np.ndarray:
        return fft.rfft2(a, shape, axes=(0, 1))

    ring_f, known_f = np.conj(spectrum(ring.astype(float))), spectrum(known.astype(float))
    shifted = ring_f * spectrum(energy)                      # sum |h(p + d)|^2
    own = np.conj(spectrum(ring * energy)) * known_f         # sum |h(p)|^2
    cross = (np.conj(spectrum(ring[..., None] * detail)) * spectrum(detail)).sum(axis=-1)
    count, shifted, own, cross = (fft.irfft2(a, shape)[_shifts(shape, reach)]
                                  for a in (ring_f * known_f, shifted, own, cross))
    usable = _far_shifts(reach) & (count >= 0.5 * np.count_nonzero(ring))
    total = shifted + own
    if not usable.any() or total[usable].max() <= 0:
        return 1.0
    ratios = (total - 2 * cross)[usable] / np.maximum(total[usable], np.finfo(float).tiny)
    return float(np.clip(ratios.min(), 0.0, None))


def _detail(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Each known pixel's detail, normalised: its value minus the mean of the known pixels of
    its ``CONTRAST_PATCH`` patch, over that patch's RMS detail (plus ``CONTRAST_FLOOR``), so
    that every part of the ring counts alike, as every sampled patch counts in the contrast's
    median (a strong edge would otherwise outweigh the flat noise beside it); 0 off the known
    pixels."""
    weight = known.astype(float)
    size = (CONTRAST_PATCH, CONTRAST_PATCH)
    counts = np.maximum(ndi.uniform_filter(weight, size), np.finfo(float).tiny)

    def local(a: np.ndarray) -> np.ndarray:         # the mean over the patch's known pixels
        return ndi.uniform_filter(a, size) / counts

    means = np.stack([local(channel * weight) for channel in np.moveaxis(values, -1, 0)],
                     axis=-1)
    detail = (values - means) * weight[..., None]
    energy = np.maximum(local((detail ** 2).sum(axis=-1)), 0.0)   # uniform_filter's roundoff
    return detail / (np.sqrt(energy) + CONTRAST_FLOOR)[..., None]


def _shifts(shape: list[int], reach: int) -> tuple[np.ndarray, np.ndarray]:
    """The index of a circular correlation of ``shape`` at the shifts -``reach`` to ``reach``
    on each axis."""
    offsets = np.arange(-reach, reach + 1)
    return np.ix_(offsets % shape[0], offsets % shape[1])


def _far_shifts(reach: int) -> np.ndarray:
    """Of the shifts of :func:`_shifts`, those beyond ``CONTRAST_REACH`` (the contrast sees the
    nearer ones)."""
    offsets = np.abs(np.arange(-reach, reach + 1))
    return np.maximum.outer(offsets, offsets) > CONTRAST_REACH


def periodic_guard(periodicity: float) -> float:
    """The factor, 0 to 1, on an open gate from the component's :func:`ring_periodicity`:
    ``clip((periodicity - low) / (high - low), 0, 1)`` with ``PERIODIC = (low, high)``."""
    return _opening(periodicity, PERIODIC)


def middle_gates(values: np.ndarray, hole: np.ndarray, labels: np.ndarray,
                 deepest: np.ndarray) -> np.ndarray:
    """Per label of ``labels`` (0: the known pixels), the :func:`middle_gate` of the component's
    own :func:`match_contrast` where it is deeper than ``WHOLE_DEPTH_MAX`` (``deepest``: each
    label's deepest pixel), else 0: each deep component is judged by its own ring, whatever
    the other parts of the hole look like. An open gate is multiplied by the
    :func:`periodic_guard` of the ring's :func:`ring_periodicity` (measured only there) up to
    :func:`period_reach`: a texture that repeats beyond the contrast's reach, within the
    search's, keeps its matches."""
    gates = np.zeros(len(deepest))
    for part in np.flatnonzero(deepest > WHOLE_DEPTH_MAX):
        component = labels == part
        gates[part] = middle_gate(match_contrast(values, component, missing=hole))
        if gates[part] > 0:
            gates[part] *= periodic_guard(ring_periodicity(
                values, component, missing=hole, reach=period_reach(deepest[part])))
    return gates


def period_reach(depth: float) -> int:
    """The farthest shift :func:`ring_periodicity` tries around a component this deep: the
    half of the default search window (``DEEP_WINDOW`` deeper than ``DEEPEST_REFINED``, else
    31), the farthest period the matches can continue."""
    return PERIOD_REACH if depth > DEEPEST_REFINED else SHALLOW_PERIOD_REACH


def middle_shares(values: np.ndarray, hole: np.ndarray, depths: np.ndarray, *,
                  components: Callable[[], HoleComponents] | None = None
                  ) -> np.ndarray | None:
    """Per hole pixel (flat order), the share of the grid Laplace fill its middle takes (see
    ``MIDDLE_SHARE``), or None where no component is deep enough or every gate stays shut.
    Each deep (8-connected) component has its own gate, :func:`middle_gates`.
    ``values``: (H, W, C) in [0, 1]; ``depths``: :func:`~graphinpaint.fills.layer_depths` of
    the hole; ``components()``: its :func:`~graphinpaint.mixes.hole_components`, if the
    caller has them (asked for only where a pixel is deep enough)."""
    on_hole = depths[hole]
    if not on_hole.size or on_hole.max() <= WHOLE_DEPTH_MAX:    # most holes: no labelling
        return None
    found = hole_components(hole) if components is None else components()
    gates = middle_gates(values, hole, found.labels, found.maxima(on_hole))
    if not gates.any():
        return None
    gate = gates[found.parts]
    start, length = middle_ramp(gate)
    return gate * MIDDLE_SHARE * np.clip((on_hole - start) / length, 0.0, 1.0)


def middle_ramp(gate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The depth ramp of the middle share behind a :func:`middle_gate`.

    Parameters
    ----------
    gate : ndarray of float in [0, 1]
        Each hole pixel's component's gate (0: shut, 1: open).

    Returns
    -------
    start, length : ndarray
        Where the share starts growing and over how many pixels of depth it reaches
        ``MIDDLE_SHARE``: (``MIDDLE_FROM``, ``MIDDLE_RAMP``) at a shut gate,
        (``MIDDLE_OPEN_FROM``, ``MIDDLE_OPEN_RAMP``) at an open one, linear between: the worse
        the surroundings match, the nearer the rim the smooth fill starts.
    """
    return (MIDDLE_FROM + (MIDDLE_OPEN_FROM - MIDDLE_FROM) * gate,
            MIDDLE_RAMP + (MIDDLE_OPEN_RAMP - MIDDLE_RAMP) * gate)


def smoother_middle(estimate: np.ndarray, hole: np.ndarray,
                    smooth: SmoothFills) -> np.ndarray:
    """The estimate with :func:`middle_shares` of the grid Laplace fill mixed in (where they
    are None, the estimate itself). The pipeline calls it after a thick hole's default mix
    (``"frequency match"``; deeper than ``DEEPEST_REFINED``, the boundary blend)."""
    shares = middle_shares(smooth.values, hole, smooth.depths(),
                           components=lambda: smooth.components)
    if shares is None:
        return estimate
    return mix_in(estimate, hole, smooth.on_hole("laplace"), shares[:, None])
