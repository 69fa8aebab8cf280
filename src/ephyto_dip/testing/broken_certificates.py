"""Certificates that break exactly one ISPM 12 rule, for negative tests (``ephyto_dip.testing.strategies``).

:func:`certificates_breaking` draws a valid certificate from
:func:`ephyto_dip.testing.strategies.certificates` and breaks one rule in one place: written to the side
it was drawn for, the document is still schema-valid and reads without error, and
``ephyto_dip.validate`` reports the rule's finding code at error level and no other error::

    @given(eds.certificates_breaking("RULE-COUNTRY"))
    def test_our_import_refuses_an_unknown_country(cert):
        with pytest.raises(OurImportError):
            our_system.import_phyto(ed.serialize(ed.to_ephyto(cert)))

The wrong values are drawn from what the shipped code lists do *not* hold (two letters that are
no ISO 3166 country, a Rec 20 unit of another kind, a UNTDID 1001 document that is no
phytosanitary certificate …), so they keep step with the lists.

An SPSCertificate's schema enumerates the codes of its country boxes, transport modes and package
types and types attachments as base64, and reading an SPSCertificate of another document type is
refused (DOC-UNSUPPORTED-TYPE), so some rules can only be broken schema-validly in a DIP:
:data:`BREAKABLE_RULES` names, per side, the codes that can be drawn for it. RULE-STATUS-CODE
(an error only outside UNTDID 4405, which both schemas enumerate) and RULE-DECIMAL (both type
amounts as decimals) cannot be broken in a schema-valid document at all.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from functools import cache, lru_cache
from types import ModuleType

from hypothesis import strategies as st

from ..reading import model as m
from . import primitives, values  # (they do not import this module: no cycle)

# code -> (kind of certificate to break, breaker); a breaker mends nothing else, so one finding
# code comes out (warnings such as RULE-NULL-PLACEHOLDER may come with it)
Breaker = Callable[[m.Certificate, st.DrawFn, str], None]



def _strategies() -> ModuleType:
    # imported when used: ephyto_dip.testing.strategies imports this module, in either order
    from . import strategies

    return strategies


_BLANKS = ("", " ", "NULL")  # what ISPM 12 validation takes for an empty box


def _blank_text(draw: st.DrawFn) -> m.Text:
    return m.Text(value=draw(st.sampled_from(_BLANKS)))


def _break_mandatory(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """Empty one mandatory box: a party's name, the officer, the clauses, the place of issue, the name of produce."""
    box = draw(st.sampled_from(("issuer", "consignor", "consignee", "officer", "clauses", "place", "produce")))
    if box == "clauses" and cert.is_reexport:  # ISPM 12 boxes table: a 657 has its own statement (RPCST)
        box = "officer"
    if box in ("issuer", "consignor", "consignee"):
        getattr(cert, box).name = _blank_text(draw)
    elif box == "officer":
        for auth in cert.authentications:
            auth.officer_name = None
    elif box == "clauses":
        for auth in cert.authentications:
            auth.clauses = []
    elif box == "place":
        for auth in cert.authentications:
            auth.issue_location = m.Location(names=[_blank_text(draw)])  # SPS 17 requires the Name element
    else:
        item = draw(st.sampled_from(cert.items))
        item.descriptions = [_blank_text(draw)]  # SPS 17 requires the Description element


@lru_cache(maxsize=1)
def _not_countries() -> tuple[str, ...]:
    """Two upper-case letters that are no ISO 3166-1 code (XX, UK, EU …) and ISO codes in lower case."""
    iso = set(primitives.iso_countries())
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    unassigned = tuple(a + b for a in letters for b in letters if a + b not in iso)
    return unassigned + tuple(sorted(c.lower() for c in iso))


