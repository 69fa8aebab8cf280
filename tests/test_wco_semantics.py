"""What a customs officer reads in the DIP: message function, envelope, element order (issue 13)."""

from __future__ import annotations

import pytest
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.mapping.metadata import certificate_element, load_envelope
from ephyto_dip.reading.schemas import dip_xsd

from .helpers import EXAMPLES, SAMPLES, sample

D = "{urn:ephyto-dip:datamodel:ePhytoDIP:1}"
WOOD = EXAMPLES / "BO-EC_851_wood-decking.xml"
ADRPN = (b"<ram:IncludedSPSNote><ram:Subject>ADRPN</ram:Subject><ram:Content>BO-0000000001</ram:Content>"
         b"</ram:IncludedSPSNote>")


def _with_status(data: bytes, status: bytes) -> bytes:
    assert b"<ram:StatusCode>70</ram:StatusCode>" in data
    return data.replace(b"<ram:StatusCode>70</ram:StatusCode>", b"<ram:StatusCode>" + status + b"</ram:StatusCode>")


def _as_replacement(data: bytes) -> bytes:
    at = data.index(b"<ram:IncludedSPSNote>")
    return data[:at] + ADRPN + data[at:]


def _function(conversion) -> str:
    return certificate_element(conversion.root).findtext(f"{D}FunctionCode")


def test_an_issued_certificate_is_an_original_message_and_comes_back_issued():
    dip = ed.convert(WOOD)
    assert _function(dip) == "9"
    assert ed.convert(dip.to_bytes(), name="x.dip.xml").document.certificate.status_code.value == "70"


def test_a_replacement_certificate_is_a_replacement_message_and_comes_back_issued_with_its_notes():
    data = _as_replacement(WOOD.read_bytes())
    dip = ed.convert(data, name="replacement.xml")
    assert dip.ok and _function(dip) == "5"
    back = ed.convert(dip.to_bytes(), name="replacement.dip.xml")
    cert = back.document.certificate
    assert cert.status_code.value == "70"
    assert cert.replacement.replaced_certificate_number[0].contents[0].value == "BO-0000000001"
    assert ed.read(back.to_bytes(), name="back.xml").certificate == ed.read(data, name="r.xml").certificate


def test_the_intercom_sample_with_adrpn_is_a_replacement():
    # sample 03 is an issued (70) certificate that names the certificate it replaces
    assert ed.read(sample("03")).certificate.replacement.replaced_certificate_number
    assert _function(ed.convert(sample("03"))) == "5"


def test_a_withdrawn_certificate_is_a_cancellation():
    dip = ed.convert(_with_status(WOOD.read_bytes(), b"40"), name="withdrawn.xml")
    assert _function(dip) == "1"
    assert ed.convert(dip.to_bytes(), name="w.dip.xml").document.certificate.status_code.value == "40"


@pytest.mark.parametrize("status, why", [("44", "describes the old certificate"), ("41", "answer"),
                                         ("47", "draft"), ("39", "approval"), ("42", "pending")])
def test_a_status_without_a_message_function_is_refused_with_its_reason(status, why):
    data = _with_status(WOOD.read_bytes(), status.encode())
    refused = ed.convert(data, name="s.xml")
    assert refused.root is None
    (finding,) = [f for f in refused.input_findings if f.code == "RULE-STATUS-CODE"]
    assert finding.severity == "error" and why in finding.message and finding.xpath.endswith("/StatusCode")
    codes = [f.code for f in list(ed.iter_findings(data, name="s.xml")) if f.code == "RULE-STATUS-CODE"]
    assert codes == ["RULE-STATUS-CODE"]


def test_every_dip_is_wrapped_in_the_metadata_envelope_in_hmrc_order():
    order = [e.element for e in load_envelope()]
    assert order == ["WCODataModelVersionCode", "WCOTypeName", "ResponsibleCountryCode", "ResponsibleAgencyName",
                     "AgencyAssignedCustomizationCode", "AgencyAssignedCustomizationVersionCode"]
    for path in SAMPLES[1:]:
        root = ed.convert(path).root
        assert root.tag == f"{D}MetaData"
        names = [etree.QName(c).localname for c in root]
        assert names[-1] == "PhytosanitaryCertificate"
        assert names[:-1] == [n for n in order if n in names[:-1]]  # the envelope's order, optional ones left out
        cert = ed.read(path).certificate
        assert root.findtext(f"{D}ResponsibleCountryCode") == cert.export_country.id.value
        assert dip_xsd().validate(etree.ElementTree(root)), path.name


