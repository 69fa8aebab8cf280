"""Generate the ePhyto DIP schemas (schemas/dip/*.xsd, and the JSON Schema of the DIP JSON) from the mapping table.

The DIP is designed *through* the table: each row's ``dip_path``, ``wco_*`` columns and
``wco_format`` say which element exists, where, with which WCO ID, class and format. This
script turns that into three WCO DM-style schema documents:

* ``ePhytoDIP_1p0.xsd``        main namespace, one named complex type per class
* ``ePhytoDIP_DS_1p0.xsd``     the DS layer: one restricted type per data element
* ``ePhytoDIP_IPPC_1p0.xsd``   the IPPC extension namespace for what the WCO DM lacks
* ``ePhytoDIP_1p0.schema.json`` the JSON Schema (draft 2020-12) of the DIP as JSON, read off
  the three XSDs just generated (``ephyto_dip.mapping.dipjson_schema``)

Run ``python tools/gen_dip_xsd.py`` after editing the table; ``tests/test_dip_schema.py``
fails when the committed schemas differ from what this script produces.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tempfile
from collections import OrderedDict
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ephyto_dip.mapping import dipjson_schema  # noqa: E402
from ephyto_dip.mapping.metadata import load_envelope  # noqa: E402
from ephyto_dip.mapping.sides import DIP_DS_NS, DIP_EXT_NS, DIP_NS  # noqa: E402
from ephyto_dip.mapping.table import Row, parse_table  # noqa: E402
from ephyto_dip.reading import model as m  # noqa: E402
from ephyto_dip.reading.schema_info import SchemaInfo  # noqa: E402

XS = "http://www.w3.org/2001/XMLSchema"
XSN = f"{{{XS}}}"
VERSION = "1.1"  # the profile version; mappings/dip-metadata.tsv writes it in every DIP

# Classes of intermediate elements that no row names (WCO DM 3.6 class IDs, HMRC CDS schema).
CLASSES = {
    "GoodsShipment": ("67A", "GoodsShipment"),
    "Consignment": ("28A", "Consignment"),
    "Commodity": ("23A", "Commodity"),
    "GoodsMeasure": ("65A", "GoodsMeasure"),
    "Authenticator": ("12A", "Authenticator"),
}
MANDATORY_ROOT = {"ID", "TypeCode", "FunctionCode", "IssueDateTime"}

DATATYPES = {
    m.Text: "Text",
    m.Code: "Code",
    m.Identifier: "ID",
    m.Measure: "Measure",
    m.Quantity: "Quantity",
    m.Numeric: "Numeric",
    m.DateTime: "DateTime",
    m.Binary: "BinaryObject",
    m.Indicator: "Indicator",
    m.Value: "Text",
}
DECIMAL = {"Measure", "Quantity", "Numeric"}
# the DS base types (UN/CEFACT UDT attributes), in the order the DS schema declares them
BASE_ATTRIBUTES = {
    "Text": ["languageID", "languageLocaleID"],
    "Code": ["listID", "listAgencyID", "listAgencyName", "listName", "listVersionID", "name", "languageID",
             "listURI", "listSchemeURI"],
    "ID": ["schemeID", "schemeName", "schemeAgencyID", "schemeAgencyName", "schemeVersionID", "schemeDataURI",
           "schemeURI"],
    "Measure": ["unitCode", "unitCodeListVersionID"],
    "Quantity": ["unitCode", "unitCodeListID", "unitCodeListAgencyID", "unitCodeListAgencyName"],
    "Numeric": ["format"],
    "Indicator": [],
    "BinaryObject": ["format", "mimeCode", "encodingCode", "characterSetCode", "uri", "filename"],
}
BASE_XS = {d: ("xs:decimal" if d in DECIMAL else "xs:string") for d in BASE_ATTRIBUTES}


def load_tded() -> dict[str, str]:
    """WCO ID -> UN/TDED number, from the element list extracted from the bundled HMRC schema."""
    path = ROOT / "schemas" / "wco-dec" / "hmrc-cds-dec-elements.tsv"  # origin: schemas/wco-dec/SOURCES.md
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if r["WCOID"] and r["TDED"] and r["TDED"] != "?":
                out.setdefault(r["WCOID"], r["TDED"])
    return out


def load_wco_elements() -> dict[tuple[str, str], dict[str, str]]:
    """(class element name, data element name) -> the HMRC list's row, with its class as ``class``.

    Annotates an element the table writes only as a predicate's constant (no row of its own ends
    there, e.g. ``PreviousDocument[TypeCode='851']``): its WCO ID, name and format come from the
    same bundled element list as the UN/TDED numbers.
    """
    path = ROOT / "schemas" / "wco-dec" / "hmrc-cds-dec-elements.tsv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    classes = {r["path"]: r for r in rows}
    out: dict[tuple[str, str], dict[str, str]] = {}
    for r in rows:
        parent_path, _, local = r["path"].rpartition("/")
        parent = classes.get(parent_path)
        if parent is None or not r["WCOID"] or not r["WCOFormat"]:
            continue
        cls = f"{parent['WCOID']} {parent['WCOName']}"
        out.setdefault((parent_path.rpartition("/")[2], local), {**r, "class": cls})
    return out


class Node:
    def __init__(self, tag: str):
        self.tag = tag  # Clark name
        self.children: OrderedDict[str, Node] = OrderedDict()
        self.max_unbounded = False
        self.datatype: str | None = None
        self.datatypes: set[str] = set()  # every row's data type (several: a combined base type)
        self.fmt = ""
        self.rows: list[Row] = []  # rows whose path ends here
        self.group_rows: list[Row] = []
        self.constants: list[tuple[Row, str]] = []  # (group row, literal) of predicates writing this element
        self.parent_local = ""

    @property
    def local(self) -> str:
        return etree.QName(self.tag).localname

    @property
    def ns(self) -> str:
        return etree.QName(self.tag).namespace

    @property
    def is_leaf(self) -> bool:
        return self.datatype is not None


WCO_ELEMENTS = load_wco_elements()


def build_tree(table) -> Node:
    root = Node(f"{{{DIP_NS}}}PhytosanitaryCertificate")

    def place(node: Node, rows: list[Row]):
        for row in rows:
            path = row.paths.get("dip")
            if path is None:
                continue
            target = node
            for i, step in enumerate(path.steps):
                child = target.children.get(step.tag)
                if child is None:
                    child = target.children[step.tag] = Node(step.tag)
                last = i == len(path.steps) - 1
                if last and row.is_list:
                    child.max_unbounded = True
                for pred_child, literal in step.child_predicates:  # materialised discriminators, constants
                    pc = child.children.get(pred_child)
                    if pc is None:
                        pc = child.children[pred_child] = Node(pred_child)
                        pc.datatype, pc.fmt, pc.parent_local = "Code", "an..17", child.local
                        wco = WCO_ELEMENTS.get((child.local, pc.local)) if pc.ns == DIP_NS else None
                        if wco is not None:
                            pc.fmt = wco["WCOFormat"]
                    pc.constants.append((row, literal))
                target = child
            if row.kind == "group":
                if path.steps:
                    target.group_rows.append(row)
                place(target, row.children)
            else:
                target.rows.append(row)
                target.datatype = DATATYPES[row.model_type] if row.kind == "value" else "Text"
                target.datatypes.add(target.datatype)
                target.fmt = _wider(target.fmt, row.format_in_dip)

    place(root, table.roots)
    return root


def _wider(a: str, b: str) -> str:
    def size(f):
        mt = re.search(r"(\d+)", f or "")
        return int(mt.group(1)) if mt else 0

    if not a:
        return b
    if not b:
        return a
    return a if size(a) >= size(b) else b


def _doc(parent: etree._Element, items: list[tuple[str, str]]) -> None:
    items = [(k, v) for k, v in items if v]
    if not items:
        return
    ann = etree.SubElement(parent, XSN + "annotation")
    doc = etree.SubElement(ann, XSN + "documentation", {"{http://www.w3.org/XML/1998/namespace}lang": "EN"})
    for k, v in items:
        etree.SubElement(doc, k).text = v


class Generator:
    def __init__(self, table, tded):
        self.table = table
        self.tded = tded
        self.main = self._schema(DIP_NS, {"ds": DIP_DS_NS, "ippc": DIP_EXT_NS})
        self.ds = self._schema(DIP_DS_NS, {})
        self.ext = self._schema(DIP_EXT_NS, {"ds": DIP_DS_NS, "ippc": DIP_EXT_NS})
        self.ds_types: dict[str, str] = {}  # signature -> name
        self.main_types: dict[str, str] = {}  # structure signature -> name
        self.ext_globals: dict[str, Node] = OrderedDict()
        self.combined: set[str] = set()  # combined base types already declared

    def _schema(self, tns, extra_ns):
        nsmap = {"xs": XS, None: tns}
        nsmap.update(extra_ns)
        root = etree.Element(XSN + "schema", nsmap=nsmap)
        root.set("targetNamespace", tns)
        root.set("elementFormDefault", "qualified")
        root.set("attributeFormDefault", "unqualified")
        root.set("version", VERSION)
        return root

    # ------------------------------------------------------------------ DS layer
    def ds_base_types(self):
        ds = self.ds
        _doc(ds, [("Title", "ePhyto DIP data types (DS layer), unofficial WCO DM 3.x-style profile"),
                  ("Generator", "tools/gen_dip_xsd.py from mappings/ephyto-dip.tsv")])

        def attrs(ct, names):
            for n in names:
                etree.SubElement(ct, XSN + "attribute", name=n, type="xs:string", use="optional")

        for name, base, names in [(f"{d}Type", BASE_XS[d], attrs_) for d, attrs_ in BASE_ATTRIBUTES.items()]:
            ct = etree.SubElement(ds, XSN + "complexType", name=name)
            if name == "BinaryObjectType":
                _doc(ct, [("Remark", "base64 content carried verbatim; its validity is an ISPM 12 rule (RULE-BASE64), "
                                     "not a schema constraint, so a damaged attachment still reaches customs")])
            sc = etree.SubElement(ct, XSN + "simpleContent")
            ext = etree.SubElement(sc, XSN + "extension", base=base)
            attrs(ext, names)
        # DateTime: WCO style DateTimeString with an EDIFACT 2379 formatCode
        ct = etree.SubElement(ds, XSN + "complexType", name="DateTimeType")
        _doc(ct, [("Remark", "DateTimeString with formatCode 102 (CCYYMMDD), 204 (CCYYMMDDHHMMSS) or 304 "
                             "(CCYYMMDDHHMMSS and zone) where the ePhyto ISO 8601 value maps exactly; "
                             "other values are carried verbatim without formatCode")])
        seq = etree.SubElement(ct, XSN + "sequence")
        el = etree.SubElement(seq, XSN + "element", name="DateTimeString")
        ict = etree.SubElement(el, XSN + "complexType")
        sc = etree.SubElement(ict, XSN + "simpleContent")
        ext = etree.SubElement(sc, XSN + "extension", base="ds:DateTimeStringContentType")
        etree.SubElement(ext, XSN + "attribute", name="formatCode", type="xs:string", use="optional")
        etree.SubElement(ext, XSN + "attribute", name="format", type="xs:string", use="optional")
        st = etree.SubElement(ds, XSN + "simpleType", name="DateTimeStringContentType")
        r = etree.SubElement(st, XSN + "restriction", base="xs:string")
        etree.SubElement(r, XSN + "maxLength", value="35")
        self.ds.nsmap  # noqa: B018
        # the DS schema refers to its own types with the ds prefix
        return

    def combined_base(self, datatypes: set[str]) -> str:
        """A base type for an element rows of several data types write (an ID that is also a note's
        text): its attributes are all of theirs, so no value's metadata is lost."""
        if datatypes & (DECIMAL | {"DateTime", "BinaryObject"}):
            raise SystemExit(f"rows of data types {sorted(datatypes)} write one element: no common base type")
        name = "".join(sorted(datatypes))
        if name + "Type" not in self.combined:
            ct = etree.SubElement(self.ds, XSN + "complexType", name=name + "Type")
            _doc(ct, [("Remark", "the attributes of " + " and ".join(f"{d}Type" for d in sorted(datatypes))
                                 + ": rows of these data types write the same element")])
            sc = etree.SubElement(ct, XSN + "simpleContent")
            ext = etree.SubElement(sc, XSN + "extension", base="xs:string")
            names = []
            for d in sorted(datatypes):
                names += [n for n in BASE_ATTRIBUTES[d] if n not in names]
            for n in names:
                etree.SubElement(ext, XSN + "attribute", name=n, type="xs:string", use="optional")
            self.combined.add(name + "Type")
        return name

    def ds_type(self, node: Node, class_name: str) -> str:
        """A DS type for a leaf: <Class><Element>Type restricting the base by the WCO format."""
        dt = node.datatype if len(node.datatypes) < 2 else self.combined_base(node.datatypes)
        fmt = node.fmt
        if dt == "DateTime":
            return "ds:DateTimeType"
        sig = f"{dt}|{fmt}"
        name = f"{class_name}{node.local}Type"
        name = re.sub(r"[^A-Za-z0-9]", "", name)
        existing = self.ds_types.get(name)
        if existing is not None:
            if existing == sig:
                return f"ds:{name}"
            i = 2
            while f"{name}{i}" in self.ds_types and self.ds_types[f"{name}{i}"] != sig:
                i += 1
            name = f"{name}{i}"
            if name in self.ds_types:
                return f"ds:{name}"
        self.ds_types[name] = sig
        ct = etree.SubElement(self.ds, XSN + "complexType", name=name)
        _doc(ct, [("WCOFormat", fmt)])
        sc = etree.SubElement(ct, XSN + "simpleContent")
        r = etree.SubElement(sc, XSN + "restriction", base=f"ds:{dt}Type")
        mt = re.match(r"^(a|n|an)(\.\.)?(\d+)(?:,(\d+))?$", fmt or "")
        if dt in DECIMAL:
            if mt and mt.group(1) == "n":
                etree.SubElement(r, XSN + "totalDigits", value=mt.group(3))
                if mt.group(4):
                    etree.SubElement(r, XSN + "fractionDigits", value=mt.group(4))
        else:
            # no minLength: empty placeholders that senders put in required ePhyto elements are
            # carried as they are (rules report them), so the way back is exact
            if mt:
                etree.SubElement(r, XSN + "maxLength", value=mt.group(3))
        return f"ds:{name}"

    # ------------------------------------------------------------------ structure
    def annotations(self, node: Node) -> list[tuple[str, str]]:
        rows = node.rows or node.group_rows
        items: list[tuple[str, str]] = []
        if rows:
            r = rows[0]
            wid = r["wco_id"]
            items += [("WCOID", wid), ("WCOName", r["wco_name"]), ("WCOClass", r["wco_class"]),
                      ("WCOFormat", r["wco_format"]), ("TDEDUID", self.tded.get(wid, "") if wid else "")]
            if r["dip_format"] and r["dip_format"] != r["wco_format"]:
                items += [("DIPFormat", r["dip_format"]), ("DIPFormatReason", r["dip_format_reason"])]
            items.append(("MappingID", " ".join(x.id for x in rows)))
            items.append(("ISPM12Box", r["ispm12_box"]))
        elif node.local in CLASSES:
            cid, cname = CLASSES[node.local]
            items += [("WCOID", cid), ("WCOName", cname), ("WCOClass", f"{cid} {cname}")]
        if node.constants and not rows:  # written only as a predicate's literal
            wco = WCO_ELEMENTS.get((node.parent_local, node.local)) if node.ns == DIP_NS else None
            if wco is not None:
                items += [("WCOID", wco["WCOID"]), ("WCOName", wco["WCOName"]), ("WCOClass", wco["class"]),
                          ("WCOFormat", wco["WCOFormat"]), ("TDEDUID", wco["TDED"])]
            items.append(("MappingID", " ".join(dict.fromkeys(r.id for r, _ in node.constants))))
            by_value: dict[str, list[str]] = {}
            for r, v in node.constants:
                by_value.setdefault(v, []).append(r.id)
            items.append(("Constant", "; ".join(f"{v} ({' '.join(ids)})" for v, ids in by_value.items())))
        if node.ns == DIP_EXT_NS and node.constants and not rows:
            items.append(("Extension", "IPPC: a marker the table writes as a predicate's literal, telling apart "
                                       "what the ePhyto side keeps apart; not an ISPM 12 data element, no DMR"))
        elif node.ns == DIP_EXT_NS:
            items.append(("Extension", "IPPC: no WCO DM equivalent found; proposed in the gap list"))
        return items

    def complex_type(self, node: Node, schema: etree._Element, prefix: str) -> str:
        """Named complex type for an aggregate; equal structures share one type."""
        kids = self.ordered(node)
        sig = node.local + "(" + ",".join(f"{k.tag}{'*' if k.max_unbounded else ''}" for k in kids) + ")"
        for name, s in self.main_types.items():
            if s == sig and name.startswith(prefix):
                return name
        base = re.sub(r"[^A-Za-z0-9]", "", node.local)
        name = f"{prefix}{base}Type"
        i = 2
        while name in self.main_types:
            name = f"{prefix}{base}{i}Type"
            i += 1
        self.main_types[name] = sig
        ct = etree.SubElement(schema, XSN + "complexType", name=name.split(":", 1)[-1])
        _doc(ct, self.annotations(node))
        seq = etree.SubElement(ct, XSN + "sequence")
        for kid in kids:
            self.child_decl(seq, kid, node)
        return name

    def ordered(self, node: Node) -> list[Node]:
        # WCO DM schemas list a class's data elements first, then its child classes, each
        # alphabetically (HMRC CDS DEC 3.6); the IPPC extension's come last within each group
        kids = list(node.children.values())
        return sorted(kids, key=lambda k: (not (k.is_leaf and not k.children), k.ns == DIP_EXT_NS, k.local))

    def child_decl(self, seq: etree._Element, kid: Node, parent: Node) -> None:
        attrs = {"minOccurs": "1" if (parent.tag.endswith("}PhytosanitaryCertificate") and kid.local in MANDATORY_ROOT
                                      and kid.ns == DIP_NS) else "0"}
        if kid.max_unbounded:
            attrs["maxOccurs"] = "unbounded"
        if kid.ns == DIP_EXT_NS:
            self.register_ext(kid, parent)
            el = etree.SubElement(seq, XSN + "element", ref=f"ippc:{kid.local}", **attrs)
            return
        el = etree.SubElement(seq, XSN + "element", name=kid.local, **attrs)
        if kid.is_leaf and not kid.children:
            el.set("type", self.ds_type(kid, parent.local))
        else:
            el.set("type", self.complex_type(kid, self.main, ""))
        _doc(el, self.annotations(kid))

    def register_ext(self, kid: Node, parent: Node) -> None:
        """Extension elements are global in their own namespace; same name, merged content."""
        cur = self.ext_globals.get(kid.local)
        if cur is None:
            clone = Node(kid.tag)
            clone.datatype, clone.fmt = kid.datatype, kid.fmt
            clone.rows, clone.group_rows = list(kid.rows), list(kid.group_rows)
            clone.datatypes, clone.constants = set(kid.datatypes), list(kid.constants)
            clone.children = OrderedDict(kid.children)
            clone.parent_name = parent.local
            self.ext_globals[kid.local] = clone
            return
        if (cur.datatype is None) != (kid.datatype is None or bool(kid.children)) and cur.datatype and kid.children:
            raise SystemExit(f"extension element {kid.local} is both simple and complex")
        cur.fmt = _wider(cur.fmt, kid.fmt)
        cur.rows += kid.rows
        cur.group_rows += kid.group_rows
        cur.datatypes |= kid.datatypes
        cur.constants += kid.constants
        for t, c in kid.children.items():
            if t in cur.children:
                merged = cur.children[t]
                if merged is not c:
                    merged.max_unbounded |= c.max_unbounded
                    merged.fmt = _wider(merged.fmt, c.fmt)
                    for tt, cc in c.children.items():
                        merged.children.setdefault(tt, cc)
            else:
                cur.children[t] = c

    def write_ext(self):
        done: set[str] = set()
        while True:
            pending = [k for k in self.ext_globals if k not in done]
            if not pending:
                break
            for local in pending:
                done.add(local)
                node = self.ext_globals[local]
                el = etree.SubElement(self.ext, XSN + "element", name=local)
                _doc(el, self.annotations(node))
                if node.is_leaf and not node.children:
                    el.set("type", self.ds_type(node, "IPPC"))
                else:
                    ct = etree.SubElement(el, XSN + "complexType")
                    seq = etree.SubElement(ct, XSN + "sequence")
                    for kid in self.ordered(node):
                        attrs = {"minOccurs": "0"}
                        if kid.max_unbounded:
                            attrs["maxOccurs"] = "unbounded"
                        if kid.ns == DIP_EXT_NS:
                            self.register_ext(kid, node)
                            etree.SubElement(seq, XSN + "element", ref=f"ippc:{kid.local}", **attrs)
                        else:  # a WCO element inside an extension aggregate
                            raise SystemExit(f"WCO element {kid.local} inside extension {local}")

    def envelope(self) -> None:
        """The WCO DM MetaData envelope (mappings/dip-metadata.tsv), then the certificate."""
        el = etree.SubElement(self.main, XSN + "element", name="MetaData", type="MetaDataType")
        _doc(el, [("WCOName", "MetaData"),
                  ("Remark", "the WCO DM message envelope (as HMRC CDS DocumentMetaData_2_DMS.xsd), then the "
                             "certificate; written from mappings/dip-metadata.tsv")])
        ct = etree.SubElement(self.main, XSN + "complexType", name="MetaDataType")
        seq = etree.SubElement(ct, XSN + "sequence")
        for item in load_envelope(ROOT / "mappings" / "dip-metadata.tsv"):
            node = Node(f"{{{DIP_NS}}}{item.element}")
            node.datatype, node.fmt = ("Code" if item.element.endswith("Code") else "Text"), item.wco_format
            child = etree.SubElement(seq, XSN + "element", name=item.element, minOccurs="0",
                                     type=self.ds_type(node, "MetaData"))
            _doc(child, [("WCOFormat", item.wco_format), ("UniquePositionID", item.unique_position_id),
                         ("Remark", item.reason)])
        etree.SubElement(seq, XSN + "element", ref="PhytosanitaryCertificate")

    def run(self) -> dict[str, bytes]:
        tree = build_tree(self.table)
        self.ds_base_types()
        _doc(self.main, [("Title", "ePhyto Derived Information Package (DIP): an unofficial WCO DM 3.x-style profile "
                                   "for the ISPM 12 phytosanitary certificate"),
                         ("Status", "Not a WCO publication. Element IDs follow WCO DM 3.6 as published in national "
                                    "schemas; the official ePhyto DIP lives in the WCO DM App and is not public."),
                         ("Generator", "tools/gen_dip_xsd.py from mappings/ephyto-dip.tsv")])
        _doc(self.ext, [("Title", "IPPC extension of the ePhyto DIP: ISPM 12 elements without a WCO DM equivalent"),
                        ("Generator", "tools/gen_dip_xsd.py from mappings/ephyto-dip.tsv")])
        for schema, ns, loc in [(self.main, DIP_DS_NS, "ePhytoDIP_DS_1p0.xsd"),
                                (self.main, DIP_EXT_NS, "ePhytoDIP_IPPC_1p0.xsd"),
                                (self.ext, DIP_DS_NS, "ePhytoDIP_DS_1p0.xsd")]:
            etree.SubElement(schema, XSN + "import", namespace=ns, schemaLocation=loc)
        self.ds.nsmap  # noqa: B018
        root_el = etree.SubElement(self.main, XSN + "element", name="PhytosanitaryCertificate")
        root_el.set("type", self.complex_type(tree, self.main, ""))
        _doc(root_el, [("WCOName", "LPCO (phytosanitary certificate)"),
                       ("Remark", "the certificate as a licence/permit/certificate document")])
        self.envelope()
        self.write_ext()
        # imports must precede everything else in a schema document
        for schema in (self.main, self.ext):
            imports = [c for c in schema if c.tag == XSN + "import"]
            for imp in imports:
                schema.remove(imp)
            for i, imp in enumerate(imports):
                schema.insert(1 + i, imp)
        return {
            "ePhytoDIP_1p0.xsd": _ser(self.main),
            "ePhytoDIP_DS_1p0.xsd": _ser(_with_ds_prefix(self.ds)),
            "ePhytoDIP_IPPC_1p0.xsd": _ser(self.ext),
        }


