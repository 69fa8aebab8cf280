"""Attach a phytosanitary certificate to a WCO DM goods declaration (the single-window step).

A declarant, or a single window acting for one, holds an ePhyto certificate and a goods
declaration in WCO DM 3.6 form (``md:MetaData`` wrapping a ``Declaration`` of
``urn:wco:datamodel:WCO:DEC-DMS:2``, as UK CDS takes it). :func:`attach` finds the goods items
the certificate covers, writes one ``AdditionalDocument`` reference on each (UK: DE 2/3 document
code N851), validates the result against the declaration schema and reports what does not fit:
certificate lines without a goods item, plant goods items without a certificate, declared net
mass above the certified quantity.

What is national practice is data, in a rules table (``mappings/attach-uk-cds.tsv``): document
category/type per certificate type, status codes, matching thresholds, plant-product HS
prefixes, mass units, finding severities, the schema to validate against. Another country's
practice is another table. The element names are the WCO DM's own and live here.

Matching order, per certificate line: by HS code (certificate ``hs_classifications`` against the
goods item's ``Commodity/Classification`` of the table's identification types; digits compared
from the left, at least ``hs_min_digits`` must agree); a line without a usable HS code is matched
by words (its description, common and botanical names against ``Commodity/Description``).
"""

from __future__ import annotations

import copy
import csv
import io
import os
import re
import string
import threading
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Optional, Union
from xml.sax.saxutils import quoteattr

from lxml import etree

from . import model as m
from .findings import (
    ERROR,
    INFO,
    WARNING,
    ConversionError,
    Finding,
    TableError,
    UnsupportedDocumentError,
)
from .mapping.tsv import read_table_text, split_metadata
from .resources import resource_path
from .schema_info import SchemaInfo, schema_info
from .xmllayout import Layout
from .xmlsafe import DEFAULT_LIMITS, Limits, element_xpath, parse_bytes, read_file
from .xmltext import text_of

DEFAULT_RULES = ("mappings", "attach-uk-cds.tsv")

# WCO DM element names (class 68A goods item, 02A additional document, 23A commodity …)
GOODS_ITEM = "GovernmentAgencyGoodsItem"
ADDITIONAL_DOCUMENT = "AdditionalDocument"
# child order of AdditionalDocument when the schema cannot tell (WCO DM 3.6 order)
_DOCUMENT_ORDER = ("CategoryCode", "EffectiveDateTime", "ID", "Name", "TypeCode", "LPCOExemptionCode",
                   "Submitter", "WriteOff")
SEVERITIES = (ERROR, WARNING, INFO)
_TEMPLATE_FIELDS = {"number", "type_code", "export_country", "issue_year"}

Source = Union[str, os.PathLike, bytes]

# ------------------------------------------------------------------------------ the rules table


@dataclass(frozen=True)
class Rules:
    """One national practice of referencing a certificate in a goods declaration."""

    name: str
    metadata: Mapping[str, str]
    declaration_schema: Path
    envelope_schema: Optional[Path]
    declaration_ns: str
    envelope_ns: Optional[str]
    documents: Mapping[str, tuple[str, str]]  # certificate TypeCode -> (CategoryCode, TypeCode)
    document_id: str  # template: {number} {type_code} {export_country} {issue_year}
    document_name: str  # template, empty = no Name
    phyto_document_codes: frozenset[str]  # category+type codes that count as a phytosanitary reference
    default_status: str
    statuses: Mapping[str, str]  # status code -> meaning
    refused_certificate_statuses: frozenset[str]
    classification_types: frozenset[str]
    hs_min_digits: int
    description_min_overlap: float
    description_min_shared: int
    token_min_length: int
    stopwords: frozenset[str]
    generic_words: frozenset[str]
    declaration_mass_unit: str
    certificate_mass_unit_if_missing: Optional[str]
    mass_units: Mapping[str, Decimal]  # unit code -> kilograms per unit
    quantity_tolerance: Decimal  # a fraction: 0.02 = declared may exceed certified by 2 %
    write_off: str  # "none" | "net_mass"
    severities: Mapping[str, str]
    plant_hs: Mapping[str, str]  # HS prefix -> meaning

    def severity(self, code: str, default: str = ERROR) -> str:
        return self.severities.get(code, default)


_REQUIRED_KEYS = (
    "declaration_schema", "declaration_namespace", "document.851", "document_id", "default_status",
    "classification_types", "hs_min_digits", "description_min_overlap", "description_min_shared",
    "token_min_length", "declaration_mass_unit",
)
_KINDS = ("status", "plant_hs", "mass_unit")


def load_rules(path: Union[str, os.PathLike, None] = None) -> Rules:
    """The rules table at ``path`` (default: the shipped UK CDS table), cached per file version."""
    p = Path(path) if path else resource_path(*DEFAULT_RULES)
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        raise TableError(Finding("IO-READ", f"cannot read rules table: {exc.strerror or exc}", file=str(p))) from None
    return _load_rules_cached(str(p), mtime)


@lru_cache(maxsize=8)
def _load_rules_cached(path: str, mtime: float) -> Rules:
    return parse_rules(read_table_text(path, "rules table"), path, Path(path).parent)


