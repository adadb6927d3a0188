"""Reading and writing images and masks: dtypes, formats, conventions, atomic writes."""

import os
from pathlib import Path

import numpy as np
import pytest

from graphinpaint import InpaintError, io

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


@pytest.mark.parametrize("suffix, dtype, channels", [
    (".png", np.uint8, None), (".png", np.uint8, 2), (".png", np.uint8, 3), (".png", np.uint8, 4),
    (".png", np.uint16, None), (".png", np.uint16, 3), (".tif", np.float32, 3),
    (".tif", np.uint16, None), (".bmp", np.uint8, 3), (".webp", np.uint8, 3),
])
def test_round_trip_keeps_dtype_and_channels(tmp_path, suffix, dtype, channels):
    rng = np.random.default_rng(0)
    shape = (9, 11) if channels is None else (9, 11, channels)
    if np.dtype(dtype).kind == "u":
        image = rng.integers(0, np.iinfo(dtype).max, shape, endpoint=True).astype(dtype)
    else:
        image = rng.random(shape).astype(dtype)
    path = tmp_path / f"image{suffix}"
    io.write_image(path, image)
    back = io.read_image(path)
    assert back.dtype == image.dtype and back.shape == image.shape
    if suffix != ".webp":                       # WebP is lossy by default
        np.testing.assert_array_equal(back, image)



@pytest.mark.parametrize("suffix, dtype, channels", [
    (".png", np.uint8, 3), (".png", np.uint8, 4), (".png", np.uint16, None),
    (".png", np.uint16, 3), (".tif", np.uint16, 4), (".tif", np.float32, 3),
])
def test_bytes_decode_as_the_file_reads_and_encode_as_it_is_written(tmp_path, suffix, dtype,
                                                                    channels):
    rng = np.random.default_rng(1)
    shape = (7, 5) if channels is None else (7, 5, channels)
    image = (rng.random(shape) * (np.iinfo(dtype).max if dtype != np.float32 else 1)).astype(dtype)
    path = tmp_path / f"image{suffix}"
    io.write_image(path, image)
    np.testing.assert_array_equal(io.decode_image(path.read_bytes(), extension=suffix), image)
    encoded = io.encode_image(image, suffix)
    np.testing.assert_array_equal(io.decode_image(encoded, extension=suffix), image)
    assert os.listdir(tmp_path) == [path.name]


@pytest.mark.parametrize("data, message", [
    (b"", "The mask is empty"),
    (b"this is not an image", "Cannot read the mask: it is not an image"),
    (None, "Cannot use the mask: it is 1 x 3 pixels"),
])
def test_bad_bytes_raise_one_clear_error_naming_what_they_are(data, message):
    data = io.encode_image(np.zeros((1, 3), np.uint8)) if data is None else data
    with pytest.raises(InpaintError, match=message):
        io.decode_image(data, extension=".png", name="mask")


def test_encode_refuses_a_format_that_cannot_hold_the_image():
    with pytest.raises(InpaintError, match="holds integers only"):
        io.encode_image(np.zeros((2, 2), np.float32), ".png")

def test_a_1_bit_image_reads_as_8_bit_black_and_white(tmp_path):
    from PIL import Image

    bits = np.zeros((3, 4), bool)
    bits[1, 2] = True
    Image.fromarray(bits).save(tmp_path / "bits.png")          # mode "1"
    content = (tmp_path / "bits.png").read_bytes()
    for image in (io.read_image(tmp_path / "bits.png"), io.decode_image(content)):
        assert image.dtype == np.uint8
        np.testing.assert_array_equal(image, np.where(bits, 255, 0))


@pytest.mark.parametrize("suffix", [".jpg", ".tif"])
def test_a_cmyk_file_reads_as_rgb_not_as_rgba(tmp_path, suffix):
    from PIL import Image

    inks = Image.new("CMYK", (4, 3), (255, 0, 0, 0))            # cyan
    inks.save(tmp_path / f"cmyk{suffix}")
    expected = np.asarray(inks.convert("RGB"))
    image = io.read_image(tmp_path / f"cmyk{suffix}")
    assert image.shape == (3, 4, 3)
    np.testing.assert_allclose(image, expected, atol=2)          # JPEG rounds
    assert expected[0, 0, 0] < 5 and expected[0, 0, 1] > 250     # cyan: no red, full green


def test_a_single_frame_gif_reads_as_its_image(tmp_path):
    import imageio.v3 as iio

    image = np.zeros((5, 6, 3), np.uint8)
    image[1:3, 2:4] = 255
    iio.imwrite(tmp_path / "one.gif", image)
    content = (tmp_path / "one.gif").read_bytes()
    for decoded in (io.read_image(tmp_path / "one.gif"), io.decode_image(content)):
        np.testing.assert_array_equal(decoded, image)


def test_jpeg_reads_as_uint8_rgb(tmp_path):
    image = np.full((8, 8, 3), 120, np.uint8)
    io.write_image(tmp_path / "a.jpg", image)
    back = io.read_image(tmp_path / "a.jpg")
    assert back.dtype == np.uint8 and back.shape == (8, 8, 3)


