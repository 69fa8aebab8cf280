"""Strategies for single values: texts, identifiers, codes, decimals, measures, quantities,
dates and binary attachments."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import date

from hypothesis import strategies as st

from ..reading import model as m
from .primitives import (
    ATTR,
    BOOL,
    COUNT_UNITS,
    DIGITS6,
    FRACTION,
    LANG,
    LANG_OR_NONE,
    LIST_IDS,
    LOCALE_RARELY,
    SIGN,
    TEN,
    THREE,
    UNITS,
    URI,
    cached,
    id_strings,
    iso_countries,
    one_of,
    optional,
    rarely,
    strings,
)


# ------------------------------------------------------------------------------ values
@cached
@st.composite
def texts(draw: st.DrawFn, max_size: int = 256, language: str | None = None, odd: bool = True) -> m.Text:
    """A :class:`~ephyto_dip.reading.model.Text`; ``languageID`` (and a locale) drawn unless ``language`` is given."""
    lang = language if language is not None else draw(LANG_OR_NONE)
    locale = draw(LOCALE_RARELY)
    return m.Text(value=draw(strings(max_size, odd)), language_id=lang, language_locale_id=locale)


@cached
@st.composite
def multilingual(draw: st.DrawFn, max_size: int, min_size: int = 1, max_count: int = 3) -> list[m.Text]:
    """Texts of one statement in several languages (each language once), or without languageID."""
    langs = draw(_unique_languages(min_size, max_count))
    if draw(BOOL):
        return [draw(texts(max_size, language=lang)) for lang in langs]
    return [draw(texts(max_size)) for _ in langs]


@cached
def _unique_languages(min_size: int, max_size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(LANG, min_size=min_size, max_size=max_size, unique=True)


@cached
@st.composite
def identifiers(draw: st.DrawFn, max_size: int = 35, scheme: bool = True) -> m.Identifier:
    """A :class:`~ephyto_dip.reading.model.Identifier`; ``scheme`` adds scheme attributes sometimes."""
    value = draw(id_strings(max_size))
    if not scheme or draw(THREE) < 2:  # (plain first: failures shrink to no attributes)
        return m.Identifier(value=value)
    return m.Identifier(
        value=value,
        scheme_id=draw(optional(one_of(("ISO_3166-1_alpha-2", "UN/LOCODE", "NPPO", "RUC")))),
        scheme_name=draw(optional(ATTR)),
        scheme_agency_id=draw(optional(one_of(("5", "6", "ZZZ")))),
        scheme_agency_name=draw(optional(ATTR)),
        scheme_version_id=draw(optional(one_of(("1", "2006", "D16B")))),
        scheme_data_uri=draw(optional(URI)),
        scheme_uri=draw(optional(URI)),
    )


@cached
@st.composite
def free_codes(draw: st.DrawFn, max_size: int = 35, values: Sequence[str] | None = None) -> m.Code:
    """A udt:CodeType code: any value, any list attributes."""
    value = draw(one_of(values) if values else id_strings(max_size))
    if draw(THREE) < 2:
        return m.Code(value=value)
    return m.Code(
        value=value,
        list_id=draw(optional(ATTR)),
        list_agency_id=draw(optional(one_of(("6", "5", "ZZZ")))),
        list_agency_name=draw(optional(ATTR)),
        list_name=draw(optional(ATTR)),
        list_version_id=draw(optional(one_of(("D16B", "2.10", "1")))),
        name=draw(optional(strings(40))),
        language_id=draw(LANG_OR_NONE),
        list_uri=draw(optional(URI)),
        list_scheme_uri=draw(optional(URI)),
    )


@cached
@st.composite
def list_codes(draw: st.DrawFn, values: Sequence[str], list_kind: str) -> m.Code:
    """A code of a qualified SPS code type: a listed value; list attributes only as the schema fixes them."""
    value = draw(one_of(values))
    if draw(THREE) < 2:
        return m.Code(value=value)
    list_id, version = LIST_IDS[list_kind]
    return m.Code(
        value=value,
        list_id=draw(rarely(st.just(list_id))),
        list_agency_id=draw(rarely(st.just("6"))),
        list_version_id=draw(rarely(st.just(version))),
        name=draw(optional(strings(60))),
    )


@cached
def acronym_codes(values: Sequence[str]) -> st.SearchStrategy[m.Code]:
    """A tag acronym (Subject, SystemName): only listVersionID 2.10 may be added."""
    return st.builds(m.Code, value=one_of(values), list_version_id=rarely(st.just("2.10")))


@cached
@st.composite
def decimal_strings(draw: st.DrawFn, int_digits: int = 10, frac_digits: int = 6, signed: bool = True) -> str:
    """xs:decimal lexical forms: ``10``, ``-0.5``, ``+.25``, ``7.``, ``0010.500``."""
    whole = str(draw(integers(0, 10**int_digits - 1)))
    frac = draw(DIGITS6)[:frac_digits]
    sign = draw(SIGN) if signed else ""
    form = draw(TEN)  # 0-5: plain (what failures shrink to); 6-9: the odd legal forms
    if form == 7 and frac:
        text = "." + frac  # no integer part
    elif form == 8:
        text = whole + "."  # a bare point
    elif form == 9 and len(whole) < int_digits:
        text = "00"[: int_digits - len(whole)] + whole + ("." + frac if frac else "")  # leading zeros
    else:
        text = whole + ("." + frac if frac else "")
    if form == 6:  # blanks around a decimal are legal (whitespace collapse) and kept as sent
        return f" {sign}{text}\n"
    return sign + text


@cached
def integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.integers(lo, hi)


@cached
@st.composite
def measures(draw: st.DrawFn, units: Sequence[str] = UNITS, signed: bool = True) -> m.Measure:
    """A :class:`~ephyto_dip.reading.model.Measure`: a decimal (≤16 digits, ≤6 decimals) with a Rec 20 unit."""
    unit = draw(one_of(units))
    return m.Measure(
        value=draw(decimal_strings(signed=signed)),
        unit_code=None if draw(TEN) == 9 else unit,
        unit_code_list_version_id=draw(rarely(st.just("21"))),
    )


@cached
@st.composite
def quantities(draw: st.DrawFn) -> m.Quantity:
    """A :class:`~ephyto_dip.reading.model.Quantity` (number of packages)."""
    return m.Quantity(
        value=draw(decimal_strings(signed=False)),
        unit_code=draw(optional(one_of(COUNT_UNITS))),
        unit_code_list_id=draw(rarely(st.just("Rec20"))),
        unit_code_list_agency_id=draw(rarely(st.just("6"))),
        unit_code_list_agency_name=draw(rarely(st.just("UN/ECE"))),
    )


DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
_HOURS, _MINUTES = st.integers(0, 23), st.integers(0, 59)
_ZONES = st.one_of(st.just("Z"), st.builds(lambda sg, zh, zm: f"{sg}{zh:02d}:{zm:02d}", st.sampled_from("+-"),
                                           st.integers(0, 14), st.sampled_from([0, 30, 45])))
# the ISO 8601 forms (and EDIFACT forms with their format code) the ISPM 12 date rule accepts …
_ISO_DATE_FORMS = ("date", "local", "zoned", "zoned", "frac", "frac_zoned", "minutes", "edifact102", "edifact204",
                   "padded")
# … and forms a DateTimeString carries verbatim that are not ISO 8601 (RULE-DATE refuses the blank
# for the T; it lets other scripts' digits through, but a receiver need not)
_LENIENT_DATE_FORMS = ("space", "other_digits")
_DATE_FORMS = {False: st.sampled_from(_ISO_DATE_FORMS), True: st.sampled_from(_ISO_DATE_FORMS + _LENIENT_DATE_FORMS)}
# ISO forms written in other scripts' digits: legal (DateTimeString is a string), not EDIFACT
_OTHER_DIGITS = st.sampled_from(["٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９", "०१२३४५६७८९"])


@cached
@st.composite
def date_time_strings(draw: st.DrawFn, lenient: bool = False) -> tuple[str, str | None]:
    """``(value, format)``: ISO 8601 in its usual forms, fractional seconds, EDIFACT 102/204.

    ``format`` is a UN/EDIFACT 2379 code when the value is written in that format, else None.
    ``lenient`` adds forms the DIP carries verbatim that are not ISO 8601 (``2024-01-31 10:00:00``,
    ISO written in other scripts' digits); certificates never use them.
    """
    day = draw(DATES).isoformat()
    clock = f"{draw(_HOURS):02d}:{draw(_MINUTES):02d}:{draw(_MINUTES):02d}"
    form = draw(_DATE_FORMS[lenient])
    if form == "edifact102":
        return day.replace("-", ""), "102"
    if form == "edifact204":
        return day.replace("-", "") + clock.replace(":", ""), "204"
    zone = draw(_ZONES) if "zoned" in form else ""
    frac = "." + draw(FRACTION) if "frac" in form else ""
    value = {
        "date": day,
        "local": f"{day}T{clock}",
        "zoned": f"{day}T{clock}{zone}",
        "frac": f"{day}T{clock}{frac}",
        "frac_zoned": f"{day}T{clock}{frac}{zone}",
        "minutes": f"{day}T{clock[:5]}",
        "space": f"{day} {clock}",
        "padded": f" {day} ",
        "other_digits": f"{day}T{clock}Z",
    }[form]
    if form == "other_digits":
        value = value.translate(str.maketrans("0123456789", draw(_OTHER_DIGITS)))
    return value, None


@cached
def date_times(lenient: bool = False) -> st.SearchStrategy[m.DateTime]:
    """A :class:`~ephyto_dip.reading.model.DateTime` (see :func:`date_time_strings`)."""
    return date_time_strings(lenient).map(lambda vf: m.DateTime(value=vf[0], format=vf[1]))


DATE_VALUES = date_time_strings().map(lambda vf: vf[0])
_BINARY = st.binary(min_size=1, max_size=300)
_FILENAMES = st.sampled_from(["TestPdf.pdf", "Carta de autorización.pdf", "a&b <c>.png", "letter of authority.pdf"])


@cached
@st.composite
def binaries(draw: st.DrawFn) -> m.Binary:
    """An attachment: base64 of some bytes, sometimes wrapped in lines, with file attributes."""
    text = base64.b64encode(draw(_BINARY)).decode("ascii")
    if draw(BOOL):
        text = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    return m.Binary(
        value=text,
        format=draw(optional(one_of(("PDF", "image/png")))),
        mime_code=draw(optional(one_of(("application/pdf", "image/png", "text/plain")))),
        encoding_code=draw(rarely(st.just("Base64"))),
        character_set_code=draw(rarely(st.just("UTF-8"))),
        uri=draw(rarely(URI)),
        filename=draw(optional(_FILENAMES)),
    )


@cached
def country_codes() -> st.SearchStrategy[str]:
    """ISO 3166-1 alpha-2 codes (the SPS 17 list), e.g. ``NO`` — which is not a boolean."""
    return st.one_of(st.sampled_from(("NO", "EC", "BO", "AR", "CO", "PE", "NL", "US", "CN", "KE")),
                     st.sampled_from(iso_countries()))
