"""The argument checks of :mod:`graphinpaint.graph`'s constructions: pixel and node subsets,
search windows, masks and confidence maps, each turned into the array the kernels take or
rejected with a message that names the parameter and the function."""

from __future__ import annotations

import numpy as np

from ._validation import InpaintError, check_int


def _pixel_subset(pixels: np.ndarray | None, shape: tuple[int, int], func: str) -> np.ndarray:
    """Sorted unique flat pixel indices from a boolean mask, index array or None (all)."""
    size = shape[0] * shape[1]
    if pixels is None:
        return np.arange(size, dtype=np.intp)
    pixels = np.asarray(pixels)
    if pixels.dtype == bool:
        if pixels.shape != tuple(shape):
            raise InpaintError(
                f"A boolean pixel mask given to {func} must have the image's shape {tuple(shape)}. "
                f"Got {pixels.shape} instead."
            )
        return np.flatnonzero(pixels)
    return _checked_indices(pixels, size, "pixels", func)


def _node_subset(nodes: np.ndarray | None, n: int, name: str, func: str) -> np.ndarray:
    """Sorted unique node indices from a boolean mask of length n, index array or None (all)."""
    if nodes is None:
        return np.arange(n, dtype=np.intp)
    nodes = np.asarray(nodes)
    if nodes.dtype == bool:
        if nodes.shape != (n,):
            raise InpaintError(
                f"The {name!r} parameter of {func} must be a boolean mask of shape ({n},). "
                f"Got shape {nodes.shape} instead."
            )
        picked = np.flatnonzero(nodes)
    else:
        picked = _checked_indices(nodes, n, name, func)
    if len(picked) == 0:
        raise InpaintError(f"The {name!r} parameter of {func} selects no node.")
    return picked


def _checked_indices(indices: np.ndarray, size: int, name: str, func: str, *,
                     unique: bool = True) -> np.ndarray:
    if indices.dtype.kind not in "iu" or indices.ndim != 1:
        raise InpaintError(
            f"The {name!r} parameter of {func} must be a boolean mask or a 1-D array of integer "
            f"indices. Got dtype {indices.dtype} and shape {indices.shape}."
        )
    if len(indices) and (indices.min() < 0 or indices.max() >= size):
        raise InpaintError(
            f"The {name!r} parameter of {func} holds indices outside [0, {size - 1}]."
        )
    if unique and np.any(indices[1:] <= indices[:-1]):    # sorted input needs no sort
        indices = np.unique(indices)
    return indices.astype(np.intp, copy=False)


def _window_sizes(window: int | np.ndarray, n: int, func: str) -> np.ndarray:
    if np.ndim(window) == 0:
        check_int(window, "window", func, low=1, odd=True)
        return np.full(n, int(window), dtype=np.int64)
    window = np.asarray(window)
    if window.shape != (n,) or window.dtype.kind not in "iu" or np.any(window < 1) \
            or np.any(window % 2 == 0):
        raise InpaintError(
            f"The 'window' parameter of {func} must be an odd positive integer or an array of "
            f"them, one per query ({n}). Got an array of shape {window.shape}."
        )
    return window.astype(np.int64)


def _spatial_mask(mask: np.ndarray | None, shape: tuple[int, int], name: str, func: str,
                  default: bool) -> np.ndarray:
    if mask is None:
        return np.full(shape, default, dtype=bool)
    mask = np.asarray(mask)
    if mask.shape != tuple(shape):
        raise InpaintError(
            f"The {name!r} parameter of {func} must have the image's shape {tuple(shape)}. "
            f"Got {mask.shape} instead."
        )
    return np.ascontiguousarray(mask.astype(bool))


def _confidence_map(confidence: np.ndarray | None, shape: tuple[int, int], func: str,
                    dtype: type = np.float64) -> tuple[np.ndarray | None, bool]:
    """The checked confidence map in ``dtype`` (None where it is omitted: all ones), and whether
    it is all ones. Checked by its least and greatest values, in its own dtype: no float64
    copy or boolean temporaries of the image's size (4096^2: 0.2-0.3 s per search)."""
    if confidence is None:
        return None, True
    confidence = np.asarray(confidence)
    if confidence.dtype.kind not in "biuf":         # min/max below: no strings, None, complex
        raise InpaintError(
            f"The 'confidence' parameter of {func} must hold real numbers in [0, 1]. "
            f"Got dtype {confidence.dtype} instead."
        )
    if confidence.shape != tuple(shape):
        raise InpaintError(
            f"The 'confidence' parameter of {func} must have the image's shape {tuple(shape)}. "
            f"Got {confidence.shape} instead."
        )
    low, high = (confidence.min(), confidence.max()) if confidence.size else (1, 1)
    if not (low >= 0 and high <= 1):                    # NaN fails both
        raise InpaintError(f"The 'confidence' parameter of {func} must lie in [0, 1].")
    return confidence.astype(dtype, copy=False), bool(low == 1)
