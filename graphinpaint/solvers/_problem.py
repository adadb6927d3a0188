"""What every Dirichlet solver shares: the checked graph split into unknown and known nodes, the
linear solve with any edge weights on that graph, and the result object."""

from __future__ import annotations

import functools
from typing import Callable, NamedTuple

import numpy as np
import scipy.sparse as sp

from .. import _edges
from ._result import SolverResult
from .linear import LinearSolveResult, _solver_of_symmetric


class DirichletResult(SolverResult):
    """Result of :func:`~graphinpaint.solvers.solve_dirichlet` with ``return_result=True``.

    Attributes
    ----------
    x : ndarray, shape (n,) or (n, c)
        The solution on all nodes (known nodes keep their values).
    success : bool
        Whether the method met its tolerance.
    status : int
        0 on success, 1 otherwise.
    nit : int
        Nonlinear steps (sweeps for p = inf); 1 for p = 2.
    linear_iterations : int
        Iterations of the inner linear solver (CG), summed over channels and steps.
    residual : float
        p = 2: the relative residual of the linear system, ``norm(b - L_AA u) / norm(b)`` with
        ``b = W_AB g_B``, largest over channels. Other p: the largest ``|Delta_p f|`` over the
        unknown nodes (:func:`graphinpaint.operators.dirichlet_residual`, smoothed by ``eps``
        for 1 <= p < inf), in the units of the data.
    energy : float
        p-Dirichlet energy of the solution (smoothed by ``eps`` where the method smooths; the
        Lipschitz constant for p = inf). For p = 2 it is computed on first access (a pass over
        every edge that the pipeline never needs), from the solution as it was returned.
    energies : list of float
        IRLS: the smoothed energy at the start of the last stage (the one at ``eps``) and after
        each of its steps, never rising. Newton: the energy at the end of each homotopy stage.
        Empty for p = 2 and p = inf.
    eps : float
        The smoothing used (0 for p = 2 and p = inf).
    method : str
    message : str
    """

    def __init__(self, *args, energy_of: Callable[[], float] | None = None, **fields) -> None:
        super().__init__(*args, **fields)
        # Kept out of the dict's items (repr, keys) and computed by __missing__ when asked for.
        object.__setattr__(self, "_energy_of", energy_of)

    def __missing__(self, key: str):
        energy_of = self.__dict__.get("_energy_of")
        if key != "energy" or energy_of is None:
            raise KeyError(key)
        self["energy"] = energy = energy_of()
        object.__setattr__(self, "_energy_of", None)
        return energy

    def __getstate__(self) -> dict:
        # A pickle or copy carries the energy itself, not the closure over the problem.
        if self.__dict__.get("_energy_of") is not None:
            self["energy"]
        return {"_energy_of": None}


class DirichletProblem:
    """The graph split into unknown nodes A and known nodes B, with its linear solver options.

    Checked once by ``solve_dirichlet``; the nonlinear solvers then ask it for p=2 solves with
    their own edge weights (:meth:`solve_linear`) without re-checking or re-indexing the graph.
    """

    def __init__(self, weights, known: np.ndarray, *, method: str, atol: float) -> None:
        self.weights = weights
        self.known = known
        self.unknown = ~known
        self.method = method
        self.atol = atol

    @functools.cached_property
    def edges(self) -> _edges.Edges:
        """Both directions of every edge, for the nonlinear solvers, the game and the energies;
        made on first use: a p = 2 solve needs only :attr:`blocks` (at 12M edges the row array
        alone is 94 MB)."""
        return _edges.edge_list(self.weights)

    @functools.cached_property
    def partition(self) -> _edges.Partition:
        """The edge arrays split by A and B, for blocks of other edge weights (nonlinear steps);
        made on first use: a p = 2 solve takes :attr:`blocks`."""
        return _edges.Partition(self.edges, self.known)

    @functools.cached_property
    def blocks(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """``(L_AA, W_AB)`` of the graph's own weights, made once for the check that every
        unknown group reaches B and for the linear solve."""
        return _edges.dirichlet_blocks_of(self.weights, self.known)

    @functools.cached_property
    def edge_pairs(self) -> "_EdgePairs | None":
        """Each undirected edge once, with the position of its reverse; None when the stored
        structure is not symmetric (an explicit zero on one side only)."""
        edges = self.edges
        numbered = sp.csr_matrix((np.arange(edges.rows.size, dtype=np.float64), edges.cols,
                                  edges.indptr), shape=(edges.n, edges.n))
        transposed = numbered.T.tocsr()
        if not (np.array_equal(transposed.indptr, edges.indptr)
                and np.array_equal(transposed.indices, edges.cols)):
            return None
        # Same structure: position k of the transpose holds the edge reverse to position k.
        reverse = transposed.data.astype(np.int64)
        return _EdgePairs(first=np.flatnonzero(edges.rows < edges.cols),
                          loops=np.flatnonzero(edges.rows == edges.cols), reverse=reverse)

    @functools.cached_property
    def energy_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """The edges an anisotropic energy sums, with their multiplicities: each undirected
        edge once, counted twice (half the arithmetic), when the structure is symmetric."""
        pairs = self.edge_pairs
        if pairs is None:
            count = self.edges.rows.size
            return np.arange(count), np.ones(count)
        return (np.concatenate([pairs.first, pairs.loops]),
                np.concatenate([np.full(pairs.first.size, 2.0), np.ones(pairs.loops.size)]))

    def solve_linear(self, values: np.ndarray, edge_weights: np.ndarray | None = None, *,
                     x0: np.ndarray | None, rtol: float, maxiter: int | None = None,
                     callback: Callable | None = None) -> tuple[np.ndarray, LinearSolveResult]:
        """Solve ``L_AA u_A = W_AB g_B`` for the given edge weights (default: the graph's).

        Returns the full signal (``values`` on B, the solution on A) and the linear result.
        """
        l_aa, w_ab = self.blocks if edge_weights is None else self.partition.blocks(edge_weights)
        # L_AA of checked symmetric weights is symmetric by construction, and solve_dirichlet
        # checked the options.
        solver = _solver_of_symmetric(l_aa, self.method, rtol=rtol, atol=self.atol,
                                      maxiter=maxiter, callback=callback)
        rhs = w_ab @ values[self.known]
        linear = solver.solve(rhs, x0=None if x0 is None else x0[self.unknown])
        solution = values.copy()
        solution[self.unknown] = linear.x
        linear.relative_residual = _relative(linear.residual, np.linalg.norm(rhs, axis=0))
        return solution, linear

    def residual(self, values: np.ndarray, p: float, form: str, eps: float) -> float:
        """Largest ``|Delta_p f|`` over the unknown nodes."""
        out = _edges.dirichlet_residual_of(self.edges, self.known, values, p, form, eps)
        return float(np.abs(out).max(initial=0.0))

    def energy(self, values: np.ndarray, p: float, form: str, eps: float) -> float:
        return _edges.p_energy_of(self.edges, values, p, form, eps)


class _EdgePairs(NamedTuple):
    first: np.ndarray      # positions of the edges (u, v) with u < v
    loops: np.ndarray      # positions of the edges (u, u)
    reverse: np.ndarray    # reverse[e] is the position of the edge (v, u) for e = (u, v)


def _relative(residual: np.ndarray, norms: np.ndarray) -> float:
    """Largest relative residual; a zero right-hand side is judged by the absolute residual."""
    return float(np.max(np.where(norms > 0, residual / np.where(norms > 0, norms, 1.0),
                                 residual), initial=0.0))