def _break_country(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """One country code that is not ISO 3166-1 alpha-2, in a place the side's schema lets through."""
    code = m.Identifier(value=draw(st.sampled_from(_not_countries())))
    places = ["issuer", "consignor", "consignee"]  # a party's address: the schema does not enumerate it
    if cert.is_reexport:
        places.append("re-export origin")  # RPCCO: a note, free text to the schema
    if side == "dip":  # the DIP types country codes as codes, not as an enumeration
        places += ["export", "import", "item origin"]
    place = draw(st.sampled_from(places))
    if place in ("issuer", "consignor", "consignee"):
        party = getattr(cert, place)
        party.address = party.address or m.Address()
        party.address.country_id = code
    elif place == "re-export origin":
        item = draw(st.sampled_from(cert.items))
        item.re_export.origin_country = [m.Note(contents=[m.Text(value=code.value)])]
    elif place == "item origin":
        draw(st.sampled_from(cert.items)).origin_countries[0].id = code
    else:
        getattr(cert, f"{place}_country").id = code


@cache
def _wrong_units(kind: str) -> tuple[str, ...]:
    """Units ISPM 12 validation refuses for a ``kind`` measure: other kinds' units, malformed codes."""
    units = primitives.units
    others = sorted({u for k in ("weight", "volume", "length", "duration", "temperature") if k != kind
                     for u in units(k)} - set(units(kind)))
    return tuple(others) + tuple(u.lower() for u in units(kind))  # kgm: Rec 20 codes are upper case


def _break_unit(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """The declared quantity of one item (net weight or volume) in a unit that is not of its kind."""
    item = draw(st.sampled_from(cert.items))
    field, kind = ("net_weight", "weight") if item.net_weight is not None else ("net_volume", "volume")
    measure = getattr(item, field)
    measure.unit_code = draw(st.sampled_from(_wrong_units(kind)))


def _not_iso_dates(draw: st.DrawFn) -> m.DateTime:
    day = draw(values.DATES)
    return draw(st.sampled_from((
        m.DateTime(value=day.strftime("%d/%m/%Y")),  # a national form
        m.DateTime(value=f"{day.year:04d}-02-30"),  # no such day
        m.DateTime(value=f"{day.isoformat()} 10:00:00"),  # a blank for the T
        m.DateTime(value=f"{day.isoformat()}T25:00:00"),  # no such hour
        m.DateTime(value=day.isoformat(), format="102"),  # declared CCYYMMDD, written ISO
    )))


def _break_date(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """The date of issue (or a treatment's date) in a form that is not ISO 8601."""
    treatments = [t for i in cert.items for t in i.treatments if t.start_date_time is not None]
    if len(treatments) > 0 and draw(st.booleans()):  # (a bool first: mypy reads the draw as a list otherwise)
        draw(st.sampled_from(treatments)).start_date_time = _not_iso_dates(draw)
    else:
        cert.issue_date_time = _not_iso_dates(draw)


def _break_replacement(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """A replacement certificate (ADRP) that does not say which certificate it replaces (ADRPN)."""
    cert.replacement.replaced_certificate_number = []


def _break_reexport(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """A re-export certificate (657) whose items carry none of RPCST, RPCCO, RPCRF."""
    for item in cert.items:
        item.re_export.statement = []
        item.re_export.origin_country = []
        item.re_export.original_certificate_number = []


@lru_cache(maxsize=1)
def _other_documents() -> tuple[str, ...]:
    from ..reading.doctypes import ephyto_types
    from ..validation.code_lists import DOCUMENT_NAMES, code_list

    return tuple(c for c in code_list(DOCUMENT_NAMES).names if c not in ephyto_types())


def _break_type_code(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """A UNTDID 1001 document type that is not a phytosanitary certificate (861, certificate of origin …)."""
    cert.type_code = m.Code(value=draw(st.sampled_from(_other_documents())))


@lru_cache(maxsize=1)
def _not_transport_modes() -> tuple[str, ...]:
    from ..validation.code_lists import TRANSPORT_MODES, code_list

    modes = code_list(TRANSPORT_MODES)
    # one character, as the DIP's ModeCode (WCO T021, n1) holds: the schema then lets it through and
    # only the rule can refuse it
    return tuple(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in modes)


def _break_transport_mode(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """A means of transport whose mode is no UN/ECE Rec 19 code."""
    mode = m.Code(value=draw(st.sampled_from(_not_transport_modes())))
    cert.transport_movements = [*cert.transport_movements, m.TransportMovement(mode_code=mode)]


def _break_base64(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """An attachment whose base64 is truncated (a length not a multiple of four)."""
    body = base64.b64encode(draw(st.binary(min_size=1, max_size=60))).decode("ascii").rstrip("=")
    if len(body) % 4 == 0:  # no padding to lose: lose a character
        body = body[:-1]
    attachment = m.Binary(value=body, filename=draw(st.sampled_from((None, "certificate.pdf"))))
    cert.referenced_documents = [*cert.referenced_documents,
                                 m.ReferencedDocument(id=m.Identifier(value="ATT-1"), attachments=[attachment])]


@lru_cache(maxsize=1)
def _malformed_package_types() -> tuple[str, ...]:
    """Rec 21 codes in lower case (bx): two characters, as the DIP allows, but no Rec 21 code."""
    from ..validation.code_lists import PACKAGE_TYPES, code_list

    codes = set(code_list(PACKAGE_TYPES).names)
    return tuple(sorted({c.lower() for c in codes} - codes))


def _break_package_type(cert: m.Certificate, draw: st.DrawFn, side: str) -> None:
    """One package of one item whose type is not a UN/ECE Rec 21 code."""
    item = draw(st.sampled_from(cert.items))
    bad = m.Code(value=draw(st.sampled_from(_malformed_package_types())))
    if item.packages:
        draw(st.sampled_from(item.packages)).type_code = bad
    else:
        item.packages = [m.Package(level_code=m.Code(value="1"), type_code=bad, quantity=m.Quantity(value="1"))]


_BREAKERS: dict[str, tuple[str | None, Breaker]] = {
    "RULE-MANDATORY": (None, _break_mandatory),
    "RULE-COUNTRY": (None, _break_country),
    "RULE-UNIT": (None, _break_unit),
    "RULE-DATE": (None, _break_date),
    "RULE-REPLACEMENT": ("replacement", _break_replacement),
    "RULE-REEXPORT": ("reexport", _break_reexport),
    "RULE-TYPE-CODE": ("export", _break_type_code),
    "RULE-TRANSPORT-MODE": (None, _break_transport_mode),
    "RULE-BASE64": (None, _break_base64),
    "RULE-PACKAGE-TYPE": (None, _break_package_type),
}

#: the finding codes :func:`certificates_breaking` can break, per side the certificate is written to
BREAKABLE_RULES: dict[str, tuple[str, ...]] = {
    "ephyto": ("RULE-MANDATORY", "RULE-COUNTRY", "RULE-UNIT", "RULE-DATE", "RULE-REPLACEMENT", "RULE-REEXPORT"),
    "dip": ("RULE-MANDATORY", "RULE-COUNTRY", "RULE-UNIT", "RULE-DATE", "RULE-REPLACEMENT", "RULE-REEXPORT",
            "RULE-TYPE-CODE", "RULE-TRANSPORT-MODE", "RULE-BASE64", "RULE-PACKAGE-TYPE"),
}


@cache  # (one strategy object per arguments: hypothesis validates each new one)
def certificates_breaking(code: str, side: str = "ephyto", max_items: int = 3) -> st.SearchStrategy[m.Certificate]:
    """Certificates that break the ISPM 12 rule ``code`` (a finding code of :data:`BREAKABLE_RULES`)
    and nothing else, once written to ``side`` (``"ephyto"``: :func:`ephyto_dip.to_ephyto`,
    ``"dip"``: :func:`ephyto_dip.to_dip`)."""
    if side not in BREAKABLE_RULES:
        raise ValueError(f"side must be one of {tuple(BREAKABLE_RULES)}, not {side!r}")
    if code not in BREAKABLE_RULES[side]:
        raise ValueError(f"{code!r} cannot be broken in a schema-valid {side} document; "
                         f"one of {BREAKABLE_RULES[side]}")
    kind, breaker = _BREAKERS[code]
    valid: st.SearchStrategy[m.Certificate] = _strategies().certificates(kind=kind, max_items=max_items)

    @st.composite
    def build(draw: st.DrawFn) -> m.Certificate:
        cert = draw(valid).model_copy(deep=True)  # (never change what another draw may share)
        breaker(cert, draw, side)
        return cert

    return build()
