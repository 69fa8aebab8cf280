"""The DIP as JSON, both ways: a DIP tree to typed JSON, and DIP JSON back to the DIP tree.

The JSON follows the DIP schema (``schemas/dip/``), read through :class:`SchemaInfo`:

* one object per aggregate, keyed by element name (``ippc:`` for the IPPC extension);
* an array wherever the schema lets an element repeat, even with one element, so the shape
  does not change from one certificate to the next;
* a value as ``{"value": …, <attribute>: "…"}``; the value is a JSON number for the decimal
  types (written with the exact digits of the XML), a boolean for an indicator
  (``true``/``false``), a string otherwise;
* a date as ``{"value": "2016-04-22T13:53:08-03:00", "formatCode": "304"}``: the ISO 8601
  form where the EDIFACT text maps exactly, the DIP's text verbatim where it does not
  (no ``formatCode``, or one the text does not follow).

Reading builds the DIP XML tree from the JSON, checking its structure against the same schema
information, so the DIP reader then runs unchanged: findings and losslessness are those of the
XML DIP. Findings on JSON name a JSON pointer (``/PhytosanitaryCertificate/GoodsShipment/…``).
The ePhyto side has a JSON rendering too (:func:`to_json` with side ``ephyto``); it is output
only: nothing reads it back.
"""

from __future__ import annotations

import json
import re
from typing import Any, TypeAlias

from lxml import etree

from ..reading.schema_info import SchemaInfo
from ..reading.schemas import dip_schema_info, ephyto_schema_info
from .dipjson_shape import (
    DATE_STRING,
    JSON_NUMBER,
    ROOT_KEY,
    ROOT_TAG,
    JsonNumber,
    Member,
    json_key,
    members,
)
from .sides import edifact_to_iso, iso_to_edifact

# the JSON as written: members by key, values as str, JsonNumber, bool, lists and objects
JsonData: TypeAlias = dict[str, Any]

# ------------------------------------------------------------------------- writing


def to_json(root: etree._Element, side: str) -> str:
    """The tree as JSON text: typed DIP JSON for ``dip``; the ePhyto side as strings."""
    if side == "dip":
        info = dip_schema_info()
        return dumps({ROOT_KEY: _aggregate(root, info, info.element_type(ROOT_TAG))})
    info = ephyto_schema_info()
    tag = str(root.tag)  # (an element's tag: a str)
    return json.dumps({json_key(tag): _plain(root, info, info.element_type(tag))}, ensure_ascii=False, indent=2)


def _aggregate(el: etree._Element, info: SchemaInfo, type_key: str | None) -> JsonData:
    allowed = {m.tag: m for m in members(info, type_key).values()}
    out: JsonData = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        m = allowed.get(child.tag)
        if m is None:  # not in the schema: the writer never makes one; keep it, as text
            out.setdefault(json_key(child.tag), []).append(_plain(child, info, None))
            continue
        value = _aggregate(child, info, m.type_key) if m.kind == "aggregate" else _leaf(child, m)
        if m.repeats:
            out.setdefault(m.key, []).append(value)
        else:
            out[m.key] = value
    return out


def _leaf(el: etree._Element, m: Member) -> JsonData:
    if m.kind == "date":
        return _date(el)
    text = el.text or ""
    value: object = text
    if m.kind == "decimal" and JSON_NUMBER.fullmatch(text):
        value = JsonNumber(text)
    elif m.kind == "indicator" and text in ("true", "false"):
        value = text == "true"
    out: JsonData = {"value": value}
    out.update(el.attrib)
    return out


def _date(el: etree._Element) -> JsonData:
    dts = el.find(DATE_STRING)
    if dts is None:
        return {"value": ""}
    text, code = dts.text or "", dts.get("formatCode")
    iso = edifact_to_iso(text, code)
    # the ISO form only where it maps back to exactly this text and code
    out = {"value": iso if iso_to_edifact(iso) == (text, code) else text}
    out.update(dts.attrib)
    return out


def _plain(el: etree._Element, info: SchemaInfo, type_key: str | None) -> JsonData:
    """Untyped rendering (the ePhyto side): every value a string, lists where the schema repeats."""
    out: JsonData
    if len(el) == 0:
        out = {"value": el.text or ""}
        out.update(el.attrib)
        return out
    out = dict(el.attrib)
    decls = {d.tag: d for d in info.children(type_key)}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        d = decls.get(child.tag)
        value = _plain(child, info, d.type_key if d else None)
        if d is None or d.max_occurs is None or d.max_occurs > 1:
            out.setdefault(json_key(child.tag), []).append(value)
        else:
            out[json_key(child.tag)] = value
    return out


# A JSON number travels through json.dumps as a string between NUL marks, then loses its
# quotes: json would otherwise go through float (10.00 -> 10.0). XML text never holds NUL,
# so no DIP value can look like a mark.
_MARK = "\x00"
_MARKED = re.compile(r'"\\u0000([^"\\]*)\\u0000"')


def dumps(obj: object) -> str:
    """JSON text as ``json.dumps(indent=2, ensure_ascii=False)`` writes it, but a
    :class:`JsonNumber` is written with its own digits."""
    text = json.dumps(_marked(obj), ensure_ascii=False, indent=2)
    return _MARKED.sub(r"\1", text)


def _marked(obj: object) -> object:
    if isinstance(obj, JsonNumber):
        return f"{_MARK}{obj}{_MARK}"
    if isinstance(obj, dict):
        return {k: _marked(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_marked(v) for v in obj]
    return obj
