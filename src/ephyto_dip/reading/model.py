"""The certificate in the middle: every ISPM 12 box as a typed pydantic model.

Both readers build a :class:`Certificate`, both writers consume one; the mapping table
(`mappings/ephyto-dip.tsv`) says where each field lives in ePhyto and in the DIP.

The value types (a box's text with its data type's XML attributes) are in
:mod:`ephyto_dip.reading.model_values` and are named here too; building a certificate from the
reader's dictionaries without validation is :mod:`ephyto_dip.reading.trusted_model`.
"""

from pydantic import Field

from .model_values import (  # noqa: F401  (the value types are the model's too)
    Binary,
    Code,
    DateTime,
    Identifier,
    Indicator,
    Measure,
    ModelBase,
    Numeric,
    Quantity,
    Text,
    Value,
    new_list,
    value_at,
)

# --------------------------------------------------------------------------- shared groups


class Note(ModelBase):
    """An SPS note: one statement, in one or more languages (``Content`` repeated)."""

    contents: list[Text] = Field(default_factory=new_list)
    content_codes: list[Code] = Field(default_factory=new_list)
    subject_code: Code | None = None


class SubjectNote(Note):
    """A note whose subject acronym the table does not name (carried, reported by rules)."""

    subject: Code | None = None


class Address(ModelBase):
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


class Contact(ModelBase):
    person_name: Text | None = None


class Party(ModelBase):
    """A party: exporter, consignee, issuing NPPO, treatment operator …"""

    id: Identifier | None = None
    name: Text | None = None
    role_code: Code | None = None
    type_codes: list[Code] = Field(default_factory=new_list)
    address: Address | None = None
    contacts: list[Contact] = Field(default_factory=new_list)
    person_name: Text | None = None


class CountrySubdivision(ModelBase):
    id: Identifier | None = None
    names: list[Text] = Field(default_factory=new_list)
    hierarchical_level_code: Code | None = None
    function_type_code: Code | None = None


class Country(ModelBase):
    id: Identifier | None = None
    names: list[Text] = Field(default_factory=new_list)
    subdivisions: list[CountrySubdivision] = Field(default_factory=new_list)


class Location(ModelBase):
    id: Identifier | None = None
    names: list[Text] = Field(default_factory=new_list)


class TransportMovement(ModelBase):
    """Declared means of conveyance: mode (Rec 19), voyage/flight id, vessel/carrier name."""

    id: Identifier | None = None
    mode_code: Code | None = None
    means_name: Text | None = None


class Seal(ModelBase):
    id: Identifier | None = None
    maximum_id: Identifier | None = None


class TransportEquipment(ModelBase):
    """A container (or other equipment) with its seals."""

    id: Identifier | None = None
    seals: list[Seal] = Field(default_factory=new_list)


class ReferencedDocument(ModelBase):
    """An attachment or referenced document (letter of authority, original PC copy …)."""

    issue_date_time: DateTime | None = None
    type_code: Code | None = None
    relationship_type_code: Code | None = None
    id: Identifier | None = None
    attachments: list[Binary] = Field(default_factory=new_list)
    information: Text | None = None


class Clause(ModelBase):
    """A certifying statement (clause) by code, with optional text."""

    id: Identifier | None = None
    contents: list[Text] = Field(default_factory=new_list)


class Authentication(ModelBase):
    """Place and date of issue, authorised officer, certifying statements."""

    type_code: Code | None = None
    actual_date_time: DateTime | None = None
    issue_location: Location | None = None
    provider_name: Text | None = None
    officer_name: Text | None = None
    location_provider_name: Text | None = None
    clauses: list[Clause] = Field(default_factory=new_list)


# --------------------------------------------------------------------------- treatments


class Characteristic(ModelBase):
    """A treatment characteristic (TTL1, TTCH, TTTM …); ``descriptions`` exclude the acronym."""

    type_code: Code | None = None
    descriptions: list[Text] = Field(default_factory=new_list)
    value: Measure | None = None
    minimum: Measure | None = None
    maximum: Measure | None = None


