"""Fuzzing the command line and the trial-file reader (issue 10).

Whatever the input (random bytes, broken UTF-8, nested tables, wrong types, odd keys, special
files, random arguments), a run ends with exit 0 or 2; exit 2 prints nothing on stdout and
exactly one line on stderr, ``rctkit: error: ...``; no run prints a traceback. The bulk runs
``rctkit.cli.main`` in the test process; a handful of whole processes check the special files
and that each run ends within 10 s (the subprocess timeout: a hang fails the test).
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rctkit.cli import main
from rctkit.io import parse_trial
from rctkit.io.trialfile import MAX_TRIAL_FILE_BYTES
from tests.strategies import (
    VALID_TRIAL,
    mutated_bytes,
    nested_documents,
    toml_document,
    trial_documents,
)

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@contextlib.contextmanager
def _inside(path: Path) -> Iterator[None]:
    """Run with ``path`` as the working directory (any --output lands there)."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _run_main(argv: Sequence[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def check_contract(status: int, out: str, err: str) -> None:
    """Exit 0 or 2; on 2, one error line and no output; never a traceback."""
    assert "Traceback" not in err, err
    assert status in (0, 2), (status, err)
    lines = err.splitlines()
    if status == 2:
        assert out == ""
        assert len(lines) == 1, err
        assert lines[0].startswith("rctkit: error: "), err
    else:
        assert all(line.startswith("rctkit: ") for line in lines), err


def _report(path: Path, data: bytes, *options: str) -> None:
    path.write_bytes(data)
    check_contract(*_run_main(["report", str(path), *options]))


def test_the_fuzzed_documents_start_valid(workdir: Path) -> None:
    parse_trial(toml_document(VALID_TRIAL))  # else every fuzz case would stop at one error
    status, out, err = _run_main(["report", _write(workdir / "valid.toml", VALID_TRIAL)])
    assert status == 0
    assert "Death" in out
    assert all(line.startswith("rctkit: warning: ") for line in err.splitlines())  # zero cells


def _write(path: Path, doc: dict[str, object]) -> str:
    path.write_text(toml_document(doc), encoding="utf-8")
    return str(path)


@settings(FUZZ, max_examples=400)
@given(doc=trial_documents(), form=st.sampled_from(["text", "md", "html", "latex"]))
def test_trial_documents_with_random_edits(
    workdir: Path, doc: dict[str, object], form: str
) -> None:
    _report(workdir / "doc.toml", toml_document(doc).encode(), "--format", form)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes(workdir: Path, data: bytes) -> None:
    _report(workdir / "bytes.toml", data)


@settings(FUZZ, max_examples=300)
@given(data=mutated_bytes())
def test_valid_files_with_bytes_inserted_or_cut(workdir: Path, data: bytes) -> None:
    _report(workdir / "mutated.toml", data)


@settings(FUZZ, max_examples=25)
@given(data=nested_documents())
def test_deeply_nested_tables(workdir: Path, data: bytes) -> None:
    _report(workdir / "nested.toml", data)


_WORDS = st.sampled_from(
    [
        "demo",
        "report",
        "2x2",
        "trial.toml",
        "64/218",
        "83/216",
        "0/0",
        "1/0",
        "1000000000000/1000000000000",
        "1000000000001/1000000000001",
        "--level",
        "0.95",
        "0.9999999999999999",
        "1e-7",
        "nan",
        "--methods",
        "all",
        "--style",
        "lancet",
        "--format",
        "latex",
        "-o",
        "out.md",
        "--force",
        "--verbose",
        "--",
        "-",
        "",
    ]
)


@settings(FUZZ, max_examples=300)
@given(argv=st.lists(st.one_of(_WORDS, _WORDS, st.text(max_size=12)), max_size=7))
def test_random_arguments(workdir: Path, argv: list[str]) -> None:
    (workdir / "trial.toml").write_text(toml_document(VALID_TRIAL), encoding="utf-8")
    if "--methods" in argv and "all" in argv:  # keep the exact tests to small tables
        argv = [a for a in argv if a not in ("1000000000000/1000000000000",)]
    with _inside(workdir):
        status, out, err = _run_main(argv)
        Path("out.md").unlink(missing_ok=True)
    if argv[:1] and argv[0] in ("--help", "-h", "--version"):
        return
    check_contract(status, out, err)


# ---------------------------------------------------------------------------------------------
# Whole processes: special files, and each run within 10 s
# ---------------------------------------------------------------------------------------------


def _process(*args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "rctkit", *args],
        capture_output=True,
        check=False,
        timeout=10,  # the bound: a hang fails here
        stdin=subprocess.DEVNULL,
    )
    check_contract(proc.returncode, proc.stdout.decode(), proc.stderr.decode())


def _special_files(tmp: Path) -> list[str]:
    paths = [str(tmp), os.devnull]
    if Path("/dev/zero").exists():
        paths.append("/dev/zero")
    if hasattr(os, "mkfifo"):
        fifo = tmp / "fifo.toml"
        os.mkfifo(fifo)
        paths.append(str(fifo))
    if hasattr(socket, "AF_UNIX"):
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(tmp / "s.toml"))  # the socket file stays after close
        sock.close()
        paths.append(str(tmp / "s.toml"))
    big = tmp / "big.toml"
    big.write_bytes(b"#" * (MAX_TRIAL_FILE_BYTES + 1))
    paths.append(str(big))
    nonutf8 = tmp / "latin1.toml"
    nonutf8.write_bytes(b'[trial]\ntitle = "caf\xe9"\n')
    paths.append(str(nonutf8))
    return paths


def test_special_files_in_whole_processes(tmp_path: Path) -> None:
    for path in _special_files(tmp_path):
        _process("report", path)


def test_a_few_whole_processes_end_within_10_s(tmp_path: Path) -> None:
    nested = tmp_path / "nested.toml"
    nested.write_bytes(b"x = " + b"[" * 100_000 + b"]" * 100_000)
    _process("report", str(nested))
    _process("2x2", "1/5", "3/" + "9" * 100_000)
    _process("2x2", "500000000/1000000000", "500100000/1000000000", "--methods", "all")
    _process("demo", "--level", "0.9999999999999999")
