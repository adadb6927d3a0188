"""Image quality measures over a region: :func:`psnr` and :func:`mse`.

The region is a boolean mask of the image's spatial shape (True = pixel counted), typically the hole
mask, so the score measures only what was restored.
"""

from __future__ import annotations

import numpy as np

from ._validation import InpaintError

__all__ = ["mse", "psnr"]


def _region_values(reference: np.ndarray, estimate: np.ndarray, region: np.ndarray | None,
                   func: str) -> tuple[np.ndarray, np.ndarray]:
    reference = np.asarray(reference)
    estimate = np.asarray(estimate)
    if reference.shape != estimate.shape:
        raise InpaintError(
            f"The images given to {func} must have the same shape. "
            f"Got {reference.shape} and {estimate.shape}."
        )
    if region is None:
        return reference.astype(np.float64), estimate.astype(np.float64)
    region = np.asarray(region, dtype=bool)
    if region.shape != reference.shape[:2]:
        raise InpaintError(
            f"The 'region' parameter of {func} must have the image's spatial shape "
            f"{reference.shape[:2]}. Got {region.shape} instead."
        )
    if not region.any():
        raise InpaintError(f"The 'region' parameter of {func} selects no pixel.")
    return reference[region].astype(np.float64), estimate[region].astype(np.float64)


def mse(reference: np.ndarray, estimate: np.ndarray, region: np.ndarray | None = None) -> float:
    """Mean squared error between two images, over ``region`` only.

    Parameters
    ----------
    reference, estimate : ndarray
        Images of the same shape, (H, W) or (H, W, C).
    region : ndarray of bool, shape (H, W), optional
        Pixels to compare (True = counted); all pixels if omitted.

    Returns
    -------
    float
        The mean of the squared differences over the region and all channels.

    Examples
    --------
    >>> import numpy as np
    >>> mse(np.zeros((2, 2)), np.ones((2, 2)))
    1.0
    """
    ref, est = _region_values(reference, estimate, region, "mse")
    return float(np.mean((ref - est) ** 2))


def psnr(reference: np.ndarray, estimate: np.ndarray, region: np.ndarray | None = None, *,
         data_range: float | None = None) -> float:
    """Peak signal-to-noise ratio in dB, over ``region`` only.

    ``PSNR = 10 log10(data_range**2 / MSE)``.

    Parameters
    ----------
    reference, estimate : ndarray
        Images of the same shape, (H, W) or (H, W, C).
    region : ndarray of bool, shape (H, W), optional
        Pixels to compare, typically the hole mask (True = counted); all pixels if omitted.
    data_range : float, optional
        The peak value. Defaults to the dtype's maximum for integer images and 1.0 for floats.

    Returns
    -------
    float
        PSNR in decibels; ``inf`` when the images agree on the region.

    Examples
    --------
    >>> import numpy as np
    >>> ref = np.zeros((4, 4)); est = ref + 0.1
    >>> round(psnr(ref, est), 6)
    20.0
    """
    if data_range is None:
        dtype = np.asarray(reference).dtype
        data_range = float(np.iinfo(dtype).max) if dtype.kind in "ui" else 1.0
    error = mse(reference, estimate, region)
    if error == 0:
        return float("inf")
    return float(10.0 * np.log10(data_range ** 2 / error))
