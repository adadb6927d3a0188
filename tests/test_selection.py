"""Self-validation (graphinpaint.selection) and the settings object (graphinpaint.settings)."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint import mixes, pipeline, selection, _stages
from graphinpaint.settings import Settings

LAYERS = Settings(strategy="layers", window=31, bandwidth=0.1, grid_weight=1e-3)
DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


def _block(shape, side, centre=None):
    hole = np.zeros(shape, bool)
    cy, cx = centre or (shape[0] // 2, shape[1] // 2)
    hole[cy - side // 2:cy + side // 2, cx - side // 2:cx + side // 2] = True
    return hole


def _smooth_surface(n=72):
    yy, xx = np.mgrid[:n, :n] / n
    return 0.5 + 0.4 * np.sin(6 * xx + 1) * np.cos(5 * yy)


def _periodic_texture(n=72, period=8):
    tile = np.random.default_rng(5).random((period, period))
    return np.tile(tile, (n // period + 1, n // period + 1))[:n, :n]


def _errors_on_the_real_hole(image, hole):
    """Each candidate's mean squared error on the real hole (the oracle self-validation aims
    at)."""
    values = image[..., None].copy()
    values[hole] = 0
    estimate = pipeline._graph_fill(values, hole, LAYERS)
    smooth = mixes.SmoothFills(values, hole)
    return {c: float(np.mean((mixes.mix_smooth(estimate, hole, c, smooth)[hole, 0]
                              - image[hole]) ** 2))
            for c in selection.smooth_candidates(LAYERS)}


def _choose(image, hole):
    def values_of(window):
        return image[window][..., None].astype(float)

    chosen, _ = selection.choose_settings(values_of, hole, LAYERS, pipeline._graph_fill,
                                          scattered=False, margin=24,
                                          rng=np.random.default_rng(0))
    return chosen


@pytest.mark.parametrize("make, wins", [(_smooth_surface, "smooth"),
                                        (_periodic_texture, "graph")],
                         ids=["smooth surface", "periodic texture"])
def test_self_validation_picks_the_setting_that_wins_on_the_real_hole(make, wins):
    image, hole = make(), _block((72, 72), 12)
    errors = _errors_on_the_real_hole(image, hole)
    graph_only = errors[LAYERS.replace(smooth="none", smooth_share=0.0)]
    full_biharmonic = errors[LAYERS.replace(smooth="biharmonic", smooth_share=1.0)]
    # The images are built so that one family wins by a wide margin (over 10 dB).
    ratio = graph_only / full_biharmonic if wins == "smooth" else full_biharmonic / graph_only
    assert ratio > 10
    chosen = _choose(image, hole)
    if wins == "smooth":
        assert chosen.smooth == "biharmonic" and chosen.smooth_share >= 0.75
    else:
        assert chosen.smooth in ("none", "boundary") or chosen.smooth_share <= 0.25
    assert errors[chosen] <= 2.0 * min(errors.values())


def test_inpaint_with_self_validation_gains_where_a_smooth_fill_wins():
    image, hole = _smooth_surface(), _block((72, 72), 12)
    plain = gi.inpaint(image, hole, channel_axis=None, self_validation=False)
    chosen = gi.inpaint(image, hole, channel_axis=None, self_validation=True)
    assert gi.metrics.psnr(image, chosen, hole) > gi.metrics.psnr(image, plain, hole) + 3


def test_an_explicit_smooth_share_skips_self_validation(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("self-validation ran")

    monkeypatch.setattr(pipeline, "choose_settings", fail)
    image, hole = _smooth_surface(40), _block((40, 40), 16)
    gi.inpaint(image, hole, channel_axis=None, smooth_share=0.25, self_validation=True)
    gi.inpaint(image, np.random.default_rng(0).random((40, 40)) < 0.5, channel_axis=None,
               self_validation=False)


def test_self_validation_argument_is_checked():
    image, hole = _smooth_surface(40), _block((40, 40), 6)
    with pytest.raises(gi.InpaintError, match="'self_validation' parameter of inpaint"):
        gi.inpaint(image, hole, channel_axis=None, self_validation="yes")


@pytest.mark.parametrize("scattered", [True, False])
def test_held_out_pixels_are_known_pixels_near_the_hole(scattered):
    rng = np.random.default_rng(1)
    hole = rng.random((80, 80)) < 0.7 if scattered else _block((80, 80), 16)
    case = selection.held_out(hole, scattered=scattered, margin=10, rng=rng)
    assert case.pixels.any()
    assert not (case.pixels & hole[case.window]).any()          # truth is known there
    assert (case.hole & case.pixels).sum() == case.pixels.sum()
    if not scattered:                                             # the same shape, moved
        assert case.pixels.sum() == hole.sum()


def test_settings_are_frozen_and_carry_the_solver_options():
    with pytest.raises(dataclasses.FrozenInstanceError):
        LAYERS.p = 1.0
    assert LAYERS.replace(p=1.5).solve_options() == dict(p=1.5, form="anisotropic",
                                                         method="auto", rtol=1e-4, eps=1e-2)
    assert len(set(selection.smooth_candidates(LAYERS))) == len(
        selection.smooth_candidates(LAYERS))


@pytest.mark.parametrize("pattern", ["bar", "grating"])
def test_a_structure_crossing_a_compact_hole_is_continued(pattern):
    """A straight bar and a periodic grating across a 20-pixel block: the fill continues them
    (measured with the default patch 11: bar 27.2 dB, grating 32.0 dB, against 12.9 and 11.1 dB
    for the grid Laplace fill, which blurs them away); the margin asked for is 10 dB."""
    n = 64
    yy, xx = np.mgrid[:n, :n]
    image = np.where(np.abs(xx - 31.5) < 3, 0.8, 0.2) if pattern == "bar" else \
        0.5 + 0.4 * np.sin(2 * np.pi * (xx + 0.5 * yy) / 8)
    hole = _block((n, n), 20)
    values = image[..., None].copy()
    values[hole] = 0
    grid = gi.fills.grid_laplace_fill(values, hole, "auto")[..., 0]
    out = gi.inpaint(image, hole, channel_axis=None)
    assert gi.metrics.psnr(image, out, hole) > gi.metrics.psnr(image, grid, hole) + 10


def test_scattered_loss_is_self_validated_by_default(monkeypatch):
    """On a smooth surface with 60% random loss the biharmonic fill wins; the default finds it.
    (With a full first round: else the graph fill keeps the smooth start, as good, there.)"""
    monkeypatch.setattr(_stages, "TEXTURE_KNOWN", 1.1)
    image = _smooth_surface()
    hole = np.random.default_rng(2).random(image.shape) < 0.6
    plain = gi.inpaint(image, hole, channel_axis=None, self_validation=False)
    default = gi.inpaint(image, hole, channel_axis=None)
    assert gi.metrics.psnr(image, default, hole) > gi.metrics.psnr(image, plain, hole) + 3


def test_the_boundary_mix_of_scattered_loss_reuses_the_shared_biharmonic_fill():
    """Where every hole pixel lies within the band, the boundary mix equals blend_near_boundary's
    (which solves its own biharmonic fill)."""
    image = _smooth_surface(48) + 0.05 * _periodic_texture(48)
    hole = np.random.default_rng(3).random(image.shape) < 0.8
    values = image[..., None].copy()
    values[hole] = 0
    estimate = gi.fills.grid_laplace_fill(values, hole, "auto")
    mixed = mixes.mix_smooth(estimate, hole, LAYERS, mixes.SmoothFills(values, hole))
    expected = gi.fills.blend_near_boundary(estimate, hole, LAYERS.smooth_share)
    assert np.abs(mixed - expected).max() < 1e-9
    assert np.abs(mixed - estimate)[hole].max() > 1e-3        # the mix changed something


def _grating(n=64, period=10):
    yy, xx = np.mgrid[:n, :n]
    return 0.5 + 0.4 * np.tanh(5 * np.sin(2 * np.pi * (xx + 0.5 * yy) / period)) / np.tanh(5)


def test_self_validation_picks_more_rounds_where_they_pay(monkeypatch):
    """A periodic grating at 90% random loss: each round matches patches of a sharper estimate.
    Measured: the choice (2 rounds, patch 11, accepted though it costs 2.2 rounds of 7 x 7
    patches: selection.COST_DROP) 15.1 dB against 11.6 dB for one round of 7 x 7 patches (the
    default before rounds were chosen); the margin asked for is 1.5 dB."""
    chosen = []

    def recording(*args, **kwargs):
        result = selection.choose_settings(*args, **kwargs)
        chosen.append(result[0])
        return result

    monkeypatch.setattr(pipeline, "choose_settings", recording)
    image = _grating()
    hole = np.random.default_rng(1).random(image.shape) < 0.9
    default = gi.inpaint(image, hole, channel_axis=None)
    assert chosen[-1].rounds > 1
    one_round = gi.inpaint(image, hole, channel_axis=None, rounds=1, patch_size=7)
    assert chosen[-1].rounds == 1 and chosen[-1].patch_size == 7     # the caller's choice holds
    assert gi.metrics.psnr(image, default, hole) > gi.metrics.psnr(image, one_round, hole) + 1.5


def _stand_in(factor_of, still=()):
    """Random noise, a scattered hole, ``values_of`` and a stand-in graph fill whose estimate
    after ``count`` rounds of ``patch``-sized patches is the truth plus ``factor_of(patch,
    count)`` times noise of fixed magnitude: held-out errors in known ratios (every smooth mix
    of the noise is far worse, so none is mixed in). Each round draws new signs, so that it
    moves every pixel (the next refines all of them: ``_stages.still_moving``), unless its
    (patch, count) is in ``still``: then it keeps the round before's, moves the pixels by
    little, and the next round refines few."""
    image = np.random.default_rng(0).random((64, 64, 1))

    def noise(patch, count):
        while (patch, count) in still:
            count -= 1
        return 0.03 * np.random.default_rng(count + 1).choice([-1.0, 1.0], image.shape)

    hole = np.random.default_rng(2).random((64, 64)) < 0.5
    windows = []

    def values_of(window):
        windows.append(window)
        return image[window].copy()

    rounds_of = {}          # id of an estimate -> the rounds it was made with (for ``start``)

    def fill(values, hole, settings, smooth=None, each_round=None, start=None, start_moved=None):
        truth, patch = image[windows[-1]], settings.patch_size
        estimate = truth + factor_of(patch, 0) * noise(patch, 0)[windows[-1]]
        done = 0 if start is None else rounds_of[id(start)]
        for count in range(done + 1, done + settings.rounds + 1):
            estimate = truth + factor_of(patch, count) * noise(patch, count)[windows[-1]]
            rounds_of[id(estimate)] = count
            if each_round is not None:
                each_round(estimate)
        return estimate

    return hole, values_of, fill


def _choice_with_errors(factors, last_rounds=(), scored=None, still=()):
    """choose_settings with :func:`_stand_in`'s fill, its factors per (patch size, rounds).
    ``scored``: a list that receives the (patch size, rounds) of every candidate scored."""
    hole, values_of, fill = _stand_in(lambda patch, count: factors.get((patch, count), 1.0),
                                      still)
    settings = Settings(strategy="global", window=15, bandwidth=0.05, grid_weight=0.2,
                        smooth="none")
    chosen, errors = selection.choose_settings(values_of, hole, settings, fill, scattered=True,
                                               margin=0, rng=np.random.default_rng(0),
                                               rounds=(1, 2), patch_sizes=(11,),
                                               last_rounds=last_rounds)
    if scored is not None:
        scored += sorted({(c.patch_size, c.rounds) for c, _ in errors})
    return chosen.patch_size, chosen.rounds, chosen.smooth


@pytest.mark.parametrize("errors, expected", [
    # A second round 5% better costs 0.8 rounds more: below COST_DROP's 6.5%, not taken.
    ({(7, 2): 0.95, (11, 1): 1.0, (11, 2): 1.0}, (7, 1)),
    ({(7, 2): 0.80, (11, 1): 1.0, (11, 2): 1.0}, (7, 2)),
    # An 11 x 11 round 3% better beats a second 7 x 7 round 6% better: it costs 0.22, not 0.8.
    ({(7, 2): 0.94, (11, 1): 0.97, (11, 2): 1.0}, (11, 1)),
    ({(7, 2): 0.94, (11, 1): 0.97, (11, 2): 0.80}, (11, 2)),
])
def test_slower_candidates_must_pay_for_their_extra_time(errors, expected):
    factors = {key: np.sqrt(ratio) for key, ratio in {(7, 1): 1.0, **errors}.items()}
    assert _choice_with_errors(factors) == (*expected, "none")


def _flat_shapes(n=64, seed=0):
    """Flat discs of random grey levels on a grey ground: a cartoon without outlines."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:n, :n]
    image = np.full((n, n), 0.5)
    for _ in range(8):
        cy, cx, radius = *rng.uniform(0, n, 2), rng.uniform(6, 16)
        image[(yy - cy) ** 2 + (xx - cx) ** 2 < radius ** 2] = rng.uniform(0, 1)
    return image


