"""Review decisions: the row hash (Python and the page's JavaScript), ``review apply``, and the page."""

from __future__ import annotations

import json
import shutil
import subprocess
from urllib.parse import quote

import pytest
from lxml import html

from ephyto_dip.cli import main
from ephyto_dip.mapping.table import load_table, parse_table
from ephyto_dip.review.decisions import HASH_COLUMNS, apply_decisions, parse_decisions, row_hash
from ephyto_dip.review.report import build_report, render_html

from .helpers import REPO
from .test_report import _open, chromium  # noqa: F401  (the browser fixture)

TABLE = REPO / "mappings" / "ephyto-dip.tsv"
ROWHASH_JS = REPO / "src" / "ephyto_dip" / "review" / "templates" / "rowhash.js"
HEADER = "mapping_id\tdecision\treviewer\tdate\tcomment\trow_hash\n"


def _cells(mapping_id: str) -> dict[str, str]:
    return dict(next(r for r in load_table().rows if r.id == mapping_id).cells)


def _decisions(tmp_path, *lines: str, name: str = "decisions.tsv"):
    p = tmp_path / name
    p.write_text(HEADER + "".join(ln + "\n" for ln in lines), encoding="utf-8")
    return p


def _table_copy(tmp_path):
    t = tmp_path / "table.tsv"
    shutil.copy(TABLE, t)
    return t


# ----------------------------------------------------------------------------- the row hash


def test_row_hash_is_sha256_of_the_hashed_cells():
    import hashlib

    cells = _cells("EPD-001")
    text = "\t".join(cells.get(c, "") for c in HASH_COLUMNS)
    assert row_hash(cells) == hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    assert len(row_hash(cells)) == 16


def test_row_hash_follows_what_was_reviewed_not_the_review():
    cells = _cells("EPD-195")
    before = row_hash(cells)
    assert row_hash({**cells, "reviewer": "A. Expert", "review_date": "2026-12-03", "status": "accepted",
                     "comment": "fine"}) == before
    assert row_hash({**cells, "wco_id": "137"}) != before
    assert row_hash({**cells, "justification": cells["justification"] + "."}) != before


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js runs the page's hash code without a browser")
def test_the_pages_javascript_hash_agrees_with_python_on_every_row(tmp_path):
    rows = {r.id: [r.cells.get(c, "") for c in HASH_COLUMNS] for r in load_table().rows}
    rows["unicode"] = ["é€😀\u2028", "", "x" * 200]
    (tmp_path / "rows.json").write_text(json.dumps(rows), encoding="utf-8")
    script = (f"var H = require({json.dumps(str(ROWHASH_JS))}); "
              f"var rows = require({json.dumps(str(tmp_path / 'rows.json'))});"
              "var out = {}; Object.keys(rows).forEach(function (k) { out[k] = H.rowHash(rows[k]); });"
              "console.log(JSON.stringify(out));")
    proc = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    import hashlib

    for key, cells in rows.items():
        assert got[key] == hashlib.sha256("\t".join(cells).encode("utf-8")).hexdigest()[:16], key


def test_the_page_carries_each_rows_hash_and_cells():
    doc = html.fromstring(render_html(build_report()))
    cells = json.loads(doc.get_element_by_id("row-cells").text)
    assert cells["columns"] == list(HASH_COLUMNS)
    table = {r.id: r for r in load_table().rows}
    boxes = doc.xpath("//tr[@class and contains(@class, 'row')]//div[contains(@class, 'decide')]")
    assert len(boxes) == len(table)
    for box in boxes:
        mid = box.xpath("ancestor::tr[1]/@id")[0]
        assert box.get("data-row-hash") == row_hash(table[mid].cells)
        assert cells["rows"][mid] == [table[mid].cells.get(c, "") for c in HASH_COLUMNS]
        assert box.xpath(".//select/option/@value") == ["", "accepted", "changes-requested", "rejected"]
    assert doc.get_element_by_id("export-decisions") is not None


# ------------------------------------------------------------------------------ review apply


def test_apply_sets_review_columns_and_nothing_else(tmp_path):
    text = TABLE.read_text(encoding="utf-8")
    h = row_hash(_cells("EPD-195"))
    ds = parse_decisions(HEADER + f"EPD-195\tchanges-requested\tA. Expert\t2026-12-03\tuse EPPO codes\t{h}\n"
                         "EPD-001\taccepted\tA. Expert\t2026-12-03\t\t\n", "d.tsv")
    new, findings = apply_decisions(text, "t.tsv", ds, "d.tsv")
    assert findings == []
    old_lines, new_lines = text.splitlines(), new.splitlines()
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=False)) if a != b]
    assert len(old_lines) == len(new_lines) and len(changed) == 2
    rows = {r.id: r for r in parse_table(new, "t.tsv").rows}
    r = rows["EPD-195"]
    assert (r["status"], r["reviewer"], r["review_date"]) == ("changes-requested", "A. Expert", "2026-12-03")
    assert r["comment"].endswith("review 2026-12-03 A. Expert (changes-requested): use EPPO codes")
    assert r["comment"].startswith("proposed as a DMR")  # the row's own comment is kept
    assert rows["EPD-001"]["status"] == "accepted" and rows["EPD-001"]["comment"] == ""
    assert row_hash(r.cells) == h  # a decision does not change what the next reviewer signs
    again, findings = apply_decisions(new, "t.tsv", ds, "d.tsv")
    assert findings == [] and again == new  # applying twice changes nothing


