"""ephyto-dip: IPPC ePhyto (ISPM 12) certificates to a WCO Data Model DIP and back.

The plain verbs::

    import ephyto_dip as ed

    doc = ed.read("cert.xml")            # ePhyto, Hub envelope or DIP -> Document
    cert = doc.certificate               # the typed ISPM 12 model (pydantic)
    dip = ed.to_dip(cert)                # lxml tree of the DIP, schema order
    xml = ed.serialize(dip)              # bytes
    result = ed.convert("cert.xml")      # read + write the other side + validate output
    for f in ed.iter_findings("cert.xml"): ...  # schema, reading and ISPM 12 rule findings
    ed.is_valid("cert.xml")              # no error among them
    ed.validate("cert.xml")              # raises ValidationError carrying them if there is one

Every exception the library raises is an :class:`EphytoDipError` carrying ``findings``.
"""

from typing import TYPE_CHECKING, Any

from .findings import (
    CODES,
    ConversionError,
    EphytoDipError,
    Finding,
    InputError,
    LedgerError,
    OutputError,
    Severity,
    TableError,
    UnsupportedDocumentError,
    UsageError,
    ValidationError,
)

__version__ = "0.1.0"

if TYPE_CHECKING:  # typed for checkers; imported on first use at run time (below)
    from .conversion import Conversion, convert, warm_up
    from .documents import Document, detect, read, serialize, to_dip, to_ephyto
    from .linkage import additional_documents, attach, open_ledger
    from .mapping.dipjson import to_json
    from .mapping.table import Table, load_table
    from .reading.model import Certificate
    from .reading.sources import Source
    from .reading.xmlsafe import Limits
    from .validation.verbs import is_valid, iter_findings, validate

# Every verb is imported on first use: the pydantic model, the customs side and the review load
# only when a verb first needs them. The import system's locks make a first use from many
# threads at once safe. What a conversion to the DIP needs is prepared at import (the end of
# this file).
_LAZY = {
    **dict.fromkeys(("Conversion", "convert", "warm_up"), "ephyto_dip.conversion"),
    "to_json": "ephyto_dip.mapping.dipjson",
    **dict.fromkeys(("Document", "detect", "read", "serialize", "to_dip", "to_ephyto"), "ephyto_dip.documents"),
    **dict.fromkeys(("attach", "additional_documents", "open_ledger"), "ephyto_dip.linkage"),
    **dict.fromkeys(("Table", "load_table"), "ephyto_dip.mapping.table"),
    "Certificate": "ephyto_dip.reading.model",
    "Source": "ephyto_dip.reading.sources",
    **dict.fromkeys(("validate", "is_valid", "iter_findings"), "ephyto_dip.validation.verbs"),
    "Limits": "ephyto_dip.reading.xmlsafe",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups are plain attribute reads
        return value
    raise AttributeError(f"module 'ephyto_dip' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "CODES",
    "Certificate",
    "Conversion",
    "ConversionError",
    "Document",
    "EphytoDipError",
    "Finding",
    "InputError",
    "LedgerError",
    "Limits",
    "OutputError",
    "Severity",
    "Source",
    "Table",
    "TableError",
    "UnsupportedDocumentError",
    "UsageError",
    "ValidationError",
    "additional_documents",
    "attach",
    "convert",
    "detect",
    "is_valid",
    "iter_findings",
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


def _prepare_at_import() -> None:
    """Prepare the conversion to the DIP (the table, both schemas, the read and write plans, the
    rules' tables: about 0.1 s, once per process) so that a service's first request costs what
    a later one does. ``EPHYTO_DIP_PRELOAD=0`` leaves it to the first call (docs/service.md).

    Nothing of it may fail the import: what could not be prepared is prepared again by the first
    call that needs it, which then raises the error with its findings.
    """
    import contextlib
    import os

    if os.environ.get("EPHYTO_DIP_PRELOAD", "1").strip() == "0":
        return
    from .conversion import warm_up

    with contextlib.suppress(EphytoDipError, OSError):
        warm_up(to="dip")


_prepare_at_import()
