"""The ``rctkit`` command line: ``demo``, ``report TRIAL.toml``, ``2x2 A/N C/M``, ``power``,
``samplesize`` and ``tipping [TRIAL.toml]``.

The contract, whatever the input:

* exit 0: the result is on stdout (or in the ``--output`` file); warnings, if any, are on
  stderr, one line each, starting ``rctkit: warning:``.
* exit 2: nothing on stdout and exactly one line on stderr, ``rctkit: error: ...``, naming the
  argument or the trial file's key path: bad arguments (no usage dump), a bad trial file, a
  request refused for its cost, an output file that is not replaced without ``--force``, or
  output that cannot be written. A trial file whose counts disagree in several places gives
  the first problem and the count of the others; ``--verbose`` lists every one.
* exit 70 (``EX_SOFTWARE``): an unexpected exception, that is a bug in rctkit. One line,
  ``rctkit: internal error: ...``; ``--verbose`` prints the traceback. It is kept apart from
  exit 2 so that a bug is never mistaken for bad input.
* exit 130: interrupted (Ctrl-C), one line.

Limits: a trial file is a regular file of at most 1 MiB (see :func:`rctkit.io.load_trial`);
``report`` reports at most :data:`MAX_REPORT_OUTCOMES` (1,000) outcomes and
:data:`MAX_REPORT_ADVERSE_EVENTS` (100,000) adverse-event records, refused before any estimate
with a :class:`~rctkit.CostLimitError` (each costs about 1 ms of exact tests); counts above
:data:`rctkit.MAX_COUNT` (1e12) are refused, as in the library.

A reader that stops early (``rctkit demo | head -1``) ends the run quietly with exit 0. When
stdout cannot encode a character (``PYTHONIOENCODING=ascii``, ``LANG=C``), the typographic
characters of reports are written in ASCII (``–`` and ``−`` as ``-``, ``·`` as ``.``, ``≤``
as ``<=``, ``∞`` as ``inf``) and any other as a backslash escape (``\\xc4``), with one warning
on stderr; nothing is dropped silently. Files written with ``--output`` are always UTF-8.
"""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from rctkit import _progress, batch, effects, hypothesis_tests, margins
from rctkit._engine import method_label
from rctkit._validation import MAX_COUNT, check_confidence_level
from rctkit._version import __version__
from rctkit.errors import (
    CostLimitError,
    InconsistentInputError,
    InvalidInputError,
    RctkitError,
    RctkitWarning,
)
from rctkit.formatting import STYLES, format_estimate, format_p, format_percent
from rctkit.io import example_trial, load_trial, read_trial_stream
from rctkit.model import BinaryOutcome, Trial
from rctkit.power import power as power_of
from rctkit.power import sample_size as sample_size_of
from rctkit.report import RENDER_FORMATS, TrialReport
from rctkit.results import MEASURE_LABELS
from rctkit.summary import DEFAULT_METHODS, check_methods, summarise_outcome
from rctkit.tipping import tipping_point

__all__ = [
    "EXIT_INPUT_ERROR",
    "EXIT_INTERNAL_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "MAX_REPORT_ADVERSE_EVENTS",
    "MAX_REPORT_OUTCOMES",
    "main",
]

EXIT_OK = 0
EXIT_INPUT_ERROR = 2
EXIT_INTERNAL_ERROR = 70  # EX_SOFTWARE of sysexits.h: a bug, not bad input
EXIT_INTERRUPTED = 130

#: The most outcomes and adverse-event records ``rctkit report`` reports: each costs about
#: 1 ms of exact tests, so a report stays within a few seconds.
MAX_REPORT_OUTCOMES = 1_000
MAX_REPORT_ADVERSE_EVENTS = 100_000

_COUNTS = re.compile(r"^\s*([0-9]+)\s*/\s*([0-9]+)\s*$")
_COUNT_DIGITS = len(str(MAX_COUNT))

# Characters that end a line on a terminal or for str.splitlines, written as escapes in
# messages so that every message is one line.
_LINE_BREAKS = {ord(c): repr(c)[1:-1] for c in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}

