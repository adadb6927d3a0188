"""The web app's overhead (issue 14): one restoration through the HTTP API against the same
``gi.inpaint`` called directly, timed in the same run.

Run: ``python -m pytest benchmarks/test_bench_web.py --benchmark-enable``. The API path is
upload + job + polls every 10 ms + download, through Flask's test client on a 1-worker pool (no
sockets); the difference is the price of decoding, encoding, the queue and the polling.
"""

import io as bytes_io
import time
from pathlib import Path

import numpy as np
import pytest

import graphinpaint as gi

pytest.importorskip("flask")
from graphinpaint.web import JobPool, create_app  # noqa: E402
from graphinpaint.web.handling import encode_png  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


@pytest.fixture(scope="module")
def case():
    image = gi.io.read_image(DATA / "astronaut.png")
    hole = gi.io.read_mask(DATA / "astronaut_scratches.png")
    gi.inpaint(image[:64, :64], hole[:64, :64])                  # warm numba up, untimed
    return image, hole


def test_inpaint_direct(benchmark, case):
    image, hole = case
    benchmark(gi.inpaint, image, hole)


def test_inpaint_through_the_api(benchmark, case):
    image, hole = case
    image_png, mask_png = encode_png(image), encode_png(np.where(hole, 255, 0).astype(np.uint8))
    with JobPool(workers=1) as pool:
        client = create_app(pool=pool).test_client()

        def restore() -> bytes:
            answer = client.post("/api/jobs", data={
                "image": (bytes_io.BytesIO(image_png), "a.png"),
                "mask": (bytes_io.BytesIO(mask_png), "m.png")})
            job_id = answer.get_json()["id"]
            while client.get(f"/api/jobs/{job_id}").get_json()["state"] != "done":
                time.sleep(0.01)
            return client.get(f"/api/jobs/{job_id}/result").data

        result = benchmark(restore)
    assert len(result) > 0