# Held-out errors (as ratios to one 7 x 7 round's) after rounds 1-2 of both patch sizes: the
# 11 x 11 patches are the more promising (0.80 after two rounds), and their second round cut
# the error by 20%.
TWO_ROUNDS = {(7, 2): 0.90, (11, 1): 1.0, (11, 2): 0.80}


@pytest.mark.parametrize("third, expected", [
    # A third round costs 0.8 more rounds of 7 x 7, 0.98 of 11 x 11: 8% per unit asks for a
    # further 7.8% drop. 25% better: taken; 5% better, or no better: not.
    ({(11, 3): 0.60}, (11, 3)),
    ({(11, 3): 0.76}, (11, 2)),
    ({(11, 3): 0.80}, (11, 2)),
    # Only the most promising patch size gets a third round: a 7 x 7 third round that would
    # win is never run.
    ({(7, 3): 0.30, (11, 3): 0.80}, (11, 2)),
])
def test_a_third_round_is_tried_for_the_best_patch_and_taken_where_it_pays(third, expected):
    scored = []
    factors = {key: np.sqrt(ratio) for key, ratio in {(7, 1): 1.0, **TWO_ROUNDS,
                                                      **third}.items()}
    assert _choice_with_errors(factors, last_rounds=(3,), scored=scored) == (*expected, "none")
    assert [key for key in scored if key[1] == 3] == [(11, 3)]


