"""Read any supported input into a :class:`Document`; write a certificate to either side.

Inputs are recognised by their root element and namespace: an ePhyto ``SPSCertificate``
(SPS 17), an IPPC Hub envelope (SOAP or bare, certificate embedded or as ``Content``,
escaped XML or base64), or an ePhyto DIP document, as XML or as DIP JSON (``dipjson``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from lxml import etree

from .findings import (
    ERROR,
    EphytoDipError,
    Finding,
    UnsupportedDocumentError,
)
from .jsontypes import JSONObject
from .mapping.engine import certificate_of, read_data, write_tree
from .mapping.metadata import certificate_element, profile_mismatch, wrap
from .mapping.sides import (
    DIP,
    EPHYTO,
    Kept,
)
from .mapping.table import Table, load_table
from .reading import shapes
from .reading.detection import (
    check_document_type,
    detect,
    envelope_consistency,
    infer_namespaces,
    open_envelope,
)
from .reading.schemas import dip_schema_info, ephyto_schema_info
from .reading.sources import Source, load_source
from .reading.xmlsafe import DEFAULT_LIMITS, Limits, parse_bytes

if TYPE_CHECKING:  # (the pydantic model is imported when someone asks for it)
    from .mapping.dipjson_read import Pointers
    from .reading import model as m


@dataclass
class Document:
    """A certificate as read from one input, with what reading it found."""

    content: JSONObject  # the certificate as read: plain dictionaries shaped like Certificate
    side: str  # "ephyto" or "dip": the side the input was on
    # the document's root in the input (a DIP's MetaData envelope, the SPSCertificate of a Hub envelope)
    root: etree._Element
    name: str
    findings: list[Finding] = field(default_factory=list)
    data: bytes = b""  # the certificate's bytes (decoded from an envelope if need be)
    _certificate: m.Certificate | None = field(default=None, repr=False, compare=False)
    json_pointers: Pointers | None = field(default=None, repr=False, compare=False)  # DIP JSON: element -> pointer
    kept: Kept | None = field(default=None, repr=False, compare=False)  # what read_data recorded for the Locator
    _shape: object | None = field(default=None, repr=False, compare=False)

    def relocate(self, findings: list[Finding]) -> list[Finding]:
        """On DIP JSON input, findings that name an element of ``root`` name its JSON pointer instead."""
        if self.json_pointers is not None:
            from .mapping.dipjson_read import locate

            findings[:] = [replace(f, xpath=locate(self.json_pointers, self.root, f.xpath) or f.xpath)
                           for f in findings]
        return findings

    @property
    def certificate_root(self) -> etree._Element:
        """The certificate's own element: a DIP's ``PhytosanitaryCertificate``, else ``root``."""
        cert = certificate_element(self.root) if self.side == "dip" else None
        return self.root if cert is None else cert

    @property
    def certificate(self) -> m.Certificate:
        """The typed model, validated on first use (a conversion writes ``content`` directly).

        Raises :class:`ConversionError` (TABLE-FIELD) if the table and the model disagree.
        """
        if self._certificate is None:
            # the reader's own dictionaries need no validation; anything else is validated
            from .reading.trusted_model import certificate_from_reader

            self._certificate = certificate_from_reader(self.content) or certificate_of(self.content, self.name)
        return self._certificate

    @property
    def shape(self) -> m.Certificate:
        """What the rules check: the :mod:`ephyto_dip.reading.shapes` Certificate of ``content``, built
        without pydantic, or :attr:`certificate` if the content is not in the reader's shapes."""
        if self._shape is None:
            self._shape = shapes.certificate_from_reader(self.content) or self.certificate
        return self._shape  # type: ignore[return-value]  # a shape has the model's fields: the rules read either

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]


