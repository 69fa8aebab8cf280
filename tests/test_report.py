"""The review page: what experts see, checked in the HTML, the Markdown and a real browser.

The browser tests open the page in headless Chromium (``--dump-dom`` prints the DOM after the
page's script ran) with the filter state in the URL, and compare the rows left visible with
what the table says they should be. Without Chromium they fail: CI installs it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree, html

from ephyto_dip import read, to_dip
from ephyto_dip.cli import main
from ephyto_dip.mapping.metadata import certificate_element
from ephyto_dip.mapping.table import load_table
from ephyto_dip.reading import model as m
from ephyto_dip.review.report import EXAMPLE_VALUE_MAX, PREDICATE_LABELS, build_report, render_html, render_markdown

from .helpers import sample

TABLE = load_table()
ROWS = TABLE.rows
BOXES = list(dict.fromkeys(r["ispm12_box"] for r in ROWS))
RSM = "urn:un:unece:uncefact:data:standard:SPSCertificate:17"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:21"
URL_ATTR = re.compile(r"""\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def _rows(doc) -> list:
    return doc.xpath(".//tr[contains(concat(' ', @class, ' '), ' row ')]")


def _visible_ids(doc) -> set[str]:
    return {tr.get("id") for tr in _rows(doc) if tr.get("hidden") is None}


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "mapping.html"
    assert main(["report", "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def example_page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "mapping-03.html"
    assert main(["report", "--example", str(sample("03")), "-o", str(out)]) == 0
    return out


# ------------------------------------------------------------------------------- the HTML


def test_every_row_is_on_the_page_grouped_by_box_in_table_order(page):
    doc = html.parse(str(page)).getroot()
    sections = doc.xpath("//section[contains(@class, 'box')]")
    assert [s.get("data-box") for s in sections] == BOXES
    for s in sections:
        ids = [tr.get("id") for tr in _rows(s)]
        assert ids == [r.id for r in ROWS if r["ispm12_box"] == s.get("data-box")]
    rows_by_id = {r.id: r for r in ROWS}
    for tr in _rows(doc):
        row = rows_by_id[tr.get("id")]
        badge = tr.xpath(".//span[contains(@class, 'badge')]")[0]
        assert badge.text_content() == PREDICATE_LABELS[row["predicate"]]
        text = _norm(tr.text_content())
        for column in ("field", "ephyto_path", "dip_path", "wco_id", "wco_name", "wco_class", "status", "author",
                       "justification", "comment"):
            assert _norm(row[column]) in text, (row.id, column)


def test_summary_counts_and_gap_list_follow_the_table(page):
    doc = html.parse(str(page)).getroot()
    counts = {}
    for tr in doc.xpath("//section[@id='summary']//table[contains(@class, 'counts')][1]//tr"):
        button = tr.xpath(".//button")[0]
        counts[button.get("data-filter-predicate")] = int(tr.xpath("./td[2]")[0].text_content())
    assert counts == Counter(r["predicate"] for r in ROWS)
    gaps = doc.xpath("//section[@id='gaps']")[0]
    listed = {}
    for dt in gaps.xpath(".//dt"):
        box = dt.text.strip()
        listed[box] = [a.text for a in dt.getnext().xpath("./a")]
    expected = {}
    for r in ROWS:
        if r["predicate"] == "sssom:NoTermFound":
            expected.setdefault(r["ispm12_box"], []).append(r.id)
    assert listed == expected


def test_the_page_is_self_contained(page):
    source = page.read_text(encoding="utf-8")
    doc = html.fromstring(source)
    assert not doc.xpath("//link | //script[@src] | //img[not(starts-with(@src, 'data:'))] | //iframe | //object")
    assert not URL_ATTR.search(source)
    for el in doc.xpath("//*[@href]"):
        assert el.get("href").startswith(("#", "?")), el.get("href")
    css = " ".join(doc.xpath("//style/text()"))
    assert "@import" not in css and "url(" not in css
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
    assert csp and "default-src 'none'" in csp[0]
    # printing shows every row and no filter controls
    assert re.search(r"@media print\s*{[^@]*tr\.row\[hidden\]\s*{\s*display:\s*table-row\s*!important", css)
    assert re.search(r"#filters[^{}]*{\s*display:\s*none\s*!important", css)


def _tampered_table(tmp_path: Path, **edits) -> Path:
    """A copy of the shipped table with some cells replaced: {mapping_id: {column: value}}."""
    src = Path(TABLE.path).read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(src) if not line.startswith("#"))
    header = src[header_at].split("\t")
    out = src[: header_at + 1]
    for line in src[header_at + 1 :]:
        cells = line.split("\t")
        for column, value in edits.get(cells[0], {}).items():
            cells[header.index(column)] = value
        out.append("\t".join(cells))
    path = tmp_path / "table.tsv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_everything_from_the_table_is_escaped(tmp_path):
    nasty = "<script>alert('x')</script> & <b>bold</b> | *not* `code` [link](http://example.org)"
    table = _tampered_table(tmp_path, **{"EPD-001": {"justification": nasty, "comment": "a|b"}})
    report = build_report(table)
    page = render_html(report)
    doc = html.fromstring(page)
    assert len(doc.xpath("//script[not(@type='application/json')]")) == 1  # the page's own
    # the row cells the page hashes are data, escaped so that no cell can end the script element
    (cells,) = doc.xpath("//script[@type='application/json']")
    assert "<script>alert" not in page and nasty in json.loads(cells.text)["rows"]["EPD-001"]
    assert not doc.xpath("//b[text()='bold']")
    assert nasty in doc.get_element_by_id("EPD-001").text_content()
    md = render_markdown(report)
    (line,) = [ln for ln in md.splitlines() if ln.startswith("| EPD-001 ")]
    header = next(ln for ln in md.splitlines() if ln.startswith("| ID |"))
    cells = re.split(r"(?<!\\)\|", line)
    assert len(cells) == len(re.split(r"(?<!\\)\|", header))
    assert "<script>" not in md and "<b>" not in md
    assert r"\<script\>" in line and r"\[link\](http" in line and r"\*not\*" in line and r"a\|b" in line


def test_markdown_has_the_summary_and_one_table_per_box():
    md = render_markdown(build_report())
    headings = [ln[3:] for ln in md.splitlines() if ln.startswith("## ")]
    assert headings[0] == "Coverage"
    assert len(headings) == len(BOXES) + 1
    for r in ROWS:
        lines = [ln for ln in md.splitlines() if ln.startswith(f"| {r.id} |")]
        assert len(lines) == 1, r.id
    for predicate, n in Counter(r["predicate"] for r in ROWS).items():
        assert re.search(rf"`{re.escape(predicate)}`\) \| {n} \|", md)


# -------------------------------------------------------------------------- example values


def _model_values(cert: m.Certificate, row) -> list:
    """What the reader put in the model for ``row``: every occurrence, across repeating groups."""
    chain = []
    r = row
    while r is not None:
        chain.insert(0, r)
        r = r.parent
    objs = [cert]
    for step in chain:
        nxt = []
        for o in objs:
            v = getattr(o, step.attr)
            if v is not None:
                nxt.extend(v if step.is_list else [v])
        objs = nxt
    return objs


def _expected_text(v) -> str:
    raw = v if isinstance(v, str) else v.value
    text = " ".join(raw.split())
    return text[:EXAMPLE_VALUE_MAX] if text else "(empty)"


@pytest.mark.parametrize("name", ["03", "05", "02"])
def test_example_values_are_what_the_reader_and_writer_see(name):
    """The page walks the paths itself; its values must be the converter's, occurrence by occurrence."""
    report = build_report(example=sample(name))
    cert = read(sample(name)).certificate
    checked = 0
    for rr in report.rows:
        if rr.kind == "group":
            continue
        expected = _model_values(cert, rr.row)
        for side in ("ephyto", "dip"):
            shown = getattr(rr, f"{side}_values")
            if rr.row.paths.get(side) is None:
                assert not shown
                continue
            assert len(shown) == len(expected), (name, rr.id, side, shown, expected)
            # the DIP side translates codes and writes dates in EDIFACT form: compare the rest
            if side == "dip" and (rr.row.codelist is not None or rr.row.model_type is m.DateTime):
                continue
            for value, model_value in zip(shown, expected, strict=True):
                assert value.text.startswith(_expected_text(model_value)), (rr.id, side, value, model_value)
                checked += 1
    assert checked > 50


def test_example_values_under_repeating_groups_are_labelled_per_occurrence():
    report = build_report(example=sample("05"))
    cert = read(sample("05")).certificate
    items = [r for r in report.rows if r.row.field == "items[].descriptions[]"]
    (row,) = items
    labels = [v.label for v in row.ephyto_values]
    expected = [f"item {i}" + (f" › {j}" if len(it.descriptions) > 1 else "")
                for i, it in enumerate(cert.items, 1) for j, _ in enumerate(it.descriptions, 1)]
    assert labels == expected and len(labels) >= 1
    assert "item 1: " in render_markdown(report)


def test_example_page_shows_the_values_on_both_sides(example_page):
    doc = html.parse(str(example_page)).getroot()
    source = etree.parse(str(sample("03")))
    number = source.findtext(f"{{{RSM}}}SPSExchangedDocument/{{{RAM}}}ID")
    dip = certificate_element(to_dip(read(sample("03")).certificate))
    dip_date = dip.find("{*}IssueDateTime/{*}DateTimeString")
    cells = doc.get_element_by_id("EPD-001").xpath(".//td[contains(@class, 'c-values')]")[0]
    assert _norm(cells.text_content()) == _norm(f"ePhyto {number} DIP {dip.findtext('{*}ID')}")
    date_cell = doc.get_element_by_id("EPD-006").xpath(".//td[contains(@class, 'c-values')]")[0].text_content()
    assert dip_date.text in date_cell and dip_date.get("formatCode") in date_cell
    assert sample("03").name in doc.xpath("//div[@class='example-note']")[0].text_content()


# ------------------------------------------------------------------------------- the CLI


def test_report_cli_writes_stdout_markdown_and_reports_bad_input(tmp_path, capsys):
    assert main(["report", "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# ")
    assert main(["report", "--table", str(tmp_path / "nope.tsv")]) == 2
    assert "IO-READ" in capsys.readouterr().err
    broken = tmp_path / "broken.xml"
    broken.write_text("<rsm:SPSCertificate", encoding="utf-8")
    out = tmp_path / "page.html"
    assert main(["report", "--example", str(broken), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "XML-MALFORMED" in err and "Traceback" not in err
    assert not out.exists() and list(tmp_path.iterdir()) == [broken]


# ------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("headless Chromium is needed to test the review page: apt-get install chromium")
    return exe


def _open(chromium: str, page: Path, tmp_path: Path, url_suffix: str = ""):
    """The DOM after the page's script ran, as lxml, for ``file://page{url_suffix}``."""
    cmd = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=2000",
        "--dump-dom", page.as_uri() + url_suffix,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0 and "<html" in proc.stdout, proc.stderr[-2000:]
    return html.fromstring(proc.stdout)


def _haystacks(doc) -> dict[str, str]:
    """What the search box matches for each row: its text and its box (as the page's script does)."""
    return {tr.get("id"): _norm(tr.text_content() + " " + tr.get("data-box")) for tr in _rows(doc)}


@pytest.mark.browser
def test_browser_shows_every_row(chromium, page, tmp_path):
    doc = _open(chromium, page, tmp_path)
    text = doc.text_content()
    for r in ROWS:
        assert r.id in text
    assert _visible_ids(doc) == {r.id for r in ROWS}
    assert doc.body.get("data-shown") == str(len(ROWS))
    assert not URL_ATTR.search(etree.tostring(doc, encoding="unicode"))


@pytest.mark.browser
@pytest.mark.parametrize("query", ["EPD-001", BOXES[5], "items[].treatments[] no WCO equivalent"])
def test_browser_search_from_the_url(chromium, page, tmp_path, query):
    from urllib.parse import quote

    doc = _open(chromium, page, tmp_path, "?q=" + quote(query))
    words = _norm(query).split()
    expected = {rid for rid, hay in _haystacks(doc).items() if all(w in hay for w in words)}
    assert expected and len(expected) < len(ROWS)
    assert _visible_ids(doc) == expected
    assert doc.body.get("data-shown") == str(len(expected))
    if query == "EPD-001":
        assert "EPD-001" in expected
    if query == BOXES[5]:
        assert {r.id for r in ROWS if r["ispm12_box"] == query} <= expected
    for section in doc.xpath("//section[contains(@class, 'box')]"):
        has_visible = any(tr.get("hidden") is None for tr in _rows(section))
        assert (section.get("hidden") is None) == has_visible


@pytest.mark.browser
@pytest.mark.parametrize(
    "suffix, keep",
    [
        ("#predicate=exact", lambda r: r["predicate"] == "skos:exactMatch"),
        (f"?box={BOXES[1]}&predicate=sssom:NoTermFound&status=proposed",
         lambda r: r["ispm12_box"] == BOXES[1] and r["predicate"] == "sssom:NoTermFound" and r["status"] == "proposed"),
    ],
)
def test_browser_filters_from_the_url(chromium, page, tmp_path, suffix, keep):
    from urllib.parse import quote

    doc = _open(chromium, page, tmp_path, quote(suffix, safe="?#=&:"))
    expected = {r.id for r in ROWS if keep(r)}
    assert expected
    assert _visible_ids(doc) == expected
    assert doc.get_element_by_id("shown").text_content() == f"{len(expected)} of {len(ROWS)} rows shown"


@pytest.mark.browser
def test_browser_status_filter(chromium, tmp_path):
    approved = [ROWS[3].id, ROWS[40].id, ROWS[200].id]
    table = _tampered_table(tmp_path, **{i: {"status": "approved", "reviewer": "NPPO expert"} for i in approved})
    page = tmp_path / "page.html"
    assert main(["report", "--table", str(table), "-o", str(page)]) == 0
    doc = _open(chromium, page, tmp_path, "?status=approved")
    assert _visible_ids(doc) == set(approved)
    assert doc.get_element_by_id("nothing").get("hidden") is not None


@pytest.mark.browser
def test_browser_example_page(chromium, example_page, tmp_path):
    doc = _open(chromium, example_page, tmp_path, "?q=EPD-001")
    text = doc.text_content()
    for r in ROWS:
        assert r.id in text
    number = etree.parse(str(sample("03"))).findtext(f"{{{RSM}}}SPSExchangedDocument/{{{RAM}}}ID")
    row = doc.get_element_by_id("EPD-001")
    assert row.get("hidden") is None and number in row.text_content()
    assert not URL_ATTR.search(etree.tostring(doc, encoding="unicode"))