def parse_rules(text: str, name: str = "<rules>", base_dir: Union[str, os.PathLike, None] = None) -> Rules:
    """Parse a rules table; TableError(ATTACH-RULES) names every bad key or row."""
    meta, _, start = split_metadata(text)
    lines = text.splitlines()
    errors: list[Finding] = []

    def bad(message: str, line: Optional[int] = None) -> None:
        errors.append(Finding("ATTACH-RULES", message, file=name, line=line))

    for key in _REQUIRED_KEYS:
        if not meta.get(key):
            bad(f"metadata key #{key} is missing or empty")
    statuses: dict[str, str] = {}
    plant: dict[str, str] = {}
    units: dict[str, Decimal] = {}
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None or not {"kind", "code"} <= set(header):
        bad("the header row must name at least the columns kind and code (and value, meaning)")
        header = []
    for n, cells in enumerate(reader, start=start + 2):
        if not header or not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, (c.strip() for c in cells)))
        kind, code, value = row.get("kind", ""), row.get("code", ""), row.get("value", "")
        if kind not in _KINDS:
            bad(f"row kind {kind!r} is not one of {', '.join(_KINDS)}", n)
        elif not code:
            bad("row without a code", n)
        elif kind == "status":
            statuses[code] = row.get("meaning", "")
        elif kind == "plant_hs":
            if not code.isdigit():
                bad(f"plant_hs prefix {code!r} is not digits", n)
            plant[code] = row.get("meaning", "")
        else:
            try:
                units[code] = Decimal(value)
                if units[code] <= 0:
                    raise InvalidOperation
            except InvalidOperation:
                bad(f"mass_unit {code}: value {value!r} is not a positive number of kilograms", n)

    def number(key: str, kind=int, default=None):
        raw = meta.get(key)
        if not raw:
            return default
        try:
            v = kind(raw)
        except (ValueError, InvalidOperation):
            bad(f"#{key}: {raw!r} is not a number")
            return default
        if v < 0:
            bad(f"#{key}: {raw!r} must not be negative")
        return v

    documents: dict[str, tuple[str, str]] = {}
    for key, value in meta.items():
        if key.startswith("document."):
            parts = value.split()
            if len(parts) != 2:
                bad(f"#{key}: {value!r} must be 'CategoryCode TypeCode', e.g. 'N 851'")
                continue
            documents[key.split(".", 1)[1]] = (parts[0], parts[1])
    for key in ("document_id", "document_name"):
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(meta.get(key, "")) if f is not None}
        except ValueError as exc:
            bad(f"#{key}: {exc}")
            continue
        if fields - _TEMPLATE_FIELDS:
            bad(f"#{key}: unknown fields {sorted(fields - _TEMPLATE_FIELDS)}; use {sorted(_TEMPLATE_FIELDS)}")
    severities: dict[str, str] = {}
    for key, value in meta.items():
        if key.startswith("severity."):
            if value not in SEVERITIES:
                bad(f"#{key}: {value!r} is not one of {', '.join(SEVERITIES)}")
            severities[key.split(".", 1)[1]] = value
    if meta.get("default_status") and statuses and meta["default_status"] not in statuses:
        bad(f"#default_status {meta['default_status']!r} is not one of the status rows")
    write_off = meta.get("write_off") or "none"
    if write_off not in ("none", "net_mass"):
        bad(f"#write_off: {write_off!r} is not 'none' or 'net_mass'")
    decl_unit = meta.get("declaration_mass_unit", "")
    cert_unit = meta.get("certificate_mass_unit_if_missing") or None
    for key, unit in (("declaration_mass_unit", decl_unit), ("certificate_mass_unit_if_missing", cert_unit)):
        if unit and unit not in units:
            bad(f"#{key}: {unit!r} has no mass_unit row")
    decl_schema = _schema_path(meta.get("declaration_schema"), base_dir, "declaration_schema", bad)
    env_schema = _schema_path(meta.get("envelope_schema"), base_dir, "envelope_schema", bad)
    if env_schema is not None and not meta.get("envelope_namespace"):
        bad("#envelope_schema is set but #envelope_namespace is not")
    for path, key in ((decl_schema, "declaration_namespace"), (env_schema, "envelope_namespace")):
        if path is not None and meta.get(key):
            tns = _target_namespace(path)
            if tns != meta[key]:
                bad(f"#{key} {meta[key]!r} differs from the schema's targetNamespace {tns!r}")
    tolerance = number("quantity_tolerance_percent", Decimal, Decimal(0))
    hs_min_digits = number("hs_min_digits", int, 6)
    if hs_min_digits == 0:
        bad("#hs_min_digits must be at least 1")
    rules = Rules(
        name=name,
        metadata=dict(meta),
        declaration_schema=decl_schema or Path(),
        envelope_schema=env_schema,
        declaration_ns=meta.get("declaration_namespace", ""),
        envelope_ns=meta.get("envelope_namespace") or None,
        documents=documents,
        document_id=meta.get("document_id", ""),
        document_name=meta.get("document_name", ""),
        phyto_document_codes=frozenset(meta.get("phyto_document_codes", "").split())
        | {c + t for c, t in documents.values()},
        default_status=meta.get("default_status", ""),
        statuses=statuses,
        refused_certificate_statuses=frozenset(meta.get("refused_certificate_statuses", "").split()),
        classification_types=frozenset(meta.get("classification_types", "").split()),
        hs_min_digits=hs_min_digits,
        description_min_overlap=number("description_min_overlap", float, 0.3),
        description_min_shared=number("description_min_shared", int, 1),
        token_min_length=number("token_min_length", int, 3),
        stopwords=frozenset(_fold(w) for w in meta.get("stopwords", "").split()),
        generic_words=frozenset(_fold(w) for w in meta.get("generic_words", "").split()),
        declaration_mass_unit=decl_unit,
        certificate_mass_unit_if_missing=cert_unit,
        mass_units=units,
        quantity_tolerance=(tolerance or Decimal(0)) / 100,
        write_off=write_off,
        severities=severities,
        plant_hs=plant,
    )
    if errors:
        raise TableError(errors)
    return rules


