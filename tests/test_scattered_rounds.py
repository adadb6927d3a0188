"""Later refinement rounds of scattered loss refine only the pixels whose patch still moves
(``graphinpaint._stages.still_moving``)."""

import numpy as np
import pytest

from graphinpaint import _stages, pipeline
from graphinpaint.mixes import SmoothFills
from graphinpaint.settings import Settings

GLOBAL = Settings(strategy="global", window=15, bandwidth=0.05, grid_weight=0.2, patch_size=7,
                  k=3, smooth="none", smooth_share=0.0)


def _flat_and_textured(n=64, seed=0):
    """A flat left half beside a periodic texture, 60% random loss: values, hole, truth."""
    tile = np.random.default_rng(seed).random((6, 6))
    image = np.full((n, n), 0.5)
    image[:, n // 2:] = np.tile(tile, (n // 6 + 1, n // 12 + 1))[:n, :n // 2]
    image = image[..., None]
    hole = np.random.default_rng(seed + 1).random((n, n)) < 0.6
    values = image.copy()
    values[hole] = 0
    return values, hole, image


def _rounds(values, hole, count=2):
    rounds = []
    pipeline._graph_fill(values, hole, GLOBAL.replace(rounds=count),
                         smooth=SmoothFills(values, hole), each_round=rounds.append)
    return rounds


def _psnr(estimate, image, hole):
    return 10 * np.log10(1 / np.mean((estimate[hole] - image[hole]) ** 2))


def test_a_later_round_changes_only_the_pixels_whose_patch_moved():
    values, hole, _ = _flat_and_textured()
    first, second = _rounds(values, hole)
    start = SmoothFills(values, hole)["raw biharmonic"]
    moved = np.abs(first[hole] - start[hole]).mean(axis=1)
    active = _stages.still_moving(moved, hole, GLOBAL.patch_size)
    changed = np.abs(second[hole] - first[hole]).max(axis=1) > 0
    assert 0 < active.mean() < 0.8              # the flat half is left alone
    assert not (changed & ~active).any()
    assert changed[active].mean() > 0.5


def test_a_restricted_round_is_as_good_as_a_full_one(monkeypatch):
    values, hole, image = _flat_and_textured()
    restricted = _rounds(values, hole, 3)
    monkeypatch.setattr(_stages, "MOVED_FLOOR", 0.0)         # every pixel refined
    full = _rounds(values, hole, 3)
    for count in (1, 2):
        assert _psnr(restricted[count], image, hole) > _psnr(full[count], image, hole) - 0.05


@pytest.mark.parametrize("seed", [0, 1])
def test_the_pixels_left_out_would_hardly_move_in_a_full_round(monkeypatch, seed):
    """The premise: where a pixel's patch moved by less than the floor, a full round moves the
    pixel by less than an 8-bit level, for at least 95% of such pixels."""
    values, hole, _ = _flat_and_textured(seed=seed)
    start = SmoothFills(values, hole)["raw biharmonic"]
    monkeypatch.setattr(_stages, "MOVED_FLOOR", 0.0)
    first, full = _rounds(values, hole)
    moved = np.abs(first[hole] - start[hole]).mean(axis=1)
    monkeypatch.undo()
    left_out = ~_stages.still_moving(moved, hole, GLOBAL.patch_size)
    assert left_out.sum() > 100
    change = np.abs(full[hole] - first[hole]).max(axis=1)[left_out]
    assert np.mean(change < 1 / 255) >= 0.95


def test_a_round_with_nothing_moving_keeps_the_estimate():
    values, hole, _ = _flat_and_textured()
    values[~hole] = 0.5                                  # flat everywhere: nothing moves
    first, second = _rounds(values, hole)
    assert np.array_equal(first, second)


def test_the_first_round_refines_the_textured_pixels_only():
    values, hole, image = _flat_and_textured(seed=2)
    hole[:, :] = np.random.default_rng(3).random(hole.shape) < 0.5
    values = image.copy()
    values[hole] = 0
    smooth = SmoothFills(values, hole)
    start = smooth["raw biharmonic"]
    picked = _stages.textured(start, hole, GLOBAL.patch_size)
    right = (np.flatnonzero(hole) % hole.shape[1]) >= hole.shape[1] // 2 + GLOBAL.patch_size
    left = (np.flatnonzero(hole) % hole.shape[1]) < hole.shape[1] // 2 - GLOBAL.patch_size
    assert picked[right].all() and not picked[left].any()
    # What a full first round moves by two 8-bit levels, the textured pixels include.
    full = _rounds(values, hole, 1)[0]
    moved = _stages.still_moving(np.abs(full[hole] - start[hole]).mean(axis=1), hole, 7)
    assert picked[moved].mean() >= 0.95
    # And the image's fill from them is as good as from a full first round.
    one = pipeline._graph_fill(values, hole, GLOBAL.replace(rounds=2), smooth=smooth,
                               textured_first=True)
    two = pipeline._graph_fill(values, hole, GLOBAL.replace(rounds=2), smooth=smooth)
    assert _psnr(one, image, hole) > _psnr(two, image, hole) - 0.05
    first = pipeline._graph_fill(values, hole, GLOBAL.replace(rounds=1), smooth=smooth,
                                 textured_first=True)
    assert np.array_equal(first[hole][~picked], start[hole][~picked])


def test_at_high_loss_the_first_round_refines_every_pixel():
    values, hole, image = _flat_and_textured()
    hole = np.random.default_rng(4).random(hole.shape) < 0.9      # too few known pixels
    values = image.copy()
    values[hole] = 0
    assert _stages.textured(values, hole, GLOBAL.patch_size) is None


def test_a_run_resumed_from_its_last_round_refines_as_one_run_does():
    """Self-validation resumes a held-out run for a further round (``start``, ``start_moved``
    from the two rounds before): the same pixels refined, the same bits as the run carried on."""
    values, hole, _ = _flat_and_textured(seed=1)
    first, second, third = _rounds(values, hole, 3)
    resumed = pipeline._graph_fill(values, hole, GLOBAL.replace(rounds=1),
                                   smooth=SmoothFills(values, hole), start=second,
                                   start_moved=np.abs(second[hole] - first[hole]).mean(axis=1))
    assert not np.array_equal(third, second)
    np.testing.assert_array_equal(resumed, third)
