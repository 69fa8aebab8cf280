"""The mapping table's alignment, made checkable: ``ephyto-dip check`` and ``ephyto-dip gaps``.

:func:`check_table` verifies, row by row, what a reviewer would otherwise take on trust:

* every path exists in its schema (resolved through the XSDs from the root, following each
  group row's context; predicates, positions, alternatives and attributes included);
* every field of the model has a row; every ISPM 12 box has a row carrying it on both sides;
* every element of both schemas is mapped or excluded with a reason (``mappings/exclusions.tsv``);
* predicates, cardinalities and code lists agree with what the round trip needs.

:func:`gap_list` lists the WCO formats the table had to widen; the proposed WCO Data
Maintenance Requests are data (``mappings/wco-dmr.tsv``, :mod:`ephyto_dip.dmr`). See
``docs/alignment.md``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Iterable, Optional, Union

from lxml import etree
from pydantic import BaseModel

from . import model as m
from .findings import ERROR, WARNING, Finding, TableError
from .mapping.codelists import POLICIES, CodeList, parse_codelist
from .mapping.exclusions import Exclusions, load_exclusions
from .mapping.formats import format_wider
from .mapping.paths import Path, Step
from .mapping.sides import DIP_EXT_NS, DS_SIG_NS, SIDES
from .mapping.table import PREDICATES, Row, Table, default_table_path, field_type, parse_table
from .mapping.tsv import read_table_text
from .schema_info import XS, SchemaInfo
from .wco_sources import check_wco_claims, cites_element

CARDINALITIES = ("1:1", "1:n", "n:1", "n:n")
# declared cardinalities that admit several ePhyto values becoming one DIP value
MANY_TO_ONE = ("n:1", "n:n")
SEMANTIC_LOSS = ("skos:broadMatch", "skos:narrowMatch")

# Model fields deliberately without a row: field path -> reason. There should be none.
UNMAPPED_FIELDS: dict[str, str] = {}

# Codes each code list must translate: the values the ISPM 12 rules accept as valid
# (ePhyto status, UNTDID 4405: 70 issued, 40 withdrawn; 44 replaced is refused, see status-function.tsv).
REQUIRED_CODES: dict[str, tuple[str, ...]] = {"status-function": ("70", "40")}

CHECK_CODES = {"ephyto": "TABLE-PATH-EPHYTO", "dip": "TABLE-PATH-DIP"}
SIDE_LABEL = {"ephyto": "ePhyto", "dip": "DIP"}
MAX_DEPTH = 64  # the schema walk only descends through mapped elements; this is a backstop

_WELL_KNOWN_PREFIXES = {DS_SIG_NS: "ds", XS: "xs"}


# ===================================================================================== check


def check_table(
    table_path: Union[str, FsPath, None] = None,
    *,
    exclusions_path: Union[str, FsPath, None] = None,
    boxes_path: Union[str, FsPath, None] = None,
    crosswalk_path: Union[str, FsPath, None] = None,
) -> list[Finding]:
    """Every alignment finding for the table at ``table_path`` (the shipped one by default).

    The box-level crosswalk and the DMR tables are checked when they lie beside the table
    (as in ``mappings/``) or ``crosswalk_path`` names the crosswalk.

    Raises :class:`TableError` only when the table (or the exclusions or box list) cannot be
    read at all; anything wrong inside is a finding naming the row.
    """
    path = FsPath(table_path) if table_path else default_table_path()
    name = str(path)
    table, findings = _parse(path)
    if table is None:
        return findings
    excl = load_exclusions(exclusions_path)
    boxes = load_boxes(boxes_path)
    for side, info in (("ephyto", _ephyto_info()), ("dip", _dip_info())):
        resolver = _Resolver(table, side, info, name)
        resolver.run()
        findings += resolver.findings
        findings += _unmapped_elements(side, info, resolver, excl)
    findings += check_fields(table, name)
    findings += check_boxes(table, boxes, name)
    unresolved = {f.mapping_id for f in findings if f.code in CHECK_CODES.values() and f.severity == ERROR}
    findings += check_reversibility(table, name, unresolved)
    findings += check_codelists(table, path)
    findings += check_formats(table, name)
    findings += check_wco_claims(table, name)
    from .sidecars import check_sidecars

    findings += check_sidecars(table, path, [b.box for b in boxes], crosswalk_path)
    return findings


def check_formats(table: Table, name: str = "<table>") -> list[Finding]:
    """TABLE-FORMAT: ``wco_format`` is the WCO's own; a DIP format that widens it needs its reason."""
    out: list[Finding] = []
    for row in table.rows:
        official, own, reason = row["wco_format"], row["dip_format"], row["dip_format_reason"]
        if official and not row["wco_id"] and not cites_element(row):
            out.append(Finding("TABLE-FORMAT", f"wco_format {official} on a row without a WCO ID: an IPPC "
                               "extension element has no WCO format; put its format in dip_format",
                               file=name, line=row.line, mapping_id=row.id))
        elif own and official and own != official and format_wider(own, official) and not reason:
            out.append(Finding("TABLE-FORMAT", f"dip_format {own} widens the WCO format {official} without a "
                               "reason in dip_format_reason", severity=WARNING, file=name, line=row.line,
                               mapping_id=row.id))
    return out


