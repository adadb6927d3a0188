"""Neighbour graphs as scipy.sparse distance matrices.

Three constructions, each over a chosen subset of nodes:

* :func:`window_knn` -- for images: exact k nearest neighbours in *masked patch space*, searched in
  a square window around each query pixel (what the seed's ``k_search`` controls). Numba kernels
  (one per query with an early exit, or offset by offset for neighbouring queries at once,
  whichever costs less for the queries' layout); cost grows with the number of query pixels, not
  with the image.
* :func:`knn_graph` -- for any data (patch features, point clouds): k nearest neighbours of feature
  vectors, exact (blocked brute force or k-d tree) or approximate with pynndescent.
* :func:`grid_graph` -- 4- or 8-neighbour grid graph on a subset of pixels.

Every function returns *distances*; :mod:`graphinpaint.weights` turns them into weights. Image
constructions return a :class:`PixelGraph`: the matrix is indexed by node, and ``nodes`` maps node
``i`` to the flat (row-major) index of its pixel.

:func:`knn_graph` lives in :mod:`graphinpaint._feature_knn` (pynndescent is imported only when
asked for there).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy import ndimage as ndi

from ._feature_knn import knn_graph
from ._kernel_threads import on_threads_for
from ._offset_kernel import offset_knn_kernel, query_tiles, tile_patch_pixels
from ._search_kernels import box_means_at, rerank_kernel, window_knn_kernel
from ._seeded_search import SEEDED_LOCAL, seeded_knn_kernel
from ._graph_arguments import (_checked_indices, _confidence_map, _pixel_subset,
                               _spatial_mask, _window_sizes)
from ._validation import InpaintError, check_choice, check_float, check_int
from .patches import _repad, as_channels, check_patch_size, pad_for_patches

__all__ = ["PatchSearch", "PixelGraph", "grid_graph", "knn_graph", "window_knn"]

# The offset kernel computes each patch pixel's term once per offset for all the queries whose
# patches hold it, without the windowed kernel's early exit: it pays where the queries' patches
# overlap, measured as the patch pixels its tiles compute per query (``tile_patch_pixels`` on
# its own tiles). Re-measured after the masked windowed kernel got 1.6x faster
# (docs/benchmarks.md, "Seventh pass"; benchmarks/kernel_dispatch.py), separately by search:
# full patches (the rounds): 1.9 to 3.5 times less CPU up to 5 pixels per query, 1.1-1.8x at
# 6.8 (against the shortlist and the windowed kernel), 1.16x at 8.0, a loss on small calls at
# 8-9 and against the shortlist at 12.9; masked (the layers, min_overlap 0.3): 1.4x at
# 2.8-3.0 (dense random loss), even at 3.9, a loss from 4.4 (0.5-0.8x on the layers' one-pixel
# contours, 7.5 and more). Left out: masked queries deep in a hole (none known in their
# patches) go to the offset kernel, where the windowed one's overlap exit is 2x cheaper.
_OFFSET_PIXELS_PER_QUERY = 8.0
_OFFSET_PIXELS_PER_MASKED_QUERY = 4.0
# Side of the offset kernel's tiles: larger tiles repeat fewer patch pixels at their edges
# (same results to the bit: a query's sums do not depend on its tile; 1.06-1.19x less CPU on
# the rounds of scratches and random loss than 16 x 16, docs/benchmarks.md).
_OFFSET_TILE = 32
# The windowed kernel takes its queries in vertical strips this many pixels wide, row by row
# in each: the window rows the queries of one image row read, across a 4096-wide image in
# colour, outgrow the L2 cache (about 2.4 MB with the confidence; 270 kB in a strip). Each
# query's result is its own: the same results, 4-8% less CPU at 2048^2 and 4096^2.
_QUERY_STRIP = 256
# A search of fewer candidates in all (the queries' windows) runs on one thread
# (``_kernel_threads``): 50k take about 0.35 ms there (7 ns each: 439 queries of a 31 x 31
# window in 2.9 ms). A seeded query costs as much as _SEEDED_QUERY_COST of them (16 us: about
# 80 full 11 x 11 patches, twelfth pass). At 200k barbara's quiet calls took 0.01-0.02 s
# longer (seeded layers of 22-86 queries); 512^2 scratches were the same.
_PARALLEL_CANDIDATES = 50_000
_SEEDED_QUERY_COST = 2_300


class PixelGraph(NamedTuple):
    """A sparse graph whose nodes are a subset of an image's pixels.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix, shape (n, n)
        Distances (or weights) between nodes; row ``i`` holds the edges of node ``i``. Edges of
        distance 0 are stored as explicit zeros: use the sparsity structure, not the values, to
        tell edges apart (the kernels of :mod:`graphinpaint.weights` do).
    nodes : ndarray of intp, shape (n,)
        Sorted flat (row-major) pixel index of each node.
    shape : tuple of int
        The image's spatial shape (H, W).
    """

    matrix: sp.csr_matrix
    nodes: np.ndarray
    shape: tuple[int, int]

    def node_of(self, pixels: np.ndarray) -> np.ndarray:
        """Node index of each flat pixel index (all must be nodes)."""
        return np.searchsorted(self.nodes, pixels)


class _Matches(NamedTuple):
    """Each query's k best matches as the search kernels give them, before any sparse graph:
    the pipeline weighs them into its graphs in one pass (:mod:`graphinpaint._match_graph`)."""

    queries: np.ndarray         # (n,) sorted flat pixel indices
    neighbours: np.ndarray      # (n, k) flat pixel indices, best first; -1 = none
    distances: np.ndarray       # (n, k) RMS patch distances in the search's work dtype
    shape: tuple[int, int]

    def graph(self) -> PixelGraph:
        return _pixel_graph_from_knn(self.queries, self.neighbours, self.distances, self.shape)


def grid_graph(shape: tuple[int, int], *, connectivity: int = 4,
               pixels: np.ndarray | None = None) -> PixelGraph:
    """Grid graph of neighbouring pixels, restricted to a subset of pixels.

    Parameters
    ----------
    shape : (int, int)
        Spatial shape (H, W) of the image.
    connectivity : {4, 8}, default 4
        4 joins horizontal and vertical neighbours (distance 1); 8 adds diagonals (distance
        sqrt(2)).
    pixels : ndarray, optional
        The nodes: a boolean mask of ``shape`` or flat pixel indices. All pixels if omitted.
        Only edges with both ends among the nodes are kept.

    Returns
    -------
    PixelGraph
        Symmetric distance graph.

    Examples
    --------
    >>> g = grid_graph((2, 3))
    >>> g.matrix.nnz, g.nodes.tolist()
    (14, [0, 1, 2, 3, 4, 5])
    """
    height, width = (check_int(s, "shape", "grid_graph", low=1) for s in shape)
    check_choice(connectivity, "connectivity", "grid_graph", (4, 8))
    nodes = _pixel_subset(pixels, (height, width), "grid_graph")
    ys, xs = np.divmod(nodes, width)
    offsets = [(0, 1, 1.0), (1, 0, 1.0)]
    if connectivity == 8:
        offsets += [(1, 1, np.sqrt(2.0)), (1, -1, np.sqrt(2.0))]
    rows, cols, dists = [], [], []
    with _node_index(nodes, height * width) as index:
        for dy, dx, dist in offsets:
            ny, nx = ys + dy, xs + dx
            inside = np.flatnonzero((ny < height) & (nx >= 0) & (nx < width))
            target_pixels = ny[inside] * width + nx[inside]
            if index is not None:
                target = index[target_pixels]
                keep = target >= 0
            else:
                target = np.minimum(np.searchsorted(nodes, target_pixels), len(nodes) - 1)
                keep = nodes[target] == target_pixels
            rows.append(inside[keep])
            cols.append(target[keep])
            dists.append(np.full(keep.sum(), dist))
    rows, cols, dists = (np.concatenate(a) for a in (rows, cols, dists))
    matrix = sp.csr_matrix((np.r_[dists, dists], (np.r_[rows, cols], np.r_[cols, rows])),
                           shape=(len(nodes), len(nodes)))
    return PixelGraph(matrix, nodes, (height, width))


def window_knn(image: np.ndarray, queries: np.ndarray, *, k: int = 10, patch_size: int = 7,
               window: int | np.ndarray = 31, candidates: np.ndarray | None = None,
               confidence: np.ndarray | None = None, min_overlap: float = 0.0,
               exclude_self: bool = True, shortlist: int | None = None) -> PixelGraph:
    """Exact k nearest pixels in masked patch space, searched in a window around each query.

    The distance between the patches of pixels ``x`` and ``y`` is the confidence-weighted
    root-mean-square difference ``sqrt(sum(c_x c_y (f_x - f_y)**2) / sum(c_x c_y))`` over all
    entries of the two patches (see :func:`graphinpaint.patches.masked_patch_distance`): pixels of
    the hole that are not filled yet carry confidence 0 and are left out of the comparison.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C)
        Current estimate of the image (values in the hole matter only where confidence > 0).
    queries : ndarray
        Pixels whose neighbours are sought: a boolean mask of shape (H, W) or flat indices.
    k : int, default 10
        Neighbours per query (fewer where the window holds fewer candidates).
    patch_size : int, default 7
        Odd side of the square patches.
    window : int or ndarray of int, default 31
        Odd side of the square search window centred on each query (31 covers about 1000 pixels,
        the seed's ``k_search``); an array gives one window per query, in flat-index order.
    candidates : ndarray of bool, shape (H, W), optional
        Pixels allowed as neighbours; all pixels if omitted.
    confidence : ndarray, shape (H, W), optional
        Confidence of each pixel's value in [0, 1] (0 = unknown). All ones if omitted.
    min_overlap : float, default 0.0
        Fraction of the query's own confidence mass that a candidate must share to count.
    exclude_self : bool, default True
        Whether a query may be its own neighbour.
    shortlist : int, optional
        Search first in a reduced patch space and keep this many candidates per query (at least
        ``k``), then rank them by the exact distance. The reduced patch of a pixel is the
        confidence-weighted 3 x 3 means of its patch on a lattice of ``ceil(patch_size / 3)``
        squared points (9 samples for 7 x 7 patches: 27 numbers instead of 147 in colour): the
        low frequencies, where most of a natural patch's energy lies, with masks honoured per
        sample. About 5 times less work; the k found agree with the exact search for most
        queries (``docs/benchmarks.md`` has the recall). Default: the exact search only.
        Where the queries' patches overlap much (blocks, dense random loss) the exact search
        shares work between neighbouring queries and costs less than the shortlist: it is
        then used instead.

    Returns
    -------
    PixelGraph
        Directed distance graph: row ``i`` holds the ``k`` nearest candidates of node ``i`` when
        node ``i`` is a query. Nodes are the queries and their neighbours.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.tile([0.0, 1.0], (6, 3))          # vertical stripes
    >>> g = window_knn(image, np.array([14]), k=2, patch_size=3, window=5)
    >>> row = g.matrix[g.node_of(14)]
    >>> g.nodes[row.indices] // 6, row.data         # identical patches; nearest: above, below
    (array([1, 3]), array([0., 0.]))
    """
    func = "window_knn"
    search = PatchSearch(image, patch_size=patch_size, candidates=candidates,
                         confidence=confidence, _func=func)
    return search.query(queries, k=k, window=window, min_overlap=min_overlap,
                        exclude_self=exclude_self, shortlist=shortlist)


class PatchSearch:
    """Windowed masked patch search on one image: pad once, query many times, update in place.

    :func:`window_knn` in a reusable form, for algorithms that fill an image step by step
    (the pipeline's layers): :meth:`update` changes a few pixels' values, confidence and
    candidacy at a cost proportional to their number, not to the image.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, C)
    patch_size : int, default 7
    candidates : ndarray of bool, shape (H, W), optional
        Pixels allowed as neighbours (all if omitted).
    confidence : ndarray, shape (H, W), optional
        Confidence in [0, 1] of each pixel's value (all ones if omitted).

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((8, 8)); known = np.ones((8, 8)); known[3:5, 3:5] = 0
    >>> search = PatchSearch(image, patch_size=3, candidates=known > 0, confidence=known)
    >>> search.update(np.array([27]), np.array([[0.0]]))     # pixel (3, 3) is now filled
    >>> search.query(np.array([28]), k=2, window=3).matrix.nnz
    2
    """

    def __init__(self, image: np.ndarray, *, patch_size: int = 7,
                 candidates: np.ndarray | None = None, confidence: np.ndarray | None = None,
                 _func: str = "PatchSearch", _work: type | None = None) -> None:
        image = as_channels(image)
        self.shape = image.shape[:2]
        self.channels = image.shape[2]
        self.patch_size = check_patch_size(patch_size, image.shape, _func)
        self._func = _func
        # _work: the dtype the search keeps, cast channel by channel (no whole-image copy).
        self._work = _work or (np.float32 if image.dtype == np.float32 else np.float64)
        self.candidates = _spatial_mask(candidates, self.shape, "candidates", _func, default=True)
        conf, self._uniform = _confidence_map(confidence, self.shape, _func, self._work)
        self._planes = _padded_planes(image, self.patch_size, self._work)
        self._conf = (np.ones(self._planes.shape[1:], dtype=self._work) if conf is None
                      else np.ascontiguousarray(pad_for_patches(conf, self.patch_size)))
        self._reduced: tuple[np.ndarray, np.ndarray] | None = None    # made on first use

    def update(self, pixels: np.ndarray, values: np.ndarray, *, confidence: float = 1.0,
               candidate: bool = True) -> None:
        """Set the values (n, C), confidence (in [0, 1]: the masked search's early exit counts
        on it) and candidacy of pixels given by flat index."""
        confidence = check_float(confidence, "confidence", "PatchSearch.update", low=0.0,
                                 high=1.0)
        pixels = _checked_indices(np.asarray(pixels), self.shape[0] * self.shape[1], "pixels",
                                  "PatchSearch.update", unique=False)
        values = np.asarray(values, dtype=self._work).reshape(len(pixels), self.channels)
        half = self.patch_size // 2
        ys, xs = np.divmod(pixels, self.shape[1])
        self._planes[:, ys + half, xs + half] = values.T
        self._conf[ys + half, xs + half] = confidence
        self._uniform = self._uniform and confidence == 1
        self.candidates[ys, xs] = candidate
        near_border = (np.minimum(ys, self.shape[0] - 1 - ys) < half) | \
                      (np.minimum(xs, self.shape[1] - 1 - xs) < half)
        if np.any(near_border):
            self._refresh_padding()
        elif self._reduced is not None:
            self._update_reduced(ys + half, xs + half)

    def query(self, queries: np.ndarray, *, k: int = 10, window: int | np.ndarray = 31,
              min_overlap: float = 0.0, exclude_self: bool = True,
              shortlist: int | None = None, seeds: np.ndarray | None = None) -> PixelGraph:
        """The k nearest candidates of each query in its window (see :func:`window_knn`).

        ``seeds``: an approximate search instead, of the candidates around these pixels only
        (an (n, S) array of flat pixel indices per query, -1 = none; see
        ``graphinpaint._seeded_search``), for full patches with confidence.
        """
        return self._matches(queries, k=k, window=window, min_overlap=min_overlap,
                             exclude_self=exclude_self, shortlist=shortlist, seeds=seeds).graph()

    def _matches(self, queries: np.ndarray, *, k: int = 10, window: int | np.ndarray = 31,
                 min_overlap: float = 0.0, exclude_self: bool = True,
                 shortlist: int | None = None, seeds: np.ndarray | None = None) -> _Matches:
        """:meth:`query`'s matches as the kernels give them (no sparse graph)."""
        func = self._func
        k = check_int(k, "k", func, low=1)
        min_overlap = check_float(min_overlap, "min_overlap", func, low=0.0, high=1.0)
        if shortlist is not None:
            shortlist = max(check_int(shortlist, "shortlist", func, low=1), k)
        query_pixels = _pixel_subset(queries, self.shape, func)
        windows = _window_sizes(window, len(query_pixels), func)
        qy, qx = (a.astype(np.int64) for a in np.divmod(query_pixels, self.shape[1]))
        radius = (windows // 2).astype(np.int64)
        if seeds is not None:
            neighbours, squared = on_threads_for(
                len(qy) * _SEEDED_QUERY_COST, _PARALLEL_CANDIDATES, seeded_knn_kernel,
                self._planes, self._conf, qy, qx, radius, self.candidates, self.patch_size, k,
                min_overlap, exclude_self, _checked_seeds(seeds, len(query_pixels), self.shape,
                                                          func), SEEDED_LOCAL)
            return _Matches(query_pixels, neighbours, np.sqrt(squared), self.shape)
        tiles = _offset_tiles(qy, qx, self.patch_size, masked=not self._uniform)
        candidates = int(np.sum((2 * radius + 1) ** 2))     # the work: small calls on one thread
        if tiles is not None:           # exact, and cheaper than a shortlist too (measured)
            neighbours, squared = on_threads_for(
                candidates, _PARALLEL_CANDIDATES, offset_knn_kernel, self._planes, self._conf,
                qy, qx, radius, self.candidates, self.patch_size, k, min_overlap, exclude_self,
                self._uniform, *tiles)
        elif shortlist is None:
            order = _strip_order(qy, qx)
            neighbours, squared = _in_query_order(order, *on_threads_for(
                candidates, _PARALLEL_CANDIDATES, window_knn_kernel, self._planes, self._conf,
                qy[order], qx[order], radius[order], self.candidates, 0, 1, self.patch_size, k,
                min_overlap, exclude_self, self._uniform))
        else:
            planes, conf = self._reduced_planes()
            short, _ = window_knn_kernel(planes, conf, qy, qx, radius, self.candidates,
                                         *_lattice(self.patch_size), shortlist, 0.0,
                                         exclude_self, self._uniform)
            rows = np.ascontiguousarray(self._planes.transpose(1, 2, 0)).reshape(
                self._planes.shape[1], -1)
            neighbours, squared = rerank_kernel(self._planes, rows, self._conf, qy, qx, short,
                                                self.patch_size, k, min_overlap, self._uniform)
        return _Matches(query_pixels, neighbours, np.sqrt(squared), self.shape)

    def _reduced_planes(self) -> tuple[np.ndarray, np.ndarray]:
        """Confidence-weighted 3 x 3 means of the padded image, and the mean confidence."""
        if self._reduced is None:
            conf = ndi.uniform_filter(self._conf, 3, mode="nearest")
            planes = np.empty_like(self._planes)
            for c, plane in enumerate(self._planes):
                weighted = ndi.uniform_filter(plane * self._conf, 3, mode="nearest")
                np.divide(weighted, conf, out=planes[c], where=conf > 0)
                planes[c][conf <= 0] = 0
            self._reduced = (planes, conf)
        return self._reduced

    def _update_reduced(self, ys: np.ndarray, xs: np.ndarray) -> None:
        """Recompute the 3 x 3 means around changed padded positions (none on the border)."""
        planes, conf = self._reduced
        around_y = (ys[:, None] + np.repeat([-1, 0, 1], 3)[None, :]).ravel()
        around_x = (xs[:, None] + np.tile([-1, 0, 1], 3)[None, :]).ravel()
        box_means_at(self._planes, self._conf, around_y.astype(np.int64),
                     around_x.astype(np.int64), planes, conf)

    def _refresh_padding(self) -> None:
        """Rewrite the padding from the interior after border pixels changed."""
        for plane in (*self._planes, self._conf):
            _repad(plane, self.patch_size)
        self._reduced = None


def _checked_seeds(seeds: np.ndarray, queries: int, shape: tuple[int, int],
                   func: str) -> np.ndarray:
    """The seeds as an (queries, S) int64 array of flat pixel indices or -1, or a clear
    error."""
    seeds = np.asarray(seeds)
    if seeds.ndim != 2 or len(seeds) != queries or not np.issubdtype(seeds.dtype, np.integer):
        raise InpaintError(
            f"The 'seeds' parameter of {func} must be an integer array of shape (queries, S): "
            f"one row per query. Got {seeds.dtype} of shape {seeds.shape} for {queries} "
            f"queries.")
    if seeds.size and (seeds.min() < -1 or seeds.max() >= shape[0] * shape[1]):
        raise InpaintError(
            f"The 'seeds' parameter of {func} holds flat pixel indices of a {shape[0]} x "
            f"{shape[1]} image, or -1 for none. Got values from {seeds.min()} to "
            f"{seeds.max()}.")
    return np.ascontiguousarray(seeds, dtype=np.int64)


def _padded_planes(image: np.ndarray, patch_size: int, dtype: type) -> np.ndarray:
    """The channels of an (H, W, C) image padded for patches, as contiguous (C, H', W') planes.

    Each channel is cast into the result's interior and padded there: padding the whole image
    and transposing it held two more image-sized copies at once (400 MB at 4096^2 in colour,
    float32), and a cast and padded copy per channel cost 0.8 s at 4096^2."""
    half = patch_size // 2
    height, width, channels = image.shape
    planes = np.empty((channels, height + 2 * half, width + 2 * half), dtype=dtype)
    for c in range(channels):
        planes[c, half:half + height, half:half + width] = image[:, :, c]
        _repad(planes[c], patch_size)
    return planes


def _strip_order(qy: np.ndarray, qx: np.ndarray) -> np.ndarray | slice:
    """The queries in vertical strips of ``_QUERY_STRIP`` columns, each in row-major order
    (a stable sort: ties keep the given order); all in order when they fit in one strip."""
    if len(qx) == 0 or qx.max() - qx.min() < _QUERY_STRIP:
        return slice(None)
    return np.argsort((qx // _QUERY_STRIP) * (int(qy.max()) + 1) + qy, kind="stable")


def _in_query_order(order: np.ndarray | slice, *arrays: np.ndarray) -> list[np.ndarray]:
    """Rows of each array, computed for the queries taken in ``order``, put back in the
    queries' own order."""
    if isinstance(order, slice):
        return list(arrays)
    back = []
    for array in arrays:
        restored = np.empty_like(array)
        restored[order] = array
        back.append(restored)
    return back


def _offset_tiles(qy: np.ndarray, qx: np.ndarray, patch_size: int, *,
                  masked: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
    """The queries' tiles for :func:`offset_knn_kernel` where it costs less than the windowed
    kernel (their patches overlap: runs and blocks of hole pixels, dense random loss), else
    None (isolated pixels, thin contours: the windowed kernel's early exit wins there).
    ``masked``: a search with confidence < 1, whose windowed kernel exits earlier."""
    if len(qy) == 0:
        return None
    tiles = query_tiles(qy, qx, _OFFSET_TILE, _OFFSET_TILE)
    limit = _OFFSET_PIXELS_PER_MASKED_QUERY if masked else _OFFSET_PIXELS_PER_QUERY
    pays = tile_patch_pixels(qy, qx, *tiles, patch_size) <= limit * len(qy)
    return tiles if pays else None


def _lattice(patch_size: int) -> tuple[int, int, int]:
    """(base, stride, taps) of the reduced patch's samples in padded-patch offsets: centres of
    ``ceil(patch_size / 3)`` squared 3 x 3 boxes spread evenly over the patch (offsets 1, 3, 5
    for 7 x 7 patches, whose boxes then cover the patch exactly)."""
    taps = -(-patch_size // 3)
    stride = max((patch_size - 3) // max(taps - 1, 1), 1)
    base = max((patch_size - 1 - (taps - 1) * stride) // 2, 0)
    return base, stride, taps


def _pixel_graph_from_knn(query_pixels: np.ndarray, neighbours: np.ndarray,
                          distances: np.ndarray, shape: tuple[int, int]) -> PixelGraph:
    """PixelGraph from per-query neighbour lists (flat pixel indices, -1 = none)."""
    found = neighbours >= 0
    nodes = _union_of_pixels(shape[0] * shape[1], query_pixels, neighbours[found])
    rows, cols = _node_positions(nodes, shape, query_pixels, neighbours[found])
    rows = np.broadcast_to(rows[:, None], neighbours.shape)[found]
    matrix = sp.csr_matrix((distances[found].astype(np.float64), (rows, cols)),
                           shape=(len(nodes), len(nodes)))
    return PixelGraph(matrix, nodes, shape)


_REUSED = threading.local()          # .indices: the free index arrays of _reused_node_indices


@contextmanager
def _reused_node_indices() -> Iterator[None]:
    """Within this block the calling thread's node indices (see :func:`_node_index`) reuse one
    image-sized array, reset after each use, instead of allocating one per call (whose pages
    are touched afresh: 14 calls took 0.35 s at 4096^2). It is freed when the block ends."""
    outer = getattr(_REUSED, "indices", None)
    if outer is None:
        _REUSED.indices = {}
    try:
        yield
    finally:
        if outer is None:
            _REUSED.indices = None


@contextmanager
def _node_index(nodes: np.ndarray, size: int) -> Iterator[np.ndarray | None]:
    """An image of each pixel's node (-1 = none) when the sorted ``nodes`` cover much of the
    image, else None: binary searches then cost less (their cost follows the nodes, not the
    image); over many nodes they cost more (4 over 1M nodes took 1.6 s at 1024^2). Valid
    inside the block only (in :func:`_reused_node_indices` it is reset and reused after it)."""
    if len(nodes) * 16 < size:
        yield None
        return
    # int32 where it holds every node: the image-sized array is most of this function's cost
    # (its pages are touched afresh at every call: 30 calls at 4096^2 took 1.3 s in int64).
    dtype = np.int32 if size < 2**31 else np.intp
    free = getattr(_REUSED, "indices", None)
    # Taken out while in use: a nested index gets an array of its own.
    index = None if free is None else free.pop((size, dtype), None)
    if index is None:
        index = np.full(size, -1, dtype=dtype)
    index[nodes] = np.arange(len(nodes))
    try:
        yield index
    finally:
        if free is not None:
            index[nodes] = -1
            free.clear()                # one array at a time: the latest image's
            free[(size, dtype)] = index


def _node_positions(nodes: np.ndarray, shape: tuple[int, int],
                    *pixel_arrays: np.ndarray) -> list[np.ndarray]:
    """Positions in the sorted flat pixel indices ``nodes`` of each array's pixels (all of
    them nodes)."""
    with _node_index(nodes, shape[0] * shape[1]) as index:
        return [np.searchsorted(nodes, pixels) if index is None else index[pixels]
                for pixels in pixel_arrays]


def _union_of_pixels(size: int, *pixel_arrays: np.ndarray) -> np.ndarray:
    """Sorted union of flat pixel indices: by sorting when few, by marking an image when many."""
    total = sum(len(a) for a in pixel_arrays)
    if total * 16 < size:
        return np.unique(np.concatenate(pixel_arrays)).astype(np.intp)
    marks = np.zeros(size, dtype=bool)
    for pixels in pixel_arrays:
        marks[pixels] = True
    return np.flatnonzero(marks)