@pytest.mark.parametrize("line, code, words", [
    ("EPD-999\taccepted\tA. Expert\t2026-12-03\t\t", "REVIEW-DECISION", "EPD-999 is not a row of t.tsv"),
    ("EPD-001\taccepted\tA. Expert\t2026-12-03\t\tdeadbeefdeadbeef", "REVIEW-STALE", "changed since it was reviewed"),
    ("EPD-001\tmaybe\tA. Expert\t2026-12-03\t\t", "REVIEW-DECISION", "'maybe' is not one of"),
    ("EPD-001\taccepted\t\t2026-12-03\t\t", "REVIEW-DECISION", "without a reviewer"),
    ("EPD-001\taccepted\tA. Expert\t03/12/2026\t\t", "REVIEW-DECISION", "not an ISO 8601 date"),
])
def test_a_bad_decision_refuses_the_whole_file(line, code, words):
    text = TABLE.read_text(encoding="utf-8")
    ds = parse_decisions(HEADER + "EPD-002\taccepted\tA. Expert\t2026-12-03\tok\t\n" + line + "\n", "d.tsv")
    new, findings = apply_decisions(text, "t.tsv", ds, "d.tsv")
    assert new == text  # not even the good line is applied
    (f,) = findings
    assert f.code == code and words in f.message and f.file == "d.tsv" and f.line == 3


def test_a_row_decided_twice_is_refused():
    ds = parse_decisions(HEADER + "EPD-002\taccepted\tA\t2026-12-03\t\t\n"
                         "EPD-002\trejected\tB\t2026-12-03\t\t\n", "d.tsv")
    _new, findings = apply_decisions(TABLE.read_text(encoding="utf-8"), "t.tsv", ds, "d.tsv")
    assert [f.line for f in findings] == [3] and "decided twice" in findings[0].message


