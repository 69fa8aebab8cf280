"""Shared pieces of the sub-commands: printing findings and mapping exceptions to exit codes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import TextIO, TypeAlias

from ..findings import ERROR, EphytoDipError, Finding, InputError, LedgerError, OutputError, TableError, UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
# what ``register(sub)`` is given: the ``ephyto-dip`` parser's sub-command list
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
IO_CODES = {"IO-READ", "IO-WRITE"}


def exit_code_for(exc: EphytoDipError) -> int:
    """2 for I/O (and a broken table, which is a usage problem), 1 for findings about input."""
    if isinstance(exc, (OutputError, TableError, UsageError, LedgerError)):
        return EXIT_USAGE
    if isinstance(exc, InputError) and all(f.code in IO_CODES for f in exc.findings):
        return EXIT_USAGE
    return EXIT_FINDINGS


def print_findings(findings: Iterable[Finding], fmt: str = "text", stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    findings = list(findings)
    if fmt == "json":
        stream.write(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2) + "\n")
        return
    for f in findings:
        stream.write(f.one_line() + "\n")


def worst_exit(findings: Iterable[Finding]) -> int:
    return EXIT_FINDINGS if any(f.severity == ERROR for f in findings) else EXIT_OK


def table_problem(table: str | None) -> bool:
    """Load ``--table`` once up front: a broken table is said once (exit 2), not per file."""
    if not table:
        return False
    from ..mapping.table import load_table

    try:
        load_table(table)
    except TableError as exc:
        print_findings(exc.findings)
        return True
    return False