def looks_like_json(data: bytes) -> bool:
    """A document whose first character opens a JSON object or array (XML opens with '<')."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"{", b"[")


def read(
    source: Source,
    *,
    name: str | None = None,
    table: Table | str | os.PathLike[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """Read an ePhyto certificate, a Hub envelope or a DIP document into a Document.

    Raises :class:`InputError` (unreadable, malformed or hostile input) or
    :class:`UnsupportedDocumentError` (well-formed, but not a document this tool reads).
    """
    data, name = load_source(source, name, limits)
    tab = table if isinstance(table, Table) else load_table(table)
    if looks_like_json(data):
        return _read_json(data, name, tab, limits)
    parsed = parse_bytes(data, name, limits, allow_undeclared_prefixes=True)
    findings = list(parsed.findings)
    root = parsed.root
    if parsed.findings:  # undeclared prefixes: give elements the namespaces their names imply
        infer_namespaces(root)
    kind = detect(root, name)
    envelope = None
    cert_bytes = data
    if kind == "hub":
        root, envelope, cert_bytes, more = open_envelope(root, name, limits)
        findings += more
        if root.getparent() is None:  # decoded from Content: its lines are those of the decoded text
            name = f"{name}#Content"
        kind = "ephyto"
    if kind == "ephyto":
        check_document_type(root, name)
    side = EPHYTO if kind == "ephyto" else DIP
    kept: Kept = {}
    content, more = read_data(_certificate_root(root, kind, name), tab, side, name, kept)
    findings += more
    if envelope is not None:
        content["hub_envelope"] = envelope
        findings += envelope_consistency(envelope, content, name)
    return Document(content, kind, root, name, findings, cert_bytes, kept=kept)


def _read_json(data: bytes, name: str, tab: Table, limits: Limits) -> Document:
    """A DIP as JSON: the DIP tree it describes, read as an XML DIP is; findings name JSON pointers."""
    from .mapping.dipjson_read import parse_json  # (only JSON input needs the JSON reader: not imported at start)

    parsed = parse_json(data, name, limits)
    kept: Kept = {}
    content, findings = read_data(_certificate_root(parsed.root, "dip", name), tab, DIP, name, kept)
    doc = Document(content, "dip", parsed.root, name, findings, data, json_pointers=parsed.pointers, kept=kept)
    doc.relocate(doc.findings)
    return doc


def _certificate_root(root: etree._Element, kind: str, name: str) -> etree._Element:
    """What the table reads: a DIP's certificate inside its envelope, any other root as it is."""
    if kind != "dip":
        return root
    other = profile_mismatch(root)
    if other is not None:
        element, found, expected = other
        raise UnsupportedDocumentError(Finding(
            "DOC-UNSUPPORTED-VERSION",
            f"a DIP of {'profile version' if element.endswith('VersionCode') else 'profile'} "
            f"{found}; this ephyto-dip reads {expected} (convert the certificate again from its ePhyto)",
            file=name, line=root.sourceline, xpath=f"/MetaData/{element}"))
    cert = certificate_element(root)
    if cert is None:
        raise UnsupportedDocumentError(
            Finding("DOC-UNKNOWN-ROOT", "a DIP MetaData envelope without its PhytosanitaryCertificate",
                    file=name, line=root.sourceline, xpath="/MetaData")
        )
    return cert


# ------------------------------------------------------------------------------ writing


def to_ephyto(cert: m.Certificate | JSONObject, table: Table | str | None = None) -> etree._Element:
    """The certificate (a model, or a Document's ``content``) as an SPSCertificate 17 tree."""
    tab = table if isinstance(table, Table) else load_table(table)
    return write_tree(cert, tab, EPHYTO, ephyto_schema_info())


def to_dip(cert: m.Certificate | JSONObject, table: Table | str | None = None) -> etree._Element:
    """The certificate (a model, or a Document's ``content``) as an ePhyto DIP document: the
    WCO DM ``MetaData`` envelope, then the ``PhytosanitaryCertificate``."""
    tab = table if isinstance(table, Table) else load_table(table)
    data = cert if isinstance(cert, dict) else cert.model_dump(exclude_none=True)
    return wrap(write_tree(data, tab, DIP, dip_schema_info()), data)


def serialize(root: etree._Element, pretty: bool = True) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)



__all__ = ["Document", "EphytoDipError", "detect", "read", "serialize", "to_dip", "to_ephyto"]
