"""The fast paths give the answers of the slow ones: the reduced-space search against the full
search, and results independent of the number of numba threads and of a warm or fresh process."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import numpy as np
import pytest
import scipy.sparse as sp

import graphinpaint as gi
from graphinpaint import _region_fill, _stages, graph, mixes
from graphinpaint.graph import PatchSearch, window_knn

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"


def _photo(side=64):
    image = gi.io.read_image(DATA / "astronaut.png")
    return image[:side, :side, :3]


def _random_loss(shape, share, seed):
    return np.random.default_rng(seed).random(shape) < share


def _scratches(shape):
    hole = np.zeros(shape, bool)
    hole[10:13, 5:50] = True
    hole[20:45, 30:33] = True
    hole[40:42, 8:60] = True
    return hole


def _neighbour_sets(graph, queries):
    rows = graph.matrix[graph.node_of(queries)]
    return [frozenset(graph.nodes[rows.indices[rows.indptr[i]:rows.indptr[i + 1]]])
            for i in range(len(queries))]


def _spread_out(mask):
    """Every third pixel of a mask in each direction: queries whose patches overlap little,
    which the search serves with the windowed kernel and, when asked, the reduced space (it
    answers dense queries exactly with the offset kernel, cheaper there)."""
    spread = np.zeros_like(mask)
    spread[::3, ::3] = mask[::3, ::3]
    pixels = np.flatnonzero(spread)
    qy, qx = (a.astype(np.int64) for a in np.divmod(pixels, mask.shape[1]))
    assert graph._offset_tiles(qy, qx, 7) is None
    return pixels


def test_reduced_space_search_finds_the_exact_neighbours_for_95_percent_of_queries():
    """The pipeline's scattered-loss search: k=10 among known pixels, shortlist of 2k."""
    image = _photo(96).astype(np.float32) / 255
    hole = _random_loss(image.shape[:2], 0.8, 0)
    queries = _spread_out(hole)
    exact = window_knn(image, queries, k=10, window=15, candidates=~hole)
    reduced = window_knn(image, queries, k=10, window=15, candidates=~hole, shortlist=20)
    same = np.mean([a == b for a, b in zip(_neighbour_sets(exact, queries),
                                           _neighbour_sets(reduced, queries))])
    assert same >= 0.95
    # Distances of the neighbours found are the exact ones, never smaller than the true k-th.
    assert reduced.matrix.nnz == exact.matrix.nnz


def test_shortlist_as_long_as_the_window_is_the_exact_search():
    image = _photo(40).astype(np.float32) / 255
    hole = _scratches((40, 40))
    conf = (~hole).astype(np.float32)
    queries = _spread_out(hole)
    search = PatchSearch(image, patch_size=7, candidates=~hole, confidence=conf)
    exact = search.query(queries, k=5, window=9, min_overlap=0.3)
    full = search.query(queries, k=5, window=9, min_overlap=0.3, shortlist=81)
    # The two sum in different orders: candidates tied to the last bit may swap, their
    # distances may not.
    same = np.mean([a == b for a, b in zip(_neighbour_sets(exact, queries),
                                           _neighbour_sets(full, queries))])
    assert same >= 0.99
    np.testing.assert_allclose(_sorted_distances(full, queries),
                               _sorted_distances(exact, queries), atol=1e-6)


def _sorted_distances(graph, queries):
    """Each query's neighbour distances, sorted, one after the other."""
    rows = graph.matrix[graph.node_of(queries)]
    return np.concatenate([np.sort(rows.data[rows.indptr[i]:rows.indptr[i + 1]])
                           for i in range(len(queries))])


