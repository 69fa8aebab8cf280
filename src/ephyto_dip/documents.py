"""Read any supported input into a :class:`Document`; write a certificate to either side.

Inputs are recognised by their root element and namespace: an ePhyto ``SPSCertificate``
(SPS 17), an IPPC Hub envelope (SOAP or bare, certificate embedded or as ``Content``,
escaped XML or base64), or an ePhyto DIP document, as XML or as DIP JSON (``dipjson``).
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Optional, Union

from lxml import etree

from .mapping.dipjson_read import locate, looks_like_json, parse_json
from .reading import shapes
from .findings import (
    ERROR,
    WARNING,
    EphytoDipError,
    Finding,
    InputError,
    UnsupportedDocumentError,
)
from .mapping.engine import certificate_of, read_data, write_tree
from .mapping.sides import (
    DIP,
    DIP_NS,
    DS_SIG_NS,
    EPHYTO,
    RAM_NS,
    SPS_NS,
    UDT_NS,
)
from .reading.doctypes import document_types, ephyto_types_text
from .mapping.metadata import certificate_element, profile_mismatch, wrap
from .mapping.table import Table, load_table
from .reading.schemas import dip_schema_info, ephyto_schema_info
from .reading.sources import Source, load_source
from .reading.xmlsafe import DEFAULT_LIMITS, Limits, parse_bytes
from .reading.xmltext import text_of

if TYPE_CHECKING:  # (the pydantic model is imported when someone asks for it)
    from .reading import model as m

HUB_NS = "http://ephyto.ippc.int/HUB.Entities"
HUB_SERVICE_NS = "http://ephyto.ippc.int/"
SPS_NS_PREFIX = "urn:un:unece:uncefact:data:standard:SPSCertificate:"
_HUB_FIELDS = {
    "From": "from_country",
    "To": "to_country",
    "CertificateType": "certificate_type",
    "CertificateStatus": "certificate_status",
    "NPPOCertificateNumber": "nppo_certificate_number",
    "hubDeliveryNumber": "hub_delivery_number",
    "HUBTrackingInfo": "hub_tracking_info",
    "hubDeliveryErrorMessage": "hub_delivery_error_message",
}



@dataclass
class Document:
    """A certificate as read from one input, with what reading it found."""

    content: dict  # the certificate as read: plain dictionaries shaped like Certificate
    side: str  # "ephyto" or "dip": the side the input was on
    root: etree._Element  # the document's root in the input (a DIP's MetaData envelope, the SPSCertificate of a Hub envelope)
    name: str
    findings: list[Finding] = field(default_factory=list)
    data: bytes = b""  # the certificate's bytes (decoded from an envelope if need be)
    _certificate: Optional[m.Certificate] = field(default=None, repr=False, compare=False)
    json_pointers: Optional[dict] = field(default=None, repr=False, compare=False)  # DIP JSON input: element -> pointer
    kept: Optional[dict] = field(default=None, repr=False, compare=False)  # what read_data recorded for the Locator
    _shape: Optional[object] = field(default=None, repr=False, compare=False)

    def relocate(self, findings: list[Finding]) -> list[Finding]:
        """On DIP JSON input, findings that name an element of ``root`` name its JSON pointer instead."""
        if self.json_pointers is not None:
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
            from .reading import model as m

            self._certificate = m.certificate_from_reader(self.content) or certificate_of(self.content, self.name)
        return self._certificate

    @property
    def shape(self):
        """What the rules check: the :mod:`ephyto_dip.reading.shapes` Certificate of ``content``, built
        without pydantic, or :attr:`certificate` if the content is not in the reader's shapes."""
        if self._shape is None:
            self._shape = shapes.certificate_from_reader(self.content) or self.certificate
        return self._shape

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]


def read(
    source: Source,
    *,
    name: Optional[str] = None,
    table: Union[Table, str, os.PathLike, None] = None,
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
        _infer_namespaces(root)
    kind = detect(root, name)
    envelope = None
    cert_bytes = data
    if kind == "hub":
        root, envelope, cert_bytes, more = _open_envelope(root, name, limits)
        findings += more
        if root.getparent() is None:  # decoded from Content: its lines are those of the decoded text
            name = f"{name}#Content"
        kind = "ephyto"
    if kind == "ephyto":
        _check_document_type(root, name)
    side = EPHYTO if kind == "ephyto" else DIP
    kept: dict = {}
    content, more = read_data(_certificate_root(root, kind, name), tab, side, name, kept)
    findings += more
    if envelope is not None:
        content["hub_envelope"] = envelope
        findings += _envelope_consistency(envelope, content, name)
    return Document(content, kind, root, name, findings, cert_bytes, kept=kept)


def _read_json(data: bytes, name: str, tab: Table, limits: Limits) -> Document:
    """A DIP as JSON: the DIP tree it describes, read as an XML DIP is; findings name JSON pointers."""
    parsed = parse_json(data, name, limits)
    kept: dict = {}
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
            "DOC-UNSUPPORTED-VERSION", f"a DIP of {'profile version' if element.endswith('VersionCode') else 'profile'} "
            f"{found}; this ephyto-dip reads {expected} (convert the certificate again from its ePhyto)",
            file=name, line=root.sourceline, xpath=f"/MetaData/{element}"))
    cert = certificate_element(root)
    if cert is None:
        raise UnsupportedDocumentError(
            Finding("DOC-UNKNOWN-ROOT", "a DIP MetaData envelope without its PhytosanitaryCertificate",
                    file=name, line=root.sourceline, xpath="/MetaData")
        )
    return cert


