"""The goods declaration side: its schema, reading it hardened, and what the checks need of it.

A declaration is WCO DM 3.6 (``md:MetaData`` wrapping a ``Declaration``, or a bare
``Declaration``) in the namespace the rules table names. The element names are the WCO DM's:
class 68A goods item ``GovernmentAgencyGoodsItem``, 02A ``AdditionalDocument``, 23A commodity.
"""

from __future__ import annotations

import copy
import os
import threading
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TypeAlias
from xml.sax.saxutils import quoteattr

from lxml import etree

from ..findings import WARNING, Finding, TableError, UnsupportedDocumentError
from ..reading.schema_info import SchemaInfo, schema_info
from ..reading.xmllayout import Layout
from ..reading.xmlsafe import (
    DEFAULT_LIMITS,
    Limits,
    element_xpath,
    parse_bytes,
    read_file,
    schema_file_parser,
)
from .quantities import Amount, kilograms, parse_amount
from .rules import Rules, as_rules
from .values import digits, text, tokens

GOODS_ITEM = "GovernmentAgencyGoodsItem"
ADDITIONAL_DOCUMENT = "AdditionalDocument"

# ------------------------------------------------------------------------------ the declaration schema

_xsd_lock = threading.Lock()
XsdError: TypeAlias = tuple[str, "int | None", "str | None"]  # message, line, path
# a path, the bytes, or the parsed declaration (a full instance or a bare Declaration)
DeclarationSource: TypeAlias = ("str | os.PathLike[str] | bytes | bytearray | memoryview"
                                " | etree._Element | etree._ElementTree")


@lru_cache(maxsize=8)
def _compiled_xsd(decl_schema: str, decl_ns: str, env_schema: str | None, env_ns: str | None) -> etree.XMLSchema:
    # The envelope takes the Declaration through a strict xs:any: one wrapper importing both
    # schema documents validates a full instance and a bare Declaration alike.
    imports = [(env_ns, env_schema)] if env_schema else []
    imports.append((decl_ns, decl_schema))
    wrapper = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">' + "".join(
        f"<xs:import namespace={quoteattr(ns or '')} schemaLocation={quoteattr(Path(p).as_uri())}/>"
        for ns, p in imports
    ) + "</xs:schema>"
    parser = schema_file_parser()
    base = (Path(decl_schema).parent / "ephyto-dip-wrapper.xsd").as_uri()  # never one of the imported files
    try:
        return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=base))
    except etree.XMLSchemaParseError as exc:
        raise TableError(Finding("ATTACH-RULES", f"the declaration schema does not load: {exc}",
                                 file=decl_schema)) from None


def declaration_xsd(rules: Rules | str | os.PathLike[str] | None = None) -> etree.XMLSchema:
    """The compiled declaration schema (envelope + DEC) of a rules table."""
    r = as_rules(rules)
    with _xsd_lock:
        return _compiled_xsd(str(r.declaration_schema), r.declaration_ns,
                             str(r.envelope_schema) if r.envelope_schema else None, r.envelope_ns)


def declaration_schema_info(rules: Rules | str | os.PathLike[str] | None = None) -> SchemaInfo:
    return schema_info(str(as_rules(rules).declaration_schema))


def xsd_errors(top: etree._Element, rules: Rules) -> list[XsdError]:
    schema = declaration_xsd(rules)
    with _xsd_lock:  # the error log belongs to the schema object
        schema.validate(top.getroottree() if top.getparent() is None else etree.ElementTree(copy.deepcopy(top)))
        return [(e.message, e.line or None, e.path or None) for e in schema.error_log]


def validate_declaration(source: DeclarationSource, rules: Rules | str | os.PathLike[str] | None = None,
                         name: str | None = None) -> list[Finding]:
    """XSD-DEC findings for a declaration (path, bytes or element) against the rules' schema."""
    r = as_rules(rules)
    d = read_declaration(source, r, name)
    return [Finding("XSD-DEC", msg, file=d.name, line=line, xpath=path) for msg, line, path in xsd_errors(d.top, r)]


