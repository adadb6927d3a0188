"""Make docs/figures/game_vs_variational.png: game and variational p-Laplacian solutions on a
2-D point cloud, for p in {2, 4, 10, inf}.

    pip install ".[docs]"        # matplotlib
    python docs/figures/make_game_figure.py

3000 random points of the unit square, their kNN graph (k = 10, Gaussian weights), and 30 known
points carrying ``x**2 - y**2``. Top row: the variational (anisotropic) p-Laplacian
(``solve_dirichlet(..., p=p)``); bottom row: the game-theoretic one (``form="game"``). At p = 2
they coincide and at p = inf too; in between the game form moves toward the midrange sooner.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import graphinpaint as gi  # noqa: E402

OUTPUT = Path(__file__).resolve().parent / "game_vs_variational.png"
P_VALUES = (2.0, 4.0, 10.0, np.inf)


def main() -> None:
    rng = np.random.default_rng(0)
    points = rng.random((3000, 2))
    weights = gi.weights.symmetrize(gi.weights.gaussian(gi.graph.knn_graph(points, k=10)))
    known = np.zeros(len(points), dtype=bool)
    known[rng.choice(len(points), 30, replace=False)] = True
    values = points[:, 0] ** 2 - points[:, 1] ** 2
    figure, axes = plt.subplots(2, len(P_VALUES), figsize=(12, 6.4), sharex=True, sharey=True)
    for column, p in enumerate(P_VALUES):
        for row, form in enumerate(("anisotropic", "game")):
            solution = gi.solve_dirichlet(weights, known, values, p=p, form=form, rtol=1e-6)
            axis = axes[row, column]
            axis.scatter(points[:, 0], points[:, 1], c=solution, s=4, cmap="viridis",
                         vmin=-1, vmax=1)
            axis.scatter(points[known, 0], points[known, 1], c="red", s=10)
            label = "variational" if form == "anisotropic" else "game"
            axis.set_title(f"{label}, p = {'inf' if np.isinf(p) else f'{p:g}'}")
            axis.set_aspect("equal")
            axis.set_xticks([])
            axis.set_yticks([])
    figure.tight_layout()
    _save_small(figure)
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1024} KB)")


def _save_small(figure) -> None:
    """A 64-colour palette PNG: a scatter of smooth colours is 690 KB in full colour."""
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    figure.savefig(buffer, dpi=72, format="png")
    buffer.seek(0)
    Image.open(buffer).convert("RGB").quantize(64).save(OUTPUT, optimize=True)


if __name__ == "__main__":
    main()
