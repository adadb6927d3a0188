"""Work beside the caller's: a function in a thread of its own where numba's parallel kernels
allow two threads at once, on the caller's numba thread count.

The pipeline runs a thick hole's held-out fill (which chooses the smooth mix only) beside the
real graph fill, each one's Python work beside the other's compiled kernels.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Callable

from .fills import _in_background

__all__: list[str] = []


def _beside(function: Callable, *args) -> Future | Any:
    """``function(*args)`` in a thread of its own if numba's threading layer lets two
    threads launch parallel kernels at once (OpenMP, TBB; the workqueue layer aborts the
    process), else here. The thread runs numba's kernels on the caller's thread count: numba
    keeps it per thread (``graphinpaint batch`` sets 1 per worker; a new thread would take
    every core)."""
    if _threadsafe_kernels():
        import numba

        return _in_background(_with_numba_threads, numba.get_num_threads(), function, *args)
    return function(*args)


def _with_numba_threads(count: int, function: Callable, *args):
    """``function(*args)`` with numba's parallel kernels on ``count`` threads."""
    import numba

    numba.set_num_threads(count)
    return function(*args)


def _threadsafe_kernels() -> bool:
    """Whether numba's threading layer is safe to enter from two threads. Its threads are
    launched first: numba chooses the layer then, else only at the first parallel kernel (a
    process's first call, the ``graphinpaint`` command's, would stay sequential)."""
    import numba

    numba.get_num_threads()                 # launches numba's threads if not yet running
    return _numba_threading_layer() in ("omp", "tbb")


def _numba_threading_layer() -> str | None:
    """numba's threading layer, None until numba's threads are launched (it is chosen then)."""
    import numba

    try:
        return numba.threading_layer()
    except ValueError:
        return None
