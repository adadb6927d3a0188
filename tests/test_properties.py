"""Property tests: inpaint keeps shape, dtype and known pixels, and fails only with InpaintError."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphinpaint import InpaintError, inpaint

DTYPES = [np.uint8, np.uint16, np.float32, np.float64]


@st.composite
def images_and_masks(draw):
    height = draw(st.integers(4, 24))
    width = draw(st.integers(4, 24))
    channels = draw(st.sampled_from([None, 1, 3, 4]))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    shape = (height, width) if channels is None else (height, width, channels)
    if dtype.kind == "u":
        image = rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)
    else:
        image = (rng.normal(size=shape) * draw(st.sampled_from([1e-3, 1.0, 1e3]))).astype(dtype)
    density = draw(st.floats(0.0, 0.95))
    hole = rng.random((height, width)) < density
    if hole.all():
        hole[0, 0] = False
    patch = draw(st.sampled_from([3, 5, 7]))
    return image, hole, patch


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(images_and_masks())
def test_inpaint_keeps_shape_dtype_and_known_pixels(case):
    image, hole, patch = case
    original = image.copy()
    try:
        out = inpaint(image, hole, patch_size=patch)
    except InpaintError:
        assert patch > min(image.shape[:2])            # the only invalid input drawn here
        return
    assert out.shape == image.shape and out.dtype == image.dtype
    np.testing.assert_array_equal(out[~hole], image[~hole])
    np.testing.assert_array_equal(image, original)
    assert np.all(np.isfinite(out.astype(np.float64)))


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_invalid_input_raises_only_inpaint_error(data):
    image = np.zeros((data.draw(st.integers(0, 6)), data.draw(st.integers(0, 6))))
    mask = data.draw(st.sampled_from([
        np.zeros(image.shape, bool), np.ones(image.shape, bool), np.zeros((3, 3), bool),
        np.zeros(image.shape + (2,), bool)]))
    options = data.draw(st.fixed_dictionaries({}, optional={
        "p": st.sampled_from([0.0, -1.0, float("nan"), 2.0, float("inf")]),
        "patch_size": st.sampled_from([-1, 0, 2, 3, 99]),
        "k": st.sampled_from([0, -3, 1, 2.5]),
        "method": st.sampled_from(["lu", "auto"]),
    }))
    try:
        inpaint(image, mask, **options)
    except InpaintError:
        pass
