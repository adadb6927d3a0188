"""The doors a new user opens first: the command's messages on bad input, the Python API on the
arrays users pass, the README's code. Each bad input gives one line naming what is wrong and
writes nothing."""

import re
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest

from _optional import require

import graphinpaint as gi
from graphinpaint import io
from graphinpaint.cli import main


DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


# --- the command ----------------------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path):
    """A 24 x 24 RGB crop and a scratch mask (white = hole) in a temporary folder."""
    image = io.read_image(DATA / "astronaut.png")[100:124, 100:124]
    hole = np.zeros((24, 24), bool)
    hole[10:13, 4:20] = True
    io.write_image(tmp_path / "photo.png", image)
    io.write_image(tmp_path / "mask.png", np.where(hole, 255, 0).astype(np.uint8))
    return tmp_path, image, hole


def one_line_error(capsys, code: int) -> str:
    """The command exited 2 with exactly one line on stderr, and no traceback; returns it."""
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    return err


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*"))


@pytest.mark.parametrize("output, message", [
    ("restored", "has no extension"),
    ("restored.txt", "'.txt' is not an image format"),
    ("missing/restored.png", "does not exist"),
], ids=["no-extension", "txt", "missing-folder"])
def test_an_output_the_command_cannot_write_is_refused_before_any_work(sample, capsys, output,
                                                                        message):
    folder, _, _ = sample
    before = files_in(folder)
    code = main([str(folder / "photo.png"), str(folder / "mask.png"), "-o",
                 str(folder / output)])
    assert message in one_line_error(capsys, code)
    assert files_in(folder) == before


def test_an_output_folder_takes_the_inputs_name(sample, capsys):
    folder, image, hole = sample
    (folder / "out").mkdir()
    assert main([str(folder / "photo.png"), str(folder / "mask.png"), "-o",
                 str(folder / "out"), "-q"]) == 0
    restored = io.read_image(folder / "out" / "photo.png")
    np.testing.assert_array_equal(restored[~hole], image[~hole])


def test_an_output_folder_that_is_the_inputs_own_is_refused(sample, capsys):
    folder, _, _ = sample
    before = (folder / "photo.png").read_bytes()
    code = main([str(folder / "photo.png"), str(folder / "mask.png"), "-o", str(folder)])
    assert "over an input file" in one_line_error(capsys, code)
    assert (folder / "photo.png").read_bytes() == before


def test_a_read_only_output_folder_is_refused_before_any_work(sample, capsys, monkeypatch):
    folder, _, _ = sample
    (folder / "locked").mkdir()
    real_access = io.os.access
    monkeypatch.setattr(io.os, "access", lambda path, mode: (
        False if Path(path).name == "locked" else real_access(path, mode)))
    code = main([str(folder / "photo.png"), str(folder / "mask.png"), "-o",
                 str(folder / "locked" / "out.png")])
    assert "is read-only" in one_line_error(capsys, code)
    assert files_in(folder / "locked") == []


