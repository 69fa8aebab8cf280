"""The table planned once per context and side: for each group of rows, which rows a set of child
names calls for, which are one plain step (read straight off the child index, written as one
new child), and a selector compiled for every other path shape. The reader, the writer, the
locator and the review page all select through these entries."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..reading import shapes
from .paths import Path, Visited
from .table import Row, Table

if TYPE_CHECKING:  # (the pydantic model is imported only to validate one)
    from lxml import etree

    from .child_index import ChildIndex, Selector
    from .codelists import CodeList


# ------------------------------------------------------------------------------ plans


class Entry:
    """How one row reads and writes on one side, worked out once per table.

    ``tag`` is set when the row's path is one plain step (no predicate, position or
    alternative): the elements it reads are then the context's children of that tag, and
    a value is written as one new child of that tag. Other rows read through ``select``,
    a selector compiled for their path's shape, and write through :meth:`Path.create`.
    ``plain_leaf``: a value read as its text (no attribute path, date or code list).
    """

    __slots__ = (
        "attr",
        "codelist",
        "group",
        "is_list",
        "merge_check",
        "path",
        "plain_leaf",
        "plain_write",
        "row",
        "select",
        "tag",
        "vtype",
    )
    row: Row
    path: Path
    attr: str
    is_list: bool
    group: bool
    vtype: type | None
    codelist: CodeList | None
    tag: str | None
    select: Selector
    merge_check: bool
    plain_leaf: bool
    plain_write: bool

    def __init__(self, row: Row, side: str, siblings: list[Row]) -> None:
        path = row.paths[side]
        assert path is not None  # a row is planned on the sides it has a path on
        self.row, self.path, self.attr, self.is_list = row, path, row.attr, row.is_list
        self.group = row.kind == "group"
        self.vtype = row.shape
        self.codelist = row.codelist if side == "dip" else None
        plain_step = (
            len(path.steps) == 1
            and path.attribute is None
            and not path.alternatives
            and not (path.steps[0].claims_by_literal or path.steps[0].position is not None or path.otherwise)
        )
        self.tag = path.steps[0].tag if plain_step else None
        if path.is_self:
            self.select = _select_self
        elif path.otherwise:
            self.select = _OtherwiseSelector(path, siblings, side)
        else:
            self.select = path.select_own
        # a list read through several steps merges what repeated intermediate elements hold
        self.merge_check = row.is_list and len(path.steps) > 1 and not path.otherwise
        self.plain_leaf = (
            row.kind == "value" and path.attribute is None and row.shape is not shapes.DateTime
            and self.codelist is None
        )
        self.plain_write = (
            row.kind == "value" and self.tag is not None and self.codelist is None and row.shape is not shapes.DateTime
        )

    def prepare(self) -> None:
        """Work out now what this entry's selectors and paths compute at their first use."""
        self.path.compile()
        if isinstance(self.select, _OtherwiseSelector):
            self.select.claimers()


def _select_self(ctx: etree._Element, index: ChildIndex, visited: Visited | None = None) -> list[etree._Element]:
    return [ctx]


class _OtherwiseSelector:
    """``[otherwise]``: the last step's elements that no literal-predicate sibling row claims.

    Which rows compete for the same elements depends only on the table: worked out once, at
    the first selection or when the plans are prepared (the sibling rows are planned by then).
    """

    __slots__ = ("_claimers", "_constants", "_last", "_parent", "_path", "_siblings", "_side")

    def __init__(self, path: Path, siblings: list[Row], side: str) -> None:
        self._path, self._siblings, self._side = path, siblings, side
        self._parent, self._last = path.parent.select_own, path.steps[-1].select
        self._constants = path.steps[-1].extra
        self._claimers: list[Path] | None = None

    def claimers(self) -> list[Path]:
        claimers = self._claimers
        if claimers is None:
            claimers = self._claimers = _claimer_paths(rows_for(self._siblings, self._side), self._path, self._side)
            for claimer in claimers:
                claimer.compile()
        return claimers

    def __call__(self, ctx: etree._Element, index: ChildIndex, visited: Visited | None = None
                 ) -> list[etree._Element]:
        claimed: set[etree._Element] = set()
        for claimer in self.claimers():
            claimed.update(claimer.select_own(ctx, index))
        last = self._last
        nodes = [n for p in self._parent(ctx, index, visited) for n in last(p, index) if n not in claimed]
        if visited is not None:
            visited.update(nodes)
            for n in nodes:  # the constants after [otherwise] were read to select them
                visited.update(c for tag, _ in self._constants for c in index.children(n, tag)[:1])
        return nodes


