"""``ephyto-dip attach CERT DECLARATION [-o OUT] [--ledger L]``: reference a certificate on the goods items it covers.

With a ledger the quantity is also written off against the certificate's lines.

The declaration (WCO DM DEC, e.g. UK CDS) goes to OUT or stdout; the report (matches, findings
and the ledger's answer) goes to stderr. With --ledger (a SQLite file, created on first use, or a
postgresql:// URL) the write-off is reserved for the declaration (its FunctionalReferenceID
unless --declaration-id) only when no finding at error level stands, and the declaration is
written while the certificate's lock is held: either both happen or neither. The declaration is
never written over itself unless asked for with --in-place (then atomically, like every output),
nor over the certificate or the rules table.
Exit codes: 0 clean, 1 findings at error level (the declaration is
then not written unless --force; a declaration that fails its schema is never written),
2 an input that cannot be read as a certificate or a declaration, a broken rules table, or an
output that cannot be written. Output files are written atomically.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

from ..findings import ERROR, EphytoDipError, Finding, OutputError, UsageError
from ..jsontypes import JSONObject
from .common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Subparsers
from .ledger import ledger_lines

if TYPE_CHECKING:
    from ..linkage import AttachResult, Match



class WriteAtomic(Protocol):
    """``output.write_atomic``, imported when used."""

    def __call__(self, path: str, data: bytes, inputs: Iterable[str | None] = ()) -> None: ...


def register(sub: Subparsers) -> None:
    p = sub.add_parser("attach", help="attach a certificate to a WCO DM goods declaration", description=__doc__)
    p.add_argument("certificate", help="an ePhyto certificate, Hub envelope or DIP document")
    p.add_argument("declaration", help="a WCO DM goods declaration (md:MetaData or Declaration, e.g. UK CDS DEC-DMS)")
    p.add_argument("-o", "--output", help="where to write the declaration (default stdout)")
    p.add_argument("--in-place", action="store_true",
                   help="write the declaration back over its own file (atomically); -o may then only name that file")
    p.add_argument("--rules", help="rules table of a national practice (default: the shipped UK CDS table)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="format of the report on stderr")
    p.add_argument("--status", help="document status code to declare (UK: AE, AP, JE …); default from the rules table")
    p.add_argument("--ledger", metavar="PATH_OR_URL",
                   help="quantity ledger: a SQLite file (created on first use) or a postgresql:// URL")
    p.add_argument("--declaration-id", help="the declaration's key in the ledger (default: its FunctionalReferenceID)")
    p.add_argument("--line", action="append", default=[], metavar="ITEM:LINE",
                   help="goods item ITEM draws on certificate line LINE (repeat; default: matched by HS code, names)")
    p.add_argument("--ched", help="the national pre-notification reference to declare (UK: IPAFFS GBCHDyyyy.nnnnnnn)")
    p.add_argument("--office", default="", help="the customs office of the write-off, recorded in the ledger")
    p.add_argument("--force", action="store_true",
                   help="write the declaration despite findings at error level (never when it fails its schema)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..linkage import attach
    from ..output import refuse_overwriting_input, same_file, write_atomic

    try:  # before anything is read: where the declaration goes, and that it replaces no input
        output = _output(args, same_file)
        if output is not None:
            others = [args.certificate, args.rules] + ([] if args.in_place else [args.declaration])
            refuse_overwriting_input(output, others)
    except EphytoDipError as exc:
        _report(args, None, exc.findings, "not written")
        return EXIT_USAGE
    try:
        links = _links(args.line)
    except EphytoDipError as exc:
        _report(args, None, exc.findings, "not written")
        return EXIT_USAGE
    delivered: list[str] = []

    def deliver(result: AttachResult) -> None:  # with a ledger: runs while the certificate is locked, before it commits
        delivered.append(_write(args, output, result.to_bytes(), write_atomic))

    try:
        result = attach(args.certificate, args.declaration, rules=args.rules, status=args.status,
                        ledger=args.ledger, declaration_id=args.declaration_id, links=links, ched=args.ched,
                        office=args.office, before_commit=deliver)
    except OutputError as exc:  # the declaration could not be written, so nothing was reserved
        _report(args, None, exc.findings, "not written; nothing reserved")
        return EXIT_USAGE
    except EphytoDipError as exc:
        if all(f.code in ("ATTACH-CERTIFICATE", "ATTACH-STATUS") for f in exc.findings):
            _report(args, None, exc.findings, "not written: the certificate cannot be referenced")
            return EXIT_FINDINGS
        # missing, malformed, hostile, not a certificate or declaration, a broken rules table, a ledger
        # that cannot be used
        _report(args, None, exc.findings, "not written: an input cannot be used")
        return EXIT_USAGE
    failed = any(f.severity == ERROR for f in result.findings)
    if delivered:
        outcome = delivered[0]
    elif not result.schema_valid:
        outcome = "not written: the declaration would not be valid against its schema"
    elif failed and not args.force:
        outcome = "not written: findings at error level (use --force to write it anyway)"
    else:  # --force past findings: written, never reserved
        try:
            outcome = _write(args, output, result.to_bytes(), write_atomic)
        except EphytoDipError as exc:
            _report(args, result, result.findings + exc.findings, "not written")
            return EXIT_USAGE
    _report(args, result, result.findings, outcome)
    return EXIT_FINDINGS if failed else EXIT_OK


def _write(args: argparse.Namespace, output: str | None, data: bytes, write_atomic: WriteAtomic) -> str:
    if output is not None:
        write_atomic(output, data, inputs=[args.certificate, args.rules])
        return f"written to {output}"
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return "written to stdout"


def _links(values: list[str]) -> dict[int, list[str]] | None:
    """``--line 1:1 --line 2:1 --line 2:2`` -> {1: ["1"], 2: ["1", "2"]}; None when not given."""
    if not values:
        return None
    out: dict[int, list[str]] = {}
    for value in values:
        item, sep, line = value.partition(":")
        if not sep or not item.strip().isdigit() or not line.strip():
            raise UsageError(Finding("USAGE", f"--line {value!r}: give ITEM:LINE, a goods item number and a "
                                     "certificate line number, e.g. --line 1:2"))
        out.setdefault(int(item), []).append(line.strip())
    return out


def _output(args: argparse.Namespace, same_file: Callable[[str, str], bool]) -> str | None:
    """The file the declaration goes to (None: stdout). ``--in-place`` names the declaration
    itself; with ``-o`` as well, both must name that one file."""
    output = args.output if args.output and args.output != "-" else None
    if not args.in_place:
        return output
    if output is not None and not same_file(output, args.declaration):
        raise UsageError(Finding("USAGE", f"--in-place writes {args.declaration}; -o {output} names another file "
                                 "(give one of them)", file=output))
    return str(args.declaration)


def _report(args: argparse.Namespace, result: AttachResult | None, findings: list[Finding], outcome: str) -> None:
    if args.format == "json":
        report: JSONObject = result.to_report() if result is not None else {
            "certificate": args.certificate, "declaration": args.declaration, "matches": [],
        }
        report["findings"] = [f.to_dict() for f in findings]
        report["output"] = outcome
        sys.stderr.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    for f in findings:
        sys.stderr.write(f.one_line() + "\n")
    if result is not None:
        items: dict[int, list[Match]] = {}
        for mt in result.matches:
            items.setdefault(mt.goods_item, []).append(mt)
        for seq, mts in items.items():
            how = "; ".join(f"line {mt.line} by {mt.method} ({mt.detail})" for mt in mts)
            sys.stderr.write(f"goods item {seq}: reference {mts[0].action} for certificate "
                             f"{result.certificate_number}: {how}\n")
        if not items:
            refused = any(f.code in ("ATTACH-CERTIFICATE", "ATTACH-STATUS", "ATTACH-REPLACED") and f.severity == ERROR
                          for f in findings)
            sys.stderr.write(f"certificate {result.certificate_number} was not referenced: "
                             + ("it cannot cover goods (above)\n" if refused else "it matched no goods item\n"))
        if result.answer is not None:
            sys.stderr.write(ledger_lines(result.answer))
    errors = sum(f.severity == ERROR for f in findings)
    sys.stderr.write(f"{args.declaration}: {errors} errors, {len(findings) - errors} other findings; "
                     f"declaration {outcome}\n")