def test_reduced_space_follows_updates_like_a_fresh_search():
    image = _photo(40).astype(np.float32) / 255
    hole = _scratches((40, 40))
    filled = hole.copy()
    filled[10:13, 5:50] = False                    # the first scratch gets values
    pixels = np.flatnonzero(hole & ~filled)
    new_values = np.random.default_rng(1).random((len(pixels), 3)).astype(np.float32)
    search = PatchSearch(image, patch_size=7, candidates=~hole,
                         confidence=(~hole).astype(np.float32))
    queries = _spread_out(filled)
    search.query(queries, k=5, window=11, shortlist=10)          # builds the reduced space
    search.update(pixels, new_values)
    updated = image.copy()
    updated.reshape(-1, 3)[pixels] = new_values
    fresh = PatchSearch(updated, patch_size=7, candidates=~filled,
                        confidence=(~filled).astype(np.float32))
    got = search.query(queries, k=5, window=11, shortlist=10)
    expected = fresh.query(queries, k=5, window=11, shortlist=10)
    np.testing.assert_array_equal(got.nodes, expected.nodes)
    np.testing.assert_allclose(got.matrix.toarray(), expected.matrix.toarray(), atol=1e-6)


def test_dense_queries_get_the_exact_search_even_when_a_shortlist_is_asked_for():
    image = _photo(64).astype(np.float32) / 255
    hole = _random_loss(image.shape[:2], 0.8, 3)
    queries = np.flatnonzero(hole)
    exact = window_knn(image, queries, k=10, window=15, candidates=~hole)
    asked = window_knn(image, queries, k=10, window=15, candidates=~hole, shortlist=20)
    np.testing.assert_array_equal(asked.nodes, exact.nodes)
    np.testing.assert_array_equal(asked.matrix.toarray(), exact.matrix.toarray())
    assert asked.matrix.nnz == 10 * len(queries)


def test_inpaint_with_the_reduced_search_is_within_005_db_of_the_full_search(monkeypatch):
    # The offset kernel off: at 20% loss the search answers the rounds' queries exactly with
    # it (cheaper there), and both runs would be the same computation.
    monkeypatch.setattr(graph, "_OFFSET_PIXELS_PER_QUERY", 0.0)
    image = _photo(96)
    hole = _random_loss(image.shape[:2], 0.2, 2)
    fast = gi.inpaint(image, hole)
    full_search = _stages._round_matches
    monkeypatch.setattr(_stages, "_round_matches",
                        lambda *args, shortlist=None, **kwargs: full_search(
                            *args, shortlist=None, **kwargs))
    full = gi.inpaint(image, hole)
    assert not np.array_equal(fast, full)               # the shortlist did run
    assert gi.metrics.psnr(image, fast, hole) >= gi.metrics.psnr(image, full, hole) - 0.05


def test_the_blend_prepared_in_the_background_is_the_blend():
    image = _photo(64).astype(np.float64) / 255
    hole = _scratches(image.shape[:2])
    estimate = gi.fills.grid_laplace_fill(image, hole, "auto")
    ahead = gi.fills.BoundaryBlend(hole, background=True)
    np.testing.assert_array_equal(ahead(estimate, 0.25),
                                  gi.fills.blend_near_boundary(estimate, hole, 0.25))
    # The biharmonic part: near the known pixels, a quarter of the way to a smooth fill that
    # stays within the known range (the Laplace estimate is itself smooth: they differ little).
    near = hole & (gi.fills.layer_depths(hole) <= gi.fills.BLEND_DEPTH)
    assert 0 < np.abs(ahead(estimate, 1.0) - estimate)[near].max() < 0.5


def _block(shape):
    """A 24-px block: a thick hole (the frequency mix, self-validation in a thread beside)."""
    hole = np.zeros(shape, bool)
    hole[20:44, 20:44] = True
    return hole


CASES = {"scratches": _scratches, "random": lambda shape: _random_loss(shape, 0.8, 3),
         "block": _block}


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="one numba thread only")
@pytest.mark.parametrize("case", sorted(CASES))
def test_results_do_not_depend_on_the_number_of_threads(case):
    image = _photo(64)
    hole = CASES[case](image.shape[:2])
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = gi.inpaint(image.astype(np.float64) / 255, hole)
        numba.set_num_threads(2)
        two = gi.inpaint(image.astype(np.float64) / 255, hole)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_allclose(one, two, atol=1e-6, rtol=0)


