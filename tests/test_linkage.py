"""The single-window checks of docs/attach.md ('What is checked'), each on declarations built from
the HMRC samples and certificates built from the real ePhyto sample 03 (see test_attach.py)."""

from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from ephyto_dip.cli import main
from ephyto_dip.findings import ERROR, INFO, WARNING, LedgerError
from ephyto_dip.linkage import attach, open_ledger, parse_rules
from ephyto_dip.reading import model as m

from .helpers import EXAMPLES, REPO
from .test_attach import IM030A, NUMBER, D, certificate, declaration, goods_items, line, references, write_cert

EU = REPO / "mappings" / "attach-eu-certex.tsv"
COURGETTES = ("07099310", "Fresh courgettes", "600")


def findings(result, code):
    return [f for f in result.findings if f.code == code]


def with_id(decl: bytes, declaration_id: str) -> bytes:
    return decl.replace(b"<FunctionalReferenceID>U.7849454833T3</FunctionalReferenceID>",
                        f"<FunctionalReferenceID>{declaration_id}</FunctionalReferenceID>".encode())


def courgettes(net: str, declaration_id: str, unit: str | None = None) -> bytes:
    d = declaration(("07099310", "Fresh courgettes", net), drop_phyto=True)
    if unit:
        d = d.replace(b"<NetNetWeightMeasure>", f'<NetNetWeightMeasure unitCode="{unit}">'.encode())
    return with_id(d, declaration_id)


def replacement_of(old: str, cert: m.Certificate, old_date: str = "2026-02-01") -> m.Certificate:
    rep = m.Replacement(statement=[m.Note(contents=[m.Text(value="replaces")])],
                        replaced_certificate_number=[m.Note(contents=[m.Text(value=old)])],
                        reason=[m.Note(contents=[m.Text(value="wrong quantity")])],
                        replaced_issue_date=[m.Note(contents=[m.Text(value=old_date)])])
    return cert.model_copy(update={"id": m.Identifier(value="REPL0001CL"), "replacement": rep})


CERT = certificate(line("070993", net="1000", unit="KGM"))


# ------------------------------------------------------------------------------ A. status and replacement


@pytest.mark.parametrize("status", ["40", "41", "44", "39"])
def test_only_an_issued_certificate_covers_goods(status):  # [2]
    result = attach(certificate(line("070993"), status=status), IM030A)
    (f,) = findings(result, "ATTACH-STATUS")
    assert f.severity == ERROR and f"status {status}" in f.message and "only 70 (issued) can" in f.message
    assert result.matches == [] and not references(goods_items(result)[0], NUMBER)


def test_a_replaced_certificate_names_its_replacement_when_the_ledger_knows_it(tmp_path):  # [3]
    ledger = str(tmp_path / "ledger.db")
    new = replacement_of(NUMBER, CERT)
    assert attach(new, courgettes("600", "A"), ledger=ledger).answer.accepted
    old = attach(CERT, courgettes("100", "B"), ledger=ledger)
    (f,) = findings(old, "ATTACH-REPLACED")
    assert f.severity == ERROR and "replaced by certificate REPL0001CL" in f.message
    assert old.answer is None and not references(goods_items(old)[0], NUMBER)


def test_a_replacement_takes_the_replaced_reference_off_the_goods_item():  # [3]
    decl = declaration(COURGETTES).replace(b"<ID>GBPHC012345</ID>", f"<ID>{NUMBER}</ID>".encode())
    result = attach(replacement_of(NUMBER, CERT), decl)
    item = goods_items(result)[0]
    assert references(item, "REPL0001CL") and not references(item, NUMBER)
    (f,) = findings(result, "ATTACH-REPLACED")
    assert f.severity == WARNING and "which this certificate replaces; that reference was removed" in f.message
    assert result.ok


# ------------------------------------------------------------------------------ B. dates


def test_a_certificate_issued_after_the_declaration_is_refused():  # [6]
    late = CERT.model_copy(update={"issue_date_time": m.DateTime(value="2026-03-01T08:00:00Z")})
    (f,) = findings(attach(late, IM030A), "ATTACH-DATE")
    assert f.severity == ERROR
    assert "issued on 2026-03-01, after the declaration's acceptance date (2026-02-19)" in f.message


