"""Trial files: a trial described in TOML, parsed with :mod:`tomllib`.

The format is documented field by field in the docs ("Trial files"). Every error names the
key path (``arms[2].allocated``) and, for malformed TOML, the line.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from rctkit.errors import InvalidInputError
from rctkit.model import AdverseEvent, Arm, BinaryOutcome, Enrolment, PublishedEstimate, Trial

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["load_trial", "parse_trial"]

_ROLES = ("treatment", "control")

# Tables of reasons (reason = count) in each arm's part of the CONSORT flow.
_ARM_REASONS = ("did_not_receive", "lost_to_follow_up", "discontinued", "excluded_from_analysis")


def load_trial(path: str | Path) -> Trial:
    """Read a trial file.

    Raises
    ------
    InvalidInputError
        If the file cannot be read, is not valid TOML (the message gives the line), or breaks a
        rule of the format (the message gives the key path).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(
            f"`path`: cannot read trial file {str(path)!r} ({exc.strerror})"
        ) from None
    return parse_trial(text, source=str(path))


def parse_trial(text: str, *, source: str = "<string>") -> Trial:
    """Parse the TOML text of a trial file."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInputError(f"{source}: malformed TOML: {exc}") from None
    try:
        return _build(doc)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{source}: {exc}") from None


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
    if (
        isinstance(value, bool)
        and kind is not bool
        and bool not in (kind if isinstance(kind, tuple) else (kind,))
    ):
        raise InvalidInputError(f"`{path}{key}` must be {_kind_name(kind)} (got {value!r})")
    if not isinstance(value, kind):
        raise InvalidInputError(f"`{path}{key}` must be {_kind_name(kind)} (got {value!r})")
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
            f"`{path}{unknown[0]}` is not a known key (known: {', '.join(sorted(allowed))})"
        )


def _wrap(path: str, build: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return build(*args, **kwargs)
    except InvalidInputError as exc:
        raise InvalidInputError(f"`{path.rstrip('.')}`: {exc}") from None


def _build(doc: Mapping[str, Any]) -> Trial:
    _check_keys(doc, {"trial", "enrolment", "arms", "outcomes", "adverse_events"}, "")
    meta = _get(doc, "trial", "", dict)
    _check_keys(meta, {"title", "citation"}, "trial.")
    title = _get(meta, "title", "trial.", str)
    citation = _get(meta, "citation", "trial.", str, required=False, default="")

    arm_tables = _get(doc, "arms", "", list)
    if len(arm_tables) != 2:
        raise InvalidInputError(f"`arms` must list exactly two arms (got {len(arm_tables)})")
    arms: dict[str, Arm] = {}
    for i, table in enumerate(arm_tables):
        path = f"arms[{i + 1}]."
        if not isinstance(table, dict):
            raise InvalidInputError(f"`arms[{i + 1}]` must be a table (got {table!r})")
        _check_keys(
            table,
            {"label", "short", "role", "allocated", "received", "analysed", "description"}
            | set(_ARM_REASONS),
            path,
        )
        role = _get(table, "role", path, str)
        if role not in _ROLES:
            raise InvalidInputError(
                f'`{path}role` must be "treatment" or "control" (got {role!r})'
            )
        if role in arms:
            raise InvalidInputError(f"`{path}role`: two arms have role {role!r}")
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

    outcomes: list[BinaryOutcome] = []
    published: dict[str, PublishedEstimate] = {}
    primary: str | None = None
    for i, table in enumerate(_get(doc, "outcomes", "", list, required=False, default=[])):
        path = f"outcomes[{i + 1}]."
        _check_keys(table, {"name", "primary", "events", "totals", "published"}, path)
        name = _get(table, "name", path, str)
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
        if _get(table, "primary", path, bool, required=False, default=False):
            if primary is not None:
                raise InvalidInputError(f"`{path}primary`: only one outcome can be primary")
            primary = name
        if "published" in table:
            ppath = f"{path}published."
            pub = _get(table, "published", path, dict)
            _check_keys(pub, {"measure", "estimate", "low", "high", "pvalue", "note"}, ppath)
            published[name] = PublishedEstimate(
                measure=_get(pub, "measure", ppath, str),
                estimate=float(_get(pub, "estimate", ppath, (int, float))),
                low=float(_get(pub, "low", ppath, (int, float))),
                high=float(_get(pub, "high", ppath, (int, float))),
                pvalue=_get(pub, "pvalue", ppath, (int, float), required=False),
                note=" ".join(_get(pub, "note", ppath, str, required=False, default="").split()),
            )

    events_list: list[AdverseEvent] = []
    for i, table in enumerate(_get(doc, "adverse_events", "", list, required=False, default=[])):
        path = f"adverse_events[{i + 1}]."
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
    return Trial(
        title=title,
        arms=(treatment, control),
        outcomes=tuple(outcomes),
        adverse_events=tuple(events_list),
        enrolment=enrolment,
        primary=primary,
        citation=citation,
        published=published,
    )


def _reason_table(table: Mapping[str, Any], key: str, path: str) -> dict[str, int]:
    """A table of reason = count (``[arms.lost_to_follow_up]``); empty when absent."""
    reasons: dict[str, Any] = _get(table, key, path, dict, required=False, default={})
    for reason, count in reasons.items():
        if not isinstance(count, int) or isinstance(count, bool):
            raise InvalidInputError(
                f'`{path}{key}."{reason}"` must be an integer count (got {count!r})'
            )
    return reasons


def _pair(table: Mapping[str, Any], key: str, path: str) -> tuple[int, int]:
    value = _get(table, key, path, list)
    if len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise InvalidInputError(
            f"`{path}{key}` must be two integers, treatment then control (got {value!r})"
        )
    return (value[0], value[1])
