"""The generic writer: a side's tree from the reader's dictionaries (or a model), in schema order,
through the table's plans."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from lxml import etree

from ..findings import ConversionError, Finding
from .codelists import UnmappedCode
from .sides import ModelData, Side
from .table import Row, Table

if TYPE_CHECKING:  # (the pydantic model is imported only to validate one)
    from ..reading import model as m
    from ..reading import shapes
    from ..reading.schema_info import SchemaInfo
    from .paths import Step
from .plans import Entry, plan_for

# (via, field, entry) of a context's rows, in schema order (field None: a _Discriminator)
WritePlan = list[tuple[tuple[str, ...], "str | None", Any]]

# --------------------------------------------------------------------------------- write


def write_tree(cert: m.Certificate | ModelData, table: Table, side: Side, order: SchemaInfo | None = None
               ) -> etree._Element:
    """Write ``cert`` as a tree of ``side``; ``order`` (a SchemaInfo) puts it in schema order.

    ``cert`` is a Certificate or the plain dictionaries :func:`read_data` reads (a conversion
    writes those directly; a model is first dumped to them, ``None`` fields left out).

    With ``order``, each context's rows are written in the schema order of their elements, so
    the tree comes out ordered. Only a table where one row writes *into* an element another
    row creates (``A`` and ``A/B`` side by side) can leave an element's children out of
    order; for such a table the tree is sorted afterwards.
    """
    data = cert if isinstance(cert, dict) else cert.model_dump(exclude_none=True)
    root = side.new_root()
    _write_context(root, data, table.roots, side, order)
    if order is not None and _sort_needed(table, side, order):
        order.sort(root)
    return root


def prepare_plans(table: Table, side: Side, order: SchemaInfo | None) -> None:
    """Make every plan a conversion to or from ``side`` uses, now rather than at first use:
    each context's read plan and write plan (in ``order``'s schema order) and the sort check.
    A batch does it before its workers fork, a service at start-up (``warm_up``)."""

    def visit(rows: list[Row]) -> None:
        _write_plan(rows, side, order)  # (which plans the reading side too)
        for entry in plan_for(rows, side.name).entries:
            entry.prepare()
            if entry.group and entry.row.children:
                visit(entry.row.children)

    visit(table.roots)
    if order is not None:
        _sort_needed(table, side, order)


def _write_context(el: etree._Element, obj: ModelData, rows: list[Row], side: Side, order: SchemaInfo | None
                   ) -> None:
    for via, attr, entry in _write_plan(rows, side, order):
        owner: ModelData | None = obj
        for step in via:  # rows of a "." group: their values sit on the group's object
            owner = owner.get(step) if owner is not None else None
            if owner is None:
                break
        if owner is None:
            continue
        if attr is None:  # a group's discriminator
            etree.SubElement(el, entry.tag).text = entry.value
            continue
        val = owner.get(attr)
        if val is None:
            continue
        if entry.is_list:
            if not val:
                continue
        else:
            val = (val,)
        if entry.plain_write:  # most rows: one new child per value, its text and attributes
            tag = entry.tag
            for item in val:
                child = etree.SubElement(el, tag)
                child.text = item["value"]
                if len(item) > 1:  # attributes besides the value
                    side.write_attributes(child, item, entry.vtype)
        else:
            _write_values(el, val, entry, side, order, owner)


def _write_values(el: etree._Element, values: Iterable[Any], entry: Entry, side: Side, order: SchemaInfo | None,
                  owner: ModelData | None = None) -> None:
    """Write one row's values; ``owner`` (the model data holding them) decides code-list ``when`` rows."""
    row, path = entry.row, entry.path
    vtype: type[shapes.Value] = entry.vtype  # type: ignore[assignment]  # a value row's shape: a Value class
    for item in values:
        if entry.group:
            # the predicate's child is written by the group's own plan, in its schema place
            if entry.tag is not None:
                target = etree.SubElement(el, entry.tag)
            else:
                target = path.create(el, repeat_last=True, discriminator=False)
            _write_context(target, item, row.children, side, order)
            if _holds_nothing(target, path.steps[-1]):  # a group without values is not written
                el_parent = target.getparent()
                assert el_parent is not None  # just written below el
                el_parent.remove(target)
            continue
        if row.kind == "str":
            item = {"value": item}
        if entry.codelist is not None:
            try:
                item = {**item, "value": entry.codelist.to_dip(item["value"], owner)}
            except UnmappedCode as exc:
                raise ConversionError(
                    Finding("CODELIST-UNMAPPED", str(exc), mapping_id=row.id, value=exc.value)
                ) from None
        if path.attribute is not None:
            holder = path.create(el, repeat_last=False) if path.steps else el
            holder.set(path.attribute, item["value"])
        else:
            side.write_value(path.create(el, repeat_last=True), item, vtype)


