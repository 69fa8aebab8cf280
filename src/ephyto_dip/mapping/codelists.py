"""Code translations between the ePhyto and the DIP vocabularies.

A code list is a TSV under ``mappings/codelists/`` with columns ``ephyto``, ``dip``,
``predicate``, ``label`` and a metadata header; ``#unmapped:`` is the policy for a value
without a row: ``error`` (refuse, name the value), ``pass`` (carry it unchanged) or
``fixed`` (write ``#fixed:`` instead, which cannot be reversed, so ``check`` flags it).

Optional columns: ``when`` names a model field that must hold a value, in the same context
as the coded value, for the row to apply (one ePhyto code may then have several DIP codes,
tried in order); ``reason`` says why, and for a row with an empty ``dip`` it is the reason the
ePhyto value is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..findings import Finding, TableError
from ..reading.shapes import value_at
from ..tsv import split_metadata, tsv_dict_reader

POLICIES = ("error", "pass", "fixed")


class UnmappedCode(Exception):
    def __init__(self, codelist: str, value: str, direction: str, reason: str = ""):
        self.codelist, self.value, self.direction, self.reason = codelist, value, direction, reason
        why = f": {reason}" if reason else ""
        super().__init__(f"code {value!r} has no {direction} translation in code list {codelist}{why}")


@dataclass
class CodeList:
    name: str
    metadata: dict[str, str]
    pairs: list[tuple[str, str]] = field(default_factory=list)
    forward: dict[str, str] = field(default_factory=dict)
    reverse: dict[str, str] = field(default_factory=dict)
    # ePhyto value -> [(DIP value, model field that must hold a value, or "")], in table order
    choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # ePhyto value -> why no DIP value fits

    @property
    def policy(self) -> str:
        return self.metadata.get("unmapped", "error")

    @property
    def fixed(self) -> str | None:
        return self.metadata.get("fixed")

    def to_dip(self, value: str, context: dict[str, Any] | None = None) -> str:
        """The DIP code for ``value``; ``context`` (the model data beside it) decides ``when`` rows."""
        options = self.choices.get(value.strip())
        if options is not None and (len(options) > 1 or options[0][1]):
            for dip, when in options:
                if not when or value_at(context, when):
                    return dip
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
        # the reasons explain ePhyto codes; a DIP code of the same digits means something else
        raise UnmappedCode(self.name, value, direction, self.refused.get(key, "") if direction == "DIP" else "")


def parse_codelist(text: str, name: str) -> CodeList:
    meta, body, _ = split_metadata(text)
    rows = list(tsv_dict_reader(body))
    cl = CodeList(name, meta)
    if meta.get("unmapped", "error") not in POLICIES:
        raise TableError(Finding("TABLE-CODELIST", f"code list {name}: unknown unmapped policy {meta['unmapped']!r}"))
    for r in rows:
        e, d = (r.get("ephyto") or "").strip(), (r.get("dip") or "").strip()
        if e and not d and r.get("reason"):
            cl.refused[e] = r["reason"].strip()
        if not e or not d:
            continue
        when = (r.get("when") or "").strip()
        cl.pairs.append((e, d))
        cl.choices.setdefault(e, []).append((d, when))
        if not when:
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
