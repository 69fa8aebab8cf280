"""What the writers and ``check`` need to know of an XSD set, read with plain lxml.

* the child order of every complex type (writers emit schema order),
* which child elements a type allows (``check`` resolves each table path through it).

Schema documents are parsed lazily, namespace by namespace, so the ePhyto set's 130 code-list
files are never opened. xmlschema is not needed here (it takes seconds to build the SPS set).

Thread safety: one instance per XSD set is shared by every thread of a process. Loading a
namespace and filling a cache happen under the instance's lock, and a namespace counts as loaded
only once all its types are registered, so a reader that skips the lock (the cache hit path)
never sees a half-loaded namespace. (Marking it loaded first let a second thread find no type
and cache an empty child list: DIPs in table order, invalid, for the life of the process.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .xmlsafe import schema_file_parser

XS = "http://www.w3.org/2001/XMLSchema"
_XS = f"{{{XS}}}"
# the tags _collect looks for, made once
_GROUPS = frozenset((_XS + "sequence", _XS + "choice", _XS + "all"))
_CHOICE, _COMPLEX_CONTENT, _EXTENSION, _ELEMENT = (
    _XS + "choice", _XS + "complexContent", _XS + "extension", _XS + "element")


OrderEntry = tuple[int, "str | None", bool]  # a child's position, its type, whether that type has element children


@dataclass(frozen=True)
class ChildDecl:
    tag: str  # Clark name
    type_key: str | None  # "{ns}Type" or an anonymous key; None for simple/any
    min_occurs: int
    max_occurs: int | None  # None = unbounded


@dataclass(frozen=True)
class SimpleContent:
    """What a type with simple content holds: its chain of base types and its attributes."""

    bases: tuple[str, ...]  # Clark names from the type itself down to the XSD built-in, e.g. xs:decimal
    attributes: tuple[str, ...]  # attribute names, the base type's first
    facets: tuple[tuple[str, str], ...]  # (facet, value) of the nearest restriction that sets each


class SchemaInfo:
    def __init__(self, entry: Path):
        self._entry = Path(entry).resolve()
        self._docs: dict[str, etree._Element] = {}  # path -> root
        self._ns_locations: dict[str, Path] = {}
        self._elements: dict[str, tuple[str, etree._Element]] = {}  # global element tag -> (ns, its node)
        self._types: dict[str, etree._Element] = {}  # {ns}Name -> complexType/simpleType node
        self._loaded_ns: set[str] = set()
        self._children_cache: dict[str, list[ChildDecl]] = {}
        self._anon: dict[str, tuple[etree._Element, str]] = {}
        self._order_cache: dict[str | None, dict[str, OrderEntry]] = {}
        self._lock = threading.RLock()  # re-entrant: loading and collecting recurse
        with self._lock:
            self._load(self._entry)

    # ---------------------------------------------------------------- loading
    def _load(self, path: Path, included: bool = False) -> None:
        key = str(path)
        if key in self._docs:
            return
        parser = schema_file_parser(remove_comments=True)
        root = etree.parse(str(path), parser).getroot()
        self._docs[key] = root
        tns = root.get("targetNamespace", "")
        for child in root:
            if not isinstance(child.tag, str):
                continue
            if child.tag in (_XS + "import", _XS + "include"):
                loc = child.get("schemaLocation")
                if not loc or "://" in loc:
                    continue
                target = (path.parent / loc).resolve()
                ns = child.get("namespace", tns)
                if child.tag == _XS + "include":
                    self._load(target, included=True)
                else:
                    self._ns_locations.setdefault(ns, target)
            elif child.tag == _XS + "element":
                self._elements[f"{{{tns}}}{child.get('name')}"] = (tns, child)
            elif child.tag in (_XS + "complexType", _XS + "simpleType"):
                self._types[f"{{{tns}}}{child.get('name')}"] = child
        if not included:  # only now, and only at the top: its types and its includes' are all registered
            self._loaded_ns.add(tns)

    def _ensure_ns(self, ns: str) -> None:
        if ns in self._loaded_ns or ns not in self._ns_locations:
            return
        with self._lock:
            if ns not in self._loaded_ns:  # another thread may have loaded it while this one waited
                self._load(self._ns_locations[ns])
                self._loaded_ns.add(ns)

    # ---------------------------------------------------------------- lookups
    def _resolve_qname(self, qname: str, node: etree._Element) -> str:
        prefix, _, local = qname.rpartition(":")
        ns = node.nsmap.get(prefix or None, "")
        return f"{{{ns}}}{local}"

    def element_type(self, tag: str) -> str | None:
        """Type key of a global element."""
        ns = etree.QName(tag).namespace or ""
        self._ensure_ns(ns)
        decl = self._elements.get(tag)
        if decl is None:
            return None
        return self._decl_type(decl[1])

    def _decl_type(self, el: etree._Element) -> str | None:
        t = el.get("type")
        if t:
            return self._resolve_qname(t, el)
        ct = el.find(_XS + "complexType")
        if ct is not None:
            key = f"anon:{ct.base}#{ct.getroottree().getpath(ct)}"  # where it is defined: unique, and stable
            self._anon[key] = (ct, self._tns(el))
            return key
        return None

    def _tns(self, node: etree._Element) -> str:
        return node.getroottree().getroot().get("targetNamespace", "")

    def _type_node(self, key: str) -> etree._Element | None:
        if key.startswith("anon:"):
            return self._anon[key][0]
        ns = etree.QName(key).namespace or ""
        self._ensure_ns(ns)
        return self._types.get(key)

    def children(self, type_key: str | None) -> list[ChildDecl]:
        """Child elements allowed by a complex type, in schema order."""
        if type_key is None or type_key.startswith(f"{{{XS}}}"):
            return []
        cached = self._children_cache.get(type_key)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._children_cache.get(type_key)
            if cached is not None:
                return cached
            node = self._type_node(type_key)
            out: list[ChildDecl] = []
            if node is not None and node.tag == _XS + "complexType":
                self._collect(node, out)
            self._children_cache[type_key] = out  # published complete: readers never see a list being filled
            return out

    def _collect(self, node: etree._Element, out: list[ChildDecl], factor_min: int = 1, unbounded: bool = False
                 ) -> None:
        root = node.getroottree().getroot()  # (the document of node and of all it holds)
        qualified_doc = root.get("elementFormDefault") == "qualified"
        for child in node:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in _GROUPS:
                mn = int(child.get("minOccurs", "1"))
                if tag == _CHOICE:
                    mn = 0 if len([c for c in child if isinstance(c.tag, str)]) > 1 else mn
                self._collect(child, out, factor_min * mn, unbounded or child.get("maxOccurs") == "unbounded")
            elif tag == _COMPLEX_CONTENT:
                self._collect(child, out, factor_min, unbounded)
            elif tag == _EXTENSION:
                base = self._resolve_qname(child.get("base", ""), child)
                out.extend(self.children(base))
                self._collect(child, out, factor_min, unbounded)
            elif tag == _ELEMENT:
                mn = int(child.get("minOccurs", "1")) * factor_min
                mx_raw = child.get("maxOccurs", "1")
                mx = None if (mx_raw == "unbounded" or unbounded) else int(mx_raw)
                ref = child.get("ref")
                if ref:
                    ctag = self._resolve_qname(ref, child)
                    out.append(ChildDecl(ctag, self.element_type(ctag), mn, mx))
                else:
                    qualified = qualified_doc or child.get("form") == "qualified"
                    ns = root.get("targetNamespace", "") if qualified else ""
                    ctag = f"{{{ns}}}{child.get('name')}" if ns else child.get("name", "")
                    out.append(ChildDecl(ctag, self._decl_type(child), mn, mx))

    def simple_content(self, type_key: str | None) -> SimpleContent | None:
        """The value side of a type (None for element-only content): the JSON form needs to
        know which DIP values are numbers and which attributes a value may carry."""
        bases: list[str] = [type_key] if type_key else []
        levels: list[list[str]] = []
        facets: dict[str, str] = {}
        key = type_key
        while key and not key.startswith(_XS):
            node = self._type_node(key)
            if node is None:
                return None
            if node.tag == _XS + "complexType":
                content = node.find(_XS + "simpleContent")
                if content is None:
                    return None
                node = content
            der = next((c for c in node if c.tag in (_XS + "restriction", _XS + "extension")), None)
            if der is None or not der.get("base"):
                return None
            levels.append([n for a in der.iterchildren(_XS + "attribute") if (n := a.get("name"))])
            for f in der:
                if isinstance(f.tag, str) and f.tag not in (_XS + "attribute", _XS + "annotation") and (
                        v := f.get("value")):
                    facets.setdefault(etree.QName(f).localname, v)
            key = self._resolve_qname(der.get("base", ""), der)
            bases.append(key)
        attributes = [a for level in reversed(levels) for a in level]
        return SimpleContent(tuple(bases), tuple(dict.fromkeys(attributes)), tuple(facets.items()))

    def child(self, type_key: str | None, tag: str) -> ChildDecl | None:
        for c in self.children(type_key):
            if c.tag == tag:
                return c
        return None

    def preload(self, root_tag: str) -> int:
        """Resolve every type reachable from the global element ``root_tag`` now (a warm-up):
        afterwards the writers' lookups under it only read finished caches. Returns the count."""
        seen: set[str] = set()
        todo = [self.element_type(root_tag)]
        while todo:
            key = todo.pop()
            if key is None or key in seen:
                continue
            seen.add(key)
            self._order_index(key)
            todo.extend(d.type_key for d in self.children(key))
        return len(seen)

    # ---------------------------------------------------------------- ordering
    def sort(self, root: etree._Element) -> None:
        """Put every element's children in schema order (stable within equal names)."""
        self._sort(root, self.element_type(str(root.tag)))

    def _order_index(self, type_key: str | None) -> dict[str, OrderEntry]:
        """tag -> (position, type key, whether that type has element children) for a type."""
        hit = self._order_cache.get(type_key)
        if hit is None:
            with self._lock:
                decls = self.children(type_key)
                hit = {d.tag: (i, d.type_key, bool(self.children(d.type_key))) for i, d in enumerate(decls)}
                self._order_cache[type_key] = hit
        return hit

    def position(self, type_key: str | None, tag: str) -> tuple[int, str | None]:
        """(place of child ``tag`` in ``type_key``'s content, the child's type); unknown: last."""
        index = self._order_index(type_key)
        pos, sub, _ = index.get(tag, (len(index), None, True))
        return pos, sub

    def _sort(self, el: etree._Element, type_key: str | None) -> None:
        index = self._order_index(type_key)
        kids = list(el)
        unknown = (len(index), None, True)  # after the known ones; looked into, as before
        keys = [index.get(c.tag, unknown) for c in kids]  # type: ignore[arg-type]  # a comment's tag: unknown
        last = -1
        for pos, _, _ in keys:
            if pos < last:  # out of order: a stable sort by schema position
                order = sorted(range(len(kids)), key=lambda i: keys[i][0])
                kids, keys = [kids[i] for i in order], [keys[i] for i in order]
                el[:] = kids
                break
            last = pos
        for c, (_, sub, has_children) in zip(kids, keys, strict=True):
            if has_children and len(c):
                self._sort(c, sub)


_INSTANCES: dict[str, SchemaInfo] = {}
_INSTANCES_LOCK = threading.Lock()


def schema_info(entry: str) -> SchemaInfo:
    """The one SchemaInfo of the XSD set at ``entry`` in this process, built by the first caller."""
    info = _INSTANCES.get(entry)
    if info is None:
        with _INSTANCES_LOCK:
            info = _INSTANCES.get(entry)
            if info is None:
                info = _INSTANCES[entry] = SchemaInfo(Path(entry))
    return info
