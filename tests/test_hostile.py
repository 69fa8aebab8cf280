"""Hostile and broken input: each case gets a stable finding code, a one-line message naming the
file and line, no traceback, no output file; the library raises only its own exceptions."""

from __future__ import annotations

import builtins
import codecs
import time

import pytest
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.cli import main
from ephyto_dip.findings import EphytoDipError, InputError, UnsupportedDocumentError

from .helpers import sample

SPS = "urn:un:unece:uncefact:data:standard:SPSCertificate:17"


def _code(exc_info) -> str:
    return exc_info.value.findings[0].code


def test_truncated_xml_names_the_line(tmp_path):
    data = sample("03").read_bytes()
    bad = tmp_path / "cut.xml"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as exc:
        ed.read(bad)
    f = exc.value.findings[0]
    assert f.code == "XML-MALFORMED" and f.file == str(bad) and f.line and f.line > 100


def test_empty_file(tmp_path):
    p = tmp_path / "empty.xml"
    p.write_bytes(b"  \n")
    with pytest.raises(InputError) as exc:
        ed.read(p)
    assert _code(exc) == "XML-EMPTY"


@pytest.mark.parametrize(
    "xml,code,needle",
    [
        ('<SPSCertificate xmlns="urn:un:unece:uncefact:data:standard:SPSCertificate:11"/>',
         "DOC-UNSUPPORTED-VERSION", "version 11"),
        ('<SPSImportPermit xmlns="urn:un:unece:uncefact:data:standard:SPSImportPermit:1p0"/>',
         "DOC-UNKNOWN-ROOT", "SPSImportPermit"),
        ('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', "DOC-UNKNOWN-ROOT", "Invoice"),
        (f'<r:SPSCertificate xmlns:r="{SPS}" '
         'xmlns:a="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21">'
         "<r:SPSExchangedDocument><a:ID>CHED.GB.2024.1</a:ID><a:TypeCode>636</a:TypeCode></r:SPSExchangedDocument>"
         "</r:SPSCertificate>", "DOC-UNSUPPORTED-TYPE", "CHED"),
    ],
)
def test_wrong_root_namespace_or_type(xml, code, needle):
    with pytest.raises(UnsupportedDocumentError) as exc:
        ed.read(xml.encode())
    assert _code(exc) == code and needle in exc.value.findings[0].message


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rsm:SPSCertificate xmlns:rsm="urn:un:unece:uncefact:data:standard:SPSCertificate:17">&x;</rsm:SPSCertificate>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.invalid/x.dtd"><r/>"""


def _laughs(levels: int = 10) -> bytes:
    ents = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, levels)]
    return f'<?xml version="1.0"?><!DOCTYPE r [{"".join(ents)}]><r>&l{levels - 1};</r>'.encode()


@pytest.mark.parametrize("data", [XXE, EXTERNAL_DTD, _laughs()], ids=["xxe", "external-dtd", "billion-laughs"])
def test_doctype_is_refused_and_leaks_nothing(data, tmp_path, capsys):
    with pytest.raises(InputError) as exc:
        ed.read(data)
    assert _code(exc) == "XML-DOCTYPE"
    p = tmp_path / "evil.xml"
    p.write_bytes(data)
    assert main(["convert", str(p), "-o", str(tmp_path / "out.xml")]) == 1
    captured = capsys.readouterr()
    assert "root:" not in captured.out + captured.err  # nothing of /etc/passwd
    assert not (tmp_path / "out.xml").exists()


def test_billion_laughs_is_refused_in_well_under_a_second():
    data = _laughs(12)
    start = time.perf_counter()
    with pytest.raises(InputError):
        ed.read(data)
    assert time.perf_counter() - start < 0.5  # a behaviour bound (no expansion), not a benchmark


