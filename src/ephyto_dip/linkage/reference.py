"""The reference element: one ``AdditionalDocument`` (class 02A) on a goods item, placed where the
declaration schema puts it, indented like its siblings, and brought up to date when it exists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from ..reading import model as m
from ..reading.doctypes import default_type
from .declaration import ADDITIONAL_DOCUMENT, GOODS_ITEM, GoodsItem, declaration_schema_info
from .rules import Rules
from .values import fmt, text

# child order of AdditionalDocument when the schema cannot tell (WCO DM 3.6 order)
_DOCUMENT_ORDER = ("CategoryCode", "EffectiveDateTime", "ID", "Name", "TypeCode", "LPCOExemptionCode",
                   "Submitter", "WriteOff")


@dataclass
class AttachmentFragment:
    """An ``AdditionalDocument`` element (DEC namespace) and the goods item it belongs to."""

    element: etree._Element
    goods_item: int | None  # SequenceNumeric; None without a declaration
    goods_item_xpath: str | None
    lines: tuple[str, ...]  # the certificate lines it stands for


def _template_values(cert: m.Certificate) -> dict[str, str]:
    return {
        "number": cert.number.strip() if cert.number else "",
        "type_code": cert.type_code.value.strip() if cert.type_code else "",
        "export_country": (cert.export_country.id.value.strip()
                           if cert.export_country and cert.export_country.id else ""),
        "issue_year": cert.issue_date_time.value.strip()[:4] if cert.issue_date_time else "",
    }


def _document_code(cert: m.Certificate, rules: Rules) -> tuple[str, str] | None:
    type_code = cert.type_code.value.strip() if cert.type_code else default_type()
    return rules.documents.get(type_code)


def reference_values(cert: m.Certificate, rules: Rules, status: str | None) -> dict[str, str]:
    """The AdditionalDocument's values: code, ID and Name from the table's templates, status."""
    category, type_ = _document_code(cert, rules) or ("", "")
    values = _template_values(cert)
    out = {"CategoryCode": category, "ID": rules.document_id.format(**values), "TypeCode": type_}
    name = rules.document_name.format(**values).strip() if rules.document_name else ""
    if name:
        out["Name"] = name
    out["LPCOExemptionCode"] = status or rules.default_status
    return out


def ched_values(ched: str, rules: Rules, status: str) -> dict[str, str]:
    """The pre-notification's reference (UK, EU: C085 CHED-PP) beside the certificate's."""
    category, type_ = rules.ched_document or ("", "")
    return {"CategoryCode": category, "ID": ched, "TypeCode": type_, "LPCOExemptionCode": status}


def goods_item_type(rules: Rules, decl: etree._Element | None = None,
               item_el: etree._Element | None = None) -> str | None:
    """Type key of a goods item, walking the schema down from Declaration (None if it strays)."""
    si = declaration_schema_info(rules)
    ns = f"{{{rules.declaration_ns}}}"
    type_key = si.element_type(ns + "Declaration")
    if decl is None or item_el is None:  # the WCO DM place of a goods item
        tags = [ns + "GoodsShipment", ns + GOODS_ITEM]
    else:
        if decl not in item_el.iterancestors():
            return None
        tags = []
        el: etree._Element | None = item_el
        while el is not None and el is not decl:  # decl is an ancestor: never None
            tags.append(str(el.tag))  # an element's tag is a str
            el = el.getparent()
        tags.reverse()
    for tag in tags:
        d = si.child(type_key, tag)
        if d is None:
            return None
        type_key = d.type_key
    return type_key


def document_type(rules: Rules, decl: etree._Element | None = None,
                   item_el: etree._Element | None = None) -> str | None:
    item_type = goods_item_type(rules, decl, item_el)
    d = declaration_schema_info(rules).child(item_type, f"{{{rules.declaration_ns}}}{ADDITIONAL_DOCUMENT}") \
        if item_type else None
    return d.type_key if d else None


def child_order(rules: Rules, type_key: str | None) -> list[str]:
    if type_key:
        order = [etree.QName(c.tag).localname for c in declaration_schema_info(rules).children(type_key)]
        if order:
            return order
    return list(_DOCUMENT_ORDER)


def build_reference(values: Mapping[str, str], rules: Rules, type_key: str | None,
                     write_off_kg: Decimal | None = None) -> etree._Element:
    ns = rules.declaration_ns
    el = etree.Element(f"{{{ns}}}{ADDITIONAL_DOCUMENT}", nsmap={None: ns})
    for local in child_order(rules, type_key):
        if values.get(local):
            etree.SubElement(el, f"{{{ns}}}{local}").text = values[local]
        elif local == "WriteOff" and write_off_kg is not None:
            wo = etree.SubElement(el, f"{{{ns}}}WriteOff")
            q = etree.SubElement(wo, f"{{{ns}}}QuantityQuantity", unitCode="KGM")
            q.text = fmt(write_off_kg)
    return el


def code_of(ad: etree._Element, ns: str) -> str:
    return text(ad, ns + "CategoryCode") + text(ad, ns + "TypeCode")


def existing_references(item_el: etree._Element, values: Mapping[str, str], rules: Rules) -> list[etree._Element]:
    ns = f"{{{rules.declaration_ns}}}"
    code = values["CategoryCode"] + values["TypeCode"]
    return [ad for ad in item_el.iterfind(ns + ADDITIONAL_DOCUMENT)
            if code_of(ad, ns) == code and text(ad, ns + "ID") == values["ID"]]


def put_reference(item: GoodsItem, values: Mapping[str, str], rules: Rules, decl: etree._Element,
                   status: str | None) -> str:
    """Add the reference to the goods item, or bring an existing one up to date: 'added' | 'updated' | 'present'."""
    type_key = document_type(rules, decl, item.element)
    write_off = item.net_kg if rules.write_off == "net_mass" and item.net_kg is not None else None
    found = existing_references(item.element, values, rules)
    if found:
        return _update_reference(found[0], values, rules, type_key, status, write_off)
    new = build_reference(values, rules, type_key, write_off)
    _insert(item.element, new, rules, decl)
    return "added"


def _update_reference(ad: etree._Element, values: Mapping[str, str], rules: Rules, type_key: str | None,
                      status: str | None, write_off: Decimal | None) -> str:
    ns = f"{{{rules.declaration_ns}}}"
    wanted = {}
    current = text(ad, ns + "LPCOExemptionCode")
    if (status and current != status) or not current:  # the declarant's own status stands unless overridden
        wanted["LPCOExemptionCode"] = values["LPCOExemptionCode"]
    if values.get("Name") and not text(ad, ns + "Name"):
        wanted["Name"] = values["Name"]
    need_write_off = write_off is not None and ad.find(ns + "WriteOff") is None
    if not wanted and not need_write_off:
        return "present"
    order = child_order(rules, type_key)
    for local, value in wanted.items():
        el = ad.find(ns + local)
        if el is None:
            el = ad.makeelement(ns + local)
            el.text = value
            _place(ad, el, order)
        el.text = value
    if write_off is not None and need_write_off:
        wo = ad.makeelement(ns + "WriteOff")
        etree.SubElement(wo, ns + "QuantityQuantity", unitCode="KGM").text = fmt(write_off)
        _place(ad, wo, order)
    return "updated"


def _insert(item_el: etree._Element, new: etree._Element, rules: Rules, decl: etree._Element) -> None:
    """Put the new AdditionalDocument after the item's last one, else at its schema place."""
    item_type = goods_item_type(rules, decl, item_el)
    order = [etree.QName(c.tag).localname for c in declaration_schema_info(rules).children(item_type)] \
        if item_type else []
    _place(item_el, new, order)


