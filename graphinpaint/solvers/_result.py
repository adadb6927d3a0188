"""The solvers' result objects' common base: a dict whose keys read as attributes."""

from __future__ import annotations

__all__ = ["SolverResult"]


class SolverResult(dict):
    """A dict whose keys read as attributes, as :class:`scipy.optimize.OptimizeResult`.

    Not a subclass of it: importing ``scipy.optimize`` (and ``scipy.spatial`` through it) cost a
    fresh process 40-80 ms of the seed command's 1.2 s budget, for a base class of ten lines.

    Examples
    --------
    >>> r = SolverResult(x=1.0, success=True)
    >>> r.success, r["x"]
    (True, 1.0)
    >>> print(r)
          x: 1.0
    success: True
    """

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(name) from error

    __setattr__ = dict.__setitem__
    __delattr__ = dict.__delitem__

    def __dir__(self) -> list[str]:
        return list(self.keys())

    def __repr__(self) -> str:
        if not self:
            return f"{type(self).__name__}()"
        width = max(len(str(key)) for key in self)
        return "\n".join(f"{str(key):>{width}}: {value!r}" for key, value in self.items())
