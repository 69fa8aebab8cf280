"""The pruned SPS 17 set (schemas/ephyto/sps17-pruned) is current and validates as the full set.

``schema_errors`` validates certificates against the pruned copy (it compiles ~7 times faster);
these tests hold it to the same verdict and the same messages, lines and paths as the full
bundled set on the real samples, the examples, schema-invalid mutations of them, the broken
certificates and drawn certificates, and check that the documents the pruned set could judge
differently (``xsi:type``, an element of a dropped code-list namespace) go to the full set.
"""

from __future__ import annotations

import copy
import importlib.util
import random

import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

import ephyto_dip as ed
import ephyto_dip.testing.strategies as eds
from ephyto_dip.reading import schemas
from ephyto_dip.testing.broken_certificates import BREAKABLE_RULES

from .helpers import EXAMPLES, REPO, SAMPLES, certificate_root

DS = "http://www.w3.org/2000/09/xmldsig#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _tool():
    spec = importlib.util.spec_from_file_location("prune_sps_xsd", REPO / "tools" / "prune_sps_xsd.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _log(schema: etree.XMLSchema, root: etree._Element):
    ok = schema.validate(root)
    return ok, [(e.message, e.line, e.path, e.type_name, e.domain_name, e.level_name) for e in schema.error_log]


def _same(root: etree._Element) -> None:
    """Both sets judge ``root`` alike, and schema_errors agrees with the full set."""
    full = _log(schemas.ephyto_xsd(), root)
    assert [(e.message, e.line, e.path) for e in schemas.schema_errors("ephyto", root)] == \
        [(m, line, p) for m, line, p, *_ in full[1]]
    if not schemas._needs_full_set(root):
        assert _log(schemas.ephyto_pruned_xsd(), root) == full


def _reparsed(root: etree._Element) -> etree._Element:
    """As a certificate arrives: serialized and parsed, so that lines are the file's."""
    return etree.fromstring(etree.tostring(root))


def test_the_pruned_set_is_current():
    tool = _tool()
    files = tool.prune()
    on_disk = {p.relative_to(tool.TARGET): p.read_bytes() for p in tool.TARGET.rglob("*") if p.is_file()}
    assert on_disk == files, "schemas/ephyto/sps17-pruned is stale: run python tools/prune_sps_xsd.py"


def _real_roots() -> list[tuple[str, etree._Element]]:
    out = [(p.name, certificate_root(p)) for p in SAMPLES]
    for p in sorted(EXAMPLES.glob("*.xml")):
        out.append((p.name, certificate_root(p)))
    return out


def test_same_verdict_and_messages_on_every_real_sample_and_example():
    roots = _real_roots()
    assert len(roots) >= 14
    for _name, root in roots:
        _same(root if root.getparent() is None else copy.deepcopy(root))


def _mutations(root: etree._Element, rng: random.Random, n: int):
    """Schema-invalid variants: an element removed, doubled, moved, emptied, given a wrong value,
    an unknown attribute or child, an unknown code."""
    elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
    for _ in range(n):
        doc = copy.deepcopy(root)
        els = [e for e in doc.iter() if isinstance(e.tag, str) and e is not doc]
        i = rng.randrange(len(elements))
        el = els[i]
        how = rng.randrange(8)
        if how == 0:
            el.getparent().remove(el)
        elif how == 1:
            el.addnext(copy.deepcopy(el))
        elif how == 2:
            parent = el.getparent()
            parent.remove(el)
            parent.insert(0, el)
        elif how == 3:
            el.text = rng.choice(["", "ZZ", "x" * 600, "-1.5e3", "2024-13-45", "Q1"])
        elif how == 4:
            el.set("unknownAttribute", "x")
        elif how == 5:
            etree.SubElement(el, f"{{{etree.QName(el).namespace}}}NoSuchChild").text = "x"
        elif how == 6:
            for attr in list(el.attrib)[:1]:
                el.set(attr, rng.choice(["", "ZZZ", "no such code", "99999"]))
        else:
            el.text = rng.choice(["XX", "999", "ABCDEFG", "0"])
        yield _reparsed(doc)


def test_same_verdict_and_messages_on_schema_invalid_mutations():
    rng = random.Random(20261203)
    invalid = 0
    for _name, root in _real_roots():
        root = root if root.getparent() is None else copy.deepcopy(root)
        for doc in _mutations(root, rng, 40):
            _same(doc)
            invalid += not schemas.ephyto_xsd().validate(doc)
    assert invalid > 300  # the mutations do reach the schema's checks


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(eds.certificates(max_items=3))
def test_same_verdict_and_messages_on_drawn_certificates(cert):
    root = _reparsed(ed.to_ephyto(cert))
    _same(root)
    for doc in _mutations(root, random.Random(len(etree.tostring(root))), 2):  # and two broken copies
        _same(doc)


@pytest.mark.parametrize("code", BREAKABLE_RULES["ephyto"])
def test_same_verdict_and_messages_on_broken_certificates(code):
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(eds.certificates_breaking(code, "ephyto"))
    def check(cert):
        _same(_reparsed(ed.to_ephyto(cert)))

    check()


def _signed_root() -> etree._Element:
    (signed,) = [p for p in SAMPLES if p.name.startswith("04")]
    return copy.deepcopy(certificate_root(signed))


@pytest.mark.parametrize("nested", [False, True])
def test_an_element_of_a_dropped_namespace_goes_to_the_full_set(nested):
    # a ds:Object's wildcard validates what it holds against the global declarations: the full
    # set declares every code list's element, the pruned set only those it uses
    dropped = (schemas.resource_path(*schemas.EPHYTO_PRUNED_DIR, "dropped-namespaces.txt")
               .read_text(encoding="utf-8").split())
    ns = next(n for n in dropped if n.endswith(":ActionCode:D16B"))
    root = _signed_root()
    (sig,) = root.iter(f"{{{DS}}}Signature")
    obj = etree.SubElement(sig, f"{{{DS}}}Object")
    if nested:  # (inside an element no set declares, which a lax wildcard skips)
        obj = etree.SubElement(obj, "{urn:example:undeclared}Wrapper")
    etree.SubElement(obj, f"{{{ns}}}ActionCode").text = "not an action code"
    root = _reparsed(root)
    assert schemas._needs_full_set(root)
    full = _log(schemas.ephyto_xsd(), root)
    if not nested:
        assert not full[0]
        assert _log(schemas.ephyto_pruned_xsd(), root) != full  # (why the guard is there)
    _same(root)


def test_a_document_naming_a_type_goes_to_the_full_set():
    root = copy.deepcopy(certificate_root(SAMPLES[-1]))
    el = next(e for e in root.iter() if isinstance(e.tag, str) and e.text and e.text.strip() and len(e) == 0)
    el.set(f"{{{XSI}}}type", "qdt:AccountingDebitCreditStatusCodeType")
    doc = etree.fromstring(etree.tostring(root).replace(
        b"<rsm:SPSCertificate ",
        b'<rsm:SPSCertificate xmlns:qdt="urn:un:unece:uncefact:data:Standard:QualifiedDataType:21" ', 1))
    assert schemas._needs_full_set(doc)
    _same(doc)


def test_a_plain_certificate_uses_the_pruned_set():
    for _name, root in _real_roots():
        if not any(True for _ in root.iter(f"{{{DS}}}*")):
            assert not schemas._needs_full_set(root)
