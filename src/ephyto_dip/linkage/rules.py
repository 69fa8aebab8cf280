"""The rules table of one national practice (``mappings/attach-*.tsv``): what a single window checks.

What is national practice is data: the document code per certificate type, the statuses that
cover goods, the declaring countries, document status codes and what each says about the
quantity (exhausted, part use), matching thresholds, units, severities, the schema to validate
the declaration against. Another country's practice is another table; the element names are
the WCO DM's own and live in the code.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from lxml import etree

from ..findings import ERROR, INFO, WARNING, Finding, Severity, TableError
from ..reading.xmlsafe import schema_file_parser
from ..resources import resource_path
from ..tsv import read_table_text, split_metadata, tsv_reader
from .values import fold

DEFAULT_RULES = ("mappings", "attach-uk-cds.tsv")
SEVERITIES = (ERROR, WARNING, INFO)
N = TypeVar("N", int, float, Decimal)  # a number a #key gives
D = TypeVar("D")  # its default
TEMPLATE_FIELDS = {"number", "type_code", "export_country", "issue_year"}
STATUS_USES = ("exhausted", "part", "surrendered", "attributed", "")  # what a document status says of the quantity
PROFILES = ("uk-cds", "eu-certex")

_REQUIRED_KEYS = (
    "profile", "declaration_schema", "declaration_namespace", "document.851", "document_id", "covering_statuses",
    "classification_types", "hs_min_digits", "description_min_overlap",
    "description_min_shared", "token_min_length", "declaration_mass_unit",
)
_KINDS = ("status", "certificate_status", "plant_hs", "mass_unit")


@dataclass(frozen=True)
class Rules:
    """One national practice of referencing a certificate in a goods declaration."""

    name: str
    profile: str  # the shape of a ledger answer: "uk-cds" or "eu-certex"
    metadata: Mapping[str, str]
    declaration_schema: Path
    envelope_schema: Path | None
    declaration_ns: str
    envelope_ns: str | None
    documents: Mapping[str, tuple[str, str]]  # certificate TypeCode -> (CategoryCode, TypeCode)
    document_id: str  # template: {number} {type_code} {export_country} {issue_year}
    document_name: str  # template, empty = no Name
    ched_document: tuple[str, str] | None  # the pre-notification's own reference (UK, EU: C 085 CHED-PP)
    ched_pattern: re.Pattern[str] | None
    phyto_document_codes: frozenset[str]  # category+type codes that count as a phytosanitary reference
    default_status: str
    default_status_part: str  # with a ledger: the default when the write-off leaves quantity (UK: AP)
    statuses: Mapping[str, str]  # document status code -> meaning
    status_uses: Mapping[str, str]  # document status code -> exhausted | part | surrendered | attributed | ""
    covering_statuses: frozenset[str]  # certificate StatusCode values that may cover goods (70: issued)
    certificate_statuses: Mapping[str, str]  # certificate StatusCode -> its name, for messages
    declaring_countries: frozenset[str]  # the importing country must be one of these; empty: the declaration's
    origin_type_codes: frozenset[str]  # Origin/TypeCode values that state the country of origin
    max_age_days: int | None  # days between issue and declaration; None = not checked
    importer_id_schemes: frozenset[str]  # consignee identifier schemes comparable with Importer/ID
    legal_forms: frozenset[str]  # words dropped before comparing party names
    classification_types: frozenset[str]
    hs_min_digits: int
    description_min_overlap: float
    description_min_shared: int
    token_min_length: int
    stopwords: frozenset[str]
    generic_words: frozenset[str]
    declaration_mass_unit: str
    certificate_mass_unit_if_missing: str | None
    mass_units: Mapping[str, Decimal]  # unit code -> kilograms per unit
    quantity_tolerance: Decimal  # a fraction: 0.02 = declared may exceed certified by 2 %
    write_off: str  # "none" | "net_mass"
    severities: Mapping[str, str]
    plant_hs: Mapping[str, str]  # HS prefix -> meaning

    def severity(self, code: str, default: str = ERROR) -> Severity:
        return Severity(self.severities.get(code, default))

    def status_name(self, status: str) -> str:
        name = self.certificate_statuses.get(status)
        return f"{status} ({name})" if name else status


def load_rules(path: str | os.PathLike[str] | None = None) -> Rules:
    """The rules table at ``path`` (default: the shipped UK CDS table), cached per file version."""
    p = Path(path) if path else resource_path(*DEFAULT_RULES)
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        raise TableError(Finding("IO-READ", f"cannot read rules table: {exc.strerror or exc}", file=str(p))) from None
    return _load_rules_cached(str(p), mtime)


def as_rules(rules: Rules | str | os.PathLike[str] | None) -> Rules:
    return rules if isinstance(rules, Rules) else load_rules(rules)


@lru_cache(maxsize=8)
def _load_rules_cached(path: str, mtime: float) -> Rules:
    return parse_rules(read_table_text(path, "rules table"), path, Path(path).parent)


class _Parse:
    """One pass over a table's text, collecting every problem before raising."""

    def __init__(self, text: str, name: str):
        self.name = name
        self.meta, _, self.start = split_metadata(text)
        self.lines = text.splitlines()
        self.errors: list[Finding] = []

    def bad(self, message: str, line: int | None = None) -> None:
        self.errors.append(Finding("ATTACH-RULES", message, file=self.name, line=line))

    def words(self, key: str) -> frozenset[str]:
        return frozenset(self.meta.get(key, "").split())

    def number(self, key: str, kind: Callable[[str], N], default: D) -> N | D:
        raw = self.meta.get(key)
        if not raw:
            return default
        try:
            v = kind(raw)
        except (ValueError, InvalidOperation):
            self.bad(f"#{key}: {raw!r} is not a number")
            return default
        if v < 0:
            self.bad(f"#{key}: {raw!r} must not be negative")
        return v

    def template(self, key: str) -> str:
        value = self.meta.get(key, "")
        try:
            fields = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
        except ValueError as exc:
            self.bad(f"#{key}: {exc}")
            return value
        if fields - TEMPLATE_FIELDS:
            self.bad(f"#{key}: unknown fields {sorted(fields - TEMPLATE_FIELDS)}; use {sorted(TEMPLATE_FIELDS)}")
        return value


