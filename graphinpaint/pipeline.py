"""The inpainting pipeline: :func:`inpaint` (the seed-compatible :class:`Inpaint` front is in
:mod:`graphinpaint.seed`, and is re-exported here where it used to live).

The order of the work (see ``docs/pipeline.md`` for the measurements behind each choice):

1. **Local fill.** A grid Laplace fill (harmonic extension on the 4-neighbour grid graph), so that
   every pixel has a value; it serves nodes that find no match and smooth regions.
2. **Layers from the boundary inward.** The hole is peeled in layers of equal distance to the known
   pixels. The pixels of one layer are matched, by masked patch distance (only known or already
   filled pixels compared), to known or already filled pixels in a window that widens with depth;
   the graph of those matches, plus weak grid edges to the filled neighbours, is a Dirichlet
   problem whose solution fills the layer (for p=2 the weighted mean of the matches: non-local
   means). A whole layer is one sparse solve. With ``coarse_to_fine`` (thick holes), the hole
   is first filled so at half resolution (:mod:`graphinpaint._pyramid`), and the layers' patch
   distances read that fill, upsampled, inside the hole. From layer ``_thick_holes.SEEDED_FROM``
   on, in a hole deeper than ``DEEPEST_REFINED``, a pixel searches around its filled
   neighbours' matches (:mod:`graphinpaint._seeded_search`) instead of its whole window;
   from ``CHECKERED_FROM`` until then, every other pixel of a layer does so.
3. **Refinement rounds.** With every pixel filled, each hole pixel is matched again with full
   patches (filled pixels counting as known ones), now to any pixel, holes included, and one
   Dirichlet problem on the whole hole is solved, warm-started from the current estimate.
   Strokes' later rounds search each pixel's window only as far as its matches reached in the
   round before (``Settings.adaptive_rounds``), and refine only the pixels still moving or
   matched far (``_stages.strokes_moving``); with p left to the pipeline they solve at p = 3
   where the first round's matches are not mostly exact (``Settings.inexact_p``,
   ``_stages.RoundSolves``), from 512 x 512 pixels up in one Newton step from the p = 2
   solution (``Settings.inexact_steps``), below 2048 x 2048 pixels. A thick hole's default
   three rounds give way to the first alone where self-validation finds its held-out error lower
   (``_thick_holes.FEWER_ROUNDS_MARGIN``).
4. **Smooth mix.** A share of a smooth fill (biharmonic near the boundary, or by match
   quality; for thick holes up to 32 px deep the frequency-selective extrapolation of
   :mod:`graphinpaint._frequency`, from a costlier profile where a hole component's matches
   disagree: ``mixes.SPREAD_GATE``) is mixed in (:mod:`graphinpaint.mixes`; self-validation,
   :mod:`graphinpaint.selection`, may choose another mix on held-out pixels, in a thread
   beside steps 1-3 for the layers strategy; they read a thick hole's choice of rounds only
   when they are done). Where a thick hole keeps its default mix (the boundary blend past
   32 px deep), the middle of a component deeper than 24 px then takes a share of the grid
   Laplace fill that grows with depth where the surroundings' patches match poorly
   (``_thick_holes.smoother_middle``).

Scattered loss (``strategy="global"``) starts from the biharmonic fill instead of steps 1-2,
and its rounds match known pixels only; its first round refines only the pixels whose known
neighbours carry detail (``_stages.textured``, up to 85% loss), its later rounds only those
whose patch the round before moved (``_stages.still_moving``).

This module settles the settings and the working region and makes the held-out choices;
:mod:`graphinpaint._region_fill` runs the stages on the region (the graph fill, the smooth fills
beside it and their mix). Only these two and the stages (:mod:`graphinpaint._stages`: the layers,
the rounds and the graphs they solve on) know both images and graphs; they read no files and
parse no arguments.
"""

from __future__ import annotations

import dataclasses
import functools
from concurrent.futures import Future
from typing import Callable

import numpy as np

