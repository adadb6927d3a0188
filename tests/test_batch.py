"""Batches on Dask: outputs equal inpaint's, isolated failures, resume, worker loss, the command."""

import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from _optional import require

distributed = require("distributed")

import graphinpaint as gi  # noqa: E402
from graphinpaint import _batch_task, batch, io  # noqa: E402
from graphinpaint.cli import main  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"
SIDE = 48


def _scratches(rng, side=SIDE):
    """Two random straight scratches, 2 pixels wide."""
    hole = np.zeros((side, side), bool)
    ys, xs = np.mgrid[:side, :side]
    for _ in range(2):
        angle, offset = rng.uniform(0, np.pi), rng.uniform(0.3, 0.7) * side
        distance = (xs - side / 2) * np.sin(angle) - (ys - side / 2) * np.cos(angle)
        hole |= np.abs(distance - offset + side / 2) < 1.0
    return hole


def _make_images(folder: Path, count: int, seed: int = 0) -> list[tuple[Path, Path]]:
    """``count`` crops of the astronaut sample with scratch masks (white = hole)."""
    rng = np.random.default_rng(seed)
    source = io.read_image(DATA / "astronaut.png")
    pairs = []
    for i in range(count):
        y, x = rng.integers(0, source.shape[0] - SIDE, 2)
        image, mask = folder / f"img{i:02d}.png", folder / f"img{i:02d}_mask.png"
        io.write_image(image, source[y:y + SIDE, x:x + SIDE])
        io.write_image(mask, np.where(_scratches(rng), 255, 0).astype(np.uint8))
        pairs.append((image, mask))
    return pairs


def _expected(image: Path, mask: Path) -> np.ndarray:
    return gi.inpaint(io.read_image(image), io.read_mask(mask))


@pytest.fixture(scope="module")
def client():
    cluster = batch._start_local_cluster(2)
    with distributed.Client(cluster) as client:
        yield client
    cluster.close()


def test_local_workers_run_without_dasks_malloc_trim_threshold(client):
    """Dask's default MALLOC_TRIM_THRESHOLD_ makes every restore cost about a fifth more CPU."""
    settings = client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
    assert list(settings.values()) == [None, None]
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ or os.environ["MALLOC_TRIM_THRESHOLD_"] \
        != "65536"      # nor was it leaked into this process by the nannies


