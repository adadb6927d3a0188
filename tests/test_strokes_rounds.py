"""Thin strokes' second refinement round refines only the hole pixels still moving or matched
far (``graphinpaint._stages.strokes_moving``); the others keep the first round's values."""

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint import _stages, pipeline
from graphinpaint.settings import Settings

from test_pipeline import _scratches, _smooth, _texture
from test_speed_paths import rounds_unknowns

STROKES = Settings(strategy="layers", window=31, bandwidth=0.1, grid_weight=1e-3, patch_size=7,
                   k=3, rounds=2, adaptive_rounds=True, smooth="none", smooth_share=0.0)


def _case(image):
    return image, _scratches(image.shape, np.random.default_rng(0))


def _inpaint(image, hole):
    return gi.inpaint(image, hole, channel_axis=None, self_validation=False)


def test_a_smooth_image_refines_part_of_the_hole_in_the_second_round(monkeypatch):
    """Near matches that no longer move stay out: 1,042 of 1,880 pixels measured."""
    image, hole = _case(_smooth())
    refined = rounds_unknowns(monkeypatch)
    _inpaint(image, hole)
    assert refined[0] == hole.sum()
    assert 0 < refined[1] < 0.8 * hole.sum()


def test_a_periodic_texture_refines_all_of_it(monkeypatch):
    """Its matches lie a period (6 pixels and more) away: every pixel is refined again."""
    image, hole = _case(_texture())
    refined = rounds_unknowns(monkeypatch)
    _inpaint(image, hole)
    assert refined == [hole.sum(), hole.sum()]


def test_the_second_round_leaves_the_other_pixels_as_the_first_made_them():
    image, hole = _case(_smooth())
    values = image[..., None].copy()
    rounds = []
    pipeline._graph_fill(values, hole, STROKES, each_round=rounds.append)
    first, second = (estimate[hole][:, 0] for estimate in rounds)
    changed = first != second
    assert 0 < changed.mean() < 0.8
    # The pixels left alone: the first round moved their patch little, their matches lay near.
    assert (first[~changed] == second[~changed]).all()


@pytest.mark.parametrize("make", [_smooth, _texture])
def test_a_restricted_second_round_is_as_good_as_a_full_one(monkeypatch, make):
    image, hole = _case(make())
    restricted = gi.metrics.psnr(image, _inpaint(image, hole), hole)
    monkeypatch.setattr(_stages, "STILL_REACH", -1)         # every pixel refined
    full = gi.metrics.psnr(image, _inpaint(image, hole), hole)
    assert restricted > full - 0.05
