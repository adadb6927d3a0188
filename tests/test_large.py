"""Tiled restoration of large images: tile identity, seamless stitching, lazy arrays, errors."""

from pathlib import Path

import numpy as np
import pytest

from _optional import require

da = require("dask.array")

import graphinpaint as gi  # noqa: E402
from graphinpaint import _memory, io, metrics  # noqa: E402
from graphinpaint.cli import main  # noqa: E402
from graphinpaint.large import halo_width, inpaint_large  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"
TILE = 48
# Stated tolerance of the stitching against a whole-image run: 2 levels of 255 per pixel.
SEAM_LEVELS = 2


@pytest.fixture(scope="module")
def scratched():
    """A 128 x 128 RGB crop whose scratches cross the tile borders at 48 and 96."""
    image = io.read_image(DATA / "astronaut.png")[64:192, 64:192]
    hole = io.read_mask(DATA / "astronaut_scratches.png")[64:192, 64:192].copy()
    hole[46:49, 10:120] = True                   # along a horizontal border
    hole[20:110, 95:97] = True                   # across the vertical border at 96
    return image, hole


@pytest.fixture(scope="module")
def whole(scratched):
    return gi.inpaint(*scratched)


def _halo(hole):
    from graphinpaint.fills import layer_depths

    options = dict(window=31, window_growth=1.0, patch_size=7, rounds=2, strategy="layers")
    return halo_width(options, int(layer_depths(hole).max()))


def test_a_tile_equals_restoring_its_region_alone_with_its_halo(scratched):
    image, hole = scratched
    image = image.astype(np.float64) / 255                     # floats: equal to 1e-6
    tiled = inpaint_large(image, hole, tile=TILE, scheduler="synchronous")
    halo = _halo(hole)
    for y, x in ((48, 48), (0, 96)):
        region = (slice(max(y - halo, 0), y + TILE + halo),
                  slice(max(x - halo, 0), x + TILE + halo))
        alone = gi.inpaint(image[region], hole[region], strategy="layers")
        inner = (slice(y - region[0].start, y - region[0].start + TILE),
                 slice(x - region[1].start, x - region[1].start + TILE))
        core = (slice(y, y + TILE), slice(x, x + TILE))
        assert hole[core].any()
        np.testing.assert_allclose(tiled[core], alone[inner], rtol=0, atol=1e-6)


def test_stitching_is_seamless_against_a_whole_image_run(scratched, whole):
    image, hole = scratched
    tiled = inpaint_large(image, hole, tile=TILE, scheduler="synchronous")
    assert tiled.dtype == image.dtype and tiled.shape == image.shape
    np.testing.assert_array_equal(tiled[~hole], image[~hole])
    borders = np.zeros_like(hole)
    borders[[47, 48, 95, 96], :] = borders[:, [47, 48, 95, 96]] = True
    assert (hole & borders).sum() > 100                         # holes cross the tile borders
    difference = np.abs(tiled.astype(int) - whole.astype(int))
    assert difference[hole & borders].max() <= SEAM_LEVELS
    assert difference.max() <= SEAM_LEVELS
    assert abs(metrics.psnr(image, tiled, region=hole)
               - metrics.psnr(image, whole, region=hole)) < 0.1
    # The test can fail: a halo much narrower than the pipeline's reach leaves seams.
    narrow = inpaint_large(image, hole, tile=TILE, halo=4, scheduler="synchronous")
    assert np.abs(narrow.astype(int) - whole.astype(int)).max() > SEAM_LEVELS


def test_dask_arrays_and_memory_maps_give_lazy_results_equal_to_the_numpy_one(scratched,
                                                                              tmp_path):
    image, hole = scratched
    image, hole = image[:96, :96], hole[:96, :96]
    eager = inpaint_large(image, hole, tile=TILE, scheduler="synchronous")
    mapped = np.lib.format.open_memmap(tmp_path / "image.npy", mode="w+", dtype=image.dtype,
                                       shape=image.shape)
    mapped[:] = image
    tifffile = require("tifffile")
    tifffile.imwrite(tmp_path / "image.tif", image)             # an uncompressed TIFF
    for source in (da.from_array(image, chunks=32), mapped,
                   tifffile.memmap(tmp_path / "image.tif", mode="r")):
        lazy = inpaint_large(source, da.from_array(hole, chunks=32), tile=TILE)
        assert isinstance(lazy, da.Array)
        np.testing.assert_array_equal(lazy.compute(scheduler="synchronous"), eager)


