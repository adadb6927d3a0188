"""The Dirichlet problem of the game-theoretic p-Laplacian, ``solve_dirichlet(..., form="game")``.

For 2 < p <= inf, find ``f`` equal to the boundary values on the known nodes with
:func:`graphinpaint.operators.game_p_laplacian` zero on the unknown nodes, that is the dynamic
programming principle of tug-of-war with noise at every unknown node ``u``::

    f(u) = theta * mean f(u) + (1 - theta) * mid f(u),      theta = 1 / (p - 1),

``mean`` the weighted mean of the neighbours, ``mid`` their weighted midrange (the plain
``(max + min) / 2`` with unit weights). This is the equation graphlearning's ``graph.plaplace``
iterates with its default ``fast=True`` on unit-weight midranges (docs/theory.md). The map is
monotone and non-expansive, so Gauss-Seidel sweeps of it, node by node in place, converge to the
unique solution (Oberman 2005; Calder 2019). p = 2 (theta = 1) is the variational p = 2
problem, solved by ``solve_dirichlet`` as one linear system; p = inf (theta = 0) is the
infinity-Laplacian, the same solution as the variational ``p=inf``.

Speed: the sweeps run compiled (numba, one pass over each node's neighbours) and are
over-relaxed (``f += 1.7 (update - f)``) once plain sweeps slow down (their change shrinking by
less than a tenth a sweep): at p = 3 on a 50k-node kNN graph 296 sweeps instead of 1322 for
plain Gauss-Seidel; less relaxed, down to plain Gauss-Seidel again, if that stalls.
That is how this beats graphlearning's C loop, which sweeps plainly (benchmarks/
parity_graphlearning.py). A p = 2 solution as the start did not pay for itself (measured).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from numba import njit

from .. import _edges, _midrange
from ._problem import DirichletProblem, DirichletResult
from ._warnings import warn_convergence
from .nonlinear import _known_range

_MAXITER = 1000            # default sweeps at least; also 10 per unknown node
_RELAXATION_MAX = 1.7      # largest over-relaxation: at p = 3 on a 50k-node kNN graph, 296 sweeps
                           # against 517 at 1.5 and 1322 at 1 when relaxed from the first sweep
                           # (307 as switched on now; measured); 1.8 oscillates
_PROBE_SWEEPS = 4          # plain sweeps over which the rate of convergence is measured
_SLOW_RATE = 0.9           # past this rate a sweep, over-relaxing pays (quick problems, whose
                           # changes shrink faster, would only oscillate)
_PATIENCE = 10             # sweeps without a new smallest change before relaxing less


def solve(problem: DirichletProblem, signal: np.ndarray, x0: np.ndarray | None, *, p: float,
          rtol: float, maxiter: int | None, callback: Callable | None,
          weighted_midrange: bool = True) -> DirichletResult:
    """Solve the game p-Laplacian Dirichlet problem (2 < p <= inf) for the boundary values in
    ``signal`` (n, c), from ``x0`` on the unknowns (default: the mean of the known values).

    Stops when a sweep changes no value by more than ``rtol`` times the range of the known
    values (graphlearning's rule, taken absolute there). That bounds the last step, not the
    distance to the solution, which is about ``change / (1 - rate)`` for sweeps that shrink the
    error by ``rate``: close to 1 on long thin graphs, so there the result is farther off (a
    path of 50 nodes with its ends known: 4e-5 of the range from the straight line at
    ``rtol=1e-6``; of 200 nodes, the default ``maxiter`` of 10 sweeps a node is not enough;
    measured). ``weighted_midrange=False`` takes the plain ``(max + min) / 2``."""
    edges = problem.edges
    current = np.ascontiguousarray(signal.copy())
    unknown = problem.partition.unknown_nodes
    current[unknown] = signal[problem.known].mean(axis=0) if x0 is None else x0[unknown]
    scales = np.sqrt(edges.weights)
    uniform = _midrange.uniform_rows(edges.indptr, edges.weights) if weighted_midrange \
        else np.ones(edges.n, dtype=bool)
    mean_share = 0.0 if np.isinf(p) else 1.0 / (p - 1.0)
    spread = _known_range(current, problem.known)
    tolerance = rtol * spread
    maxiter = maxiter or max(_MAXITER, 10 * unknown.size)
    relaxation = _Relaxation()
    for sweep in range(1, maxiter + 1):
        change = _game_sweep(edges.indptr, edges.cols, edges.weights, scales, uniform, unknown,
                             current, mean_share, relaxation.factor)
        if callback is not None:
            callback(current)
        if change <= tolerance:
            break
        relaxation.update(change)
    success = change <= tolerance
    if not success:
        warn_convergence(
            f"solve_dirichlet: the game p-Laplacian iteration stopped after {maxiter} sweeps "
            f"with a last change of {change / spread:.2e} of the "
            f"known values' range, above rtol={rtol:g}. Raise maxiter or loosen rtol.")
    return DirichletResult(
        x=current, success=success, status=0 if success else 1, nit=sweep,
        linear_iterations=0, residual=_residual(problem, current, p, uniform),
        energy=np.nan, energies=[], eps=0.0, method="game mean-midrange iteration",
        message="converged" if success else "maximum number of sweeps reached")


class _Relaxation:
    """The over-relaxation factor of the sweeps: 1 (plain Gauss-Seidel) until the changes shrink
    by less than ``_SLOW_RATE`` a sweep, then ``_RELAXATION_MAX``; halved toward 1 whenever the
    change has not reached a new low for ``_PATIENCE`` sweeps (over-relaxation can oscillate
    around the kinks of the midrange; plain sweeps are monotone and always converge)."""

    def __init__(self) -> None:
        self.factor = 1.0
        self._changes: list[float] = []
        self._raised = False
        self._smallest, self._stalled = np.inf, 0

    def update(self, change: float) -> None:
        """Take the largest change of the last sweep."""
        self._changes.append(change)
        if change < self._smallest:
            self._smallest, self._stalled = change, 0
        else:
            self._stalled += 1
        if not self._raised and self._is_slow():
            self.factor, self._raised = _RELAXATION_MAX, True
            self._smallest, self._stalled = np.inf, 0
        elif self._stalled >= _PATIENCE and self.factor > 1.0:
            self.factor = 1.0 + (self.factor - 1.0) / 2 if self.factor > 1.1 else 1.0
            self._smallest, self._stalled = np.inf, 0

    def _is_slow(self) -> bool:
        """Whether, over the last ``_PROBE_SWEEPS`` sweeps, the change shrank by less than
        ``_SLOW_RATE`` a sweep on average."""
        if len(self._changes) <= _PROBE_SWEEPS:
            return False
        rate = (self._changes[-1] / self._changes[-1 - _PROBE_SWEEPS]) ** (1.0 / _PROBE_SWEEPS)
        return rate > _SLOW_RATE


def _residual(problem: DirichletProblem, values: np.ndarray, p: float,
              uniform: np.ndarray) -> float:
    """Largest ``|game p-Laplacian|`` over the unknown nodes."""
    out = _edges.game_p_laplacian_of(problem.edges, values, p, uniform)
    return float(np.abs(out[problem.unknown]).max(initial=0.0))


@njit(cache=True, nogil=True)
def _game_sweep(indptr, indices, weights, scales, uniform, unknown, values, mean_share,
                relaxation):  # pragma: no cover
    """One sweep of ``f(u) += relaxation * (theta mean + (1 - theta) mid - f(u))`` over the
    unknowns, node by node in place; returns the largest change.

    Per channel, one pass over the node's neighbours gathers the weighted sum and the plain
    extremes in scalars (with one channel twice as fast as gathering all channels at once
    into small arrays; with ten, 1.4 times slower: measured); rows with unequal weights then
    find their weighted midrange.
    """
    largest = 0.0
    mid_share = 1.0 - mean_share
    for u in unknown:
        start, stop = indptr[u], indptr[u + 1]
        for c in range(values.shape[1]):
            total = 0.0
            mass = 0.0
            low = np.inf
            high = -np.inf
            for e in range(start, stop):
                value = values[indices[e], c]
                total += weights[e] * value
                mass += weights[e]
                if weights[e] > 0:
                    low = min(low, value)
                    high = max(high, value)
            if uniform[u]:
                middle = (low + high) / 2.0
            else:
                middle = _midrange.node_midrange(start, stop, indices, scales, values, c, False)
            step = relaxation * (mid_share * middle + mean_share * total / mass - values[u, c])
            values[u, c] += step
            largest = max(largest, abs(step))
    return largest
