"""solve_dirichlet(form="game"): the game-theoretic p-Laplacian against known answers.

Convention (graphlearning's code, ``plaplace(fast=True)``): at an unknown node,
``f = mean / (p-1) + (1 - 1/(p-1)) midrange`` of its neighbours.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from graphinpaint import InpaintError, operators, solve_dirichlet
from test_solvers import _path, _star


def _random_problem(seed, n=30, share=0.3, channels=None):
    """A connected random graph, a random known set (node 0 among it) and random values."""
    rng = np.random.default_rng(seed)
    upper = sp.triu(sp.random(n, n, density=0.2, random_state=rng, data_rvs=rng.random), 1)
    upper = upper + sp.diags(np.full(n - 1, 0.5), 1, shape=(n, n))
    known = rng.random(n) < share
    known[0] = True
    values = rng.normal(size=n if channels is None else (n, channels))
    return sp.csr_matrix(upper + upper.T), known, values


@pytest.mark.parametrize("p", [2.0, 2.5, 3.0, 10.0, np.inf])
def test_path_graph_gives_a_straight_line_for_every_p(p):
    known = np.zeros(9, dtype=bool)
    known[[0, 8]] = True
    values = np.where(known, [1.0, 0, 0, 0, 0, 0, 0, 0, 5.0], np.nan)
    out = solve_dirichlet(_path(9), known, values, p=p, form="game", rtol=1e-12)
    np.testing.assert_allclose(out, np.linspace(1, 5, 9), atol=1e-9)


@pytest.mark.parametrize("p", [2.5, 3.0, 5.0, 10.0, np.inf])
def test_star_centre_mixes_the_mean_and_the_midrange_of_its_leaves(p):
    # Unit weights: the numbers graphlearning's plaplace gives (2.25 at p = 3).
    leaves = np.array([np.nan, 0.0, 1.0, 5.0])
    known = np.array([False, True, True, True])
    theta = 0.0 if np.isinf(p) else 1 / (p - 1)
    centre = solve_dirichlet(_star([1.0, 1.0, 1.0]), known, leaves, p=p, form="game",
                             rtol=1e-12)[0]
    assert centre == pytest.approx(theta * 2.0 + (1 - theta) * 2.5, abs=1e-9)


def test_weighted_star_uses_the_weighted_mean_and_the_weighted_midrange():
    # Weights 1, 4, 16: mean (0 + 4 + 80) / 21 = 4. Scales sqrt(w) = 1, 2, 4: the midrange
    # balances 2 |1 - x| and 4 |5 - x| at x = 11/3. At p = 3 the centre is their average.
    leaves = np.array([np.nan, 0.0, 1.0, 5.0])
    known = np.array([False, True, True, True])
    centre = solve_dirichlet(_star([1.0, 4.0, 16.0]), known, leaves, p=3, form="game",
                             rtol=1e-12)[0]
    assert centre == pytest.approx((4 + 11 / 3) / 2, abs=1e-9)


def test_at_p2_it_is_the_variational_solution():
    W, known, values = _random_problem(1)
    variational = solve_dirichlet(W, known, values, p=2.0, rtol=1e-12)
    np.testing.assert_allclose(solve_dirichlet(W, known, values, p=2.0, form="game"),
                               variational, atol=1e-9)
    # Just above 2 the sweeps run (theta = 1/(p-1) < 1) and land next to it.
    near = solve_dirichlet(W, known, values, p=2.0 + 1e-6, form="game", rtol=1e-12)
    np.testing.assert_allclose(near, variational, atol=1e-5)


def test_at_infinity_it_is_the_variational_infinity_solution():
    W, known, values = _random_problem(2)
    np.testing.assert_allclose(
        solve_dirichlet(W, known, values, p=np.inf, form="game", rtol=1e-12),
        solve_dirichlet(W, known, values, p=np.inf, rtol=1e-12), atol=1e-9)


@pytest.mark.parametrize("p", [3.0, 6.0])
def test_solution_zeroes_the_operator_and_obeys_the_maximum_principle(p):
    W, known, values = _random_problem(3, n=40, share=0.25, channels=2)
    before = values.copy()
    result = solve_dirichlet(W, known, values, p=p, form="game", rtol=1e-12,
                             return_result=True)
    np.testing.assert_array_equal(values, before)                  # input untouched
    assert result.success and np.isnan(result.energy)
    np.testing.assert_allclose(result.x[known], values[known])
    residual = operators.game_p_laplacian(W, result.x, p)[~known]
    assert np.abs(residual).max() < 1e-9 and result.residual < 1e-9
    assert result.x.min() >= values[known].min() - 1e-12
    assert result.x.max() <= values[known].max() + 1e-12
    # A warm start from the answer stops at once.
    again = solve_dirichlet(W, known, values, p=p, form="game", x0=result.x, rtol=1e-9,
                            return_result=True)
    assert again.nit == 1


def test_p_below_2_is_refused_with_the_parameter_named():
    known = np.array([True, False, True])
    with pytest.raises(InpaintError, match=r"'p' parameter .* \[2, inf\] with form='game'"):
        solve_dirichlet(_path(3), known, np.array([0.0, 0.0, 1.0]), p=1.5, form="game")


def test_inpaint_with_the_game_form_restores_a_smooth_image():
    from graphinpaint import inpaint
    from graphinpaint.metrics import psnr
    y, x = np.mgrid[:48, :48] / 48
    image = 0.3 + 0.3 * np.sin(3 * x) * np.cos(2 * y) + 0.2 * x
    hole = np.zeros((48, 48), bool)
    hole[20:26, 8:40] = True
    game = inpaint(image, hole, p=3.0, form="game")
    np.testing.assert_array_equal(game[~hole], image[~hole])
    assert psnr(image, game, hole) > 45          # 55.9 dB measured (p = 2: 54.0)
    with pytest.raises(InpaintError, match="'p' parameter of inpaint"):
        inpaint(image, hole, p=1.5, form="game")


def test_unweighted_midrange_is_graphlearnings_fast_plaplace():
    # Weights 1, 2, 4, leaves 0, 1, 5, p = 3: half the weighted mean 22/7 and half the plain
    # midrange 2.5, the 2.8214... graphlearning's plaplace(fast=True) returns.
    leaves = np.array([np.nan, 0.0, 1.0, 5.0])
    known = np.array([False, True, True, True])
    centre = solve_dirichlet(_star([1.0, 2.0, 4.0]), known, leaves, p=3, form="game",
                             midrange="unweighted", rtol=1e-12)[0]
    assert centre == pytest.approx((22 / 7 + 2.5) / 2, abs=1e-9)
    signal = np.array([centre, 0.0, 1.0, 5.0])
    assert abs(operators.game_p_laplacian(_star([1.0, 2.0, 4.0]), signal, 3,
                                          midrange="unweighted")[0]) < 1e-9


def test_the_command_takes_the_game_form(tmp_path, capsys):
    from graphinpaint import io
    from graphinpaint.cli import main
    from graphinpaint.metrics import psnr
    y, x = np.mgrid[:40, :40] / 40
    image = np.round(255 * (0.3 + 0.3 * np.sin(3 * x) * np.cos(2 * y) + 0.2 * x)).astype(np.uint8)
    hole = np.zeros((40, 40), bool)
    hole[15:20, 5:35] = True
    io.write_image(tmp_path / "image.png", image)
    io.write_image(tmp_path / "mask.png", np.where(hole, 255, 0).astype(np.uint8))
    assert main([str(tmp_path / "image.png"), str(tmp_path / "mask.png"), "-o",
                 str(tmp_path / "out.png"), "--form", "game", "--p", "4"]) == 0
    assert psnr(image, io.read_image(tmp_path / "out.png"), hole) > 35
    assert main([str(tmp_path / "image.png"), str(tmp_path / "mask.png"), "-o",
                 str(tmp_path / "bad.png"), "--form", "game", "--p", "1.5"]) != 0
    assert "'p' parameter of inpaint" in capsys.readouterr().err


def test_a_stop_before_the_tolerance_warns_at_the_callers_line_with_where_it_stopped():
    from graphinpaint import ConvergenceWarning
    known = np.zeros(60, dtype=bool)
    known[[0, 59]] = True
    values = np.where(known, np.arange(60.0), np.nan)
    with pytest.warns(ConvergenceWarning, match=r"after 5 sweeps with a last change of "
                                                r"[0-9.e+-]+ of the known values' range, "
                                                r"above rtol=1e-06") as caught:
        result = solve_dirichlet(_path(60), known, values, p=3.0, form="game", maxiter=5,
                                 return_result=True)
    assert caught[0].filename == __file__
    assert not result.success and result.status == 1 and result.nit == 5


def test_stored_zero_weights_join_nothing():
    # Explicit zeros from the middle of a path to both ends (and between two inner nodes):
    # were they edges, the midrange of node 4 would see 1 and 5 and the line would bend.
    path = _path(9).tolil()
    for u, v in [(4, 0), (4, 8), (2, 6)]:
        path[u, v] = path[v, u] = 1.0
    path = path.tocsr()
    for u, v in [(4, 0), (4, 8), (2, 6)]:
        path[u, v] = path[v, u] = 0.0               # stored zeros, kept by csr assignment
    assert path.nnz == 2 * 8 + 6
    known = np.zeros(9, dtype=bool)
    known[[0, 8]] = True
    values = np.where(known, [1.0, 0, 0, 0, 0, 0, 0, 0, 5.0], np.nan)
    for midrange in ("weighted", "unweighted"):
        out = solve_dirichlet(path, known, values, p=4.0, form="game", rtol=1e-12,
                              midrange=midrange)
        np.testing.assert_allclose(out, np.linspace(1, 5, 9), atol=1e-9)


def test_each_channel_is_solved_as_if_it_were_alone():
    # Channels of very different scales converge at different sweeps: each stops on its own
    # (its own relaxation and stop), so together they give what each gives alone, bit for bit.
    W, known, values = _random_problem(4, n=40, share=0.25, channels=3)
    values = values * np.array([1.0, 1e-3, 50.0])
    together = solve_dirichlet(W, known, values, p=5.0, form="game", rtol=1e-7)
    for c in range(3):
        alone = solve_dirichlet(W, known, values[:, c], p=5.0, form="game", rtol=1e-7 *
                                np.ptp(values[known]) / np.ptp(values[known, c]))
        np.testing.assert_array_equal(together[:, c], alone)


def test_a_callback_sees_each_sweep_and_changes_nothing():
    W, known, values = _random_problem(5, n=40, share=0.25, channels=2)
    seen = []
    with_callback = solve_dirichlet(W, known, values, p=3.0, form="game", rtol=1e-9,
                                    callback=lambda x: seen.append(x.copy()),
                                    return_result=True)
    without = solve_dirichlet(W, known, values, p=3.0, form="game", rtol=1e-9)
    np.testing.assert_array_equal(with_callback.x, without)
    assert len(seen) == with_callback.nit and seen[0].shape == values.shape
    np.testing.assert_array_equal(seen[-1], without)


@pytest.mark.parametrize("p", [3.0, np.inf])
@pytest.mark.parametrize("midrange", ["weighted", "unweighted"])
def test_the_reported_residual_is_the_largest_game_laplacian_on_the_unknowns(p, midrange):
    # A loose tolerance leaves a residual far from 0: it must be the operator's, not a proxy.
    W, known, values = _random_problem(7, n=40, share=0.25, channels=2)
    result = solve_dirichlet(W, known, values, p=p, form="game", rtol=1e-2, midrange=midrange,
                             return_result=True)
    operator = operators.game_p_laplacian(W, result.x, p, midrange=midrange)[~known]
    assert result.residual > 1e-6
    assert result.residual == pytest.approx(np.abs(operator).max(), rel=1e-12)
