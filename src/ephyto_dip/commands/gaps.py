"""``ephyto-dip gaps [--table PATH] [--format md|json]``: the proposed WCO Data Maintenance Requests.

Only genuine gaps, in the WCO DMR form (name, definition, class, format, code list,
cardinality, UN/CEFACT UID, UN/TDED, business need, ISPM 12 basis, example, impact, rows):
the proposals are data (mappings/wco-dmr.tsv); a proposal whose rows have all found a WCO
element drops out. Then, apart, the rows that need no new element with the reason
(mappings/sps-structure.tsv), what the WCO DM already covers (the rows with a WCO ID), and the
WCO formats the table had to widen. Markdown is the document to discuss; JSON the same data.
"""

from __future__ import annotations

import argparse
import json
import sys

from ..findings import EphytoDipError
from .common import EXIT_OK, Subparsers, exit_code_for, print_findings


def register(sub: Subparsers) -> None:
    p = sub.add_parser("gaps", help="list ISPM 12 elements without a WCO DM equivalent (proposed DMRs)",
                       description=__doc__)
    p.add_argument("--table", help="mapping table (default: the shipped one)")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..review.dmr_doc import gaps_data, gaps_document

    try:
        data = gaps_data(args.table)
    except EphytoDipError as exc:
        print_findings(exc.findings)
        return exit_code_for(exc)
    if args.format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(gaps_document(data))
    return EXIT_OK
