"""Trial files: a trial described in TOML, parsed with :mod:`tomllib`.

The format is documented field by field in the docs ("Trial files"). Every error names the
key path (``arms[2].allocated``) and, for malformed TOML, the line. Errors are one line:
when the counts disagree in several places, the message gives the first and how many more,
and the :class:`~rctkit.errors.InconsistentInputError` lists them all in ``problems``.

Limits: a trial file is a regular file of at most
:data:`~rctkit.io.trialfile.MAX_TRIAL_FILE_BYTES` (1 MiB) of UTF-8 text; anything else (a
directory, a FIFO, a device such as ``/dev/zero``) is refused before it is read, so reading
never blocks and never reads more than the bound.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import attrs

from rctkit._validation import MAX_COUNT
from rctkit.errors import InconsistentInputError, InvalidInputError
from rctkit.model import (
    AdverseEvent,
    Arm,
    BinaryOutcome,
    Design,
    Enrolment,
    Multiplicity,
    Population,
    PublishedEstimate,
    Trial,
)
from rctkit.model.trial import ANALYSIS_KEYS, Where, trial_problems

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["MAX_TRIAL_FILE_BYTES", "load_trial", "parse_trial", "read_trial_stream"]

#: The largest trial file read, in bytes (and the longest text parsed, in characters):
#: 1 MiB, some thousands of outcomes or adverse events, far above any real trial's.
MAX_TRIAL_FILE_BYTES = 1 << 20

_ROLES = ("treatment", "control")

# Tables of reasons (reason = count) in each arm's part of the CONSORT flow.
_ARM_REASONS = ("did_not_receive", "lost_to_follow_up", "discontinued", "excluded_from_analysis")


def load_trial(path: str | Path) -> Trial:
    """Read a trial file.

    Parameters
    ----------
    path : str or Path
        A regular file of UTF-8 TOML text, at most
        :data:`~rctkit.io.trialfile.MAX_TRIAL_FILE_BYTES` (1 MiB).

    Raises
    ------
    InvalidInputError
        If the file cannot be read, is not a regular file, is larger than 1 MiB, is not
        UTF-8, is not valid TOML (the message gives the line), or breaks a rule of the
        format (the message gives the key path).
    InconsistentInputError
        (an :class:`~rctkit.InvalidInputError`) if its counts disagree; the message gives the first
        problem with its key path and the count of the others; ``problems`` lists them all.

    Notes
    -----
    The path is checked with ``os.stat`` and opened without blocking, then checked again
    on the open file, so a FIFO, a directory or a device is refused rather than read. At most
    ``MAX_TRIAL_FILE_BYTES + 1`` bytes are read. Time and memory grow linearly with the size.
    """
    path = Path(path)
    text = _read_bounded(path)
    return parse_trial(text, source=str(path))


def _read_bounded(path: Path) -> str:
    where = f"trial file {str(path)!r}"
    try:
        _check_regular(os.stat(path).st_mode, where)
        # O_NONBLOCK: should the path turn into a FIFO after the check, opening it does not wait
        # for a writer (regular files ignore the flag).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as file:
            _check_regular(os.fstat(file.fileno()).st_mode, where)
            data = file.read(MAX_TRIAL_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInputError(f"`path`: cannot read {where} ({reason})") from None
    return _decode(data, where, "path")


def read_trial_stream(stream: BinaryIO, *, source: str = "<stdin>") -> Trial:
    """Read a trial file from a binary stream (``rctkit report -`` reads standard input).

    At most :data:`~rctkit.io.trialfile.MAX_TRIAL_FILE_BYTES` + 1 bytes are read, so an
    endless stream is refused rather than read to the end; the text is then checked as
    :func:`load_trial` checks a file's.

    >>> import io
    >>> from rctkit.io.examples import example_text
    >>> stream = io.BytesIO(example_text("core.toml").encode())
    >>> read_trial_stream(stream).arms[0].allocated
    221
    """
    try:
        data = stream.read(MAX_TRIAL_FILE_BYTES + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInputError(f"`stream`: cannot read {source} ({reason})") from None
    return parse_trial(_decode(data, source, "stream"), source=source)


def _decode(data: bytes, where: str, parameter: str) -> str:
    """The UTF-8 text of a trial file's bytes, refused when too large or not UTF-8."""
    if len(data) > MAX_TRIAL_FILE_BYTES:
        raise InvalidInputError(
            f"`{parameter}`: {where} must be at most {MAX_TRIAL_FILE_BYTES:,} bytes (1 MiB) "
            f"(got a larger file); a trial file describes one trial"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InvalidInputError(
            f"`{parameter}`: {where} must be UTF-8 text (got byte 0x{data[exc.start]:02x} "
            f"at line {line}, column {column})"
        ) from None


def _check_regular(mode: int, where: str) -> None:
    if stat.S_ISREG(mode):
        return
    kinds = (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    kind = next((name for test, name in kinds if test(mode)), "not a regular file")
    raise InvalidInputError(f"`path`: {where} must be a regular file (got {kind})")


# A digit run longer than Python converts to int (sys.get_int_max_str_digits, 4300 by default).
_MAX_DIGITS = getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300
_LONG_NUMBER = re.compile(rf"[0-9][0-9_]{{{_MAX_DIGITS - 1},}}")


#: How deep arrays and inline tables may nest: the TOML reader recurses once (some frames) per
#: level, so the depth is bounded before it reads, whatever the interpreter's recursion limit.
MAX_NESTING = 64

# The tokens that matter for nesting: brackets, and the strings and comments that hide them.
_NESTING_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""'  # multi-line basic string
    r"|'''.*?'''"  # multi-line literal string
    r'|"(?:[^"\\\n]|\\.)*"'  # basic string
    r"|'[^'\n]*'"  # literal string
    r"|#[^\n]*"  # comment
    r"|[\[\]{}]",
    re.DOTALL,
)


def _too_deep(text: str) -> int | None:
    """The line where arrays or inline tables nest deeper than MAX_NESTING, else None."""
    depth = 0
    for match in _NESTING_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_NESTING:
                return text.count("\n", 0, match.start()) + 1
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
    return None


def parse_trial(text: str, *, source: str = "<string>") -> Trial:
    """Parse the TOML text of a trial file.

    Raises
    ------
    InvalidInputError
        As :func:`load_trial`; a text longer than
        :data:`~rctkit.io.trialfile.MAX_TRIAL_FILE_BYTES` characters,
        nested too deeply for the TOML reader, or with a digit string over 4,300 digits
        (counts are at most :data:`rctkit.MAX_COUNT`) is refused with one line.
    """
    if not isinstance(text, str):
        raise InvalidInputError(f"`text` must be a string (got {type(text).__name__})")
    if len(text) > MAX_TRIAL_FILE_BYTES:
        raise InvalidInputError(
            f"`text` must be at most {MAX_TRIAL_FILE_BYTES:,} characters (1 MiB) "
            f"(got {len(text):,})"
        )
    deep = _too_deep(text)
    if deep is not None:
        raise InvalidInputError(
            f"{source}: malformed TOML: arrays or tables nested more than {MAX_NESTING} deep "
            f"at line {deep} (a trial file needs 3)"
        )
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = " ".join(str(exc).split())
        raise InvalidInputError(f"{source}: malformed TOML: {message}") from None
    except RecursionError:
        raise InvalidInputError(
            f"{source}: malformed TOML: arrays or tables nested too deeply to read"
        ) from None
    except ValueError:  # Python's limit on converting long digit strings to int
        long = _LONG_NUMBER.search(text)
        line = "" if long is None else f" at line {text.count(chr(10), 0, long.start()) + 1}"
        raise InvalidInputError(
            f"{source}: a number{line} has more than {_MAX_DIGITS} digits; counts must be at most "
            f"{MAX_COUNT:.0e} (rctkit.MAX_COUNT)"
        ) from None
    try:
        return _build(doc)
    except InconsistentInputError as exc:
        raise InconsistentInputError(exc.problems, prefix=f"{source}: ") from None
    except InvalidInputError as exc:
        raise InvalidInputError(f"{source}: {exc}") from None
    except RecursionError:  # a value nested deeply enough to defeat its display
        raise InvalidInputError(f"{source}: a value is nested too deeply") from None


def _show(value: Any, depth: int = 0) -> str:
    """A short, one-line display of a value read from TOML (never the whole of a big one)."""
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        if abs(value) < 10**30:
            return repr(value)
        digits = int(abs(value).bit_length() * 0.30103) + 1
        return f"{'-' if value < 0 else ''}a number of about {digits:,} digits"
    if isinstance(value, str):
        shown = repr(value[:60])
        return shown if len(value) <= 60 else f"{shown[:-1]}...{shown[-1]} ({len(value):,} chars)"
    if isinstance(value, list | tuple):
        if depth >= 2:
            return "[...]"
        items = ", ".join(_show(v, depth + 1) for v in value[:4])
        return f"[{items}{', ...' if len(value) > 4 else ''}]"
    if isinstance(value, dict):
        if depth >= 2:
            return "{...}"
        keys = list(value)
        items = ", ".join(f"{_key(k)} = {_show(value[k], depth + 1)}" for k in keys[:4])
        return f"{{{items}{', ...' if len(keys) > 4 else ''}}}"
    return f"a {type(value).__name__}"  # a date or time


def _key(key: str) -> str:
    """A key as TOML would write it: bare when it can be, else quoted with escapes."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,60}", key):
        return key
    return json.dumps(key[:60] + ("..." if len(key) > 60 else ""), ensure_ascii=False)


def _get(
    table: Mapping[str, Any],
    key: str,
    path: str,
    kind: type | tuple[type, ...],
    *,
    required: bool = True,
    default: Any = None,
) -> Any:
    if key not in table:
        if required:
            raise InvalidInputError(f"`{path}{key}` is required but missing")
        return default
    value = table[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kind):
        raise InvalidInputError(f"`{path}{key}` must be {_kind_name(kind)} (got {_show(value)})")
    if isinstance(value, int) and not isinstance(value, bool):
        _check_size(value, f"{path}{key}")
    return value


def _check_size(value: int, path: str) -> None:
    """Refuse an integer above MAX_COUNT here, before any message tries to print its digits."""
    if abs(value) > MAX_COUNT:
        raise InvalidInputError(
            f"`{path}` must be at most {MAX_COUNT:.0e} (rctkit.MAX_COUNT) (got {_show(value)})"
        )


def _table(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInputError(f"`{path}` must be a table (got {_show(value)})")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "an array",
        dict: "a table",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _check_keys(table: Mapping[str, Any], allowed: set[str], path: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InvalidInputError(
            f"`{path}{_key(unknown[0])}` is not a known key (known: {', '.join(sorted(allowed))})"
        )


def _wrap(path: str, build: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return build(*args, **kwargs)
    except InvalidInputError as exc:
        raise InvalidInputError(f"`{path.rstrip('.')}`: {exc}") from None


def _build(doc: Mapping[str, Any]) -> Trial:
    _check_keys(
        doc,
        {
            "trial",
            "enrolment",
            "arms",
            "outcomes",
            "adverse_events",
            "populations",
            "analysis",
            "design",
            "multiplicity",
        },
        "",
    )
    design = _design(doc)
    multiplicity = _multiplicity(doc)
    analysis: dict[str, str] = {}
    if "analysis" in doc:
        table = _get(doc, "analysis", "", dict)
        _check_keys(table, set(ANALYSIS_KEYS), "analysis.")
        analysis = {key: _get(table, key, "analysis.", str) for key in table}
    meta = _get(doc, "trial", "", dict)
    _check_keys(meta, {"title", "citation"}, "trial.")
    title = _get(meta, "title", "trial.", str)
    citation = _get(meta, "citation", "trial.", str, required=False, default="")

    arm_tables = _get(doc, "arms", "", list)
    if len(arm_tables) != 2:
        raise InvalidInputError(f"`arms` must list exactly two arms (got {len(arm_tables)})")
    arms: dict[str, Arm] = {}
    arm_index: dict[str, int] = {}
    for i, item in enumerate(arm_tables):
        path = f"arms[{i + 1}]."
        table = _table(item, f"arms[{i + 1}]")
        _check_keys(
            table,
            {"label", "short", "role", "allocated", "received", "analysed", "description"}
            | set(_ARM_REASONS),
            path,
        )
        role = _get(table, "role", path, str)
        if role not in _ROLES:
            raise InvalidInputError(
                f'`{path}role` must be "treatment" or "control" (got {_show(role)})'
            )
        if role in arms:
            raise InvalidInputError(f"`{path}role`: two arms have role {role!r}")
        arm_index[role] = i
        arms[role] = _wrap(
            path,
            Arm,
            label=_get(table, "label", path, str),
            short=_get(table, "short", path, str, required=False, default=""),
            allocated=_get(table, "allocated", path, int),
            received=_get(table, "received", path, int, required=False),
            analysed=_get(table, "analysed", path, int, required=False),
            **{key: _reason_table(table, key, path) for key in _ARM_REASONS},
            description=_get(table, "description", path, str, required=False, default=""),
        )
    treatment, control = arms["treatment"], arms["control"]
    if treatment.label == control.label:  # adverse events find their arm by label
        raise InvalidInputError(
            f"`arms[2].label` must differ from `arms[1].label` (got {_show(control.label)} twice)"
        )
    enrolment = None
    if "enrolment" in doc:
        table = _get(doc, "enrolment", "", dict)
        _check_keys(table, {"assessed", "excluded"}, "enrolment.")
        enrolment = _wrap(
            "enrolment.",
            Enrolment,
            assessed=_get(table, "assessed", "enrolment.", int, required=False),
            excluded=_reason_table(table, "excluded", "enrolment."),
        )
    labels = (treatment.name, control.name)

    populations: list[Population] = []
    safety: str | None = None
    for i, item in enumerate(_get(doc, "populations", "", list, required=False, default=[])):
        path = f"populations[{i + 1}]."
        table = _table(item, f"populations[{i + 1}]")
        _check_keys(table, {"name", "counts", "description", "safety"}, path)
        counts = _pair(table, "counts", path)
        population = _wrap(
            path,
            Population,
            name=_get(table, "name", path, str),
            treatment=counts[0],
            control=counts[1],
            description=_get(table, "description", path, str, required=False, default=""),
        )
        populations.append(population)
        if _get(table, "safety", path, bool, required=False, default=False):
            if safety is not None:
                raise InvalidInputError(
                    f"`{path}safety`: only one population can be the safety one"
                )
            safety = population.name

    outcomes: list[BinaryOutcome] = []
    outcome_populations: dict[str, str] = {}
    published: dict[str, PublishedEstimate] = {}
    primary: str | None = None
    outcome_index: dict[str, int] = {}
    for i, item in enumerate(_get(doc, "outcomes", "", list, required=False, default=[])):
        path = f"outcomes[{i + 1}]."
        table = _table(item, f"outcomes[{i + 1}]")
        _check_keys(
            table, {"name", "primary", "events", "totals", "published", "population"}, path
        )
        name = _get(table, "name", path, str)
        if name in outcome_index:  # published estimates and `primary` find outcomes by name
            raise InvalidInputError(
                f"`{path}name` must differ from `outcomes[{outcome_index[name] + 1}].name` "
                f"(got {_show(name)} twice)"
            )
        events = _pair(table, "events", path)
        totals = _pair(table, "totals", path)
        outcome = _wrap(
            path,
            BinaryOutcome,
            name=name,
            treatment=(events[0], totals[0]),
            control=(events[1], totals[1]),
            labels=labels,
        )
        outcomes.append(outcome)
        outcome_index[name] = i
        if "population" in table:
            outcome_populations[name] = _get(table, "population", path, str)
        if _get(table, "primary", path, bool, required=False, default=False):
            if primary is not None:
                raise InvalidInputError(f"`{path}primary`: only one outcome can be primary")
            primary = name
        if "published" in table:
            ppath = f"{path}published."
            pub = _get(table, "published", path, dict)
            _check_keys(pub, {"measure", "estimate", "low", "high", "pvalue", "note"}, ppath)
            pvalue = _get(pub, "pvalue", ppath, (int, float), required=False)
            published[name] = _wrap(
                ppath,
                PublishedEstimate,
                measure=_get(pub, "measure", ppath, str),
                estimate=float(_get(pub, "estimate", ppath, (int, float))),
                low=float(_get(pub, "low", ppath, (int, float))),
                high=float(_get(pub, "high", ppath, (int, float))),
                pvalue=None if pvalue is None else float(pvalue),
                note=" ".join(_get(pub, "note", ppath, str, required=False, default="").split()),
            )

    events_list: list[AdverseEvent] = []
    for i, item in enumerate(_get(doc, "adverse_events", "", list, required=False, default=[])):
        path = f"adverse_events[{i + 1}]."
        table = _table(item, f"adverse_events[{i + 1}]")
        _check_keys(
            table,
            {
                "term",
                "category",
                "serious",
                "severity",
                "arm",
                "participants",
                "events",
                "exposure",
            },
            path,
        )
        exposure = _get(table, "exposure", path, (int, float), required=False)
        events_list.append(
            _wrap(
                path,
                AdverseEvent,
                term=_get(table, "term", path, str),
                arm=_get(table, "arm", path, str),
                participants=_get(table, "participants", path, int, required=False),
                events=_get(table, "events", path, int, required=False),
                category=_get(table, "category", path, str, required=False, default=""),
                serious=_get(table, "serious", path, bool, required=False, default=False),
                severity=_get(table, "severity", path, str, required=False),
                exposure=None if exposure is None else float(exposure),
            )
        )
    # Adverse events name arms by label or short name; store the label.
    by_name = {treatment.name: treatment.label, control.name: control.label}
    events_list = [attrs.evolve(e, arm=by_name.get(e.arm, e.arm)) for e in events_list]
    problems = trial_problems(
        (treatment, control),
        enrolment,
        outcomes,
        events_list,
        primary,
        published,
        populations=populations,
        outcome_populations=outcome_populations,
        safety_population=safety,
    )
    if problems:
        order = [arm_index["treatment"], arm_index["control"]]
        # The key path says where; the model's own "enrolment: " or "arm 'A': " is dropped.
        redundant = ("enrolment: ", f"arm {treatment.label!r}: ", f"arm {control.label!r}: ")
        raise InconsistentInputError(
            [
                f"`{_key_path(where, order, outcome_index)}`: "
                + next((text[len(r) :] for r in redundant if text.startswith(r)), text)
                for where, text in problems
            ]
        )
    return Trial(
        title=title,
        arms=(treatment, control),
        outcomes=tuple(outcomes),
        adverse_events=tuple(events_list),
        enrolment=enrolment,
        primary=primary,
        citation=citation,
        published=published,
        populations=tuple(populations),
        outcome_populations=outcome_populations,
        safety_population=safety,
        analysis=analysis,
        design=design,
        multiplicity=multiplicity,
    )


def _design(doc: Mapping[str, Any]) -> Design:
    """``[design]``: framework, measure, margin (a number, or [low, high] for equivalence),
    higher_is_better, method, outcome."""
    if "design" not in doc:
        return Design()
    table = _get(doc, "design", "", dict)
    keys = {"framework", "measure", "margin", "higher_is_better", "method", "outcome"}
    _check_keys(table, keys, "design.")
    margin = _get(table, "margin", "design.", (int, float, list), required=False)
    if isinstance(margin, list):
        for i, value in enumerate(margin):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInputError(
                    f"`design.margin[{i + 1}]` must be a number (got {_show(value)})"
                )
    design: Design = _wrap(
        "design.",
        Design,
        _get(table, "framework", "design.", str, required=False, default="superiority"),
        measure=_get(table, "measure", "design.", str, required=False),
        margin=margin,
        higher_is_better=_get(
            table, "higher_is_better", "design.", bool, required=False, default=False
        ),
        method=_get(table, "method", "design.", str, required=False),
        outcome=_get(table, "outcome", "design.", str, required=False),
    )
    return design


def _multiplicity(doc: Mapping[str, Any]) -> Multiplicity | None:
    """``[multiplicity]``: family (a list of outcome names), method, alpha, weights."""
    if "multiplicity" not in doc:
        return None
    table = _get(doc, "multiplicity", "", dict)
    _check_keys(table, {"family", "method", "alpha", "weights"}, "multiplicity.")
    family = _get(table, "family", "multiplicity.", list)
    for i, name in enumerate(family):
        if not isinstance(name, str):
            raise InvalidInputError(
                f"`multiplicity.family[{i + 1}]` must be a string (got {_show(name)})"
            )
    weights = _get(table, "weights", "multiplicity.", list, required=False)
    for i, value in enumerate(weights or []):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInputError(
                f"`multiplicity.weights[{i + 1}]` must be a number (got {_show(value)})"
            )
    result: Multiplicity = _wrap(
        "multiplicity.",
        Multiplicity,
        family,
        method=_get(table, "method", "multiplicity.", str, required=False, default="holm"),
        alpha=_get(table, "alpha", "multiplicity.", (int, float), required=False, default=0.05),
        weights=weights,
    )
    return result


def _key_path(where: Where, arm_order: list[int], outcome_index: Mapping[str, int]) -> str:
    """The key path in the file of a problem's location in the trial."""
    head, *rest = where
    if head == "arms" and rest:
        return f"arms[{arm_order[int(rest[0])] + 1}]"
    if head in ("outcomes", "adverse_events") and rest:
        tail = "".join(f".{part}" for part in rest[1:])
        return f"{head}[{int(rest[0]) + 1}]{tail}"
    if head == "published" and rest and str(rest[0]) in outcome_index:
        return f"outcomes[{outcome_index[str(rest[0])] + 1}].published"
    if head == "outcome_populations" and rest and str(rest[0]) in outcome_index:
        return f"outcomes[{outcome_index[str(rest[0])] + 1}].population"
    if head == "populations" and rest:
        tail = "".join(f".{part}" for part in rest[1:])
        return f"populations[{int(rest[0]) + 1}]{tail}"
    if head == "safety_population":
        return "populations.safety"
    if head == "primary":
        return "outcomes.primary"
    return str(head)


def _reason_table(table: Mapping[str, Any], key: str, path: str) -> dict[str, int]:
    """A table of reason = count (``[arms.lost_to_follow_up]``); empty when absent."""
    reasons: dict[str, Any] = _get(table, key, path, dict, required=False, default={})
    for reason, count in reasons.items():
        where = f"{path}{key}.{_key(reason)}"
        if not isinstance(count, int) or isinstance(count, bool):
            raise InvalidInputError(f"`{where}` must be an integer count (got {_show(count)})")
        _check_size(count, where)
    return reasons


def _pair(table: Mapping[str, Any], key: str, path: str) -> tuple[int, int]:
    value = _get(table, key, path, list)
    if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise InvalidInputError(
            f"`{path}{key}` must be two integers, treatment then control (got {_show(value)})"
        )
    for i, v in enumerate(value):
        _check_size(v, f"{path}{key}[{i + 1}]")
    return (value[0], value[1])
