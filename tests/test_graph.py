"""Neighbour graphs: the fast searches against slow, obvious references."""

import numpy as np
import pytest
import scipy.sparse as sp

from graphinpaint import InpaintError
from graphinpaint.graph import PatchSearch, grid_graph, knn_graph, window_knn
from graphinpaint.patches import extract_patches, masked_patch_distance


def _reference_window_knn(image, queries, k, patch_size, window, candidates, confidence):
    """Brute force: every candidate in the window, masked distances from extracted patches."""
    height, width = image.shape[:2]
    channels = 1 if image.ndim == 2 else image.shape[2]
    patches = extract_patches(image, None, patch_size)
    conf = extract_patches(np.repeat(confidence[:, :, None], channels, axis=2), None, patch_size)
    radius = window // 2
    result = {}
    for q in queries:
        y0, x0 = divmod(int(q), width)
        found = []
        for y in range(max(0, y0 - radius), min(height, y0 + radius + 1)):
            for x in range(max(0, x0 - radius), min(width, x0 + radius + 1)):
                c = y * width + x
                if c == q or not candidates[y, x]:
                    continue
                d = masked_patch_distance(patches[[q]], patches[[c]], conf[[q]], conf[[c]])[0]
                if np.isfinite(d):
                    found.append((d, c))
        result[int(q)] = sorted(found)[:k]
    return result


@pytest.mark.parametrize("channels", [1, 3], ids=["gray", "rgb"])
@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
def test_window_knn_matches_brute_force(channels, masked):
    rng = np.random.default_rng(1)
    shape = (14, 17) if channels == 1 else (14, 17, 3)
    image = rng.random(shape)
    confidence = np.ones((14, 17))
    if masked:
        confidence[4:9, 5:11] = 0.0
        confidence[0, :] = 0.5
    candidates = rng.random((14, 17)) > 0.3
    queries = rng.choice(14 * 17, 25, replace=False)
    g = window_knn(image, queries, k=4, patch_size=5, window=7, candidates=candidates,
                   confidence=confidence)
    expected = _reference_window_knn(image, queries, 4, 5, 7, candidates, confidence)
    for q, ref in expected.items():
        row = g.matrix[g.node_of(q)]
        got = sorted(zip(row.data, g.nodes[row.indices]))
        assert [c for _, c in got] == [c for _, c in ref]
        np.testing.assert_allclose([d for d, _ in got], [d for d, _ in ref], rtol=1e-6, atol=1e-9)


def test_window_knn_ties_rank_the_nearest_first_then_by_index():
    # A flat image: every candidate is at distance 0, so the k nearest are the query's four
    # 4-neighbours (squared offset 1), whatever order the kernel scans the window in.
    image = np.full((15, 15, 3), 0.5)
    query = 7 * 15 + 7
    g = window_knn(image, np.array([query]), k=4, patch_size=3, window=7)
    row = g.matrix[g.node_of(query)]
    assert sorted(g.nodes[row.indices]) == [query - 15, query - 1, query + 1, query + 15]
    # Among equally near candidates the lower index comes first: k = 6 adds the two upper
    # diagonal neighbours of the four at squared offset 2.
    g = window_knn(image, np.array([query]), k=6, patch_size=3, window=7)
    row = g.matrix[g.node_of(query)]
    assert sorted(g.nodes[row.indices]) == sorted(
        [query - 15, query - 1, query + 1, query + 15, query - 16, query - 14])


def test_window_knn_respects_min_overlap_and_skips_unknown_queries():
    image = np.random.default_rng(2).random((12, 12))
    confidence = np.ones((12, 12))
    confidence[:, :6] = 0.0
    g = window_knn(image, np.array([0, 11]), k=3, patch_size=3, window=5, confidence=confidence,
                   min_overlap=0.9)
    # pixel 0 sees only unknown pixels: no edge; pixel 11 needs candidates sharing 90% of its mass
    assert g.matrix[g.node_of(0)].nnz == 0
    row = g.matrix[g.node_of(11)]
    assert row.nnz == 3
    assert np.all(g.nodes[row.indices] % 12 >= 7)


def test_window_knn_does_not_mutate_inputs():
    rng = np.random.default_rng(3)
    image = rng.random((10, 10, 3)).astype(np.float32)
    conf = rng.random((10, 10))
    copies = image.copy(), conf.copy()
    window_knn(image, np.arange(10), k=2, patch_size=3, window=5, confidence=conf)
    np.testing.assert_array_equal(image, copies[0])
    np.testing.assert_array_equal(conf, copies[1])


