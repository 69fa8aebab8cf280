"""ISPM 12 business rules: on the real samples, rule by rule on mutated real certificates,
the locator that gives rule findings their line, the CLI, and docs/findings.md."""

from __future__ import annotations

import re

import pytest
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.cli import main
from ephyto_dip.documents import serialize, to_dip
from ephyto_dip.findings import CODES, ERROR, WARNING, TableError
from ephyto_dip.findings_doc import render_findings_doc
from ephyto_dip.mapping.locate import Locator
from ephyto_dip.mapping.table import load_table
from ephyto_dip.reading import model as m
from ephyto_dip.validation.rules import (
    COUNTRIES,
    PACKAGE_TYPES,
    TAG_ACRONYMS,
    check_certificate,
    code_list,
    iter_values,
)
from ephyto_dip.validation.verbs import all_findings

from .helpers import EXAMPLES, REPO, SAMPLES, sample

ANDEAN_VALID = ["03", "05", "06", "07", "08", "09"]


def line_of(path, pattern: str) -> int:
    """The 1-based line of the only line of ``path`` matching the regex ``pattern``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    hits = [n for n, text in enumerate(lines, start=1) if re.search(pattern, text)]
    assert len(hits) == 1, (pattern, hits)
    return hits[0]


def rule_findings(findings, code=None):
    return [f for f in findings if f.code.startswith("RULE-") and (code is None or f.code == code)]


# ------------------------------------------------------------------------ real samples


def test_norway_truncated_attachment_is_reported_at_its_line():
    path = sample("01")
    # the broken attachment is the PDF's base64 with its first character cut off
    expected = line_of(path, r"(?<![A-Za-z0-9+/])VBERi0xLjMKJcTl8uXrp")
    (f,) = rule_findings(all_findings(path), "RULE-BASE64")
    assert f.severity == ERROR
    assert f.line == expected
    assert f.xpath.endswith("ReferenceSPSReferencedDocument[6]/AttachmentBinaryObject")
    assert "UkjentFiltype" in f.message
    assert f.mapping_id == "EPD-080"


def test_norway_inspection_date_note_is_not_a_date():
    path = sample("01")
    (f,) = rule_findings(all_findings(path), "RULE-DATE")
    assert f.value == "May 1,2,5,10 2020"
    assert "ADDIEDL" in f.message
    assert f.line == line_of(path, r"May 1,2,5,10 2020")
    assert f.xpath.endswith("/Content")


@pytest.mark.parametrize("prefix", ANDEAN_VALID)
def test_valid_andean_samples_have_no_rule_errors(prefix):
    findings = all_findings(sample(prefix))
    errors = [f.one_line() for f in rule_findings(findings) if f.severity == ERROR]
    assert errors == []


@pytest.mark.parametrize("prefix", ["03", "07"])
def test_reexport_notes_on_an_851_are_a_warning_with_the_notes_line(prefix):
    path = sample(prefix)
    (f,) = rule_findings(all_findings(path), "RULE-REEXPORT")
    assert f.severity == WARNING and "RPCST" in f.message and "851" in f.message
    root = ed.read(path).root
    first_rpc = next(el for el in root.iter() if isinstance(el.tag, str) and (el.text or "").strip() == "RPCST")
    assert f.line == first_rpc.getparent().sourceline


def test_null_placeholders_of_the_bolivian_hub_message():
    path = sample("02")
    found = rule_findings(all_findings(path), "RULE-NULL-PLACEHOLDER")
    raw_lines = {n for n, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if ">NULL<" in t}
    assert found and all(f.severity == WARNING for f in found)
    assert {f.line for f in found} == raw_lines


# ------------------------------------------------------------------------------ locator


def _lexical(loc, side: str):
    """The text the reader took from the located element."""
    path = loc.row.paths[side]
    el = loc.element
    if path.attribute is not None:
        return el.get(path.attribute)
    stamped = [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname in ("DateTimeString", "DateTime")]
    return stamped[0].text if stamped else el.text


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_every_model_value_locates_to_the_element_it_was_read_from(path):
    doc = ed.read(path)
    locate = Locator(doc.root, load_table(), doc.side)
    values = list(iter_values(doc.certificate))
    assert values
    for model_path, value in values:
        if model_path.startswith("hub_envelope"):
            continue
        loc = locate(model_path)
        assert loc is not None and loc.exact, model_path
        text = _lexical(loc, "ephyto")
        if value.value == "":
            assert not (text or "").strip(), model_path
        else:
            assert text == value.value, model_path


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_what_the_reader_records_locates_as_re_reading_does(path):
    """``Document.kept`` (recorded while reading) gives the locator the elements it would re-read."""
    for doc in (ed.read(path), ed.read(serialize(to_dip(ed.read(path).content)), name="x.dip.xml")):
        assert doc.kept
        recorded = Locator(doc.root, load_table(), doc.side, doc.kept)
        reread = Locator(doc.root, load_table(), doc.side)
        paths = [p for p, _ in iter_values(doc.certificate)]
        paths += [p.rsplit(".", 1)[0] for p in paths] + ["items[0].packages[3].type_code", "consignee.name",
                                                        "items[9]", "replacement.reason[0]"]
        for model_path in paths:
            a, b = recorded(model_path), reread(model_path)
            assert (a is None) == (b is None), model_path
            if a is not None:
                assert (a.element, a.exact, a.row) == (b.element, b.exact, b.row), model_path


@pytest.mark.parametrize("prefix", ["01", "03"])
def test_model_paths_locate_in_a_dip_document_too(prefix):
    dip_bytes = serialize(to_dip(ed.read(sample(prefix)).certificate))
    doc = ed.read(dip_bytes, name="x.dip.xml")
    assert doc.side == "dip"
    locate = Locator(doc.certificate_root, load_table(), "dip")
    for model_path, value in iter_values(doc.certificate):
        loc = locate(model_path)
        assert loc is not None and loc.exact and loc.line, model_path
        if not isinstance(value, m.DateTime) and loc.row.codelist is None and value.value:
            assert _lexical(loc, "dip") == value.value, model_path


def test_elements_the_reader_drops_do_not_shift_list_indices():
    """An empty attachment block and a note with a Subject but no Content hold nothing for the
    model; the n-th model entry is then not the n-th element, and the line must still be right."""
    path = sample("01")
    root = etree.parse(str(path)).getroot()
    ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
    first_doc = next(root.iter(f"{{{ram}}}ReferenceSPSReferencedDocument"))
    first_doc.addprevious(etree.Element(f"{{{ram}}}ReferenceSPSReferencedDocument"))
    inspection = next(n for n in root.iter(f"{{{ram}}}IncludedSPSNote") if n.findtext(f"{{{ram}}}Subject") == "ADDIEDL")
    hollow = etree.Element(f"{{{ram}}}IncludedSPSNote")
    etree.SubElement(hollow, f"{{{ram}}}Subject").text = "ADDIEDL"
    inspection.addprevious(hollow)
    data = etree.tostring(root)
    lines = data.decode("utf-8").splitlines()
    findings = all_findings(data, name="shifted.xml")
    (b64,) = rule_findings(findings, "RULE-BASE64")
    assert "VBERi0xLjMKJcTl8uXrp" in lines[b64.line - 1] and "JVBERi0xLjMKJcTl8uXrp" not in lines[b64.line - 1]
    assert b64.xpath.endswith("ReferenceSPSReferencedDocument[7]/AttachmentBinaryObject")
    (date,) = rule_findings(findings, "RULE-DATE")
    assert "May 1,2,5,10 2020" in lines[date.line - 1]


def test_a_missing_box_points_at_the_nearest_element():
    path = sample("05")
    root = etree.parse(str(path)).getroot()
    (consignee,) = root.iter("{*}ConsigneeSPSParty")
    consignee.remove(next(consignee.iterchildren("{*}Name")))
    data = etree.tostring(root)
    findings = all_findings(data, name="no-consignee.xml")
    (f,) = rule_findings(findings, "RULE-MANDATORY")
    assert f.severity == ERROR and "consignee" in f.message and "consignee.name" in f.message
    assert f.line == next(etree.fromstring(data).iter("{*}ConsigneeSPSParty")).sourceline
    assert f.xpath == "/SPSCertificate/SPSConsignment/ConsigneeSPSParty"


def test_paths_outside_the_side_locate_to_nothing():
    doc = ed.read(sample("05"))
    locate = Locator(doc.root, load_table(), "ephyto")
    assert locate("hub_envelope.from_country") is None
    assert locate("no such[path") is None
    second = locate("items[0].packages[3].type_code")  # sample 05 has no packages: the item is nearest
    assert second is not None and not second.exact and second.xpath.endswith("IncludedSPSTradeLineItem")


# --------------------------------------------------------- each rule, on a real certificate


@pytest.fixture(scope="module")
def clean():
    """Sample 05: a real, schema-valid certificate with no rule finding at all, once its one
    address line longer than the WCO's an..70 is shortened (that is a DIP-FORMAT-WIDER warning)."""
    cert = ed.read(sample("05")).certificate
    assert [(f.code, f.xpath) for f in check_certificate(cert)] == [("DIP-FORMAT-WIDER", "consignor.address.line_one")]
    cert.consignor.address.line_one.value = cert.consignor.address.line_one.value[:70]
    assert check_certificate(cert) == []
    return cert


