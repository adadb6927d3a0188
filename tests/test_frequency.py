"""The frequency-selective extrapolation of compact holes (graphinpaint._frequency)."""

import dataclasses

import numba
import numpy as np
import pytest

from _holes import centred_block
from _threads import on_one_and_two_threads
from graphinpaint._frequency import FSR_BEST, FSR_FAST, frequency_fill, frequency_fit
from graphinpaint.fills import grid_laplace_fill


def _block(n, top, left, side):
    hole = np.zeros((n, n), bool)
    hole[top:top + side, left:left + side] = True
    return hole


def _rms(a, b, where):
    return float(np.sqrt(np.mean((a - b)[where] ** 2)))


def test_a_sinusoid_of_the_model_s_frequencies_is_extrapolated_exactly():
    """A 2-D cosine whose frequency lies on the 32-point DFT grid is one pair of basis
    functions: the fill reproduces it to 1e-8 (measured 1.0e-9), where the grid Laplace
    fill is off by half the amplitude and more (measured 0.49)."""
    y, x = np.mgrid[:64, :64]
    wave = (0.5 + 0.4 * np.cos(2 * np.pi * (3 * y + 5 * x) / 32))[..., None]
    hole = _block(64, 24, 24, 16)
    out = frequency_fill(wave, hole)
    assert np.abs(out - wave)[hole].max() < 1e-8
    assert np.abs(grid_laplace_fill(wave, hole, "auto") - wave)[hole].max() > 0.3


def test_a_ramp_and_an_off_grid_wave_are_continued_far_better_than_by_the_grid_fill():
    """Neither is a sum of the window's basis functions; the fill still continues them: a
    ramp to 0.025 of the range (measured 0.024), a wave off the DFT grid at an RMS error a
    tenth of the Laplace fill's (measured 0.028 against 0.279; asked: under a sixth)."""
    y, x = np.mgrid[:64, :64]
    hole = _block(64, 24, 24, 16)
    ramp = (0.2 + 0.01 * x + 0.005 * y)[..., None]
    assert np.abs(frequency_fill(ramp, hole) - ramp)[hole].max() < 0.03
    wave = (0.5 + 0.4 * np.cos(2 * np.pi * (0.07 * y + 0.11 * x)))[..., None]
    ours = _rms(frequency_fill(wave, hole), wave, hole)
    assert ours < _rms(grid_laplace_fill(wave, hole, "auto"), wave, hole) / 6


@pytest.mark.parametrize("kind", ["camera", "smooth"])
def test_the_fill_agrees_with_opencv_s_fsr_fast(kind):
    """Against ``cv2.xphoto.inpaint`` with ``INPAINT_FSR_FAST`` on one channel (a 16-pixel
    block on its block grid): the same method, up to OpenCV's 8-bit rounding. Measured RMS
    differences over the hole: 0.0011 (camera) and 0.0012 (a smooth wave), a third of an 8-bit
    level, against 0.043 and 0.013 between the grid Laplace fill and OpenCV's."""
    cv2 = pytest.importorskip("cv2")
    if not hasattr(cv2, "xphoto"):
        pytest.skip("needs opencv-contrib (cv2.xphoto)")
    if kind == "camera":
        from skimage import data
        image = data.camera()[200:264, 200:264]
    else:
        y, x = np.mgrid[:64, :64]
        image = np.round(255 * (0.5 + 0.3 * np.sin(x / 9.0) * np.cos(y / 13.0))).astype(np.uint8)
    hole = _block(64, 16, 32, 16)
    src = np.where(hole, 0, image).astype(np.uint8)
    reference = np.zeros_like(src)
    cv2.xphoto.inpaint(src, (~hole).astype(np.uint8) * 255, reference,
                       cv2.xphoto.INPAINT_FSR_FAST)
    reference = reference / 255.0
    values = (image / 255.0)[..., None]
    ours = _rms(frequency_fill(values, hole)[..., 0], reference, hole)
    laplace = _rms(grid_laplace_fill(values, hole, "auto")[..., 0], reference, hole)
    assert ours < 0.003 and laplace > 0.01


