"""Small calls of numba's parallel kernels on the calling thread alone.

A parallel kernel's call wakes numba's OpenMP workers and waits for the slowest of them at its
end. On a 2-core machine with work beside the call (the pipeline's grid fills in threads of
their own, or another process) a worker often waits for a core: a call of a few microseconds
of work then took 2 ms (and 8-16 ms, whole scheduler ticks, under load), the calling thread
spinning meanwhile. The pipeline's layers make dozens of such calls (a layer of a scratch is a
few hundred pixels). Below a size of work the call runs on one thread: the kernels are parallel
over rows or queries, each one's work its own, so the result is the same to the bit.
"""

from __future__ import annotations

from typing import Any, Callable

import numba

__all__: list[str] = []


def on_threads_for(work: int, least: int, kernel: Callable, *args: Any) -> Any:
    """``kernel(*args)``, on the caller's numba threads if ``work >= least``, else on one
    (numba's thread count is the calling thread's own, restored after the call)."""
    count = numba.get_num_threads()
    if work >= least or count == 1:
        return kernel(*args)
    numba.set_num_threads(1)
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(count)
