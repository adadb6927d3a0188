"""``graphinpaint serve`` as a real server on the loopback address: start, stop, clean-up, load."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint.cli import main
from graphinpaint.io import decode_image
from graphinpaint.web.handling import encode_png

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


class Server:
    """``python -m graphinpaint serve --port 0`` in a child process with its own TMPDIR."""

    def __init__(self, tmp: Path, *args: str) -> None:
        self.tmp = tmp
        env = dict(os.environ, TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graphinpaint", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.banner = self.process.stdout.readline().strip()
        if not self.banner.startswith("graphinpaint serve: http://"):
            self.process.kill()
            raise AssertionError(f"no address printed: {self.banner!r} "
                                 f"{self.process.stderr.read()[-2000:]}")
        self.url = self.banner.split()[2].rstrip("/")

    def stop(self, stop: int = signal.SIGINT) -> int:
        self.process.send_signal(stop)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.process.stdout.close()
            self.process.stderr.close()

    def peak_memory_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM"))
        return int(line.split()[1]) / 1024


@pytest.fixture
def server_tmp():
    with tempfile.TemporaryDirectory(prefix="gi-serve-test-") as folder:
        yield Path(folder)


def _request(url: str, data: bytes | None = None, content_type: str | None = None) -> dict:
    request = urllib.request.Request(url, data=data)
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = answer.read()
    return json.loads(body) if body[:1] == b"{" else {"bytes": body}


def _multipart(files: dict[str, bytes], fields: dict[str, str] | None = None):
    boundary = uuid.uuid4().hex
    parts = []
    for name, content in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{name}.png"\r\nContent-Type: image/png\r\n\r\n'.encode()
                     + content + b"\r\n")
    for name, value in (fields or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f'{value}\r\n'.encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


def _run_job(url: str, image: np.ndarray, hole: np.ndarray) -> dict:
    body, kind = _multipart({"image": encode_png(image),
                             "mask": encode_png(np.where(hole, 255, 0).astype(np.uint8))})
    job = _request(f"{url}/api/jobs", body, kind)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = _request(f"{url}/api/jobs/{job['id']}")
        if status["state"] not in ("queued", "running"):
            break
        time.sleep(0.05)
    if status["state"] == "done":
        status["result"] = _request(f"{url}/api/jobs/{job['id']}/result")["bytes"]
    return status


def _case(index: int) -> tuple[np.ndarray, np.ndarray]:
    """Small different crops and scratches: 64 x 64 RGB."""
    photo = gi.io.read_image(DATA / "astronaut.png")
    row, col = 16 * (index % 8), 16 * (index // 8)
    image = photo[row:row + 64, col:col + 64]
    hole = np.zeros((64, 64), bool)
    hole[20 + index % 5:24 + index % 5, 8:56] = True
    return image, hole


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "term"])
def test_serve_prints_a_loopback_address_and_stopping_leaves_no_temporary_files(server_tmp,
                                                                                stop):
    server = Server(server_tmp, "--workers", "1")
    try:
        assert server.url.startswith("http://127.0.0.1:")
        assert _request(f"{server.url}/api/config")["options"][0]["name"] == "p"
        image, hole = _case(0)
        body, kind = _multipart({"image": encode_png(image)})
        _request(f"{server.url}/api/images", body, kind)        # an upload kept on disk
        assert any(server_tmp.iterdir())
        big_hole = np.zeros((64, 64), bool)
        big_hole[8:56, 8:56] = True
        body, kind = _multipart({"image": encode_png(image),
                                 "mask": encode_png(np.where(big_hole, 255, 0).astype(np.uint8))})
        _request(f"{server.url}/api/jobs", body, kind)          # stopped mid-way, or queued
    finally:
        code = server.stop(stop)
    assert code == 0
    assert list(server_tmp.iterdir()) == []


def test_load_twenty_concurrent_jobs_on_two_workers(server_tmp):
    server = Server(server_tmp, "--workers", "2")
    cases = [_case(i) for i in range(20)]
    results: list[dict | None] = [None] * 20
    try:
        _run_job(server.url, *cases[0])                          # warm: numba, imports
        warm_peak = server.peak_memory_mb()

        def client(index: int) -> None:
            results[index] = _run_job(server.url, *cases[index])

        threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        peak = server.peak_memory_mb()
    finally:
        assert server.stop() == 0
    assert all(result is not None and result["state"] == "done" for result in results), \
        [result and result.get("error") for result in results]
    by_arrival = sorted(results, key=lambda result: result["arrival"])
    assert [result["start_order"] for result in by_arrival] == \
        sorted(result["start_order"] for result in results)       # first come, first served
    for (image, hole), result in zip(cases, results):
        np.testing.assert_array_equal(decode_image(result["result"]), gi.inpaint(image, hole))
    # 20 jobs queue instead of running at once: the peak grows by little over one job's.
    print(f"server peak memory: {warm_peak:.0f} MB after one job, {peak:.0f} MB after 20")
    assert peak - warm_peak < 100


def test_the_graphinpaint_command_dispatches_serve(capsys):
    assert main(["serve", "--help"]) == 0
    assert "--open" in capsys.readouterr().out


def test_serve_without_flask_names_the_extra_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "flask", None)         # import flask raises ImportError
    assert main(["serve", "--port", "0"]) == 2
    assert 'pip install "graphinpaint[web]"' in capsys.readouterr().err


def test_serve_refuses_a_port_in_use(server_tmp, capsys):
    server = Server(server_tmp, "--workers", "1")
    try:
        port = server.url.rsplit(":", 1)[1]
        assert main(["serve", "--port", port]) == 2
        assert "choose another --port" in capsys.readouterr().err
    finally:
        server.stop()


@pytest.mark.parametrize("flag, value", [("--expire-after", "nan"), ("--abandon-after", "-1"),
                                         ("--expire-after", "0"), ("--abandon-after", "soon")])
def test_serve_refuses_times_that_are_not_positive_seconds(capsys, flag, value):
    assert main(["serve", flag, value]) == 2
    assert f"{flag}: must be a positive number of seconds, got '{value}'" in \
        capsys.readouterr().err


def test_open_opens_the_printed_address_in_the_browser(monkeypatch, capsys):
    import webbrowser

    from werkzeug.serving import BaseWSGIServer

    opened: list[str] = []

    def serve_then_ctrl_c(self, poll_interval=0.5):
        time.sleep(1.0)                      # --open waits 0.5 s for the server to listen
        raise KeyboardInterrupt

    monkeypatch.setattr(webbrowser, "open", opened.append)
    monkeypatch.setattr(BaseWSGIServer, "serve_forever", serve_then_ctrl_c)
    handler = signal.getsignal(signal.SIGTERM)
    assert main(["serve", "--port", "0", "--open", "--workers", "1"]) == 0
    assert signal.getsignal(signal.SIGTERM) is handler       # the server's handler is gone
    printed = capsys.readouterr().out.split()[2]
    assert opened == [printed] and printed.startswith("http://127.0.0.1:")
