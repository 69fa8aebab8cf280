"""Attaching a certificate to a WCO DM goods declaration, on the real HMRC CDS schema and samples.

Certificates are built from the real ePhyto sample 03 by changing its model (HS codes, names,
quantities); declarations are the real HMRC samples, or goods items cloned from one of them.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.cli import main
from ephyto_dip.findings import ERROR, INFO, WARNING, ConversionError, TableError, UnsupportedDocumentError
from ephyto_dip.linkage import (
    AttachResult,
    additional_documents,
    attach,
    declaration_xsd,
    load_rules,
    parse_rules,
    validate_declaration,
)
from ephyto_dip.reading import model as m
from ephyto_dip.resources import resource_path

from .helpers import DATA, EXAMPLES, REPO, sample

HMRC = DATA / "hmrc-declarations"
# 1 item: 07099310 fresh courgettes, 11600 kg net, N851 GBPHC012345
IM030A = EXAMPLES / "attach" / "Step1_TT_IM030a.xml"
IM034A = HMRC / "TT_IM034a_Step_1.xml"  # 1 item: 07070005 cucumbers ('ttalvsHMI'), 100 kg net
DMSACC = HMRC / "01_DMSACC.xml"  # a notification (RES), not a declaration
DEC = "urn:wco:datamodel:WCO:DEC-DMS:2"
D = f"{{{DEC}}}"
RULES = REPO / "mappings" / "attach-uk-cds.tsv"

# CO -> PE; one line: HS 100590 'Widget A', 1000 net / 1050 gross, no unit
SAMPLE_03 = ed.read(sample("03")).certificate


EXPORTERS = {"CL": "Chile Vegetable Company S.A.", "US": "US Clipper Inc."}  # of IM030a and IM034a


def addressed_to_gb(cert: m.Certificate, sent_from: str = "CL") -> m.Certificate:
    """Sample 03 as an HMRC declaration sees its goods: from ``sent_from`` (also the origin), to GB,
    by sea, from the declaration's exporter, issued nine days before the declaration was accepted."""
    country = m.Country(id=m.Identifier(value=sent_from))
    items = [it.model_copy(update={"origin_countries": [country]}) for it in cert.items]
    moves = [t.model_copy(update={"mode_code": m.Code(value="1")}) for t in cert.transport_movements]
    consignor = cert.consignor.model_copy(update={"name": m.Text(value=EXPORTERS[sent_from])})
    return cert.model_copy(update={"export_country": country, "import_country": m.Country(id=m.Identifier(value="GB")),
                                   "items": items, "transport_movements": moves, "consignor": consignor,
                                   "issue_date_time": m.DateTime(value="2026-02-10T09:30:47Z")})


BASE = addressed_to_gb(SAMPLE_03)


# ------------------------------------------------------------------------------ building inputs


def line(hs=None, *, common=None, botanical=None, description=None, net="KEEP", gross="KEEP", unit=None):
    """A certificate line from sample 03's, with what the test needs changed."""
    item = BASE.items[0]
    update = {"hs_classifications": [m.Classification(class_code=m.Code(value=hs))] if hs else []}
    if common is not None:
        update["common_names"] = [m.Text(value=common)]
    if botanical is not None:
        update["botanical_names"] = [m.Text(value=botanical)]
    if description is not None:
        update["descriptions"] = [m.Text(value=description)]
    if net != "KEEP":
        update["net_weight"] = None if net is None else m.Measure(value=net, unit_code=unit)
    if gross != "KEEP":
        update["gross_weight"] = None if gross is None else m.Measure(value=gross, unit_code=unit)
    return item.model_copy(update=update)


def certificate(*lines, number=None, type_code=None, status=None, sent_from="CL"):
    base = BASE if sent_from == "CL" else addressed_to_gb(SAMPLE_03, sent_from)
    origin = [m.Country(id=m.Identifier(value=sent_from))]
    items = [ln.model_copy(update={"sequence_numeric": m.Numeric(value=str(i)), "origin_countries": origin})
             for i, ln in enumerate(lines, 1)]
    update = {"items": items}
    if number:
        update["id"] = m.Identifier(value=number)
    if type_code:
        update["type_code"] = m.Code(value=type_code)
    if status:
        update["status_code"] = m.Code(value=status)
    return base.model_copy(update=update)


