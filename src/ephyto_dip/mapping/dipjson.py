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
import weakref
from dataclasses import dataclass
from typing import Optional

from lxml import etree

from ..findings import Finding, InputError, UnsupportedDocumentError
from .sides import DIP_DS_NS, DIP_EXT_NS, DIP_NS, DIP_NSMAP, edifact_to_iso, iso_to_edifact
from ..reading.schema_info import SchemaInfo
from ..reading.schemas import dip_schema_info, ephyto_schema_info
from ..reading.xmlsafe import DEFAULT_LIMITS, Limits

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
    type_key: Optional[str]
    repeats: bool
    required: bool
    kind: str  # "aggregate", "date", "decimal", "indicator", "string"
    attributes: tuple[str, ...] = ()


def json_key(tag: str) -> str:
    q = etree.QName(tag)
    return f"ippc:{q.localname}" if q.namespace == DIP_EXT_NS else q.localname


def leaf_kind(info: SchemaInfo, type_key: Optional[str]) -> tuple[str, tuple[str, ...]]:
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


_MEMBERS: "weakref.WeakKeyDictionary[SchemaInfo, dict]" = weakref.WeakKeyDictionary()


def members(info: SchemaInfo, type_key: Optional[str]) -> dict[str, Member]:
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


# ------------------------------------------------------------------------- writing


def to_json(root: etree._Element, side: str) -> str:
    """The tree as JSON text: typed DIP JSON for ``dip``; the ePhyto side as strings."""
    if side == "dip":
        info = dip_schema_info()
        return dumps({ROOT_KEY: _aggregate(root, info, info.element_type(ROOT_TAG))})
    info = ephyto_schema_info()
    return json.dumps({json_key(root.tag): _plain(root, info, info.element_type(root.tag))}, ensure_ascii=False,
                      indent=2)


def _aggregate(el: etree._Element, info: SchemaInfo, type_key) -> dict:
    allowed = {m.tag: m for m in members(info, type_key).values()}
    out: dict = {}
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


def _leaf(el: etree._Element, m: Member) -> dict:
    if m.kind == "date":
        return _date(el)
    text = el.text or ""
    value: object = text
    if m.kind == "decimal" and JSON_NUMBER.fullmatch(text):
        value = JsonNumber(text)
    elif m.kind == "indicator" and text in ("true", "false"):
        value = text == "true"
    out = {"value": value}
    out.update(el.attrib)
    return out


def _date(el: etree._Element) -> dict:
    dts = el.find(DATE_STRING)
    if dts is None:
        return {"value": ""}
    text, code = dts.text or "", dts.get("formatCode")
    iso = edifact_to_iso(text, code)
    # the ISO form only where it maps back to exactly this text and code
    out = {"value": iso if iso_to_edifact(iso) == (text, code) else text}
    out.update(dts.attrib)
    return out


def _plain(el, info: SchemaInfo, type_key):
    """Untyped rendering (the ePhyto side): every value a string, lists where the schema repeats."""
    if len(el) == 0:
        out = {"value": el.text or ""}
        out.update(el.attrib)
        return out
    out: dict = dict(el.attrib)
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


def dumps(obj) -> str:
    """JSON text as ``json.dumps(indent=2, ensure_ascii=False)`` writes it, but a
    :class:`JsonNumber` is written with its own digits."""
    text = json.dumps(_marked(obj), ensure_ascii=False, indent=2)
    return _MARKED.sub(r"\1", text)


