"""Trial files: the import path of rctkit 0.1, kept; the code is in :mod:`rctkit.io`.

>>> from rctkit.trialfile import example_trial
>>> example_trial().arms[0].allocated
221
"""

from __future__ import annotations

from rctkit.io import EXAMPLES, example_trial, load_trial, parse_trial

__all__ = ["EXAMPLES", "example_trial", "load_trial", "parse_trial"]