def declaration(*goods, base=IM030A, drop_phyto=False) -> bytes:
    """The sample declaration with its goods item cloned once per (hs, description, net) given."""
    tree = etree.parse(str(base))
    gi = tree.getroot().find(f".//{D}GovernmentAgencyGoodsItem")
    parent, pos, tail = gi.getparent(), gi.getparent().index(gi), gi.tail
    template = copy.deepcopy(gi)
    parent.remove(gi)
    for n, (hs, description, net) in enumerate(goods, 1):
        el = copy.deepcopy(template)
        el.tail = tail
        el.find(D + "SequenceNumeric").text = str(n)
        tsp = [c for c in el.iterfind(f"{D}Commodity/{D}Classification")
               if c.findtext(D + "IdentificationTypeCode") == "TSP"]
        tsp[0].find(D + "ID").text = hs
        el.find(f"{D}Commodity/{D}Description").text = description
        el.find(f"{D}Commodity/{D}GoodsMeasure/{D}NetNetWeightMeasure").text = net
        if drop_phyto:
            for ad in el.findall(D + "AdditionalDocument"):
                if ad.findtext(D + "CategoryCode") + ad.findtext(D + "TypeCode") == "N851":
                    el.remove(ad)
        parent.insert(pos + n - 1, el)
    tree.getroot().find(f".//{D}GoodsItemQuantity").text = str(len(goods))
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


THREE_ITEMS = (("07099310", "Fresh courgettes from Chile", "500"),
               ("44071110", "Sawn pine wood, planed", "2000"),
               ("85171300", "Smartphones", "50"))


def goods_items(result: AttachResult) -> list[etree._Element]:
    return list(result.root.iter(D + "GovernmentAgencyGoodsItem"))


def references(item: etree._Element, number: str) -> list[etree._Element]:
    return [ad for ad in item.findall(D + "AdditionalDocument") if ad.findtext(D + "ID") == number]


# Said on every UK attach without a CHED reference (asserted in its own test), like the info notes
# (age, parties not compared): the tests of other behaviour look past them.
BACKGROUND = {"ATTACH-DOCUMENT-ID"}


def notable(result: AttachResult) -> list:
    return [f for f in result.findings if f.severity != INFO and f.code not in BACKGROUND]


def codes(result: AttachResult) -> list[str]:
    return [f.code for f in notable(result)]


def assert_schema_valid(data: bytes) -> None:
    schema = declaration_xsd()
    doc = etree.fromstring(data).getroottree()
    assert schema.validate(doc), schema.error_log


NUMBER = BASE.number  # 123456789CO


# ------------------------------------------------------------------------------ the bundled schema


def test_bundled_schemas_are_verbatim_copies():
    bundled = resource_path("schemas", "wco-dec", "hmrc-cds")
    files = sorted(p.relative_to(bundled) for p in bundled.rglob("*") if p.is_file())
    assert len(files) == 8 and Path("LICENSE") in files
    # the SHA-256 list in SOURCES.md was taken from the upstream files: a changed byte shows here
    listed = {
        line.split()[1]: line.split()[0]
        for line in (bundled.parent / "SOURCES.md").read_text(encoding="utf-8").splitlines()
        if re.fullmatch(r"[0-9a-f]{64}  \S+", line)
    }
    assert sorted(listed) == sorted(rel.as_posix() for rel in files)
    for rel in files:
        assert hashlib.sha256((bundled / rel).read_bytes()).hexdigest() == listed[rel.as_posix()], rel


@pytest.mark.parametrize("path", [IM030A, IM034A])
def test_hmrc_samples_are_valid_against_the_bundled_schema(path):
    assert validate_declaration(path) == []


def test_an_invalid_declaration_is_reported_by_the_schema():
    data = IM034A.read_bytes().replace(b"<FunctionCode>9</FunctionCode>", b"")
    findings = validate_declaration(data)
    assert findings and {f.code for f in findings} == {"XSD-DEC"}
    assert any("FunctionCode" in f.message or "FunctionalReferenceID" in f.message for f in findings)


# ------------------------------------------------------------------------------ matching by HS code


def test_hs_match_adds_one_reference_at_the_schema_position():
    result = attach(certificate(line("070993", net="12000", unit="KGM")), IM030A)
    assert result.ok, [f.one_line() for f in result.findings]
    data = result.to_bytes()
    assert_schema_valid(data)
    (item,) = goods_items(result)
    (ref,) = references(item, NUMBER)
    assert [etree.QName(c).localname for c in ref] == ["CategoryCode", "ID", "TypeCode", "LPCOExemptionCode"]
    assert [c.text for c in ref] == ["N", NUMBER, "851", load_rules().default_status]
    kids = [c for c in item if isinstance(c.tag, str)]
    names = [etree.QName(c).localname for c in kids]
    docs = [i for i, k in enumerate(names) if k == "AdditionalDocument"]
    assert docs == list(range(docs[0], docs[-1] + 1))  # all AdditionalDocuments together,
    assert kids[docs[-1]] is ref  # the new one after the declarant's own,
    assert names[docs[-1] + 1] == "AdditionalInformation"  # and before what the schema puts next
    assert [(mt.goods_item, mt.line, mt.method, mt.score, mt.action) for mt in result.matches] == \
        [(1, "1", "hs", 6.0, "added")]
    # the rest of the declaration is untouched: only the new element is new
    before = etree.fromstring(IM030A.read_bytes())
    assert len(list(etree.fromstring(data).iter())) == len(list(before.iter())) + 5


