"""Small kernel calls on one numba thread (``_kernel_threads``) and thin strokes' held-out fill
beside the real one: the same results to the bit as the parallel calls and the fill in turn."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Event

import numba
import numpy as np
import pytest

import graphinpaint as gi
from graphinpaint import _match_graph, _stages, _thick_holes, _threads, graph, pipeline
from graphinpaint._kernel_threads import on_threads_for
from graphinpaint.graph import PatchSearch
from test_selection import _upscaled_photo  # a smooth photo: its strokes pick the biharmonic mix
from test_speed_paths import _scratches

DATA = Path(__file__).resolve().parents[1] / "examples" / "data"
TWO_THREADS = pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2,
                                 reason="one numba thread only")


@TWO_THREADS
@pytest.mark.parametrize("work, threads", [(9, 1), (10, 2), (11, 2)])
def test_work_below_the_least_runs_on_one_thread_and_the_count_is_restored(work, threads):
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(2)
        seen = on_threads_for(work, 10, lambda a, b: (numba.get_num_threads(), a + b), 1, 2)
        assert seen == (threads, 3)
        assert numba.get_num_threads() == 2
    finally:
        numba.set_num_threads(before)


@TWO_THREADS
def test_the_thread_count_is_restored_when_the_kernel_raises():
    def failing():
        raise ValueError("inside")

    before = numba.get_num_threads()
    try:
        numba.set_num_threads(2)
        with pytest.raises(ValueError, match="inside"):
            on_threads_for(0, 10, failing)
        assert numba.get_num_threads() == 2
    finally:
        numba.set_num_threads(before)


@TWO_THREADS
def test_a_small_call_in_one_thread_leaves_another_thread_s_count_alone():
    """numba's thread count is each Python thread's own (``pipeline._beside`` runs two fills
    at once): one thread's small call neither lowers the other's count meanwhile nor, when it
    restores its own, undoes the other's small call under way."""
    full = numba.config.NUMBA_NUM_THREADS            # a new thread's count
    first_inside, second_inside, first_done = Event(), Event(), Event()
    seen = {}

    def wait(event):
        assert event.wait(10), "the other thread never got there"

    def first():
        def kernel():
            seen["first, inside"] = numba.get_num_threads()
            first_inside.set()
            wait(second_inside)

        on_threads_for(0, 10, kernel)
        seen["first, after"] = numba.get_num_threads()
        first_done.set()

    def second():
        wait(first_inside)
        seen["second, beside the first's call"] = numba.get_num_threads()

        def kernel():
            second_inside.set()
            wait(first_done)
            seen["second, inside, the first restored"] = numba.get_num_threads()

        on_threads_for(0, 10, kernel)
        seen["second, after"] = numba.get_num_threads()

    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(first), pool.submit(second)]:
            done.result(timeout=30)
    assert seen == {"first, inside": 1, "second, beside the first's call": full,
                    "first, after": full, "second, inside, the first restored": 1,
                    "second, after": full}


def _layer_search(hole, image):
    search = PatchSearch(image, patch_size=7, candidates=~hole,
                         confidence=(~hole).astype(np.float32), _work=np.float32)
    return search, _stages._layers(hole)[0]


@TWO_THREADS
@pytest.mark.parametrize("kernel", ["windowed", "offset", "seeded"])
def test_a_search_on_one_thread_finds_the_parallel_search_s_matches(monkeypatch, kernel):
    image = gi.io.read_image(DATA / "astronaut.png")[:64, :64].astype(np.float32) / 255
    hole = _scratches((64, 64))
    seeds = None
    if kernel == "offset":      # full patches, every hole pixel
        search = PatchSearch(image, patch_size=7, _func="window_knn", _work=np.float32)
        queries = np.flatnonzero(hole)
        assert graph._offset_tiles(*np.divmod(queries, 64), 7) is not None
    else:                       # a layer's masked search, or one from seeds (its matches)
        search, queries = _layer_search(hole, image)
        if kernel == "seeded":
            seeds = search._matches(queries, k=5, window=31, min_overlap=0.3).neighbours
    found = {}
    for least in (0, 10**12):
        monkeypatch.setattr(graph, "_PARALLEL_CANDIDATES", least)
        found[least] = search._matches(queries, k=5, window=31, seeds=seeds,
                                       min_overlap=0.3 * (kernel != "offset"))
    np.testing.assert_array_equal(found[0].neighbours, found[10**12].neighbours)
    np.testing.assert_array_equal(found[0].distances, found[10**12].distances)


