"""The shape of the DIP as JSON, derived from the DIP schema: which member is an aggregate, a
repeating array, a number, an indicator or a date, for the writer, the reader and the JSON Schema."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

from lxml import etree

from ..reading.schema_info import SchemaInfo
from .sides import DIP_DS_NS, DIP_EXT_NS, DIP_NS

ROOT_KEY = "MetaData"  # the WCO DM envelope; the certificate is its member "PhytosanitaryCertificate"
ROOT_TAG = f"{{{DIP_NS}}}{ROOT_KEY}"
XSD = "{http://www.w3.org/2001/XMLSchema}"
DATE_TYPE = f"{{{DIP_DS_NS}}}DateTimeType"
DATE_STRING = f"{{{DIP_DS_NS}}}DateTimeString"
INDICATOR_TYPE = f"{{{DIP_DS_NS}}}IndicatorType"
MAX_FINDINGS = 20  # a document wrong everywhere is reported by its first problems

# JSON's number grammar (RFC 8259): a decimal the DIP holds in this form is written as a JSON
# number with these exact digits; other decimal forms (+1, .5, 007) stay strings
JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII)
# xs:decimal's lexical space (whitespace is collapsed by the schema)
DECIMAL = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*", re.ASCII)
DECIMAL_PATTERN = r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\s*$"


class JsonNumber(str):
    """A JSON number kept as its text, so no digit is lost on the way in or out."""


# ------------------------------------------------------------------------- the shape


@dataclass(frozen=True)
class Member:
    """One element of the DIP as a JSON member."""

    key: str  # JSON key: the local name, ``ippc:`` for the extension namespace
    tag: str  # Clark name
    type_key: str | None
    repeats: bool
    required: bool
    kind: str  # "aggregate", "date", "decimal", "indicator", "string"
    attributes: tuple[str, ...] = ()


def json_key(tag: str) -> str:
    q = etree.QName(tag)
    return f"ippc:{q.localname}" if q.namespace == DIP_EXT_NS else q.localname


def leaf_kind(info: SchemaInfo, type_key: str | None) -> tuple[str, tuple[str, ...]]:
    """(kind, attributes) of a type; kind "aggregate" for element content."""
    if type_key == DATE_TYPE:
        (dts,) = info.children(type_key)
        sc = info.simple_content(dts.type_key)
        return "date", sc.attributes if sc else ()
    sc = info.simple_content(type_key)
    if sc is None:
        return ("aggregate", ()) if info.children(type_key) else ("string", ())
    if f"{XSD}decimal" in sc.bases:
        return "decimal", sc.attributes
    if INDICATOR_TYPE in sc.bases or f"{XSD}boolean" in sc.bases:
        return "indicator", sc.attributes
    return "string", sc.attributes


_MEMBERS: weakref.WeakKeyDictionary[SchemaInfo, dict[str | None, dict[str, Member]]] = weakref.WeakKeyDictionary()


def members(info: SchemaInfo, type_key: str | None) -> dict[str, Member]:
    """The JSON members an aggregate type allows, keyed and in schema order."""
    per_info = _MEMBERS.get(info)
    if per_info is None:
        per_info = _MEMBERS[info] = {}
    hit = per_info.get(type_key)
    if hit is None:
        hit = {}
        for d in info.children(type_key):
            kind, attrs = leaf_kind(info, d.type_key)
            key = json_key(d.tag)
            hit[key] = Member(key, d.tag, d.type_key, d.max_occurs is None or d.max_occurs > 1, d.min_occurs > 0,
                              kind, attrs)
        per_info[type_key] = hit
    return hit


def root_member(info: SchemaInfo) -> Member:
    return Member(ROOT_KEY, ROOT_TAG, info.element_type(ROOT_TAG), False, True, "aggregate")
