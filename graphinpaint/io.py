"""Reading and writing images and masks (the only module that touches files).

* :func:`read_image` keeps the file's dtype (8- and 16-bit integers, floats) and channels (gray,
  gray+alpha, RGB, RGBA); PNG, JPEG, TIFF, BMP and WebP through imageio. :func:`decode_image` and
  :func:`encode_image` do the same for a file's bytes in memory (web uploads and answers).
* :func:`read_mask` turns a bool, 0/1 or 0/255 array or file into a boolean hole mask
  (**True = hole**). Convention ``"white-hole"`` (default, as OpenCV and scikit-image): white or
  nonzero marks the hole. ``"black-hole"`` (the seed, PyInpaint): black marks the hole.
* :func:`split_alpha` / :func:`merge_alpha` carry an alpha channel through untouched;
  :func:`mask_from_alpha` uses transparency as the hole, :func:`opaque_where` makes the
  restored pixels visible.
* :func:`write_image` writes atomically (a temporary file in the same folder, then a rename) and
  never over an existing file, an input above all, unless asked.

Every problem raises :class:`graphinpaint.InpaintError` naming the file and what to do.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ._codecs import is_cmyk, is_png16, read_png16, write_png16
from ._validation import InpaintError, check_choice

__all__ = [
    "IMAGE_SUFFIXES",
    "MaskPolarityWarning",
    "SCANNED_SUFFIXES",
    "check_destination",
    "decode_image",
    "encode_image",
    "mask_from_alpha",
    "merge_alpha",
    "opaque_where",
    "read_image",
    "read_mask",
    "split_alpha",
    "write_image",
]

PathLike = str | os.PathLike


class MaskPolarityWarning(UserWarning):
    """The mask marks more than half of the image as hole: its polarity may be inverted."""


def read_image(path: PathLike) -> np.ndarray:
    """Read an image file, keeping its dtype and channels.

    Parameters
    ----------
    path : str or path
        PNG, JPEG, TIFF, BMP, WebP, or anything else imageio reads.

    Returns
    -------
    ndarray, shape (H, W) or (H, W, C)

    Raises
    ------
    InpaintError
        The file is missing, unreadable, not an image, truncated, smaller than 2 x 2 pixels, or
        holds NaN or inf.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "gray.png")
    >>> write_image(path, np.zeros((4, 5), np.uint8))
    >>> read_image(path).shape
    (4, 5)
    """
    return _checked_image(_read(path, "image"), f"image file '{path}'")


def decode_image(data: bytes, *, extension: str | None = None, name: str = "image") -> np.ndarray:
    """Decode an image file's bytes, as :func:`read_image` reads the file.

    Parameters
    ----------
    data : bytes
        The file's content (an upload, say).
    extension : str, optional
        The file's suffix (``".tif"``), a hint for the decoder; unknown suffixes are ignored.
    name : str, default "image"
        What the bytes are, for the messages (``"mask"``, say).

    Returns
    -------
    ndarray, shape (H, W) or (H, W, C)
        In the file's dtype and channels (16-bit PNGs keep their depth).

    Raises
    ------
    InpaintError
        The bytes are empty, not an image, truncated, smaller than 2 x 2 pixels, or hold NaN or
        inf; the message names ``name``.

    Examples
    --------
    >>> import numpy as np
    >>> decode_image(encode_image(np.zeros((3, 4), np.uint16))).dtype
    dtype('uint16')
    """
    if not data:
        raise InpaintError(f"The {name} is empty (0 bytes).")
    extension = extension.lower() if extension and extension.lower() in IMAGE_SUFFIXES else None
    return _checked_image(_decode(bytes(data), extension, f"the {name}"), f"the {name}")


def encode_image(image: np.ndarray, extension: str = ".png") -> bytes:
    """The bytes of an image file, as :func:`write_image` would write it (16-bit PNGs kept).

    Parameters
    ----------
    image : ndarray
        The image, as :func:`write_image` takes it.
    extension : str, default ".png"
        The file format, by its extension (``".png"``, ``".tif"``, ``".jpg"``...).

    Returns
    -------
    bytes
        The file's content.

    Raises
    ------
    InpaintError
        The extension names no image format imageio writes, or the format cannot hold the image
        (floats in PNG or JPEG, more than 8 bits in JPEG, BMP or WebP).

    Examples
    --------
    >>> import numpy as np
    >>> encode_image(np.zeros((2, 2), np.uint8))[:4]
    b'\\x89PNG'
    """
    image = np.asarray(image)
    extension = extension.lower()
    _check_format(image.dtype, Path(f"image{extension}"))
    buffer = BytesIO()
    _imwrite(buffer, image, extension)
    return buffer.getvalue()


def read_mask(mask: PathLike | np.ndarray, *, shape: tuple[int, int] | None = None,
              convention: str = "white-hole", invert: bool = False) -> np.ndarray:
    """A boolean hole mask (**True = hole**) from an array or a file.

    Parameters
    ----------
    mask : str, path or ndarray
        Bool, 0/1, 0/255 (or any integer or float) mask, (H, W) or with colour channels; a colour
        mask is reduced to its brightest channel, an alpha channel is ignored.
    shape : (int, int), optional
        The image's spatial shape; a mask of another size raises an error naming both.
    convention : {"white-hole", "black-hole"}, default "white-hole"
        ``"white-hole"``: bright (above half the range) marks the hole, as in OpenCV and
        scikit-image. ``"black-hole"``: dark marks the hole, as in the seed (PyInpaint).
    invert : bool, default False
        Flip the result (for masks made the other way round).

    Returns
    -------
    ndarray of bool, shape (H, W)

    Raises
    ------
    InpaintError
        For a file that cannot be read, a mask of another shape, or a mask that is not black and
        white: more than 16 grey levels with more than 5% of the pixels in the middle of the range
        (a photo passed as the mask, say; soft or JPEG-noisy edges are fine).

    Warns
    -----
    MaskPolarityWarning
        When more than half of the pixels are holes.

    Examples
    --------
    >>> import numpy as np
    >>> read_mask(np.array([[0, 255], [0, 0]], np.uint8))
    array([[False,  True],
           [False, False]])
    >>> read_mask(np.array([[0, 255], [255, 255]], np.uint8), convention="black-hole")
    array([[ True, False],
           [False, False]])
    """
    check_choice(convention, "convention", "read_mask", ("white-hole", "black-hole"))
    name = f"mask file '{mask}'" if not isinstance(mask, np.ndarray) else "the mask array"
    array = mask if isinstance(mask, np.ndarray) else _read(mask, "mask")
    bright = _brightness(np.asarray(array), name)
    hole = bright if convention == "white-hole" else ~bright
    hole = ~hole if invert else hole
    if shape is not None and hole.shape != tuple(shape[:2]):
        raise InpaintError(
            f"The {name} is {hole.shape[0]} x {hole.shape[1]} pixels but the image is "
            f"{shape[0]} x {shape[1]}. Use a mask of the image's size."
        )
    if hole.mean() > 0.5:
        warnings.warn(
            f"The {name} marks {100 * hole.mean():.0f}% of the image as hole "
            f"({convention}): if that is the part to keep, invert the mask "
            "(invert=True, --invert-mask).", MaskPolarityWarning, stacklevel=2)
    return hole


def mask_from_alpha(image: np.ndarray) -> np.ndarray:
    """Hole mask from an image's alpha channel: transparent (alpha below half) = hole.

    Parameters
    ----------
    image : ndarray, shape (H, W, 2) or (H, W, 4)
        Gray+alpha or RGBA, as :func:`read_image` gives them.

    Returns
    -------
    ndarray of bool, shape (H, W)
        True = hole.

    Raises
    ------
    InpaintError
        The image has no alpha channel (neither gray+alpha nor RGBA).

    Examples
    --------
    >>> import numpy as np
    >>> rgba = np.zeros((1, 2, 4), np.uint8); rgba[0, 1, 3] = 255
    >>> mask_from_alpha(rgba)
    array([[ True, False]])
    """
    _, alpha = split_alpha(image)
    if alpha is None:
        raise InpaintError(
            "The image has no alpha channel to take the mask from (expected gray+alpha or "
            "RGBA). Give a mask file instead."
        )
    return ~_above_half(alpha)


def split_alpha(image: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Split gray+alpha or RGBA into (colour, alpha); other images give (image, None).

    Examples
    --------
    >>> import numpy as np
    >>> colour, alpha = split_alpha(np.zeros((2, 3, 4), np.uint8))
    >>> colour.shape, alpha.shape
    ((2, 3, 3), (2, 3))
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] in (2, 4):
        return image[:, :, :-1], image[:, :, -1]
    return image, None


def opaque_where(alpha: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """A copy of ``alpha`` made fully opaque on ``hole``: where the hole came from
    transparency (:func:`mask_from_alpha`), the restored pixels are meant to be seen.

    Examples
    --------
    >>> import numpy as np
    >>> opaque_where(np.zeros((1, 2), np.uint8), np.array([[True, False]]))
    array([[255,   0]], dtype=uint8)
    """
    opaque = np.iinfo(alpha.dtype).max if alpha.dtype.kind in "ui" else 1.0
    return np.where(hole, alpha.dtype.type(opaque), alpha)


def merge_alpha(colour: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Put an alpha channel split off by :func:`split_alpha` back, untouched.

    Examples
    --------
    >>> import numpy as np
    >>> rgba = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    >>> bool((merge_alpha(*split_alpha(rgba)) == rgba).all())
    True
    """
    if alpha is None:
        return colour
    colour = colour if colour.ndim == 3 else colour[:, :, None]
    return np.concatenate([colour, alpha[:, :, None].astype(colour.dtype)], axis=2)