def _parse(path: FsPath) -> tuple[Optional[Table], list[Finding]]:
    text = read_table_text(path)
    try:
        return parse_table(text, str(path)), []
    except TableError as exc:
        found = list(exc.findings)
    # go on with the rows that parse, so one bad row does not hide every other finding
    try:
        return parse_table(text, str(path), strict=False), found
    except TableError as exc:  # no header, missing columns: not a table to check (exit 2)
        raise TableError(found + [f for f in exc.findings if f not in found]) from None


def _ephyto_info() -> SchemaInfo:
    from .schemas import ephyto_schema_info

    return ephyto_schema_info()


def _dip_info() -> SchemaInfo:
    from .schemas import dip_schema_info

    return dip_schema_info()


# ------------------------------------------------------------------------- path resolution


@dataclass(frozen=True)
class _Node:
    """An element position in a schema: Clark tags from the root, and its type."""

    pos: tuple[str, ...]
    type_key: Optional[str]


@dataclass
class _Mark:
    """What the table does with a schema position (``value`` stops the walk: its content is the value)."""

    kinds: set[str]
    mapping_id: str


class _Resolver:
    """Resolve every row's path on one side through the schema, from the root element."""

    def __init__(self, table: Table, side: str, info: SchemaInfo, name: str):
        self.table, self.side, self.info, self.name = table, side, info, name
        self.code = CHECK_CODES[side]
        self.findings: list[Finding] = []
        self.mapped: dict[tuple[str, ...], _Mark] = {}
        self._qname = _qnamer(table, side)
        root_tag = SIDES[side].root_tag
        self.root = _Node((root_tag,), info.element_type(root_tag))
        self._seen: set[tuple[str, str]] = set()
        self._alternative: Optional[Path] = None  # set while resolving a read-only alternative

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
    def error(self, row: Row, message: str, severity: str = ERROR, detail: Optional[str] = None) -> None:
        where = f"{self.side}_path {row[self.side + '_path']!r}"
        if self._alternative is not None:
            where = f"{self.side}_path alternative {self._alternative.text!r}"  # the whole expression is in value
        if self._alternative is not None and severity == ERROR:
            # a read-only alternative may deliberately accept what real senders send against the
            # schema; it is never written, so it cannot make output invalid: warn, do not fail
            severity = WARNING
            message += " (a read-only alternative: never written)"
            detail = "; ".join(filter(None, [detail, "input that breaks the schema this way is read, and never written"]))
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
            for i, alt in enumerate((path,) + tuple(path.alternatives)):
                self._alternative = alt if i else None
                for ctx in contexts:
                    end = self._resolve(row, alt, ctx)
                    if end is not None and end not in ends:
                        ends.append(end)
            self._alternative = None
            if row.kind == "group":
                self._rows(row.children, ends)

    def _resolve(self, row: Row, path: Path, ctx: _Node) -> Optional[_Node]:
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
            nxt = _Node(node.pos + (step.tag,), decl.type_key)
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

    def _check_predicate(self, row: Row, step: Step, node: _Node, max_occurs: Optional[int]) -> bool:
        for pred_child, _value in step.child_predicates:
            if self.info.child(node.type_key, pred_child) is None:
                self.error(
                    row,
                    f"the discriminating child {self.qname(pred_child)} of [{step.qname}] is not an element of "
                    f"{self.type_label(node)} (at {self.near(node.pos)})",
                )
                return False
            self.mark(node.pos + (pred_child,), "value", row)
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