# The typographic characters of rctkit's reports, in ASCII, for a stdout that cannot show them.
_ASCII = str.maketrans(
    {
        "\u2013": "-",  # en dash of ranges, "0·45–0·99"
        "\u2014": "--",
        "\u2212": "-",  # minus sign
        "\u00b7": ".",  # the Lancet's decimal point
        "\u00a0": " ",
        "\u2009": " ",
        "\u2264": "<=",
        "\u2265": ">=",
        "\u221e": "inf",
        "\u00b1": "+/-",
        "\u00d7": "x",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
    }
)


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one-line InvalidInputError instead of usage + exit."""

    def error(self, message: str) -> NoReturn:
        raise InvalidInputError(f"{message} (see `{self.prog} --help`)")


def _shown(text: str) -> str:
    """An argument as typed, quoted, and cut short when it is long."""
    return repr(text) if len(text) <= 60 else f"{text[:60]!r}... ({len(text):,} characters)"


def _parse_counts(text: str, name: str) -> tuple[int, int]:
    match = _COUNTS.match(text)
    if not match:
        raise InvalidInputError(
            f"`{name}` must be EVENTS/TOTAL with whole numbers, like 64/218 (got {_shown(text)})"
        )
    counts = []
    for digits in match.groups():
        if len(digits.lstrip("0")) > _COUNT_DIGITS:  # refused before int() reads the digits
            raise InvalidInputError(
                f"`{name}` counts must be at most {MAX_COUNT:.0e} (rctkit.MAX_COUNT), the largest "
                f"count computed exactly (got a number of {len(digits.lstrip('0')):,} digits)"
            )
        counts.append(int(digits))
    return counts[0], counts[1]


def _level(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInputError(
            f"`--level` must be a number between 0 and 1, like 0.95 (got {_shown(text)})"
        ) from None
    try:
        return check_confidence_level(value)
    except InvalidInputError as exc:
        raise InvalidInputError(str(exc).replace("`confidence_level`", "`--level`")) from None


def _two_by_two(args: argparse.Namespace) -> str:
    level = _level(args.level)
    treatment = _parse_counts(args.treatment, "treatment")
    control = _parse_counts(args.control, "control")
    try:
        outcome = BinaryOutcome.from_counts(treatment=treatment, control=control)
    except InvalidInputError as exc:
        raise InvalidInputError(str(exc).replace("`treatment`: ", "`treatment` ")) from None
    chosen = check_methods(_chosen_methods(args.method), "--method")
    if args.methods == "all" and chosen:
        raise InvalidInputError("`--method` and `--methods all` exclude each other")
    lines = [f"{'':<12}{'Events':>8}{'Total':>8}{'Risk':>9}"]
    for label, (e, n) in (("Treatment", treatment), ("Control", control)):
        risk = format_percent(e, n, decimals=1, show_total=False).split("(")[-1].rstrip(")")
        lines.append(f"{label:<12}{e:>8}{n:>8}{risk:>9}")
    lines.append("")
    skipped: list[str] = []
    if args.methods == "all":
        estimates = []
        for measure in ("odds_ratio", "risk_ratio", "risk_difference"):
            for method in batch.EFFECT_METHODS[measure]:
                try:
                    estimates.append(
                        getattr(effects, measure)(outcome, method=method, confidence_level=level)
                    )
                except CostLimitError as exc:  # an exact interval too costly for this table
                    skipped.append(
                        f"{MEASURE_LABELS[measure]:<17}{method + ' ':<15}not computed: {exc}"
                    )
        tests = list(batch.TEST_METHODS)
    else:
        # The library's one default per measure (rctkit.DEFAULT_METHODS), as the report
        # chooses it: a default that a zero cell leaves undefined gives way to the score
        # interval; a method named with --method is kept.
        s = summarise_outcome(outcome, confidence_level=level, methods=chosen)
        estimates = [s.odds_ratio, s.risk_ratio, s.risk_difference]
        tests = list(dict.fromkeys([chosen.get("test", DEFAULT_METHODS["test"]), "fisher"]))
    for est in estimates:
        measure = est.measure
        null = 0.0 if measure == "risk_difference" else 1.0
        text = format_estimate(est.estimate, est.ci.low, est.ci.high, 4, level=level, null=null)
        p = "" if est.pvalue is None else f"  {format_p(est.pvalue)}"
        name = method_label(measure, est.method)
        lines.append(f"{MEASURE_LABELS[measure]:<17}{est.method + ' ':<15}{text}{p}  ({name})")
    lines.extend(skipped)
    lines.append("")
    for method in tests:
        try:
            res = hypothesis_tests.hypothesis_test(outcome, method=method)
        except CostLimitError as exc:  # a test that is not computed for this table (too large)
            lines.append(f"{'Test':<17}{method + ' ':<15}not computed: {exc}")
            continue
        stat_ = "" if res.statistic is None else f"statistic {res.statistic:.4f}, "
        name = method_label("test", method)
        lines.append(f"{'Test':<17}{method + ' ':<15}{stat_}p = {_p_digits(res.pvalue)}  ({name})")
    margin_lines = _margin_lines(args, outcome, level)
    if margin_lines:
        lines += ["", *margin_lines]
    return "\n".join(lines) + "\n"


def _margin_spec(text: str, option: str, pair: bool) -> tuple[str, Any]:
    """``rd=-0.125`` (or ``rd=-0.1,0.1`` for a pair): the measure and the margin."""
    measure, sep, value = text.partition("=")
    key = _MEASURE_SHORT.get(measure.strip().lower(), measure.strip().lower())
    form = "MEASURE=LOW,HIGH" if pair else "MEASURE=MARGIN"
    example = "rd=-0.1,0.1" if pair else "rd=-0.125"
    try:
        parts = [float(v) for v in value.split(",")]
    except ValueError:
        parts = []
    if not sep or key not in _MEASURE_SHORT.values() or len(parts) != (2 if pair else 1):
        raise InvalidInputError(
            f"`{option}` must be {form} with MEASURE one of or, rr, rd, like {example} "
            f"(got {text!r})"
        )
    return key, (tuple(parts) if pair else parts[0])


def _margin_lines(args: argparse.Namespace, outcome: BinaryOutcome, level: float) -> list[str]:
    """The non-inferiority or equivalence test the command line asked for, if any."""
    options: dict[str, Any] = {"confidence_level": level}
    if args.margin_method is not None:
        options["method"] = args.margin_method
    if args.noninferiority is not None and args.equivalence is not None:
        raise InvalidInputError("`--noninferiority` and `--equivalence` exclude each other")
    if args.noninferiority is not None:
        measure, margin = _margin_spec(args.noninferiority, "--noninferiority", pair=False)
        null = 0.0 if measure == "risk_difference" else 1.0
        # The margin's side says which way is better: below the null, higher is better.
        test = margins.noninferiority(
            outcome, measure=measure, margin=margin, higher_is_better=margin < null, **options
        )
        title = "Non-inferiority"
    elif args.equivalence is not None:
        measure, pair = _margin_spec(args.equivalence, "--equivalence", pair=True)
        test = margins.equivalence(outcome, measure=measure, margins=pair, **options)
        title = "Equivalence"
    else:
        return []
    null = 0.0 if test.measure == "risk_difference" else 1.0
    text = format_estimate(
        test.estimate, test.ci.low, test.ci.high, 4, level=test.confidence_level, null=null
    )
    sided = "one-sided" if test.framework == "noninferiority" else "two one-sided tests"
    return [
        f"{title:<17}{test.method + ' ':<15}{test.hypothesis}",
        f"{'':<32}{MEASURE_LABELS[test.measure].lower()} {text}",
        f"{'':<32}{sided} p = {_p_digits(test.pvalue)}",
        f"{'':<32}{test.conclusion}",
    ]


def _p_digits(pvalue: float) -> str:
    """A p-value to four significant figures, with more where four would carry it across
    0.05 (0.049996 is "0.049996", never "0.05")."""
    digits = 4
    text = f"{pvalue:.{digits}g}"
    while digits < 17 and (float(text) < 0.05) != (pvalue < 0.05):
        digits += 1
        text = f"{pvalue:.{digits}g}"
    return text


def _report(args: argparse.Namespace) -> str:
    level = _level(args.level)
    output = None if args.output is None else _check_output(args)
    trial = example_trial() if args.command == "demo" else _load_trial(args)
    _check_report_cost(trial)
    fmt = _output_format(args.format, output)
    built = TrialReport(
        trial,
        style=args.style,
        confidence_level=level,
        methods=_chosen_methods(args.method),
        percent_decimals=args.percent_decimals,
    )
    # A page on its own: the HTML the command line writes is a complete document.
    text = built.to_html(standalone=True) if fmt == "html" else built.render(fmt)
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        return text
    _write_output(output, text, force=args.force, trial=getattr(args, "trial", None))
    return ""


def _load_trial(args: argparse.Namespace) -> Trial:
    """The trial of ``report`` or ``tipping``: ADaM data (``--adam``), stdin or a file."""
    if getattr(args, "adam", None) is not None:
        return _read_adam(args)
    if args.trial == "-":
        return read_trial_stream(sys.stdin.buffer)
    if args.trial is None:
        raise InvalidInputError("report needs a TRIAL.toml file or --adam ADSL [ADAE]")
    return load_trial(Path(args.trial))


def _read_adam(args: argparse.Namespace) -> Trial:
    if args.trial is not None or len(args.adam) > 2:
        raise InvalidInputError(
            "--adam takes ADSL and optionally ADAE, and no TRIAL.toml beside them "
            f"(got {[*([args.trial] if args.trial else []), *args.adam]})"
        )
    from rctkit.io import read_adam

    return read_adam(*args.adam)


#: The short names ``--method`` takes beside the measures' own.
_MEASURE_SHORT = {"or": "odds_ratio", "rr": "risk_ratio", "rd": "risk_difference"}


def _chosen_methods(given: Sequence[str] | None) -> dict[str, str]:
    """``--method MEASURE=METHOD`` (repeatable; ``or``, ``rr``, ``rd`` or a measure's name,
    or ``test``): the report's methods over the trial file's ``[analysis]``."""
    chosen: dict[str, str] = {}
    for item in given or ():
        measure, sep, method = item.partition("=")
        key = _MEASURE_SHORT.get(measure.strip().lower(), measure.strip().lower())
        if not sep or not method.strip() or key not in (*_MEASURE_SHORT.values(), "test"):
            raise InvalidInputError(
                "`--method` must be MEASURE=METHOD with MEASURE one of or, rr, rd, odds_ratio, "
                f"risk_ratio, risk_difference or test, like rd=newcombe (got {item!r})"
            )
        chosen[key] = method.strip()
    return chosen


#: The format an ``--output`` file's extension implies when ``--format`` is not given.
_EXTENSION_FORMATS = {
    ".txt": "text",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".tex": "latex",
    ".rtf": "rtf",
    ".json": "json",
    ".csv": "csv",
}


def _output_format(given: str | None, output: Path | None) -> str:
    """``--format`` when given, else the one the output file's extension implies, else text."""
    if given is not None:
        return given
    if output is None:
        return "text"
    return _EXTENSION_FORMATS.get(output.suffix.lower(), "text")


