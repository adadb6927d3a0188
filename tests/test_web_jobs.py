"""The web app's job pool: order of arrival, cancellation, abandoned clients, expiry, clean-up."""

import threading
import time
import warnings

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint.web import Cancelled, JobPool, RequestError, Task
from graphinpaint.web._threadwarnings import recorded_warnings


def _task(name: str = "image") -> Task:
    image = np.zeros((8, 8), np.uint8)
    hole = np.zeros((8, 8), bool)
    hole[3, 3] = True
    return Task(image, None, hole, {}, name=name)


def _steps(count: int, pause: float = 0.01, log: list | None = None):
    """A stand-in for inpaint: ``count`` progress steps, then the image back."""
    def run(task, progress):
        if log is not None:
            log.append(task.name)
        for step in range(1, count + 1):
            time.sleep(pause)
            progress(step, count)
        return task.colour
    return run


def _wait(pool: JobPool, job_id: str, states=("done", "failed", "cancelled"),
          timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = pool.status(job_id)
        if status["state"] in states:
            return status
        time.sleep(0.01)
    raise AssertionError(f"job stayed {pool.status(job_id)['state']}")


def test_jobs_start_in_order_of_arrival_and_queued_jobs_know_their_place():
    log: list[str] = []
    with JobPool(workers=1, run=_steps(3, log=log)) as pool:
        jobs = [pool.submit(_task(f"job{i}")) for i in range(5)]
        assert pool.status(jobs[4].id)["position"] in (3, 4)      # 4 ahead, or 3 once one runs
        statuses = [_wait(pool, job.id) for job in jobs]
    assert log == [f"job{i}" for i in range(5)]
    assert [status["start_order"] for status in statuses] == list(range(5))
    assert all(status["state"] == "done" for status in statuses)


def test_jobs_submitted_at_once_from_many_threads_start_in_their_arrival_order():
    log: list[str] = []
    with JobPool(workers=1, run=_steps(1, pause=0, log=log)) as pool:
        put, rng = pool._queue.put, np.random.default_rng(0)
        delays = iter(rng.uniform(0, 0.005, 200))

        def slow_put(job):                  # widens any gap between numbering and queueing
            time.sleep(next(delays))
            put(job)

        pool._queue.put = slow_put
        jobs: list = []
        submitters = [threading.Thread(target=lambda i=i: jobs.extend(
            pool.submit(_task(f"{i}-{n}")) for n in range(10))) for i in range(8)]
        for thread in submitters:
            thread.start()
        for thread in submitters:
            thread.join()
        for job in jobs:
            _wait(pool, job.id)
    assert log == [job.name for job in sorted(jobs, key=lambda job: job.arrival)]


def test_cancel_stops_a_running_job_at_its_next_step_and_frees_the_worker():
    with JobPool(workers=1, run=_steps(2000)) as pool:
        slow = pool.submit(_task())
        _wait(pool, slow.id, states=("running",))
        pool.cancel(slow.id)
        status = _wait(pool, slow.id)
        assert status["state"] == "cancelled" and status["done"] < 2000
        assert not list(pool.folder.glob(f"result-{slow.id}*"))
        pool._run = _steps(1)
        assert _wait(pool, pool.submit(_task()).id)["state"] == "done"


def test_a_queued_job_cancelled_never_starts():
    log: list[str] = []
    with JobPool(workers=1, run=_steps(20, log=log)) as pool:
        first, second = pool.submit(_task("first")), pool.submit(_task("second"))
        pool.cancel(second.id)
        assert _wait(pool, first.id)["state"] == "done"
        assert _wait(pool, second.id)["state"] == "cancelled"
    assert log == ["first"]


def test_a_job_whose_client_stops_asking_is_cancelled():
    with JobPool(workers=1, abandon_after=0.3, run=_steps(100_000, pause=0.001)) as pool:
        job = pool.submit(_task())
        deadline = time.monotonic() + 20            # nobody polls: the client has gone
        while job.state in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)                        # (reading job.state is not a poll)
        assert pool.busy == 0
        status = pool.status(job.id)
        assert status["state"] == "cancelled" and "stopped asking" in status["error"]


def test_finished_results_expire_and_their_files_go():
    with JobPool(workers=1, expire_after=0.3, run=_steps(1)) as pool:
        job = pool.submit(_task())
        _wait(pool, job.id)
        content, _ = pool.result(job.id)
        path = pool.folder / f"result-{job.id}.png"
        assert path.exists() and path.read_bytes() == content
        time.sleep(1.0)
        assert not path.exists()
        np.testing.assert_array_equal(gi.io.decode_image(content), _task().colour)  # still whole
        with pytest.raises(RequestError, match="No such job"):
            pool.status(job.id)


