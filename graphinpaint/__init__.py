"""graphinpaint: image inpainting by Dirichlet problems of graph p-Laplacians.

Map of the package
------------------
io          read and write images and masks (the only module that touches files)
patches     patch features, masked patch distances, PCA projection
graph       neighbour graphs (exact windowed kNN, pynndescent kNN, grid graphs)
weights     distance -> weight kernels and symmetrisation
operators   graph Laplacians, p-Laplacians, gradients, energies
solvers     linear solvers and ``solve_dirichlet`` on any graph
pipeline    ``inpaint``
seed        the seed-compatible ``Inpaint`` (PyInpaint's interface)
large       ``inpaint_large``: images too large for one process, in tiles on Dask
batch       ``restore_many``: many image files on a Dask cluster
metrics     PSNR over a region
learning    semi-supervised classification on any graph (Laplace, p-Laplace, Poisson)
cli         the ``graphinpaint`` command
web         the local web app (``graphinpaint serve``); imported on demand

Masks are boolean arrays of the image's spatial shape with **True = missing** (the hole).
"""

from . import graph, io, metrics, operators, patches, solvers, weights
from . import learning
from ._validation import ConvergenceWarning, InpaintError
from ._version import __version__
from .pipeline import inpaint
from .seed import Inpaint
from .solvers import solve_dirichlet

__all__ = [
    "ConvergenceWarning",
    "Inpaint",
    "InpaintError",
    "__version__",
    "graph",
    "inpaint",
    "inpaint_large",
    "io",
    "learning",
    "metrics",
    "operators",
    "patches",
    "solve_dirichlet",
    "solvers",
    "weights",
]


def __getattr__(name: str):
    # Dask-backed front doors load on first use, so that `import graphinpaint` does not import
    # Dask (PEP 562).
    if name == "inpaint_large":
        from .large import inpaint_large

        return inpaint_large
    if name == "batch":
        import importlib

        return importlib.import_module(".batch", __name__)
    raise AttributeError(f"module 'graphinpaint' has no attribute {name!r}")


def __dir__() -> list[str]:
    # The lazy front doors too, so that dir() and tab completion show them (PEP 562).
    return sorted({*globals(), *__all__, "batch"})
