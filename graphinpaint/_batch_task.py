"""The task a batch runs on a worker: restore one image, write it once, report what happened.

Split from :mod:`graphinpaint.batch` (the client side: jobs, the cluster, the report, the
command), which submits :func:`_restore_one` and re-exports :class:`BatchRecord`.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import _files, io
from ._validation import InpaintError


@dataclass
class BatchRecord:
    """What happened to one image of a batch (one row of the report).

    Attributes
    ----------
    input : str
        The image's path or fsspec URL.
    mask : str or None
        The mask's path or URL; None when the hole was the image's alpha channel.
    output : str
        Where the restored image is (or would have been) written.
    status : {"done", "skipped", "failed"}
        ``"done"``: restored and written by this run; ``"skipped"``: a complete output was
        already there (or another attempt of the task wrote it first); ``"failed"``: ``error``
        says why, and nothing was written.
    seconds : float
        Wall time the worker spent on it.
    cpu_seconds : float
        CPU time of the worker process meanwhile (all its threads: numba's too; on a busy
        machine it differs from ``seconds``).
    hole_share : float or None
        The fraction of its pixels that were missing; None if the mask was never read.
    error : str or None
        ``"ErrorType: message"`` for a failed image, else None.

    Examples
    --------
    >>> record = BatchRecord("scans/a.png", "scans/a_mask.png", "restored/a.png", "done", 0.8)
    >>> record.status, record.error
    ('done', None)
    """

    input: str
    mask: str | None
    output: str
    status: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    hole_share: float | None = None
    error: str | None = None


def _restore_one(image_path: str, mask_path: str | None, output_path: str,
                 settings: dict) -> BatchRecord:
    """Restore one image on a worker; every failure but an OSError becomes a failed record."""
    with _numba_threads(1):     # a batch's parallelism is one image per core
        return _restore_one_here(image_path, mask_path, output_path, settings)


def _restore_one_here(image_path: str, mask_path: str | None, output_path: str,
                      settings: dict) -> BatchRecord:
    from .cli import check_hole
    from .pipeline import inpaint

    record = BatchRecord(image_path, mask_path, output_path, "done")
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        if _is_complete(output_path):
            record.status = "skipped"
            return record
        image = _read_image(image_path, "image")
        colour, alpha = io.split_alpha(image)
        hole = _read_hole(image, colour, mask_path, settings)
        check_hole(hole, image=image_path, mask=mask_path, convention=settings["convention"],
                   inverted=settings["invert_mask"])
        record.hole_share = round(float(hole.mean()), 6)
        restored = inpaint(colour, hole, channel_axis=-1 if colour.ndim == 3 else None,
                           **settings["options"])
        if mask_path is None:
            alpha = io.opaque_where(alpha, hole)
        if not _write_once(output_path, io.merge_alpha(restored, alpha),
                           inputs=(image_path, mask_path)):
            record.status = "skipped"   # another attempt of this task wrote it first
    except (InpaintError, MemoryError) as error:
        record.status, record.error = "failed", f"{type(error).__name__}: {error}"
    except OSError:
        raise                           # a file system hiccup: let Dask retry the task
    except Exception as error:  # noqa: BLE001 - one image's failure must not stop the batch
        record.status, record.error = "failed", f"{type(error).__name__}: {error}"
    finally:
        record.seconds = round(time.perf_counter() - start, 4)
        record.cpu_seconds = round(time.process_time() - cpu_start, 4)
    return record


class _numba_threads:
    """Run numba's parallel loops on ``count`` threads, and restore the previous count after.

    numba's thread count is a setting of the calling thread, so it is set on the task's thread.
    More than one would oversubscribe the cores: the batch already runs an image per core.
    """

    def __init__(self, count: int) -> None:
        self.count, self.previous = count, 0

    def __enter__(self) -> None:
        import numba

        self.previous = numba.get_num_threads()
        numba.set_num_threads(min(self.count, numba.config.NUMBA_NUM_THREADS))

    def __exit__(self, *exc_info) -> None:
        import numba

        numba.set_num_threads(self.previous)


def _read_hole(image: np.ndarray, colour: np.ndarray, mask_path: str | None,
               settings: dict) -> np.ndarray:
    invert = settings["invert_mask"]
    if mask_path is None:
        hole = io.mask_from_alpha(image)
        return ~hole if invert else hole
    import warnings

    with warnings.catch_warnings():   # a mostly-hole mask is the user's choice in a batch
        warnings.simplefilter("ignore", io.MaskPolarityWarning)
        mask = _read_image(mask_path, "mask") if _files.is_url(mask_path) else mask_path
        return io.read_mask(mask, shape=colour.shape[:2], convention=settings["convention"],
                            invert=invert)


def _read_image(location: str, what: str) -> np.ndarray:
    """An image from a local path, or from an fsspec URL through its bytes."""
    if not _files.is_url(location):
        return io.read_image(location)
    return io.decode_image(_files.read_bytes(location), extension=_files.suffix(location),
                           name=f"{what} file '{location}'")


def _is_complete(path: str) -> bool:
    """Whether an output exists and reads back as an image (a truncated file does not)."""
    if not _files.exists(path):
        return False
    try:
        _read_image(path, "output")
    except InpaintError:
        return False
    return True


def _write_once(path: str, image: np.ndarray, *, inputs: tuple) -> bool:
    """Write ``path`` atomically unless a complete output appeared meanwhile; False if it had.

    The image goes to a hidden file of this attempt's beside the target, which is then
    hard-linked to the target name: a link never replaces an existing file, so of two attempts
    racing on one output exactly one writes it. An incomplete leftover is removed first.
    """
    if _files.is_url(path):
        return _write_once_url(path, image, inputs=inputs)
    target = Path(path)
    staging = target.with_name(f".{target.stem}.{uuid.uuid4().hex}{target.suffix}")
    # The staging file is this attempt's own: written directly (no temporary file of its own
    # that a killed worker could leave under another name), published by the link below.
    staging.write_bytes(io.encode_image(image, target.suffix))
    try:
        if target.exists() and not _is_complete(path):
            target.unlink(missing_ok=True)
        try:
            os.link(staging, target)
        except FileExistsError:
            return False
        except OSError:                 # a file system without hard links
            if target.exists():
                return False
            os.replace(staging, target)
        return True
    finally:
        staging.unlink(missing_ok=True)


def _write_once_url(url: str, image: np.ndarray, *, inputs: tuple) -> bool:
    """:func:`_write_once` for an fsspec URL: bytes from io, a staging file, then a move."""
    if _files.key(url) in {_files.key(p) for p in inputs if p is not None and _files.is_url(p)}:
        raise InpaintError(f"Refusing to write '{url}' over an input file. Choose another "
                           "output folder.")
    data = io.encode_image(image, _files.suffix(url))
    if not _is_complete(url):
        _files.remove(url)              # an incomplete leftover of an interrupted run
    return _files.write_once(url, data)