from . import _pyramid
from . import _thick_holes as _holes
from ._image_range import (_channels_last, _check_finite, _checked_mask, _from_unit_range,
                           _to_unit_range, _unit_scale, as_array)
from ._memory import check_fits_in_memory
from ._region_fill import _fill, _graph_fill
from ._stages import ProgressCallback
from ._validation import InpaintError, check_choice, check_float, check_int
from ._threads import _beside
from .fills import _bounding_box, is_scattered
from .patches import check_patch_size
from .mixes import MATCH_SHARE, SmoothFills
from .selection import (LAST_ROUNDS, LAYERS_MARGIN, MARGIN, PATCH_SIZES, ROUNDS, choose_settings,
                        stroke_width)
from .seed import Inpaint  # noqa: F401 - its old home: graphinpaint.pipeline.Inpaint still works
from .settings import Settings

__all__ = ["inpaint"]

# Per strategy: search window, Gaussian bandwidth, and the weight of the 4-neighbour grid edges
# added beside the patch matches (a perfect match weighs 1). For layers the grid edges only
# catch pixels that matching fails; for scattered holes they mix a local harmonic fill into the
# non-local one, which pays on stochastic texture (docs/pipeline.md has the measurements).
_STRATEGY_DEFAULTS = {
    "layers": dict(window=31, bandwidth=0.1, grid_weight=1e-3),
    "global": dict(window=15, bandwidth=0.05, grid_weight=0.2),
}
# Scattered loss with self-validation: the settings are chosen on the held-out window with the
# default k (5), then the image is filled with this k (6 matches a round instead of 10). On the 24
# random-loss cases of benchmarks/scattered_oracle.py fewer matches averaged less texture away
# (brick 50%: +0.42 dB), lost at most 0.01 dB and took 0.76x the rounds' time; choosing with
# k = 3 too moved the rounds choice (cartoon 80%: -0.94 dB, docs/pipeline.md).
_SCATTERED_FILL_K = 3


