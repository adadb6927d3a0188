"""The comparison's peer adapters (benchmarks/compare.py): each library's mask convention
respected, known pixels returned unchanged. Needs the ``bench`` extra (OpenCV contrib,
scikit-image), which the ``test`` extra installs too."""

import sys
from pathlib import Path

import numpy as np
import pytest

from _optional import require

require("cv2.xphoto", reason="the bench extra (opencv-contrib) is not installed")
require("skimage", reason="the bench extra (scikit-image) is not installed")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import compare  # noqa: E402


def _case(channels):
    """A flat 200 image whose hole holds 0: a filler that reads the mask the wrong way round
    keeps the 0s (or smears them over the known part)."""
    rng = np.random.default_rng(3)
    shape = (64, 64) if channels is None else (64, 64, channels)   # shift-map fails below 64
    image = np.full(shape, 200, np.uint8)
    image[..., :4, :] = rng.integers(150, 250, image[..., :4, :].shape, dtype=np.uint8)
    hole = np.zeros((64, 64), bool)
    hole[24:36, 20:40] = True
    image[hole] = 0
    return image, hole


@pytest.mark.parametrize("channels", [None, 3], ids=["grey", "colour"])
@pytest.mark.parametrize("label", [label for label in compare.methods() if label != "graphinpaint"])
def test_peer_fills_the_hole_and_keeps_known_pixels(label, channels):
    image, hole = _case(channels)
    before = image.copy()
    out = compare.methods()[label](image, hole)
    np.testing.assert_array_equal(image, before)                      # input untouched
    assert out.shape == image.shape and out.dtype == image.dtype
    np.testing.assert_array_equal(out[~hole], image[~hole])
    assert np.abs(out[hole].astype(float) - 200).max() <= 3          # filled from the flat part


def test_time_limit_reports_a_peer_that_runs_past_it():
    def slow(image, hole):
        import time
        time.sleep(5)
        return image

    image, hole = _case(None)
    out, seconds = compare.run_limited(slow, image, hole, limit=0.5)
    assert out is None and seconds == 0.5
    out, _ = compare.run_limited(compare.grid_laplace, image, hole, limit=30)
    assert np.abs(out[hole].astype(float) - 200).max() <= 3


def test_ssim_over_the_hole_is_one_for_a_perfect_fill_and_lower_for_a_flat_one():
    image = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    hole = np.zeros((64, 64), bool)
    hole[20:40, 20:40] = True
    flat = image.copy()
    flat[hole] = 128
    assert compare.ssim(image, image, hole) == pytest.approx(1.0)
    assert compare.ssim(image, flat, hole) < 0.9


def _colourful_case():
    """A 64^2 crop of scikit-image's astronaut with a 16 x 20 hole: its red and blue differ, so a
    luma or a patch search that swaps them sees another image there."""
    from skimage import data

    image = np.ascontiguousarray(data.astronaut()[300:364, 100:164])
    hole = np.zeros((64, 64), bool)
    hole[24:40, 22:42] = True
    return image, hole


def _xphoto_by_hand(image, hole, flag):
    import cv2

    out = np.zeros_like(image)
    cv2.xphoto.inpaint(np.ascontiguousarray(image), (~hole).astype(np.uint8), out, flag)
    return out


@pytest.mark.parametrize("label, flag", [
    ("FSR_FAST colour", "INPAINT_FSR_FAST"),
    pytest.param("FSR_BEST colour", "INPAINT_FSR_BEST", marks=pytest.mark.slow),    # 3 x 2 s
    ("SHIFTMAP", "INPAINT_SHIFTMAP")])
def test_colour_mode_peers_get_bgr_as_opencv_reads_it(label, flag):
    """OpenCV reads a 3-channel array as BGR: the adapter's fill is OpenCV's on the BGR-ordered
    image (flipped back), not the one it gives when our RGB is read as BGR."""
    import cv2

    image, hole = _colourful_case()
    out = compare.methods()[label](image, hole)
    flag = getattr(cv2.xphoto, flag)
    by_hand = _xphoto_by_hand(image[..., ::-1], hole, flag)[..., ::-1]
    swapped = _xphoto_by_hand(image, hole, flag)
    np.testing.assert_array_equal(out[hole], by_hand[hole])
    # Over 100 hole values apart by more than the 2 levels that the colour conversion's rounding
    # moves known pixels by (150 to 800 of the hole's 960 values are, depending on the peer).
    assert (np.abs(out[hole].astype(int) - swapped[hole]) > 2).sum() > 100


@pytest.mark.parametrize("flag", ["INPAINT_TELEA", "INPAINT_NS"])
def test_cv2_inpaint_does_not_depend_on_channel_order(flag):
    """Why the Telea and Navier-Stokes adapters pass RGB as it is: flipping in and out changes
    nothing."""
    import cv2

    image, hole = _colourful_case()
    run = compare.opencv(getattr(cv2, flag))
    flipped = run(np.ascontiguousarray(image[..., ::-1]), hole)[..., ::-1]
    np.testing.assert_array_equal(run(image, hole), flipped)