def _marked(obj):
    if isinstance(obj, JsonNumber):
        return f"{_MARK}{obj}{_MARK}"
    if isinstance(obj, dict):
        return {k: _marked(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_marked(v) for v in obj]
    return obj


# ------------------------------------------------------------------------- reading


def looks_like_json(data: bytes) -> bool:
    """A document whose first character opens a JSON object or array (XML opens with '<')."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


@dataclass
class JsonDip:
    root: etree._Element  # the DIP tree the JSON describes
    pointers: dict  # element -> JSON pointer of the object it came from


def parse_json(data: bytes, name: str, limits: Limits = DEFAULT_LIMITS) -> JsonDip:
    """DIP JSON bytes to the DIP tree; :class:`InputError` for JSON that is not a DIP."""
    if len(data) > limits.max_bytes:
        raise InputError(
            Finding("XML-TOO-LARGE", f"input is {len(data)} bytes; the cap is {limits.max_bytes}", file=name)
        )
    value = _loads(data, name)
    if not isinstance(value, dict) or list(value) != [ROOT_KEY]:
        if isinstance(value, dict):
            what = f"has member(s) {', '.join(map(repr, value)) or 'none'}"
        else:
            what = f"is a JSON {_type(value)}"
        hint = " (JSON of the ePhyto side is output only)" if isinstance(value, dict) and "SPSCertificate" in value else ""
        raise UnsupportedDocumentError(
            Finding("DOC-UNKNOWN-ROOT", f"the top level {what}{hint}; a DIP JSON document is an object with "
                    f"one member, {ROOT_KEY!r}", file=name)
        )
    info = dip_schema_info()
    builder = _Builder(info, name)
    root = etree.Element(ROOT_TAG, nsmap=DIP_NSMAP)
    builder.aggregate(root, value[ROOT_KEY], info.element_type(ROOT_TAG), f"/{ROOT_KEY}")
    if builder.findings:
        raise InputError(builder.findings)
    return JsonDip(root, builder.pointers)


def _loads(data: bytes, name: str):
    def malformed(msg, line=None):
        return InputError(Finding("JSON-MALFORMED", msg, file=name, line=line))

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise malformed(f"not UTF-8 text (byte {exc.start}): JSON is exchanged as UTF-8") from None
    try:
        return json.loads(text, parse_float=JsonNumber, parse_int=JsonNumber, parse_constant=_no_constant,
                          object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise malformed(f"{exc.msg} (line {exc.lineno}, column {exc.colno})", exc.lineno) from None
    except _Duplicate as exc:
        raise malformed(f"member {exc.args[0]!r} appears twice in one object") from None
    except _Constant as exc:
        raise malformed(f"{exc.args[0]} is not a JSON number") from None
    except RecursionError:
        raise InputError(Finding("JSON-TOO-DEEP", "nesting too deep for a DIP JSON document", file=name)) from None


class _Duplicate(ValueError):
    pass


class _Constant(ValueError):
    pass


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


def _no_constant(name):
    raise _Constant(name)


def _type(v) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, JsonNumber):
        return "number"
    if isinstance(v, str):
        return "string"
    if v is None:
        return "null"
    return "array" if isinstance(v, list) else "object"


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _Builder:
    """Walks the JSON beside the schema, creating the DIP elements it describes."""

    def __init__(self, info: SchemaInfo, name: str):
        self.info, self.name = info, name
        self.findings: list[Finding] = []
        self.pointers: dict = {}

    def problem(self, pointer: str, message: str) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(Finding("JSON-STRUCTURE", message, file=self.name, xpath=pointer))

    def aggregate(self, el: etree._Element, obj, type_key, pointer: str) -> None:
        self.pointers[el] = pointer
        if not isinstance(obj, dict):
            self.problem(pointer, f"a JSON {_type(obj)} where an object is needed")
            return
        allowed = members(self.info, type_key)
        for key in obj:
            if key not in allowed:
                names = ", ".join(allowed) or "none"
                self.problem(f"{pointer}/{_escape(key)}", f"unknown member {key!r} (allowed here: {names})")
        for m in allowed.values():  # schema order, whatever the order of the members
            if m.key not in obj:
                continue
            value, at = obj[m.key], f"{pointer}/{_escape(m.key)}"
            if m.repeats:
                if not isinstance(value, list):
                    self.problem(at, f"a JSON {_type(value)} where an array is needed ({m.key} repeats)")
                    continue
                for i, item in enumerate(value):
                    self.member(el, m, item, f"{at}/{i}")
            elif isinstance(value, list):
                self.problem(at, f"an array where one {'object' if m.kind == 'aggregate' else 'value'} is needed "
                                 f"({m.key} does not repeat)")
            else:
                self.member(el, m, value, at)

    def member(self, parent: etree._Element, m: Member, value, pointer: str) -> None:
        child = etree.SubElement(parent, m.tag)
        if m.kind == "aggregate":
            self.aggregate(child, value, m.type_key, pointer)
            return
        self.pointers[child] = pointer
        if not isinstance(value, dict):
            self.problem(pointer, f"a JSON {_type(value)} where a value object {{\"value\": …}} is needed")
            return
        for key, v in value.items():
            if key == "value":
                continue
            if key not in m.attributes:
                self.problem(f"{pointer}/{_escape(key)}", f"unknown member {key!r} (allowed here: value, "
                                                         f"{', '.join(m.attributes) or 'no attributes'})")
            elif type(v) is not str:
                self.problem(f"{pointer}/{_escape(key)}", f"a JSON {_type(v)} where a string is needed")
        if "value" not in value:
            self.problem(pointer, "no 'value' member")
            return
        text = self.value_text(m, value["value"], f"{pointer}/value")
        if text is None:
            return
        attrs = {k: v for k, v in value.items() if k != "value" and k in m.attributes and type(v) is str}
        if m.kind == "date":
            self.date(child, text, attrs)
            return
        child.text = text
        for k in m.attributes:  # declaration order, as the writer does
            if k in attrs:
                child.set(k, attrs[k])

    def value_text(self, m: Member, v, pointer: str) -> Optional[str]:
        if m.kind == "decimal":
            if isinstance(v, JsonNumber) or (type(v) is str and DECIMAL.fullmatch(v)):
                return str(v)
            what = f"the string {v!r}" if type(v) is str else f"a JSON {_type(v)}"
            self.problem(pointer, f"{what} where a decimal number is needed")
            return None
        if m.kind == "indicator" and isinstance(v, bool):
            return "true" if v else "false"
        if type(v) is str:
            return v
        self.problem(pointer, f"a JSON {_type(v)} where a string is needed")
        return None

    def date(self, el: etree._Element, text: str, attrs: dict) -> None:
        dts = etree.SubElement(el, DATE_STRING)
        code = attrs.get("formatCode")
        edi, mapped = iso_to_edifact(text)
        # an ISO form the DIP writes as EDIFACT with this very code; anything else verbatim
        dts.text = edi if code is not None and mapped == code else text
        for k, v in attrs.items():
            dts.set(k, v)


def locate(doc_pointers: dict, root: etree._Element, xpath: Optional[str]) -> Optional[str]:
    """The JSON pointer of the element a plain XPath names (``element_xpath``'s, or libxml2's ``/*/*[19]``)."""
    if not xpath or not xpath.startswith("/"):
        return None
    steps = xpath.strip("/").split("/")
    if steps[0] not in ("*", etree.QName(root).localname):
        return None
    el = root
    for step in steps[1:]:
        mt = re.fullmatch(r"([^\[\]@]+)(?:\[(\d+)\])?", step)
        if mt is None:
            break
        # libxml2's own paths name elements of a default namespace '*'
        same = [c for c in el if isinstance(c.tag, str) and mt.group(1) in ("*", etree.QName(c).localname)]
        i = int(mt.group(2) or 1) - 1
        if i >= len(same):
            break
        el = same[i]
    return doc_pointers.get(el)
