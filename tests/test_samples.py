"""The nine real ePhyto samples: read, converted, round-tripped, with values asserted."""

from __future__ import annotations

import pytest

import ephyto_dip as ed
from ephyto_dip.reading import model as m
from ephyto_dip.reading.schemas import dip_xsd, ephyto_xsd

from .helpers import SAMPLES, certificate_root, sample, value_inventory

VALID_INPUTS = {"02", "03", "04", "05", "06", "07", "08", "09"}  # 01 is schema-invalid in real life


def test_all_nine_samples_are_present():
    assert len(SAMPLES) == 9


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_every_sample_reads_with_nothing_silently_dropped(path):
    doc = ed.read(path)
    cert = doc.certificate
    assert cert.id and cert.id.value.strip()
    assert cert.type_code.value == "851"
    assert cert.items and all(i.descriptions for i in cert.items)
    not_carried = [f for f in doc.findings if f.code == "READ-NOT-CARRIED"]
    assert not_carried == [], [f.one_line() for f in not_carried]


def test_the_signature_is_reported_as_deliberately_not_carried():
    doc = ed.read(sample("04"))
    (excluded,) = [f for f in doc.findings if f.code == "READ-EXCLUDED"]
    assert excluded.severity == "info" and "Signature" in excluded.message and excluded.line
    assert "signature" in excluded.message.lower()


def test_norway_sample_values():
    cert = ed.read(sample("01")).certificate
    assert cert.id.value == "123ABC"
    assert cert.issue_date_time.value == "2016-04-22T13:53:08-03:00"
    assert [n.contents[0].language_id for n in cert.additional_declarations] == ["en", "nn"]
    assert cert.replacement.replaced_certificate_number[0].contents[0].value == "3214356"
    assert len(cert.referenced_documents) == 6
    assert cert.referenced_documents[0].attachments[0].filename == "TestPdf.pdf"
    # a date given as plain text inside IssueDateTime is still read
    assert cert.referenced_documents[0].issue_date_time.value == "2021-09-10"
    assert cert.consignor.type_codes[0].list_name == "NationalRegistrationNumber"
    assert cert.point_of_entry.id.scheme_id == "ISO_3166-1_alpha-2"
    assert [m.mode_code.value for m in cert.transport_movements] == ["3", "1"]
    assert cert.transport_movements[0].mode_code.name == "Road transport"
    assert cert.transport_movements[1].id.value == "Voyage N° 18"
    assert cert.transport_equipment[0].seals[0].id.value == "G2382564"
    first, second = cert.items
    assert first.hs_classifications[0].class_code.value == "06029048"
    assert [c.class_names[0].value for c in first.condition_classes] == ["Fresh", "Rooted"]
    assert first.net_weight.value == "10" and first.net_weight.unit_code == "KGM"
    assert [p.quantity.value for p in first.packages] == ["100.0000", "20.0000"]
    treatment = first.treatments[0]
    assert [c.descriptions[0].value for c in treatment.chemicals] == ["238", "240"]
    assert treatment.temperatures[0].value.value == "32.0000"
    assert treatment.duration.unit_code == "HUR"
    assert [d.language_id for d in treatment.full_text[0].descriptions] == ["en", "no"]
    assert first.re_export.original_attached[0].contents[0].value == "False"
    # the DMTLIL note misplaced inside AppliedSPSProcess is carried at item level
    assert [n.contents[0].value for n in first.distinguishing_marks] == ["RIBES ALPINUM 'SCHMIDT'", "Lot number 8888"]
    assert second.other_quantity_values[0].contents[0].value == "33"
    assert second.origin_countries[0].subdivisions[0].names[0].value == "Valles de la RegiónPatagónica"