class OtherCharacteristic(Characteristic):
    """A characteristic whose acronym the table does not name."""

    acronym: Text | None = None


class Treatment(ModelBase):
    """Disinfestation and/or disinfection treatment (ISPM 12 box 8 on the model certificate)."""

    type_code: Code | None = None
    start_date_time: DateTime | None = None
    end_date_time: DateTime | None = None
    duration: Measure | None = None
    type_level1: list[Characteristic] = Field(default_factory=new_list)
    type_level2: list[Characteristic] = Field(default_factory=new_list)
    chemicals: list[Characteristic] = Field(default_factory=new_list)
    temperatures: list[Characteristic] = Field(default_factory=new_list)
    concentrations: list[Characteristic] = Field(default_factory=new_list)
    additional_information: list[Characteristic] = Field(default_factory=new_list)
    full_text: list[Characteristic] = Field(default_factory=new_list)
    other_characteristics: list[OtherCharacteristic] = Field(default_factory=new_list)
    operation_country: Country | None = None
    operator: Party | None = None


# --------------------------------------------------------------------------- items


class Classification(ModelBase):
    """Commodity classification: HS code, IPPC commodity class (vegetable part, condition)."""

    system_id: Identifier | None = None
    class_code: Code | None = None
    class_names: list[Text] = Field(default_factory=new_list)


class OtherClassification(Classification):
    system_name: Code | None = None


class ShippingMarks(ModelBase):
    marking: Text | None = None


class Package(ModelBase):
    """Number and description of packages (UN/ECE Rec 21 type, UNTDID 7075 level)."""

    level_code: Code | None = None
    type_code: Code | None = None
    quantity: Quantity | None = None
    nominal_gross_weight: Measure | None = None
    nominal_gross_volume: Measure | None = None
    shipping_marks: list[ShippingMarks] = Field(default_factory=new_list)


class ReExport(ModelBase):
    """Re-export certificate details carried as item notes (RPC* acronyms)."""

    statement: list[Note] = Field(default_factory=new_list)
    origin_country: list[Note] = Field(default_factory=new_list)
    original_certificate_number: list[Note] = Field(default_factory=new_list)
    original_attached: list[Note] = Field(default_factory=new_list)
    certified_copy_attached: list[Note] = Field(default_factory=new_list)
    packed: list[Note] = Field(default_factory=new_list)
    repacked: list[Note] = Field(default_factory=new_list)
    original_containers: list[Note] = Field(default_factory=new_list)
    new_containers: list[Note] = Field(default_factory=new_list)
    based_on_original_certificate: list[Note] = Field(default_factory=new_list)
    additional_inspection: list[Note] = Field(default_factory=new_list)


class TradeLineItem(ModelBase):
    """One consignment line: name of produce, botanical name, quantity, origin, treatments …"""

    sequence_numeric: Numeric | None = None
    descriptions: list[Text] = Field(default_factory=new_list)
    common_names: list[Text] = Field(default_factory=new_list)
    botanical_names: list[Text] = Field(default_factory=new_list)
    production_batch_ids: list[Identifier] = Field(default_factory=new_list)
    intended_uses: list[Text] = Field(default_factory=new_list)
    expiry_date_times: list[DateTime] = Field(default_factory=new_list)
    net_weight: Measure | None = None
    gross_weight: Measure | None = None
    net_volume: Measure | None = None
    gross_volume: Measure | None = None
    hs_classifications: list[Classification] = Field(default_factory=new_list)
    vegetable_part_classes: list[Classification] = Field(default_factory=new_list)
    condition_classes: list[Classification] = Field(default_factory=new_list)
    other_classifications: list[OtherClassification] = Field(default_factory=new_list)
    packages: list[Package] = Field(default_factory=new_list)
    other_packages: list[Note] = Field(default_factory=new_list)
    other_quantity_values: list[Note] = Field(default_factory=new_list)
    other_quantity_units: list[Note] = Field(default_factory=new_list)
    distinguishing_marks: list[Note] = Field(default_factory=new_list)
    additional_declarations: list[Note] = Field(default_factory=new_list)
    import_permits: list[Note] = Field(default_factory=new_list)
    inspection_dates: list[Note] = Field(default_factory=new_list)
    additional_official_information: list[Note] = Field(default_factory=new_list)
    re_export: ReExport = Field(default_factory=ReExport)
    other_notes: list[SubjectNote] = Field(default_factory=new_list)
    transport_equipment: list[TransportEquipment] = Field(default_factory=new_list)
    origin_countries: list[Country] = Field(default_factory=new_list)
    origin_locations: list[Location] = Field(default_factory=new_list)
    treatments: list[Treatment] = Field(default_factory=new_list)
    asserted_authentications: list[Authentication] = Field(default_factory=new_list)
    referenced_documents: list[ReferencedDocument] = Field(default_factory=new_list)


