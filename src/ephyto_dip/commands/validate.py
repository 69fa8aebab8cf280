"""ephyto-dip validate FILE|DIR...: schema (with lines), reading against the table, ISPM 12 rules.

'convert' runs the same checks and refuses what this finds invalid. A directory is validated
as 'convert DIR' converts one: in worker processes, with a closing summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TypeAlias

from ..findings import ERROR, EphytoDipError, TableError
from .batch import Record, input_files, internal_error, positive_int, records, summarise
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Subparsers, exit_code_for, print_findings, table_problem

ValidateJob: TypeAlias = tuple[str, "str | None", bool, bool]  # path, table, thorough, rules


def register(sub: Subparsers) -> None:
    p = sub.add_parser("validate", help="validate certificates: schema, ISPM 12 business rules", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help="ePhyto certificates, Hub envelopes or DIP documents, or directories")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--thorough", action="store_true",
                   help="every schema error (xmlschema; slower), not only the first per element (lxml)")
    p.add_argument("--no-rules", action="store_true", help="schema only, no ISPM 12 business rules")
    p.add_argument("--table", help="mapping table to read with")
    p.add_argument("--jobs", type=positive_int, help="worker processes for a directory (default: number of cores)")
    p.add_argument("--quiet", action="store_true", help="a directory: print errors only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if table_problem(args.table):  # a broken --table is not a finding about any certificate
        return EXIT_USAGE
    dirs = [p for p in args.files if Path(p).is_dir()]
    if dirs:
        if len(args.files) > 1:
            sys.stderr.write("ephyto-dip validate: give one directory, or files\n")
            return EXIT_USAGE
        return _run_directory(args, Path(dirs[0]))
    return _run_files(args)


def _run_files(args: argparse.Namespace) -> int:
    from ..validation.verbs import all_findings

    code = EXIT_OK
    everything = []
    for path in args.files:
        try:
            findings = all_findings(path, table=args.table, thorough=args.thorough, rules=not args.no_rules)
        except TableError as exc:  # a broken --table is not a finding about the certificate
            print_findings(exc.findings)
            return exit_code_for(exc)
        except EphytoDipError as exc:
            findings = exc.findings
            code = max(code, exit_code_for(exc))
        if any(f.severity == ERROR for f in findings):
            code = max(code, EXIT_FINDINGS)
        if args.format == "json":
            everything.append({"file": path, "valid": not any(f.severity == ERROR for f in findings),
                               "findings": [f.to_dict() for f in findings]})
        else:
            for f in findings:
                sys.stdout.write(f.one_line() + "\n")
            errors = sum(f.severity == ERROR for f in findings)
            sys.stdout.write(f"{path}: {'INVALID' if errors else 'valid'} "
                             f"({errors} errors, {len(findings) - errors} other findings)\n")
    if args.format == "json":
        sys.stdout.write(json.dumps(everything, ensure_ascii=False, indent=2) + "\n")
    return code


def _validate_one(job: ValidateJob) -> Record:
    """Worker: validate one file; 'ok' is the verdict convert gives the same file."""
    from ..validation.verbs import all_findings

    path, table, thorough, rules = job
    try:
        findings = all_findings(path, table=table, thorough=thorough, rules=rules)
    except EphytoDipError as exc:
        return {"file": path, "ok": False, "findings": records(exc.findings, path)}
    except Exception as exc:
        return internal_error(path, exc)
    ok = not any(f.severity == ERROR for f in findings)
    kept = [f for f in findings if f.severity != "info"] if ok else findings
    return {"file": path, "ok": ok, "findings": records(kept, path)}


def warm() -> None:
    from ..mapping.table import load_table
    from ..reading.schemas import dip_xsd, ephyto_pruned_xsd
    from ..validation import verbs  # noqa: F401

    load_table()
    ephyto_pruned_xsd()
    dip_xsd()
    from ..mapping import locate  # noqa: F401
    from ..validation.code_lists import preload

    preload()


def _run_directory(args: argparse.Namespace, src: Path) -> int:
    try:
        files, skipped = input_files(src)
    except OSError as exc:
        sys.stderr.write(f"{src}: error: IO-READ: {exc.strerror or exc}\n")
        return EXIT_USAGE
    args.summary = args.format
    jobs = [(str(p), args.table, args.thorough, not args.no_rules) for p in files]
    return summarise(args, src, jobs, skipped, _validate_one, warm, "valid")