def test_reference_lands_on_the_matching_goods_items_only():
    decl = declaration(*THREE_ITEMS, drop_phyto=True)
    cert = certificate(line("07099390", net="600", unit="KGM"), line("440711", net="2", unit="TNE"))
    result = attach(cert, decl)
    assert_schema_valid(result.to_bytes())
    items = goods_items(result)
    assert [len(references(it, NUMBER)) for it in items] == [1, 1, 0]
    assert sorted((mt.goods_item, mt.line) for mt in result.matches) == [(1, "1"), (2, "2")]
    assert codes(result) == [], [f.one_line() for f in result.findings]


def test_national_digits_beyond_the_hs_subheading_do_not_count():
    # 0709 93 is the HS subheading; digits 7-8 are national and differ between countries
    result = attach(certificate(line("07099390", net="20000", unit="KGM")), IM030A)
    assert [(mt.method, mt.score) for mt in result.matches] == [("hs", 6.0)]
    result = attach(certificate(line("070999", net="20000", unit="KGM")), IM030A)  # another subheading
    assert result.matches == [] and "ATTACH-NO-MATCH" in codes(result)


def test_partly_matching_certificate_names_the_unmatched_line():
    cert = certificate(line("070993", net="20", unit="TNE"), line("100590"))
    result = attach(cert, IM030A)
    (no_match,) = [f for f in result.findings if f.code == "ATTACH-NO-MATCH"]
    assert no_match.severity == ERROR
    assert "certificate line 2" in no_match.message and "100590" in no_match.message
    assert no_match.value == "100590"
    assert len(references(goods_items(result)[0], NUMBER)) == 1  # line 1 still attached
    assert_schema_valid(result.to_bytes())


def test_certificate_matching_nothing_changes_nothing():
    result = attach(certificate(line("100590"), sent_from="US"), IM034A)
    assert codes(result) == ["ATTACH-NO-MATCH"]
    assert result.matches == []
    assert etree.tostring(result.root) == etree.tostring(etree.parse(str(IM034A)).getroot())


# ------------------------------------------------------------------------------ matching by names


def test_line_without_hs_code_matches_by_names():
    cert = certificate(line(None, common="courgette", botanical="Cucurbita pepo", description="Ninguno",
                            net="11600", unit="KGM"))
    result = attach(cert, IM030A)
    assert [(mt.method, mt.detail) for mt in result.matches] == [("description", "words in common: courgettes")]
    assert len(references(goods_items(result)[0], NUMBER)) == 1
    assert result.ok


def test_generic_words_alone_do_not_match():
    cert = certificate(line(None, common="fresh roses", botanical="Rosa", description="Fresh cut flowers"))
    result = attach(cert, IM030A)
    assert result.matches == [] and codes(result) == ["ATTACH-NO-MATCH"]
    assert "no usable HS code" in notable(result)[0].message


def test_a_heading_too_short_to_match_still_rules_goods_items_out():
    named = {"common": "courgette", "botanical": "Cucurbita pepo", "net": "12000", "unit": "KGM"}
    assert attach(certificate(line("0709", **named)), IM030A).matches  # same heading: names decide
    assert not attach(certificate(line("0807", **named)), IM030A).matches  # another heading


def test_hub_envelope_certificate_matches_by_botanical_name():
    decl = declaration(("12099180", "Seeds of Elymus elongatus (tall wheatgrass) for sowing", "150"), base=IM034A)
    result = attach(sample("02"), decl)
    assert [(mt.goods_item, mt.method) for mt in result.matches] == [(1, "description")]
    assert "XML-NAMESPACE-UNDECLARED" in codes(result)  # the envelope's own warning is passed on
    assert len(references(goods_items(result)[0], "BO-5845145424")) == 1
    # the real certificate is Bolivia -> Argentina: it matches the seeds but cannot clear them in GB
    assert {f.code for f in result.errors} == {"ATTACH-DESTINATION", "ATTACH-ORIGIN", "ATTACH-DISPATCH"}
    (to,) = [f for f in result.errors if f.code == "ATTACH-DESTINATION"]
    assert "addressed to AR, not to the declaring country (GB, XI)" in to.message


