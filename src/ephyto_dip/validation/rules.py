"""ISPM 12 business rules on the :class:`~ephyto_dip.reading.model.Certificate`.

The schema says what may stand where; these rules say what a phytosanitary certificate must
hold and which codes it may use: the mandatory boxes of the ISPM 12 model certificate, the
document type and status, ISO 3166 countries, UN/ECE Rec 19 transport modes, Rec 20 units,
Rec 21 package types, the IPPC tag acronyms of notes, complete replacement and re-export
notes, ISO 8601 dates, decodable attachments, decimal quantities and ``NULL`` placeholders.

Rules run on the model, so they apply to either side: on a :class:`~ephyto_dip.reading.model.Certificate`
or, as ``validate`` and ``convert`` call them, on its pydantic-free shape
(:mod:`ephyto_dip.reading.shapes`), with the same findings. Each finding names what it found by a
model path (``items[0].packages[1].type_code``); given a ``locate`` callable (see
:class:`ephyto_dip.mapping.locate.Locator`) the finding gets the input's line and XPath.

Code lists are read from the verbatim UN/CEFACT and INTERCOM schema modules in
``schemas/codelists/`` (see its SOURCES.md), lazily and once per process: ``convert`` never
loads them.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Callable, Iterator, Optional

from lxml import etree

from ..findings import ERROR, WARNING, Finding
from ..reading.doctypes import ephyto_types, ephyto_types_text
from ..reading.shapes import field_names, is_value
from .mandatory import blank, load_mandatory, missing

if TYPE_CHECKING:
    from ..reading import model as m

# ----------------------------------------------------------------------------- code lists

_XSD = "{http://www.w3.org/2001/XMLSchema}"
_CCTS = "{urn:un:unece:uncefact:documentation:standard:CoreComponentsTechnicalSpecification:2}"

DOCUMENT_NAMES = "UNECE_DocumentNameCode_D16B.xsd"
STATUSES = "UNECE_StatusCode_D16B.xsd"
COUNTRIES = "ISO_ISOTwo-letterCountryCode_SecondEdition2006.xsd"
TRANSPORT_MODES = "UNECE_TransportModeCode_2.xsd"
PACKAGE_TYPES = "UNECE_PackageTypeCode_2006.xsd"
TAG_ACRONYMS = "INTERCOM_ePhyto_TagAcronymCodes.xsd"
UNIT_SUBSETS = {  # Rec 20 subsets of this release; there is none for concentration
    "weight": "UNECE_MeasurementUnitCommonCodeWeight_4.xsd",
    "volume": "UNECE_MeasurementUnitCommonCodeVolume_4.xsd",
    "duration": "UNECE_MeasurementUnitCommonCodeDuration_4.xsd",
    "temperature": "UNECE_MeasurementUnitCommonCodeTemperature_4.xsd",
    "length": "UNECE_MeasurementUnitCommonCodeLinear_4.xsd",
}


@dataclass(frozen=True)
class CodeList:
    """The enumeration of one code-list schema module: code → name (first entry wins)."""

    file: str
    names: dict[str, Optional[str]]

    def __contains__(self, code: str) -> bool:
        return code in self.names

    @property
    def title(self) -> str:
        return self.file.removesuffix(".xsd")

    def label(self, code: str) -> str:
        name = self.names.get(code)
        return f"{code} ({name})" if name else code


@lru_cache(maxsize=None)
def code_list(file: str) -> CodeList:
    """Load ``schemas/codelists/<file>`` (cached per process)."""
    from ..resources import resource_path

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(str(resource_path("schemas", "codelists", file)), parser)
    names: dict[str, Optional[str]] = {}
    for enum in tree.iter(f"{_XSD}enumeration"):
        name = enum.find(f".//{_CCTS}Name")
        names.setdefault(enum.get("value"), (name.text or "").strip() if name is not None else None)
    return CodeList(file, names)


def preload() -> None:
    """Load what the rules read for nearly every certificate (code lists, box list), e.g.
    before a batch forks its workers, so each worker does not load them again. The lists
    only read for a wrong code (document names, statuses) stay lazy."""
    from ..mapping.codelists import load_codelist

    for file in (COUNTRIES, TRANSPORT_MODES, PACKAGE_TYPES, TAG_ACRONYMS, *UNIT_SUBSETS.values()):
        code_list(file)
    load_mandatory()
    load_codelist(STATUS_FUNCTIONS)


# ---------------------------------------------------------------------------- the rules

Locate = Callable[[str], Optional[object]]  # model path -> Location (.line, .xpath, .exact, .mapping_id)

STATUS_FUNCTIONS = "status-function"  # mappings/codelists/: the statuses a DIP can state

REPLACEMENT_NOTES = (  # acronym, Replacement field, what it holds
    ("ADRPN", "replaced_certificate_number", "number of the replaced certificate"),
    ("ADRP", "statement", "replacement statement"),
    ("ADRPR", "reason", "reason for replacement"),
    ("ADRD", "replaced_issue_date", "issue date of the replaced certificate"),
)
REEXPORT_NOTES = (  # acronym, ReExport field; the first three are the re-export certificate's core
    ("RPCST", "statement"),
    ("RPCCO", "origin_country"),
    ("RPCRF", "original_certificate_number"),
    ("RPCOR", "original_attached"),
    ("RPCTC", "certified_copy_attached"),
    ("RPCPK", "packed"),
    ("RPCRP", "repacked"),
    ("RPCOC", "original_containers"),
    ("RPCNC", "new_containers"),
    ("RPCPC", "based_on_original_certificate"),
    ("RPCAI", "additional_inspection"),
)
REEXPORT_CORE = ("RPCST", "RPCCO", "RPCRF")

_REC20 = re.compile(r"[A-Z0-9]{2,3}")
_REC21 = re.compile(r"[A-Z0-9]{2}")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_ISO_DATE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
    r"(?P<tz>Z|[+-](?P<tzh>\d{2}):(?P<tzm>\d{2}))?"
)
_EDIFACT_FORMATS = {"102": re.compile(r"\d{8}"), "203": re.compile(r"\d{12}"), "204": re.compile(r"\d{14}")}


def check_certificate(
    cert: m.Certificate, *, name: str = "<input>", side: str = "ephyto", locate: Optional[Locate] = None,
    table=None,
) -> list[Finding]:
    """Every ISPM 12 business-rule finding for ``cert``.

    ``side`` is where the certificate was read from ('ephyto' or 'dip'); the rules do not
    depend on it. ``locate(model_path)`` returns where a model path sits in the input (an object with
    ``line``, ``xpath``, ``exact`` and ``mapping_id``) or None; without it findings carry the
    model path as their ``xpath``. ``table`` (default: the shipped one) gives the WCO formats.
    """
    ck = _Checker(name)
    _mandatory(cert, ck)
    _type_and_status(cert, ck)
    _countries(cert, ck)
    _transport_modes(cert, ck)
    _units(cert, ck)
    _package_types(cert, ck)
    _note_subjects(cert, ck)
    _replacement(cert, ck)
    _reexport(cert, ck)
    values = list(iter_values(cert))  # walked once for both
    _values(cert, values, ck)
    _wco_formats(values, table, ck)
    if locate is not None:
        return [_place(f, locate) for f in ck.findings]
    return ck.findings


class _Checker:
    def __init__(self, name: str):
        self.name = name
        self.findings: list[Finding] = []

    def add(self, code: str, message: str, path: str, severity: str = ERROR, value: Optional[str] = None) -> None:
        self.findings.append(Finding(code, message, severity=severity, file=self.name, xpath=path, value=value))


def _place(f: Finding, locate: Locate) -> Finding:
    """The finding with the line and XPath of its model path in the input."""
    loc = locate(f.xpath) if f.xpath else None
    if loc is None or f.xpath is None:
        return f
    message, mapping_id = f.message, f.mapping_id
    if not loc.exact:  # the box is missing: point at the nearest element, keep the model path
        if f.xpath not in message:
            message = f"{message} (model path {f.xpath})"
    elif loc.mapping_id:
        mapping_id = loc.mapping_id
    return replace(f, line=loc.line, message=message, mapping_id=mapping_id, xpath=loc.xpath)


# ------------------------------------------------------------------------------- helpers


def _text(v) -> str:
    return v.value.strip() if is_value(v) else ""


def _get(obj, dotted: str):
    for part in dotted.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def iter_values(obj, path: str = "") -> Iterator[tuple[str, m.Value]]:
    """Every leaf value of a model with its model path (``items[0].net_weight``)."""
    out: list = []
    _collect_values(obj, path, out)
    return iter(out)


_VALUE, _GROUP = 1, 2
_KINDS: dict = {}  # class -> _VALUE, _GROUP or 0


def _kind(cls: type) -> int:
    k = _KINDS.get(cls)
    if k is None:
        k = _KINDS[cls] = _VALUE if isinstance(getattr(cls, "XML_ATTRIBUTES", None), dict) else \
            _GROUP if field_names(cls) else 0
    return k


def _collect_values(obj, path: str, out: list) -> None:
    # a certificate is mostly empty lists and None: read the instance dict, skip those first
    names = field_names(type(obj))
    d = obj.__dict__
    prefix = f"{path}." if path else ""
    for fname in names:
        val = d[fname]
        if val is None:
            continue
        if isinstance(val, list):
            if not val:
                continue
            here = prefix + fname
            for i, item in enumerate(val):
                k = _kind(type(item))
                if k == _VALUE:
                    out.append((f"{here}[{i}]", item))
                elif k == _GROUP:
                    _collect_values(item, f"{here}[{i}]", out)
        else:
            k = _kind(type(val))
            if k == _VALUE:
                out.append((prefix + fname, val))
            elif k == _GROUP:
                _collect_values(val, prefix + fname, out)


def _note_texts(notes: list[m.Note], path: str) -> Iterator[tuple[str, m.Text]]:
    for i, note in enumerate(notes):
        for j, c in enumerate(note.contents):
            yield f"{path}[{i}].contents[{j}]", c


def _notes_filled(notes: list[m.Note]) -> bool:
    return any(not blank(c) for n in notes for c in [*n.contents, *n.content_codes])


def _item_level(cert: m.Certificate) -> Iterator[tuple[str, m.TradeLineItem]]:
    for i, item in enumerate(cert.items):
        yield f"items[{i}]", item


# --------------------------------------------------------------------- mandatory boxes


def _mandatory(cert: m.Certificate, ck: _Checker) -> None:
    """The boxes ``mappings/ispm12-boxes.tsv`` marks ``must_fill`` (see :mod:`ephyto_dip.validation.mandatory`)."""
    if not cert.items:
        ck.add("RULE-MANDATORY", "the certificate has no consignment item (ISPM 12 box 'name of produce')", "items")
    for path, message in missing(cert, load_mandatory()):
        ck.add("RULE-MANDATORY", message, path)


# ----------------------------------------------------------------------------- codes


def _type_and_status(cert: m.Certificate, ck: _Checker) -> None:
    if not blank(cert.type_code):
        code = _text(cert.type_code)
        if code not in ephyto_types():
            names = code_list(DOCUMENT_NAMES)
            what = (f"UNTDID 1001 document {names.label(code)}" if code in names
                    else f"not a UNTDID 1001 document name code ({names.title})")
            ck.add("RULE-TYPE-CODE", f"certificate type {code!r} is {what}; an ePhyto is {ephyto_types_text()}",
                   "type_code", value=code)
    if not blank(cert.status_code):
        _status(_text(cert.status_code), ck)


def _status(code: str, ck: _Checker) -> None:
    """A status converts only if the status code list of the table translates it: the same
    list ``convert`` uses, so the two can never disagree."""
    from ..mapping.codelists import load_codelist

    functions = load_codelist(STATUS_FUNCTIONS)
    if code in functions.forward:
        return
    known = ", ".join(f"{e} → {d}" + (f" when {when} is given" if when else "")
                      for e, options in functions.choices.items() for d, when in options)
    statuses = code_list(STATUSES)
    reason = functions.refused.get(code)
    if code in statuses:
        why = f": {reason}" if reason else ""
        ck.add("RULE-STATUS-CODE", f"status {statuses.label(code)} is a UNTDID 4405 status with no WCO message "
               f"function in code list {STATUS_FUNCTIONS} ({known}), so no DIP can state it{why}", "status_code",
               value=code)
    else:
        ck.add("RULE-STATUS-CODE", f"status {code!r} is not a UNTDID 4405 status code ({statuses.title}); "
               f"an ePhyto status converts through code list {STATUS_FUNCTIONS} ({known})", "status_code", value=code)


def _country_values(cert: m.Certificate) -> Iterator[tuple[str, m.Value]]:
    def country(c: Optional[m.Country], path: str):
        if c is not None and c.id is not None:
            yield f"{path}.id", c.id

    def address(p: Optional[m.Party], path: str):
        if p is not None and p.address is not None and p.address.country_id is not None:
            yield f"{path}.address.country_id", p.address.country_id

    yield from country(cert.export_country, "export_country")
    yield from country(cert.import_country, "import_country")
    for i, c in enumerate(cert.transit_countries):
        yield from country(c, f"transit_countries[{i}]")
    for i, c in enumerate(cert.re_export_countries):
        yield from country(c, f"re_export_countries[{i}]")
    for role in ("issuer", "consignor", "consignee"):
        yield from address(getattr(cert, role), role)
    for ip, item in _item_level(cert):
        for j, c in enumerate(item.origin_countries):
            yield from country(c, f"{ip}.origin_countries[{j}]")
        for k, t in enumerate(item.treatments):
            yield from country(t.operation_country, f"{ip}.treatments[{k}].operation_country")
            yield from address(t.operator, f"{ip}.treatments[{k}].operator")
        yield from _note_texts(item.re_export.origin_country, f"{ip}.re_export.origin_country")  # RPCCO


def _countries(cert: m.Certificate, ck: _Checker) -> None:
    for path, v in _country_values(cert):
        if blank(v):
            continue
        code = _text(v)
        countries = code_list(COUNTRIES)
        if code in countries:
            continue
        upper = code.upper()
        hint = f" (ISO codes are upper case: {upper})" if upper != code and upper in countries else ""
        ck.add("RULE-COUNTRY", f"{code!r} is not an ISO 3166-1 alpha-2 country code{hint}", path, value=code)


def _transport_modes(cert: m.Certificate, ck: _Checker) -> None:
    for i, mv in enumerate(cert.transport_movements):
        if blank(mv.mode_code):
            continue
        code = _text(mv.mode_code)
        if code not in code_list(TRANSPORT_MODES):
            ck.add("RULE-TRANSPORT-MODE", f"transport mode {code!r} is not a UN/ECE Rec 19 code (0-9, "
                   f"{TRANSPORT_MODES.removesuffix('.xsd')})", f"transport_movements[{i}].mode_code", value=code)


def _package_types(cert: m.Certificate, ck: _Checker) -> None:
    packages = code_list(PACKAGE_TYPES)
    for ip, item in _item_level(cert):
        for j, pkg in enumerate(item.packages):
            if blank(pkg.type_code):
                continue
            code, path = _text(pkg.type_code), f"{ip}.packages[{j}].type_code"
            if code in packages:
                continue
            if _REC21.fullmatch(code):  # later Rec 21 revisions added codes: cannot rule it out
                ck.add("RULE-PACKAGE-TYPE", f"package type {code!r} is not in the bundled UN/ECE Rec 21 list "
                       f"({packages.title}); it may be from a later revision", path, WARNING, code)
            else:
                ck.add("RULE-PACKAGE-TYPE", f"package type {code!r} is not a UN/ECE Rec 21 code "
                       "(two upper-case letters or digits)", path, value=code)


# ----------------------------------------------------------------------------- units


def _measures(cert: m.Certificate) -> Iterator[tuple[str, Optional[m.Measure], Optional[str]]]:
    """(path, measure, kind) for every measure; kind names the Rec 20 subset expected (None: any)."""
    for ip, item in _item_level(cert):
        yield f"{ip}.net_weight", item.net_weight, "weight"
        yield f"{ip}.gross_weight", item.gross_weight, "weight"
        yield f"{ip}.net_volume", item.net_volume, "volume"
        yield f"{ip}.gross_volume", item.gross_volume, "volume"
        for j, pkg in enumerate(item.packages):
            yield f"{ip}.packages[{j}].nominal_gross_weight", pkg.nominal_gross_weight, "weight"
            yield f"{ip}.packages[{j}].nominal_gross_volume", pkg.nominal_gross_volume, "volume"
        for k, t in enumerate(item.treatments):
            tp = f"{ip}.treatments[{k}]"
            yield f"{tp}.duration", t.duration, "duration"
            for group, kind in (
                ("type_level1", None), ("type_level2", None), ("chemicals", None), ("temperatures", "temperature"),
                ("concentrations", "concentration"), ("additional_information", None), ("full_text", None),
                ("other_characteristics", None),
            ):
                for n, ch in enumerate(getattr(t, group)):
                    for bound in ("value", "minimum", "maximum"):
                        yield f"{tp}.{group}[{n}].{bound}", getattr(ch, bound), kind


def _units(cert: m.Certificate, ck: _Checker) -> None:
    for path, measure, kind in _measures(cert):
        if measure is None or blank(measure):
            continue
        unit = (measure.unit_code or "").strip()
        where = f"{path}.unit_code"
        if not unit:
            field = path.rsplit(".", 1)[-1]
            expected = f"; a Rec 20 {kind} unit is expected" if kind else ""
            ck.add("RULE-UNIT", f"{field} {measure.value.strip()} has no unitCode, so its unit is unknown{expected}",
                   path, WARNING)
            continue
        if not _REC20.fullmatch(unit):
            ck.add("RULE-UNIT", f"unit {unit!r} is not a UN/ECE Rec 20 code (2-3 upper-case letters or digits)",
                   where, value=unit)
            continue
        if kind is None or kind not in UNIT_SUBSETS:  # no subset to hold it against (e.g. concentration)
            continue
        expected = code_list(UNIT_SUBSETS[kind])
        if unit in expected:
            continue
        other = next((k for k, f in UNIT_SUBSETS.items() if k != kind and unit in code_list(f)), None)
        if other is not None:
            ck.add("RULE-UNIT", f"unit {code_list(UNIT_SUBSETS[other]).label(unit)} is a Rec 20 {other} unit "
                   f"({UNIT_SUBSETS[other].removesuffix('.xsd')}), not a {kind} unit", where, value=unit)
        else:
            ck.add("RULE-UNIT", f"unit {unit!r} is not in the Rec 20 {kind} subset consulted ({expected.title}: "
                   f"{', '.join(expected.names)}); the full Rec 20 list is not bundled", where, WARNING, unit)


# ------------------------------------------------------------------------ note subjects


def _note_subjects(cert: m.Certificate, ck: _Checker) -> None:
    def check(value, path: str, where: str) -> None:
        if blank(value):
            ck.add("RULE-NOTE-SUBJECT", f"{where} without an IPPC tag acronym", path.rsplit(".", 1)[0], WARNING)
            return
        code = _text(value)
        acronyms = code_list(TAG_ACRONYMS)
        if code in acronyms:
            ck.add("RULE-NOTE-SUBJECT", f"{acronyms.label(code)} is an IPPC tag acronym, but not one used on {where}s",
                   path, WARNING, code)
        else:
            hint = f" (did you mean {code.upper()}?)" if code != code.upper() and code.upper() in acronyms else ""
            ck.add("RULE-NOTE-SUBJECT", f"{code!r} on a {where} is not an IPPC tag acronym "
                   f"({acronyms.title}){hint}", path, WARNING, code)

    for i, note in enumerate(cert.other_notes):
        check(note.subject, f"other_notes[{i}].subject", "document note")
    for ip, item in _item_level(cert):
        for j, note in enumerate(item.other_notes):
            check(note.subject, f"{ip}.other_notes[{j}].subject", "trade line item note")
        for j, cl in enumerate(item.other_classifications):
            check(cl.system_name, f"{ip}.other_classifications[{j}].system_name", "classification")
        for k, t in enumerate(item.treatments):
            for n, ch in enumerate(t.other_characteristics):
                check(ch.acronym, f"{ip}.treatments[{k}].other_characteristics[{n}].acronym", "treatment characteristic")


# ---------------------------------------------------------------- replacement, re-export


def _replacement(cert: m.Certificate, ck: _Checker) -> None:
    rep = cert.replacement
    present = [ac for ac, f, _ in REPLACEMENT_NOTES if _notes_filled(getattr(rep, f))]
    if not present:
        return
    first = next(f for ac, f, _ in REPLACEMENT_NOTES if ac in present)
    anchor = f"replacement.{first}[0]"
    for acronym, fname, what in REPLACEMENT_NOTES:
        if acronym in present:
            continue
        notes = getattr(rep, fname)
        path = f"replacement.{fname}[0]" if notes else anchor
        severity = ERROR if acronym == "ADRPN" else WARNING
        ck.add("RULE-REPLACEMENT", f"a replacement certificate ({', '.join(present)} present) has no {acronym} "
               f"note ({what})", path, severity)
    if "ADRPN" in present and not blank(cert.id):
        replaced = {_text(c) for n in rep.replaced_certificate_number for c in n.contents}
        if _text(cert.id) in replaced:
            ck.add("RULE-REPLACEMENT", f"the replaced certificate number (ADRPN) is this certificate's own number "
                   f"{_text(cert.id)!r}", "replacement.replaced_certificate_number[0]", WARNING, _text(cert.id))


def _reexport(cert: m.Certificate, ck: _Checker) -> None:
    if blank(cert.type_code):
        return
    carried = []  # per item: acronyms with content
    for _, item in _item_level(cert):
        carried.append([ac for ac, f in REEXPORT_NOTES if _notes_filled(getattr(item.re_export, f))])
    if cert.is_reexport:
        if not any(set(acs) & set(REEXPORT_CORE) for acs in carried):
            ck.add("RULE-REEXPORT", "a re-export certificate (657) carries no re-export notes "
                   f"({', '.join(REEXPORT_CORE)}) on any item", "items[0]" if cert.items else "items")
            return
        for (ip, _), acs in zip(_item_level(cert), carried):
            missing = [ac for ac in REEXPORT_CORE if ac not in acs]
            if missing:
                ck.add("RULE-REEXPORT", f"re-export item without {', '.join(missing)}", ip, WARNING)
        return
    for (ip, _), acs in zip(_item_level(cert), carried):
        if acs:
            fname = dict(REEXPORT_NOTES)[acs[0]]
            ck.add("RULE-REEXPORT", f"re-export notes {', '.join(acs)} on a certificate of type "
                   f"{_text(cert.type_code)}, not 657 (re-export)", f"{ip}.re_export.{fname}[0]", WARNING)


# -------------------------------------------------- values: NULL, dates, base64, decimals


def _wco_formats(values: list, table, ck: _Checker) -> None:
    from ..mapping.formats import too_long

    for path, v, row, what in too_long(values, table):
        ck.add("DIP-FORMAT-WIDER", f"{what} (WCO {row['wco_id']} {row['wco_name']}); the DIP carries it whole "
               f"as {row['dip_format']} and never cuts it", path, WARNING, v.value[:40])


def _values(cert: m.Certificate, values: list, ck: _Checker) -> None:
    for path, v in values:
        text = v.value.strip()
        if text.upper() == "NULL":
            ck.add("RULE-NULL-PLACEHOLDER", "the text NULL stands in for a value", path, WARNING, text)
            continue
        attrs = v.__dict__
        for fname, xml in type(v).XML_ATTRIBUTES.items():
            a = attrs[fname]
            if a is not None and a.strip().upper() == "NULL":
                ck.add("RULE-NULL-PLACEHOLDER", f"the text NULL stands in for the {xml} attribute", path, WARNING, a)
        if not text:
            continue
        cls = type(v).__name__  # (the model's class or its shape: the same names)
        if cls == "DateTime":
            problem = _date_problem(text, v.format)
            if problem:
                ck.add("RULE-DATE", problem, path, value=text)
        elif cls == "Binary":
            problem = _base64_problem(v.value)
            if problem:
                label = f"attachment {v.filename!r}" if v.filename else "attachment"
                ck.add("RULE-BASE64", f"{label} is not valid base64: {problem}", path, value=_preview(text))
        elif cls in ("Measure", "Quantity", "Numeric") and not _DECIMAL.fullmatch(text):
            ck.add("RULE-DECIMAL", f"{text!r} is not a decimal number", path, value=text)
    _negative_amounts(cert, ck)
    _note_values(cert, ck)


def _note_values(cert: m.Certificate, ck: _Checker) -> None:
    """Notes the ePhyto guide types: dates (ADDIEDL, ADDITLIL, ADRD), decimals (OQV)."""
    dated = [("inspection_dates", "ADDIEDL", cert.inspection_dates),
             ("replacement.replaced_issue_date", "ADRD", cert.replacement.replaced_issue_date)]
    for ip, item in _item_level(cert):
        dated.append((f"{ip}.inspection_dates", "ADDITLIL", item.inspection_dates))
    for base, acronym, notes in dated:
        for path, c in _note_texts(notes, base):
            text = c.value.strip()
            if blank(c):
                continue
            problem = _date_problem(text, None)
            if problem:  # the schema types notes as text: a warning, the date is still readable by a person
                ck.add("RULE-DATE", f"{acronym} note should hold a date: {problem}", path, WARNING, text)
    for ip, item in _item_level(cert):
        for path, c in _note_texts(item.other_quantity_values, f"{ip}.other_quantity_values"):
            text = c.value.strip()
            if not blank(c) and not _DECIMAL.fullmatch(text):
                ck.add("RULE-DECIMAL", f"OQV note (other quantity) {text!r} is not a decimal number", path, WARNING, text)


def _negative_amounts(cert: m.Certificate, ck: _Checker) -> None:
    """Weights, volumes, package counts and durations cannot be negative (temperatures can)."""
    for ip, item in _item_level(cert):
        amounts = [(f"{ip}.{f}", getattr(item, f)) for f in ("net_weight", "gross_weight", "net_volume", "gross_volume")]
        amounts += [(f"{ip}.packages[{j}].quantity", p.quantity) for j, p in enumerate(item.packages)]
        amounts += [(f"{ip}.treatments[{k}].duration", t.duration) for k, t in enumerate(item.treatments)]
        for path, v in amounts:
            text = _text(v)
            if _DECIMAL.fullmatch(text) and float(text) < 0:
                ck.add("RULE-DECIMAL", f"{text} is negative", path, WARNING, text)


def _date_problem(text: str, fmt: Optional[str]) -> Optional[str]:
    """Why ``text`` is not an ISO 8601 date or date-time (or not in its declared UDT format)."""
    if fmt:
        pattern = _EDIFACT_FORMATS.get(fmt.strip())
        if pattern is not None and not pattern.fullmatch(text):
            return f"{text!r} does not match its declared format {fmt}"
        return None  # a format this tool does not know: nothing to hold it against
    mt = _ISO_DATE.fullmatch(text)
    if not mt:
        return f"{text!r} is not an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm:ss[Z|±hh:mm])"
    try:
        dt.date(int(mt["y"]), int(mt["mo"]), int(mt["d"]))
        if mt["h"] is not None:
            dt.time(int(mt["h"]), int(mt["mi"]), int(mt["s"] or 0))
        if mt["tzh"] is not None and (int(mt["tzh"]) > 14 or int(mt["tzm"]) > 59):
            raise ValueError("time zone offset out of range")
    except ValueError as exc:
        return f"{text!r} is not a real date or time ({exc})"
    return None


def _base64_problem(raw: str) -> Optional[str]:
    compact = "".join(raw.split())
    try:
        base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as exc:
        if len(compact) % 4:
            return f"{len(compact)} characters, not a multiple of 4 (truncated?)"
        return str(exc)
    return None


def _preview(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"
