"""Sparse symmetric positive definite solvers, built once and applied to many right-hand sides.

``make_solver(A, method=...)`` prepares the work that does not depend on the right-hand side
(a sparse LU factorisation, a Jacobi preconditioner, or a PyAMG smoothed-aggregation hierarchy);
``.solve(b, x0=None)`` then solves for every column of ``b`` (every colour channel, every
nonlinear step) and returns a :class:`LinearSolveResult`.

Stopping rule of the iterative methods (SciPy's): ``norm(b - A x) <= max(rtol * norm(b), atol)``.
This module knows nothing of graphs or of p.
"""

from __future__ import annotations

import warnings
from typing import Callable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.optimize import OptimizeResult

from .._validation import ConvergenceWarning, InpaintError, check_choice, check_float, check_int

__all__ = ["LinearSolveResult", "LinearSolver", "make_solver"]

# "auto" factorises systems up to this size, or grid-like ones (few entries per row) up to the
# larger size: LU fill-in is mild there (a 40k-unknown non-local Laplacian took 33-41 s to factor,
# the grid Laplacian of the same size 0.1 s).
_DIRECT_MAX = 5_000
_DIRECT_MAX_GRID = 400_000
_GRID_ROW_NNZ = 5
# "auto" takes Jacobi-CG for rows this diagonally dominant (median): Dirichlet blocks whose
# unknowns mostly link to known nodes, as in the pipeline's solves.
_DOMINANT_MARGIN = 0.5


class LinearSolveResult(OptimizeResult):
    """Result of :meth:`LinearSolver.solve`, in the manner of :class:`scipy.optimize.OptimizeResult`.

    Attributes
    ----------
    x : ndarray, shape (n,) or (n, c)
        The solution, shaped like ``b``.
    success : bool
        Whether every column met the tolerance.
    status : int
        0 on success, 1 when an iterative method hit ``maxiter``.
    nit : ndarray of int, shape (c,)
        Iterations per column (0 for the direct method).
    residual : ndarray, shape (c,)
        ``norm(b - A x)`` per column.
    method : str
        The method used (after "auto" was resolved and any fallback).
    message : str
    """


class LinearSolver:
    """A prepared solver for ``A x = b``; make it with :func:`make_solver`."""

    def __init__(self, matrix: sp.csr_matrix, method: str, rtol: float, atol: float,
                 maxiter: int | None, callback: Callable[[np.ndarray], None] | None) -> None:
        self.matrix = matrix
        self.method = method
        self.rtol, self.atol, self.maxiter, self.callback = rtol, atol, maxiter, callback
        self._lu = None
        self._preconditioner = None
        self._prepare()

    def _prepare(self) -> None:
        if self.method == "direct":
            self._lu = spla.splu(self.matrix.tocsc())
        elif self.method == "cg":
            self._preconditioner = _jacobi(self.matrix)
        else:
            self._preconditioner = _amg_preconditioner(self.matrix)

    def solve(self, b: np.ndarray, x0: np.ndarray | None = None) -> LinearSolveResult:
        """Solve for every column of ``b``.

        Parameters
        ----------
        b : ndarray, shape (n,) or (n, c)
        x0 : ndarray, shape like ``b``, optional
            Starting guess of the iterative methods (ignored by "direct").

        Returns
        -------
        LinearSolveResult
        """
        b = np.asarray(b, dtype=np.float64)
        n = self.matrix.shape[0]
        if b.shape[0] != n or b.ndim not in (1, 2):
            raise InpaintError(
                f"The right-hand side must have shape ({n},) or ({n}, c). Got {b.shape}."
            )
        columns = b.reshape(n, -1)
        starts = None if x0 is None else np.asarray(x0, dtype=np.float64).reshape(n, -1)
        if self.method == "direct":
            x = self._lu.solve(columns)
            nit = np.zeros(columns.shape[1], dtype=int)
            method = "direct"
        else:
            x, nit, method = self._solve_iteratively(columns, starts)
        residual = np.linalg.norm(columns - self.matrix @ x, axis=0)
        bound = np.maximum(self.rtol * np.linalg.norm(columns, axis=0), self.atol)
        # The direct method is exact up to rounding: judge it only by a loose bound.
        success = bool(np.all(residual <= (bound if method != "direct" else
                                           np.maximum(bound, 1e-8 * np.abs(columns).max()))))
        if not success:
            warnings.warn(
                f"The {method!r} solver stopped at a relative residual of "
                f"{(residual / np.maximum(np.linalg.norm(columns, axis=0), 1e-300)).max():.2e} "
                f"after {int(nit.max())} iterations, above rtol={self.rtol:g}. Raise maxiter, "
                "loosen rtol, or try method='direct' or 'amg'.",
                ConvergenceWarning, stacklevel=2)
        return LinearSolveResult(
            x=x.reshape(b.shape), success=success, status=0 if success else 1, nit=nit,
            residual=residual, method=method,
            message="converged" if success else "maximum number of iterations reached")

    def _solve_iteratively(self, columns: np.ndarray, starts: np.ndarray | None
                           ) -> tuple[np.ndarray, np.ndarray, str]:
        x = np.empty_like(columns)
        nit = np.zeros(columns.shape[1], dtype=int)
        method = self.method
        for j in range(columns.shape[1]):
            start = None if starts is None else starts[:, j]
            x[:, j], nit[j], ok = self._cg(columns[:, j], start, self._preconditioner)
            if not ok and method == "amg":
                # PyAMG's preconditioner can turn indefinite on large image graphs: fall back.
                warnings.warn("The AMG preconditioner failed; falling back to Jacobi-CG.",
                              ConvergenceWarning, stacklevel=3)
                method = "cg"
                self._preconditioner = _jacobi(self.matrix)
                x[:, j], nit[j], ok = self._cg(columns[:, j], start, self._preconditioner)
        return x, nit, method

    def _cg(self, b: np.ndarray, x0: np.ndarray | None,
            preconditioner: spla.LinearOperator) -> tuple[np.ndarray, int, bool]:
        iterations = 0

        def count(xk: np.ndarray) -> None:
            nonlocal iterations
            iterations += 1
            if self.callback is not None:
                self.callback(xk)

        x, info = spla.cg(self.matrix, b, x0=x0, rtol=self.rtol, atol=self.atol,
                          maxiter=self.maxiter, M=preconditioner, callback=count)
        return x, iterations, info == 0 and np.all(np.isfinite(x))


