"""The command line as an operator uses it: exit codes, stdout, files, directories."""

from __future__ import annotations

import json
import shutil

import pytest
from lxml import etree

from ephyto_dip.cli import main
from ephyto_dip.reading.schemas import dip_xsd, ephyto_xsd

from .helpers import EXAMPLES, SAMPLES, sample

DIP_NS = "urn:ephyto-dip:datamodel:ePhytoDIP:1"


def test_convert_to_stdout(capsysbinary):
    assert main(["convert", str(sample("05"))]) == 0
    out = capsysbinary.readouterr().out
    root = etree.fromstring(out)
    assert root.tag == f"{{{DIP_NS}}}MetaData" and root[-1].tag == f"{{{DIP_NS}}}PhytosanitaryCertificate"
    assert dip_xsd().validate(root)


def test_convert_there_and_back_with_files(tmp_path):
    dip = tmp_path / "c.dip.xml"
    back = tmp_path / "c.back.xml"
    assert main(["convert", str(sample("03")), "-o", str(dip)]) == 0
    assert main(["convert", str(dip), "-o", str(back)]) == 0
    tree = etree.parse(str(back))
    assert ephyto_xsd().validate(tree)
    assert tree.getroot().findtext(".//{*}SPSExchangedDocument/{*}ID") == "123456789CO"


def test_convert_json(capsys):
    assert main(["convert", str(sample("08")), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["MetaData"]["PhytosanitaryCertificate"]["TypeCode"]["value"] == "851"


def test_missing_file_is_an_io_error(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "nope.xml")]) == 2
    err = capsys.readouterr().err
    assert "IO-READ" in err and "nope.xml" in err and "Traceback" not in err


def test_malformed_input_is_a_finding_and_leaves_no_output(tmp_path, capsys):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(sample("05").read_bytes()[:2000])  # truncated
    out = tmp_path / "out.xml"
    assert main(["convert", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "XML-MALFORMED" in err and "bad.xml:" in err
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


def test_unwritable_output_is_an_io_error(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "dir" / "out.xml"
    assert main(["convert", str(sample("05")), "-o", str(target)]) == 2
    assert "IO-WRITE" in capsys.readouterr().err


def test_usage_error_exits_2(capsys):
    assert main(["convert"]) == 2
    assert main(["no-such-command"]) == 2
    assert main([]) == 2


def test_batch_converts_the_rest_past_a_bad_file(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for p in SAMPLES:
        shutil.copy(p, src / p.name)
    (src / "zz_broken.xml").write_text("<rsm:SPSCertificate", encoding="utf-8")
    (src / "zz_other.xml").write_text("<Invoice xmlns='urn:x'/>", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["convert", str(src), "-o", str(out), "--jobs", "2", "--summary", "json"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1
    assert summary["converted"] == 8 and summary["failed"] == 3
    failed = {r["file"].rsplit("/", 1)[-1]: next(f["code"] for f in r["findings"] if f["severity"] == "error")
              for r in summary["failures"]}
    invalid = sample("01").name  # a real certificate that fails its schema is refused, as validate says
    assert failed == {"zz_broken.xml": "XML-MALFORMED", "zz_other.xml": "DOC-UNKNOWN-ROOT", invalid: "XSD-EPHYTO"}
    assert all(f["file"] for r in summary["failures"] + summary["warnings"] for f in r["findings"])
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(p.stem + ".xml" for p in SAMPLES if p.name != invalid)
    # --lenient converts it anyway and counts it among the files with warnings
    code = main(["convert", str(src), "-o", str(out), "--jobs", "2", "--summary", "json", "--lenient"])
    lenient = json.loads(capsys.readouterr().out)
    assert code == 1 and lenient["converted"] == 9 and lenient["failed"] == 2
    (warned,) = [r for r in lenient["warnings"] if r["file"].endswith(invalid)]
    assert {f["code"] for f in warned["findings"]} >= {"XSD-EPHYTO", "RULE-BASE64"}
    assert all(f["severity"] == "warning" for f in warned["findings"])
    for p in out.iterdir():
        assert dip_xsd().validate(etree.parse(str(p)))


def test_batch_text_summary_names_each_failure(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(EXAMPLES / "BO-EC_851_wood-decking.xml", src / "ok.xml")
    (src / "empty.xml").write_bytes(b"")
    assert main(["convert", str(src), "-o", str(tmp_path / "out"), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert "FAILED" in err and "empty.xml" in err and "XML-EMPTY" in err
    assert "converted 1 of 2 files, 1 failed" in err


def test_directory_input_needs_an_output_directory(tmp_path, capsys):
    assert main(["convert", str(tmp_path)]) == 2


@pytest.mark.parametrize("name", ["05", "02"])
def test_reverse_of_the_dip_is_detected_from_the_root(tmp_path, name, capsysbinary):
    dip = tmp_path / "x.dip.xml"
    assert main(["convert", str(sample(name)), "-o", str(dip)]) == 0
    capsysbinary.readouterr()
    assert main(["convert", str(dip)]) == 0
    root = etree.fromstring(capsysbinary.readouterr().out)
    assert etree.QName(root).localname == "SPSCertificate"


def test_output_files_get_the_usual_mode_not_mkstemps_0600(tmp_path):
    import os

    out = tmp_path / "out.xml"
    old = os.umask(0o022)
    try:
        assert main(["convert", str(sample("05")), "-o", str(out)]) == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