def test_norway_sample_deviations_are_reported_with_lines():
    text = sample("01").read_text(encoding="utf-8").splitlines()
    lenient = [f for f in ed.read(sample("01")).findings if f.code == "READ-LENIENT"]
    dates = [f for f in lenient if "plain text" in f.message]
    assert [text[f.line - 1].strip()[:40] for f in dates] == ["<ns1:IssueDateTime>2021-09-10</ns1:IssueDateTime>"[:40],
                                                            "<ns1:IssueDateTime>2023-10-04T07:49:49+02:00</ns1:Is"[:40],
                                                            "<ns1:IssueDateTime>2023-10-04T07:49:49</ns1:IssueDat"[:40],
                                                            "<ns1:IssueDateTime>2021-09-10</ns1:IssueDateTime>"[:40]]
    (misplaced,) = [f for f in lenient if "AppliedSPSProcess" in f.message]
    assert "AdditionalInformationSPSNote" in text[misplaced.line - 1]
    assert all(f.severity == "warning" for f in lenient)


def test_hub_envelope_sample_is_read_with_a_warning():
    doc = ed.read(sample("02"))
    assert doc.side == "ephyto"
    env = doc.certificate.hub_envelope
    assert (env.from_country, env.to_country, env.nppo_certificate_number) == ("BO", "AR", "BO-5845145424")
    assert doc.certificate.items[0].botanical_names[0].value == "Elymus elongatus"
    assert [f.code for f in doc.findings if f.severity == "warning"] == ["XML-NAMESPACE-UNDECLARED"]


def test_single_line_sample_keeps_entities_decoded_and_text_verbatim():
    cert = ed.read(sample("07")).certificate
    officer = cert.authentications[0].officer_name.value
    assert officer == "VALAREZO ESPINOZA DORIS & LILIANA"
    assert cert.items[0].botanical_names[0].value == "Oryza sativa"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_every_sample_converts_to_a_schema_valid_dip(path):
    """convert gives validate's verdict: a valid certificate converts; an invalid one (sample 01
    fails its schema, a fact of real traffic) is refused with the same findings, or converted
    with --lenient. Either way what is written is a schema-valid DIP."""
    found = list(ed.iter_findings(path))
    result = ed.convert(path)
    assert result.target == "dip"
    assert [f.to_dict() for f in result.input_findings] == [f.to_dict() for f in found]
    if any(f.severity == "error" for f in found):
        assert path.name.startswith("01") and result.root is None and not result.ok
        result = ed.convert(path, lenient=True)
        assert not result.input_valid and result.output_valid
    assert dip_xsd().validate(result.root), dip_xsd().error_log
    assert result.output_valid, [f.one_line() for f in result.output_findings]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_round_trip_ephyto_model_ephyto_loses_no_value(path):
    original = certificate_root(path)
    doc = ed.read(path)
    back = ed.to_ephyto(doc.certificate)
    assert value_inventory(back) == value_inventory(original)
    if path.name[:2] in VALID_INPUTS:
        assert ephyto_xsd().validate(back), ephyto_xsd().error_log


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_round_trip_through_the_dip_loses_no_value(path):
    original = certificate_root(path)
    # lenient: sample 01 fails its schema (a fact of real traffic) and is converted all the same;
    # what is converted must still come back whole
    dip_bytes = ed.convert(path, lenient=True).to_bytes()
    back = ed.convert(dip_bytes, name="dip", lenient=True)
    assert back.target == "ephyto"
    assert value_inventory(back.root) == value_inventory(original)
    # the model in the middle is the same on both trips (the Hub header is DIP-only metadata)
    first = ed.read(path).certificate
    again = ed.read(dip_bytes).certificate
    assert again == first
    if path.name[:2] in VALID_INPUTS:
        assert back.ok, [f.one_line() for f in back.findings if f.severity == "error"]


def test_value_inventory_notices_a_lost_value():
    """The round-trip check itself can fail: dropping one note changes the inventory."""
    path = sample("03")
    cert = ed.read(path).certificate
    cert.additional_declarations.pop()
    assert value_inventory(ed.to_ephyto(cert)) != value_inventory(certificate_root(path))


def test_dip_dates_use_edifact_format_codes_and_come_back_exactly():
    result = ed.convert(sample("01"), lenient=True)
    dts = {e.text: e.get("formatCode") for e in result.root.iter("{*}DateTimeString")}
    assert dts["20160422135308-0300"] == "304"
    assert dts["20160412"] == "102"
    back = ed.read(result.to_bytes()).certificate
    assert back.issue_date_time.value == "2016-04-22T13:53:08-03:00"


