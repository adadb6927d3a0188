"""Local paths and fsspec URLs behind one small set of file operations, for :mod:`batch`.

A location is a local path or an fsspec URL (``memory://scans/a.png``, ``s3://bucket/a.png``).
``file://`` URLs become local paths (:func:`normalize`), so they keep every guarantee of local
files (hard-link writes, exactly once). Other URLs are read and written as bytes through fsspec;
image formats stay in :mod:`graphinpaint.io` (``decode_image`` / ``encode_image``).

fsspec is imported only when a URL is given; without it the error says how to install it.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

from ._validation import InpaintError

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")   # two letters at least: not C:\ on Windows


def is_url(location: str | os.PathLike) -> bool:
    """Whether ``location`` is a URL (``scheme://...``) rather than a local path."""
    return isinstance(location, str) and bool(_URL.match(location))


def normalize(location: str | os.PathLike) -> str:
    """A ``file://`` URL as its local path; any other location unchanged (as a string)."""
    if not is_url(location):
        return os.fspath(location)
    filesystem, path = _resolve(location)
    return path if _is_local(filesystem) else location


def name(location: str) -> str:
    """The file name at the end of a location."""
    return PurePosixPath(location).name if is_url(location) else os.path.basename(location)


def suffix(location: str) -> str:
    return PurePosixPath(name(location)).suffix


def join(folder: str, file_name: str) -> str:
    return f"{folder.rstrip('/')}/{file_name}" if is_url(folder) else os.path.join(folder,
                                                                                   file_name)


def with_name(location: str, file_name: str) -> str:
    """The location of ``file_name`` in the folder of ``location``."""
    if not is_url(location):
        return os.path.join(os.path.dirname(location), file_name)
    return f"{location.rsplit('/', 1)[0]}/{file_name}"


def is_dir(location: str) -> bool:
    if not is_url(location):
        return os.path.isdir(location)
    filesystem, path = _resolve(location)
    return filesystem.isdir(path)


def exists(location: str) -> bool:
    if not is_url(location):
        return os.path.exists(location)
    filesystem, path = _resolve(location)
    return filesystem.exists(path)


def list_dir(location: str) -> list[str]:
    """The entries of a local folder, or the files directly in a folder URL, as URLs."""
    if not is_url(location):
        return [str(entry) for entry in Path(location).iterdir()]
    filesystem, path = _resolve(location)
    return sorted(filesystem.unstrip_protocol(entry["name"])
                  for entry in filesystem.ls(path, detail=True) if entry["type"] == "file")


def key(location: str) -> str:
    """A canonical form of a URL, so that two spellings of one file compare equal."""
    filesystem, path = _resolve(location)
    return filesystem.unstrip_protocol(path)


def read_bytes(location: str) -> bytes:
    filesystem, path = _resolve(location)
    try:
        return filesystem.cat_file(path)
    except FileNotFoundError as error:   # not an OSError to retry: the file is not there
        raise InpaintError(f"The file '{location}' does not exist.") from error


def write_once(location: str, data: bytes) -> bool:
    """Put ``data`` at a URL through a hidden staging file in its folder; False if it was there.

    The move is atomic where the file system's is; an object store has no atomic "create if
    absent", so two attempts racing on one output may both write it (the same bytes).
    """
    filesystem, path = _resolve(location)
    folder, file_name = path.rsplit("/", 1) if "/" in path else ("", path)
    staging = f"{folder}/.{file_name}.{uuid.uuid4().hex}" if folder else f".{file_name}"
    filesystem.pipe_file(staging, data)
    try:
        if filesystem.exists(path):
            return False
        filesystem.mv(staging, path)
        return True
    finally:
        if filesystem.exists(staging):
            filesystem.rm(staging)


def remove(location: str) -> None:
    filesystem, path = _resolve(location)
    if filesystem.exists(path):
        filesystem.rm(path)


def _resolve(location: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError as error:
        raise InpaintError(
            f"'{location}' is a URL, and reading URLs needs fsspec: `pip install fsspec` (and "
            "the package of its file system, s3fs for s3:// say), or give a local path."
        ) from error
    try:
        return url_to_fs(location)
    except (ImportError, ValueError) as error:
        raise InpaintError(f"Cannot open '{location}': {error}") from error


def _is_local(filesystem: Any) -> bool:
    from fsspec.implementations.local import LocalFileSystem

    return isinstance(filesystem, LocalFileSystem)
