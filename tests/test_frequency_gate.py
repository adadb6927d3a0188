"""The gate on the spread of the matches: thick hole components whose matches disagree take a
costlier frequency fill (``mixes.GATED_PROFILE``) at a share set by the spread."""

import numba
import numpy as np
import pytest

import graphinpaint as gi
from _holes import centred_block
from _threads import on_one_and_two_threads
from graphinpaint import mixes, _stages
from graphinpaint.graph import _Matches


def _radial_wave(n=96):
    """Rings around a point off the image's centre: every patch beside the block is unlike
    the inside, so the matches disagree."""
    return _radial_wave_of(6.0, n)


def _radial_wave_of(scale, n=96):
    """Rings of wavelength 2 pi ``scale`` pixels around a point off the image's centre."""
    y, x = np.mgrid[:n, :n]
    return 0.5 + 0.4 * np.cos(np.hypot(x - 30, y - 70) / scale)


def _spread_seen(monkeypatch):
    """Record the median match spread each gated mix reads."""
    seen = []
    real = mixes.SmoothFills._gated

    def spy(self, *args):
        seen.append(float(np.median(self.match_spread)))
        return real(self, *args)

    monkeypatch.setattr(mixes.SmoothFills, "_gated", spy)
    return seen


def _gate_shut(image, hole, monkeypatch):
    """The default with the gate never opening: the mix by match distance alone (main's)."""
    with monkeypatch.context() as patch:
        patch.setattr(mixes, "SPREAD_GATE", np.inf)
        return gi.inpaint(image, hole, channel_axis=None)


def test_a_wave_whose_matches_disagree_opens_the_gate_and_is_continued_better(monkeypatch):
    """Rings under a 24-px block: the median spread (measured 0.0126) opens the gate, and the
    gated fill gains 1.2 dB over the mix by match distance alone (measured 25.69 against
    24.47 dB; asked: 0.5)."""
    image, hole = _radial_wave(), centred_block(96, 24)
    seen = _spread_seen(monkeypatch)
    gated = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None), hole)
    assert seen and seen[-1] >= mixes.SPREAD_GATE
    shut = gi.metrics.psnr(image, _gate_shut(image, hole, monkeypatch), hole)
    assert gated > shut + 0.5


def test_periodic_texture_keeps_the_gate_shut(monkeypatch):
    """A periodic wave under a 24-px block: the matches copy one another (median spread
    measured 3e-5), the gate stays shut and the result is the mix by match distance's, to
    the bit."""
    y, x = np.mgrid[:64, :64]
    image = 0.5 + 0.3 * np.sin(2 * np.pi * (x + 0.6 * y) / 16)
    hole = centred_block(64, 24)
    seen = _spread_seen(monkeypatch)
    default = gi.inpaint(image, hole, channel_axis=None)
    assert seen and seen[-1] < mixes.SPREAD_GATE / 10
    assert np.array_equal(default, _gate_shut(image, hole, monkeypatch))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one numba thread only")
def test_the_gated_fill_gives_the_same_result_on_one_and_two_threads(monkeypatch):
    """A colour image with the gate open on one block: identical to the bit."""
    image = np.stack([_radial_wave(72), 1 - _radial_wave(72), _radial_wave(72) ** 2], axis=-1)
    hole = centred_block(72, 20)
    seen = _spread_seen(monkeypatch)
    one, two = on_one_and_two_threads(lambda: gi.inpaint(image, hole))
    assert seen and min(seen) >= mixes.SPREAD_GATE
    assert np.array_equal(one, two)


def test_the_match_spread_is_the_matched_values_standard_deviation():
    """Two queries: matches of the values 0.2, 0.4 (std 0.1 in one channel, 0 in the other:
    mean variance 0.005) and three copies of one value with a missing match (0)."""
    flat = np.array([[0.2, 0.5], [0.4, 0.5], [0.7, 0.1], [0.7, 0.1], [0.7, 0.1]])
    matches = _Matches(queries=np.array([7, 8]), neighbours=np.array([[0, 1, -1], [2, 3, 4]]),
                       distances=np.zeros((2, 3), np.float32), shape=(3, 3))
    assert np.allclose(_stages.match_spread(flat, matches), [np.sqrt(0.005), 0.0])


