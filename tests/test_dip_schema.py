"""The DIP schemas are generated from the table: the committed files must be current."""

from __future__ import annotations

import subprocess
import sys

from lxml import etree

from ephyto_dip.reading.schemas import dip_xsd_path

from .helpers import REPO

XS = "{http://www.w3.org/2001/XMLSchema}"


def test_committed_dip_schemas_match_the_table():
    run = subprocess.run([sys.executable, str(REPO / "tools" / "gen_dip_xsd.py"), "--check"], capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_dip_elements_carry_wco_annotations():
    tree = etree.parse(str(dip_xsd_path()))
    ann = {}
    for el in tree.iter(XS + "element"):
        doc = el.find(f"{XS}annotation/{XS}documentation")
        if el.get("name") and doc is not None:
            ann.setdefault(el.get("name"), {etree.QName(c).localname: c.text for c in doc})
    assert ann["IssueDateTime"]["WCOID"] == "D011"
    assert ann["Exporter"]["WCOClass"] == "57A Exporter"
    assert ann["GoodsShipment"]["WCOID"] == "67A"
    assert ann["TypeCode"]["MappingID"]  # every annotated element names its table rows


def test_extension_namespace_holds_what_wco_lacks():
    ext = etree.parse(str(dip_xsd_path().parent / "ePhytoDIP_IPPC_1p0.xsd"))
    names = {e.get("name") for e in ext.getroot().iterchildren(XS + "element")}
    assert {"ScientificName", "Treatment", "Characteristic", "IntendedUse"} <= names


def _type_children(tree, type_name: str) -> dict:
    """name -> annotation items of the elements of the complex type ``type_name``."""
    (ct,) = [t for t in tree.iter(XS + "complexType") if t.get("name") == type_name]
    out = {}
    for el in ct.iter(XS + "element"):
        doc = el.find(f"{XS}annotation/{XS}documentation")
        out[el.get("name") or el.get("ref")] = ({etree.QName(c).localname: c.text for c in doc}
                                               if doc is not None else {})
    return out


def test_an_element_written_only_as_a_paths_constant_is_annotated_from_the_wco_element_list():
    # PreviousDocument[TypeCode='851']: no row ends at TypeCode, yet it is WCO D019 (HMRC DEC 3.6 list)
    tree = etree.parse(str(dip_xsd_path()))
    type_code = _type_children(tree, "PreviousDocumentType")["TypeCode"]
    assert (type_code["WCOID"], type_code["WCOClass"], type_code["WCOFormat"]) == (
        "D019", "99A PreviousDocument", "an..3")
    assert type_code["Constant"].startswith("851 (")
    statement_type = _type_children(tree, "AdditionalInformationType")["StatementTypeCode"]
    assert (statement_type["WCOID"], statement_type["WCOFormat"]) == ("369", "an..3")
    assert statement_type["Constant"].startswith("AAI (")


def test_an_element_rows_of_two_data_types_write_takes_the_attributes_of_both():
    # AdditionalDocument/ID: a referenced document's identifier (schemeID …) and an import permit note's
    # text (languageID)
    ds = etree.parse(str(dip_xsd_path().parent / "ePhytoDIP_DS_1p0.xsd"))
    types = {t.get("name"): t for t in ds.getroot().iterchildren(XS + "complexType")}
    base = types["AdditionalDocumentIDType"].find(f"{XS}simpleContent/{XS}restriction").get("base")
    assert base == "ds:IDTextType"
    attributes = {a.get("name") for a in types["IDTextType"].iter(XS + "attribute")}
    assert {"schemeID", "languageID", "languageLocaleID"} <= attributes
