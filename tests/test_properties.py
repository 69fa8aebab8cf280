"""Properties over generated certificates (``ephyto_dip.testing.strategies``, the whole model): both
documents are schema-valid, and every way through them comes back to the same certificate.

Budgets come from the hypothesis profile (tests/conftest.py): ``ci`` by default, ``thorough``
with ``--slow`` or ``HYPOTHESIS_PROFILE=thorough``.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

import ephyto_dip as ed
from ephyto_dip.documents import read, serialize
from ephyto_dip.mapping.sides import DIP_DS_NS, edifact_to_iso, iso_to_edifact
from ephyto_dip.reading.schemas import dip_xsd, ephyto_xsd
from ephyto_dip.testing import strategies as eds

# the Hub envelope header has no place in an SPSCertificate: only the DIP carries it
ANY_FOR_DIP = st.one_of(eds.certificates(), eds.certificates(hub_envelope=True))


def _read_back(data: bytes, side: str) -> ed.Certificate:
    doc = read(data, name=f"generated.{side}.xml")
    assert doc.side == side
    # everything written is read again: nothing left over, nothing doubtful
    assert doc.findings == [], [f.one_line() for f in doc.findings]
    return doc.certificate


def _assert_valid(schema, root, what: str) -> None:
    valid = schema.validate(root)
    assert valid, f"{what} not schema-valid: " + "; ".join(f"line {e.line}: {e.message}" for e in schema.error_log)


# what a DIP DateTimeString must look like when it claims an EDIFACT 2379 format (ASCII digits)
EDIFACT = {"102": re.compile(r"[0-9]{8}"), "204": re.compile(r"[0-9]{14}"),
           "304": re.compile(r"[0-9]{14}(Z|[+-][0-9]{4})")}


def _assert_dip_dates(dip) -> None:
    """A DIP date has a formatCode only where the ISO value maps exactly, and then is in that format."""
    dates = {}  # value in the model -> how the DIP wrote it
    for el in dip.iter(f"{{{DIP_DS_NS}}}DateTimeString"):
        code = el.get("formatCode")
        if code is not None:
            assert code in EDIFACT and EDIFACT[code].fullmatch(el.text), (code, el.text)
        dates[edifact_to_iso(el.text, code)] = (el.text, code)
    assert dates  # every certificate has an issue date
    for value, (text, code) in dates.items():
        if code is None:
            assert text == value  # carried verbatim
        else:
            assert iso_to_edifact(value) == (text, code)


@given(ANY_FOR_DIP)
def test_every_generated_ephyto_and_dip_document_is_schema_valid(cert):
    _assert_valid(ephyto_xsd(), ed.to_ephyto(cert), "ePhyto")  # (an SPSCertificate leaves the envelope out)
    dip = ed.to_dip(cert)
    _assert_valid(dip_xsd(), dip, "DIP")
    _assert_dip_dates(dip)


@given(eds.certificates())
def test_model_to_ephyto_to_model_is_the_identity(cert):
    data = serialize(ed.to_ephyto(cert))
    note(data.decode("utf-8"))
    assert _read_back(data, "ephyto") == cert


@given(ANY_FOR_DIP)
def test_model_to_dip_to_model_is_the_identity(cert):
    data = serialize(ed.to_dip(cert))
    note(data.decode("utf-8"))
    assert _read_back(data, "dip") == cert


def _not_rule_warnings(result) -> list:
    # rule warnings, and values longer than their WCO format (strategies draw up to the DIP's own formats)
    return [f for f in result.findings
            if not (f.severity == "warning" and (f.code.startswith("RULE-") or f.code == "DIP-FORMAT-WIDER"))]


@given(eds.certificates())
def test_model_to_ephyto_to_dip_to_ephyto_to_model_is_the_identity(cert):
    ephyto = serialize(ed.to_ephyto(cert))
    to_dip = ed.convert(ephyto, name="generated.ephyto.xml")
    # nothing lost on the way (no READ-* finding) and nothing refused; an ISPM 12 rule may still
    # warn (a replacement without its reason note, say), the same on both sides
    assert to_dip.target == "dip" and _not_rule_warnings(to_dip) == [], [f.one_line() for f in to_dip.findings]
    dip = to_dip.to_bytes()
    note(dip.decode("utf-8"))
    back = ed.convert(dip, name="generated.dip.xml")
    assert back.target == "ephyto" and _not_rule_warnings(back) == [], [f.one_line() for f in back.findings]
    assert [(f.code, f.message) for f in back.findings] == [(f.code, f.message) for f in to_dip.findings]
    again = back.to_bytes()
    assert _read_back(again, "ephyto") == cert
    assert again == ephyto  # the same certificate is written the same way


@settings(max_examples=20)
@given(eds.certificates(max_items=1), eds.date_times(lenient=True))
def test_dates_the_dip_carries_verbatim_come_back(cert, issued):
    # certificates keep to ISO 8601 (validation refuses the rest); the DIP still carries any form
    cert.issue_date_time = issued
    assert _read_back(serialize(ed.to_dip(cert)), "dip") == cert


@pytest.mark.parametrize("kind", eds.KINDS)
def test_each_kind_of_certificate_is_what_it_says(kind):
    @settings(max_examples=5)
    @given(eds.certificates(kind=kind))
    def check(cert):
        assert cert.status_code.value == {"withdrawn": "40"}.get(kind, "70")
        assert bool(cert.replacement.statement and cert.replacement.replaced_certificate_number) == (
            kind == "replacement")
        if kind in ("export", "reexport"):
            assert cert.is_reexport == (kind == "reexport")
        assert cert.type_code.value == ("657" if cert.is_reexport else "851")
        # a re-export certificate names the re-exporting country and carries the RPC* statement per item
        assert bool(cert.re_export_countries) == cert.is_reexport
        assert all(bool(i.re_export.statement and i.re_export.origin_country) == cert.is_reexport
                   for i in cert.items)
        assert [i.sequence_numeric.value for i in cert.items] == [str(n) for n in range(1, len(cert.items) + 1)]

    check()


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="provisional"):
        eds.certificates(kind="provisional")


def test_importing_the_package_does_not_import_hypothesis():
    import subprocess
    import sys

    code = "import sys, ephyto_dip; sys.exit(1 if 'hypothesis' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
