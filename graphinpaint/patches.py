"""Patch features of images: extraction, masked patch distances and PCA projection.

A pixel's patch is the ``patch_size x patch_size`` square centred on it, all channels together,
flattened row by row to a vector of ``patch_size**2 * C`` values (reflect padding at the border).
A *masked* patch distance compares only the entries that both patches hold with confidence: hole
pixels not yet filled have confidence 0 and do not count.

This module knows nothing of files or solvers.
"""

from __future__ import annotations

import numpy as np

from ._validation import InpaintError, check_int

__all__ = [
    "as_channels",
    "check_patch_size",
    "extract_patches",
    "masked_patch_distance",
    "pad_for_patches",
    "pca_project",
]


def as_channels(image: np.ndarray) -> np.ndarray:
    """View a (H, W) image as (H, W, 1); return (H, W, C) images unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> as_channels(np.zeros((4, 5))).shape
    (4, 5, 1)
    """
    image = np.asarray(image)
    if image.ndim == 2:
        return image[:, :, np.newaxis]
    if image.ndim == 3:
        return image
    raise InpaintError(
        f"An image must have shape (H, W) or (H, W, C). Got an array of shape {image.shape}."
    )


def check_patch_size(patch_size: int, shape: tuple[int, ...], func: str) -> int:
    """Check that ``patch_size`` is an odd positive integer no larger than the image.

    Examples
    --------
    >>> check_patch_size(7, (20, 30), "inpaint")
    7
    >>> check_patch_size(8, (20, 30), "inpaint")
    Traceback (most recent call last):
    ...
    graphinpaint._validation.InpaintError: The 'patch_size' parameter of inpaint must be an odd integer in [1, 19]. Got 8 instead.
    """
    limit = min(shape[0], shape[1])
    limit = limit if limit % 2 == 1 else limit - 1
    if limit < 1:
        raise InpaintError(f"The image given to {func} is empty: its shape is {shape}.")
    return check_int(patch_size, "patch_size", func, low=1, high=limit, odd=True)


def pad_for_patches(array: np.ndarray, patch_size: int) -> np.ndarray:
    """Pad the two spatial axes by ``patch_size // 2`` by reflection, for patch extraction.

    Examples
    --------
    >>> import numpy as np
    >>> pad_for_patches(np.array([[1, 2, 3]] * 3), 3)[0]
    array([2, 1, 2, 3, 2])
    """
    half = patch_size // 2
    widths = [(half, half), (half, half)] + [(0, 0)] * (array.ndim - 2)
    return np.pad(array, widths, mode=_pad_mode(array.shape, half))


def _pad_mode(shape: tuple[int, ...], half: int) -> str:
    """:func:`pad_for_patches`' mode for an array of ``shape`` (spatial axes first)."""
    return "reflect" if min(shape[:2]) > half else "symmetric"


def _repad(padded: np.ndarray, patch_size: int) -> None:
    """Rewrite in place the padding of a 2-D array of :func:`pad_for_patches` from its
    interior, exactly as that function pads it.

    Each side is padded from a strip of the interior (the ``patch_size`` rows or columns that
    reflection reads): work along the border, not a new image (0.5 s of padding at 4096^2,
    where every layer touching the border repadded the whole image)."""
    half = patch_size // 2
    if half == 0:
        return
    height, width = padded.shape[0] - 2 * half, padded.shape[1] - 2 * half
    inner = padded[half:half + height, half:half + width]
    mode, depth = _pad_mode(inner.shape, half), 2 * half + 1
    rows, cols = min(depth, height), min(depth, width)
    padded[:half] = np.pad(inner[:rows], half, mode=mode)[:half]
    padded[half + height:] = np.pad(inner[height - rows:], half, mode=mode)[rows + half:]
    padded[:, :half] = np.pad(inner[:, :cols], half, mode=mode)[:, :half]
    padded[:, half + width:] = np.pad(inner[:, width - cols:], half, mode=mode)[:, cols + half:]


