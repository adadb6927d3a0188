"""The graphinpaint command: modes, seed flags, exit codes, messages, files left alone."""

import shutil
from pathlib import Path

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint import io
from graphinpaint.cli import main

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


@pytest.fixture
def sample(tmp_path):
    """A small RGB image and its scratch mask (white = hole), copied to a temporary folder."""
    # The top-left corner of the scratches is blank: this crop holds 7% of hole pixels.
    image = io.read_image(DATA / "astronaut.png")[:64, 64:128]
    hole = io.read_mask(DATA / "astronaut_scratches.png")[:64, 64:128]
    assert 0.05 < hole.mean() < 0.1
    io.write_image(tmp_path / "photo.png", image)
    io.write_image(tmp_path / "photo_mask.png", np.where(hole, 255, 0).astype(np.uint8))
    return tmp_path, image, hole


def test_image_and_mask_to_output(sample, capsys):
    folder, image, hole = sample
    code = main([str(folder / "photo.png"), str(folder / "photo_mask.png"), "-o",
                 str(folder / "out.png")])
    assert code == 0
    out = io.read_image(folder / "out.png")
    assert out.shape == image.shape and out.dtype == image.dtype
    np.testing.assert_array_equal(out[~hole], image[~hole])
    assert "wrote" in capsys.readouterr().err


def test_seed_flags_write_inpainted_beside_the_input_and_leave_it_untouched(sample):
    folder, image, hole = sample
    seed_mask = folder / "seed_mask.png"
    io.write_image(seed_mask, np.where(hole, 0, 255).astype(np.uint8))      # black = hole
    before = (folder / "photo.png").read_bytes(), seed_mask.read_bytes()
    code = main(["--org_img", str(folder / "photo.png"), "--mask", str(seed_mask), "--ps", "5",
                 "--k_boundary", "8", "--k_search", "500", "--k_patch", "3"])
    assert code == 0
    out = io.read_image(folder / "photo_inpainted.png")
    np.testing.assert_array_equal(out[~hole], image[~hole])
    assert (folder / "photo.png").read_bytes(), seed_mask.read_bytes() == before


def test_several_images_with_a_mask_suffix_and_a_summary(sample, capsys):
    folder, _, _ = sample
    shutil.copy(folder / "photo.png", folder / "other.png")
    shutil.copy(folder / "photo_mask.png", folder / "other_mask.png")
    code = main([str(folder), "--mask-suffix", "_mask"])
    assert code == 0
    assert (folder / "photo_inpainted.png").exists() and (folder / "other_inpainted.png").exists()
    assert "2 restored, 0 failed" in capsys.readouterr().err


def test_batch_with_one_bad_image_reports_it_and_goes_on(sample, capsys):
    folder, _, _ = sample
    (folder / "broken.png").write_bytes(b"not an image")
    code = main([str(folder), "--mask-suffix", "_mask"])
    assert code == 2
    err = capsys.readouterr().err
    assert "1 restored, 1 failed" in err and "broken.png" in err


def test_mask_from_alpha_and_alpha_carried_through(tmp_path):
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., :3] = np.linspace(0, 255, 32).astype(np.uint8)[None, :, None]
    rgba[..., 3] = 255
    rgba[10:13, 5:25, 3] = 0                                  # transparent stripe = hole
    io.write_image(tmp_path / "a.png", rgba)
    assert main([str(tmp_path / "a.png"), "--mask-from-alpha", "-q"]) == 0
    out = io.read_image(tmp_path / "a_inpainted.png")
    assert np.all(out[..., 3] == 255)                         # the restored pixels are opaque
    assert np.abs(out[11, 5:25, 0].astype(int) - rgba[11, 5:25, 0]).max() <= 12


