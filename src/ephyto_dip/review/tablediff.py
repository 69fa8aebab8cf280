"""What changed between two versions of the mapping table, row by row, for reviewers.

Rows are matched by ``mapping_id``. The tables are read leniently, as plain strings: a
version with a broken path or a ragged row must still be comparable (reviewing a broken
change is exactly when a diff is needed), so nothing here compiles paths or checks the model.
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass, field

from ..findings import WARNING, Finding, TableError
from ..jsontypes import JSONObject
from ..tsv import read_table_text, split_metadata, tsv_reader
from .markdown import md_text


@dataclass
class RawTable:
    """A table as text: metadata, columns and rows (mapping_id -> cells), in file order."""

    name: str
    metadata: dict[str, str]
    columns: list[str]
    rows: dict[str, dict[str, str]]
    notes: list[Finding] = field(default_factory=list)  # what lenient reading skipped or patched


@dataclass
class Change:
    column: str
    old: str
    new: str


@dataclass
class RowChange:
    mapping_id: str
    field: str
    changes: list[Change]


@dataclass
class TableDiff:
    old: RawTable
    new: RawTable
    metadata: list[Change]  # column = the metadata key; "" for a key absent on one side
    columns_added: list[str]
    columns_removed: list[str]
    added: list[dict[str, str]]
    removed: list[dict[str, str]]
    changed: list[RowChange]
    moved: list[str]  # rows kept but placed elsewhere relative to the others

    @property
    def decisions(self) -> list[dict[str, str]]:
        """Rows whose review (status, reviewer, review_date) changed: the decisions this version records."""
        out = []
        for rc in self.changed:
            cols = {c.column for c in rc.changes}
            if cols & {"status", "reviewer", "review_date"}:
                row, before = self.new.rows[rc.mapping_id], self.old.rows[rc.mapping_id]
                out.append({"mapping_id": rc.mapping_id, "status": row.get("status", ""),
                            "reviewer": row.get("reviewer", ""), "review_date": row.get("review_date", ""),
                            "was": before.get("status", "")})
        return out

    @property
    def identical(self) -> bool:
        return not (self.metadata or self.columns_added or self.columns_removed or self.added
                    or self.removed or self.changed or self.moved)


def read_raw_table(path: str | os.PathLike[str]) -> RawTable:
    """Read a table leniently; :class:`TableError` only if it cannot be read as a table at all."""
    name = str(path)
    return parse_raw_table(read_table_text(path), name)


def parse_raw_table(text: str, name: str = "<table>") -> RawTable:
    metadata, body, start = split_metadata(text)
    lines = text.splitlines()
    notes: list[Finding] = []
    reader = tsv_reader(body)
    header = [c.strip() for c in next(reader, [])]
    if "mapping_id" not in header:
        raise TableError(Finding("TABLE-SYNTAX", "no header row with a mapping_id column", file=name,
                                 line=start + 1 if start < len(lines) else None))
    rows: dict[str, dict[str, str]] = {}
    for n, cells in enumerate(reader, start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):  # compared as far as it goes: missing cells are empty
            notes.append(Finding("TABLE-SYNTAX", f"{len(cells)} cells, header has {len(header)}", severity=WARNING,
                                 file=name, line=n))
            cells = (cells + [""] * len(header))[: len(header)]
        row = dict(zip(header, (c.strip() for c in cells), strict=False))
        mid = row["mapping_id"]
        if not mid:
            notes.append(Finding("TABLE-SYNTAX", "row without a mapping_id is left out of the diff", severity=WARNING,
                                 file=name, line=n))
            continue
        if mid in rows:
            notes.append(Finding("TABLE-SYNTAX", f"duplicate mapping_id {mid}: only the first is compared",
                                 severity=WARNING, file=name, line=n, mapping_id=mid))
            continue
        rows[mid] = row
    return RawTable(name, metadata, header, rows, notes)


def diff_tables(old: RawTable, new: RawTable) -> TableDiff:
    keys = list(old.metadata) + [k for k in new.metadata if k not in old.metadata]
    metadata = [
        Change(k, old.metadata.get(k, ""), new.metadata.get(k, ""))
        for k in keys
        if old.metadata.get(k) != new.metadata.get(k)
    ]
    columns = old.columns + [c for c in new.columns if c not in old.columns]
    added = [row for mid, row in new.rows.items() if mid not in old.rows]
    removed = [row for mid, row in old.rows.items() if mid not in new.rows]
    changed = []
    for mid, before in old.rows.items():
        after = new.rows.get(mid)
        if after is None:
            continue
        cells = [Change(c, before.get(c, ""), after.get(c, ""))
                 for c in columns if before.get(c, "") != after.get(c, "")]
        if cells:
            changed.append(RowChange(mid, after.get("field") or before.get("field", ""), cells))
    return TableDiff(
        old, new, metadata,
        columns_added=[c for c in new.columns if c not in old.columns],
        columns_removed=[c for c in old.columns if c not in new.columns],
        added=added, removed=removed, changed=changed,
        moved=_moved(old, new),
    )


def _moved(old: RawTable, new: RawTable) -> list[str]:
    """Rows of both versions that are out of their old order (the fewest that explain it)."""
    a = [m for m in old.rows if m in new.rows]
    b = [m for m in new.rows if m in old.rows]
    if a == b:
        return []
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a : block.a + block.size])
    return [m for m in b if m not in kept]


def diff_files(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> TableDiff:
    return diff_tables(read_raw_table(old), read_raw_table(new))


# ----------------------------------------------------------------------------- rendering


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False) if value else "(empty)"


def _summary(d: TableDiff) -> str:
    return (f"{len(d.added)} added, {len(d.removed)} removed, {len(d.changed)} changed, {len(d.moved)} moved; "
            f"{len(d.metadata)} metadata change{'s' if len(d.metadata) != 1 else ''}")


def _row_label(row: dict[str, str]) -> str:
    parts = [row.get("field", ""), row.get("ispm12_box", "")]
    return " — ".join(p for p in parts if p)


def render_text(d: TableDiff) -> str:
    out = [f"--- {d.old.name}", f"+++ {d.new.name}"]
    if d.identical:
        out.append("no differences")
        return "\n".join(out) + "\n"
    out.append(_summary(d))
    for c in d.metadata:
        out.append(f"metadata #{c.column}: {_q(c.old)} -> {_q(c.new)}")
    for col in d.columns_added:
        out.append(f"column added: {col}")
    for col in d.columns_removed:
        out.append(f"column removed: {col}")
    for row in d.removed:
        out.append(f"- {row['mapping_id']} removed: {_row_label(row)}")
    for row in d.added:
        out.append(f"+ {row['mapping_id']} added: {_row_label(row)}")
    for rc in d.changed:
        out.append(f"~ {rc.mapping_id} changed ({', '.join(c.column for c in rc.changes)}): {rc.field}")
        for c in rc.changes:
            out.append(f"    {c.column}: {_q(c.old)} -> {_q(c.new)}")
    for mid in d.moved:
        out.append(f"> {mid} moved")
    if d.decisions:
        out.append(f"review decisions: {len(d.decisions)}")
        out += [f"  {x['mapping_id']}: {x['status'] or '(no status)'} by {x['reviewer'] or '(no reviewer)'}"
                f" on {x['review_date'] or '(no date)'} (was {x['was'] or '(no status)'})" for x in d.decisions]
    return "\n".join(out) + "\n"


def to_json(d: TableDiff) -> JSONObject:
    return {
        "old": d.old.name,
        "new": d.new.name,
        "identical": d.identical,
        "summary": {"added": len(d.added), "removed": len(d.removed), "changed": len(d.changed),
                    "moved": len(d.moved), "metadata": len(d.metadata)},
        "metadata": [{"key": c.column, "old": c.old if c.column in d.old.metadata else None,
                      "new": c.new if c.column in d.new.metadata else None} for c in d.metadata],
        # (copies, typed as JSON)
        "columns": {"added": list(d.columns_added), "removed": list(d.columns_removed)},
        "added": [dict(r) for r in d.added],
        "removed": [dict(r) for r in d.removed],
        "changed": [{"mapping_id": rc.mapping_id, "field": rc.field, "columns": [c.column for c in rc.changes],
                     "changes": [{"column": c.column, "old": c.old, "new": c.new} for c in rc.changes]}
                    for rc in d.changed],
        "moved": list(d.moved),
        "decisions": [dict(x) for x in d.decisions],
        "notes": [f.to_dict() for f in d.old.notes + d.new.notes],
    }


def render_json(d: TableDiff) -> str:
    return json.dumps(to_json(d), ensure_ascii=False, indent=2) + "\n"


def _md(value: str) -> str:
    return md_text(value) if value else "*(empty)*"


def render_markdown(d: TableDiff) -> str:
    """For a pull request description: one section per kind of change."""
    from .report import md_code

    old, new = (md_code(os.path.basename(t.name)) for t in (d.old, d.new))
    out = [f"### Mapping table changes: {old} → {new}", ""]
    if d.identical:
        return "\n".join([*out, "No differences.", ""])
    out += [_summary(d) + ".", ""]
    if d.metadata or d.columns_added or d.columns_removed:
        out += ["| Header | Old | New |", "|---|---|---|"]
        out += [f"| {md_code('#' + c.column)} | {_md(c.old)} | {_md(c.new)} |" for c in d.metadata]
        out += [f"| column {md_code(c)} | *(absent)* | added |" for c in d.columns_added]
        out += [f"| column {md_code(c)} | present | *(removed)* |" for c in d.columns_removed]
        out.append("")
    if d.added or d.removed:
        out += ["| | Row | Field | ISPM 12 box | Predicate |", "|---|---|---|---|---|"]
        for sign, rows in (("removed", d.removed), ("added", d.added)):
            for row in rows:
                out.append(f"| {sign} | {_md(row['mapping_id'])} | {md_code(row.get('field', ''))} | "
                           f"{_md(row.get('ispm12_box', ''))} | {_md(row.get('predicate', ''))} |")
        out.append("")
    if d.changed:
        out += ["| Row | Column | Old | New |", "|---|---|---|---|"]
        for rc in d.changed:
            for c in rc.changes:
                out.append(f"| {_md(rc.mapping_id)} {md_code(rc.field)} | {md_code(c.column)} | "
                           f"{_md(c.old)} | {_md(c.new)} |")
        out.append("")
    if d.moved:
        out += ["Moved: " + ", ".join(_md(m) for m in d.moved), ""]
    if d.decisions:
        out += ["Review decisions:", "", "| Row | Decision | Reviewer | Date | Was |", "|---|---|---|---|---|"]
        out += [f"| {_md(x['mapping_id'])} | {_md(x['status'])} | {_md(x['reviewer'])} | {_md(x['review_date'])} | "
                f"{_md(x['was'])} |" for x in d.decisions]
        out.append("")
    return "\n".join(out)