def test_an_agency_name_longer_than_the_wco_format_is_left_out_not_cut():
    data = WOOD.read_bytes()
    cert = ed.read(WOOD).certificate
    long_name = ("N" * 80).encode()
    data = data.replace(f"<ram:Name>{cert.issuer.name.value}</ram:Name>".encode(),
                        b"<ram:Name>" + long_name + b"</ram:Name>", 1)
    root = ed.convert(data, name="long.xml").root
    assert root.find(f"{D}ResponsibleAgencyName") is None
    assert certificate_element(root).find(".//{*}Issuer/{*}Name").text == long_name.decode()


def test_a_bare_certificate_without_the_envelope_still_reads():
    root = ed.convert(WOOD).root
    bare = etree.tostring(certificate_element(root))
    assert ed.read(bare, name="bare.dip.xml").certificate == ed.read(WOOD).certificate


def test_an_envelope_without_a_certificate_is_refused_by_name():
    root = ed.convert(WOOD).root
    root.remove(certificate_element(root))
    with pytest.raises(ed.EphytoDipError) as exc:
        ed.read(etree.tostring(root), name="empty.dip.xml")
    assert exc.value.findings[0].code == "DOC-UNKNOWN-ROOT" and "MetaData" in str(exc.value)


def _is_class(el) -> bool:
    return any(isinstance(c.tag, str) and etree.QName(c).localname != "DateTimeString" for c in el)


@pytest.mark.parametrize("path", [WOOD, sample("03"), EXAMPLES / "constructed_CO-PE_657_reexport.xml"],
                         ids=lambda p: p.name[:20])
def test_data_elements_come_before_child_classes_in_every_class(path):
    for el in certificate_element(ed.convert(path).root).iter():
        kinds = [_is_class(c) for c in el if isinstance(c.tag, str)]
        assert kinds == sorted(kinds), (el.tag, [etree.QName(c).localname for c in el])


# ------------------------------------------------------------------ document references (issue 13)

IPPC = "{urn:ephyto-dip:datamodel:ePhytoDIP-IPPC:1}"
# ePhyto note subject -> (DIP class, WCO type code, level) the note's text is a document number of
REFERENCE_NOTES = {"ADRPN": ("PreviousDocument", "851", "document"), "RPCRF": ("PreviousDocument", "851", "item"),
                   "ADIPEDL": ("AdditionalDocument", "911", "document"),
                   "ADIPTLIL": ("AdditionalDocument", "911", "item")}
REAL = [*SAMPLES, *sorted(EXAMPLES.glob("*.xml")), *sorted((EXAMPLES / "attach").glob("constructed_*.xml"))]


def _note_texts(root, subject: str) -> list[str]:
    """The Content texts of the ePhyto notes with ``subject``, wherever they are."""
    return [c.text or "" for n in root.iter("{*}IncludedSPSNote", "{*}AdditionalInformationSPSNote")
            if (n.findtext("{*}Subject") or "").strip() == subject for c in n.iterfind("{*}Content")]


def _references(cert_el, subject: str) -> list[str]:
    cls, code, level = REFERENCE_NOTES[subject]
    if level == "document":
        owner = [cert_el.find(f"{D}GoodsShipment")] if cls == "PreviousDocument" else [cert_el]
    else:
        owner = cert_el.findall(f"{D}GoodsShipment/{D}GovernmentAgencyGoodsItem")
    out = []
    for o in owner:
        for doc in o.iterfind(f"{D}{cls}"):
            if doc.findtext(f"{D}TypeCode") != code:
                continue
            if cls == "AdditionalDocument" and doc.findtext(f"{IPPC}NoteSubject") != subject:
                continue
            out += [i.text or "" for i in doc.iterfind(f"{D}ID")]
    return out


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name[:28])
def test_reference_notes_of_every_real_sample_are_wco_documents_and_come_back_as_the_same_notes(path):
    source = ed.read(path)
    dip = ed.convert(path, lenient=True)
    cert_el = certificate_element(dip.root)
    types = {c.text for c in cert_el.iter(f"{D}StatementTypeCode")}
    for subject in REFERENCE_NOTES:
        assert subject not in types  # no longer free text in AdditionalInformation
        assert _references(cert_el, subject) == _note_texts(source.root, subject), subject
    assert dip_xsd().validate(etree.ElementTree(dip.root)), path.name
    assert ed.read(dip.to_bytes(), name="back.dip.xml").certificate == source.certificate


def test_the_real_samples_hold_every_kind_of_reference_note():
    # the test above is only as good as the samples: each reference note occurs in one of them
    found = {s for p in REAL for s in REFERENCE_NOTES if _note_texts(ed.read(p).root, s)}
    assert found == set(REFERENCE_NOTES)


