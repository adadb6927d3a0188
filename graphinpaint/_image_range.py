"""The image side of :func:`~graphinpaint.inpaint`: the checks of the image and mask it is given,
the (H, W, C) working copy in [0, 1] and the way back to the input's dtype and layout (known
pixels bit for bit). Knows nothing of graphs.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._validation import InpaintError, check_int


def _refuse_path(value: Any, name: str, func: str) -> None:
    """A file name where an array belongs (``np.asarray`` of one is a 0-d string array): say
    how to read the file."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "USO":
        value = value.item()
    if isinstance(value, (str, os.PathLike)):
        reader = "read_mask" if name == "mask" else "read_image"
        raise InpaintError(
            f"The '{name}' parameter of {func} must be an array. Got the path "
            f"'{os.fspath(value)}': read the file with graphinpaint.io.{reader}(path) first."
        )


def as_array(value: Any, name: str, func: str) -> np.ndarray:
    """``np.asarray(value)``, refusing a path (:func:`_refuse_path`) and ragged nested lists with
    a message naming the parameter instead of numpy's."""
    _refuse_path(value, name, func)
    try:
        return np.asarray(value)
    except ValueError as error:         # numpy: "... has an inhomogeneous shape ..."
        raise InpaintError(
            f"The '{name}' parameter of {func} must be an array. Got nested lists with rows of "
            f"unequal lengths ({error}): give every row the image's width."
        ) from None


def _channels_last(image: np.ndarray, channel_axis: int | None, func: str) -> np.ndarray:
    """The image as (H, W, C), validating its dimensions and dtype (``image`` from
    :func:`as_array`, which has refused a path)."""
    if image.dtype.kind not in "uif" or image.dtype.kind == "b":
        raise InpaintError(
            f"The 'image' parameter of {func} must hold integers or floats. Got dtype "
            f"{image.dtype}."
        )
    if image.size == 0:
        raise InpaintError(f"The 'image' parameter of {func} is empty: shape {image.shape}. "
                           "Give an image with pixels.")
    if channel_axis is None:
        if image.ndim != 2:
            raise InpaintError(
                f"The 'image' parameter of {func} must be 2-D when channel_axis is None. Got "
                f"shape {image.shape}; pass channel_axis=-1 for a colour image."
            )
        return image[:, :, np.newaxis]
    if image.ndim == 2:
        return image[:, :, np.newaxis]
    if image.ndim != 3:
        raise InpaintError(
            f"The 'image' parameter of {func} must have shape (H, W) or (H, W, C). Got "
            f"{image.shape}."
        )
    axis = check_int(channel_axis, "channel_axis", func, low=-3, high=2)
    return np.moveaxis(image, axis, -1)


def _checked_mask(mask: np.ndarray, shape: tuple[int, int], func: str) -> np.ndarray:
    mask = as_array(mask, "mask", func)
    if mask.shape != shape:
        colour = mask.ndim == 3 and mask.shape[:2] == shape     # a mask file read as RGB(A)
        raise InpaintError(
            f"The 'mask' parameter of {func} must have the image's spatial shape {shape}. Got "
            f"{mask.shape} instead." + (" Read a mask file with graphinpaint.io.read_mask, "
                                        "which reduces its channels." if colour else "")
        )
    if mask.dtype.kind not in "biuf":
        raise InpaintError(f"The 'mask' parameter of {func} must be boolean. Got {mask.dtype}.")
    hole = mask.astype(bool)
    if hole.all():
        raise InpaintError(
            f"The 'mask' parameter of {func} marks every pixel as missing (True = hole): there is "
            "nothing to fill from. Check the mask's polarity."
        )
    return hole


def _check_finite(image: np.ndarray, hole: np.ndarray, func: str) -> None:
    if image.dtype.kind == "f" and not np.all(np.isfinite(image[~hole])):
        raise InpaintError(
            f"The 'image' parameter of {func} holds NaN or inf in known pixels. Replace them or "
            "mark them as missing in the mask."
        )


def _unit_scale(image: np.ndarray, hole: np.ndarray) -> tuple[float, float]:
    """(offset, span) mapping the image to [0, 1]: the dtype's range for 8- and 16-bit integers,
    the known values' range for floats and wider integers: their dtype's range (2**32, 2**64)
    would squeeze any image into a sliver of [0, 1], where the Gaussian bandwidth weighs every
    match alike (32 bits) or float64 rounding adds noise of thousands of levels (64 bits)."""
    if image.dtype.kind in "ui" and image.dtype.itemsize <= 2:
        info = np.iinfo(image.dtype)
        return float(min(info.min, 0)), float(info.max - min(info.min, 0))
    known = image[~hole]
    low = float(known.min())
    span = float(known.max()) - low
    return low, span if span > 0 else 1.0


def _to_unit_range(image: np.ndarray, hole: np.ndarray, scale: tuple[float, float] | None = None
                   ) -> tuple[np.ndarray, tuple[float, float]]:
    """Working copy in [0, 1] (float32 stays float32, else float64) and the (offset, span)."""
    work = np.float32 if image.dtype == np.float32 else np.float64
    low, span = _unit_scale(image, hole) if scale is None else scale
    # In place, and no cast where the dtype is already the work's: one image-sized array, not
    # four (0.4 s at 4096^2 in colour).
    values = image.astype(np.float64)
    values -= low
    values /= span
    values = values.astype(work, copy=False)
    values[hole] = 0
    return values, (low, span)


def _from_unit_range(estimate: np.ndarray, original: np.ndarray, channels_last: np.ndarray,
                     hole: np.ndarray, scale: tuple[float, float], channel_axis: int | None,
                     region: tuple[slice, slice] = (slice(None), slice(None))) -> np.ndarray:
    """The result in the input's dtype and layout; known pixels copied bit for bit.

    ``estimate`` covers ``region`` of the image.
    """
    low, span = scale
    inner = hole[region]
    restored = estimate[inner].astype(np.float64) * span + low
    if original.dtype.kind in "ui":
        info = np.iinfo(original.dtype)
        restored = np.clip(np.rint(restored), info.min, info.max)
    result = channels_last.copy()
    result[region][inner] = restored.astype(original.dtype)
    if original.ndim == 2:
        return result[:, :, 0]
    return np.moveaxis(result, -1, channel_axis)


def _as_float_image(image: np.ndarray) -> np.ndarray:
    """The seed returns floats in [0, 1]: convert integer images by their dtype's range."""
    image = np.asarray(image)
    if image.dtype.kind in "ui":
        return image.astype(np.float64) / np.iinfo(image.dtype).max
    return image.astype(np.float64)
