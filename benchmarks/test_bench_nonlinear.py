"""Nonlinear Dirichlet solvers against the p = 2 solve on the same graph (issue 4).

Run: ``python -m pytest benchmarks/test_bench_nonlinear.py --benchmark-enable``

Two graphs with about 50k unknown nodes, built in untimed setup:

* ``knn``: a random 8-dimensional point cloud of 75k points, k = 10 exact neighbours, Gaussian
  weights, 50k unknowns, three smooth functions of the coordinates as channels (the graph of
  the p = 2 benchmark in ``test_bench_solvers.py``, at the size issue 4 names);
* ``image``: the pipeline's own graph for a 1024x1024 RGB photo (the bundled astronaut,
  upsampled) with 5% scratches: masked-patch kNN (k = 10, 7x7 patches, 31x31 window) from every
  hole pixel, plus weak grid edges.

Each benchmark records in ``extra_info`` its ratio to the p = 2 solve timed in the same run
(the issue's bar: within 20x), with the iterations, energy and success of its result.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest

from graphinpaint import ConvergenceWarning, fills, solve_dirichlet
from graphinpaint.graph import knn_graph
from graphinpaint.weights import gaussian, symmetrize
from cases import scratch_mask

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "data" / "astronaut.png"
CASES = [(1.0, "anisotropic"), (1.5, "anisotropic"), (4.0, "anisotropic"),
         (10.0, "anisotropic"), (np.inf, "anisotropic"), (1.0, "isotropic"),
         (1.5, "isotropic"), (4.0, "isotropic")]


def knn_problem(nodes: int = 75_000, unknown: int = 50_000):
    rng = np.random.default_rng(0)
    points = rng.normal(size=(nodes, 8))
    weights = symmetrize(gaussian(knn_graph(points, k=10, backend="exact")), "max")
    known = np.ones(nodes, bool)
    known[rng.choice(nodes, unknown, replace=False)] = False
    values = np.stack([np.sin(points[:, 0]), np.cos(points[:, 1]), points[:, 2]], axis=1)
    return weights, known, values


def image_problem(side: int = 1024, fraction: float = 0.05):
    from graphinpaint._match_graph import weighted_match_graph
    from graphinpaint.graph import PatchSearch

    sample = iio.imread(SAMPLE)[..., :3] / 255.0
    repeat = -(-side // sample.shape[0])
    image = np.repeat(np.repeat(sample, repeat, axis=0), repeat, axis=1)[:side, :side]
    hole = scratch_mask(image.shape[:2], fraction, np.random.default_rng(1))
    estimate = fills.grid_laplace_fill(image, hole, "auto")
    queries = np.flatnonzero(hole)
    matches = PatchSearch(estimate.astype(np.float32), patch_size=7,
                          _func="window_knn")._matches(queries, k=10, window=31)
    weights = weighted_match_graph(matches, 0.1, ~hole, 1e-3)
    known = ~hole.ravel()[weights.nodes]
    return weights.matrix, known, image.reshape(-1, 3)[weights.nodes]


PROBLEMS = {"knn": knn_problem, "image": image_problem}


@pytest.fixture(scope="module", params=sorted(PROBLEMS))
def problem(request):
    weights, known, values = PROBLEMS[request.param]()
    with warnings.catch_warnings():                  # compile numba, untimed
        warnings.simplefilter("ignore", ConvergenceWarning)
        solve_dirichlet(weights, known, values, p=np.inf, maxiter=1)
    return request.param, weights, known, values, _p2_seconds(weights, known, values)


def _p2_seconds(weights, known, values, rounds: int = 3) -> float:
    """Best of a few p = 2 solves: the baseline of the ratios, measured in this run."""
    best = np.inf
    for _ in range(rounds):
        start = time.perf_counter()
        solve_dirichlet(weights, known, values)
        best = min(best, time.perf_counter() - start)
    return best


def test_p2_baseline(benchmark, problem):
    name, weights, known, values, _ = problem
    result = benchmark.pedantic(solve_dirichlet, args=(weights, known, values),
                                kwargs=dict(return_result=True), rounds=3, iterations=1)
    benchmark.extra_info.update(graph=name, unknowns=int((~known).sum()),
                                edges=int(weights.nnz), method=result.method)
    assert result.success


@pytest.mark.parametrize("p, form", CASES, ids=[f"p{p:g}-{form[:3]}" for p, form in CASES])
def test_nonlinear_against_p2(benchmark, problem, p, form):
    name, weights, known, values, p2_seconds = problem
    result = benchmark.pedantic(solve_dirichlet, args=(weights, known, values),
                                kwargs=dict(p=p, form=form, return_result=True),
                                rounds=1, iterations=1)
    benchmark.extra_info.update(
        graph=name, unknowns=int((~known).sum()), p2_seconds=p2_seconds,
        ratio_to_p2=benchmark.stats.stats.mean / p2_seconds, method=result.method,
        steps=int(result.nit), linear_iterations=int(result.linear_iterations),
        energy=float(result.energy), success=bool(result.success))
    assert result.success