def _schema_path(value: Optional[str], base_dir, key: str, bad) -> Optional[Path]:
    """Absolute, or relative to the shipped data (schemas/…), or relative to the table's folder."""
    if not value:
        return None
    p = Path(value)
    candidates = [p] if p.is_absolute() else [resource_path(*p.parts)] + ([Path(base_dir) / p] if base_dir else [])
    for c in candidates:
        if c.is_file():
            return c.resolve()
    bad(f"#{key}: schema file {value!r} not found")
    return None


def _target_namespace(path: Path) -> Optional[str]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.parse(str(path), parser).getroot().get("targetNamespace")
    except (OSError, etree.XMLSyntaxError):
        return None


def _rules(rules: Union[Rules, str, os.PathLike, None]) -> Rules:
    return rules if isinstance(rules, Rules) else load_rules(rules)


# ------------------------------------------------------------------------------ the declaration schema

_xsd_lock = threading.Lock()


@lru_cache(maxsize=8)
def _compiled_xsd(decl_schema: str, decl_ns: str, env_schema: Optional[str], env_ns: Optional[str]) -> etree.XMLSchema:
    # The envelope takes the Declaration through a strict xs:any: one wrapper importing both
    # schema documents validates a full instance and a bare Declaration alike.
    imports = [(env_ns, env_schema)] if env_schema else []
    imports.append((decl_ns, decl_schema))
    wrapper = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">' + "".join(
        f"<xs:import namespace={quoteattr(ns)} schemaLocation={quoteattr(Path(p).as_uri())}/>" for ns, p in imports
    ) + "</xs:schema>"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    base = (Path(decl_schema).parent / "ephyto-dip-wrapper.xsd").as_uri()  # never one of the imported files
    try:
        return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=base))
    except etree.XMLSchemaParseError as exc:
        raise TableError(Finding("ATTACH-RULES", f"the declaration schema does not load: {exc}",
                                 file=decl_schema)) from None


def declaration_xsd(rules: Union[Rules, str, os.PathLike, None] = None) -> etree.XMLSchema:
    """The compiled declaration schema (envelope + DEC) of a rules table."""
    r = _rules(rules)
    with _xsd_lock:
        return _compiled_xsd(str(r.declaration_schema), r.declaration_ns,
                             str(r.envelope_schema) if r.envelope_schema else None, r.envelope_ns)


def declaration_schema_info(rules: Union[Rules, str, os.PathLike, None] = None) -> SchemaInfo:
    return schema_info(str(_rules(rules).declaration_schema))


def _xsd_errors(top: etree._Element, rules: Rules) -> list[tuple[str, Optional[int], Optional[str]]]:
    schema = declaration_xsd(rules)
    with _xsd_lock:  # the error log belongs to the schema object
        schema.validate(top.getroottree() if top.getparent() is None else etree.ElementTree(copy.deepcopy(top)))
        return [(e.message, e.line or None, e.path or None) for e in schema.error_log]


def validate_declaration(source, rules: Union[Rules, str, os.PathLike, None] = None,
                         name: Optional[str] = None) -> list[Finding]:
    """XSD-DEC findings for a declaration (path, bytes or element) against the rules' schema."""
    r = _rules(rules)
    d = _read_declaration(source, r, name)
    return [Finding("XSD-DEC", msg, file=d.name, line=line, xpath=path) for msg, line, path in _xsd_errors(d.top, r)]


# ------------------------------------------------------------------------------ reading both inputs


@dataclass
class _Declaration:
    top: etree._Element  # root of the document: md:MetaData or the Declaration itself
    declaration: etree._Element
    name: str
    layout: Optional[Layout] = None  # of the file or bytes read; None for an element passed in


def _read_declaration(source, rules: Rules, name: Optional[str], limits: Limits = DEFAULT_LIMITS,
                      copy_tree: bool = False) -> _Declaration:
    if isinstance(source, etree._ElementTree):
        source = source.getroot()
    if isinstance(source, etree._Element):
        top = copy.deepcopy(source) if copy_tree else source
        name = name or "<declaration>"
    else:
        if isinstance(source, (bytes, bytearray)):
            data, name = bytes(source), name or "<bytes>"
        else:
            data, name = read_file(os.fspath(source), limits), name or os.fspath(source)
        top = parse_bytes(data, name, limits).root
        return _Declaration(top, _declaration_of(top, rules, name), name,
                            Layout.of(data, top.getroottree().docinfo.encoding))
    return _Declaration(top, _declaration_of(top, rules, name), name)


def _declaration_of(top: etree._Element, rules: Rules, name: str = "<declaration>") -> etree._Element:
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
                f"root element {what} is not a goods declaration of rules table {Path(rules.name).name}: expected {want}",
                file=name, line=top.sourceline)
    )


def _read_certificate(source) -> tuple[m.Certificate, str, list[Finding]]:
    from .documents import Document, read

    # what reading found, without its info notes (placeholders read as absent …): they concern
    # conversion, not whether the certificate covers the goods
    if isinstance(source, m.Certificate):
        return source, "<certificate>", []
    doc = source if isinstance(source, Document) else read(source)
    return doc.certificate, doc.name, [f for f in doc.findings if f.severity != INFO]


# ------------------------------------------------------------------------------ goods items and lines


@dataclass
class GoodsItem:
    """A goods item of the declaration as matching sees it."""

    element: etree._Element
    sequence: int
    xpath: str
    line: Optional[int]
    hs_codes: list[str]
    description: str
    tokens: frozenset
    net_kg: Optional[Decimal]
    net_text: str  # how the declaration states it, for messages
    net_problem: Optional[str]

    @property
    def label(self) -> str:
        what = f"HS {', '.join(self.hs_codes)}" if self.hs_codes else "no commodity code"
        desc = f", {self.description!r}" if self.description else ""
        return f"goods item {self.sequence} ({what}{desc})"