def test_a_task_runs_numba_on_one_thread_and_restores_the_callers_count():
    import numba

    before = numba.get_num_threads()
    with _batch_task._numba_threads(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before


@pytest.fixture
def folders(tmp_path):
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir(), outputs.mkdir()
    return inputs, outputs


def test_batch_equals_inpaint_and_isolates_a_corrupt_image_and_a_wrong_size_mask(client,
                                                                                 folders):
    inputs, outputs = folders
    pairs = _make_images(inputs, 18)
    corrupt = inputs / "corrupt.png"
    corrupt.write_bytes(pairs[0][0].read_bytes()[:200])              # a truncated PNG
    small_mask = inputs / "small_mask.png"
    io.write_image(small_mask, np.zeros((20, 20), np.uint8))
    wrong_size = inputs / "wrong.png"
    io.write_image(wrong_size, io.read_image(pairs[1][0]))
    records = batch.restore_many(pairs + [(corrupt, pairs[0][1]), (wrong_size, small_mask)],
                                 outputs, client=client)
    assert [r.status for r in records] == ["done"] * 18 + ["failed"] * 2
    assert "corrupt.png" in records[18].error and "truncated or damaged" in records[18].error
    assert "20 x 20" in records[19].error and "48 x 48" in records[19].error
    for (image, mask), record in zip(pairs, records):
        np.testing.assert_array_equal(io.read_image(record.output), _expected(image, mask))
        assert 0 < record.hole_share < 0.5 and record.seconds > 0
    assert not (outputs / "corrupt.png").exists() and not (outputs / "wrong.png").exists()
    assert sorted(p.name for p in outputs.iterdir()) == sorted(p.name for p, _ in pairs)


def test_rerun_skips_complete_outputs_and_redoes_missing_and_partial_ones(client, folders):
    inputs, outputs = folders
    pairs = _make_images(inputs, 6, seed=1)
    batch.restore_many(pairs[:4], outputs, client=client)           # "interrupted" after 4
    partial = outputs / pairs[3][0].name
    partial.write_bytes(partial.read_bytes()[:150])                 # a half-written output
    untouched = {p.name: os.stat(outputs / p.name) for p, _ in pairs[:3]}
    records = batch.restore_many(pairs, outputs, client=client)
    assert [r.status for r in records] == ["skipped"] * 3 + ["done"] * 3
    for name, before in untouched.items():                          # not rewritten
        after = os.stat(outputs / name)
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    for image, mask in pairs:
        np.testing.assert_array_equal(io.read_image(outputs / image.name), _expected(image, mask))


def test_a_worker_killed_mid_batch_loses_nothing(folders):
    inputs, outputs = folders
    pairs = _make_images(inputs, 16, seed=2)
    cluster = batch._start_local_cluster(2)
    with distributed.Client(cluster) as client:
        victim = next(iter(client.run(os.getpid).values()))
        killed = []

        def kill_once(record, counts):
            if not killed and counts["done"] >= 2:
                os.kill(victim, signal.SIGKILL)                     # its running task is lost
                killed.append(counts["remaining"])

        records = batch.restore_many(pairs, outputs, client=client, progress=kill_once)
        assert killed and killed[0] > 2
        assert victim not in client.run(os.getpid).values()         # the nanny started anew
    cluster.close()
    assert all(r.status in ("done", "skipped") for r in records)
    # One record per image, none lost or doubled. How many are "skipped" depends on timing:
    # every task whose output the victim wrote but whose record had not reached the client yet
    # is run again and finds its output complete (more of them on a loaded machine).
    assert sorted(r.input for r in records) == sorted(str(image) for image, _ in pairs)
    assert any(r.status == "done" for r in records)
    for image, mask in pairs:
        np.testing.assert_array_equal(io.read_image(outputs / image.name), _expected(image, mask))
    assert sorted(p.name for p in outputs.iterdir()) == sorted(p.name for p, _ in pairs)


def test_the_staging_files_a_killed_attempt_leaves_are_removed_after_the_batch(tmp_path):
    done, unfinished = tmp_path / "done.png", tmp_path / "unfinished.png"
    io.write_image(done, np.zeros((4, 4), np.uint8))
    hexes = "0123456789abcdef" * 2
    leftovers = [f".done.{hexes}.png"]
    kept = [f".unfinished.{hexes}.png",              # its output is not there: keep the work
            ".graphinpaint-other.png-x9.png",        # another writer's temporary file
            "notes.txt"]
    for name in leftovers + kept:
        (tmp_path / name).write_bytes(b"partial")
    batch._remove_leftovers([str(done), str(unfinished)])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept + ["done.png"])


def test_an_output_is_written_once_when_two_attempts_race(tmp_path):
    path = tmp_path / "out.png"
    first, second = np.zeros((4, 4), np.uint8), np.full((4, 4), 9, np.uint8)
    assert _batch_task._write_once(str(path), first, inputs=())
    inode = os.stat(path).st_ino
    assert not _batch_task._write_once(str(path), second, inputs=())   # the later attempt yields
    assert os.stat(path).st_ino == inode
    np.testing.assert_array_equal(io.read_image(path), first)
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]     # no staging file left


