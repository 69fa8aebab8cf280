"""From a model path back to the XML element it was read from.

Rules check the :class:`~ephyto_dip.reading.model.Certificate`, so they name what they found by a
model path (``items[1].packages[0].type_code``). :class:`Locator` turns that path into the
element of the input, walking the table's rows the way :func:`engine.read_data` does: a group
row selects its elements, a list index picks the n-th element *that the reader kept* (the
reader drops elements that hold nothing for the model, so the n-th model entry is not always
the n-th element), ``.`` groups stay on the context, ``[otherwise]`` rows take what no
literal-predicate row claims, alternatives (``a | b``) come after the main path.

A path that leads past what the input holds (a missing box) resolves to the nearest element
that does exist, marked as not exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ..reading.xmlsafe import element_xpath
from .engine import ReadState, read_context, read_leaf, select_nodes
from .plans import plan_for
from .sides import SIDES, Kept, Side
from .table import Row, Table

_SEGMENT = re.compile(r"^(?P<attr>[A-Za-z_]\w*)(?:\[(?P<index>\d+)\])?$")


class ModelPathError(ValueError):
    """A model path that is not ``name``, ``name[n]`` segments joined by dots."""


@dataclass(frozen=True)
class Location:
    """Where a model path sits in the input."""

    element: etree._Element
    exact: bool  # False: the path leads further than the input goes; this is the nearest element
    row: Row | None = None  # the table row of the element (None for the root)

    @property
    def line(self) -> int | None:
        return self.element.sourceline

    @property
    def xpath(self) -> str:
        return element_xpath(self.element)

    @property
    def mapping_id(self) -> str | None:
        return self.row.id if self.row is not None else None


def parse_model_path(model_path: str) -> list[tuple[str, int | None]]:
    """``items[1].packages[0].type_code`` → [('items', 1), ('packages', 0), ('type_code', None)]."""
    out = []
    for part in model_path.split("."):
        mt = _SEGMENT.match(part.strip())
        if not mt:
            raise ModelPathError(f"bad model path segment {part!r} in {model_path!r}")
        out.append((mt["attr"], int(mt["index"]) if mt["index"] is not None else None))
    return out


class Locator:
    """Locates model paths in one document; callable as ``locator(model_path)``.

    Selections are cached per (element, row), so locating many findings in one document
    reads each group's elements once; given what the reader recorded (``kept``, see
    :func:`engine.read_data`), nothing is re-read.
    """

    def __init__(self, root: etree._Element, table: Table, side: str | Side, kept: Kept | None = None) -> None:
        self.root = root
        self.table = table
        self.side = SIDES[side] if isinstance(side, str) else side
        # what the reader recorded while reading ``root`` with ``table`` (read_data's ``kept``):
        # then locating is a lookup; without it, selections are re-read and cached here
        self._read = kept
        self._kept: Kept = {}
        # a reader state of our own: its child index speeds up selection; its findings are dropped
        self._scratch = ReadState(self.side, "<locate>")

    def __call__(self, model_path: str) -> Location | None:
        try:
            return self.locate(model_path)
        except ModelPathError:
            return None

    def locate(self, model_path: str) -> Location | None:
        """The element ``model_path`` was read from, or the nearest one that exists.

        None if the path does not belong to this side at all (e.g. ``hub_envelope`` on an
        SPSCertificate).
        """
        side = self.side.name
        ctx, rows, row = self.root, self.table.roots, None
        for attr, index in parse_model_path(model_path):
            nxt = plan_for(rows, side).by_attr.get(attr)
            if nxt is None:
                if row is not None and row.kind != "group":
                    break  # a part of the value itself (unit_code, filename …): its element
                if row is None:
                    return None  # not a field this side carries (hub_envelope on an SPSCertificate)
                return Location(ctx, False, row)
            kept = self._kept_nodes(ctx, nxt, rows)
            i = index or 0
            if i >= len(kept):
                return Location(ctx, False, row)
            ctx, rows, row = kept[i], nxt.children, nxt
        return Location(ctx, True, row)

    # -- the reader's selection, kept in step with engine.read_context ---------------------
    def _kept_nodes(self, ctx: etree._Element, row: Row, siblings: list[Row]) -> list[etree._Element]:
        key = (ctx, row.id)
        if self._read is not None:
            return self._read.get(key) or []
        if key not in self._kept:
            self._kept[key] = [n for n in self._select(ctx, row, siblings) if self._holds_value(n, row)]
        return self._kept[key]

    def _select(self, ctx: etree._Element, row: Row, siblings: list[Row]) -> list[etree._Element]:
        side = self.side.name
        return select_nodes(ctx, row, siblings, side, self._scratch.index)

    def _holds_value(self, node: etree._Element, row: Row) -> bool:
        """Whether the reader keeps ``node`` for ``row`` (reads something from it)."""
        scratch = self._scratch
        try:
            if row.kind == "group":
                return bool(read_context(node, row.children, scratch))
            path = row.paths[self.side.name]
            assert path is not None  # a row the locator reached has a path on its side
            return read_leaf(node, row, path, scratch) is not None
        finally:
            scratch.findings.clear()


def locate(root: etree._Element, table: Table, side: str | Side, model_path: str) -> Location | None:
    """One-off :meth:`Locator.locate` (build a :class:`Locator` to locate many paths)."""
    return Locator(root, table, side)(model_path)
