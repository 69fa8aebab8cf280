"""Shared test helpers: where the real samples are, and a value inventory of an XML tree."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"  # every file a test reads lives in the repository (tests/data/SOURCES.md)
SAMPLES_DIR = DATA / "ephyto-samples"
SAMPLES = sorted(SAMPLES_DIR.glob("*.xml"))
EXAMPLES = REPO / "examples"

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
DSIG = "{http://www.w3.org/2000/09/xmldsig#}"


def sample(prefix: str) -> Path:
    """The real sample whose file name starts with ``prefix`` (e.g. '01')."""
    (match,) = [p for p in SAMPLES if p.name.startswith(prefix)]
    return match


def certificate_root(path_or_bytes) -> etree._Element:
    """The SPSCertificate element of a file (inside a Hub envelope too)."""
    from ephyto_dip import read

    return read(path_or_bytes).root


def value_inventory(root: etree._Element) -> Counter:
    """Every value of a certificate: (element local name, text) and (attribute, value) pairs.

    What the round trip may change is left out, as the docs say: namespace prefixes,
    whitespace-only text, comments, an XML signature, xsi attributes. An empty element
    carries no value.
    """
    inv: Counter = Counter()
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag.startswith(DSIG):
            continue
        if any(a.tag.startswith(DSIG) for a in el.iterancestors() if isinstance(a.tag, str)):
            continue
        local = etree.QName(el).localname
        if local in ("DateTimeString", "DateTime"):  # a date counts as the value of its element
            local = etree.QName(el.getparent()).localname
        if (el.text or "").strip() and len(el) == 0:
            inv[(local, el.text)] += 1
        for k, v in el.attrib.items():
            if not k.startswith(XSI):
                inv[("@" + k, v)] += 1
    return inv


def edit_tsv(text: str, key: str, changes: dict[str, str], key_column: str = "mapping_id") -> str:
    """``text`` (a project TSV) with the cells ``changes`` set on the row whose ``key_column`` is ``key``."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if not ln.startswith("#"))
    header = lines[start].split("\t")
    for i in range(start + 1, len(lines)):
        cells = lines[i].split("\t")
        if cells[header.index(key_column)] == key:
            for column, value in changes.items():
                cells[header.index(column)] = value
            lines[i] = "\t".join(cells)
            return "\n".join(lines) + "\n"
    raise AssertionError(f"no row {key}")
