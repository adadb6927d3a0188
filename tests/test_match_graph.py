"""The layers' and rounds' graphs built in one pass (``_match_graph``) against the SciPy
composition they replaced (relative Gaussian weights symmetrised by the maximum, then the grid
edges joined by the maximum; kept here as the reference): the same matrix and nodes to the
bit."""

import numpy as np
import pytest
import scipy.sparse as sp

import graphinpaint as gi
from graphinpaint import _stages
from graphinpaint._match_graph import weighted_match_graph
from graphinpaint.graph import (PatchSearch, PixelGraph, _Matches, _node_positions,
                                _union_of_pixels)
from test_speed_paths import rounds_unknowns


def _reference(matches, bandwidth, filled, grid_weight):
    distances = matches.graph()
    matrix = gi.weights.gaussian(distances.matrix, bandwidth=bandwidth, relative=True)
    graph = PixelGraph(gi.weights.symmetrize(matrix, "max"), distances.nodes, distances.shape)
    return _with_grid_edges(graph, matches.queries, filled, grid_weight)


def _with_grid_edges(graph, queries, filled, weight):
    """4-neighbour edges from each query to its filled neighbours (``weight``) and to its
    query neighbours (twice it: made from both ends and summed), joined by the maximum."""
    height, width = graph.shape
    ys, xs = np.divmod(queries, width)
    rows, cols = [], []
    for dy, dx in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        ny, nx = ys + dy, xs + dx
        inside = (ny >= 0) & (ny < height) & (nx >= 0) & (nx < width)
        rows.append(queries[inside])
        cols.append(ny[inside] * width + nx[inside])
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    is_query = np.zeros(height * width, dtype=bool)
    is_query[queries] = True
    keep = is_query[cols] | filled.ravel()[cols]
    rows, cols = rows[keep], cols[keep]
    nodes = _union_of_pixels(height * width, graph.nodes, cols)
    size = len(nodes)
    moved, r, c = _node_positions(nodes, graph.shape, graph.nodes, rows, cols)
    match = _reindex(graph.matrix, moved, size)
    local = sp.csr_matrix((np.full(2 * len(r), weight), (np.r_[r, c], np.r_[c, r])),
                          shape=(size, size))
    return PixelGraph(sp.csr_matrix(match.maximum(local)), nodes, graph.shape)


def _reindex(matrix, new_index, size):
    """A node graph moved onto a larger, sorted node set: node i becomes node new_index[i]."""
    matrix = sp.csr_matrix(matrix)
    counts = np.zeros(size + 1, dtype=matrix.indptr.dtype)
    counts[new_index + 1] = np.diff(matrix.indptr)
    return sp.csr_matrix((matrix.data, new_index[matrix.indices], np.cumsum(counts)),
                         shape=(size, size))


def _assert_same_graph(ours, reference):
    assert np.array_equal(ours.nodes, reference.nodes)
    a, b = sp.csr_matrix(ours.matrix), sp.csr_matrix(reference.matrix)
    assert a.has_canonical_format
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)               # bit for bit, not approximately


