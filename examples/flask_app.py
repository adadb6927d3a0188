"""A Flask backend for graphinpaint: upload an image and a mask, get the restored PNG back.

The request handling (upload checks, options, the restoration) is
:func:`graphinpaint.web.restore_request`, which the Django example (``examples/django_app/``) and
``graphinpaint serve`` share: this file only adapts Flask's request and answers. For the whole
browser app (paint the hole, progress, cancel, compare), run ``graphinpaint serve``.

Run it and call it (Flask comes with ``pip install "graphinpaint[web]"``)::

    python examples/flask_app.py --port 5000
    curl -F image=@examples/data/astronaut.png -F mask=@examples/data/astronaut_scratches.png \\
         http://127.0.0.1:5000/inpaint -o restored.png

``POST /inpaint`` takes ``multipart/form-data``:

===================  ======================================================================
field                content
===================  ======================================================================
``image``            the image file: PNG, JPEG, TIFF, BMP or WebP; 8 or 16 bits; gray or
                     colour; an alpha channel is passed through
``mask``             the mask file, **white = hole**, of the image's size
``mask_from_alpha``  optional, ``1``: the image's transparent pixels are the hole (no mask)
``p``                optional, the exponent of the p-Laplacian in [1, inf] (default: 2, and
                     3 in the refinement of scratches and text over photos below 512 x 512)
``form``             optional, ``anisotropic`` (default) or ``isotropic``
``patch_size``       optional, odd patch side, at most 31 (default: chosen by the hole, 7 or 11)
``k``                optional, matches per hole pixel, at most 50 (default: 3 for scratches and
                     text, else 5)
``strategy``         optional, ``auto`` (default), ``layers`` or ``global``
===================  ======================================================================

Answers: ``200`` with the restored ``image/png`` (same size, depth and channels; a header
``X-Graphinpaint-Warning`` when the mask looks inverted or a solver fell short of its
tolerance); ``400`` with ``{"error": ...}`` for a missing field, an unreadable image, a mask of
another size, a mask that is not black and white or a bad option; ``413`` for an upload above
``max_bytes`` or an image above ``max_pixels`` (checked from the header before decoding: a
small PNG can hold a huge image). ``GET /health`` answers ``{"status": "ok"}``.

Inpainting is CPU-bound and holds its worker for the whole run: in production serve
:func:`create_app` with a WSGI server, one worker per core, behind a proxy with a timeout
(``gunicorn -w 2 --chdir examples 'flask_app:create_app()'``).
"""

from __future__ import annotations

import argparse

from flask import Flask, Response, jsonify, request

import graphinpaint as gi
from graphinpaint.web import Limits, Upload, restore_request
from graphinpaint.web.app import add_error_handlers


def create_app(*, max_pixels: int = 4_000_000, max_bytes: int = 16 * 2**20) -> Flask:
    """The Flask application.

    Parameters
    ----------
    max_pixels : int
        Largest image accepted, in pixels (height x width); above it the answer is 413.
    max_bytes : int
        Largest request accepted, in bytes (Flask's ``MAX_CONTENT_LENGTH``); above it 413.
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = max_bytes
    limits = Limits(max_bytes=max_bytes, max_pixels=max_pixels)

    @app.post("/inpaint")
    def inpaint():
        files = {name: Upload(name, file.filename or "", file.read())
                 for name, file in request.files.items()}
        content, warnings = restore_request(files, request.form, limits)
        response = Response(content, mimetype="image/png")
        if warnings:     # the body is the image: tell the client in a header
            response.headers["X-Graphinpaint-Warning"] = " ".join(warnings)
        return response

    @app.get("/health")
    def health():
        return jsonify(status="ok", version=gi.__version__)

    add_error_handlers(app, limits)     # JSON errors, as graphinpaint serve answers them
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve POST /inpaint on a local port.")
    parser.add_argument("--host", default="127.0.0.1", help="address (default: %(default)s)")
    parser.add_argument("--port", type=int, default=5000, help="port (default: %(default)s)")
    parser.add_argument("--max-pixels", type=int, default=4_000_000,
                        help="largest image in pixels (default: %(default)s)")
    parser.add_argument("--max-bytes", type=int, default=16 * 2**20,
                        help="largest request in bytes (default: %(default)s)")
    args = parser.parse_args(argv)
    app = create_app(max_pixels=args.max_pixels, max_bytes=args.max_bytes)
    print(f"serving POST http://{args.host}:{args.port}/inpaint")
    app.run(host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
