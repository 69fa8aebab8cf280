"""ISPM 12 rules on boxes and codes: mandatory boxes, type and status, countries, transport modes,
package types, units, note acronyms, replacement and re-export notes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import ERROR, WARNING
from ..reading.doctypes import ephyto_types, ephyto_types_text
from .checker import Checker, item_level, note_texts, notes_filled, value_text
from .code_lists import (
    COUNTRIES,
    DOCUMENT_NAMES,
    PACKAGE_TYPES,
    STATUS_FUNCTIONS,
    STATUSES,
    TAG_ACRONYMS,
    TRANSPORT_MODES,
    UNIT_SUBSETS,
    code_list,
)
from .mandatory import blank, load_mandatory, missing
from .note_rules import note_rules

if TYPE_CHECKING:
    from ..reading import model as m


_REC20 = re.compile(r"[A-Z0-9]{2,3}")
_REC21 = re.compile(r"[A-Z0-9]{2}")
# --------------------------------------------------------------------- mandatory boxes


def check_mandatory(cert: m.Certificate, ck: Checker) -> None:
    """The boxes ``mappings/ispm12-boxes.tsv`` marks ``must_fill`` (see :mod:`ephyto_dip.validation.mandatory`)."""
    if not cert.items:
        ck.add("RULE-MANDATORY", "the certificate has no consignment item (ISPM 12 box 'name of produce')", "items")
    for path, message in missing(cert, load_mandatory()):
        ck.add("RULE-MANDATORY", message, path)


# ----------------------------------------------------------------------------- codes


def check_type_and_status(cert: m.Certificate, ck: Checker) -> None:
    if not blank(cert.type_code):
        code = value_text(cert.type_code)
        if code not in ephyto_types():
            names = code_list(DOCUMENT_NAMES)
            what = (f"UNTDID 1001 document {names.label(code)}" if code in names
                    else f"not a UNTDID 1001 document name code ({names.title})")
            ck.add("RULE-TYPE-CODE", f"certificate type {code!r} is {what}; an ePhyto is {ephyto_types_text()}",
                   "type_code", value=code)
    if not blank(cert.status_code):
        _status(value_text(cert.status_code), ck)


def _status(code: str, ck: Checker) -> None:
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
    def country(c: m.Country | None, path: str) -> Iterator[tuple[str, m.Value]]:
        if c is not None and c.id is not None:
            yield f"{path}.id", c.id

    def address(p: m.Party | None, path: str) -> Iterator[tuple[str, m.Value]]:
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
    for ip, item in item_level(cert):
        for j, c in enumerate(item.origin_countries):
            yield from country(c, f"{ip}.origin_countries[{j}]")
        for k, t in enumerate(item.treatments):
            yield from country(t.operation_country, f"{ip}.treatments[{k}].operation_country")
            yield from address(t.operator, f"{ip}.treatments[{k}].operator")
        yield from note_texts(item.re_export.origin_country, f"{ip}.re_export.origin_country")  # RPCCO


def check_countries(cert: m.Certificate, ck: Checker) -> None:
    for path, v in _country_values(cert):
        if blank(v):
            continue
        code = value_text(v)
        countries = code_list(COUNTRIES)
        if code in countries:
            continue
        upper = code.upper()
        hint = f" (ISO codes are upper case: {upper})" if upper != code and upper in countries else ""
        ck.add("RULE-COUNTRY", f"{code!r} is not an ISO 3166-1 alpha-2 country code{hint}", path, value=code)


def check_transport_modes(cert: m.Certificate, ck: Checker) -> None:
    for i, mv in enumerate(cert.transport_movements):
        if blank(mv.mode_code):
            continue
        code = value_text(mv.mode_code)
        if code not in code_list(TRANSPORT_MODES):
            ck.add("RULE-TRANSPORT-MODE", f"transport mode {code!r} is not a UN/ECE Rec 19 code (0-9, "
                   f"{TRANSPORT_MODES.removesuffix('.xsd')})", f"transport_movements[{i}].mode_code", value=code)


def check_package_types(cert: m.Certificate, ck: Checker) -> None:
    packages = code_list(PACKAGE_TYPES)
    for ip, item in item_level(cert):
        for j, pkg in enumerate(item.packages):
            if blank(pkg.type_code):
                continue
            code, path = value_text(pkg.type_code), f"{ip}.packages[{j}].type_code"
            if code in packages:
                continue
            if _REC21.fullmatch(code):  # later Rec 21 revisions added codes: cannot rule it out
                ck.add("RULE-PACKAGE-TYPE", f"package type {code!r} is not in the bundled UN/ECE Rec 21 list "
                       f"({packages.title}); it may be from a later revision", path, WARNING, code)
            else:
                ck.add("RULE-PACKAGE-TYPE", f"package type {code!r} is not a UN/ECE Rec 21 code "
                       "(two upper-case letters or digits)", path, value=code)


# ----------------------------------------------------------------------------- units


def _measures(cert: m.Certificate) -> Iterator[tuple[str, m.Measure | None, str | None]]:
    """(path, measure, kind) for every measure; kind names the Rec 20 subset expected (None: any)."""
    for ip, item in item_level(cert):
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


def check_units(cert: m.Certificate, ck: Checker) -> None:
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
        subset = code_list(UNIT_SUBSETS[kind])
        if unit in subset:
            continue
        other = next((k for k, f in UNIT_SUBSETS.items() if k != kind and unit in code_list(f)), None)
        if other is not None:
            ck.add("RULE-UNIT", f"unit {code_list(UNIT_SUBSETS[other]).label(unit)} is a Rec 20 {other} unit "
                   f"({UNIT_SUBSETS[other].removesuffix('.xsd')}), not a {kind} unit", where, value=unit)
        else:
            ck.add("RULE-UNIT", f"unit {unit!r} is not in the Rec 20 {kind} subset consulted ({subset.title}: "
                   f"{', '.join(subset.names)}); the full Rec 20 list is not bundled", where, WARNING, unit)


# ------------------------------------------------------------------------ note subjects


def check_note_subjects(cert: m.Certificate, ck: Checker) -> None:
    def check(value: m.Code | m.Text | None, path: str, where: str) -> None:
        if blank(value):
            ck.add("RULE-NOTE-SUBJECT", f"{where} without an IPPC tag acronym", path.rsplit(".", 1)[0], WARNING)
            return
        code = value_text(value)
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
    for ip, item in item_level(cert):
        for j, note in enumerate(item.other_notes):
            check(note.subject, f"{ip}.other_notes[{j}].subject", "trade line item note")
        for j, cl in enumerate(item.other_classifications):
            check(cl.system_name, f"{ip}.other_classifications[{j}].system_name", "classification")
        for k, t in enumerate(item.treatments):
            for n, ch in enumerate(t.other_characteristics):
                check(ch.acronym, f"{ip}.treatments[{k}].other_characteristics[{n}].acronym",
                      "treatment characteristic")


# ---------------------------------------------------------------- replacement, re-export


def check_replacement(cert: m.Certificate, ck: Checker) -> None:
    rep, rules = cert.replacement, note_rules()["replacement"]
    present = [r.acronym for r in rules if notes_filled(getattr(rep, r.field))]
    if not present:
        return
    first = next(r.field for r in rules if r.acronym in present)
    anchor = f"replacement.{first}[0]"
    for r in rules:
        if r.acronym in present or r.if_missing not in ("error", "warning"):
            continue
        notes = getattr(rep, r.field)
        path = f"replacement.{r.field}[0]" if notes else anchor
        ck.add("RULE-REPLACEMENT", f"a replacement certificate ({', '.join(present)} present) has no {r.acronym} "
               f"note ({r.holds})", path, ERROR if r.if_missing == "error" else WARNING)
    number = next((r for r in rules if r.field == "replaced_certificate_number"), None)
    if number is not None and number.acronym in present and not blank(cert.id):
        replaced = {value_text(c) for n in rep.replaced_certificate_number for c in n.contents}
        if value_text(cert.id) in replaced:
            ck.add("RULE-REPLACEMENT", f"the replaced certificate number ({number.acronym}) is this certificate's own "
                   f"number {value_text(cert.id)!r}", "replacement.replaced_certificate_number[0]", WARNING,
                   value_text(cert.id))


def check_reexport(cert: m.Certificate, ck: Checker) -> None:
    if blank(cert.type_code):
        return
    rules = note_rules()["re-export"]
    core = [r.acronym for r in rules if r.if_missing == "core"]
    field_of = {r.acronym: r.field for r in rules}
    carried = []  # per item: acronyms with content
    for _, item in item_level(cert):
        carried.append([r.acronym for r in rules if notes_filled(getattr(item.re_export, r.field))])
    if cert.is_reexport:
        if not any(set(acs) & set(core) for acs in carried):
            ck.add("RULE-REEXPORT", "a re-export certificate (657) carries no re-export notes "
                   f"({', '.join(core)}) on any item", "items[0]" if cert.items else "items")
            return
        for (ip, _), acs in zip(item_level(cert), carried, strict=True):
            missing = [ac for ac in core if ac not in acs]
            if missing:
                ck.add("RULE-REEXPORT", f"re-export item without {', '.join(missing)}", ip, WARNING)
        return
    for (ip, _), acs in zip(item_level(cert), carried, strict=True):
        if acs:
            ck.add("RULE-REEXPORT", f"re-export notes {', '.join(acs)} on a certificate of type "
                   f"{value_text(cert.type_code)}, not 657 (re-export)", f"{ip}.re_export.{field_of[acs[0]]}[0]",
                   WARNING)