def mutated(cert: m.Certificate, change) -> m.Certificate:
    copy = cert.model_copy(deep=True)
    change(copy)
    return copy


def codes_of(cert, severity=None):
    return sorted(
        (f.code, f.xpath) for f in check_certificate(cert) if severity is None or f.severity == severity
    )


def only(cert, code):
    found = [f for f in check_certificate(cert) if f.code == code]
    assert len(found) == 1, [f.one_line() for f in check_certificate(cert)]
    return found[0]


def test_mandatory_boxes(clean):
    nameless = clean.consignee.model_copy(update={"name": None})
    f = only(clean.model_copy(update={"consignee": nameless}), "RULE-MANDATORY")
    assert f.severity == ERROR and f.xpath == "consignee.name" and "consignee" in f.message

    def null_officer(c):
        c.authentications[0].officer_name = m.Text(value="NULL")

    found = codes_of(mutated(clean, null_officer))
    assert ("RULE-MANDATORY", "authentications[0].officer_name") in found
    assert ("RULE-NULL-PLACEHOLDER", "authentications[0].officer_name") in found

    assert codes_of(clean.model_copy(update={"authentications": []}), ERROR) == [
        ("RULE-MANDATORY", "authentications")
    ] * 3
    assert codes_of(clean.model_copy(update={"items": []}), ERROR) == [("RULE-MANDATORY", "items")]

    def empty_description(c):
        c.items[0].descriptions = [m.Text(value="")]

    assert codes_of(mutated(clean, empty_description)) == [("RULE-MANDATORY", "items[0].descriptions[0]")]
    for path in ("id", "type_code", "status_code", "issue_date_time"):
        assert codes_of(clean.model_copy(update={path: None})) == [("RULE-MANDATORY", path)]


