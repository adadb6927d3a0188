"""A Flask backend for graphinpaint: upload an image and a mask, get the restored PNG back.

Run it and call it (Flask comes with ``pip install "graphinpaint[test]"`` or ``pip install
flask``)::

    python examples/flask_app.py --port 5000
    curl -F image=@examples/data/astronaut.png -F mask=@examples/data/astronaut_scratches.png \\
         http://127.0.0.1:5000/inpaint -o restored.png

``POST /inpaint`` takes ``multipart/form-data``:

==============  ===========================================================================
field           content
==============  ===========================================================================
``image``       the image file: PNG, JPEG, TIFF, BMP or WebP; 8 or 16 bits; gray or colour;
                an alpha channel is passed through
``mask``        the mask file, **white = hole**, of the image's size
``p``           optional, the exponent of the p-Laplacian in [1, inf] (default 2)
``patch_size``  optional, odd patch side (default 7)
``k``           optional, matches per hole pixel (default 5)
==============  ===========================================================================

Answers: ``200`` with the restored ``image/png`` (same size, depth and channels; a header
``X-Graphinpaint-Warning`` when the mask looks inverted or a solver fell short of its
tolerance); ``400`` with ``{"error": ...}`` for a missing field, an unreadable image, a mask of
another size or a bad option; ``413`` for an upload above ``max_bytes`` or an image above
``max_pixels``. ``GET /health`` answers ``{"status": "ok"}``.

The pixel cap is checked from the file's header before the image is decoded: a small PNG can
hold a huge image. Inpainting is CPU-bound and holds its worker for the whole run: in
production serve :func:`create_app` with a WSGI server, one worker per core, behind a proxy
with a timeout (``gunicorn -w 2 --chdir examples 'flask_app:create_app()'``).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import warnings
from io import BytesIO
from pathlib import Path

import imageio.v3 as iio
from flask import Flask, jsonify, request, send_file
from werkzeug.exceptions import HTTPException

import graphinpaint as gi

_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}


class UploadError(Exception):
    """A request the client must fix: answered with ``status`` and a JSON error message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


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
    app.config["MAX_PIXELS"] = max_pixels

    @app.post("/inpaint")
    def inpaint():
        options = _options(request.form)
        with tempfile.TemporaryDirectory(prefix="graphinpaint-") as folder:
            image_path = _save_upload("image", Path(folder), app.config["MAX_PIXELS"])
            mask_path = _save_upload("mask", Path(folder), app.config["MAX_PIXELS"])
            image = _read("image", lambda: gi.io.read_image(image_path), image_path)
            if image.dtype.kind == "f":
                raise UploadError("The 'image' upload holds floats; send an 8- or 16-bit image.")
            colour, alpha = gi.io.split_alpha(image)
            # A mask that looks inverted, or a solver short of its tolerance, is worth telling
            # the client: in a header, since the body is the image.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", gi.io.MaskPolarityWarning)
                warnings.simplefilter("always", gi.ConvergenceWarning)
                hole = _read("mask", lambda: gi.io.read_mask(mask_path, shape=colour.shape[:2]),
                             mask_path)
                try:
                    restored = gi.inpaint(colour, hole, **options,
                                          channel_axis=-1 if colour.ndim == 3 else None)
                except gi.InpaintError as error:
                    raise UploadError(str(error)) from error
            output = Path(folder) / "restored.png"
            gi.io.write_image(output, gi.io.merge_alpha(restored, alpha))
            response = send_file(BytesIO(output.read_bytes()), mimetype="image/png",
                                 download_name="restored.png")
        if caught:
            response.headers["X-Graphinpaint-Warning"] = " ".join(
                _named(str(warning.message), "mask", mask_path) for warning in caught)
        return response

    @app.get("/health")
    def health():
        return jsonify(status="ok", version=gi.__version__)

    @app.errorhandler(UploadError)
    def upload_error(error: UploadError):
        return jsonify(error=error.message), error.status

    @app.errorhandler(413)
    def too_large(error: HTTPException):
        return jsonify(error=f"The request is larger than {app.config['MAX_CONTENT_LENGTH']} "
                             "bytes. Send a smaller image."), 413

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return jsonify(error=error.description), error.code

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        app.logger.exception("inpainting failed")
        return jsonify(error="Inpainting failed on the server."), 500

    return app


def _options(form) -> dict:
    """The optional numeric fields, parsed; graphinpaint checks their ranges."""
    options = {}
    for name, kind in (("p", float), ("patch_size", int), ("k", int)):
        text = form.get(name)
        if text is None or text == "":
            continue
        try:
            options[name] = kind(text)
        except ValueError:
            what = "an integer" if kind is int else "a number"
            raise UploadError(f"The {name!r} field must be {what}. Got {text!r}.") from None
    return options


def _save_upload(field: str, folder: Path, max_pixels: int) -> Path:
    """Write an uploaded file into ``folder`` after checking its size from the header."""
    upload = request.files.get(field)
    if upload is None or not upload.filename:
        raise UploadError(f"The {field!r} file is missing: send multipart/form-data with the "
                          "fields 'image' and 'mask' (white = hole).")
    content = upload.read()
    if not content:
        raise UploadError(f"The {field!r} file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")          # Pillow's DecompressionBombWarning
            shape = iio.improps(content).shape
    except Exception as error:  # imageio raises many types for what it cannot read
        if type(error).__name__ == "DecompressionBombError":
            raise UploadError(f"The {field!r} upload is far above {max_pixels} pixels.",
                              413) from None
        raise UploadError(f"The {field!r} file is not an image that can be read (PNG, JPEG, "
                          "TIFF, BMP or WebP).") from None
    if len(shape) >= 2 and math.prod(shape[:2]) > max_pixels:
        raise UploadError(f"The {field!r} upload is {shape[0]} x {shape[1]} pixels, above the "
                          f"limit of {max_pixels} pixels. Send a smaller image.", 413)
    suffix = Path(upload.filename).suffix.lower()
    path = folder / (field + (suffix if suffix in _SUFFIXES else ""))
    path.write_bytes(content)
    return path


def _read(field: str, reader, path: Path):
    """Run a graphinpaint.io reader; its errors name the upload, not the temporary file."""
    try:
        return reader()
    except gi.InpaintError as error:
        raise UploadError(_named(str(error), field, path)) from error


def _named(message: str, field: str, path: Path) -> str:
    """A graphinpaint.io message with the temporary file's path replaced by the field's name."""
    return message.replace(f"file '{path}'", f"upload '{field}'").replace(str(path), field)


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
