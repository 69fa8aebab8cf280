"""The WCO DM ``MetaData`` envelope around a DIP document (mappings/dip-metadata.tsv).

A WCO DM message is a ``MetaData`` element (data model version, type name, responsible
country and agency, the customisation and its version, in that order) followed by the
business document. The envelope is derived: its values come from the table or from the
certificate, so reading a DIP takes the certificate out of it and carries nothing back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from lxml import etree

from ..findings import Finding, TableError
from ..reading.shapes import value_at
from ..reading.xmltext import text_of
from ..tsv import load_cached, split_metadata, tsv_reader
from .formats import parse_format
from .sides import DIP_NS, DIP_NSMAP, ModelData

METADATA_TAG = f"{{{DIP_NS}}}MetaData"
CERTIFICATE_TAG = f"{{{DIP_NS}}}PhytosanitaryCertificate"
COLUMNS = ("element", "value", "from_field", "wco_format", "unique_position_id", "reason")


@dataclass(frozen=True)
class EnvelopeElement:
    element: str
    value: str
    from_field: str
    wco_format: str
    unique_position_id: str
    reason: str

    def fits(self, text: str) -> bool:
        """Whether ``text`` fits the element's WCO format (a2, an..6 …)."""
        fmt = parse_format(self.wco_format)
        if fmt is None or not text.strip():
            return bool(text.strip())
        _, up_to, size, _ = fmt
        return len(text) <= size if up_to else len(text) == size


def parse_envelope(text: str, name: str) -> tuple[EnvelopeElement, ...]:
    _, body, start = split_metadata(text)
    rows = list(tsv_reader(body))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise TableError(Finding("TABLE-SYNTAX", f"the envelope table's header must be {', '.join(COLUMNS)}",
                                 file=name, line=start + 1))
    out = []
    for i, cells in enumerate(rows[1:], start + 2):
        if not any(cells):
            continue
        if len(cells) != len(COLUMNS) or bool(cells[1]) == bool(cells[2]):
            raise TableError(Finding("TABLE-SYNTAX", "an envelope row has all six cells and exactly one of "
                                     "value and from_field", file=name, line=i))
        out.append(EnvelopeElement(*cells))
    return tuple(out)


def load_envelope(path: str | os.PathLike[str] | None = None) -> tuple[EnvelopeElement, ...]:
    from ..resources import resource_path

    return load_cached(path or resource_path("mappings", "dip-metadata.tsv"), parse_envelope, "envelope table")


def wrap(certificate: etree._Element, data: ModelData) -> etree._Element:
    """``MetaData`` with the envelope's elements, then ``certificate`` (moved into it)."""
    root = etree.Element(METADATA_TAG, nsmap=DIP_NSMAP)
    for el in load_envelope():
        found = value_at(data, el.from_field) if el.from_field else None
        if isinstance(found, dict):
            found = found.get("value")
        text = el.value or (found if isinstance(found, str) else "")
        if el.fits(text):
            etree.SubElement(root, f"{{{DIP_NS}}}{el.element}").text = text
    root.append(certificate)
    return root


def certificate_element(root: etree._Element) -> etree._Element | None:
    """The ``PhytosanitaryCertificate`` of a DIP document: the root itself, or the envelope's child."""
    if root.tag == CERTIFICATE_TAG:
        return root
    if root.tag == METADATA_TAG:
        return root.find(CERTIFICATE_TAG)
    return None



PROFILE_ELEMENTS = ("AgencyAssignedCustomizationCode", "AgencyAssignedCustomizationVersionCode")


def profile_mismatch(root: etree._Element) -> tuple[str, str, str] | None:
    """``(element, found, expected)`` when a DIP envelope names another profile or version than
    the envelope table writes; ``None`` when it agrees (or is a bare certificate, or is silent)."""
    if root.tag != METADATA_TAG:
        return None
    for el in load_envelope():
        if el.element in PROFILE_ELEMENTS and el.value:
            found = root.find(f"{{{DIP_NS}}}{el.element}")
            text = (text_of(found) or "").strip() if found is not None else None  # whole text: comments may split it
            if text is not None and text != el.value:
                return el.element, text, el.value
    return None
