"""The command line: demo, report, 2x2, and errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rctkit.cli import main


def test_demo_prints_core_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for text in ("221", "220", "218", "216", "64/218", "83/216", "0.67 (95% CI 0.45 to 0.99)"):
        assert text in out
    assert "0.66 (95% CI 0.43 to 0.99)" in out  # the published adjusted estimate, as published
    assert "non-collapsible" in out
    assert "29 events" in out and "42 events" in out


def test_demo_lancet_style(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--style", "lancet"]) == 0
    assert "0·67 (95% CI 0·45–0·99)" in capsys.readouterr().out


def test_two_by_two(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["2x2", "64/218", "83/216"]) == 0
    out = capsys.readouterr().out
    assert "0.6659 (95% CI 0.4463 to 0.9936)" in out
    assert "fisher" in out and "p = 0.05391" in out


def test_two_by_two_all_methods(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["2x2", "64/218", "83/216", "--methods", "all"]) == 0
    out = capsys.readouterr().out
    assert "chi2-yates" in out


def test_warnings_go_to_stderr_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["2x2", "0/20", "5/20"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("rctkit: warning: the table has a zero cell")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["2x2", "64/218", "83/21"], "`control`: `events` must not exceed `total`"),
        (["2x2", "64-218", "83/216"], "`treatment` must be EVENTS/TOTAL"),
        (["2x2", "--", "-1/218", "83/216"], "`treatment` must be EVENTS/TOTAL"),
        (["2x2", "1/0", "83/216"], "`total` must be positive"),
        (["2x2", "1/5", "3/6", "--level", "1.5"], "`--level` must be a number strictly between"),
        (["report", "/nonexistent/trial.toml"], "cannot read trial file"),
    ],
)
def test_errors_exit_2_without_traceback(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.err.startswith("rctkit: error: ")
    assert "Traceback" not in captured.err


def test_malformed_toml_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[trial\ntitle = 1\n")
    assert main(["report", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "malformed TOML" in err and "line 1" in err


def test_console_script_runs_as_a_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "rctkit.cli", "2x2", "1/2", "3/0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "`total` must be positive" in proc.stderr or "must not exceed" in proc.stderr


def test_unknown_subcommand_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "invalid choice" in capsys.readouterr().err
    assert main(["--version"]) == 0


FLOW = """
[trial]
title = "A complete flow"

[enrolment]
assessed = 400

[enrolment.excluded]
"Not meeting inclusion criteria" = 110
"Declined to participate" = 52

[[arms]]
label = "Intervention"
role = "treatment"
allocated = 120
received = 114
analysed = 117

[arms.did_not_receive]
"Declined" = 4
"Became ineligible" = 2

[arms.excluded_from_analysis]
"Withdrew consent" = 3

[[arms]]
label = "Usual care"
role = "control"
allocated = 118
received = 118
analysed = 118

[[outcomes]]
name = "Death"
events = [10, 12]
totals = [117, 118]
"""


def test_report_with_full_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "flow.toml"
    path.write_text(FLOW)
    assert main(["report", str(path), "--format", "md"]) == 0
    out = capsys.readouterr().out
    assert "| Randomised | 120 | 118 |" in out


def test_inconsistent_flow_lists_every_mismatch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "flow.toml"
    path.write_text(
        FLOW.replace("assessed = 400", "assessed = 401").replace(
            "received = 114", "received = 113"
        )
    )
    assert main(["report", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rctkit: error: ")
    assert "Traceback" not in err
    assert "401" in err and "113" in err
    assert err.count("\n- ") >= 2  # both mismatches, one error


def test_all_methods_on_a_huge_table_does_not_hang(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["2x2", "500000000/1000000000", "500100000/1000000000", "--methods", "all"]) == 0
    out = capsys.readouterr().out
    assert "barnard        not computed: " in out
    assert "fisher         p = 7.746e-06" in out
