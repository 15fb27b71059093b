"""The example data sets that ship with rctkit, read from ``rctkit/data`` in one place."""

from __future__ import annotations

from importlib import resources

from rctkit.errors import InvalidInputError
from rctkit.io.trialfile import parse_trial
from rctkit.model import Trial

__all__ = ["EXAMPLES", "example_text", "example_trial"]

#: The example trials by name, and their files in ``rctkit/data``.
EXAMPLES = {"core": "core.toml"}


def example_text(filename: str) -> str:
    """The text of a file shipped in ``rctkit/data``."""
    return resources.files("rctkit.data").joinpath(filename).read_text(encoding="utf-8")


def example_trial(name: str = "core") -> Trial:
    """Return a trial shipped with rctkit; ``"core"`` is the CORE trial (Lancet 2018).

    Examples
    --------
    >>> trial = example_trial()
    >>> [arm.allocated for arm in trial.arms]
    [221, 220]
    """
    if name not in EXAMPLES:
        listed = ", ".join(f'"{k}"' for k in EXAMPLES)
        raise InvalidInputError(f"`name` must be one of {listed} (got {name!r})")
    return parse_trial(example_text(EXAMPLES[name]), source=f"<example {name}>")
