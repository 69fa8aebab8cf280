"""``gaps``: only genuine gaps, as WCO DMRs; every row without a WCO term accounted for (TABLE-GAP)."""

from __future__ import annotations

import json
import shutil

from lxml import etree

from ephyto_dip.cli import main
from ephyto_dip.findings import ERROR
from ephyto_dip.mapping.table import load_table, parse_table
from ephyto_dip.review.dmr import DMR_KEYS, check_accounted, covered, no_new_element, proposals

from .helpers import REPO, edit_tsv

MAPPINGS = REPO / "mappings"
TABLE = MAPPINGS / "ephyto-dip.tsv"
REJUDGE = REPO / "docs" / "proposals" / "rejudge.tsv"


def _table(changes: dict[str, dict[str, str]]):
    text = TABLE.read_text(encoding="utf-8")
    for key, c in changes.items():
        text = edit_tsv(text, key, c)
    return parse_table(text, "t.tsv")


def _no_term(table) -> set[str]:
    return {r.id for r in table.rows if r["predicate"] == "sssom:NoTermFound" and not r["wco_id"]}


def test_only_genuine_gaps_each_complete():
    dmrs = proposals(load_table(), MAPPINGS)
    assert 8 <= len(dmrs) <= 15
    names = " | ".join(d["name"] for d in dmrs)
    for expected in ("certifying statement", "Botanical name", "Intended use", "Place of production",
                     "Treatment", "Treatment operator", "Date of inspection", "Re-export", "Place of issue",
                     "Additional declaration"):
        assert expected.lower() in names.lower(), expected
    for d in dmrs:
        assert set(DMR_KEYS) | {"un_tded"} <= set(d)
        for key in ("name", "definition", "class", "cardinality", "business_need", "ispm12_basis", "example", "impact"):
            assert d[key], (d["id"], key)
        assert d["mapping_ids"]
        etree.fromstring(f"<x>{d['example']}</x>")  # a well-formed fragment
    # the common name is no DMR since the re-judgement: 137 (description of goods) holds it, broader
    assert "common name" not in names.lower()
    assert any(c["wco_id"] == "137" and "EPD-194" in c["mapping_ids"] for c in covered(load_table()))


def test_every_row_without_a_term_is_accounted_for_once():
    table = load_table()
    assert check_accounted(table, MAPPINGS) == []
    in_dmrs = {i for d in proposals(table, MAPPINGS) for i in d["mapping_ids"]}
    apart = {i for e in no_new_element(table, MAPPINGS) for i in e["mapping_ids"]}
    assert not in_dmrs & apart
    assert _no_term(table) <= in_dmrs | apart


def test_a_new_row_without_a_term_is_a_finding_naming_it():
    table = _table({"EPD-193": {"wco_id": "", "wco_class": "", "wco_name": "", "wco_format": "",
                                "predicate": "sssom:NoTermFound"}})
    (f,) = check_accounted(table, MAPPINGS)
    assert (f.code, f.severity, f.mapping_id, f.file) == ("TABLE-GAP", ERROR, "EPD-193", "t.tsv")
    assert f.line == next(r.line for r in table.rows if r.id == "EPD-193")


def test_a_row_that_finds_a_wco_element_drops_out_without_error():
    table = _table({"EPD-195": {"wco_id": "137", "wco_class": "23A Commodity", "wco_name": "Description of goods",
                                "predicate": "skos:broadMatch", "wco_format": "an..512"},
                    "EPD-012": {"wco_id": "04A", "wco_class": "04A Address", "wco_name": "Address",
                                "predicate": "skos:closeMatch"}})
    assert check_accounted(table, MAPPINGS) == []
    dmrs = proposals(table, MAPPINGS)
    assert not any("EPD-195" in d["mapping_ids"] for d in dmrs)
    assert not any(d["name"] == "Botanical name" for d in dmrs)  # its only row: the DMR is gone
    assert not any("EPD-012" in e["mapping_ids"] for e in no_new_element(table, MAPPINGS))
    assert any(c["wco_id"] == "137" and "EPD-195" in c["mapping_ids"] for c in covered(table))


def test_the_proposed_rejudgement_leaves_check_clean():
    """Apply every ``match`` line of docs/proposals/rejudge.tsv to the table: nothing to fix in the DMR data."""
    lines = REJUDGE.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    changes = {}
    for ln in lines[1:]:
        c = dict(zip(header, ln.split("\t"), strict=False))
        if c["verdict"] == "match":
            changes[c["mapping_id"]] = {k: c[k] for k in ("wco_id", "wco_class", "wco_name", "predicate")}
    assert len(changes) == 75
    table = _table(changes)
    assert check_accounted(table, MAPPINGS) == []
    dmrs = proposals(table, MAPPINGS)
    assert 8 <= len(dmrs) <= 13
    assert not {i for d in dmrs for i in d["mapping_ids"]} & set(changes)
    assert not any(e["kind"] == "wco-element" for e in no_new_element(table, MAPPINGS))


