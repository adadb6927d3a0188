"""Request handling shared by every web front (the ``serve`` app, the Flask and Django examples).

Nothing here knows Flask or Django: a front hands over the uploaded files as :class:`Upload`
objects and the form fields as a mapping, and turns a :class:`RequestError` into an HTTP answer
(its ``status`` and ``{"error": message}``). The steps:

* :func:`read_upload` checks an upload's size from its header before decoding it (413 above the
  pixel limit: a small PNG can hold a huge image), then decodes its bytes with
  :func:`graphinpaint.io.decode_image` (nothing is written to disk);
* :func:`parse_options` turns form fields into :func:`graphinpaint.inpaint` options, checked;
* :func:`prepare` makes a :class:`Task` (image, hole, options) from an image and a mask upload,
  or from the image's transparency, and refuses masks that cannot be right;
* :func:`run_task` restores a task (the numerics are :func:`graphinpaint.inpaint`'s) and
  :func:`encode_png` returns the result as PNG bytes of the upload's depth and channels;
* :func:`restore_request` chains them for a one-shot endpoint (``POST /inpaint``).

Client file names are never used as paths: only a known suffix is kept to help the decoder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from .. import io
from .._validation import InpaintError, check_choice, check_float, check_int
from ..patches import check_patch_size
from ..pipeline import inpaint
from ._threadwarnings import recorded_warnings

__all__ = [
    "DEFAULT_OPTIONS",
    "Limits",
    "RequestError",
    "Task",
    "Upload",
    "check_length",
    "encode_png",
    "parse_options",
    "prepare",
    "read_upload",
    "restore_request",
    "run_task",
    "too_large",
]

# The options a web client may set, with inpaint's defaults (None: chosen by inpaint) and the
# page's one-line explanation of each. The bounds on patch_size and k keep a request from buying
# unbounded work (a 41-pixel patch takes 5 times a 7-pixel one's time; inpaint allows up to the
# image's side).
DEFAULT_OPTIONS: dict[str, dict] = {
    "p": dict(default=None, help="Exponent of the p-Laplacian, 1 to inf: 2 averages the matches "
                                 "smoothly, 1 keeps sharp edges (weighted median), inf takes the "
                                 "midrange. Empty: 2, and 3 in the refinement of scratches and "
                                 "text over photos below 2048 x 2048."),
    "form": dict(default="anisotropic", choices=("anisotropic", "isotropic"),
                 help="How p weighs the differences when p is not 2: each edge on its own "
                      "(anisotropic) or by the gradient at each pixel (isotropic)."),
    "patch_size": dict(default=None, min=1, max=31,
                       help="Odd side of the square patches compared to find matching pixels: "
                            "larger follows larger structures, costs more. Empty: 11 for "
                            "blocks and blotches, 7 or 11 for scattered loss (chosen on "
                            "held-out pixels), else 7."),
    "k": dict(default=None, min=1, max=50,
              help="Matches per hole pixel: more averages noise away and blurs fine texture "
                   "more. Empty: 3 for scratches and text, else 5."),
    "strategy": dict(default="auto", choices=("auto", "layers", "global"),
                     help="layers fills from the boundary inward (scratches, blotches); global "
                          "solves the whole hole at once (scattered missing pixels); auto "
                          "chooses."),
}


class RequestError(Exception):
    """A request the client must fix: answer ``status`` with ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Limits:
    """What a server accepts: bytes per request and pixels (height x width) per image."""

    max_bytes: int = 32 * 2**20
    max_pixels: int = 4_000_000


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the web framework gave it: form field, client file name, bytes."""

    field: str
    filename: str
    content: bytes


@dataclass
class Task:
    """One restoration, checked and ready to run."""

    colour: np.ndarray                  # the image without its alpha channel
    alpha: np.ndarray | None            # passed through untouched
    hole: np.ndarray                    # bool, True = hole
    options: dict
    name: str = "image"                 # the upload's file stem, for the download's name
    hole_from_alpha: bool = False       # restored pixels then become opaque
    warnings: list[str] = field(default_factory=list)


def too_large(limits: Limits) -> RequestError:
    """The 413 answer to a request above ``limits.max_bytes``."""
    return RequestError(f"The request is larger than {limits.max_bytes} bytes "
                        f"({limits.max_bytes / 2**20:.1f} MB). Send a smaller image.", 413)


def check_length(content_length: int | str | None, limits: Limits) -> None:
    """413 when the request's declared length is above the limit (check it before reading).

    400 when the header is not a whole number of bytes (a malformed request).
    """
    if content_length in (None, ""):
        return
    try:
        length = int(content_length)
    except ValueError:
        length = -1
    if length < 0:
        raise RequestError(f"The request's Content-Length header ({content_length!r}) is not "
                           "a number of bytes.")
    if length > limits.max_bytes:
        raise too_large(limits)


def read_upload(upload: Upload | None, limits: Limits, *, what: str = "image") -> np.ndarray:
    """Check an upload's size from its header, then decode it; errors name the field.

    Parameters
    ----------
    upload : Upload or None
        The file as received; None when the request had no such field.
    limits : Limits
        The pixel limit is checked from the file's header, before any pixel is decoded.
    what : str, default "image"
        What the file is, for the messages ("image", "mask").

    Returns
    -------
    ndarray
        The decoded image, in its own dtype and channels.

    Raises
    ------
    RequestError
        400 for a missing, empty, unreadable or truncated image, or one that is not 8- or
        16-bit unsigned (float, signed, 32-bit: a PNG answer cannot hold them); 413 above
        ``limits.max_pixels`` (checked before decoding).
    """
    if upload is None:
        raise RequestError(f"The {what!r} file is missing: choose an image file.")
    if not upload.content:
        raise RequestError(f"The {what!r} file is empty (0 bytes): choose an image file.")
    frames, height, width = _header_shape(upload, limits)
    if frames * height * width > limits.max_pixels:
        raise RequestError(
            f"The {what} is {height} x {width} pixels"
            f"{f' in {frames} frames' if frames > 1 else ''}, above the limit of "
            f"{limits.max_pixels} pixels. Use a smaller image (or crop it).", 413)
    try:
        array = io.decode_image(upload.content, extension=Path(upload.filename or "").suffix,
                                name=what)
    except InpaintError as error:
        raise RequestError(str(error)) from None
    if array.dtype not in (np.uint8, np.uint16):     # the PNG answer holds nothing else
        raise RequestError(f"The {what} holds {array.dtype} pixels; send an 8- or 16-bit "
                           "image (PNG, JPEG, TIFF or WebP).")
    return array


def parse_options(form: Mapping[str, str]) -> dict:
    """The inpaint options among ``form``'s fields, converted and checked (400 if bad).

    Parameters
    ----------
    form : mapping of str to str
        Form fields; ``p`` (a number or ``inf``), ``form``, ``patch_size`` (odd, at most 31),
        ``k`` (at most 50: a request must not buy unbounded work) and ``strategy`` are read,
        others ignored.

    Returns
    -------
    dict
        Keyword arguments for :func:`graphinpaint.inpaint`; empty or absent fields are left
        out, so that inpaint's defaults (which adapt to the image) apply.
    """
    options: dict = {}
    func = "inpaint"
    try:
        if _given(form, "p"):
            text = form["p"].strip().lower()
            value = math.inf if text in ("inf", "infinity") else _number(form["p"], "p", float)
            options["p"] = check_float(value, "p", func, low=1.0, high=math.inf)
        for name in ("form", "strategy"):
            if _given(form, name):
                options[name] = check_choice(form[name], name, func,
                                             DEFAULT_OPTIONS[name]["choices"])
        for name in ("patch_size", "k"):
            if _given(form, name):
                spec = DEFAULT_OPTIONS[name]
                options[name] = check_int(_number(form[name], name, int), name, func,
                                          low=spec["min"], high=spec["max"],
                                          odd=name == "patch_size")
    except InpaintError as error:
        raise RequestError(str(error)) from None
    return options


def prepare(image: Upload | None, mask: Upload | None, form: Mapping[str, str],
            limits: Limits) -> Task:
    """Check a request and make the :class:`Task` it asks for.

    Parameters
    ----------
    image, mask : Upload or None
        The image, and the mask file (**white = hole**, of the image's size, black and white).
    form : mapping of str to str
        The options (see :func:`parse_options`), and ``mask_from_alpha=1`` to take the hole
        from the image's transparency instead of a mask file.
    limits : Limits

    Returns
    -------
    Task

    Raises
    ------
    RequestError
        400 for a missing or unreadable file, a mask of another size, a mask that is not black
        and white, a mask with no hole or nothing but hole, a bad option; 413 above the limits.
    """
    options = parse_options(form)
    mask_from_alpha = _flag(form, "mask_from_alpha")
    array = read_upload(image, limits)
    colour, alpha = io.split_alpha(array)
    if "patch_size" in options:
        try:
            check_patch_size(options["patch_size"], colour.shape, "inpaint")
        except InpaintError as error:
            raise RequestError(str(error)) from None
    caught: list[str] = []
    if mask_from_alpha:
        if alpha is None:
            raise RequestError("The image has no transparency to take the hole from: paint "
                               "the hole or upload a mask.")
        hole = io.mask_from_alpha(array)
    else:
        hole = _read_mask(mask, colour.shape[:2], limits, caught)
    if not hole.any():
        raise RequestError("The mask marks no pixel as hole: paint over what to restore "
                           "(white = hole in a mask file).")
    if hole.all():
        raise RequestError("The mask marks every pixel as missing: nothing is left to restore "
                           "from. Paint only what to restore (white = hole in a mask file).")
    name = Path(image.filename or "image").stem or "image"
    return Task(colour, alpha, hole, options, name=name, hole_from_alpha=mask_from_alpha,
                warnings=caught)


def run_task(task: Task, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Restore a task: the whole image back, alpha included, in the upload's dtype.

    Parameters
    ----------
    task : Task
        Made by :func:`prepare`.
    progress : callable, optional
        ``progress(done, total)``, passed to :func:`graphinpaint.inpaint`; raising from it
        stops the restoration (the job pool's cancel).

    Returns
    -------
    ndarray
        The upload's shape and dtype; with ``task.hole_from_alpha`` the restored pixels become
        opaque.

    Warnings go where the process sends them; :func:`restore_request` and the job pool record
    them for the client.
    """
    restored = inpaint(task.colour, task.hole, **task.options, progress=progress,
                       channel_axis=-1 if task.colour.ndim == 3 else None)
    alpha = task.alpha
    if task.hole_from_alpha:
        alpha = io.opaque_where(alpha, task.hole)
    return io.merge_alpha(restored, alpha)


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an 8- or 16-bit image (:func:`graphinpaint.io.encode_image`)."""
    return io.encode_image(image, ".png")


def restore_request(files: Mapping[str, Upload], form: Mapping[str, str],
                    limits: Limits) -> tuple[bytes, list[str]]:
    """A one-shot restore, for a synchronous ``POST /inpaint`` endpoint.

    Parameters
    ----------
    files : mapping of str to Upload
        ``image`` and ``mask`` (white = hole; not needed with ``mask_from_alpha=1``).
    form : mapping of str to str
        Options, as for :func:`prepare`.
    limits : Limits

    Returns
    -------
    png : bytes
        The restored image: same size, depth and channels as the upload.
    warnings : list of str
        What the client should know (a mask that looks inverted, a solver short of its
        tolerance).

    Raises
    ------
    RequestError
        With the status and the message to answer.
    """
    task = prepare(files.get("image"), files.get("mask"), form, limits)
    try:
        with recorded_warnings() as caught:
            restored = run_task(task)
    except InpaintError as error:
        raise RequestError(str(error)) from None
    return encode_png(restored), task.warnings + [str(warning.message) for warning in caught]


# --- helpers ------------------------------------------------------------------------------------

def _header_shape(upload: Upload, limits: Limits) -> tuple[int, int, int]:
    """(frames, height, width) the file declares in its header, without decoding pixels.

    A file of several frames or pages is refused first, from its header alone (imageio's shape
    of every frame reads each page: minutes for a 5 MB TIFF of 20,000 tiny pages). imageio picks
    its plugin by content, or by the suffix the decoder is given later: both readings are
    taken, and the larger one counts.
    """
    import imageio.v3 as iio

    _check_one_frame(upload, limits)
    suffix = Path(upload.filename or "").suffix.lower()
    hints = [{}] + ([{"extension": suffix}] if suffix in io.IMAGE_SUFFIXES else [])
    shapes = []
    for hint in hints:
        try:
            with recorded_warnings():               # drops Pillow's DecompressionBombWarning
                shape = iio.improps(upload.content, index=..., **hint).shape
        except Exception as error:  # imageio raises many types for what it cannot read
            if type(error).__name__ == "DecompressionBombError":
                raise RequestError(f"The {upload.field} is far above the limit of "
                                   f"{limits.max_pixels} pixels.", 413) from None
            continue
        shapes.append(_frames_height_width(shape))
    if not shapes:
        raise _unreadable(upload)
    return max(shapes, key=math.prod)


def _check_one_frame(upload: Upload, limits: Limits) -> None:
    """400 unless Pillow or tifffile reads the bytes as one frame, from the header alone.

    Pillow tells an animation or a multi-page TIFF at open; tifffile counts the pages of TIFFs
    Pillow cannot open by following their offsets. The page restores one image: a stack
    restored on its first frame would silently lose the others.
    """
    from PIL import Image

    try:
        with recorded_warnings(), Image.open(BytesIO(upload.content)) as image:
            frames = 2 if getattr(image, "is_animated", False) else 1   # (drops the bomb warning)
    except Exception as error:  # Pillow raises many types for what it cannot read
        if type(error).__name__ == "DecompressionBombError":
            raise RequestError(f"The {upload.field} is far above the limit of "
                               f"{limits.max_pixels} pixels.", 413) from None
        frames = _tiff_pages(upload.content)
    if frames is None:
        raise _unreadable(upload)
    if frames > 1:
        raise RequestError(f"The {upload.field} holds several frames or pages (an animation or "
                           "a multi-page TIFF): save the one to restore as a PNG.")


def _tiff_pages(content: bytes) -> int | None:
    """How many pages a TIFF has (None for bytes that are not a TIFF)."""
    import tifffile

    try:
        with tifffile.TiffFile(BytesIO(content)) as tiff:
            return len(tiff.pages)
    except Exception:  # tifffile raises many types for what is not a TIFF
        return None


def _unreadable(upload: Upload) -> RequestError:
    return RequestError(f"The {upload.field} file '{upload.filename}' is not an image that "
                        "can be read: send a PNG, JPEG, TIFF or WebP file.")


def _frames_height_width(shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(frames, height, width) of an imageio ``index=...`` shape: (N, H, W[, C]) or (H, W)."""
    if len(shape) == 2:
        return 1, int(shape[0]), int(shape[1])
    if len(shape) < 2:
        return 1, 1, 1
    return int(shape[0]), int(shape[1]), int(shape[2])


def _read_mask(mask: Upload | None, shape: tuple[int, int], limits: Limits,
               caught: list[str]) -> np.ndarray:
    if mask is None:
        raise RequestError("The 'mask' file is missing: paint the hole, upload a mask file "
                           "(white = hole) or use the image's transparency.")
    array = read_upload(mask, limits, what="mask")
    with recorded_warnings() as polarity:
        try:
            hole = io.read_mask(array, shape=shape)
        except InpaintError as error:
            raise RequestError(str(error).replace("the mask array", "mask")) from None
    caught += [str(warning.message).replace("the mask array", "mask") for warning in polarity]
    return hole


def _given(form: Mapping[str, str], name: str) -> bool:
    return form.get(name) not in (None, "")


def _flag(form: Mapping[str, str], name: str) -> bool:
    return str(form.get(name, "")).lower() in ("1", "true", "on", "yes")


def _number(text: str, name: str, kind: type) -> float | int:
    try:
        return kind(text)
    except (TypeError, ValueError):
        what = "an integer" if kind is int else "a number"
        raise InpaintError(f"The {name!r} field must be {what}. Got {text!r}.") from None