def test_status_code_becomes_a_wco_message_function():
    result = ed.convert(sample("05"))
    ns = {"d": "urn:ephyto-dip:datamodel:ePhytoDIP:1"}
    assert result.root.findtext("d:PhytosanitaryCertificate/d:FunctionCode", namespaces=ns) == "9"
    assert result.root.findtext("d:PhytosanitaryCertificate/d:TypeCode", namespaces=ns) == "851"


def test_unusual_prefixes_and_a_default_namespace_read_the_same():
    data = sample("03").read_bytes()
    odd = (
        data.replace(b"xmlns:ram=", b"xmlns:p1=").replace(b"<ram:", b"<p1:").replace(b"</ram:", b"</p1:")
        .replace(b"xmlns:rsm=", b"xmlns=").replace(b"<rsm:", b"<").replace(b"</rsm:", b"</")
    )
    assert b"<SPSCertificate" in odd and b"<p1:ID>" in odd
    assert ed.read(odd).certificate == ed.read(data).certificate


def test_several_consignment_item_containers_are_merged_and_reported():
    data = sample("05").read_bytes()
    start = data.index(b"<ram:IncludedSPSConsignmentItem>")
    end = data.index(b"</ram:IncludedSPSConsignmentItem>") + len(b"</ram:IncludedSPSConsignmentItem>")
    second = data[start:end].replace(b"<ram:SequenceNumeric>1<", b"<ram:SequenceNumeric>2<")
    doc = ed.read(data[:end] + second + data[end:])
    assert [i.sequence_numeric.value for i in doc.certificate.items] == ["1", "2"]
    merged = [f for f in doc.findings if f.code == "READ-MERGED"]
    assert merged and "IncludedSPSConsignmentItem" in merged[0].message
    back = ed.to_ephyto(doc.certificate)
    assert len(back.findall(".//{*}IncludedSPSConsignmentItem")) == 1
    assert len(back.findall(".//{*}IncludedSPSTradeLineItem")) == 2


def _hub_envelope(content: str) -> bytes:
    return (
        '<Envelope xmlns="http://ephyto.ippc.int/HUB.Entities"><From>BO</From><To>EC</To>'
        "<CertificateType>851</CertificateType><CertificateStatus>70</CertificateStatus>"
        "<NPPOCertificateNumber>491412337BO</NPPOCertificateNumber><hubDeliveryNumber>HUB-1</hubDeliveryNumber>"
        "<HUBTrackingInfo>Delivered</HUBTrackingInfo>"
        f"<Content>{content}</Content></Envelope>"
    ).encode()


@pytest.mark.parametrize("encoding", ["base64", "escaped"])
def test_hub_envelope_with_the_certificate_as_content(encoding):
    import base64
    from xml.sax.saxutils import escape

    raw = sample("05").read_bytes()
    content = base64.b64encode(raw).decode() if encoding == "base64" else escape(raw.decode("utf-8"))
    doc = ed.read(_hub_envelope(content))
    env = doc.certificate.hub_envelope
    assert (env.from_country, env.hub_delivery_number, env.hub_tracking_info) == ("BO", "HUB-1", "Delivered")
    assert doc.certificate.model_copy(update={"hub_envelope": None}) == ed.read(raw).certificate
    assert not [f for f in doc.findings if f.severity != "info"]
    dip = ed.convert(_hub_envelope(content))
    assert dip.ok and dip.root.findtext(".//{*}HubEnvelope/{*}HubDeliveryNumber") == "HUB-1"


def test_hub_envelope_disagreeing_with_its_certificate_is_reported():
    import base64

    raw = sample("05").read_bytes().replace(b"<ram:ID>491412337BO</ram:ID>", b"<ram:ID>OTHER-1</ram:ID>", 1)
    doc = ed.read(_hub_envelope(base64.b64encode(raw).decode()))
    (f,) = [f for f in doc.findings if f.code == "ENVELOPE-CONTENT"]
    assert f.severity == "warning" and "NPPOCertificateNumber" in f.message and "OTHER-1" in f.message


