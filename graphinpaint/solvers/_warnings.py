"""Warnings that point at the user's line, however deep inside graphinpaint they are raised."""

from __future__ import annotations

import os
import sys
import warnings

from .._validation import ConvergenceWarning

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def warn_convergence(message: str) -> None:
    """Issue a :class:`ConvergenceWarning` attributed to the first caller outside graphinpaint.

    A fixed ``stacklevel`` is right for one call path only: ``solve_dirichlet`` reaches the
    linear solver directly for p = 2, through a nonlinear loop otherwise, and through
    ``inpaint`` from the pipeline. Walking the stack keeps the warning on the user's line.
    """
    warnings.warn(message, ConvergenceWarning, stacklevel=_user_stacklevel())


def _user_stacklevel() -> int:
    # Level 1 is the function that calls warnings.warn (warn_convergence); its caller is level 2.
    frame = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level