def test_maximum_age_comes_from_the_rules_table(tmp_path):  # [7]
    text = (REPO / "mappings" / "attach-uk-cds.tsv").read_text(encoding="utf-8")
    strict = tmp_path / "aged.tsv"
    strict.write_text(text.replace("#max_certificate_age_days:\n", "#max_certificate_age_days: 5\n"), encoding="utf-8")
    (f,) = findings(attach(CERT, IM030A, rules=strict), "ATTACH-AGE")
    assert f.severity == WARNING and "9 days before" in f.message and "more than the 5 days" in f.message
    (note,) = findings(attach(CERT, IM030A), "ATTACH-AGE")
    assert note.severity == INFO and "sets no maximum age" in note.message


def test_replacement_dates_must_agree():  # [8]
    result = attach(replacement_of("OLD1", CERT, old_date="2026-02-15"), IM030A)
    (f,) = findings(result, "ATTACH-DATE")
    assert f.severity == WARNING
    assert "2026-02-15 (ADRD) is after the replacement's own issue date 2026-02-10" in f.message


# ------------------------------------------------------------------------------ C. parties


def consignee(cert, name=None, id_=None, scheme=None):
    party = m.Party(name=m.Text(value=name) if name else None,
                    id=m.Identifier(value=id_, scheme_id=scheme) if id_ else None)
    return cert.model_copy(update={"consignee": party})


def importer_named(decl: bytes, name: str) -> bytes:
    tree = etree.fromstring(decl)
    importer = tree.find(f".//{D}GoodsShipment/{D}Importer")
    importer.insert(0, importer.makeelement(D + "Name"))
    importer[0].text = name
    return etree.tostring(tree)


def test_consignee_and_importer_by_identifier():  # [9a]
    assert not findings(attach(consignee(CERT, id_="XI553202734852", scheme="EORI"), IM030A), "ATTACH-CONSIGNEE")
    (f,) = findings(attach(consignee(CERT, id_="GB000000000000", scheme="EORI"), IM030A), "ATTACH-CONSIGNEE")
    assert f.severity == ERROR and "EORI GB000000000000 is not the importer XI553202734852" in f.message


def test_consignee_and_importer_by_name_then_not_compared():  # [9b]
    decl = importer_named(IM030A.read_bytes(), "Belfast Veg Ltd")
    assert not findings(attach(consignee(CERT, name="BELFAST VEG LIMITED"), decl), "ATTACH-CONSIGNEE")
    (f,) = findings(attach(consignee(CERT, name="Other Foods GmbH"), decl), "ATTACH-CONSIGNEE")
    assert f.severity == WARNING and "'Other Foods GmbH' does not read as the importer 'Belfast Veg Ltd'" in f.message
    (f,) = findings(attach(consignee(CERT, name="Other Foods GmbH"), IM030A), "ATTACH-CONSIGNEE")
    assert f.severity == INFO and f.message.startswith("consignee and importer not compared")


def test_consignor_against_the_exporter():  # [10]
    other = CERT.model_copy(update={"consignor": m.Party(name=m.Text(value="Andes Produce SpA"))})
    (f,) = findings(attach(other, IM030A), "ATTACH-CONSIGNOR")
    assert f.severity == WARNING and "'Chile Vegetable Company'" in f.message
    assert not findings(attach(CERT, IM030A), "ATTACH-CONSIGNOR")  # S.A. folded away


# ------------------------------------------------------------------------------ D. countries


@pytest.mark.parametrize("to", ["PE", "NL", "MX"])
def test_a_certificate_addressed_elsewhere_does_not_clear_goods_in_gb(to):  # [13]
    cert = CERT.model_copy(update={"import_country": m.Country(id=m.Identifier(value=to))})
    (f,) = findings(attach(cert, IM030A), "ATTACH-DESTINATION")
    assert f.severity == ERROR and f"addressed to {to}, not to the declaring country (GB, XI)" in f.message


def test_the_eu_table_takes_the_declaring_country_from_the_declaration():  # [13]
    nl = re.sub(rb"<Destination>(\s*)<CountryCode>GB<", rb"<Destination>\1<CountryCode>NL<",
                IM030A.read_bytes().replace(b"<md:ResponsibleCountryCode>GB<", b"<md:ResponsibleCountryCode>NL<"))
    (f,) = findings(attach(CERT, nl, rules=EU), "ATTACH-DESTINATION")
    assert "addressed to GB, not to the declaring country (NL)" in f.message