def _place(parent: etree._Element, new: etree._Element, order: list[str]) -> None:
    """Insert ``new`` after the last sibling the schema puts at or before it; indent it like them."""
    local = etree.QName(new).localname
    kids = [c for c in parent if isinstance(c.tag, str)]
    if local in order:
        rank = {name: i for i, name in enumerate(order)}
        mine = rank[local]
        before = [c for c in kids if rank.get(etree.QName(c).localname, len(order)) <= mine]
        after = [c for c in kids if rank.get(etree.QName(c).localname, -1) > mine]
    else:  # the schema does not say: next to its namesakes, else at the end
        before = [c for c in kids if etree.QName(c).localname == local]
        after = []
    if before:
        index = parent.index(before[-1]) + 1
    elif after:
        index = parent.index(after[0])
        while index > 0 and not isinstance(parent[index - 1].tag, str):
            index -= 1  # comments that introduce the next element stay with it
    else:
        index = len(parent)
    parent.insert(index, new)
    _indent(parent, new, index)


def _indent(parent: etree._Element, new: etree._Element, index: int) -> None:
    """Pretty-printed inputs stay pretty: the children's indentation is what precedes the first one."""
    sibling = parent.text if parent.text and "\n" in parent.text and not parent.text.strip() else None
    if sibling is None:
        if len(parent) == 1:  # the parent was empty: derive from its own indentation
            outer = _leading_ws(parent)
            if outer is None:
                return
            sibling = outer + "\t"
            new.tail = outer
            parent.text = sibling
        else:
            return
    elif index > 0:
        prev = parent[index - 1]
        new.tail = prev.tail
        prev.tail = sibling
    else:
        new.tail = sibling
    if len(new):
        indent = sibling.rsplit("\n", 1)[1]
        outer = _leading_ws(parent)
        outer_indent = outer.rsplit("\n", 1)[1] if outer else ""
        unit = indent[len(outer_indent):] if indent.startswith(outer_indent) and len(indent) > len(outer_indent) \
            else "\t"
        _indent_children(new, indent, unit)