def _check_report_cost(trial: Trial) -> None:
    """Refuse, before any estimate, a trial whose report would take more than a few seconds."""
    for name, count, limit, seconds in (
        ("outcomes", len(trial.outcomes), MAX_REPORT_OUTCOMES, 1e-3),
        ("adverse_events", len(trial.adverse_events), MAX_REPORT_ADVERSE_EVENTS, 4e-5),
    ):
        if count > limit:
            raise CostLimitError(
                f"`{name}`: the trial lists {count:,} {name.replace('_', ' ')}; `rctkit report` "
                f"reports at most {limit:,} (each takes exact tests, about {seconds * 1e3:g} ms, "
                f"so the report would take about {count * seconds:.0f} s); split the trial "
                "file, or build the report in Python with rctkit.TrialReport"
            )


def _check_output(args: argparse.Namespace) -> Path:
    """Refuse ``--output`` before any work: the input itself, a non-file, or a file without
    ``--force``; the write then checks again (it creates the file exclusively)."""
    output = Path(args.output)
    _refuse_existing(output, force=args.force, trial=getattr(args, "trial", None))
    return output


def _refuse_existing(output: Path, *, force: bool, trial: str | None) -> None:
    try:
        out = os.stat(output)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InvalidInputError(
            f"`--output`: cannot write {_shown(str(output))} ({exc.strerror})"
        ) from None
    if trial is not None:
        try:
            source = os.stat(trial)
        except OSError:
            source = None
        if source is not None and (source.st_dev, source.st_ino) == (out.st_dev, out.st_ino):
            raise InvalidInputError(
                f"`--output` must not be the trial file itself (got {_shown(str(output))}), "
                "even with --force; write the report to another file"
            )
    if not stat.S_ISREG(out.st_mode):
        raise InvalidInputError(
            f"`--output` must be a regular file (got {_shown(str(output))}, which is not); "
            "leave out --output to write to stdout"
        )
    if not force:
        raise InvalidInputError(
            f"`--output` {_shown(str(output))} already exists; add --force to replace it"
        )


