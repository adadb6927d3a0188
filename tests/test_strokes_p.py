"""Thin strokes' refinement rounds at p = 3 where their matches are not mostly exact
(docs/pipeline.md, "Issue 13: p = 3 for strokes, by match exactness")."""

from pathlib import Path

import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint import _region_fill, _stages, _thick_holes
from test_strokes import _text

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


def _cartoon(n=96):
    """Flat colour regions with dark outlines: sky, a hill, a sun, a house."""
    ink = (30, 25, 20)
    image = np.empty((n, n, 3), np.uint8)
    image[:] = (120, 190, 240)
    yy, xx = np.mgrid[:n, :n]
    image[yy > 60] = (90, 170, 70)
    image[59:62] = ink
    image[np.hypot(yy - 30, xx - 65) < 15] = (250, 210, 40)
    image[np.abs(np.hypot(yy - 30, xx - 65) - 15) < 1.5] = ink
    image[20:55, 10:40] = (220, 80, 60)
    image[20:55, 10:13] = image[20:55, 37:40] = image[20:23, 10:40] = image[52:55, 10:40] = ink
    return image


@pytest.fixture(scope="module")
def brick():
    return gi.io.read_image(DATA / "brick.png")[:96, :96]


@pytest.fixture
def rule(monkeypatch):
    """Set the rule: "off" (every solve at p = 2), "always" (p = 3 whatever the matches)."""
    size, share = _thick_holes.STROKES_INEXACT_BELOW, _stages.EXACT_SHARE

    def set_rule(kind):
        monkeypatch.setattr(_thick_holes, "STROKES_INEXACT_BELOW", 0 if kind == "off" else size)
        # No share of exact matches reaches 2: every round is inexact.
        monkeypatch.setattr(_stages, "EXACT_SHARE", 2.0 if kind == "always" else share)
    return set_rule


def test_exact_matches_is_the_share_of_pixels_below_the_distance():
    distance = np.array([0.0, 5e-4, 2e-3, 0.05, 0.1, 0.2, 0.01, 0.3, 0.4, 0.02])
    assert not _stages.exact_matches(distance)              # 2 of 10 below 1e-3: 0.2 < 0.3
    distance[2] = 9e-4
    assert _stages.exact_matches(distance)                  # 3 of 10: the share is reached
    assert not _stages.exact_matches(distance + 1e-3)       # none below


def test_round_solves_decide_once_on_the_first_round():
    p2, p3 = {"p": 2.0}, {"p": 3.0}
    exact, inexact = np.zeros(10), np.full(10, 0.05)
    first_inexact = _stages.RoundSolves(p2, p3)
    assert [first_inexact(d) for d in (inexact, exact)] == [p3, p3]
    first_exact = _stages.RoundSolves(p2, p3)
    assert [first_exact(d) for d in (exact, inexact)] == [p2, p2]
    assert _stages.RoundSolves(p2)(inexact) == p2               # no inexact p: always p


def test_only_thin_strokes_at_p_2_below_2048_squared_take_p_3():
    for pixels in (100, 511 * 512, 512 * 512, 1024 * 1024, 2048 * 2048 - 1):
        assert _thick_holes.inexact_p_for("layers", False, 2.0, "anisotropic", pixels) == 3.0
    assert _thick_holes.inexact_p_for("layers", False, 2.0, "anisotropic", 2048 ** 2) is None
    assert _thick_holes.inexact_p_for("layers", True, 2.0, "anisotropic", 100) is None  # thick
    assert _thick_holes.inexact_p_for("global", False, 2.0, "anisotropic", 100) is None
    assert _thick_holes.inexact_p_for("layers", False, 1.5, "anisotropic", 100) is None
    assert _thick_holes.inexact_p_for("layers", False, 2.0, "isotropic", 100) is None


def test_from_512_squared_up_the_p_3_rounds_take_one_newton_step():
    assert _thick_holes.inexact_steps_for(511 * 512) is None           # to convergence
    assert _thick_holes.inexact_steps_for(512 * 512) == 1
    assert _thick_holes.inexact_steps_for(4096 * 4096) == 1


def _rounds_p(monkeypatch, image, hole, **options):
    """The p of each refinement round's solve in ``inpaint(image, hole, **options)``."""
    seen = []

    class Recording(_stages.RoundSolves):
        def __call__(self, distance):
            options = super().__call__(distance)
            seen.append(options.get("p", 2.0))
            return options

    monkeypatch.setattr(_region_fill, "RoundSolves", Recording)
    gi.inpaint(image, hole, channel_axis=-1 if image.ndim == 3 else None,
               self_validation=False, **options)
    return seen


def test_texture_s_rounds_take_p_3_and_flat_colour_s_p_2(monkeypatch, brick):
    assert _rounds_p(monkeypatch, brick, _text(96)) == [3.0, 3.0]
    assert _rounds_p(monkeypatch, _cartoon(), _text(96)) == [2.0, 2.0]