def xsd_findings(before: list[XsdError], after: list[XsdError], name: str) -> list[Finding]:
    """Schema errors of the output; those the input already had are warnings, new ones errors."""
    known: dict[str, int] = {}
    for msg, _, _ in before:
        known[msg] = known.get(msg, 0) + 1
    out = []
    for msg, line, path in after:
        if known.get(msg):
            known[msg] -= 1
            out.append(Finding("XSD-DEC", f"{msg} (already in the input declaration)", severity=WARNING,
                               file=name, line=line, xpath=path))
        else:
            out.append(Finding("XSD-DEC", msg, file=name, line=line, xpath=path))
    return out


# ------------------------------------------------------------------------------ reading


@dataclass
class GoodsItem:
    """A goods item of the declaration as the checks see it."""

    element: etree._Element
    sequence: int
    xpath: str
    line: int | None
    hs_codes: list[str]
    description: str
    tokens: frozenset[str]
    net: Amount | None  # NetNetWeightMeasure in its unit
    net_kg: Decimal | None
    net_text: str  # how the declaration states it, for messages
    net_problem: str | None
    tariff_quantity: Amount | None  # supplementary units, when stated with a unit
    origins: frozenset[str]  # Origin/CountryCode of the table's origin type codes
    export_country: str  # ExportCountry/ID (DE 5/14), else the shipment's

    @property
    def label(self) -> str:
        what = f"HS {', '.join(self.hs_codes)}" if self.hs_codes else "no commodity code"
        desc = f", {self.description!r}" if self.description else ""
        return f"goods item {self.sequence} ({what}{desc})"


@dataclass
class Declaration:
    top: etree._Element  # root of the document: md:MetaData or the Declaration itself
    declaration: etree._Element
    name: str
    layout: Layout | None = None  # of the file or bytes read; None for an element passed in
    items: list[GoodsItem] = field(default_factory=list)

    def value(self, *path: str) -> str:
        """The text at a path of WCO DM names below Declaration ('' when absent)."""
        ns = f"{{{etree.QName(self.declaration).namespace}}}"
        return text(self.declaration, "/".join(ns + p for p in path))

    @property
    def functional_reference(self) -> str:
        return self.value("FunctionalReferenceID")

    @property
    def responsible_country(self) -> str:
        if self.top is self.declaration:
            return ""
        ns = etree.QName(self.top).namespace
        return text(self.top, f"{{{ns}}}ResponsibleCountryCode")

    @property
    def date(self) -> date | None:
        """AcceptanceDateTime, else IssueDateTime (DE 2/1 lodging): the day the declaration speaks for."""
        for what in ("AcceptanceDateTime", "IssueDateTime"):
            ns = f"{{{etree.QName(self.declaration).namespace}}}"
            el = self.declaration.find(ns + what)
            if el is not None:
                stamp = next((t.strip() for t in el.itertext() if t.strip()), "")
                found = wco_date(stamp)
                if found:
                    return found
        return None


def wco_date(stamp: str) -> date | None:
    """The day of a WCO DM date-time string (formats 102 CCYYMMDD and 304 CCYYMMDDHHMMSS±ZZ)."""
    d = digits(stamp[:8])
    if len(d) == 8:
        try:
            return date(int(d[:4]), int(d[4:6]), int(d[6:8]))
        except ValueError:
            return None
    return None