def _write_output(output: Path, text: str, *, force: bool, trial: str | None) -> None:
    _refuse_existing(output, force=force, trial=trial)
    try:
        # "x" creates the file or fails, so a file made since the check is not overwritten.
        with open(output, "w" if force else "x", encoding="utf-8") as file:
            file.write(text)
    except FileExistsError:
        raise InvalidInputError(
            f"`--output` {_shown(str(output))} already exists; add --force to replace it"
        ) from None
    except OSError as exc:
        raise InvalidInputError(
            f"`--output`: cannot write {_shown(str(output))} ({exc.strerror})"
        ) from None
    _say(sys.stderr, f"rctkit: wrote report to {output}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rctkit",
        description="Report randomised controlled trials with binary outcomes.",
        epilog="Exit status: 0 done, 2 bad input (one line on stderr), 70 a bug in rctkit.",
    )
    parser.add_argument("--version", action="version", version=f"rctkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="the CORE trial worked example (Lancet 2018)")
    report = sub.add_parser("report", help="report a trial described in a TOML file")
    report.add_argument(
        "trial",
        metavar="TRIAL.toml",
        nargs="?",
        help="the trial file (at most 1 MiB); - reads stdin",
    )
    report.add_argument(
        "--adam",
        nargs="+",
        metavar=("ADSL", "ADAE"),
        help="CDISC ADaM data sets instead of a trial file (xpt, sas7bdat, Dataset-JSON, "
        "parquet or csv): ADSL, then ADAE for the SOC/PT harms table",
    )
    for p in (demo, report):
        p.add_argument("--style", choices=STYLES, default="plain", help="journal style")
        p.add_argument(
            "--percent-decimals",
            type=int,
            choices=range(7),
            default=None,
            metavar="{0..6}",
            help="decimals of the percentages (default: the style's)",
        )
        p.add_argument("--level", default="0.95", help="confidence level (default 0.95)")
        p.add_argument(
            "--format",
            choices=RENDER_FORMATS,
            default=None,
            help="output format (default: from the --output file's extension, else text)",
        )
        p.add_argument(
            "--output",
            "-o",
            default=None,
            help="write to this new file, not stdout (never the trial file itself)",
        )
        p.add_argument(
            "--force", action="store_true", help="let --output replace an existing file"
        )
        p.add_argument(
            "--method",
            action="append",
            metavar="MEASURE=METHOD",
            help="a method for a measure (or, rr, rd, test), e.g. rd=newcombe; repeatable; "
            "over the trial file's [analysis]",
        )

    table = sub.add_parser(
        "2x2", help="effect measures and tests for one table, e.g. rctkit 2x2 64/218 83/216"
    )
    table.add_argument("treatment", metavar="EVENTS/TOTAL", help="treatment arm, e.g. 64/218")
    table.add_argument("control", metavar="EVENTS/TOTAL", help="control arm, e.g. 83/216")
    table.add_argument("--level", default="0.95", help="confidence level (default 0.95)")
    table.add_argument(
        "--method",
        action="append",
        metavar="MEASURE=METHOD",
        help="a method for a measure (or, rr, rd, test), e.g. rd=wald; repeatable; "
        "default: rctkit.DEFAULT_METHODS",
    )
    table.add_argument(
        "--noninferiority",
        metavar="MEASURE=MARGIN",
        help="test non-inferiority at a margin on the measure's scale, e.g. rd=-0.125 (a "
        "margin below the null means higher is better) or rr=1.25",
    )
    table.add_argument(
        "--equivalence",
        metavar="MEASURE=LOW,HIGH",
        help="test equivalence within two margins (two one-sided tests), e.g. rd=-0.1,0.1",
    )
    table.add_argument(
        "--margin-method",
        choices=("fm", "mn", "wald", "newcombe", "exact"),
        default=None,
        help="the test against the margin (default: mn, Miettinen-Nurminen)",
    )
    table.add_argument(
        "--methods",
        choices=("default", "all"),
        default="default",
        help='"all" prints every interval method and test side by side',
    )
    design = _design_parsers(sub)
    tip = sub.add_parser("tipping", help="tipping-point analysis of the missing outcomes")
    tip.add_argument("trial", nargs="?", default=None, metavar="TRIAL.toml", help="default CORE")
    tip.add_argument("--measure", default="risk_difference", help="or odds_ratio, risk_ratio")
    tip.add_argument("--test", default=None, help="the test of the p-values (default chi2)")
    tip.add_argument("--alpha", type=float, default=0.05, help="significance (default 0.05)")
    for command in (demo, report, table, *design, tip):
        command.add_argument(
            "--verbose",
            "-v",
            action="store_true",
            help="list every problem of an inconsistent trial file; tracebacks of internal errors",
        )
    return parser


def _tipping(args: argparse.Namespace) -> str:
    """``rctkit tipping [TRIAL.toml]``: the grid of p-values and where the conclusion tips."""
    trial = example_trial() if args.trial is None else _load_trial(args)
    res = tipping_point(trial, measure=args.measure, test=args.test, alpha=args.alpha)
    return (
        f"{res.outcome}: missing {res.missing[0]} treatment, {res.missing[1]} control\n"
        f"Observed case: {res.conclusion}\n"
        f"p-values ({res.test}); rows i, columns j: events among the missing treatment and "
        f"control participants; * the conclusion does not hold\n"
        f"{res.grid_text()}\n{res.sentence}\n"
    )


def _design_parsers(sub: Any) -> tuple[argparse.ArgumentParser, ...]:
    """The ``power`` and ``samplesize`` subcommands."""
    power = sub.add_parser(
        "power", help="power of a test, e.g. rctkit power 0.29 0.38 --n 220 --test fisher"
    )
    size = sub.add_parser(
        "samplesize", help="sample size for a power, e.g. rctkit samplesize 0.29 0.38 --power 0.8"
    )
    for p in (power, size):
        p.add_argument("p_treatment", type=float, metavar="P_TREATMENT", help="treatment risk")
        p.add_argument("p_control", type=float, metavar="P_CONTROL", help="control risk")
        p.add_argument("--test", default="chi2", help="the test (default chi2), e.g. fisher")
        p.add_argument("--alpha", type=float, default=0.05, help="two-sided (default 0.05)")
        p.add_argument(
            "--asymptotic", action="store_true", help="the normal approximation, not exact"
        )
    power.add_argument("--n", type=int, required=True, help="participants per arm")
    power.add_argument(
        "--n-control", type=int, default=None, help="control participants, when not --n"
    )
    size.add_argument("--power", type=float, default=0.8, help="power wanted (default 0.8)")
    size.add_argument("--dropout", type=float, default=0.0, help="drop-out fraction")
    size.add_argument(
        "--allocation", type=float, default=1.0, help="treatment per control (default 1)"
    )
    size.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress bar on stderr (default: when stderr is a terminal and tqdm is installed)",
    )
    return power, size