def write_image(path: PathLike, image: np.ndarray, *, overwrite: bool = False,
                inputs: tuple[PathLike, ...] = ()) -> None:
    """Write an image atomically: a temporary file in the same folder, then a rename.

    A reader never sees a half-written file, and a failed write leaves the destination as it
    was. An earlier output at ``path`` is replaced; an input file never is, unless asked.

    Parameters
    ----------
    path : str or path
        Destination; its extension chooses the format.
    image : ndarray
    overwrite : bool, default False
        Allow ``path`` to be one of ``inputs``.
    inputs : tuple of paths
        Files the job read: writing over one of them needs ``overwrite=True``.

    Raises
    ------
    InpaintError
        The destination is an input and ``overwrite`` is False, is a folder, its folder is
        missing or read-only, its extension names no image format imageio writes, or the
        format cannot hold the image (float in PNG/JPEG, say).

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.png")
    >>> write_image(path, np.zeros((2, 2, 3), np.uint8))
    >>> sorted(os.listdir(os.path.dirname(path)))          # no temporary file left behind
    ['out.png']
    """
    target = check_destination(path, np.asarray(image).dtype, overwrite=overwrite,
                               inputs=inputs)
    image = np.asarray(image)
    try:
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".graphinpaint-",
                                                 suffix=target.suffix)
    except PermissionError as error:     # access() can say yes where the file system says no
        raise InpaintError(_not_writable(path, target.parent)) from error
    os.close(descriptor)
    try:
        _imwrite(temporary, image, target.suffix.lower())
        os.chmod(temporary, _default_file_mode())      # mkstemp makes 0600 files
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_destination(path: PathLike, dtype: np.dtype, *, overwrite: bool = False,
                      inputs: tuple[PathLike, ...] = ()) -> Path:
    """Check, before any work, that an image of ``dtype`` can be written to ``path``.

    Raises the :class:`InpaintError` that :func:`write_image` would raise, so that a job fails
    before it computes anything. Returns the destination as a Path.

    Examples
    --------
    >>> import numpy as np
    >>> check_destination("/tmp/result.jpg", np.float32)
    Traceback (most recent call last):
    ...
    graphinpaint._validation.InpaintError: Cannot write a float image to '/tmp/result.jpg': .jpg holds integers only. Write a .tif file, or convert the image to uint8/uint16 first.
    """
    target = Path(path)
    if target.is_dir():
        raise InpaintError(f"Cannot write '{path}': it is a folder. Give a file name in it "
                           f"('{target / 'restored.png'}', say).")
    if not target.parent.is_dir():
        raise InpaintError(f"Cannot write '{path}': the folder '{target.parent}' does not exist.")
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise InpaintError(_not_writable(path, target.parent))
    if not overwrite and any(_same_file(target, Path(p)) for p in inputs):
        raise InpaintError(
            f"Refusing to write '{path}' over an input file. Choose another output path, or "
            "pass overwrite=True (--overwrite) to replace it."
        )
    _check_format(np.dtype(dtype), target)
    return target


