"""The graph fill's stages: the layers from the boundary inward, the refinement rounds, and
the graphs they solve on (patch matches, Gaussian weights, grid edges to the filled neighbours).

:mod:`graphinpaint.pipeline` orders them (``docs/pipeline.md``); each takes the working region in
[0, 1] and returns values, and none knows of settings, self-validation or the smooth mixes.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.sparse as sp
from scipy import ndimage

from . import _pyramid
from ._edges import row_sums
from ._memory import release_freed_memory
from ._seeded_search import next_to, seeds_from_neighbours
from .fills import layer_depths
from ._match_graph import match_rows, query_blocks, weighted_match_graph
from .graph import PatchSearch, _Matches
from .solvers import solve_dirichlet
from .solvers.dirichlet import _solve_p2_blocks
from .solvers.linear import _choose_method

ProgressCallback = Callable[[int, int], None]

# When matches come from the known pixels only (scattered loss), the refinement's search may
# rank this many candidates per match, found in the reduced patch space, exactly (window_knn's
# shortlist). PatchSearch answers dense queries (most scattered loss) exactly instead, with the
# offset kernel, which is cheaper there; the shortlist serves sparse queries. Where filled pixels
# are candidates too (layers) it cost up to 0.05 dB.
_SHORTLIST_PER_MATCH = 2
# The second and later refinement rounds of thin strokes (scratches, text) search each hole
# pixel's window only as far as its matches in the round before reached, plus
# ROUND_REACH_MARGIN and at least ROUND_REACH_MIN, within the window: on a smooth photo 99% of
# the matches lie within 4 pixels, on a periodic texture at 12-15 (docs/benchmarks.md,
# "Eighth pass": a fixed 21 x 21 window lost 6 dB on the latter; the adaptive window on the
# first round too lost 0.06 dB on brick scratches).
ROUND_REACH_MARGIN = 2
ROUND_REACH_MIN = 5
# A later refinement round of scattered loss refines only the hole pixels whose patch the round
# before changed by MOVED_FLOOR (two 8-bit levels) or more on average over the patch and the
# channels; the others keep their values and count as known. Their matches are known pixels, so
# their new values could change only through their grid edges. On the 24 random-loss cases of
# the compare benchmark the second round refined 0-100% of the hole (median 55%; grass all of
# it, smooth regions none) and lost nowhere against a full round, the third within 0.04 dB
# (docs/pipeline.md); a floor on each pixel's own change lost up to 0.12 dB.
MOVED_FLOOR = 2 / 255
# Thin strokes' second round refines the hole pixels still moving so (their patch moved by
# MOVED_FLOOR in the first) and those whose first-round matches reached farther than
# STILL_REACH pixels: texture that repeats at a distance (brick, a periodic pattern) keeps its
# round. On the 16 scratch and text cases and the seed's lincoln: -0.032 to +0.024 dB against
# a full round (brick scratches the lowest; a floor alone: brick text -0.071 at two levels,
# -0.045 at three quarters of a level, which kept 62% of the pixels at 2048^2); at 2048^2 and
# 4096^2 15% and 31% of the hole (docs/benchmarks.md, "Eleventh pass").
STILL_REACH = 4
# The image's first round of scattered loss refines only the hole pixels whose patch's known
# pixels carry detail (their mean distance to the start's 3 x 3 mean: TEXTURE_FLOOR, two 8-bit
# levels, or more), where TEXTURE_KNOWN of the region's pixels or more are known (loss up to
# 85%); elsewhere the smooth start stands. On the 50% cases it refined 46-73% of the hole and
# caught 99.5-100% of the pixels a full round moves by two levels; the 16 cases at 50% and 80%
# moved by -0.02 to +0.01 dB (CPU time at 1024^2 50%: 5.2 -> 3.1 s; 512^2 80%: 2.29 -> 1.79 s).
# At 90% loss the start is too smooth to tell: brick lost 0.35 dB (docs/pipeline.md).
TEXTURE_FLOOR = 2 / 255
TEXTURE_KNOWN = 0.15
# Relative residual of the p = 2 solves of layers and rounds (the caller's rtol wins): a tenth
# of an 8-bit level is enough, and 1e-4 left every compared case within 0.01 dB of 1e-6.
_LINEAR_RTOL = 1e-4
# A refinement round's matches are mostly exact (flat colour: a cartoon's regions) where
# EXACT_SHARE of its hole pixels or more have a mean patch distance to their matches below
# EXACT_DISTANCE. On the compare benchmark's 17 thin stroke cases the first round's share was
# 0.72-0.85 on flat-colour images (the cartoon; outside it, a phantom and three drawn cartoons)
# and 0.00-0.16 on photos and textures (docs/pipeline.md, "p = 3 for strokes"). Thin strokes'
# rounds solve at Settings.inexact_p where they are not (RoundSolves).
EXACT_DISTANCE = 1e-3
EXACT_SHARE = 0.3


class _Progress:
    """Counts steps and reports them to an optional callback."""

    def __init__(self, callback: ProgressCallback | None, total: int) -> None:
        self.callback, self.total, self.done = callback, total, 0

    def advance(self) -> None:
        self.done += 1
        if self.callback is not None:
            self.callback(self.done, self.total)


def _round_windows(reach: np.ndarray, window: int) -> np.ndarray:
    """Each hole pixel's window in a later round of ``adaptive_rounds``: as far as its matches
    in the round before reached, plus ``ROUND_REACH_MARGIN``, at least ``ROUND_REACH_MIN``, at
    most ``window``."""
    return 2 * np.clip(reach + ROUND_REACH_MARGIN, ROUND_REACH_MIN, window // 2) + 1


def still_moving(moved: np.ndarray, hole: np.ndarray, patch_size: int) -> np.ndarray:
    """The hole pixels a later round of scattered loss refines (a mask in increasing flat
    order), given each one's change in the round before (``moved``, same order): those whose
    patch changed by ``MOVED_FLOOR`` or more on average (known pixels change by 0).

    >>> hole = np.zeros((5, 9), bool); hole[2, 1:8] = True
    >>> moved = np.zeros(7); moved[0] = 1.0
    >>> still_moving(moved, hole, 3).astype(int)
    array([1, 1, 0, 0, 0, 0, 0])
    """
    change = np.zeros(hole.shape, np.float32)     # image-sized: float32 is plenty here
    change[hole] = moved
    patch_mean = ndimage.uniform_filter(change, patch_size, mode="constant")
    return patch_mean[hole] >= MOVED_FLOOR


def strokes_moving(moved: np.ndarray, match_reach: np.ndarray, hole: np.ndarray,
                   patch_size: int) -> np.ndarray:
    """The hole pixels thin strokes' later round refines (a mask in increasing flat order):
    :func:`still_moving` ones and those whose matches in the round before reached farther than
    ``STILL_REACH`` pixels (``match_reach``, same order).

    >>> hole = np.zeros((5, 9), bool); hole[2, 1:8] = True
    >>> reach = np.zeros(7, int); reach[6] = 9
    >>> strokes_moving(np.zeros(7), reach, hole, 3).astype(int)
    array([0, 0, 0, 0, 0, 0, 1])
    """
    return still_moving(moved, hole, patch_size) | (match_reach > STILL_REACH)


def textured(start: np.ndarray, hole: np.ndarray, patch_size: int) -> np.ndarray | None:
    """The hole pixels the image's first round of scattered loss refines (a mask in increasing
    flat order): those whose patch's known pixels carry detail (``TEXTURE_FLOOR``); None (all
    of them) where fewer than ``TEXTURE_KNOWN`` of the pixels are known."""
    known = (~hole).astype(np.float32)
    if known.mean() < TEXTURE_KNOWN:
        return None
    # Channel by channel in float32: no image-sized float64 copies (400 MB at 4096^2 in colour).
    detail = np.zeros(hole.shape, np.float32)
    for channel in range(start.shape[2]):
        plane = start[..., channel].astype(np.float32)
        detail += np.abs(plane - ndimage.uniform_filter(plane, 3))
    detail *= known / start.shape[2]
    energy = (ndimage.uniform_filter(detail, patch_size)
              / np.maximum(ndimage.uniform_filter(known, patch_size), 1e-3))
    return energy[hole] >= TEXTURE_FLOOR


def _match_reach(matches: _Matches) -> np.ndarray:
    """Each query's farthest match (Chebyshev distance in pixels; 0 without a match)."""
    width = matches.shape[1]
    qy, qx = np.divmod(matches.queries[:, None], width)
    my, mx = np.divmod(matches.neighbours, width)
    offset = np.maximum(np.abs(qy - my), np.abs(qx - mx))
    return np.where(matches.neighbours >= 0, offset, 0).max(axis=1, initial=0)


