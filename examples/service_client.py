"""A small service handler on the public API, as docs/service.md shows it; checked by mypy --strict."""

from __future__ import annotations

import json

import ephyto_dip as ed
from ephyto_dip import codes


def handle(body: bytes, name: str) -> str:
    """Convert one certificate from the Hub; the findings of both sides as JSON."""
    try:
        result = ed.convert(body, name=name)
    except ed.EphytoDipError as exc:
        return json.dumps({"ok": False, "findings": [f.to_dict() for f in exc.findings]})
    findings = [f.to_dict() for f in result.input_findings + result.output_findings]
    errors = [f for f in result.input_findings if f.severity is ed.Severity.ERROR]
    return json.dumps({"ok": result.input_valid and result.output_valid, "errors": len(errors), "findings": findings})


def check(body: bytes) -> list[str]:
    doc = ed.read(body)
    return [f.code for f in ed.iter_findings(doc)]


def missing_boxes(body: bytes) -> list[str]:
    """What a certificate lacks of the ISPM 12 mandatory boxes, found by the rule's stable code."""
    return [f.message for f in ed.iter_findings(ed.read(body)) if f.code == codes.RULE_MANDATORY]


def accept(body: bytes) -> bool:
    """A gate that only lets valid certificates through; why not is in the error's findings."""
    try:
        ed.validate(body)
    except ed.ValidationError as exc:
        print("; ".join(f.one_line() for f in exc.findings if f.severity is ed.Severity.ERROR))
        return False
    return True


def link(cert: bytes, declaration: bytes, ledger_path: str) -> bool:
    with ed.open_ledger(ledger_path) as ledger:
        result = ed.attach(cert, declaration, ledger=ledger)
        answer = result.answer
        return result.ok and answer is not None and answer.accepted
