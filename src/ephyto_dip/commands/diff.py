"""``ephyto-dip diff OLD NEW [--format text|md|json]``: what changed between two table versions.

Rows are matched by mapping_id; for a changed row the columns that changed are named with
their old and new values; metadata (``#key: value``) changes are listed too. The tables are
read leniently so that a broken version still diffs. Exit 0 with or without differences
(it is a report), 2 if a table cannot be read.
"""

from __future__ import annotations

import argparse
import sys

from ..findings import EphytoDipError
from .common import EXIT_OK, Subparsers, exit_code_for, print_findings


def register(sub: Subparsers) -> None:
    p = sub.add_parser("diff", help="compare two versions of the mapping table", description=__doc__)
    p.add_argument("old", help="the table before (TSV)")
    p.add_argument("new", help="the table after (TSV)")
    p.add_argument("--format", choices=("text", "md", "json"), default="text",
                   help="text (default), Markdown for a pull request, or JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..review.tablediff import diff_files, render_json, render_markdown, render_text

    try:
        d = diff_files(args.old, args.new)
    except EphytoDipError as exc:
        print_findings(exc.findings)
        return exit_code_for(exc)
    if args.format != "json":  # JSON carries them as "notes"
        print_findings(d.old.notes + d.new.notes)
    render = {"text": render_text, "md": render_markdown, "json": render_json}[args.format]
    sys.stdout.write(render(d))
    return EXIT_OK