class _Plan:
    """The rows of one context on one side, and which of them a set of child tags calls for."""

    __slots__ = ("_always", "_by_row", "_by_tag", "_present", "active", "by_attr", "entries", "rows")
    _by_tag: dict[object, list[int]]  # a first tag -> the positions of the entries that look for it
    _always: list[int]  # the positions of the entries that look at the context itself
    _present: dict[frozenset[object], list[Entry]]  # (a tag: a str, or a comment's factory)

    _MAX_SHAPES = 512  # distinct child-tag sets remembered per context: memory stays bounded

    def __init__(self, rows: list[Row], side: str) -> None:
        self.rows = rows
        self.active = [r for r in rows if r.paths.get(side) is not None]
        self.entries = [Entry(r, side, rows) for r in self.active]
        self._by_row = {e.row.line: e for e in self.entries}  # (a row's line is unique in its table)
        self.by_attr: dict[str, Row] = {}  # model attribute -> its row (the first, as the locator takes it)
        for r in self.active:
            self.by_attr.setdefault(r.attr, r)
        self._by_tag = {}
        self._always = []
        for pos, entry in enumerate(self.entries):  # (one per active row, in order)
            tags = entry.path.first_tags
            if not tags:
                self._always.append(pos)
            for t in tags:
                self._by_tag.setdefault(t, []).append(pos)
        self._present = {}

    def entry(self, row: Row) -> Entry:
        return self._by_row[row.line]

    def present(self, tags: Iterable[object]) -> list[Entry]:
        """The entries that can find something among children with ``tags``, in table order.

        A context has a few dozen rows but holds a few children; looking rows up by the tags
        present keeps reading proportional to the certificate, not to the table. Certificates
        repeat the same shapes, so the answer is remembered per set of tags.
        """
        key = frozenset(tags)
        hit = self._present.get(key)
        if hit is None:
            picked = set(self._always)
            for t in key:
                picked.update(self._by_tag.get(t, ()))
            hit = [self.entries[i] for i in sorted(picked)]
            if len(self._present) >= self._MAX_SHAPES:
                self._present.clear()
            self._present[key] = hit
        return hit


def plan_for(rows: list[Row], side: str) -> _Plan:
    """The plan of a context's rows on ``side``, made once and kept with the rows
    (:class:`~ephyto_dip.mapping.table.Rows`); a plain list of rows is planned for this call only."""
    plans = getattr(rows, "plans", None)
    if plans is None:
        return _Plan(rows, side)
    plan: _Plan | None = plans.get(side)
    if plan is None:  # two threads may both plan it: the plans are equal, either one is kept
        plan = plans[side] = _Plan(rows, side)
    return plan


_READ_LOCK = threading.Lock()


def ready_to_read(table: Table, side: str) -> None:
    """Make the read plans of ``side`` of ``table`` at their first use, under a lock: threads
    that start reading together wait for one planning instead of each planning what it meets."""
    key = (__name__, "read plans", side)
    if key in table.derived:
        return
    with _READ_LOCK:
        if key not in table.derived:
            prepare_read_plans(table.roots, side)
            table.derived[key] = True


def prepare_read_plans(rows: list[Row], side: str) -> None:
    """Make the read plan of every context below ``rows`` (a table's roots) on ``side`` now."""
    for entry in plan_for(rows, side).entries:
        entry.prepare()
        if entry.group and entry.row.children:
            prepare_read_plans(entry.row.children, side)


def rows_for(rows: list[Row], side: str) -> list[Row]:
    """The rows with a path on ``side``."""
    return plan_for(rows, side).active


def _claimer_paths(rows: list[Row], other: Path, side: str) -> list[Path]:
    """The paths (cut at ``other``'s last step) of the rows that claim elements by literal.

    Worked out once per table: which rows compete for the same elements depends only on
    the table, not on the certificate.
    """
    k = len(other.steps) - 1
    prefix = [s.tag for s in other.steps[:k]]
    out: list[Path] = []
    for row in rows:
        path = row.paths.get(side)
        if path is None or path.otherwise:
            continue
        if path.is_self and row.kind == "group":
            out.extend(_claimer_paths(rows_for(row.children, side), other, side))
        elif (
            len(path.steps) > k
            and [s.tag for s in path.steps[:k]] == prefix
            and path.steps[k].tag == other.steps[k].tag
            and path.steps[k].claims_by_literal
        ):
            out.append(type(path)(path.text, path.steps[: k + 1]))
    return out
