"""Validation of one input: schema (SPS 17 or DIP) with lines, reading findings, ISPM 12 rules.

Three verbs, as xmlschema has them: :func:`iter_findings` yields every finding about the input;
:func:`is_valid` says whether none of them is an error; :func:`validate` raises
:class:`~ephyto_dip.findings.ValidationError` carrying them all when one is. An input that cannot be
read at all (a missing file, a bad setting) raises :class:`~ephyto_dip.findings.InputError` or
:class:`~ephyto_dip.findings.UsageError` in each of them; :func:`is_valid` answers False for a
document that is read but is not well-formed XML or JSON.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeAlias

from lxml import etree

from ..documents import Document, read
from ..findings import (
    ERROR,
    EphytoDipError,
    Finding,
    InputError,
    TableError,
    UsageError,
    ValidationError,
)
from ..reading.schemas import dip_xsd_path, ephyto_xsd_path, schema_errors
from ..reading.sources import Source
from ..reading.xmlsafe import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    import xmlschema

    from ..codes import FindingCode
    from ..mapping.table import Table

# the mapping table to read with: loaded, a path to one, or None for the shipped one
TableArg: TypeAlias = "Table | str | os.PathLike[str] | None"


def xsd_findings(root: etree._Element, side: str, name: str, thorough: bool = False) -> list[Finding]:
    """Schema errors of a certificate tree (``side`` 'ephyto' or 'dip'), each with line and path."""
    code: FindingCode = "XSD-EPHYTO" if side == "ephyto" else "XSD-DIP"
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


def _clean_path(path: str | None) -> str | None:
    if not path:
        return None
    return re.sub(r"/[A-Za-z0-9_-]+:", "/", path)


_XMLSCHEMA_CACHE: dict[str, xmlschema.XMLSchema] = {}


def _xmlschema_findings(root: etree._Element, side: str, name: str, code: FindingCode) -> list[Finding]:
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
    for err in schema.iter_errors(root):  # type: ignore[arg-type]  # it reads lxml trees too
        el = err.elem
        line = getattr(el, "sourceline", None) if el is not None else None
        reason = _clean(err.reason or str(err.message))
        out.append(Finding(code, reason, file=name, line=line, xpath=_clean_path(err.path)))
    return out


def iter_findings(
    source: Source | Document,
    *,
    name: str | None = None,
    table: TableArg = None,
    limits: Limits = DEFAULT_LIMITS,
    thorough: bool = False,
    rules: bool = True,
) -> Iterator[Finding]:
    """Every finding for one input: parsing, schema, reading against the table, ISPM 12 rules.

    ``source`` is anything :func:`~ephyto_dip.documents.read` takes, or a :class:`Document` it
    returned (then nothing is read again; ``name`` and ``limits`` do not apply).
    """
    yield from all_findings(source, name=name, table=table, limits=limits, thorough=thorough, rules=rules)


def is_valid(
    source: Source | Document,
    *,
    name: str | None = None,
    table: TableArg = None,
    limits: Limits = DEFAULT_LIMITS,
    thorough: bool = False,
    rules: bool = True,
) -> bool:
    """Whether the input has no error finding (a warning does not make it invalid)."""
    try:
        found = all_findings(source, name=name, table=table, limits=limits, thorough=thorough, rules=rules)
    except InputError as exc:
        if exc.findings and all(f.code.startswith(_CONTENT_CODES) for f in exc.findings):
            return False  # read, but not a well-formed document: invalid, not unreadable
        raise
    return not any(f.severity is ERROR for f in found)


_CONTENT_CODES = ("XML-", "JSON-")


def validate(
    source: Source | Document,
    *,
    name: str | None = None,
    table: TableArg = None,
    limits: Limits = DEFAULT_LIMITS,
    thorough: bool = False,
    rules: bool = True,
) -> None:
    """Return if the input is valid; raise :class:`ValidationError` carrying every finding if not."""
    found = all_findings(source, name=name, table=table, limits=limits, thorough=thorough, rules=rules)
    if any(f.severity is ERROR for f in found):
        raise ValidationError(found)


def all_findings(
    source: Source | Document,
    *,
    name: str | None = None,
    table: TableArg = None,
    limits: Limits = DEFAULT_LIMITS,
    thorough: bool = False,
    rules: bool = True,
) -> list[Finding]:
    """:func:`iter_findings` as a list (what the verbs and the CLI share)."""
    if isinstance(source, Document):
        return document_findings(source, thorough=thorough, rules=rules, table=table)
    try:
        doc = read(source, name=name, table=table, limits=limits)
    except (InputError, TableError, UsageError):  # unreadable input or table, a bad setting: the caller decides
        raise
    except EphytoDipError as exc:  # unsupported document, conversion problems
        return exc.findings
    return document_findings(doc, thorough=thorough, rules=rules, table=table)


def document_findings(doc: Document, *, thorough: bool = False, rules: bool = True, table: TableArg = None
                      ) -> list[Finding]:
    """Findings of a document already read; ``table`` is the one it was read with (default: shipped)."""
    findings = list(doc.findings)
    findings += xsd_findings(doc.root, doc.side, doc.name, thorough)
    if rules:
        from ..mapping.locate import Location, Locator
        from ..mapping.table import Table, load_table
        from .rules import check_certificate

        # rule findings name model paths; the locator turns them into lines and XPaths of the
        # input. It indexes the whole tree, so it is built only for a certificate with findings.
        tab = table if isinstance(table, Table) else load_table(table)
        located: list[Locator] = []

        def locate(path: str) -> Location | None:
            if not located:
                located.append(Locator(doc.certificate_root, tab, doc.side, doc.kept))
            return located[0](path)

        findings += check_certificate(doc.shape, name=doc.name, side=doc.side, locate=locate, table=tab)
    return doc.relocate(findings)  # JSON input: pointers, not XPaths
