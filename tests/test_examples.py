"""The example scripts of ``examples/`` run, on tiny crops of the sample data.

Each script is imported and its ``main(argv)`` called in this process (numba's kernels are
compiled once for all of them); the Flask backend is driven through Flask's test client.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest

from _optional import require

import graphinpaint as gi

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
DATA = EXAMPLES / "data"
SCRIPTS = ["restore_scratches", "remove_text", "fill_missing_pixels", "seed_interface",
           "custom_pipeline", "compare_p", "flask_app", "learning_digits"]


@pytest.fixture
def example(monkeypatch):
    """Import an example script by name (``examples/`` on sys.path, as when it runs)."""
    monkeypatch.syspath_prepend(str(EXAMPLES))

    def load(name: str):
        if name == "flask_app":
            require("flask")
        return importlib.import_module(name)

    return load


def run(module, argv: list[str], capsys) -> str:
    """Call the script's main, check its exit code, return what it printed."""
    assert module.main([str(a) for a in argv]) == 0
    return capsys.readouterr().out


def printed_psnr(text: str) -> float:
    match = re.search(r"PSNR over the (?:hole|lost pixels):? ([0-9.]+) dB", text)
    assert match, text
    return float(match.group(1))


def center(array: np.ndarray, size: int) -> np.ndarray:
    top, left = (array.shape[0] - size) // 2, (array.shape[1] - size) // 2
    return array[top:top + size, left:left + size]