def test_options_and_folders_are_checked_before_any_task(tmp_path):
    with pytest.raises(gi.InpaintError, match="existing folder"):
        batch.restore_many([], tmp_path / "missing")
    with pytest.raises(gi.InpaintError, match="unknown inpaint options.*'ps'"):
        batch.restore_many([], tmp_path, ps=7)
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    with pytest.raises(gi.InpaintError, match="share the file name 'x.png'"):
        batch.restore_many([(tmp_path / "a" / "x.png", None), (tmp_path / "b" / "x.png", None)],
                           tmp_path)


def test_batch_command_reports_failures_in_its_exit_code_and_json(client, folders, capsys,
                                                                  monkeypatch):
    inputs, outputs = folders
    pairs = _make_images(inputs, 3, seed=3)
    pairs[2][1].unlink()                                             # one image without mask
    monkeypatch.setattr(distributed, "Client", lambda address, **options: client)
    files = [str(p) for p in sorted(inputs.iterdir())]              # as a shell glob: masks too
    code = main(["batch", *files, "-o", str(outputs), "--scheduler", "tcp://x:1"])
    assert code == 1
    report = json.loads((outputs / "graphinpaint-report.json").read_text())
    assert report["summary"] == {"done": 2, "skipped": 0, "failed": 1,
                                 "seconds": report["summary"]["seconds"]}
    failed = [row for row in report["images"] if row["status"] == "failed"]
    assert failed[0]["input"].endswith("img02.png") and "does not exist" in failed[0]["error"]
    err = capsys.readouterr().err
    assert "2 restored, 0 skipped" in err and "1 failed" in err and "images/s" in err


def test_batch_command_takes_the_main_commands_p_and_patch_default():
    options = batch._inpaint_options(batch._parser().parse_args(["x", "-o", "y", "--p", "inf"]))
    # No patch size given: inpaint chooses (11 for thick holes), as the main command does.
    assert options["p"] == np.inf and options["patch_size"] is None
    with pytest.raises(SystemExit):
        batch._parser().parse_args(["x", "-o", "y", "--p", "0.5"])


@pytest.mark.parametrize("fill, message", [
    (0, "marks no pixel as hole (white = hole): there is nothing to restore"),
    (255, "marks every pixel as hole (white = hole)"),
])
def test_a_mask_of_one_colour_fails_its_image_as_the_command_refuses_it(tmp_path, fill,
                                                                        message):
    """Not a copy of the input reported "done": the file is likely the wrong one."""
    (image, _), = _make_images(tmp_path, 1)
    mask = tmp_path / "blank_mask.png"
    io.write_image(mask, np.full((SIDE, SIDE), fill, np.uint8))
    output = tmp_path / "out.png"
    settings = dict(convention="white-hole", invert_mask=False, options={})
    record = _batch_task._restore_one(str(image), str(mask), str(output), settings)
    assert record.status == "failed" and not output.exists()
    assert f"The mask file '{mask}' {message}" in record.error


def test_ctrl_c_in_the_batch_command_gives_one_line_saying_how_to_resume(folders, capsys,
                                                                         monkeypatch):
    inputs, outputs = folders
    _make_images(inputs, 1)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "restore_many", interrupted)
    code = main(["batch", str(inputs), "-o", str(outputs), "-q"])
    err = capsys.readouterr().err
    assert code == 130 and "Traceback" not in err
    assert err.strip() == ("graphinpaint batch: interrupted; the outputs written so far are "
                           "complete: rerun the same command to restore the rest.")


@pytest.mark.parametrize("address", ["nonsense", "tcp://127.0.0.1:notaport"])
def test_a_malformed_scheduler_address_is_one_line_with_an_example(folders, capsys, address):
    import dask

    inputs, outputs = folders
    _make_images(inputs, 1)
    before = dask.config.get("scheduler", None)
    code = main(["batch", str(inputs), "-o", str(outputs), "--scheduler", address])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err, err
    assert f"Cannot reach the Dask scheduler at '{address}'" in err and "tcp://" in err
    # The failed Client is not left as dask's scheduler for this process's later computations.
    assert dask.config.get("scheduler", None) == before
