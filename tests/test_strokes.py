"""Thin strokes (scratches, text): the defaults of the layers strategy on holes that are not
thick (docs/pipeline.md, "Issue 13: strokes")."""

from pathlib import Path

import numpy as np

import graphinpaint as gi
from graphinpaint import _region_fill, _stages, _thick_holes, mixes, pipeline


def _grating(n=64):
    """A periodic texture: a slanted sine grating times a vertical one."""
    yy, xx = np.mgrid[:n, :n]
    return 0.5 + 0.35 * np.sin(2 * np.pi * (xx + 0.5 * yy) / 9) * np.cos(2 * np.pi * yy / 13)


def _text(n=64):
    """Letter-like strokes 2 px wide in rows: a stem, a bar and a diagonal each."""
    hole = np.zeros((n, n), bool)
    for top in range(8, n - 16, 22):
        for left in range(6, n - 12, 14):
            hole[top:top + 12, left:left + 2] = True
            hole[top + 5:top + 7, left:left + 8] = True
            for i in range(12):
                hole[top + i, left + 8 - i // 2:left + 10 - i // 2] = True
    return hole


def test_text_over_a_periodic_texture_beats_the_previous_stroke_settings():
    """Three matches and two rounds, the second on the first's estimate, continue the
    grating: measured 34.25 dB against 33.05 dB for five matches and one round."""
    image, hole = _grating(), _text()
    assert not gi.fills.is_scattered(hole)              # filled by layers, as strokes
    default = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None), hole)
    previous = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None, k=5, rounds=1),
                               hole)
    assert default > previous + 0.8


def test_strokes_take_three_matches_and_two_rounds_other_holes_keep_theirs():
    assert (_thick_holes.k_for("layers", False), _thick_holes.rounds_for("layers", False, False)) \
        == (3, 2)
    assert (_thick_holes.k_for("layers", True), _thick_holes.rounds_for("layers", True, False)) \
        == (5, 3)                                           # blocks, blotches
    assert (_thick_holes.k_for("global", False), _thick_holes.rounds_for("global", False, False)) \
        == (5, 1)                                           # scattered loss


def test_the_caller_s_k_and_rounds_win(monkeypatch):
    seen = []

    def spy(values, hole, settings, progress=None, **stages):
        seen.append(settings)
        return values

    monkeypatch.setattr(pipeline, "_fill", spy)
    image, hole = _grating(), _text()
    gi.inpaint(image, hole, channel_axis=None, self_validation=False)
    gi.inpaint(image, hole, channel_axis=None, self_validation=False, k=4, rounds=1)
    assert [(s.k, s.rounds, s.refinement_k) for s in seen] == [(3, 2, 6), (4, 1, 8)]


def test_inpaint_large_resolves_the_strokes_defaults_from_the_whole_mask():
    from _optional import require

    require("dask.array")
    from graphinpaint import large

    hole = large._as_dask(_text(96), "mask", 48)
    options = large._resolved_options(hole, {}, 48, "threads", lambda: 1)
    assert (options["k"], options["rounds"], options["window"]) == (3, 2, 31)
    assert large._resolved_options(hole, {"k": 5}, 48, "threads", lambda: 1)["k"] == 5
    # Scattered loss leaves k to each tile's inpaint, which chooses with 5 and fills with 3.
    scattered = np.random.default_rng(0).random((96, 96)) < 0.5
    options = large._resolved_options(large._as_dask(scattered, "mask", 48), {}, 48, "threads",
                                      lambda: 1)
    assert options["strategy"] == "global" and options.get("k") is None


def test_the_command_batch_and_web_form_leave_k_and_rounds_to_inpaint():
    """No front may fix k = 5 or one round: that would undo the strokes' defaults for its users
    (the main command's own test is on scattered loss, where k is 5 either way)."""
    from graphinpaint import batch, cli
    from graphinpaint.web.handling import DEFAULT_OPTIONS, parse_options

    args = cli._parser().parse_args(["photo.png", "mask.png"])
    assert (args.k, args.rounds) == (None, None)
    assert batch._inpaint_options(batch._parser().parse_args(["x", "-o", "y"]))["k"] is None
    assert DEFAULT_OPTIONS["k"]["default"] is None and "k" not in parse_options({"k": ""})


def _flat_regions(n=64):
    """A cartoon's flat colour regions with straight edges: every patch has a perfect match."""
    yy, xx = np.mgrid[:n, :n]
    return np.where(xx < 24, 0.2, np.where(yy < 30, 0.8, 0.5))


