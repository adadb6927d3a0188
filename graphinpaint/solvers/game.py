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

Speed (against graphlearning's C loop, which sweeps plainly from 0, one class at a time;
benchmarks/parity_graphlearning.py and examples/learning_digits.py measure both):

- Fewer sweeps: they are over-relaxed (``f += 1.7 (update - f)``) once plain sweeps slow down
  (their change shrinking by less than 5% a sweep): at p = 3 on a 50k-node kNN graph 311
  sweeps instead of graphlearning's 1444, at p = 10 446 instead of 1124; less relaxed, down to
  plain Gauss-Seidel again, if that stalls.
- Sweeps as cheap as C: compiled by numba, one pass over each node's neighbours, each channel a
  contiguous row, neighbour indices unsigned (numba then skips the negative-index wrap of each
  gather).
- Each channel (each class, in learning) sweeps and stops on its own, all in one compiled call.

On one thread, like graphlearning. Tried and left out (measured): a p = 2 solution or Laplace
learning's scores as the start, and a breadth-first order of the unknowns from the known nodes
(3-7% fewer sweeps, but slower ones: the gathers lose their locality); one channel a thread
(slower on a shared 2-core machine, see :func:`_solve_columns`).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from numba import njit

from .. import _edges, _midrange
from ._problem import DirichletProblem, DirichletResult
from ._warnings import warn_convergence
from .nonlinear import _known_range

_MAXITER = 1000            # default sweeps at least; also 10 per unknown node
_RELAXATION_MAX = 1.7      # largest over-relaxation: at p = 3 on a 50k-node kNN graph, 296 sweeps
                           # against 517 at 1.5 and 1322 at 1 when relaxed from the first sweep
                           # (311 as switched on now; measured); 1.8 oscillates
_PROBE_SWEEPS = 4          # plain sweeps over which the rate of convergence is measured
_SLOW_RATE = 0.95          # past this rate a sweep, over-relaxing pays (quick problems, whose
                           # changes shrink faster, would only oscillate): ten classes of the
                           # digits, 1-10 labels each, 349 sweeps in all against 411 at 0.9 and
                           # 557 at 0.8; the 50k-node graph 1-2% more than at 0.9 (p = 3 311,
                           # p = 10 446; measured). Relaxing from the rate, 2 / (1 + sqrt(1 -
                           # rate)), gave 342 but 499 at p = 3
_PATIENCE = 10             # sweeps without a new smallest change before relaxing less


def solve(problem: DirichletProblem, signal: np.ndarray, x0: np.ndarray | None, *, p: float,
          rtol: float, maxiter: int | None, callback: Callable | None,
          weighted_midrange: bool = True) -> DirichletResult:
    """Solve the game p-Laplacian Dirichlet problem (2 < p <= inf) of a checked ``problem``:
    :func:`iterate` on its edges."""
    return iterate(problem.edges, problem.known, signal, x0, p=p, rtol=rtol, maxiter=maxiter,
                   callback=callback, weighted_midrange=weighted_midrange)


