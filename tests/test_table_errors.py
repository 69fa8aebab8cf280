"""A table that cannot be used gives one line naming the file and a finding code, and exit 2, in every command."""

from __future__ import annotations

import pytest

from ephyto_dip.cli import main

from .helpers import EXAMPLES, REPO

CERT = str(EXAMPLES / "BO-EC_851_wood-decking.xml")
DECLARATION = str(EXAMPLES / "attach" / "Step1_TT_IM030a.xml")
TABLE = REPO / "mappings" / "ephyto-dip.tsv"


def _bad_tables(tmp_path):
    """name -> (path, finding code, words the message must have)."""
    (tmp_path / "a-folder").mkdir()
    # ASCII everywhere but one accented letter, saved as Latin-1 the way a spreadsheet might
    ascii_only = TABLE.read_bytes().decode("utf-8").encode("ascii", "replace").decode("ascii")
    latin = ascii_only.replace("Plant Protection", "Protección Vegetal", 1)
    assert latin != ascii_only
    (tmp_path / "latin1.tsv").write_bytes(latin.encode("latin-1"))
    (tmp_path / "empty.tsv").write_bytes(b"")
    (tmp_path / "other.tsv").write_text("code\tlabel\nKGM\tkilogram\n", encoding="utf-8")
    lines = TABLE.read_text(encoding="utf-8").splitlines(keepends=True)
    head = next(i for i, ln in enumerate(lines) if not ln.startswith("#"))
    lines[head] = lines[head].replace("\tpredicate", "\tpredicat")  # a renamed column
    (tmp_path / "renamed.tsv").write_text("".join(lines), encoding="utf-8")
    latin_line = next(i for i, ln in enumerate(lines, 1) if "Plant Protection" in ln)
    return {
        "missing": (tmp_path / "no-such.tsv", "IO-READ", "no such file"),
        "directory": (tmp_path / "a-folder", "IO-READ", "directory"),
        "not utf-8": (tmp_path / "latin1.tsv", "TABLE-SYNTAX", f"latin1.tsv:{latin_line}:"),
        "empty": (tmp_path / "empty.tsv", "TABLE-SYNTAX", "no header row"),
        "another table": (tmp_path / "other.tsv", "TABLE-SYNTAX", "not a mapping table"),
        "a certificate": (EXAMPLES / "BO-EC_851_wood-decking.xml", "TABLE-SYNTAX", "not a mapping table"),
        "renamed column": (tmp_path / "renamed.tsv", "TABLE-SYNTAX", "missing columns: predicate"),
    }


BAD = ["missing", "directory", "not utf-8", "empty", "another table", "a certificate", "renamed column"]
COMMANDS = {
    "convert": lambda out: ["convert", CERT, "-o", str(out)],
    "convert --format json": lambda out: ["convert", CERT, "--format", "json", "-o", str(out)],
    "validate": lambda out: ["validate", CERT],
    "validate --format json": lambda out: ["validate", CERT, "--format", "json"],
    "check": lambda out: ["check"],
    "report": lambda out: ["report", "-o", str(out)],
    "gaps": lambda out: ["gaps"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("bad", BAD)
def test_a_bad_table_is_one_line_and_exit_2(tmp_path, capsys, command, bad):
    path, code, words = _bad_tables(tmp_path)[bad]
    out = tmp_path / "out.file"
    assert main([*COMMANDS[command](out), "--table", str(path)]) == 2
    captured = capsys.readouterr()
    lines = [ln for ln in (captured.out + captured.err).splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(str(path)) and f"error: {code}:" in lines[0], lines[0]
    assert words.lower() in lines[0].lower()
    assert "internal error" not in lines[0] and "Traceback" not in captured.err
    assert not out.exists()  # no partial output


@pytest.mark.parametrize("bad", ["missing", "directory", "not utf-8"])
def test_diff_and_attach_refuse_unreadable_tables_alike(tmp_path, capsys, bad):
    path, code, _ = _bad_tables(tmp_path)[bad]
    assert main(["diff", str(TABLE), str(path)]) == 2
    assert main(["attach", CERT, DECLARATION, "--rules", str(path), "-o", str(tmp_path / "d.xml")]) == 2
    captured = capsys.readouterr()
    lines = [ln for ln in (captured.out + captured.err).splitlines() if str(path) in ln and "error" in ln]
    assert lines and all(f"error: {code}:" in ln for ln in lines), lines
    assert "internal error" not in captured.err and not (tmp_path / "d.xml").exists()


def test_check_still_reports_a_bad_row_as_a_finding(tmp_path, capsys):
    # a table that loads but has a broken row is what check is for: a finding, exit 1
    lines = TABLE.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, ln in enumerate(lines) if ln.startswith("EPD-"))
    lines[row] = lines[row].replace("\t", "", 3)
    broken = tmp_path / "broken-row.tsv"
    broken.write_text("".join(lines), encoding="utf-8")
    assert main(["check", "--table", str(broken)]) == 1
    assert f"{broken}:{row + 1}: error: TABLE-SYNTAX" in capsys.readouterr().out


@pytest.mark.parametrize("body", [
    [], [""], ["", ""], ["a\tb", "", "c"], ["a\tb", ""], ["\t", "x\t\ty"], ["'q'\t\"d\"", "a\x00b\tc\\"],
    ["a\rb"], ["a\nb\tc"], ["x" * 140_000],  # a carriage return or an over-long cell: csv's own reading
])
def test_tsv_reader_reads_what_csv_read(body):
    import csv
    import io

    from ephyto_dip.tsv import tsv_reader

    def rows(read):
        try:
            return list(read())
        except csv.Error as exc:
            return str(exc)

    assert rows(lambda: tsv_reader(body)) == rows(
        lambda: csv.reader(io.StringIO("\n".join(body)), delimiter="\t", quoting=csv.QUOTE_NONE))


def test_rows_with_the_same_path_cell_share_one_path():
    from ephyto_dip.mapping.table import load_table

    by_cell = {}
    for row in load_table(TABLE).rows:
        path = row.paths["dip"]
        if path is not None:
            assert by_cell.setdefault(path.text, path) is path
