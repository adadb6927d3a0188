"""``python -m graphinpaint``: the same as the ``graphinpaint`` command."""

import sys

from .cli import main

sys.exit(main())
