"""The local web app (``graphinpaint serve``) and the request handling web fronts share.

Map
---
handling    framework-neutral: check and decode uploads, parse options, make and run a task
jobs        the bounded worker pool: progress, cancellation, abandoned clients, expiry
app         the Flask app: the page, its assets (``static/``, shipped in the package), the API
cli         the ``serve`` subcommand

Flask is imported only when :func:`create_app` is called and by the ``serve`` command (``pip
install "graphinpaint[web]"``), so that this package imports without it.
"""

from .app import create_app
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
