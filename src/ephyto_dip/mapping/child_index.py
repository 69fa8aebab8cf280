"""An index of each visited element's children by tag and by discriminator, built once: a
hundred rows looking at the same element cost one pass over its children."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from ..reading.xmltext import text_of

NONE: list[etree._Element] = []  # shared empty result: never appended to
Selector = Callable[..., list[etree._Element]]
Matched = tuple[list[etree._Element], list[etree._Element]]  # (the children, their discriminating children)


def first_child(el: etree._Element, tag: str) -> etree._Element | None:
    for c in el.iterchildren(tag):
        return c
    return None


class ChildIndex:
    """Children of each visited element grouped by tag (and by discriminator), built once.

    A table has hundreds of rows and most of them look at the same few elements; indexing
    each element's children once turns a scan per row into a dictionary lookup.
    """

    __slots__ = ("_by_node", "_disc")

    def __init__(self) -> None:
        # (a tag is a str, or a comment's or PI's factory)
        self._by_node: dict[etree._Element, dict[object, list[etree._Element]]] = {}
        self._disc: dict[tuple[etree._Element, str, str], dict[str | None, Matched]] = {}

    def groups(self, node: etree._Element) -> dict[object, list[etree._Element]]:
        """``node``'s children by tag, in document order (the lists are shared: never change them)."""
        groups = self._by_node.get(node)
        if groups is None:
            groups = {}
            for c in node:
                groups.setdefault(c.tag, []).append(c)
            self._by_node[node] = groups
        return groups

    def children(self, node: etree._Element, tag: str) -> list[etree._Element]:
        return self.groups(node).get(tag, [])

    def discriminated(self, node: etree._Element, tag: str, pred_child: str, value: str | None) -> Matched:
        """(children ``tag`` whose first ``pred_child`` reads ``value``, those ``pred_child``s)."""
        key = (node, tag, pred_child)
        table = self._disc.get(key)
        if table is None:
            table = {}
            for c in self.children(node, tag):
                first = self.children(c, pred_child)
                if first:
                    hit = table.setdefault((text_of(first[0]) or "").strip(), ([], []))
                    hit[0].append(c)
                    hit[1].append(first[0])
            self._disc[key] = table
        return table.get(value, _NO_MATCH)


_NO_MATCH: Matched = (NONE, NONE)
