"""Weight kernels against their formulas; symmetry and non-negativity."""

import numpy as np
import pytest
import scipy.sparse as sp

from graphinpaint import InpaintError
from graphinpaint.graph import knn_graph
from graphinpaint.weights import constant, gaussian, normalize, self_tuning, symmetrize


@pytest.fixture
def distances():
    x = np.random.default_rng(0).normal(size=(40, 3))
    return knn_graph(x, k=5, backend="exact")


def test_gaussian_formula_and_median_bandwidth(distances):
    W = gaussian(distances, bandwidth=0.7)
    np.testing.assert_allclose(W.data, np.exp(-(distances.data / 0.7) ** 2))
    h = np.median(distances.data)
    np.testing.assert_allclose(gaussian(distances).data, np.exp(-(distances.data / h) ** 2))


def test_relative_gaussian_gives_each_row_best_weight_one(distances):
    W = gaussian(distances, bandwidth=0.5, relative=True)
    D = distances.toarray()
    for i in range(40):
        row = D[i][distances[i].indices]
        np.testing.assert_allclose(W[i].data.max(), 1.0)
        np.testing.assert_allclose(np.sort(W[i].data),
                                   np.sort(np.exp(-(row ** 2 - row.min() ** 2) / 0.25)))


def test_self_tuning_formula(distances):
    W = self_tuning(distances, k_scale=3)
    D = distances.toarray()
    scale = np.array([np.sort(D[i][D[i] > 0])[2] for i in range(40)])
    i, j = distances.nonzero()
    np.testing.assert_allclose(W[i, j].A1, np.exp(-D[i, j] ** 2 / (scale[i] * scale[j])))


def test_constant_keeps_zero_distance_edges():
    D = sp.csr_matrix((np.array([0.0, 2.0]), (np.array([0, 1]), np.array([1, 2]))), (3, 3))
    assert constant(D).nnz == 2


@pytest.mark.parametrize("how", ["max", "mean", "mutual"])
@pytest.mark.parametrize("kernel", [gaussian, self_tuning, constant], ids=lambda f: f.__name__)
def test_symmetrized_weights_are_symmetric_and_non_negative(distances, kernel, how):
    W = symmetrize(kernel(distances), how)
    assert abs(W - W.T).max() == 0
    assert W.data.min() >= 0


def test_symmetrize_variants():
    W = sp.csr_matrix(np.array([[0, 2.0, 1.0], [1.0, 0, 0], [0, 0, 0]]))
    np.testing.assert_allclose(symmetrize(W, "max").toarray(),
                               [[0, 2, 1], [2, 0, 0], [1, 0, 0]])
    np.testing.assert_allclose(symmetrize(W, "mutual").toarray(),
                               [[0, 1, 0], [1, 0, 0], [0, 0, 0]])


def test_normalize_rows_sum_to_one(distances):
    P = normalize(symmetrize(gaussian(distances)))
    np.testing.assert_allclose(np.asarray(P.sum(axis=1)).ravel(), 1.0)
    S = normalize(symmetrize(gaussian(distances)), "symmetric")
    assert abs(S - S.T).max() < 1e-12


def test_kernels_reject_negative_distances():
    with pytest.raises(InpaintError, match="non-negative"):
        gaussian(sp.csr_matrix(np.array([[0, -1.0], [-1.0, 0]])))
    with pytest.raises(InpaintError, match="'bandwidth' parameter of gaussian"):
        gaussian(sp.csr_matrix(np.eye(2)), bandwidth=0)


# --- reweighting for sparse known values ----------------------------------------------------------

def _square_with_a_tail():
    """Nodes 0-1-2-3 in a square with edge weights 1, 2, 3, 4 and a tail 3-4 of weight 5."""
    dense = np.zeros((5, 5))
    for i, j, w in [(0, 1, 1.0), (1, 2, 2.0), (2, 3, 3.0), (3, 0, 4.0), (3, 4, 5.0)]:
        dense[i, j] = dense[j, i] = w
    return sp.csr_matrix(dense), dense


def test_weighted_nonlocal_gives_the_weights_of_shi_osher_zhu_by_hand():
    from graphinpaint.weights import weighted_nonlocal
    W, dense = _square_with_a_tail()
    known = np.array([True, False, False, False, False])        # n / m = 5
    # Unknown-unknown edges: 2 w; edges to the known node 0: (1 + 5) w.
    expected = 2 * dense
    expected[0, 1] = expected[1, 0] = 6 * 1.0
    expected[0, 3] = expected[3, 0] = 6 * 4.0
    np.testing.assert_allclose(weighted_nonlocal(W, known).toarray(), expected)


def test_properly_weighted_gives_the_weights_of_calder_slepcev_by_hand():
    from graphinpaint.weights import properly_weighted
    W, dense = _square_with_a_tail()
    points = np.array([[0.0, 0], [1, 0], [1, 1], [0, 1], [0, 3]])
    known = np.array([True, False, False, False, False])
    # gamma = 1 + (r / max(dist, r / (zeta - 1)**(1/alpha)))**alpha, r = 1, alpha = 2, zeta = 10
    distance = np.array([0.0, 1.0, np.sqrt(2), 1.0, 3.0])
    gamma = 1 + (1 / np.maximum(distance, 1 / 3)) ** 2                # gamma[0] = 10 = zeta
    expected = (gamma[:, None] + gamma[None, :]) * dense
    out = properly_weighted(W, known, points, radius=1.0, alpha=2.0, zeta=10.0)
    np.testing.assert_allclose(out.toarray(), expected)
    assert gamma[0] == pytest.approx(10.0)


@pytest.mark.parametrize("reweighting", ["wnll", "properly"])
def test_reweighting_with_all_but_one_known_leaves_the_solution_unchanged(reweighting):
    from graphinpaint import solve_dirichlet
    from graphinpaint.weights import properly_weighted, weighted_nonlocal
    rng = np.random.default_rng(4)
    points = rng.random((30, 2))
    W = symmetrize(gaussian(knn_graph(points, k=6, backend="exact")), "max")
    values = rng.normal(size=30)
    for hidden in (0, 7, 29):
        known = np.ones(30, bool)
        known[hidden] = False
        reweighted = weighted_nonlocal(W, known) if reweighting == "wnll" else \
            properly_weighted(W, known, points, radius=0.2)
        np.testing.assert_allclose(solve_dirichlet(reweighted, known, values),
                                   solve_dirichlet(W, known, values), rtol=1e-10)


def test_reweighting_checks_its_arguments_and_leaves_its_input_alone():
    from graphinpaint.weights import properly_weighted, weighted_nonlocal
    W, _ = _square_with_a_tail()
    before = W.copy()
    with pytest.raises(InpaintError, match="'known' parameter of weighted_nonlocal"):
        weighted_nonlocal(W, np.zeros(5, bool))
    with pytest.raises(InpaintError, match="'points' parameter of properly_weighted"):
        properly_weighted(W, np.eye(5, dtype=bool)[0], np.zeros((4, 2)))
    with pytest.raises(InpaintError, match="'zeta' parameter"):
        properly_weighted(W, np.eye(5, dtype=bool)[0], np.zeros((5, 2)), zeta=1.0)
    weighted_nonlocal(W, np.eye(5, dtype=bool)[0])
    assert (W != before).nnz == 0
