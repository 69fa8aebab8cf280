"""The DIP schemas are generated from the table: the committed files must be current."""

from __future__ import annotations

import subprocess
import sys

from lxml import etree

from ephyto_dip.schemas import dip_xsd_path

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
