"""The command line: demo, report, 2x2, and errors without tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import rctkit as rk
from rctkit.cli import main


def test_demo_prints_core_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for text in ("221", "220", "218", "216", "64/218", "83/216", "0.67 (95% CI 0.45 to 0.99)"):
        assert text in out
    assert "0.66 (95% CI 0.43 to 0.99)" in out  # the published adjusted estimate, as published
    assert "non-collapsible" in out
    harms = next(line for line in out.splitlines() if line.startswith("Serious adverse events"))
    assert harms.split() == [
        "Serious",
        "adverse",
        "events",
        "29",
        "42",
    ]  # no exposure: no rate ratio


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
    assert main(["2x2", "0/20", "5/20", "--method", "or=wald"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("rctkit: warning: odds ratio (wald): the table has a zero cell")
    assert "Traceback" not in err


def test_two_by_two_uses_the_library_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    """One default per measure (rk.DEFAULT_METHODS) in the 2x2 command as in the report: the
    risk difference is Newcombe's, and a zero cell puts the score intervals in place of Wald's
    (Woolf's and Katz's would be [0, inf]), with no warning; --method names another."""
    assert main(["2x2", "64/218", "83/216"]) == 0
    out = capsys.readouterr().out
    outcome = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    rd = rk.risk_difference(outcome, method="newcombe")
    assert f"Risk difference  newcombe       {rd.estimate:.4f} (95% CI {rd.ci.low:.4f}" in out
    assert main(["2x2", "0/20", "5/20"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "Odds ratio       mn " in captured.out and "Risk ratio       koopman " in captured.out
    assert main(["2x2", "64/218", "83/216", "--method", "rd=wald"]) == 0
    assert "Risk difference  wald " in capsys.readouterr().out
    assert main(["2x2", "64/218", "83/216", "--method", "rd=nope"]) == 2
    assert main(["2x2", "64/218", "83/216", "--method", "rd=wald", "--methods", "all"]) == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["2x2", "64/218", "83/21"], "`control`: `events` must not exceed `total`"),
        (["2x2", "64-218", "83/216"], "`treatment` must be EVENTS/TOTAL"),
        (["2x2", "--", "-1/218", "83/216"], "`treatment` must be EVENTS/TOTAL"),
        (["2x2", "1/0", "83/216"], "`total` must be positive"),
        (["2x2", "1/5", "3/6", "--level", "1.5"], "`--level` must be strictly between 0 and 1"),
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


def test_inconsistent_flow_gives_the_first_problem_and_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "flow.toml"
    path.write_text(
        FLOW.replace("assessed = 400", "assessed = 401").replace(
            "received = 114", "received = 113"
        )
    )
    assert main(["report", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"rctkit: error: {path}: `enrolment`: randomized (sum of allocated, 238) must equal "
        "assessed for eligibility minus excluded (got 401 - 162 = 239) (and 1 more problem); "
        "--verbose lists them all\n"
    )
    # --verbose: every problem, one line each, with its key path (the second arm is arms[1])
    assert main(["report", str(path), "--verbose"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"rctkit: error: {path}: `enrolment`: randomized (sum of allocated, 238) must equal "
        "assessed for eligibility minus excluded (got 401 - 162 = 239)",
        f"rctkit: error: {path}: `arms[1]`: received + did not receive must equal allocated "
        "(got 113 + 6 = 119, allocated=120)",
    ]


def test_all_methods_on_a_huge_table_does_not_hang(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["2x2", "500000000/1000000000", "500100000/1000000000", "--methods", "all"]) == 0
    out = capsys.readouterr().out
    assert "barnard        not computed: " in out
    assert "fisher         p = 7.746e-06" in out


# ---------------------------------------------------------------------------------------------
# Issue 10: exit 2, one line, no hang. Each case printed a traceback, hung, or was accepted
# silently before.
# ---------------------------------------------------------------------------------------------


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("rctkit: error: ")
    return lines[0]


def _minimal(**replace: str) -> str:
    text = FLOW
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe[trial]\n", "must be UTF-8 text (got byte 0xff at line 1, column 1)"),
        (b'[trial]\ntitle = "caf\xe9"\n', "(got byte 0xe9 at line 2, column 13)"),
        (b"x = " + b"[" * 5000 + b"]" * 5000, "malformed TOML: arrays or tables nested more"),
        (b"x = " + b"{a=" * 3000 + b"1" + b"}" * 3000, "nested more than 64 deep at line 1"),
        (
            ("outcomes = [1, 2]\n" + FLOW.split("[[outcomes]]")[0]).encode(),
            "`outcomes[1]` must be a table (got 1)",
        ),
        (
            ("adverse_events = [[]]\n" + FLOW).encode(),
            "`adverse_events[1]` must be a table (got [])",
        ),
        (
            _minimal(**{"allocated = 120": "allocated = " + "9" * 5000}).encode(),
            "a number at line 15 has more than 4300 digits; counts must be at most 1e+12",
        ),
        (
            _minimal(**{"allocated = 120": "allocated = 0x" + "f" * 5000}).encode(),
            "`arms[1].allocated` must be at most 1e+12 (rctkit.MAX_COUNT) (got a number of "
            "about 6,021 digits)",
        ),
        (
            _minimal(**{"events = [10, 12]": "events = [10, " + "1" * 20 + "]"}).encode(),
            "`outcomes[1].events[2]` must be at most 1e+12",
        ),
        (
            _minimal(**{'title = "A complete flow"': 'title = "T"\n"a\\nb" = 1'}).encode(),
            '`trial."a\\nb"` is not a known key',
        ),
    ],
)
def test_broken_trial_files_exit_2_with_one_line(
    content: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.toml"
    path.write_bytes(content)
    assert main(["report", str(path)]) == 2
    assert message in _one_error_line(capsys)


@pytest.mark.parametrize(
    ("published", "message"),
    [
        (
            "estimate = 0.5\nlow = 0.9\nhigh = 0.1\npvalue = 0.04",
            "`outcomes[1].published`: `low` <= `estimate` <= `high` must hold "
            "(got low=0.9, estimate=0.5, high=0.1)",
        ),
        (
            "estimate = 0.5\nlow = 0.1\nhigh = 0.9\npvalue = 7.0",
            "`outcomes[1].published`: `pvalue` must lie in [0, 1] (got 7.0)",
        ),
        (
            "estimate = 0.5\nlow = 0.1\nhigh = 0.9\npvalue = nan",
            "`outcomes[1].published`: `pvalue` must be finite (got nan)",
        ),
        (
            "estimate = 0.5\nlow = -0.1\nhigh = 0.9",
            "`outcomes[1].published`: `low` of a ratio ('odds_ratio') must be positive (got -0.1)",
        ),
        (
            "estimate = inf\nlow = 0.1\nhigh = inf",
            "`outcomes[1].published`: `estimate` must be finite (got inf)",
        ),
    ],
)
def test_published_estimates_out_of_range_are_refused(
    published: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.toml"
    path.write_text(FLOW + '\n[outcomes.published]\nmeasure = "odds_ratio"\n' + published + "\n")
    assert main(["report", str(path)]) == 2
    assert message in _one_error_line(capsys)


def test_special_files_are_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(tmp_path)]) == 2
    assert "must be a regular file (got a directory)" in _one_error_line(capsys)
    if hasattr(os, "mkfifo"):  # reading a FIFO without a writer used to wait forever
        fifo = tmp_path / "fifo.toml"
        os.mkfifo(fifo)
        assert main(["report", str(fifo)]) == 2
        assert "must be a regular file (got a FIFO)" in _one_error_line(capsys)
    if Path("/dev/zero").exists():  # reading it used to end in MemoryError
        assert main(["report", "/dev/zero"]) == 2
        assert "must be a regular file (got a character device)" in _one_error_line(capsys)


def test_trial_files_over_1_mib_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rctkit.io.trialfile import MAX_TRIAL_FILE_BYTES

    assert MAX_TRIAL_FILE_BYTES == 1024 * 1024
    path = tmp_path / "t.toml"
    padding = "#" * (MAX_TRIAL_FILE_BYTES - len(FLOW.encode()) - 1) + "\n"
    path.write_text(FLOW + padding)
    assert path.stat().st_size == MAX_TRIAL_FILE_BYTES  # the largest file read
    assert main(["report", str(path)]) == 0
    capsys.readouterr()
    path.write_text(FLOW + padding + "\n")
    assert main(["report", str(path)]) == 2
    assert "must be at most 1,048,576 bytes (1 MiB)" in _one_error_line(capsys)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["2x2", "1/5"], "the following arguments are required: EVENTS/TOTAL"),
        ([], "the following arguments are required: COMMAND"),
        (["demo", "--style", "foo"], "argument --style: invalid choice: 'foo'"),
        (["2x2", "1/5", "3/6", "--bogus"], "unrecognized arguments: --bogus"),
        (
            ["2x2", "1/5", "3/6", "--level", "0.9999999999999999"],
            "`--level` must lie between 1e-06 and 1 - 1e-10",
        ),
        (["demo", "--level", "0.9999999999999999"], "`--level` must lie between 1e-06"),
        (["2x2", "1/5", "3/6", "--level", "nan"], "`--level` must be strictly between 0 and 1"),
        (["2x2", "1/5", "3/6", "--level", "x"], "`--level` must be a number between 0 and 1"),
        (
            ["2x2", "1/5000000000000", "3/6"],
            "`treatment` `total` must be at most 1e+12 (rctkit.MAX_COUNT)",
        ),
        (
            ["2x2", "1/5", "3/" + "9" * 5000],
            "`control` counts must be at most 1e+12 (rctkit.MAX_COUNT), the largest count "
            "computed exactly (got a number of 5,000 digits)",
        ),
        (["2x2", "1/5", "3/6" + "x" * 10_000], "(10,003 characters)"),
    ],
)
def test_argument_errors_are_one_line_without_usage(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert message in line
    assert "usage:" not in line
    assert len(line) < 400


def test_leading_zeros_are_not_a_huge_count(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["2x2", "0000000000000000000064/218", "83/216"]) == 0
    assert "0.6659 (95% CI 0.4463 to 0.9936)" in capsys.readouterr().out


def test_output_never_overwrites_silently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trial = tmp_path / "trial.toml"
    trial.write_text(FLOW)
    out = tmp_path / "report.md"
    assert main(["report", str(trial), "--format", "md", "-o", str(out)]) == 0
    assert "| Randomised | 120 | 118 |" in out.read_text(encoding="utf-8")
    assert capsys.readouterr().out == ""
    out.write_text("keep me")
    assert main(["report", str(trial), "-o", str(out)]) == 2
    assert "already exists; add --force to replace it" in _one_error_line(capsys)
    assert out.read_text() == "keep me"
    assert main(["report", str(trial), "--format", "md", "-o", str(out), "--force"]) == 0
    assert "| Randomised | 120 | 118 |" in out.read_text(encoding="utf-8")
    capsys.readouterr()
    # the trial file itself is never replaced, not even with --force, nor through a link
    link = tmp_path / "link.toml"
    link.symlink_to(trial)
    for target in (trial, link):
        assert main(["report", str(trial), "-o", str(target), "--force"]) == 2
        assert "`--output` must not be the trial file itself" in _one_error_line(capsys)
    assert trial.read_text() == FLOW
    assert main(["demo", "-o", str(tmp_path), "--force"]) == 2
    assert "`--output` must be a regular file" in _one_error_line(capsys)


def test_an_internal_error_is_one_line_and_not_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import rctkit.cli

    def broken(*args: object, **kwargs: object) -> None:
        raise TypeError("a bug")

    monkeypatch.setattr(rctkit.cli, "_two_by_two", broken)
    assert main(["2x2", "1/5", "3/6"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("rctkit: internal error: TypeError: a bug (a bug in rctkit")
    assert len(err.splitlines()) == 1
    assert main(["2x2", "1/5", "3/6", "--verbose"]) == 70
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err  # asked for
    assert err.splitlines()[-1].startswith("rctkit: internal error: TypeError: a bug")


def test_closed_stdout_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    assert main(["2x2", "1/5", "3/6"]) == 2
    assert "stdout is closed" in capsys.readouterr().err


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "rctkit", *args],
        capture_output=True,
        check=False,
        timeout=60,
        env=None if env is None else {**os.environ, **env},
    )


def test_a_closed_pipe_ends_quietly() -> None:
    # rctkit demo | head -1
    with subprocess.Popen(
        [sys.executable, "-m", "rctkit", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith(b"CORE")
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 0
    assert err == b""


def test_an_ascii_stdout_gets_ascii(tmp_path: Path) -> None:
    proc = _run("demo", "--style", "lancet", env={"PYTHONIOENCODING": "ascii"})
    assert proc.returncode == 0
    out = proc.stdout.decode("ascii")  # every byte is ASCII
    assert "0.67 (95% CI 0.45-0.99)" in out  # 0·67 (95% CI 0·45–0·99)
    err = proc.stderr.decode().splitlines()
    assert len(err) == 1
    assert err[0].startswith("rctkit: warning: stdout's encoding (ascii) cannot show some")
    # a non-ASCII label is escaped, not dropped
    path = tmp_path / "t.toml"
    path.write_text(FLOW.replace('"Intervention"', '"Ärm ≥ 1"'), encoding="utf-8")
    proc = _run("report", str(path), env={"PYTHONIOENCODING": "ascii"})
    assert proc.returncode == 0
    assert "\\xc4rm >= 1" in proc.stdout.decode("ascii")


def test_python_dash_m_rctkit_runs() -> None:
    proc = _run("2x2", "64/218", "83/216")
    assert proc.returncode == 0
    assert b"0.6659 (95% CI 0.4463 to 0.9936)" in proc.stdout
    assert proc.stderr == b""


def _many(outcomes: int, adverse_events: int) -> str:
    arms = FLOW.split("[[outcomes]]")[0]
    parts = [arms]
    parts += [
        f'[[outcomes]]\nname = "O{i}"\nevents = [{i % 50}, {i % 60}]\ntotals = [117, 118]\n'
        for i in range(outcomes)
    ]
    parts += [
        f'[[adverse_events]]\nterm = "T{i // 2}"\narm = "{("Intervention", "Usual care")[i % 2]}"'
        f"\nparticipants = {i % 30}\n"
        for i in range(adverse_events)
    ]
    return "".join(parts)


def test_reports_too_costly_are_refused_before_any_estimate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rctkit import cli
    from rctkit.cli import MAX_REPORT_OUTCOMES

    # 100,000 records do not fit in a 1 MiB file: the rule is checked with a smaller limit.
    monkeypatch.setattr(cli, "MAX_REPORT_ADVERSE_EVENTS", 5_000)
    MAX_REPORT_ADVERSE_EVENTS = cli.MAX_REPORT_ADVERSE_EVENTS

    path = tmp_path / "t.toml"
    path.write_text(_many(MAX_REPORT_OUTCOMES + 1, 0))
    assert main(["report", str(path)]) == 2
    assert (
        "`outcomes`: the trial lists 1,001 outcomes; `rctkit report` reports at most 1,000"
    ) in _one_error_line(capsys)
    path.write_text(_many(1, MAX_REPORT_ADVERSE_EVENTS + 1))
    assert main(["report", str(path)]) == 2
    assert "the trial lists 5,001 adverse events; `rctkit report` reports at most 5,000" in (
        _one_error_line(capsys)
    )


def test_a_report_at_the_outcome_limit_completes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.toml"
    path.write_text(_many(1000, 0))
    assert main(["report", str(path)]) == 0
    out = capsys.readouterr().out
    assert "O999" in out


def test_report_reads_standard_input_with_a_dash() -> None:
    """``rctkit report -`` reads the trial from stdin (issue 11), with the file's size bound."""
    from rctkit.io.examples import example_text

    text = example_text("core.toml")
    run = subprocess.run(
        [sys.executable, "-m", "rctkit", "report", "-"],
        input=text.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.decode().startswith("CORE: peer-supported self-management")
    too_big = subprocess.run(
        [sys.executable, "-m", "rctkit", "report", "-"],
        input=b"#" * (2 << 20),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert too_big.returncode == 2
    assert too_big.stderr.decode().count("\n") == 1
    assert "must be at most 1,048,576 bytes" in too_big.stderr.decode()


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("r.html", "<!DOCTYPE html>"),
        ("r.md", "# CORE"),
        ("r.tex", "\\begin{table}"),
        ("r.txt", "CORE: peer-supported"),
        ("r.out", "CORE: peer-supported"),
    ],
)
def test_output_format_follows_the_extension(tmp_path: Path, name: str, start: str) -> None:
    out = tmp_path / name
    assert main(["demo", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith(start)


def test_an_explicit_format_wins_over_the_extension(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert main(["demo", "--format", "md", "-o", str(out)]) == 0
    assert not out.read_text(encoding="utf-8").startswith("<")


def test_2x2_p_values_never_round_across_005() -> None:
    from rctkit.cli import _p_digits

    assert _p_digits(0.049996) == "0.049996"
    assert _p_digits(0.0500004) == "0.05"  # at or above 0.05 either way
    assert _p_digits(0.05391) == "0.05391"
    assert _p_digits(0.04999999) == "0.04999999"
