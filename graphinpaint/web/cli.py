"""``graphinpaint serve``: start the local web app and print its address."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
import webbrowser
from typing import Sequence

from ..cli import ArgumentParser

__all__ = ["main"]

EXAMPLES = """\
examples:
  graphinpaint serve --open
      serve http://127.0.0.1:8000/ to this machine and open it in the browser
  graphinpaint serve --port 0 --workers 1
      a free port (the printed address says which), one restoration at a time
"""

_INSTALL = 'graphinpaint serve needs Flask: pip install "graphinpaint[web]"'


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until Ctrl+C; return the exit code (2 for bad usage or no Flask)."""
    args = _parser().parse_args_or_code(argv)
    if isinstance(args, int):
        return args
    try:
        import flask  # noqa: F401  (the extra this command needs)
        from werkzeug.serving import make_server
    except ImportError:
        print(f"graphinpaint: error: {_INSTALL}", file=sys.stderr)
        return 2
    from .app import LOOPBACK_NAMES, create_app
    from .handling import Limits
    from .jobs import JobPool

    pool = JobPool(workers=args.workers, expire_after=args.expire_after,
                   abandon_after=args.abandon_after, max_queued=args.max_queued)
    try:
        app = create_app(pool=pool, limits=Limits(max_bytes=args.max_bytes,
                                                  max_pixels=args.max_pixels),
                         local_only=args.host in LOOPBACK_NAMES)
        try:
            server = make_server(args.host, args.port, app, threaded=True)
        except (OSError, SystemExit):   # werkzeug says why on stderr, then exits
            print(f"graphinpaint: error: cannot listen on {args.host}:{args.port}. Check "
                  "--host, or choose another --port.", file=sys.stderr)
            return 2
        address = f"http://{_display_host(args.host)}:{server.server_port}/"
        print(f"graphinpaint serve: {address} ({pool.workers} workers; Ctrl+C to stop)",
              flush=True)
        if args.open:
            threading.Timer(0.5, webbrowser.open, (address,)).start()
        previous = _stop_on_sigterm()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("graphinpaint serve: stopped", file=sys.stderr)
        finally:
            server.server_close()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
    finally:
        pool.close()                   # cancels the jobs and removes the temporary folder
    return 0


class _Parser(ArgumentParser):
    def parse_args_or_code(self, argv: Sequence[str] | None) -> argparse.Namespace | int:
        try:
            return self.parse_args(argv)
        except SystemExit as exit_:        # --help, or a usage error argparse reported
            return int(exit_.code or 0)


def _parser() -> _Parser:
    parser = _Parser(prog="graphinpaint serve",
                     description="A local web app: open a photo, paint the hole, restore it.",
                     epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default %(default)s: this machine only)")
    parser.add_argument("--port", type=_port, default=8000,
                        help="port (default %(default)s; 0 picks a free one)")
    parser.add_argument("--open", action="store_true", help="open the page in the browser")
    parser.add_argument("--workers", type=_positive, default=None,
                        help="restorations run at once (default: one per core)")
    parser.add_argument("--max-pixels", type=_positive, default=4_000_000,
                        help="largest image, in pixels (default %(default)s)")
    parser.add_argument("--max-bytes", type=_positive, default=32 * 2**20,
                        help="largest upload, in bytes (default %(default)s)")
    parser.add_argument("--expire-after", type=_seconds, default=600.0,
                        help="seconds a result or upload is kept (default %(default)s)")
    parser.add_argument("--max-queued", type=_positive, default=100,
                        help="restorations that may wait at once; more get 503 "
                             "(default %(default)s)")
    parser.add_argument("--abandon-after", type=_seconds, default=60.0,
                        help="seconds without a poll before a job is cancelled "
                             "(default %(default)s)")
    return parser


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:         # the socket would refuse, or wrap 70000 to 4464
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535 (0: a free "
                                         f"one), got {text!r}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (0 < value < math.inf):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def _display_host(host: str) -> str:
    return "127.0.0.1" if host in ("", "0.0.0.0") else host


def _stop_on_sigterm():
    """A TERM signal stops the server as Ctrl+C does, so that it cleans up too.

    Returns the handler it replaced (None off the main thread, where signals cannot be set).
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, signal.default_int_handler)