def test_the_match_spread_is_the_same_in_chunks(monkeypatch):
    """Chunks of 3 queries (the last one short) against one chunk: the same to the bit."""
    rng = np.random.default_rng(2)
    flat = rng.random((30, 3))
    matches = _Matches(queries=np.arange(8), neighbours=rng.integers(-1, 30, (8, 4)),
                       distances=np.zeros((8, 4), np.float32), shape=(5, 6))
    whole = _stages.match_spread(flat, matches)
    monkeypatch.setattr(_stages, "_SPREAD_CHUNK", 3)
    np.testing.assert_array_equal(_stages.match_spread(flat, matches), whole)
    assert np.all(whole > 0)


def test_each_component_takes_its_own_median():
    """Two blocks and a pixel touching one diagonally (8-connected to it)."""
    hole = np.zeros((8, 8), bool)
    hole[1:3, 1:3] = True
    hole[3, 3] = True
    hole[5:7, 5:8] = True
    values = np.arange(hole.sum(), dtype=float)
    medians = mixes.component_medians(hole, values)
    first = np.flatnonzero(hole.ravel()) < 32
    assert np.all(medians[first] == np.median(values[first]))
    assert np.all(medians[~first] == np.median(values[~first]))


def test_unknown_pixels_are_neither_read_nor_filled():
    """The ring of a 24-px block filled with its 8-px middle unknown: the middle's values do
    not change the ring's fill, which is the whole block's fill there (the waves reach the
    middle last), and reading the middle as known changes it."""
    from graphinpaint._frequency import frequency_fill

    wave = _radial_wave()[..., None]
    block, middle = centred_block(96, 24), centred_block(96, 8)
    ring = block & ~middle
    scrambled = wave.copy()
    scrambled[middle] = np.random.default_rng(0).random((middle.sum(), 1))
    fill = frequency_fill(wave, ring, on_hole=True, unknown=middle)
    assert np.array_equal(fill, frequency_fill(scrambled, ring, on_hole=True, unknown=middle))
    assert np.array_equal(fill, frequency_fill(wave, block, on_hole=True)[ring[block]])
    assert not np.array_equal(fill, frequency_fill(scrambled, ring, on_hole=True))


def test_a_bad_unknown_gets_a_clear_error():
    from graphinpaint._frequency import frequency_fill

    with pytest.raises(ValueError, match="unknown as a boolean array"):
        frequency_fill(np.zeros((8, 8, 1)), np.eye(8, dtype=bool), unknown=np.zeros((4, 4)))


def test_one_round_chosen_beside_the_fill_gates_on_that_round_s_spread(monkeypatch):
    """The rounds choice (forced to one round here) under way beside the real fill: that fill
    runs three rounds and keeps the first's estimate; the gate, open on the wave, then reads
    the first round's spreads too (it read the third's: 1e-3 apart), the same result to the
    bit as one round chosen before the fill."""
    from graphinpaint import _threads, pipeline

    image, hole = _radial_wave(), centred_block(96, 24)
    seen = _spread_seen(monkeypatch)
    monkeypatch.setattr(pipeline, "_self_validate_thick",
                        lambda values_of, hole, settings, reach, **_: settings.replace(rounds=1))
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: True)
    beside = gi.inpaint(image, hole, channel_axis=None)
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: False)
    before = gi.inpaint(image, hole, channel_axis=None)
    assert len(seen) == 2 and min(seen) >= mixes.SPREAD_GATE
    np.testing.assert_array_equal(beside, before)


def _whole_depth_seen(monkeypatch):
    """Record whether each gated mix took some component at its whole depth."""
    seen = []
    real = mixes.SmoothFills._whole_depth

    def spy(self, opened):
        whole = real(self, opened)
        seen.append(bool(whole.any()))
        return whole

    monkeypatch.setattr(mixes.SmoothFills, "_whole_depth", spy)
    return seen


