"""A bounded pool of worker threads that restore images, with progress, cancellation and expiry.

* Jobs run in order of arrival on ``workers`` threads (one per core by default): a second user
  queues behind the first instead of starving it. The numerics (NumPy, SciPy, numba) release
  the GIL for their heavy loops.
* Progress comes from :func:`graphinpaint.inpaint`'s ``progress(done, total)`` callback. The same
  callback stops a job: it raises :class:`Cancelled` when the job was cancelled, or when its
  client has not asked about it for ``abandon_after`` seconds (a closed tab, a dropped
  connection), so that no worker stays busy for a client that has gone.
* Uploads and results live in one private temporary folder, under random names that the
  server makes (``secrets.token_urlsafe``: a job id cannot be guessed from another); they expire
  ``expire_after`` seconds after their last use, and :meth:`JobPool.close` removes the folder.
"""

from __future__ import annotations

import itertools
import logging
import os
import queue
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .._validation import InpaintError
from .. import io
from ._threadwarnings import recorded_warnings
from .handling import RequestError, Task, Upload, run_task

__all__ = ["Cancelled", "Job", "JobPool"]

_log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised from a progress callback to stop :func:`graphinpaint.inpaint` mid-way."""


@dataclass
class Job:
    """One restoration in the pool: its state, progress and result."""

    id: str
    name: str
    arrival: int                        # order of submission
    task: Task | None = None            # dropped once run, so the pool keeps no image
    state: str = "queued"               # queued, running, done, failed, cancelled
    done: int = 0
    total: int = 0
    start_order: int | None = None      # order in which workers took the jobs
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    result: Path | None = None
    last_seen: float = field(default_factory=time.monotonic)
    finished: float | None = None
    cancel_requested: threading.Event = field(default_factory=threading.Event)

    def status(self, position: int | None = None) -> dict:
        """What a client sees: ``{"id", "state", "done", "total", ...}``."""
        answer = dict(id=self.id, state=self.state, done=self.done, total=self.total,
                      arrival=self.arrival, start_order=self.start_order,
                      warnings=list(self.warnings))
        if self.error is not None:
            answer["error"] = self.error
        if position is not None:
            answer["position"] = position
        return answer


@dataclass
class _StoredUpload:
    path: Path
    filename: str
    last_seen: float = field(default_factory=time.monotonic)


class JobPool:
    """Worker threads, a FIFO queue, and the files of uploads and results.

    Parameters
    ----------
    workers : int, optional
        Worker threads; default one per core.
    expire_after : float, default 600
        Seconds after which a finished result, or an upload nobody used, is deleted.
    abandon_after : float, default 60
        Seconds without a status request after which a queued or running job is cancelled.
    max_queued : int, default 100
        Jobs that may wait at once; beyond, :meth:`submit` answers 503 (each waiting job holds
        its image in memory).
    max_uploads : int, default 50
        Uploads kept at once; a new one deletes the one used longest ago, so that a client
        uploading in a loop cannot fill the disk (at most ``max_uploads`` x the byte limit).
    run : callable, optional
        ``run(task, progress) -> image``; default :func:`graphinpaint.web.handling.run_task`.
    """

    def __init__(self, *, workers: int | None = None, expire_after: float = 600.0,
                 abandon_after: float = 60.0, max_queued: int = 100, max_uploads: int = 50,
                 run: Callable[..., object] | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1. Got {workers}.")
        self.expire_after, self.abandon_after = float(expire_after), float(abandon_after)
        self.max_queued, self.max_uploads = max_queued, max_uploads
        self._run = run or run_task
        self.folder = Path(tempfile.mkdtemp(prefix="graphinpaint-web-"))
        self._jobs: dict[str, Job] = {}
        self._uploads: dict[str, _StoredUpload] = {}
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._arrivals, self._starts = itertools.count(), itertools.count()
        self._closing = threading.Event()
        self._threads = [threading.Thread(target=self._work, name=f"graphinpaint-worker-{i}",
                                          daemon=True) for i in range(self.workers)]
        self._threads.append(threading.Thread(target=self._sweep_often, daemon=True,
                                              name="graphinpaint-sweeper"))
        for thread in self._threads:
            thread.start()

    # --- uploads ---------------------------------------------------------------------------

    def keep_upload(self, upload: Upload) -> str:
        """Store an upload's bytes for later jobs; returns its id."""
        upload_id = secrets.token_urlsafe(16)
        path = self.folder / f"upload-{upload_id}"
        path.write_bytes(upload.content)
        with self._lock:
            self._uploads[upload_id] = _StoredUpload(path, upload.filename)
            while len(self._uploads) > self.max_uploads:
                oldest = min(self._uploads, key=lambda key: self._uploads[key].last_seen)
                self._uploads.pop(oldest).path.unlink(missing_ok=True)
        return upload_id

    def upload(self, upload_id: str, field_name: str = "image") -> Upload:
        """A stored upload, as the framework gave it (404 if unknown or expired)."""
        with self._lock:
            stored = self._uploads.get(upload_id)
            if stored is None:
                raise RequestError("This image is no longer on the server (it expired or the "
                                   "server restarted): open it again.", 404)
            stored.last_seen = time.monotonic()
            return Upload(field_name, stored.filename, stored.path.read_bytes())   # sweeps wait

    # --- jobs ------------------------------------------------------------------------------

    def submit(self, task: Task) -> Job:
        """Queue a restoration; it runs after every job submitted before it."""
        with self._lock:            # numbered and queued at once: workers take them in order
            if self._closing.is_set():
                raise RequestError("The server is shutting down.", 503)
            waiting = sum(other.state == "queued" for other in self._jobs.values())
            if waiting >= self.max_queued:
                raise RequestError(f"The server is busy: {waiting} restorations are waiting. "
                                   "Try again in a minute.", 503)
            job = Job(id=secrets.token_urlsafe(16), name=task.name,
                      arrival=next(self._arrivals), task=task)
            self._jobs[job.id] = job
            self._queue.put(job)                # unbounded: never blocks under the lock
        return job

    def status(self, job_id: str) -> dict:
        """A job's status; asking counts as the client being there."""
        with self._lock:
            job = self._job(job_id)
            job.last_seen = time.monotonic()
            position = None
            if job.state == "queued":
                position = sum(1 for other in self._jobs.values()
                               if other.state == "queued" and other.arrival < job.arrival)
            return job.status(position)

    def cancel(self, job_id: str) -> dict:
        """Ask a job to stop: a queued job never starts, a running one stops at its next step."""
        with self._lock:
            job = self._job(job_id)
            job.cancel_requested.set()
            if job.state == "queued":
                self._finish(job, "cancelled")
            return job.status()

    def result(self, job_id: str) -> tuple[bytes, str]:
        """The finished result's PNG bytes and a download name (409 if not done).

        The file is read under the pool's lock, so that no sweep or close deletes it meanwhile.
        """
        with self._lock:
            job = self._job(job_id)
            if job.state != "done" or job.result is None:
                raise RequestError(f"The job is {job.state}, it has no result"
                                   + (f": {job.error}" if job.error else "."), 409)
            job.finished = time.monotonic()             # a download restarts the expiry clock
            return job.result.read_bytes(), f"{job.name}_restored.png"

    def close(self, timeout: float = 10.0) -> None:
        """Cancel every job, stop the workers and delete the temporary folder."""
        with self._lock:
            self._closing.set()
            for job in self._jobs.values():
                job.cancel_requested.set()
        for _ in range(self.workers):
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0))
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "JobPool":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- inside ----------------------------------------------------------------------------

    def _job(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise RequestError("No such job: it expired, or the id is wrong.", 404)
        return job

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with self._lock:
                if job.state != "queued":           # cancelled while it waited
                    continue
                if self._gone(job):
                    self._finish(job, "cancelled", "Cancelled: the client stopped asking.")
                    continue
                job.state, job.start_order = "running", next(self._starts)
            self._run_one(job)

    def _run_one(self, job: Job) -> None:
        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total
            if job.cancel_requested.is_set() or self._gone(job):
                raise Cancelled(job.id)

        state, error, result = "done", None, None
        try:
            with recorded_warnings() as caught:        # a solver short of its tolerance, say
                image = self._run(job.task, progress)
            result = self.folder / f"result-{job.id}.png"
            io.write_image(result, image)                  # atomic: never seen half-written
            job.warnings += job.task.warnings + [str(warning.message) for warning in caught]
        except Cancelled:
            state = "cancelled"
            error = "Cancelled: the client stopped asking." if self._gone(job) else "Cancelled."
        except InpaintError as problem:
            state, error = "failed", str(problem)
        except Exception:  # a bug or a resource failure: logged, told in plain words
            _log.exception("restoring job %s failed", job.id)
            state, error = "failed", "Restoring failed on the server (see its log)."
        with self._lock:
            job.result = result
            self._finish(job, state, error)

    def _finish(self, job: Job, state: str, error: str | None = None) -> None:
        job.state, job.error, job.task = state, error, None
        job.finished = time.monotonic()

    def _gone(self, job: Job) -> bool:
        return time.monotonic() - job.last_seen > self.abandon_after

    def _sweep_often(self) -> None:
        interval = max(min(self.expire_after, self.abandon_after) / 4, 0.05)
        while not self._closing.wait(interval):
            self.sweep()

    def sweep(self) -> None:
        """Delete expired results and uploads; cancel jobs whose client has gone."""
        now = time.monotonic()
        with self._lock:
            for job_id, job in list(self._jobs.items()):
                if job.state in ("queued", "running") and self._gone(job):
                    job.cancel_requested.set()
                    if job.state == "queued":
                        self._finish(job, "cancelled", "Cancelled: the client stopped asking.")
                elif job.finished is not None and now - job.finished > self.expire_after:
                    if job.result is not None:
                        job.result.unlink(missing_ok=True)
                    del self._jobs[job_id]
            for upload_id, stored in list(self._uploads.items()):
                if now - stored.last_seen > self.expire_after:
                    stored.path.unlink(missing_ok=True)
                    del self._uploads[upload_id]

    @property
    def busy(self) -> int:
        """Jobs running now."""
        with self._lock:
            return sum(job.state == "running" for job in self._jobs.values())

