"""``check``: every row's paths resolve through their schema, and every schema element is
mapped or excluded with a reason (``TABLE-PATH-EPHYTO``, ``TABLE-PATH-DIP``, ``TABLE-UNMAPPED-ELEMENT``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from ..findings import ERROR, WARNING, Finding, Severity
from ..mapping.exclusions import Exclusion, Exclusions
from ..mapping.paths import Path, Step
from ..mapping.sides import DS_SIG_NS, SIDES
from ..mapping.table import Row, Table
from ..reading.schema_info import XS, SchemaInfo

if TYPE_CHECKING:
    from ..codes import FindingCode

CHECK_CODES: dict[str, FindingCode] = {"ephyto": "TABLE-PATH-EPHYTO", "dip": "TABLE-PATH-DIP"}
SIDE_LABEL = {"ephyto": "ePhyto", "dip": "DIP"}
MAX_DEPTH = 64  # the schema walk only descends through mapped elements; this is a backstop

_WELL_KNOWN_PREFIXES = {DS_SIG_NS: "ds", XS: "xs"}


# ------------------------------------------------------------------------- path resolution


@dataclass(frozen=True)
class _Node:
    """An element position in a schema: Clark tags from the root, and its type."""

    pos: tuple[str, ...]
    type_key: str | None


@dataclass
class _Mark:
    """What the table does with a schema position (``value`` stops the walk: its content is the value)."""

    kinds: set[str]
    mapping_id: str


class Resolver:
    """Resolve every row's path on one side through the schema, from the root element."""

    def __init__(self, table: Table, side: str, info: SchemaInfo, name: str):
        self.table, self.side, self.info, self.name = table, side, info, name
        self.code = CHECK_CODES[side]
        self.findings: list[Finding] = []
        self.mapped: dict[tuple[str, ...], _Mark] = {}
        self._qname = qnamer(table, side)
        root_tag = SIDES[side].root_tag
        self.root = _Node((root_tag,), info.element_type(root_tag))
        self._seen: set[tuple[str, str, str]] = set()
        self._alternative: Path | None = None  # set while resolving a read-only alternative

    # ---- names for messages
    def qname(self, tag: str) -> str:
        return self._qname(tag)

    def where(self, pos: tuple[str, ...]) -> str:
        return "/".join(self.qname(t) for t in pos)

    def near(self, pos: tuple[str, ...]) -> str:
        """The last steps of a position: enough to find it, short enough for a finding's one line."""
        shown = "/".join(self.qname(t) for t in pos[-2:])
        return shown if len(pos) <= 2 else ".../" + shown

    def type_label(self, node: _Node) -> str:
        if node.type_key is None:
            return f"the simple content of {self.qname(node.pos[-1])}"
        if node.type_key.startswith("anon:"):
            return f"the type of {self.qname(node.pos[-1])}"
        return self.qname(node.type_key)

    # ---- reporting
    def error(self, row: Row, message: str, severity: Severity = ERROR, detail: str | None = None) -> None:
        where = f"{self.side}_path {row[self.side + '_path']!r}"
        if self._alternative is not None:
            where = f"{self.side}_path alternative {self._alternative.text!r}"  # the whole expression is in value
        if self._alternative is not None and severity == ERROR:
            # a read-only alternative may deliberately accept what real senders send against the
            # schema; it is never written, so it cannot make output invalid: warn, do not fail
            severity = WARNING
            message += " (a read-only alternative: never written)"
            detail = "; ".join(filter(None, [detail,
                                             "input that breaks the schema this way is read, and never written"]))
        key = (row.id, where, message)
        if key in self._seen:  # a group reached through alternatives reports a child once
            return
        self._seen.add(key)
        self.findings.append(
            Finding(
                self.code,
                f"{where}: {message}",
                severity=severity,
                file=self.name,
                line=row.line,
                mapping_id=row.id,
                value=row[self.side + "_path"],
                detail=detail,
            )
        )

    def mark(self, pos: tuple[str, ...], kind: str, row: Row) -> None:
        cur = self.mapped.get(pos)
        if cur is None:
            self.mapped[pos] = _Mark({kind}, row.id)
        else:
            cur.kinds.add(kind)

    # ---- walking the rows
    def run(self) -> None:
        self._rows(self.table.roots, [self.root])

    def _rows(self, rows: list[Row], contexts: list[_Node]) -> None:
        for row in rows:
            path = row.paths.get(self.side)
            if path is None:
                if row.kind == "group" and any(d.paths.get(self.side) for d in _descendants(row)):
                    self.error(row, "a group row without a path, whose child rows have paths: they have no context")
                continue
            ends: list[_Node] = []
            for i, alt in enumerate((path, *path.alternatives)):
                self._alternative = alt if i else None
                for ctx in contexts:
                    end = self._resolve(row, alt, ctx)
                    if end is not None and end not in ends:
                        ends.append(end)
            self._alternative = None
            if row.kind == "group":
                self._rows(row.children, ends)

    def _resolve(self, row: Row, path: Path, ctx: _Node) -> _Node | None:
        """The schema position ``path`` reaches from ``ctx``, or None (reported)."""
        kind = "group" if row.kind == "group" else "value"
        if not path.steps:
            if path.attribute is not None:
                self._check_attribute(row, ctx, path.attribute)
            elif kind == "value":
                self.mark(ctx.pos, "value", row)
            return ctx
        node = ctx
        for i, step in enumerate(path.steps):
            decl = self.info.child(node.type_key, step.tag)
            if decl is None:
                self.error(
                    row,
                    f"{step.qname} is not an element of {self.type_label(node)} (at {self.near(node.pos)})",
                )
                return None
            nxt = _Node((*node.pos, step.tag), decl.type_key)
            if not self._check_predicate(row, step, nxt, decl.max_occurs):
                return None
            last = i == len(path.steps) - 1
            self.mark(nxt.pos, kind if last and path.attribute is None else "intermediate", row)
            if last and row.is_list and path.attribute is None and decl.max_occurs == 1:
                self.error(
                    row,
                    f"{row.field} repeats, but {self.near(nxt.pos)} may occur only once: "
                    "a second value would be written schema-invalid",
                    severity=WARNING,
                )
            node = nxt
        if path.attribute is not None:
            self._check_attribute(row, node, path.attribute)
        return node

    def _check_predicate(self, row: Row, step: Step, node: _Node, max_occurs: int | None) -> bool:
        for pred_child, _value in step.child_predicates:
            if self.info.child(node.type_key, pred_child) is None:
                self.error(
                    row,
                    f"the discriminating child {self.qname(pred_child)} of [{step.qname}] is not an element of "
                    f"{self.type_label(node)} (at {self.near(node.pos)})",
                )
                return False
            self.mark((*node.pos, pred_child), "value", row)
        if step.pred_attr is not None:
            self._check_attribute(row, node, step.pred_attr)
        if step.position is not None and max_occurs is not None and step.position > max_occurs:
            self.error(
                row,
                f"[{step.position}{'..' if step.position_from else ''}] on {step.qname}, which occurs at most "
                f"{max_occurs} time(s): the step can never match",
            )
            return False
        return True

    def _check_attribute(self, row: Row, node: _Node, attr: str) -> None:
        allowed = type_attributes(self.info, node.type_key)
        if allowed is None:  # anyAttribute, or a type we cannot read: nothing to hold against it
            return
        if attr not in allowed:
            self.error(
                row,
                f"attribute {attr} is not declared on {self.type_label(node)} (at {self.near(node.pos)})",
                detail=f"declared attributes: {', '.join(sorted(allowed)) or 'none'}",
            )