def parse_rules(text: str, name: str = "<rules>", base_dir: str | os.PathLike[str] | None = None) -> Rules:
    """Parse a rules table; TableError(ATTACH-RULES) names every bad key or row."""
    p = _Parse(text, name)
    meta = p.meta
    for key in _REQUIRED_KEYS:
        if not meta.get(key):
            p.bad(f"metadata key #{key} is missing or empty")
    rows = _rows(p)
    documents: dict[str, tuple[str, str]] = {}
    for key, value in meta.items():
        if key.startswith("document.") and key != "document_id":
            parts = value.split()
            if len(parts) != 2:
                p.bad(f"#{key}: {value!r} must be 'CategoryCode TypeCode', e.g. 'N 851'")
                continue
            documents[key.split(".", 1)[1]] = (parts[0], parts[1])
    severities: dict[str, str] = {}
    for key, value in meta.items():
        if key.startswith("severity."):
            if value not in SEVERITIES:
                p.bad(f"#{key}: {value!r} is not one of {', '.join(SEVERITIES)}")
            severities[key.split(".", 1)[1]] = value
    statuses, uses, cert_statuses, plant, units = rows
    for key in ("default_status", "default_status_part"):
        if meta.get(key) and statuses and meta[key] not in statuses:
            p.bad(f"#{key} {meta[key]!r} is not one of the status rows")
    profile = meta.get("profile", "")
    if profile and profile not in PROFILES:
        p.bad(f"#profile: {profile!r} is not one of {', '.join(PROFILES)}")
    write_off = meta.get("write_off") or "none"
    if write_off not in ("none", "net_mass"):
        p.bad(f"#write_off: {write_off!r} is not 'none' or 'net_mass'")
    decl_unit = meta.get("declaration_mass_unit", "")
    cert_unit = meta.get("certificate_mass_unit_if_missing") or None
    for key, unit in (("declaration_mass_unit", decl_unit), ("certificate_mass_unit_if_missing", cert_unit)):
        if unit and unit not in units:
            p.bad(f"#{key}: {unit!r} has no mass_unit row")
    ched_document = None
    if meta.get("ched_document"):
        parts = meta["ched_document"].split()
        if len(parts) != 2:
            p.bad(f"#ched_document: {meta['ched_document']!r} must be 'CategoryCode TypeCode', e.g. 'C 085'")
        else:
            ched_document = (parts[0], parts[1])
    ched = None
    if meta.get("ched_pattern"):
        try:
            ched = re.compile(meta["ched_pattern"])
        except re.error as exc:
            p.bad(f"#ched_pattern: not a regular expression ({exc})")
    decl_schema = _schema_path(meta.get("declaration_schema"), base_dir, "declaration_schema", p.bad)
    env_schema = _schema_path(meta.get("envelope_schema"), base_dir, "envelope_schema", p.bad)
    if env_schema is not None and not meta.get("envelope_namespace"):
        p.bad("#envelope_schema is set but #envelope_namespace is not")
    for path, key in ((decl_schema, "declaration_namespace"), (env_schema, "envelope_namespace")):
        if path is not None and meta.get(key):
            tns = _target_namespace(path)
            if tns != meta[key]:
                p.bad(f"#{key} {meta[key]!r} differs from the schema's targetNamespace {tns!r}")
    tolerance = p.number("quantity_tolerance_percent", Decimal, Decimal(0))
    hs_min_digits = p.number("hs_min_digits", int, 6)
    if hs_min_digits == 0:
        p.bad("#hs_min_digits must be at least 1")
    rules = Rules(
        name=name,
        profile=profile,
        metadata=dict(meta),
        declaration_schema=decl_schema or Path(),
        envelope_schema=env_schema,
        declaration_ns=meta.get("declaration_namespace", ""),
        envelope_ns=meta.get("envelope_namespace") or None,
        documents=documents,
        document_id=p.template("document_id"),
        document_name=p.template("document_name"),
        ched_document=ched_document,
        ched_pattern=ched,
        phyto_document_codes=p.words("phyto_document_codes") | {c + t for c, t in documents.values()},
        default_status=meta.get("default_status", ""),
        default_status_part=meta.get("default_status_part", ""),
        statuses=statuses,
        status_uses=uses,
        covering_statuses=p.words("covering_statuses"),
        certificate_statuses=cert_statuses,
        declaring_countries=p.words("declaring_countries"),
        origin_type_codes=p.words("origin_type_codes"),
        max_age_days=p.number("max_certificate_age_days", int, None),
        importer_id_schemes=p.words("importer_id_schemes"),
        legal_forms=frozenset(fold(w) for w in p.words("legal_forms")),
        classification_types=p.words("classification_types"),
        hs_min_digits=hs_min_digits,
        description_min_overlap=p.number("description_min_overlap", float, 0.3),
        description_min_shared=p.number("description_min_shared", int, 1),
        token_min_length=p.number("token_min_length", int, 3),
        stopwords=frozenset(fold(w) for w in p.words("stopwords")),
        generic_words=frozenset(fold(w) for w in p.words("generic_words")),
        declaration_mass_unit=decl_unit,
        certificate_mass_unit_if_missing=cert_unit,
        mass_units=units,
        quantity_tolerance=(tolerance or Decimal(0)) / 100,
        write_off=write_off,
        severities=severities,
        plant_hs=plant,
    )
    if p.errors:
        raise TableError(p.errors)
    return rules