@pytest.mark.parametrize("bad, message", [
    (dict(patch_size=4), "'patch_size' parameter of window_knn must be an odd integer"),
    (dict(window=0), "'window' parameter of window_knn"),
    (dict(k=0), "'k' parameter of window_knn"),
    (dict(candidates=np.ones((3, 3), bool)), "'candidates' parameter of window_knn"),
])
def test_window_knn_rejects_bad_arguments(bad, message):
    with pytest.raises(InpaintError, match=message):
        window_knn(np.zeros((8, 8)), np.array([3]), **bad)


def test_grid_graph_four_and_eight_neighbours():
    g4 = grid_graph((3, 4))
    assert g4.matrix.nnz == 2 * (3 * 3 + 2 * 4)
    assert (g4.matrix != g4.matrix.T).nnz == 0
    g8 = grid_graph((3, 4), connectivity=8)
    assert g8.matrix.nnz == g4.matrix.nnz + 2 * 2 * (2 * 3)
    assert np.isclose(g8.matrix[0, 5], np.sqrt(2))


def test_grid_graph_on_a_subset_keeps_inner_edges_only():
    mask = np.zeros((4, 4), bool)
    mask[1, 1:3] = mask[2, 1] = True
    g = grid_graph((4, 4), pixels=mask)
    assert g.nodes.tolist() == [5, 6, 9]
    assert sorted(map(tuple, np.argwhere(g.matrix.toarray() > 0))) == [(0, 1), (0, 2), (1, 0),
                                                                     (2, 0)]


@pytest.mark.parametrize("dim", [3, 40], ids=["kdtree", "bruteforce"])
def test_knn_graph_exact_matches_dense(dim):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(60, dim))
    D = knn_graph(x, k=5, backend="exact")
    dense = np.linalg.norm(x[:, None] - x[None], axis=2)
    np.fill_diagonal(dense, np.inf)
    for i in range(60):
        row = D[i]
        assert sorted(row.indices) == sorted(np.argsort(dense[i])[:5])
        np.testing.assert_allclose(np.sort(row.data), np.sort(dense[i])[:5])


def test_knn_graph_queries_and_candidates():
    x = np.arange(10.0)[:, None]
    D = knn_graph(x, k=2, queries=np.array([0, 9]), candidates=np.arange(5), backend="exact")
    assert sp.issparse(D) and D.shape == (10, 10)
    assert sorted(D[0].indices) == [1, 2]
    assert sorted(D[9].indices) == [3, 4]
    assert D[1:9].nnz == 0


@pytest.mark.slow
def test_nndescent_recall_against_exact():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3000, 12)).astype(np.float32)
    exact = knn_graph(x, k=10, backend="exact")
    approx = knn_graph(x, k=10, backend="nndescent", rng=0)
    hits = sum(len(np.intersect1d(exact[i].indices, approx[i].indices)) for i in range(3000))
    assert hits / exact.nnz >= 0.9


@pytest.mark.parametrize("confidence", [1.5, -0.1])
def test_patch_search_update_checks_the_confidence(confidence):
    """The masked search's early exit assumes confidences in [0, 1]: with 6 it returned other
    neighbours than the full sums on most queries."""
    search = PatchSearch(np.zeros((8, 8)), patch_size=3)
    with pytest.raises(InpaintError, match="'confidence' parameter of PatchSearch.update"):
        search.update(np.array([9]), np.array([[0.5]]), confidence=confidence)


@pytest.mark.parametrize("confidence", [np.full((8, 8), "a"), np.full((8, 8), None),
                                        np.full((8, 8), 0.5 + 0j), np.full((8, 8), np.nan)],
                         ids=["strings", "None", "complex", "NaN"])
def test_a_confidence_map_that_is_not_real_numbers_in_range_names_the_parameter(confidence):
    """Not a TypeError from numpy's min or a ComplexWarning from the cast."""
    image = np.random.default_rng(0).random((8, 8))
    with pytest.raises(InpaintError, match="'confidence' parameter of window_knn"):
        window_knn(image, np.array([27]), k=2, patch_size=3, window=5, confidence=confidence)


def test_patch_search_update_equals_a_fresh_search():
    rng = np.random.default_rng(6)
    image = rng.random((15, 16, 3))
    known = rng.random((15, 16)) > 0.3
    search = PatchSearch(image, patch_size=5, candidates=known, confidence=known * 1.0)
    changed = np.array([0, 17, 100, 239])               # corner, border and inner pixels
    new_values = rng.random((4, 3))
    search.update(changed, new_values)
    image2 = image.copy()
    image2.reshape(-1, 3)[changed] = new_values
    known2 = known.copy()
    known2.ravel()[changed] = True
    queries = np.arange(0, 240, 7)
    got = search.query(queries, k=3, window=7)
    expected = window_knn(image2, queries, k=3, patch_size=5, window=7, candidates=known2,
                          confidence=known2 * 1.0)
    np.testing.assert_array_equal(got.nodes, expected.nodes)
    np.testing.assert_allclose(got.matrix.toarray(), expected.matrix.toarray(), atol=1e-12)