def test_structure_entries_name_what_covers_them():
    entries = no_new_element(load_table(), MAPPINGS)
    subject = next(e for e in entries if "EPD-036" in e["mapping_ids"] or "EPD-032" in e["mapping_ids"])
    assert "03A AdditionalInformation" in subject["covered_by"]
    assert all(e["reason"] for e in entries)


def _data_copy(tmp_path, dmr_id: str, changes: dict[str, str]):
    for f in ("wco-dmr.tsv", "sps-structure.tsv"):
        shutil.copy(MAPPINGS / f, tmp_path / f)
    p = tmp_path / "wco-dmr.tsv"
    lines = p.read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if not ln.startswith("#"))
    header = lines[start].split("\t")
    for i in range(start + 1, len(lines)):
        cells = lines[i].split("\t")
        if cells[0] == dmr_id and not cells[1]:
            for c, v in changes.items():
                cells[header.index(c)] = v
            lines[i] = "\t".join(cells)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_an_incomplete_dmr_and_a_false_wco_class_are_findings(tmp_path):
    d = _data_copy(tmp_path, "DMR-02", {"business_need": "", "class": "23Z Commodity", "example": "<a><b></a>"})
    found = check_accounted(load_table(), d)
    messages = sorted(f.message for f in found)
    assert len(found) == 3 and all(f.code == "TABLE-GAP" and f.severity == ERROR for f in found)
    assert any("no business_need" in m for m in messages)
    assert any("'23Z Commodity' is not a WCO class" in m for m in messages)
    assert any("not a well-formed XML fragment" in m for m in messages)
    assert all(f.line and f.file.endswith("wco-dmr.tsv") for f in found)


def test_a_row_in_two_lists_and_an_unknown_row_are_findings(tmp_path):
    d = _data_copy(tmp_path, "DMR-02", {"mapping_ids": "EPD-195 EPD-003 EPD-999"})
    found = check_accounted(load_table(), d)
    assert sorted(f.mapping_id for f in found) == ["EPD-003", "EPD-999"]


def test_gaps_cli_json_keys(capsys):
    assert main(["gaps", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"dmrs", "no_new_element", "covered_by_wco", "length_gaps"}
    d = data["dmrs"][0]
    for key in ("name", "definition", "class", "format", "code_list", "cardinality", "un_tded", "uncefact_uid",
                "business_need", "ispm12_basis", "example", "impact", "mapping_ids"):
        assert key in d
    assert any(g["wco_id"] == "D032" and "EPD-002" in g["mapping_ids"] for g in data["length_gaps"])


def test_check_reports_an_unaccounted_row(tmp_path, capsys):
    for f in ("wco-dmr.tsv", "sps-structure.tsv"):
        shutil.copy(MAPPINGS / f, tmp_path / f)
    shutil.copytree(MAPPINGS / "codelists", tmp_path / "codelists")
    t = tmp_path / "ephyto-dip.tsv"
    t.write_text(edit_tsv(TABLE.read_text(encoding="utf-8"), "EPD-193", {
        "wco_id": "", "wco_class": "", "wco_name": "", "wco_format": "", "predicate": "sssom:NoTermFound"}),
        encoding="utf-8")
    assert main(["check", "--table", str(t)]) == 1
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "TABLE-GAP" in ln)
    assert str(t) in line and "EPD-193" in line and "Traceback" not in out


def test_each_dmr_uncefact_uid_is_the_schemas():
    """The UID a DMR cites is the ccts:UniqueID of its first row's ePhyto element in the bundled schemas."""
    import sys

    from ephyto_dip.review.crosswalk import absolute_path
    from ephyto_dip.review.dmr import load

    sys.path.insert(0, str(REPO / "tools"))
    try:
        import make_crosswalk
    finally:
        sys.path.pop(0)
    children = make_crosswalk._schema_children()
    by_id = {r.id: r for r in load_table().rows}
    dmrs, _ = load(MAPPINGS)
    for ln in dmrs:
        want = make_crosswalk.uncefact_uid(absolute_path(by_id[ln.ids[0]], "ephyto"), children)
        assert ln["uncefact_uid"] == want, (ln["dmr_id"], ln["element"])
        assert want.startswith("UN"), ln["dmr_id"]


def test_docs_wco_dmr_md_is_current():
    from ephyto_dip.review.dmr_doc import proposal_document

    doc = (REPO / "docs" / "wco-dmr.md").read_text(encoding="utf-8")
    assert doc == proposal_document(), (
        "regenerate: PYTHONPATH=src python -m ephyto_dip.review.dmr_doc > docs/wco-dmr.md")
    assert "## DMR-06 Treatment" in doc and "<BotanicalName>Malus domestica</BotanicalName>" in doc
