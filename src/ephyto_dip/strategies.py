"""Hypothesis strategies for valid ISPM 12 certificates, for testing systems that take ePhyto.

Every :class:`~ephyto_dip.model.Certificate` these strategies draw is *valid*: written with
:func:`ephyto_dip.to_ephyto` it passes the SPSCertificate 17 schema, written with
:func:`ephyto_dip.to_dip` it passes the ePhyto DIP schema, ``ephyto_dip.validate`` finds no error
in either (the ISPM 12 mandatory boxes are filled — issuer, exporter, consignee, officer,
certifying statement, and per item the name of produce, botanical name, place of origin and a net
weight or volume — codes are on their lists, units of the right Rec 20 kind, dates ISO 8601), and
either document reads back to the same certificate. Warnings may come (a Rec 20 unit outside the
bundled subset, an other note's acronym, a ``NULL`` in an optional text). Within that, they go
out of their way to be awkward: export (851), re-export (657, with RPC* notes) and replacement
certificates (ADRP/ADRPN/ADRPR/ADRD), withdrawn
(status 40) ones, many items, several treatments with every characteristic kind,
containers and seals, texts in several languages (``languageID``) with non-ASCII and XML-special
characters (``& < > " '``), leading/trailing spaces, internal newlines and texts as long as the DIP
allows, numbers in every legal decimal form, and dates as ``YYYY-MM-DD``, local or zoned date-times,
fractional seconds and other forms the DIP carries verbatim.

A single-window team can test its own import with them::

    from hypothesis import given, settings

    import ephyto_dip as ed
    from ephyto_dip import strategies as eds

    @settings(max_examples=200, deadline=None)
    @given(eds.certificates(kind="reexport"))
    def test_our_import_takes_every_valid_reexport_certificate(cert):
        xml = ed.serialize(ed.to_ephyto(cert))      # or ed.to_dip(cert) for the DIP
        record = our_system.import_phyto(xml)       # your code
        assert record.number == cert.number
        assert len(record.lines) == len(cert.items)

Public strategies (each returns a hypothesis ``SearchStrategy``):

* :func:`certificates` -- whole certificates; ``kind`` one of :data:`KINDS` (``None``: any).
* :func:`certificates_breaking` -- certificates that break one ISPM 12 rule (a finding code of
  :data:`BREAKABLE_RULES`) and fail ``validate`` with that code only, for negative tests.
* :func:`items` -- trade line items; :func:`treatments`; :func:`notes`; :func:`parties`.
* :func:`countries` (a :class:`~ephyto_dip.model.Country`), :func:`country_codes` (ISO 3166-1 str).
* :func:`texts` (:class:`~ephyto_dip.model.Text` with ``languageID``), :func:`strings` (plain str).
* :func:`identifiers`, :func:`measures`, :func:`quantities`, :func:`date_times`,
  :func:`date_time_strings`, :func:`binaries`, :func:`hub_envelopes`.

Lengths follow the DIP formats of the mapping table (``wco_format``: ``an..70`` is at most 70
characters), so the strategies keep step with the table. This module imports hypothesis;
``import ephyto_dip`` does not import this module.
"""

from __future__ import annotations

import base64
import functools
import re
from datetime import date
from functools import lru_cache
from typing import Optional

from hypothesis import strategies as st
from lxml import etree

from . import model as m
from .resources import resource_path

__all__ = [
    "BREAKABLE_RULES",
    "KINDS",
    "binaries",
    "certificates",
    "certificates_breaking",
    "countries",
    "country_codes",
    "date_time_strings",
    "date_times",
    "hub_envelopes",
    "identifiers",
    "items",
    "measures",
    "notes",
    "parties",
    "quantities",
    "strings",
    "texts",
    "treatments",
]

#: certificate kinds :func:`certificates` knows: type 851/657, status 70/40, replacement notes
#: (status 44 "replaced" describes the old certificate; no DIP states it, see status-function.tsv)
KINDS = ("export", "reexport", "replacement", "withdrawn")

# ------------------------------------------------------------------------------ code values
# Values below are members of the SPS 17 code lists (checked by the schema in the tests);
# a few realistic ones each, not the whole lists.
STATUS_CODES = ("70", "40")  # the only statuses with a DIP message function (status-function.tsv)
PARTY_ROLES = ("CZ", "CN", "EX", "IM", "ZZZ", "AE", "FW")
ADDRESS_TYPES = ("1", "2", "3")
GOVERNMENT_ACTIONS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
REFERENCE_TYPES = ("AWR", "ZZZ", "AAA", "ACE", "AAL")
REFERENCED_DOCUMENT_TYPES = ("851", "657", "916", "1", "43")
LOCATION_FUNCTIONS = ("1", "2", "5", "ZZZ")
TRANSPORT_MODES = tuple(str(i) for i in range(10))
CARGO_TYPES = tuple(str(i) for i in range(1, 25))
PACKAGE_TYPES = ("BX", "BG", "CT", "PK", "43", "1A", "PL", "CR", "BE")
PROCESS_TYPES = ("ZZZ", "1", "2", "43")
MEASURED_ATTRIBUTES = ("A", "AAA", "AAB", "ZZZ")
UNITS = ("KGM", "TNE", "GRM", "LBR", "MTQ", "LTR", "DMQ", "HUR", "MIN", "DAY", "CEL", "FAH", "P1", "GL", "H87")
COUNT_UNITS = ("H87", "C62", "NAR", "BX")
LANGUAGES = ("en", "es", "fr", "pt", "de", "nb", "zh", "ar", "ru", "ja")
LOCALES = ("en-GB", "es-EC", "fr-CA", "pt-BR", "zh-Hans")
# qualified SPS code types fix their list attributes: (listID, listVersionID); listAgencyID is 6
_LIST_IDS = {
    "document": ("1001", "D16B"),
    "status": ("4405", "D16B"),
    "party_role": ("3035", "D16B"),
    "address_type": ("3131", "D16B"),
    "government_action": ("9417", "D16B"),
    "reference": ("1153_ReferenceTypeCode", "D16B"),
    "location_function": ("3227", "D16B"),
    "transport_mode": ("Recommendation 19", "2"),
    "cargo": ("7085", "D16B"),
    "package": ("7065", "2006"),
    "process": ("7187", "D16B"),
    "measured_attribute": ("6313", "D16B"),
}