def test_origin_per_line_and_dispatch():  # [11, 12]
    cn = re.sub(rb"<CountryCode>CL</CountryCode>(\s*)<TypeCode>1<", rb"<CountryCode>CN</CountryCode>\1<TypeCode>1<",
                declaration(COURGETTES, drop_phyto=True))
    (f,) = findings(attach(CERT, cn), "ATTACH-ORIGIN")
    assert f.severity == ERROR
    assert "is of origin CN; certificate line 1" in f.message and "certifies origin CL" in f.message
    co = certificate(line("070993", net="1000", unit="KGM")).model_copy(
        update={"export_country": m.Country(id=m.Identifier(value="CO"))})
    (f,) = findings(attach(co, IM030A), "ATTACH-DISPATCH")
    assert "dispatched from CL; the certificate was issued by CO" in f.message


# ------------------------------------------------------------------------------ E. lines


THREE = (("07099310", "Fresh courgettes", "300"), ("07099310", "Courgettes, baby", "200"), ("07099390", "Squash", "50"))


def two_lines():
    return certificate(line("070993", net="400", unit="KGM"), line("070993", net="400", unit="KGM"))


def test_goods_items_say_which_line_they_draw_on():  # [15]
    result = attach(two_lines(), declaration(*THREE, drop_phyto=True), links={1: ["1"], 2: ["1"], 3: ["1", "2"]})
    assert sorted((mt.goods_item, mt.line, mt.method) for mt in result.matches) == [
        (1, "1", "declared"), (2, "1", "declared"), (3, "1", "declared"), (3, "2", "declared")]


def test_a_line_that_does_not_exist_is_refused():  # [15]
    result = attach(two_lines(), declaration(*THREE, drop_phyto=True), links={1: ["3"]})
    (f,) = findings(result, "ATTACH-LINE")
    assert f.severity == ERROR and "certificate line 3, which the certificate does not have (lines: 1, 2)" in f.message


def test_a_declared_line_of_another_commodity_is_refused():  # [14]
    cert = certificate(line("070993", net="400", unit="KGM"), line("080810", net="400", unit="KGM"))
    (f,) = findings(attach(cert, declaration(*THREE, drop_phyto=True), links={1: ["2"]}), "ATTACH-HS")
    assert "does not start with the line's HS subheading" in f.message and "CERTEX 03" in f.message


# ------------------------------------------------------------------------------ F. the ledger


def worked_example(ledger) -> None:
    """The write-off across three declarations of docs/attach.md, on any ledger [18, 19, 21, 22]."""
    a = attach(CERT, courgettes("600", "A"), ledger=ledger)
    assert a.answer.accepted and a.answer.balance.line("1").available == 400
    assert [ad.findtext(D + "LPCOExemptionCode") for ad in references(goods_items(a)[0], NUMBER)] == ["AP"]
    b = attach(CERT, courgettes("600", "B"), ledger=ledger)
    assert not b.answer.accepted and b.answer.reason == "05" and b.answer.failed_goods_item == 1
    assert b.answer.balance.line("1").available == 400 and not b.ok  # nothing taken, summary on refusal too
    b = attach(CERT, courgettes("0.4", "B", unit="TNE"), ledger=ledger)
    assert b.answer.accepted and b.answer.balance.line("1").available == 0
    assert [ad.findtext(D + "LPCOExemptionCode") for ad in references(goods_items(b)[0], NUMBER)] == ["AE"]
    assert ledger.release(NUMBER, "A").outcome == "01"
    c = attach(CERT, courgettes("1", "C", unit="GRM"), ledger=ledger)
    assert c.answer.reason == "05"
    assert ledger.cancel(NUMBER, "B").outcome == "01"
    line1 = ledger.balance(NUMBER).line("1")
    assert (line1.consumed, line1.reserved, line1.available) == (600, 0, 400)


def test_write_off_across_three_declarations(tmp_path):
    with open_ledger(str(tmp_path / "ledger.db")) as ledger:
        worked_example(ledger)


