"""The DIP as JSON: typed values, the shipped JSON Schema, the way back, the CLI, bad JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import jsonschema
import pytest
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.cli import main
from ephyto_dip.documents import serialize
from ephyto_dip.findings import InputError, UnsupportedDocumentError
from ephyto_dip.mapping.dipjson import _leaf
from ephyto_dip.mapping.dipjson_read import parse_json
from ephyto_dip.mapping.dipjson_shape import JsonNumber, Member
from ephyto_dip.reading.schemas import dip_xsd_path
from ephyto_dip.reading.xmlsafe import Limits

from .helpers import EXAMPLES, REPO, SAMPLES, certificate_root, value_inventory

GOLDEN_JSON = sorted((EXAMPLES / "golden").glob("*.dip.json"))
EXAMPLE_CERTS = sorted(EXAMPLES.glob("*.xml"))
DIP_NS = "urn:ephyto-dip:datamodel:ePhytoDIP:1"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((dip_xsd_path().parent / "ePhytoDIP_1p0.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _errors(validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def _dip_json(path) -> dict:
    # lenient: sample 01 fails its schema and is refused by default; its DIP is checked too
    return json.loads(ed.convert(path, lenient=True).to_bytes("json"))


# ------------------------------------------------------------------------ typed values


def test_numbers_are_json_numbers_with_the_digits_of_the_dip():
    src = EXAMPLES / "BO-EC_851_wood-decking.xml"
    result = ed.convert(src)
    data = json.loads(result.to_bytes("json"))
    item = data["MetaData"]["PhytosanitaryCertificate"]["GoodsShipment"]["GovernmentAgencyGoodsItem"][0]
    assert item["SequenceNumeric"]["value"] == 1 and type(item["SequenceNumeric"]["value"]) is int
    weight = item["Commodity"]["GoodsMeasure"]["NetNetWeightMeasure"]
    xml_text = result.root.findtext(f".//{{{DIP_NS}}}NetNetWeightMeasure")
    assert isinstance(weight["value"], float) and weight["value"] == float(xml_text)
    assert f'"value": {xml_text},' in result.to_bytes("json").decode()  # the exact digits, e.g. 10.00
    assert weight["unitCode"] == "KGM"
    assert isinstance(data["MetaData"]["PhytosanitaryCertificate"]["ID"]["value"], str)


def test_a_repeating_class_is_an_array_even_with_one_element():
    data = _dip_json(EXAMPLES / "BO-EC_851_wood-decking.xml")["MetaData"]["PhytosanitaryCertificate"]
    items = data["GoodsShipment"]["GovernmentAgencyGoodsItem"]
    assert isinstance(items, list) and len(items) == 1
    assert isinstance(data["Authentication"], list) and len(data["Authentication"]) == 1
    assert isinstance(data["GoodsShipment"], dict)  # exactly one: an object


def test_dates_are_iso_8601_with_the_format_code_and_verbatim_otherwise():
    data = _dip_json(EXAMPLES / "BO-EC_851_wood-decking.xml")["MetaData"]["PhytosanitaryCertificate"]
    assert data["IssueDateTime"] == {"value": "2025-07-14T10:05:11Z", "formatCode": "304"}
    # a DIP date without an EDIFACT form is carried verbatim, and comes back so
    dip = ed.convert(EXAMPLES / "BO-EC_851_wood-decking.xml").root
    dts = dip.find(f"{{{DIP_NS}}}PhytosanitaryCertificate/{{{DIP_NS}}}IssueDateTime/{{*}}DateTimeString")
    dts.attrib.pop("formatCode")
    dts.text = "2025-07-14T10:05:11.250Z"
    typed = json.loads(ed.to_json(dip, "dip"))["MetaData"]["PhytosanitaryCertificate"]["IssueDateTime"]
    assert typed == {"value": "2025-07-14T10:05:11.250Z"}
    back = parse_json(ed.to_json(dip, "dip").encode(), "x.json").root
    assert serialize(back) == serialize(dip)


def test_an_indicator_is_a_boolean_and_a_non_json_decimal_stays_a_string():
    el = etree.Element("X")
    el.text = "true"
    assert _leaf(el, Member("X", "X", None, False, False, "indicator")) == {"value": True}
    el.text = "1"  # another lexical form of an indicator: kept as it is
    assert _leaf(el, Member("X", "X", None, False, False, "indicator")) == {"value": "1"}
    el.text = "+5.0"  # xs:decimal, but not JSON's number grammar
    assert _leaf(el, Member("X", "X", None, False, False, "decimal")) == {"value": "+5.0"}
    el.text = "5.0"
    assert isinstance(_leaf(el, Member("X", "X", None, False, False, "decimal"))["value"], JsonNumber)


# ------------------------------------------------------------------------ the JSON Schema


@pytest.mark.parametrize("path", GOLDEN_JSON, ids=lambda p: p.name)
def test_every_golden_json_validates_against_the_shipped_json_schema(path, validator):
    assert _errors(validator, json.loads(path.read_text(encoding="utf-8"))) == []


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_every_real_sample_as_dip_json_validates_against_the_shipped_json_schema(path, validator):
    assert _errors(validator, _dip_json(path)) == []


def test_the_json_schema_rejects_what_the_reader_rejects(validator):
    data = json.loads(GOLDEN_JSON[0].read_text(encoding="utf-8"))
    data["MetaData"]["PhytosanitaryCertificate"]["ID"]["value"] = 12
    assert any("ID/value" in e for e in _errors(validator, data))
    data = json.loads(GOLDEN_JSON[0].read_text(encoding="utf-8"))
    item = data["MetaData"]["PhytosanitaryCertificate"]["GoodsShipment"]["GovernmentAgencyGoodsItem"]
    data["MetaData"]["PhytosanitaryCertificate"]["GoodsShipment"]["GovernmentAgencyGoodsItem"] = item[0]
    assert _errors(validator, data)


def test_json_schema_drift_is_caught_by_the_generator_check(tmp_path):
    out = tmp_path / "dip"
    shutil.copytree(dip_xsd_path().parent, out)
    gen = [sys.executable, str(REPO / "tools" / "gen_dip_xsd.py"), "--out", str(out), "--check"]
    before = subprocess.run(gen, capture_output=True, text=True)
    schema = out / "ePhytoDIP_1p0.schema.json"
    data = json.loads(schema.read_text(encoding="utf-8"))
    del data["$defs"]["GoodsShipmentType"]["properties"]["Consignment"]
    schema.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    after = subprocess.run(gen, capture_output=True, text=True)
    assert after.returncode == 1 and "ePhytoDIP_1p0.schema.json" in after.stdout
    assert "ePhytoDIP_1p0.schema.json" not in before.stdout  # the committed one is current


# ------------------------------------------------------------------------ the way back


@pytest.mark.parametrize("path", SAMPLES + EXAMPLE_CERTS, ids=lambda p: p.name[:24])
def test_ephyto_to_dip_json_to_ephyto_keeps_every_value(path):
    original = certificate_root(path)
    first = ed.convert(path, lenient=True)  # sample 01 fails its schema: converted all the same
    json_bytes = first.to_bytes("json")
    # the JSON describes exactly the DIP tree it came from
    assert serialize(parse_json(json_bytes, "x.json").root) == serialize(first.root)
    back = ed.convert(json_bytes, name="x.dip.json", lenient=True)
    assert back.target == "ephyto"
    assert value_inventory(back.root) == value_inventory(original)
    assert ed.read(json_bytes).certificate == ed.read(path).certificate
    assert [f.code for f in back.findings if f.severity == "error"] == \
        [f.code for f in ed.convert(first.to_bytes(), name="x.dip.xml", lenient=True).findings
         if f.severity == "error"]


def test_read_takes_a_json_file_and_json_bytes(tmp_path):
    path = tmp_path / "x.dip.json"
    path.write_bytes(GOLDEN_JSON[0].read_bytes())
    by_file, by_bytes = ed.read(path), ed.read(GOLDEN_JSON[0].read_bytes())
    assert by_file.side == by_bytes.side == "dip"
    from_xml = ed.read(str(GOLDEN_JSON[0]).replace(".json", ".xml")).certificate
    assert by_file.certificate == by_bytes.certificate == from_xml


def test_reading_findings_on_json_name_a_json_pointer():
    data = json.loads((EXAMPLES / "golden" / "BO-EC_851_wood-decking.dip.json").read_text(encoding="utf-8"))
    items = data["MetaData"]["PhytosanitaryCertificate"]["GoodsShipment"]["GovernmentAgencyGoodsItem"]
    items[0]["Commodity"]["Description"][0]["value"] = ""  # an empty placeholder
    doc = ed.read(json.dumps(data).encode(), name="p.json")
    placeholders = [f for f in doc.findings if f.code == "READ-PLACEHOLDER"]
    assert placeholders, [f.one_line() for f in doc.findings]
    assert placeholders[0].xpath == \
        "/MetaData/PhytosanitaryCertificate/GoodsShipment/GovernmentAgencyGoodsItem/0/Commodity/Description/0"


# ------------------------------------------------------------------------ CLI


def test_output_format_follows_the_suffix_and_format_overrides_it(tmp_path):
    src = str(EXAMPLES / "BO-EC_851_wood-decking.xml")
    as_json, as_xml = tmp_path / "x.json", tmp_path / "y.json"
    assert main(["convert", src, "-o", str(as_json)]) == 0
    assert "PhytosanitaryCertificate" in json.loads(as_json.read_text(encoding="utf-8"))["MetaData"]
    assert main(["convert", src, "--format", "xml", "-o", str(as_xml)]) == 0
    assert etree.fromstring(as_xml.read_bytes()).tag == f"{{{DIP_NS}}}MetaData"
    assert main(["convert", str(as_json), "-o", str(tmp_path / "back.xml")]) == 0
    back = etree.parse(str(tmp_path / "back.xml")).getroot()
    assert value_inventory(back) == value_inventory(certificate_root(src))


def test_a_batch_takes_dip_json_in_and_format_sets_the_suffix(tmp_path, capsys):
    src, mid, out = tmp_path / "in", tmp_path / "mid", tmp_path / "out"
    src.mkdir()
    for p in EXAMPLE_CERTS:
        shutil.copy(p, src / p.name)
    assert main(["convert", str(src), "-o", str(mid), "--format", "json", "--jobs", "1"]) == 0
    assert sorted(p.name for p in mid.iterdir()) == sorted(p.stem + ".json" for p in EXAMPLE_CERTS)
    assert main(["convert", str(mid), "-o", str(out), "--jobs", "1"]) == 0
    for p in EXAMPLE_CERTS:
        back = etree.parse(str(out / (p.stem + ".xml"))).getroot()
        assert value_inventory(back) == value_inventory(certificate_root(p))


def _mutated(**change) -> bytes:
    data = json.loads(GOLDEN_JSON[1].read_text(encoding="utf-8"))
    root = data["MetaData"]["PhytosanitaryCertificate"]
    if "unknown" in change:
        root["GoodsShipment"]["Bogus"] = {"value": "x"}
    if "number_for_string" in change:
        root["ID"]["value"] = 491412337
    if "object_for_array" in change:
        root["AdditionalInformation"] = root["AdditionalInformation"][0]
    if "string_for_number" in change:
        root["GoodsShipment"]["GovernmentAgencyGoodsItem"][0]["SequenceNumeric"]["value"] = "one"
    if "top" in change:
        data = {"SPSCertificate": root}
    return json.dumps(data).encode()


BAD_JSON = {
    "syntax": (b'{"PhytosanitaryCertificate": {"ID": {"value": "1"},}}', "JSON-MALFORMED", "line 1, column"),
    "duplicate": (b'{"PhytosanitaryCertificate": {}, "PhytosanitaryCertificate": {}}', "JSON-MALFORMED", "twice"),
    "not_utf8": (b'{"PhytosanitaryCertificate": {"ID": {"value": "\xff"}}}', "JSON-MALFORMED", "UTF-8"),
    "nan": (b'{"PhytosanitaryCertificate": {"ID": {"value": NaN}}}', "JSON-MALFORMED", "NaN"),
    "deep": (b"[" * 200000 + b"]" * 200000, "JSON-TOO-DEEP", "nesting"),
    "top_level_key": (_mutated(top=1), "DOC-UNKNOWN-ROOT", "output only"),
    "top_level_array": (b"[]", "DOC-UNKNOWN-ROOT", "JSON array"),
    "unknown_member": (_mutated(unknown=1), "JSON-STRUCTURE",
                       "at /MetaData/PhytosanitaryCertificate/GoodsShipment/Bogus"),
    "number_for_string": (_mutated(number_for_string=1), "JSON-STRUCTURE",
                          "at /MetaData/PhytosanitaryCertificate/ID/value"),
    "object_for_array": (_mutated(object_for_array=1), "JSON-STRUCTURE", "needed (AdditionalInformation repeats)"),
    "string_for_number": (_mutated(string_for_number=1), "JSON-STRUCTURE",
                          "/GovernmentAgencyGoodsItem/0/SequenceNumeric/value"),
}


@pytest.mark.parametrize("case", sorted(BAD_JSON))
def test_bad_json_is_one_line_finding_exit_1_and_no_output(case, tmp_path, capsys):
    data, code, needle = BAD_JSON[case]
    src, out = tmp_path / f"{case}.json", tmp_path / "out.xml"
    src.write_bytes(data)
    assert main(["convert", str(src), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(str(src)) and f"error: {code}:" in err and needle in err, err
    assert not out.exists()


def test_missing_json_file_is_exit_2_and_too_large_json_is_refused(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "nope.json")]) == 2
    assert "IO-READ" in capsys.readouterr().err
    data = GOLDEN_JSON[0].read_bytes()
    with pytest.raises(InputError) as exc:
        ed.read(data, name="big.json", limits=Limits(max_bytes=len(data) - 1))
    assert exc.value.findings[0].code == "XML-TOO-LARGE"


def test_json_of_the_ephyto_side_is_not_read_back():
    ephyto_json = ed.convert(GOLDEN_JSON[0].read_bytes()).to_bytes("json")
    with pytest.raises(UnsupportedDocumentError) as exc:
        ed.read(ephyto_json, name="e.json")
    assert "output only" in exc.value.findings[0].message


def test_validate_on_dip_json_names_json_pointers_for_schema_and_rule_findings():
    data = json.loads((EXAMPLES / "golden" / "CO-PE_851_intercom-annotated.dip.json").read_text(encoding="utf-8"))
    data["MetaData"]["PhytosanitaryCertificate"]["TypeCode"]["value"] = "8510"  # longer than the DIP's an..3
    findings = list(ed.iter_findings(json.dumps(data).encode(), name="v.json"))
    xsd = [f for f in findings if f.code == "XSD-DIP"]
    assert xsd and xsd[0].xpath == "/MetaData/PhytosanitaryCertificate/TypeCode", [f.one_line() for f in xsd]
    units = [f for f in findings if f.code == "RULE-UNIT"]
    assert units and units[0].xpath.startswith(
        "/MetaData/PhytosanitaryCertificate/GoodsShipment/GovernmentAgencyGoodsItem/0/")
