"""The local web app (``graphinpaint serve``) and the request handling web fronts share.

Map
---
handling    framework-neutral: check and decode uploads, parse options, make and run a task
jobs        the bounded worker pool: progress, cancellation, abandoned clients, expiry
app         the Flask app: the page, its assets (``static/``, shipped in the package), the API
cli         the ``serve`` subcommand

Flask is imported only by :func:`create_app` and the ``serve`` command (``pip install
"graphinpaint[web]"``), so that this package imports without it.
"""

from .handling import Limits, RequestError, Task, Upload, prepare, restore_request, run_task
from .jobs import Cancelled, Job, JobPool

__all__ = [
    "Cancelled",
    "Job",
    "JobPool",
    "Limits",
    "RequestError",
    "Task",
    "Upload",
    "create_app",
    "prepare",
    "restore_request",
    "run_task",
]


def create_app(**kwargs):
    """The Flask app of ``graphinpaint serve``; see :func:`graphinpaint.web.app.create_app`."""
    from .app import create_app as _create_app

    return _create_app(**kwargs)
