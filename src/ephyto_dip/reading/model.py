"""The certificate in the middle: every ISPM 12 box as a typed pydantic model.

Both readers build a :class:`Certificate`, both writers consume one; the mapping table
(`mappings/ephyto-dip.tsv`) says where each field lives in ePhyto and in the DIP.

Values keep their lexical form: a date stays ``2016-04-12``, a weight stays ``10.00``.
Each value type carries the XML attributes of its UN/CEFACT data type (``languageID``,
``unitCode``, ``listName`` …) as typed fields; ``XML_ATTRIBUTES`` names them.
"""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field


def value_at(data: object, dotted: str) -> object:
    """What the model data (plain dictionaries, as read or dumped) holds at ``a.b``; None if nothing."""
    cur = data
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _new_list() -> list:
    """The default of every list field. A plain function, not ``list``: pydantic inspects a
    factory's signature, which for a builtin means parsing its text (~60 ms at import), and a
    literal ``[]`` default is deep-copied for every instance instead."""
    return []


class _Model(BaseModel):
    # validators are built on first use: a conversion never validates a model, so it never pays
    model_config = ConfigDict(extra="forbid", validate_assignment=False, frozen=False, defer_build=True)


# --------------------------------------------------------------------------- value types


class Value(_Model):
    """A leaf value: element text plus the attributes of its data type."""

    value: str
    XML_ATTRIBUTES: ClassVar[dict[str, str]] = {}

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.value


class Text(Value):
    """UDT TextType: a text in one language."""

    language_id: str | None = None
    language_locale_id: str | None = None
    XML_ATTRIBUTES: ClassVar[dict[str, str]] = {
        "language_id": "languageID",
        "language_locale_id": "languageLocaleID",
    }


class Code(Value):
    """UDT CodeType: a code with its list metadata."""

    list_id: str | None = None
    list_agency_id: str | None = None
    list_agency_name: str | None = None
    list_name: str | None = None
    list_version_id: str | None = None
    name: str | None = None
    language_id: str | None = None
    list_uri: str | None = None
    list_scheme_uri: str | None = None
    XML_ATTRIBUTES: ClassVar[dict[str, str]] = {
        "list_id": "listID",
        "list_agency_id": "listAgencyID",
        "list_agency_name": "listAgencyName",
        "list_name": "listName",
        "list_version_id": "listVersionID",
        "name": "name",
        "language_id": "languageID",
        "list_uri": "listURI",
        "list_scheme_uri": "listSchemeURI",
    }


class Identifier(Value):
    """UDT IDType: an identifier with its scheme metadata."""

    scheme_id: str | None = None
    scheme_name: str | None = None
    scheme_agency_id: str | None = None
    scheme_agency_name: str | None = None
    scheme_version_id: str | None = None
    scheme_data_uri: str | None = None
    scheme_uri: str | None = None
    XML_ATTRIBUTES: ClassVar[dict[str, str]] = {
        "scheme_id": "schemeID",
        "scheme_name": "schemeName",
        "scheme_agency_id": "schemeAgencyID",
        "scheme_agency_name": "schemeAgencyName",
        "scheme_version_id": "schemeVersionID",
        "scheme_data_uri": "schemeDataURI",
        "scheme_uri": "schemeURI",
    }


class Measure(Value):
    """UDT MeasureType: a decimal with its UN/ECE Rec 20 unit."""

    unit_code: str | None = None
    unit_code_list_version_id: str | None = None
    XML_ATTRIBUTES: ClassVar[dict[str, str]] = {
        "unit_code": "unitCode",
        "unit_code_list_version_id": "unitCodeListVersionID",
    }


class Quantity(Value):
    """UDT QuantityType: a counted quantity."""

    unit_code: str | None = None
    unit_code_list_id: str | None = None
    unit_code_list_agency_id: str | None = None
    unit_code_list_agency_name: str | None = None
    XML_ATTRIBUTES: ClassVar[dict[str, str]] = {
        "unit_code": "unitCode",
        "unit_code_list_id": "unitCodeListID",
        "unit_code_list_agency_id": "unitCodeListAgencyID",
        "unit_code_list_agency_name": "unitCodeListAgencyName",
    }


class Numeric(Value):
    """UDT NumericType."""

    format: str | None = None
    XML_ATTRIBUTES: ClassVar[dict[str, str]] = {"format": "format"}


