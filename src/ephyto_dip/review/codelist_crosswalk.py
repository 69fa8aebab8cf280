"""Code-list crosswalks (``mappings/codelist-crosswalks.tsv``): each ePhyto code list, the DIP's
list it becomes, the rows it concerns, and how: through a per-code table the converter reads
(``mappings/codelists/*.tsv``) or unchanged (the same list on both sides). Reviewed like the
element table (status, reviewer, review_date, comment). Nothing here translates a code: this
checks that the crosswalk says what the element table and the bundled code lists do.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from ..findings import ERROR, Finding, TableError
from ..mapping.table import Table
from ..tsv import load_cached, split_metadata, tsv_reader
from .markdown import md_text

FILE = "codelist-crosswalks.tsv"
COLUMNS = ("list", "ephyto_codes", "wco_codes", "mapping_ids", "translation", "code_source", "predicate",
           "justification", "status", "reviewer", "review_date", "comment")
UNCHANGED = "unchanged"


def _parse(text: str, name: str) -> list[tuple[int, dict[str, str]]]:
    _meta, body, start = split_metadata(text)
    rows = list(tsv_reader(body))
    header = rows[0] if rows else []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise TableError(Finding("TABLE-SYNTAX", f"the code-list crosswalk lacks the column(s) {', '.join(missing)}",
                                 file=name, line=start + 1))
    return [(i, dict(zip(header, cells, strict=False)))  # a short row lacks its last cells
            for i, cells in enumerate(rows[1:], start=start + 2) if any(cells)]


def load(path: FsPath) -> list[tuple[int, dict[str, str]]]:
    return load_cached(path, _parse, "code-list crosswalk")


def check_codelist_crosswalk(table: Table, path: FsPath) -> list[Finding]:
    """TABLE-CODELIST findings: the crosswalk disagrees with the table's codelist column or the bundle."""
    from ..resources import resource_path

    try:
        rows = load(path)
    except TableError as exc:
        return list(exc.findings)
    by_id = {r.id: r for r in table.rows}
    out: list[Finding] = []

    def bad(msg: str, line: int, mapping_id: str | None = None) -> None:
        out.append(Finding("TABLE-CODELIST", msg, severity=ERROR, file=str(path), line=line, mapping_id=mapping_id))

    for line, c in rows:
        ids = c["mapping_ids"].split()
        for i in ids:
            if i not in by_id:
                bad(f"code list {c['list']}: {i} is not a row of the element table", line, i)
        translation = c["translation"].strip()
        if translation == UNCHANGED:
            for i in ids:
                if i in by_id and by_id[i]["codelist"]:
                    bad(f"code list {c['list']} says unchanged, but {i} translates through code list "
                        f"{by_id[i]['codelist']}", line, i)
        else:
            name = FsPath(translation).stem
            if not (path.parent / translation).is_file():
                bad(f"code list {c['list']}: translation {translation} does not exist", line)
            naming = {r.id for r in table.rows if r["codelist"] == name}
            for i in sorted(naming - set(ids)):
                bad(f"code list {c['list']}: {i} translates through {name} but is not in mapping_ids", line, i)
            for i in sorted(set(ids) & set(by_id) - naming):
                bad(f"code list {c['list']}: {i} is in mapping_ids but its codelist column is "
                    f"{by_id[i]['codelist'] or '(empty)'}", line, i)
        for f in c["code_source"].split():
            if not resource_path("schemas", "codelists", f).is_file():
                bad(f"code list {c['list']}: code source {f} is not bundled in schemas/codelists/", line)
    return out


def markdown(path: FsPath) -> str:
    """The code-list crosswalks as a section of docs/crosswalk.md."""
    def md(t: str) -> str:
        return md_text(t or "", keep_markup=True)

    lines = ["## Code-list crosswalks", "",
             f"From `mappings/{FsPath(path).name}`: how each ePhyto code list becomes the DIP's. A translation table "
             "(`mappings/codelists/`) is read by the converter and has review columns per code; *unchanged* means "
             "the same list on both sides, the code carried as sent and checked by `validate` against the bundled "
             "list (`schemas/codelists/`).", "",
             "| list | ePhyto codes | WCO / DIP codes | translation | predicate | rows | justification | review |",
             "|---|---|---|---|---|---|---|---|"]
    for _line, c in load(path):
        review = " ".join(x for x in (c["status"], c["reviewer"], c["review_date"]) if x)
        lines.append(f"| {md(c['list'])} | {md(c['ephyto_codes'])} | {md(c['wco_codes'])} | {md(c['translation'])} | "
                     f"{c['predicate']} | {' '.join(c['mapping_ids'].split())} | {md(c['justification'])} | "
                     f"{md(review)} |")
    lines.append("")
    return "\n".join(lines)
