"""Strategies for the groups of a certificate: countries, parties, notes, treatments,
classifications, packages, containers, referenced documents, authentications, re-export."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias, TypeVar

from hypothesis import strategies as st

from ..reading import model as m
from .primitives import (
    ADDRESS_TYPES,
    BOOLEAN_TEXT,
    GOVERNMENT_ACTIONS,
    LANG_OR_NONE,
    LOCATION_FUNCTIONS,
    MEASURED_ATTRIBUTES,
    PACKAGE_TYPES,
    PARTY_ROLES,
    PROCESS_TYPES,
    REFERENCE_TYPES,
    REFERENCED_DOCUMENT_TYPES,
    UNITS,
    cached,
    claimed_acronyms,
    id_strings,
    lists,
    max_len,
    rarely,
    strings,
    unclaimed_acronyms,
    units,
)
from .values import (
    acronym_codes,
    binaries,
    country_codes,
    date_times,
    decimal_strings,
    free_codes,
    identifiers,
    list_codes,
    measures,
    multilingual,
    quantities,
    texts,
)

M = TypeVar("M", bound=m.ModelBase)
T = TypeVar("T")
Fields: TypeAlias = Mapping[str, st.SearchStrategy[Any]]  # field name -> the strategy of its value


# ------------------------------------------------------------------------------ groups
def group(cls: type[M], required: Fields, optional: Fields, min_optional: int = 0, max_optional: int | None = None,
          fix: Callable[[M, st.DrawFn], M] | None = None) -> st.SearchStrategy[M]:
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
    def build(draw: st.DrawFn) -> M:
        values = {k: draw(v) for k, v in required.items()}
        for k in sorted(draw(pick), key=names.index):
            values[k] = draw(optional[k])
        obj = cls(**values)
        return fix(obj, draw) if fix else obj

    return build()


def some(strategy: st.SearchStrategy[T], max_size: int = 2) -> st.SearchStrategy[list[T]]:
    """A non-empty list."""
    return lists(strategy, 1, max_size)


def text(at: str, default: int = 256) -> st.SearchStrategy[m.Text]:
    return texts(max_len(at, default))


def _filled(value: m.Value) -> bool:
    """Neither blank nor the NULL placeholder: what ISPM 12 validation takes as a filled box."""
    return value.value.strip().upper() not in ("", "NULL")


@cached
def box_text(at: str) -> st.SearchStrategy[m.Text]:
    """A text for a mandatory ISPM 12 box (name of exporter, botanical name …): never NULL."""
    return text(at).filter(_filled)


def ident(at: str) -> st.SearchStrategy[m.Identifier]:
    return identifiers(max_len(at))


@cached
def countries(at: str = "export_country", max_names: int = 2) -> st.SearchStrategy[m.Country]:
    """A :class:`~ephyto_dip.reading.model.Country` with its ISO code, and maybe names and subdivisions.

    ``at`` is the table field the country is for (its DIP formats apply).
    """
    ident = st.builds(m.Identifier, value=country_codes(), scheme_agency_id=rarely(st.just("5")),
                      scheme_version_id=rarely(st.just("second edition 2006")))
    return group(m.Country, {"id": ident},
                  {"names": some(text(f"{at}.names[]"), max_names),
                   "subdivisions": some(_subdivisions(f"{at}.subdivisions[]"))})


@cached
def _subdivisions(at: str) -> st.SearchStrategy[m.CountrySubdivision]:
    return group(m.CountrySubdivision, {"names": some(text(f"{at}.names[]"))}, {
        "id": ident(f"{at}.id"),
        "hierarchical_level_code": free_codes(max_len(f"{at}.hierarchical_level_code"), values=("0", "1", "2")),
        "function_type_code": list_codes(LOCATION_FUNCTIONS, "location_function"),
    })


@cached
def locations(at: str) -> st.SearchStrategy[m.Location]:
    # SPSLocationType requires a Name (and the place of issue is a mandatory box)
    return group(m.Location, {"names": some(box_text(f"{at}.names[]"))}, {"id": ident(f"{at}.id")})


@cached
def _addresses(at: str) -> st.SearchStrategy[m.Address]:
    lines = {name: text(f"{at}.{name}") for name in
             ("line_one", "line_two", "line_three", "line_four", "line_five", "city_name", "country_name",
              "country_subdivision_name")}
    return group(m.Address, {}, {
        "postcode": free_codes(max_len(f"{at}.postcode")),
        **lines,
        "country_id": st.builds(m.Identifier, value=country_codes()),
        "type_code": list_codes(ADDRESS_TYPES, "address_type"),
        "country_subdivision_id": ident(f"{at}.country_subdivision_id"),
        "city_id": ident(f"{at}.city_id"),
    }, min_optional=1, max_optional=6)


@cached
def parties(at: str = "consignor", named: bool = False) -> st.SearchStrategy[m.Party]:
    """A :class:`~ephyto_dip.reading.model.Party` (exporter, consignee, NPPO, operator …) for table field ``at``.

    ``named`` always gives it a name (ISPM 12 requires the names of the issuer, exporter and consignee).
    """
    others = {
        "id": ident(f"{at}.id"),
        "role_code": list_codes(PARTY_ROLES, "party_role"),
        "type_codes": some(free_codes(max_len(f"{at}.type_codes[]"))),
        "address": _addresses(f"{at}.address"),
        "contacts": some(st.builds(m.Contact, person_name=text(f"{at}.contacts[].person_name"))),
        "person_name": text(f"{at}.person_name"),
    }
    if named:
        return group(m.Party, {"name": box_text(f"{at}.name")}, others, max_optional=3)
    return group(m.Party, {}, {"name": text(f"{at}.name"), **others}, min_optional=1, max_optional=4)


@cached
def notes(at: str = "additional_declarations[]", contents: st.SearchStrategy[str] | None = None,
          subjects: Sequence[str] | None = None) -> st.SearchStrategy[m.Note]:
    """An SPS note for table field ``at``: a statement in one or more languages.

    ``contents`` (a strategy of str) draws the text values (default: free texts in several
    languages); ``subjects`` (for the ``other_notes`` fields) the tag acronyms its Subject may take.
    """
    if contents is None:
        values = multilingual(max_len(f"{at}.contents[]", 8000))
    else:
        values = some(st.builds(m.Text, value=contents, language_id=LANG_OR_NONE))
    optional = {
        "content_codes": some(free_codes(max_len(f"{at}.content_codes[]"), values=("1", "2", "3", "4", "5"))),
        "subject_code": free_codes(max_len(f"{at}.subject_code")),
    }
    if subjects is None:
        return group(m.Note, {"contents": values}, optional)
    return group(m.SubjectNote, {"contents": values}, {**optional, "subject": acronym_codes(subjects)})


def note_list(at: str, contents: st.SearchStrategy[str] | None = None, max_size: int = 2
              ) -> st.SearchStrategy[list[m.Note]]:
    return some(notes(at, contents), max_size)


@cached
def _acronyms(at: str) -> st.SearchStrategy[m.Text]:
    # the acronym is the characteristic's first Description: it must not be one a table row
    # claims (TTL1 …), or the characteristic would be read as that kind
    return st.builds(m.Text, value=strings(max_len(f"{at}.acronym")).filter(
        lambda s: s.strip() not in claimed_acronyms("Description", True)), language_id=LANG_OR_NONE)


@cached
def _characteristics(at: str, other: bool = False, units: Sequence[str] = UNITS) -> st.SearchStrategy[m.Characteristic]:
    optional = {
        "descriptions": some(text(f"{at}.descriptions[]", 8000)),
        "type_code": list_codes(MEASURED_ATTRIBUTES, "measured_attribute"),
        "value": measures(units),
        "minimum": measures(units),
        "maximum": measures(units),
    }
    if other:  # an acronym no row names, always there (else Description[1] would be taken for it)
        return group(m.OtherCharacteristic, {"acronym": _acronyms(at)}, optional)
    return group(m.Characteristic, {}, optional, min_optional=1)


_CHARACTERISTIC_KINDS = ("type_level1", "type_level2", "chemicals", "temperatures", "concentrations",
                         "additional_information", "full_text", "other_characteristics")


def _period(treatment: m.Treatment, draw: st.DrawFn) -> m.Treatment:
    # CompletionSPSPeriod requires StartDateTime: an end or a duration comes with a start
    if treatment.start_date_time is None and (treatment.end_date_time or treatment.duration):
        treatment.start_date_time = draw(date_times())
    return treatment


@cached
def treatments(at: str = "items[].treatments[]") -> st.SearchStrategy[m.Treatment]:
    """A treatment with dates, duration and characteristics of every kind (TTL1 … TTFT, others)."""
    kinds = {kind: some(_characteristics(f"{at}.{kind}[]", kind == "other_characteristics",
                                          units("temperature") if kind == "temperatures" else UNITS))
             for kind in _CHARACTERISTIC_KINDS}
    return group(m.Treatment, {"type_code": list_codes(PROCESS_TYPES, "process")}, {
        "start_date_time": date_times(),
        "end_date_time": date_times(),
        "duration": measures(units("duration"), signed=False),
        **kinds,
        "operation_country": countries(f"{at}.operation_country"),
        "operator": parties(f"{at}.operator"),
    }, max_optional=7, fix=_period)


_CLASS_CODES = ("06029048", "4407", "0808", "1", "Fresh")


@cached
def classifications(at: str, other: bool = False) -> st.SearchStrategy[m.Classification]:
    optional = {
        "class_code": free_codes(max_len(f"{at}.class_code"), values=_CLASS_CODES),
        "class_names": some(text(f"{at}.class_names[]")),
        "system_id": ident(f"{at}.system_id"),
    }
    if other:  # SystemName is a tag acronym: any but those a row claims (HS, IPPCPCVP, IPPCPCC)
        others = unclaimed_acronyms("SystemName", True)
        return group(m.OtherClassification, {"system_name": acronym_codes(others)}, optional)
    return group(m.Classification, {}, optional, min_optional=1)


_LEVEL_CODES = ("0", "1", "2", "3", "4")


@cached
def packages(at: str) -> st.SearchStrategy[m.Package]:
    return group(m.Package, {  # LevelCode, TypeCode and ItemQuantity are required by SPS 17
        "level_code": free_codes(max_len(f"{at}.level_code"), values=_LEVEL_CODES),
        "type_code": list_codes(PACKAGE_TYPES, "package"),
        "quantity": quantities(),
    }, {
        "nominal_gross_weight": measures(units("weight"), signed=False),
        "nominal_gross_volume": measures(units("volume"), signed=False),
        "shipping_marks": some(st.builds(m.ShippingMarks, marking=text(f"{at}.shipping_marks[].marking"))),
    })


@cached
def transport_equipment(at: str) -> st.SearchStrategy[m.TransportEquipment]:
    seal = group(m.Seal, {"id": ident(f"{at}.seals[].id")}, {"maximum_id": ident(f"{at}.seals[].maximum_id")})
    return group(m.TransportEquipment, {}, {"id": ident(f"{at}.id"), "seals": some(seal, 3)}, min_optional=1)


@cached
def referenced_documents(at: str) -> st.SearchStrategy[m.ReferencedDocument]:
    return group(m.ReferencedDocument, {}, {
        "issue_date_time": date_times(),
        "type_code": list_codes(REFERENCED_DOCUMENT_TYPES, "document"),
        "relationship_type_code": list_codes(REFERENCE_TYPES, "reference"),
        "id": ident(f"{at}.id"),
        "attachments": some(binaries()),
        "information": text(f"{at}.information"),
    }, min_optional=1)


@cached
def authentications(at: str, certifying: bool = False) -> st.SearchStrategy[m.Authentication]:
    """``certifying``: the certificate's own, with the authorized officer and a certifying statement."""
    clause = group(m.Clause, {"id": ident(f"{at}.clauses[].id").filter(_filled)},  # a clause is its statement code
                    {"contents": multilingual(max_len(f"{at}.clauses[].contents[]"), 1, 2)})
    officer, clauses = box_text(f"{at}.officer_name"), some(clause)
    # IssueSPSLocation (with a Name) is required by SPS 17
    required = {"issue_location": locations(f"{at}.issue_location")}
    optional = {
        "type_code": list_codes(GOVERNMENT_ACTIONS, "government_action"),
        "actual_date_time": date_times(),
        "provider_name": text(f"{at}.provider_name"),
        "location_provider_name": text(f"{at}.location_provider_name"),
    }
    if certifying:  # ISPM 12: the name of the authorized officer and the certifying statement
        return group(m.Authentication, {**required, "officer_name": officer, "clauses": clauses}, optional)
    return group(m.Authentication, required, {**optional, "officer_name": officer, "clauses": clauses})


STATEMENT_3, STATEMENT_4, STATEMENT_5 = st.just("3"), st.just("4"), st.just("5")


@cached
def re_export(at: str) -> st.SearchStrategy[m.ReExport]:
    def n(name: str, contents: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[list[m.Note]]:
        return note_list(f"{at}.{name}[]", contents, max_size=1)

    # the core notes always (statement, country of origin, original certificate number: the
    # rules warn without them); the tick boxes as the exporter ticked them
    return group(m.ReExport, {"statement": n("statement", STATEMENT_3),
                               "origin_country": n("origin_country", country_codes()),
                               "original_certificate_number": n("original_certificate_number", id_strings(60))}, {
        **{name: n(name, BOOLEAN_TEXT) for name in (
            "original_attached", "certified_copy_attached", "packed", "repacked", "original_containers",
            "new_containers", "based_on_original_certificate", "additional_inspection")},
    })


OQV = decimal_strings(int_digits=8, frac_digits=4)
OQU = st.sampled_from(["KGM", "Stück", "plants"])
NUMERIC_FORMAT = rarely(st.just("n..5"))
