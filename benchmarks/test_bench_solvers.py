"""p=2 Dirichlet solves on a non-local kNN graph (issue 2): every linear method.

Run: ``python -m pytest benchmarks/test_bench_solvers.py --benchmark-enable``
A random 8-dimensional point cloud, k=10 exact neighbours, Gaussian weights, 3 channels; the
graph is built in untimed setup. Iterations and residuals go into ``extra_info``.
"""

import numpy as np
import pytest

from graphinpaint import solve_dirichlet
from graphinpaint.graph import knn_graph
from graphinpaint.weights import gaussian, symmetrize


def _problem(nodes, unknown):
    rng = np.random.default_rng(0)
    points = rng.normal(size=(nodes, 8))
    weights = symmetrize(gaussian(knn_graph(points, k=10, backend="exact")), "max")
    known = np.ones(nodes, bool)
    known[rng.choice(nodes, unknown, replace=False)] = False
    values = rng.random((nodes, 3))
    return weights, known, values


@pytest.fixture(scope="module")
def large():
    return _problem(150_000, 100_000)


@pytest.fixture(scope="module")
def medium():
    return _problem(30_000, 20_000)


def _record(benchmark, result):
    benchmark.extra_info.update(method=result.method, linear_iterations=result.linear_iterations,
                                residual=result.residual, success=bool(result.success))


@pytest.mark.parametrize("method", ["cg", "amg", "auto"])
def test_p2_100k_unknowns(benchmark, large, method):
    weights, known, values = large
    result = benchmark.pedantic(solve_dirichlet, args=(weights, known, values),
                                kwargs=dict(method=method, return_result=True),
                                rounds=3, iterations=1)
    _record(benchmark, result)
    assert result.success


@pytest.mark.parametrize("method", ["direct", "cg", "amg"])
def test_p2_20k_unknowns(benchmark, medium, method):
    """Sparse LU only at this size: its fill-in on a non-local graph grows too fast for 100k."""
    weights, known, values = medium
    result = benchmark.pedantic(solve_dirichlet, args=(weights, known, values),
                                kwargs=dict(method=method, return_result=True),
                                rounds=1, iterations=1)
    _record(benchmark, result)
    assert result.success