class DateTime(Value):
    """UDT DateTimeType. ``value`` is the lexical form as sent (ISO 8601 in practice)."""

    format: str | None = None
    XML_ATTRIBUTES: ClassVar[dict[str, str]] = {"format": "format"}


class Binary(Value):
    """UDT BinaryObjectType: base64 content kept exactly as sent."""

    format: str | None = None
    mime_code: str | None = None
    encoding_code: str | None = None
    character_set_code: str | None = None
    uri: str | None = None
    filename: str | None = None
    XML_ATTRIBUTES: ClassVar[dict[str, str]] = {
        "format": "format",
        "mime_code": "mimeCode",
        "encoding_code": "encodingCode",
        "character_set_code": "characterSetCode",
        "uri": "uri",
        "filename": "filename",
    }


class Indicator(Value):
    """UDT IndicatorType (``true``/``false``)."""


# --------------------------------------------------------------------------- shared groups


class Note(_Model):
    """An SPS note: one statement, in one or more languages (``Content`` repeated)."""

    contents: list[Text] = Field(default_factory=_new_list)
    content_codes: list[Code] = Field(default_factory=_new_list)
    subject_code: Code | None = None


class SubjectNote(Note):
    """A note whose subject acronym the table does not name (carried, reported by rules)."""

    subject: Code | None = None


class Address(_Model):
    postcode: Code | None = None
    line_one: Text | None = None
    line_two: Text | None = None
    line_three: Text | None = None
    line_four: Text | None = None
    line_five: Text | None = None
    city_name: Text | None = None
    country_id: Identifier | None = None
    type_code: Code | None = None
    country_name: Text | None = None
    country_subdivision_id: Identifier | None = None
    country_subdivision_name: Text | None = None
    city_id: Identifier | None = None


class Contact(_Model):
    person_name: Text | None = None


class Party(_Model):
    """A party: exporter, consignee, issuing NPPO, treatment operator …"""

    id: Identifier | None = None
    name: Text | None = None
    role_code: Code | None = None
    type_codes: list[Code] = Field(default_factory=_new_list)
    address: Address | None = None
    contacts: list[Contact] = Field(default_factory=_new_list)
    person_name: Text | None = None


class CountrySubdivision(_Model):
    id: Identifier | None = None
    names: list[Text] = Field(default_factory=_new_list)
    hierarchical_level_code: Code | None = None
    function_type_code: Code | None = None


class Country(_Model):
    id: Identifier | None = None
    names: list[Text] = Field(default_factory=_new_list)
    subdivisions: list[CountrySubdivision] = Field(default_factory=_new_list)


class Location(_Model):
    id: Identifier | None = None
    names: list[Text] = Field(default_factory=_new_list)


class TransportMovement(_Model):
    """Declared means of conveyance: mode (Rec 19), voyage/flight id, vessel/carrier name."""

    id: Identifier | None = None
    mode_code: Code | None = None
    means_name: Text | None = None


class Seal(_Model):
    id: Identifier | None = None
    maximum_id: Identifier | None = None


class TransportEquipment(_Model):
    """A container (or other equipment) with its seals."""

    id: Identifier | None = None
    seals: list[Seal] = Field(default_factory=_new_list)


class ReferencedDocument(_Model):
    """An attachment or referenced document (letter of authority, original PC copy …)."""

    issue_date_time: DateTime | None = None
    type_code: Code | None = None
    relationship_type_code: Code | None = None
    id: Identifier | None = None
    attachments: list[Binary] = Field(default_factory=_new_list)
    information: Text | None = None


class Clause(_Model):
    """A certifying statement (clause) by code, with optional text."""

    id: Identifier | None = None
    contents: list[Text] = Field(default_factory=_new_list)


class Authentication(_Model):
    """Place and date of issue, authorised officer, certifying statements."""

    type_code: Code | None = None
    actual_date_time: DateTime | None = None
    issue_location: Location | None = None
    provider_name: Text | None = None
    officer_name: Text | None = None
    location_provider_name: Text | None = None
    clauses: list[Clause] = Field(default_factory=_new_list)


# --------------------------------------------------------------------------- treatments


