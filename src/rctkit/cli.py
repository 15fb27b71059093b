"""The ``rctkit`` command line: ``demo``, ``report TRIAL.toml`` and ``2x2 A/N C/M``.

Errors in the input print one line to stderr and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from rctkit import batch, effects, hypothesis_tests
from rctkit._engine import method_label
from rctkit._validation import check_confidence_level
from rctkit._version import __version__
from rctkit.errors import CostLimitError, InvalidInputError, RctkitError, RctkitWarning
from rctkit.formatting import STYLES, format_estimate, format_p
from rctkit.io import example_trial, load_trial
from rctkit.model import BinaryOutcome
from rctkit.report import TrialReport
from rctkit.results import MEASURE_LABELS

__all__ = ["main"]

_COUNTS = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")

EXIT_INPUT_ERROR = 2


def _parse_counts(text: str, name: str) -> tuple[int, int]:
    match = _COUNTS.match(text)
    if not match:
        raise InvalidInputError(
            f"`{name}` must be EVENTS/TOTAL with whole numbers, like 64/218 (got {text!r})"
        )
    return int(match.group(1)), int(match.group(2))


def _level(text: str) -> float:
    try:
        return check_confidence_level(float(text))
    except (ValueError, InvalidInputError):
        raise InvalidInputError(
            f"`--level` must be a number strictly between 0 and 1 (got {text!r})"
        ) from None


def _two_by_two(args: argparse.Namespace, out: TextIO) -> None:
    level = _level(args.level)
    treatment = _parse_counts(args.treatment, "treatment")
    control = _parse_counts(args.control, "control")
    try:
        outcome = BinaryOutcome.from_counts(treatment=treatment, control=control)
    except InvalidInputError as exc:
        raise InvalidInputError(str(exc).replace("`treatment`: ", "`treatment` ")) from None
    methods = _methods(args.methods)
    print(f"{'':<12}{'Events':>8}{'Total':>8}{'Risk':>9}", file=out)
    for label, (e, n) in (("Treatment", treatment), ("Control", control)):
        print(f"{label:<12}{e:>8}{n:>8}{100 * e / n:>8.1f}%", file=out)
    print(file=out)
    for measure in ("odds_ratio", "risk_ratio", "risk_difference"):
        label = MEASURE_LABELS[measure]
        for method in methods[measure]:
            est = getattr(effects, measure)(outcome, method=method, confidence_level=level)
            text = format_estimate(est.estimate, est.ci.low, est.ci.high, 4, level=level)
            p = "" if est.pvalue is None else f"  {format_p(est.pvalue)}"
            name = method_label(measure, method)
            print(f"{label:<17}{method + ' ':<15}{text}{p}  ({name})", file=out)
    print(file=out)
    for method in methods["tests"]:
        try:
            res = hypothesis_tests.hypothesis_test(outcome, method=method)
        except CostLimitError as exc:  # a test that is not computed for this table (too large)
            print(f"{'Test':<17}{method + ' ':<15}not computed: {exc}", file=out)
            continue
        stat = "" if res.statistic is None else f"statistic {res.statistic:.4f}, "
        name = method_label("test", method)
        print(f"{'Test':<17}{method + ' ':<15}{stat}p = {res.pvalue:.4g}  ({name})", file=out)


def _methods(which: str) -> dict[str, list[str]]:
    if which == "all":
        chosen = {m: list(batch.EFFECT_METHODS[m]) for m in batch.EFFECT_METHODS}
        chosen["tests"] = list(batch.TEST_METHODS)
        return chosen
    return {
        "odds_ratio": ["wald"],
        "risk_ratio": ["wald"],
        "risk_difference": ["wald"],
        "tests": ["chi2", "fisher"],
    }


def _report(args: argparse.Namespace, out: TextIO) -> None:
    trial = example_trial() if args.command == "demo" else load_trial(Path(args.trial))
    report = TrialReport(trial, style=args.style, confidence_level=_level(args.level))
    text = report.render(args.format)
    if not text.endswith("\n"):
        text += "\n"
    if args.output is None:
        print(text, end="", file=out)
        return
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(
            f"`--output`: cannot write {args.output!r} ({exc.strerror})"
        ) from None
    print(f"rctkit: wrote {args.format} report to {args.output}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rctkit",
        description="Report randomised controlled trials with binary outcomes.",
    )
    parser.add_argument("--version", action="version", version=f"rctkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="the CORE trial worked example (Lancet 2018)")
    report = sub.add_parser("report", help="report a trial described in a TOML file")
    report.add_argument("trial", metavar="TRIAL.toml", help="the trial file")
    for p in (demo, report):
        p.add_argument("--style", choices=STYLES, default="plain", help="journal style")
        p.add_argument("--level", default="0.95", help="confidence level (default 0.95)")
        p.add_argument(
            "--format",
            choices=("text", "md", "html", "latex"),
            default="text",
            help="output format (default text)",
        )
        p.add_argument("--output", "-o", default=None, help="write to this file, not stdout")

    table = sub.add_parser(
        "2x2", help="effect measures and tests for one table, e.g. rctkit 2x2 64/218 83/216"
    )
    table.add_argument("treatment", metavar="EVENTS/TOTAL", help="treatment arm, e.g. 64/218")
    table.add_argument("control", metavar="EVENTS/TOTAL", help="control arm, e.g. 83/216")
    table.add_argument("--level", default="0.95", help="confidence level (default 0.95)")
    table.add_argument(
        "--methods",
        choices=("default", "all"),
        default="default",
        help='"all" prints every interval method and test side by side',
    )
    return parser


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    print(f"rctkit: warning: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage and the error (or --help)
        return exc.code if isinstance(exc.code, int) else EXIT_INPUT_ERROR
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always", RctkitWarning)
            warnings.showwarning = _show_warning
            if args.command == "2x2":
                _two_by_two(args, sys.stdout)
            else:
                _report(args, sys.stdout)
    except RctkitError as exc:
        print(f"rctkit: error: {exc}", file=sys.stderr)
        return EXIT_INPUT_ERROR
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