def test_dip_input_gives_the_same_declaration_as_ephyto():
    cert = certificate(line("070993", net="11600", unit="KGM"))
    from_ephyto = attach(ed.serialize(ed.to_ephyto(cert)), IM030A)
    from_dip = attach(ed.serialize(ed.to_dip(cert)), IM030A)
    assert from_ephyto.to_bytes() == from_dip.to_bytes()
    assert from_dip.matches and from_dip.ok


# ------------------------------------------------------------------------------ idempotency and updates


def test_attaching_twice_adds_one_reference():
    cert = certificate(line("070993", net="12000", unit="KGM"))
    first = attach(cert, IM030A)
    second = attach(cert, first.to_bytes())
    assert [mt.action for mt in second.matches] == ["present"]
    assert len(references(goods_items(second)[0], NUMBER)) == 1
    assert second.to_bytes() == first.to_bytes()


def test_a_certificate_already_declared_is_not_duplicated():
    # the HMRC sample already declares N851 GBPHC012345 with status AP
    cert = certificate(line("070993", net="12000", unit="KGM"), number="GBPHC012345")
    result = attach(cert, IM030A)
    (ref,) = references(goods_items(result)[0], "GBPHC012345")
    assert ref.findtext(D + "LPCOExemptionCode") == "AP"  # the declarant's status stands
    assert [mt.action for mt in result.matches] == ["present"]
    assert result.to_bytes().count(b"GBPHC012345") == IM030A.read_bytes().count(b"GBPHC012345")


def test_status_option_replaces_and_fills_the_status():
    cert = certificate(line("070993", net="12000", unit="KGM"), number="GBPHC012345")
    result = attach(cert, IM030A, status="JE")
    (ref,) = references(goods_items(result)[0], "GBPHC012345")
    assert ref.findtext(D + "LPCOExemptionCode") == "JE"
    assert [mt.action for mt in result.matches] == ["updated"]
    no_status = IM030A.read_bytes().replace(b"<LPCOExemptionCode>AP</LPCOExemptionCode>", b"")
    filled = attach(cert, no_status)
    (ref,) = references(goods_items(filled)[0], "GBPHC012345")
    assert ref.findtext(D + "LPCOExemptionCode") == "AE" and filled.matches[0].action == "updated"
    assert_schema_valid(filled.to_bytes())


def test_unknown_status_code_is_a_warning():
    result = attach(certificate(line("070993", net="12000", unit="KGM")), IM030A, status="ZZ")
    (f,) = [f for f in result.findings if f.code == "ATTACH-STATUS-CODE"]
    assert f.severity == WARNING and f.value == "ZZ"
    assert references(goods_items(result)[0], NUMBER)[0].findtext(D + "LPCOExemptionCode") == "ZZ"


def test_reference_on_a_goods_item_the_certificate_does_not_cover():
    cert = certificate(line("100590"), number="GBPHC012345")
    result = attach(cert, IM030A)
    assert sorted(codes(result)) == ["ATTACH-NO-MATCH", "ATTACH-REFERENCE-UNMATCHED"]
    (f,) = [f for f in result.findings if f.code == "ATTACH-REFERENCE-UNMATCHED"]
    assert "goods item 1" in f.message and f.xpath.endswith("GovernmentAgencyGoodsItem")


# ------------------------------------------------------------------------------ quantities


@pytest.mark.parametrize("net, gross, unit, exceeds", [
    ("1000", "1050", None, True),  # sample 03's own quantities, no unit: kilograms assumed
    ("12", None, "TNE", False),
    ("11600000", None, "GRM", False),  # exactly the declared 11600 kg
    ("11599999", None, "GRM", True),
    (None, "12000", "KGM", False),  # no net weight: the gross weight counts
    (None, "11000", "KGM", True),
])
def test_declared_net_mass_above_the_certified_quantity(net, gross, unit, exceeds):
    result = attach(certificate(line("070993", net=net, gross=gross, unit=unit)), IM030A)
    found = [f for f in result.findings if f.code == "ATTACH-QUANTITY"]
    assert bool(found) == exceeds
    if exceeds:
        (f,) = found
        assert f.severity == ERROR
        assert "goods item 1" in f.message and "certificate line 1" in f.message and "11600 kg" in f.message
        assert ("gross weight" in f.message) == (net is None)
        assert f.xpath == "/MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem" and f.line


def test_quantities_of_lines_sharing_goods_items_are_summed():
    decl = declaration(("07099310", "Courgettes, green", "700"), ("07099310", "Courgettes, yellow", "800"),
                       drop_phyto=True)
    ok = attach(certificate(line("070993", net="1000", unit="KGM"), line("070993", net="500", unit="KGM")), decl)
    assert "ATTACH-QUANTITY" not in codes(ok) and len(ok.matches) == 4
    short = attach(certificate(line("070993", net="1000", unit="KGM"), line("070993", net="499", unit="KGM")), decl)
    (f,) = [f for f in short.findings if f.code == "ATTACH-QUANTITY"]
    assert "goods items 1, 2" in f.message and "certificate lines 1, 2" in f.message


