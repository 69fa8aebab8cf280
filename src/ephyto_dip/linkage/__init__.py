"""The customs side: a certificate linked to a WCO DM goods declaration as a single window does it.

    rules.py        the national practice (mappings/attach-*.tsv)
    declaration.py  the declaration: schema, hardened reading, goods items
    certificate.py  the certificate: lines and facts
    matching.py     which line covers which goods item
    checks.py       status, replacement, dates, parties, countries, place, transport
    reference.py    the AdditionalDocument element, placed and indented
    coverage.py     lines without goods, goods without certificate, quantity within one declaration
    ledger.py       the running balance across declarations; stores.py: SQLite, PostgreSQL
    reserving.py    from a matched declaration to ledger requests
    attaching.py    attach(): all of it, in order
"""

from .attaching import AttachResult, additional_documents, attach
from .certificate import CertificateLine
from .declaration import GoodsItem, declaration_xsd, validate_declaration
from .ledger import OUTCOMES, REASONS, Allocation, Answer, Balance, Ledger, LineBalance, Request, open_ledger
from .matching import Match
from .reference import AttachmentFragment
from .rules import Rules, load_rules, parse_rules

__all__ = [
    "OUTCOMES",
    "REASONS",
    "Allocation",
    "Answer",
    "AttachResult",
    "AttachmentFragment",
    "Balance",
    "CertificateLine",
    "GoodsItem",
    "Ledger",
    "LineBalance",
    "Match",
    "Request",
    "Rules",
    "additional_documents",
    "attach",
    "declaration_xsd",
    "load_rules",
    "open_ledger",
    "parse_rules",
    "validate_declaration",
]