def test_type_code(clean):
    f = only(clean.model_copy(update={"type_code": m.Code(value="636")}), "RULE-TYPE-CODE")
    assert f.severity == ERROR and "Health certificate" in f.message
    f = only(clean.model_copy(update={"type_code": m.Code(value="9X")}), "RULE-TYPE-CODE")
    assert "not a UNTDID 1001" in f.message
    reexport = clean.model_copy(update={"type_code": m.Code(value="657")})
    assert [c for c, _ in codes_of(reexport)] == ["RULE-REEXPORT"]  # the type itself is fine


def test_status_code(clean):
    assert codes_of(clean.model_copy(update={"status_code": m.Code(value="40")})) == []
    f = only(clean.model_copy(update={"status_code": m.Code(value="39")}), "RULE-STATUS-CODE")
    assert f.severity == ERROR and "Approved" in f.message and "no WCO message function" in f.message
    f = only(clean.model_copy(update={"status_code": m.Code(value="7000")}), "RULE-STATUS-CODE")
    assert f.severity == ERROR


def test_countries(clean):
    def import_country(code):
        return mutated(clean, lambda c: setattr(c.import_country, "id", m.Identifier(value=code)))

    assert codes_of(import_country("SS")) == []
    f = only(import_country("XX"), "RULE-COUNTRY")
    assert f.severity == ERROR and f.xpath == "import_country.id" and f.value == "XX"
    assert "upper case: EC" in only(import_country("ec"), "RULE-COUNTRY").message

    def rpcco(c):
        c.items[0].re_export.origin_country = [m.Note(contents=[m.Text(value="UK")])]

    found = codes_of(mutated(clean, rpcco))
    assert ("RULE-COUNTRY", "items[0].re_export.origin_country[0].contents[0]") in found


