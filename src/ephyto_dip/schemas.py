"""The bundled XSD sets, compiled once per thread.

An lxml ``XMLSchema`` keeps the error log of its last validation on the object, so one
instance must not validate in two threads at once; each thread gets its own (compiling the
SPS set takes ~0.15 s, once).
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


_per_thread = threading.local()


def _compile(path: str) -> etree.XMLSchema:
    cache = getattr(_per_thread, "schemas", None)
    if cache is None:
        cache = _per_thread.schemas = {}
    schema = cache.get(path)
    if schema is None:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        schema = cache[path] = etree.XMLSchema(etree.parse(path, parser))
    return schema


def ephyto_xsd() -> etree.XMLSchema:
    return _compile(str(ephyto_xsd_path()))


def dip_xsd() -> etree.XMLSchema:
    return _compile(str(dip_xsd_path()))