@dataclass
class CertificateLine:
    """A certificate line (trade line item) as matching sees it."""

    index: int
    label: str  # its SequenceNumeric, else its position
    hs_codes: list[str]  # usable: at least hs_min_digits digits
    short_hs_codes: list[str]  # too short to match on (a heading): they only constrain word matching
    tokens: frozenset
    names: str
    certified_kg: Optional[Decimal]
    certified_text: str
    quantity_problem: Optional[str]

    @property
    def title(self) -> str:
        codes = self.hs_codes or self.short_hs_codes
        what = f"HS {', '.join(codes)}" if codes else "no HS code"
        return f"certificate line {self.label} ({what}{', ' + self.names if self.names else ''})"


def _text(el: etree._Element, path: str) -> str:
    found = el.find(path)
    return (text_of(found) or "").strip() if found is not None else ""


def _digits(code: str) -> str:
    return re.sub(r"\D", "", code or "")


def _goods_items(decl: etree._Element, rules: Rules) -> list[GoodsItem]:
    ns = f"{{{rules.declaration_ns}}}"
    items = []
    for pos, el in enumerate(decl.iter(ns + GOODS_ITEM), start=1):
        seq_text = _text(el, ns + "SequenceNumeric")
        try:
            seq = int(Decimal(seq_text))
        except (InvalidOperation, ValueError, OverflowError):
            seq = pos
        codes = []
        for cl in el.iterfind(f"{ns}Commodity/{ns}Classification"):
            if _text(cl, ns + "IdentificationTypeCode") in rules.classification_types:
                d = _digits(_text(cl, ns + "ID"))
                if d:
                    codes.append(d)
        desc = _text(el, f"{ns}Commodity/{ns}Description")
        net_el = el.find(f"{ns}Commodity/{ns}GoodsMeasure/{ns}NetNetWeightMeasure")
        net_kg, net_text, problem = None, "", None
        net = (text_of(net_el) or "").strip() if net_el is not None else ""
        if net:
            unit = net_el.get("unitCode") or rules.declaration_mass_unit
            net_kg, problem = _kilograms(net, unit, rules)
            net_text = f"{net} {unit}"
        else:
            problem = "no net mass (GoodsMeasure/NetNetWeightMeasure)"
        items.append(GoodsItem(el, seq, element_xpath(el), el.sourceline, codes, desc,
                               _tokens([desc], rules), net_kg, net_text, problem))
    return items


def _kilograms(value: str, unit: Optional[str], rules: Rules) -> tuple[Optional[Decimal], Optional[str]]:
    if not unit:
        return None, f"{value} has no unit and the rules table assumes none"
    if unit not in rules.mass_units:
        return None, f"unit {unit} is not a mass unit of the rules table"
    try:
        amount = Decimal(value)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        return None, f"{value!r} is not a number"
    return amount * rules.mass_units[unit], None


def _certificate_lines(cert: m.Certificate, rules: Rules) -> list[CertificateLine]:
    out = []
    labels = [it.sequence_numeric.value.strip() if it.sequence_numeric and it.sequence_numeric.value.strip() else ""
              for it in cert.items]
    if "" in labels or len(set(labels)) < len(labels):  # a line must be named unambiguously
        labels = [str(i) for i in range(1, len(cert.items) + 1)]
    for i, (item, label) in enumerate(zip(cert.items, labels), start=1):
        codes = [_digits(h.class_code.value) for h in item.hs_classifications if h.class_code]
        codes = [c for c in codes if c]
        texts = [t.value for t in (*item.descriptions, *item.common_names, *item.botanical_names)]
        shown = [t.value.strip() for t in (*item.common_names, *item.botanical_names)] or \
                [t.value.strip() for t in item.descriptions]
        names = ", ".join(dict.fromkeys(" ".join(s.split()) for s in shown if s.strip()))
        measure, which = (item.net_weight, "net weight") if item.net_weight else (item.gross_weight, "gross weight")
        kg, text, problem = None, "", None
        if measure is None or not measure.value.strip():
            problem = "no net or gross weight"
        else:
            unit = measure.unit_code or rules.certificate_mass_unit_if_missing
            kg, problem = _kilograms(measure.value.strip(), unit, rules)
            text = f"{measure.value.strip()} {unit or ''} {which}".replace("  ", " ")
        out.append(CertificateLine(
            i, label,
            [c for c in codes if len(c) >= rules.hs_min_digits],
            [c for c in codes if len(c) < rules.hs_min_digits],
            _tokens(texts, rules), names[:80], kg, text, problem,
        ))
    return out


# ------------------------------------------------------------------------------ matching


@dataclass(frozen=True)
class Match:
    """One certificate line found to cover one goods item."""

    goods_item: int
    goods_item_xpath: str
    line: str
    method: str  # "hs" or "description"
    score: float  # hs: digits that agree; description: share of words in common
    detail: str
    action: str = ""  # after attach: "added", "updated" or "present" (the item's reference)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v != ""}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tokens(texts: Iterable[str], rules: Rules) -> frozenset:
    out = set()
    for t in texts:
        for w in re.findall(r"[^\W_]+", _fold(t or "")):
            if len(w) >= rules.token_min_length and not w.isdigit() and w not in rules.stopwords:
                out.add(w)
    return frozenset(out)


def _variants(word: str) -> set[str]:
    """The word and its English singulars: plural and singular names must meet."""
    v = {word}
    if len(word) > 3:
        if word.endswith("ies"):
            v.add(word[:-3] + "y")
        if word.endswith("es"):
            v.add(word[:-2])
        if word.endswith("s"):
            v.add(word[:-1])
    return v


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _match_hs(line: CertificateLine, item: GoodsItem, rules: Rules) -> Optional[Match]:
    best, pair = 0, None
    for c in line.hs_codes:
        for d in item.hs_codes:
            n = _common_prefix(c, d)
            if n > best:
                best, pair = n, (c, d)
    if best < rules.hs_min_digits or pair is None:
        return None
    return Match(item.sequence, item.xpath, line.label, "hs", float(best),
                 f"HS {pair[0]} ~ {pair[1]}: {best} digits agree")


