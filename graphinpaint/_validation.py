"""Argument checks shared by every module, and the one exception type users catch.

Every check raises :class:`InpaintError` (a :class:`ValueError`) with a message of the form
``"The 'p' parameter of inpaint must be a float in [1, inf]. Got 0.5 instead."``: which parameter,
what is allowed, what was given.
"""

from __future__ import annotations

import importlib
import numbers
from typing import Any, Iterable

import numpy as np

__all__ = ["InpaintError", "ConvergenceWarning"]


class InpaintError(ValueError):
    """Invalid input to graphinpaint: a bad argument, image, mask or file.

    The message names the argument or file, says what is wrong and what to do.
    """


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped before reaching its tolerance."""


def check_choice(value: Any, name: str, func: str, allowed: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``allowed``, else raise InpaintError."""
    allowed = tuple(allowed)
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise InpaintError(
            f"The {name!r} parameter of {func} must be one of {choices}. Got {value!r} instead."
        )
    return value


def check_int(value: Any, name: str, func: str, *, low: int | None = None,
              high: int | None = None, odd: bool = False) -> int:
    """Return ``value`` as int if it is an integer in ``[low, high]`` (odd if asked)."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    ok = ok and (low is None or value >= low) and (high is None or value <= high)
    ok = ok and (not odd or value % 2 == 1)
    if not ok:
        what = "an odd integer" if odd else "an integer"
        bounds = _bounds_text(low, high)
        raise InpaintError(
            f"The {name!r} parameter of {func} must be {what}{bounds}. Got {value!r} instead."
        )
    return int(value)


def check_float(value: Any, name: str, func: str, *, low: float | None = None,
                high: float | None = None, low_open: bool = False) -> float:
    """Return ``value`` as float if it is a real number in the given interval."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = not np.isnan(value)
        if low is not None:
            ok = ok and (value > low if low_open else value >= low)
        if high is not None:
            ok = ok and value <= high
    if not ok:
        left = "(" if low_open else "["
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        raise InpaintError(
            f"The {name!r} parameter of {func} must be a float in {left}{lo}, {hi}]. "
            f"Got {value!r} instead."
        )
    return value


def check_known(known: Any, n: int, func: str, *, role: str = "known node",
                need_one: bool = False) -> np.ndarray:
    """``known`` as a new bool array of shape (n,); integers are accepted when all 0 or 1.
    ``need_one``: at least one node must be known (a Dirichlet problem needs boundary values)."""
    known = np.asarray(known)
    is_flag = known.dtype == bool or (known.dtype.kind in "iu" and np.isin(known, (0, 1)).all())
    if known.shape != (n,) or not is_flag:
        raise InpaintError(
            f"The 'known' parameter of {func} must be a boolean array of shape ({n},), one entry "
            f"per node of the graph (True = {role}). Got dtype {known.dtype} and shape "
            f"{known.shape}."
        )
    if need_one and not known.any():
        raise InpaintError(
            f"The 'known' parameter of {func} marks no node as known: there are no values to "
            "extend. Mark at least one node True (True = known, the opposite of an image mask)."
        )
    return known.astype(bool)


def require(module: str, func: str, extra: str) -> None:
    """Import an optional dependency that ``func`` needs, or raise an ImportError saying which
    extra of graphinpaint installs it."""
    try:
        importlib.import_module(module)
    except ImportError as error:
        raise ImportError(f"{func} needs {module.split('.')[0]}, which is not installed: "
                          f'pip install "graphinpaint[{extra}]"') from error


def float_dtype(dtype: np.dtype) -> np.dtype:
    """The working float dtype for data of ``dtype``: float32 stays float32, else float64."""
    return np.dtype(np.float32) if np.dtype(dtype) == np.float32 else np.dtype(np.float64)


def _bounds_text(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f" in [{low}, {high}]"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""
