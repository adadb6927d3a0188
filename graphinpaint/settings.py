"""The pipeline's settings as one typed, frozen object.

:func:`graphinpaint.inpaint` checks its keyword arguments once and packs them into a
:class:`Settings`; the stages and the self-validation (:mod:`graphinpaint.selection`) read their
options from it, and candidate settings are made from it with :meth:`Settings.replace`. Between
``inpaint`` and :func:`graphinpaint.solve_dirichlet` the solver's options (``p``, ``form``,
``method`` and the tolerances that go with ``p``) come from :meth:`Settings.solve_options`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["Settings"]

@dataclass(frozen=True)
class Settings:
    """Every option of one run of the pipeline (see :func:`graphinpaint.inpaint` for each).

    Examples
    --------
    >>> s = Settings(strategy="layers", window=31, bandwidth=0.1, grid_weight=1e-3)
    >>> s.replace(smooth="laplace", smooth_share=0.5).smooth_share
    0.5
    >>> s.solve_options()
    {'p': 2.0, 'form': 'anisotropic', 'method': 'auto'}
    """

    strategy: str
    window: int
    bandwidth: float
    grid_weight: float
    patch_size: int = 7
    k: int = 5
    window_growth: float = 1.0
    rounds: int = 1
    # Refinement rounds after the first search each hole pixel's window only as far as its
    # matches in the round before reached, plus a margin (within ``window``), and refine only
    # the pixels still moving or matched far (_stages.strokes_moving); False: the whole
    # window and the whole hole.
    adaptive_rounds: bool = False
    # Matches per hole pixel in the refinement rounds: None for 2 * k.
    refine_k: int | None = None
    # How a smooth grid fill is mixed into the graph solution: "boundary", a biharmonic fill on
    # the pixels within two of the known ones only; "laplace" or "biharmonic", that grid fill
    # averaged in over the whole hole; "match", the biharmonic fill by match quality
    # (SmoothFills.match_mix); "frequency match", the frequency-selective extrapolation
    # (graphinpaint._frequency) by match quality; "none", the graph solution as it is.
    smooth: str = "boundary"
    smooth_share: float = 0.25
    # Thick holes: the layers read a fill at half resolution inside the hole (_pyramid).
    coarse_to_fine: bool = False
    # The layers from this depth on are searched from their filled neighbours' matches
    # (graphinpaint._seeded_search), not their whole window; None: every layer is searched
    # exactly.
    seeded_from: int | None = None
    # With seeded_from, the layers from this depth until seeded_from search half their pixels
    # exactly and seed the other half from them (_stages._checkered_matches); None: no such
    # layers.
    checkered_from: int | None = None
    p: float = 2.0
    # Thin strokes: the refinement rounds solve at this p instead where the first round's
    # matches are not mostly exact (_stages.RoundSolves: photos and textures, not flat colour);
    # None: every solve at ``p``.
    inexact_p: float | None = None
    # The Newton steps of those rounds' solves (a truncated solve from the p = 2 solution, in
    # large images: _thick_holes.inexact_steps_for); None: to convergence.
    inexact_steps: int | None = None
    form: str = "anisotropic"
    method: str = "auto"

    def replace(self, **changes) -> "Settings":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    @property
    def refinement_k(self) -> int:
        """Matches per hole pixel in each refinement round."""
        return 2 * self.k if self.refine_k is None else self.refine_k

    def solve_options(self) -> dict:
        """Keyword arguments of :func:`graphinpaint.solve_dirichlet` for these settings.

        Nonlinear solves stop at 1e-4 of the value range, 40 times finer than an 8-bit level,
        and smooth |x| at 1e-2 of it (2.5 levels): IRLS near p = 1 converges in tens of steps.
        """
        options = dict(p=self.p, form=self.form, method=self.method)
        if self.p != 2:
            options.update(rtol=1e-4, eps=1e-2)
        return options
