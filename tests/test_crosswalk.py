"""The ISPM 12 box-level crosswalk: it agrees with the element table, and says so when it does not."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ephyto_dip.findings import ERROR, WARNING
from ephyto_dip.mapping.table import load_table, parse_table
from ephyto_dip.review.alignment import check_table, load_boxes
from ephyto_dip.review.crosswalk import (
    COPIED,
    check_crosswalk,
    copied_cells,
    crosswalk_document,
    load_crosswalk,
    parse_crosswalk,
)

from .helpers import REPO, edit_tsv
from .test_report import _open, chromium  # noqa: F401  (the browser fixture)

CROSSWALK = REPO / "mappings" / "ispm12-crosswalk.tsv"
TABLE = REPO / "mappings" / "ephyto-dip.tsv"
BOXES = [b.box for b in load_boxes()]


def _cw(edits: dict) -> str:
    text = CROSSWALK.read_text(encoding="utf-8")
    for (box, column), value in edits.items():
        text = edit_tsv(text, box, {column: value}, "box")
    return text


def test_shipped_crosswalk_agrees_with_the_table():
    cw = load_crosswalk()
    assert 45 <= len(cw.rows) <= 100
    findings = check_crosswalk(load_table(), cw, BOXES)
    assert [f for f in findings if f.severity == ERROR] == []
    # every element row is stood for by some box row
    assert not [f for f in findings if "is in no box row" in f.message]


def test_every_copied_column_is_the_primary_rows():
    table = {r.id: r for r in load_table().rows}
    for row in load_crosswalk().rows:
        want = copied_cells(table[row.mapping_ids[0]])
        assert {c: row[c] for c in COPIED} == want, row["box"]
        if "Hub envelope" not in row["box"]:  # the envelope is not part of the certificate
            assert row["ephyto_xpath"].startswith("/rsm:SPSCertificate/"), row["box"]


def test_a_wrong_wco_id_is_an_error_naming_line_and_row():
    cw = parse_crosswalk(_cw({("No.", "wco_id"): "D999"}), "x.tsv")
    found = [f for f in check_crosswalk(load_table(), cw, BOXES) if f.severity == ERROR]
    assert len(found) == 1
    f = found[0]
    assert f.code == "TABLE-CROSSWALK" and f.mapping_id == "EPD-001" and f.file == "x.tsv"
    assert f.line == next(r.line for r in cw.rows if r["box"] == "No.")
    assert "D999" in f.message and "D014" in f.message


def test_a_wrong_format_and_class_are_errors():
    cw = parse_crosswalk(_cw({("No.", "wco_format"): "an..35", ("No.", "wco_class"): "42A Declaration"}), "x.tsv")
    found = [f for f in check_crosswalk(load_table(), cw, BOXES) if f.severity == ERROR]
    assert sorted(m.message.split(":")[1].split()[0] for m in found) == ["wco_class", "wco_format"]


def test_an_unknown_mapping_id_is_an_error():
    cw = parse_crosswalk(_cw({("No.", "mapping_ids"): "EPD-001 EPD-999"}), "x.tsv")
    found = [f for f in check_crosswalk(load_table(), cw, BOXES) if f.severity == ERROR]
    assert [f.mapping_id for f in found] == ["EPD-999"]


def test_a_missing_box_is_an_error():
    text = "\n".join(ln for ln in CROSSWALK.read_text(encoding="utf-8").splitlines()
                     if not ln.startswith("Botanical name of plants\t")) + "\n"
    found = check_crosswalk(load_table(), parse_crosswalk(text, "x.tsv"), BOXES)
    assert any(f.severity == ERROR and "Botanical name of plants" in f.message for f in found)
    # ... and its element row is now in no box row
    assert any(f.severity == WARNING and f.mapping_id == "EPD-195" for f in found)


def test_a_row_matched_since_is_a_warning_not_an_error():
    """A NoTermFound primary row gains a WCO element: check still passes, and says to re-judge the box."""
    text = TABLE.read_text(encoding="utf-8")
    text = edit_tsv(text, "EPD-195", {"wco_id": "137", "wco_class": "23A Commodity", "wco_name": "Description of goods",
                                      "predicate": "skos:broadMatch", "wco_format": "an..512"})
    table = parse_table(text, "t.tsv")
    found = [f for f in check_crosswalk(table, load_crosswalk(), BOXES) if f.mapping_id == "EPD-195"]
    assert [(f.severity, f.code) for f in found] == [(WARNING, "TABLE-CROSSWALK")]
    assert "137" in found[0].message and "re-judge" in found[0].message


def test_check_table_runs_the_crosswalk(tmp_path):
    bad = tmp_path / "crosswalk.tsv"
    bad.write_text(_cw({("Botanical name of plants", "predicate"): "skos:exactMatch"}), encoding="utf-8")
    found = [f for f in check_table(crosswalk_path=bad) if f.code == "TABLE-CROSSWALK" and f.severity == ERROR]
    assert [f.mapping_id for f in found] == ["EPD-195"]
    assert str(bad) in found[0].one_line()


def test_docs_crosswalk_md_is_current():
    assert (REPO / "docs" / "crosswalk.md").read_text(encoding="utf-8") == crosswalk_document(), (
        "regenerate: PYTHONPATH=src python -m ephyto_dip.review.crosswalk > docs/crosswalk.md")


def test_the_refresh_tool_finds_nothing_to_change():
    proc = subprocess.run([sys.executable, str(REPO / "tools" / "make_crosswalk.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_the_refresh_tool_clears_a_stale_review(tmp_path):
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import make_crosswalk
    finally:
        sys.path.pop(0)
    text = _cw({("No.", "wco_id"): "D999", ("No.", "reviewer"): "A. Expert", ("No.", "review_date"): "2026-12-01",
                  ("Certificate status", "reviewer"): "A. Expert"})
    rows = {r["box"]: r for r in parse_crosswalk(make_crosswalk.refresh(text, "x.tsv"), "x.tsv").rows}
    assert rows["No."]["wco_id"] == "D014" and rows["No."]["reviewer"] == "" and rows["No."]["review_date"] == ""
    assert rows["Certificate status"]["reviewer"] == "A. Expert"  # unchanged row keeps its review


def test_the_review_page_has_the_crosswalk_tab():
    from lxml import html

    from ephyto_dip.review.report import build_report, render_html

    doc = html.fromstring(render_html(build_report()))
    rows = doc.xpath("//section[@id='crosswalk']//tr[@class='cw-row']")
    assert [r.get("data-box") for r in rows] == [c["box"] for c in load_crosswalk().rows]
    botanical = next(r for r in rows if r.get("data-box") == "Botanical name of plants")
    assert botanical.xpath(".//a/@href") == ["#EPD-195"]
    assert doc.xpath("//nav[@id='tabs']/a/@data-tab") == ["rows", "crosswalk"]


def test_a_table_elsewhere_has_no_crosswalk_tab(tmp_path):
    from ephyto_dip.review.report import build_report

    copy = tmp_path / "t.tsv"
    copy.write_text(TABLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert build_report(copy).crosswalk == []


# ------------------------------------------------------------------------- code-list crosswalks

CL_CROSSWALK = REPO / "mappings" / "codelist-crosswalks.tsv"


def _cl_copy(tmp_path, old: str, new: str):
    from ephyto_dip.review.codelist_crosswalk import check_codelist_crosswalk

    text = CL_CROSSWALK.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "codelist-crosswalks.tsv"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    import shutil

    shutil.copytree(REPO / "mappings" / "codelists", tmp_path / "codelists")
    return check_codelist_crosswalk(load_table(), p)


def test_shipped_codelist_crosswalks_agree_with_the_table():
    from ephyto_dip.review.codelist_crosswalk import check_codelist_crosswalk, load

    assert check_codelist_crosswalk(load_table(), CL_CROSSWALK) == []
    lists = {c["list"] for _l, c in load(CL_CROSSWALK)}
    assert {"status-function", "note-statement-type", "measure-unit", "package-type"} <= lists


def test_a_row_missing_from_a_translation_is_found(tmp_path):
    found = _cl_copy(tmp_path, "EPD-029 EPD-033 ", "EPD-033 ")
    assert [(f.code, f.mapping_id) for f in found] == [("TABLE-CODELIST", "EPD-029")]


def test_unchanged_for_a_translated_row_is_found(tmp_path):
    found = _cl_copy(tmp_path, "\tEPD-222\tunchanged", "\tEPD-222 EPD-005\tunchanged")
    assert [f.mapping_id for f in found] == ["EPD-005"] and "status-function" in found[0].message


def test_a_code_source_not_bundled_is_found(tmp_path):
    found = _cl_copy(tmp_path, "UNECE_PackageTypeCode_2006.xsd", "UNECE_PackageTypeCode_2099.xsd")
    assert len(found) == 1 and "not bundled" in found[0].message and found[0].line


def test_every_code_translation_has_review_columns_and_still_translates():
    from ephyto_dip.mapping.codelists import load_codelist
    from ephyto_dip.tsv import split_metadata, tsv_reader

    for name in ("status-function", "note-statement-type"):
        _m, body, _s = split_metadata((REPO / "mappings" / "codelists" / f"{name}.tsv").read_text(encoding="utf-8"))
        rows = list(tsv_reader(body))
        header = rows[0]
        assert {"status", "reviewer", "review_date", "comment"} <= set(header)
        assert all(len(r) == len(header) and r[header.index("status")] for r in rows[1:] if r), name
    assert load_codelist("status-function").to_dip("70") == "9"
    assert load_codelist("note-statement-type").to_dip("ADEDL") == "AAI"


def test_the_rejudged_primary_rows_are_carried_by_their_box_rows():
    """docs/proposals/rejudge.tsv found WCO elements for 75 rows, since applied to the table: every box
    row whose primary row is one of them now names that element, and the crosswalk has no finding."""
    lines = (REPO / "docs" / "proposals" / "rejudge.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    cells = (dict(zip(header, ln.split("\t"), strict=False)) for ln in lines[1:])
    matched = {c["mapping_id"]: c["wco_id"] for c in cells if c["verdict"] == "match"}
    rows = [r for r in load_crosswalk().rows if r.mapping_ids[0] in matched]
    assert len(rows) >= 5
    for r in rows:
        assert r["wco_id"] == matched[r.mapping_ids[0]], (r["box"], r["wco_id"])
    table = load_table()
    assert [f for f in check_crosswalk(table, load_crosswalk(), BOXES) if f.severity == ERROR] == []


@pytest.mark.browser
def test_browser_crosswalk_tab_follows_the_link(chromium, tmp_path):  # noqa: F811
    from ephyto_dip.review.report import build_report, render_html

    page = tmp_path / "page.html"
    page.write_text(render_html(build_report()), encoding="utf-8")
    assert _open(chromium, page, tmp_path).body.get("data-tab") == "rows"
    assert _open(chromium, page, tmp_path, "#crosswalk").body.get("data-tab") == "crosswalk"
