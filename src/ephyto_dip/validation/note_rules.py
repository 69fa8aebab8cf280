"""Which notes of a replacement or re-export certificate must come together, from
``mappings/note-rules.tsv``; the field each acronym fills comes from the element table, so an
acronym is named once in each table and nowhere in code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, TableError
from ..mapping.table import Table, load_table
from ..tsv import load_cached, split_metadata, tsv_dict_reader

GROUPS = {"replacement": "replacement", "re-export": "items[].re_export"}  # group -> model field prefix
IF_MISSING = ("error", "warning", "core", "")
_SUBJECT = re.compile(r"\[ram:Subject='([^']+)'\]")


@dataclass(frozen=True)
class NoteRule:
    group: str
    acronym: str
    field: str  # the field of Replacement or ReExport that the acronym's notes fill
    if_missing: str
    holds: str


def default_path() -> Path:
    from ..resources import resource_path

    return resource_path("mappings", "note-rules.tsv")


def _fields_by_acronym(table: Table) -> dict[tuple[str, str], str]:
    out = {}
    # (compiled once per call, not looked up in re's cache for every row and group)
    fields = {group: re.compile(re.escape(prefix) + r"\.(\w+)\[\]") for group, prefix in GROUPS.items()}
    for row in table.rows:
        for group, field in fields.items():
            m = field.fullmatch(row.field)
            hit = _SUBJECT.search(row["ephyto_path"]) if m else None
            if m and hit:
                out[(group, hit.group(1))] = m.group(1)
    return out


def parse_note_rules(text: str, name: str, table: Table | None = None) -> dict[str, tuple[NoteRule, ...]]:
    fields = _fields_by_acronym(table or load_table())
    _, body, start = split_metadata(text)
    rules: dict[str, list[NoteRule]] = {g: [] for g in GROUPS}
    errors = []
    for n, r in enumerate(tsv_dict_reader(body), start=start + 2):
        group, acronym, if_missing = ((r.get(k) or "").strip() for k in ("group", "acronym", "if_missing"))
        if not group and not acronym:
            continue
        if group not in GROUPS or if_missing not in IF_MISSING:
            errors.append(Finding("TABLE-SYNTAX", f"note rule {acronym!r}: group must be one of "
                                  f"{', '.join(GROUPS)} and if_missing one of error, warning, core or empty",
                                  file=name, line=n))
            continue
        field = fields.get((group, acronym))
        if field is None:
            errors.append(Finding("TABLE-SYNTAX", f"note rule {acronym!r}: no row of the element table reads "
                                  f"{group} notes with Subject {acronym!r} into a {GROUPS[group]}.* field",
                                  file=name, line=n))
            continue
        rules[group].append(NoteRule(group, acronym, field, if_missing, (r.get("holds") or "").strip()))
    if errors:
        raise TableError(errors)
    return {g: tuple(v) for g, v in rules.items()}


def note_rules(path: str | Path | None = None) -> dict[str, tuple[NoteRule, ...]]:
    """The shipped rules (or those at ``path``), parsed once per file and modification."""
    return load_cached(path or default_path(), parse_note_rules, "note rules")
