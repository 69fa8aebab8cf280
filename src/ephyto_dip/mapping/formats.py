"""Values longer than their official WCO format (the table's ``wco_format``).

The DIP carries such a value whole under its own, wider ``dip_format`` (the row says why);
a receiver that holds only the WCO format would have to cut it, so each one is named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TypeVar

from ..reading.shapes import HasValue
from .table import Row, Table, load_table

_INDEX = re.compile(r"\[\d+\]")
_FIELDS: dict[str, str] = {}  # model path -> its table field, remembered (bounded)
V = TypeVar("V", bound=HasValue)  # a value of the model or of its shape
_FORMAT = re.compile(r"^(a|n|an)(\.\.)?(\d+)(?:,(\d+))?$")


def parse_format(fmt: str) -> tuple[str, bool, int, int] | None:
    """``(kind, up_to, size, fraction digits)`` of a WCO format (``an..70`` → ("an", True, 70, 0)), or None."""
    mt = _FORMAT.match(fmt or "")
    return (mt.group(1), bool(mt.group(2)), int(mt.group(3)), int(mt.group(4) or 0)) if mt else None


def format_wider(fmt: str, than: str) -> bool:
    """Whether format ``fmt`` allows more than ``than`` (an..512 > an..70; n..16,6 > n..8)."""
    a, b = parse_format(fmt), parse_format(than)
    return a is not None and b is not None and (a[2] > b[2] or a[3] > b[3])


def widened_rows(table: Table) -> dict[str, tuple[Row, int, int]]:
    """field -> (row, maximum length or digits, fraction digits) for rows the DIP widens."""
    cached: dict[str, tuple[Row, int, int]] | None = table.derived.get(__name__)
    if cached is not None:
        return cached
    out: dict[str, tuple[Row, int, int]] = {}
    for row in table.rows:
        if row.kind != "value" or not row["dip_format"]:  # (most rows: no format to parse)
            continue
        official = parse_format(row["wco_format"])
        if official is not None:
            out[row.field] = (row, official[2], official[3])
    table.derived[__name__] = out
    return out


def too_long(values: Iterable[tuple[str, V]], table: Table | None = None
             ) -> Iterator[tuple[str, V, Row, str]]:
    """``(model path, value, row, what exceeds)`` for each value beyond its WCO format."""
    limits = widened_rows(table or load_table())
    if not limits:
        return
    fields = _FIELDS
    for path, v in values:
        field = fields.get(path)
        if field is None:  # model path -> table field ("items[0].x" -> "items[].x"); paths repeat
            if len(fields) >= 8192:
                fields.clear()
            field = fields[path] = _INDEX.sub("[]", path)
        hit = limits.get(field)
        if hit is None:
            continue
        row, size, fraction = hit
        text = v.value.strip()
        if row["wco_format"].startswith("n"):
            whole, _, frac = text.lstrip("+-").partition(".")
            frac = frac.rstrip("0")
            if len(whole.lstrip("0")) + len(frac) > size or len(frac) > fraction:
                yield path, v, row, f"{text} has more digits than {row['wco_format']}"
        elif len(v.value) > size:
            yield path, v, row, f"{len(v.value)} characters, more than {row['wco_format']}"
