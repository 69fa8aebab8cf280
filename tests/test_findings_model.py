"""One findings model: an immutable, hashable Finding; an exception's message is built from its
findings whenever it is asked for, so adding a place or a prefix never leaves it stale."""

from __future__ import annotations

import base64
import dataclasses
import re

import pytest

import ephyto_dip as ed
from ephyto_dip.findings import Finding, InputError, Severity

from .helpers import EXAMPLES

ENVELOPE = b"""<hub:Envelope xmlns:hub="http://ephyto.ippc.int/HUB.Entities">
  <hub:From>BO</hub:From><hub:To>AR</hub:To><hub:CertificateType>851</hub:CertificateType>
  <hub:CertificateStatus>70</hub:CertificateStatus><hub:NPPOCertificateNumber>BO-1</hub:NPPOCertificateNumber>
  <hub:Content>%s</hub:Content>
</hub:Envelope>"""


def test_a_finding_cannot_be_changed_and_equal_findings_are_one():
    f = Finding("XML-MALFORMED", "not XML", file="a.xml", line=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.line = 4  # type: ignore[misc]
    assert {f, Finding("XML-MALFORMED", "not XML", file="a.xml", line=3)} == {f}
    assert Finding("XML-MALFORMED", "x", severity="warning").severity is Severity.WARNING


def test_the_message_of_an_error_follows_its_findings():
    exc = InputError(Finding("XML-MALFORMED", "not XML", file="a.xml"))
    assert "not XML" in str(exc)
    exc.findings[:] = [dataclasses.replace(exc.findings[0], message="still not XML", line=7)]
    assert str(exc) == "a.xml:7: error: XML-MALFORMED: still not XML"


def test_a_broken_base64_content_names_the_envelope_in_the_message_and_the_findings():
    data = ENVELOPE % base64.b64encode(b"<rsm:SPSCertificate><unclosed>")
    with pytest.raises(ed.EphytoDipError) as caught:
        ed.read(data, name="hub.xml")
    f = caught.value.findings[0]
    assert f.code == "XML-MALFORMED" and f.message.startswith("in the envelope's base64 Content:")
    assert "in the envelope's base64 Content:" in str(caught.value)  # the message was built after the prefix


def test_rule_findings_placed_in_the_input_are_new_findings_with_line_and_xpath():
    wood = (EXAMPLES / "BO-EC_851_wood-decking.xml").read_bytes()
    lacking = re.sub(rb"<ram:ScientificName>[^<]*</ram:ScientificName>", b"", wood)  # no botanical name
    found = [f for f in list(ed.iter_findings(ed.read(lacking, name="w.xml"))) if f.code == "RULE-MANDATORY"]
    assert found and all(f.line and f.xpath and f.xpath.startswith("/") for f in found)
