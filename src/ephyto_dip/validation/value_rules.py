"""ISPM 12 rules on values: NULL placeholders, dates, base64 attachments, decimals, WCO formats."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import sys
from typing import TYPE_CHECKING

from ..findings import WARNING
from .checker import Checker, item_level, note_texts, value_text
from .mandatory import blank

if TYPE_CHECKING:
    from ..mapping.table import Table
    from ..reading import model as m

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_ISO_DATE = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:T(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
    r"(?P<tz>Z|[+-](?P<tzh>\d{2}):(?P<tzm>\d{2}))?"
)
_EDIFACT_FORMATS = {"102": re.compile(r"\d{8}"), "203": re.compile(r"\d{12}"), "204": re.compile(r"\d{14}")}


# -------------------------------------------------- values: NULL, dates, base64, decimals


def check_wco_formats(values: list[tuple[str, m.Value]], table: Table | None, ck: Checker) -> None:
    from ..mapping.formats import too_long

    for path, v, row, what in too_long(values, table):
        ck.add("DIP-FORMAT-WIDER", f"{what} (WCO {row['wco_id']} {row['wco_name']}); the DIP carries it whole "
               f"as {row['dip_format']} and never cuts it", path, WARNING, v.value[:40])


def check_values(cert: m.Certificate, values: list[tuple[str, m.Value]], ck: Checker) -> None:
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
            problem = _date_problem(text, v.format)  # type: ignore[attr-defined]  # a DateTime, known by name
            if problem:
                ck.add("RULE-DATE", problem, path, value=text)
        elif cls == "Binary":
            problem = _base64_problem(v.value)
            if problem:
                filename = v.filename  # type: ignore[attr-defined]  # a Binary, known by name
                label = f"attachment {filename!r}" if filename else "attachment"
                ck.add("RULE-BASE64", f"{label} is not valid base64: {problem}", path, value=_preview(text))
        elif cls in ("Measure", "Quantity", "Numeric") and not _DECIMAL.fullmatch(text):
            ck.add("RULE-DECIMAL", f"{text!r} is not a decimal number", path, value=text)
    _negative_amounts(cert, ck)
    _note_values(cert, ck)


def _note_values(cert: m.Certificate, ck: Checker) -> None:
    """Notes the ePhyto guide types: dates (ADDIEDL, ADDITLIL, ADRD), decimals (OQV)."""
    dated = [("inspection_dates", "ADDIEDL", cert.inspection_dates),
             ("replacement.replaced_issue_date", "ADRD", cert.replacement.replaced_issue_date)]
    for ip, item in item_level(cert):
        dated.append((f"{ip}.inspection_dates", "ADDITLIL", item.inspection_dates))
    for base, acronym, notes in dated:
        for path, c in note_texts(notes, base):
            text = c.value.strip()
            if blank(c):
                continue
            problem = _date_problem(text, None)
            if problem:  # the schema types notes as text: a warning, the date is still readable by a person
                ck.add("RULE-DATE", f"{acronym} note should hold a date: {problem}", path, WARNING, text)
    for ip, item in item_level(cert):
        for path, c in note_texts(item.other_quantity_values, f"{ip}.other_quantity_values"):
            text = c.value.strip()
            if not blank(c) and not _DECIMAL.fullmatch(text):
                ck.add("RULE-DECIMAL", f"OQV note (other quantity) {text!r} is not a decimal number", path, WARNING,
                       text)


def _negative_amounts(cert: m.Certificate, ck: Checker) -> None:
    """Weights, volumes, package counts and durations cannot be negative (temperatures can)."""
    for ip, item in item_level(cert):
        amounts = [(f"{ip}.{f}", getattr(item, f))
                   for f in ("net_weight", "gross_weight", "net_volume", "gross_volume")]
        amounts += [(f"{ip}.packages[{j}].quantity", p.quantity) for j, p in enumerate(item.packages)]
        amounts += [(f"{ip}.treatments[{k}].duration", t.duration) for k, t in enumerate(item.treatments)]
        for path, v in amounts:
            text = value_text(v)
            if _DECIMAL.fullmatch(text) and float(text) < 0:
                ck.add("RULE-DECIMAL", f"{text} is negative", path, WARNING, text)


def _date_problem(text: str, fmt: str | None) -> str | None:
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


def _base64_problem(raw: str) -> str | None:
    compact = "".join(raw.split())
    if len(compact) % 4:  # (never valid: the usual fault, a truncated attachment)
        return f"{len(compact)} characters, not a multiple of 4 (truncated?)"
    try:
        _strict_base64(compact)
    except (binascii.Error, ValueError) as exc:
        return str(exc)
    return None


def _strict_base64(text: str) -> None:
    # Python 3.11's strict decoder checks the alphabet and the padding in one C pass; before it,
    # b64decode(validate=True) runs a regular expression over the text first
    if sys.version_info >= (3, 11):
        binascii.a2b_base64(text, strict_mode=True)
    else:  # pragma: no cover - Python 3.10
        base64.b64decode(text, validate=True)


def _preview(text: str) -> str:
    return text if len(text) <= 40 else text[:40] + "…"
