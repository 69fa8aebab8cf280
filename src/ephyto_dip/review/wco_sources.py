"""The WCO-annotated element lists the table's WCO claims are checked against (``TABLE-WCO``).

A row that claims a WCO ID cites its evidence in the ``source`` column as ``<label> <path>``
(``HMRC DEC 3.6 /Declaration/Exporter/ID``); the labels, files and column names are data, in
``mappings/wco-sources.tsv``. :func:`check_wco_claims` looks every citation up and compares the
row's ``wco_id``, ``wco_name``, class and ``wco_format`` with the list's, so that no WCO claim of
the table rests on trust. A row without a WCO ID must say which lists were searched
(``searched: HMRC DEC 3.6, HMRC RES 3.6, EU ICS2, ...``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..findings import Finding, TableError
from ..mapping.table import Row, Table
from ..resources import resource_path
from ..tsv import read_table_text, split_metadata, tsv_reader

CLASS_ID = re.compile(r"\d\d[A-Z]$")
ROOT = "(root)"
SEARCHED = "searched:"
REGISTRY_COLUMNS = ("label", "file", "path_column", "id_column", "name_column", "format_column", "class_column",
                    "format_is_official", "search_required")


@dataclass(frozen=True)
class WcoElement:
    """One element of a WCO-annotated list: where it sits and what the list says of it."""

    source: str  # the list's label
    path: str
    wco_id: str
    name: str
    format: str
    class_id: str  # enclosing class ID, or ROOT
    format_is_official: bool


@dataclass(frozen=True)
class WcoSource:
    label: str
    file: str
    format_is_official: bool
    search_required: bool
    elements: dict[str, WcoElement]


def _registry_path() -> Path:
    return resource_path("mappings", "wco-sources.tsv")


@lru_cache(maxsize=4)
def load_sources(registry: str | None = None) -> tuple[WcoSource, ...]:
    """Every list named in the registry, loaded; ``TableError`` when one cannot be read."""
    path = Path(registry) if registry else _registry_path()
    _, body, _ = split_metadata(read_table_text(path, "WCO source registry"))
    rows = list(tsv_reader(body))
    header, entries = (rows[0], rows[1:]) if rows else ([], [])
    absent = [c for c in REGISTRY_COLUMNS if c not in header]
    if absent:
        raise TableError(Finding("TABLE-SYNTAX", f"the WCO source registry needs the columns {', '.join(absent)}",
                                 file=str(path)))
    out = []
    for cells in entries:
        if not any(cells):
            continue
        spec = dict(zip(header, cells, strict=False))
        out.append(_load_list(spec, path))
    return tuple(out)


def _load_list(spec: dict[str, str], registry: Path) -> WcoSource:
    file = resource_path(*spec["file"].split("/"))
    _, body, _ = split_metadata(read_table_text(file, f"WCO element list {spec['label']}"))
    rows = list(tsv_reader(body))
    header = rows[0] if rows else []
    missing = [spec[k] for k in ("path_column", "id_column", "name_column", "format_column", "class_column")
               if spec.get(k) and spec[k] not in header]
    if missing:
        raise TableError(Finding("TABLE-SYNTAX", f"WCO element list {spec['label']} has no column "
                                 f"{', '.join(missing)} (as {registry.name} says)", file=str(file), line=1))
    official = spec["format_is_official"] == "yes"
    records = [dict(zip(header, cells, strict=False)) for cells in rows[1:] if any(cells)]
    ids = {r[spec["path_column"]]: r[spec["id_column"]] for r in records}
    elements: dict[str, WcoElement] = {}
    for r in records:
        p = r[spec["path_column"]]
        cls = (r.get(spec["class_column"], "") or ROOT) if spec["class_column"] else _enclosing_class(p, ids)
        elements[p] = WcoElement(spec["label"], p, r[spec["id_column"]], r[spec["name_column"]],
                                 r[spec["format_column"]], cls, official)
    return WcoSource(spec["label"], spec["file"], official, spec["search_required"] == "yes", elements)


def _enclosing_class(path: str, ids: dict[str, str]) -> str:
    """The ID of the nearest ancestor that is a class; ROOT for an element of the list's root."""
    lead = "/" if path.startswith("/") else ""
    parts = path.strip("/").split("/")
    for end in range(len(parts) - 1, 1, -1):
        wid = ids.get(lead + "/".join(parts[:end]), "")
        if CLASS_ID.match(wid):
            return wid
    return ROOT  # the document root (/Declaration, /Response, CIS) stands for the DIP's own root


def citations(row: Row) -> list[str]:
    return [c.strip() for c in row["source"].split(";") if c.strip()]


