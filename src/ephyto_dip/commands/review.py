"""``ephyto-dip review apply DECISIONS [--table TABLE] [-o OUT | --in-place]``: merge review decisions.

DECISIONS is the TSV the review page exports (columns mapping_id, decision, reviewer, date,
comment, optionally row_hash). Each decision sets the row's status (accepted,
changes-requested, rejected), reviewer, review_date, and adds the signed comment to the row's
comment. A decision for an unknown mapping_id, with a bad decision or date, or whose row_hash no
longer matches the row (the row changed since it was reviewed) refuses the whole file: exit 1,
nothing written. The merged table goes to OUT (written atomically: a temp file renamed into
place), to stdout without -o, or over TABLE only with --in-place. Exit 2 if a file cannot be read
or written.
"""

from __future__ import annotations

import argparse
import sys

from ..findings import EphytoDipError
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Subparsers, exit_code_for, print_findings


def register(sub: Subparsers) -> None:
    p = sub.add_parser("review", help="merge review decisions (exported from the review page) into the table",
                       description=__doc__)
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    a = verbs.add_parser("apply", help="merge a decisions TSV into the mapping table", description=__doc__)
    a.add_argument("decisions", metavar="DECISIONS", help="decisions TSV exported from the review page")
    a.add_argument("--table", help="mapping table (default: the shipped one)")
    out = a.add_mutually_exclusive_group()
    out.add_argument("-o", "--output", help="write the merged table here (default: stdout)")
    out.add_argument("--in-place", action="store_true", help="replace TABLE with the merged table")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "verb", None) != "apply":
        sys.stderr.write("ephyto-dip review: say what to do: "
                         "ephyto-dip review apply DECISIONS [--table TABLE] [-o OUT]\n")
        return EXIT_USAGE
    from ..mapping.table import default_table_path
    from ..output import write_atomic
    from ..review.decisions import apply_files

    table = args.table or str(default_table_path())
    try:
        text, findings = apply_files(args.decisions, table)
        if findings:
            print_findings(findings)
            sys.stderr.write(f"review: {len(findings)} problem(s); nothing written\n")
            return EXIT_FINDINGS
        if args.in_place:
            write_atomic(table, text.encode("utf-8"), inputs=[args.decisions])
        elif args.output and args.output != "-":
            write_atomic(args.output, text.encode("utf-8"), inputs=[table, args.decisions])
        else:
            sys.stdout.write(text)
    except EphytoDipError as exc:
        print_findings(exc.findings)
        return exit_code_for(exc)
    return EXIT_OK