@pytest.mark.parametrize("still, expected", [((), (11, 2)), ({(11, 2)}, (11, 3))])
def test_a_round_that_refines_few_pixels_is_charged_for_those_only(still, expected):
    # 5% better: not worth a full third round (above), worth one that refines almost nothing
    # (where the second round moved the pixels by little).
    factors = {key: np.sqrt(ratio) for key, ratio in {(7, 1): 1.0, **TWO_ROUNDS,
                                                      (11, 3): 0.76}.items()}
    assert _choice_with_errors(factors, last_rounds=(3,), still=still) == (*expected, "none")


def test_no_third_round_is_tried_where_the_second_gained_little():
    # The second 11 x 11 round cut the held-out error by 3% only (FURTHER_ROUND_GATE: 5%):
    # the third is not run, however much it would have gained.
    scored = []
    factors = {key: np.sqrt(ratio) for key, ratio in {
        (7, 1): 1.0, (7, 2): 0.99, (11, 1): 0.90, (11, 2): 0.873, (11, 3): 0.3}.items()}
    assert _choice_with_errors(factors, last_rounds=(3,), scored=scored) == (11, 1, "none")
    assert max(rounds for _, rounds in scored) == 2


def _chosen_with_and_without_a_third_round(monkeypatch, image, hole):
    """inpaint's default, its chosen settings and every (patch, rounds) scored; then the same
    with rounds 1-2 only (the previous default)."""
    runs = []
    original = selection.choose_settings

    def recording(*args, **kwargs):
        result = original(*args, **kwargs)
        runs.append((result[0], {(c.patch_size, c.rounds) for c, _ in result[1]}))
        return result

    monkeypatch.setattr(pipeline, "choose_settings", recording)
    default = gi.inpaint(image, hole, channel_axis=None)
    monkeypatch.setattr(pipeline, "LAST_ROUNDS", ())
    return default, *runs[0], gi.inpaint(image, hole, channel_axis=None)