def make_solver(matrix: sp.spmatrix, *, method: str = "auto", rtol: float = 1e-6,
                atol: float = 0.0, maxiter: int | None = None,
                callback: Callable[[np.ndarray], None] | None = None) -> LinearSolver:
    """Prepare a solver for the sparse symmetric positive definite system ``A x = b``.

    Parameters
    ----------
    matrix : scipy.sparse matrix, shape (n, n)
        Symmetric positive definite.
    method : {"auto", "direct", "cg", "amg"}, default "auto"
        ``"direct"``: sparse LU (SuperLU), factorised once. ``"cg"``: conjugate gradient with a
        Jacobi (diagonal) preconditioner. ``"amg"``: conjugate gradient preconditioned by a
        PyAMG smoothed-aggregation hierarchy, built once; falls back to ``"cg"`` if it fails.
        ``"auto"``: direct for small or grid-like systems (LU fills in badly on non-local graphs),
        Jacobi-CG otherwise (AMG pays on grid-like graphs, not on expander-like non-local ones).
    rtol, atol : float
        Stopping rule ``norm(b - A x) <= max(rtol * norm(b), atol)``.
    maxiter : int, optional
        Iteration cap of the iterative methods (SciPy's default: 10 n).
    callback : callable, optional
        Called as ``callback(xk)`` after each iteration.

    Returns
    -------
    LinearSolver
        Call ``.solve(b, x0=None)`` as often as needed.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> A = sp.csr_matrix(np.array([[2.0, -1.0], [-1.0, 2.0]]))
    >>> result = make_solver(A, method="cg").solve(np.array([1.0, 1.0]))
    >>> result.x.round(6), result.success
    (array([1., 1.]), True)
    """
    func = "make_solver"
    check_choice(method, "method", func, ("auto", "direct", "cg", "amg"))
    rtol = check_float(rtol, "rtol", func, low=0.0)
    atol = check_float(atol, "atol", func, low=0.0)
    if maxiter is not None:
        maxiter = check_int(maxiter, "maxiter", func, low=1)
    if not sp.issparse(matrix) or matrix.shape[0] != matrix.shape[1]:
        raise InpaintError(
            f"The matrix given to {func} must be a square scipy.sparse matrix. Got "
            f"{type(matrix).__name__} of shape {getattr(matrix, 'shape', None)}."
        )
    matrix = sp.csr_matrix(matrix, dtype=np.float64)
    if method == "auto":
        method = _choose_method(matrix)
    return LinearSolver(matrix, method, rtol, atol, maxiter, callback)


def _choose_method(matrix: sp.csr_matrix) -> str:
    n = matrix.shape[0]
    if n <= _DIRECT_MAX:
        return "direct"
    if _dominance(matrix) >= _DOMINANT_MARGIN:
        return "cg"      # Jacobi-CG converges in a few iterations, faster than any factorisation
    grid_like = matrix.nnz <= _GRID_ROW_NNZ * n
    return "direct" if grid_like and n <= _DIRECT_MAX_GRID else "cg"


def _dominance(matrix: sp.csr_matrix) -> float:
    """Median over rows of (|a_ii| - sum_j!=i |a_ij|) / |a_ii|: near 1, Jacobi is nearly exact."""
    diagonal = np.abs(matrix.diagonal())
    off = np.asarray(abs(matrix).sum(axis=1)).ravel() - diagonal
    with np.errstate(divide="ignore", invalid="ignore"):
        margin = np.where(diagonal > 0, (diagonal - off) / diagonal, -np.inf)
    return float(np.median(margin))


def _jacobi(matrix: sp.csr_matrix) -> spla.LinearOperator:
    diagonal = matrix.diagonal()
    inverse = np.where(diagonal > 0, 1.0 / np.where(diagonal > 0, diagonal, 1.0), 1.0)
    return spla.LinearOperator(matrix.shape, matvec=lambda v: inverse * v.ravel(),
                               dtype=np.float64)


def _amg_preconditioner(matrix: sp.csr_matrix) -> spla.LinearOperator:
    try:
        import pyamg
    except ImportError as error:  # pragma: no cover - pyamg is a core dependency
        raise ImportError("method='amg' needs pyamg: install it with 'pip install pyamg'.") \
            from error
    return pyamg.smoothed_aggregation_solver(matrix).aspreconditioner(cycle="V")
