"""ephyto-dip convert IN [-o OUT]: one file to stdout or a file; a directory to a directory.

The input gets the checks of 'ephyto-dip validate' (schema, reading, ISPM 12 rules) with the
same findings; a certificate with an error finding is refused (exit 1, nothing written)
unless --lenient, which converts it anyway and reports those findings as warnings.
A batch goes on past a bad file, prints a summary naming each failure and exits 1 if any
file failed. Output files are written atomically: a failure leaves nothing behind.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from ..findings import ERROR, WARNING, EphytoDipError, Finding
from .batch import Record, input_files, internal_error, positive_int, records, summarise
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Subparsers, exit_code_for, print_findings, table_problem

if TYPE_CHECKING:
    from ..conversion import Conversion

# path, output directory, format, to, table, strict, lenient
ConvertJob: TypeAlias = tuple[str, str, str, "str | None", "str | None", bool, bool]


def register(sub: Subparsers) -> None:
    p = sub.add_parser("convert", help="convert ePhyto (or a Hub envelope) to a DIP, or a DIP back to ePhyto",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("input", help="a certificate, Hub envelope or DIP file (XML, or DIP JSON), or a directory of them")
    p.add_argument("-o", "--output", help="output file (default stdout) or, for a directory, output directory")
    p.add_argument("--format", choices=("xml", "json"),
                   help="output format (default: from the suffix of -o, .json or .xml; xml for stdout and directories)")
    p.add_argument("--to", choices=("dip", "ephyto"), help="target side (default: the other side of the input)")
    p.add_argument("--table", help="mapping table to use (default: the shipped one)")
    p.add_argument("--jobs", type=positive_int, help="worker processes for a directory (default: number of cores)")
    p.add_argument("--summary", choices=("text", "json"), default="text", help="format of the batch summary")
    p.add_argument("--lenient", action="store_true",
                   help="convert a certificate with error findings anyway; they are reported as warnings")
    p.add_argument("--strict", action="store_true", help="treat warnings (e.g. a value not carried) as errors")
    p.add_argument("--quiet", action="store_true", help="print errors only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..output import refuse_output_over_input

    try:  # before anything is read or written: an output must never replace an input
        refuse_output_over_input(args.input, args.output, also=[args.table])
    except EphytoDipError as exc:
        print_findings(exc.findings)
        return EXIT_USAGE
    if table_problem(args.table):
        return EXIT_USAGE
    src = Path(args.input)
    if src.is_dir():
        if not args.output:
            sys.stderr.write("ephyto-dip convert: a directory input needs -o OUTDIR\n")
            return EXIT_USAGE
        return run_batch(args, src, Path(args.output))
    return run_single(args, src)


def _reported(result: Conversion, lenient: bool) -> list[Finding]:
    """The findings as the user sees them: with --lenient, an input error that did not stop
    the conversion is a warning (its code and place unchanged)."""
    if not lenient or result.root is None:
        return result.findings
    return [dataclasses.replace(f, severity=WARNING) if f.severity == ERROR else f for f in result.findings]


def _format(args: argparse.Namespace) -> str:
    """--format wins; else the suffix of -o says it (out.json is JSON); else XML."""
    if args.format:
        return str(args.format)
    return "json" if args.output and Path(args.output).suffix.lower() == ".json" else "xml"


def _failed(findings: list[Finding], strict: bool) -> bool:
    return any(f.severity == ERROR or (strict and f.severity == WARNING) for f in findings)


def run_single(args: argparse.Namespace, src: Path) -> int:
    from ..conversion import convert
    from ..output import write_atomic

    try:
        result = convert(src, to=args.to, table=args.table, lenient=args.lenient)
    except EphytoDipError as exc:
        print_findings(exc.findings)
        return exit_code_for(exc)
    findings = _reported(result, args.lenient)
    print_findings(f for f in findings if f.severity == ERROR or (not args.quiet and f.severity == WARNING))
    if result.root is None or _failed(findings, args.strict):
        return EXIT_FINDINGS
    data = result.to_bytes(_format(args))
    if args.output and args.output != "-":
        try:
            write_atomic(args.output, data)
        except EphytoDipError as exc:
            print_findings(exc.findings)
            return exit_code_for(exc)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return EXIT_OK


# ------------------------------------------------------------------------------ batch


def _convert_one(job: ConvertJob) -> Record:
    """Worker: convert one file, write its output; returns a small, picklable record."""
    from ..conversion import convert
    from ..output import write_atomic

    path, out_dir, fmt, to, table, strict, lenient = job
    target = Path(out_dir) / (Path(path).stem + (".json" if fmt == "json" else ".xml"))
    try:
        result = convert(path, to=to, table=table, lenient=lenient)
        findings = _reported(result, lenient)
        if result.root is None or _failed(findings, strict):
            return {"file": path, "ok": False, "findings": records([f for f in findings if f.severity != "info"], path)}
        write_atomic(target, result.to_bytes(fmt))
        return {"file": path, "ok": True, "findings": records([f for f in findings if f.severity == WARNING], path)}
    except EphytoDipError as exc:
        return {"file": path, "ok": False, "findings": records(exc.findings, path)}
    except Exception as exc:
        return internal_error(path, exc)


def warm(table: str | None = None, to: str | None = None) -> None:
    """Load the table, compile the schemas and plan the batch's conversions (``--to``, else to
    the DIP, the usual way) once per process: before the workers fork, which inherit it all;
    where workers are spawned, in each. A file of the other side is planned when it comes."""
    from ..conversion import warm_up

    warm_up(table=table, to=to or "dip")


def run_batch(args: argparse.Namespace, src: Path, out_dir: Path) -> int:
    try:
        files, skipped = input_files(src)
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        sys.stderr.write(f"{out_dir}: error: IO-WRITE: {exc.strerror or exc}\n")
        return EXIT_USAGE
    if not os.access(out_dir, os.W_OK):
        sys.stderr.write(f"{out_dir}: error: IO-WRITE: output directory is not writable\n")
        return EXIT_USAGE
    jobs = [(str(p), str(out_dir), args.format or "xml", args.to, args.table, args.strict, args.lenient)
            for p in files]
    return summarise(args, src, jobs, skipped, _convert_one, partial(warm, args.table, args.to), "converted", out_dir)