class Characteristic(_Model):
    """A treatment characteristic (TTL1, TTCH, TTTM …); ``descriptions`` exclude the acronym."""

    type_code: Code | None = None
    descriptions: list[Text] = Field(default_factory=_new_list)
    value: Measure | None = None
    minimum: Measure | None = None
    maximum: Measure | None = None


class OtherCharacteristic(Characteristic):
    """A characteristic whose acronym the table does not name."""

    acronym: Text | None = None


class Treatment(_Model):
    """Disinfestation and/or disinfection treatment (ISPM 12 box 8 on the model certificate)."""

    type_code: Code | None = None
    start_date_time: DateTime | None = None
    end_date_time: DateTime | None = None
    duration: Measure | None = None
    type_level1: list[Characteristic] = Field(default_factory=_new_list)
    type_level2: list[Characteristic] = Field(default_factory=_new_list)
    chemicals: list[Characteristic] = Field(default_factory=_new_list)
    temperatures: list[Characteristic] = Field(default_factory=_new_list)
    concentrations: list[Characteristic] = Field(default_factory=_new_list)
    additional_information: list[Characteristic] = Field(default_factory=_new_list)
    full_text: list[Characteristic] = Field(default_factory=_new_list)
    other_characteristics: list[OtherCharacteristic] = Field(default_factory=_new_list)
    operation_country: Country | None = None
    operator: Party | None = None


# --------------------------------------------------------------------------- items


class Classification(_Model):
    """Commodity classification: HS code, IPPC commodity class (vegetable part, condition)."""

    system_id: Identifier | None = None
    class_code: Code | None = None
    class_names: list[Text] = Field(default_factory=_new_list)


class OtherClassification(Classification):
    system_name: Code | None = None


class ShippingMarks(_Model):
    marking: Text | None = None


class Package(_Model):
    """Number and description of packages (UN/ECE Rec 21 type, UNTDID 7075 level)."""

    level_code: Code | None = None
    type_code: Code | None = None
    quantity: Quantity | None = None
    nominal_gross_weight: Measure | None = None
    nominal_gross_volume: Measure | None = None
    shipping_marks: list[ShippingMarks] = Field(default_factory=_new_list)


class ReExport(_Model):
    """Re-export certificate details carried as item notes (RPC* acronyms)."""

    statement: list[Note] = Field(default_factory=_new_list)
    origin_country: list[Note] = Field(default_factory=_new_list)
    original_certificate_number: list[Note] = Field(default_factory=_new_list)
    original_attached: list[Note] = Field(default_factory=_new_list)
    certified_copy_attached: list[Note] = Field(default_factory=_new_list)
    packed: list[Note] = Field(default_factory=_new_list)
    repacked: list[Note] = Field(default_factory=_new_list)
    original_containers: list[Note] = Field(default_factory=_new_list)
    new_containers: list[Note] = Field(default_factory=_new_list)
    based_on_original_certificate: list[Note] = Field(default_factory=_new_list)
    additional_inspection: list[Note] = Field(default_factory=_new_list)


class TradeLineItem(_Model):
    """One consignment line: name of produce, botanical name, quantity, origin, treatments …"""

    sequence_numeric: Numeric | None = None
    descriptions: list[Text] = Field(default_factory=_new_list)
    common_names: list[Text] = Field(default_factory=_new_list)
    botanical_names: list[Text] = Field(default_factory=_new_list)
    production_batch_ids: list[Identifier] = Field(default_factory=_new_list)
    intended_uses: list[Text] = Field(default_factory=_new_list)
    expiry_date_times: list[DateTime] = Field(default_factory=_new_list)
    net_weight: Measure | None = None
    gross_weight: Measure | None = None
    net_volume: Measure | None = None
    gross_volume: Measure | None = None
    hs_classifications: list[Classification] = Field(default_factory=_new_list)
    vegetable_part_classes: list[Classification] = Field(default_factory=_new_list)
    condition_classes: list[Classification] = Field(default_factory=_new_list)
    other_classifications: list[OtherClassification] = Field(default_factory=_new_list)
    packages: list[Package] = Field(default_factory=_new_list)
    other_packages: list[Note] = Field(default_factory=_new_list)
    other_quantity_values: list[Note] = Field(default_factory=_new_list)
    other_quantity_units: list[Note] = Field(default_factory=_new_list)
    distinguishing_marks: list[Note] = Field(default_factory=_new_list)
    additional_declarations: list[Note] = Field(default_factory=_new_list)
    import_permits: list[Note] = Field(default_factory=_new_list)
    inspection_dates: list[Note] = Field(default_factory=_new_list)
    additional_official_information: list[Note] = Field(default_factory=_new_list)
    re_export: ReExport = Field(default_factory=ReExport)
    other_notes: list[SubjectNote] = Field(default_factory=_new_list)
    transport_equipment: list[TransportEquipment] = Field(default_factory=_new_list)
    origin_countries: list[Country] = Field(default_factory=_new_list)
    origin_locations: list[Location] = Field(default_factory=_new_list)
    treatments: list[Treatment] = Field(default_factory=_new_list)
    asserted_authentications: list[Authentication] = Field(default_factory=_new_list)
    referenced_documents: list[ReferencedDocument] = Field(default_factory=_new_list)


