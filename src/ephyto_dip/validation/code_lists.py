"""The code lists the rules check values against, and which fields each one checks, as
``mappings/value-lists.tsv`` names them; the lists themselves are the bundled UN/CEFACT and
INTERCOM schema modules in ``schemas/codelists/``, each read lazily and once per process."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from lxml import etree

from ..findings import Finding, TableError
from ..reading import shapes
from ..reading.xmlsafe import schema_file_parser
from ..tsv import load_cached, split_metadata, tsv_dict_reader
from .mandatory import load_mandatory

if TYPE_CHECKING:
    from ..mapping.table import Table

# a field segment -> [the trie below it, (list name, note) where a checked field ends, else None]
Trie: TypeAlias = dict[str, list[Any]]

_XSD = "{http://www.w3.org/2001/XMLSchema}"
_CCTS = "{urn:un:unece:uncefact:documentation:standard:CoreComponentsTechnicalSpecification:2}"

# the lists the rules name (mappings/value-lists.tsv says where each is and which fields it checks)
DOCUMENT_NAMES = "document-name"
STATUSES = "status"
COUNTRIES = "country"
TRANSPORT_MODES = "transport-mode"
PACKAGE_TYPES = "package-type"
TAG_ACRONYMS = "tag-acronym"
UNIT = "unit"  # unit:<kind> is the Rec 20 subset of that kind
STATUS_FUNCTIONS = "status-function"  # mappings/codelists/: the statuses a DIP can state


@dataclass(frozen=True)
class CodeList:
    """The enumeration of one code-list schema module: code → name (first entry wins)."""

    file: str
    names: dict[str, str | None]

    def __contains__(self, code: str) -> bool:
        return code in self.names

    @property
    def title(self) -> str:
        return self.file.removesuffix(".xsd")

    def label(self, code: str) -> str:
        name = self.names.get(code)
        return f"{code} ({name})" if name else code


@cache
def _schema_module(file: str) -> CodeList:
    from ..resources import resource_path

    tree = etree.parse(str(resource_path("schemas", "codelists", file)), schema_file_parser())
    names: dict[str, str | None] = {}
    for enum in tree.iter(f"{_XSD}enumeration"):
        name = next(enum.iterdescendants(f"{_CCTS}Name"), None)  # (what find(".//") finds, without ElementPath)
        names.setdefault(enum.get("value", ""), (name.text or "").strip() if name is not None else None)
    return CodeList(file, names)


# ------------------------------------------------------------------ mappings/value-lists.tsv


@dataclass(frozen=True)
class ValueLists:
    files: dict[str, str]  # list name -> schema module ("" where none is bundled)
    fields: dict[str, tuple[tuple[str, str], ...]]  # list name -> (field, note) in table order
    tries: dict[tuple[str, ...], Trie] = field(default_factory=dict, compare=False, repr=False)  # per lists

    def code_list(self, name: str) -> CodeList:
        file = self.files.get(name)
        if not file:
            raise KeyError(f"no bundled code list {name!r} in mappings/value-lists.tsv")
        return _schema_module(file)

    @cached_property
    def unit_kinds(self) -> dict[str, str]:
        """kind -> list name, for the Rec 20 subsets bundled (``unit:weight`` …)."""
        return {n.removeprefix(f"{UNIT}:"): n for n, f in self.files.items() if n.startswith(f"{UNIT}:") and f}

    @cached_property
    def unit_lists(self) -> tuple[str, ...]:
        """The lists that check measures' units: ``unit`` and every ``unit:<kind>`` with fields."""
        return tuple(n for n in self.fields if n == UNIT or n.startswith(f"{UNIT}:"))

    def values(self, cert: object, names: tuple[str, ...], missing: bool = False
               ) -> Iterator[tuple[str, Any, str, str]]:  # (Any: the value type of each list's fields)
        """``(model path, value, list name, note)`` for every field the lists ``names`` check,
        in the certificate's nesting order (an item's fields before the next item's); with
        ``missing``, also a single field that holds nothing (value None)."""
        trie: Trie | None = self.tries.get(names)
        if trie is None:  # the fields as a tree of segments, made once per set of lists
            trie = {}
            for name in names:
                for fld, note in self.fields.get(name, ()):
                    node = trie
                    segments = fld.split(".")
                    for seg in segments[:-1]:
                        node = node.setdefault(seg, [{}, None])[0]
                    node.setdefault(segments[-1], [{}, None])[1] = (name, note)
            self.tries[names] = trie
        yield from _walk(cert, trie, "", missing)