def extract_patches(image: np.ndarray, pixels: np.ndarray | None = None,
                    patch_size: int = 7) -> np.ndarray:
    """Patch feature vectors of chosen pixels.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C)
        The image; channels are kept together in each feature vector.
    pixels : ndarray of int, shape (n,), optional
        Flat (row-major) indices of the pixels whose patches are wanted; all pixels if omitted.
    patch_size : int, default 7
        Odd side of the square patch.

    Returns
    -------
    ndarray, shape (n, patch_size**2 * C)
        One row per pixel, in the order of ``pixels``: the patch row by row, channels last.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.arange(25.0).reshape(5, 5)
    >>> extract_patches(image, np.array([12]), patch_size=3)
    array([[ 6.,  7.,  8., 11., 12., 13., 16., 17., 18.]])
    """
    image = as_channels(image)
    height, width, channels = image.shape
    patch_size = check_patch_size(patch_size, image.shape, "extract_patches")
    padded = pad_for_patches(image, patch_size)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (patch_size, patch_size), (0, 1))
    # windows: (H, W, C, ps, ps) -> (H*W, ps, ps, C) so that each row of a patch is contiguous.
    windows = windows.reshape(height * width, channels, patch_size, patch_size)
    if pixels is not None:
        windows = windows[np.asarray(pixels, dtype=np.intp)]
    return np.ascontiguousarray(windows.transpose(0, 2, 3, 1)).reshape(len(windows), -1)


def masked_patch_distance(patches_a: np.ndarray, patches_b: np.ndarray,
                          confidence_a: np.ndarray, confidence_b: np.ndarray) -> np.ndarray:
    """Root-mean-square difference of patch pairs over the entries both hold with confidence.

    ``d = sqrt(sum(ca * cb * (a - b)**2) / sum(ca * cb))``, row by row. This is the slow, obvious
    reference that the fast windowed search of :mod:`graphinpaint.graph` is tested against.

    Parameters
    ----------
    patches_a, patches_b : ndarray, shape (n, d)
        Patch vectors, paired row by row.
    confidence_a, confidence_b : ndarray, shape (n, d)
        Confidence of each entry in [0, 1]; 0 for pixels that are unknown.

    Returns
    -------
    ndarray, shape (n,)
        The distances; ``inf`` where the two patches share no confident entry.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[0.0, 1.0]]); b = np.array([[0.0, 3.0]])
    >>> masked_patch_distance(a, b, np.array([[1.0, 0.0]]), np.ones((1, 2)))
    array([0.])
    """
    weight = np.asarray(confidence_a) * np.asarray(confidence_b)
    total = weight.sum(axis=1)
    squared = (weight * (np.asarray(patches_a) - np.asarray(patches_b)) ** 2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, np.sqrt(squared / np.where(total > 0, total, 1.0)), np.inf)


def pca_project(features: np.ndarray, n_components: int, *, sample_size: int = 20000,
                rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Project feature vectors on their leading principal components, for faster search.

    The components are fitted on a random sample of at most ``sample_size`` rows.

    Parameters
    ----------
    features : ndarray, shape (n, d)
    n_components : int
        Number of components kept, ``1 <= n_components <= d``.
    sample_size : int, default 20000
    rng : numpy.random.Generator or int, optional
        Source of randomness for the sample (SPEC 7).

    Returns
    -------
    ndarray, shape (n, n_components)
        Centred features in the basis of the leading components (float32 stays float32).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(100, 5))
    >>> pca_project(x, 2, rng=0).shape
    (100, 2)
    """
    features = np.asarray(features)
    if features.ndim != 2:
        raise InpaintError(
            f"The 'features' parameter of pca_project must be a 2-D array. Got {features.ndim} "
            "dimensions."
        )
    n_components = check_int(n_components, "n_components", "pca_project", low=1,
                             high=features.shape[1])
    rng = np.random.default_rng(rng)
    sample = features
    if len(features) > sample_size:
        sample = features[rng.choice(len(features), sample_size, replace=False)]
    mean = sample.mean(axis=0)
    _, _, components = np.linalg.svd(sample - mean, full_matrices=False)
    basis = components[:n_components].T.astype(features.dtype, copy=False)
    return (features - mean.astype(features.dtype, copy=False)) @ basis
