"""The TSV convention every table of the project shares (mapping table, code lists,
exclusions, attach rules): ``#key: value`` metadata lines, then a header row and rows of
tab-separated cells. Every cell is a string; nothing is typed or inferred."""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from .findings import Finding, TableError

T = TypeVar("T")


def split_metadata(text: str) -> tuple[dict[str, str], list[str], int]:
    """``(metadata, body lines, index of the first body line)`` of a table's text."""
    lines = text.splitlines()
    metadata: dict[str, str] = {}
    start = len(lines)
    for i, line in enumerate(lines):
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if key.strip():
                metadata[key.strip()] = value.strip()
            continue
        start = i
        break
    return metadata, lines[start:], start


def tsv_reader(body: list[str]) -> Iterator[list[str]]:
    """The rows of the body: tab-separated, no quoting (cells may hold quotes), as a csv reader
    over its lines reads them (an empty line is an empty row; a last empty line is no row)."""
    text = "\n".join(body)
    lines = text.split("\n")
    if "\r" in text or max(map(len, lines)) > csv.field_size_limit():
        # what csv alone does the same way: a carriage return ends a row, a long cell raises
        return csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    # (without csv, the mapping table loads ~10x faster: csv looks at each character in turn)
    if not lines[-1]:
        lines.pop()
    return iter([line.split("\t") if line else [] for line in lines])


def tsv_dict_reader(body: list[str]) -> csv.DictReader[str]:
    """The body's rows as dictionaries keyed by its header row, read as :func:`tsv_reader` reads."""
    return csv.DictReader(io.StringIO("\n".join(body)), delimiter="\t", quoting=csv.QUOTE_NONE)


def read_table_text(path: str | os.PathLike[str], what: str = "table") -> str:
    """The text of a table file; TableError (one finding, exit 2) when it is not a readable UTF-8 file.

    Every table goes through here so that ``--table DIR``, a missing file or a spreadsheet
    saved as Latin-1 give the same one-line message in every command instead of a traceback.
    """
    p = Path(path)
    if p.is_dir():
        raise TableError(Finding("IO-READ", f"cannot read {what}: it is a directory, not a TSV file", file=str(p)))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise TableError(Finding("IO-READ", f"cannot read {what}: {exc.strerror or exc}", file=str(p))) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise TableError(Finding(
            "TABLE-SYNTAX",
            f"the {what} is not UTF-8 text (byte 0x{data[exc.start]:02x} at column {column}); save it as UTF-8",
            file=str(p), line=line)) from None


def load_cached(path: str | os.PathLike[str], parse: Callable[[str, str], T], what: str) -> T:
    """``parse(text, name)`` of the file at ``path``, parsed once per process and modification.

    A file the package ships (``resources.data_root()``) is parsed once per process: it does
    not change under a running process, and a conversion asks for a dozen of them (a stat
    each was ~5 % of a conversion). Any other file is parsed again when its mtime changes.
    """
    key = os.fspath(path)  # (a stat of the string: building a Path costs more, on every conversion)
    hit: T | None = _SHIPPED.get((key, parse))
    if hit is not None:
        return hit
    try:
        mtime = os.stat(key).st_mtime_ns
    except OSError as exc:
        raise TableError(Finding("IO-READ", f"cannot read {what}: {exc.strerror or exc}", file=key)) from None
    with _LOAD_LOCK:  # threads asking at once wait for one parse (lru_cache would let each parse)
        value: T = _parsed(key, mtime, parse, what)  # (lru_cache forgets T: parse gave it)
    if key.startswith(_shipped_prefix()):
        _SHIPPED[(key, parse)] = value
    return value


_LOAD_LOCK = threading.RLock()  # (re-entrant: parsing the element table loads its code lists)
_SHIPPED: dict[tuple[str, Callable[[str, str], object]], Any] = {}  # (path, parser) -> parsed, the package's files


@lru_cache(maxsize=1)
def _shipped_prefix() -> str:
    from .resources import data_root

    return os.path.join(os.fspath(data_root()), "")


@lru_cache(maxsize=16)
def _parsed(path: str, mtime: int, parse: Callable[[str, str], T], what: str) -> T:
    return parse(read_table_text(path, what), path)