def test_xinclude_is_never_processed():
    data = sample("05").read_bytes().replace(
        b"<ram:ID>491412337BO</ram:ID>",
        b'<ram:ID>491412337BO</ram:ID>'
        b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>',
    )
    doc = ed.read(data)
    refused = ed.convert(data)  # the schema does not allow it: refused, as validate rejects it
    assert refused.root is None and not refused.input_valid
    assert [f.code for f in refused.input_findings if "include" in f.message] == ["READ-NOT-CARRIED", "XSD-EPHYTO"]
    out = ed.convert(data, lenient=True).to_bytes()
    assert b"root:" not in out and b"XInclude" not in out
    assert [f.code for f in doc.findings if "include" in f.message] == ["READ-NOT-CARRIED"]
    assert doc.certificate.id.value == "491412337BO"


def test_size_cap(tmp_path):
    p = tmp_path / "big.xml"
    p.write_bytes(sample("01").read_bytes())
    with pytest.raises(InputError) as exc:
        ed.read(p, limits=ed.Limits(max_bytes=10_000))
    assert _code(exc) == "XML-TOO-LARGE" and "10000" in exc.value.findings[0].message


def test_depth_cap():
    data = b"<a>" * 80 + b"x" + b"</a>" * 80
    with pytest.raises(InputError) as exc:
        ed.read(data)
    assert _code(exc) == "XML-TOO-DEEP"
    with pytest.raises(UnsupportedDocumentError):  # a higher cap lets it through to detection
        ed.read(data, limits=ed.Limits(max_depth=200))


@pytest.mark.parametrize(
    "data,needle",
    [
        (b'<?xml version="1.0" encoding="UTF-16"?><a>x</a>', "UTF-16"),
        (b'<?xml version="1.0" encoding="no-such-charset"?><a>x</a>', "no-such-charset"),
        (b'<?xml version="1.0"?><a>caf\xe9</a>', "encoding"),
    ],
    ids=["utf16-label-on-8bit", "unknown-charset", "latin1-without-declaration"],
)
def test_wrong_declared_encoding(data, needle):
    with pytest.raises(InputError) as exc:
        ed.read(data)
    f = exc.value.findings[0]
    assert f.code == "XML-ENCODING" and needle.lower() in f.message.lower() and f.line == 1


def test_unknown_status_code_is_refused_by_name():
    data = sample("05").read_bytes().replace(b"<ram:StatusCode>70<", b"<ram:StatusCode>99<")
    refused = ed.convert(data)  # the status rule reads the code list the writer uses
    (f,) = [f for f in refused.input_findings if f.severity == "error"]
    assert refused.root is None and f.code == "RULE-STATUS-CODE" and f.value == "99" and f.line
    with pytest.raises(EphytoDipError) as exc:  # lenient cannot write what has no translation
        ed.convert(data, lenient=True)
    f = exc.value.findings[0]
    assert f.code == "CODELIST-UNMAPPED" and f.value == "99" and f.mapping_id


def test_directory_and_unreadable_inputs(tmp_path, monkeypatch, capsys):
    assert main(["validate", str(tmp_path)]) == 2  # a directory with nothing to validate
    captured = capsys.readouterr()
    assert "no .xml or .json file" in captured.err
    with pytest.raises(InputError) as exc:
        ed.read(tmp_path)
    assert _code(exc) == "IO-READ"
    p = tmp_path / "locked.xml"
    p.write_bytes(sample("05").read_bytes())
    real_open = builtins.open

    def deny(file, *a, **k):  # running as root, chmod cannot deny a read: simulate it
        if str(file) == str(p):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", deny)
    with pytest.raises(InputError) as exc:
        ed.read(p)
    assert _code(exc) == "IO-READ" and "permission" in exc.value.findings[0].message


def test_cli_never_prints_a_traceback_for_bad_input(tmp_path, capsys):
    cases = {
        "cut.xml": sample("03").read_bytes()[:500],
        "dtd.xml": XXE,
        "ched.xml": b'<SPSCertificate xmlns="urn:un:unece:uncefact:data:standard:SPSCertificate:11"/>',
        "bin.xml": bytes(range(256)),
    }
    for name, data in cases.items():
        p = tmp_path / name
        p.write_bytes(data)
        code = main(["convert", str(p)])
        err = capsys.readouterr().err
        assert code == 1, (name, err)
        assert "Traceback" not in err and err.count("\n") == 1 and name in err


