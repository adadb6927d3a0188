"""Solvers: linear SPD systems (:func:`make_solver`) and graph Dirichlet problems
(:func:`solve_dirichlet`), for any graph.

linear      ``make_solver(A, method=...)`` built once, ``.solve(b, x0=None)`` many times
            (sparse LU, Jacobi-CG, PyAMG-preconditioned CG); knows nothing of graphs or p
dirichlet   ``solve_dirichlet(W, known, values, p=...)``: checks its arguments, solves the p=2
            restriction, and hands other p to ``nonlinear``
nonlinear   the loops for p != 2 (IRLS, Newton with homotopy, Gauss-Seidel midranges), each
            step a call to ``linear`` through the checked problem of ``_problem``
game        ``solve_dirichlet(..., form="game")``: compiled sweeps of the game-theoretic
            p-Laplacian's mean-midrange mix (graphlearning's ``plaplace``)
"""

from .dirichlet import DirichletResult, solve_dirichlet
from .linear import LinearSolver, LinearSolveResult, make_solver

__all__ = ["DirichletResult", "LinearSolveResult", "LinearSolver", "make_solver",
           "solve_dirichlet"]
