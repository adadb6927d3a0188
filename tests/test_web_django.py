"""The Django example (examples/django_app) via Django's test client: the handling Flask uses."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from _optional import require

import graphinpaint as gi
from graphinpaint.io import decode_image
from graphinpaint.web.handling import encode_png

require("django")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DATA = EXAMPLES / "data"


@pytest.fixture(scope="module")
def client():
    import django
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    sys.path.insert(0, str(EXAMPLES))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
    django.setup()
    setup_test_environment()
    yield Client()
    teardown_test_environment()
    sys.path.remove(str(EXAMPLES))


def _sample():
    image = gi.io.read_image(DATA / "astronaut.png")[80:128, 80:120]
    hole = np.zeros(image.shape[:2], bool)
    hole[20:24, 5:35] = True
    return image, hole


def _post(client, **files):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {name: SimpleUploadedFile(f"{name}.png", content, "image/png")
            if isinstance(content, bytes) else content for name, content in files.items()}
    return client.post("/inpaint", data)


def test_django_restores_like_inpaint(client):
    image, hole = _sample()
    answer = _post(client, image=encode_png(image),
                   mask=encode_png(np.where(hole, 255, 0).astype(np.uint8)), k="3")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    np.testing.assert_array_equal(decode_image(answer.content), gi.inpaint(image, hole, k=3))
    assert "X-Graphinpaint-Warning" not in answer


def test_django_refuses_a_mask_of_another_size_with_json(client):
    image, _ = _sample()
    answer = _post(client, image=encode_png(image), mask=encode_png(np.zeros((10, 10), np.uint8)))
    assert answer.status_code == 400
    assert "is 10 x 10 pixels but the image is 48 x 40" in answer.json()["error"]


def test_django_413_for_too_many_bytes_and_pixels(client):
    from django.test import override_settings

    image, hole = _sample()
    mask = encode_png(np.where(hole, 255, 0).astype(np.uint8))
    with override_settings(GRAPHINPAINT_MAX_BYTES=1000):
        answer = _post(client, image=encode_png(image), mask=mask)
    assert answer.status_code == 413 and "larger than 1000 bytes" in answer.json()["error"]
    with override_settings(GRAPHINPAINT_MAX_PIXELS=1000):
        answer = _post(client, image=encode_png(image), mask=mask)
    assert answer.status_code == 413 and "above the limit of 1000 pixels" in answer.json()["error"]


@pytest.mark.parametrize("length", ["abc", "-5"])
def test_django_400_for_a_content_length_that_is_not_a_number(client, length):
    answer = client.post("/inpaint", b"", content_type="application/octet-stream",
                         CONTENT_LENGTH=length)
    assert answer.status_code == 400 and "Content-Length header" in answer.json()["error"]


def test_django_other_routes(client):
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/inpaint").status_code == 405