def _match_words(line: CertificateLine, item: GoodsItem, rules: Rules) -> Optional[Match]:
    if not line.tokens or not item.tokens:
        return None
    if line.short_hs_codes and item.hs_codes and not any(
        d.startswith(s) for s in line.short_hs_codes for d in item.hs_codes
    ):
        return None  # the certificate's heading rules this goods item out
    line_forms = set().union(*(_variants(w) for w in line.tokens))
    shared = sorted(w for w in item.tokens if _variants(w) & line_forms)
    if len(shared) < max(1, rules.description_min_shared):
        return None
    if all(w in rules.generic_words for w in shared):
        return None
    share = len(shared) / min(len(item.tokens), len(line.tokens))
    if share < rules.description_min_overlap:
        return None
    return Match(item.sequence, item.xpath, line.label, "description", round(share, 3),
                 f"words in common: {', '.join(shared)}")


@dataclass
class _Plan:
    lines: list[CertificateLine]
    items: list[GoodsItem]
    matches: list[Match]

    def lines_of(self, item: GoodsItem) -> list[str]:
        return [mt.line for mt in self.matches if mt.goods_item == item.sequence and mt.goods_item_xpath == item.xpath]

    def matched_items(self) -> list[GoodsItem]:
        return [it for it in self.items if self.lines_of(it)]


def _plan(cert: m.Certificate, decl: etree._Element, rules: Rules) -> _Plan:
    lines, items = _certificate_lines(cert, rules), _goods_items(decl, rules)
    matches = []
    for line in lines:
        for item in items:
            found = _match_hs(line, item, rules) if line.hs_codes else _match_words(line, item, rules)
            if found:
                matches.append(found)
    return _Plan(lines, items, matches)


# ------------------------------------------------------------------------------ the reference element


@dataclass
class AttachmentFragment:
    """An ``AdditionalDocument`` element (DEC namespace) and the goods item it belongs to."""

    element: etree._Element
    goods_item: Optional[int]  # SequenceNumeric; None without a declaration
    goods_item_xpath: Optional[str]
    lines: tuple[str, ...]  # the certificate lines it stands for


def _template_values(cert: m.Certificate) -> dict[str, str]:
    return {
        "number": cert.number.strip() if cert.number else "",
        "type_code": cert.type_code.value.strip() if cert.type_code else "",
        "export_country": cert.export_country.id.value.strip() if cert.export_country and cert.export_country.id else "",
        "issue_year": cert.issue_date_time.value.strip()[:4] if cert.issue_date_time else "",
    }


def _document_code(cert: m.Certificate, rules: Rules) -> Optional[tuple[str, str]]:
    type_code = cert.type_code.value.strip() if cert.type_code else "851"
    return rules.documents.get(type_code)


def _certificate_problems(cert: m.Certificate, rules: Rules, name: str) -> list[Finding]:
    out = []
    if not cert.number or not cert.number.strip():
        out.append(Finding("ATTACH-CERTIFICATE", "the certificate has no number to reference", file=name))
    type_code = cert.type_code.value.strip() if cert.type_code else "851"
    if type_code not in rules.documents:
        out.append(Finding("ATTACH-CERTIFICATE",
                           f"certificate type {type_code} has no document code in the rules table "
                           f"(#document.{type_code})", file=name, value=type_code))
    status = cert.status_code.value.strip() if cert.status_code else ""
    if status in rules.refused_certificate_statuses:
        out.append(Finding("ATTACH-CERTIFICATE",
                           f"certificate status {status} (withdrawn or rejected) cannot cover goods", file=name,
                           value=status))
    if not cert.items:
        out.append(Finding("ATTACH-CERTIFICATE", "the certificate lists no commodity lines", file=name))
    return out


def _reference_values(cert: m.Certificate, rules: Rules, status: Optional[str]) -> dict[str, str]:
    category, type_ = _document_code(cert, rules) or ("", "")
    values = _template_values(cert)
    out = {"CategoryCode": category, "ID": rules.document_id.format(**values), "TypeCode": type_}
    name = rules.document_name.format(**values).strip() if rules.document_name else ""
    if name:
        out["Name"] = name
    out["LPCOExemptionCode"] = status or rules.default_status
    return out


def _item_type(rules: Rules, decl: Optional[etree._Element] = None,
               item_el: Optional[etree._Element] = None) -> Optional[str]:
    """Type key of a goods item, walking the schema down from Declaration (None if it strays)."""
    si = declaration_schema_info(rules)
    ns = f"{{{rules.declaration_ns}}}"
    type_key = si.element_type(ns + "Declaration")
    if decl is None or item_el is None:  # the WCO DM place of a goods item
        tags = [ns + "GoodsShipment", ns + GOODS_ITEM]
    else:
        if decl not in item_el.iterancestors():
            return None
        tags, el = [], item_el
        while el is not decl:
            tags.append(el.tag)
            el = el.getparent()
        tags.reverse()
    for tag in tags:
        d = si.child(type_key, tag)
        if d is None:
            return None
        type_key = d.type_key
    return type_key


def _document_type(rules: Rules, decl: Optional[etree._Element] = None,
                   item_el: Optional[etree._Element] = None) -> Optional[str]:
    item_type = _item_type(rules, decl, item_el)
    d = declaration_schema_info(rules).child(item_type, f"{{{rules.declaration_ns}}}{ADDITIONAL_DOCUMENT}") \
        if item_type else None
    return d.type_key if d else None