def inpaint(image: np.ndarray, mask: np.ndarray, *, p: float | None = None,
            form: str = "anisotropic",
            patch_size: int | None = None, k: int | None = None, window: int | None = None,
            window_growth: float = 1.0,
            bandwidth: float | None = None, rounds: int | None = None, strategy: str = "auto",
            smooth_share: float | None = None, method: str = "auto",
            self_validation: bool | None = None, coarse_to_fine: bool = False,
            channel_axis: int | None = -1,
            progress: ProgressCallback | None = None, _thick: bool | None = None,
            _deep: bool | None = None, _image_pixels: int | None = None) -> np.ndarray:
    """Fill the hole of an image by the Dirichlet problem of a graph p-Laplacian.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C)
        The image, of any integer or float dtype. Values inside the hole are ignored.
    mask : ndarray, shape (H, W)
        The hole: **True (nonzero) = missing pixel**, as in OpenCV and scikit-image. (PyGSP and
        graphlearning mark the *known* nodes True: invert their masks.)
    p : float in [1, inf], optional
        Exponent of the p-Laplacian. 2 gives weighted means (non-local means), 1 weighted
        medians and sharper edges, ``inf`` the midrange of the matches. A number given is used
        in every solve. None (the default) is 2, except that thin strokes (scratches, text)
        solve their refinement rounds at 3 where the first round's matches are not mostly
        exact (photos and textures, not flat colour): +1.06 dB in sum over the compare
        benchmark's 17 stroke cases, +2.05 over 26 others, +1.80 over 24 photos of 512^2 to
        1M pixels (docs/pipeline.md, "p = 3 for strokes"); from 512 x 512 pixels up, for
        speed, in one Newton step from the p = 2 solution; images of 2048 x 2048 pixels or
        more keep 2 (time and memory).
    form : {"anisotropic", "isotropic", "game"}, default "anisotropic"
        Form of the p-Laplacian for ``p != 2`` (all agree at ``p = 2``). ``"game"`` is the
        game-theoretic p-Laplacian (graphlearning's ``plaplace``), for p in [2, inf]: each
        hole pixel the mix ``mean / (p-1) + (1 - 1/(p-1)) midrange`` of its matches.
    patch_size : int, optional
        Odd side of the square patches compared to match pixels (the seed's ``ps``). Larger
        patches follow larger structures and cost more. Default: 11 for thick holes (blocks,
        blotches: strokes 8 pixels wide or more, filled by layers), where it gained up to
        2.8 dB on 32-pixel blocks (docs/pipeline.md); 7 or 11 for scattered loss with
        self-validation, chosen on the held-out pixels (at 80-90% loss a 7 x 7 patch compares
        few known pixels); else 7; never more than the image's smaller side (made odd), so
        that narrow images work. A size you choose is checked.
    k : int, optional
        Matches per hole pixel (the seed's ``k_patch``). More matches average more noise away and
        blur fine texture more. Default: 3 for thin strokes (scratches, text: the ``"layers"``
        strategy on holes that are not thick), whose few best matches continue the texture
        (docs/pipeline.md); else 5. For the ``"global"`` strategy with self-validation the
        settings are chosen on held-out pixels with 5 and the image is filled with 3 (brick at
        50% loss: +0.42 dB, docs/pipeline.md).
    window : int, optional
        Odd side of the square search window around each hole pixel (at the boundary, for the
        layers). Cost grows with its square. Default: 31 for the ``"layers"`` strategy (31 x 31
        holds about 1000 pixels, the seed's ``k_search``), 51 for thick holes more than 32
        pixels deep, whose first layers reach further for the texture that continues across
        (barbara's blob: +1.75 dB), 15 for ``"global"``, whose hole pixels all lie close to
        known ones. The second refinement round of thin strokes searches each hole pixel's
        window only as far as its matches in the first reached, plus 2 pixels (at least
        11 x 11): matches on smooth photos lie near (docs/benchmarks.md, "Eighth pass").
    window_growth : float, default 1.0
        How much the window's half-side grows per layer of depth into the hole, so that deep
        pixels of large holes still reach known texture.
    bandwidth : float, optional
        Bandwidth ``h`` of the Gaussian weights ``exp(-(d**2 - d_min**2) / h**2)`` of the
        root-mean-square patch distance ``d`` (``d_min``: the pixel's best match), in units of
        the image's value range. Smaller keeps only the closest matches. Default: 0.1 for
        ``"layers"``, 0.05 for ``"global"``.
    rounds : int, optional
        Refinement rounds on the whole hole after the first fill (0 to skip). Each round
        matches every hole pixel to its ``2 * k`` nearest full patches, or to ``k`` when
        there are several rounds over a thick hole (blocks, blotches filled by layers): they
        then change less at a time. Default: 3 for thick holes up to 32 pixels deep, where
        they gained 0.7 dB on average over 24 block and blotch cases (docs/pipeline.md), or 1
        where ``self_validation`` finds that they carry structure on where it ends (rocket's
        blotches: +3.2 dB; :func:`~graphinpaint.inpaint_large`'s tiles keep three); 2 for
        thin strokes (scratches, text), the second rebuilding the graph on the first's sharper
        estimate (with ``k`` = 3: +0.35 dB on average over 17 cases, none worse); for
        scattered loss with self-validation, 1, 2 or 3, chosen on the held-out pixels with the
        patch size, a further round only where it pays for its time (at high loss the first
        graph is built on a smooth start, the later ones on sharper estimates: up to +2.3 dB
        on a cartoon at 90% loss; the third is tried for the most promising patch size only;
        docs/pipeline.md); else 1. Scattered loss's rounds after the first refine only the
        pixels whose patch the round before moved (and, up to 85% loss, its first round only
        the pixels whose known neighbours carry detail): the others would hardly change. Thin
        strokes' rounds after the first do the same, and also refine every pixel whose
        matches lay more than 4 pixels away (texture that repeats at a distance).
    strategy : {"auto", "layers", "global"}, default "auto"
        ``"layers"`` fills scratches, text and blotches from the boundary inward; ``"global"``
        starts from a smooth (biharmonic) fill and refines the whole hole at once, for scattered
        missing pixels. ``"auto"`` picks ``"global"`` when most known pixels touch the hole.
    smooth_share : float in [0, 1], optional
        The share of a biharmonic fill averaged into the result on the pixels within two pixels
        of the known ones. Patch matching and the smooth fill err in different ways; their
        average beat both on 5 of 6 scratch cases, and on stochastic texture (grass) above all
        (docs/pipeline.md). 0 keeps the pure graph solution. Default: for thin strokes
        (scratches, text) with refinement rounds, up to 0.5 by match quality: a hole pixel
        whose matches in the last round lie at mean patch distance ``d`` takes
        ``0.5 * min(d / 0.12, 1)`` within two pixels of the known ones, half that deeper
        (perfect matches keep the graph solution;
        +0.13 dB on average over 17 stroke cases, none lower by more than 0.01 dB:
        docs/pipeline.md); for thick holes (blocks, blotches) up to 32 pixels deep with
        refinement rounds, the same rule with a frequency-selective extrapolation (a sparse
        Fourier model of the known pixels around each block of the hole, after Seiler and
        Kaup, as OpenCV's ``INPAINT_FSR_FAST``) in place of the biharmonic fill: it continues
        smooth gradients that no patch matches (+0.77 dB in sum over 26 block and blotch
        cases, brick's 32-px block -0.18: docs/pipeline.md); where a hole component's matches
        disagree (the median spread of the matched pixels' values 0.002 or more: photos, not
        periodic texture or flat colour), up to 12 pixels deep a costlier extrapolation (64-point
        windows, 2-px blocks) at ``min(spread / 0.016, 1)`` instead (+2.15 dB in sum over 19
        thick cases, none lower by more than 0.05), and over the whole component at
        ``min(spread / 0.010, 1)`` where it is at most 24 pixels deep and its ring of known
        pixels is photo detail (``_frequency.ring_roughness`` 0.6 to 1.9: +4.34 dB in sum
        over 8 thick cases, none lower); 0.25 near the boundary for other ``"layers"`` holes
        (thick holes more than 32 pixels deep among them), none for ``"global"``; with
        ``self_validation``, chosen on a held-out hole (a harmonic or biharmonic fill mixed in
        over the whole hole, or near its boundary only, or not at all). Where a thick hole
        keeps its default mix, a component of it more than 24 pixels deep (a 64-px block)
        then takes the grid Laplace fill in its middle, at up to 0.65 growing with depth
        (from nearer the rim the worse they match), where the known patches around it match
        poorly (``_thick_holes.smoother_middle``: camera's and grass's 64-px blocks +0.41 and
        +0.17 dB; docs/pipeline.md, "The middle of a 64-px block" and "The middle's ramp
        follows the gate"). A share you give is mixed in near the boundary, and nothing
        else.
    method : {"auto", "direct", "cg", "amg"}, default "auto"
        Linear solver of each Dirichlet problem (see :func:`graphinpaint.solve_dirichlet`).
    self_validation : bool, optional
        Choose how the smooth fill is mixed in (when ``smooth_share`` is not given) by the error
        on a held-out hole cut from known pixels near the real one, of the same shape
        statistics (:mod:`graphinpaint.selection`); for scattered loss also the rounds (1 to 3)
        and the patch size (7 or 11), unless given, a slower choice only where its held-out
        error drops by more than its extra time is worth. Deterministic: the held-out pixels come
        from a fixed seed. Default: on for scattered loss, where the held-out pixels (15% more
        random loss in a window) share the hole's statistics: +8 to +11 dB on a smooth photo at
        50-80% loss, -0.4 and -0.8 dB on two of 24 cases. On for strokes (scratches, text),
        whose held-out strokes, cut beside the real ones, are a biased sample: there a change
        must cut the held-out error by 40% (``selection.LAYERS_MARGIN``): +4.9 and +5.1 dB on a
        smooth photo under scratches and text, -0.17 dB on the seed's lincoln, the other 15
        stroke cases unchanged (docs/pipeline.md). On for thick holes (blocks, blotches)
        too, behind the same bar, on a cheaper held-out problem: each part of the hole halved
        and moved beside itself, filled with one round (1.1-1.4x the time) and, where the
        rounds are the default, with three too: the real hole takes one round where it errs
        a quarter less there (about the same time: docs/pipeline.md). A smooth gradient
        under a 32-pixel block gains 12 dB, the 26 block and blotch cases of the compare
        benchmark stay as they were (lower bars lost up to 5 dB there: docs/pipeline.md). It
        costs one more graph solve on the held-out window (for scattered loss two rounds per
        patch size: the window's graph is small; for strokes 1.1-1.2x the time). For scattered
        loss the chosen settings are then tried with half the grid edges' weight, taken where
        the held-out error drops by 2% (+1.19 dB over 24 cases, none lower: docs/pipeline.md).
    coarse_to_fine : bool, default False
        Thick holes only (blocks, blotches): fill the hole at half resolution first, where the
        window reaches twice as far, and let the layers' patch distances read that fill inside
        the hole. It continues a bar across a 48-px block that the default breaks (38 against
        21 dB; past 32 px deep the default's seeded layers continue one too: an 80-px block,
        51.7 dB, 49.3 with the option), but on the compare benchmark's 26 thick cases it loses
        as much as it gains
        (-6 to +2.2 dB, +0.5 in sum: docs/pipeline.md), hence off. About 1.5x the time.
        Python only: the ``graphinpaint`` command and the web form have no flag for it.
    channel_axis : int or None, default -1
        Axis of the colour channels of a 3-D image; None for a 2-D gray image.
    progress : callable, optional
        Called as ``progress(done, total)`` as the work advances (layers, then rounds).
    _thick : bool, optional
        Private: whether the hole is thick (blocks, blotches), measured from the hole when
        None. :func:`~graphinpaint.inpaint_large` settles it once from the whole mask, so that
        a tile that sees a sliver of a block runs the same pipeline as the others.
    _deep : bool, optional
        Private: whether a thick hole is deeper than ``_thick_holes.DEEPEST_REFINED``, which
        searches its inner layers from seeds; measured from the hole when None (settled by
        :func:`~graphinpaint.inpaint_large` likewise).
    _image_pixels : int, optional
        Private: the image's pixels (height times width), the image's own when None; thin
        strokes' rounds take p = 3 in images below ``_thick_holes.STROKES_INEXACT_BELOW``
        pixels only, with one Newton step from ``_thick_holes.STROKES_TRUNCATED_FROM``
        pixels up. :func:`~graphinpaint.inpaint_large` gives the whole image's, so that
        its tiles solve as the whole image would (each still decides p on its own
        matches).

    Returns
    -------
    ndarray
        The restored image: same shape and dtype as ``image``; known pixels bit-identical.

    Raises
    ------
    InpaintError
        For a bad argument, an image with NaN or inf, a mask of the wrong shape, or a mask that
        marks every pixel as missing.
    MemoryError
        Before any work, when the part of the image around the hole is too large for the
        memory available: :func:`graphinpaint.inpaint_large` restores it in tiles.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.tile(np.linspace(0, 1, 32), (32, 1))     # a horizontal ramp
    >>> mask = np.zeros((32, 32), bool); mask[10:14, 5:25] = True
    >>> out = inpaint(image, mask)
    >>> bool(np.abs(out - image).max() < 0.05)
    True
    """
    func = "inpaint"
    chosen_p = p is None        # the pipeline may take p = 3 for strokes' rounds (below)
    p = 2.0 if chosen_p else check_float(p, "p", func, low=1.0, high=np.inf)
    check_choice(form, "form", func, ("anisotropic", "isotropic", "game"))
    if form == "game" and p < 2:
        raise InpaintError(f"The 'p' parameter of {func} must be a float in [2, inf] with "
                           f"form='game'. Got {p:g} instead.")
    check_choice(method, "method", func, ("auto", "direct", "cg", "amg"))
    check_choice(strategy, "strategy", func, ("auto", "layers", "global"))
    if k is not None:
        k = check_int(k, "k", func, low=1)
    if window is not None:
        window = check_int(window, "window", func, low=3, odd=True)
    window_growth = check_float(window_growth, "window_growth", func, low=0.0)
    if bandwidth is not None:
        bandwidth = check_float(bandwidth, "bandwidth", func, low=0.0, low_open=True)
    if rounds is not None:
        rounds = check_int(rounds, "rounds", func, low=0)
    check_choice(self_validation, "self_validation", func, (None, True, False))
    check_choice(coarse_to_fine, "coarse_to_fine", func, (True, False))
    if smooth_share is not None:
        smooth_share = check_float(smooth_share, "smooth_share", func, low=0.0, high=1.0)
    original = as_array(image, "image", func)
    channels_last = _channels_last(original, channel_axis, func)
    hole = _checked_mask(mask, channels_last.shape[:2], func)
    scattered = is_scattered(hole) if hole.any() else False
    if strategy == "auto":
        strategy = "global" if scattered else "layers"
    if _thick is None:
        thick = _holes.is_thick(stroke_width(hole), strategy) if hole.any() else False
    else:
        thick = bool(_thick) and strategy == "layers"
    if self_validation is None:
        self_validation = True
    # For scattered loss self-validation also tries more rounds and larger patches, unless the
    # caller chose them: every hole pixel lies near known ones there, and the held-out pixels
    # share the hole's statistics.
    choose_graph = self_validation and smooth_share is None and strategy == "global"
    more_rounds = ROUNDS if choose_graph and rounds is None else ()
    more_patches = ()
    if patch_size is None:
        patch_size = _holes.default_patch_size(thick, channels_last.shape)
        if choose_graph:
            more_patches = tuple(size for size in PATCH_SIZES
                                 if size <= min(channels_last.shape[:2]))
    # Layers widen their window with depth (_reach) and thick holes follow it: measured once.
    depth = _holes.deepest(hole) if strategy == "layers" and hole.any() else 0
    deep = thick and (depth > _holes.DEEPEST_REFINED if _deep is None else bool(_deep))
    choose_rounds = rounds is None
    if rounds is None:
        rounds = _holes.rounds_for(strategy, thick, deep)
    default_window = window is None
    if default_window:
        window = _window_for(strategy, deep)
    fewer_matches = choose_graph and k is None
    if k is None:
        k = _holes.k_for(strategy, thick)
    patch_size = check_patch_size(patch_size, channels_last.shape, func)
    _check_finite(channels_last, hole, func)
    if not hole.any():
        return original.copy()

    scale = _unit_scale(channels_last, hole)
    defaults = _STRATEGY_DEFAULTS[strategy]
    mix, share = _default_mix(strategy, thick, rounds, smooth_share, deep)
    seeded_from, checkered_from = _holes.layer_searches(strategy, thick, deep)
    image_pixels = hole.size if _image_pixels is None else _image_pixels
    settings = Settings(
        strategy=strategy, patch_size=patch_size, k=k,
        window=window, window_growth=window_growth,
        bandwidth=defaults["bandwidth"] if bandwidth is None else bandwidth,
        grid_weight=defaults["grid_weight"], rounds=rounds,
        refine_k=k if thick and rounds > 1 else None,          # None: 2 k
        adaptive_rounds=_holes.is_strokes(strategy, thick),
        smooth=mix, smooth_share=share, coarse_to_fine=bool(coarse_to_fine) and thick,
        seeded_from=seeded_from, checkered_from=checkered_from,
        p=p, inexact_p=_holes.inexact_p_for(strategy, thick, p, form, image_pixels)
        if chosen_p else None, inexact_steps=_holes.inexact_steps_for(image_pixels),
        form=form, method=method)
    # Work on the part of the image that the searches can reach: cost follows the hole.
    reach = _reach(depth, settings.window, window_growth, max((patch_size, *more_patches)),
                   strategy, settings.coarse_to_fine)
    region = _bounding_box(hole, reach)
    check_fits_in_memory(region[0].stop - region[0].start, region[1].stop - region[1].start,
                         channels_last.shape[2], func)
    values, _ = _to_unit_range(channels_last[region], hole[region], scale)
    smooth = SmoothFills(values, hole[region], settings.method)
    mix_choice = None
    if self_validation and smooth_share is None:
        # The first estimate depends on the hole alone: solved while the held-out one is.
        smooth.prepare("raw biharmonic" if strategy == "global" else "laplace")
        def values_of(window):
            return _to_unit_range(channels_last[window], hole[window], scale)[0]

        if strategy == "layers":
            # A thick hole's choice is its smooth mix and whether to stop after the first
            # round, thin strokes' their mix alone; the graph fill does not read it until it
            # is done: the held-out fill runs in a thread of its own beside the real one (each
            # one's Python work beside the other's kernels), where numba allows it.
            choose = (functools.partial(_self_validate_thick, default_window=default_window,
                                        choose_rounds=choose_rounds) if thick else
                      functools.partial(_choose_mix, scattered=scattered))
            mix_choice = _beside(choose, values_of, hole, settings, reach)
            if not isinstance(mix_choice, Future):      # chosen here: prepare that mix only
                settings, mix_choice = mix_choice, None
        else:                   # scattered loss: its rounds and patch size too, first
            settings, _ = choose_settings(values_of, hole, settings, _graph_fill,
                                          scattered=scattered, margin=reach,
                                          rng=np.random.default_rng(0), rounds=more_rounds,
                                          patch_sizes=more_patches, error_ratio=MARGIN,
                                          reweigh=choose_graph,
                                          last_rounds=LAST_ROUNDS if more_rounds else ())
            if fewer_matches:
                settings = settings.replace(k=_SCATTERED_FILL_K)       # 2 k in the rounds
    estimate = _fill(values, hole[region], settings, progress, smooth=smooth,
                     mix_choice=mix_choice, scattered=scattered,
                     may_stop=choose_rounds and thick,
                     middle_after=(mix, share) if thick and smooth_share is None else None)
    return _from_unit_range(estimate, original, channels_last, hole, scale, channel_axis,
                            region)