def test_quantity_in_a_volume_unit_is_not_compared():
    result = attach(certificate(line("070993", net="10", unit="MTQ")), IM030A)
    (f,) = [f for f in result.findings if f.code == "ATTACH-QUANTITY-UNCHECKED"]
    assert "MTQ" in f.message and f.severity == WARNING
    assert result.ok


# ------------------------------------------------------------------------------ plant goods without a certificate


def test_plant_goods_item_without_a_certificate_is_reported():
    decl = declaration(*THREE_ITEMS, drop_phyto=True)
    result = attach(certificate(line("070993", net="600", unit="KGM")), decl)
    (f,) = [f for f in result.findings if f.code == "ATTACH-NO-CERTIFICATE"]
    assert "goods item 2" in f.message and "HS 44" in f.message
    assert f.xpath.endswith("GovernmentAgencyGoodsItem[2]") and f.severity == WARNING
    assert result.ok  # a warning in the UK table


# ------------------------------------------------------------------------------ certificates that cannot be referenced


@pytest.mark.parametrize("change, code, text", [
    ({"status": "40"}, "ATTACH-STATUS", "status 40 (withdrawn) cannot cover goods"),
    ({"status": "44"}, "ATTACH-STATUS", "status 44 (replaced) cannot cover goods"),
    ({"type_code": "312"}, "ATTACH-CERTIFICATE", "type 312"),
])
def test_certificate_that_cannot_be_referenced(change, code, text):
    result = attach(certificate(line("070993"), **change), IM030A)
    (f,) = notable(result)
    assert f.code == code and text in f.message
    assert result.matches == [] and not result.ok
    with pytest.raises(ConversionError):
        additional_documents(certificate(line("070993"), **change))


def test_not_a_declaration():
    with pytest.raises(UnsupportedDocumentError) as exc:
        attach(certificate(line("070993")), DMSACC)
    assert exc.value.findings[0].code == "ATTACH-NOT-DECLARATION"
    assert "MetaData (no namespace)" in exc.value.findings[0].message


def test_bare_declaration_is_attached_and_validated():
    decl = etree.parse(str(IM030A)).getroot().find(D + "Declaration")
    result = attach(certificate(line("070993", net="12000", unit="KGM")), decl)
    assert etree.QName(result.root).localname == "Declaration" and result.ok
    assert len(references(goods_items(result)[0], NUMBER)) == 1
    assert len(references(decl.find(f".//{D}GovernmentAgencyGoodsItem"), NUMBER)) == 0  # input untouched
    assert_schema_valid(result.to_bytes())


def test_new_schema_errors_are_errors_and_old_ones_warnings():
    broken = IM030A.read_bytes().replace(b"<FunctionCode>9</FunctionCode>", b"")
    result = attach(certificate(line("070993", net="12000", unit="KGM")), broken)
    xsd = [f for f in result.findings if f.code == "XSD-DEC"]
    assert xsd and all(f.severity == WARNING and "already in the input" in f.message for f in xsd)
    assert result.schema_valid and len(references(goods_items(result)[0], NUMBER)) == 1
    # a Name longer than the schema's an..35 makes the output invalid: an error
    text = RULES.read_text(encoding="utf-8").replace("#document_name:", "#document_name: " + "x" * 40)
    result = attach(certificate(line("070993", net="12000", unit="KGM")), IM030A,
                    rules=parse_rules(text, str(RULES), RULES.parent))
    (f,) = [f for f in result.findings if f.code == "XSD-DEC"]
    assert f.severity == ERROR and "Name" in f.message and not result.schema_valid


def test_compact_declaration_stays_compact():
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    compact = etree.tostring(etree.fromstring(IM030A.read_bytes(), parser))
    result = attach(certificate(line("070993", net="12000", unit="KGM")), compact)
    data = result.to_bytes()
    assert_schema_valid(data)
    assert data.startswith(b"<md:MetaData")  # no XML declaration in, none out
    assert b"\n" not in data.strip()
    new = f"<AdditionalDocument><CategoryCode>N</CategoryCode><ID>{NUMBER}</ID>"
    assert f"<LPCOExemptionCode>AE</LPCOExemptionCode></AdditionalDocument>{new}".encode() in data  # after the last
    assert f"{new}<TypeCode>851</TypeCode><LPCOExemptionCode>AE</LPCOExemptionCode></AdditionalDocument>" \
           "<AdditionalInformation>".encode() in data


# ------------------------------------------------------------------------------ library API for builders


