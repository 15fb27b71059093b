"""Ways into rctkit: trial files (TOML), CDISC ADaM data sets and the example data sets.

Each input is one module here that builds the model's classes; nothing below it changes when
an input is added.
"""

from __future__ import annotations

from rctkit.io.adam import example_adam, read_adam
from rctkit.io.examples import EXAMPLES, example_trial
from rctkit.io.trialfile import load_trial, parse_trial, read_trial_stream

__all__ = [
    "EXAMPLES",
    "example_adam",
    "example_trial",
    "load_trial",
    "parse_trial",
    "read_adam",
    "read_trial_stream",
]