class Cargo(_Model):
    """Nature of the cargo (UN/CEFACT cargo type classification)."""

    type_code: Code | None = None


class Replacement(_Model):
    """Replacement certificate notes (ADRP statement, ADRPN number, ADRPR reason, ADRD date)."""

    statement: list[Note] = Field(default_factory=_new_list)
    replaced_certificate_number: list[Note] = Field(default_factory=_new_list)
    reason: list[Note] = Field(default_factory=_new_list)
    replaced_issue_date: list[Note] = Field(default_factory=_new_list)


class HubForwarding(_Model):
    code: str | None = None
    hub_delivery_number: str | None = None


class HubEnvelope(_Model):
    """The IPPC ePhyto Hub envelope header that carried the certificate, if any."""

    from_country: str | None = None
    to_country: str | None = None
    certificate_type: str | None = None
    certificate_status: str | None = None
    nppo_certificate_number: str | None = None
    hub_delivery_number: str | None = None
    hub_tracking_info: str | None = None
    hub_delivery_error_message: str | None = None
    forwardings: list[HubForwarding] = Field(default_factory=_new_list)


class Certificate(_Model):
    """An ISPM 12 phytosanitary certificate (export 851, re-export 657, replacement)."""

    id: Identifier | None = None
    names: list[Text] = Field(default_factory=_new_list)
    descriptions: list[Text] = Field(default_factory=_new_list)
    type_code: Code | None = None
    status_code: Code | None = None
    issue_date_time: DateTime | None = None
    issuer: Party | None = None
    financial_liability: list[Note] = Field(default_factory=_new_list)
    additional_declarations: list[Note] = Field(default_factory=_new_list)
    import_permits: list[Note] = Field(default_factory=_new_list)
    inspection_dates: list[Note] = Field(default_factory=_new_list)
    additional_official_information: list[Note] = Field(default_factory=_new_list)
    distinguishing_marks: list[Note] = Field(default_factory=_new_list)
    replacement: Replacement = Field(default_factory=Replacement)
    other_notes: list[SubjectNote] = Field(default_factory=_new_list)
    referenced_documents: list[ReferencedDocument] = Field(default_factory=_new_list)
    authentications: list[Authentication] = Field(default_factory=_new_list)
    consignment_id: Identifier | None = None
    consignor: Party | None = None
    consignee: Party | None = None
    export_country: Country | None = None
    re_export_countries: list[Country] = Field(default_factory=_new_list)
    loading_location: Location | None = None
    import_country: Country | None = None
    transit_countries: list[Country] = Field(default_factory=_new_list)
    point_of_entry: Location | None = None
    examination_location: Location | None = None
    transport_movements: list[TransportMovement] = Field(default_factory=_new_list)
    transport_equipment: list[TransportEquipment] = Field(default_factory=_new_list)
    cargo_types: list[Cargo] = Field(default_factory=_new_list)
    items: list[TradeLineItem] = Field(default_factory=_new_list)
    hub_envelope: HubEnvelope | None = None

    # -- conveniences for single-window code -------------------------------------------
    @property
    def number(self) -> str | None:
        return self.id.value if self.id else None

    @property
    def is_reexport(self) -> bool:
        from .doctypes import (
            is_reexport,  # the re-export type(s): mappings/sps-document-types.tsv
        )

        return bool(self.type_code and is_reexport(self.type_code.value))


# ------------------------------------------------------------------ trusted construction


