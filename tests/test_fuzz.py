"""Mutation fuzzing of the real samples: read, validate, convert and reverse either succeed or
raise the documented EphytoDipError — never anything else.

CI runs a small fixed budget; set EPHYTO_DIP_FUZZ_EXAMPLES=5000 for the larger run
(docs/security.md records how many cases it tried).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.findings import EphytoDipError

from .helpers import sample

BUDGET = int(os.environ.get("EPHYTO_DIP_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=BUDGET, deadline=None, derandomize=BUDGET <= 100,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SEEDS = [sample(n).read_bytes() for n in ("02", "03", "05", "07")]
TREE_SEEDS = SEEDS[1:]  # 02 declares no namespaces: lxml cannot rename its prefixed tags
NASTY_TEXT = st.one_of(
    st.sampled_from(["", " ", "NULL", "851", "657", "99", "ZZ", "2024-13-45", "2016-04-22T13:53:08-03:00",
                     "20160422", "1e400", "-0", "not base64!", "ADEDL", "TTL1", "&amp;", "\u00e9\u4e2d\U0001f600"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
)


def _exercise(data: bytes) -> None:
    """Every public entry point on one input; anything but our own errors fails the test."""
    try:
        doc = ed.read(data, name="fuzz.xml")
    except EphytoDipError as exc:
        assert exc.findings and all(f.code for f in exc.findings)
        return
    try:
        list(ed.iter_findings(data, name="fuzz.xml"))
    except EphytoDipError as exc:
        assert exc.findings
    try:
        result = ed.convert(data, name="fuzz.xml")
    except EphytoDipError as exc:
        assert exc.findings
        return
    if result.root is None:  # refused: validate must have said why, with the same findings
        assert any(f.severity == "error" for f in result.input_findings)
        return
    if doc.side == "ephyto":
        try:
            ed.convert(result.to_bytes(), name="fuzz.dip.xml")
        except EphytoDipError as exc:
            assert exc.findings
        result.to_bytes("json")


@st.composite
def tree_mutations(draw):
    data = draw(st.sampled_from(TREE_SEEDS))
    root = etree.fromstring(data, etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    for _ in range(draw(st.integers(1, 4))):
        el = elements[draw(st.integers(0, len(elements) - 1))]
        parent = el.getparent()
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "retype", "text", "attr"]))
        if op == "delete" and parent is not None:
            parent.remove(el)
            elements = [e for e in root.iter() if isinstance(e.tag, str)]
        elif op == "duplicate" and parent is not None:
            import copy

            parent.insert(parent.index(el), copy.deepcopy(el))
            elements = [e for e in root.iter() if isinstance(e.tag, str)]
        elif op == "swap" and parent is not None and el.getnext() is not None:
            nxt = el.getnext()
            parent.remove(nxt)
            parent.insert(parent.index(el), nxt)
        elif op == "retype":
            other = elements[draw(st.integers(0, len(elements) - 1))]
            el.tag = other.tag
        elif op == "text" and len(el) == 0:
            el.text = draw(NASTY_TEXT)
        elif op == "attr":
            el.set(draw(st.sampled_from(["unitCode", "languageID", "listName", "formatCode", "schemeID"])),
                   draw(NASTY_TEXT))
    return etree.tostring(root)


@st.composite
def byte_mutations(draw):
    data = bytearray(draw(st.sampled_from(SEEDS)))
    op = draw(st.sampled_from(["flip", "truncate", "insert"]))
    if op == "truncate":
        return bytes(data[: draw(st.integers(0, len(data)))])
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=6))
    return bytes(data)


@FUZZ
@given(tree_mutations())
def test_structural_mutations_raise_only_documented_errors(data):
    _exercise(data)


@FUZZ
@given(byte_mutations())
def test_byte_mutations_raise_only_documented_errors(data):
    _exercise(data)
