"""Self-validation of thick holes (blocks, blotches): a cheap held-out problem, a high bar."""

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import graphinpaint as gi
from graphinpaint import (_region_fill, _thick_holes, _threads, fills, mixes, pipeline,
                          selection)
from test_compact_holes import _settings_used

N = 96


def _block(side, n=N, top=None):
    hole = np.zeros((n, n), bool)
    start = (n - side) // 2 if top is None else top
    hole[start:start + side, start:start + side] = True
    return hole


def _smooth_gradient():
    """A smooth radial gradient (no texture): the biharmonic fill is near exact on it."""
    yy, xx = np.mgrid[:N, :N] / N
    return 0.5 + 0.4 * np.cos(7 * np.hypot(xx - 0.4, yy - 0.5))


def _periodic_texture(period=8):
    tile = np.random.default_rng(5).random((period, period))
    return np.tile(tile, (N // period + 1, N // period + 1))[:N, :N]


def test_a_smooth_gradient_under_a_block_gets_the_smooth_fill(monkeypatch):
    """32-px block on a smooth gradient: the default picks a smooth fill over the whole hole
    and beats the plain graph fill (measured 33.7 against 21.4 dB; the margin asked is 8 dB)."""
    image, hole = _smooth_gradient(), _block(32)
    assert _thick_holes.is_thick(selection.stroke_width(hole), "layers")
    settings = _settings_used(monkeypatch, image, hole)
    assert settings.smooth in ("laplace", "biharmonic") and settings.smooth_share >= 0.5
    assert settings.rounds == _thick_holes.rounds_for("layers", True, False)   # its own rounds
    default = gi.inpaint(image, hole, channel_axis=None)
    plain = gi.inpaint(image, hole, channel_axis=None, self_validation=False)
    assert gi.metrics.psnr(image, default, hole) > gi.metrics.psnr(image, plain, hole) + 8


def test_a_periodic_texture_under_a_block_keeps_the_graph_fill(monkeypatch):
    """The same block on a periodic texture: no smooth fill over the hole. The held-out
    problem drops the boundary blend, which averages a blur into the texture's first two
    layers (measured 46.1 dB against 25.7 with it)."""
    image, hole = _periodic_texture(), _block(32)
    settings = _settings_used(monkeypatch, image, hole)
    assert settings.smooth in ("none", "boundary")
    default = gi.inpaint(image, hole, channel_axis=None)
    plain = gi.inpaint(image, hole, channel_axis=None, self_validation=False)
    assert gi.metrics.psnr(image, default, hole) >= gi.metrics.psnr(image, plain, hole)
    assert gi.metrics.psnr(image, default, hole) > 40


@pytest.mark.parametrize("hole", [_block(32), _block(12, top=5) | _block(20, top=60)],
                         ids=["one block", "two parts"])
def test_the_held_out_parts_are_halved_known_pixels_clear_of_the_hole(hole):
    case = _thick_holes.shrunk_beside(hole, margin=10)
    window_hole = hole[case.window]
    assert case.pixels.any() and np.array_equal(case.hole, case.pixels)
    assert np.array_equal(case.gaps, window_hole)
    # Truth is known there, and the gap keeps the held-out pixels off the real hole's edge.
    grown = gi.fills.layer_depths(~window_hole) <= _thick_holes.HELD_OUT_GAP
    assert not (case.pixels & grown).any()
    assert case.pixels.sum() <= hole.sum() / _thick_holes.HELD_OUT_SCALE ** 2 + 1


@pytest.mark.parametrize("margin", [4, 30])
def test_a_held_out_problem_regrown_is_the_one_cut_with_that_margin(margin):
    hole = _block(12, top=5) | _block(20, top=60)
    regrown = _thick_holes.regrown(_thick_holes.shrunk_beside(hole, 10), hole, margin)
    cut = _thick_holes.shrunk_beside(hole, margin)
    assert regrown.window == cut.window
    for field in ("hole", "pixels", "gaps"):
        np.testing.assert_array_equal(getattr(regrown, field), getattr(cut, field))


def test_no_room_beside_the_hole_means_no_held_out_problem():
    assert _thick_holes.shrunk_beside(np.ones((20, 20), bool) & ~_block(2, n=20), 5) is None


@pytest.mark.parametrize("given, more", [(None, (3,)), (3, ()), (1, ())],
                         ids=["default rounds", "rounds given", "one round given"])
def test_the_thick_choice_runs_one_round_and_the_layers_bar(monkeypatch, given, more):
    """The mixes are chosen after one round; with the default rounds the held-out fill runs
    them too, to choose between them and one; rounds the caller gives are kept."""
    seen = []
    original = selection.choose_settings
    monkeypatch.setattr(pipeline, "choose_settings",
                        lambda *a, **kw: (seen.append((a[2].rounds, kw["error_ratio"],
                                                       kw["case"], kw["rounds"],
                                                       kw["round_margin"])),
                                          original(*a, **kw))[1])
    gi.inpaint(_smooth_gradient(), _block(32), channel_axis=None, rounds=given)
    (rounds, ratio, case, tried, margin), = seen
    assert rounds == 1 and ratio == selection.LAYERS_MARGIN and case is not None
    assert tried == more
    assert margin == (_thick_holes.FEWER_ROUNDS_MARGIN if more else None)


def _flat_held_out():
    """A flat 40 x 40 image, a 10-px block held out of it (the whole window), and one round's
    settings with no smooth mix: the held-out problem of the rounds choice's tests."""
    image = np.full((40, 40, 1), 0.5)
    pixels = np.zeros((40, 40), bool)
    pixels[15:25, 15:25] = True
    case = selection.HeldOut((slice(0, 40), slice(0, 40)), pixels, pixels,
                             np.zeros_like(pixels))
    settings = gi.settings.Settings(strategy="layers", window=15, bandwidth=0.1,
                                    grid_weight=0.1, rounds=1, smooth="none", smooth_share=0.0)
    return image, pixels, case, settings


def _drifting_fill(truth, errors):
    """A graph fill whose estimate after round r lies ``errors[r - 1]`` above ``truth`` on the
    hole (the rounds carrying a structure on, or settling)."""
    def fill(values, hole, settings, *, smooth, each_round=None, **_):
        for count in range(1, settings.rounds + 1):
            estimate = values.copy()
            estimate[hole] = truth + errors[count - 1]
            smooth.match_distance = np.zeros(np.count_nonzero(hole))
            if each_round is not None:
                each_round(estimate)
        return estimate
    return fill


@pytest.mark.parametrize("errors, chosen", [
    ((0.02, 0.03, 0.04), 1),           # the rounds drift: error ratio 0.25
    ((0.036, 0.037, 0.04), 3),         # 0.81: above the bar
    ((0.04, 0.03, 0.02), 3),           # the rounds settle
], ids=["drifting", "near the bar", "settling"])
def test_one_round_replaces_the_rounds_only_by_the_margin(errors, chosen):
    """``round_margin``: one round replaces three where the given mix's held-out error after it
    is FEWER_ROUNDS_MARGIN of theirs or less; the mix stays the one chosen after one round."""
    image, pixels, case, settings = _flat_held_out()
    best, _ = selection.choose_settings(
        lambda window: image[window], pixels, settings, _drifting_fill(0.5, errors),
        scattered=False, margin=5, rng=np.random.default_rng(0),
        error_ratio=selection.LAYERS_MARGIN, case=case, rounds=(3,),
        round_margin=_thick_holes.FEWER_ROUNDS_MARGIN)
    assert best.rounds == chosen
    # On a flat image every smooth fill is exact: the mix is chosen as after one round.
    assert best.smooth in ("laplace", "biharmonic", "frequency")


def test_each_round_count_s_mixes_read_that_round_s_match_distances(monkeypatch):
    """A held-out run of three rounds scores the mixes after one with the first round's match
    distances (the match mixes read them), not the last round's."""
    image, pixels, case, settings = _flat_held_out()

    def fill(values, hole, settings, *, smooth, each_round=None, **_):
        for count in range(1, settings.rounds + 1):
            smooth.match_distance = np.full(np.count_nonzero(hole), float(count))
            if each_round is not None:
                each_round(values.copy())
        return values.copy()

    seen = set()
    real_mix = selection.mix_smooth
    monkeypatch.setattr(selection, "mix_smooth", lambda estimate, hole, candidate, smooth: (
        seen.add((candidate.rounds, float(smooth.match_distance[0])))
        or real_mix(estimate, hole, candidate, smooth)))
    selection.choose_settings(lambda window: image[window], pixels, settings, fill,
                              scattered=False, margin=5, rng=np.random.default_rng(0),
                              case=case, rounds=(3,), round_margin=0.75)
    assert seen == {(1, 1.0), (3, 3.0)}


def _rocket_blotches():
    """Rocket's blotches from the compare benchmark (benchmarks/cases.py)."""
    from _optional import require

    require("skimage", reason="scikit-image (the test extra) is not installed")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    try:
        from cases import wide_cases
    finally:
        sys.path.pop(0)
    return next((image, hole) for name, kind, image, hole in wide_cases()
                if (name, kind) == ("rocket", "blotches"))


def test_rocket_s_blotches_take_one_round_where_three_carry_a_pole_into_the_sky():
    """The held-out fill beside rocket's blotches errs less after one round than after three
    (0.67 of the error): the default takes one, with the three rounds' k matches (measured
    40.11 dB against 36.95 with three; one round given takes 2 k: 36.61)."""
    image, hole = _rocket_blotches()
    default = gi.metrics.psnr(image, gi.inpaint(image, hole), hole)
    three = gi.metrics.psnr(image, gi.inpaint(image, hole, rounds=3), hole)
    assert default > 39.5 and default > three + 2.5


def test_one_round_chosen_beside_the_fill_is_the_one_chosen_before(monkeypatch):
    """Beside the held-out fill the real one runs its three rounds and keeps the first's
    estimate and match distances: the same result to the bit as one round chosen first."""
    image, hole = _rocket_blotches()
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: True)
    beside = gi.inpaint(image, hole)
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: False)
    np.testing.assert_array_equal(beside, gi.inpaint(image, hole))