# --- helpers ------------------------------------------------------------------------------------

def _read(path: PathLike, what: str) -> np.ndarray:
    file = Path(path)
    if not file.exists():
        raise InpaintError(f"The {what} file '{path}' does not exist. Check the path.")
    if not file.is_file():
        raise InpaintError(f"The {what} path '{path}' is not a file.")
    if file.stat().st_size == 0:
        raise InpaintError(f"The {what} file '{path}' is empty (0 bytes).")
    try:
        content = file.read_bytes()        # bytes, so a failed decode leaves no open file
    except PermissionError as error:
        raise InpaintError(f"Cannot read the {what} file '{path}': permission denied.") from error
    array = _decode(content, file.suffix.lower() or None, f"the {what} file '{path}'")
    if array.size == 0:
        raise InpaintError(f"The {what} file '{path}' holds an image with no pixels.")
    return array


#: Suffixes the decoders are told about; others are left for imageio to guess from the content.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif"})
#: Files a folder scan (the command's folders, ``graphinpaint batch``) takes as images: GIFs,
#: mostly animations, are left out.
SCANNED_SUFFIXES = IMAGE_SUFFIXES - {".gif"}


def _decode(content: bytes, extension: str | None, label: str) -> np.ndarray:
    """Decode a file's bytes with imageio (16-bit PNGs with pypng); ``label`` names it."""
    import imageio.v3 as iio

    hint = {"extension": extension} if extension else {}
    try:
        if is_png16(content):
            return read_png16(content)
        if is_cmyk(content):           # imageio would hand the four inks over as RGBA
            return np.asarray(iio.imread(content, plugin="pillow", mode="RGB"))
        with warnings.catch_warnings():     # plugins' deprecation notes as imageio tries them
            warnings.simplefilter("ignore", DeprecationWarning)
            return np.asarray(iio.imread(content, **hint))
    except Exception as error:  # imageio raises many types for bad files
        if "Could not find a backend" in str(error):     # no decoder knows the content at all
            raise InpaintError(
                f"Cannot read {label}: it is not an image (no reader of PNG, JPEG, TIFF, BMP, "
                "WebP or the other formats imageio reads knows its content). Is it the right file?"
            ) from error
        raise InpaintError(
            f"Cannot read {label}: it is not an image imageio can read, or it is truncated or "
            f"damaged ({type(error).__name__}: {error}). Re-export it as PNG."
        ) from error


