"""What differs between the two sides: namespaces, root element, how a value sits in XML.

Only data-type conventions live here (a UDT date is a ``DateTimeString`` child, a WCO date
carries ``@formatCode``); nothing field-specific. Field knowledge is in the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeAlias

from lxml import etree

from ..reading import shapes as m
from ..reading.namespaces import (  # noqa: F401  (the sides' namespaces, used from here)
    DIP_DS_NS,
    DIP_EXT_NS,
    DIP_NS,
    DIP_NSMAP,
    DS_SIG_NS,
    EPHYTO_NSMAP,
    RAM_NS,
    SPS_NS,
    UDT_NS,
)
from ..reading.xmltext import text_of

# a value as read: its text under "value", each XML attribute under its model field (and LENIENT)
ValueData: TypeAlias = dict[str, str]
# the model's data as plain dictionaries, shaped like Certificate (str, value dicts, lists, groups)
ModelData: TypeAlias = dict[str, Any]
# what the reader kept: (context element, row id) -> the elements whose values it kept, in order
Kept: TypeAlias = dict[tuple[etree._Element, str], list[etree._Element]]
_KNOWN: dict[type, frozenset[str]] = {}
_FIELDS: dict[type, dict[str, str]] = {}  # value type -> {XML attribute: model field}
LENIENT = "_lenient"  # key a side adds to a value it could only read leniently


@dataclass(frozen=True)
class Side:
    name: str
    root_tag: str
    nsmap: dict[str, str] | dict[str | None, str]  # (the DIP's has a default namespace)

    # ---- reading ----------------------------------------------------------------------
    def read_value(self, el: etree._Element, vtype: type[m.Value]) -> ValueData | None:
        """The value held by ``el`` as a dict for ``vtype``.

        An empty (or whitespace-only) element is kept as the empty value ``""``: real senders
        use empty required elements as placeholders, and keeping them is what keeps the
        round trip exact and the output as schema-valid as the input.
        """
        if vtype is m.DateTime:
            return self._read_datetime(el)
        text = text_of(el) or ""
        data: ValueData = {"value": text if text.strip() else ""}
        if el.attrib:  # most elements carry none: skip the look-ups
            fields = _FIELDS.get(vtype)
            if fields is None:
                fields = _FIELDS[vtype] = {xml: f for f, xml in vtype.XML_ATTRIBUTES.items()}
            for xml, v in el.attrib.items():
                f = fields.get(xml)
                if f is not None:
                    data[f] = v
        return data

    def known_attributes(self, vtype: type[m.Value]) -> frozenset[str]:
        known = _KNOWN.get(vtype)
        if known is None:
            known = _KNOWN[vtype] = frozenset(vtype.XML_ATTRIBUTES.values())
        return known

    def _read_datetime(self, el: etree._Element) -> ValueData:  # pragma: no cover - overridden
        raise NotImplementedError

    # ---- writing ----------------------------------------------------------------------
    def write_value(self, el: etree._Element, value: ValueData, vtype: type[m.Value]) -> None:
        """Write a value (``{"value": …, attribute fields…}``, as read) of type ``vtype`` into ``el``."""
        if vtype is m.DateTime:
            self._write_datetime(el, value)
            return
        el.text = value["value"]
        if len(value) > 1:  # attributes besides the value
            self.write_attributes(el, value, vtype)

    def write_attributes(self, el: etree._Element, value: ValueData, vtype: type[m.Value]) -> None:
        """The attributes given for ``value``, in declaration order (stable output)."""
        for fname, xml in vtype.XML_ATTRIBUTES.items():
            v = value.get(fname)
            if v is not None:
                el.set(xml, v)

    def _write_datetime(self, el: etree._Element, value: ValueData) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def new_root(self) -> etree._Element:
        return etree.Element(self.root_tag, nsmap=self.nsmap)


class EphytoSide(Side):
    """UN/CEFACT SPSCertificate 17: dates are ``udt:DateTimeString`` (or ``udt:DateTime``)."""

    DTS = f"{{{UDT_NS}}}DateTimeString"
    DT = f"{{{UDT_NS}}}DateTime"

    def _read_datetime(self, el: etree._Element) -> ValueData:
        for tag in (self.DTS, self.DT):
            for child in el.iterchildren(tag):
                text = text_of(child) or ""
                data = {"value": text if text.strip() else ""}
                if (fmt := child.get("format")) is not None:
                    data["format"] = fmt
                return data
        # lenient: a date written straight into the element (seen in real traffic); the
        # marker lets the reader report it
        text = text_of(el) or ""
        if text.strip():
            return {"value": text, LENIENT: "date written as plain text, not in udt:DateTimeString"}
        return {"value": ""}

    def _write_datetime(self, el: etree._Element, value: ValueData) -> None:
        child = etree.SubElement(el, self.DTS)
        child.text = value["value"]
        if value.get("format") is not None:
            child.set("format", value["format"])


# ISO 8601 lexical forms that have an exact EDIFACT 2379 equivalent (and back).
# re.ASCII: \d must mean 0-9 only. Unicode \d also matches e.g. Arabic-Indic or fullwidth digits
# ("٢٠٢٤-٠١-٣١"), which were written with formatCode 102 although EDIFACT digits are ASCII;
# such a value is now carried verbatim, like any other non-ISO form.
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_ISO_LOCAL = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$", re.ASCII)
_ISO_ZONED = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})$", re.ASCII)
_EDI_102 = re.compile(r"^(\d{4})(\d{2})(\d{2})$", re.ASCII)
_EDI_204 = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$", re.ASCII)
_EDI_304 = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{4})$", re.ASCII)


def iso_to_edifact(value: str) -> tuple[str, str | None]:
    """``(text, formatCode)``: 102/204/304 where the ISO form maps exactly; else verbatim."""
    if mt := _ISO_DATE.match(value):
        return "".join(mt.groups()), "102"
    if mt := _ISO_LOCAL.match(value):
        return "".join(mt.groups()), "204"
    if mt := _ISO_ZONED.match(value):
        *parts, zone = mt.groups()
        return "".join(parts) + zone.replace(":", ""), "304"
    return value, None


def edifact_to_iso(text: str, code: str | None) -> str:
    if code == "102" and (mt := _EDI_102.match(text)):
        return "-".join(mt.groups())
    if code == "204" and (mt := _EDI_204.match(text)):
        y, mo, d, h, mi, s = mt.groups()
        return f"{y}-{mo}-{d}T{h}:{mi}:{s}"
    if code == "304" and (mt := _EDI_304.match(text)):
        y, mo, d, h, mi, s, z = mt.groups()
        zone = z if z == "Z" else f"{z[:3]}:{z[3:]}"
        return f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone}"
    return text


class DipSide(Side):
    """The ePhyto DIP: WCO style ``DateTimeString@formatCode`` (EDIFACT 2379)."""

    DTS = f"{{{DIP_DS_NS}}}DateTimeString"

    def _read_datetime(self, el: etree._Element) -> ValueData:
        for child in el.iterchildren(self.DTS):
            text = text_of(child) or ""
            if not text.strip():
                return {"value": ""}
            data = {"value": edifact_to_iso(text, child.get("formatCode"))}
            if (fmt := child.get("format")) is not None:
                data["format"] = fmt
            return data
        return {"value": ""}

    def _write_datetime(self, el: etree._Element, value: ValueData) -> None:
        child = etree.SubElement(el, self.DTS)
        if value.get("format") is None:
            text, code = iso_to_edifact(value["value"])
        else:  # an explicit UDT format: carry verbatim, keep the format
            text, code = value["value"], None
            child.set("format", value["format"])
        child.text = text
        if code:
            child.set("formatCode", code)


EPHYTO = EphytoSide("ephyto", f"{{{SPS_NS}}}SPSCertificate", EPHYTO_NSMAP)
DIP = DipSide("dip", f"{{{DIP_NS}}}PhytosanitaryCertificate", DIP_NSMAP)
SIDES = {"ephyto": EPHYTO, "dip": DIP}
