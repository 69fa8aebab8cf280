"""An element's value as XML defines it: all its character data, comments and PIs left out.

lxml gives an element's text only up to its first child, and a comment or processing
instruction is a child: in ``<ID>4914<!-- c -->12337<?pi x?>BO</ID>`` ``el.text`` is ``4914``,
the rest sits in the tails of the comment and the PI. (CDATA sections are already joined into
the text by the parser.) Every reader of a value goes through :func:`text_of`, so the DIP, the
ISPM 12 rules and ``validate`` all see ``491412337BO``.
"""

from __future__ import annotations

from lxml import etree


def text_of(el: etree._Element) -> str | None:
    """``el.text`` joined with the tails of its comment and PI children (None if it holds none).

    Element children and their tails are left out, as before: a value element has none, and
    one that has is refused by the schema. The common case, an element without children,
    costs one ``len``.
    """
    text = el.text
    if not len(el):
        return text
    parts = [text] if text else []
    for child in el:
        if not isinstance(child.tag, str) and child.tail:  # a comment or a PI: its tail is our text
            parts.append(child.tail)
    return "".join(parts) if parts else None