def _checked_image(image: np.ndarray, label: str) -> np.ndarray:
    """A decoded image checked for use: gray, gray+alpha, RGB or RGBA, 2 x 2 or more, finite."""
    if image.size == 0:
        raise InpaintError(f"Cannot use {label}: it holds an image with no pixels.")
    if image.ndim == 4 and image.shape[0] == 1:      # a single frame that imageio stacked (GIF)
        image = image[0]
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] > 4):
        raise InpaintError(
            f"Cannot use {label}: its array has shape {image.shape}; expected gray, "
            "gray+alpha, RGB or RGBA (an animation or volume? save one frame as PNG)."
        )
    if min(image.shape[:2]) < 2:
        raise InpaintError(
            f"Cannot use {label}: it is {image.shape[0]} x {image.shape[1]} pixels; "
            "an image needs at least 2 x 2 pixels to be inpainted."
        )
    if image.dtype.kind == "f" and not np.all(np.isfinite(image)):
        raise InpaintError(
            f"Cannot use {label}: it holds NaN or inf values. Replace them, or mark "
            "those pixels as holes in the mask and set them to 0."
        )
    if image.dtype == bool:                 # a 1-bit file: black and white, as 8 bits show it
        image = np.where(image, np.uint8(255), np.uint8(0))
    elif image.dtype.kind not in "uif":
        image = image.astype(np.uint8)
    return image