def test_self_validation_takes_a_third_round_where_it_pays(monkeypatch):
    """A periodic grating at 90% random loss (a sharper estimate to match on each round):
    measured 15.63 dB with the third round chosen, 15.11 dB with two (11 x 11 patches both);
    the margin asked for is 0.3 dB."""
    image = _grating()
    hole = np.random.default_rng(1).random(image.shape) < 0.9
    default, chosen, scored, two_rounds = _chosen_with_and_without_a_third_round(
        monkeypatch, image, hole)
    assert (chosen.patch_size, chosen.rounds) == (11, 3)
    assert gi.metrics.psnr(image, default, hole) > gi.metrics.psnr(image, two_rounds, hole) + 0.3


@pytest.mark.parametrize("make, loss, tried", [(_flat_shapes, 0.8, True),
                                               (_smooth_surface, 0.8, False)],
                         ids=["flat shapes", "smooth surface"])
def test_self_validation_takes_no_third_round_where_it_gains_nothing(monkeypatch, make, loss,
                                                                     tried):
    """Flat shapes at 80% loss: two rounds of 7 x 7 patches chosen, the third tried on the
    held-out pixels and left (measured: 23.38 dB either way). A smooth surface: the full
    biharmonic fill is chosen, and the graph's second round gained too little for a third to
    be tried. The result is the previous default's, bit for bit."""
    image = make(64)
    hole = np.random.default_rng(1).random(image.shape) < loss
    default, chosen, scored, two_rounds = _chosen_with_and_without_a_third_round(
        monkeypatch, image, hole)
    assert chosen.rounds < 3
    assert any(rounds == 3 for _, rounds in scored) == tried
    np.testing.assert_array_equal(default, two_rounds)


