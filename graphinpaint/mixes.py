"""The smooth fills mixed into the graph solution, and how much of each (:class:`SmoothFills`).

Patch matching wins on structure and periodic texture; the grid fills (harmonic, biharmonic) and
the frequency-selective extrapolation (:mod:`graphinpaint._frequency`) on smooth photos,
stochastic texture and wherever the matches are poor. :class:`SmoothFills` computes each fill
once per hole (in the background while patches are matched) and mixes it in: over the whole
hole at a share, near the boundary (the biharmonic blend), or per pixel by how well its matches
fit and, in thick holes, by how much they disagree (the spread gate). Self-validation
(:mod:`graphinpaint.selection`) chooses among these mixes on a held-out hole.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future

import numpy as np
from scipy import ndimage as ndi

from ._frequency import FSR_BEST, FSR_FAST, Profile, frequency_fill, ring_roughnesses
from .fills import (BLEND_DEPTH, BoundaryBlend, _done, _in_background, clip_to_known,
                    grid_biharmonic_fill, grid_laplace_fill, is_large_and_thin, is_scattered,
                    layer_depths, mix_in)
from .settings import Settings

__all__ = ["HoleComponents", "SmoothFills", "component_medians", "hole_components",
           "mix_smooth"]

# Thin strokes mix the biharmonic fill in where patch matching is poor ("match"): a hole pixel
# whose matches in the last refinement round lie at a mean RMS patch distance d takes the share
# MATCH_SHARE * min(d / MATCH_DISTANCE, 1) within BLEND_DEPTH of the known pixels, half that
# deeper. Perfect matches (a cartoon's flat regions) keep the graph solution; grain, blur and
# poorly matched detail get up to half a smooth fill. On the 17 thin stroke cases of the compare
# benchmark +0.13 dB on average over a flat quarter near the boundary (coffee text +0.45, rocket
# text +0.34), none lower by more than 0.01 dB, same time (MATCH_DISTANCE 0.08 or a share of 0.6
# lost 0.06-0.15 dB on the cartoon). The held-out strokes could not make this choice: their
# errors ranked the shares against the real hole's on rocket, coffee and astronaut
# (docs/pipeline.md, benchmarks/strokes_selection.py).
MATCH_SHARE = 0.5
MATCH_DISTANCE = 0.12
DEEP_FACTOR = 0.5
# Thick holes up to DEEPEST_REFINED deep (blocks, blotches) mix the frequency-selective
# extrapolation (graphinpaint._frequency) in by the same rule, with the same constants, instead
# of the biharmonic boundary blend ("frequency match"): on the 26 thick cases of
# benchmarks/thick_frequency.py, scored on the real hole, +1.0 dB in sum, one case lower by more
# than 0.05 dB (docs/pipeline.md); end to end, +0.77 dB over the 24 changed compare cases.
# The frequency fill continues smooth gradients and oriented texture where the matches are
# poor; perfect matches keep the graph solution.
# The fill takes FSR_FAST's blocks and windows with FSR_BEST's basis functions (up to 400 at an
# orthogonality correction of 0.2): end to end +0.10 dB in sum over the 24 thick compare cases,
# none lower by more than 0.02 dB, for 1.7x the fill's time (benchmarks/frequency_profiles.py).
# FSR_BEST's 64-point windows and 2-px blocks gain more only at shares that no rule found from
# the match distances could place (docs/pipeline.md, "FSR_BEST's profile, fast enough").
FREQUENCY_PROFILE = dataclasses.replace(
    FSR_FAST, orthogonality=FSR_BEST.orthogonality, iterations=FSR_BEST.iterations,
    iterations_per_deviation=FSR_BEST.iterations_per_deviation)
# Where the matches disagree, the frequency fill is trusted more, from a costlier profile: a
# hole component (8-connected) whose median match spread (``_stages.match_spread``: the
# standard deviation of the matched pixels' values in the last round) is SPREAD_GATE or more
# takes, up to GATED_DEPTH from the known pixels, GATED_PROFILE's fill at
# SPREAD_SHARE * min(spread / SPREAD_SCALE, 1) near them, DEEP_FACTOR of that deeper, in place
# of the match rule's (deeper still, the match rule's). Matches that copy one another (brick,
# rocket, the cartoon's flats: medians 0.0001-0.0016) keep the match rule; the photos' blocks
# and blotches (0.002-0.010), where alike patches lie around different centres, open it.
# GATED_PROFILE is FSR_BEST's 64-point windows and 2-px blocks with FSR_FAST's basis functions,
# 4-px blocks split where they vary more than twice FSR_BEST's bar: a quarter of FSR_BEST's
# time for two thirds of its gain (with FSR_FAST's 4-px blocks, camera's blotches lost 0.05 dB;
# with fewer functions, the cartoon's 32-px block 0.09-0.16). The depth limit spares a 64-px
# block's middle, where the fill gained nothing (docs/pipeline.md, "FSR_BEST where the matches
# disagree").
# Self-validation scores the default "frequency match" ungated: the held-out SmoothFills keeps
# gate_frequency off, so a thick hole's held-out score is the real fill's error only where every
# component's gate stays shut. Gating it as the real fill changed none of the 67 compare cases
# and took 1.11-1.60x the CPU on the colour photos' thick cases (docs/pipeline.md, "The
# held-out choice scores the spread gate's mix ungated").
SPREAD_GATE = 0.002
SPREAD_SCALE = 0.016
SPREAD_SHARE = 1.0
GATED_DEPTH = 12
GATED_PROFILE = dataclasses.replace(
    FSR_BEST, orthogonality=FSR_FAST.orthogonality, iterations=FSR_FAST.iterations,
    iterations_per_deviation=FSR_FAST.iterations_per_deviation,
    split_deviation=((16, 0.014), (8, 0.030), (4, 0.2)))
# An opened component whose ring of known pixels is photo detail (``ring_roughness`` in
# WHOLE_DEPTH_RING: above a smooth photo's 0.4-0.5, below the 2.0 and more of outlines,
# stochastic texture and cut-out shapes) and that is at most WHOLE_DEPTH_MAX deep takes the
# gated fill at its whole depth, at the near pixels' weight and min(spread / WHOLE_DEPTH_SCALE,
# 1): replayed +3.71 dB over 25 thick cases, none lower (docs/pipeline.md, "The spread gate's
# second pass"). The 64-px blocks (32 deep) gained 0.10-0.52 dB more at their whole depth but
# took up to 2.31x the CPU of main 4f94db7 (issue 13 allows 2x); since 2b1ed49 they cost about
# 1x, but on 72 blocks outside the compare set they gain +0.90 dB in sum, 16 of the 33 moved
# lower, down to -1.07 (docs/pipeline.md, "FSR_BEST alone on compact blocks").
WHOLE_DEPTH_RING = (0.6, 1.9)
WHOLE_DEPTH_MAX = 24
WHOLE_DEPTH_SCALE = 0.010
# The biharmonic fill of scattered loss is solved by CG to rtol 1e-4: enough for the graph's
# start and for small shares. Where the output takes POLISH_SHARE of it or more, it is solved on
# to POLISHED_RTOL from there: the smooth photo at 80% loss chose the whole fill and lost
# 0.19 dB to the looser solve (47.43 against 47.62 dB for the exact one; 50%: 0.04, 90%: 0.05),
# the other 21 random-loss cases moved by 0.003 dB at most (SmoothFills.polish).
POLISH_SHARE = 0.75
POLISHED_RTOL = 1e-6

# The fills SmoothFills keeps on the hole's pixels alone (no image-sized copy).
_ON_HOLE = ("laplace", "frequency")


@dataclasses.dataclass(frozen=True)
class HoleComponents:
    """The hole's 8-connected components: ``labels`` as :func:`scipy.ndimage.label` numbers
    them (1 to ``count``, 0 outside the hole) and ``parts``, each hole pixel's label in
    increasing flat order (``labels[hole]``)."""

    labels: np.ndarray
    count: int
    parts: np.ndarray

    def maxima(self, on_hole: np.ndarray) -> np.ndarray:
        """Per label (0 to ``count``; 0, outside the hole, stays 0), the maximum of
        ``on_hole`` (one value per hole pixel, flat order, non-negative) over its component."""
        largest = np.zeros(self.count + 1, on_hole.dtype)
        np.maximum.at(largest, self.parts, on_hole)
        return largest


def hole_components(hole: np.ndarray) -> HoleComponents:
    """The 8-connected components of ``hole`` (True = missing).

    >>> hole = np.zeros((4, 5), bool); hole[0, 0] = hole[1, 1] = hole[3, 4] = True
    >>> found = hole_components(hole)
    >>> found.count, found.parts.tolist()
    (2, [1, 1, 2])
    """
    labels, count = ndi.label(hole, structure=np.ones((3, 3), bool))
    return HoleComponents(labels, int(count), labels[hole])


class SmoothFills:
    """The harmonic and biharmonic grid fills of one image and hole, each solved on first use,
    or ahead in a thread of its own (:meth:`prepare`). The harmonic ("laplace") and the
    frequency-selective ("frequency") fills are kept on the hole's pixels alone
    (:meth:`on_hole`): every stage reads them there."""

    def __init__(self, values: np.ndarray, hole: np.ndarray, method: str = "auto") -> None:
        self.values, self.hole, self.method = values, hole, method
        self._fills: dict[str, np.ndarray | Future] = {}
        self._blend: BoundaryBlend | None = None
        self._depth: np.ndarray | None = None
        # Mean patch distance of each hole pixel's matches (in np.flatnonzero(hole) order), as
        # the last refinement round that refined it found them (scattered loss's rounds refine
        # some pixels only: _region_fill._merged_distance): the "match" mix reads it.
        self.match_distance: np.ndarray | None = None
        # With gate_frequency (the image's own "frequency match"; a held-out one is scored
        # ungated: see SPREAD_GATE), the spread of each hole pixel's matches in the last round
        # (same order): the gate of match_mix's frequency fill.
        self.gate_frequency = False
        self.match_spread: np.ndarray | None = None
        # Per hole pixel, whether its component's ring is photo detail (_detailed_rings).
        self._detailed: np.ndarray | None = None
        self._components: HoleComponents | None = None
        # The Laplace fill's values on the hole, kept when the fill is forgotten: the start of
        # the biharmonic fill's CG on large thin holes (fills.is_large_and_thin).
        self._laplace_on_hole: np.ndarray | None = None

    def prepare(self, kind: str) -> None:
        """Start solving the fill ``kind`` in a thread of its own; asking for it waits for it.

        The pipeline starts its first estimate so while self-validation works on its held-out
        window: the fill's sparse work (SciPy and NumPy release the GIL) takes the core the
        held-out problem's small solves leave idle. The result is the same either way."""
        if kind not in self._fills:
            self._fills[kind] = _in_background(self._solve, kind)

    def prepare_blend(self) -> None:
        """Start preparing the boundary blend in the background (see :class:`BoundaryBlend`),
        unless :meth:`blend` will take the shared biharmonic fill instead."""
        if self._blend is None and not self._band_is_hole():
            self._blend = BoundaryBlend(self.hole, background=True, depth=self.depths())

    def blend(self, estimate: np.ndarray, share: float) -> np.ndarray:
        """:func:`~graphinpaint.fills.blend_near_boundary` of the estimate, prepared once."""
        if self._band_is_hole():
            # The band the blend solves on is the whole hole (scattered loss, thin strokes):
            # its biharmonic fill is the shared one, solved once for every candidate and round.
            near = self.hole & (self.depths() <= BLEND_DEPTH)
            return mix_in(estimate, near, self.on_hole("biharmonic")[near[self.hole]], share)
        if self._blend is None:
            self._blend = BoundaryBlend(self.hole, depth=self.depths())
        # The band's fill differs from the whole hole's only near the deeper pixels: where that
        # one is solved (scattered loss), CG starts from it (the held-out window of 512^2 at 80%
        # loss: 27-30 iterations a blend instead of 53-55).
        start = self["raw biharmonic"] if "raw biharmonic" in self._fills else None
        return self._blend(estimate, share, start=start)

    def match_mix(self, estimate: np.ndarray, share: float,
                  kind: str = "biharmonic") -> np.ndarray:
        """The estimate with the fill ``kind`` mixed in by match quality (see
        ``MATCH_DISTANCE``): ``share`` times ``min(d / MATCH_DISTANCE, 1)`` per hole pixel near
        the known ones, ``DEEP_FACTOR`` of that deeper. Without recorded matches (no refinement
        round) every hole pixel counts as poorly matched. The frequency fill of a hole
        component whose matches disagree is ``GATED_PROFILE``'s, mixed in by their spread
        (``SPREAD_GATE``; with ``gate_frequency`` and the spreads recorded)."""
        near = self.depths()[self.hole] <= BLEND_DEPTH
        quality = (1.0 if self.match_distance is None
                   else np.minimum(self.match_distance / MATCH_DISTANCE, 1.0))
        weights = share * quality * np.where(near, 1.0, DEEP_FACTOR)
        if kind == "frequency" and self.gate_frequency and self.match_spread is not None:
            fill, weights = self._gated(estimate, weights, near)
        else:
            fill = self.on_hole(kind)
        return mix_in(estimate, self.hole, fill, weights[:, None])

    def _gated(self, estimate: np.ndarray, weights: np.ndarray,
               near: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The frequency fill and its weights on the hole, with the components whose median
        match spread reaches ``SPREAD_GATE`` filled at ``GATED_PROFILE`` (the others, filled
        already by the graph, count as known) and weighed by their spread: there the spread
        sets the weights in place of the share's (only ``MATCH_SHARE``, the thick default,
        reaches here). The kept profile's fill is read (and made) only where the gated one
        does not cover a whole component."""
        spread = component_medians(self.hole, self.match_spread, components=self.components)
        opened = spread >= SPREAD_GATE
        whole = self._whole_depth(opened)
        fill = self._frequency_on(~whole)
        deeper = opened & ~whole & (self.depths()[self.hole] > GATED_DEPTH)
        opened &= ~deeper
        if not opened.any():
            return fill, weights
        fill, weights = fill.copy(), weights.copy()
        fill[opened] = self._frequency_of(opened, unknown=deeper, source=estimate,
                                          profile=GATED_PROFILE)
        scale = np.where(whole, WHOLE_DEPTH_SCALE, SPREAD_SCALE)
        weights[opened] = (SPREAD_SHARE * np.minimum(spread / scale, 1.0)
                           * np.where(near | whole, 1.0, DEEP_FACTOR))[opened]
        return fill, weights

    def _whole_depth(self, opened: np.ndarray) -> np.ndarray:
        """Per hole pixel (flat order), whether it lies in an opened component that the gated
        fill takes at its whole depth (:meth:`_detailed_rings`)."""
        return opened & self._detailed_rings()

    def _detailed_rings(self) -> np.ndarray:
        """Per hole pixel (flat order), whether its component's ring has the
        :func:`~graphinpaint._frequency.ring_roughness` of photo detail
        (``WHOLE_DEPTH_RING``) and it is at most ``WHOLE_DEPTH_MAX`` deep; made once."""
        if self._detailed is None:
            found = self.components
            deepest = found.maxima(self.depths()[self.hole])[1:]
            roughness = ring_roughnesses(self.values, self.hole, found.labels)
            low, high = WHOLE_DEPTH_RING
            detailed = (deepest <= WHOLE_DEPTH_MAX) & (low <= roughness) & (roughness < high)
            self._detailed = detailed[found.parts - 1]
        return self._detailed

    @property
    def components(self) -> HoleComponents:
        """:func:`hole_components` of the hole, labelled once: the spread gate, the rings'
        roughness and a deep hole's middle (``_thick_holes.middle_shares``) read them."""
        if self._components is None:
            self._components = hole_components(self.hole)
        return self._components

    def _frequency_on(self, needed: np.ndarray) -> np.ndarray:
        """The kept profile's frequency fill on the hole, made for the ``needed`` pixels at
        least (whole components). With ``gate_frequency`` the fill made ahead leaves out the
        components the gated fill may take whole (their rows NaN); those ``needed`` are filled
        here, on their own (the other hole pixels unknown)."""
        fill = self._solved("frequency")
        missing = needed & np.isnan(fill[:, 0])
        if missing.any():
            fill[missing] = self._frequency_of(missing)
        return fill

    def _frequency_of(self, pixels: np.ndarray, *, unknown: np.ndarray | None = None,
                      source: np.ndarray | None = None,
                      profile: Profile = FREQUENCY_PROFILE) -> np.ndarray:
        """The frequency fill of the hole ``pixels`` (a mask in flat order) at ``profile``,
        within the known pixels' range: the ``unknown`` hole pixels (flat order; default every
        other one) neither read nor filled, the rest read from ``source`` (default the
        values, whose hole is 0)."""
        part, absent = np.zeros_like(self.hole), np.zeros_like(self.hole)
        part[self.hole] = pixels
        absent[self.hole] = ~pixels if unknown is None else unknown
        fill = frequency_fill(self.values if source is None else source, part, on_hole=True,
                              profile=profile, unknown=absent)
        return clip_to_known(fill, self.values, self.hole)

    def polish(self, settings: Settings) -> None:
        """Solve the biharmonic fill on to ``POLISHED_RTOL`` from its values where the mix of
        ``settings`` takes ``POLISH_SHARE`` of it or more and CG solved it (scattered loss,
        large thin holes; LU solves are exact already). For the image's own mix: held-out
        candidates are scored on one solve."""
        if settings.smooth in ("none", "laplace", "frequency", "frequency match") or \
                settings.smooth_share < POLISH_SHARE:
            return
        if settings.smooth == "boundary" and not self._band_is_hole():
            return              # the blend solves its own band: the whole-hole fill is unread
        if not self._biharmonic_is_iterative():
            return
        raw = self["raw biharmonic"]
        self._fills["raw biharmonic"] = grid_biharmonic_fill(self.values, self.hole,
                                                             rtol=POLISHED_RTOL, start=raw)
        self._fills.pop("biharmonic", None)            # clipped from the looser solve

    def on_hole(self, kind: str) -> np.ndarray:
        """The fill ``kind``'s values on the hole, shape (pixels, C) in increasing flat order.
        The clipped biharmonic fill is clipped there only, unless it is solved already: no
        clipped copy of the whole image (400 MB and 0.3 s at 4096^2 in colour)."""
        if kind == "biharmonic" and kind not in self._fills:
            return clip_to_known(self["raw biharmonic"][self.hole], self.values, self.hole)
        if kind == "frequency":
            return self._frequency_on(np.ones(np.count_nonzero(self.hole), bool))
        if kind in _ON_HOLE:
            return self._solved(kind)
        return self[kind][self.hole]

    def depths(self) -> np.ndarray:
        """:func:`~graphinpaint.fills.layer_depths` of the hole, made once."""
        if self._depth is None:
            self._depth = layer_depths(self.hole)
        return self._depth

    def _band_is_hole(self) -> bool:
        """Whether the boundary blend's band (depth up to 2 * BLEND_DEPTH) is the whole hole."""
        return bool(self.depths().max() <= 2 * BLEND_DEPTH)

    def _biharmonic_is_iterative(self) -> bool:
        """Whether :meth:`_solve` has the biharmonic fill solved by CG: from a start, or for
        scattered loss (:func:`grid_biharmonic_fill`'s rule); a large thin hole without the
        Laplace start is factorised, exact already."""
        return self._biharmonic_start() is not None or is_scattered(self.hole)

    def _biharmonic_start(self) -> np.ndarray | None:
        """Where the biharmonic fill's CG starts on a large thin hole: the Laplace fill's values
        on the hole, if it was solved (the layers' start); else None, and LU solves it."""
        if not is_large_and_thin(self.hole, self.depths()):
            return None
        laplace = self._fills.get("laplace")
        if laplace is not None:
            return _done(laplace)
        return self._laplace_on_hole

    def settle(self) -> None:
        """Wait for the fills still solved in threads of their own: none outlives the call
        that started it (where the mix chosen beside the fill is another, the one prepared
        would run on unread and take a core from the caller's next work)."""
        for fill in list(self._fills.values()):
            _done(fill)
        if self._blend is not None:
            self._blend.settle()

    def forget(self, kind: str) -> None:
        """Drop the fill ``kind`` (a later request solves it again): its memory, once no
        caller needs it (the Laplace start, 400 MB at 4096^2 in colour, after the layers).
        The Laplace fill's values on the hole stay, as a start for the biharmonic one."""
        fill = self._fills.get(kind)
        if kind == "laplace" and fill is not None:
            # Kept before the fill is dropped: a biharmonic solve starting in another thread
            # (prepare) finds one or the other, never neither (then LU, not CG from it).
            self._laplace_on_hole = _done(fill)
        self._fills.pop(kind, None)

    def __getitem__(self, kind: str) -> np.ndarray:
        """The fill ``kind`` as an image like the values (the Laplace and frequency fills made
        into one from their values on the hole)."""
        fill = self.on_hole(kind) if kind in _ON_HOLE else self._solved(kind)
        if kind in _ON_HOLE:
            fill, on_hole = self.values.copy(), fill
            fill[self.hole] = on_hole
        return fill

    def _solved(self, kind: str) -> np.ndarray:
        """The fill ``kind`` as kept: solved now, or awaited if under way."""
        fill = self._fills.get(kind)
        if fill is None:
            fill = self._fills[kind] = self._solve(kind)
        else:
            fill = self._fills[kind] = _done(fill)
        return fill

    def _solve(self, kind: str) -> np.ndarray:
        if kind == "laplace":
            # The depth map if made already: small holes need none (is_large_and_thin).
            return grid_laplace_fill(self.values, self.hole, self.method, depth=self._depth,
                                     on_hole=True)
        if kind == "raw biharmonic":
            return grid_biharmonic_fill(self.values, self.hole, start=self._biharmonic_start())
        if kind == "frequency":
            return self._frequency_ahead()
        return clip_to_known(self["raw biharmonic"], self.values, self.hole)

    def _frequency_ahead(self) -> np.ndarray:
        """The kept profile's frequency fill on the hole; with ``gate_frequency``, without the
        components whose rings make the gated fill take them whole if their matches disagree
        (rows NaN: :meth:`_frequency_on` fills those the gate leaves shut). On the 32-px
        blocks of coffee and astronaut it was a fifth of the gated default's time."""
        if not (self.gate_frequency and self._detailed_rings().any()):
            return clip_to_known(frequency_fill(self.values, self.hole, on_hole=True,
                                                profile=FREQUENCY_PROFILE),
                                 self.values, self.hole)
        skipped = self._detailed_rings()
        fill = np.full((len(skipped), self.values.shape[-1]), np.nan, self.values.dtype)
        if not skipped.all():
            fill[~skipped] = self._frequency_of(~skipped)
        return fill


def component_medians(hole: np.ndarray, per_pixel: np.ndarray, *,
                      components: HoleComponents | None = None) -> np.ndarray:
    """Per hole pixel (flat order), the median of ``per_pixel`` over its 8-connected hole
    component. ``components``: :func:`hole_components` of the hole, if the caller has them."""
    found = hole_components(hole) if components is None else components
    medians = ndi.median(per_pixel, found.parts, index=np.arange(1, found.count + 1))
    return np.asarray(medians, np.float64)[found.parts - 1]


def mix_smooth(estimate: np.ndarray, hole: np.ndarray, settings: Settings,
               smooth: SmoothFills) -> np.ndarray:
    """The graph solution with ``settings.smooth_share`` of the smooth fill ``settings.smooth``."""
    share = settings.smooth_share
    if settings.smooth == "none" or share == 0:
        return estimate
    if settings.smooth == "boundary":
        return smooth.blend(estimate, share)
    if settings.smooth == "match":
        return smooth.match_mix(estimate, share)
    if settings.smooth == "frequency match":
        return smooth.match_mix(estimate, share, "frequency")
    return mix_in(estimate, hole, smooth.on_hole(settings.smooth), share)