@pytest.mark.parametrize("content,needle", [("", "empty"), ("!!not base64!!", "neither XML nor valid base64")])
def test_hub_envelope_with_unusable_content(content, needle):
    with pytest.raises(ed.InputError) as exc:
        ed.read(_hub_envelope(content))
    assert exc.value.findings[0].code == "ENVELOPE-CONTENT" and needle in exc.value.findings[0].message


def test_attributes_on_a_discriminator_are_reported_not_dropped_silently():
    data = sample("05").read_bytes().replace(
        b"<ram:Subject>SPSFL</ram:Subject>", b'<ram:Subject listAgencyID="IPPC">SPSFL</ram:Subject>')
    (f,) = [f for f in ed.read(data).findings if f.code == "READ-NOT-CARRIED"]
    assert "listAgencyID" in f.message and f.value == "IPPC" and f.xpath.endswith("IncludedSPSNote/Subject")


def test_findings_inside_an_envelopes_content_name_the_decoded_text():
    import base64

    raw = sample("01").read_bytes()
    doc = ed.read(_hub_envelope(base64.b64encode(raw).decode()), name="hub.xml")
    dates = [f for f in doc.findings if f.code == "READ-LENIENT" and "plain text" in f.message]
    assert {f.file for f in dates} == {"hub.xml#Content"}
    text = raw.decode("utf-8").splitlines()
    assert all("<ns1:IssueDateTime>" in text[f.line - 1] for f in dates)


def test_a_discriminator_is_written_first_among_elements_of_its_name():
    """``ApplicableSPSProcessCharacteristic[Description='TTL1']`` reads the *first* Description;
    the characteristic's own descriptions share the name and the schema position, so the
    writer must put the discriminator first for the certificate to come back the same."""
    base = sample("06").read_text(encoding="utf-8")
    start = base.index("<ram:AppliedSPSProcess>") + len("<ram:AppliedSPSProcess>")
    characteristic = ("<ram:ApplicableSPSProcessCharacteristic><ram:Description>TTL1</ram:Description>"
                      "<ram:Description>first of its own</ram:Description>"
                      "<ram:Description>second</ram:Description></ram:ApplicableSPSProcessCharacteristic>")
    # appended last in the treatment: after every other child, where the schema puts it
    end = base.index("</ram:AppliedSPSProcess>", start)
    data = (base[:end] + characteristic + base[end:]).encode("utf-8")
    cert = ed.read(data).certificate
    written = ed.to_ephyto(cert)
    ttl1 = [[d.text for d in c.iterchildren("{*}Description")]
            for c in written.iter("{*}ApplicableSPSProcessCharacteristic")
            if "TTL1" in [d.text for d in c.iterchildren("{*}Description")]]
    assert ttl1 == [["TTL1", "first of its own", "second"]]
    assert ed.read(ed.serialize(written)).certificate == cert


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_the_writer_plans_schema_order_so_the_final_sort_moves_nothing(path):
    """The write plan puts each context's rows in the schema order of their elements; the
    sort after it is a safety net, and on real certificates it must find nothing to move."""
    from ephyto_dip.mapping.sides import DIP, EPHYTO
    from ephyto_dip.mapping.table import load_table
    from ephyto_dip.mapping.writer import _write_context
    from ephyto_dip.reading.schemas import dip_schema_info, ephyto_schema_info

    content = ed.read(path).content
    for side, order in ((DIP, dip_schema_info()), (EPHYTO, ephyto_schema_info())):
        root = side.new_root()
        _write_context(root, content, load_table().roots, side, order)
        before = ed.serialize(root)
        order.sort(root)
        assert ed.serialize(root) == before, side.name