def _scratches(shape, seed=0):
    """Thin diagonal strokes, 2 px wide, a few percent of the image: strokes, not thick holes."""
    rng = np.random.default_rng(seed)
    hole = np.zeros(shape, bool)
    rows, cols = np.mgrid[:shape[0], :shape[1]]
    for _ in range(4):
        a, b = rng.uniform(-1, 1), rng.uniform(0, shape[0])
        hole |= np.abs(rows - (a * cols + b)) < 1.0
    return hole


def _upscaled_photo():
    """A bicubically upscaled photo: smooth, where the biharmonic fill is near exact."""
    from scipy.ndimage import zoom

    photo = gi.io.read_image(DATA / "astronaut.png").astype(float)[::4, ::4]
    return np.clip(zoom(photo, (4, 4, 1), order=3), 0, 255)[:128, :128].astype(np.uint8)


def test_strokes_are_self_validated_by_default_and_a_smooth_photo_gains():
    image, hole = _upscaled_photo(), _scratches((128, 128))
    assert not pipeline._holes.is_thick(selection.stroke_width(hole), "layers")
    plain = gi.inpaint(image, hole, self_validation=False)
    default = gi.inpaint(image, hole)
    # 32.4 -> 43.2 dB when written: the held-out strokes pick the biharmonic fill.
    assert gi.metrics.psnr(image, default, hole) > gi.metrics.psnr(image, plain, hole) + 5


def test_strokes_keep_the_graph_solution_unless_held_out_error_drops_by_40_percent(monkeypatch):
    # On a photo the held-out strokes rank the mixes closely: no candidate clears the bar, so
    # the default equals the plain graph solution bit for bit.
    image = gi.io.read_image(DATA / "astronaut.png")[:128, :128]
    hole = _scratches((128, 128))
    plain = gi.inpaint(image, hole, self_validation=False)
    np.testing.assert_array_equal(gi.inpaint(image, hole), plain)
    seen = []
    original = selection.choose_settings
    monkeypatch.setattr(pipeline, "choose_settings",
                        lambda *a, **kw: (seen.append(kw["error_ratio"]), original(*a, **kw))[1])
    gi.inpaint(image, hole)
    assert seen == [selection.LAYERS_MARGIN] and selection.LAYERS_MARGIN == 0.6


def test_round_counts_are_compared_with_a_given_zero_rounds():
    # rounds=0 in the settings (the first fill alone) beside further counts to try: each count
    # is scored, and the best held-out error wins.
    hole, values_of, fill = _stand_in(lambda patch, count: 1 / 4 ** count)
    settings = Settings(strategy="global", window=15, bandwidth=0.05, grid_weight=0.2,
                        smooth="none", rounds=0)
    chosen, errors = selection.choose_settings(values_of, hole, settings, fill, scattered=True,
                                               margin=0, rng=np.random.default_rng(0),
                                               rounds=(1, 2))
    assert {candidate.rounds for candidate, _ in errors} == {0, 1, 2}
    assert chosen.rounds == 2


