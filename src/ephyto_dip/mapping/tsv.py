"""The TSV convention every table of the project shares (mapping table, code lists,
exclusions, attach rules): ``#key: value`` metadata lines, then a header row and rows of
tab-separated cells. Every cell is a string; nothing is typed or inferred."""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path
from typing import Callable, TypeVar, Union

from ..findings import Finding, TableError

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


def tsv_reader(body: list[str]):
    """A csv reader over the body: tab-separated, no quoting (cells may hold quotes)."""
    return csv.reader(io.StringIO("\n".join(body)), delimiter="\t", quoting=csv.QUOTE_NONE)


def load_cached(path: Union[str, Path], parse: Callable[[str, str], T], what: str) -> T:
    """``parse(text, name)`` of the file at ``path``, parsed once per process and modification."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        raise TableError(Finding("IO-READ", f"cannot read {what}: {exc.strerror or exc}", file=str(p))) from None
    return _parsed(str(p), mtime, parse)


@lru_cache(maxsize=16)
def _parsed(path: str, mtime: float, parse):
    return parse(Path(path).read_text(encoding="utf-8"), path)
