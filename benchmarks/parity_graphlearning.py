"""Parity with graphlearning: the same problems on the same graph, largest difference and time.

    pip install ".[bench]"          # graphlearning is a benchmark-only extra
    python benchmarks/parity_graphlearning.py                  # 50k nodes, as in docs/benchmarks.md
    python benchmarks/parity_graphlearning.py --n 5000 --output parity.md
    python benchmarks/parity_graphlearning.py --repeat 3      # median times, range of ratios

The graph is a unit-weight kNN graph (k = 10, symmetrised) of n random points in the unit square,
200 of them known. On it, each package solves:

* the Dirichlet problem at p = inf (graphlearning's ``amle``) and of the game-theoretic
  p-Laplacian for p = 3, 5, 10 (``plaplace``, default ``fast=True``), boundary values
  ``sin(4x) cos(3y)`` on the known nodes. Unit weights make both midrange conventions agree
  (docs/theory.md); graphlearning stops when a sweep changes nothing by more than 1e-6
  (absolute), graphinpaint by more than ``rtol=1e-6`` times the range of the known values;
* Laplace, Poisson and game p-Laplace (p = 10) learning with four classes (vertical stripes of
  the square, 50 labels each), graphlearning's ``ssl`` classes with their default tolerances
  (conjugate gradients on all classes at once), graphinpaint's with theirs (``rtol=1e-4``,
  ``method="auto"``: Jacobi-CG on kNN graphs, all classes in one call of one solver; AMG cuts
  the iterations 15- to 35-fold on this grid-like 2-D graph but its setup costs more than it
  saves: Laplace 6.3 s against 1.5 s, measured);
* the WNLL and properly weighted reweightings (``graph.reweight``).

Differences are the largest absolute difference of the solutions over the range of the data
(the known values, or the scores), and for learning also the share of nodes whose predicted
class differs. Times are wall-clock seconds of one call each, after an untimed warm-up on a
small graph (numba compiles its kernels on the first call). With ``--repeat N`` every problem
runs N times in turn; the table gives the median times and, beside the ratio of the medians,
the range of the N ratios.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import date
from importlib.metadata import version as _version
from pathlib import Path

import numpy as np
import scipy.sparse as sp

import graphinpaint as gi  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="nodes (default: %(default)s)")
    parser.add_argument("--k", type=int, default=10, help="neighbours (default: %(default)s)")
    parser.add_argument("--known", type=int, default=200, help="known nodes (default: 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of every problem: the table then gives the median times and "
                             "the range of the ratios (default: %(default)s)")
    parser.add_argument("--output", type=Path, default=None,
                        help="also write the table to this markdown file")
    args = parser.parse_args(argv)
    import graphlearning as gl

    _problems(gl, *_case(1000, args.k, 20, args.seed))            # warm-up, untimed
    case = _case(args.n, args.k, args.known, args.seed)
    rows = _merged([_problems(gl, *case) for _ in range(max(args.repeat, 1))])
    table = _table(rows)
    print(f"n = {args.n}, k = {args.k}, {args.known} known nodes\n\n{table}")
    if args.output is not None:
        command = "python benchmarks/parity_graphlearning.py " + " ".join(argv or sys.argv[1:])
        args.output.write_text(
            f"Measured {date.today()} on {platform.machine()}, Python "
            f"{platform.python_version()}, graphlearning {_version('graphlearning')}; command: "
            f"`{command.strip()}`. n = {args.n}, k = {args.k}, {args.known} known nodes.\n\n"
            f"{table}\n")
        print(f"wrote {args.output}")
    return 0


def _case(n: int, k: int, known_count: int, seed: int):
    """Points, their unit-weight kNN graph, the known nodes and the boundary values."""
    rng = np.random.default_rng(seed)
    points = rng.random((n, 2))
    weights = gi.weights.symmetrize(gi.weights.constant(gi.graph.knn_graph(points, k=k)), "max")
    known = np.zeros(n, dtype=bool)
    known[rng.choice(n, known_count, replace=False)] = True
    values = np.sin(4 * points[:, 0]) * np.cos(3 * points[:, 1])
    return points, weights, known, values


def _problems(gl, points, weights, known, values) -> list[tuple]:
    graph = gl.graph(weights)
    index = np.flatnonzero(known)
    spread = np.ptp(values[known])
    rows = []
    rows.append(_row("p = inf (AMLE)", spread,
                     lambda: gi.solve_dirichlet(weights, known, values, p=np.inf),
                     lambda: graph.amle(index, values[index])))
    for p in (3.0, 5.0, 10.0):
        rows.append(_row(f"game p-Laplacian, p = {p:g}", spread,
                         lambda p=p: gi.solve_dirichlet(weights, known, values, p=p,
                                                        form="game"),
                         lambda p=p: graph.plaplace(index, values[index], p)))
    rows.extend(_learning_rows(gl, points, weights))
    rows.extend(_reweighting_rows(graph, points, weights, known))
    return rows


def _learning_rows(gl, points, weights) -> list[tuple]:
    """Four classes (vertical stripes), 50 labels each, the first 50 nodes of each stripe."""
    classes = np.minimum((points[:, 0] * 4).astype(int), 3)
    train = np.concatenate([np.flatnonzero(classes == c)[:50] for c in range(4)])
    known = np.zeros(classes.size, dtype=bool)
    known[train] = True
    labels = np.where(known, classes, -1)
    runs = {
        "Laplace learning (p = 2)": (
            lambda: gi.learning.laplace_learning(weights, known, labels, return_scores=True),
            lambda: gl.ssl.laplace(weights)),
        "Poisson learning": (
            lambda: gi.learning.poisson_learning(weights, known, labels, return_scores=True),
            lambda: gl.ssl.poisson(weights)),
        "game p-Laplace learning, p = 10": (
            lambda: gi.learning.p_laplace_learning(weights, known, labels, p=10,
                                                   midrange="unweighted", return_scores=True),
            lambda: gl.ssl.plaplace(weights, p=10)),
    }
    rows = []
    for name, (ours, model) in runs.items():
        ours_time, (predicted, scores) = _timed(ours)
        peer = model()
        peer_time, peer_scores = _timed(lambda: peer.fit(train, classes[train]))
        difference = np.abs(scores - peer_scores).max() / max(np.ptp(peer_scores), 1e-300)
        disagree = np.mean(predicted != peer.predict())
        rows.append((name, ours_time, peer_time, f"{difference:.1e}",
                     f"of the scores' range; {100 * disagree:.2f}% of labels differ"))
    return rows


def _reweighting_rows(graph, points, weights, known) -> list[tuple]:
    index = np.flatnonzero(known)
    rows = []
    for name, ours, method in [
            ("WNLL reweighting", lambda: gi.weights.weighted_nonlocal(weights, known), "wnll"),
            ("properly weighted", lambda: gi.weights.properly_weighted(weights, known, points),
             "properly")]:
        ours_time, mine = _timed(ours)
        peer_time, theirs = _timed(lambda: graph.reweight(index, method=method, X=points))
        difference = abs(sp.csr_matrix(mine) - sp.csr_matrix(theirs)).max() / theirs.max()
        rows.append((name, ours_time, peer_time, f"{difference:.1e}", "relative to the largest"))
    return rows


def _row(name: str, spread: float, ours, theirs) -> tuple:
    ours_time, mine = _timed(ours)
    peer_time, peer = _timed(theirs)
    return (name, ours_time, peer_time, f"{np.abs(mine - peer).max() / spread:.1e}",
            "of the data range")


def _timed(run):
    start = time.perf_counter()
    out = run()
    return time.perf_counter() - start, out


def _merged(runs: list[list[tuple]]) -> list[tuple]:
    """One row per problem from several runs of them all: the median times, the ratio of each
    run (the machine may be shared: the spread says how far to trust one), the first run's
    difference (the same in every run)."""
    merged = []
    for rows in zip(*runs):
        name, _, _, difference, note = rows[0]
        ours = float(np.median([row[1] for row in rows]))
        peer = float(np.median([row[2] for row in rows]))
        merged.append((name, ours, peer, [row[1] / row[2] for row in rows], difference, note))
    return merged


def _table(rows: list[tuple]) -> str:
    lines = ["| problem | graphinpaint (s) | graphlearning (s) | ratio | largest difference |",
             "|---|---|---|---|---|"]
    for name, ours, peer, ratios, difference, note in rows:
        ratio = f"{ours / peer:.2f}"
        if len(ratios) > 1:
            ratio += f" ({min(ratios):.2f}-{max(ratios):.2f})"
        lines.append(f"| {name} | {ours:.3f} | {peer:.3f} | {ratio} | {difference} {note} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