def test_a_thin_stroke_is_blended_with_the_shared_fill_and_prepares_no_band_problem():
    """Strokes up to 2 * BLEND_DEPTH deep take the shared biharmonic fill: the pipeline's
    prepare_blend must not factorise the band's problem in the background for nothing."""
    image = _smooth_surface(48) + 0.05 * _periodic_texture(48)
    hole = np.zeros(image.shape, bool)
    hole[20:24, 5:40] = True                                    # 4 pixels wide, depth 2
    values = image[..., None].copy()
    values[hole] = 0
    estimate = gi.fills.grid_laplace_fill(values, hole, "auto")
    smooth = mixes.SmoothFills(values, hole)
    smooth.prepare_blend()
    assert smooth._blend is None
    mixed = mixes.mix_smooth(estimate, hole, LAYERS, smooth)
    expected = gi.fills.blend_near_boundary(estimate, hole, LAYERS.smooth_share)
    assert np.abs(mixed - expected).max() < 1e-9


def _default_and_unreweighed(monkeypatch, image, hole):
    """inpaint's default and the chosen settings; then inpaint with no weighting ever taken."""
    chosen = []
    original = selection.choose_settings

    def recording(*args, **kwargs):
        result = original(*args, **kwargs)
        chosen.append(result[0])
        return result

    monkeypatch.setattr(pipeline, "choose_settings", recording)
    default = gi.inpaint(image, hole, channel_axis=None)
    monkeypatch.setattr(selection, "WEIGHTING_MARGIN", -1.0)      # no error is below it
    return default, chosen[0], gi.inpaint(image, hole, channel_axis=None)


def test_lighter_grid_edges_are_picked_where_they_win(monkeypatch):
    """A periodic grating at 50% random loss: the held-out error of half the grid edges' weight
    is 80% of the choice's, and on the real hole it gains 0.59 dB (22.04 -> 22.63, measured);
    the margin asked for is 0.3 dB. No third round is tried, so that the weighting alone
    differs (after three rounds the lighter grid gains 0.16 dB there)."""
    monkeypatch.setattr(pipeline, "LAST_ROUNDS", ())
    image = _grating()
    hole = np.random.default_rng(1).random(image.shape) < 0.5
    default, chosen, unreweighed = _default_and_unreweighed(monkeypatch, image, hole)
    assert chosen.grid_weight == pytest.approx(0.1)
    assert gi.metrics.psnr(image, default, hole) > gi.metrics.psnr(image, unreweighed, hole) + 0.3


def test_a_lighter_grid_that_gains_less_than_the_margin_is_not_picked(monkeypatch):
    """Flat shapes at 70% random loss: lighter grid edges raise the held-out error by 11%
    (measured): the choice keeps its grid weight, and the default is the unreweighed fill bit
    for bit."""
    image = _flat_shapes()
    hole = np.random.default_rng(1).random(image.shape) < 0.7
    default, chosen, unreweighed = _default_and_unreweighed(monkeypatch, image, hole)
    assert chosen.grid_weight == 0.2
    np.testing.assert_array_equal(default, unreweighed)
    # The lighter grid was scored: a bar that let a 20% loss through would have taken it.
    monkeypatch.setattr(selection, "WEIGHTING_MARGIN", 1.2)
    monkeypatch.setattr(pipeline, "choose_settings", selection.choose_settings)
    assert not np.array_equal(gi.inpaint(image, hole, channel_axis=None), default)


def test_weighting_candidates_lighten_the_grid_edges():
    settings = Settings(strategy="global", window=15, bandwidth=0.05, grid_weight=0.2)
    assert selection.weighting_candidates(settings) == [settings.replace(grid_weight=0.1)]
    assert selection.weighting_candidates(settings.replace(grid_weight=0.0)) == []



def test_scattered_loss_is_chosen_with_5_matches_and_filled_with_3(monkeypatch):
    """The held-out window chooses the settings with k = 5 (fewer matches there moved the rounds
    choice); the image is filled with k = 3, 6 matches a round. On the brick sample at 50% loss
    that gains 0.42 dB over filling with k = 5 (37.68 against 37.26, measured); the margin asked
    for is 0.2 dB. A k given by the caller is kept."""
    given, filled = [], []
    original_choose, original_fill = pipeline.choose_settings, pipeline._fill

    def choosing(values_of, hole, settings, *args, **kwargs):
        given.append(settings)
        return original_choose(values_of, hole, settings, *args, **kwargs)

    def filling(values, hole, settings, *args, **kwargs):
        filled.append(settings)
        return original_fill(values, hole, settings, *args, **kwargs)

    monkeypatch.setattr(pipeline, "choose_settings", choosing)
    monkeypatch.setattr(pipeline, "_fill", filling)
    image = gi.io.read_image(DATA / "brick.png")[:96, :96]
    hole = np.random.default_rng(1).random(image.shape) < 0.5
    default = gi.inpaint(image, hole)
    assert (given[-1].k, given[-1].refinement_k) == (5, 10)
    assert (filled[-1].k, filled[-1].refinement_k) == (3, 6)
    five = gi.inpaint(image, hole, k=5)
    assert (given[-1].k, filled[-1].k, filled[-1].refinement_k) == (5, 5, 10)
    assert gi.metrics.psnr(image, default, hole) > gi.metrics.psnr(image, five, hole) + 0.2


