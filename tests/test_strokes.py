"""Thin strokes (scratches, text): the defaults of the layers strategy on holes that are not
thick (docs/pipeline.md, "Issue 13: strokes")."""

import numpy as np

import graphinpaint as gi
from graphinpaint import _thick_holes, pipeline


def _grating(n=64):
    """A periodic texture: a slanted sine grating times a vertical one."""
    yy, xx = np.mgrid[:n, :n]
    return 0.5 + 0.35 * np.sin(2 * np.pi * (xx + 0.5 * yy) / 9) * np.cos(2 * np.pi * yy / 13)


def _text(n=64):
    """Letter-like strokes 2 px wide in rows: a stem, a bar and a diagonal each."""
    hole = np.zeros((n, n), bool)
    for top in range(8, n - 16, 22):
        for left in range(6, n - 12, 14):
            hole[top:top + 12, left:left + 2] = True
            hole[top + 5:top + 7, left:left + 8] = True
            for i in range(12):
                hole[top + i, left + 8 - i // 2:left + 10 - i // 2] = True
    return hole


def test_text_over_a_periodic_texture_beats_the_previous_stroke_settings():
    """Three matches and two rounds, the second on the first's estimate, continue the
    grating: measured 34.25 dB against 33.05 dB for five matches and one round."""
    image, hole = _grating(), _text()
    assert not gi.fills.is_scattered(hole)              # filled by layers, as strokes
    default = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None), hole)
    previous = gi.metrics.psnr(image, gi.inpaint(image, hole, channel_axis=None, k=5, rounds=1),
                               hole)
    assert default > previous + 0.8


def test_strokes_take_three_matches_and_two_rounds_other_holes_keep_theirs():
    assert (_thick_holes.k_for("layers", False), _thick_holes.rounds_for("layers", False, False)) \
        == (3, 2)
    assert (_thick_holes.k_for("layers", True), _thick_holes.rounds_for("layers", True, False)) \
        == (5, 3)                                           # blocks, blotches
    assert (_thick_holes.k_for("global", False), _thick_holes.rounds_for("global", False, False)) \
        == (5, 1)                                           # scattered loss


def test_the_caller_s_k_and_rounds_win(monkeypatch):
    seen = []

    def spy(values, hole, settings, progress=None, **stages):
        seen.append(settings)
        return values

    monkeypatch.setattr(pipeline, "_fill", spy)
    image, hole = _grating(), _text()
    gi.inpaint(image, hole, channel_axis=None, self_validation=False)
    gi.inpaint(image, hole, channel_axis=None, self_validation=False, k=4, rounds=1)
    assert [(s.k, s.rounds, s.refinement_k) for s in seen] == [(3, 2, 6), (4, 1, 8)]


def test_inpaint_large_resolves_the_strokes_defaults_from_the_whole_mask():
    from _optional import require

    require("dask.array")
    from graphinpaint import large

    hole = large._as_dask(_text(96), "mask", 48)
    options = large._resolved_options(hole, {}, 48, "threads", lambda: 1)
    assert (options["k"], options["rounds"], options["window"]) == (3, 2, 31)
    assert large._resolved_options(hole, {"k": 5}, 48, "threads", lambda: 1)["k"] == 5
    # Scattered loss leaves k to each tile's inpaint, which chooses with 5 and fills with 3.
    scattered = np.random.default_rng(0).random((96, 96)) < 0.5
    options = large._resolved_options(large._as_dask(scattered, "mask", 48), {}, 48, "threads",
                                      lambda: 1)
    assert options["strategy"] == "global" and options.get("k") is None


def test_the_command_batch_and_web_form_leave_k_and_rounds_to_inpaint():
    """No front may fix k = 5 or one round: that would undo the strokes' defaults for its users
    (the main command's own test is on scattered loss, where k is 5 either way)."""
    from graphinpaint import batch, cli
    from graphinpaint.web.handling import DEFAULT_OPTIONS, parse_options

    args = cli._parser().parse_args(["photo.png", "mask.png"])
    assert (args.k, args.rounds) == (None, None)
    assert batch._inpaint_options(batch._parser().parse_args(["x", "-o", "y"]))["k"] is None
    assert DEFAULT_OPTIONS["k"]["default"] is None and "k" not in parse_options({"k": ""})