def test_alpha_is_carried_through_untouched_with_a_mask_file(tmp_path):
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 3] = np.arange(32, dtype=np.uint8)[:, None] * 8
    hole = np.zeros((32, 32), np.uint8)
    hole[5:8, 4:20] = 255
    io.write_image(tmp_path / "a.png", rgba)
    io.write_image(tmp_path / "m.png", hole)
    assert main([str(tmp_path / "a.png"), str(tmp_path / "m.png"), "-q", "--rounds", "0",
                 "--smooth-share", "0", "--bandwidth", "0.2", "--window-growth", "2"]) == 0
    np.testing.assert_array_equal(io.read_image(tmp_path / "a_inpainted.png")[..., 3],
                                  rgba[..., 3])


def test_p_accepts_inf(sample):
    folder, _, _ = sample
    assert main([str(folder / "photo.png"), str(folder / "photo_mask.png"), "--p", "inf",
                 "-o", str(folder / "inf.png"), "-q"]) == 0


@pytest.mark.parametrize("argv, message", [
    (["{d}/missing.png", "{d}/photo_mask.png"], "'{d}/missing.png' does not exist"),
    (["{d}/photo.png", "{d}/photo.png", "-o", "{d}/photo.png"], "over an input file"),
    (["{d}/photo.png", "{d}/photo_mask.png", "--patch-size", "4"], "'patch_size' parameter"),
    (["{d}/photo.png", "{d}/photo_mask.png", "--patch-size", "999"], "'patch_size' parameter"),
    (["{d}/photo.png", "{d}/small_mask.png"], "32 x 32 pixels but the image is 64 x 64"),
    (["{d}/photo.png", "{d}/all_mask.png"], "every pixel"),
    (["{d}/photo.png"], "Give IMAGE MASK"),
    (["--p", "0.5", "{d}/photo.png", "{d}/photo_mask.png"], "argument --p"),
    (["--method", "lu", "{d}/photo.png", "{d}/photo_mask.png"], "argument --method"),
], ids=["missing", "over-input", "even-patch", "huge-patch", "mask-size", "all-hole",
        "no-mask", "bad-p", "bad-method"])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(sample, capsys, argv, message):
    folder, _, _ = sample
    io.write_image(folder / "small_mask.png", np.zeros((32, 32), np.uint8))
    io.write_image(folder / "all_mask.png", np.full((64, 64), 255, np.uint8))
    before = sorted(p.name for p in folder.iterdir())
    code = main([a.format(d=folder) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert message.format(d=folder) in err
    assert "Traceback" not in err
    assert sorted(p.name for p in folder.iterdir()) == before


def test_help_and_version(capsys):
    assert main(["--help"]) == 0
    assert "--org_img" in capsys.readouterr().out
    assert main(["--version"]) == 0
    assert "graphinpaint" in capsys.readouterr().out


def test_failure_while_working_exits_1(sample, monkeypatch, capsys):
    folder, _, _ = sample

    def explode(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr("graphinpaint.cli.inpaint", explode)
    code = main([str(folder / "photo.png"), str(folder / "photo_mask.png"), "-o",
                 str(folder / "x.png")])
    assert code == 1
    assert "MemoryError" in capsys.readouterr().err
    assert not (folder / "x.png").exists()


def test_default_options_give_inpaints_default_result_on_scattered_loss(tmp_path):
    # Scattered loss is where inpaint's defaults choose on held-out pixels: the command must
    # not fix an option that turns that choice off.
    # Blocky upscaling: the held-out choice mixes in a smooth fill (+0.15 dB over none).
    image = io.read_image(DATA / "astronaut.png")[::4, ::4].repeat(2, 0).repeat(2, 1)
    hole = np.random.default_rng(0).random(image.shape[:2]) < 0.8
    io.write_image(tmp_path / "photo.png", image)
    io.write_image(tmp_path / "mask.png", np.where(hole, 255, 0).astype(np.uint8))
    assert main([str(tmp_path / "photo.png"), str(tmp_path / "mask.png"), "-o",
                 str(tmp_path / "out.png"), "-q"]) == 0
    np.testing.assert_array_equal(io.read_image(tmp_path / "out.png"), gi.inpaint(image, hole))
