"""Images too large for one process: :func:`inpaint_large` restores them tile by tile on Dask.

Map of the module
-----------------
inpaint_large     cut the image into ``tile x tile`` cores, restore each core that holds hole
                  pixels by :func:`graphinpaint.inpaint` on the core grown by a halo, keep the
                  core, put the cores back together (``dask.array.concatenate``)
halo_width        the halo: how far from a hole pixel the pipeline reads (its search window,
                  widened per layer of depth, plus half a patch and the grid fills' rings)

Why a tile's result does not depend on the tiling: the pipeline reads, for a hole pixel, only the
pixels within its reach (``_reach`` in :mod:`graphinpaint.pipeline`). With a halo at least that
wide, a core is restored from the same neighbourhood as in a whole-image run; what can still
differ is the coupling of hole pixels through the sparse solves, which decays within a few
pixels and is measured in ``docs/scale.md``. The settings that ``inpaint`` derives from the whole
hole (the strategy, the deepest layer) are derived once here, from the whole mask, and handed to
every tile, so that all tiles agree.

Dask is imported when ``inpaint_large`` runs, not with this module. Works on numpy arrays,
dask arrays, and anything ``dask.array.from_array`` reads lazily (a zarr array, a memory-mapped
TIFF from ``tifffile.memmap``).
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from ._image_range import _refuse_path, as_array
from ._pyramid import COARSE_PATCH, COARSE_ROUNDS
from ._validation import InpaintError, check_int, require

__all__ = ["halo_width", "inpaint_large"]


def inpaint_large(image: Any, mask: Any, *, tile: int = 2048, halo: int | None = None,
                  scheduler: Any = None, **inpaint_options: Any) -> Any:
    """Restore an image too large for one process, tile by tile in parallel on Dask.

    Each ``tile x tile`` block that holds hole pixels is restored by
    :func:`graphinpaint.inpaint` on the block grown by ``halo`` pixels on every side (clipped
    at the image's edges), and only the block is kept; blocks without hole pixels are copied.
    Peak memory per worker follows the tile size, not the image's.

    Parameters
    ----------
    image : array, shape (H, W) or (H, W, C)
        numpy array, dask array, or a lazily read array (zarr, ``tifffile.memmap``), channels
        last. 8- and 16-bit images give results independent of the tiling; the value range of
        a float (or 32- or 64-bit integer) image is taken per tile (see docs/scale.md).
    mask : array, shape (H, W)
        The hole: **True (nonzero) = missing pixel**.
    tile : int, default 2048
        Side of the square blocks restored one per task.
    halo : int, optional
        Pixels of context around each block. Default: :func:`halo_width` of the options and the
        hole's depth, the pipeline's reach.
    scheduler : optional
        Passed to ``dask.compute``: e.g. ``"threads"``, ``"processes"``, or a
        ``distributed.Client``. Default: Dask's own (the active distributed client, if any).
    **inpaint_options
        Keyword arguments of :func:`graphinpaint.inpaint` (``p``, ``patch_size``, ``strategy``,
        ...); ``channel_axis`` and ``progress`` are not taken. The defaults that follow the
        hole's shape (strategy, patch size, window, rounds) are settled once from the whole
        mask, so that the halo fits them: for scattered loss that is one round of 7 x 7
        patches, where ``inpaint`` would choose 1 to 3 rounds and 7 or 11 on held-out pixels,
        for thick holes up to 32 px deep three rounds, where ``inpaint`` may keep one (pass
        ``rounds`` and ``patch_size`` to have others). With ``p`` left to the pipeline, thin
        strokes in an image below 2048 x 2048 pixels take p = 3 in the rounds of each tile whose
        own matches are not mostly exact, so tiles may differ in p where ``inpaint`` takes one
        for the image; pass ``p`` for one in every tile.

    Returns
    -------
    array
        The restored image, same shape and dtype: a numpy array for a numpy array in memory
        (or nested lists), else (dask, zarr, memory map) a lazy dask array to ``.compute()``,
        ``.to_zarr(...)`` or ``dask.array.store``.

    Raises
    ------
    InpaintError
        For a bad argument, a mask of the wrong shape or marking every pixel, or a hole deeper
        than half a tile.
    ImportError
        Dask is not installed: ``pip install "graphinpaint[dask]"``.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.tile(np.linspace(0, 255, 96), (96, 1)).astype(np.uint8)
    >>> mask = np.zeros((96, 96), bool); mask[40:43, 10:90] = True      # crosses the tiles
    >>> out = inpaint_large(image, mask, tile=64, scheduler="synchronous")
    >>> out.dtype, bool(np.abs(out.astype(int) - image).max() <= 3)
    (dtype('uint8'), True)
    """
    func = "inpaint_large"
    require("dask.array", func, "dask")
    import dask

    tile = check_int(tile, "tile", func, low=16)
    unknown = {"channel_axis", "progress"} & set(inpaint_options)
    if unknown:
        raise InpaintError(f"inpaint_large does not take {sorted(unknown)}: images are channels "
                           "last, and progress is Dask's (dask.diagnostics or the dashboard).")
    # A numpy array in memory comes back as one; anything read lazily (a dask or zarr array, a
    # memory map) comes back as a lazy dask array, never loaded whole.
    image, mask = (as_array(a, name, func) if isinstance(a, (list, tuple)) else a
                   for a, name in ((image, "image"), (mask, "mask")))
    lazy_input = not isinstance(image, np.ndarray) or isinstance(image, np.memmap)
    pixels, hole = _as_dask(image, "image", tile), _as_dask(mask, "mask", tile)
    _check_shapes(pixels, hole)
    hole = hole.astype(bool)
    # The passes over the mask run where the mask is: in this process for an array in memory.
    local = scheduler if lazy_input else "threads"
    if bool(hole.all().compute(scheduler=local)):   # before a tile fails, or "too deep" is said
        raise InpaintError(
            f"The 'mask' parameter of {func} marks every pixel as missing (True = hole): there "
            "is nothing to fill from. Check the mask's polarity."
        )
    deepest = functools.cache(lambda: _deepest_layer(hole, tile, local))   # one pass, if any
    options = _resolved_options(hole, inpaint_options, tile, local, deepest)
    if halo is None:
        halo = halo_width(options, deepest())
    halo = check_int(halo, "halo", func, low=0)
    has_hole = _tiles_with_holes(hole, tile, local)
    cores = _cores(hole.shape, tile)
    if lazy_input:
        return _assembled(pixels, cores, {
            _corner(core): _restored_tile(pixels, hole, core, halo, options)
            for core, inside in zip(cores, has_hole.flat) if inside})
    # An array in memory: each task gets only its region, and the cores come back here.
    image, mask = np.asarray(image), np.asarray(mask).astype(bool)
    tasks = [(core, _tile_task(image, mask, core, halo, options))
             for core, inside in zip(cores, has_hole.flat) if inside]
    restored = image.copy()
    for (core, _), block in zip(tasks, dask.compute(*(t for _, t in tasks),
                                                    scheduler=scheduler)):
        restored[core] = block
    return restored


def halo_width(options: dict, deepest: int) -> int:
    """The pipeline's reach: how far from a hole pixel its restored value can draw on.

    The layers read a search window widened by the deepest layer, plus half a patch; each
    refinement round reads one more window and patch around the layers' results; and the last
    sparse solve couples a pixel to its matches, one more window away. Two rings serve the grid
    fills. With this halo a tile's core differs from a whole-image run by at most 1 level of 255
    on the astronaut sample (docs/scale.md); the layers' reach alone left up to 13.

    Parameters
    ----------
    options : dict
        ``window``, ``window_growth``, ``patch_size``, ``rounds`` and ``strategy`` ("layers"
        or "global"); ``coarse_to_fine`` adds twice the half-resolution fill's halo.
    deepest : int
        Depth of the deepest hole pixel (taxicab distance to the nearest known pixel).

    Examples
    --------
    >>> halo_width(dict(window=31, window_growth=1.0, patch_size=7, rounds=1,
    ...                 strategy="layers"), 3)
    58
    >>> halo_width(dict(window=31, window_growth=1.0, patch_size=7, rounds=1,
    ...                 strategy="layers", coarse_to_fine=True), 3)
    244
    """
    step = options["window"] // 2 + options["patch_size"] // 2
    first = step
    if options["strategy"] == "layers":
        first += int(options["window_growth"] * (max(deepest, 1) - 1))
    halo = first + (options["rounds"] + 1) * step + 2
    if options.get("coarse_to_fine"):
        # The layers read the coarse level's guide, which reads its own halo at half resolution.
        coarse = dict(options, patch_size=COARSE_PATCH, rounds=COARSE_ROUNDS, coarse_to_fine=False)
        halo += 2 * halo_width(coarse, (deepest + 1) // 2)
    return halo


# --- helpers --------------------------------------------------------------------------------------

def _as_dask(array: Any, name: str, tile: int) -> Any:
    import dask.array as da

    if isinstance(array, da.Array):
        return array
    _refuse_path(array, name, "inpaint_large")
    if not hasattr(array, "shape") or not hasattr(array, "dtype"):
        array = np.asarray(array)
    if len(array.shape) not in (2, 3):
        raise InpaintError(
            f"The '{name}' parameter of inpaint_large must have shape (H, W)"
            f"{' or (H, W, C)' if name == 'image' else ''}. Got {tuple(array.shape)}."
        )
    if 0 in array.shape:
        raise InpaintError(f"The '{name}' parameter of inpaint_large is empty: shape "
                           f"{tuple(array.shape)}. Give an {name} with pixels.")
    return da.from_array(array, chunks=(tile, tile) + tuple(array.shape[2:]))


def _check_shapes(pixels: Any, hole: Any) -> None:
    if pixels.ndim not in (2, 3) or pixels.dtype.kind not in "uif":
        raise InpaintError(
            "The 'image' parameter of inpaint_large must be an (H, W) or (H, W, C) array of "
            f"integers or floats, channels last. Got shape {pixels.shape}, dtype {pixels.dtype}."
        )
    if hole.shape != pixels.shape[:2]:
        raise InpaintError(
            f"The 'mask' parameter of inpaint_large must have the image's spatial shape "
            f"{pixels.shape[:2]}. Got {hole.shape} instead."
        )


def _resolved_options(hole: Any, options: dict, tile: int, scheduler: Any,
                      deepest: Callable[[], int]) -> dict:
    """The options with the strategy, window, patch size, rounds and matches (k) settled from
    the whole mask, as inpaint would settle them (but for scattered loss's chosen rounds and
    patch), so that every tile runs the same pipeline and the halo fits it."""
    from ._thick_holes import DEEPEST_REFINED, is_thick, k_for, patch_for, rounds_for
    from .pipeline import _STRATEGY_DEFAULTS, _window_for

    options = dict(options)
    strategy = options.get("strategy", "auto")
    if strategy == "auto":
        strategy = "global" if _is_scattered(hole, tile, scheduler) else "layers"
    if strategy not in _STRATEGY_DEFAULTS:
        raise InpaintError(
            f"The 'strategy' parameter of inpaint_large must be one of 'auto', 'layers', "
            f"'global'. Got {strategy!r} instead."
        )
    options["strategy"] = strategy
    options.setdefault("window_growth", 1.0)
    # inpaint's defaults, from the whole mask's strokes and depth; only layers look at the
    # width and the depth: spare the passes over the mask otherwise. Whether the hole is thick
    # goes to every tile too: a tile that saw a sliver of a block took the strokes' pipeline.
    thick = deep = False
    if strategy == "layers":
        thick = is_thick(_stroke_width(hole, tile, scheduler), strategy)
        deep = thick and deepest() > DEEPEST_REFINED
    options["_thick"] = thick
    options["_deep"] = deep
    # The image's size too: thin strokes' p = 3 rounds take one Newton step in images of
    # _thick_holes.STROKES_TRUNCATED_FROM pixels or more, and a tile is smaller than its image.
    options["_image_pixels"] = int(hole.shape[0]) * int(hole.shape[1])
    if options.get("window") is None:
        options["window"] = _window_for(strategy, deep)
    if options.get("patch_size") is None:
        options["patch_size"] = patch_for(thick)
    if options.get("rounds") is None:   # fixed here, never chosen per tile: the halo fits it
        options["rounds"] = rounds_for(strategy, thick, deep)
    if options.get("k") is None and strategy == "layers":
        # Scattered loss leaves k to each tile's inpaint: it chooses with 5 and fills with 3.
        options["k"] = k_for(strategy, thick)
    return options


def _stroke_width(hole: Any, tile: int, scheduler: Any) -> float:
    """:func:`graphinpaint.selection.stroke_width` of the whole mask, chunk by chunk (periodic
    overlap: the whole-image version rolls its borders around)."""
    import dask
    import dask.array as da

    def outline(block: np.ndarray) -> np.ndarray:
        inner = (np.roll(block, 1, 0) & np.roll(block, -1, 0) &
                 np.roll(block, 1, 1) & np.roll(block, -1, 1))
        return block & ~inner

    edges = da.map_overlap(outline, hole.rechunk(tile), depth=1, boundary="periodic", dtype=bool)
    area, length = dask.compute(hole.sum(), edges.sum(), scheduler=scheduler)
    return 2.0 * float(area) / max(int(length), 1)


def _is_scattered(hole: Any, tile: int, scheduler: Any) -> bool:
    """inpaint's test for scattered loss (most known pixels of the hole's bounding box touch
    the hole), computed chunk by chunk."""
    import dask
    import dask.array as da
    from scipy import ndimage as ndi

    from .fills import SCATTERED_SHARE

    rows, cols = dask.compute(hole.any(axis=1), hole.any(axis=0), scheduler=scheduler)
    if not rows.any():
        return False
    r, c = np.flatnonzero(rows), np.flatnonzero(cols)
    box = hole[r[0]:r[-1] + 1, c[0]:c[-1] + 1].rechunk(tile)
    cross = ndi.generate_binary_structure(2, 1)
    near = da.map_overlap(lambda block: ndi.binary_dilation(block, cross), box, depth=1,
                          boundary="none", dtype=bool)
    known, touching = dask.compute((~box).sum(), (~box & near).sum(), scheduler=scheduler)
    return bool(known > 0 and touching >= SCATTERED_SHARE * known)


def _deepest_layer(hole: Any, tile: int, scheduler: Any = None) -> int:
    """Depth of the deepest hole pixel, from chunks grown by half a tile: exact while the hole is
    shallower than that, an error beyond."""
    import dask.array as da

    from .fills import layer_depths

    reach = tile // 2
    # Dask refuses an overlap deeper than the array: an image smaller than half a tile has
    # nothing beyond its own size to overlap anyway.
    depth = {axis: min(reach, size) for axis, size in enumerate(hole.shape)}
    depths = da.map_overlap(layer_depths, hole.rechunk(tile), depth=depth, boundary="none",
                            dtype=np.int32)
    deepest = int(depths.max().compute(scheduler=scheduler))
    if deepest >= reach:
        raise InpaintError(
            f"The hole has pixels {deepest} or more pixels away from any known pixel: too deep "
            f"for tiles of {tile} pixels in inpaint_large. Pass a larger 'tile' (at least "
            f"{4 * deepest})."
        )
    return deepest


def _tiles_with_holes(hole: Any, tile: int, scheduler: Any) -> np.ndarray:
    """(rows, cols) booleans: which tiles hold at least one hole pixel."""
    return hole.rechunk(tile).map_blocks(lambda block: np.array([[block.any()]]),
                                         chunks=(1, 1), dtype=bool).compute(scheduler=scheduler)


def _cores(shape: tuple[int, int], tile: int) -> list[tuple[slice, slice]]:
    """The tiles' cores, row by row."""
    return [(slice(y, min(y + tile, shape[0])), slice(x, min(x + tile, shape[1])))
            for y in range(0, shape[0], tile) for x in range(0, shape[1], tile)]