def _descendants(row: Row) -> Iterable[Row]:
    for c in row.children:
        yield c
        yield from _descendants(c)


def type_attributes(info: SchemaInfo, type_key: str | None) -> set[str] | None:
    """Attribute names a type declares (with its bases); None when unknown or open (anyAttribute).

    SchemaInfo reads element content only; attributes are read here from the same parsed
    documents, through its type lookup.
    """
    if type_key is None or type_key.startswith(f"{{{XS}}}"):
        return set()
    lookup = getattr(info, "_type_node", None)
    resolve = getattr(info, "_resolve_qname", None)
    if lookup is None or resolve is None:
        return None
    out: set[str] = set()
    seen: set[str] = set()
    todo = [type_key]
    xs = f"{{{XS}}}"
    while todo:
        key = todo.pop()
        if key in seen or key.startswith(xs):
            continue
        seen.add(key)
        node = lookup(key)
        if node is None:
            return None
        stack = list(node)
        while stack:
            el = stack.pop()
            if not isinstance(el.tag, str) or el.tag == xs + "element":
                continue  # attributes of child elements are theirs, not this type's
            if el.tag == xs + "anyAttribute":
                return None
            if el.tag == xs + "attribute":
                name = el.get("name") or (el.get("ref") or "").rpartition(":")[2]
                if name and el.get("use") != "prohibited":
                    out.add(name)
                continue
            if el.tag in (xs + "extension", xs + "restriction") and el.get("base"):
                todo.append(resolve(el.get("base"), el))
            stack.extend(el)
    return out