def test_a_bad_argument_raises_the_librarys_own_error():
    with pytest.raises(ed.UsageError) as exc:
        ed.convert(sample("05"), to="pdf")
    assert _code(exc) == "USAGE" and "'pdf'" in exc.value.findings[0].message


# ------------------------------------------------------------------ a byte-order mark that lies

def _reencoded(bom: bytes, declared: str, codec: str) -> bytes:
    """Sample 05 written in ``codec`` behind ``bom``, its declaration naming ``declared``."""
    text = sample("05").read_text(encoding="utf-8")
    body = text.split("?>", 1)[1]
    return bom + f'<?xml version="1.0" encoding="{declared}"?>{body}'.encode(codec)


@pytest.mark.parametrize("bom,declared,codec,mark", [
    (codecs.BOM_UTF8, "UTF-16", "utf-8", "UTF-8"),
    (codecs.BOM_UTF8, "ISO-8859-1", "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "UTF-8", "utf-16-le", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "UTF-8", "utf-16-be", "UTF-16 (big-endian)"),
    (codecs.BOM_UTF16_LE, "UTF-16BE", "utf-16-le", "UTF-16 (little-endian)"),
], ids=["utf8-bom-says-utf16", "utf8-bom-says-latin1", "utf16le-bom-says-utf8", "utf16be-bom-says-utf8",
        "utf16le-bom-says-utf16be"])
def test_a_byte_order_mark_contradicting_the_declaration_is_refused(tmp_path, capsys, bom, declared, codec, mark):
    # libxml2 lets the mark win silently; XML 1.0 §4.3.3 makes the contradiction a fatal error
    data = _reencoded(bom, declared, codec)
    with pytest.raises(InputError) as exc:
        ed.read(data)
    f = exc.value.findings[0]
    assert f.code == "XML-ENCODING" and f.line == 1
    assert f"{mark} byte-order mark" in f.message and declared in f.message
    p, out = tmp_path / "bom.xml", tmp_path / "out.xml"
    p.write_bytes(data)
    assert main(["convert", str(p), "-o", str(out)]) == 1 and not out.exists()
    assert main(["validate", str(p)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "XML-ENCODING" in err


@pytest.mark.parametrize("bom,declared,codec", [
    (codecs.BOM_UTF8, "UTF-8", "utf-8"),
    (codecs.BOM_UTF8, "utf8", "utf-8"),
    (codecs.BOM_UTF16_LE, "UTF-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "UTF-16", "utf-16-be"),
    (codecs.BOM_UTF16_LE, "UTF-16LE", "utf-16-le"),
], ids=["utf8", "utf8-lowercase", "utf16le", "utf16be", "utf16le-named"])
def test_a_byte_order_mark_agreeing_with_the_declaration_is_read(bom, declared, codec):
    assert ed.convert(_reencoded(bom, declared, codec)).to_bytes() == ed.convert(sample("05")).to_bytes()


# ------------------------------------------- content the schema does not allow is refused, not converted

RAM20 = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:20"
CONSIGNOR_NAME = "<ram:Name>TEST PRODUCTOS FUNCIONALES DELAGRO SRL QA</ram:Name>"


def _xinclude_in_a_value() -> bytes:
    # the text after the element was silently dropped from the name
    return sample("05").read_bytes().replace(
        CONSIGNOR_NAME.encode(),
        b'<ram:Name>TEST PRODUCTOS <xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd"/>'
        b"FUNCIONALES DELAGRO SRL QA</ram:Name>", 1)


def _look_alike_namespace() -> bytes:
    # the consignor in RAM :20 instead of :21: not read, so the DIP had no consignor
    text = sample("05").read_text(encoding="utf-8")
    start, end = text.index("<ram:ConsignorSPSParty>"), text.index("</ram:ConsignorSPSParty>") + 24
    party = text[start:end].replace("<ram:", "<r20:").replace("</ram:", "</r20:")
    party = party.replace("<r20:ConsignorSPSParty>", f'<r20:ConsignorSPSParty xmlns:r20="{RAM20}">', 1)
    return (text[:start] + party + text[end:]).encode("utf-8")


def _ten_thousand_attributes() -> bytes:
    attrs = " ".join(f'a{i}="v"' for i in range(10_000))
    return sample("05").read_bytes().replace(b"<ram:Name>TEST PRODUCTOS",
                                             f"<ram:Name {attrs}>TEST PRODUCTOS".encode(), 1)


def _unknown_element_in_a_dip() -> bytes:
    dip = etree.fromstring(ed.convert(sample("05")).to_bytes())
    ns = etree.QName(dip).namespace
    smuggled = etree.SubElement(dip.find(f"{{{ns}}}PhytosanitaryCertificate/{{{ns}}}GoodsShipment"),
                                f"{{{ns}}}SmuggledElement")
    smuggled.text = "not in the schema"
    return etree.tostring(dip, xml_declaration=True, encoding="UTF-8")


SCHEMA_INVALID = {
    "xinclude-in-a-value": (_xinclude_in_a_value, ["XSD-EPHYTO", "include"]),
    "look-alike-namespace": (_look_alike_namespace, ["XSD-EPHYTO", RAM20 + "}ConsignorSPSParty"]),
    "ten-thousand-attributes": (_ten_thousand_attributes, ["XSD-EPHYTO", "a0"]),
    "unknown-element-in-a-dip": (_unknown_element_in_a_dip, ["XSD-DIP", "SmuggledElement"]),
}


@pytest.mark.parametrize("case", SCHEMA_INVALID)
def test_validate_refuses_content_the_schema_does_not_allow(tmp_path, capsys, case):
    make, needles = SCHEMA_INVALID[case]
    p = tmp_path / f"{case}.xml"
    p.write_bytes(make())
    assert main(["validate", str(p)]) == 1
    out = capsys.readouterr()
    errors = [ln for ln in out.out.splitlines() if ": error: " in ln]
    assert errors and "Traceback" not in out.err and out.out.splitlines()[-1].startswith(f"{p}: INVALID")
    assert any(all(n in ln for n in needles) and ln.startswith(f"{p}:") for ln in errors), errors[:3]


@pytest.mark.parametrize("case", SCHEMA_INVALID)
def test_convert_refuses_content_the_schema_does_not_allow(tmp_path, capsys, case):
    make, needles = SCHEMA_INVALID[case]
    p, out = tmp_path / f"{case}.xml", tmp_path / "out" / "converted.xml"
    p.write_bytes(make())
    out.parent.mkdir()
    assert main(["convert", str(p), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and any(all(n in ln for n in needles) for ln in err.splitlines() if ": error: " in ln)
    assert list(out.parent.iterdir()) == []  # no output, no temporary file


def test_the_bundled_file_parser_expands_no_entity_and_fetches_nothing(tmp_path):
    # every bundled XSD and code list is parsed with this one parser: a file that tried to pull
    # in a local file or a URL through an entity gets the entity left unexpanded
    from lxml import etree

    from ephyto_dip.reading.xmlsafe import schema_file_parser

    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    doc = tmp_path / "x.xsd"
    doc.write_text(f'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY e SYSTEM "{secret.as_uri()}">'
                   '<!ENTITY n SYSTEM "http://127.0.0.1:9/x">]><s>&e;&n;</s>', encoding="utf-8")
    root = etree.parse(str(doc), schema_file_parser()).getroot()
    assert "TOP SECRET" not in etree.tostring(root, encoding="unicode")
    assert [type(c).__name__ for c in root] == ["_Entity", "_Entity"]