def test_relodging_replaces_the_hold_and_a_quantity_refusal_drops_it(tmp_path):  # [19, 20]
    with open_ledger(str(tmp_path / "l.db")) as ledger:
        attach(CERT, courgettes("300", "A"), ledger=ledger)
        again = attach(CERT, courgettes("500", "A"), ledger=ledger)
        assert again.answer.accepted and again.answer.balance.line("1").reserved == 500  # not 800
        over = attach(CERT, courgettes("1200", "A"), ledger=ledger)
        assert over.answer.reason == "05" and over.answer.balance.line("1").reserved == 0


def test_a_released_declaration_cannot_reserve_again_and_release_twice_says_so(tmp_path):  # [21]
    with open_ledger(str(tmp_path / "l.db")) as ledger:
        attach(CERT, courgettes("100", "A"), ledger=ledger)
        assert ledger.release(NUMBER, "A").outcome == "01"
        assert ledger.release(NUMBER, "A").outcome == "03"
        assert ledger.cancel(NUMBER, "A").outcome == "03"
        assert ledger.release(NUMBER, "NEVER").outcome == "02"
        again = attach(CERT, courgettes("100", "A"), ledger=ledger)
        assert again.answer.reason == "06" and again.answer.failed_goods_item is None


def test_units_convert_within_mass_and_pieces_only_with_pieces(tmp_path):  # [17]
    pieces = certificate(line("070993", net=None, gross=None)).model_copy()
    pieces.items[0].net_volume = m.Measure(value="50", unit_code="H87")
    with open_ledger(str(tmp_path / "l.db")) as ledger:
        result = attach(pieces, courgettes("10", "A"), ledger=ledger)
        assert result.answer.reason == "10" and "declared in KGM; line 1 is certified in H87" in result.answer.message
    with open_ledger(str(tmp_path / "m.db")) as ledger:
        grams = attach(CERT, courgettes("1000000", "A", unit="GRM"), ledger=ledger)
        assert grams.answer.accepted and grams.answer.balance.line("1").available == 0
        assert attach(CERT, courgettes("0.000001", "B", unit="TNE"), ledger=ledger).answer.reason == "05"


def test_a_status_change_is_seen_at_release(tmp_path):  # [4]
    with open_ledger(str(tmp_path / "l.db")) as ledger:
        attach(CERT, courgettes("100", "A"), ledger=ledger)
        withdrawn = attach(certificate(line("070993", net="1000", unit="KGM"), status="40"), courgettes("1", "B"),
                           ledger=ledger)
        assert withdrawn.answer is None and findings(withdrawn, "ATTACH-STATUS")
        assert ledger.balance(NUMBER).status == "40"
        assert ledger.release(NUMBER, "A", covering=False).outcome == "04"


def test_an_exhausting_status_closes_the_certificate_to_later_declarations(tmp_path):  # [24a]
    with open_ledger(str(tmp_path / "l.db")) as ledger:
        assert attach(CERT, courgettes("100", "A"), ledger=ledger, status="AE").answer.accepted
        later = attach(CERT, courgettes("100", "B"), ledger=ledger)
        (f,) = findings(later, "ATTACH-STATUS-USE")
        assert f.severity == ERROR and "declaration A declared certificate" in f.message
        assert later.answer is None and ledger.balance(NUMBER).line("1").reserved == 100  # B took nothing


def test_the_eu_profile_answers_in_the_certex_shape(tmp_path):  # [26]
    ledger = str(tmp_path / "eu.db")
    attach(CERT, courgettes("600", "MRN-A"), rules=EU, ledger=ledger)
    refused = attach(CERT, courgettes("600", "MRN-B"), rules=EU, ledger=ledger)
    certex = refused.to_report()["reservation"]
    assert certex["ReservationResult"] == 0 and certex["ReservationFailureReason"] == "05"
    assert certex["ReservationFailureConsignmentItem"] == {"GoodsItemNumber": 1, "DocumentLineItemNumber": "1"}
    summary = certex["QuantityManagementSummary"]
    assert summary["AvailableQuantity"] == [{"CommodityCode": "070993", "UnitOfMeasure": "KGM", "Quantity": "400",
                                             "CertificateLineNumber": "1"}]
    (held,) = summary["ReservedQuantity"]
    assert held["MRN"] == "MRN-A" and held["CommodityCode"] == "070993"
    assert held["SwSupportingDocument"]["Quantity"] == "600"


