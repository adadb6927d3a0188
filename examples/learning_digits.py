"""Semi-supervised learning on scikit-learn's handwritten digits, beside graphlearning.

1797 images of 8x8 pixels (bundled with scikit-learn: no download) become the nodes of one
kNN graph (k = 10, self-tuning Gaussian weights, made with graphinpaint). A few images per
class keep their label; every other image is classified by:

* Laplace learning (:func:`graphinpaint.learning.laplace_learning`; graphlearning's
  ``ssl.laplace``),
* Poisson learning (:func:`graphinpaint.learning.poisson_learning`; ``ssl.poisson``),
* game p-Laplace learning at p = 10 with the plain midrange
  (:func:`graphinpaint.learning.p_laplace_learning` with ``midrange="unweighted"``;
  ``ssl.plaplace``, whose default ``fast=True`` takes the plain midrange).

For 1, 2, 5 and 10 labels per class the script prints a markdown table of the accuracy on the
unlabelled images (mean over ``--trials`` random draws of the labels, the same draws for both
packages) and the mean time of each method. graphlearning is optional (``pip install
graphlearning``, in the ``bench`` extra): without it, or with ``--peer none``, its columns are
left out.

Usage::

    python examples/learning_digits.py
    python examples/learning_digits.py --rates 1 5 --trials 20
    python examples/learning_digits.py --subset 400 --peer none
"""

from __future__ import annotations

import argparse
import time
from typing import Callable

import numpy as np
import scipy.sparse as sp

import graphinpaint as gi

P = 10.0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    points, truth = _digits(args.subset)
    weights = _knn_weights(points, args.k)
    peer = _graphlearning() if args.peer == "graphlearning" else None
    methods = _methods(peer)
    _warm_up(weights, truth, methods)
    rng = np.random.default_rng(args.seed)
    rows = []
    for rate in args.rates:
        draws = [_draw_labels(truth, rate, rng) for _ in range(args.trials)]
        for name, runners in methods.items():
            scores = {package: _score(run, weights, truth, draws)
                      for package, run in runners.items()}
            rows.append((rate, name, scores))
    print(f"{len(truth)} digits, kNN graph k={args.k}, {args.trials} draw(s) of the labels per "
          f"rate; accuracy on the unlabelled digits (mean time per run)\n")
    print(_table(rows, list(next(iter(methods.values())))))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[1, 2, 5, 10],
                        help="labels per class (default: %(default)s)")
    parser.add_argument("--trials", type=int, default=10,
                        help="random draws of the labels per rate (default: %(default)s)")
    parser.add_argument("--k", type=int, default=10, help="neighbours (default: %(default)s)")
    parser.add_argument("--subset", type=int, default=None,
                        help="use only the first N digits (quick runs)")
    parser.add_argument("--peer", choices=["graphlearning", "none"], default="graphlearning",
                        help="compare with graphlearning when installed (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the label draws")
    return parser


def _digits(subset: int | None) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    points, truth = load_digits(return_X_y=True)
    return points[:subset], truth[:subset]


def _knn_weights(points: np.ndarray, k: int) -> sp.csr_matrix:
    distances = gi.graph.knn_graph(points, k=k)
    return gi.weights.symmetrize(gi.weights.self_tuning(distances), "max")


def _draw_labels(truth: np.ndarray, rate: int, rng: np.random.Generator) -> np.ndarray:
    """``rate`` labelled nodes per class (fewer if a class is smaller): True = labelled."""
    known = np.zeros(truth.size, dtype=bool)
    for label in np.unique(truth):
        members = np.flatnonzero(truth == label)
        known[rng.choice(members, min(rate, members.size), replace=False)] = True
    return known


Runner = Callable[[sp.csr_matrix, np.ndarray, np.ndarray], np.ndarray]


def _methods(peer) -> dict[str, dict[str, Runner]]:
    """Per method, a runner per package: (weights, known, truth) -> predicted labels."""
    ours = {
        "Laplace": lambda W, known, truth: gi.learning.laplace_learning(W, known, truth),
        "Poisson": lambda W, known, truth: gi.learning.poisson_learning(W, known, truth),
        f"p-Laplace (game, p={P:g})": lambda W, known, truth: gi.learning.p_laplace_learning(
            W, known, truth, p=P, midrange="unweighted"),
    }
    methods = {name: {"graphinpaint": run} for name, run in ours.items()}
    if peer is not None:
        for name, model in zip(ours, (peer.ssl.laplace, peer.ssl.poisson,
                                      lambda W: peer.ssl.plaplace(W, p=P))):
            methods[name]["graphlearning"] = _peer_runner(model)
    return methods


def _peer_runner(model) -> Runner:
    def run(W, known, truth):
        train = np.flatnonzero(known)
        return model(W).fit_predict(train, truth[train])
    return run


def _graphlearning():
    try:
        import graphlearning
    except ImportError:
        print("graphlearning is not installed (pip install graphlearning): its columns are "
              "left out.\n")
        return None
    return graphlearning


def _warm_up(weights: sp.csr_matrix, truth: np.ndarray, methods: dict) -> None:
    """One untimed run of every method: numba compiles its kernels on the first call."""
    known = _draw_labels(truth, 1, np.random.default_rng(0))
    for runners in methods.values():
        for run in runners.values():
            run(weights, known, truth)


def _score(run: Runner, weights: sp.csr_matrix, truth: np.ndarray,
           draws: list[np.ndarray]) -> tuple[float, float]:
    """Mean accuracy on the unlabelled nodes (percent) and mean seconds over the draws."""
    accuracies, seconds = [], []
    for known in draws:
        start = time.perf_counter()
        predicted = run(weights, known, truth)
        seconds.append(time.perf_counter() - start)
        accuracies.append(100.0 * np.mean(predicted[~known] == truth[~known]))
    return float(np.mean(accuracies)), float(np.mean(seconds))


def _table(rows: list, packages: list[str]) -> str:
    header = "| labels per class | method | " + " | ".join(packages) + " |"
    lines = [header, "|---" * (len(packages) + 2) + "|"]
    for rate, name, scores in rows:
        cells = [f"{scores[p][0]:.1f}% ({scores[p][1] * 1000:.0f} ms)" for p in packages]
        lines.append(f"| {rate} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
