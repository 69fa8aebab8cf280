"""Conversion of one input to the other side, with output validation (JSON rendering: ``dipjson``)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace

from lxml import etree

from .documents import Document, read, serialize, to_dip, to_ephyto
from .findings import ERROR, ConversionError, Finding, UsageError
from .mapping.dipjson import to_json
from .mapping.table import Table, load_table
from .reading.sources import Source
from .reading.xmlsafe import DEFAULT_LIMITS, Limits
from .validation.verbs import document_findings, xsd_findings

FORMATS = ("xml", "json")


@dataclass
class Conversion:
    """One input converted: what was read, the findings on the input (the checks ``validate``
    runs) and on the output (its schema), and the output tree.

    A certificate with an error finding is refused: ``root`` is None unless the conversion was
    asked to be ``lenient``. Nothing is written for a refused conversion.
    """

    document: Document
    target: str  # "dip" or "ephyto"
    root: etree._Element | None
    input_findings: list[Finding] = field(default_factory=list)
    output_findings: list[Finding] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return self.input_findings + self.output_findings

    @property
    def input_valid(self) -> bool:
        """The input passed the checks of ``validate``: schema, reading, ISPM 12 rules."""
        return not any(f.severity == ERROR for f in self.input_findings)

    @property
    def output_valid(self) -> bool:
        """An output was made and it is valid against its schema."""
        return self.root is not None and not any(f.severity == ERROR for f in self.output_findings)

    @property
    def ok(self) -> bool:
        return self.input_valid and self.output_valid

    def to_bytes(self, format: str = "xml") -> bytes:
        if self.root is None:
            raise ConversionError([f for f in self.input_findings if f.severity == ERROR])
        if format == "json":
            return to_json(self.root, self.target).encode("utf-8")
        return serialize(self.root)


def convert(
    source: Source | Document,
    *,
    to: str | None = None,
    name: str | None = None,
    table: Table | str | os.PathLike[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    lenient: bool = False,
    validate_input: bool = True,
    validate_output: bool = True,
) -> Conversion:
    """Convert an ePhyto certificate / Hub envelope to a DIP, or a DIP back to ePhyto.

    ``to`` defaults to the other side of the input. The input gets the checks of
    :func:`~ephyto_dip.validation.verbs.iter_findings` (same findings, one read of the bytes); with an
    error among them the certificate is refused (``root`` None) unless ``lenient``.
    Unreadable input raises; so does a certificate the table cannot write (an unmapped code).
    """
    tab = table if isinstance(table, Table) else load_table(table)
    # a Document already read (by the same table) is converted as is: its bytes are not read twice
    doc = source if isinstance(source, Document) else read(source, name=name, table=tab, limits=limits)
    target = to or ("dip" if doc.side == "ephyto" else "ephyto")
    if target not in ("dip", "ephyto"):
        raise UsageError(Finding("USAGE", f"unknown target {target!r}: use 'dip' or 'ephyto'"))
    _prepare(tab, target)
    found = document_findings(doc, table=tab) if validate_input else list(doc.findings)
    if not lenient and any(f.severity == ERROR for f in found):
        return Conversion(doc, target, None, found)
    # what was read is written as is: the typed model is only built if someone asks for it
    root = to_dip(doc.content, tab) if target == "dip" else to_ephyto(doc.content, tab)
    out: list[Finding] = []
    if validate_output:
        for f in xsd_findings(root, target, f"{doc.name} → {target}"):
            out.append(replace(f, message=f"output not valid against the "
                                          f"{'DIP' if target == 'dip' else 'SPS 17'} schema: {f.message}"))
    return Conversion(doc, target, root, found, out)


_PREPARE_LOCK = threading.RLock()
_PREPARED = {target: (__name__, "prepared", target) for target in ("dip", "ephyto")}  # keys in Table.derived


def _prepare(tab: Table, target: str) -> None:
    """Everything a conversion to ``target`` with ``tab`` needs, made once, at first use, under
    a lock: threads that start together wait for one preparation instead of each building
    its share of the plans (and some the same ones) at once."""
    if _PREPARED[target] in tab.derived:
        return
    with _PREPARE_LOCK:
        if _PREPARED[target] not in tab.derived:
            warm_up(table=tab, to=target)


def warm_up(*samples: Source | Document, table: Table | str | os.PathLike[str] | None = None,
            to: str | None = None) -> None:
    """Load now what a first conversion would: a service calls this once at start-up, a batch
    before its workers fork.

    Compiles both schemas, loads the table and makes the plans of the conversions ``to`` the
    DIP (``"dip"``), back to ePhyto (``"ephyto"``) or both (``None``): the input side's read
    plans, the output side's write plans in schema order. Then loads the code lists and the
    tables the rules read, and converts each of ``samples`` (a typical certificate of the
    service, say) to the other side and back. Everything loaded is shared by every thread of
    the process. ``import ephyto_dip`` already prepares the conversion to the DIP (unless
    ``EPHYTO_DIP_PRELOAD=0``); a service converting DIPs back calls ``warm_up(to="ephyto")``.
    What it makes is kept: calling it again is cheap (about a millisecond, and the samples).
    """
    from .mapping import locate  # noqa: F401  (placing the input's findings)
    from .mapping.plans import ready_to_read
    from .mapping.sides import DIP, EPHYTO
    from .mapping.writer import prepare_plans
    from .reading.schemas import dip_schema_info, dip_xsd, ephyto_pruned_xsd, ephyto_schema_info
    from .validation.rules import preload

    if to not in (None, "dip", "ephyto"):
        raise UsageError(Finding("USAGE", f"unknown target {to!r}: use 'dip', 'ephyto' or None for both"))
    tab = table if isinstance(table, Table) else load_table(table)
    with _PREPARE_LOCK:  # (threads calling it together, or a first convert, wait for one preparation)
        ephyto_pruned_xsd()
        dip_xsd()
        for source, target, info in ((EPHYTO, DIP, dip_schema_info), (DIP, EPHYTO, ephyto_schema_info)):
            if to in (None, target.name):
                ready_to_read(tab, source.name)
                order = info()
                order.preload(target.root_tag)
                prepare_plans(tab, target, order)
        preload(tab)
        for target_name in ("dip", "ephyto") if to is None else (to,):
            tab.derived[_PREPARED[target_name]] = True  # a first convert then prepares nothing
    for sample in samples:
        there = convert(sample, table=tab, lenient=True)
        if there.root is not None:
            convert(there.to_bytes(), name="<warm-up>", table=tab, lenient=True)
