"""Issue 10's memory cuts change no value: the per-channel padding, rounds written in place,
and the heap trimming between stages."""

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint import _memory, _region_fill
from graphinpaint import graph
from graphinpaint.graph import PatchSearch, _padded_planes
from graphinpaint._image_range import _to_unit_range
from graphinpaint.patches import _repad, pad_for_patches
from graphinpaint.settings import Settings

LAYERS = Settings(strategy="layers", window=15, bandwidth=0.1, grid_weight=1e-3, rounds=2)


def _scratched(n=40, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:n, :n] / n
    image = np.stack([np.sin(9 * xx + 2 * yy), np.cos(7 * yy), xx * yy], -1)
    image = 0.5 + 0.3 * image + 0.02 * rng.random(image.shape)
    hole = np.zeros((n, n), bool)
    hole[n // 3, 4:-4] = hole[4:-4, n // 2] = True
    values = image.copy()
    values[hole] = 0
    return values, hole


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(9, 11, 3), (3, 4, 1), (2, 2, 2)])
def test_padded_planes_match_padding_the_whole_image(dtype, shape):
    image = np.random.default_rng(1).random(shape)
    expected = pad_for_patches(image.astype(dtype), 5).transpose(2, 0, 1)
    planes = _padded_planes(image, 5, dtype)
    assert planes.dtype == dtype and planes.flags.c_contiguous
    np.testing.assert_array_equal(planes, expected)


def test_border_updates_repad_the_planes():
    image = np.random.default_rng(2).random((8, 8, 2)).astype(np.float32)
    search = PatchSearch(image, patch_size=3)
    search.update(np.array([0, 63]), np.array([[5.0, 6.0], [7.0, 8.0]]))
    image[0, 0], image[7, 7] = (5.0, 6.0), (7.0, 8.0)
    expected = pad_for_patches(image, 3).transpose(2, 0, 1)
    np.testing.assert_array_equal(search._planes, expected)


@pytest.mark.parametrize("patch_size", [1, 3, 5, 7])
@pytest.mark.parametrize("shape", [(1, 1), (2, 9), (3, 3), (4, 7), (8, 5), (12, 13)])
def test_repadding_in_place_gives_the_padding_of_the_whole_image(shape, patch_size):
    """Reflection where the image is wider than half a patch, else repeated symmetric
    reflection: each side's strip must hold every row or column the padding reads."""
    image = np.random.default_rng(3).random(shape)
    expected = pad_for_patches(image, patch_size)
    padded = np.full_like(expected, np.nan)
    half = patch_size // 2
    padded[half:half + shape[0], half:half + shape[1]] = image
    _repad(padded, patch_size)
    np.testing.assert_array_equal(padded, expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32, np.float64])
def test_unit_range_in_place_matches_the_expression_and_leaves_the_input(dtype):
    rng = np.random.default_rng(4)
    image = (rng.random((6, 5, 3)) * 200).astype(dtype)
    hole = rng.random((6, 5)) < 0.3
    before = image.copy()
    values, (low, span) = _to_unit_range(image, hole)
    work = np.float32 if dtype == np.float32 else np.float64
    expected = ((image.astype(np.float64) - low) / span).astype(work)
    expected[hole] = 0
    assert values.dtype == work
    np.testing.assert_array_equal(values, expected)
    np.testing.assert_array_equal(image, before)


def test_rounds_written_in_place_give_the_rounds_seen_one_by_one():
    """The last round overwrites the layers' estimate only when no caller keeps the rounds:
    the result is the one each_round sees last, and the earlier round is left as it was."""
    values, hole = _scratched()
    seen = []
    watched = _region_fill._graph_fill(values, hole, LAYERS, each_round=seen.append)
    one_round = _region_fill._graph_fill(values, hole, LAYERS.replace(rounds=1))
    in_place = _region_fill._graph_fill(values, hole, LAYERS)
    assert len(seen) == 2 and seen[0] is not seen[1]
    np.testing.assert_array_equal(seen[0], one_round)
    assert not np.array_equal(seen[0][hole], seen[1][hole])
    np.testing.assert_array_equal(in_place, watched)


def test_the_shared_biharmonic_start_is_not_overwritten():
    values, hole = _scratched()
    smooth = _region_fill.SmoothFills(values, hole)
    start = smooth["raw biharmonic"].copy()
    _region_fill._graph_fill(values, hole, LAYERS.replace(strategy="global"), smooth=smooth)
    np.testing.assert_array_equal(smooth["raw biharmonic"], start)


def test_trimming_the_heap_changes_no_result(monkeypatch):
    values, hole = _scratched()
    plain = _region_fill._graph_fill(values, hole, LAYERS)
    monkeypatch.setattr(_memory, "RELEASE_FROM_BYTES", 0)      # trim at every stage
    np.testing.assert_array_equal(_region_fill._graph_fill(values, hole, LAYERS), plain)


@pytest.mark.parametrize("mix", ["none", "laplace"])
def test_the_laplace_start_is_dropped_after_the_layers_unless_mixed_in(mix):
    values, hole = _scratched()
    settings = LAYERS.replace(smooth=mix, smooth_share=0.0 if mix == "none" else 0.5)
    kept = _region_fill._fill(values, hole, settings)                  # a SmoothFills of its own
    smooth = _region_fill.SmoothFills(values, hole)
    start = smooth["laplace"]
    released = _region_fill._fill(values, hole, settings, smooth=smooth)
    np.testing.assert_array_equal(released, kept)
    assert ("laplace" in smooth._fills) == (mix == "laplace")
    np.testing.assert_array_equal(smooth["laplace"], start)       # solved again if asked


