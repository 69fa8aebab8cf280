"""Which certificate line covers which goods item: by HS code, by names, or as the declarant says.

Per certificate line: by HS code (the line's ``hs_classifications`` against the goods item's
``Commodity/Classification`` of the table's identification types; digits compared from the
left, at least ``hs_min_digits`` must agree); a line without a usable HS code is matched by words
(its description, common and botanical names against ``Commodity/Description``). When the caller
says which line a goods item draws on (``links``), that is taken instead, and checked: the line
must exist (CERTEX reason 07) and its code must agree with the goods item's (reason 03).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..findings import Finding
from ..jsontypes import JSONObject
from ..reading import model as m
from .certificate import CertificateLine, certificate_lines
from .declaration import GoodsItem
from .rules import Rules
from .values import common_prefix


@dataclass(frozen=True)
class Match:
    """One certificate line found to cover one goods item."""

    goods_item: int
    goods_item_xpath: str
    line: str
    method: str  # "hs" or "description"
    score: float  # hs: digits that agree; description: share of words in common
    detail: str
    action: str = ""  # after attach: "added", "updated" or "present" (the item's reference)

    def to_dict(self) -> JSONObject:
        return {k: v for k, v in self.__dict__.items() if v != ""}


def variants(word: str) -> set[str]:
    """The word and its English singulars: plural and singular names must meet."""
    v = {word}
    if len(word) > 3:
        if word.endswith("ies"):
            v.add(word[:-3] + "y")
        if word.endswith("es"):
            v.add(word[:-2])
        if word.endswith("s"):
            v.add(word[:-1])
    return v


def _match_hs(line: CertificateLine, item: GoodsItem, rules: Rules) -> Match | None:
    best, pair = 0, None
    for c in line.hs_codes:
        for d in item.hs_codes:
            n = common_prefix(c, d)
            if n > best:
                best, pair = n, (c, d)
    if best < rules.hs_min_digits or pair is None:
        return None
    return Match(item.sequence, item.xpath, line.label, "hs", float(best),
                 f"HS {pair[0]} ~ {pair[1]}: {best} digits agree")


def _match_words(line: CertificateLine, item: GoodsItem, rules: Rules) -> Match | None:
    if not line.tokens or not item.tokens:
        return None
    if line.short_hs_codes and item.hs_codes and not any(
        d.startswith(s) for s in line.short_hs_codes for d in item.hs_codes
    ):
        return None  # the certificate's heading rules this goods item out
    line_forms = set().union(*(variants(w) for w in line.tokens))
    shared = sorted(w for w in item.tokens if variants(w) & line_forms)
    if len(shared) < max(1, rules.description_min_shared):
        return None
    if all(w in rules.generic_words for w in shared):
        return None
    share = len(shared) / min(len(item.tokens), len(line.tokens))
    if share < rules.description_min_overlap:
        return None
    return Match(item.sequence, item.xpath, line.label, "description", round(share, 3),
                 f"words in common: {', '.join(shared)}")


@dataclass
class Plan:
    lines: list[CertificateLine]
    items: list[GoodsItem]
    matches: list[Match]
    problems: list[Finding] = field(default_factory=list)  # links to lines that do not exist or do not agree

    def lines_of(self, item: GoodsItem) -> list[str]:
        return [mt.line for mt in self.matches if mt.goods_item == item.sequence and mt.goods_item_xpath == item.xpath]

    def matched_items(self) -> list[GoodsItem]:
        return [it for it in self.items if self.lines_of(it)]

    def line(self, label: str) -> CertificateLine:
        return next(ln for ln in self.lines if ln.label == label)


def plan(cert: m.Certificate, items: list[GoodsItem], rules: Rules,
         links: Mapping[int, Sequence[str]] | None = None, name: str = "<declaration>") -> Plan:
    """Every (line, goods item) pair that matches; with ``links``, the declared pairs, checked."""
    lines = certificate_lines(cert, rules)
    if links is not None:
        return _declared(lines, items, rules, links, name)
    matches = []
    for line in lines:
        for item in items:
            found = _match_hs(line, item, rules) if line.hs_codes else _match_words(line, item, rules)
            if found:
                matches.append(found)
    return Plan(lines, items, matches)


def _declared(lines: list[CertificateLine], items: list[GoodsItem], rules: Rules,
              links: Mapping[int, Sequence[str]], name: str) -> Plan:
    by_label = {ln.label: ln for ln in lines}
    by_seq = {it.sequence: it for it in items}
    out = Plan(lines, items, [])
    for seq, labels in links.items():
        item = by_seq.get(seq)
        if item is None:
            out.problems.append(Finding("ATTACH-LINE", f"goods item {seq} named in the links is not in the declaration",
                                        file=name, value=str(seq)))
            continue
        for label in labels:
            line = by_label.get(str(label))
            if line is None:
                out.problems.append(Finding(
                    "ATTACH-LINE", f"{item.label} draws on certificate line {label}, which the certificate does not "
                    f"have (lines: {', '.join(by_label)}) [CERTEX 07]", file=name, line=item.line, xpath=item.xpath,
                    value=str(label)))
                continue
            found = _match_hs(line, item, rules) if line.hs_codes else _match_words(line, item, rules)
            if line.hs_codes and found is None:
                out.problems.append(Finding(
                    "ATTACH-HS", f"{item.label} draws on {line.title}, but its commodity code does not start with the "
                    f"line's HS subheading ({rules.hs_min_digits} digits) [CERTEX 03]", file=name, line=item.line,
                    xpath=item.xpath, value=", ".join(item.hs_codes) or None))
                continue
            out.matches.append(Match(item.sequence, item.xpath, line.label, "declared",
                                     found.score if found else 0.0,
                                     f"declared; {found.detail}" if found else "declared"))
    return out
