"""The ISPM 12 box-level crosswalk (``mappings/ispm12-crosswalk.tsv``): what the experts sign.

One row per ISPM 12 box or sub-item, naming the element-table rows it stands for
(``mapping_ids``, the first being the row that carries the box's value: its *primary* row).
The columns a reviewer judges on (absolute ePhyto XPath, DIP path, WCO ID, class, name,
official format, predicate) are copies of the primary row, so :func:`check_crosswalk` can tell
when the two tables disagree (``TABLE-CROSSWALK``); ``tools/make_crosswalk.py`` refreshes the
copies from the element table and clears the review of a row whose copy changed.

``python -m ephyto_dip.review.crosswalk`` prints ``docs/crosswalk.md``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path as FsPath

from ..findings import ERROR, WARNING, Finding, Severity, TableError
from ..mapping.table import Row, Table
from ..tsv import load_cached, split_metadata, tsv_reader
from .markdown import md_text

COLUMNS = (
    "box", "ispm12_ref", "mapping_ids", "ephyto_xpath", "uncefact_uid", "un_tded", "wco_id", "wco_class",
    "wco_name", "wco_format", "dip_path", "predicate", "justification", "source", "confidence", "reviewer",
    "review_date",
)
# the columns copied from the primary element row: they must agree with it
COPIED = ("ephyto_xpath", "dip_path", "wco_id", "wco_class", "wco_name", "wco_format", "predicate")
NO_TERM = "sssom:NoTermFound"
ROOTS = {"ephyto": "/rsm:SPSCertificate", "dip": "/PhytosanitaryCertificate"}


@dataclass
class CrosswalkRow:
    cells: dict[str, str]
    line: int

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def mapping_ids(self) -> list[str]:
        return self["mapping_ids"].split()


@dataclass
class Crosswalk:
    path: str
    metadata: dict[str, str]
    columns: list[str]
    rows: list[CrosswalkRow]


def default_crosswalk_path() -> FsPath:
    from ..resources import resource_path

    return resource_path("mappings", "ispm12-crosswalk.tsv")


def parse_crosswalk(text: str, name: str = "<crosswalk>") -> Crosswalk:
    metadata, body, start = split_metadata(text)
    rows = list(tsv_reader(body))
    if not rows:
        raise TableError(Finding("TABLE-SYNTAX", "the crosswalk has no header row", file=name, line=start + 1))
    header = rows[0]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise TableError(Finding("TABLE-SYNTAX", f"the crosswalk lacks the column(s) {', '.join(missing)}",
                                 file=name, line=start + 1))
    out = []
    for i, cells in enumerate(rows[1:], start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        out.append(CrosswalkRow(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)), i))
    return Crosswalk(name, metadata, header, out)


def load_crosswalk(path: str | FsPath | None = None) -> Crosswalk:
    return load_cached(path or default_crosswalk_path(), parse_crosswalk, "crosswalk")


# ------------------------------------------------------------------------- derived values


def absolute_path(row: Row, side: str) -> str:
    """The row's main path from the document root, as text (``a | b``: ``a``; ``.``: its group's)."""
    parts: list[str] = []
    r: Row | None = row
    while r is not None:
        cell = r[f"{side}_path"].split(" | ")[0].strip()
        if not cell and r is row:
            return ""
        if cell and cell != ".":
            parts.append(cell)
        r = r.parent
    return "/".join([ROOTS[side], *reversed(parts)])


def copied_cells(row: Row) -> dict[str, str]:
    """What a crosswalk row copies from its primary element row."""
    return {
        "ephyto_xpath": absolute_path(row, "ephyto"),
        "dip_path": absolute_path(row, "dip"),
        "wco_id": row["wco_id"],
        "wco_class": row["wco_class"],
        "wco_name": row["wco_name"],
        "wco_format": row["wco_format"],
        "predicate": row["predicate"],
    }


# ----------------------------------------------------------------------------------- check


def check_crosswalk(table: Table, crosswalk: Crosswalk, boxes: list[str] | None = None) -> list[Finding]:
    """``TABLE-CROSSWALK``: every crosswalk row resolves to element rows and agrees with its primary one.

    A crosswalk row judged "no WCO term" whose primary row has since been matched to a WCO
    element is a warning (the element table moved on; re-judge the box), any other difference
    an error. Every ISPM 12 box needs a crosswalk row; an element row in no crosswalk row is
    a warning.
    """
    by_id = {r.id: r for r in table.rows}
    name = crosswalk.path
    out: list[Finding] = []

    def finding(msg: str, cw: CrosswalkRow, mapping_id: str = "", severity: Severity = ERROR) -> None:
        out.append(Finding("TABLE-CROSSWALK", msg, severity=severity, file=name, line=cw.line,
                           mapping_id=mapping_id or None, value=cw["box"] or None))

    covered: set[str] = set()
    for cw in crosswalk.rows:
        ids = cw.mapping_ids
        if not ids:
            finding(f"box row {cw['box']!r} names no element rows (mapping_ids is empty)", cw)
            continue
        unknown = [i for i in ids if i not in by_id]
        for i in unknown:
            finding(f"box row {cw['box']!r} names {i}, which is not a row of {FsPath(table.path).name}", cw, i)
        covered.update(ids)
        primary = by_id.get(ids[0])
        if primary is None:
            continue
        want = copied_cells(primary)
        differ = [c for c in COPIED if cw[c] != want[c]]
        if not differ:
            continue
        if cw["predicate"] == NO_TERM and want["wco_id"]:
            finding(f"box row {cw['box']!r} says no WCO term, but {primary.id} is now {want['predicate']} "
                    f"{want['wco_id']} {want['wco_name']}: re-judge the box (tools/make_crosswalk.py copies "
                    "the element row and clears the review)", cw, primary.id, WARNING)
            continue
        for c in differ:
            finding(f"box row {cw['box']!r}: {c} is {cw[c] or '(empty)'!r} but {primary.id} (its primary row) "
                    f"says {want[c] or '(empty)'!r} (if the element row is right: python tools/make_crosswalk.py)",
                    cw, primary.id)
    missing_rows = [r for r in table.rows if r.id not in covered]
    for r in missing_rows:
        out.append(Finding("TABLE-CROSSWALK", f"element row {r.id} ({r.field}) is in no box row of the crosswalk",
                           severity=WARNING, file=name, mapping_id=r.id))
    if boxes is not None:
        have = {cw["box"] for cw in crosswalk.rows}
        for b in boxes:
            if not any(h == b or h.startswith((b + ":", b + " (")) for h in have):
                out.append(Finding("TABLE-CROSSWALK", f"ISPM 12 box {b!r} has no row in the crosswalk",
                                   file=name, value=b))
    return out


def check_shipped(table: Table, crosswalk_path: str | FsPath | None = None,
                  boxes: list[str] | None = None) -> list[Finding]:
    """The crosswalk check as ``check`` runs it: an unreadable crosswalk is one finding, not an exit."""
    try:
        cw = load_crosswalk(crosswalk_path)
    except TableError as exc:
        return list(exc.findings)
    return check_crosswalk(table, cw, boxes)


# ------------------------------------------------------------------------------- markdown


def _md(text: str) -> str:
    return md_text(text or "", keep_markup=True)


def crosswalk_markdown(crosswalk: Crosswalk) -> str:
    reviewed = sum(bool(cw["reviewer"]) for cw in crosswalk.rows)
    lines = [
        "# ISPM 12 box-level crosswalk: ePhyto (SPSCertificate 17) ↔ WCO Data Model (DIP)",
        "",
        f"Generated by `python -m ephyto_dip.review.crosswalk` from `mappings/{FsPath(crosswalk.path).name}` "
        "(do not edit by hand). One row per ISPM 12 box or sub-item; `rows` are the element-table rows "
        "(`mappings/ephyto-dip.tsv`) the box stands for, the first carrying the box's value. The WCO "
        "columns and the paths are those of that first row, and `ephyto-dip check` fails when they "
        "disagree (TABLE-CROSSWALK). Predicates follow SSSOM (subject: the ePhyto element, object: the "
        "WCO DM element).",
        "",
        f"{len(crosswalk.rows)} box rows; {reviewed} reviewed.",
        "",
        "| box | ISPM 12 | ePhyto XPath | UN/CEFACT UID | UN/TDED | WCO ID | WCO class | WCO name | WCO format "
        "| DIP path | predicate | confidence | reviewer | rows |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for cw in crosswalk.rows:
        who = f"{cw['reviewer']} {cw['review_date']}".strip() or "not reviewed"
        cells = [cw["box"], cw["ispm12_ref"], f"`{cw['ephyto_xpath']}`" if cw["ephyto_xpath"] else "",
                 cw["uncefact_uid"], cw["un_tded"], cw["wco_id"], cw["wco_class"], cw["wco_name"],
                 cw["wco_format"], f"`{cw['dip_path']}`" if cw["dip_path"] else "", cw["predicate"],
                 cw["confidence"], who, " ".join(cw.mapping_ids)]
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    lines += ["", "## Justifications", ""]
    for cw in crosswalk.rows:
        src = f" *Source:* {_md(cw['source'])}" if cw["source"] else ""
        lines.append(f"- **{_md(cw['box'])}**: {_md(cw['justification'])}{src}")
    lines.append("")
    return "\n".join(lines)


def crosswalk_document() -> str:
    """docs/crosswalk.md: the box-level crosswalk, then the code-list crosswalks."""
    from ..resources import resource_path
    from .codelist_crosswalk import markdown

    return crosswalk_markdown(load_crosswalk()) + "\n" + markdown(resource_path("mappings", "codelist-crosswalks.tsv"))


def main() -> int:  # pragma: no cover - exercised by the doc test through crosswalk_document
    sys.stdout.write(crosswalk_document())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