def test_a_gray_image_and_tiles_without_holes(scratched):
    image, hole = scratched
    gray = image[:, :, 0].copy()
    hole = np.zeros_like(hole)
    hole[100:104, 100:120] = True                               # one tile holds the hole
    out = inpaint_large(gray, hole, tile=TILE, scheduler="synchronous")
    assert out.shape == gray.shape
    np.testing.assert_array_equal(out[:96], gray[:96])
    assert not np.array_equal(out[hole], gray[hole])


def test_bad_arguments_raise_clear_errors(scratched):
    image, hole = scratched
    with pytest.raises(gi.InpaintError, match="'mask' parameter of inpaint_large.*spatial"):
        inpaint_large(image, hole[:10])
    with pytest.raises(gi.InpaintError, match="'tile' parameter"):
        inpaint_large(image, hole, tile=4)
    with pytest.raises(gi.InpaintError, match="does not take.*channel_axis"):
        inpaint_large(image, hole, channel_axis=0)
    deep = np.zeros_like(hole)
    deep[10:110, 10:110] = True
    with pytest.raises(gi.InpaintError, match="too deep for tiles of 32 pixels"):
        inpaint_large(image, deep, tile=32)


def test_inpaint_points_to_inpaint_large_when_memory_is_short(scratched, monkeypatch):
    image, hole = scratched
    monkeypatch.setattr(_memory, "available_memory", lambda: 1e5)
    with pytest.raises(MemoryError, match=r"inpaint_large\(image, mask, tile=2048\)"):
        gi.inpaint(image, hole)


def test_command_line_tile_flag_restores_in_tiles(scratched, whole, tmp_path):
    image, hole = scratched
    io.write_image(tmp_path / "img.png", image)
    io.write_image(tmp_path / "hole.png", np.where(hole, 255, 0).astype(np.uint8))
    code = main([str(tmp_path / "img.png"), str(tmp_path / "hole.png"), "-o",
                 str(tmp_path / "out.png"), "--tile", str(TILE), "-q"])
    assert code == 0
    out = io.read_image(tmp_path / "out.png")
    assert np.abs(out.astype(int) - whole.astype(int)).max() <= SEAM_LEVELS


def test_every_tile_runs_the_pipeline_the_whole_mask_calls_for(monkeypatch):
    """A 30-px block crossing a tile border: with a 4-px halo the left tile sees a 7-px sliver
    of it, which alone would be a thin stroke (adaptive rounds, 2 k matches in the rounds)."""
    from graphinpaint import _thick_holes, pipeline

    rng = np.random.default_rng(2)
    image = (rng.random((96, 96, 3)) * 255).astype(np.uint8)
    hole = np.zeros((96, 96), bool)
    hole[20:50, 61:91] = True
    seen = []
    fill = pipeline._fill

    def recording(values, region_hole, settings, *args, **kwargs):
        seen.append((settings.adaptive_rounds, settings.refine_k, settings.patch_size))
        return fill(values, region_hole, settings, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_fill", recording)
    inpaint_large(image, hole, tile=64, halo=4, scheduler="synchronous")
    assert len(seen) == 2 and seen[0] == seen[1]
    assert seen[0] == (False, _thick_holes.DEFAULT_K, 11)    # the thick hole's: k, patch 11


@pytest.mark.parametrize("side, tile", [(40, 32), (100, 16)], ids=["one-tile-deep", "deeper"])
def test_a_mask_of_every_pixel_is_named_for_the_whole_image(side, tile):
    """Not as one tile's failure, nor as a hole too deep for the tile: nothing is known."""
    image, hole = np.zeros((side, side), np.uint8), np.ones((side, side), bool)
    every = r"^The 'mask' parameter of inpaint_large marks every pixel as missing"
    with pytest.raises(gi.InpaintError, match=every):
        inpaint_large(image, hole, tile=tile, scheduler="synchronous")
