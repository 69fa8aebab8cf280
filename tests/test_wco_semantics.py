"""What a customs officer reads in the DIP: message function, envelope, element order (issue 13)."""

from __future__ import annotations

import pytest
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.mapping.metadata import certificate_element, load_envelope
from ephyto_dip.schemas import dip_xsd

from .helpers import EXAMPLES, SAMPLES, sample

D = "{urn:ephyto-dip:datamodel:ePhytoDIP:1}"
WOOD = EXAMPLES / "BO-EC_851_wood-decking.xml"
ADRPN = b"<ram:IncludedSPSNote><ram:Subject>ADRPN</ram:Subject><ram:Content>BO-0000000001</ram:Content></ram:IncludedSPSNote>"


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
    assert [f.code for f in ed.validate(data, name="s.xml") if f.code == "RULE-STATUS-CODE"] == ["RULE-STATUS-CODE"]


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
    data = data.replace(f"<ram:Name>{cert.issuer.name.value}</ram:Name>".encode(), b"<ram:Name>" + long_name + b"</ram:Name>", 1)
    root = ed.convert(data, name="long.xml").root
    assert root.find(f"{D}ResponsibleAgencyName") is None
    assert certificate_element(root).find(f".//{{*}}Issuer/{{*}}Name").text == long_name.decode()


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