def test_an_import_permit_in_two_languages_with_codes_comes_back_exactly():
    data = WOOD.read_bytes()
    note = (b"<ram:IncludedSPSNote><ram:Subject>ADIPEDL</ram:Subject>"
            b"<ram:ContentCode listID=\"x\">P77</ram:ContentCode>"
            b"<ram:Content languageID=\"es\">Permiso 77</ram:Content>"
            b"<ram:Content languageID=\"en\">Permit 77</ram:Content>"
            b"<ram:SubjectCode>AAI</ram:SubjectCode></ram:IncludedSPSNote>")
    at = data.index(b"<ram:IncludedSPSNote>")
    data = data[:at] + note + data[at:]
    dip = ed.convert(data, name="permit.xml")
    assert dip.root is not None and dip.output_valid
    (doc,) = [d for d in certificate_element(dip.root).iterfind(f"{D}AdditionalDocument")
              if d.findtext(f"{D}TypeCode") == "911"]
    assert [(i.text, i.get("languageID")) for i in doc.iterfind(f"{D}ID")] == [
        ("Permiso 77", "es"), ("Permit 77", "en")]
    assert doc.findtext(f"{IPPC}ContentCode") == "P77" and doc.findtext(f"{IPPC}SubjectCode") == "AAI"
    assert ed.read(dip.to_bytes(), name="p.dip.xml").certificate == ed.read(data, name="p.xml").certificate
    json_back = ed.read(dip.to_bytes("json"), name="p.dip.json").certificate
    assert json_back == ed.read(data, name="p.xml").certificate


def test_a_referenced_document_of_type_911_stays_a_referenced_document():
    # only a 911 document that carries ippc:NoteSubject came from an import-permit note
    data = WOOD.read_bytes().replace(b"<ram:RelationshipTypeCode>AAA</ram:RelationshipTypeCode>",
                                     b"<ram:TypeCode>911</ram:TypeCode>"
                                     b"<ram:RelationshipTypeCode>AAA</ram:RelationshipTypeCode>", 1)
    before = ed.read(data, name="ref.xml").certificate
    assert before.referenced_documents[0].type_code.value == "911" and not before.import_permits
    dip = ed.convert(data, name="ref.xml")
    back = ed.read(dip.to_bytes(), name="ref.dip.xml").certificate
    assert back == before and not back.import_permits


def test_an_import_permit_document_whose_type_code_is_not_911_is_not_read_as_a_permit():
    dip = ed.convert(sample("03"))
    text = dip.to_bytes().replace(b"<TypeCode>911</TypeCode>", b"<TypeCode>999</TypeCode>", 1)
    doc = ed.read(text, name="changed.dip.xml")
    cert = doc.certificate
    assert not cert.import_permits  # both predicates must hold
    assert [(r.id.value, r.type_code.value) for r in cert.referenced_documents if r.type_code] == [("DFGG1111", "999")]
    (lost,) = [f for f in doc.findings if f.code == "READ-NOT-CARRIED"]
    assert "NoteSubject" in lost.message and lost.value == "ADIPEDL"


# ------------------------------------------------- the path language: several child predicates


def test_a_step_with_several_child_predicates_reads_only_where_all_hold_and_writes_them_all():
    from ephyto_dip.mapping.paths import ChildIndex, parse_path

    path = parse_path("Doc[Type='911'][Mark='A']", {}, None)
    root = etree.fromstring("<r><Doc><Type>911</Type><Mark>A</Mark></Doc><Doc><Type>911</Type></Doc>"
                            "<Doc><Type>911</Type><Mark>B</Mark></Doc><Doc><Mark>A</Mark></Doc></r>")
    visited: set = set()
    (found,) = path.select_own(root, ChildIndex(), visited)
    assert found is root[0] and set(found) <= visited  # the predicates' children are read, not left over
    new = path.create(etree.Element("r"), repeat_last=True)
    assert [(c.tag, c.text) for c in new] == [("Type", "911"), ("Mark", "A")]


@pytest.mark.parametrize("cell, why", [("Doc[1][Type='x']", "only allowed as child predicates"),
                                       ("Doc[Type='x'][Type='y']", "the same child"),
                                       ("Doc[Type='x'][@a='y']", "bad step")])
def test_a_bad_combination_of_predicates_is_a_table_syntax_error(cell, why):
    from ephyto_dip.mapping.paths import PathSyntaxError, parse_path

    with pytest.raises(PathSyntaxError, match=why):
        parse_path(cell, {}, None)


# ------------------------------------------------------------ statements: 369 is an..3 (issue 13)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name[:28])
def test_every_statement_type_fits_an3_and_the_note_acronym_travels_beside_it(path):
    source = ed.read(path).root
    cert_el = certificate_element(ed.convert(path, lenient=True).root)
    info = list(cert_el.iter(f"{D}AdditionalInformation"))
    assert {i.findtext(f"{D}StatementTypeCode") for i in info} <= {"AAI"}  # UNTDID 4451 general information
    subjects = sorted((n.findtext("{*}Subject") or "").strip()
                      for n in source.iter("{*}IncludedSPSNote", "{*}AdditionalInformationSPSNote"))
    # every note that is not a document reference is a statement, its acronym in ippc:NoteSubject
    assert sorted(i.findtext(f"{IPPC}NoteSubject") for i in info) == [s for s in subjects if s not in REFERENCE_NOTES]


