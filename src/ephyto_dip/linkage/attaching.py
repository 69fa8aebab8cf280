"""Attach a certificate to a goods declaration: the single-window step, end to end.

read both → can the certificate be referenced (number, type, status, replaced?) → match lines
to goods items → dates, parties, countries → put the references (and take out a replaced one) →
coverage and quantity → the declaration schema → with a ledger, reserve the write-off in one
locked transaction. Nothing is reserved when a finding at error level stands, and the
declaration is never changed in place.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from lxml import etree

from ..findings import ERROR, WARNING, ConversionError, Finding, UsageError
from ..jsontypes import JSONObject
from ..reading import model as m
from ..reading.sources import Source
from ..reading.xmllayout import Layout
from ..reading.xmlsafe import DEFAULT_LIMITS, Limits
from . import certificate as c
from . import coverage, reserving
from .checks import certificate_problems, ched_problems, declaration_checks
from .declaration import (
    Declaration,
    DeclarationSource,
    declaration_of,
    goods_items,
    read_declaration,
    xsd_errors,
    xsd_findings,
)
from .ledger import Answer, Ledger, open_ledger
from .matching import Match, Plan
from .matching import plan as make_plan
from .reference import (
    AttachmentFragment,
    build_reference,
    ched_values,
    document_type,
    put_reference,
    reference_values,
    set_status,
)
from .rules import Rules, as_rules

if TYPE_CHECKING:
    from ..documents import Document

RulesArg = Rules | str | os.PathLike[str] | None


@dataclass
class AttachResult:
    """The declaration with the references in place, what was matched, found, and reserved."""

    root: etree._Element  # the whole document (md:MetaData or Declaration)
    findings: list[Finding]
    matches: list[Match]
    name: str = "<declaration>"
    certificate_name: str = "<certificate>"
    certificate_number: str | None = None
    layout: Layout | None = None  # line endings, encoding and XML declaration of the input
    declaration_id: str | None = None
    answer: Answer | None = None  # the ledger's, when one was given
    profile: str = "uk-cds"
    provenance: str = ""  # the form the certificate came in (Hub envelope, bare ePhyto, DIP) [31]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def schema_valid(self) -> bool:
        return not any(f.code == "XSD-DEC" and f.severity == ERROR for f in self.findings)

    def to_bytes(self) -> bytes:
        """The declaration as XML; the input's own layout and comments are kept (line endings,
        encoding and XML declaration too when it was read from a file or bytes)."""
        tree = self.root.getroottree()
        if self.layout is not None and self.root.getparent() is None:
            return self.layout.serialize(tree)
        standalone = tree.docinfo.standalone if self.root.getparent() is None else None
        return etree.tostring(tree if self.root.getparent() is None else self.root,
                              xml_declaration=True, encoding="UTF-8", standalone=standalone)

    def to_report(self) -> JSONObject:
        out: JSONObject = {
            "certificate": self.certificate_name,
            "certificate_number": self.certificate_number,
            "certificate_provenance": self.provenance,
            "declaration": self.name,
            "declaration_id": self.declaration_id,
            "schema_valid": self.schema_valid,
            "matches": [mt.to_dict() for mt in self.matches],
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.answer is not None:
            out["reservation"] = self.answer.to_certex() if self.profile == "eu-certex" else self.answer.to_dict()
        return out


def attach(cert_source: m.Certificate | Document | Source, declaration_source: DeclarationSource,
           rules: RulesArg = None, *, status: str | None = None,
           name: str | None = None, limits: Limits = DEFAULT_LIMITS,
           ledger: Ledger | str | None = None, declaration_id: str | None = None,
           links: Mapping[int, Sequence[str]] | None = None, ched: str | None = None, office: str = "",
           today: date | None = None,
           before_commit: Callable[[AttachResult], None] | None = None) -> AttachResult:
    """Reference a certificate on every goods item of a declaration it covers.

    ``cert_source``: a Certificate, a Document, or an ePhyto / Hub envelope / DIP file or bytes.
    ``declaration_source``: a file, bytes or an lxml element (copied, never changed in place).
    ``links``: goods item number → certificate line numbers it draws on (default: matched by HS
    code, then names). ``ched``: the national pre-notification reference (UK: IPAFFS CHED-PP).
    ``ledger`` (a :class:`Ledger`, a SQLite path or a ``postgresql://`` URL): the write-off is
    reserved for ``declaration_id`` (default: the declaration's FunctionalReferenceID) when no
    finding at error level stands; ``before_commit(result)`` runs while the certificate's lock is
    held, and if it raises, nothing is reserved. Attaching is idempotent: a goods item that
    already references the certificate keeps one reference. Raises InputError /
    UnsupportedDocumentError for inputs that cannot be read, TableError for a broken table,
    LedgerError for a ledger that cannot be used.
    """
    r = as_rules(rules)
    cert, cert_name, findings, came_as = c.read_certificate(cert_source)
    d = read_declaration(declaration_source, r, name, limits, copy_tree=True)
    decl_id = declaration_id or d.functional_reference or None
    if ledger is not None and not decl_id:
        raise UsageError(Finding("USAGE", "a ledger write-off needs the declaration's identity: the declaration has "
                                 "no FunctionalReferenceID, give declaration_id (--declaration-id)", file=d.name))
    own = open_ledger(os.fspath(ledger)) if isinstance(ledger, (str, os.PathLike)) else None
    try:
        used = ledger if isinstance(ledger, Ledger) else own
        result = _attach(cert, cert_name, findings, d, r, status, used, decl_id, links, ched, office,
                         today, before_commit)
        result.provenance = came_as
        return result
    finally:
        if own is not None:
            own.close()


def _attach(cert: m.Certificate, cert_name: str, findings: list[Finding], d: Declaration, r: Rules,
            status: str | None, ledger: Ledger | None, decl_id: str | None, links: Mapping[int, Sequence[str]] | None,
            ched: str | None, office: str, today: date | None,
            before_commit: Callable[[AttachResult], None] | None) -> AttachResult:
    before = xsd_errors(d.top, r)
    result = AttachResult(d.top, findings, [], d.name, cert_name, cert.number, d.layout, decl_id, profile=r.profile)
    replaced_by = ledger.replaced_by(cert.number.strip()) if ledger is not None and cert.number else None
    problems = certificate_problems(cert, r, cert_name, replaced_by)
    if status and r.statuses and status not in r.statuses:
        findings.append(Finding("ATTACH-STATUS-CODE",
                                f"status code {status} is not on the rules table's list ({', '.join(r.statuses)})",
                                severity=WARNING, file=d.name, value=status))
    findings += problems + ched_problems(ched, r, d.name)
    if any(f.severity == ERROR for f in problems):
        findings += coverage.quoted_refused(d, cert, r, problems)
        if ledger is not None and cert.number:  # the ledger learns the new status [4]; nothing is reserved
            with ledger.transaction(cert.number.strip()) as tx:
                if tx.known():
                    tx.register(c.status(cert), [])
        findings += xsd_findings(before, before, d.name)
        return result
    plan = make_plan(cert, d.items, r, links, d.name)
    findings += plan.problems + declaration_checks(cert, d, plan, r, cert_name, today)
    findings += coverage.drop_replaced(plan, c.replaced_numbers(cert), r, d.name)
    values = reference_values(cert, r, status)
    actions = {(it.sequence, it.xpath): put_reference(it, values, r, d.declaration, status)
               for it in plan.matched_items()}
    references = [values]
    if ched and r.ched_document and not any(f.severity == ERROR for f in findings):
        references.append(ched_values(ched, r, values["LPCOExemptionCode"]))
        for it in plan.matched_items():
            put_reference(it, references[-1], r, d.declaration, status)
    result.matches = [replace(mt, action=actions[(mt.goods_item, mt.goods_item_xpath)]) for mt in plan.matches]
    findings += coverage.unmatched_lines(plan, r, cert_name)
    findings += coverage.unmatched_references(plan, values, r, d.name)
    findings += coverage.missing_certificates(plan, r, d.name, d.declaration)
    if ledger is None:
        findings += coverage.quantity_findings(plan, r, d.name)
    findings += xsd_findings(before, xsd_errors(d.top, r), d.name)
    if ledger is not None and plan.matches and not any(f.severity == ERROR for f in findings):
        assert decl_id  # attach() refuses a ledger without it
        with contextlib.suppress(_Rollback):  # on _Rollback nothing is reserved; the findings say why
            _reserve(result, cert, plan, r, ledger, decl_id, references, status is None, office, before_commit)
    elif before_commit is not None and not any(f.severity == ERROR for f in findings):
        before_commit(result)
    return result


class _Rollback(Exception):
    """Leave the ledger's transaction without keeping what it did."""


def _reserve(result: AttachResult, cert: m.Certificate, plan: Plan, r: Rules, ledger: Ledger, decl_id: str,
             references: list[dict[str, str]], default_status: bool, office: str,
             before_commit: Callable[[AttachResult], None] | None) -> None:
    number = (cert.number or "").strip()  # a certificate without a number never gets here
    with ledger.transaction(number) as tx:
        tx.register(c.status(cert), reserving.certified_lines(plan), c.replaced_numbers(cert))
        balance = tx.balance()
        requests, unvalidated = reserving.requests(plan, balance, r, decl_id, result.name)
        result.findings.extend(unvalidated)
        if unvalidated:
            return
        status = references[0]["LPCOExemptionCode"]
        if default_status and r.default_status_part and reserving.leaves_quantity(requests, balance, r, decl_id):
            status = r.default_status_part  # part use: the certificate goes on covering other entries
        answer = tx.reserve(decl_id, requests, r.mass_units, covering=c.status(cert) in r.covering_statuses,
                            office=office, document_status=status, hs_digits=r.hs_min_digits)
        result.answer = answer
        if not answer.accepted:
            result.findings.append(reserving.refusal(answer, plan, result.name))
            return
        earlier = reserving.earlier_exhausted(balance, r, decl_id, result.name)
        if earlier:
            result.findings.extend(earlier)
            result.answer = None
            raise _Rollback
        for item in plan.matched_items():
            for values in references:
                set_status(item.element, values, r, status)
        used = sorted({rq.line for rq in requests})
        result.findings.extend(reserving.status_agreement(answer, used, status, r, result.name))
        if before_commit is not None:
            before_commit(result)


def additional_documents(cert: m.Certificate | Document | Source,
                         declaration_root: etree._Element | etree._ElementTree | None = None, rules: RulesArg = None, *,
                         status: str | None = None) -> list[AttachmentFragment]:
    """The ``AdditionalDocument`` elements that reference ``cert``, for systems that build declarations.

    Without a declaration: one fragment (``goods_item`` None) standing for every certificate
    line. With one (``md:MetaData`` or ``Declaration`` element, read only): one fragment per goods
    item the certificate covers, in goods item order. ``status`` overrides the table's default
    status code. Raises ConversionError(ATTACH-CERTIFICATE / ATTACH-STATUS) for a certificate that
    cannot be referenced (no number, not issued, a type without document code).
    """
    r = as_rules(rules)
    cert, name, _, _ = c.read_certificate(cert)
    problems = [f for f in certificate_problems(cert, r, name) if f.severity == ERROR]
    if problems:
        raise ConversionError(problems)
    values = reference_values(cert, r, status)
    if declaration_root is None:
        el = build_reference(values, r, document_type(r, None, None))
        return [AttachmentFragment(el, None, None, tuple(ln.label for ln in c.certificate_lines(cert, r)))]
    if isinstance(declaration_root, etree._ElementTree):
        declaration_root = declaration_root.getroot()
    decl = declaration_of(declaration_root, r)
    plan = make_plan(cert, goods_items(decl, r), r)
    out = []
    for item in plan.matched_items():
        kg = item.net_kg if r.write_off == "net_mass" else None
        el = build_reference(values, r, document_type(r, decl, item.element), kg)
        out.append(AttachmentFragment(el, item.sequence, item.xpath, tuple(plan.lines_of(item))))
    return out
