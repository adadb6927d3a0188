"""solve_dirichlet and make_solver against known answers: dense solves, paths, stars."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import brentq

from graphinpaint import ConvergenceWarning, InpaintError, solve_dirichlet
from graphinpaint.solvers import make_solver

LINEAR_METHODS = ["direct", "cg", "amg", "auto"]


def _random_graph(n, rng, density=0.15):
    upper = sp.random(n, n, density=density, random_state=rng, data_rvs=rng.random)
    weights = sp.triu(upper, 1)
    path = sp.diags(np.full(n - 1, 0.5), 1, shape=(n, n))     # keeps the graph connected
    weights = weights + path
    return sp.csr_matrix(weights + weights.T)


def _dense_dirichlet(weights, known, values):
    W = weights.toarray()
    L = np.diag(W.sum(1)) - W
    a, b = ~known, known
    out = values.astype(float).copy()
    out[a] = np.linalg.solve(L[np.ix_(a, a)], W[np.ix_(a, b)] @ values[b])
    return out


def _path(n):
    weights = sp.diags(np.ones(n - 1), 1, shape=(n, n))
    return sp.csr_matrix(weights + weights.T)


def _star(leaf_weights):
    n = len(leaf_weights) + 1
    weights = sp.lil_matrix((n, n))
    weights[0, 1:] = leaf_weights
    weights[1:, 0] = np.asarray(leaf_weights)[:, None]
    return sp.csr_matrix(weights)


@pytest.mark.parametrize("channels", [None, 3], ids=["1ch", "3ch"])
@pytest.mark.parametrize("method", LINEAR_METHODS)
def test_p2_equals_a_dense_solve(method, channels):
    rng = np.random.default_rng(0)
    weights = _random_graph(60, rng)
    known = rng.random(60) < 0.3
    known[0] = True
    shape = (60,) if channels is None else (60, channels)
    values = rng.random(shape)
    got = solve_dirichlet(weights, known, values, method=method, rtol=1e-10)
    np.testing.assert_allclose(got, _dense_dirichlet(weights, known, values), atol=1e-7)
    assert got.shape == shape


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0, 10.0, np.inf])
def test_path_graph_interpolates_linearly_for_every_p(p):
    n = 9
    known = np.zeros(n, bool)
    known[[0, -1]] = True
    values = np.zeros(n)
    values[-1] = 8.0
    got = solve_dirichlet(_path(n), known, values, p=p, rtol=1e-9, maxiter=5000)
    np.testing.assert_allclose(got, np.arange(n, dtype=float), atol=2e-3)


@pytest.mark.parametrize("p", [1.5, 3.0])
def test_isotropic_solution_minimises_its_energy(p):
    # The isotropic form is not linear on a path (the end nodes' gradients weigh in), so check
    # the variational property: no perturbation of the unknowns lowers the energy.
    from graphinpaint.operators import p_energy

    rng = np.random.default_rng(8)
    weights = _random_graph(25, rng)
    known = rng.random(25) < 0.4
    values = rng.random(25)
    got = solve_dirichlet(weights, known, values, p=p, form="isotropic", rtol=1e-10,
                          maxiter=1000)
    energy = p_energy(weights, got, p, form="isotropic")
    for _ in range(20):
        trial = got.copy()
        trial[~known] += 1e-3 * rng.normal(size=(~known).sum())
        assert p_energy(weights, trial, p, form="isotropic") >= energy - 1e-9


def test_star_centre_takes_the_weighted_mean_at_p2():
    leaf_values = np.array([1.0, 2.0, 7.0])
    leaf_weights = np.array([1.0, 2.0, 3.0])
    known = np.array([False, True, True, True])
    got = solve_dirichlet(_star(leaf_weights), known, np.r_[0.0, leaf_values])
    assert np.isclose(got[0], np.average(leaf_values, weights=leaf_weights))


@pytest.mark.parametrize("p, expected", [(1.0, 2.0), (np.inf, 5.5)], ids=["median", "midrange"])
def test_star_centre_takes_median_at_p1_and_midrange_at_pinf(p, expected):
    leaf_values = np.array([1.0, 2.0, 10.0])
    known = np.r_[False, np.ones(3, bool)]
    got = solve_dirichlet(_star(np.ones(3)), known, np.r_[0.0, leaf_values], p=p, rtol=1e-10,
                          maxiter=500)
    assert np.isclose(got[0], expected, atol=1e-3)


def test_star_centre_takes_the_weighted_midrange_at_pinf():
    # The minimiser of max_v sqrt(w_v) |g_v - x|, found here by brute force on a fine grid.
    rng = np.random.default_rng(9)
    leaf_values, leaf_weights = rng.random(6), rng.random(6) + 0.1
    known = np.r_[False, np.ones(6, bool)]
    got = solve_dirichlet(_star(leaf_weights), known, np.r_[0.0, leaf_values], p=np.inf)
    grid = np.linspace(0, 1, 200_001)
    cost = (np.sqrt(leaf_weights)[:, None] * np.abs(leaf_values[:, None] - grid)).max(axis=0)
    assert np.isclose(got[0], grid[cost.argmin()], atol=1e-5)


@pytest.mark.parametrize("p", [1.5, 3.0, 4.0])
def test_star_centre_is_the_root_of_the_p_mean_equation(p):
    leaf_values = np.array([0.0, 1.0, 5.0])
    known = np.r_[False, np.ones(3, bool)]
    got = solve_dirichlet(_star(np.ones(3)), known, np.r_[0.0, leaf_values], p=p, rtol=1e-10,
                          maxiter=500)

    def equation(x):        # the p-Laplacian at the centre: sum sign(g - x) |g - x|^(p-1) = 0
        return np.sum(np.sign(leaf_values - x) * np.abs(leaf_values - x) ** (p - 1))

    assert np.isclose(got[0], brentq(equation, 0.0, 5.0), atol=1e-3)


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 4.0, np.inf])
def test_maximum_principle_holds(p):
    rng = np.random.default_rng(1)
    weights = _random_graph(50, rng)
    known = rng.random(50) < 0.4
    values = rng.normal(size=50)
    got = solve_dirichlet(weights, known, values, p=p, maxiter=2000)
    assert got[~known].min() >= values[known].min() - 1e-9
    assert got[~known].max() <= values[known].max() + 1e-9


@pytest.mark.parametrize("p, form", [(1.0, "anisotropic"), (1.2, "anisotropic"),
                                     (1.0, "isotropic"), (1.5, "isotropic")])
def test_irls_energies_decrease(p, form):
    rng = np.random.default_rng(2)
    weights = _random_graph(40, rng)
    known = rng.random(40) < 0.4
    result = solve_dirichlet(weights, known, rng.random(40), p=p, form=form, return_result=True)
    assert result.success and result.nit > 2 and len(result.energies) >= 2
    assert np.all(np.diff(result.energies) <= 1e-12)


def test_large_p_approaches_infinity():
    # Unit weights: with weights, the p -> inf limit of sum w |df|**p is the Lipschitz extension
    # for the weights w**(1/p) -> 1, while the infinity-Laplacian uses sqrt(w) (docs/theory.md).
    rng = np.random.default_rng(3)
    weights = _random_graph(30, rng, density=0.1)
    weights.data[:] = 1.0
    known = rng.random(30) < 0.4
    values = rng.random(30)
    big = solve_dirichlet(weights, known, values, p=100.0, maxiter=500)
    inf = solve_dirichlet(weights, known, values, p=np.inf, maxiter=5000)
    assert np.abs(big - inf).max() < 0.05


def test_forms_agree_at_p2_and_known_values_are_kept():
    rng = np.random.default_rng(4)
    weights = _random_graph(30, rng)
    known = rng.random(30) < 0.5
    values = rng.random((30, 2))
    a = solve_dirichlet(weights, known, values, form="anisotropic")
    b = solve_dirichlet(weights, known, values, form="isotropic")
    np.testing.assert_allclose(a, b)
    np.testing.assert_array_equal(a[known], values[known])


def test_float32_stays_float32_and_inputs_are_not_mutated():
    rng = np.random.default_rng(5)
    weights = _random_graph(20, rng)
    known = rng.random(20) < 0.5
    values = rng.random(20).astype(np.float32)
    copies = weights.copy(), known.copy(), values.copy()
    out = solve_dirichlet(weights, known, values)
    assert out.dtype == np.float32
    assert solve_dirichlet(weights, known, values.astype(int)).dtype == np.float64
    assert (weights != copies[0]).nnz == 0
    np.testing.assert_array_equal(known, copies[1])
    np.testing.assert_array_equal(values, copies[2])


def test_isolated_hole_component_is_reported():
    weights = sp.csr_matrix(sp.block_diag([_path(3).toarray(), _path(4).toarray()]))
    known = np.array([True, False, False, False, False, False, False])
    with pytest.raises(InpaintError, match=r"1 connected group\(s\) of unknown nodes \(4 nodes"):
        solve_dirichlet(weights, known, np.zeros(7))


@pytest.mark.parametrize("kwargs, message", [
    (dict(p=0.5), r"'p' parameter of solve_dirichlet must be a float in \[1, inf\]"),
    (dict(method="lu"), "'method' parameter of solve_dirichlet must be one of"),
    (dict(form="mixed"), "'form' parameter"),
    (dict(known=np.zeros(4, bool)), "marks no node as known"),
    (dict(known=np.ones(3, bool)), r"'known' parameter of solve_dirichlet must be a boolean"),
    (dict(weights=np.ones((4, 3))), r"must be a square \(n, n\) matrix"),
    (dict(weights=np.eye(4)), r"2 connected group\(s\) of unknown nodes"),
    (dict(weights=sp.csr_matrix(np.triu(np.ones((4, 4)), 1))), "must be symmetric"),
    (dict(values=np.zeros(5)), "'values' parameter"),
])
def test_bad_arguments_raise_inpaint_error(kwargs, message):
    args = dict(weights=_path(4), known=np.array([True, False, False, True]),
                values=np.zeros(4))
    args.update(kwargs)
    with pytest.raises(InpaintError, match=message):
        solve_dirichlet(args.pop("weights"), args.pop("known"), args.pop("values"), **args)


def test_non_convergence_warns_and_is_reported():
    rng = np.random.default_rng(6)
    weights = _random_graph(80, rng)
    known = rng.random(80) < 0.1
    known[0] = True
    with pytest.warns(ConvergenceWarning, match="Raise maxiter"):
        result = solve_dirichlet(weights, known, rng.random(80), method="cg", maxiter=1,
                                 rtol=1e-12, return_result=True)
    assert not result.success


def test_make_solver_solves_many_right_hand_sides_with_one_factorisation():
    rng = np.random.default_rng(7)
    weights = _random_graph(40, rng)
    matrix = sp.csr_matrix(sp.diags(np.asarray(weights.sum(1)).ravel() + 1.0) - weights)
    solver = make_solver(matrix, method="direct")
    b = rng.random((40, 3))
    result = solver.solve(b)
    np.testing.assert_allclose(matrix @ result.x, b, atol=1e-10)
    assert result.success and result.method == "direct"
    warm = make_solver(matrix, method="cg", rtol=1e-10).solve(b, x0=result.x)
    assert warm.nit.max() <= 1


@pytest.mark.parametrize("p, form", [(1.0, "anisotropic"), (1.5, "isotropic"), (3.0, "anisotropic"),
                                     (np.inf, "anisotropic")])
def test_result_reports_the_operators_energy_and_residual(p, form):
    from graphinpaint.operators import dirichlet_residual, p_energy

    rng = np.random.default_rng(10)
    weights = _random_graph(30, rng)
    known = rng.random(30) < 0.4
    result = solve_dirichlet(weights, known, rng.random((30, 2)), p=p, form=form,
                             return_result=True)
    eps = result.eps
    assert np.isclose(result.energy, p_energy(weights, result.x, p, form=form, eps=eps))
    residual = dirichlet_residual(weights, known, result.x, p, form=form, eps=eps)
    assert np.isclose(result.residual, np.abs(residual).max(), rtol=1e-6, atol=1e-12)


def test_p2_energy_is_computed_on_first_access_and_survives_pickling():
    import pickle

    from graphinpaint.operators import p_energy

    rng = np.random.default_rng(11)
    weights = _random_graph(30, rng)
    known = rng.random(30) < 0.4
    result = solve_dirichlet(weights, known, rng.random((30, 2)), return_result=True)
    assert "energy" not in result                   # nothing spent on it yet
    copied = pickle.loads(pickle.dumps(result))     # carries the value, not the closure
    expected = p_energy(weights, result.x, 2.0)
    assert np.isclose(result.energy, expected) and np.isclose(result["energy"], expected)
    assert np.isclose(copied.energy, expected)
    with pytest.raises(AttributeError):
        result.not_a_field


def test_a_truncated_newton_solve_takes_its_steps_toward_the_p_3_solution_and_succeeds():
    """The pipeline's private ``_newton_steps`` (the strokes' rounds in large images): one
    Newton step from the p = 2 solution, no ConvergenceWarning (filterwarnings = error), an
    energy no lower than the converged solution's, and at most half as far from that
    solution as the start; enough steps give the converged solve."""
    rng = np.random.default_rng(11)
    weights = _random_graph(120, rng)
    known = rng.random(120) < 0.2
    known[0] = True
    values = rng.random(120)
    options = dict(p=3.0, rtol=1e-8, return_result=True)
    start = solve_dirichlet(weights, known, values, rtol=1e-12)
    converged = solve_dirichlet(weights, known, values, **options)
    one = solve_dirichlet(weights, known, values, _newton_steps=1, **options)
    assert converged.nit > 1 and one.nit == 1 and one.success
    assert converged.energy <= one.energy
    error = np.abs(one.x - converged.x).max()
    assert error < 0.5 * np.abs(start - converged.x).max()
    many = solve_dirichlet(weights, known, values, _newton_steps=100, **options)
    np.testing.assert_allclose(many.x, converged.x, atol=1e-12)