def test_nothing_is_reserved_when_a_finding_at_error_level_stands(tmp_path):
    ledger = str(tmp_path / "l.db")
    nl = CERT.model_copy(update={"import_country": m.Country(id=m.Identifier(value="NL"))})
    result = attach(nl, courgettes("100", "A"), ledger=ledger)
    assert result.answer is None and not result.ok
    with open_ledger(ledger) as opened, pytest.raises(LedgerError) as exc:
        opened.balance(NUMBER)
    assert exc.value.findings[0].code == "LEDGER-UNKNOWN"


def test_a_failure_before_commit_leaves_nothing_reserved(tmp_path):
    ledger = str(tmp_path / "l.db")

    def interrupted(result):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        attach(CERT, courgettes("100", "A"), ledger=ledger, before_commit=interrupted)
    with open_ledger(ledger) as opened, opened.transaction(NUMBER) as tx:
        assert not tx.known()


def test_a_ledger_of_another_schema_version_is_refused_unchanged(tmp_path):
    path = tmp_path / "l.db"
    open_ledger(str(path)).close()
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(LedgerError) as exc:
        open_ledger(str(path))
    assert exc.value.findings[0].code == "LEDGER-SCHEMA" and "version is 99" in exc.value.findings[0].message


def test_a_locked_ledger_is_a_clear_error(tmp_path):
    import sqlite3

    path = tmp_path / "l.db"
    open_ledger(str(path)).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(LedgerError) as exc:
            attach(CERT, courgettes("100", "A"), ledger=open_ledger(str(path), timeout=0.2))
        (f,) = exc.value.findings
        assert f.code == "LEDGER-IO" and f.file == str(path) and "locked" in f.message
    finally:
        holder.execute("ROLLBACK")


# ------------------------------------------------------------------------------ G. UK N851 and the CHED-PP


def test_status_code_against_the_balance(tmp_path):  # [24b, c]
    with open_ledger(str(tmp_path / "l.db")) as ledger:
        part = attach(CERT, courgettes("1000", "A"), ledger=ledger, status="AP")
        (f,) = findings(part, "ATTACH-STATUS-USE")
        assert f.severity == INFO
        assert "exhausts the certificate" in f.message and "AE would be the usual code" in f.message
    with open_ledger(str(tmp_path / "m.db")) as ledger:
        (f,) = findings(attach(CERT, courgettes("10", "A"), ledger=ledger, status="AE"), "ATTACH-STATUS-USE")
        assert "but quantity remains (line 1: 990 KGM)" in f.message


def test_the_ched_pp_reference_goes_beside_the_certificate():  # [25]
    result = attach(CERT, IM030A, ched="GBCHD2026.1234567")
    item = goods_items(result)[0]
    (ched,) = references(item, "GBCHD2026.1234567")
    assert ched.findtext(D + "CategoryCode") + ched.findtext(D + "TypeCode") == "C085"
    assert references(item, NUMBER) and not findings(result, "ATTACH-DOCUMENT-ID")
    (f,) = findings(attach(CERT, IM030A), "ATTACH-DOCUMENT-ID")
    assert f.severity == WARNING and "C085" in f.message
    (f,) = findings(attach(CERT, IM030A, ched="GBCHD26.12"), "ATTACH-DOCUMENT-ID")
    assert f.severity == ERROR


# ------------------------------------------------------------------------------ I. place and transport


def test_transport_mode_and_containers_are_warnings_with_both_values():  # [28]
    air = CERT.model_copy(update={"transport_movements": [m.TransportMovement(mode_code=m.Code(value="4"))],
                                  "transport_equipment": [m.TransportEquipment(id=m.Identifier(value="MSKU1234565"))]})
    found = {f.message for f in findings(attach(air, IM030A), "ATTACH-TRANSPORT")}
    assert any("mode of transport 4 is not the border mode 1" in x for x in found)
    assert any("container DM1234 of the declaration is not on the certificate (MSKU1234565)" in x for x in found)


# ------------------------------------------------------------------------------ the rules table drives it