def _child_order(rules: Rules, type_key: Optional[str]) -> list[str]:
    if type_key:
        order = [etree.QName(c.tag).localname for c in declaration_schema_info(rules).children(type_key)]
        if order:
            return order
    return list(_DOCUMENT_ORDER)


def _build_reference(values: Mapping[str, str], rules: Rules, type_key: Optional[str],
                     write_off_kg: Optional[Decimal] = None) -> etree._Element:
    ns = rules.declaration_ns
    el = etree.Element(f"{{{ns}}}{ADDITIONAL_DOCUMENT}", nsmap={None: ns})
    for local in _child_order(rules, type_key):
        if values.get(local):
            etree.SubElement(el, f"{{{ns}}}{local}").text = values[local]
        elif local == "WriteOff" and write_off_kg is not None:
            wo = etree.SubElement(el, f"{{{ns}}}WriteOff")
            q = etree.SubElement(wo, f"{{{ns}}}QuantityQuantity", unitCode="KGM")
            q.text = _fmt(write_off_kg)
    return el


def additional_documents(cert, declaration_root: Optional[etree._Element] = None,
                         rules: Union[Rules, str, os.PathLike, None] = None, *,
                         status: Optional[str] = None) -> list[AttachmentFragment]:
    """The ``AdditionalDocument`` elements that reference ``cert``, for systems that build declarations.

    Without a declaration: one fragment (``goods_item`` None) standing for every certificate
    line. With one (``md:MetaData`` or ``Declaration`` element, read only): one fragment per goods
    item the certificate covers, in goods item order. ``status`` overrides the table's default
    status code. Raises ConversionError(ATTACH-CERTIFICATE) for a certificate that cannot be
    referenced (no number, withdrawn, a type without document code).
    """
    r = _rules(rules)
    cert, name, _ = _read_certificate(cert)
    problems = _certificate_problems(cert, r, name)
    if problems:
        raise ConversionError(problems)
    values = _reference_values(cert, r, status)
    if declaration_root is None:
        el = _build_reference(values, r, _document_type(r, None, None))
        return [AttachmentFragment(el, None, None, tuple(ln.label for ln in _certificate_lines(cert, r)))]
    if isinstance(declaration_root, etree._ElementTree):
        declaration_root = declaration_root.getroot()
    decl = _declaration_of(declaration_root, r)
    plan = _plan(cert, decl, r)
    out = []
    for item in plan.matched_items():
        kg = item.net_kg if r.write_off == "net_mass" else None
        el = _build_reference(values, r, _document_type(r, decl, item.element), kg)
        out.append(AttachmentFragment(el, item.sequence, item.xpath, tuple(plan.lines_of(item))))
    return out


# ------------------------------------------------------------------------------ attaching


@dataclass
class AttachResult:
    """The declaration with the references in place, what was matched, and what was found."""

    root: etree._Element  # the whole document (md:MetaData or Declaration)
    findings: list[Finding]
    matches: list[Match]
    name: str = "<declaration>"
    certificate_name: str = "<certificate>"
    certificate_number: Optional[str] = None
    layout: Optional[Layout] = None  # line endings, encoding and XML declaration of the input

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def schema_valid(self) -> bool:
        return not any(f.code == "XSD-DEC" and f.severity == ERROR for f in self.findings)

    def to_bytes(self) -> bytes:
        """The declaration as XML; the input's own layout and comments are kept (line endings,
        encoding and XML declaration too when it was read from a file or bytes)."""
        tree = self.root.getroottree()
        if self.layout is not None and self.root.getparent() is None:
            return self.layout.serialize(tree)
        standalone = tree.docinfo.standalone if self.root.getparent() is None else None
        kwargs = {"standalone": standalone} if standalone is not None else {}
        return etree.tostring(tree if self.root.getparent() is None else self.root,
                              xml_declaration=True, encoding="UTF-8", **kwargs)

    def to_report(self) -> dict:
        return {
            "certificate": self.certificate_name,
            "certificate_number": self.certificate_number,
            "declaration": self.name,
            "schema_valid": self.schema_valid,
            "matches": [mt.to_dict() for mt in self.matches],
            "findings": [f.to_dict() for f in self.findings],
        }


def attach(cert_source, declaration_source, rules: Union[Rules, str, os.PathLike, None] = None, *,
           status: Optional[str] = None, name: Optional[str] = None,
           limits: Limits = DEFAULT_LIMITS) -> AttachResult:
    """Reference a certificate on every goods item of a declaration it covers.

    ``cert_source``: a Certificate, a Document, or an ePhyto / Hub envelope / DIP file or bytes.
    ``declaration_source``: a file, bytes or an lxml element (copied, never changed in place).
    Attaching is idempotent: a goods item that already references the certificate number with
    the same document code keeps one reference (a missing status is filled in, ``status``
    replaces the existing one). Raises InputError / UnsupportedDocumentError
    (ATTACH-NOT-DECLARATION) for inputs that cannot be read, TableError for a broken table.
    """
    r = _rules(rules)
    cert, cert_name, findings = _read_certificate(cert_source)
    d = _read_declaration(declaration_source, r, name, limits, copy_tree=True)
    before = _xsd_errors(d.top, r)
    result = AttachResult(d.top, findings, [], d.name, cert_name, cert.number, d.layout)
    problems = _certificate_problems(cert, r, cert_name)
    if status and r.statuses and status not in r.statuses:
        findings.append(Finding("ATTACH-STATUS-CODE",
                                f"status code {status} is not on the rules table's list ({', '.join(r.statuses)})",
                                severity=WARNING, file=d.name, value=status))
    findings += problems
    if problems:
        findings += _xsd_findings(before, before, d.name)
        return result
    plan = _plan(cert, d.declaration, r)
    values = _reference_values(cert, r, status)
    actions: dict[tuple[int, str], str] = {}
    for item in plan.matched_items():
        actions[(item.sequence, item.xpath)] = _put_reference(item, values, r, d.declaration, status)
    result.matches = [replace(mt, action=actions[(mt.goods_item, mt.goods_item_xpath)]) for mt in plan.matches]
    findings += _unmatched_lines(plan, r, cert_name)
    findings += _unmatched_references(plan, values, r, d.name)
    findings += _quantity_findings(plan, r, d.name)
    findings += _missing_certificates(plan, r, d.name)
    findings += _xsd_findings(before, _xsd_errors(d.top, r), d.name)
    return result