FRESH = textwrap.dedent("""
    import json, sys
    import numpy as np
    import graphinpaint as gi
    from numba.core.dispatcher import Dispatcher
    image, hole = np.load(sys.argv[1]), np.load(sys.argv[2])
    np.save(sys.argv[3], gi.inpaint(image, hole))
    kernels = {f"{name}.{key}": f for name, module in list(sys.modules.items())
               if name.startswith("graphinpaint") for key, f in vars(module).items()
               if isinstance(f, Dispatcher)}
    print(json.dumps({
        "kernels": len(kernels),
        "uncached": [k for k, f in kernels.items() if type(f._cache).__name__ == "NullCache"],
        "hits": sum(sum(f.stats.cache_hits.values()) for f in kernels.values()),
        "misses": sum(sum(f.stats.cache_misses.values()) for f in kernels.values()),
        "unused modules": [m for m in ("scipy.optimize", "scipy.spatial") if m in sys.modules]}))
""")


def _in_a_fresh_process(tmp_path, image, hole):
    np.save(tmp_path / "image.npy", image)
    np.save(tmp_path / "hole.npy", hole)
    out = subprocess.run([sys.executable, "-c", FRESH, str(tmp_path / "image.npy"),
                          str(tmp_path / "hole.npy"), str(tmp_path / "out.npy")],
                         capture_output=True, text=True, check=True)
    return np.load(tmp_path / "out.npy"), json.loads(out.stdout.splitlines()[-1])


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_fresh_process_gives_the_warm_result_and_compiles_nothing(tmp_path, case):
    image = _photo(64).astype(np.float64) / 255
    hole = CASES[case](image.shape[:2])
    warm = gi.inpaint(image, hole)
    _in_a_fresh_process(tmp_path, image, hole)          # fills numba's cache if it was empty
    fresh, compiled = _in_a_fresh_process(tmp_path, image, hole)
    np.testing.assert_allclose(fresh, warm, atol=1e-6, rtol=0)
    assert compiled["kernels"] > 0 and compiled["uncached"] == []
    assert compiled["hits"] > 0 and compiled["misses"] == 0
    # Modules inpainting never uses, 40-80 ms of a fresh process's import (the seed command's).
    assert compiled["unused modules"] == []


def test_the_blend_started_from_the_whole_holes_fill_is_the_blend():
    """Scattered loss with a few pixels deeper than the band: the band's CG starts from the
    whole hole's biharmonic fill (SmoothFills.blend), and ends at the same fill, to its
    tolerance (rtol 1e-4: within an 8-bit level), as from its own start."""
    rng = np.random.default_rng(3)
    image = _photo(64).astype(np.float64) / 255
    hole = rng.random(image.shape[:2]) < 0.8
    hole[20:34, 20:34] = True                                   # depth 7: beyond the band
    values = image.copy()
    values[hole] = 0
    smooth = mixes.SmoothFills(values, hole)
    estimate = smooth["raw biharmonic"] + 0.1 * rng.random(image.shape)
    warm = smooth.blend(estimate, 1.0)
    cold = gi.fills.blend_near_boundary(estimate, hole, 1.0)
    near = hole & (gi.fills.layer_depths(hole) <= gi.fills.BLEND_DEPTH)
    assert 0 < np.abs(warm - estimate)[near].max()
    assert np.abs(warm - cold).max() < 1 / 255


def _kernel_that_runs(monkeypatch, search, queries, **options):
    """The name of the search kernel that ``PatchSearch.query`` calls for these queries."""
    called = []
    for name in ("offset_knn_kernel", "window_knn_kernel"):
        kernel = getattr(graph, name)
        monkeypatch.setattr(graph, name, lambda *args, _name=name, _kernel=kernel: (
            called.append(_name), _kernel(*args))[1])
    search.query(queries, k=5, window=15, **options)
    return called


