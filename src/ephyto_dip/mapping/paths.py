"""The restricted path language of the mapping table: readable *and* writable.

Grammar (one path per table cell)::

    path      := "." | steps ["/@" name] | "@" name
    steps     := step ("/" step)*
    step      := qname [predicate] | qname child-pred child-pred+ | qname "[otherwise]" child-pred+
    predicate := child-pred                      child's first occurrence equals literal
               | "[@" name "='" literal "']"     attribute equals literal
               | "[" n "]" | "[" n "..]"         position (1-based) / from position n on
               | "[otherwise]"                   (last step only) siblings no other row claims
    child-pred := "[" qname "='" literal "']"

Several child predicates on one step (``AdditionalDocument[TypeCode='911'][ippc:NoteSubject='ADIPEDL']``)
must all hold for an element to be read, and are all written: a discriminator and the constants
that go with it (a document type code) live in the table cell, not in code. After
``[otherwise]`` they are constants of the elements no other row claims
(``AdditionalInformation[otherwise][StatementTypeCode='AAI']``).

Reading walks children by tag (no XPath, nothing executable in a cell an expert edits);
writing creates missing steps and materialises predicates. In a list row the *last* step
repeats (one element per value); earlier steps are found or created once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from ..reading.xmltext import text_of
from .cached import cached_value
from .child_index import NONE, ChildIndex, Selector, first_child

Visited = set[etree._Element]  # what a selection looked at (the reader keeps it for the locator)

_QNAME = r"(?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*"
_QNAME_RE = re.compile(_QNAME)
_SPLIT_MARKS = re.compile(r"[/'\[\]]")  # what _split_steps looks at
_CHILD_PRED_RE = re.compile(rf"\[(?P<child>{_QNAME})='(?P<child_lit>[^']*)'\]")
_STEP_RE = re.compile(
    rf"""^(?P<qname>{_QNAME})
        (?:\[(?:
            (?P<child>{_QNAME})='(?P<child_lit>[^']*)'
          | @(?P<attr>[A-Za-z_][\w.-]*)='(?P<attr_lit>[^']*)'
          | (?P<pos>[1-9]\d*)(?P<from>\.\.)?
          | (?P<otherwise>otherwise)
        )\])?(?P<more>(?:\[{_QNAME}='[^']*'\])*)$""",
    re.VERBOSE,
)


class PathSyntaxError(ValueError):
    """A table cell that is not a valid path."""


@dataclass(frozen=True)
class Step:
    tag: str  # Clark notation {ns}local
    qname: str  # as written, for messages
    pred_child: str | None = None  # Clark tag of the discriminating child
    pred_attr: str | None = None
    pred_value: str | None = None
    position: int | None = None
    position_from: bool = False
    otherwise: bool = False
    # further child predicates ((Clark tag, literal), …) after the first: all must hold
    extra: tuple[tuple[str, str], ...] = ()

    @cached_value  # (without functools' lock: see cached.py)
    def child_predicates(self) -> tuple[tuple[str, str], ...]:
        """Every (Clark tag, literal) child predicate of this step, the indexed one first."""
        if self.pred_child is None:
            return self.extra  # after [otherwise], or none
        return ((self.pred_child, self.pred_value or ""), *self.extra)

    @cached_value
    def predicate_tags(self) -> frozenset[str]:
        """The tags of the children the predicates name (written as discriminators, not values)."""
        return frozenset(tag for tag, _ in self.child_predicates)

    def _extra_hold(self, el: etree._Element) -> bool:
        for tag, value in self.extra:
            first = first_child(el, tag)
            if first is None or (text_of(first) or "").strip() != value:
                return False
        return True

    def matches(self, el: etree._Element) -> bool:
        if self.pred_child is not None:
            first = first_child(el, self.pred_child)
            return (first is not None and (text_of(first) or "").strip() == self.pred_value
                    and self._extra_hold(el))
        if self.pred_attr is not None:
            return (el.get(self.pred_attr) or "").strip() == self.pred_value
        return self._extra_hold(el)

    @cached_value
    def select(self) -> Selector:
        """``select(node, index, visited)``: the children of ``node`` this step matches.

        Compiled once per step into a closure for its shape. With ``visited`` (a set), the
        elements found are added to it, and so is the child a predicate looked at.
        The list returned may be the index's own: callers do not change it.
        """
        tag, position, start = self.tag, self.position, (self.position or 1) - 1
        if self.pred_child is not None:
            pred_child, value = self.pred_child, self.pred_value

            extra, extra_hold = self.extra, self._extra_hold

            def select_discriminated(node: etree._Element, index: ChildIndex, visited: Visited | None = None
                                     ) -> list[etree._Element]:
                found, looked_at = index.discriminated(node, tag, pred_child, value)
                if extra and found:
                    kept = [i for i, c in enumerate(found) if extra_hold(c)]
                    found, looked_at = [found[i] for i in kept], [looked_at[i] for i in kept]
                    if visited is not None:
                        for c in found:
                            visited.update(f for t, _ in extra if (f := first_child(c, t)) is not None)
                if position is not None:
                    end = None if self.position_from else start + 1
                    found, looked_at = found[start:end], looked_at[start:end]
                if visited is not None and found:
                    visited.update(found)
                    visited.update(looked_at)
                return found

            return select_discriminated
        pred_attr, value = self.pred_attr, self.pred_value
        extra, extra_hold = self.extra, self._extra_hold

        def select(node: etree._Element, index: ChildIndex, visited: Visited | None = None) -> list[etree._Element]:
            found = index.groups(node).get(tag, NONE)
            if pred_attr is not None:
                found = [c for c in found if (c.get(pred_attr) or "").strip() == value]
            if extra and found:  # after [otherwise]: the constants must hold too
                found = [c for c in found if extra_hold(c)]
                if visited is not None:
                    for c in found:
                        visited.update(f for t, _ in extra if (f := first_child(c, t)) is not None)
            if position is not None:
                found = found[start:] if self.position_from else found[start : start + 1]
            if visited is not None and found:
                visited.update(found)
            return found

        return select

    def create(self, parent: etree._Element, discriminator: bool = True) -> etree._Element:
        """A new element for this step, its predicate made true (``discriminator=False``: the
        predicate's child is left to the caller, who writes it in its schema position)."""
        el = etree.SubElement(parent, self.tag)
        if self.child_predicates:
            if discriminator:
                for tag, value in self.child_predicates:
                    etree.SubElement(el, tag).text = value
        elif self.pred_attr is not None:
            el.set(self.pred_attr, self.pred_value or "")
        return el

    def find_or_create(self, parent: etree._Element) -> etree._Element:
        for c in parent.iterchildren(self.tag):
            if self.matches(c):
                return c
        return self.create(parent)

    @property
    def claims_by_literal(self) -> bool:
        return self.pred_child is not None or self.pred_attr is not None


@dataclass(frozen=True)
class Path:
    """A compiled path; ``alternatives`` are read-only extra places (``a | b``)."""

    text: str
    steps: tuple[Step, ...]
    attribute: str | None = None
    alternatives: tuple[Path, ...] = ()

    @cached_value
    def is_self(self) -> bool:
        return not self.steps and self.attribute is None

    @cached_value
    def first_tags(self) -> tuple[str, ...]:
        """Tags of the first step of this path and its alternatives (empty for ``.``)."""
        return tuple(p.steps[0].tag for p in (self, *self.alternatives) if p.steps)

    @cached_value
    def otherwise(self) -> bool:
        return bool(self.steps) and self.steps[-1].otherwise

    @property
    def parent(self) -> Path:
        """This path without its last step."""
        return Path(self.text, self.steps[:-1])

    @cached_value
    def select_own(self) -> Selector:
        """``select_own(node, index, visited)``: what this path (not its alternatives) reaches.

        Attribute paths reach the owner element, if it has the attribute. Compiled once.
        """
        steps = [s.select for s in self.steps]
        attribute = self.attribute
        if len(steps) == 1 and attribute is None:
            return steps[0]

        def select(node: etree._Element, index: ChildIndex, visited: Visited | None = None) -> list[etree._Element]:
            current = [node]
            for step in steps:
                nxt: list[etree._Element] = []
                for n in current:
                    found = step(n, index, visited)
                    if found:
                        nxt.extend(found)
                current = nxt
                if not current:
                    return current
            if attribute is not None:
                current = [n for n in current if n.get(attribute) is not None]
            return current

        return select

    def compile(self) -> None:
        """Work out now what this path and its alternatives compute at first use (selectors,
        predicates), so that a first conversion finds them ready."""
        for path in (self, *self.alternatives):
            path.select_own  # noqa: B018  (cached properties: reading them computes them)
            for step in path.steps:
                step.child_predicates  # noqa: B018
                step.predicate_tags  # noqa: B018

    def select_extra(self, node: etree._Element, index: ChildIndex, main: list[etree._Element],
                     visited: Visited | None = None) -> list[etree._Element]:
        """Elements only the read-only alternatives reach (``b`` of ``a | b``), after ``main``."""
        extra: list[etree._Element] = []
        for alt in self.alternatives:
            for n in alt.select_own(node, index, visited):
                if n not in main and n not in extra:
                    extra.append(n)
        return extra

    def intermediate_fanout(self, node: etree._Element, index: ChildIndex | None = None) -> str | None:
        """Name of the first non-final step that matches more than once (writer merges them)."""
        index = index if index is not None else ChildIndex()
        current = [node]
        for step in self.steps[:-1]:
            nxt: list[etree._Element] = []
            for n in current:
                nxt.extend(step.select(n, index))
            if len(nxt) > 1:
                return step.qname
            current = nxt
        return None

    def create(self, node: etree._Element, repeat_last: bool, discriminator: bool = True) -> etree._Element:
        """The element a value is written to: earlier steps found or created, last created.

        ``discriminator=False``: the last step's predicate child is not written (see Step.create).
        """
        if not self.steps:
            return node
        current = node
        *path, last = self.steps
        for step in path:
            current = step.find_or_create(current)
        if repeat_last and self.attribute is None:
            return last.create(current, discriminator)
        return last.find_or_create(current)


def parse_path(text: str, namespaces: dict[str, str], default_ns: str | None) -> Path:
    """Compile a table cell. ``namespaces`` maps prefixes; unprefixed names take ``default_ns``."""
    text = text.strip()
    if not text:
        raise PathSyntaxError("empty path")
    parts = [p.strip() for p in text.split("|")]
    if len(parts) > 1:
        main = parse_path(parts[0], namespaces, default_ns)
        alts = tuple(parse_path(p, namespaces, default_ns) for p in parts[1:])
        return Path(text, main.steps, main.attribute, alts)
    if text == ".":
        return Path(text, ())
    attribute = None
    body = text
    if body.startswith("@"):
        return Path(text, (), _attr_name(body[1:], text))
    if "/@" in body:
        body, attr = body.rsplit("/@", 1)
        attribute = _attr_name(attr, text)
    steps = []
    for raw in _split_steps(body):
        if "[" not in raw and _QNAME_RE.fullmatch(raw):  # a bare name (most steps): no predicate to read
            steps.append(Step(tag=_clark(raw, namespaces, default_ns, text), qname=raw))
            continue
        m = _STEP_RE.match(raw)
        if not m:
            raise PathSyntaxError(f"bad step {raw!r} in path {text!r}")
        tag = _clark(m["qname"], namespaces, default_ns, text)
        steps.append(
            Step(
                tag=tag,
                qname=m["qname"],
                pred_child=_clark(m["child"], namespaces, default_ns, text) if m["child"] else None,
                pred_attr=m["attr"],
                pred_value=m["child_lit"] if m["child"] else m["attr_lit"],
                position=int(m["pos"]) if m["pos"] else None,
                position_from=bool(m["from"]),
                otherwise=bool(m["otherwise"]),
                extra=_extra_predicates(m, namespaces, default_ns, text),
            )
        )
    for s in steps[:-1]:
        if s.otherwise:
            raise PathSyntaxError(f"[otherwise] is only allowed on the last step: {text!r}")
    return Path(text, tuple(steps), attribute)


def _extra_predicates(m: re.Match[str], namespaces: dict[str, str], default_ns: str | None, text: str
                      ) -> tuple[tuple[str, str], ...]:
    """The child predicates after a step's first one (``[A='x'][B='y']``: ``B='y'``)."""
    if not m["more"]:
        return ()
    if not m["child"] and not m["otherwise"]:
        raise PathSyntaxError(f"several predicates are only allowed as child predicates [name='value'], "
                              f"after one or after [otherwise]: {text!r}")
    extra = tuple((_clark(p["child"], namespaces, default_ns, text), p["child_lit"])
                  for p in _CHILD_PRED_RE.finditer(m["more"]))
    tags = ([_clark(m["child"], namespaces, default_ns, text)] if m["child"] else []) + [t for t, _ in extra]
    if len(set(tags)) != len(tags):
        raise PathSyntaxError(f"the same child is named by two predicates of one step: {text!r}")
    return extra


def _split_steps(body: str) -> list[str]:
    # '/' inside a predicate literal must not split a step
    if "[" not in body:  # no predicate: a plain split (most cells; the table loads at every start)
        return [s.strip() for s in body.split("/")]
    out: list[str] = []
    start = 0
    depth = 0
    quote = False
    for m in _SPLIT_MARKS.finditer(body):  # (only the characters that matter, not each one in turn)
        ch = m.group()
        if ch == "'":
            quote = not quote
        elif quote:
            continue
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif depth == 0:  # a '/' outside predicates and quotes
            out.append(body[start : m.start()])
            start = m.end()
    out.append(body[start:])
    return [s.strip() for s in out]


def _attr_name(name: str, text: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][\w.-]*", name):
        raise PathSyntaxError(f"bad attribute name {name!r} in path {text!r}")
    return name


def _clark(qname: str, namespaces: dict[str, str], default_ns: str | None, text: str) -> str:
    if ":" in qname:
        prefix, local = qname.split(":", 1)
        if prefix not in namespaces:
            raise PathSyntaxError(f"undeclared prefix {prefix!r} in path {text!r}")
        return f"{{{namespaces[prefix]}}}{local}"
    if default_ns is None:
        return qname
    return f"{{{default_ns}}}{qname}"