def _power(args: argparse.Namespace) -> str:
    res = power_of(
        test=args.test,
        p_treatment=args.p_treatment,
        p_control=args.p_control,
        n_treatment=args.n,
        n_control=args.n if args.n_control is None else args.n_control,
        alpha=args.alpha,
        exact=not args.asymptotic,
    )
    return f"Power {res.power:.4f} (type I error {res.size:.4f})\n{res.sentence}\n"


def _sample_size(args: argparse.Namespace) -> str:
    if args.progress and not _progress.available():
        raise InvalidInputError('--progress needs tqdm: pip install "rctkit[progress]"')
    res = sample_size_of(
        test=args.test,
        p_treatment=args.p_treatment,
        p_control=args.p_control,
        power=args.power,
        alpha=args.alpha,
        allocation=args.allocation,
        dropout=args.dropout,
        exact=not args.asymptotic,
        progress=_progress.available() and sys.stderr.isatty()
        if args.progress is None
        else args.progress,
    )
    lines = [
        f"Treatment {res.n_treatment}, control {res.n_control}, total {res.total}",
        f"Power achieved {res.power:.4f}; first n reaching it {res.n_first}, stable from "
        f"{res.n_stable} (checked to {res.n_stable_bound})",
        res.sentence,
    ]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return text.translate(_LINE_BREAKS)