def type_attributes(info: SchemaInfo, type_key: Optional[str]) -> Optional[set[str]]:
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


def _unmapped_elements(side: str, info: SchemaInfo, res: _Resolver, excl: Exclusions) -> list[Finding]:
    """Walk the schema from the root through mapped elements; report what is neither mapped nor excluded.

    The walk descends only into elements a row maps as a group or passes through; an unmapped
    element is reported (or matched against the exclusions) once, at its topmost position, and
    covers everything inside it. So recursive types (SPSCountrySubDivision) end where the table ends.
    """
    findings: list[Finding] = []
    used: set[int] = set()
    stack: list[tuple[_Node, int]] = [(res.root, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            findings.append(
                Finding(
                    "TABLE-UNMAPPED-ELEMENT",
                    f"{SIDE_LABEL[side]} schema walk stopped below {res.where(node.pos)}: deeper than {MAX_DEPTH} levels",
                    severity=WARNING,
                    file=res.name,
                )
            )
            continue
        owner = res.mapped.get(node.pos)
        for decl in reversed(info.children(node.type_key)):
            pos = node.pos + (decl.tag,)
            mark = res.mapped.get(pos)
            if mark is not None and "value" in mark.kinds:
                continue  # a value's own content (udt:DateTimeString …) travels with its row
            if mark is not None:
                stack.append((_Node(pos, decl.type_key), depth + 1))
                continue
            hit = excl.match(side, pos)
            if hit is not None:
                used.add(id(hit))
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
        if id(e) not in used:
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


# ------------------------------------------------------------------------------ model fields


def model_fields(model: type[BaseModel] = m.Certificate) -> list[str]:
    """Every field path of the model as the table writes it (``items[].botanical_names[]``).

    Value types are leaves; a model that contains itself is not followed twice.
    """
    out: list[str] = []

    def walk(owner: type[BaseModel], prefix: str, stack: tuple[type, ...]) -> None:
        for attr in owner.model_fields:
            t, is_list = field_type(owner, attr)
            path = f"{prefix}{attr}{'[]' if is_list else ''}"
            out.append(path)
            if isinstance(t, type) and issubclass(t, BaseModel) and not issubclass(t, m.Value) and t not in stack:
                walk(t, path + ".", stack + (t,))

    walk(model, "", (model,))
    return out


def check_fields(table: Table, name: str = "<table>") -> list[Finding]:
    """TABLE-FIELD: a model field without a row (unless listed in UNMAPPED_FIELDS)."""
    rows = {r.field: r for r in table.rows}
    findings = []
    for f in model_fields():
        if f in rows or f in UNMAPPED_FIELDS:
            continue
        parent = rows.get(f.rpartition(".")[0])
        findings.append(
            Finding(
                "TABLE-FIELD",
                f"model field {f} has no row: its value would be lost in both directions",
                file=name,
                mapping_id=parent.id if parent else None,
                value=f,
            )
        )
    return findings


# ------------------------------------------------------------------------------ ISPM 12 boxes


@dataclass(frozen=True)
class Box:
    box: str  # wording as the table's ispm12_box column starts
    required_for: tuple[str, ...]  # export, re-export, replacement
    source: str
    line: int

    def covers(self, ispm12_box: str) -> bool:
        b = ispm12_box.strip()
        return b == self.box or b.startswith(self.box + ":") or b.startswith(self.box + " (")


BOX_KINDS = ("export", "re-export", "replacement")


def default_boxes_path() -> FsPath:
    from .resources import resource_path

    return resource_path("mappings", "ispm12-boxes.tsv")


def load_boxes(path: Union[str, FsPath, None] = None) -> list[Box]:
    """The ISPM 12 boxes a table must cover (``mappings/ispm12-boxes.tsv``)."""
    p = FsPath(path) if path else default_boxes_path()
    text = read_table_text(p, "box list")
    lines = [ln for ln in text.splitlines()]
    start = next((i for i, ln in enumerate(lines) if not ln.startswith("#")), len(lines))
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])), delimiter="\t", quoting=csv.QUOTE_NONE)
    boxes, errors = [], []
    for n, r in enumerate(reader, start=start + 2):
        box = (r.get("box") or "").strip()
        if not box:
            continue
        kinds = tuple((r.get("required_for") or "").split())
        bad = [k for k in kinds if k not in BOX_KINDS]
        if not kinds or bad:
            errors.append(Finding("TABLE-SYNTAX", f"box {box!r}: required_for must list {', '.join(BOX_KINDS)}",
                                  file=str(p), line=n))
            continue
        boxes.append(Box(box, kinds, (r.get("source") or "").strip(), n))
    if errors:
        raise TableError(errors)
    return boxes