def test_transport_mode(clean):
    def mode(code):
        return mutated(clean, lambda c: setattr(c.transport_movements[0], "mode_code", m.Code(value=code)))

    assert codes_of(mode("4")) == []
    f = only(mode("12"), "RULE-TRANSPORT-MODE")
    assert f.severity == ERROR and f.xpath == "transport_movements[0].mode_code"


def test_units(clean):
    def net_weight(unit, value="10.00"):
        return mutated(clean, lambda c: setattr(c.items[0], "net_weight", m.Measure(value=value, unit_code=unit)))

    assert codes_of(net_weight("TNE")) == []
    wrong_kind = only(net_weight("MTQ"), "RULE-UNIT")
    assert wrong_kind.severity == ERROR and "volume" in wrong_kind.message
    outside = only(net_weight("LBR"), "RULE-UNIT")
    assert outside.severity == WARNING and code_list("unit:weight").title in outside.message
    assert only(net_weight("kg"), "RULE-UNIT").severity == ERROR
    missing = only(net_weight(None), "RULE-UNIT")
    assert missing.severity == WARNING and missing.xpath == "items[0].net_weight"

    def treatment(c):
        t = c.items[0].treatments[0]
        t.concentrations = [m.Characteristic(value=m.Measure(value="2.5", unit_code="KX"))]
        t.temperatures = [m.Characteristic(value=m.Measure(value="-1.5", unit_code="CEL"))]
        t.duration = m.Measure(value="3", unit_code="HUR")

    assert codes_of(mutated(clean, treatment)) == []  # KX: no Rec 20 subset to check against


def test_a_field_added_to_a_copy_of_the_value_lists_is_checked_with_no_code_change(clean, tmp_path, monkeypatch):
    from ephyto_dip.tsv import read_table_text
    from ephyto_dip.validation import code_lists

    text = read_table_text(code_lists.default_path())
    copy = tmp_path / "value-lists.tsv"
    # the treatment duration checked as a temperature; the export country no longer checked
    copy.write_text(text.replace("treatments[].duration\tunit:duration", "treatments[].duration\tunit:temperature")
                    .replace("export_country.id\tcountry\t\t\n", ""), encoding="utf-8")

    def treatment(c):
        c.items[0].treatments[0].duration = m.Measure(value="3", unit_code="HUR")
        c.export_country.id = m.Identifier(value="XX")

    assert codes_of(mutated(clean, treatment)) == [("RULE-COUNTRY", "export_country.id")]  # the shipped lists
    monkeypatch.setattr(code_lists, "default_path", lambda: copy)
    assert [c for c, _ in codes_of(mutated(clean, treatment))] == ["RULE-UNIT"]
    f = only(mutated(clean, treatment), "RULE-UNIT")
    assert "is a Rec 20 duration unit" in f.message and "not a temperature unit" in f.message
    assert f.xpath == "items[0].treatments[0].duration.unit_code"
    lines = len(text.splitlines())
    with pytest.raises(TableError) as bad:
        code_lists.parse_value_lists(text + "items[].net_weight\tunit:mass\t\t\n"
                                     "items[].net_wieght\tunit:weight\t\t\n"
                                     "items.net_weight\tunit:weight\t\t\n"
                                     "\tunit:area\tUNECE_MeasurementUnitCommonCodeArea_4.xsd\t\n", "copy.tsv")
    unknown_list, typo, not_a_list, no_file = bad.value.findings
    assert "unit:mass" in unknown_list.message and unknown_list.line == lines + 1
    assert "items[].net_wieght is not a field" in typo.message and typo.line == lines + 2
    assert "items.net_weight is not a field" in not_a_list.message and not_a_list.line == lines + 3
    assert "unit:area" in no_file.message and "schemas/codelists/" in no_file.message


