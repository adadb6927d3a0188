"""Coarse-to-fine for thick holes (``inpaint(..., coarse_to_fine=True)``, ``_pyramid``)."""

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint import _pyramid, _region_fill, _thick_holes
from graphinpaint._validation import InpaintError


def _block(n, side):
    hole = np.zeros((n, n), bool)
    start = (n - side) // 2
    hole[start:start + side, start:start + side] = True
    return hole


def _bar(n, diagonal):
    """A bright bar 6-8 px wide on a dark ground, vertical through the centre or diagonal."""
    yy, xx = np.mgrid[:n, :n]
    inside = np.abs(xx - yy) < 4 if diagonal else np.abs(xx - (n - 1) / 2) < 3
    return np.where(inside, 0.8, 0.2)


def test_halving_then_upsampling_keeps_a_linear_ramp():
    """2 x 2 means and bilinear upsampling with the pixel centres aligned are exact on a linear
    function away from the border: a misaligned grid (half a pixel off) fails by 0.5."""
    ramp = np.tile(np.arange(12.0), (10, 1))[..., None] + 2 * np.arange(10.0)[:, None, None]
    coarse, coarse_hole = _pyramid.halve(ramp, np.zeros((10, 12), bool))
    fine = _pyramid.upsample(coarse, (10, 12))
    assert coarse.shape == (5, 6, 1) and not coarse_hole.any()
    assert np.abs(fine - ramp)[1:-1, 1:-1].max() < 1e-12


def test_an_odd_sided_image_halves_by_edge_padding():
    values = np.arange(15.0).reshape(3, 5, 1)
    hole = np.zeros((3, 5), bool)
    hole[2, 4] = True
    coarse, coarse_hole = _pyramid.halve(values, hole)
    assert coarse.shape == (2, 3, 1)
    assert coarse[1, 2, 0] == 14.0                       # the corner, padded by itself
    assert coarse_hole.tolist() == [[False, False, False], [False, False, True]]
    assert _pyramid.upsample(coarse, (3, 5)).shape == (3, 5, 1)


@pytest.mark.parametrize("n, side, diagonal", [(72, 48, True), (88, 68, False)],
                         ids=["diagonal bar, 48-px block", "bar, 68-px block (deep)"])
def test_coarse_to_fine_continues_a_bar_the_layers_break(n, side, diagonal, monkeypatch):
    """The layers from the boundary inward meet in the middle of a wide block and break the
    bar there; filled at half resolution first, it is continued. Measured: 38.0 dB against
    21.1 (diagonal, 24 px deep: three rounds) and 49.7 against 19.6 (vertical, 34 px deep: one
    round in window 51, every layer searched exactly: the seeded layers continue it too, see
    below); the margin asked for is 10 dB."""
    monkeypatch.setattr(_thick_holes, "SEEDED_FROM", None)
    image, hole = _bar(n, diagonal), _block(n, side)
    default = gi.inpaint(image, hole, channel_axis=None)
    coarse = gi.inpaint(image, hole, channel_axis=None, coarse_to_fine=True)
    assert gi.metrics.psnr(image, coarse, hole) > gi.metrics.psnr(image, default, hole) + 10


def test_the_seeded_deep_layers_continue_a_bar_the_exact_layers_break():
    """Past layer ``SEEDED_FROM`` a deep block's pixels copy their filled neighbours' matches
    at the same offset: the bar is carried down the block. Measured 50.6 dB against 19.6 with
    every layer exact (and 49.7 coarse-to-fine)."""
    image, hole = _bar(88, False), _block(88, 68)
    assert _thick_holes.deepest(hole) > _thick_holes.DEEPEST_REFINED
    assert gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None), hole) > 45


def test_the_fine_layers_read_the_upsampled_coarse_fill(monkeypatch):
    """The guide the fine layers get is the coarse level's graph fill (7 x 7 patches, three
    rounds, no guide of its own), upsampled."""
    image, hole = _bar(72, True), _block(72, 48)
    coarse_fills, guides = [], []
    graph_fill, fill_layers = _region_fill._graph_fill, _region_fill._fill_layers

    def watch_graph_fill(values, hole, settings, *args, **kwargs):
        estimate = graph_fill(values, hole, settings, *args, **kwargs)
        if settings.patch_size == _pyramid.COARSE_PATCH and hole.shape == (36, 36):
            assert settings.rounds == _pyramid.COARSE_ROUNDS and not settings.coarse_to_fine
            coarse_fills.append(estimate)
        return estimate

    def watch_layers(values, hole, *args, guide=None, **kwargs):
        if guide is not None:
            guides.append((guide, hole))
        return fill_layers(values, hole, *args, guide=guide, **kwargs)

    monkeypatch.setattr(_region_fill, "_graph_fill", watch_graph_fill)
    monkeypatch.setattr(_region_fill, "_fill_layers", watch_layers)
    gi.inpaint(image, hole, channel_axis=None, coarse_to_fine=True, self_validation=False)
    assert len(coarse_fills) == len(guides) == 1
    (guide, fine_hole), coarse = guides[0], coarse_fills[0]
    assert np.array_equal(guide, _pyramid.upsample(coarse, fine_hole.shape))
    # The whole image is the working region, mapped from [0.2, 0.8] to [0, 1]; the coarse
    # fill bridges the hole with a blurred bar (measured: mean 0.59 on the bar, 0.06 off it).
    assert np.array_equal(fine_hole, hole)
    on_bar = hole & (image > 0.5)
    assert guide[on_bar].mean() - guide[hole & ~on_bar].mean() > 0.3


def test_coarse_to_fine_leaves_thin_strokes_alone():
    """Thin strokes are not thick holes: the option changes nothing there."""
    image = np.tile(np.linspace(0, 1, 40), (40, 1)) + 0.1 * _bar(40, True)
    hole = np.zeros((40, 40), bool)
    hole[19:21, 5:35] = True
    default = gi.inpaint(image, hole, channel_axis=None)
    assert np.array_equal(gi.inpaint(image, hole, channel_axis=None, coarse_to_fine=True),
                          default)


def test_a_bad_coarse_to_fine_value_names_the_parameter():
    image, hole = _bar(32, False), _block(32, 10)
    with pytest.raises(InpaintError, match="'coarse_to_fine' parameter of inpaint"):
        gi.inpaint(image, hole, channel_axis=None, coarse_to_fine="yes")


def test_the_coarse_level_gets_the_region_its_window_reaches(monkeypatch):
    """At half resolution the same window reaches twice as far: the working region around a
    68-px block (34 px deep: window 51) must give the coarse fill (17 px deep there) its
    25 + 16 window pixels and 3 of a 7 x 7 patch, 44 coarse pixels = 88 full-resolution ones
    beyond the hole, not the fine layers' 65 (the region was cut to those before)."""
    n, side = 300, 68
    image, hole = _bar(n, False), _block(n, side)
    regions = []
    coarse_guide = _pyramid.coarse_guide

    def watch(values, hole, *args, **kwargs):
        regions.append(hole.shape)
        return coarse_guide(values, hole, *args, **kwargs)

    monkeypatch.setattr(_pyramid, "coarse_guide", watch)
    gi.inpaint(image, hole, channel_axis=None, coarse_to_fine=True, self_validation=False)
    assert regions, "the coarse level did not run"
    assert min(regions[0]) - side >= 2 * 88