def check_boxes(table: Table, boxes: list[Box], name: str = "<table>") -> list[Finding]:
    """TABLE-BOX: a box with no row that carries it on both sides."""
    findings = []
    for box in boxes:
        rows = [r for r in table.rows if box.covers(r["ispm12_box"])]
        both = [r for r in rows if r.paths.get("ephyto") is not None and r.paths.get("dip") is not None]
        if both:
            continue
        if rows:
            msg = (f"ISPM 12 box {box.box!r} ({', '.join(box.required_for)}) has rows "
                   f"({', '.join(r.id for r in rows)}) but none with both an ePhyto and a DIP path")
        else:
            msg = f"ISPM 12 box {box.box!r} ({', '.join(box.required_for)}) has no row"
        findings.append(Finding("TABLE-BOX", msg, file=name, mapping_id=rows[0].id if rows else None, value=box.box))
    return findings


# ------------------------------------------------------------- predicates and reversibility


def check_reversibility(table: Table, name: str = "<table>", unresolved: Iterable[str] = ()) -> list[Finding]:
    """TABLE-PREDICATE (allowed values) and TABLE-REVERSIBILITY (can the way back tell values apart?).

    Rows in ``unresolved`` (their path is already reported as wrong) and rows below them are
    left out of the collision analysis: a misspelt discriminator would only add noise there.
    """
    findings: list[Finding] = []

    def add(code, row, msg, severity=ERROR, detail=None):
        findings.append(Finding(code, msg, severity=severity, file=name, line=row.line, mapping_id=row.id,
                                detail=detail))

    for row in table.rows:
        pred, card = row["predicate"], row["cardinality"]
        if pred not in PREDICATES:
            add("TABLE-PREDICATE", row, f"predicate {pred!r} is not an allowed predicate",
                detail=f"allowed: {', '.join(PREDICATES)}")
        if card not in CARDINALITIES:
            add("TABLE-PREDICATE", row, f"cardinality {card!r} is not an allowed cardinality",
                detail=f"allowed: {', '.join(CARDINALITIES)}")
        if pred in SEMANTIC_LOSS and not _discriminated(row):
            broader = "DIP" if pred == "skos:broadMatch" else "ePhyto"
            narrower = "ePhyto" if broader == "DIP" else "DIP"
            add(
                "TABLE-REVERSIBILITY",
                row,
                f"{pred}: the {broader} element is broader than the {narrower} one, and nothing in the table "
                f"tells a {broader} value from elsewhere apart",
                WARNING,
                detail=f"values this tool writes come back verbatim (the row is structural: both sides hold the "
                       f"lexical value), but a {broader} value from elsewhere may mean what the {narrower} element "
                       "does not; a discriminating predicate or a closed code list would tell them apart",
            )
    if "reversible" in table.columns:
        for row in table.rows:
            declared, expected, why = row["reversible"], *_expected_reversibility(row)
            if declared not in REVERSIBLE_VALUES:
                add("TABLE-REVERSIBILITY", row, f"reversible {declared!r} is not an allowed value",
                    detail=f"allowed: {', '.join(REVERSIBLE_VALUES)}")
            elif declared != expected:
                add("TABLE-REVERSIBILITY", row, f"declared reversible={declared}, but {why}: it is {expected}")
    skip = set(unresolved)
    for side in ("dip", "ephyto"):
        findings += _collisions(table, side, name, skip)
    return findings


