"""convert refuses what validate finds invalid: the same checks, the same findings, the same
verdict on every file; --lenient converts anyway and says so; the mandatory boxes come from
one table."""

from __future__ import annotations

import json
import shutil

import pytest
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.cli import main
from ephyto_dip.mapping.codelists import load_codelist
from ephyto_dip.validation.mandatory import default_path, missing, parse_mandatory
from ephyto_dip.validation.rules import STATUSES, code_list

from .helpers import EXAMPLES, SAMPLES, certificate_root, sample, value_inventory

RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"


def _without(path, *local_paths: str) -> bytes:
    """Sample bytes with every element at each ``a/b/c`` path (by local names, anywhere) removed."""
    root = etree.parse(str(path)).getroot()
    for lp in local_paths:
        *parents, last = lp.split("/")
        for el in list(root.iter(f"{{*}}{last}")):
            up = [a for a in [el.getparent()] if a is not None]
            names = []
            node = el.getparent()
            for _ in parents:
                if node is None:
                    break
                names.insert(0, etree.QName(node).localname)
                node = node.getparent()
            if names == parents and up:
                up[0].remove(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


BROKEN = {  # what ISPM 12 requires, removed from a valid real certificate (sample 05)
    "number": ("SPSExchangedDocument/ID", "'No.'"),
    "officer": ("ProviderSPSParty/SpecifiedSPSPerson", "'Name of authorized officer'"),
    "statement": ("SignatorySPSAuthentication/IncludedSPSClause", "'Certifying statement'"),
    "botanical name": ("IncludedSPSTradeLineItem/ScientificName", "'Botanical name of plants'"),
    "place of origin": ("IncludedSPSTradeLineItem/OriginSPSCountry", "'Place of origin'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_convert_refuses_a_certificate_without_a_mandatory_box(case, tmp_path, capsys):
    path, box = BROKEN[case]
    src = tmp_path / "broken.xml"
    src.write_bytes(_without(sample("05"), path))
    out = tmp_path / "out.dip.xml"
    assert main(["validate", str(src)]) == 1
    said = capsys.readouterr().out
    assert "RULE-MANDATORY" in said and box in said
    for flags in ([], ["--strict"]):
        assert main(["convert", str(src), "-o", str(out), *flags]) == 1
        err = capsys.readouterr().err
        (line,) = [ln for ln in err.splitlines() if "RULE-MANDATORY" in ln]
        assert line.startswith(f"{src}:") and ": error: RULE-MANDATORY: " in line and box in line and " at /" in line
        assert not out.exists()
    # --lenient converts it, says what is wrong as a warning, and the DIP comes back whole
    assert main(["convert", str(src), "-o", str(out), "--lenient"]) == 0
    assert ": warning: RULE-MANDATORY: " in capsys.readouterr().err and out.is_file()
    back = tmp_path / "back.xml"
    assert main(["convert", str(out), "-o", str(back), "--lenient"]) == 0
    assert value_inventory(etree.parse(str(back)).getroot()) == value_inventory(etree.fromstring(src.read_bytes()))


def test_a_quantity_in_any_form_fills_the_quantity_box():
    root = etree.parse(str(sample("05"))).getroot()
    item = next(root.iter("{*}IncludedSPSTradeLineItem"))
    quantities = [el for el in item if etree.QName(el).localname.endswith(("WeightMeasure", "VolumeMeasure"))]
    assert quantities, "sample 05 declares a weight or volume"
    for el in quantities:
        item.remove(el)
    data = etree.tostring(root)
    findings = list(ed.iter_findings(data, name="no-quantity.xml"))
    (f,) = [f for f in findings if f.code == "RULE-MANDATORY"]
    assert "quantity declared" in f.message and f.line == next(etree.fromstring(data).iter(item.tag)).sourceline
    # a package count fills it as well (ISPM 12: "124 Trays")
    pkg = etree.SubElement(item, f"{{{RAM}}}PhysicalSPSPackage")
    etree.SubElement(pkg, f"{{{RAM}}}ItemQuantity").text = "124"
    cert = ed.read(etree.tostring(root)).certificate
    assert not [m for _, m in missing(cert, parse_mandatory(default_path().read_text("utf-8"), "boxes"))
                if "quantity" in m]


def test_a_mandatory_box_is_a_table_edit(tmp_path):
    """Marking 'Number and description of packages' as a box every item must fill takes effect
    without code."""
    text = default_path().read_text(encoding="utf-8")
    cert = ed.read(sample("05")).certificate
    boxes = parse_mandatory(text, "boxes")
    assert not list(missing(cert, boxes))
    assert not cert.items[0].packages  # sample 05 has none
    lines = text.splitlines()
    header = next(ln for ln in lines if ln.startswith("box\t")).split("\t")
    edited = []
    for ln in lines:
        if ln.startswith("Number and description of packages\t"):
            cells = dict(zip(header, ln.split("\t"), strict=False))
            cells.update(must_fill="item", fill_paths="packages")
            ln = "\t".join(cells[h] for h in header)
        edited.append(ln)
    edited = "\n".join(edited)
    found = list(missing(cert, parse_mandatory(edited, "edited")))
    assert [(p, "'Number and description of packages'" in m) for p, m in found] == [("items[0].packages", True)]


def test_a_broken_box_list_is_a_table_error():
    text = default_path().read_text(encoding="utf-8").replace("\tcertificate\tid\t", "\tsomewhere\tid\t", 1)
    with pytest.raises(ed.TableError) as exc:
        parse_mandatory(text, "bad.tsv")
    (f,) = exc.value.findings
    assert f.code == "TABLE-SYNTAX" and f.file == "bad.tsv" and f.line and "must_fill" in f.message


def test_validate_and_convert_agree_on_every_status_code():
    """One rule for both: the status code list the writer translates with."""
    data = sample("05").read_bytes()
    assert b"<ram:StatusCode>70</ram:StatusCode>" in data
    convertible = set(load_codelist("status-function").forward)
    for code in sorted(code_list(STATUSES).names):
        changed = data.replace(b"<ram:StatusCode>70<", f"<ram:StatusCode>{code}<".encode())
        valid = not [f for f in list(ed.iter_findings(changed)) if f.severity == "error"]
        result = ed.convert(changed)
        assert valid == result.ok == (code in convertible), code
        if not valid:
            (f,) = [f for f in result.input_findings if f.severity == "error"]
            assert f.code == "RULE-STATUS-CODE" and "message function" in f.message and result.root is None


def test_convert_and_validate_give_the_same_verdict_on_every_file(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for p in [*SAMPLES, *EXAMPLES.glob("*.xml")]:
        shutil.copy(p, src / p.name)
    (src / "no-number.xml").write_bytes(_without(sample("05"), "SPSExchangedDocument/ID"))
    (src / "notes.txt").write_text("not a certificate", encoding="utf-8")
    assert main(["validate", str(src), "--jobs", "2", "--format", "json", "--no-progress"]) == 1
    validated = json.loads(capsys.readouterr().out)
    assert main(["convert", str(src), "-o", str(tmp_path / "out"), "--jobs", "2", "--summary", "json"]) == 1
    converted = json.loads(capsys.readouterr().out)
    assert {r["file"] for r in validated["failures"]} == {r["file"] for r in converted["failures"]}
    assert {r["file"].rsplit("/", 1)[-1] for r in converted["failures"]} == {sample("01").name, "no-number.xml"}
    assert validated["skipped"] == converted["skipped"] == [str(src / "notes.txt")]
    assert validated["files"] == converted["files"] == len(SAMPLES) + len(list(EXAMPLES.glob("*.xml"))) + 1
    for v, c in zip(sorted(validated["failures"], key=lambda r: r["file"]),
                    sorted(converted["failures"], key=lambda r: r["file"]), strict=True):
        assert [f["code"] for f in v["findings"] if f["severity"] == "error"] == \
               [f["code"] for f in c["findings"] if f["severity"] == "error"]


def test_the_library_says_whether_input_and_output_are_valid():
    good = ed.convert(sample("05"))
    assert good.input_valid and good.output_valid and good.ok and good.root is not None
    bad = ed.convert(sample("01"))
    assert not bad.input_valid and not bad.output_valid and bad.root is None
    with pytest.raises(ed.ConversionError) as exc:
        bad.to_bytes()
    assert {f.code for f in exc.value.findings} == {"XSD-EPHYTO", "RULE-BASE64"}
    lenient = ed.convert(sample("01"), lenient=True)
    assert not lenient.input_valid and lenient.output_valid and not lenient.ok and lenient.to_bytes()


def test_the_lenient_dip_of_sample_01_comes_back_whole(tmp_path, capsys):
    dip, back = tmp_path / "01.dip.xml", tmp_path / "01.back.xml"
    assert main(["convert", str(sample("01")), "-o", str(dip)]) == 1 and not dip.exists()
    assert main(["convert", str(sample("01")), "-o", str(dip), "--lenient"]) == 0
    assert main(["convert", str(dip), "-o", str(back), "--lenient"]) == 0
    assert "RULE-BASE64" in capsys.readouterr().err  # still said, both ways
    assert value_inventory(etree.parse(str(back)).getroot()) == value_inventory(certificate_root(sample("01")))


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_must_be_a_positive_number(jobs, tmp_path, capsys):
    assert main(["convert", str(tmp_path), "-o", str(tmp_path / "out"), "--jobs", jobs]) == 2
    assert "--jobs" in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_an_empty_directory_is_said(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("x", encoding="utf-8")
    for argv in (["convert", str(tmp_path / "in"), "-o", str(tmp_path / "out")], ["validate", str(tmp_path / "in")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "no .xml or .json file" in err and "1 other file" in err