# ----------------------------------------------------------------------- unmapped elements


def unmapped_elements(side: str, info: SchemaInfo, res: Resolver, excl: Exclusions) -> list[Finding]:
    """Walk the schema from the root through mapped elements; report what is neither mapped nor excluded.

    The walk descends only into elements a row maps as a group or passes through; an unmapped
    element is reported (or matched against the exclusions) once, at its topmost position, and
    covers everything inside it. So recursive types (SPSCountrySubDivision) end where the table ends.
    """
    findings: list[Finding] = []
    used: set[Exclusion] = set()  # the exclusions that matched something
    stack: list[tuple[_Node, int]] = [(res.root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            findings.append(
                Finding(
                    "TABLE-UNMAPPED-ELEMENT",
                    f"{SIDE_LABEL[side]} schema walk stopped below {res.where(node.pos)}: "
                    f"deeper than {MAX_DEPTH} levels",
                    severity=WARNING,
                    file=res.name,
                )
            )
            continue
        owner = res.mapped.get(node.pos)
        for decl in reversed(info.children(node.type_key)):
            pos = (*node.pos, decl.tag)
            mark = res.mapped.get(pos)
            if mark is not None and "value" in mark.kinds:
                continue  # a value's own content (udt:DateTimeString …) travels with its row
            if mark is not None:
                stack.append((_Node(pos, decl.type_key), depth + 1))
                continue
            hit = excl.match(side, pos)
            if hit is not None:
                used.add(hit)
                continue
            findings.append(
                Finding(
                    "TABLE-UNMAPPED-ELEMENT",
                    f"{SIDE_LABEL[side]} element {res.where(pos)} is neither mapped by a row nor excluded "
                    f"(with a reason) in mappings/exclusions.tsv",
                    file=res.name,
                    mapping_id=owner.mapping_id if owner else None,
                    value=res.where(pos),
                )
            )
    for e in excl.for_side(side):
        if e not in used:
            mapped_too = any(e.matches(p) for p in res.mapped)
            findings.append(
                Finding(
                    "TABLE-UNMAPPED-ELEMENT",
                    f"exclusion {e.path} "
                    + ("covers elements a row maps: remove it or the row" if mapped_too
                       else "matches no unmapped element of the schema (stale?)"),
                    severity=WARNING,
                    file=excl.path,
                    line=e.line,
                    value=e.path,
                )
            )
    return findings


def qnamer(table: Table, side: str) -> Callable[[str], str]:
    """A function writing a Clark name with the table's prefix for ``side`` (default namespace bare)."""
    prefixes = {uri: p for p, uri in table.namespaces.get(side, {}).items()}
    default_ns = table.default_ns.get(side)

    def qname(tag: str) -> str:
        q = etree.QName(tag)
        if q.namespace is None or q.namespace == default_ns:
            return q.localname
        prefix = prefixes.get(q.namespace) or _WELL_KNOWN_PREFIXES.get(q.namespace)
        return f"{prefix}:{q.localname}" if prefix else tag

    return qname
