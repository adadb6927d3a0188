"""The ``graphinpaint`` command: argument parsing, progress display, messages and exit codes.

No numerics here: the work is :func:`graphinpaint.inpaint`, the files are :mod:`graphinpaint.io`.
Exit codes: 0 success, 1 failure while working, 2 bad usage or bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import math
import sys
import time
import warnings
from pathlib import Path
from typing import Callable, NoReturn, Sequence

import numpy as np

from . import io
from ._validation import InpaintError, require
from ._version import __version__
from .pipeline import inpaint
from .seed import Inpaint

__all__ = ["main"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130                    # 128 + SIGINT, as shells report Ctrl+C

EXAMPLES = """\
examples:
  graphinpaint photo.png scratches.png -o restored.png
      restore photo.png where scratches.png is white (white / nonzero = hole)
  graphinpaint scans/ --mask-suffix _mask
      every image of scans/ with its mask beside it (scans/a.png + scans/a_mask.png)
  graphinpaint photo.png --mask-from-alpha
      the transparent pixels of photo.png are the hole
  graphinpaint --org_img photo.jpg --mask mask.png --ps 7 --k_search 1000 --k_patch 5
      the seed's (PyInpaint's) command: black = hole, writes photo_inpainted.jpg

subcommands (each with its own --help):
  graphinpaint batch scans/ -o restored/
      many images on Dask, resumable
  graphinpaint serve --open
      a local web page: open a photo, paint the hole, restore it
"""


# Subcommands live in the modules that own them, imported only when called, so that the plain
# restore command never imports Flask or Dask: name -> "module:function(argv) -> int".
_SUBCOMMANDS: dict[str, str] = {
    "serve": "graphinpaint.web.cli:main",
    "batch": "graphinpaint.batch:main",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 1 failure, 2 bad usage or input)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in _SUBCOMMANDS:
        return _run_subcommand(argv[0], argv[1:])
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:           # --help, --version, or argparse's own usage errors
        return int(exit_.code or 0)
    try:
        if args.tile is not None:
            require("dask.array", "graphinpaint --tile", "dask")
        jobs = _jobs(args)
        return _run(jobs, args)
    except KeyboardInterrupt:             # Ctrl+C: one line, not a traceback from numba or scipy
        _say("graphinpaint: interrupted; the image being restored was not written.")
        return EXIT_INTERRUPTED
    except (InpaintError, ImportError) as error:
        _say(f"graphinpaint: error: {error}")
        return EXIT_USAGE


def _run_subcommand(name: str, argv: list[str]) -> int:
    """Hand the arguments after a subcommand's name to the function that owns it."""
    module_name, function_name = _SUBCOMMANDS[name].split(":")
    module = importlib.import_module(module_name)
    return getattr(module, function_name)(argv)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser with usage errors on one line (what is wrong, where to look) instead
    of the whole usage block; every subcommand's parser is one."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}. See '{self.prog} --help'.\n")