def test_cli_apply_writes_out_and_never_the_input(tmp_path, capsys):
    table = _table_copy(tmp_path)
    before = table.read_bytes()
    d = _decisions(tmp_path, f"EPD-001\taccepted\tA. Expert\t2026-12-03\tok\t{row_hash(_cells('EPD-001'))}")
    out = tmp_path / "reviewed.tsv"
    assert main(["review", "apply", str(d), "--table", str(table), "-o", str(out)]) == 0
    assert table.read_bytes() == before
    assert {r.id: r for r in parse_table(out.read_text(encoding="utf-8"), "o").rows}["EPD-001"]["status"] == "accepted"
    # -o naming the table itself is refused (use --in-place to ask for it)
    assert main(["review", "apply", str(d), "--table", str(table), "-o", str(table)]) == 2
    assert "IO-OVERWRITE-INPUT" in capsys.readouterr().err and table.read_bytes() == before
    assert main(["review", "apply", str(d), "--table", str(table), "--in-place"]) == 0
    assert table.read_bytes() == out.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_cli_apply_without_output_prints_the_table(tmp_path, capsys):
    d = _decisions(tmp_path, "EPD-001\trejected\tA. Expert\t2026-12-03\twrong\t")
    assert main(["review", "apply", str(d), "--table", str(_table_copy(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("#mapping_set_id") and "\trejected\t" in out


def test_cli_apply_findings_and_io_errors(tmp_path, capsys):
    table = _table_copy(tmp_path)
    out = tmp_path / "reviewed.tsv"
    d = _decisions(tmp_path, "EPD-999\taccepted\tA. Expert\t2026-12-03\t\t")
    assert main(["review", "apply", str(d), "--table", str(table), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    line = err.splitlines()[0]
    assert line.startswith(f"{d}:2: error: REVIEW-DECISION") and "EPD-999" in line and str(table) in line
    assert not out.exists() and "Traceback" not in err
    assert main(["review", "apply", str(tmp_path / "missing.tsv"), "--table", str(table)]) == 2
    assert "IO-READ" in capsys.readouterr().err
    bad = tmp_path / "bad.tsv"
    bad.write_text("id\tverdict\nEPD-001\tok\n", encoding="utf-8")
    assert main(["review", "apply", str(bad), "--table", str(table)]) == 2
    assert "lacks the column(s) mapping_id, decision" in capsys.readouterr().err
    assert main(["review"]) == 2


def test_check_counts_reviewed_rows(capsys):
    assert main(["check", "--format", "json"]) == 0
    review = json.loads(capsys.readouterr().out)["review"]
    assert review["rows"] == len(load_table().rows) == review["reviewed"] + review["unreviewed"]


# ------------------------------------------------------------------------------- in a browser


@pytest.mark.browser
def test_browser_mark_export_apply(chromium, tmp_path, capsys):  # noqa: F811
    """Open the page, mark two rows (through a review link), take the exported TSV, apply it."""
    page = tmp_path / "page.html"
    page.write_text(render_html(build_report()), encoding="utf-8")
    suffix = ("?reviewer=" + quote("A. Expert") + "&date=2026-12-03&decide=" + quote("EPD-001:accepted:fine")
              + "&decide=" + quote("EPD-195:changes-requested:use EPPO: codes"))
    doc = _open(chromium, page, tmp_path, suffix)
    assert doc.body.get("data-hash-mismatch") == "0"  # the page's hashes are Python's, row by row
    assert doc.body.get("data-decisions") == "2"
    for box in doc.xpath("//div[contains(@class, 'decide')]"):
        assert box.get("data-js-hash") == box.get("data-row-hash")
    exported = doc.get_element_by_id("decisions-tsv").text_content()
    lines = exported.strip().splitlines()
    assert lines[0] == HEADER.strip()
    assert lines[1].split("\t")[:5] == ["EPD-001", "accepted", "A. Expert", "2026-12-03", "fine"]
    d = tmp_path / "decisions.tsv"
    d.write_text(exported, encoding="utf-8")
    out = tmp_path / "reviewed.tsv"
    assert main(["review", "apply", str(d), "--table", str(_table_copy(tmp_path)), "-o", str(out)]) == 0
    rows = {r.id: r for r in parse_table(out.read_text(encoding="utf-8"), "o").rows}
    assert rows["EPD-195"]["status"] == "changes-requested" and rows["EPD-195"]["reviewer"] == "A. Expert"
    assert "use EPPO: codes" in rows["EPD-195"]["comment"]


def _run_review_js(tmp_path, search: str, hashes=None) -> dict:
    report = build_report()
    cells = report.hash_cells
    hashes = hashes or {r.id: r.row_hash for r in report.rows}
    (tmp_path / "in.json").write_text(json.dumps({"cells": cells, "hashes": hashes, "search": search}),
                                      encoding="utf-8")
    proc = subprocess.run(["node", str(REPO / "tests" / "fake_dom_review.js"), str(tmp_path / "in.json"),
                           str(ROWHASH_JS.parent)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js runs the page's review script without a browser")
def test_review_script_marks_exports_and_the_export_applies(tmp_path):
    """review.js in a minimal DOM under Node (the browser test does the same in Chromium, in CI)."""
    search = ("?reviewer=" + quote("A. Expert") + "&date=2026-12-03&decide=" + quote("EPD-001:accepted:fine")
              + "&decide=" + quote("EPD-195:changes-requested:use EPPO: codes") + "&decide=EPD-002:bogus")
    got = _run_review_js(tmp_path, search)
    assert got["mismatch"] == "0" and got["decisions"] == "2" and got["exportDisabled"] is False
    table = {r.id: r for r in load_table().rows}
    assert got["jsHashes"] == {mid: row_hash(r.cells) for mid, r in table.items()}
    lines = got["tsv"].strip().split("\n")
    assert lines == [HEADER.strip(),
                     f"EPD-001\taccepted\tA. Expert\t2026-12-03\tfine\t{row_hash(table['EPD-001'].cells)}",
                     f"EPD-195\tchanges-requested\tA. Expert\t2026-12-03\tuse EPPO: codes\t"
                     f"{row_hash(table['EPD-195'].cells)}"]
    d = tmp_path / "decisions.tsv"
    d.write_text(got["tsv"], encoding="utf-8")
    out = tmp_path / "reviewed.tsv"
    assert main(["review", "apply", str(d), "--table", str(_table_copy(tmp_path)), "-o", str(out)]) == 0
    rows = {r.id: r for r in parse_table(out.read_text(encoding="utf-8"), "o").rows}
    assert rows["EPD-001"]["status"] == "accepted" and rows["EPD-195"]["reviewer"] == "A. Expert"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js runs the page's review script without a browser")
def test_review_script_refuses_to_export_when_hashes_disagree(tmp_path):
    report = build_report()
    hashes = {r.id: r.row_hash for r in report.rows}
    hashes["EPD-003"] = "0000000000000000"
    got = _run_review_js(tmp_path, "", hashes)
    assert got["mismatch"] == "1" and got["exportDisabled"] is True


def test_diff_shows_the_decisions(tmp_path, capsys):
    d = _decisions(tmp_path, "EPD-001\taccepted\tA. Expert\t2026-12-03\tok\t")
    out = tmp_path / "reviewed.tsv"
    assert main(["review", "apply", str(d), "--table", str(_table_copy(tmp_path)), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["diff", str(TABLE), str(out)]) == 0
    text = capsys.readouterr().out
    assert "review decisions: 1" in text and "EPD-001: accepted by A. Expert on 2026-12-03 (was proposed)" in text
    assert main(["diff", str(TABLE), str(out), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["decisions"] == [
        {"mapping_id": "EPD-001", "status": "accepted", "reviewer": "A. Expert", "review_date": "2026-12-03",
         "was": "proposed"}]
    assert main(["diff", str(TABLE), str(out), "--format", "md"]) == 0
    assert "| EPD-001 | accepted | A. Expert | 2026-12-03 | proposed |" in capsys.readouterr().out


def test_the_page_shows_who_reviewed_what(tmp_path):
    d = _decisions(tmp_path, "EPD-001\taccepted\tA. Expert\t2026-12-03\tok\t",
                   "EPD-195\trejected\tB. Officer\t2026-12-02\tno\t")
    out = tmp_path / "reviewed.tsv"
    assert main(["review", "apply", str(d), "--table", str(_table_copy(tmp_path)), "-o", str(out)]) == 0
    doc = html.fromstring(render_html(build_report(out)))
    items = {li.get("data-reviewer"): li.text_content() for li in doc.xpath("//details[@id='reviewed-by']//li")}
    assert set(items) == {"A. Expert", "B. Officer"}
    assert "EPD-001 accepted 2026-12-03" in items["A. Expert"] and "EPD-195 rejected" in items["B. Officer"]
    assert not html.fromstring(render_html(build_report())).xpath("//details[@id='reviewed-by']")


@pytest.mark.browser
def test_browser_marking_through_the_controls(chromium, tmp_path):  # noqa: F811
    """As an expert does it: type a name, choose decisions, type a comment (change and input
    events on the page's own controls); the decisions text follows and applies."""
    page_html = render_html(build_report())
    driver = """<script>
(function () {
  function set(el, value, type) { el.value = value; el.dispatchEvent(new Event(type, {bubbles: true})); }
  set(document.getElementById("reviewer"), "C. Inspector", "input");
  set(document.getElementById("review-date"), "2026-12-04", "change");
  var row = document.getElementById("EPD-082");
  set(row.querySelector("select.decision"), "rejected", "change");
  set(row.querySelector(".decision-comment"), "61B is not the certifying act", "input");
  set(document.getElementById("EPD-006").querySelector("select.decision"), "accepted", "change");
})();
</script>
</body>"""
    page = tmp_path / "page.html"
    page.write_text(page_html.replace("</body>", driver, 1), encoding="utf-8")
    doc = _open(chromium, page, tmp_path)
    assert doc.body.get("data-decisions") == "2"
    assert doc.get_element_by_id("EPD-082").get("data-decision") == "rejected"
    exported = doc.get_element_by_id("decisions-tsv").text_content()
    table = {r.id: r for r in load_table().rows}
    assert exported.splitlines()[1:] == [
        f"EPD-006\taccepted\tC. Inspector\t2026-12-04\t\t{row_hash(table['EPD-006'].cells)}",
        "EPD-082\trejected\tC. Inspector\t2026-12-04\t61B is not the certifying act\t"
        f"{row_hash(table['EPD-082'].cells)}",
    ]
    d = tmp_path / "decisions.tsv"
    d.write_text(exported, encoding="utf-8")
    out = tmp_path / "reviewed.tsv"
    assert main(["review", "apply", str(d), "--table", str(_table_copy(tmp_path)), "-o", str(out)]) == 0
    rows = {r.id: r for r in parse_table(out.read_text(encoding="utf-8"), "o").rows}
    assert (rows["EPD-082"]["status"], rows["EPD-082"]["reviewer"]) == ("rejected", "C. Inspector")


def test_apply_keeps_crlf_line_ends():
    text = TABLE.read_text(encoding="utf-8").replace("\n", "\r\n")
    ds = parse_decisions(HEADER + "EPD-001\taccepted\tA. Expert\t2026-12-03\t\t\n", "d.tsv")
    new, findings = apply_decisions(text, "t.tsv", ds, "d.tsv")
    assert findings == [] and new.count("\r\n") == text.count("\r\n") and "\n" not in new.replace("\r\n", "")
    assert sum(a != b for a, b in zip(text.split("\r\n"), new.split("\r\n"), strict=False)) == 1
