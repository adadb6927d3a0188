"""Many images on Dask: :func:`restore_many` and the ``graphinpaint batch`` command.

Map of the module
-----------------
restore_many      submit one task per (image, mask) pair to a Dask cluster (a LocalCluster of one
                  single-threaded worker process per core unless a client is given), gather the
                  per-image records as tasks finish, return them
write_report      the records as JSON or CSV; summarize: counts by status
main              the ``graphinpaint batch`` subcommand (argument parsing, progress, exit code)

The task each worker runs (restore one image, write it once) is in :mod:`._batch_task`.

Each task reads its image and mask and writes its output itself through :mod:`graphinpaint.io`
(local paths, or fsspec URLs through :mod:`graphinpaint._files`): the client only ever holds
paths and small records. A task is idempotent: it skips an output that exists and reads back
complete, writes a new one atomically and only if no other attempt got there first, so a rerun
resumes an interrupted batch and a task rerun after its worker died
writes nothing twice. Bad input (a corrupt file, a mask of the wrong size) and a MemoryError fail
that image only, with their message in its record; an OSError (a flaky network drive) is raised
so that Dask retries the task (``retries``). A task whose worker dies is rerun on another
worker by the scheduler itself (up to ``distributed.scheduler.allowed-failures`` times).

Dask (``dask`` and ``distributed``) is imported when a batch runs, not with this module.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
import uuid
from dataclasses import asdict
from io import StringIO
from pathlib import Path, PurePath
from typing import Any, Callable, Iterable, Sequence

from . import _files, cli, io
from ._batch_task import BatchRecord, _is_complete, _restore_one
from ._validation import InpaintError, check_choice, check_int, require

__all__ = ["BatchRecord", "main", "restore_many", "summarize", "write_report"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
# Threads of numba and BLAS per worker process: a worker is one core. The environment alone
# does not reach numba (the worker process has imported it before the nanny's env is applied,
# so it keeps one thread per core): each task also sets numba's threads itself (_numba_threads).
_SINGLE_THREADED = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                    "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


ProgressCallback = Callable[[BatchRecord, dict], None]


def restore_many(pairs: Iterable[tuple[str | os.PathLike, str | os.PathLike | None]],
                 out_dir: str | os.PathLike, *, client: Any = None, workers: int | None = None,
                 convention: str = "white-hole", invert_mask: bool = False, retries: int = 2,
                 progress: ProgressCallback | None = None,
                 **inpaint_options: Any) -> list[BatchRecord]:
    """Restore many images on a Dask cluster, each output written once into ``out_dir``.

    Parameters
    ----------
    pairs : iterable of (image path, mask path or None)
        Each image with its mask file (**white / nonzero = hole**, or see ``convention``); None
        takes the hole from the image's transparent pixels (alpha channel). Paths may be fsspec
        URLs (``s3://bucket/a.png``, ``memory://a.png``; needs fsspec and the file system's
        package): the workers open them, so every worker must reach them.
    out_dir : str or path
        Existing folder (or fsspec URL); each output keeps its input's file name. Outputs
        already there and complete are skipped, so a rerun resumes an interrupted batch.
    client : distributed.Client, optional
        Run on this client's cluster (``Client("tcp://host:8786")``). Default: a LocalCluster
        of ``workers`` single-threaded worker processes, closed at the end.
    workers : int, optional
        Worker processes of the default LocalCluster (default: one per core).
    convention : {"white-hole", "black-hole"}, default "white-hole"
        Mask polarity, as in :func:`graphinpaint.io.read_mask`.
    invert_mask : bool, default False
        Flip every mask.
    retries : int, default 2
        Dask retries of a task that raised an OSError (reading or writing a file).
    progress : callable, optional
        Called as ``progress(record, counts)`` as each image finishes; ``counts`` has the keys
        ``done``, ``skipped``, ``failed``, ``remaining`` and ``per_second``.
    **inpaint_options
        Keyword arguments of :func:`graphinpaint.inpaint` (``p``, ``patch_size``, ...).

    Returns
    -------
    list of BatchRecord
        One per pair, in the order given.

    Raises
    ------
    InpaintError
        ``out_dir`` is missing, two inputs share a file name (their outputs would collide), an
        output would be its own input, an option's name or ``convention`` is unknown, or
        ``client`` is not a ``distributed.Client`` (an address string, say). (Bad
        option values fail each image, with inpaint's message in its record.)
    ImportError
        Dask's ``distributed`` is not installed: ``pip install "graphinpaint[dask]"``.

    Examples
    --------
    In a script, under ``if __name__ == "__main__":`` when ``client`` is None (the local
    cluster's worker processes import the script again). Here, a cluster of threads:

    >>> import os, tempfile
    >>> import numpy as np
    >>> from distributed import Client
    >>> from graphinpaint import io
    >>> folder = tempfile.mkdtemp()
    >>> image = np.tile(np.arange(0, 256, 8, dtype=np.uint8), (32, 1))
    >>> mask = np.zeros((32, 32), np.uint8); mask[14:17, 4:28] = 255        # white = hole
    >>> io.write_image(os.path.join(folder, "a.png"), image)
    >>> io.write_image(os.path.join(folder, "a_mask.png"), mask)
    >>> os.mkdir(os.path.join(folder, "restored"))
    >>> pairs = [(os.path.join(folder, "a.png"), os.path.join(folder, "a_mask.png"))]
    >>> with Client(processes=False, n_workers=1, dashboard_address=":0") as client:
    ...     records = restore_many(pairs, os.path.join(folder, "restored"), client=client)
    >>> [(record.status, os.path.basename(record.output)) for record in records]
    [('done', 'a.png')]
    """
    require("distributed", "restore_many", "dask")
    jobs = _jobs(pairs, out_dir)
    retries = check_int(retries, "retries", "restore_many", low=0)
    check_choice(convention, "convention", "restore_many", ("white-hole", "black-hole"))
    _check_options(inpaint_options)
    settings = dict(convention=convention, invert_mask=invert_mask, options=inpaint_options)
    _check_client(client)
    if client is None:
        with _local_client(workers) as local:
            return _run(local, jobs, settings, retries, progress)
    return _run(client, jobs, settings, retries, progress)


def _check_client(client: Any) -> None:
    from distributed.client import Client

    if client is not None and not isinstance(client, Client):
        example = f"Client({str(client)!r})" if isinstance(client, str) else "Client(address)"
        raise InpaintError(
            f"The 'client' parameter of restore_many must be a distributed.Client or None (a "
            f"local cluster). Got {type(client).__name__}: connect first with {example}."
        )


def write_report(records: Sequence[BatchRecord], path: str | os.PathLike) -> None:
    """Write the records as JSON (``.json``) or CSV (any other suffix), atomically.

    Parameters
    ----------
    records : sequence of BatchRecord
        What :func:`restore_many` returned.
    path : str or path
        The report file; an earlier report there is replaced. May be an fsspec URL, written
        through a staging file as the outputs are.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "report.csv"
    >>> write_report([BatchRecord("a.png", "a_mask.png", "out/a.png", "done", 0.5)], path)
    >>> path.read_text().splitlines()[1]
    'a.png,a_mask.png,out/a.png,done,0.5,0.0,,'
    """
    path = _files.normalize(path)
    text = _report_text(records, json_format=_files.suffix(path).lower() == ".json")
    if _files.is_url(path):
        _files.remove(path)             # a report of an earlier run is replaced
        _files.write_once(path, text.encode())
        return
    temporary = Path(path).with_name(f".{Path(path).name}.{uuid.uuid4().hex}")
    temporary.write_text(text)
    os.replace(temporary, path)


def _report_text(records: Sequence[BatchRecord], *, json_format: bool) -> str:
    rows = [asdict(record) for record in records]
    if json_format:
        return json.dumps({"summary": summarize(records), "images": rows}, indent=1)
    buffer = StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(BatchRecord.__dataclass_fields__))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def summarize(records: Sequence[BatchRecord]) -> dict:
    """Counts of each status and the worker time spent, as the report's summary.

    Parameters
    ----------
    records : sequence of BatchRecord

    Returns
    -------
    dict
        ``done``, ``skipped`` and ``failed`` counts, and ``seconds``: the worker time in all.

    Examples
    --------
    >>> summarize([BatchRecord("a.png", None, "out/a.png", "done", 1.25),
    ...            BatchRecord("b.png", None, "out/b.png", "failed", 0.5, error="...")])
    {'done': 1, 'skipped': 0, 'failed': 1, 'seconds': 1.75}
    """
    counts = {status: sum(r.status == status for r in records)
              for status in ("done", "skipped", "failed")}
    counts["seconds"] = round(sum(r.seconds for r in records), 3)
    return counts


# --- the client side ------------------------------------------------------------------------------

class _Job:
    def __init__(self, image: str, mask: str | None, output: str) -> None:
        self.image, self.mask, self.output = image, mask, output


def _jobs(pairs: Iterable, out_dir: str | os.PathLike) -> list[_Job]:
    """One job per pair; locations are local paths or fsspec URLs (``file://`` made local)."""
    out_dir = _files.normalize(out_dir)
    if not _files.is_dir(out_dir):
        raise InpaintError(
            f"The 'out_dir' parameter of restore_many must be an existing folder. Got "
            f"'{out_dir}'; create it first."
        )
    jobs, seen = [], {}
    if isinstance(pairs, (str, bytes, os.PathLike)):
        pairs = [pairs]                     # said wrong below, as a pair that is not one
    for position, pair in enumerate(pairs):
        image, mask = _image_and_mask(pair, position)
        image = _files.normalize(image)
        mask = None if mask is None else _files.normalize(mask)
        output = _files.join(out_dir, _files.name(image))
        if _files.name(output) in seen:
            raise InpaintError(
                f"Two inputs of restore_many share the file name '{_files.name(image)}' "
                f"('{seen[_files.name(output)]}' and '{image}'): their outputs would collide "
                f"in '{out_dir}'. Rename one."
            )
        seen[_files.name(output)] = image
        if _is_own_input(output, (image, mask or image)):
            raise InpaintError(
                f"The output '{output}' of restore_many would be its input: choose an 'out_dir' "
                "other than the inputs' folder."
            )
        jobs.append(_Job(image, mask, output))
    return jobs


def _image_and_mask(pair: Any, position: int) -> tuple[Any, Any]:
    try:
        if isinstance(pair, (str, bytes, os.PathLike)):     # a path alone would unpack too
            raise TypeError
        image, mask = pair
    except (TypeError, ValueError):
        raise InpaintError(
            "The 'pairs' parameter of restore_many must hold (image, mask) pairs, mask None to "
            f"take the hole from the image's alpha channel. Got {pair!r} at position "
            f"{position}."
        ) from None
    return image, mask


def _is_own_input(output: str, inputs: tuple[str, str]) -> bool:
    if _files.is_url(output):
        return _files.key(output) in {_files.key(p) for p in inputs if _files.is_url(p)}
    return os.path.exists(output) and Path(output).resolve() in {
        Path(p).resolve() for p in inputs if not _files.is_url(p)}


def _check_options(options: dict) -> None:
    """Reject unknown options on the client, before any task runs."""
    import inspect

    from .pipeline import inpaint

    allowed = set(inspect.signature(inpaint).parameters) - {"image", "mask", "channel_axis",
                                                            "progress"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise InpaintError(
            f"restore_many got unknown inpaint options {unknown}; allowed: "
            f"{sorted(name for name in allowed if not name.startswith('_'))}."
        )


def _start_local_cluster(workers: int) -> Any:
    """A LocalCluster of ``workers`` single-threaded worker processes, set up for restoring.

    Its workers run without Dask's default ``MALLOC_TRIM_THRESHOLD_=65536``: that setting also
    fixes glibc's mmap threshold, so every array over 128 KiB is mapped afresh and page-faulted
    in, and an image's restore costs about a fifth more CPU in a worker than in a plain process.
    Nor do they run Dask's statistical profiler (it samples the task's thread every 10 ms).
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                          "distributed.worker.profile.enabled": False}):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=":0", env=_SINGLE_THREADED)


_WHY_MAIN = ("Dask starts each worker process by running the calling script again, so a call "
             "at its top level would start a cluster in every worker.")


def _check_not_starting_a_worker() -> None:
    """Refuse to start a cluster from a worker process that is still importing the script
    (multiprocessing's own test, ``_inheriting``: ``spawn._check_not_importing_main``)."""
    import multiprocessing

    if getattr(multiprocessing.current_process(), "_inheriting", False):
        raise InpaintError(
            "restore_many was called at the top level of a script, without a "
            f"`if __name__ == \"__main__\":` guard. {_WHY_MAIN} Put the call under the guard."
        )


class _local_client:
    """A LocalCluster of single-threaded worker processes and its client, closed on exit."""

    def __init__(self, workers: int | None) -> None:
        self.workers = check_int(workers if workers is not None else os.cpu_count() or 1,
                                 "workers", "restore_many", low=1)
        _check_not_starting_a_worker()

    def __enter__(self):
        from distributed import Client

        try:
            self.cluster = _start_local_cluster(self.workers)
        except RuntimeError as error:          # "Nanny failed to start", often the cause below
            raise RuntimeError(
                f"Could not start the local Dask cluster ({error}). From a script, call "
                f"restore_many under `if __name__ == \"__main__\":`. {_WHY_MAIN}") from error
        self.client = Client(self.cluster)
        return self.client

    def __exit__(self, *exc_info) -> None:
        self.client.close()
        self.cluster.close()


def _run(client: Any, jobs: list[_Job], settings: dict, retries: int,
         progress: ProgressCallback | None) -> list[BatchRecord]:
    from distributed import as_completed

    futures = {}
    for index, job in enumerate(jobs):
        future = client.submit(_restore_one, job.image, job.mask, job.output,
                               settings, retries=retries, pure=False,
                               key=f"graphinpaint-restore-{index}-{uuid.uuid4().hex[:8]}")
        futures[future] = index
    records: list[BatchRecord | None] = [None] * len(jobs)
    counter = _Counter(len(jobs))
    for future in as_completed(futures, loop=client.loop):     # client need not be default
        index = futures[future]
        records[index] = _record_of(future, jobs[index])
        counter.add(records[index])
        if progress is not None:
            progress(records[index], counter.counts())
    _remove_leftovers([job.output for job in jobs])
    return records


def _remove_leftovers(outputs: list[str]) -> None:
    """Remove the staging files of complete outputs that killed attempts left beside them.

    Called when every task of the batch is over, so none of this batch's attempts is writing
    them (:func:`_write_once`'s staging files: a SIGKILLed worker cannot remove its own). Each
    output folder is listed once.
    """
    by_folder: dict[Path, set[str]] = {}
    for path in outputs:
        if not _files.is_url(path):
            by_folder.setdefault(Path(path).parent, set()).add(Path(path).name)
    for folder, names in by_folder.items():
        for leftover in folder.iterdir():
            found = _STAGING.fullmatch(leftover.name)
            if found and found["stem"] + found["suffix"] in names \
                    and _is_complete(str(folder / (found["stem"] + found["suffix"]))):
                leftover.unlink(missing_ok=True)


# _write_once's staging name, .{stem}.{32 hex}{suffix}.
_STAGING = re.compile(r"\.(?P<stem>.+)\.[0-9a-f]{32}(?P<suffix>\.[A-Za-z0-9]+)")


def _record_of(future: Any, job: _Job) -> BatchRecord:
    """The task's record, or a failed one when the task itself could not finish."""
    try:
        return future.result()
    except Exception as error:  # noqa: BLE001 - KilledWorker, retries exhausted, ...
        message = f"{type(error).__name__}: {error}"
        if type(error).__name__ == "KilledWorker":
            message += " (its worker died each time: out of memory? try a smaller image)"
        return BatchRecord(job.image, job.mask, job.output, "failed", error=message)


class _Counter:
    """Running counts of a batch and its throughput since the start."""

    def __init__(self, total: int) -> None:
        self.total, self.start = total, time.perf_counter()
        self.by_status = {"done": 0, "skipped": 0, "failed": 0}

    def add(self, record: BatchRecord) -> None:
        self.by_status[record.status] += 1

    def counts(self) -> dict:
        finished = sum(self.by_status.values())
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        return dict(self.by_status, remaining=self.total - finished,
                    per_second=self.by_status["done"] / elapsed, elapsed=elapsed)


# --- the subcommand -------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """``graphinpaint batch INPUT... -o OUTDIR``: 0 all restored, 1 some failed, 2 bad usage,
    130 interrupted."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        require("distributed", "graphinpaint batch", "dask")
        pairs = _pairs(args.inputs, args.mask_suffix, args.mask_from_alpha)
        if not _files.is_dir(_files.normalize(args.output)):
            raise InpaintError(f"-o '{args.output}' is not an existing folder: create it first "
                               "(the outputs keep their inputs' names in it).")
        client = _connect(args.scheduler) if args.scheduler else None
        report = args.report or _files.join(_files.normalize(args.output),
                                            "graphinpaint-report.json")
        _say(f"graphinpaint batch: {len(pairs)} image{'s' * (len(pairs) != 1)}"
             + (f" on {args.scheduler}" if args.scheduler else ""), args.quiet)
        records = restore_many(pairs, args.output, client=client, workers=args.workers,
                               invert_mask=args.invert_mask,
                               progress=None if args.quiet else _print_progress,
                               **_inpaint_options(args))
    except KeyboardInterrupt:             # Ctrl+C: one line, not Dask's traceback
        _say("graphinpaint batch: interrupted; the outputs written so far are complete: rerun "
             "the same command to restore the rest.", False)
        return cli.EXIT_INTERRUPTED
    except (InpaintError, ImportError) as error:
        _say(f"graphinpaint batch: error: {error}", False)
        return EXIT_USAGE
    write_report(records, report)
    summary = summarize(records)
    for record in records:
        if record.status == "failed":
            _say(f"failed: {record.input}: {record.error}", False)
    _say(f"{summary['done']} restored, {summary['skipped']} skipped (complete output there), "
         f"{summary['failed']} failed; report: {report}", args.quiet)
    return EXIT_FAILURE if summary["failed"] else EXIT_OK


EXAMPLES = """\
examples:
  graphinpaint batch scans/ -o restored/
      every image of scans/ with its mask beside it (scans/a.png + scans/a_mask.png)
  graphinpaint batch photos/ -o restored/ --mask-from-alpha --workers 2
      transparent pixels are the hole; two worker processes
  graphinpaint batch scans/ -o restored/ --scheduler tcp://10.0.0.5:8786
      on an existing Dask cluster (docs/scale.md)
"""


def _parser() -> cli.ArgumentParser:
    parser = cli.ArgumentParser(
        prog="graphinpaint batch",
        description="Restore many images on Dask: a LocalCluster of one worker per core, or an "
                    "existing cluster. Reruns skip complete outputs.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="image files or folders")
    parser.add_argument("-o", "--output", required=True, help="output folder (must exist)")
    masks = parser.add_mutually_exclusive_group()
    masks.add_argument("--mask-suffix", default="_mask",
                       help="each image's mask is NAME<suffix>.EXT beside it (default _mask)")
    masks.add_argument("--mask-from-alpha", action="store_true",
                       help="the transparent pixels of each image are its hole")
    parser.add_argument("--invert-mask", action="store_true", help="flip every mask")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="an existing Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes of the local cluster (default: one per core)")
    parser.add_argument("--report", help="report file, .json or .csv "
                                         "(default OUTDIR/graphinpaint-report.json)")
    parser.add_argument("--p", type=cli.exponent, default=None, help=cli.P_HELP)
    parser.add_argument("--patch-size", type=int, default=None, help=cli.PATCH_SIZE_HELP)
    parser.add_argument("--k", type=int, default=None, help=cli.K_HELP)
    parser.add_argument("--strategy", choices=("auto", "layers", "global"), default="auto",
                        help=cli.STRATEGY_HELP)
    parser.add_argument("-q", "--quiet", action="store_true", help="errors and failures only")
    return parser


def _inpaint_options(args: argparse.Namespace) -> dict:
    return dict(p=args.p, patch_size=args.patch_size, k=args.k, strategy=args.strategy)


def _pairs(inputs: Sequence[str], suffix: str,
           from_alpha: bool) -> list[tuple[str, str | None]]:
    """(image, mask) pairs from files and folders (paths or URLs); masks are found by suffix."""
    images = []
    for location in map(_files.normalize, inputs):
        found = sorted(p for p in _files.list_dir(location) if _files.suffix(p).lower()
                       in io.SCANNED_SUFFIXES) if _files.is_dir(location) else [location]
        # A glob such as scans/*.png also matches the masks: they are not images to restore.
        images += [p for p in found
                   if from_alpha or not PurePath(_files.name(p)).stem.endswith(suffix)]
    if not images:
        raise InpaintError("No images found: give image files or folders holding them.")
    return [(image, None if from_alpha else _mask_beside(image, suffix)) for image in images]


def _mask_beside(image: str, suffix: str) -> str:
    name = PurePath(_files.name(image))
    return _files.with_name(image, f"{name.stem}{suffix}{name.suffix}")


def _connect(address: str) -> Any:
    from distributed import Client

    try:
        # Not as dask's default: the batch submits to it, and a Client that fails to start
        # would stay the default scheduler of this process's later computations.
        return Client(address, timeout="10s", set_as_default=False)
    except (OSError, ValueError) as error:
        if isinstance(error, OSError):
            raise InpaintError(
                f"Cannot reach the Dask scheduler at '{address}' ({error}). Start one with "
                "`dask scheduler` and `dask worker ADDRESS`, or leave out --scheduler."
            ) from error
        raise InpaintError(             # distributed's parse of a malformed address
            f"Cannot reach the Dask scheduler at '{address}': {error}. Give the address "
            "`dask scheduler` prints, such as tcp://10.0.0.5:8786."
        ) from error


def _print_progress(record: BatchRecord, counts: dict) -> None:
    finished = counts["done"] + counts["skipped"] + counts["failed"]
    _say(f"[{finished}/{finished + counts['remaining']}] {record.status} {record.input} "
         f"({record.seconds:.1f} s) - {counts['done']} done, {counts['failed']} failed, "
         f"{counts['remaining']} left, {counts['per_second']:.2f} images/s", False)


def _say(message: str, quiet: bool) -> None:
    if not quiet:
        print(message, file=sys.stderr)