def _leading_ws(el: etree._Element) -> str | None:
    prev, parent = el.getprevious(), el.getparent()
    ws = prev.tail if prev is not None else (parent.text if parent is not None else None)
    return ws if ws and "\n" in ws and not ws.strip() else None


def _indent_children(el: etree._Element, indent: str, unit: str) -> None:
    inner = indent + unit
    el.text = "\n" + inner
    kids = list(el)
    for i, c in enumerate(kids):
        c.tail = "\n" + (inner if i < len(kids) - 1 else indent)
        if len(c):
            _indent_children(c, inner, unit)


def phyto_references(item_el: etree._Element, rules: Rules) -> list[etree._Element]:
    """The goods item's AdditionalDocuments whose code counts as a phytosanitary reference."""
    ns = f"{{{rules.declaration_ns}}}"
    return [ad for ad in item_el.iterfind(ns + ADDITIONAL_DOCUMENT) if code_of(ad, ns) in rules.phyto_document_codes]


def remove_reference(ad: etree._Element) -> None:
    """Take a reference out; the indentation of what follows stays as it was."""
    parent, prev = ad.getparent(), ad.getprevious()
    assert parent is not None  # a reference sits in a goods item or the declaration
    if ad.getnext() is None:  # the whitespace before the closing tag came with it
        if prev is not None:
            prev.tail = ad.tail
        else:
            parent.text = ad.tail
    parent.remove(ad)  # lxml takes the element's tail with it


def set_status(item_el: etree._Element, values: Mapping[str, str], rules: Rules, status: str) -> None:
    """The status code of the item's reference to the certificate (chosen once the ledger has answered)."""
    ns = f"{{{rules.declaration_ns}}}"
    for ad in existing_references(item_el, values, rules):
        el = ad.find(ns + "LPCOExemptionCode")
        if el is not None:
            el.text = status