@pytest.mark.parametrize("hole_kind, masked, expected", [
    ("block contour", True, "window_knn_kernel"),         # a layer: 8.4 patch pixels a query
    ("block contour", False, "window_knn_kernel"),
    ("block", False, "offset_knn_kernel"),                # a round on a block: 1.9
    ("random 20%", True, "window_knn_kernel"),            # 6.7: the two searches' rules
    ("random 20%", False, "offset_knn_kernel"),           # disagree here
    ("random 50%", True, "offset_knn_kernel"),            # 2.8: dense loss
    ("random 50%", False, "offset_knn_kernel"),
])
def test_the_dispatch_picks_the_kernel_of_its_rule(monkeypatch, hole_kind, masked, expected):
    """Masked searches go to the offset kernel up to 4 patch pixels per query, full ones up to
    8 (graph._OFFSET_PIXELS_PER_MASKED_QUERY, _OFFSET_PIXELS_PER_QUERY; measured crossovers)."""
    side = 128
    image = _photo(side).astype(np.float32) / 255
    block = np.pad(np.ones((32, 32), bool), 48)
    holes = {"block contour": block, "block": block,
             "random 20%": _random_loss((side, side), 0.2, 3),
             "random 50%": _random_loss((side, side), 0.5, 3)}
    hole = holes[hole_kind]
    depths = gi.fills.layer_depths(hole)
    queries = np.flatnonzero(depths == 1 if hole_kind.endswith("contour") else hole)
    known = ~hole
    search = PatchSearch(image, candidates=known,
                         confidence=known.astype(np.float32) if masked else None)
    called = _kernel_that_runs(monkeypatch, search, queries, min_overlap=0.3 if masked else 0.0)
    assert called == [expected]
    # And the kernel it picks gives the other one's neighbours (exact ties aside).
    other = window_knn(image, queries, k=5, window=15, candidates=known,
                       confidence=known.astype(np.float32) if masked else None,
                       min_overlap=0.3 if masked else 0.0)
    picked = search.query(queries, k=5, window=15, min_overlap=0.3 if masked else 0.0)
    assert np.mean([a == b for a, b in zip(_neighbour_sets(picked, queries),
                                           _neighbour_sets(other, queries))]) >= 0.95


def rounds_unknowns(monkeypatch) -> list:
    """The number of unknowns of each refinement round inpaint runs, as it runs them: the
    hole's, or the pixels a round of scattered loss refines."""
    refined, real_refine = [], _region_fill._refine

    def counting(values, hole, estimate, **options):
        active = options.get("active")
        refined.append(int(hole.sum() if active is None else active.sum()))
        return real_refine(values, hole, estimate, **options)

    monkeypatch.setattr(_region_fill, "_refine", counting)
    return refined


@pytest.mark.parametrize("case", ["scratches", "random"])
def test_the_rounds_graphs_need_no_connected_groups_check(monkeypatch, case):
    """The layers and rounds skip solve_dirichlet's connected-groups check (0.44 s at 4096^2):
    their grid edges join every unknown group to a known pixel. The check, run here on each
    of their graphs, must pass."""
    from graphinpaint.solvers import dirichlet
    from graphinpaint.solvers._problem import DirichletProblem

    from types import SimpleNamespace

    real, checked = _stages.solve_dirichlet, []
    real_blocks = _stages.query_blocks

    def spy(weights, known, values, **options):
        if options.get("_connected"):
            problem = DirichletProblem(gi.operators._checked_weights(weights, "test"), known,
                                       method="auto", atol=0.0)
            dirichlet._check_every_group_reaches_known(problem)
            checked.append(int((~known).sum()))
        return real(weights, known, values, **options)

    def spy_blocks(rows, known):            # p = 2: the blocks of the queries' rows
        blocks = real_blocks(rows, known)
        dirichlet._check_every_group_reaches_known(SimpleNamespace(blocks=blocks,
                                                                   unknown=~known))
        checked.append(int((~known).sum()))
        return blocks

    monkeypatch.setattr(_stages, "solve_dirichlet", spy)
    monkeypatch.setattr(_stages, "query_blocks", spy_blocks)
    refined = rounds_unknowns(monkeypatch)
    image = _photo(64)
    hole = {"scratches": _scratches, "random": lambda s: _random_loss(s, 0.8, 3)}[case](
        image.shape[:2])
    gi.inpaint(image, hole)
    assert refined and all(n in checked for n in refined if n)      # the real hole's too


def test_a_caller_vouching_for_its_graph_skips_the_connected_groups_check():
    weights = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0.]]))
    known = np.array([True, False, False, False])              # nodes 2 and 3: no known node
    with pytest.raises(gi.InpaintError, match="connected group"):
        gi.solve_dirichlet(weights, known, np.ones(4))
    # The check alone is skipped (a false voucher meets the solver: CG here, LU would fail).
    assert gi.solve_dirichlet(weights, known, np.ones(4), method="cg", _connected=True)[1] == 1.0