def _code_of(ad: etree._Element, ns: str) -> str:
    return _text(ad, ns + "CategoryCode") + _text(ad, ns + "TypeCode")


def _existing(item_el: etree._Element, values: Mapping[str, str], rules: Rules) -> list[etree._Element]:
    ns = f"{{{rules.declaration_ns}}}"
    code = values["CategoryCode"] + values["TypeCode"]
    return [ad for ad in item_el.iterfind(ns + ADDITIONAL_DOCUMENT)
            if _code_of(ad, ns) == code and _text(ad, ns + "ID") == values["ID"]]


def _put_reference(item: GoodsItem, values: Mapping[str, str], rules: Rules, decl: etree._Element,
                   status: Optional[str]) -> str:
    """Add the reference to the goods item, or bring an existing one up to date: 'added' | 'updated' | 'present'."""
    type_key = _document_type(rules, decl, item.element)
    write_off = item.net_kg if rules.write_off == "net_mass" and item.net_kg is not None else None
    existing = _existing(item.element, values, rules)
    if existing:
        return _update_reference(existing[0], values, rules, type_key, status, write_off)
    new = _build_reference(values, rules, type_key, write_off)
    _insert(item.element, new, rules, decl)
    return "added"


def _update_reference(ad: etree._Element, values: Mapping[str, str], rules: Rules, type_key: Optional[str],
                      status: Optional[str], write_off: Optional[Decimal]) -> str:
    ns = f"{{{rules.declaration_ns}}}"
    wanted = {}
    current = _text(ad, ns + "LPCOExemptionCode")
    if (status and current != status) or not current:  # the declarant's own status stands unless overridden
        wanted["LPCOExemptionCode"] = values["LPCOExemptionCode"]
    if values.get("Name") and not _text(ad, ns + "Name"):
        wanted["Name"] = values["Name"]
    need_write_off = write_off is not None and ad.find(ns + "WriteOff") is None
    if not wanted and not need_write_off:
        return "present"
    order = _child_order(rules, type_key)
    for local, value in wanted.items():
        el = ad.find(ns + local)
        if el is None:
            el = ad.makeelement(ns + local)
            el.text = value
            _place(ad, el, order)
        el.text = value
    if need_write_off:
        wo = ad.makeelement(ns + "WriteOff")
        etree.SubElement(wo, ns + "QuantityQuantity", unitCode="KGM").text = _fmt(write_off)
        _place(ad, wo, order)
    return "updated"


def _insert(item_el: etree._Element, new: etree._Element, rules: Rules, decl: etree._Element) -> None:
    """Put the new AdditionalDocument after the item's last one, else at its schema place."""
    item_type = _item_type(rules, decl, item_el)
    order = [etree.QName(c.tag).localname for c in declaration_schema_info(rules).children(item_type)] \
        if item_type else []
    _place(item_el, new, order)


def _place(parent: etree._Element, new: etree._Element, order: list[str]) -> None:
    """Insert ``new`` after the last sibling the schema puts at or before it; indent it like them."""
    local = etree.QName(new).localname
    kids = [c for c in parent if isinstance(c.tag, str)]
    if local in order:
        rank = {name: i for i, name in enumerate(order)}
        mine = rank[local]
        before = [c for c in kids if rank.get(etree.QName(c).localname, len(order)) <= mine]
        after = [c for c in kids if rank.get(etree.QName(c).localname, -1) > mine]
    else:  # the schema does not say: next to its namesakes, else at the end
        before = [c for c in kids if etree.QName(c).localname == local]
        after = []
    if before:
        index = parent.index(before[-1]) + 1
    elif after:
        index = parent.index(after[0])
        while index > 0 and not isinstance(parent[index - 1].tag, str):
            index -= 1  # comments that introduce the next element stay with it
    else:
        index = len(parent)
    parent.insert(index, new)
    _indent(parent, new, index)


def _indent(parent: etree._Element, new: etree._Element, index: int) -> None:
    """Pretty-printed inputs stay pretty: the children's indentation is what precedes the first one."""
    sibling = parent.text if parent.text and "\n" in parent.text and not parent.text.strip() else None
    if sibling is None:
        if len(parent) == 1:  # the parent was empty: derive from its own indentation
            outer = _leading_ws(parent)
            if outer is None:
                return
            sibling = outer + "\t"
            new.tail = outer
            parent.text = sibling
        else:
            return
    elif index > 0:
        prev = parent[index - 1]
        new.tail = prev.tail
        prev.tail = sibling
    else:
        new.tail = sibling
    if len(new):
        indent = sibling.rsplit("\n", 1)[1]
        outer = _leading_ws(parent)
        outer_indent = outer.rsplit("\n", 1)[1] if outer else ""
        unit = indent[len(outer_indent):] if indent.startswith(outer_indent) and len(indent) > len(outer_indent) \
            else "\t"
        _indent_children(new, indent, unit)


