"""make_solver(method="auto") tells grid-structured systems from non-local ones by structure."""

import numpy as np
import pytest
import scipy.sparse as sp

from graphinpaint import graph, operators, weights
from graphinpaint.solvers import linear, make_solver


def _grid_dirichlet_laplacian(side):
    """L_AA of the 4-neighbour grid on a side x side hole inside a one-pixel known frame."""
    full = graph.grid_graph((side + 2, side + 2))
    laplacian = operators.laplacian(weights.constant(full.matrix)).tocsr()
    inner = np.zeros((side + 2, side + 2), bool)
    inner[1:-1, 1:-1] = True
    keep = inner.ravel()
    return sp.csr_matrix(laplacian[keep][:, keep])


def _grid_biharmonic(side):
    """The normal equations of the biharmonic fill, H^T H, H = the grid Laplacian's rows."""
    laplacian = _grid_dirichlet_laplacian(side)
    return sp.csr_matrix(laplacian.T @ laplacian)


def _knn_laplacian(n, rng):
    """L_AA of a Gaussian kNN graph of random 6-d points, a tenth of the nodes known."""
    points = rng.random((n, 6))
    distances = graph.knn_graph(points, k=10)
    w = weights.symmetrize(weights.gaussian(distances, bandwidth=0.3), "max")
    laplacian = operators.laplacian(w).tocsr()
    unknown = np.ones(n, bool)
    unknown[::10] = False
    return sp.csr_matrix(laplacian[unknown][:, unknown])


def _assert_dense_solution(matrix, method, rng):
    b = rng.random((matrix.shape[0], 3))
    result = make_solver(matrix, method=method, rtol=1e-10).solve(b)
    expected = np.linalg.solve(matrix.toarray(), b)
    np.testing.assert_allclose(result.x, expected, rtol=1e-6, atol=1e-8 * np.abs(expected).max())
    return result


@pytest.mark.parametrize("build", [_grid_dirichlet_laplacian, _grid_biharmonic],
                         ids=["grid-laplacian", "grid-biharmonic"])
def test_auto_factorises_grid_systems_and_matches_the_dense_solve(build):
    matrix = build(40)                                # 1600 unknowns: past the tiny-system rule
    solver = make_solver(matrix)
    assert solver.method == "direct"
    _assert_dense_solution(matrix, "auto", np.random.default_rng(0))


def test_auto_takes_multigrid_for_a_grid_laplacian_past_the_factorisation_size(monkeypatch):
    monkeypatch.setattr(linear, "_GRID_DIRECT_MAX", 1_000)
    matrix = _grid_dirichlet_laplacian(40)
    assert make_solver(matrix).method == "amg"
    result = _assert_dense_solution(matrix, "auto", np.random.default_rng(1))
    assert result.method == "amg"                     # no fallback to Jacobi-CG was needed


def test_auto_keeps_factorising_the_biharmonic_past_that_size(monkeypatch):
    """Smoothed aggregation needs over 100 CG iterations on it; the factorisation stays exact."""
    monkeypatch.setattr(linear, "_GRID_DIRECT_MAX", 1_000)
    matrix = _grid_biharmonic(40)
    assert make_solver(matrix).method == "direct"
    _assert_dense_solution(matrix, "auto", np.random.default_rng(1))


def test_auto_takes_cg_for_a_non_local_knn_laplacian():
    rng = np.random.default_rng(2)
    matrix = _knn_laplacian(2000, rng)
    assert make_solver(matrix).method == "cg"
    result = _assert_dense_solution(matrix, "auto", rng)
    assert result.nit.max() > 0


def test_grid_test_tells_a_plane_from_an_expander():
    rng = np.random.default_rng(3)
    assert linear._is_grid_structured(_grid_dirichlet_laplacian(60))
    assert linear._is_grid_structured(_grid_biharmonic(60))
    assert not linear._is_grid_structured(_knn_laplacian(3000, rng))


def test_cg_on_all_columns_at_once_follows_scipys_cg_column_by_column():
    import scipy.sparse.linalg as spla

    rng = np.random.default_rng(4)
    matrix = _knn_laplacian(1500, rng)
    b = rng.random((matrix.shape[0], 3)) * np.array([1.0, 1e-3, 10.0])   # columns of any scale
    result = make_solver(matrix, method="cg", rtol=1e-8).solve(b)
    inverse = 1.0 / matrix.diagonal()
    jacobi = spla.LinearOperator(matrix.shape, matvec=lambda v: inverse * v.ravel())
    for j in range(3):
        steps = []
        x, _ = spla.cg(matrix, b[:, j], rtol=1e-8, M=jacobi, callback=steps.append)
        np.testing.assert_allclose(result.x[:, j], x, rtol=1e-6, atol=1e-12)
        assert abs(int(result.nit[j]) - len(steps)) <= 1


def test_a_row_longer_than_any_grid_stencil_is_not_a_grid():
    """Patch-match graphs have hubs; confined to a thin scratch they would pass the growth test."""
    laplacian = _grid_dirichlet_laplacian(40).tolil()
    hub, others = 0, np.arange(100, 1600, 50)            # 30 long-range links from one node
    laplacian[hub, others] = -0.01
    laplacian[others, hub] = -0.01
    laplacian[hub, hub] += 0.01 * len(others)
    laplacian[others, others] = laplacian[others, others].toarray().ravel() + 0.01
    matrix = sp.csr_matrix(laplacian)
    assert linear._is_grid_structured(_grid_dirichlet_laplacian(40))
    assert not linear._is_grid_structured(matrix)