REVERSIBLE_VALUES = ("yes", "no", "dip-only")


def _expected_reversibility(row: Row) -> tuple[str, str]:
    """What the ``reversible`` column must say for ``row``, and why."""
    if not row["ephyto_path"] and row["dip_path"]:
        return "dip-only", "the row has no ePhyto path"
    cl = row.codelist
    if cl is not None and row.kind != "group":  # a group's code list names its literals: see check_codelists
        if cl.policy == "fixed":
            return "no", f"code list {cl.name} writes a fixed value for unmapped codes"
        if len(set(cl.forward.values())) < len(cl.forward):
            return "no", f"code list {cl.name} maps several ePhyto codes to one DIP code"
    return "yes", "both sides hold the value (lexically) and any code list is a bijection"


def _discriminated(row: Row) -> bool:
    """Is the DIP value marked as this row's own (a literal predicate here or above, a closed code
    list, or an IPPC extension element: the predicate then relates it to a WCO element the DIP
    does not use, and no other producer writes that element)?"""
    if row.codelist is not None and row.codelist.policy == "error":
        return True
    own = row.paths.get("dip")
    if own is not None and own.steps and own.steps[-1].tag.startswith("{" + DIP_EXT_NS + "}"):
        return True
    r: Optional[Row] = row
    while r is not None:
        p = r.paths.get("dip")
        if p is not None and any(s.claims_by_literal for s in p.steps):
            return True
        r = r.parent
    return False


def _step_key(step: Step) -> tuple:
    if step.pred_child is not None:
        return ("child", step.pred_child, step.pred_value) + ((step.extra,) if step.extra else ())
    if step.pred_attr is not None:
        return ("attr", step.pred_attr, step.pred_value)
    if step.position is not None:
        return ("pos", step.position, step.position_from)
    if step.otherwise:
        return ("otherwise",)
    return ()


def _absolute(table: Table, side: str) -> list[tuple[Row, tuple[str, ...], tuple[tuple, ...], Optional[str]]]:
    """(row, tags, step keys, attribute) of every row's written path from the root (main path only)."""
    out = []

    def walk(rows, tags, keys):
        for row in rows:
            p = row.paths.get(side)
            if p is None:
                continue
            t = tags + tuple(s.tag for s in p.steps)
            k = keys + tuple(_step_key(s) for s in p.steps)
            if row.kind == "group":
                if p.steps:
                    out.append((row, t, k, None))
                walk(row.children, t, k)
            else:
                out.append((row, t, k, p.attribute if p.attribute else ("." if not p.steps else None)))

    walk(table.roots, (), ())
    return out


