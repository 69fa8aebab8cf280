"""The strategies keep their promise: drawn certificates pass ``validate`` (schema and ISPM 12
rules), and ``certificates_breaking(code)`` draws certificates that fail it with that code only.

Budgets follow the hypothesis profile (tests/conftest.py): ``ci`` by default, ``thorough`` with ``--slow``.
"""

from __future__ import annotations

import pytest
from hypothesis import Phase, given, settings

import ephyto_dip as ed
from ephyto_dip.documents import serialize
from ephyto_dip.findings import CODES, ERROR
from ephyto_dip.testing import strategies as eds
from ephyto_dip.validation.rules import COUNTRIES, code_list

WRITERS = {"ephyto": ed.to_ephyto, "dip": ed.to_dip}


def _errors(cert: ed.Certificate, side: str) -> list:
    data = serialize(WRITERS[side](cert))
    return [f for f in list(ed.iter_findings(data, name=f"drawn.{side}.xml")) if f.severity == ERROR]


def _assert_items_have_the_boxes_ispm12_makes_mandatory(cert: ed.Certificate) -> None:
    # botanical name, quantity declared and place of origin: boxes the rules are being tightened on
    for item in cert.items:
        assert any(b.value.strip() and b.value.strip().upper() != "NULL" for b in item.botanical_names)
        assert item.net_weight is not None or item.net_volume is not None
        assert item.origin_countries and all(c.id.value in code_list(COUNTRIES) for c in item.origin_countries)


def test_at_least_99_of_100_drawn_certificates_pass_validate():
    failures = []

    # derandomized, no shrinking: 100 fresh draws, counted, the same ones on every run
    @settings(max_examples=100, derandomize=True, database=None, phases=[Phase.generate])
    @given(eds.certificates())
    def draw(cert):
        _assert_items_have_the_boxes_ispm12_makes_mandatory(cert)
        errors = _errors(cert, "ephyto")
        if errors:
            failures.append([f.one_line() for f in errors])

    draw()
    assert len(failures) <= 1, failures[:3]


@settings(max_examples=max(10, settings.default.max_examples // 4))
@given(eds.certificates(hub_envelope=True))
def test_drawn_certificates_pass_validate_as_dips_too(cert):
    assert _errors(cert, "dip") == []


BREAKABLE = [(side, code) for side, codes in eds.BREAKABLE_RULES.items() for code in codes]


@pytest.mark.parametrize(("side", "code"), BREAKABLE, ids=[f"{s}-{c}" for s, c in BREAKABLE])
def test_a_certificate_breaking_a_rule_fails_validate_with_that_code_only(side, code):
    # an eighth of the profile's budget per rule keeps the 16 rules together near one property test
    @settings(max_examples=max(5, settings.default.max_examples // 8))
    @given(eds.certificates_breaking(code, side))
    def check(cert):
        assert {f.code for f in _errors(cert, side)} == {code}

    check()


def test_the_breakable_rules_are_documented_rule_codes_and_enough_of_them():
    codes = {c for codes in eds.BREAKABLE_RULES.values() for c in codes}
    assert len(codes) >= 8
    assert all(c.startswith("RULE-") and c in CODES for c in codes)
    # whatever breaks in an SPSCertificate breaks in a DIP too
    assert set(eds.BREAKABLE_RULES["ephyto"]) <= set(eds.BREAKABLE_RULES["dip"])


def test_certificates_breaking_refuses_what_it_cannot_break():
    with pytest.raises(ValueError, match="RULE-NULL-PLACEHOLDER"):
        eds.certificates_breaking("RULE-NULL-PLACEHOLDER")
    with pytest.raises(ValueError, match="schema-valid ephyto"):  # the SPS 17 schema types base64
        eds.certificates_breaking("RULE-BASE64", side="ephyto")
    with pytest.raises(ValueError, match="side"):
        eds.certificates_breaking("RULE-DATE", side="json")


@settings(max_examples=20)
@given(eds.date_time_strings(lenient=True))
def test_lenient_date_strings_are_strings_with_a_format_only_for_edifact(value_format):
    value, fmt = value_format
    assert value.strip() and fmt in (None, "102", "204")
