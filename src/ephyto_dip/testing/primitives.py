"""Building blocks of the certificate strategies: the code values they draw from, characters
and awkward strings, the table's formats and acronyms, and small helpers."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import ParamSpec, TypeVar

from hypothesis import strategies as st
from lxml import etree

from ..reading.xmlsafe import schema_file_parser
from ..resources import resource_path

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

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
LIST_IDS = {
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


def cached(factory: Callable[P, R]) -> Callable[P, R]:
    """Build each strategy once and reuse it: hypothesis validates every new strategy object,
    which made building them inside draws the bulk of the run time. Lists given as arguments
    count as tuples (so callers may pass either)."""
    cached = lru_cache(maxsize=None)(factory)

    @functools.wraps(factory)
    def get(*args: P.args, **kwargs: P.kwargs) -> R:
        hashable = tuple(tuple(a) if isinstance(a, list) else a for a in args)
        named = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
        return cached(*hashable, **named)

    return get


@cached
def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


@cached
def rarely(strategy: st.SearchStrategy[T], default: T | None = None) -> st.SearchStrategy[T | None]:
    """``default`` most of the time, sometimes a draw from ``strategy``."""
    return st.one_of(st.just(default), st.just(default), st.just(default), strategy)


@cached
def one_of(values: Sequence[T]) -> st.SearchStrategy[T]:
    return st.sampled_from(values)


def lists(strategy: st.SearchStrategy[T], min_size: int = 0, max_size: int = 2) -> st.SearchStrategy[list[T]]:
    return _lists_cached(strategy, min_size, max_size)


@cached
def _lists_cached(strategy: st.SearchStrategy[T], min_size: int, max_size: int) -> st.SearchStrategy[list[T]]:
    if min_size > 0:
        return st.lists(strategy, min_size=min_size, max_size=max_size)
    # optional lists are mostly empty: a certificate with every list filled everywhere is slow to
    # draw and no better a test; across examples every list is filled often enough
    return st.one_of(_EMPTY_LIST, _EMPTY_LIST, st.lists(strategy, min_size=1, max_size=max_size))


_EMPTY_LIST: st.SearchStrategy[list[object]] = st.builds(list)
TEN = st.integers(0, 9)
THREE = st.integers(0, 2)
BOOL = st.booleans()
LANG = st.sampled_from(LANGUAGES)
LANG_OR_NONE = st.sampled_from((None, *LANGUAGES))
LOCALE_RARELY = st.sampled_from((None,) * 12 + LOCALES)
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
SIGN = st.sampled_from(["", "", "", "-", "+"])
DIGITS6 = st.text("0123456789", max_size=6)
FRACTION = st.text("0123456789", min_size=1, max_size=6)
ATTR = st.one_of(st.text(_ID_CHARS + "abcdefghij _-.", min_size=1, max_size=20).filter(str.strip),
                  st.sampled_from(["NationalRegistrationNumber", "Número de registro", "a&b <c> \"d\" 'e'", ""]))
URI = st.sampled_from(["https://www.ippc.int/en/ephyto/", "urn:un:unece:uncefact:codelist:standard:6:1001",
                        "https://example.org/list?a=1&b=2", "urn:ephyto-dip:test"])
BOOLEAN_TEXT = st.sampled_from(["true", "false", "True", "False", "FALSE"])


# ------------------------------------------------------------------------------ tag acronyms
# a row claims a tag acronym by a predicate on its ePhyto path: a note's Subject, a treatment
# characteristic's Description, a classification's SystemName
_CLAIMED = re.compile(r"\[ram:(Subject|Description|SystemName)='([^']+)'\]")


@functools.cache
def claimed_acronyms(element: str, item_level: bool) -> frozenset[str]:
    """Tag acronyms the table's rows claim on ``element``, at item or at document level."""
    from ..mapping.table import load_table

    return frozenset(code for r in load_table().rows for el, code in _CLAIMED.findall(r["ephyto_path"])
                     if el == element and r.field.startswith("items[]") == item_level)


@functools.cache
def unclaimed_acronyms(element: str, item_level: bool) -> tuple[str, ...]:
    """The IPPC tag acronyms (INTERCOM list) no row claims there: what an other note or
    classification may use without being read as a row's field."""
    from ..validation.code_lists import TAG_ACRONYMS, code_list

    claimed = claimed_acronyms(element, item_level)
    return tuple(sorted(a for a in code_list(TAG_ACRONYMS).names if a not in claimed))


# ------------------------------------------------------------------------------ table formats
@lru_cache(maxsize=1)
def _formats() -> dict[str, str]:
    from ..mapping.table import load_table

    return {r.field: r.format_in_dip for r in load_table().rows}


def max_len(field: str, default: int = 35) -> int:
    """The DIP maximum length of a table field (``an..70`` → 70); ``default`` if it has none."""
    formats = _formats()
    if field not in formats:  # the strategies and the table are out of step
        raise KeyError(f"ephyto_dip.testing.strategies: no table row for field {field!r}")
    mt = re.search(r"(\d+)", formats[field])
    return int(mt.group(1)) if mt else default


@functools.cache
def units(kind: str) -> tuple[str, ...]:
    """The Rec 20 units of one kind (weight, volume, duration, temperature, length) that ISPM 12
    validation checks measures of that kind against: the bundled UN/CEFACT subsets."""
    from ..validation.rules import value_lists

    lists = value_lists()
    return tuple(lists.code_list(lists.unit_kinds[kind]).names)


@lru_cache(maxsize=1)
def iso_countries() -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes, as enumerated by the bundled SPS 17 identifier list."""
    path = resource_path("schemas", "ephyto", "cfe-xsd", "identifierlist", "standard",
                         "ISO_ISOTwo-letterCountryCode_SecondEdition2006.xsd")
    parser = schema_file_parser()
    root = etree.parse(str(path), parser).getroot()
    codes = root.xpath("//xsd:enumeration/@value", namespaces={"xsd": "http://www.w3.org/2001/XMLSchema"})
    return tuple(sorted(set(codes)))


# ------------------------------------------------------------------------------ strings
@cached
@st.composite
def strings(draw: st.DrawFn, max_size: int = 256, odd: bool = True) -> str:
    """A non-blank string of at most ``max_size`` characters.

    ``odd`` adds what real certificates contain and careless code breaks on: non-ASCII and
    astral characters, ``& < > " '``, leading/trailing blanks, internal newlines and tabs, and
    (sometimes) a text as long as ``max_size`` allows.
    """
    if not odd:
        return draw(_PLAIN_WORD)[:max_size].strip() or "x"
    # few draws per string: a string costs hypothesis one choice, however long
    body = draw(_FIRST_WORD) + draw(_TAIL)
    if draw(TEN) == 9:  # a long text: up to the limit (9, not 0: failures shrink to short texts)
        target = draw(one_of(tuple(sorted({max_size, max(1, max_size // 2), min(max_size, 1000)}))))
        body = ((body + " ") * (target // (len(body) + 1) + 1))[:target]
    lead, trail = draw(_PADDINGS)
    text = (lead + body + trail)[:max_size]
    if not text.strip():  # the padding took all the room
        text = body.strip()[:max_size]
    return text


@cached
@st.composite
def id_strings(draw: st.DrawFn, max_size: int = 35) -> str:
    """Identifier-like: mostly ``ABC-123/45``, sometimes with odd characters or blanks."""
    core = draw(_ID_CORE)
    text = core + "".join(a + b for a, b in draw(_ID_MORE))
    if draw(TEN) > 6:
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
