"""ephyto-dip: IPPC ePhyto (ISPM 12) certificates to a WCO Data Model DIP and back.

The plain verbs::

    import ephyto_dip as ed

    doc = ed.read("cert.xml")            # ePhyto, Hub envelope or DIP -> Document
    cert = doc.certificate               # the typed ISPM 12 model (pydantic)
    dip = ed.to_dip(cert)                # lxml tree of the DIP, schema order
    xml = ed.serialize(dip)              # bytes
    result = ed.convert("cert.xml")      # read + write the other side + validate output
    findings = ed.validate("cert.xml")   # schema, reading and ISPM 12 rule findings

Every exception the library raises is an :class:`EphytoDipError` carrying ``findings``.
"""

from typing import TYPE_CHECKING, Any

from .convert import Conversion, convert, warm_up
from .dipjson import to_json
from .documents import Document, detect, read, serialize, to_dip, to_ephyto
from .findings import (
    CODES,
    ConversionError,
    EphytoDipError,
    Finding,
    Severity,
    InputError,
    OutputError,
    TableError,
    UnsupportedDocumentError,
    UsageError,
)
from .mapping.table import Table, load_table
from .model import Certificate
from .sources import Source
from .validation import validate
from .xmlsafe import Limits

__version__ = "0.1.0"

if TYPE_CHECKING:  # typed for checkers; imported on first use at run time (below)
    from .linkage import additional_documents, attach, open_ledger

_LAZY = {name: "ephyto_dip.linkage" for name in ("attach", "additional_documents", "open_ledger")}


def __getattr__(name: str) -> Any:
    # the customs-declaration side is imported only when used: convert does not pay for it
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ephyto_dip' has no attribute {name!r}")

__all__ = [
    "CODES",
    "Certificate",
    "additional_documents",
    "attach",
    "Conversion",
    "ConversionError",
    "Document",
    "EphytoDipError",
    "Finding",
    "Severity",
    "Source",
    "InputError",
    "Limits",
    "OutputError",
    "Table",
    "TableError",
    "UnsupportedDocumentError",
    "UsageError",
    "convert",
    "detect",
    "load_table",
    "open_ledger",
    "read",
    "serialize",
    "to_dip",
    "to_ephyto",
    "to_json",
    "validate",
    "warm_up",
]