@pytest.mark.parametrize("given, watched", [(None, True), (3, False)],
                         ids=["default rounds", "rounds given"])
def test_only_rounds_being_chosen_keep_the_first_round_aside(monkeypatch, given, watched):
    """Beside the choice, the real fill watches its rounds (and keeps a copy of the first's
    estimate) only where the choice may stop them; rounds given (``inpaint_large``'s tiles
    among them) are not watched."""
    seen = []
    real = _region_fill._graph_fill

    def spy(values, hole, settings, *args, each_round=None, **kwargs):
        if kwargs.get("own_values"):                # the real fill, not the held-out one
            seen.append(each_round is not None)
        return real(values, hole, settings, *args, each_round=each_round, **kwargs)

    monkeypatch.setattr(_region_fill, "_graph_fill", spy)
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: True)
    gi.inpaint(_smooth_gradient(), _block(24), channel_axis=None, rounds=given)
    assert seen == [watched]


def test_block_cg_returns_zero_for_a_zero_right_hand_side():
    """A held-out window beside a block on a flat black ground gave the boundary blend's
    biharmonic problem b = 0 and a start of rounding-level values: CG ran to maxiter and
    warned. SciPy's cg returns x = 0 at once; so does the block Jacobi-CG now."""
    matrix = gi.operators.laplacian(gi.graph.grid_graph((6, 6)).matrix) + sp.identity(36)
    solver = gi.solvers.make_solver(matrix.tocsr(), method="cg", rtol=1e-4)
    b = np.zeros((36, 2))
    b[:, 1] = 1.0
    start = np.full((36, 2), 1e-12)
    result = solver.solve(b, x0=start)
    assert result.success and np.array_equal(result.x[:, 0], np.zeros(36))