def test_a_note_subject_the_table_does_not_name_comes_back_with_its_acronym():
    data = WOOD.read_bytes()
    note = (b"<ram:IncludedSPSNote><ram:Subject>XYZNOTE</ram:Subject><ram:Content>free text</ram:Content>"
            b"</ram:IncludedSPSNote>")
    at = data.index(b"<ram:IncludedSPSNote>")
    data = data[:at] + note + data[at:]
    dip = ed.convert(data, name="other.xml", lenient=True)
    (info,) = [i for i in certificate_element(dip.root).iter(f"{D}AdditionalInformation")
               if i.findtext(f"{IPPC}NoteSubject") == "XYZNOTE"]
    assert info.findtext(f"{D}StatementTypeCode") == "AAI" and info.findtext(f"{D}StatementDescription") == "free text"
    back = ed.read(dip.to_bytes(), name="other.dip.xml").certificate
    assert back == ed.read(data, name="other.xml").certificate
    assert back.other_notes[0].subject.value == "XYZNOTE"


def test_a_statement_of_a_type_the_table_does_not_write_is_reported_not_guessed():
    text = ed.convert(WOOD).to_bytes()
    assert b"<StatementTypeCode>AAI</StatementTypeCode>" in text
    doc = ed.read(text.replace(b"<StatementTypeCode>AAI</StatementTypeCode>",
                               b"<StatementTypeCode>ACB</StatementTypeCode>", 1),
                  name="acb.dip.xml")
    assert any(f.code == "READ-NOT-CARRIED" and "AdditionalInformation" in f.message for f in doc.findings)


# ------------------------------------------------------------ the WCO re-judgement (profile 1.1)

INTERCOM = EXAMPLES / "CO-PE_851_intercom-annotated.xml"


def test_the_voyage_number_is_the_conveyance_reference_of_the_border_transport_means():
    cert = certificate_element(ed.convert(INTERCOM).root)
    means = cert.find(f"{D}BorderTransportMeans")
    assert means is not None and cert.find(f".//{D}DepartureTransportMeans") is None
    assert [c.tag.removeprefix(D) for c in means] == ["JourneyID", "ModeCode", "Name"]
    assert means.findtext(f"{D}JourneyID") == "123ABC"  # ePhyto MainCarriageSPSTransportMovement/ID
    assert means.findtext(f"{D}ModeCode") == "7" and means.findtext(f"{D}Name") == "Ocean Freight"
    back = ed.convert(ed.convert(INTERCOM).to_bytes(), name="x.dip.xml").document.certificate
    assert back.transport_movements[0].id.value == "123ABC"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_examination_place_and_item_seals_are_wco_classes_on_every_sample(path):
    conv = ed.convert(path.read_bytes(), name=path.name, lenient=True)
    cert = certificate_element(conv.root)
    assert cert.find(f".//{D}Consignment/{{urn:ephyto-dip:datamodel:ePhytoDIP-IPPC:1}}ExaminationLocation") is None
    doc = ed.read(path.read_bytes(), name=path.name)
    if doc.certificate.examination_location is not None:
        assert cert.find(f"{D}GoodsShipment/{D}Consignment/{D}ExaminationPlace") is not None
    goods_items = cert.findall(f"{D}GoodsShipment/{D}GovernmentAgencyGoodsItem")
    for item, goods in zip(doc.certificate.items, goods_items, strict=False):
        seals = [s.id.value for te in item.transport_equipment for s in te.seals if s.id is not None]
        assert [s.findtext(f"{D}ID") for s in goods.iterfind(f"{D}Commodity/{D}TransportEquipment/{D}Seal")] == seals


def test_a_dip_of_an_older_profile_version_is_refused_naming_the_version():
    old = ed.convert(WOOD).to_bytes().replace(
        b"<AgencyAssignedCustomizationVersionCode>1.1<", b"<AgencyAssignedCustomizationVersionCode>1.0<")
    with pytest.raises(ed.EphytoDipError) as caught:
        ed.read(old, name="old.dip.xml")
    f = caught.value.findings[0]
    assert f.code == "DOC-UNSUPPORTED-VERSION" and f.file == "old.dip.xml"
    assert "profile version 1.0" in f.message and "reads 1.1" in f.message
    assert f.xpath == "/MetaData/AgencyAssignedCustomizationVersionCode"
