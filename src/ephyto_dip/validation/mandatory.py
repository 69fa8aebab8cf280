"""The ISPM 12 boxes a certificate must fill, read from ``mappings/ispm12-boxes.tsv``.

A box row with ``must_fill`` (``certificate`` or ``item``) names the model paths that fill it
(``fill_paths``): ``a | b`` means either will do, ``x ; y`` that both are needed, and
``label= paths`` names a part in the finding. A list field is filled when any element holds a
value; an object when any value under it does. Adding a mandatory box is a table edit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..findings import Finding, TableError
from ..reading.doctypes import model_certificate
from ..reading.shapes import field_names, is_value
from ..tsv import load_cached, split_metadata, tsv_dict_reader

if TYPE_CHECKING:
    from ..reading import model as m

SCOPES = ("certificate", "item")
KINDS = ("export", "re-export", "replacement")


@dataclass(frozen=True)
class Part:
    """One thing a box needs: any of ``paths`` holding a value fills it."""

    label: str | None
    paths: tuple[tuple[str, ...], ...]  # each path split into field names


@dataclass(frozen=True)
class MandatoryBox:
    box: str
    scope: str  # certificate | item
    parts: tuple[Part, ...]
    required_for: tuple[str, ...]
    omission: str


def default_path() -> Path:
    from ..resources import resource_path

    return resource_path("mappings", "ispm12-boxes.tsv")


def load_mandatory(path: str | Path | None = None) -> tuple[MandatoryBox, ...]:
    """The boxes with a content rule (cached per file and modification time)."""
    return load_cached(path or default_path(), parse_mandatory, "ISPM 12 box list")


def parse_mandatory(text: str, name: str) -> tuple[MandatoryBox, ...]:
    _, body, start = split_metadata(text)
    boxes, errors = [], []
    reader = tsv_dict_reader(body)
    for n, r in enumerate(reader, start=start + 2):
        scope = (r.get("must_fill") or "").strip()
        if not scope:
            continue
        box = (r.get("box") or "").strip()
        where: dict[str, Any] = {"file": name, "line": n}
        if scope not in SCOPES:
            errors.append(Finding("TABLE-SYNTAX", f"box {box!r}: must_fill is {scope!r}, not one of "
                                  f"{', '.join(SCOPES)}", **where))
            continue
        try:
            parts = tuple(_part(p) for p in (r.get("fill_paths") or "").split(";") if p.strip())
        except ValueError as exc:
            errors.append(Finding("TABLE-SYNTAX", f"box {box!r}: fill_paths {exc}", **where))
            continue
        if not parts:
            errors.append(Finding("TABLE-SYNTAX", f"box {box!r}: must_fill without fill_paths", **where))
            continue
        kinds = tuple((r.get("required_for") or "").split())
        boxes.append(MandatoryBox(box, scope, parts, kinds, (r.get("omission") or "").strip()))
    if errors:
        raise TableError(errors)
    return tuple(boxes)


def _part(text: str) -> Part:
    label, sep, paths = text.partition("=")
    if not sep:
        label, paths = "", text
    split = []
    for p in paths.split("|"):
        fields = tuple(p.strip().split("."))
        if not all(f.isidentifier() for f in fields):
            raise ValueError(f"has a path that is not dotted field names: {p.strip()!r}")
        split.append(fields)
    return Part(label.strip() or None, tuple(split))


def kinds_of(cert: m.Certificate) -> set[str]:
    """Which certificate a box list applies to: export (851, or an unknown type), re-export (657),
    and replacement when the certificate says it replaces another."""
    kinds = {model_certificate(cert.type_code.value if cert.type_code else None)}
    if filled(cert.replacement):
        kinds.add("replacement")
    return kinds


# ------------------------------------------------------------------------- filled or not


# the functions below take the model (ephyto_dip.reading.model) or its shape (ephyto_dip.reading.shapes) alike


def blank(v: object) -> bool:
    """A value that is absent, empty, or the NULL placeholder."""
    t = v.value.strip() if is_value(v) else ""
    return not t or t.upper() == "NULL"


def filled(obj: object) -> bool:
    if obj is None:
        return False
    if isinstance(obj, list):
        for o in obj:  # noqa: SIM110  (a loop: cheaper than any() over a generator, on every conversion)
            if filled(o):
                return True
        return False
    if is_value(obj):
        return not blank(obj)
    names = field_names(type(obj))
    if names:
        d = obj.__dict__  # the fields' values (extra fields are forbidden)
        for f in names:
            v = d[f]
            if v is not None and not (v.__class__ is list and not v) and filled(v):
                return True
        return False
    return False


def resolve(obj: object, fields: tuple[str, ...]) -> list[object]:
    """Every object at ``fields`` below ``obj`` (lists flattened)."""
    found = [obj]
    for f in fields:
        nxt: list[object] = []
        for o in found:
            v = getattr(o, f, None)
            nxt.extend(v if isinstance(v, list) else [] if v is None else [v])
        found = nxt
    return found


def point(obj: object, fields: tuple[str, ...], base: str) -> str:
    """The model path a finding about ``fields`` points at: first elements of lists that have
    any, stopping at the first missing step (the locator finds the nearest element there)."""
    path = base
    for f in fields:
        path = f"{path}.{f}" if path else f
        v = getattr(obj, f, None) if obj is not None else None
        if isinstance(v, list):
            if not v:
                return path
            path, v = f"{path}[0]", v[0]
        if v is None:
            return path
        obj = v
    return path


def missing(cert: m.Certificate, boxes: tuple[MandatoryBox, ...]) -> Iterator[tuple[str, str]]:
    """(model path, message) for every part of a mandatory box the certificate leaves empty."""
    kinds = kinds_of(cert)
    for box in boxes:
        if box.required_for and not kinds & set(box.required_for):
            continue
        scopes: list[tuple[str, object]]
        if box.scope == "certificate":
            scopes = [("", cert)]
        else:
            scopes = [(f"items[{i}]", item) for i, item in enumerate(cert.items)]
        for base, obj in scopes:
            for part in box.parts:
                if any(filled(resolve(obj, p)) for p in part.paths):
                    continue
                alternatives = " or ".join(".".join(p) for p in part.paths)
                what = f" ({part.label})" if part.label else ""
                where = f"{base}: " if base else ""
                yield point(obj, part.paths[0], base), (
                    f"{where}ISPM 12 box '{box.box}'{what} is missing or empty (no {alternatives})")
