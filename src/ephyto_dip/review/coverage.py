"""``check``: every model field has a row (``TABLE-FIELD``) and every ISPM 12 box a row that
carries it on both sides (``TABLE-BOX``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FsPath

from pydantic import BaseModel

from ..findings import Finding, TableError
from ..mapping.table import Table, field_type
from ..reading import model as m
from ..tsv import read_table_text, tsv_dict_reader

# Model fields deliberately without a row: field path -> reason. There should be none.
UNMAPPED_FIELDS: dict[str, str] = {}


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
                walk(t, path + ".", (*stack, t))

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
    from ..resources import resource_path

    return resource_path("mappings", "ispm12-boxes.tsv")


def load_boxes(path: str | FsPath | None = None) -> list[Box]:
    """The ISPM 12 boxes a table must cover (``mappings/ispm12-boxes.tsv``)."""
    p = FsPath(path) if path else default_boxes_path()
    text = read_table_text(p, "box list")
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if not ln.startswith("#")), len(lines))
    reader = tsv_dict_reader(lines[start:])
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
