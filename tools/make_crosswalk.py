"""Refresh the copied columns of mappings/ispm12-crosswalk.tsv from the element table.

    python tools/make_crosswalk.py            # rewrite the crosswalk in place (atomically)
    python tools/make_crosswalk.py --check    # exit 1 if it would change anything

The hand-judged columns (box, ispm12_ref, mapping_ids, justification, source, confidence) are
kept. From each row's primary element row (the first of its mapping_ids) it copies the absolute
ePhyto XPath, the absolute DIP path, wco_id/class/name/format and the predicate; it looks up
uncefact_uid in the bundled SPSCertificate 17 / RABIE 21 schema annotations (ccts:UniqueID of
the last element) and un_tded in the bundled HMRC CDS DEC 3.6 element list
(schemas/wco-dec/hmrc-cds-dec-elements.tsv, column TDED). An empty justification or source
is filled from the primary row. A row whose copied columns change loses its reviewer and
review_date: what the reviewer signed is no longer what the row says. Then regenerate the doc:
    PYTHONPATH=src python -m ephyto_dip.review.crosswalk > docs/crosswalk.md
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from ephyto_dip.mapping.table import load_table  # noqa: E402
from ephyto_dip.output import write_atomic  # noqa: E402
from ephyto_dip.review.crosswalk import COPIED, copied_cells, default_crosswalk_path, parse_crosswalk  # noqa: E402

XSD = "{http://www.w3.org/2001/XMLSchema}"
CCTS_UID = "{urn:un:unece:uncefact:documentation:standard:CoreComponentsTechnicalSpecification:2}UniqueID"
SCHEMA_DIR = ROOT / "schemas" / "ephyto" / "cfe-xsd" / "data" / "standard"


def _schema_children() -> dict[str, dict[str, tuple[str, str]]]:
    """complexType local name -> child element local name -> (its type's local name, UID)."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for f in ("SPSCertificate_17p0.xsd", "ReusableAggregateBusinessInformationEntity_21p0.xsd"):
        root = etree.parse(str(SCHEMA_DIR / f)).getroot()
        for ct in root.iter(XSD + "complexType"):
            kids = out.setdefault(ct.get("name", ""), {})
            for el in ct.iter(XSD + "element"):
                uid = el.get("id") or ""
                if not uid:
                    node = next((n for n in el.iter() if isinstance(n.tag, str) and n.tag.endswith("UniqueID")), None)
                    uid = (node.text or "").strip() if node is not None else ""
                kids[el.get("name", "")] = ((el.get("type") or "").split(":")[-1], uid)
    return out


def uncefact_uid(xpath: str, children) -> str:
    steps = [re.sub(r"\[.*?\]", "", s).split(":")[-1] for s in re.split(r"/(?![^\[]*\])", xpath) if s]
    if not steps or steps[0] != "SPSCertificate":
        return ""
    typ, uid = "SPSCertificateType", ""
    for s in steps[1:]:
        if s.startswith("@"):
            return ""  # an attribute: no BBIE of its own
        hit = children.get(typ, {}).get(s)
        if hit is None:
            return ""
        typ, uid = hit
    return uid


def _tded() -> dict[str, str]:
    out: dict[str, str] = {}
    with open(ROOT / "schemas" / "wco-dec" / "hmrc-cds-dec-elements.tsv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row.get("WCOID") and row.get("TDED"):
                out.setdefault(row["WCOID"], row["TDED"])
    return out


def refresh(text: str, name: str) -> str:
    cw = parse_crosswalk(text, name)
    table = load_table()
    by_id = {r.id: r for r in table.rows}
    children, tded = _schema_children(), _tded()
    lines = text.splitlines()
    for row in cw.rows:
        ids = row.mapping_ids
        primary = by_id.get(ids[0]) if ids else None
        if primary is None:
            continue
        cells = dict(row.cells)
        want = copied_cells(primary)
        changed = any(cells.get(c, "") != want[c] for c in COPIED)
        cells.update(want)
        cells["uncefact_uid"] = uncefact_uid(want["ephyto_xpath"], children)
        cells["un_tded"] = tded.get(want["wco_id"], "")
        cells["justification"] = cells.get("justification") or primary["justification"]
        cells["source"] = cells.get("source") or primary["source"]
        if changed and any(row.cells.get(c, "") for c in COPIED):
            cells["reviewer"] = cells["review_date"] = ""
        lines[row.line - 1] = "\t".join(cells.get(c, "") for c in cw.columns)
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    path = default_crosswalk_path()
    text = path.read_text(encoding="utf-8")
    new = refresh(text, str(path))
    if "--check" in argv:
        if new != text:
            sys.stderr.write(f"{path}: copied columns are out of date; run python tools/make_crosswalk.py\n")
            return 1
        return 0
    if new != text:
        write_atomic(path, new.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