def _overlap(a: tuple[tuple, ...], b: tuple[tuple, ...]) -> bool:
    """Can an element matched by step keys ``a`` also be matched by ``b`` (same tags)?"""
    for x, y in zip(a, b):
        if x == y or not x or not y:
            continue  # equal, or one step has no predicate: it reads whatever the other one claims
        if ("otherwise",) in (x, y):
            return False  # [otherwise] takes only what no literal row claims: designed to coexist
        if x[0] == "pos" and y[0] == "pos":
            hi_x = float("inf") if x[2] else x[1]
            hi_y = float("inf") if y[2] else y[1]
            if max(x[1], y[1]) > min(hi_x, hi_y):
                return False
            continue
        if x[0] == "pos" or y[0] == "pos":
            continue  # a position and a literal can select the same element
        if x[0] == "child" and y[0] == "child":
            preds_x = dict(((x[1], x[2]),) + tuple(x[3] if len(x) > 3 else ()))
            preds_y = dict(((y[1], y[2]),) + tuple(y[3] if len(y) > 3 else ()))
            if any(preds_y.get(t, v) != v for t, v in preds_x.items()):
                return False  # one child asked for two different literals: disjoint
            continue
        if x[:2] == y[:2]:
            return False  # the same discriminator with different literals: disjoint
        # different discriminators ([A='x'] and [B='y']) can hold at once
    return True


def _pred_text(key: tuple, qname) -> str:
    if not key:
        return ""
    if key[0] == "child":
        extra = key[3] if len(key) > 3 else ()
        return "".join(f"[{qname(t)}='{v}']" for t, v in ((key[1], key[2]),) + tuple(extra))
    if key[0] == "attr":
        return f"[@{key[1]}='{key[2]}']"
    if key[0] == "pos":
        return f"[{key[1]}{'..' if key[2] else ''}]"
    return "[otherwise]"


def _below(row: Row, ids: set[str]) -> bool:
    r: Optional[Row] = row
    while r is not None:
        if r.id in ids:
            return True
        r = r.parent
    return False


def _qnamer(table: Table, side: str):
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


def _collisions(table: Table, side: str, name: str, skip: set[str]) -> list[Finding]:
    direction = "back to ePhyto" if side == "dip" else "into the model"
    qname = _qnamer(table, side)
    findings = []
    entries = [e for e in _absolute(table, side) if not _below(e[0], skip)]
    by_tags: dict[tuple, list] = {}
    for e in entries:
        by_tags.setdefault((e[1], e[3], e[0].kind == "group"), []).append(e)
    for group in by_tags.values():
        for i, (row, tags, keys, _attr) in enumerate(group):
            for other, _t, okeys, _a in group[:i]:
                if _overlap(keys, okeys):
                    same = keys == okeys
                    what = "the same" if same else "overlapping"
                    where = "/".join(qname(t) + _pred_text(k, qname) for t, k in zip(tags, keys))
                    findings.append(
                        Finding(
                            "TABLE-REVERSIBILITY",
                            f"{row.id} and {other.id} write {what} {SIDE_LABEL[side]} element {where} "
                            f"({row[side + '_path']!r}" + (")" if same else f" and {other[side + '_path']!r})")
                            + f": reading {direction}, both rows would take the same values",
                            file=name,
                            line=row.line,
                            mapping_id=row.id,
                        )
                    )
                    break
    return findings


# ----------------------------------------------------------------------------- code lists


def _codelist(name: str, table_path: FsPath) -> tuple[Optional[CodeList], Optional[str]]:
    """The code list ``name`` beside the table (``codelists/``), else the shipped one."""
    from .resources import resource_path

    for p in (table_path.parent / "codelists" / f"{name}.tsv", resource_path("mappings", "codelists", f"{name}.tsv")):
        if p.is_file():
            try:
                return parse_codelist(p.read_text(encoding="utf-8"), name), str(p)
            except TableError:
                return None, str(p)
    return None, None


