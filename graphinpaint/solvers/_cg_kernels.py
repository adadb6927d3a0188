"""Compiled vector steps of the block Jacobi-CG
(:func:`graphinpaint.solvers.linear._block_jacobi_cg`).

Each fuses what NumPy does in several passes over the (n, c) iterates into one: per iteration
of the rounds' solves at 2048^2 (215k unknowns, 3 channels) numpy's updates and ``einsum``
dots took more time than the sparse product. Serial loops, in a fixed order: the same result
whatever the number of threads. They release the GIL: the pipeline solves grid fills by CG in
threads of its own beside its searches and solves.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def column_dots(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``sum_i a[i, j] * b[i, j]`` for each column j."""
    n, columns = a.shape
    out = np.zeros(columns)
    for i in range(n):
        for j in range(columns):
            out[j] += a[i, j] * b[i, j]
    return out


@njit(cache=True, nogil=True)
def step_and_precondition(x: np.ndarray, residual: np.ndarray, direction: np.ndarray,
                          product: np.ndarray, inverse_diagonal: np.ndarray, step: np.ndarray,
                          z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """In place: ``x += step * direction``, ``residual -= step * product``,
    ``z = inverse_diagonal * residual``; returns the columns' ``residual . residual`` and
    ``residual . z``."""
    n, columns = x.shape
    squares = np.zeros(columns)
    preconditioned = np.zeros(columns)
    for i in range(n):
        scale = inverse_diagonal[i]
        for j in range(columns):
            x[i, j] += step[j] * direction[i, j]
            r = residual[i, j] - step[j] * product[i, j]
            residual[i, j] = r
            z[i, j] = scale * r
            squares[j] += r * r
            preconditioned[j] += r * z[i, j]
    return squares, preconditioned


@njit(cache=True, nogil=True)
def next_direction(direction: np.ndarray, z: np.ndarray, beta: np.ndarray) -> None:
    """In place: ``direction = z + beta * direction``."""
    n, columns = direction.shape
    for i in range(n):
        for j in range(columns):
            direction[i, j] = z[i, j] + beta[j] * direction[i, j]
