"""The certificate side: reading any form of it, and its lines and facts as a single window sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from ..findings import INFO, Finding
from ..reading import model as m
from ..reading.doctypes import default_type
from .quantities import Amount, kilograms, parse_amount
from .rules import Rules
from .values import digits, tokens

if TYPE_CHECKING:
    from ..documents import Document
    from ..reading.sources import Source


@dataclass
class CertificateLine:
    """A certificate line (trade line item) as matching and the ledger see it."""

    index: int
    label: str  # its SequenceNumeric, else its position
    hs_codes: list[str]  # usable: at least hs_min_digits digits
    short_hs_codes: list[str]  # too short to match on (a heading): they only constrain word matching
    tokens: frozenset[str]
    names: str
    quantity: Amount | None  # the basis of the write-off: net weight, else gross weight, else net volume
    certified_kg: Decimal | None
    certified_text: str
    quantity_problem: str | None
    origins: frozenset[str]

    @property
    def title(self) -> str:
        codes = self.hs_codes or self.short_hs_codes
        what = f"HS {', '.join(codes)}" if codes else "no HS code"
        return f"certificate line {self.label} ({what}{', ' + self.names if self.names else ''})"

    @property
    def commodity_code(self) -> str:
        return (self.hs_codes or self.short_hs_codes or [""])[0]


def read_certificate(source: m.Certificate | Document | Source) -> tuple[m.Certificate, str, list[Finding], str]:
    """A Certificate, a Document, or an ePhyto / Hub envelope / DIP path or bytes; with what reading
    found and how it came [31]: the library cannot check the channel, it records the form it was given."""
    from ..documents import Document, read

    if isinstance(source, m.Certificate):
        return source, "<certificate>", [], provenance(source, None)
    doc = source if isinstance(source, Document) else read(source)
    # what reading found, without its info notes (placeholders read as absent …): they concern
    # conversion, not whether the certificate covers the goods
    return doc.certificate, doc.name, [f for f in doc.findings if f.severity != INFO], \
        provenance(doc.certificate, doc.side)


def provenance(cert: m.Certificate, side: str | None) -> str:
    if cert.hub_envelope is not None:
        return "IPPC ePhyto Hub envelope"
    return {"ephyto": "ePhyto XML without a Hub envelope", "dip": "WCO DM DIP"}.get(side or "", "a certificate model")


def certificate_lines(cert: m.Certificate, rules: Rules) -> list[CertificateLine]:
    out = []
    labels = [it.sequence_numeric.value.strip() if it.sequence_numeric and it.sequence_numeric.value.strip() else ""
              for it in cert.items]
    if "" in labels or len(set(labels)) < len(labels):  # a line must be named unambiguously
        labels = [str(i) for i in range(1, len(cert.items) + 1)]
    for i, (item, label) in enumerate(zip(cert.items, labels, strict=True), start=1):
        codes = [digits(h.class_code.value) for h in item.hs_classifications if h.class_code]
        codes = [c for c in codes if c]
        texts = [t.value for t in (*item.descriptions, *item.common_names, *item.botanical_names)]
        shown = [t.value.strip() for t in (*item.common_names, *item.botanical_names)] or \
                [t.value.strip() for t in item.descriptions]
        names = ", ".join(dict.fromkeys(" ".join(s.split()) for s in shown if s.strip()))
        amount, text, problem = _basis(item, rules)
        if amount is not None and amount.unit not in rules.mass_units:
            problem = f"unit {amount.unit} is not a mass unit of the rules table"
        out.append(CertificateLine(
            i, label,
            [c for c in codes if len(c) >= rules.hs_min_digits],
            [c for c in codes if len(c) < rules.hs_min_digits],
            tokens(texts, rules), names[:80], amount, kilograms(amount, rules.mass_units), text, problem,
            frozenset(c.id.value.strip() for c in item.origin_countries if c.id and c.id.value.strip()),
        ))
    return out


def _basis(item: m.TradeLineItem, rules: Rules) -> tuple[Amount | None, str, str | None]:
    for measure, which, default in ((item.net_weight, "net weight", rules.certificate_mass_unit_if_missing),
                                    (item.gross_weight, "gross weight", rules.certificate_mass_unit_if_missing),
                                    (item.net_volume, "net volume", None)):
        if measure is not None and measure.value.strip():
            unit = measure.unit_code or default
            amount, problem = parse_amount(measure.value.strip(), unit)
            return amount, f"{measure.value.strip()} {unit or ''} {which}".replace("  ", " "), problem
    return None, "", "no net or gross weight, nor net volume"


# ------------------------------------------------------------------------------ facts


def code(value: m.Value | None) -> str:
    """The stripped value of a model Code / Identifier / Text ('' when absent)."""
    return value.value.strip() if value is not None and value.value else ""


def country(c: m.Country | None) -> str:
    return code(c.id) if c is not None else ""


def note_texts(notes: list[m.Note]) -> list[str]:
    return [t.value.strip() for n in notes for t in n.contents if t.value.strip()] + \
        [c.value.strip() for n in notes for c in n.content_codes if c.value.strip()]


def status(cert: m.Certificate) -> str:
    return code(cert.status_code)


def type_code(cert: m.Certificate) -> str:
    return code(cert.type_code) or default_type()


def replaced_numbers(cert: m.Certificate) -> list[str]:
    """The numbers a replacement certificate replaces (ADRPN notes)."""
    return note_texts(cert.replacement.replaced_certificate_number)


def iso_date(value: str) -> date | None:
    """The day of an ISO 8601 date or date-time ('2026-02-01', '2026-02-01T10:00:00Z', '20260201')."""
    d = digits(value[:10])
    if len(d) >= 8:
        try:
            return date(int(d[:4]), int(d[4:6]), int(d[6:8]))
        except ValueError:
            return None
    return None


def issue_date(cert: m.Certificate) -> date | None:
    return iso_date(code(cert.issue_date_time))