@pytest.mark.parametrize("name", SCRIPTS)
def test_help(example, name, capsys):
    module = example(name)
    with pytest.raises(SystemExit) as exit_:
        module.main(["--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("usage:")
    assert module.__doc__.strip()


@pytest.mark.parametrize("name, image, mask", [
    ("restore_scratches", "astronaut.png", "astronaut_scratches.png"),
    ("remove_text", "brick.png", "brick_text.png"),
])
def test_restoration_scripts(example, name, image, mask, tmp_path, capsys):
    output = tmp_path / "restored.png"
    text = run(example(name), ["--crop", 48, "--output", output], capsys)
    original = center(gi.io.read_image(DATA / image), 48)
    hole = center(gi.io.read_mask(DATA / mask), 48)
    restored = gi.io.read_image(output)
    assert restored.shape == original.shape and restored.dtype == original.dtype
    assert np.array_equal(restored[~hole], original[~hole])       # known pixels untouched
    assert printed_psnr(text) == pytest.approx(gi.metrics.psnr(original, restored, hole),
                                               abs=0.01)
    assert printed_psnr(text) > 15
    assert f"wrote {output}" in text
    assert (tmp_path / "restored_figure.png").is_file()


def test_fill_missing_pixels_is_seeded(example, tmp_path, capsys):
    module = example("fill_missing_pixels")
    argv = ["--crop", 32, "--fraction", 0.8, "--seed", 3, "--figure", "none"]
    first = run(module, [*argv, "--output", tmp_path / "a.png"], capsys)
    second = run(module, [*argv, "--output", tmp_path / "b.png"], capsys)
    assert printed_psnr(first) > 15
    assert printed_psnr(first) == printed_psnr(second)   # the line also holds the time taken
    assert np.array_equal(gi.io.read_image(tmp_path / "a.png"),
                          gi.io.read_image(tmp_path / "b.png"))
    assert not (tmp_path / "a_figure.png").exists()
    with pytest.raises(SystemExit):
        module.main(["--fraction", "1.5"])


def test_seed_interface(example, tmp_path, capsys):
    output = tmp_path / "seed.png"
    text = run(example("seed_interface"), ["--crop", 48, "--ps", 5, "--k-boundary", 16,
                                           "--k-search", 100, "--k-patch", 2,
                                           "--output", output], capsys)
    assert "Inpaint(img, mask)()" in text and "Inpaint(img, mask, 5)(16, 100, 2)" in text
    assert "patch_size=5, k=2, window=11, window_growth=3.0" in text
    restored = gi.io.read_image(output)
    assert restored.shape == (48, 48, 3) and restored.dtype == np.uint8
    hole = center(gi.io.read_mask(DATA / "astronaut_scratches.png"), 48)
    original = center(gi.io.read_image(DATA / "astronaut.png"), 48)
    assert np.array_equal(restored[~hole], original[~hole])


def test_custom_pipeline(example, tmp_path, capsys):
    output = tmp_path / "custom.png"
    text = run(example("custom_pipeline"), ["--points", 120, "--crop", 48,
                                            "--output", output], capsys)
    accuracies = [float(a) for a in re.findall(r"([0-9.]+)% of 120 points", text)]
    assert len(accuracies) == 2 and min(accuracies) > 60          # p=2 and p=inf
    assert printed_psnr(text) > 15
    assert gi.io.read_image(output).shape == (48, 48, 3)
    if importlib.util.find_spec("matplotlib") is not None:
        assert (tmp_path / "custom_figure.png").is_file()
    else:                                  # the scatter plot needs matplotlib: it says so
        assert "matplotlib is not installed: no point-cloud figure" in text


def test_compare_p_tabulates_every_p_and_form(example, tmp_path, capsys):
    figure = tmp_path / "compare.png"
    text = run(example("compare_p"), ["--crop", 40, "--p", 1, 2, "inf", "--zoom", 24,
                                      "--figure", figure], capsys)
    rows = re.findall(r"^\| (\S+) \| (\S+) \| \**([0-9.]+)\** \| ([0-9.]+) \|$", text, re.M)
    # p = 1 in both forms; p = 2 and p = inf once, their forms coinciding.
    assert [(p, form) for p, form, _, _ in rows] == [
        ("1", "anisotropic"), ("1", "isotropic"), ("2", "-"), ("inf", "-")]
    image = center(gi.io.read_image(DATA / "astronaut.png"), 40)
    hole = center(gi.io.read_mask(DATA / "astronaut_scratches.png"), 40)
    p2 = gi.metrics.psnr(image, gi.inpaint(image, hole, p=2.0, k=5), hole)
    assert float(rows[2][2]) == pytest.approx(p2, abs=0.01)
    assert all(float(psnr) > 15 for _, _, psnr, _ in rows)
    assert text.count("**") == 2                                    # the best one, in bold
    strip = gi.io.read_image(figure)       # six 24-pixel panels: hole, 4 results, original
    assert strip.shape[0] >= 24 and strip.shape[1] >= 6 * 24


def test_figures_without_matplotlib(example, tmp_path, monkeypatch):
    common = example("_common")
    monkeypatch.setitem(sys.modules, "matplotlib", None)            # import fails
    gray = np.zeros((6, 5), np.uint8)
    colour = np.ones((6, 5, 3))
    common.save_figure(tmp_path / "strip.png", [("gray", gray), ("colour", colour)])
    strip = gi.io.read_image(tmp_path / "strip.png")
    assert strip.shape == (6, 10, 3)
    assert strip[:, :5].max() == 0 and strip[:, 5:].min() == 255


# --- the Flask backend ----------------------------------------------------------------------------

def png(array: np.ndarray, tmp_path: Path, name: str = "upload.png") -> bytes:
    path = tmp_path / name
    gi.io.write_image(path, array, overwrite=True)
    return path.read_bytes()


@pytest.fixture
def uploads(tmp_path):
    image = center(gi.io.read_image(DATA / "astronaut.png"), 48)[:, :40]
    mask = center(gi.io.read_mask(DATA / "astronaut_scratches.png"), 48)[:, :40]
    mask_file = np.where(mask, 255, 0).astype(np.uint8)
    return image, mask, png(image, tmp_path, "i.png"), png(mask_file, tmp_path, "m.png")


def post(client, **fields):
    data = {key: (BytesIO(value), f"{key}.png") if isinstance(value, bytes) else value
            for key, value in fields.items()}
    return client.post("/inpaint", data=data, content_type="multipart/form-data")


@pytest.fixture
def client(example):
    return example("flask_app").create_app(max_pixels=50_000, max_bytes=200_000).test_client()


def test_flask_restores(client, uploads):
    image, mask, image_png, mask_png = uploads
    response = post(client, image=image_png, mask=mask_png, k="3")
    assert response.status_code == 200 and response.mimetype == "image/png"
    import imageio.v3 as iio

    restored = iio.imread(response.data)
    assert restored.shape == image.shape == (48, 40, 3)
    assert np.array_equal(restored[~mask], image[~mask])
    assert "X-Graphinpaint-Warning" not in response.headers


def test_flask_keeps_depth_and_alpha(client, uploads, tmp_path):
    image, mask, _, mask_png = uploads
    rgba16 = np.dstack([image.astype(np.uint16) * 257, np.full(mask.shape, 40000, np.uint16)])
    response = post(client, image=png(rgba16, tmp_path), mask=mask_png)
    assert response.status_code == 200
    (tmp_path / "out.png").write_bytes(response.data)
    restored = gi.io.read_image(tmp_path / "out.png")
    assert restored.dtype == np.uint16 and restored.shape == (48, 40, 4)
    assert np.all(restored[:, :, 3] == 40000)


@pytest.mark.parametrize("fields, status, words", [
    ({"image": "i"}, 400, "'mask' file is missing"),
    ({"mask": "m"}, 400, "'image' file is missing"),
    ({"image": b"not an image", "mask": "m"}, 400, "not an image"),
    ({"image": "i", "mask": b""}, 400, "empty"),
    ({"image": "i", "mask": "small"}, 400, "is 10 x 10 pixels but the image is 48 x 40"),
    ({"image": "i", "mask": "m", "k": "many"}, 400, "'k' field must be an integer"),
    ({"image": "i", "mask": "m", "patch_size": "4"}, 400, "patch_size"),
    ({"image": "i", "mask": "m", "p": "0.5"}, 400, "'p' parameter of inpaint"),
    ({"image": "i", "mask": "full"}, 400, "every pixel as missing"),
    ({"image": "big", "mask": "m"}, 413, "above the limit of 50000 pixels"),
    ({"image": "huge", "mask": "m"}, 413, "larger than 200000 bytes"),
])
def test_flask_rejects_bad_requests(client, uploads, tmp_path, fields, status, words):
    _, _, image_png, mask_png = uploads
    rng = np.random.default_rng(0)
    files = {
        "i": image_png, "m": mask_png,
        "small": png(np.zeros((10, 10), np.uint8), tmp_path),
        "full": png(np.full((48, 40), 255, np.uint8), tmp_path),
        "big": png(np.zeros((300, 300), np.uint8), tmp_path),
        "huge": png(rng.integers(0, 256, (300, 300, 3), dtype=np.uint8), tmp_path),
    }
    response = post(client, **{key: files.get(value, value) if isinstance(value, str) else value
                               for key, value in fields.items()})
    assert response.status_code == status
    assert response.is_json and words in response.json["error"], response.json
    assert str(tmp_path) not in response.json["error"]


def test_flask_other_routes(client):
    assert client.get("/health").json["status"] == "ok"
    response = client.get("/inpaint")
    assert response.status_code == 405 and "error" in response.json


def test_flask_warns_about_an_inverted_mask(client, uploads, tmp_path):
    _, mask, image_png, _ = uploads
    inverted = np.zeros(mask.shape, np.uint8)
    inverted[5:45, 5:35] = 255                                     # 62% of the image
    response = post(client, image=image_png, mask=png(inverted, tmp_path))
    assert response.status_code == 200
    warning = response.headers["X-Graphinpaint-Warning"]
    assert "invert the mask" in warning and "graphinpaint-" not in warning


# --- the code of the docs -------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.mark.parametrize("page", ["getting_started.md", "user_guide.md", "research.md"])
def test_docs_code_runs(page, tmp_path, monkeypatch, capsys):
    """Every ```python block of a page runs, in order, in one namespace, from a folder that
    holds (a link to) examples/ as the repository's root does."""
    blocks = re.findall(r"^```python\n(.*?)^```", (DOCS / page).read_text(), re.S | re.M)
    assert blocks
    (tmp_path / "examples").symlink_to(EXAMPLES, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": f"docs_{page[:-3]}"}
    for block in blocks:
        exec(compile(block, f"{page}", "exec"), namespace)


def test_learning_digits_tabulates_every_method_and_rate(example, capsys):
    text = run(example("learning_digits"), ["--subset", 400, "--rates", 1, 5, "--trials", 2,
                                            "--peer", "none"], capsys)
    rows = re.findall(r"^\| (\d+) \| (.+?) \| ([0-9.]+)% \(\d+ ms\) \|$", text, re.M)
    assert [(rate, name) for rate, name, _ in rows] == [
        (rate, name) for rate in ("1", "5")
        for name in ("Laplace", "Poisson", "p-Laplace (game, p=10)")]
    accuracy = {(rate, name): float(value) for rate, name, value in rows}
    # 400 digits, 5 labels a class: every method classifies most of the rest right, and more
    # labels help.
    assert all(accuracy["5", name] > 80 for name in ("Laplace", "Poisson",
                                                      "p-Laplace (game, p=10)"))
    assert accuracy["5", "Laplace"] > accuracy["1", "Laplace"]
    assert "graphlearning" not in text.splitlines()[2]