def test_the_best_profile_agrees_with_opencv_s_fsr_best():
    """FSR_BEST's numbers (64-point windows, blocks down to 2 px, up to 400 basis functions at
    0.2) against ``cv2.xphoto.inpaint`` with ``INPAINT_FSR_BEST`` on a wave off the DFT grid
    under a 32-pixel block: measured RMS 0.0012 over the hole (OpenCV's 8-bit rounding), where
    the FSR_FAST profile is off by 0.059 and OpenCV's FSR_FAST by as much."""
    cv2 = pytest.importorskip("cv2")
    if not hasattr(cv2, "xphoto"):
        pytest.skip("needs opencv-contrib (cv2.xphoto)")
    y, x = np.mgrid[:96, :96]
    image = np.round(255 * (0.5 + 0.3 * np.cos(2 * np.pi * (0.07 * y + 0.11 * x))))
    image = image.astype(np.uint8)
    hole = _block(96, 40, 32, 32)
    reference = np.zeros_like(image)
    cv2.xphoto.inpaint(np.where(hole, 0, image).astype(np.uint8),
                       (~hole).astype(np.uint8) * 255, reference, cv2.xphoto.INPAINT_FSR_BEST)
    values = (image / 255.0)[..., None]
    best = frequency_fill(values, hole, profile=FSR_BEST)[..., 0]
    fast = frequency_fill(values, hole, profile=FSR_FAST)[..., 0]
    assert _rms(best, reference / 255.0, hole) < 0.003
    assert _rms(fast, reference / 255.0, hole) > 0.03


def test_the_thick_holes_profile_continues_a_gradient_better_than_the_grid_fill():
    """The profile thick holes mix in (``mixes.FREQUENCY_PROFILE``: FSR_FAST's blocks and
    windows, FSR_BEST's 400 basis functions at 0.2) on a curved gradient under a 32-pixel
    block. Measured RMS over the hole: 0.0111, against 0.0129 for the grid Laplace fill and
    0.0161 for the FSR_FAST profile (asked: under 0.93x and 0.8x of them)."""
    from graphinpaint import mixes

    y, x = np.mgrid[:96, :96]
    surface = (0.2 + 0.5 * (x / 96) ** 1.5 + 0.1 * np.sin(y / 15.0))[..., None]
    hole = _block(96, 40, 32, 32)
    ours = _rms(frequency_fill(surface, hole, profile=mixes.FREQUENCY_PROFILE), surface,
                hole)
    assert ours < 0.93 * _rms(grid_laplace_fill(surface, hole, "auto"), surface, hole)
    assert ours < 0.8 * _rms(frequency_fill(surface, hole, profile=FSR_FAST), surface, hole)


def test_the_misfit_is_nil_where_the_model_is_exact_and_the_fill_is_frequency_fill_s():
    """``frequency_fit``: the fill on the hole as ``frequency_fill`` gives it, and each block
    model's weighted misfit on the known pixels: below 1e-8 for a wave of the model's
    frequencies, near the noise's standard deviation (0.1) on noise."""
    y, x = np.mgrid[:64, :64]
    wave = (0.5 + 0.4 * np.cos(2 * np.pi * (3 * y + 5 * x) / 32))[..., None]
    hole = _block(64, 24, 24, 16)
    fill, misfit = frequency_fit(wave, hole)
    assert np.array_equal(fill, frequency_fill(wave, hole, on_hole=True))
    assert misfit.shape == (hole.sum(),) and misfit.max() < 1e-8
    noise = 0.5 + 0.1 * np.random.default_rng(4).standard_normal((64, 64, 2))
    _, misfit = frequency_fit(noise, hole)
    assert 0.05 < misfit.min() and misfit.max() < 0.12


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one numba thread only")
def test_thick_holes_give_the_same_result_on_one_and_two_threads():
    """The frequency fill runs in a thread of its own beside the layers' search (whose numba
    kernels run on every thread): a 24-px block and a 12-px one, identical to the bit."""
    import graphinpaint as gi

    rng = np.random.default_rng(5)
    y, x = np.mgrid[:72, :72]
    image = np.clip(0.5 + 0.3 * np.sin(x / 6.0) * np.cos(y / 8.0)
                    + 0.05 * rng.standard_normal((72, 72, 3)).transpose(2, 0, 1), 0, 1)
    image = np.moveaxis(image, 0, -1)
    hole = _block(72, 20, 26, 24)
    hole[50:62, 8:20] = True
    one, two = on_one_and_two_threads(lambda: gi.inpaint(image, hole))
    assert np.array_equal(one, two)