def test_the_layers_ask_for_their_start_after_the_first_search(monkeypatch):
    """The grid Laplace start is solved while the first layer is matched; the fill is the one
    of a start at hand."""
    values, hole = _scratched()
    searches = []
    query = PatchSearch._matches                # the pipeline's searches (no distance graph)
    monkeypatch.setattr(PatchSearch, "_matches",
                        lambda self, *a, **k: searches.append(1) or query(self, *a, **k))
    laplace = _region_fill.SmoothFills(values, hole).on_hole("laplace")      # on the hole alone
    asked = []

    def start():
        asked.append(len(searches))
        return laplace

    settings = LAYERS.replace(rounds=0)
    layers = _region_fill._layers(hole)
    filled = _region_fill._fill_layers(values, hole, start, layers, patch_size=settings.patch_size,
                                   k=settings.k, window=settings.window,
                                   growth=settings.window_growth,
                                   bandwidth=settings.bandwidth, grid_weight=settings.grid_weight,
                                   solve={}, reporter=_region_fill._Progress(None, len(layers)))
    assert asked == [1]
    np.testing.assert_array_equal(filled, _region_fill._graph_fill(values, hole, settings))


def test_a_band_too_large_for_the_background_is_factorised_at_the_call(monkeypatch):
    """Its factors would otherwise sit beside the layers and rounds (4096^2: 260 MB)."""
    from graphinpaint import fills

    values, hole = _scratched()
    expected = fills.blend_near_boundary(values, hole, 0.25)
    monkeypatch.setattr(fills, "BACKGROUND_BAND_MAX", 0)
    blend = fills.BoundaryBlend(hole, background=True)
    assert blend._problem is None
    np.testing.assert_array_equal(blend(values, 0.25), expected)
    assert isinstance(blend._problem, fills._Biharmonic)


def test_reused_node_indices_give_the_graphs_of_fresh_ones():
    """The shared index is reset after each use: a later node set (here a subset, whose
    dropped pixels a stale index would still map) gets the same graph as without reuse."""
    shape = (9, 11)
    rng = np.random.default_rng(5)
    node_sets = [np.flatnonzero(rng.random(99) < share) for share in (0.9, 0.5, 0.7, 1.0)]
    fresh = [graph.grid_graph(shape, pixels=nodes).matrix for nodes in node_sets]
    with graph._reused_node_indices():
        reused = [graph.grid_graph(shape, pixels=nodes).matrix for nodes in node_sets]
        with graph._node_index(node_sets[1], 99) as index:
            with graph._node_index(node_sets[2], 99) as nested:      # in use: its own array
                assert nested is not index
            assert index[node_sets[1]].tolist() == list(range(len(node_sets[1])))
            assert np.count_nonzero(index >= 0) == len(node_sets[1])
    for a, b in zip(fresh, reused):
        assert (a != b).nnz == 0
    assert graph._REUSED.indices is None                # freed with the block


def test_the_image_s_layers_fill_its_working_region_in_place_with_the_same_result(monkeypatch):
    """inpaint's own working region is filled in place (no 400 MB working copy at 4096^2):
    the result is the copy's to the bit, and the caller's image is left as it was."""
    image, hole = _scratched()
    before = image.copy()
    in_place = gi.inpaint(image, hole)
    real, modes = _region_fill._fill_layers, []

    def copying(*args, in_place=False, **kwargs):
        modes.append(in_place)
        return real(*args, in_place=False, **kwargs)

    monkeypatch.setattr(_region_fill, "_fill_layers", copying)
    np.testing.assert_array_equal(gi.inpaint(image, hole), in_place)
    assert modes == [True]
    np.testing.assert_array_equal(image, before)


@pytest.mark.parametrize("self_validation", [True, False])
def test_the_middle_rule_reads_the_laplace_fill_solved_once(monkeypatch, self_validation):
    """A 64-px block whose middle takes the Laplace fill after the default mix: the layers'
    Laplace start is kept for it, not dropped after the layers and solved again (without a
    choice beside the fill it was: ['frequency', 'laplace', 'laplace'])."""
    from scipy import ndimage

    from graphinpaint import _thick_holes, mixes

    field = ndimage.gaussian_filter(np.random.default_rng(1).standard_normal((128, 128)), 3.0,
                                    mode="wrap")
    image = (field - field.min()) / (field.max() - field.min())
    hole = np.zeros((128, 128), bool)
    hole[32:96, 32:96] = True
    assert _thick_holes.middle_shares(image[..., None], hole, gi.fills.layer_depths(hole)) \
        is not None                                         # the rule fires here
    kinds, real = [], mixes.SmoothFills._solve

    def spy(smooth, kind):
        kinds.append(kind)
        return real(smooth, kind)

    monkeypatch.setattr(mixes.SmoothFills, "_solve", spy)
    gi.inpaint(image, hole, self_validation=self_validation)
    assert kinds.count("laplace") == 1