def test_a_given_smooth_share_is_mixed_into_scattered_loss_too():
    """Known answer: with every hole pixel near the known ones, a share of 1 is the biharmonic
    fill there (it used to be dropped for the "global" strategy: 0 and 1 gave the same image)."""
    image = _smooth_surface(40) + 0.05 * _periodic_texture(40)
    image = (image - image.min()) / (image.max() - image.min())    # [0, 1]: no rescaling
    hole = np.random.default_rng(4).random(image.shape) < 0.5
    hole[0, 0] = False
    near = hole & (gi.fills.layer_depths(hole) <= gi.fills.BLEND_DEPTH)
    assert near.sum() > 0.9 * hole.sum()
    graph = gi.inpaint(image, hole, channel_axis=None, smooth_share=0.0)
    smooth = gi.inpaint(image, hole, channel_axis=None, smooth_share=1.0)
    values = image[..., None].copy()
    values[hole] = 0
    fills = mixes.SmoothFills(values, hole)
    fills.polish(Settings(strategy="global", window=15, bandwidth=0.05, grid_weight=0.2,
                          smooth="boundary", smooth_share=1.0))     # the whole fill: exact
    biharmonic = fills["biharmonic"][..., 0]
    np.testing.assert_allclose(smooth[near], biharmonic[near], atol=1e-9)
    assert np.abs(smooth - graph)[near].max() > 1e-3


def test_a_mix_that_is_mostly_the_biharmonic_fill_gets_its_exact_solve():
    rng = np.random.default_rng(0)
    y, x = np.mgrid[:96, :96] / 96
    image = np.stack([np.sin(3 * x + 2 * y), x * y, np.cos(4 * y)], -1) * 0.4 + 0.5
    hole = rng.random((96, 96)) < 0.8
    exact = gi.fills.grid_biharmonic_fill(image, hole, method="direct")[hole]
    settings = Settings(strategy="global", window=15, bandwidth=0.05, grid_weight=0.2,
                        smooth="biharmonic", smooth_share=mixes.POLISH_SHARE)
    fills = mixes.SmoothFills(image, hole)
    loose = np.abs(fills["raw biharmonic"][hole] - exact).max()
    fills.polish(settings.replace(smooth_share=0.5))            # a small share: left as it is
    assert np.abs(fills["raw biharmonic"][hole] - exact).max() == loose
    fills.polish(settings)
    assert np.abs(fills["raw biharmonic"][hole] - exact).max() < loose / 10
    np.testing.assert_allclose(fills.on_hole("biharmonic"),
                               np.clip(fills["raw biharmonic"][hole], image[~hole].min(0),
                                       image[~hole].max(0)))


def test_polishing_a_boundary_blend_with_its_own_band_solves_nothing(monkeypatch):
    """A large thin hole 5 px deep: the blend's band (2 * BLEND_DEPTH) is not the whole hole,
    so the blend never reads the whole hole's biharmonic fill, and polish must not solve it."""
    monkeypatch.setattr(gi.fills, "THIN_CG_MIN", 50)
    image = _smooth_surface(48)[..., None]
    hole = np.zeros((48, 48), bool)
    hole[20:30, 4:44] = True                                  # 10 px wide: 5 deep
    fills = mixes.SmoothFills(image, hole)
    assert gi.fills.is_large_and_thin(hole) and not fills._band_is_hole()
    fills.polish(Settings(strategy="layers", window=31, bandwidth=0.1, grid_weight=1e-3,
                          smooth="boundary", smooth_share=1.0))
    assert "raw biharmonic" not in fills._fills