def test_additional_documents_without_a_declaration():
    (frag,) = additional_documents(certificate(line("070993"), line("100590")))
    assert frag.goods_item is None and frag.lines == ("1", "2")
    assert frag.element.tag == D + "AdditionalDocument"
    assert [(etree.QName(c).localname, c.text) for c in frag.element] == [
        ("CategoryCode", "N"), ("ID", NUMBER), ("TypeCode", "851"), ("LPCOExemptionCode", "AE")]


def test_additional_documents_for_a_declaration():
    decl = etree.fromstring(declaration(*THREE_ITEMS, drop_phyto=True))
    frags = additional_documents(certificate(line("070993"), line("440711"), line("100590")), decl, status="AP")
    assert [(f.goods_item, f.lines) for f in frags] == [(1, ("1",)), (2, ("2",))]
    assert all(f.element.findtext(D + "LPCOExemptionCode") == "AP" for f in frags)
    assert frags[1].goods_item_xpath.endswith("GovernmentAgencyGoodsItem[2]")
    assert not any(references(it, NUMBER) for it in decl.iter(D + "GovernmentAgencyGoodsItem"))  # read only


# ------------------------------------------------------------------------------ another practice is another table


def test_another_rules_table(tmp_path):
    text = RULES.read_text(encoding="utf-8")
    text = text.replace("#document.657: N 851", "#document.657: N 852")
    text = text.replace("#write_off: none", "#write_off: net_mass")
    text = text.replace("#severity.ATTACH-NO-CERTIFICATE: warning", "#severity.ATTACH-NO-CERTIFICATE: error")
    text = text.replace("#document_name:", "#document_name: PC {export_country} {issue_year}")
    # schema paths stay relative to the shipped data
    table = tmp_path / "attach-xx.tsv"
    table.write_text(text, encoding="utf-8")
    decl = declaration(*THREE_ITEMS, drop_phyto=True)
    reexport = certificate(line("070993", net="600", unit="KGM"), type_code="657").model_copy(
        update={"issue_date_time": m.DateTime(value="2024-02-26T10:15:00Z")})
    result = attach(reexport, decl, rules=table)
    (ref,) = references(goods_items(result)[0], NUMBER)
    assert ref.findtext(D + "TypeCode") == "852" and ref.findtext(D + "Name") == "PC CL 2024"
    export = attach(certificate(line("070993", net="600", unit="KGM")), decl, rules=table)
    assert references(goods_items(export)[0], NUMBER)[0].findtext(D + "TypeCode") == "851"
    assert ref.findtext(f"{D}WriteOff/{D}QuantityQuantity") == "500"
    assert ref.find(f"{D}WriteOff/{D}QuantityQuantity").get("unitCode") == "KGM"
    (f,) = [f for f in result.findings if f.code == "ATTACH-NO-CERTIFICATE"]
    assert f.severity == ERROR
    assert_schema_valid(result.to_bytes())
    # a reference the UK table wrote gets its write-off from this table, once
    uk = attach(certificate(line("070993", net="12000", unit="KGM")), IM030A)
    updated = attach(certificate(line("070993", net="12000", unit="KGM")), uk.to_bytes(), rules=table)
    assert [mt.action for mt in updated.matches] == ["updated"]
    (ref,) = references(goods_items(updated)[0], NUMBER)
    assert [etree.QName(c).localname for c in ref] == ["CategoryCode", "ID", "Name", "TypeCode", "LPCOExemptionCode",
                                                       "WriteOff"]
    assert ref.findtext(f"{D}WriteOff/{D}QuantityQuantity") == "11600"
    assert_schema_valid(updated.to_bytes())
    again = attach(certificate(line("070993", net="12000", unit="KGM")), updated.to_bytes(), rules=table)
    assert [mt.action for mt in again.matches] == ["present"] and again.to_bytes() == updated.to_bytes()


@pytest.mark.parametrize("edit, needle", [
    (("#default_status: AE", "#default_status: QQ"), "default_status"),
    (("#hs_min_digits: 6", "#hs_min_digits: six"), "hs_min_digits"),
    (("#document_id: {number}", "#document_id: {nummer}"), "document_id"),
    (("#declaration_namespace: urn:wco:datamodel:WCO:DEC-DMS:2", "#declaration_namespace: urn:x"), "targetNamespace"),
    (("schemas/wco-dec/hmrc-cds/declaration/WCO_DEC_2_DMS.xsd", "schemas/nowhere.xsd"), "not found"),
    (("mass_unit\tTNE\t1000", "mass_unit\tTNE\tlots"), "TNE"),
])
def test_broken_rules_table_is_named(edit, needle):
    text = RULES.read_text(encoding="utf-8").replace(*edit)
    with pytest.raises(TableError) as exc:
        parse_rules(text, "broken.tsv", RULES.parent)
    assert all(f.code == "ATTACH-RULES" for f in exc.value.findings)
    assert any(needle in f.message for f in exc.value.findings)