def _rows(p: _Parse) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str], dict[str, Decimal]]:
    statuses: dict[str, str] = {}
    uses: dict[str, str] = {}
    cert_statuses: dict[str, str] = {}
    plant: dict[str, str] = {}
    units: dict[str, Decimal] = {}
    reader = tsv_reader(p.lines[p.start:])
    header = next(reader, None)
    if header is None or not {"kind", "code"} <= set(header):
        p.bad("the header row must name at least the columns kind and code (and value, meaning)")
        header = []
    for n, cells in enumerate(reader, start=p.start + 2):
        if not header or not any(c.strip() for c in cells):
            continue
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        kind, code, value = row.get("kind", ""), row.get("code", ""), row.get("value", "")
        if kind not in _KINDS:
            p.bad(f"row kind {kind!r} is not one of {', '.join(_KINDS)}", n)
        elif not code:
            p.bad("row without a code", n)
        elif kind == "status":
            statuses[code] = row.get("meaning", "")
            if value not in STATUS_USES:
                p.bad(f"status {code}: value {value!r} is not one of {', '.join(u for u in STATUS_USES if u)} "
                      "(or empty)", n)
            uses[code] = value
        elif kind == "certificate_status":
            cert_statuses[code] = row.get("meaning", "")
        elif kind == "plant_hs":
            if not code.isdigit():
                p.bad(f"plant_hs prefix {code!r} is not digits", n)
            plant[code] = row.get("meaning", "")
        else:
            try:
                units[code] = Decimal(value)
                if units[code] <= 0:
                    raise InvalidOperation
            except InvalidOperation:
                p.bad(f"mass_unit {code}: value {value!r} is not a positive number of kilograms", n)
    return statuses, uses, cert_statuses, plant, units


def _schema_path(value: str | None, base_dir: str | os.PathLike[str] | None, key: str,
                 bad: Callable[[str], None]) -> Path | None:
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


def _target_namespace(path: Path) -> str | None:
    parser = schema_file_parser()
    try:
        return etree.parse(str(path), parser).getroot().get("targetNamespace")
    except (OSError, etree.XMLSyntaxError):
        return None
