"""Code translations between the ePhyto and the DIP vocabularies.

A code list is a TSV under ``mappings/codelists/`` with columns ``ephyto``, ``dip``,
``predicate``, ``label`` and a metadata header; ``#unmapped:`` is the policy for a value
without a row: ``error`` (refuse, name the value), ``pass`` (carry it unchanged) or
``fixed`` (write ``#fixed:`` instead, which cannot be reversed, so ``check`` flags it).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..findings import Finding, TableError
from .tsv import split_metadata

POLICIES = ("error", "pass", "fixed")


class UnmappedCode(Exception):
    def __init__(self, codelist: str, value: str, direction: str):
        self.codelist, self.value, self.direction = codelist, value, direction
        super().__init__(f"code {value!r} has no {direction} translation in code list {codelist}")


@dataclass
class CodeList:
    name: str
    metadata: dict[str, str]
    pairs: list[tuple[str, str]] = field(default_factory=list)
    forward: dict[str, str] = field(default_factory=dict)
    reverse: dict[str, str] = field(default_factory=dict)

    @property
    def policy(self) -> str:
        return self.metadata.get("unmapped", "error")

    @property
    def fixed(self) -> Optional[str]:
        return self.metadata.get("fixed")

    def to_dip(self, value: str) -> str:
        return self._translate(value, self.forward, "DIP")

    def to_ephyto(self, value: str) -> str:
        return self._translate(value, self.reverse, "ePhyto")

    def _translate(self, value: str, table: dict[str, str], direction: str) -> str:
        key = value.strip()
        if key in table:
            return table[key]
        if self.policy == "pass":
            return value
        if self.policy == "fixed" and self.fixed is not None and direction == "DIP":
            return self.fixed
        raise UnmappedCode(self.name, value, direction)


def parse_codelist(text: str, name: str) -> CodeList:
    meta, body, _ = split_metadata(text)
    rows = list(csv.DictReader(io.StringIO("\n".join(body)), delimiter="\t", quoting=csv.QUOTE_NONE))
    cl = CodeList(name, meta)
    if meta.get("unmapped", "error") not in POLICIES:
        raise TableError(Finding("TABLE-CODELIST", f"code list {name}: unknown unmapped policy {meta['unmapped']!r}"))
    for r in rows:
        e, d = (r.get("ephyto") or "").strip(), (r.get("dip") or "").strip()
        if not e or not d:
            continue
        cl.pairs.append((e, d))
        cl.forward.setdefault(e, d)
        cl.reverse.setdefault(d, e)
    return cl


@lru_cache(maxsize=64)
def load_codelist(name: str) -> CodeList:
    from ..resources import resource_path

    path = resource_path("mappings", "codelists", f"{name}.tsv")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise TableError(Finding("TABLE-CODELIST", f"code list {name!r} not found at {path}")) from None
    return parse_codelist(text, name)