# ------------------------------------------------------------------------------ command line


def write_cert(tmp_path, cert, name="cert.xml") -> str:
    p = tmp_path / name
    p.write_bytes(ed.serialize(ed.to_ephyto(cert)))
    return str(p)


def test_cli_clean_attach_writes_a_valid_declaration(tmp_path, capsys):
    cert = write_cert(tmp_path, certificate(line("070993", net="12000", unit="KGM")))
    out = tmp_path / "out.xml"
    assert main(["attach", cert, str(IM030A), "-o", str(out)]) == 0
    data = out.read_bytes()
    assert_schema_valid(data)
    assert data.count(NUMBER.encode()) == 1
    err = capsys.readouterr().err
    assert "goods item 1: reference added" in err and "written to" in err


def test_cli_error_findings_exit_1_and_write_nothing(tmp_path, capsys):
    cert = write_cert(tmp_path, certificate(line("070993", net="1000", unit="KGM")))  # 11600 kg declared
    out = tmp_path / "out.xml"
    assert main(["attach", cert, str(IM030A), "-o", str(out), "--format", "json"]) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [Path(cert)]  # no temp file left either
    report = json.loads(capsys.readouterr().err)
    assert [f["code"] for f in report["findings"] if f["severity"] != "info" and f["code"] not in BACKGROUND] == [
        "ATTACH-QUANTITY"]
    assert report["matches"][0]["goods_item"] == 1 and report["output"].startswith("not written")
    assert main(["attach", cert, str(IM030A), "-o", str(out), "--force"]) == 1
    assert_schema_valid(out.read_bytes())