def detect(root: etree._Element, name: str = "<input>") -> str:
    """'ephyto', 'dip' or 'hub' for a root element; UnsupportedDocumentError otherwise."""
    q = etree.QName(root)
    ns, local = q.namespace or "", q.localname
    if local == "SPSCertificate" and ns == SPS_NS:
        return "ephyto"
    if local in ("MetaData", "PhytosanitaryCertificate") and ns == DIP_NS:
        return "dip"
    if local == "SPSCertificate" and ns.startswith(SPS_NS_PREFIX):
        raise UnsupportedDocumentError(
            Finding(
                "DOC-UNSUPPORTED-VERSION",
                f"SPSCertificate version {ns.rsplit(':', 1)[-1]} is not supported; ePhyto uses version 17 ({SPS_NS})",
                file=name,
                line=root.sourceline,
            )
        )
    if ns in (HUB_NS, HUB_SERVICE_NS) or _find_envelope(root) is not None:
        return "hub"
    what = f"{{{ns}}}{local}" if ns else local
    hint = ""
    if "SPS" in local or "uncefact" in ns:
        hint = " (an SPS document other than a phytosanitary certificate)"
    raise UnsupportedDocumentError(
        Finding(
            "DOC-UNKNOWN-ROOT",
            f"root element {what}{hint} is not an ePhyto SPSCertificate (SPS 17), an IPPC Hub envelope "
            "or an ePhyto DIP document",
            file=name,
            line=root.sourceline,
        )
    )