def test_close_cancels_running_jobs_and_removes_the_folder():
    pool = JobPool(workers=2, run=_steps(100_000, pause=0.001))
    jobs = [pool.submit(_task()) for _ in range(3)]
    _wait(pool, jobs[0].id, states=("running",))
    folder = pool.folder
    pool.close()
    assert not folder.exists()
    assert not any(thread.is_alive() for thread in pool._threads)


def test_a_failure_in_a_job_is_told_in_words_and_the_worker_goes_on():
    def broken(task, progress):
        raise MemoryError("out of memory")

    with JobPool(workers=1, run=broken) as pool:
        status = _wait(pool, pool.submit(_task()).id)
    assert status["state"] == "failed"
    assert status["error"] == "Restoring failed on the server (see its log)."


def test_cancelled_raised_from_progress_stops_inpaint_and_leaves_nothing_behind():
    rng = np.random.default_rng(0)
    image = rng.random((40, 40))
    hole = np.zeros(image.shape, bool)
    hole[10:30, 10:30] = True                  # ten layers: many steps
    before = image.copy()
    calls = []

    def stop_at_two(done, total):
        calls.append(done)
        if done == 2:
            raise Cancelled("stop")

    with pytest.raises(Cancelled):
        gi.inpaint(image, hole, progress=stop_at_two)
    assert calls == [1, 2]
    np.testing.assert_array_equal(image, before)
    steps = []
    again = gi.inpaint(image, hole, progress=lambda done, total: steps.append(total))
    np.testing.assert_array_equal(again, gi.inpaint(image, hole))
    assert steps[-1] > 2


def test_a_full_queue_answers_503_instead_of_holding_more_images():
    with JobPool(workers=1, max_queued=2, run=_steps(100_000, pause=0.001)) as pool:
        running = pool.submit(_task())
        _wait(pool, running.id, states=("running",))
        pool.submit(_task())
        pool.submit(_task())
        with pytest.raises(RequestError, match="busy: 2 restorations are waiting") as error:
            pool.submit(_task())
        assert error.value.status == 503


def test_uploads_nobody_uses_expire_and_their_files_go():
    from graphinpaint.web import Upload

    with JobPool(workers=1, expire_after=0.3) as pool:
        upload_id = pool.keep_upload(Upload("image", "a.png", b"bytes"))
        assert pool.upload(upload_id).content == b"bytes"
        files = list(pool.folder.iterdir())
        assert len(files) == 1
        deadline = time.monotonic() + 20
        while files[0].exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not files[0].exists()
        with pytest.raises(RequestError, match="no longer on the server") as error:
            pool.upload(upload_id)
        assert error.value.status == 404


def test_a_new_upload_beyond_the_limit_deletes_the_one_used_longest_ago():
    from graphinpaint.web import Upload

    with JobPool(workers=1, max_uploads=2) as pool:
        first, second = (pool.keep_upload(Upload("image", "a.png", b"a")) for _ in range(2))
        pool.upload(first)                                  # used: second is the oldest now
        third = pool.keep_upload(Upload("image", "b.png", b"b"))
        assert pool.upload(first).content == b"a" and pool.upload(third).content == b"b"
        with pytest.raises(RequestError, match="no longer on the server"):
            pool.upload(second)
        assert len(list(pool.folder.iterdir())) == 2


def test_a_warning_raised_while_restoring_reaches_the_job_s_status():
    def short_of_tolerance(task, progress):
        warnings.warn("CG stopped short of rtol", gi.ConvergenceWarning)
        return task.colour

    with JobPool(workers=1, run=short_of_tolerance) as pool:
        status = _wait(pool, pool.submit(_task()).id)
    assert status["state"] == "done" and status["warnings"] == ["CG stopped short of rtol"]


def test_threads_record_their_own_warnings_at_once_without_waiting_for_each_other():
    inside, release, recorded = threading.Event(), threading.Event(), {}

    def record(name: str, hold: bool) -> None:
        with recorded_warnings() as caught:
            if hold:                            # a long restoration, recording meanwhile
                inside.set()
                release.wait(20)
            warnings.warn(f"from {name}")
        recorded[name] = [str(warning.message) for warning in caught]

    long = threading.Thread(target=record, args=("long", True))
    short = threading.Thread(target=record, args=("short", False))
    long.start()
    try:
        assert inside.wait(20)
        short.start()
        short.join(5)
        assert not short.is_alive(), "a recording waited for another thread's to end"
    finally:
        release.set()
        long.join(20)
        short.join(20)
    assert recorded == {"long": ["from long"], "short": ["from short"]}
