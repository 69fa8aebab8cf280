"""``check``: predicates and cardinalities are allowed, and the way back can tell values apart
(``TABLE-PREDICATE``, ``TABLE-REVERSIBILITY``): declared reversibility, broad and narrow matches,
collisions of two rows on one element."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

from ..findings import ERROR, WARNING, Finding, Severity
from ..mapping.paths import Step
from ..mapping.sides import DIP_EXT_NS
from ..mapping.table import PREDICATES, Row, Table
from .schema_paths import SIDE_LABEL, qnamer

if TYPE_CHECKING:
    from ..codes import FindingCode

# what a step selects by: ("child", tag, value[, extra]), ("attr", name, value), ("pos", n, from),
# ("otherwise",) or () for none
StepKey: TypeAlias = tuple[Any, ...]
Entry: TypeAlias = tuple[Row, tuple[str, ...], tuple[StepKey, ...], "str | None"]  # row, tags, keys, attribute

CARDINALITIES = ("1:1", "1:n", "n:1", "n:n")
# declared cardinalities that admit several ePhyto values becoming one DIP value
MANY_TO_ONE = ("n:1", "n:n")
SEMANTIC_LOSS = ("skos:broadMatch", "skos:narrowMatch")


# ------------------------------------------------------------- predicates and reversibility


def check_reversibility(table: Table, name: str = "<table>", unresolved: Iterable[str] = ()) -> list[Finding]:
    """TABLE-PREDICATE (allowed values) and TABLE-REVERSIBILITY (can the way back tell values apart?).

    Rows in ``unresolved`` (their path is already reported as wrong) and rows below them are
    left out of the collision analysis: a misspelt discriminator would only add noise there.
    """
    findings: list[Finding] = []

    def add(code: FindingCode, row: Row, msg: str, severity: Severity = ERROR, detail: str | None = None) -> None:
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
    r: Row | None = row
    while r is not None:
        p = r.paths.get("dip")
        if p is not None and any(s.claims_by_literal for s in p.steps):
            return True
        r = r.parent
    return False


def _step_key(step: Step) -> StepKey:
    if step.pred_child is not None:
        return ("child", step.pred_child, step.pred_value) + ((step.extra,) if step.extra else ())
    if step.pred_attr is not None:
        return ("attr", step.pred_attr, step.pred_value)
    if step.position is not None:
        return ("pos", step.position, step.position_from)
    if step.otherwise:
        return ("otherwise",)
    return ()


def _absolute(table: Table, side: str) -> list[Entry]:
    """(row, tags, step keys, attribute) of every row's written path from the root (main path only)."""
    out: list[Entry] = []

    def walk(rows: list[Row], tags: tuple[str, ...], keys: tuple[StepKey, ...]) -> None:
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


def _overlap(a: tuple[StepKey, ...], b: tuple[StepKey, ...]) -> bool:
    """Can an element matched by step keys ``a`` also be matched by ``b`` (same tags)?"""
    for x, y in zip(a, b, strict=True):
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
            preds_x = dict(((x[1], x[2]), *(x[3] if len(x) > 3 else ())))
            preds_y = dict(((y[1], y[2]), *(y[3] if len(y) > 3 else ())))
            if any(preds_y.get(t, v) != v for t, v in preds_x.items()):
                return False  # one child asked for two different literals: disjoint
            continue
        if x[:2] == y[:2]:
            return False  # the same discriminator with different literals: disjoint
        # different discriminators ([A='x'] and [B='y']) can hold at once
    return True


def _pred_text(key: StepKey, qname: Callable[[str], str]) -> str:
    if not key:
        return ""
    if key[0] == "child":
        extra = key[3] if len(key) > 3 else ()
        return "".join(f"[{qname(t)}='{v}']" for t, v in ((key[1], key[2]), *extra))
    if key[0] == "attr":
        return f"[@{key[1]}='{key[2]}']"
    if key[0] == "pos":
        return f"[{key[1]}{'..' if key[2] else ''}]"
    return "[otherwise]"


def _below(row: Row, ids: set[str]) -> bool:
    r: Row | None = row
    while r is not None:
        if r.id in ids:
            return True
        r = r.parent
    return False


def _collisions(table: Table, side: str, name: str, skip: set[str]) -> list[Finding]:
    direction = "back to ePhyto" if side == "dip" else "into the model"
    qname = qnamer(table, side)
    findings = []
    entries = [e for e in _absolute(table, side) if not _below(e[0], skip)]
    by_tags: dict[tuple[tuple[str, ...], str | None, bool], list[Entry]] = {}
    for e in entries:
        by_tags.setdefault((e[1], e[3], e[0].kind == "group"), []).append(e)
    for group in by_tags.values():
        for i, (row, tags, keys, _attr) in enumerate(group):
            for other, _t, okeys, _a in group[:i]:
                if _overlap(keys, okeys):
                    same = keys == okeys
                    what = "the same" if same else "overlapping"
                    where = "/".join(qname(t) + _pred_text(k, qname) for t, k in zip(tags, keys, strict=True))
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
