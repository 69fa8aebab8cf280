"""The mapping table: one row per ISPM 12 element, read as plain strings.

Format: UTF-8 TSV. Lines starting with ``#`` before the header row are metadata
(``#key: value``; ``#prefix.ram: urn:…`` declares a path prefix; ``#default_ns.dip: urn:…``
the namespace of unprefixed names in a column). Every cell is a string: no YAML, no type
inference (Norway's ``NO`` stays ``NO``).

Rows form a tree through ``field``: ``items[]`` is a group; ``items[].descriptions[]`` is a
row under it, whose paths are relative to the group's element on each side.
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cached_property
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any, Union, cast

from ..findings import Finding, TableError
from ..reading import shapes
from ..tsv import load_cached, split_metadata, tsv_reader
from .codelists import CodeList, load_codelist
from .paths import Path, PathSyntaxError, parse_path

if TYPE_CHECKING:
    from pydantic import BaseModel

REQUIRED_COLUMNS = (
    "mapping_id",
    "ispm12_box",
    "field",
    "ephyto_path",
    "dip_path",
    "wco_id",
    "wco_class",
    "wco_name",
    "predicate",
    "codelist",
    "cardinality",
    "status",
    "author",
    "reviewer",
    "review_date",
    "justification",
    "comment",
)
PREDICATES = (
    "skos:exactMatch",
    "skos:closeMatch",
    "skos:broadMatch",
    "skos:narrowMatch",
    "skos:relatedMatch",
    "sssom:NoTermFound",
)
SIDES = ("ephyto", "dip")


class Rows(list["Row"]):
    """The rows of one context (the table's roots, a group's children), in table order, with
    what the mapping works out from them once (``plans``: read, write and sort plans per side
    and schema). The plans live and die with the table: no cache outside it to key or bound."""

    __slots__ = ("plans",)

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        super().__init__(rows)
        self.plans: dict[object, Any] = {}  # each planner keys its own


@dataclass
class Row:
    """One table row, with its compiled paths and its place in the model."""

    cells: dict[str, str]
    line: int
    field: str = ""
    attr: str = ""  # last field segment without []
    is_list: bool = False
    kind: str = ""  # "group" | "value" | "str"
    shape: type | None = None  # the field's class in ephyto_dip.reading.shapes (str for a plain string)
    parent: Row | None = None
    children: Rows = dc_field(default_factory=Rows)
    paths: dict[str, Path | None] = dc_field(default_factory=dict)
    codelist: CodeList | None = None
    id: str = dc_field(init=False, repr=False)  # the mapping_id: asked for on every element read

    def __post_init__(self) -> None:
        self.id = self.cells.get("mapping_id", "")


    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")

    @property
    def model_type(self) -> type | None:
        """The field's class in :mod:`ephyto_dip.reading.model` (``str`` for a plain string)."""
        if self.shape is None or self.shape is str:
            return self.shape
        from ..reading import model

        model_class: type = getattr(model, self.shape.__name__)
        return model_class

    @property
    def format_in_dip(self) -> str:
        """The format the DIP gives this value: ``dip_format`` where the DIP differs from the
        official ``wco_format`` (its reason in ``dip_format_reason``), else ``wco_format``."""
        return self["dip_format"] or self["wco_format"]

    def __repr__(self) -> str:  # pragma: no cover
        return f"Row({self.id} {self.field})"


@dataclass
class Table:
    path: str
    metadata: dict[str, str]
    columns: list[str]
    rows: list[Row]
    namespaces: dict[str, dict[str, str]]  # side -> prefix -> uri
    default_ns: dict[str, str | None]
    # what modules compute from the rows, once (each keys its own)
    derived: dict[object, Any] = dc_field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def roots(self) -> Rows:
        return Rows(r for r in self.rows if r.parent is None)


def default_table_path() -> FsPath:
    from ..resources import resource_path

    return resource_path("mappings", "ephyto-dip.tsv")


def load_table(path: str | os.PathLike[str] | None = None) -> Table:
    """Load (and cache per process) the table at ``path`` or the shipped one."""
    return load_cached(path or default_table_path(), parse_table, "table")