class _Untrusted(Exception):
    """The data is not in the reader's shapes: validate it instead."""


_PLANS: dict = {}
_STR, _MODEL, _MODEL_LIST = 0, 1, 2


class _Plan:
    """How to build one class from the reader's dictionaries, worked out once per class."""

    __slots__ = ("kinds", "lists", "models", "required", "strings", "template")

    def __init__(self, cls: type):
        import typing

        self.template: dict = {}  # every field, in order: None until set
        self.kinds: dict = {}  # field -> (kind, model class, None allowed)
        self.lists: list = []  # fields whose default is a new empty list
        self.models: list = []  # (field, class) whose default is an empty instance
        self.required: list = []
        for name, info in cls.model_fields.items():
            ann = info.annotation
            optional = False
            if typing.get_origin(ann) is typing.Union:
                args = [a for a in typing.get_args(ann) if a is not type(None)]
                optional, ann = len(args) == 1, args[0] if len(args) == 1 else None
            if ann is str:
                kind, sub = _STR, None
            elif typing.get_origin(ann) is list and issubclass(typing.get_args(ann)[0], BaseModel):
                kind, sub = _MODEL_LIST, typing.get_args(ann)[0]
            elif isinstance(ann, type) and issubclass(ann, BaseModel):
                kind, sub = _MODEL, ann
            else:
                raise TypeError(f"{cls.__name__}.{name}: no trusted construction for {info.annotation}")
            if info.default_factory is _new_list:
                self.lists.append(name)
            elif info.default_factory is not None and info.default_factory is sub:
                self.models.append((name, sub))
            elif info.is_required():
                self.required.append(name)
            elif info.default_factory is not None or info.default is not None:
                raise TypeError(f"{cls.__name__}.{name}: no trusted construction for its default")
            self.template[name] = None
            self.kinds[name] = (kind, sub, optional)
        # a value type: every field a string, only ``value`` required (the common case, made quick)
        self.strings = (
            all(k[0] == _STR for k in self.kinds.values()) and self.required == ["value"]
            and not self.lists and not self.models
            and all(k[2] for n, k in self.kinds.items() if n != "value")
        )


_EMPTY: dict = {}
_set = object.__setattr__


def _instance(cls, values: dict, data: dict):
    """An instance holding ``values``, set up as pydantic's own construction leaves one."""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(data))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def _construct(cls: type, data: dict):
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls)
    values = plan.template.copy()
    if plan.strings:
        if "value" not in data:
            raise _Untrusted("value")
        for name, v in data.items():
            if name not in values or (type(v) is not str and not (v is None and name != "value")):
                raise _Untrusted(name)
        values.update(data)
        return _instance(cls, values, data)
    for name in plan.lists:
        values[name] = []
    kinds = plan.kinds
    for name, v in data.items():
        spec = kinds.get(name)
        if spec is None:
            raise _Untrusted(name)  # an extra field: validation reports it
        kind = spec[0]
        if v is None:
            if not spec[2]:
                raise _Untrusted(name)
            values[name] = None
        elif kind == _STR:
            if type(v) is not str:
                raise _Untrusted(name)
            values[name] = v
        elif kind == _MODEL:
            if type(v) is not dict:
                raise _Untrusted(name)
            values[name] = _construct(spec[1], v)
        else:
            if type(v) is not list:
                raise _Untrusted(name)
            sub = spec[1]
            items = []
            for item in v:
                if type(item) is not dict:
                    raise _Untrusted(name)
                items.append(_construct(sub, item))
            values[name] = items
    for name, sub in plan.models:
        if name not in data:
            values[name] = _construct(sub, _EMPTY)
    for name in plan.required:
        if name not in data:
            raise _Untrusted(name)
    return _instance(cls, values, data)


def certificate_from_reader(data: dict) -> Certificate | None:
    """The Certificate of what the reader read, built without validation: the reader's
    dictionaries already have the model's shapes (plain strings, dictionaries, lists). Each
    shape is checked on the way; None if anything differs, and the caller validates instead.

    Equal to ``Certificate.model_validate(data)`` (and with the same fields set) whenever it
    is not None; building pydantic's validators (~0.25 s at first use) and validating
    (~1 ms per certificate) are what it saves.
    """
    try:
        return _construct(Certificate, data)
    except _Untrusted:
        return None