@pytest.mark.parametrize("change, message", [
    (dict(smallest_block=3), "halve down to smallest_block"),
    (dict(fft_size=8), "window of at least 16"),
    (dict(rho=((16, 0.8),)), "blocks of 8 px need .* and a rho"),
    (dict(smallest_block=1), "need a split_deviation"),
    (dict(orthogonality=0.0), "orthogonality must lie in"),
    (dict(iterations=(50, 20)), "iterations be"),
    (dict(iterations=(20,)), "iterations be"),
    (dict(rho=((16, 0.0), (8, 0.7), (4, 0.66))), "rho of blocks of 16 px must lie in"),
    (dict(rho=((16, 0.8), (8, float("nan")), (4, 0.66))), "rho of blocks of 8 px"),
])
def test_an_inconsistent_profile_gets_a_clear_error(change, message):
    import dataclasses

    with pytest.raises(ValueError, match=message):
        dataclasses.replace(FSR_FAST, **change)


def test_the_grid_phase_anchors_the_blocks_as_opencv_does():
    """``_fit(grid_phase=...)``: the hole's own phase gives the default fill to the bit; (0, 0)
    puts the blocks on the image's multiples of 16, as ``cv2.xphoto`` does. A 20-pixel block
    off that grid over camera: measured RMS against OpenCV's FSR_FAST 0.0084, anchored at the
    hole 0.030."""
    from graphinpaint import _frequency

    cv2 = pytest.importorskip("cv2")
    if not hasattr(cv2, "xphoto"):
        pytest.skip("needs opencv-contrib (cv2.xphoto)")
    from skimage import data
    image = data.camera()[200:296, 200:296]
    hole = _block(96, 38, 42, 20)
    values = (image / 255.0)[..., None]
    default = frequency_fill(values, hole, on_hole=True)
    own_phase = _frequency._fit(values, hole, FSR_FAST, grid_phase=(38 % 16, 42 % 16))[0]
    assert np.array_equal(own_phase, default)
    reference = np.zeros_like(image)
    cv2.xphoto.inpaint(np.where(hole, 0, image).astype(np.uint8),
                       (~hole).astype(np.uint8) * 255, reference, cv2.xphoto.INPAINT_FSR_FAST)
    reference = reference[hole] / 255.0
    opencv_grid = _frequency._fit(values, hole, FSR_FAST, grid_phase=(0, 0))[0][:, 0]
    assert np.sqrt(np.mean((opencv_grid - reference) ** 2)) < 0.012
    assert np.sqrt(np.mean((default[:, 0] - reference) ** 2)) > 0.025


@pytest.mark.parametrize("name", ["camera", "rings"])
def test_at_opencv_s_grid_the_fill_is_opencv_s_to_its_rounding(name):
    """At the image corner's grid, blocks in the order ``cv2.xphoto`` takes them: a block
    beside known blocks beyond the hole's crop counts those as done (they were counted as
    unfilled, which held back the hole's first row and column of blocks). On camera's 24-px
    block and 20-px block over fine rings, OpenCV's FSR_FAST fill to half a grey level, its
    rounding to 8 bits (measured 0.5 on both; before, 10.6 and 9.0 levels)."""
    from graphinpaint import _frequency

    cv2 = pytest.importorskip("cv2")
    if not hasattr(cv2, "xphoto"):
        pytest.skip("needs opencv-contrib (cv2.xphoto)")
    y, x = np.mgrid[:96, :96]
    if name == "camera":
        from skimage import data
        image, hole = data.camera()[200:296, 200:296], _block(96, 36, 36, 24)
    else:
        rings = 0.5 + 0.4 * np.cos(np.hypot(x - 30, y - 70) / 3.0)
        image, hole = np.rint(255 * rings).astype(np.uint8), _block(96, 38, 42, 20)
    reference = np.zeros_like(image)
    cv2.xphoto.inpaint(np.where(hole, 0, image).astype(np.uint8),
                       (~hole).astype(np.uint8) * 255, reference, cv2.xphoto.INPAINT_FSR_FAST)
    ours = _frequency._fit((image / 255.0)[..., None], hole, FSR_FAST, grid_phase=(0, 0))[0]
    assert np.abs(ours[:, 0] * 255 - reference[hole]).max() <= 0.5 + 1e-6


def test_known_pixels_and_the_input_stay_as_they_were():
    rng = np.random.default_rng(0)
    values = rng.random((40, 48, 3)).astype(np.float32)
    hole = np.zeros((40, 48), bool)
    hole[10:22, 12:24] = True
    hole[30:36, 36:44] = True
    before = values.copy()
    out = frequency_fill(values, hole)
    assert np.array_equal(values, before)
    assert out.dtype == np.float32 and out.shape == values.shape
    assert np.array_equal(out[~hole], values[~hole])
    assert np.isfinite(out).all()


