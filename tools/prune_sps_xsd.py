"""Write the pruned SPS 17 schema set: only what validating an ``rsm:SPSCertificate`` uses.

    python tools/prune_sps_xsd.py            # (re)write schemas/ephyto/sps17-pruned/
    python tools/prune_sps_xsd.py --check    # exit 1 if the files on disk are not what it writes

The bundled INTERCOM set (``schemas/ephyto/cfe-xsd/``, kept byte for byte) imports the whole
Qualified Data Type 21 module (about 200 types) and, through it, 140 code-list modules. A
certificate uses a few of them; compiling the rest is most of what a fresh process pays to
validate its first certificate. This tool copies each schema document the certificate needs,
keeping, per document:

* every global element and attribute declaration (a wildcard in ``ds:Signature`` may validate
  any of them, so the set of global declarations is the full set's), and
* every type, group and attribute group reachable from those (``type``, ``base``,
  ``itemType``, ``memberTypes``, ``ref``, ``substitutionGroup``),

and drops the rest, every ``xsd:annotation`` (documentation: no effect on validation) and the
imports of documents left with nothing. Each copy keeps its leading comments (the UN/CEFACT
notice) and names its origin. The result validates exactly as the full set for any document
that names no type itself (``xsi:type``, which could name a dropped type):
:func:`ephyto_dip.reading.schemas.schema_errors` uses the full set for those.
``tests/test_pruned_schema.py`` checks the files are current and that both sets give the same
verdict and the same messages on every sample, broken certificate and many drawn ones.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "schemas" / "ephyto" / "cfe-xsd"
TARGET = ROOT / "schemas" / "ephyto" / "sps17-pruned"
ENTRY = Path("data/standard/SPSCertificate_17p0.xsd")
SPS_NS = "urn:un:unece:uncefact:data:standard:SPSCertificate:17"
DROPPED = "dropped-namespaces.txt"

XS = "http://www.w3.org/2001/XMLSchema"
COMPONENTS = {"element", "attribute", "complexType", "simpleType", "group", "attributeGroup", "notation"}
# reference attribute -> the kind of component it names (None: by the element carrying it)
REFS = {"type": "type", "base": "type", "itemType": "type", "memberTypes": "type",
        "substitutionGroup": "element", "ref": None}


def _kind(local: str) -> str:
    return "type" if local in ("complexType", "simpleType") else local


def _qname(el: etree._Element, text: str) -> tuple[str, str]:
    prefix, _, local = text.rpartition(":")
    return (el.nsmap.get(prefix or None) or ""), local


class Doc:
    def __init__(self, rel: Path):
        self.rel = rel
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        self.tree = etree.parse(str(SOURCE / rel), parser)
        self.root = self.tree.getroot()
        self.tns = self.root.get("targetNamespace") or ""
        self.imports = [i for i in self.root if i.tag == f"{{{XS}}}import" and i.get("schemaLocation")]
        self.components = {}
        for el in self.root:
            if isinstance(el.tag, str) and etree.QName(el).namespace == XS and etree.QName(el).localname in COMPONENTS:
                self.components[(_kind(etree.QName(el).localname), self.tns, el.get("name"))] = el

    def imported(self) -> list[Path]:
        return [_norm(self.rel.parent / i.get("schemaLocation")) for i in self.imports]


def _norm(p: Path) -> Path:
    parts: list[str] = []
    for part in p.parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return Path(*parts)


def _references(el: etree._Element):
    for d in el.iter():
        if not isinstance(d.tag, str):
            continue
        local = etree.QName(d).localname
        for attr, kind in REFS.items():
            value = d.get(attr)
            if value is None:
                continue
            k = kind or _kind(local)
            for text in value.split():
                ns, name = _qname(d, text)
                if ns != XS:
                    yield (k, ns, name)


def load_all() -> dict[Path, Doc]:
    docs: dict[Path, Doc] = {}
    todo = [ENTRY]
    while todo:
        rel = todo.pop()
        if rel in docs:
            continue
        docs[rel] = Doc(rel)
        todo.extend(docs[rel].imported())
    return docs


def prune() -> dict[Path, bytes]:
    """The pruned set: {path relative to the set's root: file bytes}."""
    docs = load_all()
    where = {key: doc for doc in docs.values() for key in doc.components}
    kept: set = set()
    todo = [("element", SPS_NS, "SPSCertificate")]
    while True:
        while todo:
            key = todo.pop()
            if key in kept or key not in where:
                continue  # (a name the full set does not define either: the compile reports it alike)
            kept.add(key)
            todo.extend(_references(where[key].components[key]))
        needed = {rel for rel, doc in docs.items() if any(k in kept for k in doc.components)}
        # every global declaration of a document that is loaded stays: a wildcard may use it
        todo = [k for rel in needed for k in docs[rel].components if k[0] in ("element", "attribute") and k not in kept]
        if not todo:
            break
    dropped = sorted({doc.tns for rel, doc in docs.items() if rel not in needed})
    out: dict[Path, bytes] = {}
    for rel in sorted(needed):
        doc = docs[rel]
        root = doc.root
        for el in list(root):
            drop = False
            if isinstance(el.tag, str):
                q = etree.QName(el)
                if q.namespace == XS and q.localname in COMPONENTS:
                    drop = (_kind(q.localname), doc.tns, el.get("name")) not in kept
                elif el.tag == f"{{{XS}}}import" and el.get("schemaLocation"):
                    drop = _norm(rel.parent / el.get("schemaLocation")) not in needed
                elif el.tag == f"{{{XS}}}annotation":
                    drop = True
            else:  # comments and processing instructions inside the schema element
                drop = True
            if drop:
                _remove(el)
        for ann in root.iter(f"{{{XS}}}annotation"):
            _remove(ann)
        for c in list(root.iter(etree.Comment)):
            _remove(c)
        root.text = "\n"
        for el in root:
            el.tail = "\n"
        lead = (
            f" Generated by tools/prune_sps_xsd.py from schemas/ephyto/cfe-xsd/{rel.as_posix()}: the global "
            "declarations and what they use, no annotations. Do not edit: run the tool. "
        )
        body = etree.tostring(doc.tree, encoding="UTF-8", xml_declaration=False)
        head = b'<?xml version="1.0" encoding="UTF-8"?>\n<!--' + lead.encode() + b"-->\n"
        out[rel] = head + body + b"\n"
    out[Path(DROPPED)] = "".join(ns + "\n" for ns in dropped).encode()
    return out


def _remove(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)  # lxml moves the tail with the element: the text around it goes too


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 unless the files on disk are current")
    args = ap.parse_args(argv)
    files = prune()
    on_disk = ({p.relative_to(TARGET): p.read_bytes() for p in TARGET.rglob("*") if p.is_file()}
               if TARGET.is_dir() else {})
    if args.check:
        if on_disk != files:
            print(f"{TARGET.relative_to(ROOT)} is not current: run python tools/prune_sps_xsd.py", file=sys.stderr)
            return 1
        return 0
    for rel in set(on_disk) - set(files):
        (TARGET / rel).unlink()
    for rel, data in files.items():
        (TARGET / rel).parent.mkdir(parents=True, exist_ok=True)
        (TARGET / rel).write_bytes(data)
    total = sum(map(len, files.values()))
    print(f"wrote {len(files)} files, {total / 1024:.0f} kB, to {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
