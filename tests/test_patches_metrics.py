"""Patch features and PSNR."""

import numpy as np
import pytest

from graphinpaint import InpaintError
from graphinpaint.metrics import psnr
from graphinpaint.patches import extract_patches, masked_patch_distance, pca_project


def test_extract_patches_reflects_at_border_and_keeps_channels_together():
    image = np.arange(3 * 4 * 2, dtype=float).reshape(3, 4, 2)
    p = extract_patches(image, np.array([0]), patch_size=3)
    # reflect padding: row -1 is row 1, column -1 is column 1
    expected = image[[1, 0, 1]][:, [1, 0, 1]].reshape(-1)
    np.testing.assert_array_equal(p[0], expected)


def test_masked_distance_ignores_unknown_entries():
    a = np.array([[1.0, 5.0, 3.0]])
    b = np.array([[1.0, 0.0, 4.0]])
    d = masked_patch_distance(a, b, np.array([[1.0, 0.0, 1.0]]), np.ones((1, 3)))
    np.testing.assert_allclose(d, [np.sqrt(0.5)])


def test_pca_projection_preserves_distances_of_low_rank_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3)) @ rng.normal(size=(3, 20))
    y = pca_project(x, 3, rng=0)
    dx = np.linalg.norm(x[:50, None] - x[None, :50], axis=2)
    dy = np.linalg.norm(y[:50, None] - y[None, :50], axis=2)
    np.testing.assert_allclose(dx, dy, atol=1e-8)


def test_even_patch_size_is_rejected():
    with pytest.raises(InpaintError, match="'patch_size' parameter of extract_patches"):
        extract_patches(np.zeros((5, 5)), patch_size=4)


def test_psnr_over_a_region_only():
    ref = np.zeros((4, 4))
    est = ref.copy()
    est[0, 0] = 0.1
    region = np.zeros((4, 4), bool)
    region[0, :] = True
    assert np.isclose(psnr(ref, est, region), 10 * np.log10(1 / (0.01 / 4)))
    assert psnr(ref, est, ~region) == np.inf
    assert np.isclose(psnr(np.zeros((2, 2), np.uint8), np.full((2, 2), 255, np.uint8)), 0.0)