def _check_document_type(root: etree._Element, name: str) -> None:
    """SPSCertificate 17 also carries other SPS documents (EU CHEDs): refuse those by name."""
    el = root.find(f"{{{SPS_NS}}}SPSExchangedDocument/{{{RAM_NS}}}TypeCode")
    code = (text_of(el) or "").strip() if el is not None else ""
    known = document_types().get(code)
    if not code or (known is not None and known.ephyto):
        return
    what = f"{known.name}: {known.reason}" if known is not None else "not a phytosanitary certificate"
    raise UnsupportedDocumentError(
        Finding(
            "DOC-UNSUPPORTED-TYPE",
            f"SPS document type {code} ({what}); ePhyto certificates are {ephyto_types_text()}",
            file=name,
            line=el.sourceline,
            xpath="/SPSCertificate/SPSExchangedDocument/TypeCode",
            value=code,
        )
    )


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _find_envelope(root: etree._Element) -> Optional[etree._Element]:
    """The Hub envelope element: the one holding NPPOCertificateNumber (and Content or a certificate)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        names = {_local(c) for c in el if isinstance(c.tag, str)}
        if "NPPOCertificateNumber" in names and ("Content" in names or "SPSCertificate" in names or "From" in names):
            return el
    return None


def _open_envelope(root, name, limits) -> tuple[etree._Element, dict, bytes, list[Finding]]:
    """The certificate of a Hub message, its envelope header as the model dumps a ``HubEnvelope``
    (``None`` left out; every field a string, so nothing to validate), its bytes, findings."""
    env = _find_envelope(root)
    if env is None:
        raise UnsupportedDocumentError(
            Finding("DOC-UNKNOWN-ROOT", "an IPPC Hub message without an envelope header", file=name, line=root.sourceline)
        )
    header: dict = {}
    forwardings = []
    cert_el = None
    content = None
    for c in env:
        if not isinstance(c.tag, str):
            continue
        local = _local(c)
        if local in _HUB_FIELDS and (text_of(c) or "").strip():
            header[_HUB_FIELDS[local]] = text_of(c).strip()
        elif local == "Forwardings":
            for fw in c:
                if isinstance(fw.tag, str):
                    rec = {}
                    for x in fw:
                        if isinstance(x.tag, str) and (text_of(x) or "").strip():
                            rec["code" if _local(x) == "Code" else "hub_delivery_number"] = text_of(x).strip()
                    forwardings.append({f: rec[f] for f in shapes.HubForwarding.FIELDS if f in rec})
        elif local == "SPSCertificate":
            cert_el = c
        elif local == "Content":
            content = c
    envelope = {f: header[f] for f in shapes.HubEnvelope.FIELDS if f in header}
    envelope["forwardings"] = forwardings
    findings: list[Finding] = []
    if cert_el is not None:
        if etree.QName(cert_el).namespace != SPS_NS:
            detect(cert_el, name)  # raises the precise version / root finding
        return cert_el, envelope, etree.tostring(cert_el), findings
    if content is None or not (text_of(content) or "").strip():
        raise InputError(
            Finding("ENVELOPE-CONTENT", "the Hub envelope carries no certificate (Content is empty)", file=name,
                    line=env.sourceline)
        )
    text = text_of(content).strip()
    if text.startswith("<"):
        raw = text.encode("utf-8")
        how = "escaped XML"
    else:
        try:
            raw = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            raise InputError(
                Finding("ENVELOPE-CONTENT", "Content is neither XML nor valid base64", file=name,
                        line=content.sourceline)
            ) from None
        how = "base64"
    inner_name = f"{name}#Content"
    try:
        parsed = parse_bytes(raw, inner_name, limits)
    except InputError as exc:
        exc.findings[:] = [replace(f, message=f"in the envelope's {how} Content: {f.message}") for f in exc.findings]
        raise
    findings += parsed.findings
    inner = parsed.root
    if detect(inner, inner_name) != "ephyto":
        raise UnsupportedDocumentError(
            Finding("DOC-UNKNOWN-ROOT", "the envelope's Content is not an SPSCertificate", file=inner_name)
        )
    return inner, envelope, raw, findings


def _envelope_consistency(env: dict, content: dict, name: str) -> list[Finding]:
    out = []
    pairs = [
        ("NPPOCertificateNumber", env.get("nppo_certificate_number"), content.get("id")),
        ("CertificateType", env.get("certificate_type"), content.get("type_code")),
        ("CertificateStatus", env.get("certificate_status"), content.get("status_code")),
        ("From", env.get("from_country"), (content.get("export_country") or {}).get("id")),
        ("To", env.get("to_country"), (content.get("import_country") or {}).get("id")),
    ]
    for label, hv, cv in pairs:
        if hv is not None and cv is not None and hv.strip() != cv["value"].strip():
            out.append(
                Finding(
                    "ENVELOPE-CONTENT",
                    f"envelope {label} {hv!r} differs from the certificate's {cv['value']!r}",
                    severity=WARNING,
                    file=name,
                )
            )
    return out


def _infer_namespaces(root: etree._Element) -> None:
    """Give prefixed-but-undeclared elements the namespace their place implies.

    Real Hub senders omit the declarations (the Bolivian SOAP sample). Inside an
    SPSCertificate the namespace of every element follows from the SPS 17 structure:
    the root and its two children are rsm, dates are udt, a Signature is xmldsig,
    everything else is ram. Hub header elements belong to the HUB.Entities namespace.
    One walk from the top, carrying where it is (in a certificate, in a signature).
    """
    stack = [(root, None, False)]  # (element, the nearest SPSCertificate above it, inside a Signature)
    while stack:
        el, cert, in_sig = stack.pop()
        if not isinstance(el.tag, str):
            continue
        local = _raw_local(el)
        in_sig = in_sig or local == "Signature"
        if not el.tag.startswith("{") and ":" in el.tag:
            prefix = el.tag.split(":", 1)[0]
            if local == "SPSCertificate":
                ns = SPS_NS
            elif cert is not None:
                if in_sig:
                    ns = DS_SIG_NS
                elif el.getparent() is cert and local in ("SPSExchangedDocument", "SPSConsignment"):
                    ns = SPS_NS
                elif local in ("DateTimeString", "DateTime"):
                    ns = UDT_NS
                else:
                    ns = RAM_NS
            elif local in _HUB_FIELDS or local in ("Content", "Forwardings", "EnvelopeForwarding", "Code",
                                                   "HubDeliveryNumber"):
                ns = HUB_NS
            else:
                ns = f"urn:ephyto-dip:undeclared:{prefix}"
            el.tag = f"{{{ns}}}{local}"
        inner = el if local == "SPSCertificate" else cert  # the nearest certificate above
        stack.extend((c, inner, in_sig) for c in el)


def _raw_local(el) -> str:
    t = el.tag if isinstance(el.tag, str) else ""
    return t.rsplit("}", 1)[-1].split(":")[-1]


# ------------------------------------------------------------------------------ writing


def to_ephyto(cert: Union[m.Certificate, dict], table: Union[Table, str, None] = None) -> etree._Element:
    """The certificate (a model, or a Document's ``content``) as an SPSCertificate 17 tree."""
    tab = table if isinstance(table, Table) else load_table(table)
    return write_tree(cert, tab, EPHYTO, ephyto_schema_info())


def to_dip(cert: Union[m.Certificate, dict], table: Union[Table, str, None] = None) -> etree._Element:
    """The certificate (a model, or a Document's ``content``) as an ePhyto DIP document: the
    WCO DM ``MetaData`` envelope, then the ``PhytosanitaryCertificate``."""
    tab = table if isinstance(table, Table) else load_table(table)
    data = cert if isinstance(cert, dict) else cert.model_dump(exclude_none=True)
    return wrap(write_tree(data, tab, DIP, dip_schema_info()), data)


def serialize(root: etree._Element, pretty: bool = True) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)



__all__ = ["Document", "read", "detect", "to_ephyto", "to_dip", "serialize", "EphytoDipError"]