def test_a_certificate_status_row_is_a_table_edit(tmp_path):
    text = (REPO / "mappings" / "attach-uk-cds.tsv").read_text(encoding="utf-8")
    edited = text.replace("#covering_statuses: 70\n", "#covering_statuses: 70 39\n")
    rules = parse_rules(edited, "edited.tsv", (REPO / "mappings"))
    assert attach(certificate(line("070993"), status="39"), IM030A, rules=rules).matches
    broken = text.replace("status\tAP\tpart", "status\tAP\thalf")
    with pytest.raises(Exception) as exc:
        parse_rules(broken, "broken.tsv", (REPO / "mappings"))
    assert "status AP: value 'half' is not one of" in str(exc.value)


# ------------------------------------------------------------------------------ the command line


def test_cli_attach_with_a_ledger_then_release(tmp_path, capsys):
    cert = write_cert(tmp_path, CERT)
    ledger = str(tmp_path / "ledger.db")
    decl = tmp_path / "a.xml"
    decl.write_bytes(courgettes("600", "A"))
    out = tmp_path / "out.xml"
    assert main(["attach", cert, str(decl), "-o", str(out), "--ledger", ledger, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().err)
    assert report["reservation"]["accepted"] and report["reservation"]["balance"]["lines"][0]["available"] == "400"
    assert out.exists()
    decl.write_bytes(courgettes("600", "B"))
    out2 = tmp_path / "out2.xml"
    assert main(["attach", cert, str(decl), "-o", str(out2), "--ledger", ledger]) == 1
    err = capsys.readouterr().err
    assert "refused [CERTEX 05 quantities insufficient]" in err and not out2.exists()
    assert main(["ledger", "release", NUMBER, "A", "--ledger", ledger]) == 0
    assert "[01 executed]" in capsys.readouterr().out
    assert main(["ledger", "release", NUMBER, "A", "--ledger", ledger]) == 1
    assert "[03 already consumed]" in capsys.readouterr().out
    assert main(["ledger", "balance", NUMBER, "--ledger", ledger, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["lines"][0]["consumed"] == "600"


def test_cli_a_write_that_fails_reserves_nothing(tmp_path, capsys):
    cert = write_cert(tmp_path, certificate(line("070993", net="20000", unit="KGM")))
    ledger = str(tmp_path / "ledger.db")
    (tmp_path / "out").mkdir()
    assert main(["attach", cert, str(IM030A), "-o", str(tmp_path / "out"), "--ledger", ledger]) == 2
    assert "nothing reserved" in capsys.readouterr().err
    assert main(["ledger", "balance", NUMBER, "--ledger", ledger]) == 1  # LEDGER-UNKNOWN: nothing was recorded


@pytest.mark.parametrize("target", ["{tmp}/missing/ledger.db", "postgresql://nobody:secret@127.0.0.1:9/none",
                                    "ftp://example.org/ledger"])
def test_cli_an_unusable_ledger_is_exit_2_and_nothing_written(tmp_path, capsys, target):
    cert = write_cert(tmp_path, CERT)
    out = tmp_path / "out.xml"
    assert main(["attach", cert, str(IM030A), "-o", str(out), "--ledger", target.format(tmp=tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "LEDGER-IO" in err and "secret" not in err and not out.exists()
    assert len(err.strip().splitlines()) == 2  # the finding and the summary, no traceback


def test_cli_line_links_and_their_syntax(tmp_path, capsys):
    cert = write_cert(tmp_path, two_lines())
    decl = tmp_path / "d.xml"
    decl.write_bytes(declaration(*THREE, drop_phyto=True))
    assert main(["attach", cert, str(decl), "--line", "1:1", "--line", "2:x:1", "--line", "3", "-o",
                 str(tmp_path / "o.xml")]) == 2
    assert "--line '3': give ITEM:LINE" in capsys.readouterr().err
    assert main(["attach", cert, str(decl), "--line", "1:9", "-o", str(tmp_path / "o.xml")]) == 1
    assert "ATTACH-LINE" in capsys.readouterr().err


def test_a_declaration_quoting_a_withdrawn_certificate_is_told_so(capsys):  # [2, 29]
    decl = declaration(COURGETTES).replace(b"<ID>GBPHC012345</ID>", f"<ID>{NUMBER}</ID>".encode())
    result = attach(certificate(line("070993"), status="40"), decl)
    quoted = [f for f in findings(result, "ATTACH-STATUS") if f.xpath]
    assert len(quoted) == 1
    assert "goods item 1" in quoted[0].message and "must be removed or replaced" in quoted[0].message


def test_the_report_names_how_the_certificate_came():  # [31]
    assert attach(EXAMPLES / "BO-AR_851_hub-envelope.xml", IM030A).to_report()["certificate_provenance"] == \
        "IPPC ePhyto Hub envelope"
    assert attach(EXAMPLES / "attach" / "constructed_CL-GB_851_courgettes.xml", IM030A).provenance == \
        "ePhyto XML without a Hub envelope"


def test_a_declaration_level_reference_covers_its_goods_items():  # [29]
    decl = declaration(("44071110", "Sawn pine wood", "2000"), drop_phyto=True)
    assert findings(attach(CERT, decl), "ATTACH-NO-CERTIFICATE")
    tree = etree.fromstring(decl)
    dec = tree.find(f"{D}Declaration")
    first = dec.find(D + "AdditionalDocument")
    ad = etree.Element(D + "AdditionalDocument")
    for tag, value in (("CategoryCode", "N"), ("ID", "OTHER1"), ("TypeCode", "851")):
        etree.SubElement(ad, D + tag).text = value
    first.addnext(ad)
    assert not findings(attach(CERT, etree.tostring(tree)), "ATTACH-NO-CERTIFICATE")


def test_the_documented_worked_example_runs_as_written(tmp_path, monkeypatch):  # [22]
    import re as _re

    doc = (REPO / "docs" / "attach.md").read_text(encoding="utf-8")
    code = _re.search(r"```python worked-example\n(.*?)```", doc, _re.S).group(1)
    monkeypatch.chdir(REPO)
    code = code.replace('"worked-example.db"', repr(str(tmp_path / "worked-example.db")))
    exec(compile(code, "docs/attach.md", "exec"), {})
    assert (tmp_path / "worked-example.db").exists()


def test_the_top_level_verbs_stay_functions(tmp_path):
    import importlib

    import ephyto_dip as ed

    first = ed.attach
    importlib.import_module("ephyto_dip.linkage")  # the package being imported does not shadow the verb
    assert ed.attach is first and callable(ed.attach) and ed.attach(CERT, IM030A).matches
    assert ed.attach(CERT, IM030A).matches  # a second call works as the first (issue 18)
    with ed.open_ledger(str(tmp_path / "l.db")) as ledger:
        assert ed.attach(CERT, courgettes("1", "A"), ledger=ledger).answer.accepted
    assert ed.attach(CERT, courgettes("1", "B"), ledger=tmp_path / "l.db").answer.accepted  # a PathLike ledger


def test_cli_a_malformed_declaration_reserves_nothing(tmp_path, capsys):
    cert = write_cert(tmp_path, CERT)
    ledger = str(tmp_path / "ledger.db")
    bad = tmp_path / "bad.xml"
    bad.write_bytes(IM030A.read_bytes()[:5000])  # truncated
    out = tmp_path / "out.xml"
    assert main(["attach", cert, str(bad), "-o", str(out), "--ledger", ledger]) == 2
    assert "XML-MALFORMED" in capsys.readouterr().err and not out.exists()
    assert main(["ledger", "balance", NUMBER, "--ledger", ledger]) == 1


def test_point_of_entry_against_a_un_locode_goods_location_is_a_warning(tmp_path):  # [27]
    decl = declaration(COURGETTES).replace(b"<Name>WPTWPTWPT</Name>", b"<Name>GBBEL</Name>")
    dover = CERT.model_copy(update={"point_of_entry": m.Location(id=m.Identifier(value="GBDVR"))})
    (f,) = findings(attach(dover, decl), "ATTACH-PLACE")
    assert f.severity == WARNING and "point of entry GBDVR is not the goods location GBBEL" in f.message
    belfast = CERT.model_copy(update={"point_of_entry": m.Location(id=m.Identifier(value="GBBEL"))})
    assert not findings(attach(belfast, decl), "ATTACH-PLACE")
    with open_ledger(str(tmp_path / "l.db")) as ledger:  # the office is recorded with the write-off
        held = attach(CERT, courgettes("1", "A"), ledger=ledger, office="GBBEL001").answer
        assert held.balance.to_dict()["allocations"][0]["office"] == "GBBEL001"