def iterate(edges: _edges.Edges, known: np.ndarray, signal: np.ndarray, x0: np.ndarray | None,
            *, p: float, rtol: float, maxiter: int | None, callback: Callable | None,
            weighted_midrange: bool = True) -> DirichletResult:
    """Solve the game p-Laplacian Dirichlet problem (2 < p <= inf) for the boundary values in
    ``signal`` (n, c) on the ``known`` nodes, from ``x0`` on the others (default: the mean of
    the known values). The caller has checked that every group of unknown nodes has an edge of
    positive weight to a known node.

    Each channel is solved on its own, as graphlearning solves each class: it stops when a sweep
    changes none of its values by more than ``rtol`` times the range of the known values
    (graphlearning's rule, taken absolute there), the others sweep on. The rule bounds the last
    step, not the distance to the solution, which is about ``change / (1 - rate)`` for sweeps
    that shrink the error by ``rate``: close to 1 on long thin graphs, so there the result is
    farther off (a path of 50 nodes with its ends known: 4e-5 of the range from the straight
    line at ``rtol=1e-6``; of 200 nodes, the default ``maxiter`` of 10 sweeps a node is not
    enough; measured). ``weighted_midrange=False`` takes the plain ``(max + min) / 2``."""
    graph = _sweep_graph(edges, weighted_midrange)
    unknown = np.flatnonzero(~known).astype(np.uint64)
    columns = signal.T.copy()           # (c, n), one contiguous row a channel; signal untouched
    columns[:, unknown] = (signal[known].mean(axis=0)[:, None] if x0 is None
                           else x0[unknown].T)
    mean_share = 0.0 if np.isinf(p) else 1.0 / (p - 1.0)
    spread = _known_range(signal, known)
    tolerance = rtol * spread
    maxiter = maxiter or max(_MAXITER, 10 * unknown.size)
    states = _new_states(columns.shape[0])
    if callback is None:
        _solve_columns(graph, unknown, columns, mean_share, tolerance, maxiter, states)
    else:
        for sweep in range(1, maxiter + 1):       # every channel one sweep further, then call
            _solve_columns(graph, unknown, columns, mean_share, tolerance, sweep, states)
            callback(columns.T)
            if (states[:, _CHANGE] <= tolerance).all():
                break
    success = bool((states[:, _CHANGE] <= tolerance).all())
    if not success:
        warn_convergence(
            f"solve_dirichlet: the game p-Laplacian iteration stopped after {maxiter} sweeps "
            f"with a last change of {states[:, _CHANGE].max() / spread:.2e} of the "
            f"known values' range, above rtol={rtol:g}. Raise maxiter or loosen rtol.")
    residual = _largest_gap(*graph, unknown, columns, mean_share)
    return DirichletResult(
        x=np.ascontiguousarray(columns.T), success=success, status=0 if success else 1,
        nit=int(states[:, _SWEEPS].max()), linear_iterations=0,
        residual=float(residual) * (1.0 if np.isinf(p) else (p - 1.0) / p),
        energy=np.nan, energies=[], eps=0.0, method="game mean-midrange iteration",
        message="converged" if success else "maximum number of sweeps reached")


# The state of one channel's iteration, a row of floats that compiled code updates: its sweeps
# so far, last change, over-relaxation factor, whether it was raised, the smallest change since
# the factor last changed and the sweeps since then without a new smallest, and the last
# _PROBE_SWEEPS + 1 changes (a ring).
_SWEEPS, _CHANGE, _FACTOR, _RAISED, _SMALLEST, _STALLED, _RING = range(7)


def _new_states(channels: int) -> np.ndarray:
    states = np.zeros((channels, _RING + _PROBE_SWEEPS + 1))
    states[:, [_CHANGE, _SMALLEST]] = np.inf
    states[:, _FACTOR] = 1.0
    return states


class _SweepGraph(NamedTuple):
    """The graph as the sweeps read it: CSR rows without zero weights (they take no part in
    the mean or the midrange), indices as unsigned integers (numba then skips the
    negative-index wrap of every gather: sweeps 1.4 times faster on a 50k-node kNN graph,
    measured), and per node whether its midrange is the plain ``(max + min) / 2`` (equal
    weights, or ``midrange="unweighted"``)."""
    indptr: np.ndarray
    neighbours: np.ndarray
    weights: np.ndarray
    scales: np.ndarray
    plain: np.ndarray


def _sweep_graph(edges: _edges.Edges, weighted_midrange: bool) -> _SweepGraph:
    indptr, cols, weights = edges.indptr, edges.cols, edges.weights
    if (weights <= 0).any():
        rows = np.repeat(np.arange(edges.n), np.diff(indptr))
        kept = weights > 0
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows[kept], minlength=edges.n))])
        cols, weights = cols[kept], weights[kept]
    plain = _midrange.uniform_rows(indptr, weights) if weighted_midrange \
        else np.ones(edges.n, dtype=bool)
    neighbours = cols.astype(np.uint32 if edges.n < 2 ** 32 else np.uint64)
    return _SweepGraph(indptr.astype(np.uint64), neighbours, weights, np.sqrt(weights), plain)


def _solve_columns(graph: _SweepGraph, unknown: np.ndarray, columns: np.ndarray,
                   mean_share: float, tolerance: float, maxiter: int, states: np.ndarray) -> None:
    """Sweep each channel until its change is at most ``tolerance`` or it has swept
    ``maxiter`` times, one after the other.

    One thread, as graphlearning's C loop: one channel a thread (numba's ``prange``) was
    slower on this project's shared 2-core machine, 20 ms against 13 ms for the ten classes of
    scikit-learn's digits (measured; the thread that finishes first spins while the other
    waits for a core)."""
    for c in range(columns.shape[0]):
        _solve_column(*graph, unknown, columns[c], mean_share, tolerance, maxiter, states[c])


