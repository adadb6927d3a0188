"""Optional test dependencies: a developer's machine without one skips its tests; CI requires it.

The ``test`` extra installs every one of them, so under CI (``CI=true``, as ``.ci/run`` runs)
a missing module is an error, never a skip that would hide a failure.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def require(module: str, reason: str | None = None) -> ModuleType:
    """Import ``module``; skip the calling test (module) without it, except under CI."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        return importlib.import_module(module)
    return pytest.importorskip(module, reason=reason)
