"""The bundled code lists the rules check against (UN/CEFACT and INTERCOM schema modules in
``schemas/codelists/``), read lazily and once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from lxml import etree

from ..reading.xmlsafe import schema_file_parser
from .mandatory import load_mandatory

if TYPE_CHECKING:
    pass


# ----------------------------------------------------------------------------- code lists

_XSD = "{http://www.w3.org/2001/XMLSchema}"
_CCTS = "{urn:un:unece:uncefact:documentation:standard:CoreComponentsTechnicalSpecification:2}"

DOCUMENT_NAMES = "UNECE_DocumentNameCode_D16B.xsd"
STATUSES = "UNECE_StatusCode_D16B.xsd"
COUNTRIES = "ISO_ISOTwo-letterCountryCode_SecondEdition2006.xsd"
TRANSPORT_MODES = "UNECE_TransportModeCode_2.xsd"
PACKAGE_TYPES = "UNECE_PackageTypeCode_2006.xsd"
TAG_ACRONYMS = "INTERCOM_ePhyto_TagAcronymCodes.xsd"
UNIT_SUBSETS = {  # Rec 20 subsets of this release; there is none for concentration
    "weight": "UNECE_MeasurementUnitCommonCodeWeight_4.xsd",
    "volume": "UNECE_MeasurementUnitCommonCodeVolume_4.xsd",
    "duration": "UNECE_MeasurementUnitCommonCodeDuration_4.xsd",
    "temperature": "UNECE_MeasurementUnitCommonCodeTemperature_4.xsd",
    "length": "UNECE_MeasurementUnitCommonCodeLinear_4.xsd",
}


@dataclass(frozen=True)
class CodeList:
    """The enumeration of one code-list schema module: code → name (first entry wins)."""

    file: str
    names: dict[str, str | None]

    def __contains__(self, code: str) -> bool:
        return code in self.names

    @property
    def title(self) -> str:
        return self.file.removesuffix(".xsd")

    def label(self, code: str) -> str:
        name = self.names.get(code)
        return f"{code} ({name})" if name else code


@cache
def code_list(file: str) -> CodeList:
    """Load ``schemas/codelists/<file>`` (cached per process)."""
    from ..resources import resource_path

    parser = schema_file_parser()
    tree = etree.parse(str(resource_path("schemas", "codelists", file)), parser)
    names: dict[str, str | None] = {}
    for enum in tree.iter(f"{_XSD}enumeration"):
        name = enum.find(f".//{_CCTS}Name")
        names.setdefault(enum.get("value", ""), (name.text or "").strip() if name is not None else None)
    return CodeList(file, names)


def preload() -> None:
    """Load what the rules read for nearly every certificate (code lists, box list), e.g.
    before a batch forks its workers, so each worker does not load them again. The lists
    only read for a wrong code (document names, statuses) stay lazy."""
    from ..mapping.codelists import load_codelist

    for file in (COUNTRIES, TRANSPORT_MODES, PACKAGE_TYPES, TAG_ACRONYMS, *UNIT_SUBSETS.values()):
        code_list(file)
    load_mandatory()
    load_codelist(STATUS_FUNCTIONS)


STATUS_FUNCTIONS = "status-function"  # mappings/codelists/: the statuses a DIP can state