def parse_table(text: str, name: str = "<table>", strict: bool = True) -> Table:
    metadata, body, body_start = split_metadata(text)
    reader = tsv_reader(body)
    try:
        header = next(reader)
    except StopIteration:
        raise TableError(Finding("TABLE-SYNTAX", "table has no header row", file=name)) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if len(missing) == len(REQUIRED_COLUMNS):  # e.g. --table pointing at a certificate or another table
        found = ", ".join(header[:3]) + (", …" if len(header) > 3 else "")
        raise TableError(Finding("TABLE-SYNTAX", f"not a mapping table: the header row has none of its columns "
                                 f"({', '.join(REQUIRED_COLUMNS[:3])}, …; found {found[:80] or 'nothing'})",
                                 file=name, line=body_start + 1))
    if missing:
        raise TableError(Finding("TABLE-SYNTAX", f"missing columns: {', '.join(missing)}", file=name))
    namespaces: dict[str, dict[str, str]] = {s: {} for s in SIDES}
    default_ns: dict[str, str | None] = dict.fromkeys(SIDES)
    for key, value in metadata.items():
        if key.startswith("prefix."):
            _, side, prefix = key.split(".", 2)
            namespaces.setdefault(side, {})[prefix] = value
        elif key.startswith("default_ns."):
            default_ns[key.split(".", 1)[1]] = value
    rows: list[Row] = []
    errors: list[Finding] = []
    # (side, cell) -> its Path: a Path is immutable and computes only pure values, so rows
    # with the same cell (~2/3 of them: "ram:ID", ".", …) share one, parsed and compiled once
    parsed: dict[tuple[str, str], Path] = {}
    for n, cells in enumerate(reader, start=body_start + 2):
        if not "".join(cells).strip():  # (blank cells only; a join beats a generator per cell)
            continue
        if len(cells) != len(header):
            errors.append(
                Finding("TABLE-SYNTAX", f"{len(cells)} cells, header has {len(header)}", file=name, line=n)
            )
            continue
        row = Row(cells=dict(zip(header, map(str.strip, cells), strict=False)), line=n)
        try:
            _compile_row(row, namespaces, default_ns, parsed)
        except (PathSyntaxError, TableError, ValueError) as exc:
            msg = exc.findings[0].message if isinstance(exc, TableError) else str(exc)
            errors.append(Finding("TABLE-SYNTAX", msg, file=name, line=n, mapping_id=row.id))
            continue
        rows.append(row)
    table = Table(name, metadata, header, rows, namespaces, default_ns)
    errors.extend(_link(table, name))
    if errors and strict:
        raise TableError(errors)
    return table


def _compile_row(row: Row, namespaces: dict[str, dict[str, str]], default_ns: dict[str, str | None],
                 parsed: dict[tuple[str, str], Path]) -> None:
    row.field = row["field"]
    if not row.id:
        raise ValueError("empty mapping_id")
    for side in SIDES:
        cell = row[f"{side}_path"]
        if not cell:
            row.paths[side] = None
            continue
        path = parsed.get((side, cell))
        if path is None:  # (a cell that does not parse raises here again for every row that has it)
            path = parsed[(side, cell)] = parse_path(cell, namespaces.get(side, {}), default_ns.get(side))
        row.paths[side] = path
    if row["codelist"]:
        row.codelist = load_codelist(row["codelist"])


def _link(table: Table, name: str) -> list[Finding]:
    """Attach each row to its group parent and resolve its model type."""
    errors = []
    groups: dict[str, Row] = {}
    seen_ids: set[str] = set()
    for row in table.rows:
        if row.id in seen_ids:
            errors.append(Finding("TABLE-SYNTAX", f"duplicate mapping_id {row.id}", file=name, line=row.line))
        seen_ids.add(row.id)
        parent_field, _, last = row.field.rpartition(".")
        row.attr = last[:-2] if last.endswith("[]") else last
        row.is_list = last.endswith("[]")
        parent = None
        if parent_field:
            parent = groups.get(parent_field)
            if parent is None:
                errors.append(
                    Finding(
                        "TABLE-FIELD",
                        f"field {row.field} has no group row for {parent_field} above it",
                        file=name,
                        line=row.line,
                        mapping_id=row.id,
                    )
                )
                continue
        owner = parent.shape if parent else shapes.Certificate
        assert owner is not None and issubclass(owner, shapes.Shape)  # a group row's shape is its class
        try:
            row.shape, declared_list = shape_field(owner, row.attr)
        except KeyError:
            errors.append(
                Finding(
                    "TABLE-FIELD",
                    f"{owner.__name__} has no field {row.attr!r}",
                    file=name,
                    line=row.line,
                    mapping_id=row.id,
                )
            )
            continue
        if declared_list != row.is_list:
            errors.append(
                Finding(
                    "TABLE-FIELD",
                    f"field {row.field}: the model {'is' if declared_list else 'is not'} a list",
                    file=name,
                    line=row.line,
                    mapping_id=row.id,
                )
            )
            continue
        if isinstance(row.shape, type) and issubclass(row.shape, shapes.Value):
            row.kind = "value"
        elif isinstance(row.shape, type) and issubclass(row.shape, shapes.Shape):
            row.kind = "group"
            groups[row.field] = row
        else:
            row.kind = "str"
        row.parent = parent
        if parent:
            parent.children.append(row)
    return errors


def shape_field(owner: type[shapes.Shape], attr: str) -> tuple[type, bool]:
    """(element type, is_list) of ``owner.attr`` for a class of :mod:`ephyto_dip.reading.shapes`."""
    typ, is_list, _ = owner.FIELDS[attr]
    return typ, is_list


def field_type(owner: type[BaseModel], attr: str) -> tuple[type, bool]:
    """(element type, is_list) of ``owner.attr``, looking through Optional and list."""
    info = owner.model_fields[attr]
    ann = info.annotation
    is_list = False
    while True:
        origin = typing.get_origin(ann)
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            ann = args[0]
        elif origin is list:
            is_list = True
            ann = typing.get_args(ann)[0]
        else:
            break
    assert ann is not None  # every field is annotated
    # (a class by now; newer typeshed types get_args' items as type forms, older as Any)
    return cast(type, ann), is_list
