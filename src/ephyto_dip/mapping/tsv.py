"""The TSV convention every table of the project shares (mapping table, code lists,
exclusions, attach rules): ``#key: value`` metadata lines, then a header row and rows of
tab-separated cells. Every cell is a string; nothing is typed or inferred."""

from __future__ import annotations

import csv
import io


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