def _depth_limited(image, hole, monkeypatch):
    """The default with every opened component cut at GATED_DEPTH (the first pass's rule)."""
    with monkeypatch.context() as patch:
        patch.setattr(mixes, "WHOLE_DEPTH_RING", (0.0, 0.0))
        return gi.inpaint(image, hole, channel_axis=None)


def test_a_detailed_ring_takes_the_gated_fill_at_its_whole_depth_and_gains(monkeypatch):
    """Fine rings (ring roughness 1.08) under a 40-px block, 20 px deep: the gated fill at the
    whole depth gains 2.0 dB over the fill cut at 12 px (measured 16.34 against 14.33 dB;
    asked: 1.0)."""
    image, hole = _radial_wave_of(1.0), centred_block(96, 40)
    seen = _whole_depth_seen(monkeypatch)
    whole = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None), hole)
    assert seen == [True]
    limited = gi.metrics.psnr(image, _depth_limited(image, hole, monkeypatch), hole)
    assert whole > limited + 1.0


def test_a_smooth_ring_keeps_the_depth_limit(monkeypatch):
    """Broad rings (ring roughness 0.18, below WHOLE_DEPTH_RING) under a 40-px block: the gate
    opens (median spread measured 0.011) but the fill stays cut at 12 px, to the bit."""
    image, hole = _radial_wave_of(6.0), centred_block(96, 40)
    seen = _whole_depth_seen(monkeypatch)
    default = gi.inpaint(image, hole, channel_axis=None)
    assert seen == [False]
    assert np.array_equal(default, _depth_limited(image, hole, monkeypatch))


@pytest.mark.parametrize("k", [0.3, 1.0, 1.5])
def test_the_ring_roughness_of_a_wave_is_its_discrete_wavenumber(k):
    """cos(k x): the 5-point Laplacian is (2 - 2 cos k) cos(k x), the central gradient
    sin(k) sin(k x): the ratio of their means is 2 tan(k / 2), up to the ring's sampling of
    the phases (measured within 11% for k from 0.25 to 1.5; asked: 15%)."""
    from graphinpaint._frequency import ring_roughness

    x = np.mgrid[:96, :96][1]
    image = (0.5 + 0.3 * np.cos(k * x))[..., None]
    hole = centred_block(96, 32)
    assert ring_roughness(image, hole, hole) == pytest.approx(2 * np.tan(k / 2), rel=0.15)


def test_a_detailed_ring_left_shut_gets_the_kept_fill_all_the_same(monkeypatch):
    """A fine periodic wave (ring roughness 1.2: the kept fill made ahead leaves the block
    out) whose matches agree (the gate stays shut): the block's kept fill, made when the mix
    asks for it, gives the result of the fill made ahead, to the bit."""
    y, x = np.mgrid[:64, :64]
    image = 0.5 + 0.3 * np.sin(2 * np.pi * (x + 0.6 * y) / 6)
    hole = centred_block(64, 24)
    seen = _spread_seen(monkeypatch)
    default = gi.inpaint(image, hole, channel_axis=None)
    assert seen and seen[-1] < mixes.SPREAD_GATE
    smooth = mixes.SmoothFills(image[..., None], hole)
    smooth.gate_frequency = True
    assert smooth._detailed_rings().all() and np.isnan(smooth._frequency_ahead()).all()
    assert np.array_equal(default, _depth_limited(image, hole, monkeypatch))


def test_a_component_deeper_than_the_limit_keeps_the_depth_limit(monkeypatch):
    """The fine rings of the first test under a 56-px block, 28 px deep (past
    WHOLE_DEPTH_MAX): the gated fill stays cut at 12 px, to the bit."""
    image, hole = _radial_wave_of(1.0), centred_block(96, 56)
    seen = _whole_depth_seen(monkeypatch)
    default = gi.inpaint(image, hole, channel_axis=None)
    assert seen == [False]
    assert np.array_equal(default, _depth_limited(image, hole, monkeypatch))


