"""Run `minicpmv-edge` in this process, as the tests do: a subprocess would import torch again (seconds per call).

`run_main` captures stdout and stderr itself (not through capsys) so module- and session-scoped fixtures can use it
too, and puts the root logger back afterwards: `cli.main` reconfigures logging (`basicConfig(force=True)`).
"""

from __future__ import annotations

import io
import logging
import re
from contextlib import redirect_stderr, redirect_stdout
from typing import NamedTuple

import pytest

from minicpmv_edge.cli import main

# the one error line: `minicpmv-edge: error: ...` from main, `minicpmv-edge <command>: error: ...` from argparse
ERROR_LINE = re.compile(r"^minicpmv-edge(?: [a-z]+)?: error: ")


class CliRun(NamedTuple):
    rc: int
    out: str
    err: str


def run_main(*args: object) -> CliRun:
    """`minicpmv-edge ARGS...` in process: (exit code, stdout, stderr). Exceptions main does not handle propagate."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out, err = io.StringIO(), io.StringIO()
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                rc = main([str(a) for a in args])
            except SystemExit as exit_:  # argparse: usage errors, --version, --help
                rc = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        for handler in handlers:
            if handler not in root.handlers:
                root.addHandler(handler)
        root.setLevel(level)
    return CliRun(rc, out.getvalue(), err.getvalue())


def assert_one_line_error(run: CliRun, *fragments: str) -> str:
    """Exit 2, no traceback, and exactly one `minicpmv-edge...: error:` line, the last line of stderr, holding every
    fragment. Progress log lines (`[minicpmv-edge] ...`) may come before it. Returns the error line."""
    assert run.rc == 2, (run.rc, run.err)
    assert "Traceback" not in run.err and "Traceback" not in run.out
    lines = [line for line in run.err.splitlines() if line.startswith("minicpmv-edge")]
    assert len(lines) == 1 and ERROR_LINE.match(lines[0]), run.err
    assert lines[0] == run.err.strip().splitlines()[-1], run.err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def cli(*args: str) -> int:
    """`minicpmv-edge -q ARGS` in process; its exit code (argparse errors exit from inside parse_args)."""
    try:
        return main(["-q", *args])
    except SystemExit as exit_:
        return int(exit_.code or 0)


def one_line_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run the CLI quietly; assert exit 2, exactly one stderr line (ours), no traceback. Returns that line."""
    code = cli(*args)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("minicpmv-edge"), err
    return lines[0]
