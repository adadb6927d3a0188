"""Running a call on one numba thread and then on two, for the tests that results do not
depend on the thread count."""

from __future__ import annotations

from typing import Any, Callable

import numba


def on_one_and_two_threads(call: Callable[[], Any]) -> tuple[Any, Any]:
    """``call()``'s results on one numba thread and on two; the thread count is restored."""
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = call()
        numba.set_num_threads(2)
        two = call()
    finally:
        numba.set_num_threads(before)
    return one, two