def test_write_image_turns_a_refused_temporary_file_into_a_clear_error(tmp_path, monkeypatch):
    def refuse(**kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(io.tempfile, "mkstemp", refuse)
    with pytest.raises(io.InpaintError, match="is read-only"):
        io.write_image(tmp_path / "out.png", np.zeros((2, 2), np.uint8))


@pytest.mark.parametrize("which", ["image", "mask"])
def test_a_file_that_is_not_an_image_is_named_without_decoder_internals(sample, capsys, which):
    folder, _, _ = sample
    (folder / "notes.png").write_text("shopping list")
    paths = {"image": folder / "photo.png", "mask": folder / "mask.png"}
    paths[which] = folder / "notes.png"
    code = main([str(paths["image"]), str(paths["mask"]), "-o", str(folder / "out.png")])
    err = one_line_error(capsys, code)
    assert f"the {which} file '{folder / 'notes.png'}': it is not an image (no reader" in err
    assert "backend" not in err and "iomode" not in err


@pytest.mark.parametrize("argv, message", [
    (["{d}/photo.png", "{d}/black.png"], "'{d}/black.png' marks no pixel as hole (white"),
    (["{d}/photo.png", "{d}/white.png"], "'{d}/white.png' marks every pixel as hole (white"),
    (["{d}/photo.png", "{d}/white.png", "--invert-mask"], "marks no pixel as hole (black"),
    (["--org_img", "{d}/photo.png", "--mask", "{d}/white.png"], "no pixel as hole (black"),
    (["--org_img", "{d}/photo.png", "--mask", "{d}/black.png"], "every pixel as hole (black"),
    (["{d}/opaque.png", "--mask-from-alpha"], "'{d}/opaque.png' marks no pixel as hole "
                                              "(transparent"),
], ids=["no-hole", "all-hole", "inverted", "seed-no-hole", "seed-all-hole", "alpha"])
def test_a_mask_of_one_colour_gives_one_line_naming_the_file(sample, capsys, argv, message):
    folder, image, _ = sample
    io.write_image(folder / "black.png", np.zeros((24, 24), np.uint8))
    io.write_image(folder / "white.png", np.full((24, 24), 255, np.uint8))
    io.write_image(folder / "opaque.png", np.dstack([image, np.full((24, 24), 255, np.uint8)]))
    before = files_in(folder)
    code = main([a.format(d=folder) for a in argv])
    assert message.format(d=folder) in one_line_error(capsys, code)
    assert files_in(folder) == before


@pytest.mark.parametrize("argv, message", [
    (["{d}/photo.png", "{d}/mask.png", "--bogus"], "graphinpaint: error: unrecognized "
                                                   "arguments: --bogus. See 'graphinpaint --help'"),
    (["{d}/photo.png", "{d}/mask.png", "--k", "three"], "argument --k: invalid int value"),
    (["batch", "{d}", "-o", "{d}", "--bogus"], "See 'graphinpaint batch --help'"),
    (["batch", "{d}"], "the following arguments are required: -o/--output"),
    (["serve", "--port", "http"], "See 'graphinpaint serve --help'"),
    (["serve", "--port", "-5"], "--port: must be a port number from 0 to 65535"),
    (["serve", "--port", "70000"], "--port: must be a port number from 0 to 65535"),
], ids=["unknown-option", "bad-int", "batch-unknown", "batch-no-output", "serve-bad-port",
        "serve-negative-port", "serve-port-too-large"])
def test_usage_errors_are_one_line(sample, capsys, argv, message):
    folder, _, _ = sample
    code = main([a.format(d=folder) for a in argv])
    assert message in one_line_error(capsys, code)


def test_a_tile_of_zero_is_refused(sample, capsys):
    folder, _, _ = sample
    code = main([str(folder / "photo.png"), str(folder / "mask.png"), "-o",
                 str(folder / "out.png"), "--tile", "0"])
    assert "'tile' parameter" in one_line_error(capsys, code)
    assert not (folder / "out.png").exists()


def test_the_seed_flags_honour_an_output_path(sample, capsys):
    folder, image, hole = sample
    io.write_image(folder / "seed_mask.png", np.where(hole, 0, 255).astype(np.uint8))
    assert main(["--org_img", str(folder / "photo.png"), "--mask", str(folder / "seed_mask.png"),
                 "-o", str(folder / "chosen.png"), "-q"]) == 0
    assert not (folder / "photo_inpainted.png").exists()
    np.testing.assert_array_equal(io.read_image(folder / "chosen.png")[~hole], image[~hole])


def test_the_seed_flags_take_an_output_folder_as_the_other_form_does(sample, capsys):
    """-o's help: "output file, or an existing folder (the input's name in it)"."""
    folder, image, hole = sample
    io.write_image(folder / "seed_mask.png", np.where(hole, 0, 255).astype(np.uint8))
    (folder / "out").mkdir()
    assert main(["--org_img", str(folder / "photo.png"), "--mask", str(folder / "seed_mask.png"),
                 "-o", str(folder / "out"), "-q"]) == 0, capsys.readouterr().err
    np.testing.assert_array_equal(io.read_image(folder / "out" / "photo.png")[~hole],
                                  image[~hole])


@pytest.mark.parametrize("flags", [["--p", "1"], ["--k", "9", "--strategy", "global"]])
def test_the_seed_flags_refuse_the_other_forms_options_rather_than_ignore_them(sample, capsys,
                                                                              flags):
    folder, _, hole = sample
    io.write_image(folder / "seed_mask.png", np.where(hole, 0, 255).astype(np.uint8))
    before = files_in(folder)
    code = main(["--org_img", str(folder / "photo.png"), "--mask", str(folder / "seed_mask.png"),
                 *flags])
    err = one_line_error(capsys, code)
    assert all(flag in err for flag in flags if flag.startswith("--")) and "--ps" in err
    assert files_in(folder) == before


def test_the_seed_s_flags_without_org_img_are_refused_rather_than_ignored(sample, capsys):
    folder, _, _ = sample
    code = main([str(folder / "photo.png"), str(folder / "mask.png"), "--ps", "5",
                 "--k_search", "400"])
    err = one_line_error(capsys, code)
    assert "--ps, --k_search" in err and "--patch-size" in err


def test_several_images_into_a_missing_folder_say_how_to_go_on(sample, capsys):
    folder, _, _ = sample
    (folder / "mask.png").rename(folder / "photo_mask.png")
    code = main([str(folder / "photo.png"), "--mask-suffix", "_mask", "-o", str(folder / "no")])
    assert "Create it first, or leave -o out" in one_line_error(capsys, code)


def test_a_glob_that_matches_the_masks_too_restores_the_images_only(sample, capsys):
    """README: ``graphinpaint IMG... --mask-suffix _mask``; a shell's scans/*.png lists the
    masks beside the images."""
    folder, image, hole = sample
    (folder / "mask.png").rename(folder / "photo_mask.png")
    code = main([str(folder / "photo.png"), str(folder / "photo_mask.png"),
                 "--mask-suffix", "_mask"])
    assert code == 0, capsys.readouterr().err
    assert not (folder / "photo_mask_inpainted.png").exists()
    np.testing.assert_array_equal(io.read_image(folder / "photo_inpainted.png")[~hole],
                                  image[~hole])


def test_the_same_glob_run_again_skips_the_outputs_of_the_first_run(sample, capsys):
    """scans/*.png after a first run lists photo_inpainted.png too: it is an output, not an
    image whose mask is missing."""
    folder, image, hole = sample
    (folder / "mask.png").rename(folder / "photo_mask.png")
    for _ in range(2):
        matched = sorted(str(p) for p in folder.glob("*.png"))      # as the shell expands it
        code = main([*matched, "--mask-suffix", "_mask", "-q"])
        assert code == 0, capsys.readouterr().err
    assert not (folder / "photo_inpainted_inpainted.png").exists()
    np.testing.assert_array_equal(io.read_image(folder / "photo_inpainted.png")[~hole],
                                  image[~hole])


def test_ctrl_c_gives_one_line_and_no_output(sample, capsys, monkeypatch):
    folder, _, _ = sample

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("graphinpaint.cli.inpaint", interrupted)
    code = main([str(folder / "photo.png"), str(folder / "mask.png"), "-o",
                 str(folder / "out.png")])
    err = capsys.readouterr().err
    assert code == 130 and err.strip() == ("graphinpaint: interrupted; the image being restored "
                                           "was not written.")
    assert not (folder / "out.png").exists()


def test_batch_into_a_missing_folder_is_one_line_naming_the_option(sample, capsys):
    folder, _, _ = sample
    code = main(["batch", str(folder / "photo.png"), "-o", str(folder / "missing")])
    assert f"-o '{folder / 'missing'}' is not an existing folder" in one_line_error(capsys, code)


def help_text(argv: list[str], capsys) -> str:
    assert main([*argv, "--help"]) == 0
    return capsys.readouterr().out


def examples_of(text: str) -> list[list[str]]:
    """The command lines of a help text's examples, as argument lists after 'graphinpaint'."""
    return [shlex.split(line)[1:] for line in text.splitlines()
            if line.startswith("  graphinpaint ")]


def test_the_help_names_the_subcommands(capsys):
    text = help_text([], capsys)
    assert "graphinpaint batch" in text and "graphinpaint serve" in text


def test_every_example_of_the_commands_help_runs(sample, capsys, monkeypatch):
    folder, image, hole = sample
    monkeypatch.chdir(folder)
    transparent = np.where(hole, 0, 255).astype(np.uint8)
    io.write_image("photo.png", np.dstack([image, transparent]))   # for --mask-from-alpha too
    io.write_image("scratches.png", np.where(hole, 255, 0).astype(np.uint8))
    io.write_image("photo.jpg", image)
    io.write_image("mask.png", transparent)                        # the seed's: black = hole
    Path("scans").mkdir()
    io.write_image("scans/a.png", image)
    io.write_image("scans/a_mask.png", np.where(hole, 255, 0).astype(np.uint8))
    examples = [argv for argv in examples_of(help_text([], capsys))
                if argv[0] not in ("batch", "serve")]
    assert len(examples) == 4
    for argv in examples:
        assert main([*argv, "-q"]) == 0, (argv, capsys.readouterr().err)
    assert all(Path(name).exists() for name in ("restored.png", "scans/a_inpainted.png",
                                                "photo_inpainted.png", "photo_inpainted.jpg"))


@pytest.mark.parametrize("name", ["", "batch", "serve"])
def test_every_option_says_what_it_does(name):
    from graphinpaint import batch, cli
    from graphinpaint.web import cli as serve

    parser = {"": cli._parser, "batch": batch._parser, "serve": serve._parser}[name]()
    assert [action.option_strings for action in parser._actions if not action.help] == []


@pytest.mark.parametrize("name", ["batch", "serve"])
def test_every_example_of_a_subcommands_help_parses(capsys, name):
    from graphinpaint import batch
    from graphinpaint.web import cli as serve

    parser = {"batch": batch._parser, "serve": serve._parser}[name]()
    examples = examples_of(help_text([name], capsys))
    assert len(examples) >= 2 and all(argv[0] == name for argv in examples)
    for argv in examples:
        parser.parse_args(argv[1:])          # a usage error would exit


@pytest.fixture
def without_dask(monkeypatch):
    """Dask as if not installed (``pip install graphinpaint`` without the dask extra)."""
    for module in ("dask", "dask.array", "distributed"):
        monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize("argv", [
    ["{d}/photo.png", "{d}/mask.png", "-o", "{d}/out.png", "--tile", "64"],
    ["batch", "{d}/photo.png", "-o", "{d}"],
], ids=["tile", "batch"])
def test_the_command_without_dask_says_how_to_install_it(sample, capsys, without_dask, argv):
    folder, _, _ = sample
    before = files_in(folder)
    code = main([a.format(d=folder) for a in argv])
    assert 'pip install "graphinpaint[dask]"' in one_line_error(capsys, code)
    assert files_in(folder) == before


def test_the_python_front_doors_without_dask_say_how_to_install_it(sample, without_dask):
    folder, image, hole = sample
    with pytest.raises(ImportError, match=r"inpaint_large needs dask.*graphinpaint\[dask\]"):
        gi.inpaint_large(image, hole, tile=64)
    with pytest.raises(ImportError, match=r"restore_many needs distributed"):
        gi.batch.restore_many([(folder / "photo.png", folder / "mask.png")], folder / "out")


# --- the Python API -------------------------------------------------------------------------------


def gradient_image() -> tuple[np.ndarray, np.ndarray]:
    """A 20 x 20 diagonal ramp of 0 to 1000 with a short scratch."""
    ramp = np.add.outer(np.arange(20), np.arange(20)) * (1000 / 38)
    hole = np.zeros((20, 20), bool)
    hole[9:11, 5:15] = True
    return ramp, hole


@pytest.mark.parametrize("dtype", [np.int32, np.uint32, np.int64, np.uint64])
def test_wide_integer_images_are_restored_as_their_float_values(dtype):
    ramp, hole = gradient_image()
    image = np.rint(ramp).astype(dtype)
    restored = gi.inpaint(image, hole)
    as_float = gi.inpaint(image.astype(np.float64), hole)
    assert restored.dtype == dtype
    np.testing.assert_array_equal(restored[~hole], image[~hole])
    assert np.abs(restored.astype(np.float64) - as_float).max() <= 0.5
    assert np.abs(restored.astype(np.float64) - ramp)[hole].max() < 30   # 3% of the range


@pytest.mark.parametrize("shape", [(0, 0), (0, 5, 3), (4, 4, 0)])
def test_an_empty_image_is_named_as_such(shape):
    image, hole = np.zeros(shape), np.zeros(shape[:2], bool)
    with pytest.raises(gi.InpaintError, match=r"'image' parameter of inpaint is empty"):
        gi.inpaint(image, hole)
    with pytest.raises(gi.InpaintError, match=r"'image' parameter of inpaint_large is empty"):
        gi.inpaint_large(image, hole, tile=16)


def test_the_seed_front_refuses_floats_outside_0_1_rather_than_clip_known_pixels():
    ramp, hole = gradient_image()
    with pytest.raises(gi.InpaintError, match=r"floats in \[0, 1000\].*graphinpaint.inpaint"):
        gi.Inpaint(ramp, ~hole, ps=3)(k_search=100, k_patch=3)
    in_range = gi.Inpaint(ramp / 1000, ~hole, ps=3)(k_search=100, k_patch=3)    # the same, scaled
    np.testing.assert_array_equal(in_range[~hole], ramp[~hole] / 1000)


def test_inpaint_large_returns_an_array_for_nested_lists_as_inpaint_does():
    ramp, hole = gradient_image()
    restored = gi.inpaint_large(ramp.tolist(), hole.tolist(), tile=16, scheduler="synchronous")
    assert isinstance(restored, np.ndarray)         # not a lazy dask array to compute
    np.testing.assert_array_equal(restored, gi.inpaint_large(ramp, hole, tile=16,
                                                             scheduler="synchronous"))


def test_inpaint_large_takes_a_tile_larger_than_the_image():
    """README: ``gi.inpaint_large(image, hole, tile=2048)`` on any photo under 1024 pixels."""
    ramp, hole = gradient_image()
    image = np.rint(ramp / 4).astype(np.uint8)
    one_tile = gi.inpaint_large(image, hole, tile=2048, scheduler="synchronous")
    # One tile is the whole image: inpaint's own result, which continues the ramp.
    np.testing.assert_array_equal(one_tile, gi.inpaint(image, hole, channel_axis=None))
    assert np.abs(one_tile.astype(int) - np.rint(ramp / 4))[hole].max() <= 1


@pytest.mark.parametrize("pairs", [["{d}/photo.png"], [("{d}/photo.png",)], "{d}/photo.png"],
                         ids=["paths", "one-tuple", "a-string"])
def test_restore_many_names_pairs_that_are_not_pairs(sample, pairs):
    folder, _, _ = sample
    (folder / "out").mkdir()
    pairs = pairs.format(d=folder) if isinstance(pairs, str) else [
        p.format(d=folder) if isinstance(p, str) else (p[0].format(d=folder),) for p in pairs]
    with pytest.raises(gi.InpaintError, match=r"'pairs' parameter of restore_many must hold "
                                              r"\(image, mask\) pairs.*at position 0"):
        gi.batch.restore_many(pairs, folder / "out")


def test_restore_many_lists_only_public_options(sample):
    folder, _, _ = sample
    with pytest.raises(gi.InpaintError, match="unknown inpaint options") as error:
        gi.batch.restore_many([], folder, patch=7)
    assert "'patch_size'" in str(error.value) and "_thick" not in str(error.value)


def test_restore_many_runs_on_a_client_that_is_not_dask_s_default(sample):
    """As the batch command's --scheduler client is: no default client to lean on."""
    distributed = require("distributed")
    folder, image, hole = sample
    (folder / "out").mkdir()
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as \
            cluster, distributed.Client(cluster, set_as_default=False) as client:
        records = gi.batch.restore_many([(folder / "photo.png", folder / "mask.png")],
                                        folder / "out", client=client)
    assert [record.status for record in records] == ["done"]
    np.testing.assert_array_equal(io.read_image(folder / "out" / "photo.png"),
                                  gi.inpaint(image, hole))


def test_restore_many_given_an_address_for_client_says_how_to_connect(sample):
    require("distributed")
    folder, _, _ = sample
    (folder / "out").mkdir()
    with pytest.raises(gi.InpaintError, match=r"'client' parameter of restore_many must be a "
                                              r"distributed.Client.*Client\('tcp://x:8786'\)"):
        gi.batch.restore_many([(folder / "photo.png", folder / "mask.png")], folder / "out",
                              client="tcp://x:8786")
    assert not (folder / "out" / "photo.png").exists()


def test_restore_many_in_a_starting_worker_says_to_guard_the_script(sample, monkeypatch):
    """A script that calls restore_many at its top level runs again in every worker process
    Dask spawns; there the call must stop with the fix, not start another cluster."""
    import multiprocessing

    class Starting:
        _inheriting = True          # what multiprocessing sets while a child imports __main__

    folder, _, _ = sample
    (folder / "out").mkdir()
    monkeypatch.setattr(multiprocessing, "current_process", Starting)
    with pytest.raises(gi.InpaintError, match=r'if __name__ == "__main__":'):
        gi.batch.restore_many([(folder / "photo.png", folder / "mask.png")], folder / "out")
    assert files_in(folder / "out") == []


def test_a_local_cluster_that_fails_to_start_names_the_likely_cause(sample, monkeypatch):
    def nanny_fails(workers):
        raise RuntimeError("Nanny failed to start.")

    folder, _, _ = sample
    (folder / "out").mkdir()
    monkeypatch.setattr(gi.batch, "_start_local_cluster", nanny_fails)
    with pytest.raises(RuntimeError, match=r"Nanny failed to start.*if __name__ =="):
        gi.batch.restore_many([(folder / "photo.png", folder / "mask.png")], folder / "out")


@pytest.mark.parametrize("which", ["image", "mask"])
@pytest.mark.parametrize("front, as_path", [("inpaint", str), ("inpaint_large", Path)])
def test_a_path_where_an_array_belongs_says_how_to_read_it(sample, which, front, as_path):
    folder, image, hole = sample
    arguments = {"image": image, "mask": hole}
    arguments[which] = as_path(folder / f"{which}.png")
    reader = "read_mask" if which == "mask" else "read_image"
    with pytest.raises(gi.InpaintError, match=rf"'{which}' parameter of {front} must be an "
                                              rf"array.*graphinpaint.io.{reader}\(path\)"):
        getattr(gi, front)(arguments["image"], arguments["mask"])


@pytest.mark.parametrize("which", ["image", "mask"])
@pytest.mark.parametrize("front", ["inpaint", "inpaint_large"])
def test_ragged_nested_lists_are_named_as_the_parameter_they_are(which, front):
    arguments = {"image": np.zeros((4, 4)).tolist(), "mask": np.zeros((4, 4), bool).tolist()}
    arguments[which] = [[0, 1, 0, 0], [0, 1], [0, 0, 0, 0], [0, 0, 0, 0]]
    with pytest.raises(gi.InpaintError, match=rf"^The '{which}' parameter of {front} must be an "
                                              r"array.*rows of unequal lengths"):
        getattr(gi, front)(arguments["image"], arguments["mask"])


def test_a_colour_mask_array_points_to_read_mask(sample):
    """imageio.imread of a mask saved as RGB gives (H, W, 3)."""
    folder, image, hole = sample
    with pytest.raises(gi.InpaintError, match=r"Got \(24, 24, 3\) instead. Read a mask file "
                                              r"with graphinpaint.io.read_mask"):
        gi.inpaint(image, np.dstack([hole] * 3))


def test_dir_shows_the_lazy_front_doors():
    """Tab completion on ``gi.`` lists inpaint_large and batch, loaded only when used."""
    names = dir(gi)
    assert {"inpaint_large", "batch", "inpaint", "solve_dirichlet", "Inpaint"} <= set(names)
    assert all(hasattr(gi, name) for name in gi.__all__)


# --- the code of README.md and docs/ that the other tests do not run ------------------------------


ROOT = Path(__file__).resolve().parents[1]


PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def code_blocks(page: Path, language: str) -> list[str]:
    return [body for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", page.read_text(),
                                              re.S | re.M) if lang == language]


