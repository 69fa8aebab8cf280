"""Validation of one input: schema (SPS 17 or DIP) with lines, reading findings, ISPM 12 rules.

``validate(source)`` returns every finding (it does not raise for findings about the input);
I/O problems still raise :class:`~ephyto_dip.findings.InputError`.
"""

from __future__ import annotations

import copy
import re
from typing import Optional, Union

from lxml import etree

from .documents import Document, read
from .sources import Source
from .findings import EphytoDipError, Finding, InputError, TableError, UsageError
from .schemas import dip_xsd_path, ephyto_xsd_path, schema_errors
from .xmlsafe import DEFAULT_LIMITS, Limits


def xsd_findings(root: etree._Element, side: str, name: str, thorough: bool = False) -> list[Finding]:
    """Schema errors of a certificate tree (``side`` 'ephyto' or 'dip'), each with line and path."""
    code = "XSD-EPHYTO" if side == "ephyto" else "XSD-DIP"
    if thorough:
        return _xmlschema_findings(root, side, name, code)
    # a certificate inside a Hub envelope is validated as a document of its own (lines kept)
    doc = root if root.getparent() is None else copy.deepcopy(root)
    out = []
    for e in schema_errors(side, doc):
        out.append(Finding(code, _clean(e.message), file=name, line=e.line or None, xpath=_clean_path(e.path)))
    return out


def _clean(msg: str) -> str:
    for ns in (
        "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21}",
        "{urn:un:unece:uncefact:data:standard:SPSCertificate:17}",
        "{urn:un:unece:uncefact:data:standard:UnqualifiedDataType:21}",
        "{urn:ephyto-dip:datamodel:ePhytoDIP:1}",
        "{urn:ephyto-dip:datamodel:ePhytoDIP_DS:1}",
        "{urn:ephyto-dip:datamodel:ePhytoDIP-IPPC:1}",
    ):
        msg = msg.replace(ns, "")
    return msg


def _clean_path(path: Optional[str]) -> Optional[str]:
    if not path:
        return None
    return re.sub(r"/[A-Za-z0-9_-]+:", "/", path)


_XMLSCHEMA_CACHE: dict = {}


def _xmlschema_findings(root, side, name, code) -> list[Finding]:
    try:
        import xmlschema
    except ImportError:  # pragma: no cover - depends on the installation
        raise EphytoDipError(
            Finding("IO-READ", "--thorough needs the xmlschema package: pip install 'ephyto-dip[thorough]'")
        ) from None
    path = str(ephyto_xsd_path() if side == "ephyto" else dip_xsd_path())
    schema = _XMLSCHEMA_CACHE.get(path)
    if schema is None:
        schema = xmlschema.XMLSchema(path, allow="local", defuse="always")
        _XMLSCHEMA_CACHE[path] = schema
    out = []
    for err in schema.iter_errors(root):
        el = err.elem
        line = getattr(el, "sourceline", None) if el is not None else None
        reason = _clean(err.reason or str(err.message))
        out.append(Finding(code, reason, file=name, line=line, xpath=_clean_path(err.path)))
    return out


def validate(
    source: Union[Source, Document],
    *,
    name: Optional[str] = None,
    table=None,
    limits: Limits = DEFAULT_LIMITS,
    thorough: bool = False,
    rules: bool = True,
) -> list[Finding]:
    """All findings for one input: parsing, schema, reading against the table, ISPM 12 rules.

    ``source`` is anything :func:`~ephyto_dip.documents.read` takes, or a :class:`Document` it
    returned (then nothing is read again; ``name`` and ``limits`` do not apply).
    """
    if isinstance(source, Document):
        return document_findings(source, thorough=thorough, rules=rules, table=table)
    try:
        doc = read(source, name=name, table=table, limits=limits)
    except (InputError, TableError, UsageError):  # unreadable input or table, a bad setting: the caller decides
        raise
    except EphytoDipError as exc:  # unsupported document, conversion problems
        return exc.findings
    return document_findings(doc, thorough=thorough, rules=rules, table=table)


def document_findings(doc: Document, *, thorough: bool = False, rules: bool = True, table=None) -> list[Finding]:
    """Findings of a document already read; ``table`` is the one it was read with (default: shipped)."""
    findings = list(doc.findings)
    findings += xsd_findings(doc.root, doc.side, doc.name, thorough)
    if rules:
        from .mapping.locate import Locator
        from .mapping.table import Table, load_table
        from .rules import check_certificate

        # rule findings name model paths; the locator turns them into lines and XPaths of the
        # input. It indexes the whole tree, so it is built only for a certificate with findings.
        tab = table if isinstance(table, Table) else load_table(table)
        located: list = []

        def locate(path: str):
            if not located:
                located.append(Locator(doc.certificate_root, tab, doc.side, doc.kept))
            return located[0](path)

        findings += check_certificate(doc.shape, name=doc.name, side=doc.side, locate=locate, table=tab)
    return doc.relocate(findings)  # JSON input: pointers, not XPaths