class Cargo(ModelBase):
    """Nature of the cargo (UN/CEFACT cargo type classification)."""

    type_code: Code | None = None


class Replacement(ModelBase):
    """Replacement certificate notes (ADRP statement, ADRPN number, ADRPR reason, ADRD date)."""

    statement: list[Note] = Field(default_factory=new_list)
    replaced_certificate_number: list[Note] = Field(default_factory=new_list)
    reason: list[Note] = Field(default_factory=new_list)
    replaced_issue_date: list[Note] = Field(default_factory=new_list)


class HubForwarding(ModelBase):
    code: str | None = None
    hub_delivery_number: str | None = None


class HubEnvelope(ModelBase):
    """The IPPC ePhyto Hub envelope header that carried the certificate, if any."""

    from_country: str | None = None
    to_country: str | None = None
    certificate_type: str | None = None
    certificate_status: str | None = None
    nppo_certificate_number: str | None = None
    hub_delivery_number: str | None = None
    hub_tracking_info: str | None = None
    hub_delivery_error_message: str | None = None
    forwardings: list[HubForwarding] = Field(default_factory=new_list)


class Certificate(ModelBase):
    """An ISPM 12 phytosanitary certificate (export 851, re-export 657, replacement)."""

    id: Identifier | None = None
    names: list[Text] = Field(default_factory=new_list)
    descriptions: list[Text] = Field(default_factory=new_list)
    type_code: Code | None = None
    status_code: Code | None = None
    issue_date_time: DateTime | None = None
    issuer: Party | None = None
    financial_liability: list[Note] = Field(default_factory=new_list)
    additional_declarations: list[Note] = Field(default_factory=new_list)
    import_permits: list[Note] = Field(default_factory=new_list)
    inspection_dates: list[Note] = Field(default_factory=new_list)
    additional_official_information: list[Note] = Field(default_factory=new_list)
    distinguishing_marks: list[Note] = Field(default_factory=new_list)
    replacement: Replacement = Field(default_factory=Replacement)
    other_notes: list[SubjectNote] = Field(default_factory=new_list)
    referenced_documents: list[ReferencedDocument] = Field(default_factory=new_list)
    authentications: list[Authentication] = Field(default_factory=new_list)
    consignment_id: Identifier | None = None
    consignor: Party | None = None
    consignee: Party | None = None
    export_country: Country | None = None
    re_export_countries: list[Country] = Field(default_factory=new_list)
    loading_location: Location | None = None
    import_country: Country | None = None
    transit_countries: list[Country] = Field(default_factory=new_list)
    point_of_entry: Location | None = None
    examination_location: Location | None = None
    transport_movements: list[TransportMovement] = Field(default_factory=new_list)
    transport_equipment: list[TransportEquipment] = Field(default_factory=new_list)
    cargo_types: list[Cargo] = Field(default_factory=new_list)
    items: list[TradeLineItem] = Field(default_factory=new_list)
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