def test_package_types(clean):
    def package(code):
        return mutated(clean, lambda c: c.items[0].packages.append(m.Package(type_code=m.Code(value=code))))

    assert codes_of(package("BG")) == []
    assert "Q1" not in code_list(PACKAGE_TYPES)
    later = only(package("Q1"), "RULE-PACKAGE-TYPE")
    assert later.severity == WARNING and later.xpath == "items[0].packages[0].type_code"
    assert only(package("bag"), "RULE-PACKAGE-TYPE").severity == ERROR


def test_note_subjects(clean):
    def notes(c):
        c.other_notes = [m.SubjectNote(subject=m.Code(value="XYZ"), contents=[m.Text(value="x")]),
                         m.SubjectNote(subject=m.Code(value="OQV"), contents=[m.Text(value="3")])]
        c.items[0].other_classifications = [m.OtherClassification(system_name=m.Code(value="CN"))]
        c.items[0].treatments[0].other_characteristics = [m.OtherCharacteristic(acronym=m.Text(value="ttft"))]

    found = [f for f in check_certificate(mutated(clean, notes)) if f.code == "RULE-NOTE-SUBJECT"]
    assert all(f.severity == WARNING for f in found)
    assert [f.xpath for f in found] == [
        "other_notes[0].subject",
        "other_notes[1].subject",
        "items[0].other_classifications[0].system_name",
        "items[0].treatments[0].other_characteristics[0].acronym",
    ]
    assert "not an IPPC tag acronym" in found[0].message
    assert "is an IPPC tag acronym" in found[1].message  # OQV is item level, not a document note
    assert "did you mean TTFT" in found[3].message


def test_null_placeholder(clean):
    f = only(mutated(clean, lambda c: setattr(c.consignor.address, "line_one", m.Text(value=" null "))),
             "RULE-NULL-PLACEHOLDER")
    assert f.severity == WARNING and f.xpath == "consignor.address.line_one"


def test_dates(clean):
    def issued(value, fmt=None):
        return clean.model_copy(update={"issue_date_time": m.DateTime(value=value, format=fmt)})

    for good in ("2016-04-22", "2016-04-22T13:53:08-03:00", "2016-04-22T13:53:08.5Z", "2016-04-22T13:53"):
        assert codes_of(issued(good)) == [], good
    for bad in ("22/04/2016", "2016-02-30", "2016-04-22 13:53:08", "2016-04-22T25:00:00"):
        f = only(issued(bad), "RULE-DATE")
        assert f.severity == ERROR and f.xpath == "issue_date_time", bad
    assert codes_of(issued("20160422", "102")) == []
    assert only(issued("2016-04-22", "102"), "RULE-DATE").severity == ERROR

    def inspected(c):
        c.items[0].inspection_dates = [m.Note(contents=[m.Text(value="last week")])]

    f = only(mutated(clean, inspected), "RULE-DATE")
    assert f.severity == WARNING and "ADDITLIL" in f.message and f.xpath == "items[0].inspection_dates[0].contents[0]"


def test_base64(clean):
    def attachment(data):
        return mutated(clean, lambda c: setattr(c.referenced_documents[0], "attachments",
                                                [m.Binary(value=data, filename="a.gif")]))

    assert codes_of(attachment("R0lGODlh\n  R0lGODlh")) == []  # line breaks inside base64 are fine
    f = only(attachment("R0lGODl"), "RULE-BASE64")
    assert f.severity == ERROR and "a.gif" in f.message and f.xpath == "referenced_documents[0].attachments[0]"
    assert only(attachment("R0lG*Dlh"), "RULE-BASE64").severity == ERROR


def test_replacement(clean):
    def notes(**acronyms):
        fields = {"ADRP": "statement", "ADRPN": "replaced_certificate_number", "ADRPR": "reason",
                  "ADRD": "replaced_issue_date"}
        rep = m.Replacement(**{fields[a]: [m.Note(contents=[m.Text(value=v)])] for a, v in acronyms.items()})
        return clean.model_copy(update={"replacement": rep})

    complete = notes(ADRP="4", ADRPN="3214356", ADRPR="change in consignee", ADRD="2016-04-22")
    assert codes_of(complete) == []
    found = sorted((f.severity, re.search(r"has no (\w+) note", f.message)[1])
                   for f in check_certificate(notes(ADRP="4")))
    assert found == [(ERROR, "ADRPN"), (WARNING, "ADRD"), (WARNING, "ADRPR")]
    own = only(notes(ADRP="4", ADRPN=clean.id.value, ADRPR="x", ADRD="2016-04-22"), "RULE-REPLACEMENT")
    assert own.severity == WARNING and "own number" in own.message


