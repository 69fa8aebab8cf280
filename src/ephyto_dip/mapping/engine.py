"""The generic reader and writer, driven by the table's rows for one side.

``read_tree``: XML tree → :class:`~ephyto_dip.model.Certificate` (plus findings for anything
of the input that no row carries). ``write_tree``: Certificate → XML tree in schema order.
Both know nothing of any particular field: adding a row is how a field is added.
"""

from __future__ import annotations

from typing import Any, Optional

from lxml import etree

from .. import model as m
from ..findings import ERROR, INFO, WARNING, ConversionError, Finding
from ..xmlsafe import element_xpath
from .codelists import UnmappedCode
from .exclusions import excluded_reason
from .sides import LENIENT, Side
from .paths import ChildIndex, Path
from .table import Row, Table

_IGNORED_ATTR_NS = ("{http://www.w3.org/2001/XMLSchema-instance}", "{http://www.w3.org/XML/1998/namespace}")


class _ReadState:
    __slots__ = ("side", "visited", "findings", "name", "index", "values")

    def __init__(self, side: Side, name: str):
        self.side = side
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


def read_tree(
    root: etree._Element, table: Table, side: Side, name: str = "<input>"
) -> tuple[m.Certificate, list[Finding]]:
    """Read ``root`` (an SPSCertificate or a DIP root) into a Certificate."""
    st = _ReadState(side, name)
    st.visited.add(root)
    data = _read_context(root, table.roots, st)
    try:
        cert = m.Certificate.model_validate(data)
    except Exception as exc:  # pydantic ValidationError: a table/model mismatch, not user input
        raise ConversionError(Finding("TABLE-FIELD", f"table and model disagree: {exc}", file=name)) from None
    _report_not_carried(root, st)
    return cert, st.findings


_ACTIVE: dict = {}


def _rows_for(rows: list[Row], side: str) -> list[Row]:
    """The rows with a path on ``side`` (cached: the same row lists are asked for every input)."""
    if not rows:
        return rows
    key = (id(rows[0]), len(rows), side)
    hit = _ACTIVE.get(key)
    if hit is None or hit[0] is not rows[0]:
        hit = (rows[0], [r for r in rows if r.paths.get(side) is not None])
        _ACTIVE[key] = hit
    return hit[1]


def _read_context(ctx: etree._Element, rows: list[Row], st: _ReadState) -> dict:
    side = st.side.name
    out: dict[str, Any] = {}
    index, visited = st.index, st.visited
    active = _rows_for(rows, side)
    for row in _rows_present(ctx, rows, active, side, index):
        path = row.paths[side]
        if path._single_step and not path.otherwise:  # most rows: one step, read straight off the index
            nodes = path.select(ctx, visited, index)
        else:
            nodes = select_nodes(ctx, row, active, side, index, visited)
            if path.alternatives and nodes:
                _report_alternatives(ctx, path, nodes, row, st)
            if row.is_list and len(path.steps) > 1 and not path.otherwise:
                fan = path.intermediate_fanout(ctx)
                if fan:
                    st.finding(
                        "READ-MERGED",
                        f"several {fan} elements hold {row.field}; they are read as one list",
                        nodes[0] if nodes else ctx,
                        row,
                        severity=INFO,
                    )
        if not nodes:
            continue
        values = []
        if row.kind == "group":
            children = row.children
            for n in nodes:
                sub = _read_context(n, children, st)
                if sub:
                    values.append(sub)
        else:
            for n in nodes:
                v = _read_leaf(n, row, path, st)
                if v is not None:
                    values.append(v)
        if not values:
            continue
        if row.is_list:
            out[row.attr] = values
        else:
            if len(values) > 1:
                st.finding(
                    "READ-CARDINALITY",
                    f"{len(values)} occurrences for {row.field}, which holds one; only the first is carried",
                    nodes[1],
                    row,
                    severity=ERROR,
                )
            out[row.attr] = values[0]
    return out


def _report_alternatives(ctx, path, nodes, row: Row, st: "_ReadState") -> None:
    """Elements found only through a read-only alternative are where the schema has none."""
    main = set(type(path)(path.text, path.steps, path.attribute).select(ctx, None, st.index))
    for n in nodes:
        if n not in main:
            st.finding(
                "READ-LENIENT",
                f"{etree.QName(n).localname} found inside {etree.QName(n.getparent()).localname}, where the schema "
                f"does not allow it; carried as {row.field}",
                n,
                row,
            )


_BY_TAG: dict = {}


def _rows_present(ctx, rows: list[Row], active: list[Row], side: str, index: ChildIndex) -> list[Row]:
    """The rows of ``active`` that can find something under ``ctx``, in table order.

    A context has a few dozen rows but holds a few children; looking rows up by the tags
    present is what keeps reading proportional to the certificate, not to the table.
    """
    if not active:
        return active
    key = (id(active), side)
    plan = _BY_TAG.get(key)
    if plan is None or plan[0] is not active:
        by_tag: dict = {}
        always = []
        for pos, row in enumerate(active):
            tags = row.paths[side].first_tags
            if not tags:
                always.append((pos, row))
            for t in tags:
                by_tag.setdefault(t, []).append((pos, row))
        plan = _BY_TAG[key] = (active, by_tag, always)
    _, by_tag, always = plan
    picked = list(always)
    for tag in index.tags(ctx):
        hit = by_tag.get(tag)
        if hit:
            picked.extend(hit)
    if len(picked) > 1:
        picked = sorted(dict(picked).items())  # a row reachable by two tags counts once
    return [r for _, r in picked]