def test_a_block_beside_a_flat_black_ground_fills_without_warnings():
    n = 64
    yy, xx = np.mgrid[:n, :n]
    image = np.where(np.abs(xx - 31.5) < 3, 0.8, 0.2)           # a bar on a flat ground
    out = gi.inpaint(image, _block(20, n=n), channel_axis=None)
    assert np.isfinite(out).all()


def _windows_used(monkeypatch, hole, **options):
    """The search windows of the held-out fill and of the real fill, and the held-out
    problem's window; neither fill is run (a deep hole's fills take seconds)."""
    seen = {}

    def choose(values_of, hole, settings, fill, **kwargs):
        seen.update(held_out=settings.window, case=kwargs["case"], margin=kwargs["margin"],
                    held_out_settings=settings)
        return settings, None

    monkeypatch.setattr(pipeline, "choose_settings", choose)
    def fill(values, hole, settings, *args, mix_choice=None, **kwargs):
        if mix_choice is not None:          # chosen beside the fill: waited for by it
            fills._done(mix_choice)
        seen.update(real=settings.window, real_settings=settings)
        return values

    monkeypatch.setattr(pipeline, "_fill", fill)
    image = np.tile(np.linspace(0, 1, 200), (200, 1))
    gi.inpaint(image, hole, channel_axis=None, **options)
    return seen


