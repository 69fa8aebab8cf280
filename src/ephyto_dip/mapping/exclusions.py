"""Schema elements deliberately not mapped, each with the reason (``mappings/exclusions.tsv``).

``check`` requires every element of both schemas to be mapped by a row or listed here; the
reader uses :func:`excluded_reason` to report an excluded element of an input (an XML signature,
say) as information citing the reason, instead of a "not carried" warning.

File format: UTF-8 TSV with ``#key: value`` metadata (``#prefix.<side>.<p>: <uri>`` declares the
prefixes used in paths, like the mapping table) and the columns ``side`` (``ephyto`` or ``dip``),
``path`` and ``reason``. A path is one of

* absolute: qualified names from the root, ``rsm:SPSCertificate/rsm:SPSConsignment/ram:CarrierSPSParty``;
* anywhere: ``//`` then qualified names, ``//ram:SubordinateSPSCountrySubDivision/ram:SubordinateSPSCountrySubDivision``
  matches that run of elements wherever it occurs (used for types reused in many places).

An exclusion covers the element it names and everything inside it. No predicates, no
positions, no attributes: an exclusion is about a kind of element, not about a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FsPath

from lxml import etree

from ..findings import Finding, TableError
from ..tsv import load_cached, tsv_reader
from .paths import PathSyntaxError, parse_path
from .sides import DIP_NS, SIDES, Side

COLUMNS = ("side", "path", "reason")


@dataclass(frozen=True)
class Exclusion:
    side: str
    path: str  # as written
    tags: tuple[str, ...]  # Clark names
    anywhere: bool  # "//" form: matches a run of elements at any depth
    reason: str
    line: int

    def matches(self, position: tuple[str, ...]) -> bool:
        """Does this exclusion cover the element at ``position`` (Clark tags from the root)?"""
        n = len(self.tags)
        if not self.anywhere:
            return position[:n] == self.tags
        return any(position[i : i + n] == self.tags for i in range(len(position) - n + 1))


@dataclass
class Exclusions:
    path: str
    items: list[Exclusion]
    namespaces: dict[str, dict[str, str]]  # side -> prefix -> uri

    def for_side(self, side: str) -> list[Exclusion]:
        return [e for e in self.items if e.side == side]

    def match(self, side: str, position: tuple[str, ...]) -> Exclusion | None:
        for e in self.items:
            if e.side == side and e.matches(position):
                return e
        return None


def default_exclusions_path() -> FsPath:
    from ..resources import resource_path

    return resource_path("mappings", "exclusions.tsv")


def parse_exclusions(text: str, name: str = "<exclusions>") -> Exclusions:
    """Parse an exclusions file; any bad line raises :class:`TableError` naming it."""
    lines = text.splitlines()
    namespaces: dict[str, dict[str, str]] = {s: {} for s in SIDES}
    start = len(lines)
    for i, line in enumerate(lines):
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            key = key.strip()
            if key.startswith("prefix."):
                parts = key.split(".", 2)
                if len(parts) == 3:
                    namespaces.setdefault(parts[1], {})[parts[2]] = value.strip()
            continue
        start = i
        break
    reader = tsv_reader(lines[start:])
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header[: len(COLUMNS)]) != COLUMNS:
        raise TableError(Finding("TABLE-SYNTAX", f"exclusions need the columns {', '.join(COLUMNS)}", file=name))
    items: list[Exclusion] = []
    errors: list[Finding] = []
    for n, cells in enumerate(reader, start=start + 2):
        if not any(c.strip() for c in cells):
            continue
        cells = [c.strip() for c in cells] + [""] * (len(COLUMNS) - len(cells))
        side, text_path, reason = cells[:3]
        try:
            items.append(_compile(side, text_path, reason, n, namespaces))
        except (PathSyntaxError, ValueError) as exc:
            errors.append(Finding("TABLE-SYNTAX", f"exclusion: {exc}", file=name, line=n, value=text_path))
    if errors:
        raise TableError(errors)
    return Exclusions(name, items, namespaces)


def _compile(side: str, text_path: str, reason: str, line: int, namespaces: dict[str, dict[str, str]]) -> Exclusion:
    if side not in SIDES:
        raise ValueError(f"side must be one of {', '.join(SIDES)}, not {side!r}")
    if not reason:
        raise ValueError(f"{text_path}: an exclusion needs a reason")
    anywhere = text_path.startswith("//")
    body = text_path[2:] if anywhere else text_path
    if not body or "@" in body or "|" in body:
        raise ValueError(f"{text_path!r}: an exclusion path is qualified names separated by /")
    # unprefixed names on the DIP side are in its default namespace, as in the table
    default_ns = DIP_NS if side == "dip" else None
    path = parse_path(body, namespaces.get(side, {}), default_ns)
    for step in path.steps:
        if step.pred_child or step.pred_attr or step.position or step.otherwise:
            raise ValueError(f"{text_path!r}: no predicates in an exclusion path")
    tags = tuple(s.tag for s in path.steps)
    if not anywhere and tags[0] != SIDES[side].root_tag:
        raise ValueError(f"{text_path!r}: an absolute path starts at the root element (or use //)")
    return Exclusion(side, text_path, tags, anywhere, reason, line)


def load_exclusions(path: str | FsPath | None = None) -> Exclusions:
    """The exclusions at ``path`` or the shipped ``mappings/exclusions.tsv`` (cached per process)."""
    return load_cached(path or default_exclusions_path(), parse_exclusions, "exclusions")


def element_position(element: etree._Element, side: str | Side) -> tuple[str, ...]:
    """Clark tags from the side's root element down to ``element``.

    Stops at the side's root (a certificate inside a Hub envelope starts there); if no ancestor
    is the root, the path starts at the topmost ancestor.
    """
    root_tag = SIDES[side.name if isinstance(side, Side) else side].root_tag
    tags: list[str] = []
    el: etree._Element | None = element
    while el is not None:
        if isinstance(el.tag, str):
            tags.append(el.tag)
            if el.tag == root_tag:
                break
        el = el.getparent()
    return tuple(reversed(tags))


def excluded_reason(element: etree._Element, side: str | Side, exclusions: Exclusions | None = None) -> str | None:
    """Why ``element`` (of an input document of ``side``) is deliberately not carried, or None.

    ``side`` is ``"ephyto"``/``"dip"`` or a :class:`~ephyto_dip.mapping.sides.Side`.
    """
    name = side.name if isinstance(side, Side) else side
    excl = exclusions if exclusions is not None else load_exclusions()
    hit = excl.match(name, element_position(element, name))
    return hit.reason if hit else None
