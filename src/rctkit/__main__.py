"""``python -m rctkit``: the command line (see :mod:`rctkit.cli`)."""

from __future__ import annotations

import sys

from rctkit.cli import main

if __name__ == "__main__":  # pragma: no branch
    sys.exit(main())
