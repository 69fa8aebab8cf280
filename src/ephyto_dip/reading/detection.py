"""What a document is, before the table reads it: detection by root and namespace, the SPS
document type, IPPC Hub envelopes (embedded, escaped or base64 ``Content``, checked against the
certificate) and namespace inference for senders who forget their declarations."""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from typing import TYPE_CHECKING

from lxml import etree

from ..findings import (
    WARNING,
    Finding,
    InputError,
    UnsupportedDocumentError,
)
from . import shapes
from .doctypes import document_types, ephyto_types_text
from .namespaces import (
    DIP_NS,
    DS_SIG_NS,
    RAM_NS,
    SPS_NS,
    UDT_NS,
)
from .shapes import value_at
from .xmlsafe import Limits, parse_bytes
from .xmltext import text_of

if TYPE_CHECKING:
    from .hub_fields import HubFields

HUB_NS = "http://ephyto.ippc.int/HUB.Entities"
HUB_SERVICE_NS = "http://ephyto.ippc.int/"
SPS_NS_PREFIX = "urn:un:unece:uncefact:data:standard:SPSCertificate:"
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


def check_document_type(root: etree._Element, name: str) -> None:
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
            line=el.sourceline if el is not None else None,  # (a code was found: el is there)
            xpath="/SPSCertificate/SPSExchangedDocument/TypeCode",
            value=code,
        )
    )


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _find_envelope(root: etree._Element) -> etree._Element | None:
    """The Hub envelope element: the one holding NPPOCertificateNumber (and Content or a certificate)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        names = {_local(c) for c in el if isinstance(c.tag, str)}
        if "NPPOCertificateNumber" in names and ("Content" in names or "SPSCertificate" in names or "From" in names):
            return el
    return None


def _hub_fields() -> HubFields:
    """The Hub envelope's header fields; the module is imported by the first Hub message (or
    undeclared prefix), not at start: an ePhyto certificate never needs it."""
    from .hub_fields import hub_fields

    return hub_fields()


def open_envelope(root: etree._Element, name: str, limits: Limits
                  ) -> tuple[etree._Element, dict[str, object], bytes, list[Finding]]:
    """The certificate of a Hub message, its envelope header as the model dumps a ``HubEnvelope``
    (``None`` left out; every field a string, so nothing to validate), its bytes, findings."""
    env = _find_envelope(root)
    if env is None:
        raise UnsupportedDocumentError(
            Finding("DOC-UNKNOWN-ROOT", "an IPPC Hub message without an envelope header", file=name,
                    line=root.sourceline)
        )
    header: dict[str, str] = {}
    forwardings: list[dict[str, str]] = []
    cert_el = None
    content = None
    fields = _hub_fields()
    for c in env:
        if not isinstance(c.tag, str):
            continue
        local = _local(c)
        if local in fields.header and (text_of(c) or "").strip():
            header[fields.header[local].field] = (text_of(c) or "").strip()
        elif local == fields.forwarding_container:
            for fw in c:
                if isinstance(fw.tag, str):
                    rec: dict[str, str] = {}
                    for x in fw:
                        hit = fields.forwarding.get(_local(x)) if isinstance(x.tag, str) else None
                        if hit is not None and (text_of(x) or "").strip():
                            rec[hit.field.removeprefix("forwardings[].")] = (text_of(x) or "").strip()
                    forwardings.append({f: rec[f] for f in shapes.HubForwarding.FIELDS if f in rec})
        elif local == "SPSCertificate":
            cert_el = c
        elif local == "Content":
            content = c
    envelope: dict[str, object] = {f: header[f] for f in shapes.HubEnvelope.FIELDS if f in header}
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
    text = (text_of(content) or "").strip()
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


def envelope_consistency(env: dict[str, object], content: dict[str, object], name: str) -> list[Finding]:
    """A warning for every header value that differs from the certificate's (hub-envelope.tsv ``agrees_with``)."""
    out = []
    for tag, hf in _hub_fields().header.items():
        hv, cv = env.get(hf.field), value_at(content, hf.agrees_with) if hf.agrees_with else None
        if isinstance(hv, str) and isinstance(cv, dict) and hv.strip() != cv["value"].strip():  # (a header value: str)
            out.append(
                Finding(
                    "ENVELOPE-CONTENT",
                    f"envelope {tag} {hv!r} differs from the certificate's {cv['value']!r}",
                    severity=WARNING,
                    file=name,
                )
            )
    return out


def infer_namespaces(root: etree._Element) -> None:
    """Give prefixed-but-undeclared elements the namespace their place implies.

    Real Hub senders omit the declarations (the Bolivian SOAP sample). Inside an
    SPSCertificate the namespace of every element follows from the SPS 17 structure:
    the root and its two children are rsm, dates are udt, a Signature is xmldsig,
    everything else is ram. Hub header elements belong to the HUB.Entities namespace.
    One walk from the top, carrying where it is (in a certificate, in a signature).
    """
    hub_tags = _hub_fields().tags
    # (element, the nearest SPSCertificate above it, inside a Signature)
    stack: list[tuple[etree._Element, etree._Element | None, bool]] = [(root, None, False)]
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
            elif local in hub_tags or local == "Content":
                ns = HUB_NS
            else:
                ns = f"urn:ephyto-dip:undeclared:{prefix}"
            el.tag = f"{{{ns}}}{local}"
        inner = el if local == "SPSCertificate" else cert  # the nearest certificate above
        stack.extend((c, inner, in_sig) for c in el)


def _raw_local(el: etree._Element) -> str:
    t = el.tag if isinstance(el.tag, str) else ""
    return t.rsplit("}", 1)[-1].split(":")[-1]
