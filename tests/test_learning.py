"""graphinpaint.learning: Laplace, p-Laplace and Poisson learning against known answers."""

import numpy as np
import pytest
import scipy.sparse as sp

import graphinpaint as gi
from graphinpaint import InpaintError
from graphinpaint.learning import laplace_learning, p_laplace_learning, poisson_learning


@pytest.fixture
def two_clusters():
    """Two Gaussian blobs 10 standard deviations apart, one label in each."""
    rng = np.random.default_rng(0)
    points = np.concatenate([rng.normal(0, 1, (60, 2)), rng.normal(10, 1, (60, 2))])
    truth = np.repeat(["left", "right"], 60)
    W = gi.weights.symmetrize(gi.weights.gaussian(gi.graph.knn_graph(points, k=8)), "max")
    # One bridge edge keeps the graph connected (Poisson learning needs it).
    W = W.tolil()
    W[0, 60] = W[60, 0] = 1e-3
    known = np.zeros(120, bool)
    known[[5, 70]] = True
    labels = np.where(known, truth, "")
    return W.tocsr(), known, labels, truth


@pytest.mark.parametrize("learn", [laplace_learning, poisson_learning,
                                   lambda W, k, y: p_laplace_learning(W, k, y, p=5.0),
                                   lambda W, k, y: p_laplace_learning(W, k, y, p=3.0,
                                                                      form="anisotropic")],
                         ids=["laplace", "poisson", "p-laplace game", "p-laplace variational"])
def test_two_separated_clusters_with_one_label_each_are_classified_right(two_clusters, learn):
    W, known, labels, truth = two_clusters
    np.testing.assert_array_equal(learn(W, known, labels), truth)


@pytest.mark.parametrize("method", ["direct", "cg", "amg"])  # grounded LU/AMG, singular CG
def test_poisson_scores_have_zero_weighted_mean_and_solve_the_poisson_equation(two_clusters,
                                                                              method):
    W, known, labels, _ = two_clusters
    _, scores = poisson_learning(W, known, labels, method=method, rtol=1e-10,
                                 return_scores=True)
    degrees = np.asarray(W.sum(axis=1)).ravel()
    np.testing.assert_allclose(degrees @ scores, 0, atol=1e-9)
    onehot = np.zeros((120, 2))
    onehot[known, [0, 1]] = 1                     # node 5 is "left", node 70 "right"
    sources = np.zeros((120, 2))
    sources[known] = onehot[known] - onehot[known].mean(axis=0)
    np.testing.assert_allclose(gi.operators.laplacian(W) @ scores, sources, atol=1e-7)


def test_laplace_scores_are_the_harmonic_extension_of_the_one_hot_labels(two_clusters):
    W, known, labels, _ = two_clusters
    _, scores = laplace_learning(W, known, labels, return_scores=True)
    np.testing.assert_allclose(scores.sum(axis=1), 1, atol=1e-5)       # a partition of unity
    expected = gi.solve_dirichlet(W, known, (labels == "left").astype(float))
    np.testing.assert_allclose(scores[:, 0], expected, atol=1e-5)


def test_bad_arguments_are_named(two_clusters):
    W, known, labels, _ = two_clusters
    with pytest.raises(InpaintError, match="'labels' parameter of laplace_learning"):
        laplace_learning(W, known, labels[:10])
    with pytest.raises(InpaintError, match="'known' parameter of poisson_learning"):
        poisson_learning(W, known.astype(float), labels)
    with pytest.raises(InpaintError, match="'form' parameter of p_laplace_learning"):
        p_laplace_learning(W, known, labels, form="median")
    with pytest.raises(InpaintError, match="'midrange' parameter of p_laplace_learning"):
        p_laplace_learning(W, known, labels, midrange="plain")
    with pytest.raises(InpaintError, match=r"'p' parameter of p_laplace_learning .*\[2"):
        p_laplace_learning(W, known, labels, p=1.5)
    cut = W.tolil()
    cut[0, 60] = cut[60, 0] = 0
    cut = cut.tocsr()
    cut.eliminate_zeros()
    with pytest.raises(InpaintError, match="2 connected parts"):
        poisson_learning(cut, known, labels)


@pytest.mark.parametrize("learn", [laplace_learning, poisson_learning, p_laplace_learning])
def test_known_of_another_length_than_the_graph_is_named(two_clusters, learn):
    W, known, labels, _ = two_clusters
    with pytest.raises(InpaintError, match=rf"'known' parameter of {learn.__name__} .*\(120,\)"):
        learn(W, known[:100], labels[:100])


@pytest.mark.parametrize("learn", [laplace_learning, p_laplace_learning])
def test_a_part_without_labels_is_named(two_clusters, learn):
    W, known, labels, _ = two_clusters
    cut = W.tolil()
    cut[0, 60] = cut[60, 0] = 0
    cut = cut.tocsr()
    cut.eliminate_zeros()
    only_left = known & (np.arange(120) < 60)
    with pytest.raises(InpaintError, match=rf"The graph given to {learn.__name__} has 1 "
                                           r"connected part\(s\) with no labelled node \(60 nodes"):
        learn(cut, only_left, labels)


def test_game_p_laplace_scores_are_the_game_dirichlet_solution(two_clusters):
    # p_laplace_learning runs the game iteration itself: the scores of solve_dirichlet.
    W, known, labels, _ = two_clusters
    _, scores = p_laplace_learning(W, known, labels, p=6.0, rtol=1e-8, return_scores=True)
    onehot = np.zeros((120, 2))
    onehot[known, [0, 1]] = 1
    expected = gi.solve_dirichlet(W, known, onehot, p=6.0, form="game", rtol=1e-8)
    np.testing.assert_allclose(scores, expected, atol=1e-12)



@pytest.mark.parametrize("learn", [laplace_learning, p_laplace_learning, poisson_learning])
def test_a_stored_zero_weight_joins_no_parts(learn):
    # A path cut by stored zeros between nodes 2 and 3: two parts, only the first labelled.
    W = sp.diags(np.ones(5), 1, shape=(6, 6)).tocsr()
    W = (W + W.T).tocsr()
    W[2, 3] = W[3, 2] = 0.0
    assert W.nnz == 10
    known = np.array([True, False, False, False, False, True])
    known[5] = learn is poisson_learning            # Poisson needs one connected graph
    with pytest.raises(InpaintError, match=rf"The graph given to {learn.__name__} has"):
        learn(W, known, np.array([0, 0, 0, 0, 0, 1]))


def test_known_as_zeros_and_ones_reads_as_booleans_as_solve_dirichlet_does(two_clusters):
    W, known, labels, _ = two_clusters
    np.testing.assert_array_equal(laplace_learning(W, known.astype(np.uint8), labels),
                                  laplace_learning(W, known, labels))


@pytest.mark.parametrize("learn", [laplace_learning, p_laplace_learning])
def test_every_node_labelled_keeps_the_labels(learn):
    weights = sp.diags([np.ones(5), np.ones(5)], [1, -1], format="csr")
    labels = np.array([0, 0, 0, 0, 0, 1])
    assert learn(weights, np.ones(6, bool), labels).tolist() == labels.tolist()