def select_nodes(ctx, row: Row, active: list[Row], side: str, index: ChildIndex, visited: Optional[set] = None) -> list:
    """The elements ``row`` reads under ``ctx`` (``active``: the rows of that context).

    The one place that says how a row selects — the reader and the locator both use it.
    """
    path = row.paths[side]
    tags = path.first_tags
    if tags and not any(index.has(ctx, t) for t in tags):
        return []  # most rows name elements this certificate does not have
    if path.otherwise:
        claimed = _claimed(ctx, active, path, side, index)
        last = path.steps[-1]
        nodes = [n for p in path.parent.select(ctx, visited, index) for n in last.select(p, index) if n not in claimed]
        if visited is not None:
            visited.update(nodes)
        return nodes
    if path.is_self:
        return [ctx]
    return path.select(ctx, visited, index)


_CLAIMERS: dict = {}


def _claimed(ctx, rows: list[Row], other: "Path", side: str, index: ChildIndex) -> set:
    """Elements at ``other``'s last step that rows with a literal predicate there claim."""
    key = (id(other), side)
    hit = _CLAIMERS.get(key)
    if hit is None or hit[0] is not other:
        hit = (other, _claimer_paths(rows, other, side))
        _CLAIMERS[key] = hit
    claimed: set = set()
    for path in hit[1]:
        claimed.update(path.select(ctx, None, index))
    return claimed


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
            out.extend(_claimer_paths(_rows_for(row.children, side), other, side))
        elif (
            len(path.steps) > k
            and [s.tag for s in path.steps[:k]] == prefix
            and path.steps[k].tag == other.steps[k].tag
            and path.steps[k].claims_by_literal
        ):
            out.append(type(path)(path.text, path.steps[: k + 1]))
    return out


def _read_leaf(el: etree._Element, row: Row, path, st: _ReadState):
    side = st.side
    if path.attribute is not None:
        raw = el.get(path.attribute)
        data = {"value": raw} if raw is not None and raw.strip() else None
    elif row.kind == "str":
        data = {"value": el.text} if (el.text or "").strip() else None
    else:
        vtype = row.model_type
        data = side.read_value(el, vtype)
        if vtype is m.DateTime:
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


def _report_not_carried(root: etree._Element, st: _ReadState) -> None:
    """Every element no row reached, reported once at its topmost position."""
    stack = list(root)
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        if el in st.visited:
            if el not in st.values and el.attrib:
                _report_attributes(el, st)  # a container or a predicate's discriminator
            stack.extend(el)
            continue
        if not _has_payload(el):
            continue
        reason = excluded_reason(el, st.side)
        if reason:
            st.finding("READ-EXCLUDED", f"element {etree.QName(el).localname} is deliberately not carried: {reason}",
                       el, severity=INFO)
        elif not _has_own_payload(el) and _payload_all_excluded(el, st.side):
            stack.extend(el)  # a container of excluded content: report what is inside, by its reason
        else:
            st.finding(
                "READ-NOT-CARRIED",
                f"element {etree.QName(el).localname} has no row in the table; its content is not carried",
                el,
                value=_preview(el),
            )


def _report_attributes(el, st: _ReadState) -> None:
    for attr, value in el.attrib.items():
        if not attr.startswith(_IGNORED_ATTR_NS) and not (el.getparent() is None and attr.startswith("{")):
            st.finding(
                "READ-NOT-CARRIED",
                f"attribute {attr} of {etree.QName(el).localname} has no place in the model",
                el,
                value=value,
            )


def _has_own_payload(el) -> bool:
    return bool((el.text or "").strip()) or any(not a.startswith(_IGNORED_ATTR_NS) for a in el.attrib)


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
    if (el.text or "").strip():
        return True
    if any(not a.startswith(_IGNORED_ATTR_NS) for a in el.attrib):
        return True
    return any(_has_payload(c) for c in el if isinstance(c.tag, str))


def _preview(el) -> str:
    text = " ".join(t.strip() for t in el.itertext() if t.strip())
    return text[:80]


# --------------------------------------------------------------------------------- write


def write_tree(cert: m.Certificate, table: Table, side: Side, order=None) -> etree._Element:
    """Write ``cert`` as a tree of ``side``; ``order`` (a SchemaInfo) puts it in schema order."""
    root = side.new_root()
    _write_context(root, cert, table.roots, side)
    if order is not None:
        order.sort(root)
    return root


def _write_context(el: etree._Element, obj, rows: list[Row], side: Side) -> None:
    name = side.name
    for row in _rows_for(rows, name):
        val = getattr(obj, row.attr)
        if val is None or (row.is_list and not val):
            continue
        path = row.paths[name]
        items = val if row.is_list else [val]
        for item in items:
            if row.kind == "group":
                if path.is_self:
                    _write_context(el, item, row.children, side)
                    continue
                target = path.create(el, repeat_last=True)
                _write_context(target, item, row.children, side)
                if _holds_nothing(target, path.steps[-1]):  # a group without values is not written
                    target.getparent().remove(target)
                continue
            if row.kind == "str":
                item = m.Value(value=item)
            if row.codelist is not None and side.name == "dip":
                try:
                    item = item.model_copy(update={"value": row.codelist.to_dip(item.value)})
                except UnmappedCode as exc:
                    raise ConversionError(
                        Finding("CODELIST-UNMAPPED", str(exc), mapping_id=row.id, value=exc.value)
                    ) from None
            if path.attribute is not None:
                owner = path.create(el, repeat_last=False) if path.steps else el
                owner.set(path.attribute, item.value)
            else:
                target = path.create(el, repeat_last=True)
                side.write_value(target, item)


def _holds_nothing(el: etree._Element, step) -> bool:
    if el.text is not None or len(el.attrib) > (1 if step.pred_attr else 0):
        return False
    n = len(el)
    return n == 0 or (n == 1 and step.pred_child is not None and el[0].tag == step.pred_child)