# ------------------------------------------------------------------------------ characters
_WORDS = (
    "Pinus radiata", "madera aserrada", "ÁRBOLES", "Ñuñoa", "café", "Äpfel", "Łódź", "crème brûlée", "Ørsta",
    "苹果", "木材", "تفاح", "яблоки", "Ελλάδα", "सेब", "🍎", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "N° 18", "100 %", "½ kg",
    "R&D", "<b>bold</b>", "a < b > c", '"quoted"', "it's", "]]>", "&amp;", "&#233;", "<!-- x -->",
    "<![CDATA[x]]>", "NULL", "851", "TTL1", "ADEDL", "true", "0",
)
# XML 1.0 characters only: no controls, surrogates, private use or non-characters (U+FFFE …)
_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co"))
_PADDING = ("", "", "", "", "", "", " ", "  ", "\n", "\t ", " \n ")
_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _cached(factory):
    """Build each strategy once and reuse it: hypothesis validates every new strategy object,
    which made building them inside draws the bulk of the run time. Lists given as arguments
    count as tuples (so callers may pass either)."""
    cached = lru_cache(maxsize=None)(factory)

    @functools.wraps(factory)
    def get(*args, **kwargs):
        args = tuple(tuple(a) if isinstance(a, list) else a for a in args)
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        return cached(*args, **kwargs)

    return get


@_cached
def _optional(strategy):
    return st.none() | strategy


@_cached
def _rarely(strategy, default=None):
    """``default`` most of the time, sometimes a draw from ``strategy``."""
    return st.one_of(st.just(default), st.just(default), st.just(default), strategy)


@_cached
def _one_of(values: tuple):
    return st.sampled_from(values)


def _lists(strategy, min_size: int = 0, max_size: int = 2):
    return _lists_cached(strategy, min_size, max_size)


@_cached
def _lists_cached(strategy, min_size, max_size):
    if min_size > 0:
        return st.lists(strategy, min_size=min_size, max_size=max_size)
    # optional lists are mostly empty: a certificate with every list filled everywhere is slow to
    # draw and no better a test; across examples every list is filled often enough
    return st.one_of(_EMPTY_LIST, _EMPTY_LIST, st.lists(strategy, min_size=1, max_size=max_size))


_EMPTY_LIST = st.builds(list)
_TEN = st.integers(0, 9)
_THREE = st.integers(0, 2)
_BOOL = st.booleans()
_LANG = st.sampled_from(LANGUAGES)
_LANG_OR_NONE = st.sampled_from((None,) + LANGUAGES)
_LOCALE_RARELY = st.sampled_from((None,) * 12 + LOCALES)
_WORD = st.one_of(st.sampled_from(_WORDS), st.text(_CHARS, min_size=1, max_size=12))
_FIRST_WORD = _WORD.filter(lambda s: s.strip())
# the rest of a text, in one draw: any characters, with blanks, tabs, CR/LF, NEL, the line
# separator, no-break and ideographic spaces, and the characters XML escapes thrown in
_TAIL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn", "Co"),
                               include_characters="\n\r\t &<>\"'\x7f\x85\xa0\u2028\u3000"), max_size=40)
_PADDINGS = st.sampled_from([(lead, trail) for lead in _PADDING for trail in _PADDING])
_PLAIN_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-",
                      min_size=1, max_size=20).filter(lambda s: s.strip())
_ID_CORE = st.text(_ID_CHARS, min_size=1, max_size=12)
_ID_MORE = st.lists(st.tuples(st.sampled_from("-/. "), st.text(_ID_CHARS, min_size=1, max_size=8)), max_size=3)
_ID_ODDITY = st.sampled_from(["word", "lead", "trail", "newline"])
_SIGN = st.sampled_from(["", "", "", "-", "+"])
_DIGITS6 = st.text("0123456789", max_size=6)
_FRACTION = st.text("0123456789", min_size=1, max_size=6)
_ATTR = st.one_of(st.text(_ID_CHARS + "abcdefghij _-.", min_size=1, max_size=20).filter(str.strip),
                  st.sampled_from(["NationalRegistrationNumber", "Número de registro", "a&b <c> \"d\" 'e'", ""]))
_URI = st.sampled_from(["https://www.ippc.int/en/ephyto/", "urn:un:unece:uncefact:codelist:standard:6:1001",
                        "https://example.org/list?a=1&b=2", "urn:ephyto-dip:test"])
_BOOLEAN_TEXT = st.sampled_from(["true", "false", "True", "False", "FALSE"])


# ------------------------------------------------------------------------------ tag acronyms
# a row claims a tag acronym by a predicate on its ePhyto path: a note's Subject, a treatment
# characteristic's Description, a classification's SystemName
_CLAIMED = re.compile(r"\[ram:(Subject|Description|SystemName)='([^']+)'\]")