def test_the_match_mix_weighs_the_smooth_fill_by_match_distance():
    """Known answer: share * min(d / MATCH_DISTANCE, 1) near the known pixels, half that deeper;
    0 where the matches are perfect."""
    values = np.tile(np.linspace(0, 1, 12), (12, 1))[..., None]
    hole = np.zeros((12, 12), bool)
    hole[3:9, 2:10] = True                                   # depths 1 to 3
    values[hole] = 0
    fills = mixes.SmoothFills(values, hole)
    depth = gi.fills.layer_depths(hole)[hole]
    distance = np.linspace(0, 2 * mixes.MATCH_DISTANCE, hole.sum())
    fills.match_distance = distance
    estimate = np.full_like(values, 0.3)
    mixed = fills.match_mix(estimate, 0.5)
    weight = 0.5 * np.minimum(distance / mixes.MATCH_DISTANCE, 1)
    weight[depth > gi.fills.BLEND_DEPTH] /= 2
    expected = (1 - weight) * 0.3 + weight * fills["biharmonic"][hole][:, 0]
    np.testing.assert_allclose(mixed[hole][:, 0], expected)
    assert mixed[hole][0, 0] == 0.3                          # a perfect match keeps the graph
    np.testing.assert_array_equal(mixed[~hole], estimate[~hole])


def test_strokes_keep_the_graph_where_matches_are_perfect():
    """Flat regions under text: the graph solution is exact (85.1 dB measured) and the match mix
    keeps it (83.6 dB; 80.4 since the second round leaves still pixels with the first round's
    match distances: one pixel 0.3 of an 8-bit level off), where a flat quarter of the smooth
    fill near the boundary fell to 42.9 dB."""
    image, hole = _flat_regions(), _text()
    default = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None), hole)
    graph = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None, smooth_share=0.0),
                            hole)
    flat_quarter = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None,
                                                     smooth_share=0.25), hole)
    assert default > graph - 6
    assert default > flat_quarter + 30


def test_strokes_mix_more_smooth_fill_into_poorly_matched_texture():
    """Stochastic texture (the bundled grass, 64 x 64) under text: its patches match poorly and
    take up to half the biharmonic fill. Measured 21.48 dB against 21.08 with a flat quarter
    near the boundary and 20.20 for the graph solution alone."""
    image = gi.io.read_image(Path(__file__).resolve().parents[1] / "examples" / "data"
                             / "grass.png")[:64, :64]
    hole = _text()
    channel_axis = -1 if image.ndim == 3 else None

    def psnr(**options):
        return gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=channel_axis,
                                                 **options), hole)

    default = psnr()
    assert default > psnr(smooth_share=0.25) + 0.2
    assert default > psnr(smooth_share=0.0) + 0.8


def test_the_second_round_of_strokes_searches_as_far_as_the_first_s_matches(monkeypatch):
    windows, reaches = [], []
    refine = _region_fill._refine

    def spy(*args, **kwargs):
        windows.append(kwargs["window"])
        reaches.append(None if kwargs["match_reach"] is None else kwargs["match_reach"].copy())
        return refine(*args, **kwargs)

    monkeypatch.setattr(_region_fill, "_refine", spy)
    image, hole = _grating(), _text()
    block = np.zeros_like(hole)
    block[20:40, 20:40] = True                              # thick: three rounds, window 31
    for mask in (hole, block):
        gi.inpaint(image, mask, channel_axis=None, self_validation=False)
    assert windows[2:] == [31] * 3 and reaches[2:] == [None] * 3
    # The first round searches the whole window; the second, per hole pixel, as far as its
    # first-round matches reached plus 2, within [5, 15] as a half side.
    assert windows[0] == 31
    assert windows[1].shape == (hole.sum(),)
    np.testing.assert_array_equal(windows[1], 2 * np.clip(reaches[1] + 2, 5, 15) + 1)
    assert 0 < reaches[1].max() <= 15


def test_match_reach_is_each_query_s_farthest_match():
    from graphinpaint.graph import PatchSearch

    image = np.tile([0.0, 1.0, 0.5, 0.25], (8, 2))      # columns repeat every 4 pixels
    queries = np.array([2 * 8 + 3, 5 * 8 + 4])
    search = PatchSearch(image, patch_size=3)           # as the rounds' window_knn
    # Identical patches all along the column; ties go to the nearer: one row up and down
    # (Chebyshev distance 1), then two rows away (k = 3), before the pattern 4 to the side.
    np.testing.assert_array_equal(
        _stages._match_reach(search._matches(queries, k=2, window=9)), [1, 1])
    np.testing.assert_array_equal(
        _stages._match_reach(search._matches(queries, k=3, window=9)), [2, 2])
    np.testing.assert_array_equal(_stages._round_windows(np.array([0, 4, 20]), 31),
                                  [11, 13, 31])
