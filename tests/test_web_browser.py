"""The page in a real Chromium (Debian's, driven by Playwright): paint, restore, compare, download.

Set ``GRAPHINPAINT_SCREENSHOTS=1`` to rewrite the screenshots of docs/web.md (docs/img/web/);
otherwise the tests take none, so that CI never rewrites tracked files.
"""

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from _optional import require

import graphinpaint as gi
from graphinpaint.metrics import psnr
from graphinpaint.web import JobPool, Limits, create_app
from graphinpaint.web.handling import run_task

sync_api = require("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "graphinpaint" / "web" / "static" / "samples" / "astronaut.png"
SCREENSHOTS = ROOT / "docs" / "img" / "web"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


class _Server:
    """The app on 127.0.0.1 and a free port, in a thread of this process."""

    def __init__(self, pool: JobPool, limits: Limits | None = None) -> None:
        from werkzeug.serving import make_server

        self.pool = pool
        self.server = make_server("127.0.0.1", 0, create_app(pool=pool, limits=limits),
                                  threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.pool.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server():
    server = _Server(JobPool(workers=1))
    yield server
    server.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1000, "height": 720}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server.url)
    yield page
    context.close()
    assert errors == [], errors                 # no JavaScript error on the way


def _screenshot(page, name: str) -> None:
    if os.environ.get("GRAPHINPAINT_SCREENSHOTS"):
        from PIL import Image

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        Image.open(path).convert("RGB").quantize(128).save(path, optimize=True)   # small files


def _open_sample(page) -> None:
    page.click("#sample-astronaut")
    page.wait_for_selector("#download-mask:not(.disabled)")