@pytest.mark.parametrize("kind", ["all but a corner", "a band to the edge", "tiny image"])
def test_holes_reaching_the_edges_are_filled_with_finite_values(kind):
    rng = np.random.default_rng(2)
    values = rng.random((70, 90, 2))
    hole = np.zeros((70, 90), bool)
    if kind == "all but a corner":
        hole[:] = True
        hole[-3:, -3:] = False
    elif kind == "a band to the edge":
        hole[:, 40:] = True
    else:
        values, hole = values[:8, :8], hole[:8, :8]
        hole[2:5, 3:6] = True
    out = frequency_fill(values, hole)
    assert np.isfinite(out).all() and np.array_equal(out[~hole], values[~hole])


def test_bad_shapes_get_a_clear_error():
    with pytest.raises(ValueError, match="shape \\(H, W, C\\)"):
        frequency_fill(np.zeros((8, 8)), np.zeros((8, 8), bool))
    with pytest.raises(ValueError, match="boolean hole"):
        frequency_fill(np.zeros((8, 8, 1)), np.zeros((8, 8), np.uint8))


@pytest.mark.parametrize("side", [16, 24])
def test_thick_holes_mix_the_frequency_fill_in_where_matches_are_poor(side):
    """A smooth pattern under a block: no patch beside it matches the inside, the graph
    solution flattens it, and the frequency fill mixed in by match quality continues it.
    Measured: 36.35 and 25.63 dB by default against 27.10 and 16.74 with the boundary blend
    that thick holes took before (``smooth_share=0.25``)."""
    import graphinpaint as gi

    y, x = np.mgrid[:64, :64]
    image = 0.5 + 0.3 * np.sin(x / 7.0) * np.cos(y / 9.0)
    hole = centred_block(64, side)
    default = gi.inpaint(image, hole, channel_axis=None)
    blend = gi.inpaint(image, hole, channel_axis=None, smooth_share=0.25)
    assert gi.metrics.psnr(image, default, hole) > gi.metrics.psnr(image, blend, hole) + 5


def test_perfect_matches_keep_the_graph_solution():
    """A periodic wave under a 24-pixel block: every match is perfect, so nothing of the
    frequency fill is mixed in (measured 79.97 dB, the graph solution alone 79.99; the boundary
    blend 52.29)."""
    import graphinpaint as gi

    y, x = np.mgrid[:64, :64]
    image = 0.5 + 0.3 * np.sin(2 * np.pi * (x + 0.6 * y) / 16)
    hole = centred_block(64, 24)
    default = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None), hole)
    graph = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None, smooth_share=0.0),
                            hole)
    assert default > 75 and abs(default - graph) < 0.5


def test_the_frequency_match_mix_follows_the_match_distances():
    """``SmoothFills.match_mix`` with the frequency fill: none of it where the matches are
    perfect, MATCH_SHARE of it near the known pixels and half that deeper where they are poor."""
    from graphinpaint import mixes

    rng = np.random.default_rng(1)
    values = rng.random((48, 48, 1))
    hole = centred_block(48, 12)
    smooth = mixes.SmoothFills(values, hole)
    estimate = values.copy()
    estimate[hole] = 0.5
    frequency = smooth.on_hole("frequency")
    smooth.match_distance = np.zeros(hole.sum())
    assert np.array_equal(smooth.match_mix(estimate, 0.5, "frequency"), estimate)
    smooth.match_distance = np.full(hole.sum(), 1.0)
    mixed = smooth.match_mix(estimate, 0.5, "frequency")[hole]
    near = smooth.depths()[hole] <= 2
    share = np.where(near, 0.5, 0.25)[:, None]
    assert np.allclose(mixed, (1 - share) * 0.5 + share * frequency)


def test_the_values_on_the_hole_are_the_filled_image_s():
    rng = np.random.default_rng(3)
    values = rng.random((50, 60, 3))
    hole = np.zeros((50, 60), bool)
    hole[5:20, 30:55] = True
    hole[35:45, 3:12] = True
    assert np.array_equal(frequency_fill(values, hole, on_hole=True),
                          frequency_fill(values, hole)[hole])


def _colour_rings() -> tuple[np.ndarray, np.ndarray]:
    """Three channels of different rings and waves (8-bit) and a 20-px block off OpenCV's grid."""
    y, x = np.mgrid[:96, :96]
    planes = [0.5 + 0.4 * np.cos(np.hypot(x - 30, y - 70) / 3.0),
              0.5 + 0.3 * np.cos((x + 2 * y) / 5.0),
              0.4 + 0.2 * np.cos(np.hypot(x - 60, y - 20) / 4.0)]
    return np.rint(255 * np.stack(planes, axis=-1)).astype(np.uint8), _block(96, 38, 42, 20)