def check_codelists(table: Table, table_path: Union[str, FsPath]) -> list[Finding]:
    """TABLE-CODELIST (complete, consistent, policy declared) and TABLE-REVERSIBILITY of code-list rows."""
    table_path = FsPath(table_path)
    name = str(table_path)
    findings: list[Finding] = []
    users: dict[str, list[Row]] = {}
    for row in table.rows:
        if row["codelist"]:
            users.setdefault(row["codelist"], []).append(row)
    for cl_name, rows in users.items():
        first = rows[0]
        cl, where = _codelist(cl_name, table_path)

        def add(code, msg, severity=ERROR, row=first, file=where, detail=None):
            findings.append(Finding(code, msg, severity=severity, file=file or name,
                                    line=None if file else row.line, mapping_id=row.id, value=cl_name,
                                    detail=detail))

        if cl is None:
            add("TABLE-CODELIST", f"code list {cl_name} (used by {first.id}) is missing or unreadable")
            continue
        if "unmapped" not in cl.metadata:
            add("TABLE-CODELIST", f"code list {cl_name} does not declare its #unmapped policy",
                detail=f"policies: {', '.join(POLICIES)}")
        if cl.policy == "fixed" and not cl.fixed:
            add("TABLE-CODELIST", f"code list {cl_name}: policy fixed without a #fixed value")
        for code in REQUIRED_CODES.get(cl_name, ()):
            if code not in cl.forward:
                add("TABLE-CODELIST", f"code list {cl_name} has no row for ePhyto code {code}, which the ISPM 12 "
                                      "rules accept as valid")
        fwd: dict[str, set[str]] = {}
        rev: dict[str, set[str]] = {}
        for e, d in cl.pairs:
            fwd.setdefault(e, set()).add(d)
            rev.setdefault(d, set()).add(e)
        for e, ds in fwd.items():
            unconditional = [d for d, when in cl.choices.get(e, []) if not when]
            if len(ds) > 1 and (len(unconditional) != 1 or cl.choices[e][-1][1]):
                add("TABLE-CODELIST", f"code list {cl_name}: ePhyto code {e} has several DIP codes "
                                      f"({', '.join(sorted(ds))}); only the first would ever be written (rows with a `when` "
                                      "field must come before the one unconditional row)")
        # a value row translates values; a group row's code list says which literal its DIP path holds
        values = [r for r in rows if r.kind != "group"]
        for row in rows:
            if row.kind == "group":
                why = _group_literal_disagrees(row, cl)
                if why:
                    add("TABLE-CODELIST", f"{row.id}: {why}", row=row, file=None)
        merged = {d: es for d, es in rev.items() if len(es) > 1}
        if merged and values and not all(r["cardinality"] in MANY_TO_ONE for r in values):
            for d, es in sorted(merged.items()):
                add("TABLE-CODELIST", f"code list {cl_name}: DIP code {d} is used for ePhyto codes "
                                      f"{', '.join(sorted(es))}; every DIP value must be unique")
        if values:
            _codelist_reversibility(cl, values, merged, name, findings)
    return findings


def _group_literal_disagrees(row: Row, cl: CodeList) -> Optional[str]:
    """Why a group row's DIP literals are not what its code list gives for its ePhyto literal (None: they are).

    The literal is the ePhyto path's discriminator (``IncludedSPSNote[Subject='ADEDL']``); an
    ``[otherwise]`` group stands for every code the list does not name, so the list's ``#fixed``
    value applies. The DIP path's last step must hold the list's DIP value among its literals
    (``AdditionalInformation[StatementTypeCode='AAI'][ippc:NoteSubject='ADEDL']``). The way back
    does not go through the list: the DIP literals themselves tell the groups apart (collisions
    are checked as for every row).
    """
    eph, dip = row.paths.get("ephyto"), row.paths.get("dip")
    if eph is None or dip is None or not eph.steps or not dip.steps:
        return f"code list {cl.name} on a group row needs a path with a last step on both sides"
    last = eph.steps[-1]
    if last.pred_child is not None:
        key = last.pred_value or ""
        options = cl.choices.get(key)
        if not options:
            return (f"code list {cl.name} has no row for {key!r}, the literal of the group's ePhyto path"
                    + (f" ({cl.refused[key]})" if key in cl.refused else ""))
        expected = options[0][0]
    elif last.otherwise:
        if cl.policy != "fixed" or not cl.fixed:
            return f"an [otherwise] group takes every code code list {cl.name} does not name: the list needs #unmapped: fixed"
        expected, key = cl.fixed, "[otherwise]"
    else:
        return f"code list {cl.name} on a group row needs a literal or [otherwise] on the ePhyto path's last step"
    literals = [v for _, v in dip.steps[-1].child_predicates]
    if expected not in literals:
        return (f"code list {cl.name} gives {expected!r} for {key}, but the DIP path {row['dip_path']!r} does not "
                "hold it as a literal")
    return None