def test_reexport(clean):
    def with_notes(type_code, **notes):
        def change(c):
            c.type_code = m.Code(value=type_code)
            for field, value in notes.items():
                setattr(c.items[0].re_export, field, [m.Note(contents=[m.Text(value=value)])])
        return mutated(clean, change)

    f = only(with_notes("657"), "RULE-REEXPORT")
    assert f.severity == ERROR and f.xpath == "items[0]"
    full = with_notes("657", statement="3", origin_country="BE", original_certificate_number="677636")
    assert codes_of(full) == []
    partial = only(with_notes("657", statement="3"), "RULE-REEXPORT")
    assert partial.severity == WARNING and "RPCCO, RPCRF" in partial.message
    on_851 = only(with_notes("851", packed="true"), "RULE-REEXPORT")
    assert on_851.severity == WARNING and on_851.xpath == "items[0].re_export.packed[0]"


def test_decimals(clean):
    def net(value):
        return mutated(clean, lambda c: setattr(c.items[0], "net_weight", m.Measure(value=value, unit_code="KGM")))

    assert codes_of(net("+.5")) == []
    assert only(net("10,5"), "RULE-DECIMAL").severity == ERROR
    assert only(net("-3"), "RULE-DECIMAL").severity == WARNING

    def oqv(c):
        c.items[0].other_quantity_values = [m.Note(contents=[m.Text(value="many")])]

    assert only(mutated(clean, oqv), "RULE-DECIMAL").severity == WARNING


def test_findings_carry_file_and_a_real_path_when_located():
    path = sample("01")
    doc = ed.read(path)
    located = check_certificate(doc.certificate, name="n.xml", locate=Locator(doc.root, load_table(), "ephyto"))
    bare = check_certificate(doc.certificate, name="n.xml")
    assert [f.code for f in located] == [f.code for f in bare]
    assert all(f.file == "n.xml" for f in located)
    assert all(f.xpath.startswith("/SPSCertificate/") and f.line for f in located)
    assert all(not f.xpath.startswith("/") and f.line is None for f in bare)


# ----------------------------------------------------------------------- code lists, load


def test_code_lists_are_read_from_the_bundled_schemas():
    assert len(code_list(COUNTRIES).names) == 249 and "AR" in code_list(COUNTRIES)
    acronyms = code_list(TAG_ACRONYMS)
    assert len(acronyms.names) == 43 and acronyms.names["ADRPN"]
    assert code_list("unit:weight").names.keys() == {"KGM", "TNE"}
    assert (REPO / "schemas" / "codelists" / "SOURCES.md").is_file()


# -------------------------------------------------------------------------------- CLI


def test_cli_validate_norway_sample(capsys):
    path = sample("01")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    xsd = [ln for ln in out.splitlines() if ": error: XSD-EPHYTO: " in ln]
    assert xsd
    text = path.read_text(encoding="utf-8").splitlines()
    for ln in xsd:  # each schema error names the out-of-order element found on its line
        line = int(ln.split(f"{path}:", 1)[1].split(":", 1)[0])
        element = re.search(r"Element '([^']+)': This element is not expected", ln)[1]
        assert f":{element}" in text[line - 1] or f"<{element}" in text[line - 1], ln
    base64_line = line_of(path, r"(?<![A-Za-z0-9+/])VBERi0xLjMKJcTl8uXrp")
    assert f"{path}:{base64_line}: error: RULE-BASE64:" in out
    assert out.splitlines()[-1].startswith(f"{path}: INVALID (")


def test_cli_validate_clean_sample(capsys):
    assert main(["validate", str(sample("05"))]) == 0
    assert "valid (0 errors" in capsys.readouterr().out


# ---------------------------------------------------------------------- findings doc


def test_findings_doc_is_rendered_from_the_codes():
    committed = (REPO / "docs" / "findings.md").read_text(encoding="utf-8")
    assert committed == render_findings_doc(), "run: python -m ephyto_dip.findings_doc > docs/findings.md"
    for code in CODES:
        assert f"| `{code}` |" in committed


