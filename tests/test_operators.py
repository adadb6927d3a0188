"""Graph operators against slow, obvious loops and their invariants."""

import numpy as np
import pytest
import scipy.sparse as sp

from graphinpaint import operators as op


@pytest.fixture
def graph():
    rng = np.random.default_rng(0)
    dense = np.triu(rng.random((12, 12)) * (rng.random((12, 12)) < 0.4), 1)
    dense = dense + dense.T
    return sp.csr_matrix(dense), dense, rng.normal(size=12)


def test_laplacian_rows_sum_to_zero_and_it_is_symmetric(graph):
    W, dense, _ = graph
    L = op.laplacian(W)
    np.testing.assert_allclose(np.asarray(L.sum(axis=1)).ravel(), 0, atol=1e-12)
    assert abs(L - L.T).max() < 1e-15
    assert np.all(np.linalg.eigvalsh(L.toarray()) > -1e-12)


def test_dirichlet_blocks_match_the_dense_split(graph):
    W, dense, _ = graph
    known = np.arange(12) % 3 == 0
    L_AA, W_AB = op.dirichlet_blocks(W, known)
    L = np.diag(dense.sum(1)) - dense
    np.testing.assert_allclose(L_AA.toarray(), L[np.ix_(~known, ~known)])
    np.testing.assert_allclose(W_AB.toarray(), dense[np.ix_(~known, known)])


def test_the_partition_of_the_nonlinear_steps_gives_the_same_blocks(graph):
    # p = 2 slices the blocks with SciPy, the nonlinear steps build them from edge arrays: the
    # same matrices on the same weights, self-loops included.
    from graphinpaint._edges import Partition, dirichlet_blocks_of, edge_list

    W, dense, _ = graph
    W = sp.csr_matrix(dense + np.diag(np.arange(12) % 2 * 0.5))
    known = np.arange(12) % 3 == 0
    partition = Partition(edge_list(W), known)
    for mine, theirs in zip(dirichlet_blocks_of(W, known), partition.blocks(W.data)):
        np.testing.assert_allclose(mine.toarray(), theirs.toarray(), atol=1e-15)


@pytest.mark.parametrize("p", [1.5, 2.0, 3.0])
def test_anisotropic_p_laplacian_matches_a_loop(graph, p):
    W, dense, f = graph
    expected = [sum(dense[u, v] * abs(f[v] - f[u]) ** (p - 2) * (f[v] - f[u])
                    for v in range(12) if dense[u, v] > 0) for u in range(12)]
    np.testing.assert_allclose(op.p_laplacian(W, f, p), expected, atol=1e-12)


def test_both_forms_are_minus_the_laplacian_at_p2(graph):
    W, _, f = graph
    for form in ("anisotropic", "isotropic"):
        np.testing.assert_allclose(op.p_laplacian(W, f, 2.0, form=form), -(op.laplacian(W) @ f))


@pytest.mark.parametrize("form", ["anisotropic", "isotropic"])
def test_p_laplacian_is_minus_the_energy_gradient(graph, form):
    W, _, f = graph
    p, h = 3.0, 1e-6
    numeric = [(op.p_energy(W, f + h * e, p, form=form) - op.p_energy(W, f - h * e, p, form=form))
               / (2 * h) for e in np.eye(12)]
    np.testing.assert_allclose(-op.p_laplacian(W, f, p, form=form), numeric, rtol=1e-5,
                               atol=1e-7)


def test_infinity_laplacian_and_game_laplacian_match_loops(graph):
    W, dense, f = graph
    for u in range(12):
        nbrs = np.flatnonzero(dense[u])
        diffs = np.sqrt(dense[u, nbrs]) * (f[nbrs] - f[u])
        expected = diffs.max() + diffs.min() if len(nbrs) else 0.0
        assert np.isclose(op.infinity_laplacian(W, f)[u], expected)


def _slow_midrange(scales, values):
    """argmin_x max_v s_v |f_v - x|, by trying every crossing of two neighbours' cones."""
    candidates = [(sa * fa + sb * fb) / (sa + sb) for sa, fa in zip(scales, values)
                  for sb, fb in zip(scales, values)]
    return min(candidates, key=lambda x: np.max(scales * np.abs(values - x)))


