"""The generic reader and writer, driven by the table's rows for one side.

``read_data``: XML tree → plain dictionaries shaped like :class:`~ephyto_dip.reading.model.Certificate`
(plus findings for anything of the input that no row carries); ``certificate_of`` validates
them into the model. ``write_tree``: those dictionaries, or a Certificate → XML tree in schema
order. Both know nothing of any particular field: adding a row is how a field is added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union

from lxml import etree

from ..reading import shapes
from ..findings import ERROR, INFO, WARNING, ConversionError, Finding
from ..reading.xmlsafe import element_xpath
from ..reading.xmltext import text_of
from .codelists import UnmappedCode
from .exclusions import excluded_reason
from .sides import LENIENT, Side
from .child_index import ChildIndex
from .paths import Path
from .table import Row, Table

if TYPE_CHECKING:  # (the pydantic model is imported only to validate one)
    from ..reading import model as m

_IGNORED_ATTR_NS = ("{http://www.w3.org/2001/XMLSchema-instance}", "{http://www.w3.org/XML/1998/namespace}")


class ReadState:
    __slots__ = ("side", "visited", "findings", "name", "index", "values", "kept")

    def __init__(self, side: Side, name: str, kept: Optional[dict] = None):
        self.side = side
        self.kept = kept  # (context element, row id) -> the elements kept for the row (see read_data)
        self.visited: set = set()
        self.values: set = set()  # elements read as values: their attributes were checked there
        self.findings: list[Finding] = []
        self.name = name
        self.index = ChildIndex()

    def finding(self, code, message, el=None, row: Optional[Row] = None, severity=WARNING, value=None):
        self.findings.append(
            Finding(
                code,
                message,
                severity=severity,
                file=self.name,
                line=el.sourceline if el is not None else None,
                xpath=element_xpath(el) if el is not None else None,
                mapping_id=row.id if row else None,
                value=value,
            )
        )


def read_data(
    root: etree._Element, table: Table, side: Side, name: str = "<input>", kept: Optional[dict] = None
) -> tuple[dict, list[Finding]]:
    """Read ``root`` (an SPSCertificate or a DIP root) into plain dictionaries shaped like a
    :class:`~ephyto_dip.reading.model.Certificate`: what the writer takes, with no model to build.

    Given a dict ``kept``, the reader records there, for each (context element, row id) that
    found something, the elements whose values it kept, in order: the n-th is where the
    n-th model entry came from (what :class:`~ephyto_dip.mapping.locate.Locator` looks up).
    """
    st = ReadState(side, name, kept)
    st.visited.add(root)
    data = read_context(root, table.roots, st)
    _report_not_carried(root, st)
    return data, st.findings


def certificate_of(data: dict, name: str = "<input>") -> "m.Certificate":
    """The typed model of what :func:`read_data` read."""
    from ..reading import model

    try:
        return model.Certificate.model_validate(data)
    except Exception as exc:  # pydantic ValidationError: a table/model mismatch, not user input
        raise ConversionError(Finding("TABLE-FIELD", f"table and model disagree: {exc}", file=name)) from None


# ------------------------------------------------------------------------------ plans


class _Entry:
    """How one row reads and writes on one side, worked out once per table.

    ``tag`` is set when the row's path is one plain step (no predicate, position or
    alternative): the elements it reads are then the context's children of that tag, and
    a value is written as one new child of that tag. Other rows read through ``select``,
    a selector compiled for their path's shape, and write through :meth:`Path.create`.
    ``plain_leaf``: a value read as its text (no attribute path, date or code list).
    """

    __slots__ = ("row", "path", "attr", "is_list", "group", "tag", "select", "merge_check", "plain_leaf",
                 "plain_write", "codelist", "vtype")

    def __init__(self, row: Row, side: str, siblings: list[Row]):
        path = row.paths[side]
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
            self.select = _otherwise_selector(path, siblings, side)
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


def _select_self(ctx, index, visited=None) -> list:
    return [ctx]


def _otherwise_selector(path: Path, siblings: list[Row], side: str):
    """``[otherwise]``: the last step's elements that no literal-predicate sibling row claims.

    Which rows compete for the same elements depends only on the table: worked out once.
    """
    parent, last = path.parent.select_own, path.steps[-1].select
    constants = path.steps[-1].extra
    claimers: list = []

    def select(ctx, index, visited=None):
        if not claimers:
            claimers.append(_claimer_paths(rows_for(siblings, side), path, side))
        claimed: set = set()
        for claimer in claimers[0]:
            claimed.update(claimer.select_own(ctx, index))
        nodes = [n for p in parent(ctx, index, visited) for n in last(p, index) if n not in claimed]
        if visited is not None:
            visited.update(nodes)
            for n in nodes:  # the constants after [otherwise] were read to select them
                visited.update(c for tag, _ in constants for c in index.children(n, tag)[:1])
        return nodes

    return select


class _Plan:
    """The rows of one context on one side, and which of them a set of child tags calls for."""

    __slots__ = ("rows", "active", "entries", "_by_row", "_by_tag", "_always", "_present")

    _MAX_SHAPES = 512  # distinct child-tag sets remembered per context: memory stays bounded

    def __init__(self, rows: list[Row], side: str):
        self.rows = rows
        self.active = [r for r in rows if r.paths.get(side) is not None]
        self.entries = [_Entry(r, side, rows) for r in self.active]
        self._by_row = {id(e.row): e for e in self.entries}
        self._by_tag: dict = {}
        self._always = []
        for pos, (row, entry) in enumerate(zip(self.active, self.entries)):
            tags = row.paths[side].first_tags
            if not tags:
                self._always.append(pos)
            for t in tags:
                self._by_tag.setdefault(t, []).append(pos)
        self._present: dict = {}

    def entry(self, row: Row) -> _Entry:
        return self._by_row[id(row)]

    def present(self, tags) -> list[_Entry]:
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


_PLANS: dict = {}
_MAX_PLANS = 4096  # contexts × sides of the tables in use; a process that reloads edited tables stays bounded


def _plan(rows: list[Row], side: str) -> _Plan:
    key = (id(rows), side)
    plan = _PLANS.get(key)
    if plan is None or plan.rows is not rows:  # (a plan keeps its rows alive: this is a safeguard)
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        plan = _PLANS[key] = _Plan(rows, side)
    return plan


def rows_for(rows: list[Row], side: str) -> list[Row]:
    """The rows with a path on ``side``."""
    return _plan(rows, side).active


def read_context(ctx: etree._Element, rows: list[Row], st: ReadState) -> dict:
    index, visited = st.index, st.visited
    groups = index.groups(ctx)
    out: dict[str, Any] = {}
    for entry in _plan(rows, st.side.name).present(groups):
        row = entry.row
        if entry.tag is not None:  # most rows: the context's children of one tag
            nodes = groups[entry.tag]
            visited.update(nodes)
        else:
            path = entry.path
            nodes = entry.select(ctx, index, visited)
            if path.alternatives:
                extra = path.select_extra(ctx, index, nodes, visited)
                if extra:
                    _report_alternatives(extra, row, st)
                    nodes = nodes + extra
            if entry.merge_check and nodes:
                fan = path.intermediate_fanout(ctx, index)
                if fan:
                    st.finding("READ-MERGED", f"several {fan} elements hold {row.field}; they are read as one list",
                               nodes[0], row, severity=INFO)
        if not nodes:
            continue
        dropped = None  # elements that held nothing for the model (rare)
        if entry.group:
            values = []
            for n in nodes:
                sub = read_context(n, row.children, st)
                if sub:
                    values.append(sub)
                else:
                    dropped = (dropped or []) + [n]
        elif entry.plain_leaf:
            values = []
            for n in nodes:
                text = n.text
                if text and not text.isspace() and not n.attrib and not len(n):  # the usual value: its text, nothing else
                    values.append({"value": text})
                else:
                    v = read_leaf(n, row, entry.path, st)
                    if v is not None:
                        values.append(v)
                    else:
                        dropped = (dropped or []) + [n]
        else:
            values = []
            for n in nodes:
                v = read_leaf(n, row, entry.path, st)
                if v is not None:
                    values.append(v)
                else:
                    dropped = (dropped or []) + [n]
        if not values:
            continue
        if st.kept is not None:
            st.kept[(ctx, row.id)] = nodes if dropped is None else [n for n in nodes if n not in dropped]
        if entry.is_list:
            out[entry.attr] = values
        else:
            if len(values) > 1:
                st.finding(
                    "READ-CARDINALITY",
                    f"{len(values)} occurrences for {row.field}, which holds one; only the first is carried",
                    nodes[1],
                    row,
                    severity=ERROR,
                )
            out[entry.attr] = values[0]
    return out


def _report_alternatives(extra: list, row: Row, st: "ReadState") -> None:
    """Elements found only through a read-only alternative are where the schema has none."""
    for n in extra:
        st.finding(
            "READ-LENIENT",
            f"{etree.QName(n).localname} found inside {etree.QName(n.getparent()).localname}, where the schema "
            f"does not allow it; carried as {row.field}",
            n,
            row,
        )


def select_nodes(ctx, row: Row, rows: list[Row], side: str, index: ChildIndex, visited: Optional[set] = None) -> list:
    """The elements ``row`` (one of ``rows``, a context's rows as in the table) reads under ``ctx``.

    The one place that says how a row selects: the reader, the locator and the review page
    all go through the same compiled entry.
    """
    entry = _plan(rows, side).entry(row)
    nodes = entry.select(ctx, index, visited)
    if entry.path.alternatives:
        nodes = nodes + entry.path.select_extra(ctx, index, nodes, visited)
    return nodes


def _claimer_paths(rows: list[Row], other: "Path", side: str) -> list:
    """The paths (cut at ``other``'s last step) of the rows that claim elements by literal.

    Worked out once per table: which rows compete for the same elements depends only on
    the table, not on the certificate.
    """
    k = len(other.steps) - 1
    prefix = [s.tag for s in other.steps[:k]]
    out = []
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


def read_leaf(el: etree._Element, row: Row, path, st: ReadState):
    side = st.side
    if path.attribute is not None:
        raw = el.get(path.attribute)
        data = {"value": raw} if raw is not None and raw.strip() else None
    elif row.kind == "str":
        text = text_of(el)
        data = {"value": text} if (text or "").strip() else None
    else:
        vtype = row.shape
        data = side.read_value(el, vtype)
        if vtype is shapes.DateTime:
            for child in el:  # DateTimeString: its format attributes belong to the date codec
                st.visited.add(child)
                st.values.add(child)
            if data is not None and LENIENT in data:
                st.finding("READ-LENIENT", f"{etree.QName(el).localname}: {data.pop(LENIENT)}", el, row)
        if data is not None and data["value"] == "":
            st.finding("READ-PLACEHOLDER", f"empty {etree.QName(el).localname} kept as an empty value", el, row,
                       severity=INFO)
        st.values.add(el)
        if row.kind == "value" and el.attrib:
            known = side.known_attributes(vtype)
            for attr in el.attrib:
                if attr not in known and not attr.startswith(_IGNORED_ATTR_NS):
                    st.finding(
                        "READ-NOT-CARRIED",
                        f"attribute {attr} of {etree.QName(el).localname} has no place in the model",
                        el,
                        row,
                        value=el.get(attr),
                    )
    if data is None:
        return None
    if row.codelist is not None and side.name == "dip":
        try:
            data["value"] = row.codelist.to_ephyto(data["value"])
        except UnmappedCode as exc:
            st.finding("CODELIST-UNMAPPED", str(exc), el, row, severity=ERROR, value=exc.value)
            return None
    if row.kind == "str":
        return data["value"]
    return data


def _report_not_carried(root: etree._Element, st: ReadState) -> None:
    """Every element no row reached, reported once at its topmost position, in document order;
    then every attribute of a read container that no row carries.

    One pass in lxml's iterator (most elements were read: a set lookup each); an element
    inside one already reported is skipped, unless its ancestor only held excluded content.
    """
    visited = st.visited
    opened: set = set()  # unread elements whose children are judged one by one
    for el in root.iter(etree.Element):
        if el in visited:
            continue
        parent = el.getparent()
        if parent not in visited and parent not in opened:
            continue  # inside an element already reported or skipped
        if not _has_payload(el):
            continue
        reason = excluded_reason(el, st.side)
        if reason:
            st.finding("READ-EXCLUDED", f"element {etree.QName(el).localname} is deliberately not carried: {reason}",
                       el, severity=INFO)
        elif not _has_own_payload(el) and _payload_all_excluded(el, st.side):
            opened.add(el)  # a container of excluded content: report what is inside, by its reason
        else:
            st.finding(
                "READ-NOT-CARRIED",
                f"element {etree.QName(el).localname} has no row in the table; its content is not carried",
                el,
                value=_preview(el),
            )
    for el in _WITH_ATTRIBUTES(root):  # containers and discriminators: read, but not as values
        if el in visited and el not in st.values:
            _report_attributes(el, st)


_WITH_ATTRIBUTES = etree.XPath("descendant::*[@*]")  # the root's own attributes are the document's


def _report_attributes(el, st: ReadState) -> None:
    for attr, value in el.attrib.items():
        if not attr.startswith(_IGNORED_ATTR_NS) and not (el.getparent() is None and attr.startswith("{")):
            st.finding(
                "READ-NOT-CARRIED",
                f"attribute {attr} of {etree.QName(el).localname} has no place in the model",
                el,
                value=value,
            )


def _has_own_payload(el) -> bool:
    return bool((text_of(el) or "").strip()) or any(not a.startswith(_IGNORED_ATTR_NS) for a in el.attrib)


def _payload_all_excluded(el, side) -> bool:
    for child in el:
        if not isinstance(child.tag, str) or not _has_payload(child):
            continue
        if excluded_reason(child, side):
            continue
        if _has_own_payload(child) or not _payload_all_excluded(child, side):
            return False
    return True


def _has_payload(el) -> bool:
    if (text_of(el) or "").strip():
        return True
    if any(not a.startswith(_IGNORED_ATTR_NS) for a in el.attrib):
        return True
    return any(_has_payload(c) for c in el if isinstance(c.tag, str))


def _preview(el) -> str:
    text = " ".join(t.strip() for t in el.itertext() if t.strip())
    return text[:80]


# --------------------------------------------------------------------------------- write


def write_tree(cert: Union["m.Certificate", dict], table: Table, side: Side, order=None) -> etree._Element:
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


def _write_context(el: etree._Element, obj: dict, rows: list[Row], side: Side, order) -> None:
    for via, attr, entry in _write_plan(rows, side, order):
        owner = obj
        for step in via:  # rows of a "." group: their values sit on the group's object
            owner = owner.get(step)
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


def _write_values(el: etree._Element, values, entry: _Entry, side: Side, order, owner: Optional[dict] = None) -> None:
    """Write one row's values; ``owner`` (the model data holding them) decides code-list ``when`` rows."""
    row, path = entry.row, entry.path
    for item in values:
        if entry.group:
            # the predicate's child is written by the group's own plan, in its schema place
            if entry.tag is not None:
                target = etree.SubElement(el, entry.tag)
            else:
                target = path.create(el, repeat_last=True, discriminator=False)
            _write_context(target, item, row.children, side, order)
            if _holds_nothing(target, path.steps[-1]):  # a group without values is not written
                target.getparent().remove(target)
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
            owner = path.create(el, repeat_last=False) if path.steps else el
            owner.set(path.attribute, item["value"])
        else:
            side.write_value(path.create(el, repeat_last=True), item, entry.vtype)


class _Discriminator:
    """A child a group's predicates name (``[Subject='X']``, a constant), written among the group's values."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: Optional[str]):
        self.tag, self.value = tag, value


_WRITE_PLANS: dict = {}


def _write_plan(rows: list[Row], side: Side, order) -> list[tuple[tuple[str, ...], Optional[str], Any]]:
    """``(via, field, entry)`` for a context, in the schema order of what they write
    (``field`` None: a :class:`_Discriminator`).

    Rows of a ``.`` group write into the context itself, so they join its plan (``via`` names
    the group fields on the way to their object). Cached per table, side and schema.
    """
    key = (id(rows), side.name, id(order))
    hit = _WRITE_PLANS.get(key)
    if hit is not None and hit[0] is rows and hit[1] is order:
        return hit[2]
    ctx_type = _context_type(rows[0], side, order) if rows and order is not None else None
    keyed: list = []

    def add(rows_: list[Row], via: tuple[str, ...]) -> None:
        plan = _plan(rows_, side.name)
        for entry in plan.entries:
            if entry.group and entry.path.is_self:
                add(entry.row.children, via + (entry.attr,))
            else:
                keyed.append((_schema_key(entry.path.steps, ctx_type, order), via, entry))

    owner = rows[0].parent if rows else None
    if owner is not None and owner.paths[side.name].steps:
        last = owner.paths[side.name].steps[-1]
        for tag, value in last.child_predicates:  # first among its namesakes: the predicate reads the first
            keyed.append((_schema_key([tag], ctx_type, order), (), _Discriminator(tag, value)))
    add(rows, ())
    if order is not None:
        keyed.sort(key=lambda k: k[0])  # stable: rows writing the same element keep table order
    plan = [(via, None if isinstance(e, _Discriminator) else e.attr, e) for _, via, e in keyed]
    if len(_WRITE_PLANS) >= _MAX_PLANS:
        _WRITE_PLANS.clear()
    _WRITE_PLANS[key] = (rows, order, plan)
    return plan


_SORT_NEEDED: dict = {}


def _sort_needed(table: Table, side: Side, order) -> bool:
    """Whether some context of ``table`` has a row whose path passes through an element that
    another row of the context creates (its children then come from two plans). Worked out
    once per table, side and schema."""
    key = (id(table), side.name, id(order))
    hit = _SORT_NEEDED.get(key)
    if hit is None or hit[0] is not table or hit[1] is not order:
        hit = _SORT_NEEDED[key] = (table, order, _passes_through_another(table.roots, side, order))
    return hit[2]


def _passes_through_another(rows: list[Row], side: Side, order) -> bool:
    # the entries of the context's write plan (rows of "." groups joining it), in any order:
    # which elements they create does not depend on the schema, so no write plan is built here
    entries: list = []

    def add(rows_: list[Row]) -> None:
        for entry in _plan(rows_, side.name).entries:
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


def _context_type(row: Row, side: Side, order) -> Optional[str]:
    """Schema type of the element ``row``'s path starts from."""
    if row.parent is None:
        return order.element_type(side.root_tag)
    parent_type = _context_type(row.parent, side, order)
    for step in row.parent.paths[side.name].steps:
        parent_type = order.position(parent_type, step.tag)[1]
    return parent_type


def _schema_key(steps, type_key: Optional[str], order) -> tuple[int, ...]:
    """Positions of a path's steps in the schema, level by level (empty without a schema)."""
    if order is None:
        return ()
    key = []
    for step in steps:
        pos, type_key = order.position(type_key, step if isinstance(step, str) else step.tag)
        key.append(pos)
    return tuple(key)


def _holds_nothing(el: etree._Element, step) -> bool:
    if el.text is not None or len(el.attrib) > (1 if step.pred_attr else 0):
        return False
    written = {tag for tag, _ in step.child_predicates}  # the predicates' children: not values
    return all(c.tag in written for c in el) and len(el) <= len(written)