def _brightness(array: np.ndarray, name: str) -> np.ndarray:
    """True where a mask array is bright: above half its range (bool kept as is)."""
    if array.ndim == 3:
        colour, _ = split_alpha(array)
        array = colour.max(axis=2) if colour.ndim == 3 else colour
    if array.ndim != 2:
        raise InpaintError(
            f"The {name} must be 2-D (H, W), or an image with channels. Got shape {array.shape}."
        )
    if array.dtype == bool:
        return array.copy()
    if array.dtype.kind not in "uif":
        raise InpaintError(f"The {name} must be boolean or numeric. Got dtype {array.dtype}.")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        raise InpaintError(f"The {name} holds NaN or inf values.")
    _check_black_and_white(array, name)
    return _above_half(array)


# A mask is black and white, perhaps with soft (anti-aliased) or JPEG-noisy edges; a photo passed
# as a mask has many grey levels over much of its area. Masks made by hand, by the seed and by
# painting programs have at most a few percent of mid-grey pixels; photos have 50% or more.
_MASK_MAX_LEVELS = 16
_MASK_MAX_GREY_SHARE = 0.05


def _check_black_and_white(array: np.ndarray, name: str) -> None:
    """Refuse a mask with many grey levels over much of its area (a photo, say)."""
    low, high = float(array.min()), float(array.max())
    middle = (array > low + (high - low) / 8) & (array < high - (high - low) / 8)
    share = middle.mean()
    # The share is cheap and near 0 for any real mask; the levels are counted only past it.
    if share > _MASK_MAX_GREY_SHARE and _levels(array) > _MASK_MAX_LEVELS:
        raise InpaintError(
            f"The {name} is not black and white: {100 * share:.0f}% of its pixels are "
            "grey. Is it a photo? A mask marks the hole in white (or black with the seed's "
            "convention) on the other colour; threshold it or paint one."
        )


def _levels(array: np.ndarray) -> int:
    """How many distinct values an array holds (a histogram for 8/16-bit, no sort)."""
    if array.dtype in (np.uint8, np.uint16):
        return int(np.count_nonzero(np.bincount(array.ravel(), minlength=1)))
    return len(np.unique(array))


def _above_half(array: np.ndarray) -> np.ndarray:
    """Above half the range: 0/1 data at 0.5, 0/255 data at 127.5, 16-bit data at 32767.5."""
    peak = float(array.max()) if array.size else 0.0
    if peak <= 1:
        full = 1.0
    elif peak <= 255:
        full = 255.0
    else:
        full = float(np.iinfo(array.dtype).max) if array.dtype.kind in "ui" else peak
    return array > full / 2


def _not_writable(path: PathLike, folder: Path) -> str:
    return (f"Cannot write '{path}': the folder '{folder}' is read-only for this user. Choose "
            "another output folder.")


def _check_format(dtype: np.dtype, target: Path) -> None:
    import imageio.config

    suffix = target.suffix.lower()
    if suffix not in imageio.config.known_extensions:    # imageio would guess, or fail late
        what = f"'{suffix}' is not an image format" if suffix else "the name has no extension"
        raise InpaintError(f"Cannot write '{target}': {what}. End the name with .png, .tif or "
                           ".jpg to choose the format.")
    if suffix in (".png", ".jpg", ".jpeg", ".bmp", ".webp") and dtype.kind == "f":
        raise InpaintError(
            f"Cannot write a float image to '{target}': {suffix} holds integers only. Write a "
            ".tif file, or convert the image to uint8/uint16 first."
        )
    if suffix in (".jpg", ".jpeg", ".bmp", ".webp") and dtype != np.uint8:
        raise InpaintError(
            f"Cannot write a {dtype} image to '{target}': {suffix} holds 8 bits. Write a "
            ".png or .tif file instead."
        )


def _imwrite(target: str | BinaryIO, image: np.ndarray, suffix: str) -> None:
    """Write to a path or a binary file object."""
    import imageio.v3 as iio

    if suffix == ".png" and image.dtype == np.uint16:
        if isinstance(target, str):
            with open(target, "wb") as file:
                write_png16(file, image)
        else:
            write_png16(target, image)
        return
    options = {"quality": 95} if suffix in (".jpg", ".jpeg") else {}
    iio.imwrite(target, image, extension=suffix, **options)


def _default_file_mode() -> int:
    """The mode a newly created file gets under the current umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False