def test_the_luma_chroma_mode_continues_a_colour_wave_exactly():
    """Luma and chroma are linear in RGB: a wave in every channel is a wave in each of them,
    which the fit recovers to rounding (as per channel), and the known pixels stay."""
    y, x = np.mgrid[:64, :64]
    wave = np.stack([0.5 + 0.3 * np.cos(2 * np.pi * (3 * y + 5 * x) / 32 + phase)
                     for phase in (0.0, 1.0, 2.0)], axis=-1)
    hole = _block(64, 24, 24, 16)
    out = frequency_fill(wave, hole, colour="luma-chroma")
    assert np.abs(out - wave)[hole].max() < 1e-6
    assert np.array_equal(out[~hole], wave[~hole])


def _opencv_colour_fill(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``cv2.xphoto.inpaint``'s FSR_FAST in its colour mode on an RGB image, on the hole."""
    cv2 = pytest.importorskip("cv2")
    if not hasattr(cv2, "xphoto"):
        pytest.skip("needs opencv-contrib (cv2.xphoto)")
    bgr = np.ascontiguousarray(np.where(hole[..., None], 0, image)[..., ::-1])
    reference = np.zeros_like(bgr)     # cv2 reads BGR: its YCrCb is then JPEG's of our RGB
    cv2.xphoto.inpaint(bgr, (~hole).astype(np.uint8) * 255, reference,
                       cv2.xphoto.INPAINT_FSR_FAST)
    return reference[..., ::-1][hole].astype(np.float64)


def _levels_off(fill: np.ndarray, truth: np.ndarray) -> float:
    """RMS difference in 8-bit levels of a fill in [0, 1] from an 8-bit one."""
    return float(np.sqrt(np.mean((np.rint(fill * 255) - truth) ** 2)))


def test_the_luma_chroma_mode_is_opencv_s_colour_mode():
    """``cv2.xphoto.inpaint``'s FSR_FAST on a colour image fits YCrCb (8-bit, chroma split at
    its "Cx" deviations): on OpenCV's grid the luma-chroma mode gives its fill within 2.5
    levels RMS (measured 1.66; OpenCV rounds the converted channels to 8 bits both ways),
    where fitting RGB per channel is 16.6 levels off."""
    from graphinpaint import _frequency

    image, hole = _colour_rings()
    truth = _opencv_colour_fill(image, hole)
    values = image / 255.0
    assert _levels_off(_frequency._luma_chroma_fit(values, hole, FSR_FAST, grid_phase=(0, 0)),
                       truth) < 2.5
    assert _levels_off(_frequency._fit(values, hole, FSR_FAST, grid_phase=(0, 0))[0],
                       truth) > 10


def test_the_chroma_splits_at_opencv_s_chroma_deviations():
    """On a photo's crop (coffee, a 20-px block) OpenCV's colour mode splits the chroma blocks
    at its lower "Cx" deviations: with them the port is 4.34 levels RMS from it, with luma's
    (the profile's) 5.17 (measured)."""
    from graphinpaint import _frequency

    data = pytest.importorskip("skimage.data")
    image = np.ascontiguousarray(data.coffee()[150:246, 200:296])
    hole = _block(96, 38, 42, 20)
    truth = _opencv_colour_fill(image, hole)
    values = image / 255.0
    assert _levels_off(_frequency._luma_chroma_fit(values, hole, FSR_FAST, grid_phase=(0, 0)),
                       truth) < 4.75
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_frequency, "CHROMA_SPLIT", FSR_FAST.split_deviation)
        assert _levels_off(_frequency._luma_chroma_fit(values, hole, FSR_FAST,
                                                       grid_phase=(0, 0)), truth) > 4.75


def test_the_luma_chroma_mode_needs_three_channels():
    with pytest.raises(ValueError, match="colour"):
        frequency_fill(np.zeros((8, 8, 1)), np.zeros((8, 8), bool), colour="luma-chroma")
    with pytest.raises(ValueError, match="colour"):
        frequency_fill(np.zeros((8, 8, 3)), np.zeros((8, 8), bool), colour="ycc")
    finer = dataclasses.replace(FSR_BEST, block=32, fft_size=64, rho=((32, 0.9), *FSR_BEST.rho),
                                split_deviation=((32, 0.01), *FSR_BEST.split_deviation))
    with pytest.raises(ValueError, match="luma-chroma.*profile"):
        frequency_fill(np.zeros((64, 64, 3)), _block(64, 20, 20, 16), profile=finer,
                       colour="luma-chroma")
