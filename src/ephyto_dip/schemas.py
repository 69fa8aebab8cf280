"""The bundled XSD sets, compiled once per process and shared (lxml schemas are thread-safe
for validation)."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .resources import resource_path
from .schema_info import SchemaInfo, schema_info

EPHYTO_XSD = ("schemas", "ephyto", "cfe-xsd", "data", "standard", "SPSCertificate_17p0.xsd")
DIP_XSD = ("schemas", "dip", "ePhytoDIP_1p0.xsd")

_lock = threading.Lock()


def ephyto_xsd_path() -> Path:
    return resource_path(*EPHYTO_XSD)


def dip_xsd_path() -> Path:
    return resource_path(*DIP_XSD)


def ephyto_schema_info() -> SchemaInfo:
    return schema_info(str(ephyto_xsd_path()))


def dip_schema_info() -> SchemaInfo:
    return schema_info(str(dip_xsd_path()))


@lru_cache(maxsize=None)
def _compile(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    with _lock:
        return etree.XMLSchema(etree.parse(path, parser))


def ephyto_xsd() -> etree.XMLSchema:
    return _compile(str(ephyto_xsd_path()))


def dip_xsd() -> etree.XMLSchema:
    return _compile(str(dip_xsd_path()))
