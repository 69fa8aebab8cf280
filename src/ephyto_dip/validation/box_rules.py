"""ISPM 12 rules on boxes and codes: mandatory boxes, type and status, countries, transport modes,
package types, units, note acronyms, replacement and re-export notes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import ERROR, WARNING
from ..reading.doctypes import ephyto_types, ephyto_types_text
from .checker import Checker, item_level, notes_filled, value_text
from .code_lists import (
    COUNTRIES,
    DOCUMENT_NAMES,
    PACKAGE_TYPES,
    STATUS_FUNCTIONS,
    STATUSES,
    TAG_ACRONYMS,
    TRANSPORT_MODES,
    CodeList,
    code_list,
    value_lists,
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


def _codes(cert: m.Certificate, name: str) -> tuple[CodeList, Iterator[tuple[str, str]]]:
    """The code list ``name`` and ``(model path, code)`` of every filled field it checks."""
    lists = value_lists()
    found = ((path, value_text(v)) for path, v, _, _ in lists.values(cert, (name,)) if not blank(v))
    return lists.code_list(name), found


def check_countries(cert: m.Certificate, ck: Checker) -> None:
    countries, found = _codes(cert, COUNTRIES)
    for path, code in found:
        if code in countries:
            continue
        upper = code.upper()
        hint = f" (ISO codes are upper case: {upper})" if upper != code and upper in countries else ""
        ck.add("RULE-COUNTRY", f"{code!r} is not an ISO 3166-1 alpha-2 country code{hint}", path, value=code)


def check_transport_modes(cert: m.Certificate, ck: Checker) -> None:
    modes, found = _codes(cert, TRANSPORT_MODES)
    for path, code in found:
        if code not in modes:
            ck.add("RULE-TRANSPORT-MODE", f"transport mode {code!r} is not a UN/ECE Rec 19 code (0-9, "
                   f"{modes.title})", path, value=code)


def check_package_types(cert: m.Certificate, ck: Checker) -> None:
    packages, found = _codes(cert, PACKAGE_TYPES)
    for path, code in found:
        if code in packages:
            continue
        if _REC21.fullmatch(code):  # later Rec 21 revisions added codes: cannot rule it out
            ck.add("RULE-PACKAGE-TYPE", f"package type {code!r} is not in the bundled UN/ECE Rec 21 list "
                   f"({packages.title}); it may be from a later revision", path, WARNING, code)
        else:
            ck.add("RULE-PACKAGE-TYPE", f"package type {code!r} is not a UN/ECE Rec 21 code "
                   "(two upper-case letters or digits)", path, value=code)


# ----------------------------------------------------------------------------- units


def check_units(cert: m.Certificate, ck: Checker) -> None:
    """Every measure of ``mappings/value-lists.tsv``: a Rec 20 unit, of its kind's subset where one is bundled."""
    lists = value_lists()
    kinds = lists.unit_kinds
    for path, measure, name, _ in lists.values(cert, lists.unit_lists):
        if blank(measure):
            continue
        kind = name.partition(":")[2] or None
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
        if kind is None or kind not in kinds:  # no subset to hold it against (e.g. concentration)
            continue
        listed = lists.code_list(kinds[kind])
        if unit in listed:
            continue
        other = next((k for k, n in kinds.items() if k != kind and unit in lists.code_list(n)), None)
        if other is not None:
            subset = lists.code_list(kinds[other])
            ck.add("RULE-UNIT", f"unit {subset.label(unit)} is a Rec 20 {other} unit ({subset.title}), not a "
                   f"{kind} unit", where, value=unit)
        else:
            ck.add("RULE-UNIT", f"unit {unit!r} is not in the Rec 20 {kind} subset consulted ({listed.title}: "
                   f"{', '.join(listed.names)}); the full Rec 20 list is not bundled", where, WARNING, unit)


# ------------------------------------------------------------------------ note subjects


def check_note_subjects(cert: m.Certificate, ck: Checker) -> None:
    lists = value_lists()
    acronyms = lists.code_list(TAG_ACRONYMS)
    for path, value, _, where in lists.values(cert, (TAG_ACRONYMS,), missing=True):
        if value is None or blank(value):
            ck.add("RULE-NOTE-SUBJECT", f"{where} without an IPPC tag acronym", path.rsplit(".", 1)[0], WARNING)
            continue
        code = value_text(value)
        if code in acronyms:
            ck.add("RULE-NOTE-SUBJECT", f"{acronyms.label(code)} is an IPPC tag acronym, but not one used on {where}s",
                   path, WARNING, code)
        else:
            hint = f" (did you mean {code.upper()}?)" if code != code.upper() and code.upper() in acronyms else ""
            ck.add("RULE-NOTE-SUBJECT", f"{code!r} on a {where} is not an IPPC tag acronym "
                   f"({acronyms.title}){hint}", path, WARNING, code)


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