def _default_mix(strategy: str, thick: bool, rounds: int,
                 smooth_share: float | None, deep: bool = False) -> tuple[str, float]:
    """How the smooth fill is mixed in before self-validation, and its share: a share the caller
    gives, near the boundary; by default, by match quality for thin strokes with refinement
    rounds (whose matches measure it: ``mixes.MATCH_DISTANCE``), the frequency fill so
    for thick holes up to ``DEEPEST_REFINED`` deep with rounds (not ``deep``), a quarter near
    the boundary for other layers, nothing for scattered loss."""
    if smooth_share is not None:
        return "boundary", smooth_share
    if rounds > 0 and _holes.is_strokes(strategy, thick):
        return "match", MATCH_SHARE
    if rounds > 0 and thick and not deep:
        return "frequency match", MATCH_SHARE
    return ("boundary" if strategy == "layers" else "none"), 0.25


def _self_validate_thick(values_of: Callable[[tuple[slice, slice]], np.ndarray],
                         hole: np.ndarray, settings: Settings, reach: int, *,
                         default_window: bool = False, choose_rounds: bool = False) -> Settings:
    """The smooth mix of a thick hole, chosen on its parts halved and moved beside it
    (:func:`~graphinpaint._thick_holes.shrunk_beside`): the mixes are scored after one
    refinement round, and the real hole keeps its rounds unless ``choose_rounds``. A mix must
    cut the held-out error by 40% (``LAYERS_MARGIN``): below that bar the held-out choice was
    noise on the 26 block and blotch cases of docs/pipeline.md. ``default_window``: the search
    window was the default, so the held-out parts get the window of their own depth
    (:func:`_held_out_settings`). ``choose_rounds``: the rounds were the default; with several,
    the held-out fill runs them too, and one round replaces them where its held-out error with
    the default mix is below ``_thick_holes.FEWER_ROUNDS_MARGIN`` times theirs."""
    case = _holes.shrunk_beside(hole, reach)
    if case is None:
        return settings
    held_settings = settings.replace(rounds=min(settings.rounds, 1))
    more = (settings.rounds,) if choose_rounds and settings.rounds > 1 else ()
    margin = reach
    if default_window:
        held_settings, margin = _held_out_settings(case.pixels, held_settings)
        if margin < reach:
            case = _holes.regrown(case, hole, margin)
    chosen, _ = choose_settings(values_of, hole, held_settings, _graph_fill, scattered=False,
                                margin=margin, rng=np.random.default_rng(0),
                                error_ratio=LAYERS_MARGIN, case=case, rounds=more,
                                round_margin=_holes.FEWER_ROUNDS_MARGIN if more else None)
    # The real hole takes the chosen mix (and rounds, if chosen), with its own window back.
    own = {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)
           if getattr(held_settings, f.name) != getattr(settings, f.name) and
           not (more and f.name == "rounds")}
    return chosen.replace(**own)