@lru_cache(maxsize=None)
def _claimed_acronyms(element: str, item_level: bool) -> frozenset[str]:
    """Tag acronyms the table's rows claim on ``element``, at item or at document level."""
    from .mapping.table import load_table

    return frozenset(code for r in load_table().rows for el, code in _CLAIMED.findall(r["ephyto_path"])
                     if el == element and r.field.startswith("items[]") == item_level)


@lru_cache(maxsize=None)
def _unclaimed_acronyms(element: str, item_level: bool) -> tuple[str, ...]:
    """The IPPC tag acronyms (INTERCOM list) no row claims there: what an other note or
    classification may use without being read as a row's field."""
    from .rules import TAG_ACRONYMS, code_list

    claimed = _claimed_acronyms(element, item_level)
    return tuple(sorted(a for a in code_list(TAG_ACRONYMS).names if a not in claimed))


# ------------------------------------------------------------------------------ table formats
@lru_cache(maxsize=1)
def _formats() -> dict[str, str]:
    from .mapping.table import load_table

    return {r.field: r.format_in_dip for r in load_table().rows}


def _max_len(field: str, default: int = 35) -> int:
    """The DIP maximum length of a table field (``an..70`` → 70); ``default`` if it has none."""
    formats = _formats()
    if field not in formats:  # the strategies and the table are out of step
        raise KeyError(f"ephyto_dip.strategies: no table row for field {field!r}")
    mt = re.search(r"(\d+)", formats[field])
    return int(mt.group(1)) if mt else default


@lru_cache(maxsize=None)
def _units(kind: str) -> tuple[str, ...]:
    """The Rec 20 units of one kind (weight, volume, duration, temperature, length) that ISPM 12
    validation checks measures of that kind against: the bundled UN/CEFACT subsets."""
    from .rules import UNIT_SUBSETS, code_list

    return tuple(code_list(UNIT_SUBSETS[kind]).names)