def test_a_table_where_one_row_writes_into_anothers_element_is_sorted_after_writing():
    """``names[]`` moved *into* the issuer party that another row creates: its Name lands after
    the party's own children, out of schema order, so the writer must sort this table's output."""
    import copy
    from pathlib import Path

    from ephyto_dip.mapping.sides import EPHYTO
    from ephyto_dip.mapping.table import load_table, parse_table
    from ephyto_dip.mapping.writer import _sort_needed, _write_context, write_tree
    from ephyto_dip.reading.schemas import ephyto_schema_info

    shipped = load_table()
    text = Path(shipped.path).read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("EPD-002\t"))
    moved = line.replace("rsm:SPSExchangedDocument/ram:Name", "rsm:SPSExchangedDocument/ram:IssuerSPSParty/ram:ID")
    table = parse_table(text.replace(line, moved), "moved")
    order = ephyto_schema_info()
    assert not _sort_needed(shipped, EPHYTO, order) and _sort_needed(table, EPHYTO, order)

    cert = ed.read(sample("05")).certificate
    assert cert.issuer.name and not cert.issuer.id
    cert = cert.model_copy(update={"names": [m.Text(value="PHYTOSANITARY CERTIFICATE")]})
    unsorted = EPHYTO.new_root()
    _write_context(unsorted, cert.model_dump(exclude_none=True), table.roots, EPHYTO, order)
    repaired = copy.deepcopy(unsorted)
    order.sort(repaired)
    assert ed.serialize(repaired) != ed.serialize(unsorted)  # the plan alone leaves it out of order
    assert ed.serialize(write_tree(cert, table, EPHYTO, order)) == ed.serialize(repaired)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_writing_what_was_read_equals_writing_its_model(path):
    """``convert`` writes the reader's dictionaries without building the model; the API
    writes a model. Both must give the same document, both ways."""
    doc = ed.read(path)
    assert ed.serialize(ed.to_dip(doc.content)) == ed.serialize(ed.to_dip(doc.certificate))
    assert ed.serialize(ed.to_ephyto(doc.content)) == ed.serialize(ed.to_ephyto(doc.certificate))


# ------------------------------------------------ the envelope header from mappings/hub-envelope.tsv

def test_the_hub_envelope_list_and_the_element_table_name_the_same_fields():
    from ephyto_dip.mapping.table import load_table
    from ephyto_dip.reading.hub_fields import hub_fields

    fields = hub_fields()
    listed = {f.field for f in (*fields.header.values(), *fields.forwarding.values())}
    table = {r.field.removeprefix("hub_envelope.") for r in load_table().rows
             if r.field.startswith("hub_envelope.") and r.kind != "group"}
    assert listed == table
    assert fields.header["NPPOCertificateNumber"].agrees_with == "id" and fields.forwarding_container == "Forwardings"


def test_a_hub_element_renamed_in_a_copy_of_the_list_is_read_and_checked_by_its_new_name(tmp_path, monkeypatch):
    import base64

    from ephyto_dip.reading import hub_fields as hf
    from ephyto_dip.tsv import read_table_text

    copy = tmp_path / "hub-envelope.tsv"
    copy.write_text(read_table_text(hf.default_path()).replace("\nHUBTrackingInfo\t", "\nTrackingState\t")
                    .replace("\nNPPOCertificateNumber\tnppo_certificate_number\tid\n",
                             "\nNPPOCertificateNumber\tnppo_certificate_number\t\n"), encoding="utf-8")
    monkeypatch.setattr(hf, "default_path", lambda: copy)
    raw = sample("05").read_bytes().replace(b"<ram:ID>491412337BO</ram:ID>", b"<ram:ID>OTHER-1</ram:ID>", 1)
    message = _hub_envelope(base64.b64encode(raw).decode()).replace(b"HUBTrackingInfo", b"TrackingState")
    doc = ed.read(message)
    assert doc.certificate.hub_envelope.hub_tracking_info == "Delivered"  # read by its new name
    assert not [f for f in doc.findings if f.code == "ENVELOPE-CONTENT"]  # the number no longer has to agree
    with pytest.raises(ed.TableError) as bad:
        hf.parse_hub_fields(read_table_text(hf.default_path()) + "Stamp\tstamp\t\n", "copy.tsv")
    assert "Stamp" in bad.value.findings[0].message and bad.value.findings[0].file == "copy.tsv"
