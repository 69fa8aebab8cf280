"""WCO Data Maintenance Requests in the WCO's own form, and what needs none (``ephyto-dip gaps``).

The content is data, beside the element table: ``mappings/wco-dmr.tsv`` (one line per DMR and
per element of a proposed class) and ``mappings/sps-structure.tsv`` (rows without a WCO term that
need no new element, with the reason). What this module computes from the element table:

* which DMRs are still genuine: a ``no-term`` DMR drops out once none of its rows is still
  without a WCO element (the rows that found one are listed as ``now_covered``);
* what the WCO DM already covers: every row carrying a ``wco_id``, grouped by WCO element;
* for each SPS-structure entry, the WCO element of the nearest enclosing row that has one;
* ``TABLE-GAP``: a ``NoTermFound`` row in neither list, an unknown row, a row in both, a DMR
  without its required content, a class that is not one of the table's WCO classes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any, TypeAlias

from lxml import etree

from ..findings import ERROR, Finding, Severity, TableError
from ..mapping.table import Row, Table
from ..tsv import load_cached, split_metadata, tsv_reader

# a DMR, an element or a covered group as the WCO form's keys: text, lists of ids, nested forms (gaps --format json)
Form: TypeAlias = dict[str, Any]

DMR_FILE = "wco-dmr.tsv"
STRUCTURE_FILE = "sps-structure.tsv"
DMR_KEYS = ("name", "definition", "class", "format", "code_list", "cardinality", "uncefact_uid", "business_need",
            "ispm12_basis", "example", "impact", "mapping_ids")
DMR_COLUMNS = ("dmr_id", "element", *DMR_KEYS[:-1], "gap_kind", "mapping_ids")
REQUIRED = ("name", "definition", "class", "cardinality", "business_need", "ispm12_basis", "example", "impact")
GAP_KINDS = ("no-term", "generic-text")
STRUCTURE_COLUMNS = ("mapping_ids", "kind", "reason", "covered_by")
STRUCTURE_KINDS = ("sps-structure", "redundant", "outside-ispm12", "not-certificate", "wco-element")
NO_TERM = "sssom:NoTermFound"
_WCO_CLASS = re.compile(r"^\d{2}[A-Z] ")


@dataclass
class Line:
    cells: dict[str, str]
    line: int
    file: str

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def ids(self) -> list[str]:
        return self["mapping_ids"].split()


def _parse(columns: tuple[str, ...], what: str) -> Callable[[str, str], list[Line]]:
    def parse(text: str, name: str) -> list[Line]:
        _meta, body, start = split_metadata(text)
        rows = list(tsv_reader(body))
        if not rows:
            raise TableError(Finding("TABLE-SYNTAX", f"the {what} has no header row", file=name, line=start + 1))
        header = rows[0]
        missing = [c for c in columns if c not in header]
        if missing:
            raise TableError(Finding("TABLE-SYNTAX", f"the {what} lacks the column(s) {', '.join(missing)}",
                                     file=name, line=start + 1))
        return [Line(dict(zip(header, cells, strict=False)), i, name)  # a short row lacks its last cells
                for i, cells in enumerate(rows[1:], start=start + 2) if any(c.strip() for c in cells)]
    return parse


_parse_dmrs = _parse(DMR_COLUMNS, "DMR table")
_parse_structure = _parse(STRUCTURE_COLUMNS, "SPS-structure list")


def data_dir(table_path: str | FsPath | None) -> FsPath:
    """Where the DMR tables are: beside the table if they are there, else the shipped ones."""
    from ..resources import resource_path

    if table_path:
        here = FsPath(table_path).parent
        if (here / DMR_FILE).is_file():
            return here
    return resource_path("mappings")


def load(directory: FsPath) -> tuple[list[Line], list[Line]]:
    return (load_cached(directory / DMR_FILE, _parse_dmrs, "DMR table"),
            load_cached(directory / STRUCTURE_FILE, _parse_structure, "SPS-structure list"))


def _bundled_classes() -> set[str]:
    """``"23A Commodity"`` for every WCO class in the bundled HMRC CDS DEC 3.6 element list."""
    from ..resources import resource_path

    path = resource_path("schemas", "wco-dec", "hmrc-cds-dec-elements.tsv")
    try:
        rows = list(tsv_reader(path.read_text(encoding="utf-8").splitlines()))
    except OSError:
        return set()
    return {f"{r[1]} {r[2]}" for r in rows[1:] if len(r) > 2 and re.fullmatch(r"\d{2}[A-Z]", r[1])}


def _open(row: Row) -> bool:
    """A row still without a WCO element (a row that has a wco_id has left the gap lists)."""
    return row["predicate"] == NO_TERM and not row["wco_id"]


# ----------------------------------------------------------------------------------- check


def check_accounted(table: Table, directory: FsPath) -> list[Finding]:
    """TABLE-GAP findings for the DMR table and the SPS-structure list in ``directory``."""
    try:
        dmrs, structure = load(directory)
    except TableError as exc:
        return list(exc.findings)
    by_id = {r.id: r for r in table.rows}
    classes = {r["wco_class"] for r in table.rows if r["wco_class"]} | _bundled_classes()
    heads = {ln["dmr_id"] for ln in dmrs if not ln["element"]}
    out: list[Finding] = []

    def bad(msg: str, ln: Line, mapping_id: str | None = None, severity: Severity = ERROR) -> None:
        out.append(Finding("TABLE-GAP", msg, severity=severity, file=ln.file, line=ln.line, mapping_id=mapping_id))

    where: dict[str, Line] = {}
    for ln in [*dmrs, *structure]:
        label = ln["dmr_id"] or "the SPS-structure entry"
        for i in ln.ids:
            if i not in by_id:
                bad(f"{label} names {i}, which is not a row of {FsPath(table.path).name}", ln, i)
            elif i in where:
                first = where[i]
                bad(f"{i} is accounted for twice: {label} here and {FsPath(first.file).name} line {first.line}", ln, i)
            else:
                where[i] = ln
    for ln in dmrs:
        if not ln["element"]:
            for key in REQUIRED:
                if not ln[key].strip():
                    bad(f"{ln['dmr_id']} has no {key}", ln)
            if ln["gap_kind"] not in GAP_KINDS:
                bad(f"{ln['dmr_id']}: gap_kind {ln['gap_kind']!r} is not one of {', '.join(GAP_KINDS)}", ln)
        elif ln["dmr_id"] not in heads:
            bad(f"element {ln['element']} belongs to {ln['dmr_id']!r}, which has no DMR line (element empty)", ln)
        for cls in (c.strip() for c in ln["class"].split(";")):
            if _WCO_CLASS.match(cls) and cls not in classes:
                bad(f"{ln['dmr_id']}: class {cls!r} is not a WCO class of the element table or the bundled "
                    "WCO DM 3.6 element list", ln)
        if ln["example"]:
            try:
                etree.fromstring(f"<x>{ln['example']}</x>")
            except etree.XMLSyntaxError as exc:
                bad(f"{ln['dmr_id']}: the example is not a well-formed XML fragment ({exc.msg})", ln)
    for ln in structure:
        if ln["kind"] not in STRUCTURE_KINDS:
            bad(f"kind {ln['kind']!r} is not one of {', '.join(STRUCTURE_KINDS)}", ln)
        if not ln["reason"].strip():
            bad("an SPS-structure entry without a reason", ln)
    for r in table.rows:
        if _open(r) and r.id not in where:
            out.append(Finding("TABLE-GAP", f"{r.id} ({r.field}) has no WCO term and is in no DMR of {DMR_FILE} "
                               f"nor in {STRUCTURE_FILE}: propose it or say why it needs no new element",
                               file=table.path, line=r.line, mapping_id=r.id))
    return out


# ----------------------------------------------------------------------------- the lists


def _element_dict(ln: Line, by_id: dict[str, Row], kind: str) -> Form:
    """A DMR line as the WCO form's keys. A ``no-term`` line keeps only the rows still without a
    WCO element (the others are ``now_covered``); a ``generic-text`` line keeps its rows, which
    map to the generic 03A element by design."""
    d: Form = {k: ln[k] for k in DMR_KEYS if k != "mapping_ids"}
    d["un_tded"] = ""  # none of these has a UN/TDED number in the WCO sources held (see the file's metadata)
    d["element"] = ln["element"]
    known = [by_id[i] for i in ln.ids if i in by_id]
    if kind == "generic-text":
        d["mapping_ids"], d["now_covered"] = [r.id for r in known], []
    else:
        d["mapping_ids"] = [r.id for r in known if _open(r)]
        d["now_covered"] = [_covered_ref(r) for r in known if r["wco_id"]]
    return d


def _covered_ref(row: Row) -> dict[str, str]:
    return {"mapping_id": row.id, "wco_id": row["wco_id"], "wco_name": row["wco_name"],
            "wco_class": row["wco_class"], "predicate": row["predicate"]}


def proposals(table: Table, directory: FsPath) -> list[Form]:
    """The genuine DMRs: each with the JSON keys of the WCO DMR form and its proposed ``elements``."""
    dmrs, _ = load(directory)
    by_id = {r.id: r for r in table.rows}
    out: list[Form] = []
    for head in (ln for ln in dmrs if not ln["element"]):
        kind = head["gap_kind"]
        members = [ln for ln in dmrs if ln["dmr_id"] == head["dmr_id"] and ln["element"]]
        d: Form = {"id": head["dmr_id"], "gap_kind": kind, **_element_dict(head, by_id, kind)}
        d["elements"] = [_element_dict(m, by_id, kind) for m in members]
        d["elements"] = [e for e in d["elements"] if e["mapping_ids"]]
        open_ids = d["mapping_ids"] + [i for e in d["elements"] for i in e["mapping_ids"]]
        d["now_covered"] += [c for e in d["elements"] for c in e.pop("now_covered")]
        for e in d["elements"]:
            del e["un_tded"]
        if kind == "no-term" and not open_ids:
            continue  # every row found a WCO element: no longer a gap
        d["mapping_ids"] = open_ids
        del d["element"]
        out.append(d)
    return out


def covered(table: Table) -> list[Form]:
    """What the WCO DM already covers: every row with a wco_id, grouped by WCO element."""
    groups: dict[tuple[str, str], Form] = {}
    for r in table.rows:
        if not r["wco_id"]:
            continue
        key = (r["wco_id"], r["wco_class"])
        g = groups.setdefault(key, {"wco_id": r["wco_id"], "wco_name": r["wco_name"], "wco_class": r["wco_class"],
                                    "wco_format": r["wco_format"], "predicates": [], "mapping_ids": []})
        if r["predicate"] not in g["predicates"]:
            g["predicates"].append(r["predicate"])
        g["mapping_ids"].append(r.id)
    return list(groups.values())


def _enclosing_wco(row: Row) -> str:
    a = row.parent
    while a is not None:
        if a["wco_id"]:
            return f"{a['wco_id']} {a['wco_name']} ({a['wco_class']}, row {a.id})"
        a = a.parent
    return ""


def no_new_element(table: Table, directory: FsPath) -> list[Form]:
    """The SPS-structure entries whose rows are still without a WCO term, with what covers them."""
    _, structure = load(directory)
    by_id = {r.id: r for r in table.rows}
    out: list[Form] = []
    for ln in structure:
        rows = [by_id[i] for i in ln.ids if i in by_id and _open(by_id[i])]
        if not rows:
            continue
        cover = ln["covered_by"] or "; ".join(dict.fromkeys(c for c in map(_enclosing_wco, rows) if c))
        out.append({"kind": ln["kind"], "reason": ln["reason"], "covered_by": cover,
                    "mapping_ids": [r.id for r in rows], "fields": [r.field for r in rows]})
    return out