def _stroke(page, points: list[tuple[float, float]], size: int | None = None) -> None:
    """Drag the mouse through image coordinates (column, row) of the 256 x 256 sample."""
    if size is not None:
        page.fill("#brush-size", str(size))
        page.dispatch_event("#brush-size", "input")
    box = page.locator("#mask-canvas").bounding_box()
    width = int(page.eval_on_selector("#mask-canvas", "canvas => canvas.width"))

    def screen(point):
        return box["x"] + point[0] * box["width"] / width, \
            box["y"] + point[1] * box["height"] / width

    page.mouse.move(*screen(points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*screen(point), steps=12)
    page.mouse.up()


def _painted_pixels(page) -> int:
    return page.evaluate("""() => {
        const canvas = document.getElementById('mask-canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let count = 0;
        for (let i = 3; i < data.length; i += 4) count += data[i] >= 128;
        return count;
    }""")


def _download(page, selector: str, folder: Path) -> np.ndarray:
    page.wait_for_selector(f"{selector}:not(.disabled)")
    with page.expect_download() as info:
        page.click(selector)
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return gi.io.read_image(path)


def _restore_and_wait(page) -> None:
    page.click("#restore")
    page.wait_for_selector("#download-result:not(.disabled)", timeout=120_000)


def test_paint_restore_download_equals_inpaint(page, tmp_path):
    _screenshot(page, "empty")
    _open_sample(page)
    _stroke(page, [(40, 100), (210, 112)], size=10)
    _stroke(page, [(120, 30), (128, 90)], size=6)
    page.wait_for_timeout(300)                      # the mask download link follows the strokes
    _screenshot(page, "painted")
    mask = _download(page, "#download-mask", tmp_path)
    hole = gi.io.read_mask(mask)
    assert hole[106, 125] and hole[60, 124] and not hole[10, 10] and not hole[200, 40]
    assert 1500 < hole.sum() < 2600                 # ~170 x 10 + ~60 x 6 pixels of brush
    _restore_and_wait(page)
    _screenshot(page, "restored")
    result = _download(page, "#download-result", tmp_path)
    image = gi.io.read_image(SAMPLE)
    assert result.shape == image.shape and result.dtype == image.dtype
    expected = gi.inpaint(image, hole)
    assert np.abs(result.astype(int) - expected.astype(int)).max() <= 1
    masked = np.where(hole[:, :, None], 0, image)
    assert psnr(image, result, hole) > psnr(image, masked, hole) + 10
    assert "Restored in" in page.text_content("#status")


def test_undo_redo_and_brush_keys(page):
    _open_sample(page)
    _stroke(page, [(30, 30), (120, 40)], size=8)
    painted = _painted_pixels(page)
    assert painted > 500
    _stroke(page, [(30, 200), (200, 200)])
    assert _painted_pixels(page) > painted
    page.keyboard.press("Control+z")
    assert _painted_pixels(page) == painted
    page.keyboard.press("Control+z")
    assert _painted_pixels(page) == 0
    page.keyboard.press("Control+Shift+z")
    assert _painted_pixels(page) == painted
    page.check("input[value=eraser]")
    _stroke(page, [(30, 30), (120, 40)], size=30)
    assert _painted_pixels(page) == 0
    page.click("#undo")
    assert _painted_pixels(page) == painted
    size = int(page.input_value("#brush-size"))
    page.keyboard.press("]")
    assert int(page.input_value("#brush-size")) > size
    page.keyboard.press("[")
    page.keyboard.press("[")
    assert int(page.input_value("#brush-size")) < size


def test_open_a_16_bit_image_and_upload_its_mask(page, tmp_path):
    image = (gi.io.read_image(SAMPLE)[60:156, 60:156, 1].astype(np.uint16) * 257)
    hole = np.zeros(image.shape, bool)
    hole[40:46, 10:80] = True
    gi.io.write_image(tmp_path / "gray16.png", image)
    gi.io.write_image(tmp_path / "gray16_mask.png", np.where(hole, 255, 0).astype(np.uint8))
    page.set_input_files("#file-input", str(tmp_path / "gray16.png"))
    page.wait_for_function("document.getElementById('image-info').textContent.includes('uint16')")
    page.set_input_files("#mask-input", str(tmp_path / "gray16_mask.png"))
    page.wait_for_function("document.getElementById('status').textContent.includes('loaded')")
    assert _painted_pixels(page) == hole.sum()
    _restore_and_wait(page)
    result = _download(page, "#download-result", tmp_path)
    assert result.dtype == np.uint16 and result.shape == image.shape
    np.testing.assert_array_equal(result, gi.inpaint(image, hole))


def test_a_mask_of_another_size_is_refused_in_words(page, tmp_path):
    _open_sample(page)
    gi.io.write_image(tmp_path / "small_mask.png", np.zeros((64, 80), np.uint8))
    page.set_input_files("#mask-input", str(tmp_path / "small_mask.png"))
    page.wait_for_selector("#error:not([hidden])")
    assert "is 80 × 64 pixels but the image is 256 × 256" in page.text_content("#error")


def test_the_server_s_refusal_is_shown_in_the_page(page):
    _open_sample(page)
    page.click("#restore")                          # nothing painted
    page.wait_for_selector("#error:not([hidden])")
    assert page.text_content("#error").startswith("The mask marks no pixel as hole")
    assert "Traceback" not in page.content()


def test_an_unreadable_file_is_refused_in_words(page, tmp_path):
    (tmp_path / "notes.png").write_text("not an image")
    page.set_input_files("#file-input", str(tmp_path / "notes.png"))
    page.wait_for_selector("#error:not([hidden])")
    assert "is not an image that can be read" in page.text_content("#error")


def _slow_run(task, progress):
    """inpaint with a pause at each step, so that a test can press Cancel mid-way."""
    def slowly(done, total):
        progress(done, total)
        time.sleep(0.4)
    return run_task(task, slowly)


def test_cancel_stops_the_job_and_frees_the_worker(browser):
    server = _Server(JobPool(workers=1, run=_slow_run))
    try:
        context = browser.new_context(viewport={"width": 1000, "height": 640})
        page = context.new_page()
        page.goto(server.url)
        _open_sample(page)
        _stroke(page, [(20, 60), (230, 70)], size=24)      # a wide band: many layers
        page.click("#restore")
        page.wait_for_function("document.getElementById('status').textContent"
                               ".startsWith('Restoring: step')")
        page.click("#cancel")
        page.wait_for_function("document.getElementById('status').textContent === 'Cancelled.'")
        assert page.is_enabled("#restore") and not page.is_enabled("#cancel")
        deadline = time.monotonic() + 10
        while server.pool.busy and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.pool.busy == 0
        context.close()
    finally:
        server.close()


def test_drop_a_file_then_zoom_pan_and_paint_where_the_mouse_is(page):
    page.evaluate("""async () => {
        const blob = await (await fetch('/static/samples/brick.png')).blob();
        const transfer = new DataTransfer();
        transfer.items.add(new File([blob], 'dropped.png', {type: 'image/png'}));
        document.getElementById('viewport').dispatchEvent(
            new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }""")
    page.wait_for_function("document.getElementById('image-info').textContent"
                           ".startsWith('dropped.png')")
    fitted = page.text_content("#zoom-value")
    page.click("#zoom-in")
    page.click("#zoom-in")
    box = page.locator("#viewport").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -200)                       # zoom in at the cursor
    assert page.text_content("#zoom-value") != fitted
    page.check("input[value=pan]")
    start = page.locator("#mask-canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 80, box["y"] + box["height"] / 2 - 40, steps=5)
    page.mouse.up()
    moved = page.locator("#mask-canvas").bounding_box()
    assert (round(moved["x"] - start["x"]), round(moved["y"] - start["y"])) == (-80, -40)
    assert _painted_pixels(page) == 0               # panning paints nothing
    page.check("input[value=brush]")
    _stroke(page, [(100, 90), (101, 90)], size=4)
    painted = page.evaluate("""() => {
        const context = document.getElementById('mask-canvas').getContext('2d');
        return [context.getImageData(100, 90, 1, 1).data[3],
                context.getImageData(20, 20, 1, 1).data[3]];
    }""")
    assert painted[0] >= 128 and painted[1] == 0


def test_images_above_the_limits_are_refused_in_words(browser, tmp_path):
    server = _Server(JobPool(workers=1), Limits(max_bytes=200_000, max_pixels=10_000))
    try:
        context = browser.new_context(viewport={"width": 1000, "height": 720})
        page = context.new_page()
        page.goto(server.url)
        page.wait_for_selector("#sample-astronaut")
        page.click("#sample-astronaut")                 # 256 x 256: above 10,000 pixels
        page.wait_for_selector("#error:not([hidden])")
        assert "256 x 256 pixels, above the limit of 10000 pixels" in page.text_content("#error")
        noise = np.random.default_rng(0).integers(0, 256, (300, 300, 3), dtype=np.uint8)
        gi.io.write_image(tmp_path / "noise.png", noise)          # ~270 kB
        page.set_input_files("#file-input", str(tmp_path / "noise.png"))
        page.wait_for_function("document.getElementById('error').textContent"
                               ".includes('above this server')")
        assert "limit of 0.2 MB" in page.text_content("#error")
        context.close()
    finally:
        server.close()
