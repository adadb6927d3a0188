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
