"""Small value helpers the linkage modules share: text of an element, digits, folding, decimals."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from lxml import etree

from ..reading.xmltext import text_of

if TYPE_CHECKING:
    from .rules import Rules


def text(el: etree._Element, path: str) -> str:
    """The stripped text at ``path`` under ``el`` ('' when absent)."""
    found = el.find(path)
    return (text_of(found) or "").strip() if found is not None else ""


def digits(code: str) -> str:
    return re.sub(r"\D", "", code or "")


def fold(value: str) -> str:
    """Accents and case folded: names written by two systems must meet."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fmt(d: Decimal) -> str:
    """A decimal as plain digits (no exponent, no trailing zeros)."""
    return format(d.normalize(), "f")


def common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def names(what: str, labels: Sequence[object]) -> str:
    """'goods item 1' or 'goods items 1, 2'."""
    shown = [str(x) for x in labels]
    return f"{what} {shown[0]}" if len(shown) == 1 else f"{what}s {', '.join(shown)}"


def tokens(texts: Iterable[str | None], rules: Rules) -> frozenset[str]:
    """The words of ``texts`` that can match: folded, long enough, not numbers or the rules' stopwords."""
    out: set[str] = set()
    for t in texts:
        for w in re.findall(r"[^\W_]+", fold(t or "")):
            if len(w) >= rules.token_min_length and not w.isdigit() and w not in rules.stopwords:
                out.add(w)
    return frozenset(out)
