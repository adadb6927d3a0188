"""Self-validation: choose the pipeline's settings per image on a held-out hole.

The known pixels around a hole are data with ground truth. A held-out hole with the real one's
shape statistics is cut from known pixels near it (the same mask shifted beside a compact hole;
more random loss inside a window of scattered loss; the strokes shifted by a few pixels inside a
window of scratches or text), the pipeline fills the real and the held-out hole together in that
window, and each candidate is scored by its error on the held-out pixels.

The candidates differ in how a smooth fill is mixed into the graph solution
(:mod:`graphinpaint.mixes`): patch matching wins on structure and periodic texture, the smooth
fills on smooth photos and stochastic texture (docs/pipeline.md), and one held-out graph solve
scores them all. For scattered loss they differ in the number of refinement rounds too: the
held-out solve runs the most rounds asked for once, and every mix is scored after each round; a
further round is then run for the most promising patch size only, resumed from its last one.
A thick hole's held-out fill runs its three rounds and keeps the first alone where that cuts
the held-out error enough (``round_margin``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .fills import grid_laplace_fill
from .mixes import SmoothFills, mix_smooth
from ._stages import still_moving
from .settings import Settings

__all__ = ["HeldOut", "choose_settings", "held_out", "relative_cost", "smooth_candidates",
           "stroke_width", "weighting_candidates"]

# Side of the window the held-out hole is cut in, for holes larger than it; and the share of the
# known pixels held out of a window of scattered loss.
WINDOW = 96
SCATTERED_SHARE = 0.15
SHARES = (0.25, 0.5, 0.75, 1.0)
# The smooth fills mixed in over the whole hole. THICK_SMOOTH_KINDS adds the frequency-selective
# extrapolation (graphinpaint._frequency): as a held-out candidate of thick holes it lost up to
# 3.75 dB at every bar (benchmarks/thick_frequency.py heldout, docs/pipeline.md), so the thick
# path mixes it in by match quality instead ("frequency match").
SMOOTH_KINDS = ("laplace", "biharmonic")
THICK_SMOOTH_KINDS = (*SMOOTH_KINDS, "frequency")
# A candidate replaces the given settings only when its held-out error is this much smaller
# (0.2 dB): where every candidate is near perfect (a flat region beside the hole) the held-out
# hole cannot tell them apart, and the choice would be noise.
# Nor does a gain below an 8-bit level's square (an RMS error of 1/255) count.
MARGIN = 0.95
FLOOR = (1 / 255) ** 2
# Held-out strokes and blotches, cut beside the real ones, are a biased sample of their context:
# there a change must cut the held-out error by 40% (2.2 dB). On the 16 scratch and text cases
# of the compare benchmark that keeps every choice of the defaults but the smooth photo's, where
# the biharmonic fill wins by 5 dB (0.95 lost 2.1 dB on coffee and the cartoon; 0.7 lost them
# on coffee; 0.5 missed the smooth photo's scratches; measured).
LAYERS_MARGIN = 0.6
# The round counts tried for scattered loss: more rounds rebuild the graph on a better
# estimate (up to +1.2 dB on the 24 random-loss cases of benchmarks/compare.py,
# docs/pipeline.md). A third round for every patch size cost more in held-out solves than its
# gains paid back within issue 13's 2x time budget: see LAST_ROUNDS.
ROUNDS = (1, 2)
# A third round is tried on the held-out window for one patch size only: the one of least
# held-out error after ROUNDS, resumed from its second round (one more held-out round, not one
# per patch size), and only where the second round cut its held-out error to FURTHER_ROUND_GATE
# of the first's or less. The cost-aware rule below then charges it like the others. On the 24
# random-loss cases: +1.09 dB in sum (cartoon 90% +0.71, 80% +0.27, camera 80% +0.11), none
# lower, 1.02x main's total time (docs/pipeline.md); gates from 0.90 to 1.0 kept every gain.
LAST_ROUNDS = (3,)
FURTHER_ROUND_GATE = 0.95
# The larger patch tried beside the default 7 for scattered loss: at 80-90% loss a 7 x 7
# patch compares 5-10 known pixels, 11 x 11 compares 12-24 (brick at 90%: +1.0 dB).
PATCH_SIZES = (11,)
# The choice among rounds and patch sizes is cost-aware: a candidate that takes more time than
# the one-round choice replaces it only when its held-out error is smaller by COST_DROP (8%)
# per extra unit of time, the unit being one round of 7 x 7 patches (see ``relative_cost``).
# Simulated on benchmarks/scattered_rounds.py's 24 cases, 6-9% keep the large gains (cartoon,
# brick) and drop the photos' few hundredths of a dB bought at twice the time; 8% lies in the
# middle of the plateau. A round after the first costs ROUND_COST of the first times the share
# of the hole it refines (``_stages.still_moving``, measured on the held-out window: at 1024^2
# 50% loss a second round refining 27% of the hole took 0.28x a full one's CPU time); a patch's
# extra area adds PATCH_COST per 7 x 7 area (measured: 11 x 11, 1.2x a 7 x 7 round).
COST_DROP = 0.08
ROUND_COST = 0.8
PATCH_COST = 0.15
# Once rounds, patch size and mix are chosen for scattered loss, a lighter weighting of the
# graph is tried on the held-out pixels (one more held-out fill): the grid edges' weight times
# GRID_FACTOR. It replaces the choice only when its held-out error is WEIGHTING_MARGIN of it or
# less (2% smaller). On the 24 random-loss cases of benchmarks/scattered_oracle.py, scored on
# the real hole, the lighter grid gained up to +0.35 dB (cartoon 50%) but lost 0.14 dB (coffee
# 90%); behind the 2% bar it lost nowhere (docs/pipeline.md).
GRID_FACTOR = 0.5
WEIGHTING_MARGIN = 0.98
# fill(values, hole, settings, smooth=fills) -> the graph solution before any smooth fill is
# mixed in; it may start from the smooth fills (computed once, shared with the mixing).
GraphFill = Callable[..., np.ndarray]


def smooth_candidates(settings: Settings,
                      kinds: tuple[str, ...] = SMOOTH_KINDS) -> list[Settings]:
    """The settings self-validation compares: the given ones first, then each way of mixing
    (each of the grid fills ``kinds`` at each of ``SHARES`` over the whole hole)."""
    candidates = [settings, settings.replace(smooth="none", smooth_share=0.0),
                  settings.replace(smooth="boundary", smooth_share=0.25)]
    candidates += [settings.replace(smooth=kind, smooth_share=share)
                   for kind in kinds for share in SHARES]
    return list(dict.fromkeys(candidates))          # frozen dataclasses hash: drop repeats


def weighting_candidates(settings: Settings) -> list[Settings]:
    """Other weightings of the chosen settings' graph: lighter grid edges.

    >>> s = Settings(strategy="global", window=15, bandwidth=0.05, grid_weight=0.2)
    >>> lighter, = weighting_candidates(s)
    >>> lighter.grid_weight
    0.1
    """
    lighter = settings.replace(grid_weight=settings.grid_weight * GRID_FACTOR)
    return [lighter] if lighter != settings else []


@dataclass(frozen=True)
class HeldOut:
    """A held-out problem: the ``window`` of the image, its hole (the held-out pixels, with the
    real hole's where they shape the statistics), the held-out pixels, whose true values are
    known, and the real hole's other pixels in the window (``gaps``), given the grid Laplace
    fill and treated as known: beside a compact hole, filling the real one too would double
    the cost."""

    window: tuple[slice, slice]
    hole: np.ndarray
    pixels: np.ndarray
    gaps: np.ndarray


def held_out(hole: np.ndarray, *, scattered: bool, margin: int,
             rng: np.random.Generator) -> HeldOut | None:
    """Cut a held-out hole of the real one's shape statistics from known pixels near it.

    ``margin`` is the reach of the pipeline's searches around a compact hole. Returns None when
    no known pixel can be held out.
    """
    rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    box = (rows[0], rows[-1] + 1, cols[0], cols[-1] + 1)
    if scattered:
        window = _window_in(box, hole.shape, rng)
        pixels = ~hole[window] & (rng.random(hole[window].shape) < SCATTERED_SHARE)
    elif box[1] - box[0] <= WINDOW and box[3] - box[2] <= WINDOW:
        window, pixels = _beside(hole, box, margin)
        if pixels is None or not pixels.any():
            return None
        return HeldOut(window, pixels, pixels, hole[window])
    else:
        window = _window_in(box, hole.shape, rng)
        local = hole[window]
        shift = 3 + int(np.ceil(stroke_width(local)))
        pixels = np.roll(local, (shift, shift), axis=(0, 1)) & ~local
        # Strokes moved beside the real ones: filled together, the held-out strokes would lose
        # the context the real ones have (and cost twice as much).
        return HeldOut(window, pixels, pixels, local) if pixels.any() else None
    # A window left without a known pixel has nothing to fill from (its grid fills are singular).
    if not pixels.any() or (hole[window] | pixels).all():
        return None
    return HeldOut(window, hole[window] | pixels, pixels, np.zeros_like(pixels))


def _window_in(box: tuple, shape: tuple[int, int], rng: np.random.Generator
               ) -> tuple[slice, slice]:
    """A window of side WINDOW (or less, in a small image) at a random place in the box."""
    def side(lo, hi, size):
        length = min(WINDOW, size)
        start = int(rng.integers(lo, max(hi - length, lo) + 1))
        start = min(start, size - length)
        return slice(start, start + length)

    return side(box[0], box[1], shape[0]), side(box[2], box[3], shape[1])


def _beside(hole: np.ndarray, box: tuple, margin: int):
    """The compact hole moved beside itself, where it overlaps the real hole least; the window
    is the moved hole's box grown by ``margin``."""
    height, width = box[1] - box[0], box[3] - box[2]
    best = None
    for dy, dx in ((0, width + 2), (0, -width - 2), (height + 2, 0), (-height - 2, 0)):
        top, left = box[0] + dy, box[2] + dx
        if top < 0 or left < 0 or top + height > hole.shape[0] or left + width > hole.shape[1]:
            continue
        shape = hole[box[0]:box[1], box[2]:box[3]]
        target = hole[top:top + height, left:left + width]
        overlap = int((shape & target).sum())
        if best is None or overlap < best[0]:
            best = (overlap, top, left)
    if best is None:
        return None, None
    _, top, left = best
    window = (slice(max(top - margin, 0), min(top + height + margin, hole.shape[0])),
              slice(max(left - margin, 0), min(left + width + margin, hole.shape[1])))
    moved = np.zeros_like(hole)
    moved[top:top + height, left:left + width] = hole[box[0]:box[1], box[2]:box[3]]
    return window, moved[window] & ~hole[window]


def stroke_width(hole: np.ndarray) -> float:
    """Typical width of the hole's strokes: twice its area over its outline's length."""
    outline = hole & ~(np.roll(hole, 1, 0) & np.roll(hole, -1, 0) &
                       np.roll(hole, 1, 1) & np.roll(hole, -1, 1))
    return 2.0 * hole.sum() / max(int(outline.sum()), 1)


def choose_settings(values_of: Callable[[tuple[slice, slice]], np.ndarray], hole: np.ndarray,
                    settings: Settings, fill: GraphFill, *, scattered: bool, margin: int,
                    rng: np.random.Generator, rounds: tuple[int, ...] = (),
                    patch_sizes: tuple[int, ...] = (), error_ratio: float = MARGIN,
                    case: HeldOut | None = None, reweigh: bool = False,
                    last_rounds: tuple[int, ...] = (), kinds: tuple[str, ...] = SMOOTH_KINDS,
                    round_margin: float | None = None
                    ) -> tuple[Settings, list[tuple[Settings, float]]]:
    """The candidate of least mean squared error on a held-out hole (if its error is below
    ``error_ratio`` times the given settings' and lower by ``FLOOR``), and every candidate's
    error.

    ``hole`` is the whole image's (True = missing); ``values_of(window)`` returns that window
    of the image in [0, 1] as (h, w, channels). ``rounds`` (0: the first fill alone) and
    ``patch_sizes`` are further round counts and patch sizes to try: the best mix after one of
    them replaces that choice when its held-out error, raised by ``COST_DROP`` per extra unit of
    :func:`relative_cost`, is smaller. ``last_rounds`` are round counts past those tried for
    the most promising patch size only (:func:`_most_promising`), resumed from its last round
    and charged the same way. ``case`` is a held-out problem cut by the caller (thick
    holes cut a cheaper one); by default :func:`held_out` cuts it. With ``reweigh``, each of
    :func:`weighting_candidates` of the choice is filled too and replaces it when its error is
    ``WEIGHTING_MARGIN`` of the choice's or less. ``kinds``: the smooth fills mixed in
    (:func:`smooth_candidates`). ``round_margin``: instead of by cost, the first round count
    of ``rounds`` replaces the given one, with the mix chosen on the given one, unless the
    given mix's held-out error after the given count is below ``round_margin`` times its error
    after that one (and lower by ``FLOOR``). Falls back on ``settings`` when no held-out
    hole can be cut.
    """
    if case is None:
        case = held_out(hole, scattered=scattered, margin=margin, rng=rng)
    if case is None:
        return settings, []
    local = values_of(case.window).copy()
    truth = local[case.pixels]
    if case.gaps.any():
        local = grid_laplace_fill(local, case.gaps, settings.method)
    local[case.hole] = 0
    smooth = SmoothFills(local, case.hole, settings.method)
    counts = (settings.rounds, *rounds)
    distances: dict[tuple[int, int], np.ndarray] = {}       # each round's match distances
    estimates = {(patch, count): estimate
                 for patch in dict.fromkeys((settings.patch_size, *patch_sizes))
                 for count, estimate in _estimates_by_rounds(
                     local, case.hole, settings.replace(patch_size=patch), fill, smooth,
                     counts, distances=distances).items() if count in counts}

    def error_of(estimate: np.ndarray, candidate: Settings) -> float:
        mixed = mix_smooth(estimate, case.hole, candidate, smooth)
        return float(np.mean((mixed[case.pixels] - truth) ** 2))

    def scored(patch: int, count: int) -> list[tuple[Settings, float]]:
        # The match mixes read the match distances of the round they follow.
        smooth.match_distance = distances.get((patch, count), smooth.match_distance)
        base = settings.replace(patch_size=patch, rounds=count)
        return [(candidate, error_of(estimates[patch, count], candidate))
                for candidate in smooth_candidates(base, kinds)]

    scores = {key: scored(*key) for key in estimates}
    promising = _most_promising(scores) if last_rounds else None
    further = () if promising is None else tuple(
        count - promising[1] for count in last_rounds if count > promising[1])
    if further:
        # Resumed from its last round: the further rounds of one patch size only.
        patch, done = promising
        before = estimates.get((patch, done - 1)) if done > 1 else smooth["raw biharmonic"]
        moved = None if before is None else _moved(before, estimates[promising], case.hole)
        for extra, estimate in _estimates_by_rounds(
                local, case.hole, settings.replace(patch_size=patch), fill, smooth, further,
                start=estimates[promising], start_moved=moved).items():
            estimates[patch, done + extra] = estimate
            scores[patch, done + extra] = scored(patch, done + extra)
    given = (settings.patch_size, settings.rounds)
    errors = scores[given]
    best, error = _least(errors, error_ratio)
    more = [pair for key in scores if key != given for pair in scores[key]]
    shares = (_refined_shares(estimates, smooth, case.hole) if settings.strategy == "global"
              else {})
    base_cost = relative_cost(*given, shares.get(given[0], ()))

    def charged(pair: tuple[Settings, float]) -> float:
        patch, count = pair[0].patch_size, pair[0].rounds
        extra = relative_cost(patch, count, shares.get(patch, ())) - base_cost
        return pair[1] / (1 - COST_DROP) ** extra

    if round_margin is not None:
        kept = [key[1] for key, pairs in scores.items()
                if key != given and not _cuts(errors[0][1], pairs[0][1], round_margin)]
        best = best.replace(rounds=kept[0]) if kept else best
    elif more:
        other = min(more, key=charged)
        if charged(other) < error:
            best = other[0]
    errors += more
    if reweigh and not _smooth_fill_only(best):
        reweighed = [(candidate, error_of(fill(local, case.hole, candidate, smooth=smooth),
                                          candidate))
                     for candidate in weighting_candidates(best)]
        errors += reweighed
        bar = WEIGHTING_MARGIN * dict(errors)[best]
        lightest, lowest = min(reweighed, key=lambda pair: pair[1], default=(best, bar))
        if lowest <= bar:
            best = lightest
    return best, errors


def _least(errors: list[tuple[Settings, float]], error_ratio: float) -> tuple[Settings, float]:
    """The pair of least error if it is below ``error_ratio`` times the first's and lower by
    ``FLOOR``, else the first."""
    best, error = min(errors, key=lambda pair: pair[1])
    return (best, error) if _cuts(error, errors[0][1], error_ratio) else errors[0]


def _cuts(error: float, before: float, error_ratio: float) -> bool:
    """Whether ``error`` is below ``error_ratio`` times ``before`` and lower by ``FLOOR``."""
    return before - error > max((1 - error_ratio) * before, FLOOR)


def _smooth_fill_only(settings: Settings) -> bool:
    """Whether the settings replace the graph solution by a smooth fill (its weights are moot)."""
    return settings.smooth in ("laplace", "biharmonic") and settings.smooth_share == 1


def relative_cost(patch_size: int, rounds: int, shares: tuple[float, ...] = ()) -> float:
    """The time of ``rounds`` rounds of the graph solution with ``patch_size`` patches, in
    units of one round of 7 x 7 patches. ``shares``: the share of the hole each round after
    the first refines (``_stages.still_moving``; a round's time follows it), 1 where not given.

    >>> relative_cost(7, 1), round(relative_cost(11, 2), 2), relative_cost(7, 3, (0.5, 0.25))
    (1.0, 2.2, 1.6)
    """
    later = sum(shares[:rounds - 1]) + max(rounds - 1 - len(shares), 0)
    return (1 + ROUND_COST * later) * (1 + PATCH_COST * (patch_size ** 2 / 49 - 1))


def _refined_shares(estimates: dict[tuple[int, int], np.ndarray], smooth: SmoothFills,
                    hole: np.ndarray) -> dict[int, tuple[float, ...]]:
    """Per patch size, the share of the held-out window's hole that each round after the first
    refined (``_stages.still_moving`` of the change the round before made), as far as the
    rounds were kept."""
    shares = {}
    for patch in dict.fromkeys(p for p, _ in estimates):
        chain = [smooth["raw biharmonic"]]
        while (patch, len(chain)) in estimates:
            chain.append(estimates[patch, len(chain)])
        shares[patch] = tuple(
            float(still_moving(_moved(before, after, hole), hole, patch).mean())
            for before, after in zip(chain[:-2], chain[1:-1]))
    return shares


def _most_promising(scores: dict[tuple[int, int], list[tuple[Settings, float]]]
                    ) -> tuple[int, int] | None:
    """The (patch size, rounds) of least held-out error among the most rounds run, the one a
    further round is tried for; None if its last round left its error above
    ``FURTHER_ROUND_GATE`` times the round before's (then a further one would not pay either)."""
    done = max(count for _, count in scores)
    best = {key: min(error for _, error in pairs) for key, pairs in scores.items()}
    patch = min((p for p, count in best if count == done), key=lambda p: best[p, done])
    before = best.get((patch, done - 1))
    if before is not None and best[patch, done] > FURTHER_ROUND_GATE * before:
        return None
    return patch, done


def _estimates_by_rounds(values: np.ndarray, hole: np.ndarray, settings: Settings,
                         fill: GraphFill, smooth: SmoothFills, counts: tuple[int, ...], *,
                         start: np.ndarray | None = None, start_moved: np.ndarray | None = None,
                         distances: dict[tuple[int, int], np.ndarray] | None = None
                         ) -> dict[int, np.ndarray]:
    """The graph solution after each of ``counts`` rounds, from one run of the most of them
    (and one of the first fill alone if 0 is a count: ``each_round`` sees rounds only).
    ``start``: rounds refine this estimate instead of the first fill (``counts`` then count
    the rounds after it); ``start_moved``: each hole pixel's change in the round that made it
    (the next round refines those still moving: ``_stages.still_moving``). ``distances``, if
    given, takes ``smooth.match_distance`` after each round of several, keyed by (patch size,
    round count)."""
    last = max(counts)
    resume = {} if start is None else {"start": start, "start_moved": start_moved}
    if len(set(counts)) == 1:                   # one count: no need to watch the rounds
        return {last: fill(values, hole, settings.replace(rounds=last), smooth=smooth,
                           **resume)}
    after_rounds: list[np.ndarray] = []

    def each_round(estimate: np.ndarray) -> None:
        after_rounds.append(estimate)
        if distances is not None:
            distances[settings.patch_size, len(after_rounds)] = smooth.match_distance

    fill(values, hole, settings.replace(rounds=last), smooth=smooth, each_round=each_round,
         **resume)
    estimates = dict(enumerate(after_rounds, start=1))
    if 0 in counts:
        estimates[0] = fill(values, hole, settings.replace(rounds=0), smooth=smooth)
    return estimates


def _moved(before: np.ndarray, after: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Each hole pixel's mean absolute change over the channels from ``before`` to ``after``."""
    return np.abs(after[hole] - before[hole]).mean(axis=1)
