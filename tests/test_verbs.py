"""The validation verbs in the style of xmlschema: iter_findings yields, is_valid answers,
validate raises a ValidationError carrying every finding."""

from __future__ import annotations

import re
import types

import pytest

import ephyto_dip as ed
from ephyto_dip.validation.verbs import all_findings

from .helpers import EXAMPLES, sample

WOOD = (EXAMPLES / "BO-EC_851_wood-decking.xml").read_bytes()
NO_BOTANICAL_NAME = re.sub(rb"<ram:ScientificName>[^<]*</ram:ScientificName>", b"", WOOD)


def test_a_valid_certificate_passes_all_three_verbs():
    found = ed.iter_findings(WOOD, name="w.xml")
    assert isinstance(found, types.GeneratorType)
    assert not [f for f in found if f.severity is ed.Severity.ERROR]
    assert ed.is_valid(WOOD) is True
    assert ed.validate(WOOD) is None


def test_warnings_alone_leave_a_certificate_valid():
    path = sample("07")  # real Andean traffic: NULL placeholders are warnings
    found = list(ed.iter_findings(path))
    assert found and all(f.severity is not ed.Severity.ERROR for f in found)
    assert ed.is_valid(path) and ed.validate(path) is None


def test_an_invalid_certificate_raises_a_validation_error_with_every_finding():
    assert ed.is_valid(NO_BOTANICAL_NAME) is False
    with pytest.raises(ed.ValidationError) as caught:
        ed.validate(NO_BOTANICAL_NAME, name="nb.xml")
    assert isinstance(caught.value, ed.EphytoDipError)
    assert caught.value.findings == all_findings(NO_BOTANICAL_NAME, name="nb.xml")
    assert "RULE-MANDATORY" in str(caught.value) and "nb.xml" in str(caught.value)


def test_malformed_xml_is_invalid_but_a_missing_file_is_an_error(tmp_path):
    assert ed.is_valid(b"<rsm:SPSCertificate><unclosed>") is False
    with pytest.raises(ed.InputError) as caught:
        ed.validate(b"<rsm:SPSCertificate><unclosed>")
    assert caught.value.findings[0].code == "XML-MALFORMED"
    with pytest.raises(ed.InputError) as missing:
        ed.is_valid(tmp_path / "missing.xml")
    assert missing.value.findings[0].code == "IO-READ"


def test_a_document_already_read_is_not_read_again():
    doc = ed.read(NO_BOTANICAL_NAME, name="nb.xml")
    assert [f.code for f in ed.iter_findings(doc)] == [f.code for f in all_findings(NO_BOTANICAL_NAME, name="nb.xml")]
    assert ed.is_valid(doc) is False