def _corner(core: tuple[slice, slice]) -> tuple[int, int]:
    return core[0].start, core[1].start


def _tile_task(image: Any, hole: Any, core: tuple[slice, slice], halo: int,
               options: dict) -> Any:
    """A delayed task: inpaint the core grown by the halo, keep the core."""
    import dask

    height, width = hole.shape
    region = (slice(max(core[0].start - halo, 0), min(core[0].stop + halo, height)),
              slice(max(core[1].start - halo, 0), min(core[1].stop + halo, width)))
    inner = tuple(slice(c.start - r.start, c.stop - r.start) for c, r in zip(core, region))
    return dask.delayed(_restore_region, pure=True)(image[region], hole[region], inner,
                                                    options, _corner(core))


def _restored_tile(pixels: Any, hole: Any, core: tuple[slice, slice], halo: int,
                   options: dict) -> Any:
    """The restored core as a lazy dask array."""
    import dask.array as da

    shape = (core[0].stop - core[0].start, core[1].stop - core[1].start) + pixels.shape[2:]
    return da.from_delayed(_tile_task(pixels, hole, core, halo, options), shape=shape,
                           dtype=pixels.dtype)


def _assembled(pixels: Any, cores: list[tuple[slice, slice]], restored: dict) -> Any:
    """The image as a dask array: the restored cores (by corner), the input elsewhere."""
    import dask.array as da

    rows, row = [], []
    for core in cores:
        row.append(restored.get(_corner(core), pixels[core]))
        if core[1].stop == pixels.shape[1]:
            rows.append(da.concatenate(row, axis=1))
            row = []
    return da.concatenate(rows, axis=0)


def _restore_region(image: np.ndarray, hole: np.ndarray, inner: tuple[slice, slice],
                    options: dict, corner: tuple[int, int]) -> np.ndarray:
    """Runs on a worker: :func:`graphinpaint.inpaint` on one tile and its halo."""
    from .pipeline import inpaint

    try:
        restored = inpaint(image, hole, channel_axis=-1 if image.ndim == 3 else None, **options)
    except InpaintError as error:
        raise InpaintError(f"inpaint_large, tile at row {corner[0]}, column {corner[1]}: "
                           f"{error}") from error
    return restored[inner]
