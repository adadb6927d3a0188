"""The HTTP API of ``graphinpaint serve`` via Flask's test client: results, bad input, safety."""

import io as bytes_io
import time
from pathlib import Path

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint.io import decode_image
from graphinpaint.web import JobPool, Limits, create_app
from graphinpaint.web.handling import encode_png

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


@pytest.fixture
def pool():
    with JobPool(workers=1, expire_after=60, abandon_after=60) as pool:
        yield pool


@pytest.fixture
def client(pool):
    return create_app(pool=pool, limits=Limits(max_bytes=2**20, max_pixels=200_000)).test_client()


def _sample(size: int = 48) -> tuple[np.ndarray, np.ndarray]:
    image = gi.io.read_image(DATA / "astronaut.png")[100:100 + size, 100:100 + size]
    hole = np.zeros(image.shape[:2], bool)
    hole[size // 3:size // 3 + 4, 5:size - 5] = True
    return image, hole


def _file(array: np.ndarray | bytes, name: str = "file.png"):
    content = array if isinstance(array, bytes) else encode_png(array)
    return bytes_io.BytesIO(content), name


def _mask(hole: np.ndarray):
    return _file(np.where(hole, 255, 0).astype(np.uint8), "mask.png")


def _finish(client, job_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job_id}").get_json()
        if status["state"] not in ("queued", "running"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s")


def _restore(client, image: np.ndarray, hole: np.ndarray, **fields) -> np.ndarray:
    answer = client.post("/api/jobs", data={"image": _file(image, "photo.png"),
                                            "mask": _mask(hole), **fields})
    assert answer.status_code == 202, answer.get_json()
    status = _finish(client, answer.get_json()["id"])
    assert status["state"] == "done", status
    result = client.get(f"/api/jobs/{status['id']}/result")
    assert result.status_code == 200 and result.mimetype == "image/png"
    assert "photo_restored.png" in result.headers["Content-Disposition"]
    return decode_image(result.data)


@pytest.mark.parametrize("kind", ["rgb8", "gray16", "rgba8"])
def test_result_equals_inpaint_with_the_upload_s_depth_and_channels(client, kind):
    image, hole = _sample()
    if kind == "gray16":
        image = (image[:, :, 1].astype(np.uint16) * 257)
    elif kind == "rgba8":
        alpha = np.full(image.shape[:2], 200, np.uint8)
        image = np.dstack([image, alpha])
    result = _restore(client, image, hole, p="2", k="5")
    assert result.dtype == image.dtype and result.shape == image.shape
    colour, alpha = gi.io.split_alpha(image)
    expected = gi.io.merge_alpha(gi.inpaint(colour, hole, p=2, k=5, channel_axis=-1
                                            if colour.ndim == 3 else None), alpha)
    np.testing.assert_array_equal(result, expected)


def test_options_reach_inpaint(client):
    image, hole = _sample()
    result = _restore(client, image, hole, p="inf", patch_size="5", k="3", strategy="layers")
    np.testing.assert_array_equal(result, gi.inpaint(image, hole, p=np.inf, patch_size=5, k=3,
                                                     strategy="layers"))


def test_upload_then_job_by_image_id_and_preview(client):
    image, hole = _sample()
    upload = client.post("/api/images", data={"image": _file(image.astype(np.uint16) * 257)})
    assert upload.status_code == 201
    info = upload.get_json()
    assert (info["width"], info["height"], info["channels"], info["dtype"]) == \
        (48, 48, 3, "uint16")
    preview = client.get(info["preview"])
    np.testing.assert_array_equal(decode_image(preview.data), image)
    answer = client.post("/api/jobs", data={"image_id": info["id"], "mask": _mask(hole)})
    assert _finish(client, answer.get_json()["id"])["state"] == "done"


def test_mask_from_alpha_makes_the_restored_pixels_opaque(client):
    image, hole = _sample()
    rgba = np.dstack([image, np.where(hole, 0, 255).astype(np.uint8)])
    answer = client.post("/api/jobs", data={"image": _file(rgba), "mask_from_alpha": "1"})
    status = _finish(client, answer.get_json()["id"])
    result = decode_image(client.get(f"/api/jobs/{status['id']}/result").data)
    assert (result[:, :, 3] == 255).all()
    np.testing.assert_array_equal(result[:, :, :3], gi.inpaint(image, hole))


def _error(answer, status: int) -> str:
    assert answer.status_code == status, (answer.status_code, answer.data[:200])
    return answer.get_json()["error"]


def test_upload_above_the_byte_limit_is_413(client):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    # An encoded body: the test client would spool a large form to an unclosed temporary file.
    upload = FileStorage(bytes_io.BytesIO(b"\x89PNG" + bytes(2**20)), "big.png")
    boundary, body = encode_multipart({"image": upload})
    answer = client.post("/api/images", data=body,
                         content_type=f"multipart/form-data; boundary={boundary}")
    assert "larger than 1048576 bytes" in _error(answer, 413)


def test_form_fields_above_flask_s_form_limit_are_413_told_as_such(client):
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"p": "2" * 600_000})         # Flask keeps 500 kB
    answer = client.post("/api/jobs", data=body,
                         content_type=f"multipart/form-data; boundary={boundary}")
    assert "text fields are too large" in _error(answer, 413)