def _leading_ws(el: etree._Element) -> Optional[str]:
    prev = el.getprevious()
    ws = prev.tail if prev is not None else (el.getparent().text if el.getparent() is not None else None)
    return ws if ws and "\n" in ws and not ws.strip() else None


def _indent_children(el: etree._Element, indent: str, unit: str) -> None:
    inner = indent + unit
    el.text = "\n" + inner
    kids = list(el)
    for i, c in enumerate(kids):
        c.tail = "\n" + (inner if i < len(kids) - 1 else indent)
        if len(c):
            _indent_children(c, inner, unit)


# ------------------------------------------------------------------------------ findings


def _unmatched_lines(plan: _Plan, rules: Rules, cert_name: str) -> list[Finding]:
    out = []
    matched = {mt.line for mt in plan.matches}
    for line in plan.lines:
        if line.label in matched:
            continue
        how = (f"its HS code {', '.join(line.hs_codes)} agrees in fewer than {rules.hs_min_digits} digits with "
               "every goods item's commodity code") if line.hs_codes else \
            "it has no usable HS code and its names share too few words with every goods description"
        out.append(Finding("ATTACH-NO-MATCH", f"{line.title} matched no goods item of the declaration: {how}",
                           severity=rules.severity("ATTACH-NO-MATCH"), file=cert_name,
                           value=", ".join(line.hs_codes or line.short_hs_codes) or None))
    return out


def _unmatched_references(plan: _Plan, values: Mapping[str, str], rules: Rules, name: str) -> list[Finding]:
    out = []
    for item in plan.items:
        if not plan.lines_of(item) and _existing(item.element, values, rules):
            out.append(Finding("ATTACH-REFERENCE-UNMATCHED",
                               f"{item.label} already references certificate {values['ID']}, but no line of the "
                               "certificate matches it", severity=rules.severity("ATTACH-REFERENCE-UNMATCHED", WARNING),
                               file=name, line=item.line, xpath=item.xpath))
    return out


def _quantity_findings(plan: _Plan, rules: Rules, name: str) -> list[Finding]:
    """Compare per group of goods items and lines that matched each other (lines may share items)."""
    parent: dict = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for mt in plan.matches:
        parent[find(("i", mt.goods_item, mt.goods_item_xpath))] = find(("l", mt.line))
    groups: dict = {}
    for mt in plan.matches:
        g = groups.setdefault(find(("l", mt.line)), ({}, {}))
        g[0][(mt.goods_item, mt.goods_item_xpath)] = None
        g[1][mt.line] = None
    items = {(it.sequence, it.xpath): it for it in plan.items}
    lines = {ln.label: ln for ln in plan.lines}
    out = []
    for item_keys, line_keys in groups.values():
        its = [items[k] for k in item_keys]
        lns = [lines[k] for k in line_keys]
        who = f"{_names('goods item', [i.sequence for i in its])} and {_names('certificate line', [ln.label for ln in lns])}"
        first = its[0]
        missing = [f"{i.label}: {i.net_problem}" for i in its if i.net_kg is None] + \
                  [f"{ln.title}: {ln.quantity_problem}" for ln in lns if ln.certified_kg is None]
        if missing:
            out.append(Finding("ATTACH-QUANTITY-UNCHECKED", f"quantities of {who} not compared: {'; '.join(missing)}",
                               severity=WARNING, file=name, line=first.line, xpath=first.xpath))
            continue
        declared = sum((i.net_kg for i in its), Decimal(0))
        certified = sum((ln.certified_kg for ln in lns), Decimal(0))
        if declared > certified * (1 + rules.quantity_tolerance):
            said = "; ".join(f"line {ln.label}: {ln.certified_text}" for ln in lns)
            stated = "; ".join(f"item {i.sequence}: {i.net_text}" for i in its)
            out.append(Finding(
                "ATTACH-QUANTITY",
                f"{who}: declared net mass {_fmt(declared)} kg ({stated}) exceeds the certified "
                f"{_fmt(certified)} kg ({said})",
                severity=rules.severity("ATTACH-QUANTITY"), file=name, line=first.line, xpath=first.xpath,
                value=_fmt(declared)))
    return out


def _names(what: str, labels: list) -> str:
    labels = [str(x) for x in labels]
    return f"{what} {labels[0]}" if len(labels) == 1 else f"{what}s {', '.join(labels)}"


def _missing_certificates(plan: _Plan, rules: Rules, name: str) -> list[Finding]:
    ns = f"{{{rules.declaration_ns}}}"
    out = []
    for item in plan.items:
        prefix = next((p for p in sorted(rules.plant_hs, key=len, reverse=True)
                       for hs in item.hs_codes if hs.startswith(p)), None)
        if prefix is None:
            continue
        if any(_code_of(ad, ns) in rules.phyto_document_codes for ad in item.element.iterfind(ns + ADDITIONAL_DOCUMENT)):
            continue
        out.append(Finding(
            "ATTACH-NO-CERTIFICATE",
            f"{item.label} is a plant product (HS {prefix}: {rules.plant_hs[prefix]}) without a phytosanitary "
            f"certificate reference ({' / '.join(sorted(rules.phyto_document_codes))})",
            severity=rules.severity("ATTACH-NO-CERTIFICATE", WARNING), file=name, line=item.line, xpath=item.xpath))
    return out


def _xsd_findings(before: list, after: list, name: str) -> list[Finding]:
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


def _fmt(d: Decimal) -> str:
    return format(d.normalize(), "f")


__all__ = [
    "AttachResult",
    "AttachmentFragment",
    "CertificateLine",
    "GoodsItem",
    "Match",
    "Rules",
    "additional_documents",
    "attach",
    "declaration_xsd",
    "load_rules",
    "parse_rules",
    "validate_declaration",
]
