"""The generic reader (and, in ``writer``, the writer), driven by the table's rows for one side.

``read_data``: XML tree → plain dictionaries shaped like :class:`~ephyto_dip.reading.model.Certificate`
(plus findings for anything of the input that no row carries); ``certificate_of`` validates
them into the model. ``write_tree``: those dictionaries, or a Certificate → XML tree in schema
order. Both know nothing of any particular field: adding a row is how a field is added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from ..findings import ERROR, INFO, WARNING, ConversionError, Finding, Severity
from ..reading import shapes
from ..reading.xmlsafe import element_xpath
from ..reading.xmltext import text_of
from .child_index import ChildIndex
from .codelists import UnmappedCode
from .exclusions import excluded_reason
from .plans import plan_for, ready_to_read
from .sides import LENIENT, Kept, ModelData, Side, ValueData
from .table import Row, Table
from .writer import write_tree  # noqa: F401  (used from here)

if TYPE_CHECKING:  # (the pydantic model is imported only to validate one)
    from ..codes import FindingCode
    from ..reading import model as m
    from .paths import Path, Visited

_IGNORED_ATTR_NS = ("{http://www.w3.org/2001/XMLSchema-instance}", "{http://www.w3.org/XML/1998/namespace}")


class ReadState:
    __slots__ = ("findings", "index", "kept", "name", "paths", "side", "values", "visited")

    def __init__(self, side: Side, name: str, kept: Kept | None = None) -> None:
        self.side = side
        self.kept = kept  # (context element, row id) -> the elements kept for the row (see read_data)
        self.visited: Visited = set()
        self.values: set[etree._Element] = set()  # elements read as values: their attributes were checked there
        self.findings: list[Finding] = []
        self.name = name
        self.index = ChildIndex()
        self.paths: dict[etree._Element, str] = {}  # element -> its XPath, for this document's findings

    def finding(self, code: FindingCode, message: str, el: etree._Element | None = None, row: Row | None = None,
                severity: Severity = WARNING, value: str | None = None) -> None:
        self.findings.append(
            Finding(
                code,
                message,
                severity=severity,
                file=self.name,
                line=el.sourceline if el is not None else None,
                xpath=element_xpath(el, self.paths) if el is not None else None,
                mapping_id=row.id if row else None,
                value=value,
            )
        )


def read_data(
    root: etree._Element, table: Table, side: Side, name: str = "<input>", kept: Kept | None = None
) -> tuple[ModelData, list[Finding]]:
    """Read ``root`` (an SPSCertificate or a DIP root) into plain dictionaries shaped like a
    :class:`~ephyto_dip.reading.model.Certificate`: what the writer takes, with no model to build.

    Given a dict ``kept``, the reader records there, for each (context element, row id) that
    found something, the elements whose values it kept, in order: the n-th is where the
    n-th model entry came from (what :class:`~ephyto_dip.mapping.locate.Locator` looks up).
    """
    ready_to_read(table, side.name)
    st = ReadState(side, name, kept)
    st.visited.add(root)
    data = read_context(root, table.roots, st)
    _report_not_carried(root, st)
    return data, st.findings


def certificate_of(data: ModelData, name: str = "<input>") -> m.Certificate:
    """The typed model of what :func:`read_data` read."""
    from ..reading import model

    try:
        return model.Certificate.model_validate(data)
    except Exception as exc:  # pydantic ValidationError: a table/model mismatch, not user input
        raise ConversionError(Finding("TABLE-FIELD", f"table and model disagree: {exc}", file=name)) from None


def read_context(ctx: etree._Element, rows: list[Row], st: ReadState) -> ModelData:
    index, visited = st.index, st.visited
    groups = index.groups(ctx)
    out: dict[str, Any] = {}
    for entry in plan_for(rows, st.side.name).present(groups):
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
        dropped: list[etree._Element] | None = None  # elements that held nothing for the model (rare)
        values: list[Any]  # what each element held: a group's data, a value's, a string
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
                # the usual value: its text, nothing else
                if text and not text.isspace() and not n.attrib and not len(n):
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


def _report_alternatives(extra: list[etree._Element], row: Row, st: ReadState) -> None:
    """Elements found only through a read-only alternative are where the schema has none."""
    for n in extra:
        parent = n.getparent()
        assert parent is not None  # found below the context
        st.finding(
            "READ-LENIENT",
            f"{etree.QName(n).localname} found inside {etree.QName(parent).localname}, where the schema "
            f"does not allow it; carried as {row.field}",
            n,
            row,
        )


def select_nodes(ctx: etree._Element, row: Row, rows: list[Row], side: str, index: ChildIndex,
                 visited: Visited | None = None) -> list[etree._Element]:
    """The elements ``row`` (one of ``rows``, a context's rows as in the table) reads under ``ctx``.

    The one place that says how a row selects: the reader, the locator and the review page
    all go through the same compiled entry.
    """
    entry = plan_for(rows, side).entry(row)
    nodes = entry.select(ctx, index, visited)
    if entry.path.alternatives:
        nodes = nodes + entry.path.select_extra(ctx, index, nodes, visited)
    return nodes


def read_leaf(el: etree._Element, row: Row, path: Path, st: ReadState) -> ValueData | str | None:
    side = st.side
    data: ValueData | None
    if path.attribute is not None:
        raw = el.get(path.attribute)
        data = {"value": raw} if raw is not None and raw.strip() else None
    elif row.kind == "str":
        text = text_of(el)
        data = {"value": text} if text and text.strip() else None
    else:
        vtype: type[shapes.Value] = row.shape  # type: ignore[assignment]  # a value row's shape: a Value class
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
    opened: set[etree._Element] = set()  # unread elements whose children are judged one by one
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


def _report_attributes(el: etree._Element, st: ReadState) -> None:
    for attr, value in el.attrib.items():
        if not attr.startswith(_IGNORED_ATTR_NS) and not (el.getparent() is None and attr.startswith("{")):
            st.finding(
                "READ-NOT-CARRIED",
                f"attribute {attr} of {etree.QName(el).localname} has no place in the model",
                el,
                value=value,
            )


def _has_own_payload(el: etree._Element) -> bool:
    return bool((text_of(el) or "").strip()) or any(not a.startswith(_IGNORED_ATTR_NS) for a in el.attrib)


def _payload_all_excluded(el: etree._Element, side: Side) -> bool:
    for child in el:
        if not isinstance(child.tag, str) or not _has_payload(child):
            continue
        if excluded_reason(child, side):
            continue
        if _has_own_payload(child) or not _payload_all_excluded(child, side):
            return False
    return True


def _has_payload(el: etree._Element) -> bool:
    if (text_of(el) or "").strip():
        return True
    if any(not a.startswith(_IGNORED_ATTR_NS) for a in el.attrib):
        return True
    return any(_has_payload(c) for c in el if isinstance(c.tag, str))


def _preview(el: etree._Element) -> str:
    text = " ".join(t.strip() for t in el.itertext() if t.strip())
    return text[:80]
