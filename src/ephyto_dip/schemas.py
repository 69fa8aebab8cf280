"""The bundled XSD sets, compiled once per process and shared by every thread.

Compiling happens under a lock, by the first caller: libxml2 fails ("internal error") when
threads compile the same set at once, and one compiled SPS set is ~20 MB, so a copy per
thread cost a service with 32 threads hundreds of MB and seconds of first-call latency.
Validating takes the schema's own lock too: an lxml ``XMLSchema`` collects the errors of a
validation in a log on the object, which two threads validating at once would mix. A
validation of a certificate takes well under a millisecond, so the lock is rarely waited on.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from .resources import resource_path
from .schema_info import SchemaInfo, schema_info

EPHYTO_XSD = ("schemas", "ephyto", "cfe-xsd", "data", "standard", "SPSCertificate_17p0.xsd")
DIP_XSD = ("schemas", "dip", "ePhytoDIP_1p0.xsd")


def ephyto_xsd_path() -> Path:
    return resource_path(*EPHYTO_XSD)


def dip_xsd_path() -> Path:
    return resource_path(*DIP_XSD)


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
                parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
                hit = _compiled[path] = (etree.XMLSchema(etree.parse(path, parser)), threading.Lock())
    return hit


def ephyto_xsd() -> etree.XMLSchema:
    """The compiled SPS 17 set. Shared: from several threads, validate through :func:`schema_errors`."""
    return _shared(str(ephyto_xsd_path()))[0]


def dip_xsd() -> etree.XMLSchema:
    """The compiled DIP set. Shared: from several threads, validate through :func:`schema_errors`."""
    return _shared(str(dip_xsd_path()))[0]


def schema_errors(side: str, doc: etree._Element) -> list[etree._LogEntry]:
    """The schema errors of ``doc`` against the SPS 17 (``side`` 'ephyto') or DIP set; [] if valid."""
    schema, lock = _shared(str(ephyto_xsd_path() if side == "ephyto" else dip_xsd_path()))
    with lock:
        if schema.validate(doc):
            return []
        return list(schema.error_log)

