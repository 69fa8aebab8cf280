"""The value types of the model: a box's text with the XML attributes of its UN/CEFACT data type.

Values keep their lexical form: a date stays ``2016-04-12``, a weight stays ``10.00``.
Each value type carries the XML attributes of its data type (``languageID``, ``unitCode``,
``listName`` …) as typed fields; ``XML_ATTRIBUTES`` names them. The groups built of them are in
:mod:`ephyto_dip.reading.model`.
"""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


def value_at(data: object, dotted: str) -> object:
    """What the model data (plain dictionaries, as read or dumped) holds at ``a.b``; None if nothing."""
    cur = data
    for part in dotted.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def new_list() -> list[Any]:
    """The default of every list field. A plain function, not ``list``: pydantic inspects a
    factory's signature, which for a builtin means parsing its text (~60 ms at import), and a
    literal ``[]`` default is deep-copied for every instance instead."""
    return []


class ModelBase(BaseModel):
    # validators are built on first use: a conversion never validates a model, so it never pays
    model_config = ConfigDict(extra="forbid", validate_assignment=False, frozen=False, defer_build=True)


# --------------------------------------------------------------------------- value types


class Value(ModelBase):
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