def shell_commands() -> list[tuple[str, str]]:
    """(page, command) for each ``graphinpaint`` command line of the pages' shell blocks that
    names real files: not the templates (IMAGE MASK), not the servers, clusters and stores."""
    found = []
    for page in PAGES:
        for block in code_blocks(page, "bash") + code_blocks(page, ""):
            for line in block.splitlines():
                command = line.split(" && ")[-1].split("#")[0].strip()
                if (command.startswith("graphinpaint ")
                        and not re.search(r"\b[A-Z]{3,}\b|serve|batch|scheduler", command)):
                    found.append((page.name, command.replace("[", "").replace("]", "")))
    return found


@pytest.fixture
def user_folder(tmp_path, monkeypatch):
    """A folder laid out as the docs assume: examples/ (a link), photo.png and mask.png, the
    seed's photo.jpg, scans/ with masks beside, restored/, scene.tif with gaps.png."""
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    image = io.read_image(DATA / "astronaut.png")[:32, 64:96]
    hole = io.read_mask(DATA / "astronaut_scratches.png")[:32, 64:96]
    white = np.where(hole, 255, 0).astype(np.uint8)
    for name in ("photo.png", "scans/a.png", "scene.tif", "photo.jpg"):
        Path(name).parent.mkdir(exist_ok=True)
        io.write_image(name, image)
    for name in ("scans/a_mask.png", "gaps.png", "mask.png"):
        io.write_image(name, white)
    Path("restored").mkdir()
    return tmp_path


@pytest.mark.parametrize("page, command", shell_commands())
def test_the_docs_shell_commands_run_as_written(user_folder, page, command, capsys):
    require("dask")
    if "--org_img" in command or "--invert-mask" in command:
        black_hole_mask()
    assert main(shlex.split(command)[1:]) == 0, capsys.readouterr()


def black_hole_mask() -> None:
    """mask.png drawn the other way round, as the seed's masks are: black = hole."""
    io.write_image("mask.png", 255 - io.read_image("mask.png"))


def test_the_readmes_python_runs_as_written(user_folder):
    require("dask")
    image = io.read_image("photo.png")
    io.write_image("scratches.png", io.read_image("mask.png"))
    black_hole_mask()                                           # for the seed's Inpaint
    namespace = {"__name__": "readme"}
    for block in code_blocks(ROOT / "README.md", "python"):
        exec(compile(block, "README.md", "exec"), namespace)
    hole = io.read_mask("scratches.png")
    np.testing.assert_array_equal(io.read_image("restored.png")[~hole], image[~hole])
    assert namespace["big"].shape == image.shape and namespace["img"].shape == image.shape
