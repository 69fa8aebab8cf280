"""ISPM 12 business rules on the :class:`~ephyto_dip.reading.model.Certificate`.

The schema says what may stand where; these rules say what a phytosanitary certificate must
hold and which codes it may use: the mandatory boxes of the ISPM 12 model certificate, the
document type and status, ISO 3166 countries, UN/ECE Rec 19 transport modes, Rec 20 units,
Rec 21 package types, the IPPC tag acronyms of notes, complete replacement and re-export
notes, ISO 8601 dates, decodable attachments, decimal quantities and ``NULL`` placeholders.

Rules run on the model, so they apply to either side: on a :class:`~ephyto_dip.reading.model.Certificate`
or, as ``validate`` and ``convert`` call them, on its pydantic-free shape
(:mod:`ephyto_dip.reading.shapes`), with the same findings. Each finding names what it found by a
model path (``items[0].packages[1].type_code``); given a ``locate`` callable (see
:class:`ephyto_dip.mapping.locate.Locator`) the finding gets the input's line and XPath.

The rules live beside this module by what they look at: ``box_rules`` (boxes and codes) and
``value_rules`` (values), on the shared ``checker``. Code lists (``code_lists``) are read from the
verbatim UN/CEFACT and INTERCOM schema modules in ``schemas/codelists/`` (see its SOURCES.md),
lazily and once per process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import Finding
from .box_rules import (
    check_countries,
    check_mandatory,
    check_note_subjects,
    check_package_types,
    check_reexport,
    check_replacement,
    check_transport_modes,
    check_type_and_status,
    check_units,
)
from .checker import Checker, Locate, iter_values, place
from .code_lists import (  # noqa: F401  (the code lists, used from here by strategies and commands)
    COUNTRIES,
    DOCUMENT_NAMES,
    PACKAGE_TYPES,
    STATUSES,
    TAG_ACRONYMS,
    TRANSPORT_MODES,
    UNIT,
    CodeList,
    code_list,
    preload,
    value_lists,
)
from .value_rules import check_values, check_wco_formats

if TYPE_CHECKING:
    from ..mapping.table import Table
    from ..reading import model as m


def check_certificate(
    cert: m.Certificate, *, name: str = "<input>", side: str = "ephyto", locate: Locate | None = None,
    table: Table | None = None,
) -> list[Finding]:
    """Every ISPM 12 business-rule finding for ``cert``.

    ``side`` is where the certificate was read from ('ephyto' or 'dip'); the rules do not
    depend on it. ``locate(model_path)`` returns where a model path sits in the input (an object with
    ``line``, ``xpath``, ``exact`` and ``mapping_id``) or None; without it findings carry the
    model path as their ``xpath``. ``table`` (default: the shipped one) gives the WCO formats.
    """
    ck = Checker(name)
    check_mandatory(cert, ck)
    check_type_and_status(cert, ck)
    check_countries(cert, ck)
    check_transport_modes(cert, ck)
    check_units(cert, ck)
    check_package_types(cert, ck)
    check_note_subjects(cert, ck)
    check_replacement(cert, ck)
    check_reexport(cert, ck)
    values = list(iter_values(cert))  # walked once for both
    check_values(cert, values, ck)
    check_wco_formats(values, table, ck)
    if locate is not None:
        return [place(f, locate) for f in ck.findings]
    return ck.findings
