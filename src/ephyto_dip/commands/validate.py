"""``ephyto-dip validate FILE...``: schema (with lines), reading against the table, ISPM 12 rules."""

from __future__ import annotations

import json
import sys

from ..findings import ERROR, EphytoDipError, TableError
from .common import EXIT_FINDINGS, EXIT_OK, exit_code_for, print_findings


def register(sub) -> None:
    p = sub.add_parser("validate", help="validate certificates: schema, ISPM 12 business rules", description=__doc__)
    p.add_argument("files", nargs="+", help="ePhyto certificates, Hub envelopes or DIP documents")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--thorough", action="store_true",
                   help="every schema error (xmlschema; slower), not only the first per element (lxml)")
    p.add_argument("--no-rules", action="store_true", help="schema only, no ISPM 12 business rules")
    p.add_argument("--table", help="mapping table to read with")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..validation import validate

    code = EXIT_OK
    everything = []
    for path in args.files:
        try:
            findings = validate(path, table=args.table, thorough=args.thorough, rules=not args.no_rules)
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