def test_a_p_given_is_used_in_every_round(monkeypatch, brick):
    """The rule is the default's (p=None): a researcher's p = 2 stays 2, and 3 stays 3."""
    assert _rounds_p(monkeypatch, brick, _text(96), p=2) == [2.0, 2.0]
    assert _rounds_p(monkeypatch, brick, _text(96), p=3) == [3.0, 3.0]


def test_where_the_rule_fires_it_is_the_rounds_at_p_3_and_gains(rule, brick):
    """Brick under text: the rule's result is the rounds at p = 3, measured 35.96 dB against
    35.77 for every solve at p = 2."""
    hole = _text(96)
    default = gi.inpaint(brick, hole, channel_axis=None)
    rule("always")
    always = gi.inpaint(brick, hole, channel_axis=None)
    rule("off")
    off = gi.inpaint(brick, hole, channel_axis=None)
    np.testing.assert_array_equal(default, always)
    assert gi.metrics.psnr(brick, default, hole) > gi.metrics.psnr(brick, off, hole) + 0.1


def test_where_the_matches_are_exact_the_rule_keeps_p_2(rule):
    """The cartoon under text: p = 2 as before; p = 3 would lose (measured 26.24 dB against
    27.23)."""
    image, hole = _cartoon(), _text(96)
    default = gi.inpaint(image, hole)
    rule("off")
    off = gi.inpaint(image, hole)
    rule("always")
    always = gi.inpaint(image, hole)
    np.testing.assert_array_equal(default, off)
    assert gi.metrics.psnr(image, always, hole) < gi.metrics.psnr(image, default, hole) - 0.5


def _newton_steps(monkeypatch):
    """The Newton steps of each p != 2 solve of the pipeline, recorded into a list."""
    steps = []
    solve = _stages.solve_dirichlet

    def recording(*args, **kwargs):
        if kwargs.get("p", 2.0) == 2:
            return solve(*args, **kwargs)
        result = solve(*args, return_result=True, **kwargs)
        steps.append(result.nit)
        return result.x

    monkeypatch.setattr(_stages, "solve_dirichlet", recording)
    return steps


def test_a_large_image_s_p_3_rounds_take_one_newton_step_and_gain(monkeypatch, rule, brick):
    """Brick under text as if it were 512^2 or larger: every p = 3 solve is one Newton step
    from the p = 2 solution, not converged (their result differs from the converged one's),
    and still gains over p = 2 (measured 36.07 dB, converged 35.96, p = 2 35.77)."""
    hole = _text(96)
    steps = _newton_steps(monkeypatch)
    converged = gi.inpaint(brick, hole, channel_axis=None)
    assert steps and max(steps) > 1
    steps.clear()
    monkeypatch.setattr(_thick_holes, "STROKES_TRUNCATED_FROM", 96 * 96)
    one_step = gi.inpaint(brick, hole, channel_axis=None)
    assert steps and set(steps) == {1}
    rule("off")
    off = gi.inpaint(brick, hole, channel_axis=None)
    assert np.any(one_step != converged)
    assert gi.metrics.psnr(brick, one_step, hole) > gi.metrics.psnr(brick, off, hole) + 0.1


def test_the_tiles_of_inpaint_large_truncate_as_the_whole_image(monkeypatch, brick):
    """inpaint_large gives its tiles the whole image's size: they take p = 3 in one Newton
    step where the whole image would, and to convergence where it would not."""
    from _optional import require

    require("dask.array")
    from graphinpaint import large, pipeline

    seen = []
    fill = pipeline._fill

    def recording(values, hole, settings, *args, **kwargs):
        seen.append((settings.inexact_p, settings.inexact_steps))
        return fill(values, hole, settings, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_fill", recording)
    monkeypatch.setattr(_thick_holes, "STROKES_TRUNCATED_FROM", 96 * 96)    # brick's 96^2
    large.inpaint_large(brick, _text(96), tile=48, scheduler="synchronous")
    assert seen and set(seen) == {(3.0, 1)}                 # tiles of 48^2 + halo: the image's
    seen.clear()
    monkeypatch.setattr(_thick_holes, "STROKES_TRUNCATED_FROM", 96 * 96 + 1)
    large.inpaint_large(brick, _text(96), tile=48, scheduler="synchronous")
    assert seen and set(seen) == {(3.0, None)}


def test_the_p_3_rounds_solve_newton_s_steps_by_cg(monkeypatch, brick):
    """As the strokes' p = 2 rounds, not by the factorisation "auto" picks for their
    systems (0.29 against 0.10 s of nonlinear solves at 512^2)."""
    from graphinpaint.solvers import nonlinear

    methods = []
    solver = nonlinear.LinearSolver

    def recording(matrix, method, *args, **kwargs):
        methods.append(method)
        return solver(matrix, method, *args, **kwargs)

    monkeypatch.setattr(nonlinear, "LinearSolver", recording)
    gi.inpaint(brick, _text(96), channel_axis=None, self_validation=False)
    assert methods and set(methods) == {"cg"}
    methods.clear()
    gi.inpaint(brick, _text(96), channel_axis=None, self_validation=False, method="direct")
    assert methods and set(methods) == {"direct"}          # a method given is kept
