"""What every rule shares: the checker collecting findings by model path, placing them in the
input, and the walks over the model's values."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from ..findings import ERROR, Finding, Severity
from ..reading.shapes import field_names, is_value
from .mandatory import blank

if TYPE_CHECKING:
    from ..codes import FindingCode
    from ..mapping.locate import Location
    from ..reading import model as m



Locate = Callable[[str], "Location | None"]  # model path -> Location (.line, .xpath, .exact, .mapping_id)

class Checker:
    def __init__(self, name: str):
        self.name = name
        self.findings: list[Finding] = []

    def add(self, code: FindingCode, message: str, path: str, severity: Severity = ERROR, value: str | None = None
            ) -> None:
        self.findings.append(Finding(code, message, severity=severity, file=self.name, xpath=path, value=value))


def place(f: Finding, locate: Locate) -> Finding:
    """The finding with the line and XPath of its model path in the input."""
    loc = locate(f.xpath) if f.xpath else None
    if loc is None or f.xpath is None:
        return f
    message, mapping_id = f.message, f.mapping_id
    if not loc.exact:  # the box is missing: point at the nearest element, keep the model path
        if f.xpath not in message:
            message = f"{message} (model path {f.xpath})"
    elif loc.mapping_id:
        mapping_id = loc.mapping_id
    return replace(f, line=loc.line, message=message, mapping_id=mapping_id, xpath=loc.xpath)


# ------------------------------------------------------------------------------- helpers


def value_text(v: object) -> str:
    return v.value.strip() if is_value(v) else ""


def _get(obj: object, dotted: str) -> object:
    for part in dotted.split("."):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def iter_values(obj: object, path: str = "") -> Iterator[tuple[str, m.Value]]:
    """Every leaf value of a model with its model path (``items[0].net_weight``)."""
    out: list[tuple[str, m.Value]] = []
    _collect_values(obj, path, out)
    return iter(out)


_VALUE, _GROUP = 1, 2
_KINDS: dict[type, int] = {}  # class -> _VALUE, _GROUP or 0


def _kind(cls: type) -> int:
    k = _KINDS.get(cls)
    if k is None:
        k = _KINDS[cls] = _VALUE if isinstance(getattr(cls, "XML_ATTRIBUTES", None), dict) else \
            _GROUP if field_names(cls) else 0
    return k


def _collect_values(obj: object, path: str, out: list[tuple[str, m.Value]]) -> None:
    # a certificate is mostly empty lists and None: read the instance dict, skip those first
    names = field_names(type(obj))
    d = obj.__dict__
    prefix = f"{path}." if path else ""
    for fname in names:
        val = d[fname]
        if val is None:
            continue
        if isinstance(val, list):
            if not val:
                continue
            here = prefix + fname
            for i, item in enumerate(val):
                k = _kind(type(item))
                if k == _VALUE:
                    out.append((f"{here}[{i}]", item))
                elif k == _GROUP:
                    _collect_values(item, f"{here}[{i}]", out)
        else:
            k = _kind(type(val))
            if k == _VALUE:
                out.append((prefix + fname, val))
            elif k == _GROUP:
                _collect_values(val, prefix + fname, out)


def note_texts(notes: list[m.Note], path: str) -> Iterator[tuple[str, m.Text]]:
    for i, note in enumerate(notes):
        for j, c in enumerate(note.contents):
            yield f"{path}[{i}].contents[{j}]", c


def notes_filled(notes: list[m.Note]) -> bool:
    return any(not blank(c) for n in notes for c in [*n.contents, *n.content_codes])


def item_level(cert: m.Certificate) -> Iterator[tuple[str, m.TradeLineItem]]:
    for i, item in enumerate(cert.items):
        yield f"items[{i}]", item
