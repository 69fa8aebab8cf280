"""The bundled XSD sets, compiled once per process and shared by every thread.

Compiling happens under a lock, by the first caller: libxml2 fails ("internal error") when
threads compile the same set at once, and one compiled SPS set is ~20 MB, so a copy per
thread cost a service with 32 threads hundreds of MB and seconds of first-call latency.
Validating takes the schema's own lock too: an lxml ``XMLSchema`` collects the errors of a
validation in a log on the object, which two threads validating at once would mix. A
validation of a certificate takes well under a millisecond, so the lock is rarely waited on.

The SPS 17 side validates against a pruned copy of the bundled set (``schemas/ephyto/
sps17-pruned``, written by ``tools/prune_sps_xsd.py``): the same global declarations and every
type they use, without the ~180 types and 117 code-list modules no certificate can reach. It
compiles about 7 times faster and gives the same verdict and messages as the full set
(``tests/test_pruned_schema.py``) for every document that neither names a type (``xsi:type``)
nor holds an element of a dropped code-list namespace (which a ``ds:Signature`` wildcard could
match against the full set's declarations); such a document is validated against the full set.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from ..resources import resource_path
from .schema_info import SchemaInfo, schema_info
from .xmlsafe import schema_file_parser

EPHYTO_XSD = ("schemas", "ephyto", "cfe-xsd", "data", "standard", "SPSCertificate_17p0.xsd")
EPHYTO_PRUNED_DIR = ("schemas", "ephyto", "sps17-pruned")
EPHYTO_PRUNED_XSD = (*EPHYTO_PRUNED_DIR, "data", "standard", "SPSCertificate_17p0.xsd")
DIP_XSD = ("schemas", "dip", "ePhytoDIP_1p0.xsd")
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def ephyto_xsd_path() -> Path:
    return resource_path(*EPHYTO_XSD)


def dip_xsd_path() -> Path:
    return resource_path(*DIP_XSD)


def ephyto_pruned_xsd_path() -> Path:
    return resource_path(*EPHYTO_PRUNED_XSD)


def ephyto_schema_info() -> SchemaInfo:
    return schema_info(str(ephyto_xsd_path()))


def dip_schema_info() -> SchemaInfo:
    return schema_info(str(dip_xsd_path()))


_compiled: dict[str, tuple[etree.XMLSchema, threading.Lock]] = {}
_compile_lock = threading.Lock()


def _shared(path: str) -> tuple[etree.XMLSchema, threading.Lock]:
    hit = _compiled.get(path)
    if hit is None:
        with _compile_lock:
            hit = _compiled.get(path)
            if hit is None:
                parser = schema_file_parser()
                hit = _compiled[path] = (etree.XMLSchema(etree.parse(path, parser)), threading.Lock())
    return hit


def ephyto_xsd() -> etree.XMLSchema:
    """The compiled SPS 17 set, in full. Shared: from several threads, validate through :func:`schema_errors`."""
    return _shared(str(ephyto_xsd_path()))[0]


def dip_xsd() -> etree.XMLSchema:
    """The compiled DIP set. Shared: from several threads, validate through :func:`schema_errors`."""
    return _shared(str(dip_xsd_path()))[0]


def ephyto_pruned_xsd() -> etree.XMLSchema:
    """The compiled pruned SPS 17 set (what :func:`schema_errors` uses for nearly every certificate)."""
    return _shared(str(ephyto_pruned_xsd_path()))[0]


_guard: list[tuple[frozenset[str], etree.XPath]] = []  # [(the dropped namespaces, xsi:type finder)], built once
DS_NS = "http://www.w3.org/2000/09/xmldsig#"


def _needs_full_set(doc: etree._Element) -> bool:
    """Could the pruned set judge ``doc`` differently from the full one?

    Only by a type named in the document (``xsi:type``), or by a global declaration the pruned
    set dropped: those are reached through a wildcard, and every wildcard of the set is in an
    XML-signature type, which only an element of the signature namespace has (without
    ``xsi:type``); so the elements below signature elements are looked at, and the root.
    """
    if not _guard:
        with _compile_lock:
            if not _guard:
                text = resource_path(*EPHYTO_PRUNED_DIR, "dropped-namespaces.txt").read_text(encoding="utf-8")
                _guard.append((frozenset(text.split()),
                               etree.XPath("boolean(//@xsi:type)", namespaces={"xsi": XSI_NS})))
    dropped, xsi_type = _guard[0]
    if etree.QName(doc).namespace in dropped:
        return True
    for sig in doc.iter(f"{{{DS_NS}}}*"):
        parent = sig.getparent()
        if parent is not None and etree.QName(parent).namespace == DS_NS:
            continue  # (looked at from its top signature element)
        for el in sig.iter():
            if isinstance(el.tag, str) and etree.QName(el).namespace in dropped:
                return True
    return bool(xsi_type(doc))


def schema_errors(side: str, doc: etree._Element) -> list[etree._LogEntry]:
    """The schema errors of ``doc`` against the SPS 17 (``side`` 'ephyto') or DIP set; [] if valid."""
    if side == "ephyto":
        path = ephyto_xsd_path() if _needs_full_set(doc) else ephyto_pruned_xsd_path()
    else:
        path = dip_xsd_path()
    schema, lock = _shared(str(path))
    with lock:
        if schema.validate(doc):
            return []
        return list(schema.error_log)

