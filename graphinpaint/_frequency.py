"""Frequency-selective extrapolation of compact holes: a sparse Fourier model fitted to the
known pixels around each block of the hole and continued into it.

After Seiler and Kaup's complex-valued frequency selective extrapolation and Genser, Seiler
and Kaup's frequency selective reconstruction (the method of OpenCV contrib's
``cv2.xphoto.inpaint`` with ``INPAINT_FSR_FAST``; no library offers it as a function on an
array, so it is written here). For each block of the hole, a window of ``fft_size`` pixels
around it is modelled as a sum of DFT basis functions, chosen greedily: the one whose weighted
projection on the residual is largest (spectrally weighted towards low frequencies), added at
``orthogonality`` of that projection (the basis functions are not orthogonal under the weight,
which decays as ``rho`` to the distance from the block's centre and is 0 on missing pixels).
Every step is done on the residual's spectrum: adding a basis function moves it by the
weight's spectrum, shifted. The model's values fill the block's missing pixels, which then
count as known at ``FILLED_WEIGHT`` for later blocks. Blocks whose surroundings vary are split
(16, 8, 4 pixels, and 2 in FSR_BEST), and blocks with the most known neighbours go first. The
numbers are a :class:`Profile`: OpenCV's two (``FSR_FAST``, ``FSR_BEST``) or others. Colour
images are fitted per channel, or (``colour="luma-chroma"``) in luma and chroma as OpenCV's
colour mode does; the pipeline fits per channel (docs/pipeline.md, "the frequency fill's colour
mode").

It continues smooth gradients and oriented texture across a compact hole, where a grid fill
flattens and patch matching copies what lies beside. :class:`graphinpaint.mixes.SmoothFills`
keeps it as the ``"frequency"`` fill (at ``mixes.FREQUENCY_PROFILE``); thick holes mix it
into the graph solution where their matches are poor (``Settings.smooth == "frequency match"``,
docs/pipeline.md).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np
import scipy.fft
from scipy import ndimage as ndi
from numba import njit

__all__ = ["frequency_fill", "frequency_fit", "luma_chroma", "ring_roughness",
           "ring_roughnesses", "Profile", "FSR_FAST", "FSR_BEST", "CHROMA_SPLIT"]

# The ring of known pixels ring_roughness reads: RING_NEAR to RING_FAR pixels from the hole.
RING_NEAR, RING_FAR = 2, 10


def _sizes(profile: Profile) -> list[int]:
    """The block sizes of ``profile``, largest first."""
    sizes = [profile.block]
    while sizes[-1] > profile.smallest_block and sizes[-1] % 2 == 0:
        sizes.append(sizes[-1] // 2)
    return sizes


@dataclass(frozen=True)
class Profile:
    """The numbers of one quality profile of frequency-selective reconstruction (Genser et
    al.; cv2.xphoto's ``fsr_parameters``): blocks of ``block`` pixels split down to
    ``smallest_block`` where their surroundings vary (standard deviation
    ``split_deviation[size]`` of the value range or more), each extrapolated from a window of
    ``fft_size`` pixels whose weight decays as ``rho[size]`` per pixel (smaller blocks trust
    nearer pixels), with ``iterations_per_deviation`` times the window's standard deviation
    basis functions, within ``iterations``, each added at ``orthogonality`` of its
    projection."""

    block: int = 16
    smallest_block: int = 4
    fft_size: int = 32
    orthogonality: float = 0.5
    iterations_per_deviation: int = 1000
    iterations: tuple[int, int] = (20, 100)
    rho: tuple[tuple[int, float], ...] = ((16, 0.8), (8, 0.7), (4, 0.66), (2, 0.64))
    split_deviation: tuple[tuple[int, float], ...] = ((16, 0.014), (8, 0.030), (4, 0.090))
    # (block size, window) pairs where a block size takes another window than fft_size.
    fft_sizes: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        sizes = _sizes(self)
        if sizes[-1] != self.smallest_block or self.smallest_block < 1:
            raise ValueError(f"Profile: block {self.block} must halve down to smallest_block "
                             f"{self.smallest_block} (both powers of two, block the larger).")
        for size in sizes:
            if self.fft_of(size) < size or size not in dict(self.rho):
                raise ValueError(f"Profile: blocks of {size} px need a window of at least "
                                 f"{size} (fft_size, fft_sizes) and a rho; got "
                                 f"{self.fft_of(size)} and {dict(self.rho).get(size)}.")
            if not 0 < self.rho_of(size) <= 1:      # else the fit's weights vanish or are nan
                raise ValueError(f"Profile: rho of blocks of {size} px must lie in (0, 1]; got "
                                 f"{self.rho_of(size)}.")
            if size > self.smallest_block and size not in dict(self.split_deviation):
                raise ValueError(f"Profile: blocks of {size} px are split, so they need a "
                                 "split_deviation.")
        if (not 0 < self.orthogonality <= 1 or len(self.iterations) != 2
                or not 0 < self.iterations[0] <= self.iterations[1]):
            raise ValueError("Profile: orthogonality must lie in (0, 1] and iterations be "
                             f"(least, most) with 0 < least <= most; got {self.orthogonality} "
                             f"and {self.iterations}.")

    def fft_of(self, size: int) -> int:
        """The window (DFT) size of blocks of ``size`` pixels."""
        return dict(self.fft_sizes).get(size, self.fft_size)

    def rho_of(self, size: int) -> float:
        """The weight's decay per pixel for blocks of ``size`` pixels."""
        return dict(self.rho)[size]

    def split_of(self, size: int) -> float:
        """The deviation at which blocks of ``size`` pixels are split."""
        return dict(self.split_deviation)[size]


# cv2.xphoto's INPAINT_FSR_FAST and INPAINT_FSR_BEST.
FSR_FAST = Profile()
FSR_BEST = Profile(smallest_block=2, fft_size=64, orthogonality=0.2,
                   iterations_per_deviation=2000, iterations=(50, 400))
# Every profile: a filled pixel counts as known at this weight for the blocks after it.
FILLED_WEIGHT = 0.5
# Luma and chroma (JPEG's full-range YCbCr, as cv2.xphoto's colour mode converts 8-bit
# images): rows Y, Cb, Cr of RGB. Chroma blocks split at cv2.xphoto's "Cx" deviations
# (its luma takes the profile's, FSR_FAST's 0.014 / 0.030 / 0.090).
_LUMA_CHROMA = np.array([[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5],
                         [0.5, -0.418688, -0.081312]])
_CHROMA_CENTRE = np.array([0.0, 0.5, 0.5])
CHROMA_SPLIT = ((16, 0.006), (8, 0.010), (4, 0.028))


def frequency_fill(values: np.ndarray, hole: np.ndarray, *, on_hole: bool = False,
                   profile: Profile = FSR_FAST, unknown: np.ndarray | None = None,
                   colour: str = "channels") -> np.ndarray:
    """The hole filled by frequency-selective extrapolation, each channel (or, with
    ``colour="luma-chroma"``, luma and each chroma difference) on its own.

    Parameters
    ----------
    values : ndarray, shape (H, W, C), float
        The image in [0, 1] (values in the hole are ignored).
    hole : ndarray of bool, shape (H, W)
        True = missing. Work is confined to the hole's bounding box and a margin of the
        widest window border (``(fft_size - smallest_block) // 2`` pixels where every block
        size takes ``fft_size``) or of one block, whichever is wider.
    on_hole : bool, default False
        Return the fill's values on the hole alone, shape (pixels, C) in increasing flat
        order, not a filled copy of the image.
    profile : Profile, default FSR_FAST
        The block sizes, windows and basis functions (:data:`FSR_FAST`, :data:`FSR_BEST`).
    unknown : ndarray of bool, shape (H, W), optional
        Pixels that are not known either: neither read nor filled (the deeper part of a hole
        that another fill takes); where it overlaps ``hole``, the hole's pixels are filled.
        Default: none. A block whose window holds no known pixel at all is filled with 0.
    colour : {"channels", "luma-chroma"}, default "channels"
        Fit each channel as given, or (three channels) fit luma and the two chroma
        differences instead (JPEG's YCbCr), the chroma split at ``CHROMA_SPLIT``, and convert
        back: ``cv2.xphoto.inpaint``'s colour mode (:func:`luma_chroma`). The profile's
        split sizes must be ``CHROMA_SPLIT``'s (16, 8, 4, as both of OpenCV's). A block with
        no known pixel in its window gets 0 luma and chroma there, which converts to a
        colour outside [0, 1] (about (-0.70, 0.53, -0.89)), not 0 in each channel.

    Returns
    -------
    ndarray
        A filled copy of ``values`` (same dtype; known pixels unchanged), or its values on the
        hole.

    Examples
    --------
    >>> import numpy as np
    >>> y, x = np.mgrid[:64, :64]
    >>> wave = 0.5 + 0.4 * np.cos(2 * np.pi * (3 * y + 5 * x) / 32)
    >>> hole = np.zeros((64, 64), bool); hole[24:40, 24:40] = True
    >>> out = frequency_fill(wave[..., None], hole)
    >>> bool(np.abs(out[..., 0] - wave)[hole].max() < 1e-6)
    True
    """
    if values.ndim != 3 or values.shape[:2] != hole.shape or hole.dtype != bool:
        raise ValueError("frequency_fill takes values of shape (H, W, C) and a boolean hole "
                         f"of shape (H, W); got {values.shape} and {hole.shape} {hole.dtype}.")
    if unknown is not None:
        unknown = np.asarray(unknown)
    if unknown is not None and (unknown.shape != hole.shape or unknown.dtype != bool):
        raise ValueError("frequency_fill takes unknown as a boolean array of the hole's shape "
                         f"{hole.shape}; got {unknown.shape} {unknown.dtype}.")
    if colour not in ("channels", "luma-chroma") or \
            (colour == "luma-chroma" and values.shape[2] != 3):
        raise ValueError('frequency_fill takes colour "channels", or "luma-chroma" for three '
                         f"channels; got {colour!r} for {values.shape[2]} channel(s).")
    if colour == "luma-chroma" and not {size for size, _ in profile.split_deviation} <= \
            set(dict(CHROMA_SPLIT)):
        raise ValueError('frequency_fill takes colour "luma-chroma" with a profile that splits '
                         f"blocks of sizes {sorted(dict(CHROMA_SPLIT))} only (CHROMA_SPLIT's); "
                         f"got {profile.split_deviation}.")
    if not hole.any():
        return np.empty((0, values.shape[2]), values.dtype) if on_hole else values.copy()
    if colour == "luma-chroma":
        filled = _luma_chroma_fit(values, hole, profile, unknown)
    else:
        filled = _fit(values, hole, profile, unknown=unknown)[0]
    if on_hole:
        return filled
    image = values.copy()
    image[hole] = filled
    return image


def luma_chroma(values: np.ndarray, *, inverse: bool = False) -> np.ndarray:
    """RGB values in [0, 1] as JPEG's full-range luma and chroma (Y, Cb, Cr; the chroma
    centred on 0.5), or back with ``inverse``: the colour space ``cv2.xphoto.inpaint`` fits
    colour images in (its 8-bit YCrCb), which leaves most of a photo's detail in one channel.

    >>> rgb = np.array([[[0.2, 0.5, 0.9]]])
    >>> bool(np.allclose(luma_chroma(luma_chroma(rgb), inverse=True), rgb))
    True
    """
    if inverse:
        return (values - _CHROMA_CENTRE) @ np.linalg.inv(_LUMA_CHROMA).T
    return values @ _LUMA_CHROMA.T + _CHROMA_CENTRE


def _luma_chroma_fit(values: np.ndarray, hole: np.ndarray, profile: Profile,
                     unknown: np.ndarray | None = None,
                     grid_phase: tuple[int, int] | None = None) -> np.ndarray:
    """The fill on the hole fitted in :func:`luma_chroma`'s space (chroma split at
    ``CHROMA_SPLIT``), back in the values' channels; ``grid_phase`` as :func:`_fit`'s."""
    channels = luma_chroma(values.astype(np.float64))
    chroma = dataclasses.replace(profile, split_deviation=tuple(
        (size, dict(CHROMA_SPLIT)[size]) for size, _ in profile.split_deviation))
    filled = np.concatenate(
        [_fit(channels[..., :1], hole, profile, grid_phase=grid_phase, unknown=unknown)[0],
         _fit(channels[..., 1:], hole, chroma, grid_phase=grid_phase, unknown=unknown)[0]],
        axis=1)
    return luma_chroma(filled, inverse=True).astype(values.dtype)


def frequency_fit(values: np.ndarray, hole: np.ndarray, *, profile: Profile = FSR_FAST
                  ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`frequency_fill`'s values on the hole and, for each hole pixel, how well its
    block's model fits the known pixels it was fitted to: the RMS of the model's misfit
    there, weighted as in the fit (by ``rho`` to the distance), over the channels.

    Returns
    -------
    fill : ndarray, shape (pixels, C)
        The fill on the hole, in increasing flat order (as ``on_hole=True``).
    misfit : ndarray, shape (pixels,)
        The misfit of each hole pixel's block model, in the values' units.
    """
    if not hole.any():
        return np.empty((0, values.shape[2]), values.dtype), np.empty(0)
    return _fit(values, hole, profile, misfit=True)


def _fit(values: np.ndarray, hole: np.ndarray, profile: Profile, misfit: bool = False,
         grid_phase: tuple[int, int] | None = None, unknown: np.ndarray | None = None
         ) -> tuple[np.ndarray, np.ndarray | None]:
    """The fill on the (non-empty) hole and, with ``misfit``, its models' misfit there. The
    grid of blocks starts at the hole's top-left corner, or with ``grid_phase`` (y, x) on the
    rows and columns congruent to it modulo the block (OpenCV's grid: (0, 0); a study's).
    ``unknown``: pixels neither known nor filled (see :func:`frequency_fill`)."""
    filled = np.empty((np.count_nonzero(hole), values.shape[2]), values.dtype)
    squares = np.zeros(len(filled)) if misfit else None
    # The widest window's border, and at least a block: the blocks beside the hole's lie in
    # the crop, so _in_order counts them as known (beyond it, as cv2.xphoto does, only the
    # image's edge counts as unfilled).
    margin = max(max((profile.fft_of(size) - size) // 2 for size in _sizes(profile)),
                 profile.block)
    rows, cols = np.flatnonzero(hole.any(axis=1)), np.flatnonzero(hole.any(axis=0))
    top, left = rows[0], cols[0]
    if grid_phase is not None:
        top -= (top - grid_phase[0]) % profile.block
        left -= (left - grid_phase[1]) % profile.block
        if top < 0 or left < 0:
            raise ValueError(f"grid_phase {grid_phase} puts the grid's first block outside "
                             "the values: give the phase within the first block.")
    crop = (slice(max(top - margin, 0), rows[-1] + 1 + margin),
            slice(max(left - margin, 0), cols[-1] + 1 + margin))
    origin = (top - crop[0].start, left - crop[1].start)
    local_hole = hole[crop]
    local_unknown = None if unknown is None else unknown[crop]
    for channel in range(values.shape[2]):
        plane = values[crop][..., channel].astype(np.float64)
        error = np.zeros_like(plane) if misfit else None
        _extrapolate_blocks(plane, local_hole, origin, profile, error, local_unknown)
        filled[:, channel] = plane[local_hole]      # the crop holds the hole: same order
        if misfit:
            squares += error[local_hole]
    return filled, (np.sqrt(squares / values.shape[2]) if misfit else None)


def _extrapolate_blocks(plane: np.ndarray, hole: np.ndarray, origin: tuple[int, int],
                        profile: Profile, misfit: np.ndarray | None = None,
                        unknown: np.ndarray | None = None) -> None:
    """Fill ``plane``'s hole in place, block by block, on a grid of blocks anchored at
    ``origin`` (the hole's top-left corner): 16-pixel blocks first, each split in four
    (recursively, down to the profile's smallest) where its window's available pixels vary.
    ``misfit``, if given, takes each block model's weighted mean squared misfit on the
    available pixels of its window, on the block's missing pixels. ``unknown`` pixels are
    neither available nor filled."""
    absent = hole if unknown is None else hole | unknown
    available = np.where(absent, 0.0, 1.0)
    plane[absent] = 0.0
    size = profile.block
    todo = _blocks_with_hole(hole, size, _grid_corners(hole.shape, origin, size))
    while todo:
        fft_size = profile.fft_of(size)
        border = (fft_size - size) // 2
        now, later = [], []
        for corner in todo:
            if size == profile.smallest_block:      # not split: no deviation to measure
                now.append(corner)
                continue
            window = _window(corner, size, border, hole.shape)
            deviation = _deviation(plane[window], available[window])
            if not deviation < profile.split_of(size):
                half = size // 2
                later += [(corner[0] + dy, corner[1] + dx) for dy in (0, half) for dx in (0, half)]
            else:
                now.append(corner)
        for corner in _in_order(now, available == 0, size):
            window = _window(corner, size, border, hole.shape)
            block = _block(corner, size, hole.shape)
            model = _extrapolate(plane[window], available[window], profile.rho_of(size),
                                 fft_size, profile)
            inner = tuple(slice(b.start - w.start, b.stop - w.start)
                          for b, w in zip(block, window))
            missing = hole[block] & (available[block] == 0)
            if misfit is not None:
                misfit[block][missing] = _mean_square_misfit(
                    plane[window], model, available[window], profile.rho_of(size))
            plane[block][missing] = model[inner][missing]
            available[block][missing] = FILLED_WEIGHT
        size //= 2
        todo = _blocks_with_hole(hole & (available == 0), size, later)


def _mean_square_misfit(window: np.ndarray, model: np.ndarray, available: np.ndarray,
                        rho: float) -> float:
    """The model's mean squared misfit on the window's available pixels, weighted as the fit
    weighs them."""
    weight = available * _decay(*window.shape, rho)
    total = weight.sum()
    return float((weight * (window - model) ** 2).sum() / total) if total > 0 else 0.0


def _grid_corners(shape: tuple[int, int], origin: tuple[int, int], size: int) -> list:
    """The top-left corners of a grid of ``size`` blocks from ``origin`` to the end."""
    return [(y, x) for y in range(origin[0], shape[0], size)
            for x in range(origin[1], shape[1], size)]


def _blocks_with_hole(hole: np.ndarray, size: int, corners: list) -> list:
    """Those of the ``corners`` whose block holds a pixel of ``hole``."""
    return [corner for corner in corners if hole[_block(corner, size, hole.shape)].any()]


def _block(corner: tuple[int, int], size: int, shape: tuple[int, int]) -> tuple[slice, slice]:
    return (slice(corner[0], min(corner[0] + size, shape[0])),
            slice(corner[1], min(corner[1] + size, shape[1])))


def _window(corner: tuple[int, int], size: int, border: int,
            shape: tuple[int, int]) -> tuple[slice, slice]:
    """The block grown by ``border``, cut at the edges of the plane."""
    return (slice(max(corner[0] - border, 0), min(corner[0] + size + border, shape[0])),
            slice(max(corner[1] - border, 0), min(corner[1] + size + border, shape[1])))


def _deviation(window: np.ndarray, available: np.ndarray) -> float:
    """Standard deviation of the window's available (known or filled) pixels; nan if none."""
    seen = window[available > 0]
    return float(seen.std()) if seen.size else float("nan")


def _in_order(corners: list, missing: np.ndarray, size: int) -> list:
    """The blocks in the order they are extrapolated, in waves: each wave takes, in raster
    order, the blocks with the fewest of their 8 neighbours (blocks of the same grid) still
    holding a ``missing`` pixel or lying outside the plane, but none beside a block taken
    before it in the wave; as each is done, its neighbours count it so. Holes are filled from
    all their corners at once, inward."""
    corners = sorted(corners)
    where = {corner: index for index, corner in enumerate(corners)}
    shape = missing.shape
    steps = [(dy * size, dx * size) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx]

    def is_open(y: int, x: int) -> bool:
        return (y < 0 or x < 0 or y >= shape[0] or x >= shape[1]
                or (y, x) in where or bool(missing[_block((y, x), size, shape)].any()))

    count = np.array([sum(is_open(y + dy, x + dx) for dy, dx in steps) for y, x in corners])
    done = np.zeros(len(corners), bool)
    order = []
    while not done.all():
        least = count[~done].min()
        wave, blocked = [], set()
        for index in np.flatnonzero(~done & (count == least)):
            if index not in blocked:
                wave.append(index)
                y, x = corners[index]
                blocked.update(where.get((y + dy, x + dx), -1) for dy, dx in steps)
        for index in wave:
            done[index] = True
            order.append(corners[index])
            y, x = corners[index]
            for dy, dx in steps:
                neighbour = where.get((y + dy, x + dx))
                if neighbour is not None:
                    count[neighbour] -= 1
    return order


def _extrapolate(window: np.ndarray, available: np.ndarray, rho: float, fft_size: int,
                 profile: Profile) -> np.ndarray:
    """The sparse Fourier model of a window, fitted to its available pixels (weights
    ``available``, times ``rho`` to the distance from the window's centre), on the window."""
    height, width = window.shape
    top, left = (fft_size - height) // 2, (fft_size - width) // 2
    inside = (slice(top, top + height), slice(left, left + width))
    weight = np.zeros((fft_size, fft_size))
    weight[inside] = available * _decay(height, width, rho)
    signal = np.zeros((fft_size, fft_size))
    signal[inside] = window
    deviation = _deviation(window, available)
    least, most = profile.iterations
    # Python's min and max on the scalar: np.clip's dispatch cost 4% of a 2-px block's fill.
    iterations = min(max(round(profile.iterations_per_deviation * deviation), least), most
                     ) if deviation == deviation else least
    spectrum = _greedy_model(scipy.fft.rfft2(signal * weight), scipy.fft.fft2(weight),
                             _frequency_weights(fft_size), profile.orthogonality, iterations)
    model = scipy.fft.irfft2(spectrum[:, :fft_size // 2 + 1], s=(fft_size, fft_size))
    return model[inside] * fft_size ** 2


@functools.lru_cache(maxsize=64)
def _decay(height: int, width: int, rho: float) -> np.ndarray:
    """``rho`` to the distance of each pixel of a window from its centre."""
    u, v = np.ogrid[:height, :width]
    return rho ** np.hypot(u + 0.5 - height // 2, v + 0.5 - width // 2)


@functools.lru_cache(maxsize=8)
def _frequency_weights(size: int) -> np.ndarray:
    """The spectral constraint: 1 at frequency 0, falling linearly with the (circular)
    frequency's length to 0 at the highest, (size / 2, size / 2)."""
    k = np.minimum(np.arange(size), size - np.arange(size))
    return 1.0 - np.hypot(k[:, None], k[None, :]) * np.sqrt(2) / size


@njit(cache=True, nogil=True, fastmath=True)
def _greedy_model(residual, weight, frequency_weight, orthogonality,
                  iterations):  # pragma: no cover - compiled by numba
    """The model's DFT coefficients: ``iterations`` basis functions (a conjugate pair counts
    two) chosen greedily from ``residual``, the weighted residual's spectrum (updated in
    place; only its columns 0 to N/2 are read and kept: a real signal's spectrum is
    Hermitian, ``R(-k) = conj(R(k))``).

    Adding ``c`` times the basis function of frequency ``k`` to the model takes ``c W(l - k)``
    from the residual's spectrum at ``l`` (``W`` the weight's spectrum); a real model adds
    the conjugate coefficient at ``-k`` with it. The choice maximises ``|R(k)|`` times the
    frequency weight; the next choice is found while the residual is updated."""
    size = residual.shape[0]
    half = size // 2 + 1
    model = np.zeros((size, size), np.complex128)
    total = weight[0, 0].real
    if not total > 0:                           # nothing known in the window: no model
        return model
    score = frequency_weight * frequency_weight
    padded = np.concatenate((weight, weight), axis=1)      # columns k and k + size alike
    best, bu, bv = -1.0, 0, 0
    for u in range(size):
        for v in range(half):
            value = (residual[u, v].real ** 2 + residual[u, v].imag ** 2) * score[u, v]
            if value > best:
                best, bu, bv = value, u, v
    done = 0
    while done < iterations:
        c = orthogonality * residual[bu, bv] / total
        cu, cv = (size - bu) % size, (size - bv) % size
        pair = not (cu == bu and cv == bv)
        if not pair:                            # a real basis function: (0, 0), (0, N/2), ...
            c = c.real + 0j
        cc = np.conj(c)
        model[bu, bv] += c
        if pair:
            model[cu, cv] += cc
        best, nu, nv = -1.0, 0, 0
        for u in range(size):
            # Rows of the weight's spectrum, read at v - bv and v - cv modulo size: the
            # padded copy holds both periods, so no index wraps inside the loop.
            srow = padded[(u - bu) % size]
            trow = padded[(u - cu) % size]
            so, to = size - bv, size - cv
            for v in range(half):
                step = c * srow[v + so]
                if pair:
                    step += cc * trow[v + to]
                value = residual[u, v] - step
                residual[u, v] = value
                value2 = (value.real ** 2 + value.imag ** 2) * score[u, v]
                if value2 > best:
                    best, nu, nv = value2, u, v
        bu, bv = nu, nv
        done += 2 if pair else 1
    return model


def ring_roughness(values: np.ndarray, hole: np.ndarray, part: np.ndarray) -> float:
    """How much the known pixels around one hole component bend rather than slope: the mean
    absolute Laplacian over the mean gradient magnitude of the channels' mean, on the known
    pixels ``RING_NEAR`` to ``RING_FAR`` from ``part`` whose stencils read known pixels only.

    About 0.3-0.5 on a smooth (upscaled) photo, 1.2-1.9 on photos' detail, 2 or more on edges,
    outlines and stochastic texture (docs/pipeline.md, "the spread gate's second pass").

    Parameters
    ----------
    values : ndarray, shape (H, W, C), float
        The image (values in the hole are ignored).
    hole : ndarray of bool, shape (H, W)
        True = missing.
    part : ndarray of bool, shape (H, W)
        One component of ``hole``.

    Returns
    -------
    float
        The ratio; 0 where the ring is flat or empty.

    Examples
    --------
    >>> import numpy as np
    >>> y, x = np.mgrid[:48, :48]
    >>> ramp = (0.2 + 0.01 * x)[..., None]
    >>> hole = np.zeros((48, 48), bool); hole[18:30, 18:30] = True
    >>> ring_roughness(ramp, hole, hole) < 1e-9          # a plane does not bend
    True
    """
    if values.ndim != 3 or values.shape[:2] != hole.shape or np.shape(part) != hole.shape or \
            not np.any(part):
        raise ValueError("ring_roughness takes values of shape (H, W, C) and a hole and a "
                         f"non-empty part of shape (H, W); got {values.shape}, {hole.shape} "
                         f"and {np.shape(part)} with {np.count_nonzero(part)} pixels.")
    rows, cols = np.nonzero(part)
    box = _ring_box((slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1)))
    grey, missing = values[box].mean(axis=2), hole[box]
    distance = ndi.distance_transform_edt(~part[box])
    # Beyond the image counts as missing: a stencil on its edge reads mirrored pixels (a plane
    # bends there). The box's other edges lie 2 pixels beyond the ring.
    ring = (distance >= RING_NEAR) & (distance <= RING_FAR) & \
        ~ndi.binary_dilation(missing, np.ones((3, 3), bool), border_value=1)
    if not ring.any():
        return 0.0
    bend = np.abs(ndi.laplace(grey))[ring].mean()
    slope = np.hypot(*np.gradient(grey))[ring].mean()
    return float(bend / slope) if slope > 0 else 0.0


def ring_roughnesses(values: np.ndarray, hole: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """:func:`ring_roughness` of each component labelled in ``labels`` (1 to n, as
    ``scipy.ndimage.label`` numbers them), each read in a box around it only: a loop over
    whole-image masks took 2.4 s for 400 blotches at 2048^2.

    Returns
    -------
    ndarray, shape (n,)
        The ratio of component ``i + 1`` at ``i``.
    """
    boxes = [_ring_box(bounds) for bounds in ndi.find_objects(labels)]
    return np.array([ring_roughness(values[box], hole[box], labels[box] == label)
                     for label, box in enumerate(boxes, start=1)], np.float64)


def _ring_box(bounds: tuple[slice, slice]) -> tuple[slice, slice]:
    """The box around a component's bounding ``bounds`` that holds its ring and the ring's
    stencils (clipped to the image)."""
    margin = RING_FAR + 2
    return tuple(slice(max(side.start - margin, 0), side.stop + margin) for side in bounds)