class _Discriminator:
    """A child a group's predicates name (``[Subject='X']``, a constant), written among the group's values."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: str | None) -> None:
        self.tag, self.value = tag, value


def _write_plan(rows: list[Row], side: Side, order: SchemaInfo | None
                ) -> WritePlan:
    """``(via, field, entry)`` for a context, in the schema order of what they write
    (``field`` None: a :class:`_Discriminator`).

    Rows of a ``.`` group write into the context itself, so they join its plan (``via`` names
    the group fields on the way to their object). Cached per table, side and schema.
    """
    plans = getattr(rows, "plans", None)  # kept with the rows (table.Rows), keyed by the schema object itself
    key = ("write", side.name, order)
    hit: WritePlan | None = plans.get(key) if plans is not None else None
    if hit is not None:
        return hit
    ctx_type = _context_type(rows[0], side, order) if rows and order is not None else None
    keyed: list[tuple[tuple[int, ...], tuple[str, ...], Entry | _Discriminator]] = []

    def add(rows_: list[Row], via: tuple[str, ...]) -> None:
        plan = plan_for(rows_, side.name)
        for entry in plan.entries:
            if entry.group and entry.path.is_self:
                add(entry.row.children, (*via, entry.attr))
            else:
                keyed.append((_schema_key(entry.path.steps, ctx_type, order), via, entry))

    owner = rows[0].parent if rows else None
    owner_path = owner.paths[side.name] if owner is not None else None  # (a group's rows: it has one)
    if owner_path is not None and owner_path.steps:
        last = owner_path.steps[-1]
        for tag, value in last.child_predicates:  # first among its namesakes: the predicate reads the first
            keyed.append((_schema_key([tag], ctx_type, order), (), _Discriminator(tag, value)))
    add(rows, ())
    if order is not None:
        keyed.sort(key=lambda k: k[0])  # stable: rows writing the same element keep table order
    plan = [(via, None if isinstance(e, _Discriminator) else e.attr, e) for _, via, e in keyed]
    if plans is not None:
        plans[key] = plan
    return plan


def _sort_needed(table: Table, side: Side, order: SchemaInfo | None) -> bool:
    """Whether some context of ``table`` has a row whose path passes through an element that
    another row of the context creates (its children then come from two plans). Worked out
    once per table, side and schema."""
    key = (__name__, "sort", side.name, order)
    hit = table.derived.get(key)
    if hit is None:
        hit = table.derived[key] = _passes_through_another(table.roots, side, order)
    return hit


def _passes_through_another(rows: list[Row], side: Side, order: SchemaInfo | None) -> bool:
    # the entries of the context's write plan (rows of "." groups joining it), in any order:
    # which elements they create does not depend on the schema, so no write plan is built here
    entries: list[Entry] = []

    def add(rows_: list[Row]) -> None:
        for entry in plan_for(rows_, side.name).entries:
            if entry.group and entry.path.is_self:
                add(entry.row.children)
            else:
                entries.append(entry)

    add(rows)
    created = {tuple(s.tag for s in e.path.steps) for e in entries}
    for e in entries:
        tags = tuple(s.tag for s in e.path.steps)
        if any(tags[:k] in created for k in range(1, len(tags))):
            return True
        if e.group and _passes_through_another(e.row.children, side, order):
            return True
    return False


def _context_type(row: Row, side: Side, order: SchemaInfo) -> str | None:
    """Schema type of the element ``row``'s path starts from."""
    if row.parent is None:
        return order.element_type(side.root_tag)
    parent_type = _context_type(row.parent, side, order)
    parent_path = row.parent.paths[side.name]
    assert parent_path is not None  # a row's group has a path where the row has one
    for step in parent_path.steps:
        parent_type = order.position(parent_type, step.tag)[1]
    return parent_type


def _schema_key(steps: Sequence[Step | str], type_key: str | None, order: SchemaInfo | None) -> tuple[int, ...]:
    """Positions of a path's steps in the schema, level by level (empty without a schema)."""
    if order is None:
        return ()
    key = []
    for step in steps:
        pos, type_key = order.position(type_key, step if isinstance(step, str) else step.tag)
        key.append(pos)
    return tuple(key)


def _holds_nothing(el: etree._Element, step: Step) -> bool:
    if el.text is not None or len(el.attrib) > (1 if step.pred_attr else 0):
        return False
    written = step.predicate_tags  # the predicates' children: not values
    if len(el) > len(written):
        return False
    return all(c.tag in written for c in el)
