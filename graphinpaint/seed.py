"""The seed's (PyInpaint's) interface: ``Inpaint(org_img, mask, ps)(k_boundary, k_search,
k_patch)``, a front of :func:`graphinpaint.inpaint` that takes the seed's parameters, paths and
mask convention (black = hole), and returns a float image in [0, 1] as the seed did.
"""

from __future__ import annotations

import os

import numpy as np

from ._image_range import _as_float_image
from ._validation import InpaintError, check_choice, check_int

__all__ = ["Inpaint"]


class Inpaint:
    """The seed-compatible front: ``Inpaint(org_img, mask, ps)(k_boundary, k_search, k_patch)``.

    Parameters
    ----------
    org_img : str, path or ndarray
        The image, or the path of an image file.
    mask : str, path or ndarray
        The mask in **the seed's convention: black (0) = hole**, nonzero = known; or its path.
    ps : int, default 7
        Patch size (odd).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.tile(np.linspace(0, 1, 24), (24, 1))
    >>> seed_mask = np.ones((24, 24)); seed_mask[8:12, 6:18] = 0      # black = hole
    >>> out = Inpaint(image, seed_mask, ps=5)(k_boundary=4, k_search=400, k_patch=3)
    >>> out.dtype, bool(out.min() >= 0 and out.max() <= 1)
    (dtype('float64'), True)
    """

    def __init__(self, org_img: str | os.PathLike | np.ndarray,
                 mask: str | os.PathLike | np.ndarray, ps: int = 7) -> None:
        self.org_img = org_img
        self.mask = mask
        self.ps = check_int(ps, "ps", "Inpaint", low=1, odd=True)

    def __call__(self, k_boundary: int = 4, k_search: int = 1000, k_patch: int = 5) -> np.ndarray:
        """Inpaint and return a float image in [0, 1].

        Parameters
        ----------
        k_boundary : {4, 8, 16}, default 4
            How the hole is peeled: in the seed a hole pixel joins the next layer when one of its
            ``k_boundary`` nearest pixels is known. Here it sets how fast the search window
            widens with depth (4: one pixel per layer; 8: two; 16: three).
        k_search : int, default 1000
            Number of pixels searched around each hole pixel: a square window of about that
            area (1000 gives 31 x 31).
        k_patch : int, default 5
            Matches averaged per pixel.

        Returns
        -------
        ndarray of float64, shape (H, W) or (H, W, 3)
            The restored image in [0, 1] (integer images divided by their dtype's maximum); an
            alpha channel is dropped, as the seed did.

        Raises
        ------
        InpaintError
            For a bad parameter, a missing or unreadable file, a mask of another size, a mask
            with every pixel black, or a float image outside [0, 1] (use
            :func:`graphinpaint.inpaint` for those: it keeps any range).

        Examples
        --------
        >>> import numpy as np
        >>> image = np.full((16, 16), 0.5); image[:, 8:] = 1.0
        >>> seed_mask = np.ones((16, 16)); seed_mask[6:9, 2:14] = 0       # black = hole
        >>> out = Inpaint(image, seed_mask, ps=3)(k_search=100, k_patch=3)
        >>> bool(np.abs(out - image).max() < 0.02)
        True
        """
        from .pipeline import inpaint     # here: the pipeline re-exports this class

        options = self.options(k_boundary, k_search, k_patch)
        image, hole = self._load()
        _check_unit_range(image, hole)
        out = inpaint(_as_float_image(image), hole, **options,
                      channel_axis=-1 if image.ndim == 3 else None)
        return np.clip(out, 0.0, 1.0)

    def options(self, k_boundary: int = 4, k_search: int = 1000,
                k_patch: int = 5) -> dict:
        """The keyword arguments of :func:`inpaint` that the seed's parameters stand for."""
        func = "Inpaint"
        check_choice(k_boundary, "k_boundary", func, (4, 8, 16))
        k_search = check_int(k_search, "k_search", func, low=9)
        k_patch = check_int(k_patch, "k_patch", func, low=1)
        side = int(np.sqrt(k_search)) | 1           # an odd window of about k_search pixels
        growth = {4: 1.0, 8: 2.0, 16: 3.0}[k_boundary]
        return dict(patch_size=self.ps, k=k_patch, window=side, window_growth=growth)

    def _load(self) -> tuple[np.ndarray, np.ndarray]:
        from . import io  # the only module that touches files

        image = self.org_img if isinstance(self.org_img, np.ndarray) \
            else io.read_image(self.org_img)
        image, _ = io.split_alpha(np.asarray(image))
        hole = io.read_mask(self.mask, shape=image.shape[:2], convention="black-hole")
        return image, hole


def _check_unit_range(image: np.ndarray, hole: np.ndarray) -> None:
    """The seed's floats are in [0, 1]; its result is clipped to [0, 1], which would change
    known pixels outside it: refuse them rather than alter them."""
    known = image[~hole]
    if image.dtype.kind != "f" or known.size == 0:
        return
    low, high = float(np.nanmin(known)), float(np.nanmax(known))
    if low < 0 or high > 1:
        raise InpaintError(
            f"The 'org_img' parameter of Inpaint holds floats in [{low:g}, {high:g}], and the "
            "seed's interface returns [0, 1]: it would clip the known pixels. Scale the image "
            "to [0, 1], or call graphinpaint.inpaint, which keeps any range."
        )