def test_each_component_s_ring_roughness_is_read_in_its_own_box():
    """``ring_roughnesses`` (boxes around each component) gives each component's
    ``ring_roughness`` of the whole image, to the bit: components near each other, on the
    image's edges and in its corner."""
    from scipy import ndimage as ndi

    from graphinpaint._frequency import ring_roughness, ring_roughnesses

    rng = np.random.default_rng(3)
    y, x = np.mgrid[:80, :80]
    image = (0.3 + 0.2 * np.cos(0.7 * x + 0.2 * y) + 0.05 * rng.random((80, 80)))[..., None]
    hole = np.zeros((80, 80), bool)
    hole[30:40, 30:44] = hole[44:50, 30:36] = True              # 4 px apart
    hole[0:6, 60:80] = hole[70:80, 0:5] = hole[20:30, 0:3] = True
    labels, count = ndi.label(hole, structure=np.ones((3, 3), bool))
    expected = [ring_roughness(image, hole, labels == label) for label in range(1, count + 1)]
    assert count == 5 and min(expected) > 0.1
    np.testing.assert_array_equal(ring_roughnesses(image, hole, labels), expected)


@pytest.mark.parametrize("rows, cols", [(slice(26, 38), slice(0, 12)),
                                        (slice(0, 12), slice(0, 12)),
                                        (slice(52, 64), slice(30, 42))])
def test_a_plane_does_not_bend_beside_the_image_edge(rows, cols):
    """A hole on the image's edge or in its corner: the ring's pixels on the edge are left
    out (their stencils would read mirrored pixels: 0.02-0.04 on a plane before)."""
    from graphinpaint._frequency import ring_roughness

    y, x = np.mgrid[:64, :64]
    plane = (0.2 + 0.005 * x + 0.007 * y)[..., None]
    hole = np.zeros((64, 64), bool)
    hole[rows, cols] = True
    assert ring_roughness(plane, hole, hole) < 1e-9


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one numba thread only")
def test_the_whole_depth_fill_gives_the_same_result_on_one_and_two_threads(monkeypatch):
    """The first whole-depth test's fine rings in colour: the kept fill made ahead without
    the block, the gated fill over its whole depth; identical to the bit."""
    wave = _radial_wave_of(1.0)
    image = np.stack([wave, 1 - wave, wave ** 2], axis=-1)
    hole = centred_block(96, 40)
    seen = _whole_depth_seen(monkeypatch)
    one, two = on_one_and_two_threads(lambda: gi.inpaint(image, hole))
    assert seen == [True, True]
    assert np.array_equal(one, two)


@pytest.mark.parametrize("values, part", [(np.zeros((16, 16)), np.ones((16, 16), bool)),
                                          (np.zeros((16, 16, 1)), np.zeros((16, 16), bool)),
                                          (np.zeros((16, 16, 1)), np.ones((8, 8), bool))])
def test_ring_roughness_names_what_is_wrong_with_its_input(values, part):
    """A grey image without its channel axis, an empty part, a part of another shape: one
    clear error, not numpy's from inside."""
    from graphinpaint._frequency import ring_roughness

    with pytest.raises(ValueError, match="ring_roughness takes values of shape"):
        ring_roughness(values, np.ones((16, 16), bool), part)


def test_the_fill_made_ahead_knows_the_gate_is_on_when_it_starts(monkeypatch):
    """``_fill`` sets ``gate_frequency`` before it starts the kept fill in a thread: that
    thread reads it (to leave the detailed rings' components out), and a flag set after the
    start would leave the result to the threads' timing."""
    gates = []
    real = mixes.SmoothFills.prepare

    def spy(self, kind):
        if kind == "frequency":
            gates.append(self.gate_frequency)
        return real(self, kind)

    monkeypatch.setattr(mixes.SmoothFills, "prepare", spy)
    gi.inpaint(_radial_wave_of(1.0), centred_block(96, 40), channel_axis=None)
    assert gates == [True]