def test_a_deep_hole_s_held_out_fill_gets_the_window_of_its_own_depth(monkeypatch):
    """A 70-px block is 35 px deep (past DEEPEST_REFINED): the real fill searches DEEP_WINDOW;
    its halved held-out part is 18 deep and gets the layers' window of 31, and a held-out
    problem cut with the reach of that window, not of the real one's."""
    hole = _block(70, n=200)
    assert _thick_holes.deepest(hole) > _thick_holes.DEEPEST_REFINED
    seen = _windows_used(monkeypatch, hole)
    assert seen["real"] == _thick_holes.DEEP_WINDOW
    assert seen["held_out"] == pipeline._STRATEGY_DEFAULTS["layers"]["window"]
    wide = pipeline._reach(_thick_holes.deepest(hole), _thick_holes.DEEP_WINDOW, 1.0, 11, "layers")
    assert seen["margin"] < wide
    assert seen["case"].window == _thick_holes.shrunk_beside(hole, seen["margin"]).window


@pytest.mark.parametrize("side, deep", [(70, True), (40, False)])
def test_a_deep_hole_s_held_out_fill_takes_its_depth_rules_halved(monkeypatch, side, deep):
    """The halved parts of a deep hole (70-px block, 35 deep) are matched with patches of
    HELD_OUT_PATCH and seeded from half the real fill's layer; a shallow hole's (40-px block)
    keep the real fill's patch and no seeding."""
    seen = _windows_used(monkeypatch, _block(side, n=200))
    held, real = seen["held_out_settings"], seen["real_settings"]
    assert real.patch_size == _thick_holes.patch_for(True) > _thick_holes.HELD_OUT_PATCH
    if deep:
        assert real.seeded_from == _thick_holes.SEEDED_FROM
        assert held.patch_size == _thick_holes.HELD_OUT_PATCH
        assert held.seeded_from == _thick_holes.SEEDED_FROM // _thick_holes.HELD_OUT_SCALE
        assert held.checkered_from == real.checkered_from
    else:
        assert (held.patch_size, held.seeded_from) == (real.patch_size, real.seeded_from) \
            == (_thick_holes.patch_for(True), None)


