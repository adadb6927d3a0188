"""Inputs that used to pass or fail silently: a photo given as a mask, and the default patch on an
image narrower than 7 pixels (issue 14)."""

from pathlib import Path

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint import InpaintError, io
from graphinpaint.cli import main

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


def _photo_gray() -> np.ndarray:
    return io.read_image(DATA / "astronaut.png")[:64, :64].max(axis=2)


def test_read_mask_refuses_a_photo_file(tmp_path):
    path = tmp_path / "photo.png"
    io.write_image(path, _photo_gray())
    with pytest.raises(InpaintError, match=r"mask file .*photo.png' is not black and white"):
        io.read_mask(path)


def test_read_mask_refuses_a_photo_array():
    with pytest.raises(InpaintError, match="not black and white"):
        io.read_mask(_photo_gray())


def test_read_mask_accepts_soft_and_jpeg_noisy_edges():
    rng = np.random.default_rng(0)
    hole = np.zeros((64, 64), bool)
    hole[20:30, 5:60] = True
    mask = np.where(hole, 250, 3).astype(np.int16) + rng.integers(-3, 4, hole.shape)
    mask[19, 5:60] = np.linspace(0, 255, 55)            # an anti-aliased edge: 55 grey levels
    result = io.read_mask(np.clip(mask, 0, 255).astype(np.uint8))
    np.testing.assert_array_equal(result[20:30], hole[20:30])
    assert result.sum() == hole.sum() + (np.linspace(0, 255, 55) > 127.5).sum()


def test_every_bundled_mask_is_still_accepted():
    for name in ("astronaut_scratches.png", "brick_text.png", "grass_blotch.png"):
        assert io.read_mask(DATA / name).any()


def test_cli_refuses_a_photo_as_the_mask(tmp_path, capsys):
    io.write_image(tmp_path / "image.png", io.read_image(DATA / "astronaut.png")[:64, :64])
    io.write_image(tmp_path / "mask.png", _photo_gray())
    code = main([str(tmp_path / "image.png"), str(tmp_path / "mask.png"), "-o",
                 str(tmp_path / "out.png")])
    assert code == 2
    assert "not black and white" in capsys.readouterr().err
    assert not (tmp_path / "out.png").exists()


def _strip() -> tuple[np.ndarray, np.ndarray]:
    """A 5 x 40 horizontal ramp with a short gap in its middle row."""
    image = np.tile(np.linspace(0, 1, 40), (5, 1))
    hole = np.zeros(image.shape, bool)
    hole[2, 18:22] = True
    return image, hole


def test_default_patch_shrinks_to_a_5_pixel_strip():
    image, hole = _strip()
    out = gi.inpaint(image, hole)
    np.testing.assert_array_equal(out[~hole], image[~hole])
    assert np.abs(out - image)[hole].max() < 0.05          # the ramp continues through the gap


def test_a_patch_size_the_user_chose_keeps_its_error():
    image, hole = _strip()
    with pytest.raises(InpaintError, match=r"'patch_size' .* \[1, 5\]. Got 7 instead"):
        gi.inpaint(image, hole, patch_size=7)


def test_cli_restores_a_strip_with_the_default_patch(tmp_path):
    image, hole = _strip()
    io.write_image(tmp_path / "strip.png", (image * 255).round().astype(np.uint8))
    io.write_image(tmp_path / "mask.png", np.where(hole, 255, 0).astype(np.uint8))
    assert main([str(tmp_path / "strip.png"), str(tmp_path / "mask.png"), "-q"]) == 0
    assert io.read_image(tmp_path / "strip_inpainted.png").shape == (5, 40)
