"""``check`` and ``gaps``: the table's alignment with both schemas, the model and ISPM 12.

Broken tables are copies of the shipped one with one row changed, written to tmp_path.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from lxml import etree

from ephyto_dip.cli import main
from ephyto_dip.documents import read
from ephyto_dip.findings import ERROR, WARNING, TableError
from ephyto_dip.mapping.exclusions import excluded_reason, load_exclusions, parse_exclusions
from ephyto_dip.mapping.table import load_table
from ephyto_dip.review.alignment import check_table, model_fields

from .helpers import REPO, sample

TABLE = REPO / "mappings" / "ephyto-dip.tsv"
EXCLUSIONS = REPO / "mappings" / "exclusions.tsv"


def _rows(text: str):
    lines = text.splitlines()
    header_at = next(i for i, ln in enumerate(lines) if not ln.startswith("#"))
    return lines, lines[header_at].split("\t"), header_at


def table_copy(tmp_path, changes: dict[str, dict[str, str]] | None = None, drop: tuple[str, ...] = ()):
    """The shipped table with cells of some rows changed and some rows removed."""
    lines, header, start = _rows(TABLE.read_text(encoding="utf-8"))
    out = lines[: start + 1]
    seen = set()
    for line in lines[start + 1 :]:
        cells = line.split("\t")
        mid = cells[0]
        if mid in drop:
            seen.add(mid)
            continue
        for col, value in (changes or {}).get(mid, {}).items():
            cells[header.index(col)] = value
            seen.add(mid)
        out.append("\t".join(cells))
    assert seen == set(changes or {}) | set(drop), "a row to change is not in the table"
    path = tmp_path / "ephyto-dip.tsv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def errors(findings, code=None):
    return [f for f in findings if f.severity == ERROR and (code is None or f.code == code)]


# ------------------------------------------------------------------------- the shipped table


@pytest.fixture(scope="module")
def shipped():
    return check_table()


def test_check_passes_on_the_shipped_table(shipped):
    findings = shipped
    assert errors(findings) == []
    # every exclusion is still needed: none is stale or shadowed by a row
    assert [f for f in findings if f.code == "TABLE-UNMAPPED-ELEMENT"] == []


def test_every_model_field_has_a_row_in_the_shipped_table():
    fields = {r.field for r in load_table().rows}
    walked = model_fields()
    assert "items[].treatments[].other_characteristics[].acronym" in walked
    assert "hub_envelope.forwardings[].code" in walked
    assert set(walked) <= fields


def test_read_only_alternative_outside_the_schema_is_a_warning_not_an_error(shipped):
    # EPD-228 also reads notes that sample 01 puts inside AppliedSPSProcess, against the schema
    found = [f for f in shipped if f.mapping_id == "EPD-228" and f.code == "TABLE-PATH-EPHYTO"]
    assert found and all(f.severity == WARNING for f in found)
    assert "read-only alternative" in found[0].message and "never written" in found[0].detail


def test_broad_match_on_a_wco_element_without_discriminator_is_a_warning(tmp_path):
    # EPD-183 writes the WCO element T005 (BorderTransportMeans/Name): a broader WCO value from
    # another producer could not be told apart on the way back
    found = [f for f in check_table(table_copy(tmp_path, {"EPD-183": {"predicate": "skos:broadMatch"}}))
             if f.mapping_id == "EPD-183" and f.code == "TABLE-REVERSIBILITY"]
    assert len(found) == 1 and found[0].severity == WARNING
    assert "skos:broadMatch" in found[0].message


def test_broad_match_on_an_extension_element_is_not_a_warning(shipped):
    # EPD-015 (issuer address line two) is a broadMatch of WCO 239 but the DIP writes it as its
    # own ippc:LineTwo, which nothing else writes
    row = next(r for r in load_table().rows if r.id == "EPD-015")
    assert row["predicate"] == "skos:broadMatch" and row["dip_path"].startswith("ippc:")
    assert not [f for f in shipped if f.mapping_id == "EPD-015" and f.code == "TABLE-REVERSIBILITY"]


# ---------------------------------------------------------------------------- broken paths


def test_broken_ephyto_path_fails_naming_the_row(tmp_path, capsys):
    path = table_copy(tmp_path, {"EPD-195": {"ephyto_path": "ram:ScientificNme"}})
    found = errors(check_table(path), "TABLE-PATH-EPHYTO")
    assert [f.mapping_id for f in found] == ["EPD-195"]
    assert "ram:ScientificNme is not an element of ram:SPSTradeLineItemType" in found[0].message
    assert found[0].line is not None
    # the element the row no longer reaches is now unmapped
    unmapped = errors(check_table(path), "TABLE-UNMAPPED-ELEMENT")
    assert any(f.value.endswith("ram:IncludedSPSTradeLineItem/ram:ScientificName") for f in unmapped)
    assert main(["check", "--table", str(path)]) == 1
    out = capsys.readouterr().out
    assert "EPD-195" in out and "check: FAIL" in out


def test_broken_dip_path_fails_naming_the_row(tmp_path, capsys):
    path = table_copy(tmp_path, {"EPD-336": {"dip_path": "ippc:MaxValueMeasure"}})
    found = errors(check_table(path), "TABLE-PATH-DIP")
    assert [f.mapping_id for f in found] == ["EPD-336"]
    assert "ippc:MaxValueMeasure" in found[0].message
    assert main(["check", "--table", str(path), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is False
    assert any(f["code"] == "TABLE-PATH-DIP" and f["mapping_id"] == "EPD-336" for f in data["findings"])


def test_child_row_is_resolved_in_its_group_context(tmp_path):
    # ram:SystemID exists in a classification, not in a trade line item: moving the HS
    # group to the item's description must make its child rows fail, not pass by name
    path = table_copy(tmp_path, {"EPD-203": {"ephyto_path": "ram:Description"}})
    found = errors(check_table(path), "TABLE-PATH-EPHYTO")
    assert {"EPD-204", "EPD-205", "EPD-206"} <= {f.mapping_id for f in found}


def test_missing_discriminating_child_fails(tmp_path):
    path = table_copy(tmp_path, {"EPD-203": {"ephyto_path": "ram:ApplicableSPSClassification[ram:SystemNam='HS']"}})
    found = errors(check_table(path))
    assert [(f.code, f.mapping_id) for f in found] == [("TABLE-PATH-EPHYTO", "EPD-203")]
    assert "discriminating child ram:SystemNam" in found[0].message


def test_attribute_at_the_end_is_checked_against_the_leaf_type(tmp_path):
    good = table_copy(tmp_path, {"EPD-003": {"ephyto_path": "rsm:SPSExchangedDocument/ram:Description/@languageID"}})
    assert [f for f in check_table(good) if f.mapping_id == "EPD-003"] == []
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = table_copy(bad_dir, {"EPD-003": {"ephyto_path": "rsm:SPSExchangedDocument/ram:Description/@unitCode"}})
    found = errors(check_table(bad), "TABLE-PATH-EPHYTO")
    assert [f.mapping_id for f in found] == ["EPD-003"]
    assert "attribute unitCode is not declared" in found[0].message and "languageID" not in found[0].message
    # the list: JSON and check --verbose only
    assert found[0].detail == "declared attributes: languageID, languageLocaleID"


def test_position_beyond_max_occurs_fails(tmp_path):
    path = table_copy(tmp_path, {"EPD-001": {"ephyto_path": "rsm:SPSExchangedDocument/ram:ID[2]"}})
    found = errors(check_table(path), "TABLE-PATH-EPHYTO")
    assert [f.mapping_id for f in found] == ["EPD-001"]
    assert "at most 1" in found[0].message


def test_unparsable_row_is_reported_and_the_rest_still_checked(tmp_path):
    path = table_copy(tmp_path, {"EPD-097": {"ephyto_path": "ram:Name["}, "EPD-195": {"dip_path": "ippc:Nope"}})
    found = errors(check_table(path))
    assert ("TABLE-SYNTAX", "EPD-097") in {(f.code, f.mapping_id) for f in found}
    assert ("TABLE-PATH-DIP", "EPD-195") in {(f.code, f.mapping_id) for f in found}


# ------------------------------------------------------------------- fields, boxes, elements


def test_removed_row_leaves_a_model_field_unmapped_and_a_box_uncovered(tmp_path):
    path = table_copy(tmp_path, drop=("EPD-195",))
    findings = check_table(path)
    field = errors(findings, "TABLE-FIELD")
    assert [f.value for f in field] == ["items[].botanical_names[]"]
    assert field[0].mapping_id == "EPD-191"  # the group row it belongs under
    box = errors(findings, "TABLE-BOX")
    assert [f.value for f in box] == ["Botanical name of plants"]
    # the DIP schema (generated from the shipped table) still has the element: now unmapped
    unmapped = [f.value for f in errors(findings, "TABLE-UNMAPPED-ELEMENT")]
    assert "PhytosanitaryCertificate/GoodsShipment/GovernmentAgencyGoodsItem/Commodity/ippc:ScientificName" in unmapped


def test_box_covered_on_one_side_only_is_not_covered(tmp_path):
    path = table_copy(tmp_path, {"EPD-001": {"dip_path": ""}})
    box = errors(check_table(path), "TABLE-BOX")
    assert [f.value for f in box] == ["No."]
    assert "EPD-001" in box[0].message


def test_unexcluded_schema_element_is_reported(tmp_path):
    text = EXCLUSIONS.read_text(encoding="utf-8")
    dropped = ("CarrierSPSParty", "SubordinateSPSCountrySubDivision/ram:Sub")
    kept = [ln for ln in text.splitlines() if not any(d in ln for d in dropped)]
    excl = tmp_path / "exclusions.tsv"
    excl.write_text("\n".join(kept) + "\n", encoding="utf-8")
    found = errors(check_table(exclusions_path=excl), "TABLE-UNMAPPED-ELEMENT")
    values = [f.value for f in found]
    assert "rsm:SPSCertificate/rsm:SPSConsignment/ram:CarrierSPSParty" in values
    # the recursive sub-division is reported once per context, and the walk ends there
    loop = "ram:SubordinateSPSCountrySubDivision/ram:SubordinateSPSCountrySubDivision"
    recursive = [v for v in values if v.endswith(loop)]
    assert len(recursive) == 6
    assert not any(v.count("SubordinateSPSCountrySubDivision") > 2 for v in values)


def test_stale_exclusion_is_a_warning(tmp_path):
    text = EXCLUSIONS.read_text(encoding="utf-8")
    excl = tmp_path / "exclusions.tsv"
    excl.write_text(text + "ephyto\trsm:SPSCertificate/rsm:SPSConsignment/ram:NoSuchElement\tnone\n", encoding="utf-8")
    found = [f for f in check_table(exclusions_path=excl) if f.code == "TABLE-UNMAPPED-ELEMENT"]
    assert [f.severity for f in found] == [WARNING]
    assert "ram:NoSuchElement" in found[0].message


def test_exclusion_needs_a_reason():
    head = "#prefix.ephyto.rsm: urn:un:unece:uncefact:data:standard:SPSCertificate:17\nside\tpath\treason\n"
    with pytest.raises(TableError) as exc:
        parse_exclusions(head + "ephyto\trsm:SPSCertificate/rsm:SPSConsignment\t\n", "x.tsv")
    assert exc.value.findings[0].line == 3
    with pytest.raises(TableError):
        parse_exclusions(head + "ephyto\trsm:SPSConsignment\tnot from the root\n", "x.tsv")


# ---------------------------------------------------------------- predicates, reversibility


def test_predicate_and_cardinality_values_are_checked(tmp_path):
    path = table_copy(tmp_path, {"EPD-097": {"predicate": "skos:sameAs"}, "EPD-119": {"cardinality": "0..n"}})
    found = errors(check_table(path), "TABLE-PREDICATE")
    assert sorted(f.mapping_id for f in found) == ["EPD-097", "EPD-119"]


def test_two_rows_writing_the_same_dip_literal_collide(tmp_path):
    path = table_copy(tmp_path, {"EPD-033": {
        "dip_path": "AdditionalInformation[StatementTypeCode='AAI'][ippc:NoteSubject='SPSFL']"}})
    found = errors(check_table(path), "TABLE-REVERSIBILITY")
    assert found and found[0].mapping_id == "EPD-033"
    assert "EPD-029" in found[0].message


@pytest.mark.parametrize("dip_path, why", [
    ("AdditionalInformation[StatementTypeCode='ADE'][ippc:NoteSubject='ADEDL']", "gives 'AAI' for ADEDL"),
    ("AdditionalInformation[ippc:NoteSubject='ADEDL']", "gives 'AAI' for ADEDL"),
])
def test_a_group_whose_dip_literal_is_not_its_code_lists_value_is_an_error(tmp_path, dip_path, why):
    path = table_copy(tmp_path, {"EPD-033": {"dip_path": dip_path}})
    found = [f for f in errors(check_table(path), "TABLE-CODELIST") if f.mapping_id == "EPD-033"]
    assert found and why in found[0].message


def test_an_otherwise_group_takes_the_code_lists_fixed_value(tmp_path):
    path = table_copy(tmp_path, {"EPD-070": {"dip_path": "AdditionalInformation[otherwise][StatementTypeCode='ZZZ']"}})
    found = [f for f in errors(check_table(path), "TABLE-CODELIST") if f.mapping_id == "EPD-070"]
    assert found and "'AAI' for [otherwise]" in found[0].message


def test_a_group_literal_the_code_list_does_not_name_is_an_error(tmp_path):
    path = table_copy(tmp_path, {"EPD-033": {
        "ephyto_path": "rsm:SPSExchangedDocument/ram:IncludedSPSNote[ram:Subject='ADXX']",
        "dip_path": "AdditionalInformation[StatementTypeCode='AAI'][ippc:NoteSubject='ADXX']"}})
    found = [f for f in errors(check_table(path), "TABLE-CODELIST") if f.mapping_id == "EPD-033"]
    assert found and "no row for 'ADXX'" in found[0].message


def test_unpredicated_row_overlaps_the_literal_rows(tmp_path):
    path = table_copy(tmp_path, {"EPD-033": {"dip_path": "AdditionalInformation"}})
    found = errors(check_table(path), "TABLE-REVERSIBILITY")
    assert {"EPD-033", "EPD-041"} <= {f.mapping_id for f in found}


def test_a_literal_row_overlaps_one_with_more_predicates_of_the_same_literal(tmp_path):
    # [TypeCode='911'] also takes what [TypeCode='911'][ippc:NoteSubject='ADIPEDL'] takes
    path = table_copy(tmp_path, {"EPD-075": {"dip_path": "AdditionalDocument[TypeCode='911']"}})
    found = errors(check_table(path), "TABLE-REVERSIBILITY")
    assert found and "EPD-037" in found[0].message and "[ippc:NoteSubject='ADIPEDL']" in found[0].message


def test_rows_whose_predicates_ask_one_child_for_two_literals_do_not_collide(tmp_path):
    path = table_copy(tmp_path, {"EPD-075": {"dip_path": "AdditionalDocument[TypeCode='911'][ippc:NoteSubject='X']"}})
    assert not errors(check_table(path), "TABLE-REVERSIBILITY")


def test_a_predicate_child_missing_from_the_schema_is_named(tmp_path):
    path = table_copy(tmp_path, {"EPD-037": {"dip_path": "AdditionalDocument[TypeCode='911'][ippc:Nowhere='X']"}})
    found = errors(check_table(path), "TABLE-PATH-DIP")
    assert any("ippc:Nowhere" in f.message and f.mapping_id == "EPD-037" for f in found)


def _codelist_copy(tmp_path, extra: str = "", replace: tuple[str, str] = ("", "")):
    target = tmp_path / "codelists"
    shutil.copytree(REPO / "mappings" / "codelists", target)
    cl = target / "status-function.tsv"
    text = cl.read_text(encoding="utf-8")
    if replace[0]:
        assert replace[0] in text
        text = text.replace(*replace)
    cl.write_text(text + extra, encoding="utf-8")


def test_non_bijective_codelist_is_flagged(tmp_path):
    path = table_copy(tmp_path, {})
    _codelist_copy(tmp_path, extra="41\t1\t\tskos:closeMatch\tRejected\t\n")
    findings = check_table(path)
    rev = errors(findings, "TABLE-REVERSIBILITY")
    assert [f.mapping_id for f in rev] == ["EPD-005"]
    assert "40, 41" in rev[0].message
    assert [f.mapping_id for f in errors(findings, "TABLE-CODELIST")] == ["EPD-005"]


def test_declared_many_to_one_codelist_is_only_a_warning(tmp_path):
    path = table_copy(tmp_path, {"EPD-005": {"cardinality": "n:1"}})
    _codelist_copy(tmp_path, extra="41\t1\t\tskos:closeMatch\tRejected\t\n")
    findings = [f for f in check_table(path) if f.mapping_id == "EPD-005"]
    assert errors(findings) == []
    assert [f.code for f in findings] == ["TABLE-REVERSIBILITY"]


def test_fixed_codelist_is_not_reversible(tmp_path):
    path = table_copy(tmp_path, {})
    _codelist_copy(tmp_path, replace=("#unmapped: error", "#unmapped: fixed\n#fixed: 9"))
    rev = errors(check_table(path), "TABLE-REVERSIBILITY")
    assert [f.mapping_id for f in rev] == ["EPD-005"] and "fixed" in rev[0].message


def test_a_when_row_after_the_unconditional_one_is_flagged(tmp_path):
    path = table_copy(tmp_path, {})
    # a `when` row below 70's unconditional row could never apply
    _codelist_copy(tmp_path, extra="70\t4\tconsignee\tskos:closeMatch\tnever reached\t\n")
    found = errors(check_table(path), "TABLE-CODELIST")
    assert len(found) == 1 and "ePhyto code 70 has several DIP codes" in found[0].message


def test_a_widening_without_its_reason_and_a_wco_format_without_a_wco_id_are_flagged(tmp_path):
    path = table_copy(tmp_path, {"EPD-097": {"dip_format_reason": ""},     # exporter name an..256 vs WCO an..70
                                 "EPD-003": {"wco_format": "an..512"}})    # an IPPC extension row
    found = {f.mapping_id: f for f in check_table(path) if f.code == "TABLE-FORMAT"}
    assert set(found) == {"EPD-097", "EPD-003"}
    assert found["EPD-097"].severity == WARNING and "an..256 widens the WCO format an..70" in found["EPD-097"].message
    assert found["EPD-003"].severity == ERROR and "without a WCO ID" in found["EPD-003"].message
    from ephyto_dip.review.dmr_doc import gaps_data, gaps_document

    assert "EPD-097" in gaps_document(gaps_data(path)).split("**Not yet documented**")[1].split("\n")[0]


def test_the_dip_schema_states_the_wco_format_and_the_dips_own_with_its_reason():
    xsd = etree.parse(str(REPO / "schemas" / "dip" / "ePhytoDIP_1p0.xsd"))
    docs = xsd.xpath("//xs:element[@name='Name']/xs:annotation/xs:documentation[*[local-name()='MappingID']='EPD-097']",
                     namespaces={"xs": "http://www.w3.org/2001/XMLSchema"})
    assert len(docs) == 1
    doc = docs[0]
    assert (doc.findtext("{*}WCOID"), doc.findtext("{*}WCOFormat"), doc.findtext("{*}DIPFormat")) == (
        "R031", "an..70", "an..256")
    assert "SPS 17 sets no length" in doc.findtext("{*}DIPFormatReason")


def test_codelist_missing_a_valid_status_or_policy(tmp_path):
    path = table_copy(tmp_path, {})
    withdrawn = ("40\t1\t\tskos:closeMatch\tWithdrawn ↔ Cancellation\ta withdrawn certificate cancels the "
                 "document it identifies (same number)\tproposed\t\t\t\n")
    _codelist_copy(tmp_path, replace=(withdrawn, ""))
    found = errors(check_table(path), "TABLE-CODELIST")
    assert len(found) == 1 and "ePhyto code 40" in found[0].message
    other = tmp_path / "other"
    other.mkdir()
    path = table_copy(other, {})
    _codelist_copy(other, replace=("#unmapped: error\n", ""))
    found = errors(check_table(path), "TABLE-CODELIST")
    assert len(found) == 1 and "#unmapped" in found[0].message


# ------------------------------------------------------------------------------ exclusions


def test_signature_of_sample_04_is_excluded_with_its_reason():
    doc = read(sample("04"))
    sig = doc.root.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    assert sig is not None
    reason = excluded_reason(sig, "ephyto")
    assert reason and "signature" in reason
    assert excluded_reason(sig[0], "ephyto") == reason  # inside the excluded element too
    assert excluded_reason(doc.root.find("{*}SPSExchangedDocument"), "ephyto") is None


def test_exclusion_anywhere_matches_in_every_context():
    doc = read(sample("02"))  # a certificate inside a Hub envelope: paths start at SPSCertificate
    country = doc.root.find(".//{*}ImportSPSCountry")
    sub = etree.SubElement(country, country.tag.replace("ImportSPSCountry", "SubordinateSPSCountrySubDivision"))
    deeper = etree.SubElement(sub, sub.tag)
    assert excluded_reason(sub, "ephyto") is None  # one level is mapped
    assert "recursive" in excluded_reason(deeper, "ephyto")
    assert excluded_reason(deeper, "dip") is None
    assert len(load_exclusions().for_side("ephyto")) > 10


# ------------------------------------------------------------------------------------ gaps


def _sections(md: str) -> dict[str, str]:
    parts = re.split(r"^## ", md, flags=re.M)[1:]
    return {p.splitlines()[0]: p for p in parts}


def test_gaps_markdown_has_botanical_name_and_treatment_dmrs(capsys):
    assert main(["gaps"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("# ISPM 12 information without a WCO Data Model element")
    sections = _sections(md)
    (botanical,) = [body for title, body in sections.items() if title.startswith("DMR-") and "Botanical name" in title]
    assert "23A Commodity" in botanical and "EPD-195" in botanical and "<BotanicalName>" in botanical
    (treatment,) = [body for title, body in sections.items()
                    if title.startswith("DMR-") and title.endswith(" Treatment")]
    for mid in ("EPD-326", "EPD-328", "EPD-343", "EPD-349"):
        assert mid in treatment
    length = next(body for title, body in sections.items() if title.startswith("Length gaps"))
    assert re.search(r"\| D032 \| LPCO name \|.*\| an\.\.35 \| an\.\.256 \|.*EPD-002", length)


def test_gaps_json_parses_and_accounts_for_every_row_without_a_term(capsys):
    assert main(["gaps", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    listed = {mid for d in data["dmrs"] for mid in d["mapping_ids"]}
    apart = {mid for e in data["no_new_element"] for mid in e["mapping_ids"]}
    no_term = {r.id for r in load_table().rows if r["predicate"] == "sssom:NoTermFound" and not r["wco_id"]}
    assert no_term <= listed | apart
    # the Hub envelope is not certificate data: no DMR for it
    assert not listed & {"EPD-429", "EPD-435"}
    assert [d["id"] for d in data["dmrs"]] == sorted(d["id"] for d in data["dmrs"])


def test_gap_list_follows_the_table(tmp_path):
    # a row that finds a WCO term leaves the gap list
    path = table_copy(tmp_path, {"EPD-195": {"predicate": "skos:closeMatch"}})
    from ephyto_dip.review.dmr_doc import gaps_data, gaps_document

    gaps = gaps_data(path)  # the shipped DMR data, read against this table
    assert not any("EPD-195" in d["mapping_ids"] for d in gaps["dmrs"])
    assert "<BotanicalName>" not in gaps_document(gaps)


def test_check_and_gaps_exit_codes():
    assert main(["check"]) == 0
    assert main(["check", "--table", "/nonexistent/table.tsv"]) == 2
    assert main(["gaps", "--table", "/nonexistent/table.tsv"]) == 2
    assert main(["gaps", "--format", "html"]) == 2


def test_reversible_column_must_agree_with_the_analysis(tmp_path):
    bad = table_copy(tmp_path, {"EPD-001": {"reversible": "no"}, "EPD-006": {"reversible": "maybe"},
                                "EPD-429": {"reversible": "yes"}})
    errors = {f.mapping_id: f.message for f in check_table(bad)
              if f.code == "TABLE-REVERSIBILITY" and f.severity == ERROR}
    assert "declared reversible=no" in errors["EPD-001"] and "it is yes" in errors["EPD-001"]
    assert "'maybe'" in errors["EPD-006"]
    assert "no ePhyto path" in errors["EPD-429"] and "dip-only" in errors["EPD-429"]
