"""Golden files: every example converts to exactly its committed DIP, which is schema-valid."""

from __future__ import annotations

import json
import sys

import pytest
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.reading.schemas import dip_xsd

from .helpers import REPO

sys.path.insert(0, str(REPO / "tools"))
from make_golden import golden_pairs

PAIRS = list(golden_pairs())


def test_there_are_golden_files_for_real_and_constructed_certificates():
    names = {src.name for src, _, _ in PAIRS}
    assert {"BO-EC_851_wood-decking.xml", "BO-AR_851_hub-envelope.xml", "constructed_CO-PE_657_reexport.xml"} <= names


@pytest.mark.parametrize("src,xml_golden,json_golden", PAIRS, ids=[p[0].stem for p in PAIRS])
def test_conversion_matches_golden_file(src, xml_golden, json_golden):
    result = ed.convert(src)
    assert result.to_bytes("xml") == xml_golden.read_bytes(), (
        "run python tools/make_golden.py after a deliberate change")
    assert result.to_bytes("json") == json_golden.read_bytes()


@pytest.mark.parametrize("src,xml_golden,json_golden", PAIRS, ids=[p[0].stem for p in PAIRS])
def test_golden_dip_is_schema_valid_and_reads_back_to_the_same_certificate(src, xml_golden, json_golden):
    tree = etree.parse(str(xml_golden))
    assert dip_xsd().validate(tree), dip_xsd().error_log
    assert ed.read(xml_golden).certificate == ed.read(src).certificate


def test_json_shape_lists_what_the_schema_lets_repeat():
    data = json.loads(PAIRS[0][2].read_text(encoding="utf-8"))
    root = data["MetaData"]["PhytosanitaryCertificate"]
    assert isinstance(root["AdditionalInformation"], list)  # maxOccurs unbounded
    assert isinstance(root["ID"], dict) and root["ID"]["value"]  # exactly one
    item = root["GoodsShipment"]["GovernmentAgencyGoodsItem"][0]
    assert isinstance(item["Commodity"]["Description"], list)


def test_reexport_example_carries_reexport_details_in_both_directions():
    src = REPO / "examples" / "constructed_CO-PE_657_reexport.xml"
    result = ed.convert(src)
    ns = {"d": "urn:ephyto-dip:datamodel:ePhytoDIP:1", "i": "urn:ephyto-dip:datamodel:ePhytoDIP-IPPC:1"}
    assert result.root.findtext("d:PhytosanitaryCertificate/d:TypeCode", namespaces=ns) == "657"
    assert result.root.findtext("d:PhytosanitaryCertificate/d:GoodsShipment/i:ReExportCountry/i:ID",
                                namespaces=ns) == "CO"
    info = result.root.xpath("//d:GovernmentAgencyGoodsItem[1]/d:AdditionalInformation", namespaces=ns)
    assert {i.findtext("d:StatementTypeCode", namespaces=ns) for i in info} == {"AAI"}  # 369 is an..3
    assert {"RPCST", "RPCCO", "RPCOR"} <= {i.findtext("i:NoteSubject", namespaces=ns) for i in info}
    # the original certificate's number (RPCRF) is a previous document of the item, type 851
    previous = result.root.xpath("//d:GovernmentAgencyGoodsItem[1]/d:PreviousDocument", namespaces=ns)
    assert [(p.findtext("d:ID", namespaces=ns), p.findtext("d:TypeCode", namespaces=ns)) for p in previous] == [
        ("677636", "851")]
    seals = result.root.xpath("//d:Consignment/d:TransportEquipment/d:Seal/d:ID/text()", namespaces=ns)
    assert seals == ["SEAL-0001", "SEAL-0002"]
    back = ed.read(result.to_bytes()).certificate
    assert back.is_reexport and len(back.items) == 2


def test_withdrawn_certificate_maps_to_cancellation():
    result = ed.convert(REPO / "examples" / "constructed_CO-PE_851_withdrawn.xml")
    d = "{urn:ephyto-dip:datamodel:ePhytoDIP:1}"
    assert result.root.findtext(f"{d}PhytosanitaryCertificate/{d}FunctionCode") == "1"
    assert ed.read(result.to_bytes()).certificate.status_code.value == "40"