@pytest.mark.parametrize("mask, expected", [
    (np.array([[False, True]]), [[False, True]]),
    (np.array([[0, 1]], np.uint8), [[False, True]]),
    (np.array([[0, 255]], np.uint8), [[False, True]]),
    (np.array([[0, 65535]], np.uint16), [[False, True]]),
    (np.array([[0.0, 1.0]]), [[False, True]]),
    (np.array([[[0, 0, 0], [255, 0, 0]]], np.uint8), [[False, True]]),   # colour: any channel
], ids=["bool", "0-1", "0-255", "16-bit", "float", "colour"])
def test_mask_conventions(mask, expected):
    np.testing.assert_array_equal(io.read_mask(mask), expected)
    np.testing.assert_array_equal(io.read_mask(mask, convention="black-hole"),
                                  ~np.array(expected))
    np.testing.assert_array_equal(io.read_mask(mask, invert=True), ~np.array(expected))


def test_mostly_hole_mask_warns_about_polarity():
    with pytest.warns(io.MaskPolarityWarning, match="invert"):
        io.read_mask(np.ones((4, 4), bool))


def test_mask_size_mismatch_names_both_sizes():
    with pytest.raises(InpaintError, match="3 x 4 pixels but the image is 5 x 6"):
        io.read_mask(np.zeros((3, 4), bool), shape=(5, 6))


def test_alpha_is_split_merged_and_used_as_mask():
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 3] = [[255, 0], [255, 255]]
    colour, alpha = io.split_alpha(rgba)
    assert colour.shape == (2, 2, 3)
    np.testing.assert_array_equal(io.merge_alpha(colour, alpha), rgba)
    np.testing.assert_array_equal(io.mask_from_alpha(rgba), [[False, True], [False, False]])
    with pytest.raises(InpaintError, match="no alpha channel"):
        io.mask_from_alpha(np.zeros((2, 2, 3)))


def test_write_never_replaces_an_input_and_leaves_no_temporary_file(tmp_path):
    source = tmp_path / "in.png"
    io.write_image(source, np.zeros((4, 4), np.uint8))
    before = source.read_bytes()
    with pytest.raises(InpaintError, match="over an input file"):
        io.write_image(source, np.ones((4, 4), np.uint8), inputs=(source,))
    assert source.read_bytes() == before
    io.write_image(source, np.ones((4, 4), np.uint8), inputs=(source,), overwrite=True)
    assert io.read_image(source).max() == 1
    assert sorted(os.listdir(tmp_path)) == ["in.png"]
    umask = os.umask(0)
    os.umask(umask)
    assert source.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_refuses_formats_that_cannot_hold_the_image(tmp_path):
    with pytest.raises(InpaintError, match="holds integers only"):
        io.write_image(tmp_path / "a.png", np.zeros((4, 4), np.float32))
    with pytest.raises(InpaintError, match="holds 8 bits"):
        io.write_image(tmp_path / "a.jpg", np.zeros((4, 4), np.uint16))
    with pytest.raises(InpaintError, match="does not exist"):
        io.write_image(tmp_path / "missing" / "a.png", np.zeros((4, 4), np.uint8))
    assert os.listdir(tmp_path) == []


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "out.png"
    io.write_image(target, np.zeros((4, 4), np.uint8))
    before = target.read_bytes()

    def broken(path, image, suffix):
        Path(path).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(io, "_imwrite", broken)
    with pytest.raises(OSError):
        io.write_image(target, np.ones((4, 4), np.uint8))
    assert target.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["out.png"]


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.png", "does not exist"),
    (lambda d: _write(d / "empty.png", b""), "is empty"),
    (lambda d: _write(d / "text.png", b"this is not an image at all"), "not an image"),
    (lambda d: _truncated(d), "not an image imageio can read, or it is truncated"),
    (lambda d: _saved(d / "tiny.png", np.zeros((1, 1), np.uint8)), "1 x 1 pixels"),
    (lambda d: _saved(d / "line.png", np.zeros((1, 9), np.uint8)), "1 x 9 pixels"),
    (lambda d: _saved(d / "nan.tif", np.full((4, 4), np.nan, np.float32)), "NaN or inf"),
    (lambda d: d, "is not a file"),
], ids=["missing", "empty", "not-image", "truncated", "1px", "1-row", "nan", "folder"])
def test_bad_image_files_raise_one_clear_error(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InpaintError, match=message):
        io.read_image(path)


def _write(path, content):
    path.write_bytes(content)
    return path


def _saved(path, image):
    import imageio.v3 as iio

    iio.imwrite(path, image)
    return path


def _truncated(directory):
    data = (DATA / "astronaut.png").read_bytes()
    return _write(directory / "cut.png", data[: len(data) // 3])


@pytest.mark.parametrize("dtype, opaque", [(np.uint8, 255), (np.uint16, 65535),
                                           (np.float32, 1.0)])
def test_opaque_where_makes_the_hole_opaque_and_keeps_the_rest(dtype, opaque):
    alpha = np.array([[0, 0], [0, 0]], dtype) + np.array([[0, 1], [0, 0]], dtype)
    hole = np.array([[True, False], [False, True]])
    made = io.opaque_where(alpha, hole)
    assert made.dtype == alpha.dtype
    np.testing.assert_array_equal(made, np.array([[opaque, 1], [0, opaque]], dtype))
    assert alpha[0, 0] == 0                                   # the input is untouched
