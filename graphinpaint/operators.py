"""Operators on weighted graphs: Laplacians, Dirichlet blocks, p-Laplacians, gradients, energies.

Conventions: ``W`` is an (n, n) scipy.sparse matrix of non-negative, symmetric weights; a signal
``f`` is (n,) or (n, c). For a node ``u`` with neighbours ``v``:

=====================================  ====================================================
operator                               formula
=====================================  ====================================================
:func:`laplacian`                      ``L = D - W``, ``D = diag(sum_v w(u, v))``
:func:`gradient_norm`                  ``|grad_w f(u)| = sqrt(sum_v w(u,v) (f(v) - f(u))**2)``
:func:`p_laplacian` (anisotropic)      ``sum_v w(u,v) |f(v) - f(u)|**(p-2) (f(v) - f(u))``
:func:`p_laplacian` (isotropic)        ``sum_v w(u,v) (|grad f(u)|**(p-2) + |grad f(v)|**(p-2))/2 (f(v)-f(u))``
:func:`infinity_laplacian`             ``max_v sqrt(w) (f(v)-f(u)) + min_v sqrt(w) (f(v)-f(u))``
:func:`game_p_laplacian`               ``(1/p) Delta_2 f / d(u) + (1 - 2/p) Delta_inf f``
:func:`p_energy` (anisotropic)         ``1/(2p) sum_u sum_v w(u,v) |f(v) - f(u)|**p``
:func:`p_energy` (isotropic)           ``1/(2p) sum_u |grad_w f(u)|**p``
=====================================  ====================================================

The p-Laplacians carry the sign of ``-L`` (``Delta_{w,2} f = -L f``), so a solution of the
Dirichlet problem makes them vanish on the unknown nodes. Works on any graph: images, point
clouds, meshes; knows nothing of images.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._validation import InpaintError, check_choice, check_float

__all__ = [
    "degree",
    "dirichlet_blocks",
    "game_p_laplacian",
    "gradient_norm",
    "infinity_laplacian",
    "laplacian",
    "p_energy",
    "p_laplacian",
]


def degree(weights: sp.spmatrix) -> np.ndarray:
    """Weighted degree ``d(u) = sum_v w(u, v)`` of every node.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> degree(sp.csr_matrix(np.array([[0, 2.0], [2.0, 0]])))
    array([2., 2.])
    """
    return np.asarray(_checked_weights(weights, "degree").sum(axis=1)).ravel()


def laplacian(weights: sp.spmatrix) -> sp.csr_matrix:
    """Combinatorial graph Laplacian ``L = D - W`` (rows sum to zero).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> laplacian(sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))).toarray()
    array([[ 1., -1.],
           [-1.,  1.]])
    """
    weights = _checked_weights(weights, "laplacian")
    return sp.csr_matrix(sp.diags(np.asarray(weights.sum(axis=1)).ravel()) - weights)


def dirichlet_blocks(weights: sp.spmatrix, known: np.ndarray
                     ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """The blocks ``(L_AA, W_AB)`` of the Dirichlet problem for unknown nodes A and known B.

    With ``L = D - W`` split by the partition, the p=2 Dirichlet problem ``(L f)_A = 0``,
    ``f_B = g`` reads ``L_AA u_A = W_AB g_B``.

    Parameters
    ----------
    weights : scipy.sparse matrix, shape (n, n)
    known : ndarray of bool, shape (n,)
        True for the known nodes B.

    Returns
    -------
    L_AA : scipy.sparse.csr_matrix, shape (|A|, |A|)
    W_AB : scipy.sparse.csr_matrix, shape (|A|, |B|)

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]]))
    >>> L_AA, W_AB = dirichlet_blocks(W, np.array([True, False, True]))
    >>> L_AA.toarray(), W_AB.toarray()
    (array([[2.]]), array([[1., 1.]]))
    """
    weights = _checked_weights(weights, "dirichlet_blocks")
    known = np.asarray(known, dtype=bool)
    if known.shape != (weights.shape[0],):
        raise InpaintError(
            f"The 'known' parameter of dirichlet_blocks must be a boolean array of shape "
            f"({weights.shape[0]},). Got {known.shape}."
        )
    unknown_rows = weights[~known]
    degree_a = np.asarray(unknown_rows.sum(axis=1)).ravel()
    l_aa = sp.csr_matrix(sp.diags(degree_a) - unknown_rows[:, ~known])
    return l_aa, sp.csr_matrix(unknown_rows[:, known])


def gradient_norm(weights: sp.spmatrix, signal: np.ndarray) -> np.ndarray:
    """Norm of the weighted gradient, ``sqrt(sum_v w(u,v) ||f(v) - f(u)||**2)`` per node.

    For a multichannel signal the channels are summed inside the root.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 4.0], [4.0, 0]]))
    >>> gradient_norm(W, np.array([0.0, 1.0]))
    array([2., 2.])
    """
    weights = _checked_weights(weights, "gradient_norm")
    rows, cols, w = _edges(weights)
    diff = _columns(signal)[cols] - _columns(signal)[rows]
    squared = np.bincount(rows, w * (diff ** 2).sum(axis=1), minlength=weights.shape[0])
    return np.sqrt(squared)


def p_laplacian(weights: sp.spmatrix, signal: np.ndarray, p: float, *,
                form: str = "anisotropic", eps: float = 0.0) -> np.ndarray:
    """Graph p-Laplacian of a signal, per node (and channel).

    Parameters
    ----------
    weights : scipy.sparse matrix, shape (n, n)
    signal : ndarray, shape (n,) or (n, c)
    p : float >= 1
    form : {"anisotropic", "isotropic"}
        See the module's table of formulas. For ``p = 2`` both give ``-L f``. The isotropic form
        is the variational one of Elmoataz, Lezoray and Bougleux (2008): the gradient of the
        isotropic energy, with the factor ``|grad f|**(p-2)`` of both ends of each edge (DESIGN.md's
        shorter form keeps only ``u``'s factor, which is not the gradient of any energy).
        A multichannel signal is taken channel by channel in the anisotropic form; the
        isotropic form couples the channels through the gradient norm.
    eps : float, default 0
        Smoothing: ``|x|`` is replaced by ``sqrt(x**2 + eps**2)`` inside the power, which keeps
        ``p < 2`` finite where neighbours agree.

    Returns
    -------
    ndarray, shape like ``signal``

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]]))
    >>> p_laplacian(W, np.array([0.0, 1.0, 4.0]), p=3)
    array([ 1.,  8., -9.])
    """
    weights = _checked_weights(weights, "p_laplacian")
    p = check_float(p, "p", "p_laplacian", low=1.0)
    check_choice(form, "form", "p_laplacian", ("anisotropic", "isotropic"))
    values = _columns(signal)
    rows, cols, w = _edges(weights)
    diff = values[cols] - values[rows]
    if form == "anisotropic":
        factor = _smoothed_power(np.abs(diff), p - 2, eps)
        out = _scatter_rows(rows, w[:, None] * factor * diff, weights.shape[0])
    else:
        factor = _smoothed_power(gradient_norm(weights, signal), p - 2, eps)
        edge = w * (factor[rows] + factor[cols]) / 2.0
        out = _scatter_rows(rows, edge[:, None] * diff, weights.shape[0])
    return out.reshape(np.shape(signal))


def infinity_laplacian(weights: sp.spmatrix, signal: np.ndarray) -> np.ndarray:
    """Graph infinity-Laplacian: the largest plus the smallest weighted difference at each node.

    ``Delta_inf f(u) = max_v sqrt(w(u,v)) (f(v) - f(u)) + min_v sqrt(w(u,v)) (f(v) - f(u))``;
    it vanishes where ``f(u)`` is the (weighted) midrange of its neighbours. Nodes without
    neighbours get 0.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 1.0], [1.0, 0, 0], [1.0, 0, 0]]))
    >>> infinity_laplacian(W, np.array([0.0, 1.0, 3.0]))
    array([ 4., -2., -6.])
    """
    weights = _checked_weights(weights, "infinity_laplacian")
    values = _columns(signal)
    rows, cols, w = _edges(weights)
    scaled = np.sqrt(w)[:, None] * (values[cols] - values[rows])
    n = weights.shape[0]
    upper = np.full((n, values.shape[1]), -np.inf)
    lower = np.full((n, values.shape[1]), np.inf)
    np.maximum.at(upper, rows, scaled)
    np.minimum.at(lower, rows, scaled)
    out = np.where(np.isfinite(upper), upper + lower, 0.0)
    return out.reshape(np.shape(signal))


def game_p_laplacian(weights: sp.spmatrix, signal: np.ndarray, p: float) -> np.ndarray:
    """Game-theoretic (normalised) p-Laplacian: ``(1/p) Delta_2 f / d(u) + (1 - 2/p) Delta_inf f``.

    The mix of the random-walk 2-Laplacian (a weighted mean minus ``f(u)``) and the
    infinity-Laplacian from tug-of-war games with noise; not the variational p-Laplacian of
    :func:`p_laplacian` (graphlearning's ``plaplace`` is this one). ``p = inf`` gives the
    infinity-Laplacian, ``p = 2`` the normalised 2-Laplacian / 2.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 1.0], [1.0, 0, 0], [1.0, 0, 0]]))
    >>> game_p_laplacian(W, np.array([0.0, 1.0, 3.0]), p=2)
    array([ 1. , -0.5, -1.5])
    """
    p = check_float(p, "p", "game_p_laplacian", low=1.0, high=np.inf)
    weights = _checked_weights(weights, "game_p_laplacian")
    deg = np.asarray(weights.sum(axis=1)).ravel()
    values = _columns(signal)
    mean_term = -(laplacian(weights) @ values) / np.where(deg > 0, deg, 1.0)[:, None]
    inf_term = _columns(infinity_laplacian(weights, signal))
    out = (0.0 if np.isinf(p) else 1.0 / p) * mean_term + (1.0 - 2.0 / p) * inf_term
    return out.reshape(np.shape(signal))


def p_energy(weights: sp.spmatrix, signal: np.ndarray, p: float, *,
             form: str = "anisotropic", eps: float = 0.0) -> float:
    """p-Dirichlet energy of a signal, whose minimisers solve the Dirichlet problem.

    Anisotropic: ``1/(2p) sum_u sum_v w(u,v) |f(v) - f(u)|**p`` (each edge counted from both
    ends); isotropic: ``1/(2p) sum_u |grad_w f(u)|**p``. With these constants both forms agree
    at p=2 and :func:`p_laplacian` is minus the gradient of the energy. With ``eps`` the magnitudes are smoothed
    to ``sqrt(x**2 + eps**2)``. For ``p = inf`` the energy is the largest weighted difference
    ``max sqrt(w) |f(v) - f(u)|`` (a Lipschitz constant).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
    >>> p_energy(W, np.array([0.0, 2.0]), p=2)
    2.0
    """
    weights = _checked_weights(weights, "p_energy")
    p = check_float(p, "p", "p_energy", low=1.0, high=np.inf)
    check_choice(form, "form", "p_energy", ("anisotropic", "isotropic"))
    values = _columns(signal)
    rows, cols, w = _edges(weights)
    diff = values[cols] - values[rows]
    if np.isinf(p):
        return float(np.max(np.sqrt(w)[:, None] * np.abs(diff), initial=0.0))
    if form == "anisotropic":
        magnitude = np.sqrt(diff ** 2 + eps ** 2)
        return float((w[:, None] * magnitude ** p).sum() / (2.0 * p))
    grad = np.sqrt(gradient_norm(weights, signal) ** 2 + eps ** 2)
    return float((grad ** p).sum() / (2.0 * p))


# --- helpers ------------------------------------------------------------------------------------

def _checked_weights(weights: sp.spmatrix, func: str) -> sp.csr_matrix:
    if not sp.issparse(weights):
        raise InpaintError(
            f"The 'weights' parameter of {func} must be a scipy.sparse matrix. Got "
            f"{type(weights).__name__}."
        )
    if weights.shape[0] != weights.shape[1]:
        raise InpaintError(
            f"The 'weights' parameter of {func} must be square. Got shape {weights.shape}."
        )
    return sp.csr_matrix(weights, dtype=np.float64)


def _edges(weights: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    coo = weights.tocoo()
    return coo.row, coo.col, coo.data


def _columns(signal: np.ndarray) -> np.ndarray:
    signal = np.asarray(signal, dtype=np.float64)
    return signal[:, None] if signal.ndim == 1 else signal


def _scatter_rows(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, values.shape[1]))
    np.add.at(out, rows, values)
    return out


def _smoothed_power(magnitude: np.ndarray, exponent: float, eps: float) -> np.ndarray:
    """``(magnitude**2 + eps**2)**(exponent/2)``, with 0**negative read as 0 (no edge pull)."""
    smoothed = np.sqrt(magnitude ** 2 + eps ** 2)
    if exponent >= 0:
        return smoothed ** exponent
    with np.errstate(divide="ignore"):
        return np.where(smoothed > 0, smoothed ** exponent, 0.0)