def _mean_match_distance(matches: _Matches, k: int) -> np.ndarray:
    """Each query's patch distances to its matches summed over ``k`` (a missing match counts
    as 0), in float64 and in the order of the matches' pixels: the row sums of their distance
    graph, to the bit, without the graph."""
    found = matches.neighbours >= 0
    order = np.argsort(np.where(found, matches.neighbours, -1), axis=1, kind="stable")
    distances = np.take_along_axis(matches.distances, order, axis=1)
    kept = np.take_along_axis(found, order, axis=1)
    counts = kept.sum(axis=1)
    starts = np.cumsum(counts) - counts
    return _row_sums_of(distances[kept].astype(np.float64), starts, counts) / k


# Queries per chunk of match_spread: its (queries, k, C) temporaries stay near 25 MB at k = 5
# in colour (840k hole pixels at once, a 4096^2 image's blotches, took 334 MB).
_SPREAD_CHUNK = 1 << 16


def match_spread(flat: np.ndarray, matches: _Matches) -> np.ndarray:
    """Each query's spread of its matches: the standard deviation of the matched pixels'
    values in ``flat`` (pixels, C), over the channels' mean variance. Perfect copies (periodic
    texture, a cartoon's flats) agree; alike patches around different centres (a gradient, a
    photo's detail) do not. A query without a match has 0."""
    neighbours = matches.neighbours
    spread = np.empty(len(neighbours))
    for start in range(0, len(neighbours), _SPREAD_CHUNK):
        rows = slice(start, start + _SPREAD_CHUNK)
        spread[rows] = _spread_of(flat, neighbours[rows])
    return spread