def _cited(citation: str, sources: Iterable[WcoSource]) -> tuple[WcoSource, str] | None:
    for src in sources:
        if citation.startswith(src.label + " "):
            rest = citation[len(src.label) + 1:].strip()
            return src, rest.split()[0] if rest else ""
    return None


def cites_element(row: Row) -> bool:
    """Does the row cite an element of a bundled list (rather than a record of a search)?"""
    sources = load_sources()
    return any(_cited(c, sources) for c in citations(row))


def row_class_id(row: Row) -> str:
    cls = row["wco_class"].strip()
    if cls.endswith(ROOT):
        return ROOT
    return cls.split()[0] if cls else ""


def check_wco_claims(table: Table, name: str = "<table>", registry: str | None = None) -> list[Finding]:
    """TABLE-WCO: every WCO claim agrees with a bundled WCO-annotated list it cites."""
    sources = load_sources(registry)
    labels = [s.label for s in sources]
    required = [s.label for s in sources if s.search_required]
    out: list[Finding] = []

    def add(row: Row, msg: str) -> None:
        out.append(Finding("TABLE-WCO", msg, file=name, line=row.line, mapping_id=row.id))

    for row in table.rows:
        if not row["wco_id"]:
            searched = [c for c in citations(row) if c.startswith(SEARCHED)]
            if not searched and _unnumbered(row, sources, add):
                continue
            if row["wco_class"] or row["wco_name"]:
                add(row, "wco_class or wco_name without a wco_id")
            if not searched:
                add(row, f"no WCO ID and no record of the lists searched (source: \"{SEARCHED} "
                    f"{', '.join(required)}; looked for: ...\")")
            else:
                missed = [lb for lb in required if lb not in searched[0]]
                if missed:
                    add(row, f"no WCO ID, but the search did not cover {', '.join(missed)}")
            continue
        found: list[WcoElement] = []
        for c in citations(row):
            if c.startswith(SEARCHED):
                continue
            hit = _cited(c, sources)
            if hit is None:
                add(row, f"source {c[:60]!r} is not one of the bundled WCO lists ({', '.join(labels)})")
                continue
            src, path = hit
            el = src.elements.get(path)
            if el is None:
                add(row, f"{src.label} has no element {path}")
            elif el.wco_id != row["wco_id"]:
                add(row, f"{src.label} {path} is WCO ID {el.wco_id}, not {row['wco_id']}")
            else:
                found.append(el)
        if not found:
            if not any(f.mapping_id == row.id for f in out):
                add(row, f"WCO ID {row['wco_id']} cites no element of a bundled WCO list")
            continue
        _compare(row, found, add)
    return out


def _unnumbered(row: Row, sources: tuple[WcoSource, ...], add: Callable[[Row, str], None]) -> bool:
    """A WCO DM element that the annotated schema gives no WCO ID (HMRC's Classification
    IdentificationTypeCode): the row cites it; its class and format are still checked."""
    cited = [c for c in citations(row) if _cited(c, sources)]
    if not cited:
        return False
    for c in cited:
        src, path = _cited(c, sources)  # type: ignore[misc]  # not None: cited keeps those it finds
        el = src.elements.get(path)
        if el is None:
            add(row, f"{src.label} has no element {path}")
        elif el.wco_id:
            add(row, f"{src.label} {path} is WCO ID {el.wco_id}: put it in wco_id")
        else:
            _compare(row, [el], add)
    return True


def _same_name(a: str, b: str) -> bool:
    """Names compared as words: the lists write "Exporter - name", "Country(ies ) of routing"."""
    def words(s: str) -> str:
        return " ".join(re.sub(r"[^0-9a-z]+", " ", s.casefold()).split())
    return words(a) == words(b)


def _compare(row: Row, found: list[WcoElement], add: Callable[[Row, str], None]) -> None:
    wid = row["wco_id"]
    names = {el.name for el in found}
    if not any(_same_name(row["wco_name"], n) for n in names):
        add(row, f"wco_name {row['wco_name']!r} is not the name the sources give {wid} "
            f"({' / '.join(sorted(names))})")
    want = row_class_id(row)
    classes = {wid} if wid and CLASS_ID.match(wid) else {el.class_id for el in found}
    if want not in classes:
        add(row, f"wco_class {row['wco_class']!r}: the cited {wid} sits in {' / '.join(sorted(classes))}")
    official = [el for el in found if el.format_is_official]
    formats = {el.format for el in (official or found)}
    if row["wco_format"] not in formats:
        kind = "the WCO format" if official else f"the only format held ({found[0].source}'s restriction)"
        add(row, f"wco_format {row['wco_format'] or '(empty)'} is not {kind} of {wid}: "
            f"{' / '.join(sorted(f or '(none)' for f in formats))}")