def test_a_smooth_gradient_under_a_deep_block_still_gets_the_smooth_fill(monkeypatch):
    """The cheaper held-out fill of a deep hole still ranks the mixes: under a 70-px block (35
    deep) a smooth gradient takes the whole biharmonic fill and gains over the default."""
    n = 150
    yy, xx = np.mgrid[:n, :n] / n
    image = 0.5 + 0.4 * np.cos(7 * np.hypot(xx - 0.4, yy - 0.5))
    hole = _block(70, n=n)
    assert _thick_holes.deepest(hole) > _thick_holes.DEEPEST_REFINED
    chosen = []
    monkeypatch.setattr(pipeline, "_self_validate_thick", lambda *args, real=pipeline.
                        _self_validate_thick, **kwargs: chosen.append(real(*args, **kwargs))
                        or chosen[-1])
    validated = gi.inpaint(image, hole, channel_axis=None)
    assert [(s.smooth, s.smooth_share) for s in chosen] == [("biharmonic", 1.0)]
    plain = gi.inpaint(image, hole, channel_axis=None, self_validation=False)
    assert gi.metrics.psnr(image, validated, hole) > gi.metrics.psnr(image, plain, hole) + 5


def test_a_window_the_caller_chose_is_the_held_out_fill_s_too(monkeypatch):
    seen = _windows_used(monkeypatch, _block(70, n=200), window=41)
    assert seen["real"] == seen["held_out"] == 41


def test_choosing_the_mix_beside_the_fill_gives_the_same_result(monkeypatch):
    """The held-out fill runs in a thread beside the real one where numba allows it: the same
    result to the bit as one after the other (it picks a smooth fill here, so the choice
    matters)."""
    image, hole = _smooth_gradient(), _block(32)
    gi.inpaint(image, hole, channel_axis=None)          # a kernel has run: a layer is chosen
    threads = []
    real = _threads._in_background
    monkeypatch.setattr(_threads, "_in_background",
                        lambda *args: threads.append(1) or real(*args))
    beside = gi.inpaint(image, hole, channel_axis=None)
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: False)
    after = gi.inpaint(image, hole, channel_axis=None)
    assert threads == ([1] if _threads._numba_threading_layer() in ("omp", "tbb") else [])
    np.testing.assert_array_equal(beside, after)


def test_the_held_out_thread_runs_numba_on_the_caller_s_thread_count(monkeypatch):
    """numba's thread count is per thread: ``graphinpaint batch`` sets 1 on each worker's task,
    and the held-out fill beside the real one must keep it (a new thread takes every core)."""
    import numba

    if numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("one numba thread at most: the counts cannot differ")
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: True)
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        used = _threads._beside(numba.get_num_threads)
        assert fills._done(used) == 1
    finally:
        numba.set_num_threads(previous)


def test_a_mix_chosen_before_the_fill_is_the_only_one_prepared(monkeypatch):
    """Where the held-out fill runs before the real one (numba's layer not threadsafe), the
    real fill prepares the chosen mix, not the default's frequency fill (it picks a
    biharmonic one here): the held-out hole's frequency fill is the only one made."""
    image, hole = _smooth_gradient(), _block(32)
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: False)
    sizes = []
    real = mixes.frequency_fill
    monkeypatch.setattr(mixes, "frequency_fill", lambda values, held, **options: (
        sizes.append(int(held.sum())) or real(values, held, **options)))
    assert _settings_used(monkeypatch, image, hole).smooth == "biharmonic"
    assert int(hole.sum()) not in sizes and len(sizes) == 1


def test_a_fresh_process_s_first_call_fills_beside_where_numba_allows_it():
    """numba chooses its threading layer when its threads are launched: the check launches
    them, so that a process's first thick hole (the ``graphinpaint`` command's) is not left
    sequential for want of a kernel run before it."""
    import subprocess
    import sys

    code = ("from graphinpaint import _threads; print(_threads._threadsafe_kernels(), "
            "_threads._numba_threading_layer())")
    safe, layer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout.split()
    assert layer != "None"
    assert safe == str(layer in ("omp", "tbb"))


