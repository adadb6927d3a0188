"""Local fills on the pixel grid: the harmonic and biharmonic extensions of the known pixels.

They give every pixel a value before patches are compared (``grid_laplace_fill``), start the
scattered-loss strategy (``grid_biharmonic_fill``) and are blended near a hole's boundary
(``blend_near_boundary``). Each is one sparse Dirichlet or least-squares problem on the grid
graph of the hole and a ring or two around it; nothing here matches patches.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

import numpy as np
from scipy import ndimage as ndi

from . import operators as _operators
from . import weights as _weights
from .graph import grid_graph
from .solvers import solve_dirichlet
from .solvers.linear import _solver_of_symmetric

__all__ = ["BoundaryBlend", "blend_near_boundary", "clip_to_known", "grid_biharmonic_fill",
           "grid_laplace_fill", "is_large_and_thin", "is_scattered", "layer_depths",
           "mix_in"]

# Depth (taxicab distance to known pixels) up to which the smooth fill is averaged in.
BLEND_DEPTH = 2
# The biharmonic fill of scattered loss (most known pixels of the hole's box touch the hole) is a
# start for the patch matching, needed to a tenth of an 8-bit level or so: Jacobi-CG from a
# normalised convolution of the known pixels reaches rtol 1e-4 in about 40 iterations at 80% loss
# (77 from zero), several times cheaper than the factorisation of that fat 2-D system, with PSNR
# within 0.002 dB of the exact fill. Thin holes (scratches, bands) keep the factorisation, which
# fills in little there while CG's iterations grow with the hole's width.
SCATTERED_SHARE = 0.5
START_SIGMA = 1.0
# Largest blend band factorised beside the patch matching: its LU then adds to the peak memory
# (2048^2 with 5% scratches, 215k band pixels: 922-948 -> 1,158-1,173 MB); larger bands wait.
BACKGROUND_BAND_MAX = 250_000
# Grid fills of holes of more than THIN_CG_MIN pixels that are thin (no pixel deeper than
# THIN_DEPTH) are solved by Jacobi-CG, not LU: on a network of long scratches LU's fill-in
# grows faster than the hole (4096^2 with 5% scratches, 840k pixels, deepest 7: the Laplace
# fill's LU 2.10 s against 1.02 s for CG at rtol 1e-6, 60 iterations), while CG's iterations
# grow with the hole's depth only. Both fills on 5% scratches (CPU, LU against CG): 21k
# pixels 0.075 against 0.080 s, 31k 0.112 against 0.107 s, 61k 0.26 against 0.20 s, 215k 1.18
# against 0.76 s (docs/benchmarks.md, "Eighth pass").
THIN_CG_MIN = 25_000
THIN_DEPTH = 8
# The Laplace fill is a start and a smooth mix: solved by CG to a hundredth of an 8-bit level.
LAPLACE_RTOL = 1e-6


def grid_laplace_fill(values: np.ndarray, hole: np.ndarray, method: str, *,
                      depth: np.ndarray | None = None, on_hole: bool = False) -> np.ndarray:
    """Harmonic extension on the 4-neighbour grid: the cheap local fill every stage starts from.

    ``method="auto"`` factorises the system, except for large thin holes (see ``THIN_DEPTH``),
    solved by Jacobi-CG to ``LAPLACE_RTOL``. ``depth``: :func:`layer_depths` of the hole, if
    the caller has it already. ``on_hole``: return the fill's values on the hole's pixels
    alone, shape (pixels, C) in increasing flat order, not a filled copy of the image (its
    copy took 0.7 of the fill's 2.3 s at 4096^2 with 5% scratches, and 400 MB)."""
    region = ndi.binary_dilation(hole, structure=ndi.generate_binary_structure(2, 1))
    graph = grid_graph(hole.shape, pixels=region)
    known = ~hole.ravel()[graph.nodes]
    flat = values.reshape(-1, values.shape[2])
    if method == "auto":
        method = "cg" if is_large_and_thin(hole, depth) else "direct"
    solved = solve_dirichlet(_weights.constant(graph.matrix), known, flat[graph.nodes], p=2.0,
                             method=method, rtol=LAPLACE_RTOL)
    if on_hole:
        return solved[~known]               # the nodes are in increasing flat order
    estimate = values.copy()
    estimate.reshape(-1, values.shape[2])[graph.nodes] = solved
    return estimate


def is_large_and_thin(hole: np.ndarray, depth: np.ndarray | None = None) -> bool:
    """Whether the hole has more than ``THIN_CG_MIN`` pixels, none deeper than
    ``THIN_DEPTH``: where the grid fills are solved by CG rather than LU. ``depth``:
    :func:`layer_depths` of the hole, if the caller has it (else computed for large holes)."""
    if np.count_nonzero(hole) <= THIN_CG_MIN:
        return False
    return bool((layer_depths(hole) if depth is None else depth).max() <= THIN_DEPTH)


def grid_biharmonic_fill(values: np.ndarray, hole: np.ndarray, *, method: str = "auto",
                         rtol: float = 1e-4, start: np.ndarray | None = None) -> np.ndarray:
    """Biharmonic fill on the grid: minimise ``||L u||**2`` over the hole, L the grid Laplacian.

    Smoother than the harmonic fill, which leaves spikes at isolated known pixels: the better
    start when the missing pixels are scattered. Unknowns are the hole pixels; the Laplacian is
    taken at the hole and its first ring, whose stencils lie inside the hole's second ring.
    ``method`` goes to :func:`~graphinpaint.solvers.make_solver`, except that ``"auto"`` takes
    warm-started Jacobi-CG for scattered loss (see ``SCATTERED_SHARE``) and wherever a
    ``start`` is given; ``rtol`` is the iterative methods' tolerance. ``start``: where CG starts,
    an image like ``values`` or its values on the hole's pixels (n, C) in increasing flat order
    (the pipeline's Laplace start, for large thin holes: 4096^2 with 5% scratches, 35 iterations
    and 1.7 s against 4.5 s for the LU).
    """
    warm = start is not None and method == "auto"
    return _Biharmonic(hole, method, rtol, warm=warm).fill(values, start)


class _Biharmonic:
    """The biharmonic problem of one hole (:func:`grid_biharmonic_fill`): its matrix, which
    depends on the hole's geometry alone, and its solver, made once and applied to any values."""

    def __init__(self, hole: np.ndarray, method: str, rtol: float, *, warm: bool = False
                 ) -> None:
        structure = ndi.generate_binary_structure(2, 1)
        ring1 = ndi.binary_dilation(hole, structure)
        ring2 = ndi.binary_dilation(ring1, structure)
        self.hole, self.graph = hole, grid_graph(hole.shape, pixels=ring2)
        # The grid graph and the normal equations are symmetric by construction: no checks
        # (each a transpose of the matrix: 0.3 s of 0.4 at 1024^2 with 50% loss).
        laplacian = _operators._laplacian_of(_weights.constant(self.graph.matrix))
        rows = ring1.ravel()[self.graph.nodes]
        self.unknown = hole.ravel()[self.graph.nodes]
        stencils = laplacian[rows]
        self.on_hole, self.on_known = stencils[:, self.unknown], stencils[:, ~self.unknown]
        self.warm = warm or (method == "auto" and is_scattered(hole))
        self.solver = _solver_of_symmetric(self.on_hole.T.tocsr() @ self.on_hole,
                                           "cg" if self.warm else method, rtol=rtol)

    @property
    def pixels(self) -> np.ndarray:
        """The hole's flat pixel indices, in the order of :meth:`solve`'s rows (increasing)."""
        return self.graph.nodes[self.unknown]

    def fill(self, values: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
        """``values`` with the hole's pixels replaced by the biharmonic fill; CG starts from
        ``start`` (an image like ``values``, or its values on :attr:`pixels`) when given, else
        from a normalised convolution."""
        estimate = values.copy()
        estimate.reshape(-1, values.shape[2])[self.pixels] = self.solve(values, start)
        return estimate

    def solve(self, values: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
        """The fill's values on the hole's :attr:`pixels`, shape (pixels, C) (see :meth:`fill`):
        no copy of the image."""
        nodes, unknown = self.graph.nodes, self.unknown
        flat = values.reshape(-1, values.shape[2])
        rhs = -(self.on_hole.T @ (self.on_known @ flat[nodes[~unknown]]))
        if self.warm and start is None:
            start = _normalised_convolution(values, self.hole)
        if self.warm and start.ndim == 3:
            start = start.reshape(-1, values.shape[2])[self.pixels]
        return self.solver.solve(rhs, x0=start if self.warm else None).x


def _bounding_box(mask: np.ndarray, margin: int = 0) -> tuple[slice, slice]:
    """The bounding box of the mask's True pixels grown by ``margin`` pixels, clipped to the
    mask; the mask must have a True pixel."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return (slice(max(rows[0] - margin, 0), min(rows[-1] + margin + 1, mask.shape[0])),
            slice(max(cols[0] - margin, 0), min(cols[-1] + margin + 1, mask.shape[1])))


def is_scattered(hole: np.ndarray) -> bool:
    """Whether most known pixels of the hole's bounding box touch the hole: random pixel loss
    rather than strokes or blotches (the pipeline's "auto" strategy; a box with no known pixel
    is a blotch). The hole must have a pixel."""
    box = hole[_bounding_box(hole)]
    touching = ndi.binary_dilation(box, ndi.generate_binary_structure(2, 1)) & ~box
    return bool(touching.sum() >= SCATTERED_SHARE * (~box).sum() > 0)


def _normalised_convolution(values: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """Gaussian average of the known pixels around each pixel: a smooth start for the solvers."""
    known = (~hole).astype(values.dtype)
    mass = np.maximum(ndi.gaussian_filter(known, START_SIGMA), np.finfo(values.dtype).tiny)
    return np.stack([ndi.gaussian_filter(values[..., c] * known, START_SIGMA) / mass
                     for c in range(values.shape[2])], axis=-1)


def blend_near_boundary(estimate: np.ndarray, hole: np.ndarray, share: float) -> np.ndarray:
    """Average ``share`` of a biharmonic fill into the estimate, near the known pixels.

    Deeper pixels keep the patch-based estimate: far from the boundary the smooth fill only
    blurs (barbara's blotch). The biharmonic problem is solved on a band of the hole only, the
    deeper pixels holding their current values: a thin, well-conditioned system.
    """
    return BoundaryBlend(hole)(estimate, share)


def _in_background(function: Callable, *args) -> Future:
    """``function(*args)`` started in a thread of its own, which ends with it."""
    executor = ThreadPoolExecutor(max_workers=1)
    future = executor.submit(function, *args)
    executor.shutdown(wait=False)
    return future


def _done(value):
    """The value, or a :class:`~concurrent.futures.Future`'s result once it is done."""
    return value.result() if isinstance(value, Future) else value


class BoundaryBlend:
    """:func:`blend_near_boundary` for one hole, its biharmonic problem prepared ahead.

    The problem's matrix and its factorisation depend on the hole alone; with
    ``background=True`` they are made in a thread of their own while the caller goes on (the
    pipeline matches patches meanwhile: SuperLU releases the GIL, and the layers' own sparse
    work leaves a core idle), for bands of up to ``BACKGROUND_BAND_MAX`` pixels: the factors
    then share the peak memory with the caller's work. Larger bands, and any without
    ``background``, are prepared at the first call. The result is the same either way.

    Parameters
    ----------
    hole : ndarray of bool, shape (H, W)
        The hole (True = missing).
    background : bool, default False
        Prepare the problem in a thread of its own; calling the blend waits for it.
    depth : ndarray of int, optional
        :func:`layer_depths` of the hole, if the caller has it already.

    Examples
    --------
    >>> import numpy as np
    >>> estimate = np.tile(np.linspace(0, 1, 16), (16, 1))[..., None]
    >>> hole = np.zeros((16, 16), bool); hole[6:9, 2:14] = True
    >>> blend = BoundaryBlend(hole, background=True)
    >>> bool(np.array_equal(blend(estimate, 0.25), blend_near_boundary(estimate, hole, 0.25)))
    True
    """

    def __init__(self, hole: np.ndarray, *, background: bool = False,
                 depth: np.ndarray | None = None) -> None:
        depth = layer_depths(hole) if depth is None else depth
        self.hole = hole
        self.near = hole & (depth <= BLEND_DEPTH)
        self._band = hole & (depth <= 2 * BLEND_DEPTH)
        self._problem: _Biharmonic | Future | None = None
        if background and np.count_nonzero(self._band) <= BACKGROUND_BAND_MAX:
            self._problem = _in_background(_Biharmonic, self._band, "auto", 1e-4)
        # Else made at the call: its factors would stay beside the caller's work meanwhile
        # (4096^2 scratches: 260 MB through the layers and rounds).

    def settle(self) -> None:
        """Wait for the problem's preparation, if under way in a thread of its own."""
        if self._problem is not None:
            self._problem = _done(self._problem)

    def __call__(self, estimate: np.ndarray, share: float,
                 start: np.ndarray | None = None) -> np.ndarray:
        """``estimate`` (H, W, C) with ``share`` of the biharmonic fill averaged in near the
        known pixels (see :func:`blend_near_boundary`). ``start``, an image like ``estimate``,
        is where an iterative solve starts (the biharmonic fill of the whole hole, say)."""
        if self._problem is None:
            self._problem = _Biharmonic(self._band, "auto", 1e-4)
        problem = self._problem = _done(self._problem)
        # Solved on the band and clipped on the blended pixels only, which lie in the band
        # (both in increasing flat order): a whole-image clip cost 0.2 s at 2048^2, the
        # whole-image copy of the fill 400 MB at 4096^2.
        near = self.near.ravel()[problem.pixels]
        smooth = np.clip(problem.solve(estimate, start)[near],
                         *_known_range(estimate, self.hole))
        return mix_in(estimate, self.near, smooth, share)


def mix_in(estimate: np.ndarray, where: np.ndarray, smooth: np.ndarray,
           share: float) -> np.ndarray:
    """A copy of ``estimate`` with ``share`` of ``smooth`` (its values on ``where``) averaged in
    on the pixels ``where``."""
    mixed = estimate.copy()
    mixed[where] = (1.0 - share) * estimate[where] + share * smooth
    return mixed


def layer_depths(hole: np.ndarray) -> np.ndarray:
    """Depth of each hole pixel: its taxicab distance to the nearest known pixel (0 outside)."""
    return ndi.distance_transform_cdt(hole, metric="taxicab")


def clip_to_known(fill: np.ndarray, values: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """``fill`` clipped, per channel, to the range of the known values (``values`` outside the
    hole). The biharmonic fill overshoots near edges; the graph solution never leaves that range
    (maximum principle), and neither shall a mix of the two."""
    return np.clip(fill, *_known_range(values, hole))


def _known_range(values: np.ndarray, hole: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per channel, the least and greatest value outside the hole."""
    known = np.flatnonzero(~hole)
    flat = values.reshape(-1, values.shape[-1])
    # One channel at a time, gathered by index: numpy's reduction over the first axis of an
    # (n, 3) array is ten times slower (0.5 s at 2048^2), and a boolean gather of all the
    # channels at once copied the image (400 MB at 4096^2; 0.23 s at 2048^2 with random loss,
    # against 0.13 s).
    least = np.empty(flat.shape[1], dtype=flat.dtype)
    greatest = np.empty_like(least)
    for c in range(flat.shape[1]):
        column = flat[known, c]
        least[c], greatest[c] = column.min(), column.max()
    return least, greatest
