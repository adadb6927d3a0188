"""The Flask application of ``graphinpaint serve``: the page, its assets and the HTTP API.

The API (``docs/web.md`` documents each answer):

====================================  ===========================================================
``GET  /``                            the page
``GET  /api/config``                  options with defaults and help, limits, bundled samples
``POST /api/images``                  upload an image (field ``image``): its id, size, channels
``GET  /api/images/<id>/preview``     the image as an 8-bit PNG the browser can show
``POST /api/jobs``                    start a restoration: ``image_id`` (or an ``image`` file),
                                      a ``mask`` file (white = hole) or ``mask_from_alpha=1``,
                                      options ``p form patch_size k strategy``; answers 202
``GET  /api/jobs/<id>``               state, progress ``done``/``total``, queue position, error
``POST /api/jobs/<id>/cancel``        stop it (also ``DELETE /api/jobs/<id>``)
``GET  /api/jobs/<id>/result``        the restored PNG: same size, depth and channels
====================================  ===========================================================

Errors are JSON ``{"error": message}`` with 400 (bad input), 403 (a request from another web
site, or addressed to another host name: see :func:`create_app`), 404 (unknown or expired id),
409 (no result yet), 413 (too many bytes or pixels, checked before decoding) or 500 (a failure on
the server, logged; the message never holds a traceback).
"""

from __future__ import annotations

from importlib import resources
from io import BytesIO
from urllib.parse import urlsplit

import numpy as np

from .._version import __version__
from .handling import (DEFAULT_OPTIONS, Limits, RequestError, Upload, encode_png, prepare,
                       read_upload, too_large)
from .jobs import JobPool

__all__ = ["add_error_handlers", "create_app"]

_STATIC = resources.files("graphinpaint.web") / "static"
SAMPLES = ("astronaut.png", "brick.png")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def create_app(*, pool: JobPool | None = None, limits: Limits | None = None,
               local_only: bool = True):
    """The Flask app; its job pool is ``app.extensions["graphinpaint.pool"]`` (close it).

    Any web page the user opens can send requests to a server on this machine: a form posted
    from another site (403 when its ``Origin`` is not this server), or a host name of the
    attacker's that resolves to 127.0.0.1 (DNS rebinding: 403 unless the ``Host`` is a loopback
    name, with ``local_only``).

    Parameters
    ----------
    pool : JobPool, optional
        Where the restorations run; default a new pool with one worker per core.
    limits : Limits, optional
        Bytes per request and pixels per image accepted (413 above them).
    local_only : bool, default True
        Answer only requests addressed to ``localhost``, ``127.0.0.1`` or ``::1``; False for a
        server that other machines reach by its name or address.
    """
    from flask import Flask, jsonify, request, send_file

    limits = limits or Limits()
    pool = pool or JobPool()
    app = Flask(__name__, static_folder=str(_STATIC), static_url_path="/static")
    app.config["MAX_CONTENT_LENGTH"] = limits.max_bytes
    app.extensions["graphinpaint.pool"] = pool

    @app.before_request
    def refuse_other_sites():
        _check_source(request, local_only=local_only)

    def upload_of(name: str) -> Upload | None:
        file = request.files.get(name)
        return None if file is None else Upload(name, file.filename or "", file.read())

    @app.get("/")
    def page():
        return send_file(BytesIO((_STATIC / "index.html").read_bytes()), mimetype="text/html")

    @app.get("/api/config")
    def config():
        options = [dict(name=name, **spec) for name, spec in DEFAULT_OPTIONS.items()]
        return jsonify(version=__version__, options=options, samples=list(SAMPLES),
                       limits=dict(max_bytes=limits.max_bytes, max_pixels=limits.max_pixels))

    @app.post("/api/images")
    def upload_image():
        upload = upload_of("image")
        array = read_upload(upload, limits)
        info = _describe(array)
        image_id = pool.keep_upload(upload)
        return jsonify(id=image_id, preview=f"/api/images/{image_id}/preview", **info), 201

    @app.get("/api/images/<image_id>/preview")
    def preview(image_id: str):
        array = read_upload(pool.upload(image_id), limits)
        return send_file(BytesIO(encode_png(_eight_bits(array))), mimetype="image/png")

    @app.post("/api/jobs")
    def start_job():
        image = upload_of("image")
        if image is None and request.form.get("image_id"):
            image = pool.upload(request.form["image_id"])
        task = prepare(image, upload_of("mask"), request.form, limits)
        job = pool.submit(task)
        return jsonify(pool.status(job.id)), 202

    @app.get("/api/jobs/<job_id>")
    def job_status(job_id: str):
        return jsonify(pool.status(job_id))

    @app.route("/api/jobs/<job_id>/cancel", methods=["POST"])
    @app.route("/api/jobs/<job_id>", methods=["DELETE"])
    def cancel_job(job_id: str):
        return jsonify(pool.cancel(job_id))

    @app.get("/api/jobs/<job_id>/result")
    def job_result(job_id: str):
        content, name = pool.result(job_id)
        return send_file(BytesIO(content), mimetype="image/png", as_attachment=True,
                         download_name=name)

    add_error_handlers(app, limits)
    return app


def add_error_handlers(app, limits: Limits) -> None:
    """Answer every error of a Flask app as JSON ``{"error": message}``, never a traceback.

    :class:`RequestError` with its status, 413 with the byte limit, other HTTP errors with their
    description, anything else 500 (logged).
    """
    from flask import jsonify, request
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(RequestError)
    def request_error(error: RequestError):
        return jsonify(error=error.message), error.status

    @app.errorhandler(413)
    def request_too_large(error: HTTPException):
        if (request.content_length or 0) <= limits.max_bytes:   # Flask's form limits, not ours
            return jsonify(error="The form's text fields are too large or too many: send the "
                                 "images as files and the options as short fields."), 413
        return request_error(too_large(limits))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return jsonify(error=error.description), error.code

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        app.logger.exception("request failed")
        return jsonify(error="Something failed on the server (see its log)."), 500


def _check_source(request, *, local_only: bool) -> None:
    """403 for a request addressed to another host name, or sent by another site's page."""
    if local_only and urlsplit(f"//{request.host}").hostname not in LOOPBACK_NAMES:
        raise RequestError("This server answers requests addressed to this machine only: open "
                           "it as http://127.0.0.1 or http://localhost.", 403)
    origin = request.headers.get("Origin")
    if request.method not in ("GET", "HEAD", "OPTIONS") and origin is not None and \
            urlsplit(origin).netloc != request.host:
        raise RequestError("Requests sent by another web site's page are refused.", 403)


def _describe(array: np.ndarray) -> dict:
    """Size, channels and depth of a decoded upload, for the page."""
    channels = 1 if array.ndim == 2 else array.shape[2]
    return dict(width=int(array.shape[1]), height=int(array.shape[0]), channels=channels,
                dtype=str(array.dtype), alpha=channels in (2, 4))


def _eight_bits(array: np.ndarray) -> np.ndarray:
    """An 8-bit copy for display (uploads are 8- or 16-bit; 16-bit ones keep their top byte)."""
    return array if array.dtype == np.uint8 else (array >> 8).astype(np.uint8)