def test_code_constants_are_generated_from_the_codes():
    from ephyto_dip import codes
    from ephyto_dip.findings import CODES
    from ephyto_dip.findings_doc import constant_name, render_constants

    committed = (REPO / "src" / "ephyto_dip" / "codes.py").read_text(encoding="utf-8")
    assert committed == render_constants(), \
        "run: python -m ephyto_dip.findings_doc --constants > src/ephyto_dip/codes.py"
    assert {getattr(codes, constant_name(c)) for c in CODES} == set(CODES)
    assert codes.RULE_MANDATORY == "RULE-MANDATORY" and set(codes.FindingCode.__args__) == set(CODES)


# ------------------------------------------------------------------ document types from a table

def test_document_types_come_from_the_table_with_untdid_names():
    from ephyto_dip.reading.doctypes import default_type, document_types, ephyto_types, is_reexport
    from ephyto_dip.validation.rules import DOCUMENT_NAMES, code_list

    names = code_list(DOCUMENT_NAMES)
    for code, t in document_types().items():
        label = names.label(code).casefold()
        assert label.startswith(t.name.casefold()) or t.name.casefold() in label, (code, names.label(code))
    assert set(ephyto_types()) == {"851", "657"} and default_type() == "851"
    assert is_reexport("657") and not is_reexport("851") and not is_reexport("999")


def test_a_document_type_added_to_a_copy_of_the_table_takes_effect(tmp_path):
    from ephyto_dip.reading.doctypes import parse_document_types

    text = (REPO / "mappings" / "sps-document-types.tsv").read_text(encoding="utf-8")
    added = parse_document_types(text + "658\tre-export copy\tyes\tre-export\t\ta test type\n", "copy.tsv")
    assert added["658"].ephyto and added["658"].model_certificate == "re-export"
    with pytest.raises(TableError) as bad:
        parse_document_types(text + "659\tbroken\tyes\t\t\tno model certificate\n", "copy.tsv")
    assert bad.value.findings[0].line == len(text.splitlines()) + 1 and "659" in bad.value.findings[0].message


def test_another_sps_document_is_refused_with_its_untdid_name():
    data = (EXAMPLES / "BO-EC_851_wood-decking.xml").read_bytes().replace(
        b"<ram:TypeCode>851</ram:TypeCode>", b"<ram:TypeCode>636</ram:TypeCode>", 1)
    with pytest.raises(ed.EphytoDipError) as caught:
        ed.read(data, name="ched.xml")
    f = caught.value.findings[0]
    assert f.code == "DOC-UNSUPPORTED-TYPE"
    assert "636 (health certificate: as the EU's TRACES sends its common health entry documents (CHED)" in f.message
    assert "851 (phytosanitary certificate) or 657 (phytosanitary re-export certificate)" in f.message


# ------------------------------------------------------- note rules from mappings/note-rules.tsv

def test_note_rules_take_their_fields_from_the_element_table():
    from ephyto_dip.validation.note_rules import note_rules

    rules = note_rules()
    assert next((r.acronym, r.field, r.if_missing) for r in rules["replacement"]) == (
        "ADRPN", "replaced_certificate_number", "error")
    assert [r.acronym for r in rules["re-export"] if r.if_missing == "core"] == ["RPCST", "RPCCO", "RPCRF"]


def test_a_note_rule_edited_in_a_copy_of_the_table_takes_effect_and_a_stray_acronym_is_named(tmp_path):
    from ephyto_dip.validation.note_rules import parse_note_rules

    text = (REPO / "mappings" / "note-rules.tsv").read_text(encoding="utf-8")
    stricter = parse_note_rules(text.replace("replacement\tADRPR\twarning", "replacement\tADRPR\terror"), "copy.tsv")
    assert next(r for r in stricter["replacement"] if r.acronym == "ADRPR").if_missing == "error"
    with pytest.raises(TableError) as bad:
        parse_note_rules(text + "re-export\tRPCXX\tcore\t\tnot an acronym the table reads\n", "copy.tsv")
    f = bad.value.findings[0]
    assert "RPCXX" in f.message and f.line == len(text.splitlines()) + 1 and f.file == "copy.tsv"
