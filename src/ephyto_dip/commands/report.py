"""``ephyto-dip report [-o FILE] [--format html|md] [--example CERT]``: the table as a review page.

HTML: one self-contained page (open it from disk, mail it, print it) with rows grouped by
ISPM 12 box, coverage counts, the WCO gap list, search and filters. Markdown: the summary
and one table per box, for a pull request. ``--example`` adds each row's values on that
certificate and in its DIP.
"""

from __future__ import annotations

import argparse
import sys

from ..findings import EphytoDipError
from .common import EXIT_OK, Subparsers, exit_code_for, print_findings


def register(sub: Subparsers) -> None:
    p = sub.add_parser("report", help="render the mapping table as a review page", description=__doc__)
    p.add_argument("-o", "--output", help="output file (default stdout); written atomically")
    p.add_argument("--table", help="mapping table to render (default: the shipped one)")
    p.add_argument("--format", choices=("html", "md"), default="html", help="HTML page (default) or Markdown")
    p.add_argument("--example", metavar="CERT",
                   help="a certificate (ePhyto, Hub envelope or DIP) whose values each row shows")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..output import write_atomic
    from ..review.report import build_report, render_html, render_markdown

    try:
        report = build_report(args.table, example=args.example)
        text = render_markdown(report) if args.format == "md" else render_html(report)
        if args.output and args.output != "-":
            write_atomic(args.output, text.encode("utf-8"), inputs=[args.table, args.example])
        else:
            sys.stdout.write(text)
    except EphytoDipError as exc:
        print_findings(exc.findings)
        return exit_code_for(exc)
    return EXIT_OK