@njit(cache=True, nogil=True)
def _solve_column(indptr, neighbours, weights, scales, plain, unknown, column, mean_share,
                  tolerance, maxiter, state):  # pragma: no cover
    """Sweeps of one channel until a change is at most ``tolerance`` or ``state`` counts
    ``maxiter`` sweeps, over-relaxed as :func:`_relax` says."""
    while state[_SWEEPS] < maxiter and state[_CHANGE] > tolerance:
        change = _sweep_column(indptr, neighbours, weights, scales, plain, unknown, column,
                               mean_share, state[_FACTOR])
        state[_SWEEPS] += 1
        state[_CHANGE] = change
        if change > tolerance:
            _relax(state, change)


@njit(cache=True, nogil=True)
def _relax(state, change):  # pragma: no cover
    """Update the over-relaxation factor after a sweep that changed values by ``change``: 1
    (plain Gauss-Seidel) until the changes shrink by less than ``_SLOW_RATE`` a sweep over the
    last ``_PROBE_SWEEPS``, then ``_RELAXATION_MAX``; halved toward 1 whenever the change has
    not reached a new low for ``_PATIENCE`` sweeps (over-relaxation can oscillate around the
    kinks of the midrange; plain sweeps are monotone and always converge)."""
    ring = _PROBE_SWEEPS + 1
    sweeps = int(state[_SWEEPS])
    state[_RING + (sweeps - 1) % ring] = change
    if change < state[_SMALLEST]:
        state[_SMALLEST] = change
        state[_STALLED] = 0.0
    else:
        state[_STALLED] += 1.0
    if state[_RAISED] == 0.0 and sweeps > _PROBE_SWEEPS and \
            (change / state[_RING + sweeps % ring]) ** (1.0 / _PROBE_SWEEPS) > _SLOW_RATE:
        state[_FACTOR] = _RELAXATION_MAX
        state[_RAISED] = 1.0
        state[_SMALLEST] = np.inf
        state[_STALLED] = 0.0
    elif state[_STALLED] >= _PATIENCE and state[_FACTOR] > 1.0:
        factor = state[_FACTOR]
        state[_FACTOR] = 1.0 + (factor - 1.0) / 2.0 if factor > 1.1 else 1.0
        state[_SMALLEST] = np.inf
        state[_STALLED] = 0.0


@njit(cache=True, nogil=True)
def _sweep_column(indptr, neighbours, weights, scales, plain, unknown, column, mean_share,
                  relaxation, write=True):  # pragma: no cover
    """One sweep of ``f(u) += relaxation * (theta mean + (1 - theta) mid - f(u))`` over the
    unknowns of one channel, node by node in place; returns the largest change. With
    ``write=False`` it changes nothing: at ``relaxation=1`` it returns the largest gap, the
    residual.

    One pass over a node's neighbours gathers the weighted sum and the plain extremes (a
    second, only for a weighted midrange of unequal weights). The loop is written out here:
    as a function of its own, called per node, or with a second loop for equal weights, numba
    compiled the sweep three to four times slower (measured).
    """
    largest = 0.0
    for u in unknown:
        start, stop = indptr[u], indptr[u + 1]
        total = 0.0
        mass = 0.0
        low = np.inf
        high = -np.inf
        for e in range(start, stop):
            value = column[neighbours[e]]
            total += weights[e] * value
            mass += weights[e]
            low = min(low, value)
            high = max(high, value)
        if plain[u]:
            middle = (low + high) / 2.0
        else:
            middle = _midrange.node_midrange(start, stop, neighbours, scales, column, False)
        step = relaxation * (mean_share * total / mass + (1.0 - mean_share) * middle
                             - column[u])
        if write:
            column[u] += step
        largest = max(largest, abs(step))
    return largest


@njit(cache=True, nogil=True)
def _largest_gap(indptr, neighbours, weights, scales, plain, unknown, columns,
                 mean_share):  # pragma: no cover
    """The largest ``|theta mean + (1 - theta) mid - f|`` over the unknowns and channels:
    ``(p - 1) / p`` of the largest game p-Laplacian there."""
    largest = 0.0
    for c in range(columns.shape[0]):
        largest = max(largest, _sweep_column(indptr, neighbours, weights, scales, plain,
                                             unknown, columns[c], mean_share, 1.0, False))
    return largest