@pytest.mark.parametrize("p", [2.0, 3.0, 10.0, np.inf])
def test_game_laplacian_matches_a_loop(graph, p):
    W, dense, f = graph
    expected = np.zeros(12)
    for u in range(12):
        nbrs = np.flatnonzero(dense[u])
        if len(nbrs):
            mean = dense[u, nbrs] @ f[nbrs] / dense[u, nbrs].sum()
            mid = _slow_midrange(np.sqrt(dense[u, nbrs]), f[nbrs])
            expected[u] = (0 if p == np.inf else 1 / p) * (mean - f[u]) + (1 - 2 / p) * (mid - f[u])
    np.testing.assert_allclose(op.game_p_laplacian(W, f, p), expected, atol=1e-12)


def test_game_laplacian_at_infinity_is_half_the_infinity_laplacian_with_unit_weights(graph):
    W, _, f = graph
    unit = (W > 0).astype(float)
    np.testing.assert_allclose(op.game_p_laplacian(unit, f, np.inf),
                               op.infinity_laplacian(unit, f) / 2, atol=1e-12)


def test_gradient_norm_formula(graph):
    W, dense, f = graph
    expected = np.sqrt([(dense[u] * (f - f[u]) ** 2).sum() for u in range(12)])
    np.testing.assert_allclose(op.gradient_norm(W, f), expected)


def test_gradient_is_antisymmetric_and_its_row_norms_are_the_gradient_norm(graph):
    W, dense, f = graph
    grad = op.gradient(W, f).toarray()
    expected = np.sqrt(dense) * (f[None, :] - f[:, None])
    np.testing.assert_allclose(grad, expected, atol=1e-15)
    np.testing.assert_allclose(grad, -grad.T, atol=1e-15)
    np.testing.assert_allclose(np.linalg.norm(grad, axis=1), op.gradient_norm(W, f))


def test_gradient_of_a_multichannel_signal_is_one_matrix_per_channel(graph):
    W, _, f = graph
    signal = np.stack([f, 2 * f], axis=1)
    first, second = op.gradient(W, signal)
    np.testing.assert_allclose(second.toarray(), 2 * first.toarray())


@pytest.mark.parametrize("p", [1.5, 2.0, 4.0, np.inf])
def test_dirichlet_residual_is_the_operator_on_unknown_nodes_only(graph, p):
    W, _, f = graph
    known = np.arange(12) % 3 == 0
    residual = op.dirichlet_residual(W, known, f, p)
    operator = op.infinity_laplacian(W, f) if np.isinf(p) else op.p_laplacian(W, f, p)
    np.testing.assert_array_equal(residual[known], 0.0)
    np.testing.assert_allclose(residual[~known], operator[~known])


def test_dirichlet_residual_vanishes_at_the_solution(graph):
    from graphinpaint import solve_dirichlet
    W, _, f = graph
    connected = W + sp.eye(12, k=1) + sp.eye(12, k=-1)     # a path keeps every node reachable
    known = np.arange(12) % 3 == 0
    start = np.where(known, f, 0.0)
    solution = solve_dirichlet(connected, known, f, rtol=1e-10)
    before = np.abs(op.dirichlet_residual(connected, known, start, 2.0)).max()
    after = np.abs(op.dirichlet_residual(connected, known, solution, 2.0)).max()
    assert after < 1e-8 * before


def test_dense_weights_give_the_sparse_answer(graph):
    W, dense, f = graph
    np.testing.assert_allclose(op.p_laplacian(dense, f, 3.0), op.p_laplacian(W, f, 3.0))


@pytest.mark.parametrize("form", ["anisotropic", "isotropic"])
def test_p2_energy_is_a_quarter_of_the_weighted_squared_differences(graph, form):
    W, dense, f = graph
    signal = np.stack([f, f ** 2], axis=1)
    expected = sum(dense[u, v] * ((signal[v] - signal[u]) ** 2).sum()
                   for u in range(12) for v in range(12)) / 4
    assert np.isclose(op.p_energy(W, signal, 2.0, form=form), expected)
