"""What a new user reads first: --help as plain text, check findings one short line each."""

from __future__ import annotations

import json
import re

import pytest

from ephyto_dip.cli import COMMANDS, main, plain_text

from .helpers import REPO

REST = re.compile(r"``|:[a-z]+:`|`[^`\s][^`]*`")  # literals, roles, interpreted text


@pytest.mark.parametrize("command", [[]] + [[c] for c in COMMANDS])
def test_help_is_plain_text(command, capsys):
    assert main([*command, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: ephyto-dip")
    assert not REST.search(text), REST.search(text)


def test_help_keeps_the_paragraphs_of_a_description(capsys):
    assert main(["attach", "--help"]) == 0
    text = capsys.readouterr().out
    # the docstring's first line stays a line of its own, its markup gone
    assert "\nephyto-dip attach CERT DECLARATION [-o OUT] [--ledger L]: reference a certificate" in text
    assert "\n\nThe declaration (WCO DM DEC" in text


def test_plain_text_unwraps_rest_markup():
    assert plain_text("``--table`` and :class:`Finding` and `x`\n    indented") == "--table and Finding and x\nindented"
    assert plain_text(None) is None


def _bad_predicate_table(tmp_path):
    lines = (REPO / "mappings" / "ephyto-dip.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    head = next(i for i, ln in enumerate(lines) if not ln.startswith("#"))
    columns = lines[head].rstrip("\n").split("\t")
    row = next(i for i, ln in enumerate(lines) if ln.startswith("EPD-001\t"))
    cells = lines[row].rstrip("\n").split("\t")
    cells[columns.index("predicate")] = "skos:exact"
    lines[row] = "\t".join(cells) + "\n"
    path = tmp_path / "bad-predicate.tsv"
    path.write_text("".join(lines), encoding="utf-8")
    return path, row + 1


def test_check_keeps_allowed_values_for_verbose_and_json(tmp_path, capsys):
    path, line = _bad_predicate_table(tmp_path)
    assert main(["check", "--table", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    (finding,) = [ln for ln in out if "TABLE-PREDICATE" in ln]
    assert finding.startswith(f"{path}:{line}: error: TABLE-PREDICATE: predicate 'skos:exact'")
    assert "skos:closeMatch" not in finding  # the list of allowed values is not on the line
    # no line carries a list or an essay (the longest, a read-only alternative's path, is ~320)
    assert max(len(ln) - len(str(path)) for ln in out) < 350

    assert main(["check", "--table", str(path), "--verbose"]) == 1
    out = capsys.readouterr().out.splitlines()
    at = out.index(finding)
    assert out[at + 1].startswith("    allowed: skos:exactMatch, skos:closeMatch")

    assert main(["check", "--table", str(path), "--format", "json"]) == 1
    (item,) = [f for f in json.loads(capsys.readouterr().out)["findings"] if f["code"] == "TABLE-PREDICATE"]
    assert "sssom:NoTermFound" in item["detail"] and item["line"] == line
