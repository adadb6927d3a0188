"""Issue 10 at 4096^2: large thin holes solve their grid fills by CG instead of LU (the
Laplace fill from scratch, the biharmonic fill from the Laplace fill), to the LU's values."""

import numpy as np
import pytest

from graphinpaint import fills
from graphinpaint.mixes import SmoothFills


@pytest.fixture
def small_band_max(monkeypatch):
    """Holes of more than 50 pixels count as large, so that tiny images take the CG path."""
    monkeypatch.setattr(fills, "THIN_CG_MIN", 50)


def _scratched(n=48, seed=0):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:n, :n] / n
    values = np.stack([np.sin(9 * xx + 2 * yy), np.cos(7 * yy), xx * yy], -1) * 0.3 + 0.5
    values += 0.02 * rng.random(values.shape)
    hole = np.zeros((n, n), bool)
    hole[n // 3:n // 3 + 3, 3:-3] = hole[3:-3, n // 2:n // 2 + 2] = True
    values[hole] = 0
    return values, hole


def test_large_and_thin_needs_both(small_band_max):
    _, strokes = _scratched()
    block = np.zeros_like(strokes)
    block[10:40, 10:40] = True
    assert fills.is_large_and_thin(strokes)
    assert not fills.is_large_and_thin(block)                 # 15 deep
    assert not fills.is_large_and_thin(strokes & (np.arange(48) < 10)[None, :])    # 21 pixels


def test_laplace_fill_of_a_large_thin_hole_is_cg_to_the_lu_values(small_band_max):
    values, hole = _scratched()
    auto = fills.grid_laplace_fill(values, hole, "auto")
    np.testing.assert_array_equal(auto, fills.grid_laplace_fill(values, hole, "cg"))
    direct = fills.grid_laplace_fill(values, hole, "direct")
    assert 0 < np.abs(auto - direct).max() < 1e-5
    np.testing.assert_array_equal(auto[~hole], values[~hole])


def test_biharmonic_fill_from_a_start_on_the_hole(small_band_max):
    values, hole = _scratched()
    start = fills.grid_laplace_fill(values, hole, "direct")
    from_image = fills.grid_biharmonic_fill(values, hole, start=start, rtol=1e-8)
    from_hole = fills.grid_biharmonic_fill(values, hole, start=start[hole], rtol=1e-8)
    np.testing.assert_array_equal(from_image, from_hole)
    exact = fills.grid_biharmonic_fill(values, hole)          # a thin hole: LU
    np.testing.assert_allclose(from_hole, exact, atol=1e-5)
    assert not np.array_equal(from_hole, exact)


def test_smooth_fills_start_the_biharmonic_from_the_forgotten_laplace(small_band_max):
    values, hole = _scratched()
    smooth = SmoothFills(values, hole)
    laplace = smooth["laplace"]
    smooth.forget("laplace")
    expected = fills.grid_biharmonic_fill(values, hole, start=laplace[hole])
    np.testing.assert_array_equal(smooth["raw biharmonic"], expected)
    # rtol 1e-4 from the Laplace fill: within a tenth of an 8-bit level of the LU's fill.
    exact = fills.grid_biharmonic_fill(values, hole)
    assert np.sqrt(np.mean((expected - exact)[hole] ** 2)) < 0.1 / 255


def test_forgetting_the_laplace_fill_never_leaves_the_biharmonic_without_a_start(
        small_band_max):
    """A biharmonic solve prepared in another thread may look for its start at any moment of
    forget("laplace"): here it looks right after the fill leaves the dict, and still finds it."""
    values, hole = _scratched()
    smooth = SmoothFills(values, hole)
    laplace = smooth.on_hole("laplace")
    starts = []

    class Interleaved(dict):
        def pop(self, *args):
            value = super().pop(*args)
            starts.append(smooth._biharmonic_start())     # the other thread, in between
            return value

    smooth._fills = Interleaved(smooth._fills)
    smooth.forget("laplace")
    assert len(starts) == 1 and starts[0] is not None
    np.testing.assert_array_equal(starts[0], laplace)


def test_small_holes_keep_the_lu():
    values, hole = _scratched()
    np.testing.assert_array_equal(fills.grid_laplace_fill(values, hole, "auto"),
                                  fills.grid_laplace_fill(values, hole, "direct"))
    smooth = SmoothFills(values, hole)
    smooth["laplace"]
    smooth.forget("laplace")
    np.testing.assert_array_equal(smooth["raw biharmonic"],
                                  fills.grid_biharmonic_fill(values, hole, method="direct"))


@pytest.mark.parametrize("solved_first", [False, True])
def test_biharmonic_on_the_hole_is_the_clipped_fill_there(solved_first):
    values, hole = _scratched()
    values[:, :, 0] = np.arange(48) >= 24                 # an edge across the hole: overshoot
    smooth = SmoothFills(values, hole)
    if solved_first:
        smooth["biharmonic"]
    raw = fills.grid_biharmonic_fill(values, hole)
    expected = fills.clip_to_known(raw, values, hole)
    assert not np.array_equal(raw[hole], expected[hole])
    np.testing.assert_array_equal(smooth.on_hole("biharmonic"), expected[hole])


def test_round_tolerance_is_on_the_scale_of_the_values():
    import scipy.sparse as sp

    from graphinpaint._stages import _round_tolerance
    # A star: the centre (unknown) linked to three leaves (known) of weights 1, 2, 3, and a
    # second unknown linked to the centre by 0.5.
    weights = sp.csr_matrix(np.array([[0, 1, 2, 3, 0.5], [1, 0, 0, 0, 0], [2, 0, 0, 0, 0],
                                      [3, 0, 0, 0, 0], [0.5, 0, 0, 0, 0]]))
    known = np.array([False, True, True, True, False])
    start = np.array([[0.5, 0.1], [1, 1], [1, 1], [1, 1], [0.2, 0.4]])
    degree = np.asarray(weights.sum(axis=1)).ravel()[~known]
    given = {"p": 2.0, "method": "auto", "rtol": 1e-4}
    options = _round_tolerance(degree, start[~known], given)
    # degrees 6.5 and 0.5: norms of (3.25, 0.1) and (0.65, 0.2); the smaller channel's.
    assert options["rtol"] == 1e-4 and "atol" not in given
    assert options["atol"] == pytest.approx(1e-4 * np.hypot(0.65, 0.2))
    assert _round_tolerance(degree, start[~known], {**given, "atol": 0.5})["atol"] == 0.5


def test_the_match_mix_starts_its_biharmonic_cg_from_the_layers_laplace_start(small_band_max):
    # Prepared beside the layers before they ask for their Laplace start: the start must not
    # depend on which thread comes first (else LU or CG by a race, different last digits).
    from graphinpaint import pipeline
    from graphinpaint.settings import Settings

    values, hole = _scratched()
    settings = Settings(strategy="layers", window=31, bandwidth=0.1, grid_weight=1e-3, k=3,
                        rounds=1, smooth="match", smooth_share=0.5)
    expected = fills.grid_biharmonic_fill(
        values, hole, start=fills.grid_laplace_fill(values, hole, "auto")[hole])
    assert not np.array_equal(expected, fills.grid_biharmonic_fill(values, hole, method="direct"))
    for _ in range(5):
        smooth = SmoothFills(values, hole)
        pipeline._fill(values, hole, settings, smooth=smooth)
        np.testing.assert_array_equal(smooth["raw biharmonic"], expected)


@pytest.mark.parametrize("method", ["auto", "cg"])
def test_the_laplace_fill_on_the_hole_is_the_fill_there(method):
    values, hole = _scratched()
    image = fills.grid_laplace_fill(values, hole, method)
    np.testing.assert_array_equal(fills.grid_laplace_fill(values, hole, method, on_hole=True),
                                  image[hole])
    smooth = SmoothFills(values, hole, method)
    np.testing.assert_array_equal(smooth.on_hole("laplace"), image[hole])
    np.testing.assert_array_equal(smooth["laplace"], image)
    assert not np.array_equal(image, values)


def test_beyond_the_background_band_the_match_mix_is_solved_beside_the_rounds(monkeypatch):
    # Large thin holes solve the match mix's biharmonic fill by CG, which holds no factors:
    # it is started once the layers are filled (their Laplace start is its start) and is
    # solved while the rounds match and solve.
    from graphinpaint import _region_fill, _stages
    from graphinpaint.graph import PatchSearch
    from graphinpaint.settings import Settings

    monkeypatch.setattr(fills, "THIN_CG_MIN", 50)
    monkeypatch.setattr(_region_fill, "BACKGROUND_BAND_MAX", 50)
    values, hole = _scratched()
    searches, prepared = [], []
    query, prepare = PatchSearch._matches, SmoothFills.prepare
    monkeypatch.setattr(PatchSearch, "_matches",
                        lambda self, *a, **k: searches.append(1) or query(self, *a, **k))
    monkeypatch.setattr(SmoothFills, "prepare",
                        lambda self, kind: prepared.append((kind, len(searches)))
                        or prepare(self, kind))
    settings = Settings(strategy="layers", window=31, bandwidth=0.1, grid_weight=1e-3, k=3,
                        rounds=1, smooth="match", smooth_share=0.5)
    smooth = SmoothFills(values, hole)
    _region_fill._fill(values, hole, settings, smooth=smooth)
    layers = len(_stages._layers(hole))
    assert prepared == [("laplace", 0), ("raw biharmonic", layers)]
    assert len(searches) == layers + 1                          # one round after them
    expected = fills.grid_biharmonic_fill(
        values, hole, start=fills.grid_laplace_fill(values, hole, "auto", on_hole=True))
    np.testing.assert_array_equal(smooth["raw biharmonic"], expected)


def test_polish_leaves_a_factorised_biharmonic_fill_alone(small_band_max, monkeypatch):
    """Without the Laplace start a large thin hole's biharmonic fill is an LU solve, exact
    already: polishing it would assemble the system again for nothing."""
    from graphinpaint import mixes
    from graphinpaint.settings import Settings

    values, hole = _scratched()
    smooth = SmoothFills(values, hole)
    factorised = smooth["raw biharmonic"]
    np.testing.assert_array_equal(factorised, fills.grid_biharmonic_fill(values, hole))
    monkeypatch.setattr(mixes, "grid_biharmonic_fill", None)      # any solve would fail
    smooth.polish(Settings(strategy="layers", window=31, bandwidth=0.1, grid_weight=1e-3,
                           smooth="biharmonic", smooth_share=1.0))
    assert smooth["raw biharmonic"] is factorised