def _scratched(side, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:side, :side] / side
    image = np.stack([np.sin(9 * x + 3 * y), np.cos(7 * y * x), np.sin(11 * y)], -1)
    image = (image * 0.4 + 0.5 + 0.05 * rng.random(image.shape)).astype(np.float32)
    hole = np.zeros((side, side), bool)
    hole[side // 3, 2:-2] = hole[2:-2, side // 2] = True        # crossing lines, near borders
    hole[rng.random((side, side)) < 0.05] = True
    hole[0, :5] = hole[-3:, -1] = True                          # on the border itself
    return image, hole


def _stage_matches(stage, image, hole):
    """A layer's matches (the first layer, to known pixels, masked) or a round's (every hole
    pixel, to any pixel): ``(queries, matches)``."""
    filled = ~hole
    if stage == "layer":
        queries = _stages._layers(hole)[0]
        search = PatchSearch(image, candidates=filled, confidence=filled.astype(np.float32))
        return queries, search._matches(queries, k=5, window=9, min_overlap=0.3)
    queries = np.flatnonzero(hole)
    return queries, PatchSearch(image)._matches(queries, k=6, window=11)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("stage", ["layer", "round"])
def test_the_one_pass_graph_is_the_scipy_composition_to_the_bit(seed, stage):
    image, hole = _scratched(40, seed)
    filled = ~hole
    _, matches = _stage_matches(stage, image, hole)
    for bandwidth, grid_weight in ((0.1, 0.01), (0.02, 0.3)):
        _assert_same_graph(weighted_match_graph(matches, bandwidth, filled, grid_weight),
                           _reference(matches, bandwidth, filled, grid_weight))


def test_missing_exact_and_vanishing_matches_weigh_as_in_the_composition():
    """No match (-1), a match at distance 0 (weight 1: kept), a weight that underflows to 0
    (left out, its node kept), a pair matched both ways, a query with no match at all."""
    shape = (4, 5)
    filled = np.ones(shape, bool)
    queries = np.array([6, 7, 13])
    filled.ravel()[queries] = False
    neighbours = np.array([[0, 7, 19, -1], [6, 1, 2, 18], [-1, -1, -1, -1]])
    distances = np.array([[0.0, 0.5, 40.0, np.inf], [0.3, 0.3, 0.0, 1.0],
                          [np.inf] * 4], dtype=np.float32)
    matches = _Matches(queries, neighbours, distances, shape)
    ours = weighted_match_graph(matches, 0.1, filled, 0.05)
    _assert_same_graph(ours, _reference(matches, 0.1, filled, 0.05))
    node = {pixel: i for i, pixel in enumerate(ours.nodes)}
    dense = ours.matrix.toarray()
    assert 19 in node and dense[node[6], node[19]] == 0         # underflowed: no edge
    assert dense[node[7], node[2]] == 1.0                       # distance 0, best: weight 1


def test_the_rounds_match_reach_and_mean_distance_are_the_graphs():
    image, hole = _scratched(32, 2)
    queries = np.flatnonzero(hole)
    matches = PatchSearch(image)._matches(queries, k=5, window=np.where(queries % 3, 7, 11))
    graph = matches.graph()
    # Row sums of the distance graph, as _refine read them before.
    assert np.array_equal(_stages._mean_match_distance(matches, 5),
                          _stages.row_sums(graph.matrix)[graph.node_of(queries)] / 5)
    rows = graph.matrix[graph.node_of(queries)].tocoo()
    qy, qx = np.divmod(queries[rows.row], 32)
    my, mx = np.divmod(graph.nodes[rows.col], 32)
    reach = np.zeros(len(queries), np.int64)
    np.maximum.at(reach, rows.row, np.maximum(abs(qy - my), abs(qx - mx)))
    assert np.array_equal(_stages._match_reach(matches), reach)
    assert reach.max() >= 3                         # not all next door


@pytest.mark.parametrize("case", ["scratches", "random"])
def test_the_graphs_the_pipeline_vouches_for_pass_the_weights_check_unchanged(monkeypatch,
                                                                               case):
    """For p != 2 the layers and rounds skip solve_dirichlet's weights check (``_trusted``:
    a copy, a transpose and a difference, 0.3 s a solve at 4096^2). Run here on each of their
    graphs, it must pass and change nothing: canonical float64 CSR, symmetric, non-negative."""
    real, checked = _stages.solve_dirichlet, []

    def spy(weights, known, values, **options):
        if options.get("_trusted"):
            again = gi.operators._checked_weights(weights, "test")
            assert weights.dtype == np.float64 and weights.has_canonical_format
            assert (weights != again).nnz == 0 and (weights != weights.T).nnz == 0
            checked.append(int((~known).sum()))
        return real(weights, known, values, **options)

    monkeypatch.setattr(_stages, "solve_dirichlet", spy)
    refined = rounds_unknowns(monkeypatch)
    image, hole = _scratched(40, 3)
    if case == "random":
        hole = np.random.default_rng(4).random(hole.shape) < 0.7
    gi.inpaint(image, hole, p=1.5)
    assert refined and all(n in checked for n in refined if n)      # the real hole's too


def test_queries_taken_in_strips_give_each_query_its_own_matches(monkeypatch):
    """The windowed kernel takes the queries strip by strip (cache locality on wide images);
    each query's matches, in the queries' order, are those of the kernel run in row order."""
    from graphinpaint import graph

    rng = np.random.default_rng(5)
    image = rng.random((24, 300, 3)).astype(np.float32)
    known = rng.random((24, 300)) > 0.05
    queries = np.flatnonzero(~known)
    search = PatchSearch(image, candidates=known, confidence=known.astype(np.float32))
    assert graph._offset_tiles(*np.divmod(queries, 300), 7, masked=True) is None  # windowed
    order = graph._strip_order(*np.divmod(queries, 300))
    assert not isinstance(order, slice) and not np.array_equal(order, np.arange(len(queries)))
    stripped = search._matches(queries, k=4, window=9, min_overlap=0.3)
    monkeypatch.setattr(graph, "_QUERY_STRIP", 10**6)
    in_row_order = search._matches(queries, k=4, window=9, min_overlap=0.3)
    assert np.array_equal(stripped.neighbours, in_row_order.neighbours)
    assert np.array_equal(stripped.distances, in_row_order.distances)


@pytest.mark.parametrize("stage", ["layer", "round"])
def test_p2_solves_from_the_queries_rows_are_solve_dirichlets_on_the_whole_graph(stage):
    """p = 2 builds only the queries' rows and cuts L_AA and W_AB from them: the rows, the
    blocks and the solution are those of the whole graph through solve_dirichlet, to the bit
    (the rounds with their tolerance, the layers with theirs)."""
    from graphinpaint import _edges
    from graphinpaint._match_graph import match_rows

    image, hole = _scratched(40, 6)
    filled = ~hole
    queries, matches = _stage_matches(stage, image, hole)
    flat = image.reshape(-1, 3).astype(np.float64)
    flat[hole.ravel()] = 0.5                                   # a start on the hole
    whole = weighted_match_graph(matches, 0.1, filled, 0.01)
    rows, nodes = match_rows(matches, 0.1, filled, 0.01)
    known = filled.ravel()[nodes]
    assert np.array_equal(nodes, whole.nodes)
    _assert_same_graph(_graph_of(rows, nodes), _graph_of(
        whole.matrix[whole.node_of(queries)], nodes))
    for ours, reference in zip(_edges.dirichlet_blocks_of_rows(rows, known),
                               _edges.dirichlet_blocks_of(whole.matrix, known)):
        _assert_same_graph(_graph_of(ours, nodes), _graph_of(reference, nodes))
    solve = {"p": 2.0, "form": "anisotropic", "method": "auto"}
    ours = _stages._solve_on_matches(matches, flat, filled, bandwidth=0.1, grid_weight=0.01,
                                     solve=solve, refinement=stage == "round")
    node_values = flat[nodes]
    options = {"rtol": _stages._LINEAR_RTOL, **solve}
    if stage == "round":
        degree = _stages.row_sums(whole.matrix)[~known]
        options = _stages._round_tolerance(degree, node_values[~known], options)
    reference = gi.solve_dirichlet(whole.matrix, known, node_values, x0=node_values, **options)
    assert np.array_equal(ours, reference[~known])


def _graph_of(matrix, nodes):
    return PixelGraph(matrix, nodes, (0, 0))


@pytest.mark.parametrize("stage", ["layer", "round"])
def test_the_queries_blocks_split_in_one_pass_are_the_sliced_ones(stage):
    from graphinpaint import _edges
    from graphinpaint._match_graph import match_rows, query_blocks

    image, hole = _scratched(40, 7)
    filled = ~hole
    _, matches = _stage_matches(stage, image, hole)
    rows, nodes = match_rows(matches, 0.1, filled, 0.01)
    known = filled.ravel()[nodes]
    for ours, reference in zip(query_blocks(rows, known),
                               _edges.dirichlet_blocks_of_rows(rows, known)):
        assert ours.shape == reference.shape
        _assert_same_graph(_graph_of(ours, nodes), _graph_of(reference, nodes))
