"""The pipeline's stages on a working region in [0, 1] (:func:`_fill`): the graph solution,
layers then refinement rounds (:func:`_graph_fill`), with the smooth fills prepared beside it and
mixed in after it. :func:`graphinpaint.inpaint` settles the settings and the working region, and
self-validation runs :func:`_graph_fill` on held-out holes; see :mod:`graphinpaint.pipeline` for
the order of the work."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Callable

import numpy as np

from . import _pyramid
from . import _thick_holes as _holes
from ._memory import release_freed_memory
from ._stages import (ProgressCallback, RoundSolves, _fill_layers, _layers, _Progress, _refine,
                      _round_windows, still_moving, strokes_moving, textured)
from .fills import BACKGROUND_BAND_MAX, _done, is_large_and_thin, is_scattered
from .graph import _reused_node_indices
from .mixes import SmoothFills, mix_smooth
from .settings import Settings

__all__: list[str] = []


def _fill(values: np.ndarray, hole: np.ndarray, settings: Settings,
          progress: ProgressCallback | None = None, *,
          smooth: SmoothFills | None = None,
          mix_choice: Future | Settings | None = None,
          scattered: bool | None = None, may_stop: bool = False,
          middle_after: tuple[str, float] | None = None) -> np.ndarray:
    """The pipeline's stages on a working region in [0, 1]; returns the filled region.
    ``smooth``: the region's smooth fills, if some are solved or under way already.
    ``mix_choice``: the settings to mix the smooth fills in by, if not ``settings`` (which
    they may differ from in the mix only), or their choice under way. ``scattered``:
    :func:`is_scattered` of the hole, if the caller knows it (0.1 s at 4096^2). ``may_stop``:
    the choice under way chooses the rounds too (they were the default), and may stop them
    after the first: a copy of the first round's estimate is then kept. ``middle_after``: a
    thick hole's default mix (smooth, share); where it stays the mix, the middle of the hole's
    deep components takes the Laplace fill after it (``_thick_holes.smoother_middle``)."""
    smooth = SmoothFills(values, hole, settings.method) if smooth is None else smooth
    after_layers = None
    if settings.smooth == "boundary" and settings.smooth_share > 0:
        smooth.prepare_blend()          # factorised on the side while patches are matched
    elif settings.smooth == "frequency match" and settings.smooth_share > 0:
        smooth.gate_frequency = True    # the rounds record their matches' spread
        smooth.prepare("frequency")     # extrapolated on the side while patches are matched
    elif settings.smooth == "match" and settings.smooth_share > 0 and \
            np.count_nonzero(hole) <= BACKGROUND_BAND_MAX:
        # Solved on the side while patches are matched where its factors fit beside them, as
        # the blend's band: at 4096^2 (840k hole pixels) they took the peak to 3,292 MiB.
        # (With CG, as large thin holes solve it, 3,247 MiB: the system and its transients.)
        # On a large thin hole its CG starts from the layers' Laplace start: asked for first,
        # so that the start does not depend on which thread comes first.
        if settings.strategy == "layers":
            smooth.prepare("laplace")
        smooth.prepare("raw biharmonic")
    elif settings.smooth == "match" and settings.smooth_share > 0 and \
            settings.strategy == "layers" and is_large_and_thin(hole, smooth.depths()):
        # Larger thin holes solve it by CG from the Laplace start, beside the rounds.
        after_layers = "raw biharmonic"
    first_round: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []

    def keep_first(estimate: np.ndarray) -> None:
        if not first_round:             # the next round overwrites them in place: copied
            spread = smooth.match_spread
            first_round.append((estimate.copy(), smooth.match_distance,
                                None if spread is None else spread.copy()))

    # A thick hole's choice under way may stop after the first round: a copy of it is kept
    # (rounds given are not chosen: no copy).
    may_stop = may_stop and isinstance(mix_choice, Future) and settings.rounds > 1
    # The last use of the Laplace start is the layers' unless it is mixed in after them: as a
    # mix a choice under way may take, or in a deep component's middle after the default mix.
    with _reused_node_indices():            # the layers' and rounds' graphs share one index
        estimate = _graph_fill(values, hole, settings, progress, smooth=smooth,
                               each_round=keep_first if may_stop else None,
                               rounds_in_place=True,
                               release_start=(settings.smooth != "laplace" and
                                              mix_choice is None and middle_after is None),
                               after_layers=after_layers,
                               # A compact hole's deep pixels have no known pixels to judge by.
                               textured_first=(is_scattered(hole) if scattered is None
                                               else scattered), own_values=True)
    if mix_choice is not None:
        settings = _done(mix_choice)
        if settings.rounds == 1 and first_round:
            estimate, smooth.match_distance, smooth.match_spread = first_round[0]
    release_freed_memory(values)
    smooth.polish(settings)
    estimate = mix_smooth(estimate, hole, settings, smooth)
    if middle_after == (settings.smooth, settings.smooth_share):
        estimate = _holes.smoother_middle(estimate, hole, smooth)
    smooth.settle()
    return estimate


def _graph_fill(values: np.ndarray, hole: np.ndarray, settings: Settings,
                progress: ProgressCallback | None = None, *,
                smooth: SmoothFills | None = None,
                each_round: Callable[[np.ndarray], None] | None = None,
                release_start: bool = False, after_layers: str | None = None,
                start: np.ndarray | None = None, start_moved: np.ndarray | None = None,
                textured_first: bool = False, own_values: bool = False,
                rounds_in_place: bool = False) -> np.ndarray:
    """The graph solution (first fill and refinement rounds), before any smooth fill is mixed
    in. ``smooth`` shares the grid fills with the mixing: the biharmonic one is the scattered
    strategy's start, and the costliest step at high loss. ``each_round(estimate)`` sees the
    estimate after each round (self-validation scores every round count from one run).
    ``release_start``: drop the layers' Laplace start from ``smooth`` once they are filled.
    ``start``: for the global strategy, an estimate the rounds refine instead of the biharmonic
    fill (self-validation resumes a held-out run for a further round); it is not overwritten.
    ``start_moved``: each hole pixel's change in the round that made ``start`` (the next round
    refines those still moving: ``_stages.still_moving``). ``textured_first``: the global
    strategy's first round refines only the pixels ``_stages.textured`` picks (the image's
    fill; self-validation scores full first rounds, on which a smooth photo's mixes differ).
    ``own_values``: the layers fill ``values``' hole in place (the image's own working region;
    self-validation runs candidates on the same held-out values, and keeps their estimates).
    ``rounds_in_place``: the rounds refine the layers' estimate in place even with
    ``each_round``, which then copies what it keeps."""
    s, solve = settings, settings.solve_options()
    smooth = SmoothFills(values, hole, s.method) if smooth is None else smooth
    # Scattered loss, strokes' later rounds: the pixels a round refines, and their change.
    active = moved = None
    if s.strategy == "layers":
        # The smooth fills' depth map: the blend and the mixes read it too.
        layers = _layers(hole, smooth.depths())
        reporter = _Progress(progress, total=len(layers) + s.rounds)
        # The Laplace start is solved in a thread of its own while the first layer is matched:
        # only the layers' solves read it (2048^2 scratches waited 0.43 s for it before).
        smooth.prepare("laplace")
        guide = _pyramid.coarse_guide(values, hole, _graph_fill, s) if s.coarse_to_fine else None
        estimate = _fill_layers(values, hole, lambda: smooth.on_hole("laplace"), layers,
                                patch_size=s.patch_size, k=s.k, window=s.window,
                                growth=s.window_growth, bandwidth=s.bandwidth,
                                grid_weight=s.grid_weight, solve=solve, reporter=reporter,
                                guide=guide, seeded_from=s.seeded_from,
                                checkered_from=s.checkered_from,
                                in_place=own_values)
        if release_start:
            smooth.forget("laplace")
        if after_layers is not None:
            smooth.prepare(after_layers)
        candidates = None
        # Each hole pixel's farthest match in the last round (settings.adaptive_rounds).
        match_reach = np.zeros(np.count_nonzero(hole), np.int64) if s.adaptive_rounds else None
        moved = np.zeros(len(match_reach)) if s.adaptive_rounds else None
        # Each hole pixel's spread of its matches in the last round (SmoothFills.match_mix).
        spread = np.zeros(np.count_nonzero(hole)) if smooth.gate_frequency else None
    else:
        reporter = _Progress(progress, total=1 + s.rounds)
        estimate = smooth["raw biharmonic"] if start is None else start
        reporter.advance()
        candidates, match_reach, spread = ~hole, None, None
        # Each hole pixel's change in the last round: the next refines those still moving.
        moved = np.zeros(np.count_nonzero(hole)) if start_moved is None else start_moved.copy()
        if start_moved is not None:
            active = still_moving(moved, hole, s.patch_size)
        elif textured_first:
            active = textured(estimate, hole, s.patch_size)
    # The layers' estimate is this call's own; the biharmonic start is shared with the mixing.
    owned = s.strategy == "layers"
    round_solve = RoundSolves(solve, None if s.inexact_p is None else _inexact_solve(s))
    for round_index in range(s.rounds):
        release_freed_memory(values)
        # Rounds seen by each_round are kept by the caller: those are not overwritten, unless
        # the caller copies them.
        estimate, distance = _refine(
            values, hole, estimate, patch_size=s.patch_size, k=s.refinement_k,
            window=(s.window if match_reach is None or round_index == 0
                    else _round_windows(match_reach, s.window)),
            bandwidth=s.bandwidth, grid_weight=s.grid_weight, solve=round_solve,
            candidates=candidates, overwrite=owned and (each_round is None or rounds_in_place),
            match_reach=match_reach, exact_by_cg=s.adaptive_rounds,
            active=active, moved=moved, spread=spread)
        smooth.match_distance = _merged_distance(smooth.match_distance, distance, active)
        smooth.match_spread = spread
        if moved is not None and round_index + 1 < s.rounds:     # the next round's pixels
            active = (still_moving(moved, hole, s.patch_size) if match_reach is None else
                      strokes_moving(moved, match_reach, hole, s.patch_size))
        owned = True
        reporter.advance()
        if each_round is not None:
            each_round(estimate)
    return estimate


def _merged_distance(last: np.ndarray | None, distance: np.ndarray,
                     active: np.ndarray | None) -> np.ndarray:
    """Each hole pixel's mean match distance after a round that refined the ``active`` ones
    (all if None): theirs from this round, the others' from the last (0 if none)."""
    if active is None:
        return distance
    merged = np.zeros(len(active)) if last is None or len(last) != len(active) else last.copy()
    merged[active] = distance
    return merged


def _inexact_solve(s: Settings) -> dict:
    """The solve options of thin strokes' rounds at ``s.inexact_p`` (:class:`RoundSolves`):
    Newton's inner systems by Jacobi-CG where the method is "auto" (as the p = 2 rounds'),
    truncated at ``s.inexact_steps`` Newton steps where set."""
    options = s.replace(p=s.inexact_p, method="cg" if s.method == "auto" else s.method
                        ).solve_options()
    if s.inexact_steps is not None:
        options["_newton_steps"] = s.inexact_steps
    return options
