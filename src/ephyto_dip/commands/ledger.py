"""``ephyto-dip ledger balance|release|cancel``: a certificate's quantity ledger after ``attach --ledger``.

    ephyto-dip ledger balance CERTIFICATE_NUMBER --ledger LEDGER
    ephyto-dip ledger release CERTIFICATE_NUMBER DECLARATION_ID --ledger LEDGER
    ephyto-dip ledger cancel  CERTIFICATE_NUMBER DECLARATION_ID --ledger LEDGER

``release``: the declaration is cleared; its hold becomes consumed for good (outcome 04 when the
certificate no longer covers goods, e.g. withdrawn since). ``cancel``: the declaration is
withdrawn or invalidated before release; its hold comes back. The answer (the whole per-line
balance) goes to stdout, as text or ``--format json`` (the CSW-CERTEX shape when the rules table's
profile is eu-certex). Exit codes: 0 done, 1 not done (nothing held, already consumed, an unknown
certificate), 2 a ledger that cannot be opened or reached, or a broken rules table.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from ..findings import EphytoDipError
from ..jsontypes import JSONObject
from .common import EXIT_FINDINGS, EXIT_OK, Subparsers, exit_code_for, print_findings

if TYPE_CHECKING:
    from ..linkage import Answer, Balance


def register(sub: Subparsers) -> None:
    p = sub.add_parser("ledger", help="a certificate's quantity ledger", description=__doc__)
    p.add_argument("operation", choices=("balance", "release", "cancel"))
    p.add_argument("certificate", help="the certificate number")
    p.add_argument("declaration", nargs="?", help="the declaration's key (release, cancel)")
    p.add_argument("--ledger", required=True, metavar="PATH_OR_URL", help="a SQLite file or a postgresql:// URL")
    p.add_argument("--rules", help="rules table (the statuses that cover goods, the answer's shape)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..findings import Finding, UsageError
    from ..linkage import load_rules, open_ledger

    try:
        if args.operation != "balance" and not args.declaration:
            raise UsageError(Finding("USAGE", f"ledger {args.operation} needs the declaration's key after the "
                                     "certificate number"))
        rules = load_rules(args.rules)
        with open_ledger(args.ledger) as ledger:
            if args.operation == "balance":
                balance = ledger.balance(args.certificate)
                data = balance.to_certex() if rules.profile == "eu-certex" else balance.to_dict()
                _print(args, data, balance_lines(balance))
                return EXIT_OK
            if args.operation == "release":
                status = ledger.balance(args.certificate).status
                answer = ledger.release(args.certificate, args.declaration,
                                        covering=status in rules.covering_statuses)
            else:
                answer = ledger.cancel(args.certificate, args.declaration)
    except EphytoDipError as exc:
        print_findings(exc.findings, args.format)
        if all(f.code == "LEDGER-UNKNOWN" for f in exc.findings):
            return EXIT_FINDINGS  # a defined "not found", not a broken ledger
        return exit_code_for(exc)
    data = answer.to_certex() if rules.profile == "eu-certex" else answer.to_dict()
    _print(args, data, ledger_lines(answer))
    return EXIT_OK if answer.accepted else EXIT_FINDINGS


def _print(args: argparse.Namespace, data: JSONObject, text: str) -> None:
    if args.format == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text)


def balance_lines(balance: Balance) -> str:
    out = [f"certificate {balance.certificate} (status {balance.status or 'unknown'})"]
    for ln in balance.lines:
        out.append(f"  line {ln.line} (HS {ln.commodity_code or '-'}): certified {ln.certified.normalize():f} "
                   f"{ln.unit}, reserved {ln.reserved.normalize():f}, consumed {ln.consumed.normalize():f}, "
                   f"available {ln.available.normalize():f}")
    for a in balance.allocations:
        out.append(f"  {a.state} by {a.declaration_id}: goods item {a.goods_item} on line {a.line}: "
                   f"{a.quantity.normalize():f} (declared {a.declared}) at {a.event_time}")
    return "\n".join(out) + "\n"


def ledger_lines(answer: Answer) -> str:
    """An answer in a few lines: what happened, why not, and the balance after it."""
    from ..linkage import OUTCOMES, REASONS

    if answer.operation == "reserve":
        head = ("reserved" if answer.accepted else
                f"refused [CERTEX {answer.reason} {REASONS[answer.reason or '']}]") + f": {answer.message}"
    else:
        head = f"{answer.operation} {answer.declaration_id}: [{answer.outcome} {OUTCOMES[answer.outcome or '']}] " \
               f"{answer.message}"
    return f"ledger: {head}\n" + balance_lines(answer.balance)