def _walk(obj: object, trie: Trie, prefix: str, missing: bool) -> Iterator[tuple[str, Any, str, str]]:
    for seg, (sub, leaf) in trie.items():
        many = seg.endswith("[]")
        attr = seg[:-2] if many else seg
        v = getattr(obj, attr, None)
        if many:
            found = [(f"{prefix}{attr}[{i}]", x) for i, x in enumerate(v or ())]
        elif v is None:
            if leaf is not None and missing:
                yield prefix + attr, None, leaf[0], leaf[1]
            continue
        else:
            found = [(prefix + attr, v)]
        for path, x in found:
            if leaf is not None:
                yield path, x, leaf[0], leaf[1]
            if sub:
                yield from _walk(x, sub, f"{path}.", missing)


def default_path() -> Path:
    from ..resources import resource_path

    return resource_path("mappings", "value-lists.tsv")


def parse_value_lists(text: str, name: str) -> ValueLists:
    _, body, start = split_metadata(text)
    files: dict[str, str] = {}
    fields: dict[str, list[tuple[str, str]]] = {}
    errors: list[Finding] = []
    lines: list[tuple[int, str, str]] = []
    for n, r in enumerate(tsv_dict_reader(body), start=start + 2):
        fld, lst = (r.get("field") or "").strip(), (r.get("list") or "").strip()
        if not lst:
            continue
        if not fld:
            files[lst] = (r.get("file") or "").strip()
        else:
            lines.append((n, fld, lst))
            fields.setdefault(lst, []).append((fld, (r.get("note") or "").strip()))
    for n, fld, lst in lines:
        problem = _field_problem(fld)
        if lst not in files:
            problem = f"{fld} is checked against list {lst!r}, which no row names (known: {', '.join(files)})"
        if problem:
            errors.append(Finding("TABLE-SYNTAX", problem, file=name, line=n))
    for lst, file in files.items():
        if file and not _bundled(file):
            errors.append(Finding("TABLE-SYNTAX", f"list {lst!r}: no code list {file} in schemas/codelists/",
                                  file=name))
    if errors:
        raise TableError(errors)
    return ValueLists(files, {k: tuple(v) for k, v in fields.items()})


def _field_problem(path: str) -> str | None:
    """Why ``path`` (``items[].net_weight``) is not a field of the model; None if it is."""
    cls: object = shapes.Certificate
    for seg in path.split("."):
        many = seg.endswith("[]")
        fields = getattr(cls, "FIELDS", None)
        spec = fields.get(seg.removesuffix("[]")) if isinstance(fields, dict) else None
        if spec is None or spec[1] != many:
            return f"{path} is not a field of the model (at {seg!r}; a list's field is written name[])"
        cls = spec[0]
    return None


def _bundled(file: str) -> bool:
    from ..resources import resource_path

    return resource_path("schemas", "codelists", file).is_file()


def value_lists(path: str | Path | None = None) -> ValueLists:
    return load_cached(path or default_path(), parse_value_lists, "value-list table")


def code_list(name: str) -> CodeList:
    """The bundled code list ``name`` (a list of ``mappings/value-lists.tsv``), loaded once."""
    return value_lists().code_list(name)


def preload(table: Table | None = None) -> None:
    """Load what the rules read for nearly every certificate (code lists, box list, note
    rules, the formats the DIP widens in ``table``), e.g. before a batch forks its workers,
    so each worker does not load them again. The lists only read for a wrong code (document
    names, statuses) stay lazy."""
    from ..mapping.codelists import load_codelist
    from ..mapping.formats import widened_rows
    from ..mapping.table import load_table
    from ..reading import shapes
    from ..reading.doctypes import document_types
    from .note_rules import note_rules

    lists = value_lists()
    for name in (COUNTRIES, TRANSPORT_MODES, PACKAGE_TYPES, TAG_ACRONYMS, *lists.unit_kinds.values()):
        lists.code_list(name)
    load_mandatory()
    load_codelist(STATUS_FUNCTIONS)
    note_rules()
    widened_rows(table or load_table())
    document_types()
    shapes.prepare_plans()  # (the rules check a shape built from the reader's dictionaries)