def _spread_of(flat: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """:func:`match_spread` of the queries whose matches are ``neighbours`` (-1: none)."""
    found = neighbours >= 0
    picked = flat[np.where(found, neighbours, 0)].astype(np.float64)
    count = np.maximum(found.sum(axis=1), 1)[:, None]
    mean = (picked * found[..., None]).sum(axis=1) / count
    variance = (((picked - mean[:, None]) ** 2) * found[..., None]).sum(axis=1) / count
    return np.sqrt(variance.mean(axis=1))


def _row_sums_of(data: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """:func:`~graphinpaint._edges.row_sums` of CSR rows given by their data and extents."""
    indptr = np.append(starts, starts[-1] + counts[-1] if len(counts) else 0)
    rows = sp.csr_matrix((data, np.zeros(len(data), np.int32), indptr),
                         shape=(len(counts), 1))
    return row_sums(rows)


def exact_matches(distance: np.ndarray) -> bool:
    """Whether a round's matches, each hole pixel's mean patch ``distance`` to them, are mostly
    exact: ``EXACT_SHARE`` of the pixels or more below ``EXACT_DISTANCE``."""
    return bool(np.count_nonzero(distance < EXACT_DISTANCE) >= EXACT_SHARE * len(distance))


class RoundSolves:
    """The refinement rounds' solve options (``_refine``'s ``solve``, called with each round's
    match distances): ``solve``, or ``inexact`` on every round where the first round's matches
    are not mostly exact (:func:`exact_matches`). p = 3 gained on photos and textures and lost
    on flat colour, where the mean of few exact matches is the answer (docs/pipeline.md)."""

    def __init__(self, solve: dict, inexact: dict | None = None) -> None:
        self._options, self._inexact = solve, inexact

    def __call__(self, distance: np.ndarray) -> dict:
        if self._inexact is not None:           # decided once, on the first round's matches
            if not exact_matches(distance):
                self._options = self._inexact
            self._inexact = None
        return self._options


def _fill_layers(values: np.ndarray, hole: np.ndarray, start: Callable[[], np.ndarray],
                 layers: list[np.ndarray], *, patch_size: int,
                 k: int, window: int, growth: float, bandwidth: float, grid_weight: float,
                 solve: dict, reporter: "_Progress", guide: np.ndarray | None = None,
                 seeded_from: int | None = None, checkered_from: int | None = None,
                 in_place: bool = False) -> np.ndarray:
    """Fill the hole layer by layer from its boundary inward, one Dirichlet problem per layer.
    ``start()`` gives the solves' initial values on the hole, shape (pixels, C) in increasing
    flat order; it is asked for once, after the first layer's search, which does not read it
    (4096^2 scratches: 116 MiB more at the peak, 2,466 MiB, than when the start is awaited
    first), and written into the hole's pixels not filled yet (no image-sized start: 400 MB
    and 0.7 s of copying at 4096^2). ``guide``: values of the hole that the patch distances
    read, at ``_pyramid.GUIDE_CONFIDENCE``, until filled (the search keeps its own copy).
    ``seeded_from``: the layers from this one on (1 = the boundary's) are searched from the
    matches of their filled neighbours (``PatchSearch.query``'s ``seeds``), not their whole
    window. ``checkered_from``: with ``seeded_from``, the layers from this one until
    ``seeded_from`` search half their pixels exactly and the other half from seeds
    (:func:`_checkered_matches`). ``in_place``: fill ``values``' hole itself and return it,
    where the caller owns ``values`` and nothing reads its hole pixels (the grid fills and the
    known range read the known ones only): no working copy (400 MB and 0.7 s of the calling
    thread at 4096^2)."""
    channels = values.shape[2]
    started = False
    hole_pixels = np.flatnonzero(hole)
    filled = ~hole
    current = values if in_place else values.copy()
    confidence = filled.astype(np.float32)
    if guide is not None:
        current[hole] = guide[hole]
        confidence[hole] = _pyramid.GUIDE_CONFIDENCE
    flat = current.reshape(-1, channels)
    # Matching needs no more than float32: half the memory traffic of the search kernel.
    search = PatchSearch(current, patch_size=patch_size, candidates=filled,
                         confidence=confidence, _work=np.float32)
    # Each hole pixel's matches once its layer is searched: the seeds of the layers after.
    matched = None if seeded_from is None else np.full((len(hole_pixels), k), -1, np.int64)
    for layer, queries in enumerate(layers, start=1):
        half = window // 2 + int(growth * (layer - 1))
        size = 2 * half + 1
        if matched is not None and checkered_from is not None and \
                checkered_from <= layer < seeded_from:
            # Writes the layer's matches into ``matched`` part by part (its later parts are
            # seeded from its earlier ones).
            matches = _checkered_matches(search, queries, matched, hole_pixels, k=k,
                                         window=size)
        else:
            seeds = (None if matched is None or layer < seeded_from else
                     seeds_from_neighbours(queries, matched, hole_pixels, hole.shape))
            matches = search._matches(queries, k=k, window=size, min_overlap=0.3, seeds=seeds)
            if matched is not None:
                matched[np.searchsorted(hole_pixels, queries)] = matches.neighbours
        if not started:
            flat[hole_pixels] = start()
            started = True
            release_freed_memory(values)        # the start's solver freed its blocks
        # Each pixel of a layer has a grid edge to a filled one (the layer before): connected.
        flat[queries] = _solve_on_matches(matches, flat, filled, bandwidth=bandwidth,
                                          grid_weight=grid_weight, solve=solve)
        filled.ravel()[queries] = True
        search.update(queries, flat[queries])
        reporter.advance()
    return current


def _checkered_matches(search: PatchSearch, queries: np.ndarray, matched: np.ndarray,
                       hole_pixels: np.ndarray, *, k: int, window: int) -> _Matches:
    """A layer's masked matches, half of them exact: the pixels of even ``y + x`` (a
    checkerboard: every other pixel along a 4-connected stretch of the layer) search their
    whole window; the others search from seeds, their 8-neighbours' matches moved to them
    (:func:`~graphinpaint._seeded_search.seeds_from_neighbours`): first those next to an
    exact pixel of the layer, whose matches are among the seeds, then the rest (a diagonal
    stretch of one colour), seeded from the first. ``matched``: each hole pixel's matches so
    far, (pixels of ``hole_pixels``, k); the layer's are written into it."""
    shape = search.shape
    exact = (queries // shape[1] + queries % shape[1]) % 2 == 0
    next_to_exact = ~exact & next_to(queries, queries[exact], shape)
    neighbours = np.empty((len(queries), k), np.int64)
    distances = np.empty((len(queries), k), search._work)
    for part in (exact, next_to_exact, ~exact & ~next_to_exact):
        if not part.any():
            continue
        pixels = queries[part]
        seeds = None
        if part is not exact:
            seeds = seeds_from_neighbours(pixels, matched, hole_pixels, shape)
        found = search._matches(pixels, k=k, window=window, min_overlap=0.3, seeds=seeds)
        matched[np.searchsorted(hole_pixels, pixels)] = found.neighbours
        neighbours[part], distances[part] = found.neighbours, found.distances
    return _Matches(queries, neighbours, distances, shape)


def _layers(hole: np.ndarray, depths: np.ndarray | None = None) -> list[np.ndarray]:
    """Flat indices of the hole's pixels grouped by depth (taxicab distance to the known part).
    ``depths``: :func:`layer_depths` of the hole, if the caller has it."""
    pixels = np.flatnonzero(hole)
    depth = (layer_depths(hole) if depths is None else depths).ravel()[pixels]
    order = np.argsort(depth, kind="stable")
    bounds = np.flatnonzero(np.diff(depth[order])) + 1
    return np.split(pixels[order], bounds)


def _refine(values: np.ndarray, hole: np.ndarray, estimate: np.ndarray, *, patch_size: int,
            k: int, window: int | np.ndarray, bandwidth: float, grid_weight: float,
            solve: dict | Callable[[np.ndarray], dict], candidates: np.ndarray | None,
            overwrite: bool = False,
            match_reach: np.ndarray | None = None, active: np.ndarray | None = None,
            moved: np.ndarray | None = None, spread: np.ndarray | None = None,
            exact_by_cg: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """One round: match every hole pixel (or the ``active`` ones) with full patches, one solve.
    ``window``: one, or one per hole pixel in increasing flat order. ``overwrite``: write the
    round into ``estimate`` itself (no second copy of the region: 400 MB at 4096^2 in colour)
    instead of a new array. ``match_reach``: overwritten with each hole pixel's farthest
    match. ``solve``: the solve options, or a function of the round's match distances that
    gives them (:class:`RoundSolves`). ``active``: the hole pixels (a mask in increasing flat
    order) this round refines;
    the others keep their values and count as known (see :func:`still_moving`). ``moved``:
    overwritten with each hole pixel's mean absolute change over the channels (0 where
    inactive). ``spread``: overwritten with each refined hole pixel's :func:`match_spread`
    (as ``moved``). ``exact_by_cg``: where the method is "auto" and would factorise the
    round's p = 2 system, Jacobi-CG solves it to ``_LINEAR_RTOL`` instead (thin strokes: see
    :func:`_solve_on_matches`). Returns the refined estimate and each refined pixel's mean
    patch distance to its ``k`` matches (a missing match counts as 0).

    Filled pixels count as much as known ones in the patch distance: weighting them less made
    no measurable difference (barbara: 25.11 dB at confidence 0.5, 25.12 at 1) and costs 1.75x.
    """
    queries = np.flatnonzero(hole)
    fixed = ~hole
    if active is not None:
        queries = queries[active]
        if np.ndim(window):
            window = window[active]
        fixed = np.ones_like(hole)
        fixed.ravel()[queries] = False
        if not len(queries):                # nothing moved in the round before: nothing to do
            if moved is not None:
                moved[:] = 0
            return (estimate if overwrite else estimate.copy()), np.zeros(0)
    refined_pixels = slice(None) if active is None else active
    shortlist = None if candidates is None else _SHORTLIST_PER_MATCH * k
    matches = _round_matches(estimate, queries, k=k, patch_size=patch_size, window=window,
                             candidates=candidates, shortlist=shortlist)
    if match_reach is not None:
        match_reach[refined_pixels] = _match_reach(matches)
    distance = _mean_match_distance(matches, k)
    if callable(solve):
        solve = solve(distance)
    if spread is not None:              # read before the solve overwrites the estimate
        spread[:] = 0
        spread[refined_pixels] = match_spread(estimate.reshape(-1, values.shape[2]), matches)
    # The grid edges join every hole pixel to its 4-neighbours, and each 4-connected part of
    # the hole touches a known pixel: no group of unknowns is cut off (not checked again).
    flat = estimate.reshape(-1, values.shape[2])
    solved = _solve_on_matches(matches, flat, fixed, bandwidth=bandwidth,
                               grid_weight=grid_weight, solve=solve, refinement=True,
                               exact_by_cg=exact_by_cg)
    if moved is not None:
        moved[:] = 0
        moved[refined_pixels] = np.abs(solved - flat[queries]).mean(axis=1)
    refined = estimate if overwrite else estimate.copy()
    refined.reshape(-1, values.shape[2])[queries] = solved
    return refined, distance


def _solve_on_matches(matches: _Matches, flat: np.ndarray, filled: np.ndarray, *,
                      bandwidth: float, grid_weight: float, solve: dict,
                      refinement: bool = False, exact_by_cg: bool = False) -> np.ndarray:
    """The Dirichlet problem of a layer or round on the weighted graph of its matches
    (:func:`~graphinpaint._match_graph.weighted_match_graph`), the queries its unknowns and
    ``flat`` (pixels, C) their start and the known values: the queries' new values (queries,
    C) in order. ``refinement``: a round's tolerance (:func:`_round_tolerance`).
    ``exact_by_cg``: a p = 2 system that the "auto" method would factorise is solved by
    Jacobi-CG to ``rtol`` alone (no round's ``atol``): thin strokes' round graphs are
    non-local, but "auto" takes their slow growth for a grid's (512^2 scratches: 18k
    unknowns, LU 33 ms against 15 ms, within 0.7 of an 8-bit level of it; the round's own
    tolerance left 3 levels, and tiles of ``inpaint_large`` 4 levels from the whole image).

    For p = 2 only the queries' rows are built and cut into ``L_AA`` and ``W_AB`` (at
    4096^2 the other rows, the copy and checks of the whole matrix and its slicing took
    about 1 s of the calling thread); the result is the same to the bit."""
    options = {"rtol": _LINEAR_RTOL, **solve}
    if options.get("p", 2.0) != 2:
        weights = weighted_match_graph(matches, bandwidth, filled, grid_weight)
        known = filled.ravel()[weights.nodes]
        node_values = flat[weights.nodes]
        solved = solve_dirichlet(weights.matrix, known, node_values, x0=node_values,
                                 _connected=True, _trusted=True, **options)
        return solved[~known]
    rows, nodes = match_rows(matches, bandwidth, filled, grid_weight)
    known = filled.ravel()[nodes]
    node_values = flat[nodes]
    start = node_values[~known]
    if refinement:
        options = _round_tolerance(row_sums(rows), start, options)
    options = {name: options[name] for name in ("method", "rtol", "atol", "maxiter")
               if name in options}
    l_aa, w_ab = query_blocks(rows, known)
    if exact_by_cg and options.get("method", "auto") == "auto":
        options["method"] = _choose_method(l_aa)
        if options["method"] == "direct":
            options.update(method="cg", atol=0.0)
    return _solve_p2_blocks(l_aa, w_ab, node_values[known], start, **options)


def _round_matches(estimate: np.ndarray, queries: np.ndarray, *, k: int, patch_size: int,
                   window: int | np.ndarray, candidates: np.ndarray | None,
                   shortlist: int | None) -> _Matches:
    """A round's search: :func:`~graphinpaint.graph.window_knn` of the estimate, matched in
    float32 cast channel by channel (no float32 copy of the region: 200 MB at 4096^2)."""
    search = PatchSearch(estimate, patch_size=patch_size, candidates=candidates,
                         _func="window_knn", _work=np.float32)
    return search._matches(queries, k=k, window=window, shortlist=shortlist)


def _round_tolerance(degree: np.ndarray, start: np.ndarray, options: dict) -> dict:
    """The p = 2 solve options of a refinement round: the residual bound is
    ``rtol * max(norm(b), norm(D_AA x0_A))`` (``D_AA`` the unknowns' ``degree``, ``x0_A``
    their ``start``; the smallest over the channels), not ``rtol * norm(b)`` alone.

    ``b = W_AB g_B`` is small where the hole is linked mostly to itself (every round lets hole
    pixels match hole pixels), and shrinks against the unknowns as the scratches lengthen: the
    second round of 5% scratches took 93 Jacobi-CG iterations at 2048^2 and 137 at 4096^2
    for a tolerance far below a tenth of an 8-bit level. On the values' own scale: 46 and 49
    (docs/benchmarks.md, "Seventh pass")."""
    options = dict(options)
    if len(degree):
        scale = np.linalg.norm(degree[:, None] * start, axis=0).min()
        options.setdefault("atol", options["rtol"] * float(scale))
    return options
