"""TABLE-WCO: every WCO claim of the table agrees with the WCO-annotated list it cites.

Broken tables are copies of the shipped one with one row changed (see test_alignment.table_copy).
"""

from __future__ import annotations

import pytest

from ephyto_dip.cli import main
from ephyto_dip.findings import ERROR
from ephyto_dip.mapping.table import load_table
from ephyto_dip.review.alignment import check_table
from ephyto_dip.review.wco_sources import load_sources

from .test_alignment import table_copy


def wco(findings, mapping_id=None):
    return [f for f in findings if f.code == "TABLE-WCO" and f.severity == ERROR
            and (mapping_id is None or f.mapping_id == mapping_id)]


@pytest.fixture(scope="module")
def shipped():
    return check_table()


def test_every_wco_claim_of_the_shipped_table_is_backed_by_a_bundled_list(shipped):
    assert wco(shipped) == []
    claimed = [r for r in load_table().rows if r["wco_id"]]
    assert len(claimed) > 200  # the re-judged table: 171 claims before, the matches found since
    labels = {s.label for s in load_sources()}
    assert {"HMRC DEC 3.6", "HMRC RES 3.6", "EU ICS2"} <= labels
    for row in claimed:
        assert any(row["source"].startswith(lb) or f"; {lb} " in row["source"] for lb in labels), row.id


def test_every_row_without_a_wco_id_records_the_search(shipped):
    for row in load_table().rows:
        if not row["wco_id"] and not row["source"].startswith("HMRC DEC 3.6 /"):
            assert row["source"].startswith("searched: "), row.id
            assert all(lb in row["source"] for lb in ("HMRC DEC 3.6", "HMRC RES 3.6", "EU ICS2")), row.id


@pytest.mark.parametrize("change, says", [
    ({"wco_id": "T003"}, "is WCO ID T005, not T003"),
    ({"wco_name": "Mode of transport at departure, coded"}, "is not the name the sources give T005"),
    ({"wco_class": "46A DepartureTransportMeans"}, "the cited T005 sits in 15A"),
    ({"wco_format": "an..70"}, "is not the WCO format of T005: an..35"),
    ({"source": ""}, "cites no element of a bundled WCO list"),
    ({"source": "HMRC DEC 3.6 /Declaration/BorderTransportMeans/Nme"}, "HMRC DEC 3.6 has no element"),
    ({"source": "WCO DM 3.6 somewhere"}, "is not one of the bundled WCO lists"),
])
def test_a_false_wco_claim_is_an_error_naming_the_row(tmp_path, change, says):
    found = wco(check_table(table_copy(tmp_path, {"EPD-183": change})), "EPD-183")
    assert found and says in found[0].message, [f.message for f in found]
    assert found[0].line is not None


def test_a_format_only_ics2_holds_is_checked_as_ics2s_restriction(tmp_path):
    found = wco(check_table(table_copy(tmp_path, {"EPD-181": {"wco_format": "an..35"}})), "EPD-181")
    assert found and "EU ICS2's restriction" in found[0].message and "an..17" in found[0].message


def test_a_row_without_a_wco_id_must_name_every_list_searched(tmp_path):
    found = wco(check_table(table_copy(tmp_path, {
        "EPD-003": {"source": ""},
        "EPD-007": {"source": "searched: HMRC DEC 3.6, EU ICS2; looked for: issuer"}})))
    by_row = {f.mapping_id: f.message for f in found}
    assert "no record of the lists searched" in by_row["EPD-003"]
    assert "did not cover HMRC RES 3.6" in by_row["EPD-007"]


def test_check_command_reports_the_false_claim_on_one_line(tmp_path, capsys):
    path = table_copy(tmp_path, {"EPD-183": {"wco_id": "T003"}})
    assert main(["check", "--table", str(path)]) == 1
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "TABLE-WCO" in ln]
    assert len(lines) == 1 and "[EPD-183]" in lines[0] and f"{path}:" in lines[0]


def test_a_registry_without_its_columns_is_a_one_line_table_error(tmp_path):
    from ephyto_dip.findings import TableError

    bad = tmp_path / "wco-sources.tsv"
    bad.write_text("label\tfile\nHMRC DEC 3.6\tschemas/wco-dec/hmrc-cds-dec-elements.tsv\n", encoding="utf-8")
    with pytest.raises(TableError) as caught:
        load_sources(str(bad))
    f = caught.value.findings[0]
    assert f.code == "TABLE-SYNTAX" and f.file == str(bad) and "path_column" in f.message