def _waves_beside_a_ramp():
    """Fine waves (a detailed ring) and a ramp (a smooth one), a 20-px block in each: the
    values (64, 128, 1), the hole and its block in the waves."""
    x = np.mgrid[:64, :128][1]
    values = np.where(x < 64, 0.5 + 0.3 * np.cos(1.0 * x), 0.2 + 0.004 * x)[..., None]
    hole = np.zeros((64, 128), bool)
    hole[22:42, 22:42] = hole[22:42, 86:106] = True
    return values, hole, hole & (x < 64)


def test_a_detailed_and_a_smooth_component_each_get_their_own_fill():
    """Fine waves (detailed ring) and a ramp (smooth ring) side by side, the gate open on the
    first only: the kept fill made ahead leaves the waves' block out, the gated fill takes it
    whole; no row stays NaN, and each block is the reference fill of its own."""
    from graphinpaint._frequency import frequency_fill

    values, hole, waves = _waves_beside_a_ramp()
    smooth = mixes.SmoothFills(values, hole)
    smooth.gate_frequency = True
    assert np.array_equal(smooth._detailed_rings(), waves[hole])
    smooth.match_spread = np.where(waves[hole], 0.01, 0.0)
    smooth.match_distance = np.full(np.count_nonzero(hole), 1.0)
    estimate = values.copy()
    estimate[hole] = 0.5
    fill, weights = smooth._gated(estimate, np.full(np.count_nonzero(hole), 0.5),
                                  np.ones(np.count_nonzero(hole), bool))
    assert np.isfinite(fill).all()
    gated = frequency_fill(estimate, waves, on_hole=True, profile=mixes.GATED_PROFILE,
                           unknown=np.zeros_like(hole))
    kept = frequency_fill(values, hole & ~waves, on_hole=True, profile=mixes.FREQUENCY_PROFILE,
                          unknown=waves)
    np.testing.assert_allclose(fill[waves[hole]], np.clip(gated, values[~hole].min(),
                                                          values[~hole].max()))
    np.testing.assert_allclose(fill[~waves[hole]], np.clip(kept, values[~hole].min(),
                                                           values[~hole].max()))
    np.testing.assert_allclose(weights, np.where(waves[hole], 1.0, 0.5))


def test_component_medians_of_components_given_are_those_labelled_here():
    hole = np.zeros((8, 8), bool)
    hole[1:3, 1:3] = hole[3, 3] = hole[5:7, 5:8] = True
    values = np.random.default_rng(0).random(hole.sum())
    np.testing.assert_array_equal(
        mixes.component_medians(hole, values, components=mixes.hole_components(hole)),
        mixes.component_medians(hole, values))


def test_the_gate_s_weights_are_the_spread_s_and_only_the_default_share_reaches_them():
    """``_gated`` sets an opened component's weights by its spread, whatever share came in
    (a shut one keeps them); that ignores no choice, because "frequency match" comes at
    ``MATCH_SHARE`` alone: the thick default, and no held-out candidate at another share."""
    from graphinpaint import pipeline, selection
    from graphinpaint.settings import Settings

    values, hole, waves = _waves_beside_a_ramp()
    waves = waves[hole]
    smooth = mixes.SmoothFills(values, hole)
    smooth.match_spread = np.where(waves, 0.01, 0.0)
    near = np.ones(len(waves), bool)
    weighed = [smooth._gated(values, np.full(len(waves), share), near)[1]
               for share in (0.5, 0.25)]
    np.testing.assert_array_equal(weighed[0][waves], weighed[1][waves])
    assert np.all(weighed[0][~waves] == 0.5) and np.all(weighed[1][~waves] == 0.25)

    default = pipeline._default_mix("layers", True, 3, None)
    assert default == ("frequency match", mixes.MATCH_SHARE)
    given = Settings(strategy="layers", window=31, bandwidth=0.1, grid_weight=1e-3,
                     smooth=default[0], smooth_share=default[1])
    for kinds in (selection.SMOOTH_KINDS, selection.THICK_SMOOTH_KINDS):
        assert [candidate for candidate in selection.smooth_candidates(given, kinds)
                if candidate.smooth == "frequency match"] == [given]
