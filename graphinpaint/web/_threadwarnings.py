"""Record the warnings a thread raises, while other threads run and record theirs.

``warnings.catch_warnings`` swaps process-wide state (the filters and ``showwarning``): two threads
inside it at once restore each other's state in the wrong order, and each records the warnings
the other raises. Serialising every recording behind one lock keeps the state sane but makes a
restoration that records its warnings (a whole ``inpaint`` run) block every other request.

Here the state is swapped once, while at least one thread records: ``showwarning`` hands each
warning to the list of the thread that raised it, and the warnings of threads that do not record
to the ``showwarning`` that was in place before. (Python 3.11 has no per-thread warning state; code
outside this module that enters ``catch_warnings`` on another thread meanwhile can still upset
the process-wide state, as it always could.)
"""

from __future__ import annotations

import threading
import warnings
from contextlib import contextmanager
from typing import Iterator

__all__ = ["recorded_warnings"]

_lock = threading.Lock()
_lists: dict[int, list[warnings.WarningMessage]] = {}     # thread id -> its recording
_swap: list = []                                          # [catch_warnings, showwarning before]


@contextmanager
def recorded_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Record every warning this thread raises in the block (all of them, not once each).

    Yields the list that receives them as :class:`warnings.WarningMessage`. Threads may record
    at the same time, each its own warnings; a nested recording in one thread takes the
    warnings until it ends.
    """
    ident, caught = threading.get_ident(), []
    with _lock:
        if not _lists:
            _start_swap()
        outer = _lists.get(ident)
        _lists[ident] = caught
    try:
        yield caught
    finally:
        with _lock:
            if outer is None:
                del _lists[ident]
            else:
                _lists[ident] = outer
            if not _lists:
                _end_swap()


def _start_swap() -> None:
    saved = warnings.catch_warnings()
    saved.__enter__()
    _swap[:] = [saved, warnings.showwarning]
    warnings.simplefilter("always")
    warnings.showwarning = _show


def _end_swap() -> None:
    saved, _ = _swap
    _swap.clear()
    saved.__exit__(None, None, None)


def _show(message, category, filename, lineno, file=None, line=None) -> None:
    """Give a warning to the recording of the thread that raised it, if it records."""
    caught = _lists.get(threading.get_ident())
    if caught is not None:
        caught.append(warnings.WarningMessage(message, category, filename, lineno, file, line))
        return
    swap = _swap[:]                     # the swap may end meanwhile: then showwarning is back
    show = swap[1] if swap else warnings.showwarning
    if show is not _show:
        show(message, category, filename, lineno, file, line)