def test_cli_unusable_inputs_write_nothing(tmp_path, capsys):
    """An input that cannot be used (missing, malformed, hostile, not a declaration or certificate,
    a missing rules table) exits 2, as docs/attach.md says."""
    cert = write_cert(tmp_path, certificate(line("070993")))
    out = tmp_path / "out.xml"
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<Declaration><unclosed>")
    hostile = tmp_path / "hostile.xml"
    hostile.write_bytes(b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>')
    cases = [([cert, str(tmp_path / "missing.xml")], 2), ([cert, str(bad)], 2), ([cert, str(DMSACC)], 2),
             ([cert, str(hostile)], 2), ([str(bad), str(IM030A)], 2), ([str(IM030A), str(IM030A)], 2),
             ([cert, str(IM030A), "--rules", str(tmp_path / "none.tsv")], 2)]
    for argv, code in cases:
        assert main(["attach", *argv, "-o", str(out)]) == code, argv
        assert not out.exists()
    err = capsys.readouterr().err
    for code in ("IO-READ", "XML-MALFORMED", "ATTACH-NOT-DECLARATION", "XML-DOCTYPE", "DOC-UNKNOWN-ROOT"):
        assert code in err


def test_cli_unwritable_output_exit_2(tmp_path, capsys):
    cert = write_cert(tmp_path, certificate(line("070993", net="12000", unit="KGM")))
    target = tmp_path / "no-such-dir" / "out.xml"
    assert main(["attach", cert, str(IM030A), "-o", str(target)]) == 2
    assert "IO-WRITE" in capsys.readouterr().err and not target.parent.exists()


def test_cli_stdout(tmp_path, capsysbinary):
    cert = write_cert(tmp_path, certificate(line("070993", net="12000", unit="KGM")))
    assert main(["attach", cert, str(IM030A), "--status", "AP"]) == 0
    out = capsysbinary.readouterr().out
    assert_schema_valid(out)
    ref = [ad for ad in etree.fromstring(out).iter(D + "AdditionalDocument") if ad.findtext(D + "ID") == NUMBER]
    assert [ad.findtext(D + "LPCOExemptionCode") for ad in ref] == ["AP"]


def test_pounds_are_converted_exactly():
    # 11600 kg declared; 25574 lb = 11600.17 kg, 25573 lb = 11599.71767801 kg
    assert Decimal("25573") * Decimal("0.45359237") < 11600 < Decimal("25574") * Decimal("0.45359237")
    enough = attach(certificate(line("070993", net="25574", unit="LBR")), IM030A)
    short = attach(certificate(line("070993", net="25573", unit="LBR")), IM030A)
    assert "ATTACH-QUANTITY" not in codes(enough)
    assert codes(short) == ["ATTACH-QUANTITY"] and "11599.71767801 kg" in notable(short)[0].message


def test_real_certificate_with_and_without_hs_codes():
    # sample 01: line 0 'Ribes' with HS 06029048 (10 kg net), line 1 'Ribes' without HS code or weight
    decl = declaration(("06029049", "Ribes nigrum plants for planting", "8"), ("85171300", "Smartphones", "5"),
                       drop_phyto=True)
    result = attach(sample("01"), decl)
    assert sorted((mt.goods_item, mt.line, mt.method) for mt in result.matches) == [
        (1, "0", "hs"), (1, "1", "description")]
    assert [len(references(it, "123ABC")) for it in goods_items(result)] == [1, 0]
    (unchecked,) = [f for f in result.findings if f.code == "ATTACH-QUANTITY-UNCHECKED"]  # line 1 has no weight
    assert "certificate line 1" in unchecked.message and "no net or gross weight" in unchecked.message
    # the certificate's own reading findings travel with the result (sample 01 has lenient dates)
    assert "READ-LENIENT" in codes(result)
    # Argentina -> Ecuador, origin AR: not goods a GB declaration from Chile can clear
    assert sorted(f.code for f in result.errors) == ["ATTACH-DESTINATION", "ATTACH-DISPATCH", "ATTACH-ORIGIN",
                                                     "ATTACH-ORIGIN"]
    assert_schema_valid(result.to_bytes())


# ------------------------------------------------------------------ the documented example, layout, exit codes

COURGETTES = EXAMPLES / "attach" / "constructed_CL-GB_851_courgettes.xml"


def test_the_documented_example_runs_as_written(tmp_path, monkeypatch, capsys):
    doc = (REPO / "docs" / "attach.md").read_text(encoding="utf-8")
    block = re.search(r"```\n\$ (ephyto-dip attach [^\n]+)\n(.*?)```", doc, re.S)
    command, expected = block.group(1).split(), block.group(2).splitlines()
    out = tmp_path / "declared.xml"
    command[command.index("-o") + 1] = str(out)  # write into the test's folder, not the checkout
    monkeypatch.chdir(REPO)  # the docs run it from the repository root
    assert main(command[1:]) == 0
    shown = [ln.replace(str(out), "declared.xml") for ln in capsys.readouterr().err.splitlines()]
    assert shown == [ln for ln in expected if ln.strip()]
    assert_schema_valid(out.read_bytes())
    (item,) = etree.fromstring(out.read_bytes()).iter(f"{D}GovernmentAgencyGoodsItem")
    assert len(references(item, "EXAMPLE0001CL")) == 1


def test_the_declaration_keeps_its_line_endings_declaration_and_encoding(tmp_path):
    crlf = IM030A.read_bytes()
    assert crlf.count(b"\r\n") > 300  # the published sample is (mostly) CRLF
    out = attach(COURGETTES, IM030A).to_bytes()
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\r\n<md:MetaData')
    assert out.count(b"\n") == out.count(b"\r\n") > crlf.count(b"\r\n")  # every line CRLF, lines added
    lf = IM034A.read_bytes()
    assert b"\r" not in lf
    out = attach(certificate(line("070700", net="100", unit="KGM"), sent_from="US"), IM034A).to_bytes()
    assert b"\r" not in out and out.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n')
    # a Latin-1 declaration stays Latin-1, byte order mark and spelling of the declaration too
    latin = lf.replace(b'encoding="UTF-8"', b"encoding='ISO-8859-1'", 1).replace(
        b"<md:MetaData", "<!-- déclaration -->\n<md:MetaData".encode(), 1)
    latin = latin.decode("utf-8").encode("iso-8859-1", "xmlcharrefreplace")
    result = attach(certificate(line("070700", net="100", unit="KGM"), sent_from="US"), latin, name="latin.xml")
    assert result.ok, result.findings
    out = result.to_bytes()
    assert out.startswith(b"<?xml version=\"1.0\" encoding='ISO-8859-1' standalone=\"no\"?>\n<!-- d\xe9claration -->")
    assert references(next(etree.fromstring(out).iter(f"{D}GovernmentAgencyGoodsItem")), NUMBER)
    bom = attach(COURGETTES, b"\xef\xbb\xbf" + crlf).to_bytes()
    assert bom.startswith(b"\xef\xbb\xbf<?xml version=\"1.0\"") and bom.count(b"\n") == bom.count(b"\r\n")


def test_cli_a_certificate_that_cannot_be_referenced_is_a_finding(tmp_path, capsys):
    out = tmp_path / "out.xml"
    withdrawn = EXAMPLES / "constructed_CO-PE_851_withdrawn.xml"
    assert main(["attach", str(withdrawn), str(IM030A), "-o", str(out)]) == 1
    assert "ATTACH-STATUS: certificate status 40 (withdrawn)" in capsys.readouterr().err and not out.exists()
