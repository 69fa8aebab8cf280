"""Conversion of one input to the other side, with output validation (JSON rendering: ``dipjson``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional, Union

from lxml import etree

from .dipjson import to_json
from .documents import Document, read, serialize, to_dip, to_ephyto
from .findings import ERROR, Finding, UsageError
from .mapping.table import Table, load_table
from .validation import xsd_findings
from .xmlsafe import DEFAULT_LIMITS, Limits

FORMATS = ("xml", "json")


@dataclass
class Conversion:
    """The result of converting one input: the output tree and every finding on the way."""

    document: Document
    target: str  # "dip" or "ephyto"
    root: etree._Element
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    def to_bytes(self, format: str = "xml") -> bytes:
        if format == "json":
            return to_json(self.root, self.target).encode("utf-8")
        return serialize(self.root)


def convert(
    source: Union[str, os.PathLike, bytes],
    *,
    to: Optional[str] = None,
    name: Optional[str] = None,
    table: Union[Table, str, os.PathLike, None] = None,
    limits: Limits = DEFAULT_LIMITS,
    validate_output: bool = True,
) -> Conversion:
    """Convert an ePhyto certificate / Hub envelope to a DIP, or a DIP back to ePhyto.

    ``to`` defaults to the other side of the input. Reading and output-schema problems are
    findings on the result (``ok`` is False if any is an error); unreadable input raises.
    """
    tab = table if isinstance(table, Table) else load_table(table)
    doc = read(source, name=name, table=tab, limits=limits)
    target = to or ("dip" if doc.side == "ephyto" else "ephyto")
    if target not in ("dip", "ephyto"):
        raise UsageError(Finding("USAGE", f"unknown target {target!r}: use 'dip' or 'ephyto'"))
    # what was read is written as is: the typed model is only built if someone asks for it
    root = to_dip(doc.content, tab) if target == "dip" else to_ephyto(doc.content, tab)
    findings = list(doc.findings)
    if validate_output:
        for f in xsd_findings(root, target, f"{doc.name} → {target}"):
            f.message = f"output not valid against the {'DIP' if target == 'dip' else 'SPS 17'} schema: {f.message}"
            findings.append(f)
    return Conversion(doc, target, root, findings)