def read_declaration(source: DeclarationSource, rules: Rules, name: str | None = None, limits: Limits = DEFAULT_LIMITS,
                     copy_tree: bool = False) -> Declaration:
    """A declaration from a path, bytes or an lxml element (copied when ``copy_tree``)."""
    layout = None
    if isinstance(source, etree._ElementTree):
        source = source.getroot()
    if isinstance(source, etree._Element):
        top = copy.deepcopy(source) if copy_tree else source
        name = name or "<declaration>"
    else:
        if isinstance(source, (bytes, bytearray, memoryview)):
            data, name = bytes(source), name or "<bytes>"
        else:
            data, name = read_file(os.fspath(source), limits), name or os.fspath(source)
        top = parse_bytes(data, name, limits).root
        layout = Layout.of(data, top.getroottree().docinfo.encoding)
    decl = declaration_of(top, rules, name)
    d = Declaration(top, decl, name, layout)
    d.items = goods_items(decl, rules)
    return d



def declaration_of(top: etree._Element, rules: Rules, name: str = "<declaration>") -> etree._Element:
    dec = f"{{{rules.declaration_ns}}}Declaration"
    if top.tag == dec:
        return top
    if rules.envelope_ns and top.tag == f"{{{rules.envelope_ns}}}MetaData":
        found = top.find(dec)
        if found is not None:
            return found
    q = etree.QName(top)
    what = f"{{{q.namespace}}}{q.localname}" if q.namespace else f"{q.localname} (no namespace)"
    want = f"{{{rules.declaration_ns}}}Declaration"
    if rules.envelope_ns:
        want = f"{{{rules.envelope_ns}}}MetaData wrapping {want}, or a bare {want}"
    raise UnsupportedDocumentError(
        Finding("ATTACH-NOT-DECLARATION",
                f"root element {what} is not a goods declaration of rules table {Path(rules.name).name}: "
                f"expected {want}",
                file=name, line=top.sourceline)
    )



def goods_items(decl: etree._Element, rules: Rules) -> list[GoodsItem]:
    ns = f"{{{rules.declaration_ns}}}"
    shipment_export = text(decl, f"{ns}GoodsShipment/{ns}ExportCountry/{ns}ID")
    items = []
    for pos, el in enumerate(decl.iter(ns + GOODS_ITEM), start=1):
        seq_text = text(el, ns + "SequenceNumeric")
        try:
            seq = int(Decimal(seq_text))
        except (InvalidOperation, ValueError, OverflowError):
            seq = pos
        codes = []
        for cl in el.iterfind(f"{ns}Commodity/{ns}Classification"):
            if text(cl, ns + "IdentificationTypeCode") in rules.classification_types:
                d = digits(text(cl, ns + "ID"))
                if d:
                    codes.append(d)
        desc = text(el, f"{ns}Commodity/{ns}Description")
        measure = el.find(f"{ns}Commodity/{ns}GoodsMeasure")
        net, net_text, problem = None, "", None
        net_el = measure.find(ns + "NetNetWeightMeasure") if measure is not None else None
        raw = text(measure, ns + "NetNetWeightMeasure") if measure is not None else ""
        if raw:
            unit = (net_el.get("unitCode") if net_el is not None else None) or rules.declaration_mass_unit
            net, problem = parse_amount(raw, unit)
            if net is not None and unit not in rules.mass_units:
                net, problem = None, f"unit {unit} is not a mass unit of the rules table"
            net_text = f"{raw} {unit}"
        else:
            problem = "no net mass (GoodsMeasure/NetNetWeightMeasure)"
        tariff = None
        tq = measure.find(ns + "TariffQuantity") if measure is not None else None
        if measure is not None and tq is not None and tq.get("unitCode"):
            tariff, _ = parse_amount(text(measure, ns + "TariffQuantity"), tq.get("unitCode"))
        origins = frozenset(
            text(o, ns + "CountryCode") for o in el.iterfind(ns + "Origin")
            if text(o, ns + "CountryCode") and (not rules.origin_type_codes
                                               or text(o, ns + "TypeCode") in rules.origin_type_codes))
        items.append(GoodsItem(el, seq, element_xpath(el), el.sourceline, codes, desc, tokens([desc], rules),
                               net, kilograms(net, rules.mass_units), net_text, problem, tariff, origins,
                               text(el, f"{ns}ExportCountry/{ns}ID") or shipment_export))
    return items