def test_a_fill_prepared_for_a_mix_not_chosen_is_done_when_inpaint_returns(monkeypatch):
    """Beside the held-out fill the real one prepares the default mix's frequency fill; where
    the choice is another mix (a biharmonic one here) that fill goes unread, and it must not
    run on after the call (it took a core from the caller's next work)."""
    import time

    image, hole = _smooth_gradient(), _block(32)
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: True)
    finished = []
    real = mixes.frequency_fill

    def slow(values, fill_hole, **options):
        time.sleep(0.5)
        result = real(values, fill_hole, **options)
        finished.append(int(fill_hole.sum()))
        return result

    monkeypatch.setattr(mixes, "frequency_fill", slow)
    assert _settings_used(monkeypatch, image, hole).smooth == "biharmonic"
    assert int(hole.sum()) in finished


def _held_out_and_real_errors(image, hole, settings, counts):
    """The held-out score of ``settings`` after each of ``counts`` rounds, the held-out hole
    being ``hole`` itself, and the real fill's error on it (``_region_fill._fill``)."""
    values = image[..., None]
    case = selection.HeldOut((slice(None), slice(None)), hole, hole, np.zeros_like(hole))
    _, errors = selection.choose_settings(
        lambda window: values[window], hole, settings.replace(rounds=counts[0]),
        _region_fill._graph_fill, scattered=False, margin=0, rng=np.random.default_rng(0),
        error_ratio=selection.LAYERS_MARGIN, case=case, rounds=counts[1:],
        round_margin=_thick_holes.FEWER_ROUNDS_MARGIN if counts[1:] else None)
    scores = dict(errors)
    held, real = [], []
    for count in counts:
        given = settings.replace(rounds=count)
        held.append(scores[given])
        filled = _region_fill._fill(np.where(hole[..., None], 0.0, values), hole, given)
        real.append(float(np.mean((filled[hole] - values[hole]) ** 2)))
    return held, real


def _ungated(monkeypatch):
    """Fills whose frequency mix is never gated (``gate_frequency`` stays False)."""
    monkeypatch.setattr(mixes.SmoothFills, "gate_frequency",
                        property(lambda self: False, lambda self, value: None), raising=False)


_THICK_DEFAULT = gi.settings.Settings(
    strategy="layers", patch_size=11, k=5, window=31, bandwidth=0.1, grid_weight=1e-3,
    rounds=1, refine_k=5, smooth="frequency match", smooth_share=mixes.MATCH_SHARE)


@pytest.mark.parametrize("counts", [(1,), (1, 3)], ids=["one round", "one and three"])
def test_the_held_out_score_of_the_default_mix_is_the_real_fill_s_error_where_the_gate_is_shut(
        counts):
    """A 24-px block on a periodic texture (matches that copy one another: the spread gate
    stays shut), held out as itself: the held-out score of the thick default ("frequency
    match") after each round count is the real fill's error on the same hole."""
    held, real = _held_out_and_real_errors(_periodic_texture(), _block(24), _THICK_DEFAULT,
                                           counts)
    np.testing.assert_allclose(held, real, rtol=1e-12)


@pytest.mark.parametrize("counts", [(1,), (1, 3)], ids=["one round", "one and three"])
def test_the_held_out_score_of_the_default_mix_is_ungated(monkeypatch, counts):
    """The same on rings whose matches disagree (the gate opens): the held-out fill scores the
    default mix ungated (mixes.py, "The held-out choice scores ... ungated"), so its score is
    the error of the real fill with the gate shut, and not the real fill's."""
    yy, xx = np.mgrid[:N, :N]
    image, hole = 0.5 + 0.4 * np.cos(np.hypot(xx - 30, yy - 70)), _block(24)
    held, real = _held_out_and_real_errors(image, hole, _THICK_DEFAULT, counts)
    assert all(abs(a - b) > 1e-3 * b for a, b in zip(held, real))
    _ungated(monkeypatch)
    _, ungated = _held_out_and_real_errors(image, hole, _THICK_DEFAULT, counts)
    np.testing.assert_allclose(held, ungated, rtol=1e-12)
