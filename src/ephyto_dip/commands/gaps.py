"""``ephyto-dip gaps [--table PATH] [--format md|json]``: the proposed WCO Data Maintenance Requests.

Every ISPM 12 element the table maps without a WCO DM term (``sssom:NoTermFound``,
``skos:relatedMatch``), grouped into proposals (a new class, or new elements of an existing
class), with format, justification and the rows concerned; then the WCO formats the table
had to widen. Markdown is the document to discuss; JSON the same data for tools.
"""

from __future__ import annotations

import json
import sys

from ..findings import EphytoDipError
from .common import EXIT_OK, exit_code_for, print_findings


def register(sub) -> None:
    p = sub.add_parser("gaps", help="list ISPM 12 elements without a WCO DM equivalent (proposed DMRs)",
                       description=__doc__)
    p.add_argument("--table", help="mapping table (default: the shipped one)")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..alignment import gap_list, gaps_markdown

    try:
        gaps = gap_list(args.table)
    except EphytoDipError as exc:
        print_findings(exc.findings)
        return exit_code_for(exc)
    if args.format == "json":
        sys.stdout.write(json.dumps(gaps.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(gaps_markdown(gaps))
    return EXIT_OK