def _codelist_reversibility(cl: CodeList, rows: list[Row], merged: dict, name: str, findings: list[Finding]) -> None:
    reasons = []
    if merged:
        reasons.append(
            "; ".join(f"ePhyto {', '.join(sorted(es))} all become DIP {d}" for d, es in sorted(merged.items()))
        )
    if cl.policy == "fixed":
        reasons.append(f"every ePhyto code not in the list becomes the fixed DIP value {cl.fixed!r}")
    for row in rows:
        if reasons:
            declared = row["cardinality"] in MANY_TO_ONE
            findings.append(
                Finding(
                    "TABLE-REVERSIBILITY",
                    f"code list {cl.name} is not reversible: {'; '.join(reasons)}, so the way back cannot "
                    "tell them apart" + (f" (declared {row['cardinality']})" if declared else
                                         f"; the row declares {row['cardinality'] or 'no cardinality'}"),
                    severity=WARNING if declared else ERROR,
                    file=name,
                    line=row.line,
                    mapping_id=row.id,
                    value=cl.name,
                )
            )
        if cl.policy == "pass":
            collide = sorted(d for d in cl.reverse if d not in cl.forward or cl.forward[d] != d)
            if collide:
                findings.append(
                    Finding(
                        "TABLE-REVERSIBILITY",
                        f"code list {cl.name} passes unknown codes through; an ePhyto code equal to a DIP "
                        f"code of the list ({', '.join(collide)}) would come back translated",
                        severity=WARNING,
                        file=name,
                        line=row.line,
                        mapping_id=row.id,
                        value=cl.name,
                    )
                )


# ====================================================================================== gaps


@dataclass
class LengthGap:
    """A WCO format the DIP departs from: the row's ``dip_format`` beside its official ``wco_format``."""

    wco_id: str
    wco_name: str
    wco_class: str
    wco_format: str  # official
    dip_format: str  # the DIP's own
    wider: bool  # does the DIP allow more than the WCO format?
    reason: str  # the row's dip_format_reason ("" = not yet documented)
    mapping_ids: list[str]

    @property
    def documented(self) -> bool:
        return bool(self.reason)

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


@dataclass
class Gaps:
    table: str
    length_gaps: list[LengthGap]

    def to_dict(self) -> dict:
        return {"table": self.table, "length_gaps": [g.to_dict() for g in self.length_gaps]}


def gap_list(table_path: Union[str, FsPath, None] = None) -> Gaps:
    """The WCO formats the table widens (length gaps). The proposed DMRs themselves are data
    (``mappings/wco-dmr.tsv``): see :mod:`ephyto_dip.dmr` and :func:`ephyto_dip.dmr_doc.gaps_data`."""
    from .mapping.table import load_table

    table = load_table(table_path)
    name = str(FsPath(table_path) if table_path else default_table_path())
    return Gaps(name, _length_gaps(table))


def _length_gaps(table: Table) -> list[LengthGap]:
    """Every row whose DIP format differs from its official WCO format, grouped by element."""
    groups: dict[tuple, LengthGap] = {}
    for row in table.rows:
        official, own = row["wco_format"], row["dip_format"]
        if not (row["wco_id"] and official and own and own != official):
            continue
        key = (row["wco_id"], official, own, row["dip_format_reason"])
        gap = groups.get(key)
        if gap is None:
            gap = groups[key] = LengthGap(
                wco_id=row["wco_id"], wco_name=row["wco_name"], wco_class=row["wco_class"], wco_format=official,
                dip_format=own, wider=format_wider(own, official), reason=row["dip_format_reason"], mapping_ids=[],
            )
        gap.mapping_ids.append(row.id)
    return list(groups.values())