def _with_ds_prefix(ds: etree._Element) -> etree._Element:
    # the DS schema refers to its own types as ds:…; give it that prefix
    nsmap = {"xs": XS, "ds": DIP_DS_NS, None: DIP_DS_NS}
    new = etree.Element(ds.tag, nsmap=nsmap)
    for k, v in ds.attrib.items():
        new.set(k, v)
    new.extend(list(ds))
    return new


def _ser(el: etree._Element) -> bytes:
    return etree.tostring(el, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def generate(table_path: Path) -> dict[str, bytes]:
    table = parse_table(table_path.read_text(encoding="utf-8"), str(table_path))
    files = Generator(table, load_tded()).run()
    files[dipjson_schema.FILE_NAME] = json_schema(files)
    return files


def json_schema(xsd_files: dict[str, bytes]) -> bytes:
    """The DIP JSON Schema, read off the XSD just generated (not the committed one): one source."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in xsd_files.items():
            (Path(tmp) / name).write_bytes(data)
        return dipjson_schema.render(SchemaInfo(Path(tmp) / "ePhytoDIP_1p0.xsd"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--table", type=Path, default=ROOT / "mappings" / "ephyto-dip.tsv")
    ap.add_argument("--out", type=Path, default=ROOT / "schemas" / "dip")
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed schemas are out of date")
    args = ap.parse_args(argv)
    files = generate(args.table)
    stale = []
    for name, data in files.items():
        target = args.out / name
        if args.check:
            if not target.exists() or target.read_bytes() != data:
                stale.append(name)
        else:
            args.out.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    if stale:
        print("out of date: " + ", ".join(stale) + " (run python tools/gen_dip_xsd.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