def _parser() -> ArgumentParser:
    parser = ArgumentParser(
        prog="graphinpaint",
        description="Restore images by solving Dirichlet problems of graph p-Laplacians.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="IMAGE MASK, or several images / folders with --mask-suffix")
    parser.add_argument("-o", "--output",
                        help="output file, or an existing folder (the input's name in it)")
    parser.add_argument("--mask", help="mask file (white = hole; black = hole with --org_img)")
    parser.add_argument("--mask-suffix", help="find each image's mask as NAME<suffix>.EXT")
    parser.add_argument("--mask-from-alpha", action="store_true",
                        help="use the image's transparent pixels as the hole")
    parser.add_argument("--invert-mask", action="store_true", help="flip the mask's polarity")
    parser.add_argument("--p", type=exponent, default=None, help=P_HELP)
    parser.add_argument("--form", choices=("anisotropic", "isotropic", "game"),
                        default="anisotropic",
                        help="form of the p-Laplacian where p != 2 (default anisotropic; game: "
                             "the game-theoretic one, p >= 2)")
    parser.add_argument("--patch-size", type=int, default=None,
                        help=PATCH_SIZE_HELP)
    parser.add_argument("--k", type=int, default=None, help=K_HELP)
    parser.add_argument("--window", type=int, default=None,
                        help="odd side of the search window (default: by strategy; 51 for "
                             "blocks and blotches over 32 pixels deep)")
    parser.add_argument("--window-growth", type=float, default=1.0,
                        help="window half-side added per layer of depth (default 1)")
    parser.add_argument("--bandwidth", type=float, default=None,
                        help="Gaussian weight bandwidth (default: by strategy)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="refinement rounds over the whole hole (default: 2 for scratches "
                             "and text; 3 for blocks and blotches up to 32 pixels deep; for "
                             "scattered loss 1 to 3, chosen on held-out pixels; else 1)")
    parser.add_argument("--smooth-share", type=float, default=None,
                        help="share of a smooth fill mixed in near the boundary (default: up "
                             "to 0.5 by match quality for scratches and text, and for blocks "
                             "and blotches up to 32 pixels deep (a frequency-selective "
                             "extrapolation); 0.25 near the boundary for deeper ones, none for "
                             "scattered loss; self-validation may choose another mix on "
                             "held-out pixels)")
    parser.add_argument("--strategy", choices=("auto", "layers", "global"), default="auto",
                        help=STRATEGY_HELP)
    parser.add_argument("--method", choices=("auto", "direct", "cg", "amg"), default="auto",
                        help="linear solver (default auto)")
    parser.add_argument("--tile", type=int, default=None, metavar="N",
                        help="restore in N x N tiles on Dask, for images too large for memory "
                             "(scattered loss then takes 1 round of 7 x 7 patches by default)")
    parser.add_argument("--overwrite", action="store_true",
                        help="allow the output to replace an input file")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress, no summary")
    parser.add_argument("--version", action="version", version=f"graphinpaint {__version__}")
    seed = parser.add_argument_group("the seed's (PyInpaint's) interface; black = hole")
    seed.add_argument("--org_img", help="image; writes IMG_inpainted.EXT beside it (or -o)")
    seed.add_argument("--ps", type=int, default=7, help="patch size (default 7)")
    seed.add_argument("--k_boundary", type=int, default=4, help="4, 8 or 16 (default 4)")
    seed.add_argument("--k_search", type=int, default=1000,
                      help="pixels searched per hole pixel (default 1000)")
    seed.add_argument("--k_patch", type=int, default=5, help="matches averaged (default 5)")
    return parser


# The help of the options the main command shares with ``graphinpaint batch``.
P_HELP = ("exponent of the p-Laplacian in [1, inf], used in every solve (default: 2, and 3 in "
          "the refinement of scratches and text over photos below 2048 x 2048)")
K_HELP = "matches per hole pixel (default 5; 3 for scratches and text)"
STRATEGY_HELP = ("layers: strokes and blotches, filled from their boundary inward; global: "
                 "scattered lost pixels, refined all at once (default auto: chosen from the "
                 "hole)")
PATCH_SIZE_HELP = ("odd patch side (default: 11 for blocks and blotches; 7 or 11 for scattered "
                   "loss, chosen on held-out pixels; else 7; never above the image)")


def exponent(text: str) -> float:
    """argparse type of ``--p``: a number in [1, inf], ``inf`` spelt out."""
    value = math.inf if text.strip().lower() in ("inf", "infinity") else float(text)
    if not 1 <= value <= math.inf:
        raise argparse.ArgumentTypeError(f"must be a number in [1, inf], got {text!r}")
    return value


class _Job:
    """One image to restore: where it comes from, its mask, where it goes."""

    def __init__(self, image: Path, mask: Path | None, output: Path, convention: str) -> None:
        self.image, self.mask, self.output, self.convention = image, mask, output, convention


def _jobs(args: argparse.Namespace) -> list[_Job]:
    if args.org_img:
        if args.paths or not args.mask:
            raise InpaintError("--org_img needs --mask MASK and no other image paths.")
        _check_no_main_options(args)
        image = Path(args.org_img)
        return [_Job(image, Path(args.mask), _output(args, image), "black-hole")]
    _check_no_seed_flags(args)
    if args.mask_suffix:
        return _batch_jobs(args)
    paths = [Path(p) for p in args.paths]
    if args.mask:
        paths.append(Path(args.mask))
    if args.mask_from_alpha and len(paths) == 1:
        image, mask = paths[0], None
    elif len(paths) == 2:
        image, mask = paths
    else:
        raise InpaintError(
            "Give IMAGE MASK (or IMAGE --mask-from-alpha), several images with --mask-suffix, "
            "or the seed's --org_img IMG --mask MASK. See graphinpaint --help."
        )
    return [_Job(image, mask, _output(args, image), "white-hole")]


# The options of the IMAGE MASK form that the seed's --org_img form has no use for.
_MAIN_OPTIONS = ("p", "form", "patch_size", "k", "window", "window_growth", "bandwidth",
                 "rounds", "smooth_share", "strategy", "method", "mask_suffix", "mask_from_alpha")


def _check_no_main_options(args: argparse.Namespace) -> None:
    """--org_img takes the seed's flags only: refuse the other form's rather than ignore them."""
    given = _flags_given(args, _MAIN_OPTIONS, spelling=lambda name: name.replace("_", "-"))
    if given:
        raise InpaintError(
            f"--org_img takes the seed's flags (--ps, --k_boundary, --k_search, --k_patch), not "
            f"{', '.join(given)}: give IMAGE MASK instead of --org_img/--mask to use "
            f"{'them' if len(given) > 1 else 'it'} (white = hole there; --invert-mask for a seed "
            "mask)."
        )


def _check_no_seed_flags(args: argparse.Namespace) -> None:
    """The seed's flags work with --org_img only: refuse them elsewhere rather than ignore them."""
    given = _flags_given(args, ("ps", "k_boundary", "k_search", "k_patch"))
    if given:
        raise InpaintError(
            f"{', '.join(given)} {'are' if len(given) > 1 else 'is'} the seed's, with --org_img "
            "IMG --mask MASK only. With IMAGE MASK use --patch-size, --k and --window."
        )


def _flags_given(args: argparse.Namespace, names: Sequence[str],
                 spelling: Callable[[str], str] = str) -> list[str]:
    """The flags among ``names`` (as --spelling(name)) set to other than their default."""
    parser = _parser()
    return [f"--{spelling(name)}" for name in names
            if getattr(args, name) != parser.get_default(name)]


def _output(args: argparse.Namespace, image: Path) -> Path:
    """One image's output: -o FILE, -o FOLDER (the image's name in it, as for several), or
    IMG_inpainted.EXT beside the image."""
    if not args.output:
        return _default_output(image)
    output = Path(args.output)
    return output / image.name if output.is_dir() else output


def _batch_jobs(args: argparse.Namespace) -> list[_Job]:
    images = []
    for path in map(Path, args.paths):
        if path.is_dir():
            images += sorted(p for p in path.iterdir() if p.suffix.lower() in io.SCANNED_SUFFIXES
                             and not p.stem.endswith(args.mask_suffix)
                             and _OUTPUT_TAG not in p.stem)
        elif args.mask_from_alpha or not path.stem.endswith(args.mask_suffix):
            images.append(path)         # a glob such as scans/*.png matches the masks too
    given = set(images)                 # ... and, run again, the first run's outputs
    images = [p for p in images if _source_of(p) not in given]
    if not images:
        raise InpaintError("No images found: give image files or folders holding them.")
    folder = Path(args.output) if args.output else None
    if folder is not None and not folder.is_dir():
        raise InpaintError(f"With several images, -o must be an existing folder: '{folder}'. "
                           f"Create it first, or leave -o out to write IMG{_OUTPUT_TAG}.EXT "
                           "beside each image.")
    jobs = []
    for image in images:
        mask = image.with_name(f"{image.stem}{args.mask_suffix}{image.suffix}")
        output = _default_output(image) if folder is None else folder / image.name
        jobs.append(_Job(image, None if args.mask_from_alpha else mask, output, "white-hole"))
    return jobs


def _default_output(image: Path) -> Path:
    return image.with_name(f"{image.stem}{_OUTPUT_TAG}{image.suffix}")


def _source_of(path: Path) -> Path | None:
    """The image that ``path`` would be the default output of (IMG_inpainted.EXT -> IMG.EXT)."""
    if not path.stem.endswith(_OUTPUT_TAG) or path.stem == _OUTPUT_TAG:
        return None
    return path.with_name(f"{path.stem[:-len(_OUTPUT_TAG)]}{path.suffix}")


_OUTPUT_TAG = "_inpainted"


def _run(jobs: list[_Job], args: argparse.Namespace) -> int:
    """Restore every job; one bad job does not stop the others. Returns the exit code."""
    done, bad_input, failed = 0, 0, 0
    for job in jobs:
        start = time.perf_counter()
        try:
            _restore(job, args)
        except InpaintError as error:
            if len(jobs) == 1:
                raise
            bad_input += 1
            _say(f"graphinpaint: error: {error}")
            continue
        except Exception as error:  # a failure while working: exit 1, one line, no traceback
            failed += 1
            _say(f"graphinpaint: failed on '{job.image}': {type(error).__name__}: {error}")
            continue
        done += 1
        if not args.quiet:
            _say(f"wrote {job.output} ({time.perf_counter() - start:.1f} s)")
    if len(jobs) > 1 and not args.quiet:
        _say(f"{done} restored, {bad_input + failed} failed")
    if failed:
        return EXIT_FAILURE
    return EXIT_USAGE if bad_input else EXIT_OK


def _restore(job: _Job, args: argparse.Namespace) -> None:
    image = io.read_image(job.image)
    inputs = tuple(p for p in (job.image, job.mask) if p is not None)
    io.check_destination(job.output, image.dtype, overwrite=args.overwrite, inputs=inputs)
    colour, alpha = io.split_alpha(image)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", io.MaskPolarityWarning)
        if job.mask is None:
            hole = io.mask_from_alpha(image)
            hole = ~hole if args.invert_mask else hole
        else:
            hole = io.read_mask(job.mask, shape=colour.shape[:2], convention=job.convention,
                                invert=args.invert_mask)
    check_hole(hole, image=job.image, mask=job.mask, convention=job.convention,
               inverted=args.invert_mask)
    for warning in caught:
        if not args.quiet:
            _say(f"graphinpaint: warning: {warning.message}")
    options = _options(args, job)
    with _progress_bar(args, job) as progress:
        if args.tile is not None:
            from .large import inpaint_large

            restored = inpaint_large(colour, hole, tile=args.tile, **options)
        else:
            restored = inpaint(colour, hole, **options, progress=progress,
                               channel_axis=-1 if colour.ndim == 3 else None)
    if job.mask is None:
        alpha = io.opaque_where(alpha, hole)
    io.write_image(job.output, io.merge_alpha(restored, alpha), overwrite=args.overwrite,
                   inputs=inputs)


def check_hole(hole: np.ndarray, *, image: str | Path, mask: str | Path | None,
               convention: str, inverted: bool) -> None:
    """Refuse a hole of every pixel or of none, naming the mask file (or the image's alpha
    channel) and its convention: a mask of one colour is a wrong file or a wrong convention,
    not a job. The command and ``graphinpaint batch``'s tasks both check with it."""
    if hole.any() and not hole.all():
        return
    if mask is None:
        source, marks = f"The alpha channel of '{image}'", ("opaque" if inverted
                                                             else "transparent")
    else:
        source = f"The mask file '{mask}'"
        marks = "black" if (convention == "black-hole") != inverted else "white"
    if hole.all():
        raise InpaintError(f"{source} marks every pixel as hole ({marks} = hole): there is "
                           f"nothing to restore from. Mark only the hole {marks}.")
    raise InpaintError(f"{source} marks no pixel as hole ({marks} = hole): there is nothing "
                       f"to restore. Mark the hole {marks}.")


def _options(args: argparse.Namespace, job: _Job) -> dict:
    if args.org_img:
        return Inpaint(job.image, job.mask, args.ps).options(args.k_boundary, args.k_search,
                                                             args.k_patch)
    return dict(p=args.p, form=args.form, patch_size=args.patch_size, k=args.k,
                window=args.window, window_growth=args.window_growth, bandwidth=args.bandwidth,
                rounds=args.rounds, smooth_share=args.smooth_share, strategy=args.strategy,
                method=args.method)


class _progress_bar:
    """A tqdm bar on stderr when it is a terminal and the user did not ask for quiet."""

    def __init__(self, args: argparse.Namespace, job: _Job) -> None:
        self.enabled = not args.quiet and sys.stderr.isatty()
        self.label = job.image.name
        self.bar = None

    def __enter__(self):
        return self._update if self.enabled else None

    def _update(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.label, unit="step", file=sys.stderr,
                            leave=False, mininterval=0.5, delay=1.0)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.close()


def _say(message: str) -> None:
    print(message, file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