def test_image_above_the_pixel_limit_is_413_before_decoding(client, monkeypatch):
    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded an image above the pixel limit")

    monkeypatch.setattr(gi.io, "decode_image", no_decoding)
    bomb = _png_header_only(12_000, 12_000)        # 144 Mpx in 140 kB
    answer = client.post("/api/images", data={"image": _file(bomb)})
    assert "12000 x 12000 pixels, above the limit of 200000 pixels" in _error(answer, 413)


def _png_header_only(width: int, height: int) -> bytes:
    """A valid gray PNG of zeros, written without allocating its pixels."""
    import struct
    import zlib

    compressor, row = zlib.compressobj(9), b"\x00" * (width + 1)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + \
            struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + \
        chunk(b"IEND", b"")


def test_a_truncated_image_is_400(client):
    image, hole = _sample()
    content = encode_png(image)
    answer = client.post("/api/jobs", data={"image": _file(content[:len(content) // 2]),
                                            "mask": _mask(hole)})
    assert "truncated or damaged" in _error(answer, 400)


def test_a_file_that_is_not_an_image_is_400(client):
    answer = client.post("/api/images", data={"image": _file(b"hello, world", "notes.txt")})
    assert "is not an image that can be read" in _error(answer, 400)


@pytest.mark.parametrize("dtype", [np.float32, np.int16, np.int32, np.uint32])
def test_images_that_are_not_8_or_16_bit_unsigned_are_400_before_any_work(client, dtype):
    import tifffile

    image, hole = _sample()
    content = bytes_io.BytesIO()
    tifffile.imwrite(content, (image[:, :, 0].astype(dtype) - 10))
    answer = client.post("/api/jobs", data={"image": _file(content.getvalue(), "deep.tif"),
                                            "mask": _mask(hole)})
    assert f"holds {np.dtype(dtype)} pixels; send an 8- or 16-bit image" in _error(answer, 400)


@pytest.mark.parametrize("make_mask, message", [
    (lambda hole: np.zeros((20, 30), np.uint8), "20 x 30 pixels but the image is 48 x 48"),
    (lambda hole: np.zeros(hole.shape, np.uint8), "marks no pixel as hole"),
    (lambda hole: np.full(hole.shape, 255, np.uint8), "marks every pixel as missing"),
    (lambda hole: gi.io.read_image(DATA / "grass.png")[:48, :48], "not black and white"),
], ids=["other-size", "empty", "all-hole", "photo"])
def test_masks_that_cannot_be_right_are_400(client, make_mask, message):
    image, hole = _sample()
    answer = client.post("/api/jobs", data={"image": _file(image),
                                            "mask": _file(make_mask(hole), "m.png")})
    assert message in _error(answer, 400)


def test_a_missing_mask_is_400(client):
    image, _ = _sample()
    answer = client.post("/api/jobs", data={"image": _file(image)})
    assert "'mask' file is missing" in _error(answer, 400)


@pytest.mark.parametrize("field, value, message", [
    ("p", "0.5", "'p' parameter"), ("p", "two", "'p' field must be a number"),
    ("patch_size", "4", "'patch_size'"), ("patch_size", "99", "'patch_size'"),
    ("patch_size", "33", "odd integer in [1, 31]"), ("k", "0", "'k'"),
    ("k", "51", "integer in [1, 50]"), ("form", "round", "'form'"),
    ("strategy", "all", "'strategy'"),
])
def test_bad_option_values_are_400(client, field, value, message):
    image, hole = _sample()
    answer = client.post("/api/jobs", data={"image": _file(image), "mask": _mask(hole),
                                            field: value})
    assert message in _error(answer, 400)


def test_job_ids_are_random_and_paths_cannot_escape(client):
    image, hole = _sample(24)
    ids = {client.post("/api/jobs", data={"image": _file(image), "mask": _mask(hole)})
           .get_json()["id"] for _ in range(3)}
    assert len(ids) == 3 and all(len(job_id) >= 20 for job_id in ids)
    for url in ("/api/jobs/..%2F..%2Fetc%2Fpasswd", "/api/jobs/..%2Fpyproject.toml/result",
                "/api/images/..%2F..%2Fetc%2Fpasswd/preview", "/static/..%2F..%2Fcli.py",
                "/static/../__init__.py"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert b"import" not in answer.data and b"root:" not in answer.data, url
    for job_id in ids:
        _finish(client, job_id)


def test_a_result_before_the_job_is_done_is_409_and_unknown_ids_404(client, pool):
    image, hole = _sample()
    job_id = client.post("/api/jobs", data={"image": _file(image), "mask": _mask(hole)}) \
        .get_json()["id"]
    pool.cancel(job_id)
    assert "cancelled" in _error(client.get(f"/api/jobs/{job_id}/result"), 409)
    assert "No such job" in _error(client.get("/api/jobs/nope"), 404)
    assert "no longer on the server" in _error(client.post(
        "/api/jobs", data={"image_id": "nope"}), 404)


def test_the_page_and_its_assets_are_served_from_the_package(client):
    page = client.get("/")
    assert page.status_code == 200 and b'id="restore"' in page.data
    for asset in ("/static/app.js", "/static/style.css", "/static/samples/astronaut.png"):
        with client.get(asset) as answer:           # a static file stays open until closed
            assert answer.status_code == 200, asset
    config = client.get("/api/config").get_json()
    assert [option["name"] for option in config["options"]] == \
        ["p", "form", "patch_size", "k", "strategy"]
    # inpaint chooses p (3 in strokes' rounds over photos) and the patch from the hole (11 for
    # blocks): the page must fix neither.
    assert config["options"][0]["default"] is None
    assert config["options"][2]["default"] is None


def test_the_page_loads_nothing_from_the_network(client):
    for asset in ("/", "/static/app.js", "/static/style.css"):
        with client.get(asset) as answer:
            text = answer.data.decode()
        assert "http://" not in text and "https://" not in text, asset


@pytest.mark.parametrize("suffix, dtype", [(".tif", np.uint16), (".jpg", np.uint8),
                                           (".webp", np.uint8), (".png", np.uint8)])
def test_tiff_jpeg_and_webp_uploads_come_back_as_png_of_their_depth(client, tmp_path, suffix,
                                                                    dtype):
    image, hole = _sample()
    image = image.astype(dtype) * (257 if dtype == np.uint16 else 1)
    path = tmp_path / f"photo{suffix}"
    gi.io.write_image(path, image)
    uploaded = gi.io.read_image(path)                 # JPEG and WebP are lossy
    answer = client.post("/api/jobs", data={"image": _file(path.read_bytes(), path.name),
                                            "mask": _mask(hole)})
    status = _finish(client, answer.get_json()["id"])
    result = decode_image(client.get(f"/api/jobs/{status['id']}/result").data)
    assert result.dtype == dtype and result.shape == image.shape
    np.testing.assert_array_equal(result, gi.inpaint(uploaded, hole))


@pytest.mark.parametrize("pages", [2, 500])
def test_a_multi_page_tiff_is_refused_from_its_header(client, pages):
    import tifffile

    content = bytes_io.BytesIO()
    with tifffile.TiffWriter(content) as tiff:             # 500 tiny pages: 120 kB, 2,000 px
        for _ in range(pages):
            tiff.write(np.zeros((2, 2), np.uint8), contiguous=False)
    answer = client.post("/api/images", data={"image": _file(content.getvalue(), "pages.tif")})
    assert "holds several frames or pages" in _error(answer, 400)


def test_an_animation_is_refused_from_its_header(client):
    import imageio.v3 as iio

    frames = np.zeros((3, 8, 8, 3), np.uint8)
    frames[1] += 100
    content = iio.imwrite("<bytes>", frames, extension=".png")     # an APNG of 3 frames
    answer = client.post("/api/images", data={"image": _file(content, "animated.png")})
    assert "holds several frames or pages" in _error(answer, 400)


def test_other_sites_and_other_host_names_are_refused(pool):
    app = create_app(pool=pool)
    client, image = app.test_client(), _file(_sample()[0])
    rebound = client.get("/api/config", headers={"Host": "attacker.example:8000"})
    assert "addressed to this machine only" in _error(rebound, 403)
    posted = client.post("/api/images", data={"image": image},
                         headers={"Origin": "http://attacker.example"})
    assert "another web site" in _error(posted, 403)
    assert not list(pool.folder.iterdir())                 # nothing was kept
    same_site = client.post("/api/images", data={"image": _file(_sample()[0])},
                            headers={"Host": "127.0.0.1:8000", "Origin": "http://127.0.0.1:8000"})
    assert same_site.status_code == 201
    open_app = create_app(pool=pool, local_only=False).test_client()
    assert open_app.get("/api/config", headers={"Host": "studio.lan:8000"}).status_code == 200