@lru_cache(maxsize=1)
def _iso_countries() -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes, as enumerated by the bundled SPS 17 identifier list."""
    path = resource_path("schemas", "ephyto", "cfe-xsd", "identifierlist", "standard",
                         "ISO_ISOTwo-letterCountryCode_SecondEdition2006.xsd")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.parse(str(path), parser).getroot()
    codes = root.xpath("//xsd:enumeration/@value", namespaces={"xsd": "http://www.w3.org/2001/XMLSchema"})
    return tuple(sorted(set(codes)))


# ------------------------------------------------------------------------------ strings
@_cached
@st.composite
def strings(draw, max_size: int = 256, odd: bool = True) -> str:
    """A non-blank string of at most ``max_size`` characters.

    ``odd`` adds what real certificates contain and careless code breaks on: non-ASCII and
    astral characters, ``& < > " '``, leading/trailing blanks, internal newlines and tabs, and
    (sometimes) a text as long as ``max_size`` allows.
    """
    if not odd:
        return draw(_PLAIN_WORD)[:max_size].strip() or "x"
    # few draws per string: a string costs hypothesis one choice, however long
    body = draw(_FIRST_WORD) + draw(_TAIL)
    if draw(_TEN) == 9:  # a long text: up to the limit (9, not 0: failures shrink to short texts)
        target = draw(_one_of(tuple(sorted({max_size, max(1, max_size // 2), min(max_size, 1000)}))))
        body = ((body + " ") * (target // (len(body) + 1) + 1))[:target]
    lead, trail = draw(_PADDINGS)
    text = (lead + body + trail)[:max_size]
    if not text.strip():  # the padding took all the room
        text = body.strip()[:max_size]
    return text


@_cached
@st.composite
def _id_strings(draw, max_size: int = 35) -> str:
    """Identifier-like: mostly ``ABC-123/45``, sometimes with odd characters or blanks."""
    core = draw(_ID_CORE)
    text = core + "".join(a + b for a, b in draw(_ID_MORE))
    if draw(_TEN) > 6:
        oddity = draw(_ID_ODDITY)
        if oddity == "word":
            text = text + " " + draw(_FIRST_WORD)
        elif oddity == "lead":
            text = " " + text
        elif oddity == "trail":
            text = text + " "
        else:
            text = text.replace(" ", "\n")
    text = text[:max_size]
    return text if text.strip() else core[:max_size]


# ------------------------------------------------------------------------------ values
@_cached
@st.composite
def texts(draw, max_size: int = 256, language: Optional[str] = None, odd: bool = True) -> m.Text:
    """A :class:`~ephyto_dip.model.Text`; ``languageID`` (and a locale) drawn unless ``language`` is given."""
    lang = language if language is not None else draw(_LANG_OR_NONE)
    locale = draw(_LOCALE_RARELY)
    return m.Text(value=draw(strings(max_size, odd)), language_id=lang, language_locale_id=locale)


@_cached
@st.composite
def _multilingual(draw, max_size: int, min_size: int = 1, max_count: int = 3) -> list[m.Text]:
    """Texts of one statement in several languages (each language once), or without languageID."""
    langs = draw(_unique_languages(min_size, max_count))
    if draw(_BOOL):
        return [draw(texts(max_size, language=lang)) for lang in langs]
    return [draw(texts(max_size)) for _ in langs]


@_cached
def _unique_languages(min_size, max_size):
    return st.lists(_LANG, min_size=min_size, max_size=max_size, unique=True)


@_cached
@st.composite
def identifiers(draw, max_size: int = 35, scheme: bool = True) -> m.Identifier:
    """A :class:`~ephyto_dip.model.Identifier`; ``scheme`` adds scheme attributes sometimes."""
    value = draw(_id_strings(max_size))
    if not scheme or draw(_THREE) < 2:  # (plain first: failures shrink to no attributes)
        return m.Identifier(value=value)
    return m.Identifier(
        value=value,
        scheme_id=draw(_optional(_one_of(("ISO_3166-1_alpha-2", "UN/LOCODE", "NPPO", "RUC")))),
        scheme_name=draw(_optional(_ATTR)),
        scheme_agency_id=draw(_optional(_one_of(("5", "6", "ZZZ")))),
        scheme_agency_name=draw(_optional(_ATTR)),
        scheme_version_id=draw(_optional(_one_of(("1", "2006", "D16B")))),
        scheme_data_uri=draw(_optional(_URI)),
        scheme_uri=draw(_optional(_URI)),
    )


@_cached
@st.composite
def _free_codes(draw, max_size: int = 35, values: Optional[tuple] = None) -> m.Code:
    """A udt:CodeType code: any value, any list attributes."""
    value = draw(_one_of(values) if values else _id_strings(max_size))
    if draw(_THREE) < 2:
        return m.Code(value=value)
    return m.Code(
        value=value,
        list_id=draw(_optional(_ATTR)),
        list_agency_id=draw(_optional(_one_of(("6", "5", "ZZZ")))),
        list_agency_name=draw(_optional(_ATTR)),
        list_name=draw(_optional(_ATTR)),
        list_version_id=draw(_optional(_one_of(("D16B", "2.10", "1")))),
        name=draw(_optional(strings(40))),
        language_id=draw(_LANG_OR_NONE),
        list_uri=draw(_optional(_URI)),
        list_scheme_uri=draw(_optional(_URI)),
    )


@_cached
@st.composite
def _list_codes(draw, values: tuple, list_kind: str) -> m.Code:
    """A code of a qualified SPS code type: a listed value; list attributes only as the schema fixes them."""
    value = draw(_one_of(values))
    if draw(_THREE) < 2:
        return m.Code(value=value)
    list_id, version = _LIST_IDS[list_kind]
    return m.Code(
        value=value,
        list_id=draw(_rarely(st.just(list_id))),
        list_agency_id=draw(_rarely(st.just("6"))),
        list_version_id=draw(_rarely(st.just(version))),
        name=draw(_optional(strings(60))),
    )


@_cached
def _acronym_codes(values: tuple):
    """A tag acronym (Subject, SystemName): only listVersionID 2.10 may be added."""
    return st.builds(m.Code, value=_one_of(values), list_version_id=_rarely(st.just("2.10")))


@_cached
@st.composite
def _decimal_strings(draw, int_digits: int = 10, frac_digits: int = 6, signed: bool = True) -> str:
    """xs:decimal lexical forms: ``10``, ``-0.5``, ``+.25``, ``7.``, ``0010.500``."""
    whole = str(draw(_integers(0, 10**int_digits - 1)))
    frac = draw(_DIGITS6)[:frac_digits]
    sign = draw(_SIGN) if signed else ""
    form = draw(_TEN)  # 0-5: plain (what failures shrink to); 6-9: the odd legal forms
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


@_cached
def _integers(lo, hi):
    return st.integers(lo, hi)


@_cached
@st.composite
def measures(draw, units: tuple = UNITS, signed: bool = True) -> m.Measure:
    """A :class:`~ephyto_dip.model.Measure`: a decimal (≤16 digits, ≤6 decimals) with a Rec 20 unit."""
    unit = draw(_one_of(units))
    return m.Measure(
        value=draw(_decimal_strings(signed=signed)),
        unit_code=None if draw(_TEN) == 9 else unit,
        unit_code_list_version_id=draw(_rarely(st.just("21"))),
    )


@_cached
@st.composite
def quantities(draw) -> m.Quantity:
    """A :class:`~ephyto_dip.model.Quantity` (number of packages)."""
    return m.Quantity(
        value=draw(_decimal_strings(signed=False)),
        unit_code=draw(_optional(_one_of(COUNT_UNITS))),
        unit_code_list_id=draw(_rarely(st.just("Rec20"))),
        unit_code_list_agency_id=draw(_rarely(st.just("6"))),
        unit_code_list_agency_name=draw(_rarely(st.just("UN/ECE"))),
    )


_DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2099, 12, 31))
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


@_cached
@st.composite
def date_time_strings(draw, lenient: bool = False) -> tuple[str, Optional[str]]:
    """``(value, format)``: ISO 8601 in its usual forms, fractional seconds, EDIFACT 102/204.

    ``format`` is a UN/EDIFACT 2379 code when the value is written in that format, else None.
    ``lenient`` adds forms the DIP carries verbatim that are not ISO 8601 (``2024-01-31 10:00:00``,
    ISO written in other scripts' digits); certificates never use them.
    """
    day = draw(_DATES).isoformat()
    clock = f"{draw(_HOURS):02d}:{draw(_MINUTES):02d}:{draw(_MINUTES):02d}"
    form = draw(_DATE_FORMS[lenient])
    if form == "edifact102":
        return day.replace("-", ""), "102"
    if form == "edifact204":
        return day.replace("-", "") + clock.replace(":", ""), "204"
    zone = draw(_ZONES) if "zoned" in form else ""
    frac = "." + draw(_FRACTION) if "frac" in form else ""
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


@_cached
def date_times(lenient: bool = False):
    """A :class:`~ephyto_dip.model.DateTime` (see :func:`date_time_strings`)."""
    return date_time_strings(lenient).map(lambda vf: m.DateTime(value=vf[0], format=vf[1]))


_DATE_VALUES = date_time_strings().map(lambda vf: vf[0])
_BINARY = st.binary(min_size=1, max_size=300)
_FILENAMES = st.sampled_from(["TestPdf.pdf", "Carta de autorización.pdf", "a&b <c>.png", "letter of authority.pdf"])


@_cached
@st.composite
def binaries(draw) -> m.Binary:
    """An attachment: base64 of some bytes, sometimes wrapped in lines, with file attributes."""
    text = base64.b64encode(draw(_BINARY)).decode("ascii")
    if draw(_BOOL):
        text = "\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    return m.Binary(
        value=text,
        format=draw(_optional(_one_of(("PDF", "image/png")))),
        mime_code=draw(_optional(_one_of(("application/pdf", "image/png", "text/plain")))),
        encoding_code=draw(_rarely(st.just("Base64"))),
        character_set_code=draw(_rarely(st.just("UTF-8"))),
        uri=draw(_rarely(_URI)),
        filename=draw(_optional(_FILENAMES)),
    )


@_cached
def country_codes():
    """ISO 3166-1 alpha-2 codes (the SPS 17 list), e.g. ``NO`` — which is not a boolean."""
    return st.one_of(st.sampled_from(("NO", "EC", "BO", "AR", "CO", "PE", "NL", "US", "CN", "KE")),
                     st.sampled_from(_iso_countries()))


# ------------------------------------------------------------------------------ groups
def _group(cls, required: dict, optional: dict, min_optional: int = 0, max_optional: Optional[int] = None,
           fix=None):
    """A model built from ``required`` fields and a drawn subset of ``optional`` ones.

    Drawing which optional fields are present (one set) rather than each field's absence keeps a
    certificate cheap to draw and lets hypothesis shrink a failure to the fields that matter.
    Optional values are never empty: an empty group or list is not written, so would not come back.
    ``fix(obj, draw)`` mends a drawn model where fields depend on each other.
    """
    names = tuple(optional)
    limit = len(names) if max_optional is None else max_optional
    pick = st.sets(st.sampled_from(names), min_size=min_optional, max_size=limit) if names else st.just(set())

    @st.composite
    def build(draw):
        values = {k: draw(v) for k, v in required.items()}
        for k in sorted(draw(pick), key=names.index):
            values[k] = draw(optional[k])
        obj = cls(**values)
        return fix(obj, draw) if fix else obj

    return build()


def _some(strategy, max_size: int = 2):
    """A non-empty list."""
    return _lists(strategy, 1, max_size)


def _text(at: str, default: int = 256):
    return texts(_max_len(at, default))


def _filled(value: m.Value) -> bool:
    """Neither blank nor the NULL placeholder: what ISPM 12 validation takes as a filled box."""
    return value.value.strip().upper() not in ("", "NULL")


@_cached
def _box_text(at: str):
    """A text for a mandatory ISPM 12 box (name of exporter, botanical name …): never NULL."""
    return _text(at).filter(_filled)


def _ident(at: str):
    return identifiers(_max_len(at))


@_cached
def countries(at: str = "export_country", max_names: int = 2):
    """A :class:`~ephyto_dip.model.Country` with its ISO code, and maybe names and subdivisions.

    ``at`` is the table field the country is for (its DIP formats apply).
    """
    ident = st.builds(m.Identifier, value=country_codes(), scheme_agency_id=_rarely(st.just("5")),
                      scheme_version_id=_rarely(st.just("second edition 2006")))
    return _group(m.Country, {"id": ident},
                  {"names": _some(_text(f"{at}.names[]"), max_names),
                   "subdivisions": _some(_subdivisions(f"{at}.subdivisions[]"))})


@_cached
def _subdivisions(at: str):
    return _group(m.CountrySubdivision, {"names": _some(_text(f"{at}.names[]"))}, {
        "id": _ident(f"{at}.id"),
        "hierarchical_level_code": _free_codes(_max_len(f"{at}.hierarchical_level_code"), values=("0", "1", "2")),
        "function_type_code": _list_codes(LOCATION_FUNCTIONS, "location_function"),
    })


@_cached
def _locations(at: str):
    # SPSLocationType requires a Name (and the place of issue is a mandatory box)
    return _group(m.Location, {"names": _some(_box_text(f"{at}.names[]"))}, {"id": _ident(f"{at}.id")})


@_cached
def _addresses(at: str):
    lines = {name: _text(f"{at}.{name}") for name in
             ("line_one", "line_two", "line_three", "line_four", "line_five", "city_name", "country_name",
              "country_subdivision_name")}
    return _group(m.Address, {}, {
        "postcode": _free_codes(_max_len(f"{at}.postcode")),
        **lines,
        "country_id": st.builds(m.Identifier, value=country_codes()),
        "type_code": _list_codes(ADDRESS_TYPES, "address_type"),
        "country_subdivision_id": _ident(f"{at}.country_subdivision_id"),
        "city_id": _ident(f"{at}.city_id"),
    }, min_optional=1, max_optional=6)


@_cached
def parties(at: str = "consignor", named: bool = False):
    """A :class:`~ephyto_dip.model.Party` (exporter, consignee, NPPO, operator …) for table field ``at``.

    ``named`` always gives it a name (ISPM 12 requires the names of the issuer, exporter and consignee).
    """
    others = {
        "id": _ident(f"{at}.id"),
        "role_code": _list_codes(PARTY_ROLES, "party_role"),
        "type_codes": _some(_free_codes(_max_len(f"{at}.type_codes[]"))),
        "address": _addresses(f"{at}.address"),
        "contacts": _some(st.builds(m.Contact, person_name=_text(f"{at}.contacts[].person_name"))),
        "person_name": _text(f"{at}.person_name"),
    }
    if named:
        return _group(m.Party, {"name": _box_text(f"{at}.name")}, others, max_optional=3)
    return _group(m.Party, {}, {"name": _text(f"{at}.name"), **others}, min_optional=1, max_optional=4)


@_cached
def notes(at: str = "additional_declarations[]", contents=None, subjects: Optional[tuple] = None):
    """An SPS note for table field ``at``: a statement in one or more languages.

    ``contents`` (a strategy of str) draws the text values (default: free texts in several
    languages); ``subjects`` (for the ``other_notes`` fields) the tag acronyms its Subject may take.
    """
    if contents is None:
        values = _multilingual(_max_len(f"{at}.contents[]", 8000))
    else:
        values = _some(st.builds(m.Text, value=contents, language_id=_LANG_OR_NONE))
    optional = {
        "content_codes": _some(_free_codes(_max_len(f"{at}.content_codes[]"), values=("1", "2", "3", "4", "5"))),
        "subject_code": _free_codes(_max_len(f"{at}.subject_code")),
    }
    if subjects is None:
        return _group(m.Note, {"contents": values}, optional)
    return _group(m.SubjectNote, {"contents": values}, {**optional, "subject": _acronym_codes(subjects)})


def _note_list(at: str, contents=None, max_size: int = 2):
    return _some(notes(at, contents), max_size)


@_cached
def _acronyms(at: str):
    # the acronym is the characteristic's first Description: it must not be one a table row
    # claims (TTL1 …), or the characteristic would be read as that kind
    return st.builds(m.Text, value=strings(_max_len(f"{at}.acronym")).filter(
        lambda s: s.strip() not in _claimed_acronyms("Description", True)), language_id=_LANG_OR_NONE)


@_cached
def _characteristics(at: str, other: bool = False, units: tuple = UNITS):
    optional = {
        "descriptions": _some(_text(f"{at}.descriptions[]", 8000)),
        "type_code": _list_codes(MEASURED_ATTRIBUTES, "measured_attribute"),
        "value": measures(units),
        "minimum": measures(units),
        "maximum": measures(units),
    }
    if other:  # an acronym no row names, always there (else Description[1] would be taken for it)
        return _group(m.OtherCharacteristic, {"acronym": _acronyms(at)}, optional)
    return _group(m.Characteristic, {}, optional, min_optional=1)


_CHARACTERISTIC_KINDS = ("type_level1", "type_level2", "chemicals", "temperatures", "concentrations",
                         "additional_information", "full_text", "other_characteristics")


def _period(treatment: m.Treatment, draw) -> m.Treatment:
    # CompletionSPSPeriod requires StartDateTime: an end or a duration comes with a start
    if treatment.start_date_time is None and (treatment.end_date_time or treatment.duration):
        treatment.start_date_time = draw(date_times())
    return treatment


@_cached
def treatments(at: str = "items[].treatments[]"):
    """A treatment with dates, duration and characteristics of every kind (TTL1 … TTFT, others)."""
    kinds = {kind: _some(_characteristics(f"{at}.{kind}[]", kind == "other_characteristics",
                                          _units("temperature") if kind == "temperatures" else UNITS))
             for kind in _CHARACTERISTIC_KINDS}
    return _group(m.Treatment, {"type_code": _list_codes(PROCESS_TYPES, "process")}, {
        "start_date_time": date_times(),
        "end_date_time": date_times(),
        "duration": measures(_units("duration"), signed=False),
        **kinds,
        "operation_country": countries(f"{at}.operation_country"),
        "operator": parties(f"{at}.operator"),
    }, max_optional=7, fix=_period)


_CLASS_CODES = ("06029048", "4407", "0808", "1", "Fresh")


@_cached
def _classifications(at: str, other: bool = False):
    optional = {
        "class_code": _free_codes(_max_len(f"{at}.class_code"), values=_CLASS_CODES),
        "class_names": _some(_text(f"{at}.class_names[]")),
        "system_id": _ident(f"{at}.system_id"),
    }
    if other:  # SystemName is a tag acronym: any but those a row claims (HS, IPPCPCVP, IPPCPCC)
        others = _unclaimed_acronyms("SystemName", True)
        return _group(m.OtherClassification, {"system_name": _acronym_codes(others)}, optional)
    return _group(m.Classification, {}, optional, min_optional=1)


_LEVEL_CODES = ("0", "1", "2", "3", "4")


@_cached
def _packages(at: str):
    return _group(m.Package, {  # LevelCode, TypeCode and ItemQuantity are required by SPS 17
        "level_code": _free_codes(_max_len(f"{at}.level_code"), values=_LEVEL_CODES),
        "type_code": _list_codes(PACKAGE_TYPES, "package"),
        "quantity": quantities(),
    }, {
        "nominal_gross_weight": measures(_units("weight"), signed=False),
        "nominal_gross_volume": measures(_units("volume"), signed=False),
        "shipping_marks": _some(st.builds(m.ShippingMarks, marking=_text(f"{at}.shipping_marks[].marking"))),
    })


@_cached
def _transport_equipment(at: str):
    seal = _group(m.Seal, {"id": _ident(f"{at}.seals[].id")}, {"maximum_id": _ident(f"{at}.seals[].maximum_id")})
    return _group(m.TransportEquipment, {}, {"id": _ident(f"{at}.id"), "seals": _some(seal, 3)}, min_optional=1)


@_cached
def _referenced_documents(at: str):
    return _group(m.ReferencedDocument, {}, {
        "issue_date_time": date_times(),
        "type_code": _list_codes(REFERENCED_DOCUMENT_TYPES, "document"),
        "relationship_type_code": _list_codes(REFERENCE_TYPES, "reference"),
        "id": _ident(f"{at}.id"),
        "attachments": _some(binaries()),
        "information": _text(f"{at}.information"),
    }, min_optional=1)


@_cached
def _authentications(at: str, certifying: bool = False):
    """``certifying``: the certificate's own, with the authorized officer and a certifying statement."""
    clause = _group(m.Clause, {"id": _ident(f"{at}.clauses[].id").filter(_filled)},  # a clause is its statement code
                    {"contents": _multilingual(_max_len(f"{at}.clauses[].contents[]"), 1, 2)})
    officer, clauses = _box_text(f"{at}.officer_name"), _some(clause)
    # IssueSPSLocation (with a Name) is required by SPS 17
    required = {"issue_location": _locations(f"{at}.issue_location")}
    optional = {
        "type_code": _list_codes(GOVERNMENT_ACTIONS, "government_action"),
        "actual_date_time": date_times(),
        "provider_name": _text(f"{at}.provider_name"),
        "location_provider_name": _text(f"{at}.location_provider_name"),
    }
    if certifying:  # ISPM 12: the name of the authorized officer and the certifying statement
        return _group(m.Authentication, {**required, "officer_name": officer, "clauses": clauses}, optional)
    return _group(m.Authentication, required, {**optional, "officer_name": officer, "clauses": clauses})


_STATEMENT_3, _STATEMENT_4, _STATEMENT_5 = st.just("3"), st.just("4"), st.just("5")


@_cached
def _re_export(at: str):
    def n(name, contents=None):
        return _note_list(f"{at}.{name}[]", contents, max_size=1)

    # the core notes always (statement, country of origin, original certificate number: the
    # rules warn without them); the tick boxes as the exporter ticked them
    return _group(m.ReExport, {"statement": n("statement", _STATEMENT_3),
                               "origin_country": n("origin_country", country_codes()),
                               "original_certificate_number": n("original_certificate_number", _id_strings(60))}, {
        **{name: n(name, _BOOLEAN_TEXT) for name in (
            "original_attached", "certified_copy_attached", "packed", "repacked", "original_containers",
            "new_containers", "based_on_original_certificate", "additional_inspection")},
    })


_OQV = _decimal_strings(int_digits=8, frac_digits=4)
_OQU = st.sampled_from(["KGM", "Stück", "plants"])
_NUMERIC_FORMAT = _rarely(st.just("n..5"))


@_cached
def items(sequence: int = 1, reexport: bool = False):
    """One trade line item (``SequenceNumeric`` = ``sequence``); ``reexport`` adds the RPC* notes."""
    at = "items[]"

    def t(name, hi=2):
        return _some(_text(f"{at}.{name}[]"), hi)

    def n(name, contents=None):
        return _note_list(f"{at}.{name}[]", contents, max_size=1)

    weights, volumes = measures(_units("weight"), signed=False), measures(_units("volume"), signed=False)
    required = {
        "sequence_numeric": st.builds(m.Numeric, value=st.just(str(sequence)), format=_NUMERIC_FORMAT),
        # SPS 17 requires a Description; ISPM 12 the name of produce, the botanical name and the
        # place of origin
        "descriptions": _some(_box_text(f"{at}.descriptions[]"), 3),
        "botanical_names": _some(_box_text(f"{at}.botanical_names[]"), 2),
        "origin_countries": _some(countries(f"{at}.origin_countries[]")),
    }
    if reexport:
        required["re_export"] = _re_export(f"{at}.re_export")

    def declare_quantity(item: m.TradeLineItem, draw) -> m.TradeLineItem:
        # ISPM 12 'quantity declared': a net weight or a net volume, whichever optional fields came up
        if item.net_weight is None and item.net_volume is None:
            if draw(_BOOL):
                item.net_volume = draw(volumes)
            else:
                item.net_weight = draw(weights)
        return item

    return _group(m.TradeLineItem, required, {
        "common_names": t("common_names"),
        "production_batch_ids": _some(_ident(f"{at}.production_batch_ids[]")),
        "intended_uses": t("intended_uses", 1),
        "expiry_date_times": _some(date_times(), 1),
        "net_weight": weights,
        "gross_weight": weights,
        "net_volume": volumes,
        "gross_volume": volumes,
        "hs_classifications": _some(_classifications(f"{at}.hs_classifications[]"), 1),
        "vegetable_part_classes": _some(_classifications(f"{at}.vegetable_part_classes[]")),
        "condition_classes": _some(_classifications(f"{at}.condition_classes[]")),
        "other_classifications": _some(_classifications(f"{at}.other_classifications[]", other=True), 1),
        "packages": _some(_packages(f"{at}.packages[]")),
        "other_packages": n("other_packages"),
        "other_quantity_values": n("other_quantity_values", _OQV),
        "other_quantity_units": n("other_quantity_units", _OQU),
        "distinguishing_marks": n("distinguishing_marks"),
        "additional_declarations": n("additional_declarations"),
        "import_permits": n("import_permits", _id_strings(60)),
        "inspection_dates": n("inspection_dates", _DATE_VALUES),
        "additional_official_information": n("additional_official_information"),
        "other_notes": _some(notes(f"{at}.other_notes[]", subjects=_unclaimed_acronyms("Subject", True)), 1),
        "transport_equipment": _some(_transport_equipment(f"{at}.transport_equipment[]")),
        "origin_locations": _some(_locations(f"{at}.origin_locations[]"), 1),
        "treatments": _some(treatments(f"{at}.treatments[]")),
        "asserted_authentications": _some(_authentications(f"{at}.asserted_authentications[]"), 1),
        "referenced_documents": _some(_referenced_documents(f"{at}.referenced_documents[]"), 1),
    }, max_optional=10, fix=declare_quantity)


@_cached
def hub_envelopes():
    """The IPPC Hub envelope header a certificate came in (carried by the DIP only)."""

    def ids(field):
        return _id_strings(_max_len(f"hub_envelope.{field}"))

    forwarding = _group(m.HubForwarding, {"code": ids("forwardings[].code")},
                        {"hub_delivery_number": ids("forwardings[].hub_delivery_number")})
    return _group(m.HubEnvelope, {"to_country": country_codes()}, {
        "from_country": country_codes(),
        "certificate_type": _one_of(("851", "657")),
        "certificate_status": _one_of(STATUS_CODES),
        "nppo_certificate_number": ids("nppo_certificate_number"),
        "hub_delivery_number": ids("hub_delivery_number"),
        "hub_tracking_info": _one_of(("PendingDelivery", "Delivered", "DeliveredWithWarnings")),
        "hub_delivery_error_message": strings(_max_len("hub_envelope.hub_delivery_error_message")),
        "forwardings": _some(forwarding),
    })


_KIND = st.sampled_from(KINDS)


@_cached
def _certificate_fields() -> tuple[dict, dict]:
    """Fields every certificate has (SPS 17 requires them) and optional ones."""

    def n(name, contents=None, max_size=2):
        return _note_list(f"{name}[]", contents, max_size)

    required = {
        "id": _ident("id"),
        "issue_date_time": date_times(),
        "issuer": parties("issuer", named=True),
        "authentications": _some(_authentications("authentications[]", certifying=True)),
        "consignor": parties("consignor", named=True),
        "consignee": parties("consignee", named=True),
        "export_country": countries("export_country"),
        "import_country": countries("import_country"),
        "examination_location": _locations("examination_location"),
    }
    optional = {
        "names": _multilingual(_max_len("names[]"), 1, 2),
        "descriptions": _some(_text("descriptions[]"), 1),
        "financial_liability": n("financial_liability", _STATEMENT_5, 1),
        "additional_declarations": n("additional_declarations"),
        "import_permits": n("import_permits", _id_strings(60), 1),
        "inspection_dates": n("inspection_dates", _DATE_VALUES, 1),
        "additional_official_information": n("additional_official_information", max_size=1),
        "distinguishing_marks": n("distinguishing_marks", max_size=1),
        "other_notes": _some(notes("other_notes[]", subjects=_unclaimed_acronyms("Subject", False)), 1),
        "referenced_documents": _some(_referenced_documents("referenced_documents[]")),
        "consignment_id": _ident("consignment_id"),
        "loading_location": _locations("loading_location"),
        "transit_countries": _some(countries("transit_countries[]", max_names=1)),
        "point_of_entry": _locations("point_of_entry"),
        "transport_movements": _some(_group(m.TransportMovement,
                                            {"mode_code": _list_codes(TRANSPORT_MODES, "transport_mode")},
                                            {"id": _ident("transport_movements[].id"),
                                             "means_name": _text("transport_movements[].means_name")})),
        "transport_equipment": _some(_transport_equipment("transport_equipment[]"), 3),
        "cargo_types": _some(st.builds(m.Cargo, type_code=_list_codes(CARGO_TYPES, "cargo")), 1),
    }
    return required, optional


@_cached
def _replacements():
    def n(name, contents):
        return _note_list(f"replacement.{name}[]", contents, 1)

    # a replacement is a new certificate (status 70) with the ADR* notes
    return _group(m.Replacement, {"statement": n("statement", _STATEMENT_4),
                                  "replaced_certificate_number": n("replaced_certificate_number", _id_strings(60))},
                  {"reason": n("reason", strings(512)), "replaced_issue_date": n("replaced_issue_date", _DATE_VALUES)})


@_cached
def _certificate_shell(type_code: str, status: str, reexport: bool, replacement: bool, hub_envelope: bool):
    """A certificate without items, of one type and status."""
    required, optional = _certificate_fields()
    extra = {
        "type_code": _list_codes((type_code,), "document"),
        "status_code": _list_codes((status,), "status"),
    }
    if reexport:
        extra["re_export_countries"] = _some(countries("re_export_countries[]"))
    if replacement:
        extra["replacement"] = _replacements()
    if hub_envelope:
        extra["hub_envelope"] = hub_envelopes()
    return _group(m.Certificate, {**required, **extra}, optional, max_optional=10)


@_cached
def certificates(kind: Optional[str] = None, max_items: int = 4, hub_envelope: bool = False):
    """Whole valid certificates of ``kind`` (one of :data:`KINDS`; ``None`` draws one).

    ``max_items`` bounds the trade line items; ``hub_envelope`` adds a Hub envelope header,
    which only the DIP carries (an SPSCertificate has no place for it).
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None, not {kind!r}")
    count = _integers(1, max(1, max_items))

    @st.composite
    def build(draw):
        k = kind if kind is not None else draw(_KIND)
        # withdrawn and replacement certificates can be re-export certificates too
        reexport = k == "reexport" or (k != "export" and draw(_BOOL))
        status = {"withdrawn": "40"}.get(k, "70")
        cert = draw(_certificate_shell("657" if reexport else "851", status, reexport, k == "replacement",
                                       hub_envelope))
        cert.items = [draw(items(i + 1, reexport)) for i in range(draw(count))]
        return cert

    return build()


# negative tests: certificates that break one rule (they build on certificates(), defined above)
from .broken_certificates import BREAKABLE_RULES, certificates_breaking  # noqa: E402