def _encodable(text: str, stream: TextIO) -> tuple[str, bool]:
    """``text`` as ``stream`` can encode it, and whether anything had to be replaced."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    errors = getattr(stream, "errors", None) or "strict"
    try:
        text.encode(encoding, errors)
        return text, False
    except UnicodeEncodeError:
        pass
    except LookupError:  # an encoding Python does not know; let the stream decide
        return text, False
    ascii_text = text.translate(_ASCII)
    return ascii_text.encode(encoding, "backslashreplace").decode(encoding), True


def _say(stream: TextIO | None, line: str) -> None:
    """Write one line to stderr (or drop it when stderr is closed)."""
    if stream is None:
        return
    text, _ = _encodable(_one_line(line), stream)
    try:
        stream.write(text + "\n")
        stream.flush()
    except (OSError, ValueError):  # stderr closed or broken: nowhere left to say it
        pass


def _emit(text: str, stream: TextIO | None) -> str | None:
    """Write the result to stdout; return a warning when characters were replaced."""
    if not text:
        return None
    if stream is None:
        raise InvalidInputError("stdout is closed; give --output FILE to write the report")
    safe, replaced = _encodable(text, stream)
    try:
        stream.write(safe)
        stream.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise InvalidInputError(f"cannot write to stdout ({exc.strerror})") from None
    if not replaced:
        return None
    encoding = getattr(stream, "encoding", None) or "?"
    return (
        f"stdout's encoding ({encoding}) cannot show some characters: dashes, minus signs and "
        "middle dots are written as - and ., others as backslash escapes; set "
        "PYTHONIOENCODING=utf-8 or use --output to keep them"
    )


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at devnull so that Python's exit flush is quiet."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except OSError:  # pragma: no cover
        pass


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help or --version, printed on stdout
        return exc.code if isinstance(exc.code, int) else EXIT_INPUT_ERROR
    except InvalidInputError as exc:
        _say(sys.stderr, f"rctkit: error: {exc}")
        return EXIT_INPUT_ERROR
    commands: dict[str, Callable[[argparse.Namespace], str]] = {
        "2x2": _two_by_two,
        "power": _power,
        "samplesize": _sample_size,
        "tipping": _tipping,
    }
    command = commands.get(args.command, _report)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RctkitWarning)
            text = command(args)
            notes = [str(w.message) for w in caught]
            notes.append(_emit(text, sys.stdout) or "")
    except InconsistentInputError as exc:
        if args.verbose:
            for problem in exc.problems:
                _say(sys.stderr, f"rctkit: error: {exc.prefix}{problem}")
        else:
            hint = "; --verbose lists them all" if len(exc.problems) > 1 else ""
            _say(sys.stderr, f"rctkit: error: {exc}{hint}")
        return EXIT_INPUT_ERROR
    except RctkitError as exc:
        _say(sys.stderr, f"rctkit: error: {exc}")
        return EXIT_INPUT_ERROR
    except (BrokenPipeError, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug: one line, and the traceback on request
        if args.verbose:
            traceback.print_exc()
        message = f"{type(exc).__name__}: {exc}"
        if len(message) > 300:
            message = message[:300] + "..."
        _say(
            sys.stderr,
            f"rctkit: internal error: {message} (a bug in rctkit {__version__}; please report it"
            f"{'' if args.verbose else ', with the traceback that --verbose prints'})",
        )
        return EXIT_INTERNAL_ERROR
    for note in dict.fromkeys(n for n in notes if n):  # in order, each once
        _say(sys.stderr, f"rctkit: warning: {note}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return the exit status.

    0 when done, 2 for bad input with one line on stderr, 70 for a bug in rctkit, 130 when
    interrupted. A closed stdout pipe ends the run quietly with 0.
    """
    try:
        return _run(argv)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt as exc:
        _say(sys.stderr, f"rctkit: {exc}" if str(exc) else "rctkit: interrupted")
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