@TWO_THREADS
def test_a_layer_s_graph_blocks_on_one_thread_are_the_parallel_ones(monkeypatch):
    image = gi.io.read_image(DATA / "astronaut.png")[:64, :64].astype(np.float32) / 255
    hole = _scratches((64, 64))
    search, queries = _layer_search(hole, image)
    matches = search._matches(queries, k=5, window=31, min_overlap=0.3)
    blocks = {}
    for least in (0, 10**12):
        monkeypatch.setattr(_match_graph, "PARALLEL_ROWS", least)
        rows, nodes = _match_graph.match_rows(matches, 0.1, ~hole, 1e-3)
        blocks[least] = _match_graph.query_blocks(rows, (~hole).ravel()[nodes])
    for parallel, serial in zip(blocks[0], blocks[10**12]):
        assert (parallel != serial).nnz == 0
        np.testing.assert_array_equal(parallel.indptr, serial.indptr)
        np.testing.assert_array_equal(parallel.indices, serial.indices)


def test_the_strokes_mix_chosen_beside_the_fill_is_the_mix_chosen_before_it(monkeypatch):
    image, hole = _upscaled_photo(), _scratches((128, 128))
    plain = gi.inpaint(image, hole, self_validation=False)
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: False)
    before = gi.inpaint(image, hole)
    monkeypatch.setattr(_threads, "_threadsafe_kernels", lambda: True)
    chosen = []
    original = pipeline._fill
    monkeypatch.setattr(pipeline, "_fill", lambda *a, **kw: (
        chosen.append(type(kw["mix_choice"]).__name__), original(*a, **kw))[1])
    beside = gi.inpaint(image, hole)
    assert chosen == ["Future"]
    np.testing.assert_array_equal(beside, before)
    # The held-out choice is not the default mix: a fill that ignored it would differ.
    assert gi.metrics.psnr(image, beside, hole) > gi.metrics.psnr(image, plain, hole) + 5


def _round_methods(monkeypatch, image, hole, **options):
    """The solver method of each of ``inpaint``'s rounds' p = 2 solves (those given an
    ``atol``), in order, with "+atol" where it is not 0 (the rounds' own tolerance); what
    "auto" would choose for each of those systems; the result."""
    seen, automatic = [], []
    original = _stages._solve_p2_blocks

    def recording(l_aa, *args, **kwargs):
        if "atol" in kwargs:
            seen.append(kwargs["method"] + ("+atol" if kwargs["atol"] else ""))
            automatic.append(_stages._choose_method(l_aa))
        return original(l_aa, *args, **kwargs)

    monkeypatch.setattr(_stages, "_solve_p2_blocks", recording)
    out = gi.inpaint(image, hole, self_validation=False, **options)
    return seen, automatic, out


def test_strokes_rounds_solve_by_cg_where_auto_would_factorise_within_005_db(monkeypatch):
    image = gi.io.read_image(DATA / "astronaut.png")[:64, :64]
    hole = _scratches((64, 64))
    # The rounds at p = 2: this photo's would take p = 3 (tests/test_strokes_p.py).
    monkeypatch.setattr(_thick_holes, "STROKES_INEXACT_BELOW", 0)
    methods, automatic, auto = _round_methods(monkeypatch, image, hole)
    assert automatic == ["direct", "direct"]        # the very systems "auto" would factorise
    assert methods == ["cg", "cg"]                  # to rtol alone: near the exact solve
    methods, _, direct = _round_methods(monkeypatch, image, hole, method="direct")
    assert methods == ["direct+atol", "direct+atol"]
    assert abs(gi.metrics.psnr(image, auto, hole) - gi.metrics.psnr(image, direct, hole)) < 0.05
    assert np.abs(auto.astype(int) - direct.astype(int)).max() <= 2


def test_thick_holes_rounds_keep_the_automatic_choice(monkeypatch):
    image = gi.io.read_image(DATA / "astronaut.png")[:64, :64]
    hole = np.zeros((64, 64), bool)
    hole[20:36, 24:40] = True
    methods, _, _ = _round_methods(monkeypatch, image, hole)
    assert methods and set(methods) == {"auto+atol"}
