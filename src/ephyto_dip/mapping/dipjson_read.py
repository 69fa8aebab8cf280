"""DIP JSON back to the DIP tree it describes (checked against the DIP schema's shape, findings at
JSON pointers), so that the DIP reader runs on it unchanged."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import NoReturn, TypeAlias

from lxml import etree

from ..findings import Finding, InputError, UnsupportedDocumentError
from ..reading.schema_info import SchemaInfo
from ..reading.schemas import dip_schema_info
from ..reading.xmlsafe import DEFAULT_LIMITS, Limits
from .dipjson_shape import (
    DATE_STRING,
    DECIMAL,
    MAX_FINDINGS,
    ROOT_KEY,
    ROOT_TAG,
    JsonNumber,
    Member,
    members,
)
from .sides import DIP_NSMAP, iso_to_edifact

# ------------------------------------------------------------------------- reading


Pointers: TypeAlias = dict[etree._Element, str]  # element -> JSON pointer of the object it came from


@dataclass
class JsonDip:
    root: etree._Element  # the DIP tree the JSON describes
    pointers: Pointers  # element -> JSON pointer of the object it came from


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
        hint = (" (JSON of the ePhyto side is output only)" if isinstance(value, dict) and "SPSCertificate" in value
                else "")
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


def _loads(data: bytes, name: str) -> object:
    def malformed(msg: str, line: int | None = None) -> InputError:
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


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


def _no_constant(name: str) -> NoReturn:
    raise _Constant(name)


def _type(v: object) -> str:
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
        self.pointers: Pointers = {}

    def problem(self, pointer: str, message: str) -> None:
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(Finding("JSON-STRUCTURE", message, file=self.name, xpath=pointer))

    def aggregate(self, el: etree._Element, obj: object, type_key: str | None, pointer: str) -> None:
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

    def member(self, parent: etree._Element, m: Member, value: object, pointer: str) -> None:
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

    def value_text(self, m: Member, v: object, pointer: str) -> str | None:
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

    def date(self, el: etree._Element, text: str, attrs: dict[str, str]) -> None:
        dts = etree.SubElement(el, DATE_STRING)
        code = attrs.get("formatCode")
        edi, mapped = iso_to_edifact(text)
        # an ISO form the DIP writes as EDIFACT with this very code; anything else verbatim
        dts.text = edi if code is not None and mapped == code else text
        for k, v in attrs.items():
            dts.set(k, v)


def locate(doc_pointers: Pointers, root: etree._Element, xpath: str | None) -> str | None:
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
