"""Hypothesis strategies for valid ISPM 12 certificates, for testing systems that take ePhyto.

Every :class:`~ephyto_dip.reading.model.Certificate` these strategies draw is *valid*: written with
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
    from ephyto_dip.testing import strategies as eds

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
* :func:`countries` (a :class:`~ephyto_dip.reading.model.Country`), :func:`country_codes` (ISO 3166-1 str).
* :func:`texts` (:class:`~ephyto_dip.reading.model.Text` with ``languageID``), :func:`strings` (plain str).
* :func:`identifiers`, :func:`measures`, :func:`quantities`, :func:`date_times`,
  :func:`date_time_strings`, :func:`binaries`, :func:`hub_envelopes`.

Lengths follow the DIP formats of the mapping table (``wco_format``: ``an..70`` is at most 70
characters), so the strategies keep step with the table. This module imports hypothesis;
``import ephyto_dip`` does not import this module.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from ..reading import model as m
from ..reading.doctypes import ephyto_types, type_of
from .parts import (
    NUMERIC_FORMAT,
    OQU,
    OQV,
    STATEMENT_4,
    STATEMENT_5,
    Fields,
    authentications,
    box_text,
    classifications,
    countries,
    group,
    ident,
    locations,
    note_list,
    notes,
    packages,
    parties,
    re_export,
    referenced_documents,
    some,
    text,
    transport_equipment,
    treatments,
)
from .primitives import (
    BOOL,
    CARGO_TYPES,
    KINDS,
    STATUS_CODES,
    TRANSPORT_MODES,
    cached,
    id_strings,
    max_len,
    one_of,
    strings,
    unclaimed_acronyms,
    units,
)
from .values import (
    DATE_VALUES,
    binaries,
    country_codes,
    date_time_strings,
    date_times,
    identifiers,
    integers,
    list_codes,
    measures,
    multilingual,
    quantities,
    texts,
)

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


@cached
def items(sequence: int = 1, reexport: bool = False) -> st.SearchStrategy[m.TradeLineItem]:
    """One trade line item (``SequenceNumeric`` = ``sequence``); ``reexport`` adds the RPC* notes."""
    at = "items[]"

    def t(name: str, hi: int = 2) -> st.SearchStrategy[list[m.Text]]:
        return some(text(f"{at}.{name}[]"), hi)

    def n(name: str, contents: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[list[m.Note]]:
        return note_list(f"{at}.{name}[]", contents, max_size=1)

    weights, volumes = measures(units("weight"), signed=False), measures(units("volume"), signed=False)
    required = {
        "sequence_numeric": st.builds(m.Numeric, value=st.just(str(sequence)), format=NUMERIC_FORMAT),
        # SPS 17 requires a Description; ISPM 12 the name of produce, the botanical name and the
        # place of origin
        "descriptions": some(box_text(f"{at}.descriptions[]"), 3),
        "botanical_names": some(box_text(f"{at}.botanical_names[]"), 2),
        "origin_countries": some(countries(f"{at}.origin_countries[]")),
    }
    if reexport:
        required["re_export"] = re_export(f"{at}.re_export")

    def declare_quantity(item: m.TradeLineItem, draw: st.DrawFn) -> m.TradeLineItem:
        # ISPM 12 'quantity declared': a net weight or a net volume, whichever optional fields came up
        if item.net_weight is None and item.net_volume is None:
            if draw(BOOL):
                item.net_volume = draw(volumes)
            else:
                item.net_weight = draw(weights)
        return item

    return group(m.TradeLineItem, required, {
        "common_names": t("common_names"),
        "production_batch_ids": some(ident(f"{at}.production_batch_ids[]")),
        "intended_uses": t("intended_uses", 1),
        "expiry_date_times": some(date_times(), 1),
        "net_weight": weights,
        "gross_weight": weights,
        "net_volume": volumes,
        "gross_volume": volumes,
        "hs_classifications": some(classifications(f"{at}.hs_classifications[]"), 1),
        "vegetable_part_classes": some(classifications(f"{at}.vegetable_part_classes[]")),
        "condition_classes": some(classifications(f"{at}.condition_classes[]")),
        "other_classifications": some(classifications(f"{at}.other_classifications[]", other=True), 1),
        "packages": some(packages(f"{at}.packages[]")),
        "other_packages": n("other_packages"),
        "other_quantity_values": n("other_quantity_values", OQV),
        "other_quantity_units": n("other_quantity_units", OQU),
        "distinguishing_marks": n("distinguishing_marks"),
        "additional_declarations": n("additional_declarations"),
        "import_permits": n("import_permits", id_strings(60)),
        "inspection_dates": n("inspection_dates", DATE_VALUES),
        "additional_official_information": n("additional_official_information"),
        "other_notes": some(notes(f"{at}.other_notes[]", subjects=unclaimed_acronyms("Subject", True)), 1),
        "transport_equipment": some(transport_equipment(f"{at}.transport_equipment[]")),
        "origin_locations": some(locations(f"{at}.origin_locations[]"), 1),
        "treatments": some(treatments(f"{at}.treatments[]")),
        "asserted_authentications": some(authentications(f"{at}.asserted_authentications[]"), 1),
        "referenced_documents": some(referenced_documents(f"{at}.referenced_documents[]"), 1),
    }, max_optional=10, fix=declare_quantity)


@cached
def hub_envelopes() -> st.SearchStrategy[m.HubEnvelope]:
    """The IPPC Hub envelope header a certificate came in (carried by the DIP only)."""

    def ids(field: str) -> st.SearchStrategy[str]:
        return id_strings(max_len(f"hub_envelope.{field}"))

    forwarding = group(m.HubForwarding, {"code": ids("forwardings[].code")},
                        {"hub_delivery_number": ids("forwardings[].hub_delivery_number")})
    return group(m.HubEnvelope, {"to_country": country_codes()}, {
        "from_country": country_codes(),
        "certificate_type": one_of(tuple(ephyto_types())),
        "certificate_status": one_of(STATUS_CODES),
        "nppo_certificate_number": ids("nppo_certificate_number"),
        "hub_delivery_number": ids("hub_delivery_number"),
        "hub_tracking_info": one_of(("PendingDelivery", "Delivered", "DeliveredWithWarnings")),
        "hub_delivery_error_message": strings(max_len("hub_envelope.hub_delivery_error_message")),
        "forwardings": some(forwarding),
    })


_KIND = st.sampled_from(KINDS)


@cached
def _certificate_fields() -> tuple[Fields, Fields]:
    """Fields every certificate has (SPS 17 requires them) and optional ones."""

    def n(name: str, contents: st.SearchStrategy[str] | None = None, max_size: int = 2
          ) -> st.SearchStrategy[list[m.Note]]:
        return note_list(f"{name}[]", contents, max_size)

    required = {
        "id": ident("id"),
        "issue_date_time": date_times(),
        "issuer": parties("issuer", named=True),
        "authentications": some(authentications("authentications[]", certifying=True)),
        "consignor": parties("consignor", named=True),
        "consignee": parties("consignee", named=True),
        "export_country": countries("export_country"),
        "import_country": countries("import_country"),
        "examination_location": locations("examination_location"),
    }
    optional = {
        "names": multilingual(max_len("names[]"), 1, 2),
        "descriptions": some(text("descriptions[]"), 1),
        "financial_liability": n("financial_liability", STATEMENT_5, 1),
        "additional_declarations": n("additional_declarations"),
        "import_permits": n("import_permits", id_strings(60), 1),
        "inspection_dates": n("inspection_dates", DATE_VALUES, 1),
        "additional_official_information": n("additional_official_information", max_size=1),
        "distinguishing_marks": n("distinguishing_marks", max_size=1),
        "other_notes": some(notes("other_notes[]", subjects=unclaimed_acronyms("Subject", False)), 1),
        "referenced_documents": some(referenced_documents("referenced_documents[]")),
        "consignment_id": ident("consignment_id"),
        "loading_location": locations("loading_location"),
        "transit_countries": some(countries("transit_countries[]", max_names=1)),
        "point_of_entry": locations("point_of_entry"),
        "transport_movements": some(group(m.TransportMovement,
                                            {"mode_code": list_codes(TRANSPORT_MODES, "transport_mode")},
                                            {"id": ident("transport_movements[].id"),
                                             "means_name": text("transport_movements[].means_name")})),
        "transport_equipment": some(transport_equipment("transport_equipment[]"), 3),
        "cargo_types": some(st.builds(m.Cargo, type_code=list_codes(CARGO_TYPES, "cargo")), 1),
    }
    return required, optional


@cached
def _replacements() -> st.SearchStrategy[m.Replacement]:
    def n(name: str, contents: st.SearchStrategy[str]) -> st.SearchStrategy[list[m.Note]]:
        return note_list(f"replacement.{name}[]", contents, 1)

    # a replacement is a new certificate (status 70) with the ADR* notes
    return group(m.Replacement, {"statement": n("statement", STATEMENT_4),
                                  "replaced_certificate_number": n("replaced_certificate_number", id_strings(60))},
                  {"reason": n("reason", strings(512)), "replaced_issue_date": n("replaced_issue_date", DATE_VALUES)})


@cached
def _certificate_shell(type_code: str, status: str, reexport: bool, replacement: bool, hub_envelope: bool
                       ) -> st.SearchStrategy[m.Certificate]:
    """A certificate without items, of one type and status."""
    required, optional = _certificate_fields()
    extra: dict[str, st.SearchStrategy[Any]] = {
        "type_code": list_codes((type_code,), "document"),
        "status_code": list_codes((status,), "status"),
    }
    if reexport:
        extra["re_export_countries"] = some(countries("re_export_countries[]"))
    if replacement:
        extra["replacement"] = _replacements()
    if hub_envelope:
        extra["hub_envelope"] = hub_envelopes()
    return group(m.Certificate, {**required, **extra}, optional, max_optional=10)


@cached
def certificates(kind: str | None = None, max_items: int = 4, hub_envelope: bool = False
                 ) -> st.SearchStrategy[m.Certificate]:
    """Whole valid certificates of ``kind`` (one of :data:`KINDS`; ``None`` draws one).

    ``max_items`` bounds the trade line items; ``hub_envelope`` adds a Hub envelope header,
    which only the DIP carries (an SPSCertificate has no place for it).
    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS} or None, not {kind!r}")
    count = integers(1, max(1, max_items))

    @st.composite
    def build(draw: st.DrawFn) -> m.Certificate:
        k = kind if kind is not None else draw(_KIND)
        # withdrawn and replacement certificates can be re-export certificates too
        reexport = k == "reexport" or (k != "export" and draw(BOOL))
        status = {"withdrawn": "40"}.get(k, "70")
        cert = draw(_certificate_shell(type_of("re-export" if reexport else "export"), status, reexport,
                                       k == "replacement", hub_envelope))
        cert.items = [draw(items(i + 1, reexport)) for i in range(draw(count))]
        return cert

    return build()


# negative tests: certificates that break one rule (they build on certificates(), defined above)
from .broken_certificates import BREAKABLE_RULES, certificates_breaking  # noqa: E402
