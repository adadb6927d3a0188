"""Batches from and to fsspec URLs: outputs equal inpaint's, resume, the missing-fsspec message."""

import builtins
import json
import uuid
from pathlib import Path

import numpy as np
import pytest

from _optional import require

distributed = require("distributed")
fsspec = require("fsspec")

import graphinpaint as gi  # noqa: E402
from graphinpaint import batch, io  # noqa: E402
from graphinpaint._validation import InpaintError  # noqa: E402
from graphinpaint.cli import main  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"
SIDE = 40


@pytest.fixture(scope="module")
def client():
    """Threads in this process: they share its memory:// file system (worker processes do not)."""
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=":0") as client:
        yield client


@pytest.fixture
def memory_folder():
    """A fresh memory:// folder holding three images with scratch masks, and an output folder."""
    root = f"memory://batch-{uuid.uuid4().hex[:8]}"
    memory = fsspec.filesystem("memory")
    rng = np.random.default_rng(3)
    source = io.read_image(DATA / "astronaut.png")
    pairs = []
    for i in range(3):
        y, x = rng.integers(0, source.shape[0] - SIDE, 2)
        hole = np.zeros((SIDE, SIDE), bool)
        hole[rng.integers(5, SIDE - 5), :] = True            # a scratch across the image
        hole[:, rng.integers(5, SIDE - 5)] = True
        image, mask = f"{root}/in/img{i}.png", f"{root}/in/img{i}_mask.png"
        memory.pipe_file(image, io.encode_image(source[y:y + SIDE, x:x + SIDE]))
        memory.pipe_file(mask, io.encode_image(np.where(hole, 255, 0).astype(np.uint8)))
        pairs.append((image, mask))
    memory.makedirs(f"{root}/out", exist_ok=True)
    yield root, pairs
    memory.rm(root.removeprefix("memory://"), recursive=True)


def _decoded(url):
    with fsspec.open(url, "rb") as file:
        return io.decode_image(file.read())


def test_memory_batch_equals_inpaint_and_writes_no_staging_files(client, memory_folder):
    root, pairs = memory_folder
    records = batch.restore_many(pairs, f"{root}/out", client=client)
    assert [r.status for r in records] == ["done"] * 3, [r.error for r in records]
    for (image, mask), record in zip(pairs, records):
        expected = gi.inpaint(_decoded(image), io.read_mask(_decoded(mask)), channel_axis=-1)
        np.testing.assert_array_equal(_decoded(record.output), expected)
    written = fsspec.filesystem("memory").ls(f"{root}/out", detail=False)
    assert sorted(name.rsplit("/", 1)[1] for name in written) == ["img0.png", "img1.png",
                                                                 "img2.png"]


def test_rerun_skips_complete_outputs_and_redoes_a_truncated_one(client, memory_folder):
    root, pairs = memory_folder
    first = batch.restore_many(pairs, f"{root}/out", client=client)
    memory = fsspec.filesystem("memory")
    right = _decoded(first[0].output)
    complete = memory.cat_file(first[0].output)
    memory.pipe_file(first[0].output, complete[:len(complete) // 3])      # a partial output
    kept = memory.cat_file(first[1].output)
    second = batch.restore_many(pairs, f"{root}/out", client=client)
    assert [r.status for r in second] == ["done", "skipped", "skipped"]
    np.testing.assert_array_equal(_decoded(second[0].output), right)
    assert memory.cat_file(first[1].output) == kept


def test_command_on_file_urls_with_worker_processes(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir(), out.mkdir()
    image = np.random.default_rng(0).integers(0, 256, (24, 24, 3), np.uint8)
    hole = np.zeros((24, 24), bool)
    hole[10:13, 4:20] = True
    io.write_image(folder / "a.png", image)
    io.write_image(folder / "a_mask.png", np.where(hole, 255, 0).astype(np.uint8))
    code = main(["batch", f"file://{folder}", "-o", f"file://{out}", "--workers", "1", "-q"])
    assert code == 0
    np.testing.assert_array_equal(io.read_image(out / "a.png"), gi.inpaint(image, hole,
                                                                           channel_axis=-1))
    assert (out / "graphinpaint-report.json").exists()


def test_output_url_equal_to_an_input_is_refused(memory_folder):
    root, pairs = memory_folder
    with pytest.raises(InpaintError, match="would be its input"):
        batch.restore_many(pairs[:1], f"{root}/in", client=object())


def test_a_url_without_fsspec_says_how_to_install_it(monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_fsspec(name, *args, **kwargs):
        if name.split(".")[0] == "fsspec":
            raise ImportError("No module named 'fsspec'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_fsspec)
    with pytest.raises(InpaintError, match=r"needs fsspec: `pip install fsspec`"):
        batch.restore_many([("memory://x/a.png", None)], tmp_path, client=object())


def test_command_lists_a_memory_folder_and_writes_the_report_there(client, memory_folder,
                                                                   monkeypatch):
    """Through --scheduler, answered by the threads cluster in this process (it shares memory://)."""
    root, pairs = memory_folder
    monkeypatch.setattr(distributed, "Client", lambda address, **options: client)
    code = main(["batch", f"{root}/in", "-o", f"{root}/out", "--scheduler", "tcp://x:1", "-q"])
    assert code == 0
    with fsspec.open(f"{root}/out/graphinpaint-report.json", "rt") as file:
        report = json.load(file)
    assert report["summary"]["done"] == 3
    assert sorted(row["input"].rsplit("/", 1)[1] for row in report["images"]) == [
        "img0.png", "img1.png", "img2.png"]             # the masks are not restored as images
    image, mask = pairs[2]
    expected = gi.inpaint(_decoded(image), io.read_mask(_decoded(mask)), channel_axis=-1)
    np.testing.assert_array_equal(_decoded(f"{root}/out/img2.png"), expected)


def test_a_corrupt_url_and_a_missing_mask_fail_alone_with_their_messages(client, memory_folder):
    root, pairs = memory_folder
    memory = fsspec.filesystem("memory")
    memory.pipe_file(pairs[0][0], b"\x89PNG not really")
    pairs = [pairs[0], (pairs[1][0], f"{root}/in/absent_mask.png"), pairs[2]]
    records = batch.restore_many(pairs, f"{root}/out", client=client)
    assert [r.status for r in records] == ["failed", "failed", "done"]
    assert pairs[0][0] in records[0].error
    assert "absent_mask.png' does not exist" in records[1].error
