"""Review decisions: what an expert marked on the review page, merged into the mapping table.

The decisions file is TSV (``#key: value`` metadata allowed) with the columns ``mapping_id``,
``decision`` (``accepted``, ``changes-requested``, ``rejected``), ``reviewer``, ``date``
(ISO 8601, ``YYYY-MM-DD``), ``comment`` and, optionally, ``row_hash``.

:func:`apply_decisions` sets, in SSSOM terms, the row's ``status`` (the decision),
``reviewer`` (SSSOM reviewer_label), ``review_date`` and ``comment`` (the reviewer's comment is
added to the row's, signed and dated). Nothing else of the table changes, byte for byte. Every
decision is checked first and any problem refuses the whole file (findings ``REVIEW-DECISION``,
``REVIEW-STALE``): a table is never half-reviewed.

The row hash ties a decision to what the reviewer saw: the first 16 hex digits of the SHA-256
of the UTF-8 text made of the cells of :data:`HASH_COLUMNS`, in that order, joined by a tab (an
absent column counts as empty). The review columns are not part of it, so recording a decision
does not change the hash. ``templates/report.js`` computes the same (``rowHash``); the page
carries the cells in the same order.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import TYPE_CHECKING

from ..findings import ERROR, Finding, TableError
from ..tsv import read_table_text, split_metadata, tsv_reader

if TYPE_CHECKING:
    from ..codes import FindingCode
    from ..mapping.table import Row

HASH_COLUMNS = (
    "mapping_id", "ispm12_box", "field", "ephyto_path", "dip_path", "wco_id", "wco_class", "wco_name",
    "predicate", "codelist", "cardinality", "justification", "wco_format", "reversible", "dip_format",
    "dip_format_reason", "source",
)
DECISIONS = ("accepted", "changes-requested", "rejected")
COLUMNS = ("mapping_id", "decision", "reviewer", "date", "comment")
REVIEW_COLUMNS = ("status", "reviewer", "review_date", "comment")
_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def row_hash(cells: dict[str, str]) -> str:
    """The row hash of a table row's cells (see the module docstring)."""
    text = "\t".join(cells.get(c, "") for c in HASH_COLUMNS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Decision:
    mapping_id: str
    decision: str
    reviewer: str
    date: str
    comment: str
    row_hash: str
    line: int


def parse_decisions(text: str, name: str) -> list[Decision]:
    """The decisions of a file's text; TableError (exit 2) if it is not a decisions file at all."""
    _meta, body, start = split_metadata(text)
    rows = list(tsv_reader(body))
    if not rows:
        raise TableError(Finding("TABLE-SYNTAX", "the decisions file has no header row", file=name, line=start + 1))
    header = [h.strip() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise TableError(Finding("TABLE-SYNTAX", f"the decisions file lacks the column(s) {', '.join(missing)} "
                                 f"(expected {', '.join(COLUMNS)}, optionally row_hash)", file=name, line=start + 1))
    out = []
    for i, cells in enumerate(rows[1:], start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        c = dict(zip(header, (x.strip() for x in cells), strict=False))
        out.append(Decision(c.get("mapping_id", ""), c.get("decision", ""), c.get("reviewer", ""), c.get("date", ""),
                            c.get("comment", ""), c.get("row_hash", ""), i))
    return out


def _signed(existing: str, d: Decision) -> str:
    if not d.comment:
        return existing
    note = f"review {d.date} {d.reviewer} ({d.decision}): {d.comment}"
    if note in existing:
        return existing  # applying the same file twice changes nothing
    return f"{existing}; {note}" if existing else note


def apply_decisions(table_text: str, table_name: str, decisions: list[Decision], decisions_name: str
                    ) -> tuple[str, list[Finding]]:
    """``(new table text, findings)``; with any error finding the text is the table unchanged."""
    _metadata, body, start = split_metadata(table_text)
    lines = table_text.splitlines()
    rows = list(tsv_reader(body))
    if not rows:
        raise TableError(Finding("TABLE-SYNTAX", "the table has no header row", file=table_name, line=start + 1))
    header = rows[0]
    missing = [c for c in ("mapping_id", *REVIEW_COLUMNS) if c not in header]
    if missing:
        raise TableError(Finding("TABLE-SYNTAX", f"the table lacks the column(s) {', '.join(missing)}",
                                 file=table_name, line=start + 1))
    where: dict[str, tuple[int, list[str]]] = {}  # mapping_id -> (index in lines, cells)
    for offset, cells in enumerate(rows[1:], start=1):
        cells = cells + [""] * (len(header) - len(cells))
        if cells[header.index("mapping_id")]:
            where[cells[header.index("mapping_id")]] = (start + offset, cells)

    findings: list[Finding] = []

    def bad(code: FindingCode, msg: str, d: Decision) -> None:
        findings.append(Finding(code, msg, severity=ERROR, file=decisions_name, line=d.line,
                                mapping_id=d.mapping_id or None))

    seen: dict[str, int] = {}
    for d in decisions:
        if not d.mapping_id:
            bad("REVIEW-DECISION", "a decision without a mapping_id", d)
            continue
        if d.mapping_id in seen:
            bad("REVIEW-DECISION", f"{d.mapping_id} is decided twice (also line {seen[d.mapping_id]})", d)
        seen.setdefault(d.mapping_id, d.line)
        if d.mapping_id not in where:
            bad("REVIEW-DECISION", f"{d.mapping_id} is not a row of {table_name}", d)
            continue
        if d.decision not in DECISIONS:
            bad("REVIEW-DECISION", f"decision {d.decision!r} is not one of {', '.join(DECISIONS)}", d)
        if not d.reviewer:
            bad("REVIEW-DECISION", "a decision without a reviewer's name", d)
        if not _DATE.match(d.date):
            bad("REVIEW-DECISION", f"date {d.date!r} is not an ISO 8601 date (YYYY-MM-DD)", d)
        if d.row_hash:
            now = row_hash(dict(zip(header, where[d.mapping_id][1], strict=False)))
            if d.row_hash != now:
                bad("REVIEW-STALE", f"{d.mapping_id} of {table_name} changed since it was reviewed (row_hash "
                    f"{d.row_hash}, now {now}): review it again", d)
    if findings:
        return table_text, findings
    for d in decisions:
        index, cells = where[d.mapping_id]
        col = header.index
        cells[col("status")] = d.decision
        cells[col("reviewer")] = d.reviewer
        cells[col("review_date")] = d.date
        cells[col("comment")] = _signed(cells[col("comment")], d)
        lines[index] = "\t".join(cells)
    eol = "\r\n" if "\r\n" in table_text else "\n"  # a table saved by a spreadsheet keeps its line ends
    return eol.join(lines) + (eol if table_text.endswith(("\n", "\r")) else ""), []


def apply_files(decisions_path: str | FsPath, table_path: str | FsPath) -> tuple[str, list[Finding]]:
    """Read both files (TableError with IO-READ / TABLE-SYNTAX if one cannot be read) and merge."""
    decisions = parse_decisions(read_table_text(decisions_path, "decisions file"), str(decisions_path))
    text = read_table_text(table_path, "table")
    return apply_decisions(text, str(table_path), decisions, str(decisions_path))


def review_counts(rows: Iterable[Row]) -> dict[str, int]:
    """How many rows are reviewed (a reviewer named) and how many by status, for ``check``."""
    out = {"rows": 0, "reviewed": 0, "unreviewed": 0}
    for r in rows:
        out["rows"] += 1
        key = "reviewed" if r["reviewer"] else "unreviewed"
        out[key] += 1
        status = r["status"] or "(no status)"
        out[f"status:{status}"] = out.get(f"status:{status}", 0) + 1
    return out
