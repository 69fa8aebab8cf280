"""``ephyto-dip check [--table PATH]``: is the mapping table aligned with both schemas?

Resolves every row's paths through the SPS 17 and DIP schemas, and checks that every model
field, every ISPM 12 box and every schema element is mapped (or excluded with a reason), that
predicates and cardinalities are allowed and agree with the round trip, and that code lists
are complete, that the box-level crosswalk and the DMR tables beside the table agree with it,
and counts the rows reviewed. Each finding names its row (mapping_id) on one line; --verbose adds, below it,
what is too long for that line (the allowed values, the reasoning), which JSON output always
carries as "detail". Exit 1 if any finding is an error, 2 if the table cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..findings import ERROR, WARNING, EphytoDipError
from .common import EXIT_OK, Subparsers, exit_code_for, print_findings, worst_exit


def register(sub: Subparsers) -> None:
    p = sub.add_parser("check", help="check the mapping table's alignment with both schemas", description=__doc__)
    p.add_argument("--table", help="mapping table to check (default: the shipped one)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="under each finding, its detail (allowed values, why)")
    p.set_defaults(run=run)


def _review_counts(table: str | None) -> dict[str, int]:
    """Reviewed and unreviewed rows, by status (empty if the table does not parse)."""
    from ..mapping.table import load_table
    from ..review.decisions import review_counts

    try:
        return review_counts(load_table(table).rows)
    except EphytoDipError:
        return {}


def run(args: argparse.Namespace) -> int:
    from ..review.alignment import check_table

    try:
        findings = check_table(args.table)
    except EphytoDipError as exc:
        print_findings(exc.findings, args.format)
        return exit_code_for(exc)
    review = _review_counts(args.table)
    errors = sum(f.severity == ERROR for f in findings)
    warnings = sum(f.severity == WARNING for f in findings)
    if args.format == "json":
        sys.stdout.write(
            json.dumps(
                {
                    "table": args.table or "(shipped)",
                    "passed": errors == 0,
                    "errors": errors,
                    "warnings": warnings,
                    "review": review,
                    "findings": [f.to_dict() for f in findings],
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
    else:
        for f in findings:
            sys.stdout.write(f.one_line() + "\n")
            if args.verbose and f.detail:
                sys.stdout.write(f"    {f.detail}\n")
        verdict = "FAIL" if errors else "PASS"
        sys.stdout.write(f"check: {verdict} ({errors} errors, {warnings} warnings, "
                         f"{len(findings) - errors - warnings} other findings)\n")
        if review:
            statuses = ", ".join(f"{k[7:]} {v}" for k, v in review.items() if k.startswith("status:"))
            sys.stdout.write(f"review: {review['reviewed']} of {review['rows']} rows reviewed, "
                             f"{review['unreviewed']} unreviewed ({statuses})\n")
    return worst_exit(findings) if findings else EXIT_OK