def _choose_mix(values_of: Callable[[tuple[slice, slice]], np.ndarray], hole: np.ndarray,
                settings: Settings, reach: int, *, scattered: bool) -> Settings:
    """The smooth mix of thin strokes (``strategy="layers"``), chosen on held-out strokes cut
    beside the real ones: a mix must cut the held-out error by 40% (``LAYERS_MARGIN``)."""
    return choose_settings(values_of, hole, settings, _graph_fill, scattered=scattered,
                           margin=reach, rng=np.random.default_rng(0),
                           error_ratio=LAYERS_MARGIN)[0]


def _held_out_settings(held: np.ndarray, settings: Settings) -> tuple[Settings, int]:
    """The held-out fill's settings with the default window of the held-out parts' own depth
    (halved, a deep hole's parts are shallow: 31, not ``DEEP_WINDOW``), and the reach of its
    searches. The held-out fill is the costliest step of a deep hole's selection: barbara's
    40-px blob took 0.39 s of the seed command's 1.25 s with the real hole's window of 51."""
    depth = _holes.deepest(held)
    settings = settings.replace(window=_window_for(settings.strategy,
                                                   depth > _holes.DEEPEST_REFINED))
    if settings.seeded_from is not None:          # a deep hole's parts: its rules halved
        settings = settings.replace(
            patch_size=min(settings.patch_size, _holes.HELD_OUT_PATCH),
            seeded_from=settings.seeded_from // _holes.HELD_OUT_SCALE)
    return settings, _reach(depth, settings.window, settings.window_growth, settings.patch_size,
                            settings.strategy, settings.coarse_to_fine)


def _window_for(strategy: str, deep: bool) -> int:
    """The default search window: the strategy's, or a wider one for deep thick holes."""
    return _holes.DEEP_WINDOW if deep else _STRATEGY_DEFAULTS[strategy]["window"]


def _reach(depth: int, window: int, growth: float, patch_size: int, strategy: str,
           coarse_to_fine: bool = False) -> int:
    """How far from a hole ``depth`` pixels deep a search window and the patches in it can
    read, plus rings for the grid fills: outside that margin the image cannot change the
    result. The coarse level of ``coarse_to_fine`` searches the same window at half
    resolution, so twice as far in full-resolution pixels."""
    half = window // 2
    if strategy == "layers":
        half += int(growth * (depth - 1))
    fine = half + patch_size // 2 + 2
    if not coarse_to_fine:
        return fine
    coarse = _reach((depth + 1) // 2, window, growth, _pyramid.COARSE_PATCH, strategy)
    return max(fine, 2 * coarse + 1)
