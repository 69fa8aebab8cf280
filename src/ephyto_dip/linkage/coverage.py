"""What the declaration's goods items and the certificate's lines say of each other: lines that
cover nothing, references no line supports, plant goods without a certificate, and the quantity
of one declaration against what the lines certify (the running balance is the ledger's)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias

from ..findings import WARNING, Finding
from .matching import Plan
from .reference import existing_references, phyto_references, remove_reference
from .rules import Rules
from .values import fmt, names

if TYPE_CHECKING:
    from lxml import etree

    from ..reading import model as m
    from .declaration import Declaration

Key: TypeAlias = tuple[object, ...]  # ("i", goods item, xpath) or ("l", line): a node of the union-find


def unmatched_lines(plan: Plan, rules: Rules, cert_name: str) -> list[Finding]:
    out = []
    matched = {mt.line for mt in plan.matches}
    for line in plan.lines:
        if line.label in matched:
            continue
        how = (f"its HS code {', '.join(line.hs_codes)} agrees in fewer than {rules.hs_min_digits} digits with "
               "every goods item's commodity code") if line.hs_codes else \
            "it has no usable HS code and its names share too few words with every goods description"
        out.append(Finding("ATTACH-NO-MATCH", f"{line.title} matched no goods item of the declaration: {how}",
                           severity=rules.severity("ATTACH-NO-MATCH"), file=cert_name,
                           value=", ".join(line.hs_codes or line.short_hs_codes) or None))
    return out


def unmatched_references(plan: Plan, values: Mapping[str, str], rules: Rules, name: str) -> list[Finding]:
    out = []
    for item in plan.items:
        if not plan.lines_of(item) and existing_references(item.element, values, rules):
            out.append(Finding("ATTACH-REFERENCE-UNMATCHED",
                               f"{item.label} already references certificate {values['ID']}, but no line of the "
                               "certificate matches it", severity=rules.severity("ATTACH-REFERENCE-UNMATCHED", WARNING),
                               file=name, line=item.line, xpath=item.xpath))
    return out


def quantity_findings(plan: Plan, rules: Rules, name: str) -> list[Finding]:
    """Compare per group of goods items and lines that matched each other (lines may share items)."""
    parent: dict[Key, Key] = {}

    def find(x: Key) -> Key:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for mt in plan.matches:
        parent[find(("i", mt.goods_item, mt.goods_item_xpath))] = find(("l", mt.line))
    groups: dict[Key, tuple[dict[tuple[int, str], None], dict[str, None]]] = {}
    for mt in plan.matches:
        g = groups.setdefault(find(("l", mt.line)), ({}, {}))
        g[0][(mt.goods_item, mt.goods_item_xpath)] = None
        g[1][mt.line] = None
    items = {(it.sequence, it.xpath): it for it in plan.items}
    lines = {ln.label: ln for ln in plan.lines}
    out = []
    for item_keys, line_keys in groups.values():
        its = [items[k] for k in item_keys]
        lns = [lines[k] for k in line_keys]
        who = (f"{names('goods item', [i.sequence for i in its])} and "
               f"{names('certificate line', [ln.label for ln in lns])}")
        first = its[0]
        missing = [f"{i.label}: {i.net_problem}" for i in its if i.net_kg is None] + \
                  [f"{ln.title}: {ln.quantity_problem}" for ln in lns if ln.certified_kg is None]
        if missing:
            out.append(Finding("ATTACH-QUANTITY-UNCHECKED", f"quantities of {who} not compared: {'; '.join(missing)}",
                               severity=WARNING, file=name, line=first.line, xpath=first.xpath))
            continue
        # none is None (those are the missing above)
        declared = sum((i.net_kg or Decimal(0) for i in its), Decimal(0))
        certified = sum((ln.certified_kg or Decimal(0) for ln in lns), Decimal(0))
        if declared > certified * (1 + rules.quantity_tolerance):
            said = "; ".join(f"line {ln.label}: {ln.certified_text}" for ln in lns)
            stated = "; ".join(f"item {i.sequence}: {i.net_text}" for i in its)
            out.append(Finding(
                "ATTACH-QUANTITY",
                f"{who}: declared net mass {fmt(declared)} kg ({stated}) exceeds the certified "
                f"{fmt(certified)} kg ({said})",
                severity=rules.severity("ATTACH-QUANTITY"), file=name, line=first.line, xpath=first.xpath,
                value=fmt(declared)))
    return out


def missing_certificates(plan: Plan, rules: Rules, name: str, declaration: etree._Element | None = None
                         ) -> list[Finding]:
    """[16, screen only] plant goods items with no phytosanitary reference on them or on the declaration [29]."""
    if declaration is not None and phyto_references(declaration, rules):
        return []  # a declaration-level reference covers its goods items
    out = []
    for item in plan.items:
        prefix = next((p for p in sorted(rules.plant_hs, key=len, reverse=True)
                       for hs in item.hs_codes if hs.startswith(p)), None)
        if prefix is None:
            continue
        if phyto_references(item.element, rules):
            continue
        out.append(Finding(
            "ATTACH-NO-CERTIFICATE",
            f"{item.label} is a plant product (HS {prefix}: {rules.plant_hs[prefix]}) without a phytosanitary "
            f"certificate reference ({' / '.join(sorted(rules.phyto_document_codes))})",
            severity=rules.severity("ATTACH-NO-CERTIFICATE", WARNING), file=name, line=item.line, xpath=item.xpath))
    return out


def quoted_refused(decl: Declaration, cert: m.Certificate, rules: Rules, problems: list[Finding]) -> list[Finding]:
    """A declaration that already quotes a certificate that cannot cover goods: each goods item that does [2, 29]."""
    number = (cert.number or "").strip()
    why = next((f for f in problems if f.severity == "error"), None)
    out = []
    for item in decl.items:
        if number and any((ad.findtext(f"{{{rules.declaration_ns}}}ID") or "").strip() == number
                          for ad in phyto_references(item.element, rules)):
            assert why is not None  # called with the problems that refuse the certificate
            out.append(Finding(why.code, f"{item.label} already references certificate {number}, which cannot cover "
                               "goods: the reference must be removed or replaced", file=decl.name, line=item.line,
                               xpath=item.xpath, value=number))
    return out


def drop_replaced(plan: Plan, replaced: list[str], rules: Rules, name: str) -> list[Finding]:
    """[3] a goods item the replacement covers must not keep the number it replaces beside it: the old
    reference is taken out, and said so."""
    ns = f"{{{rules.declaration_ns}}}"
    out: list[Finding] = []
    for item in plan.matched_items():
        for ad in phyto_references(item.element, rules):
            old = (ad.findtext(ns + "ID") or "").strip()
            if old in replaced:
                remove_reference(ad)
                out.append(Finding("ATTACH-REPLACED", f"{item.label} referenced certificate {old}, which this "
                                   "certificate replaces; that reference was removed (only the replacement covers "
                                   "the goods) [3]", severity=WARNING, file=name, line=item.line, xpath=item.xpath,
                                   value=old))
    return out

