"""``ephyto-dip diff``: two versions of the table, compared row by row for a reviewer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ephyto_dip.cli import main
from ephyto_dip.findings import TableError
from ephyto_dip.mapping.table import load_table, parse_table

SHIPPED = Path(load_table().path)


def _split(text: str) -> tuple[list[str], list[str], list[list[str]]]:
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    return lines[:at], lines[at].split("\t"), [line.split("\t") for line in lines[at + 1 :] if line.strip()]


def _join(meta: list[str], header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(meta + ["\t".join(header)] + ["\t".join(r) for r in rows]) + "\n"


@pytest.fixture
def versions(tmp_path):
    """OLD = the shipped table; NEW = one predicate changed, one row removed, one added, version bumped."""
    meta, header, rows = _split(SHIPPED.read_text(encoding="utf-8"))
    col = header.index
    old_version = next(line for line in meta if line.startswith("#mapping_set_version:")).split(":", 1)[1].strip()
    changed, removed = rows[0], rows[2]
    old_predicate = changed[col("predicate")]
    new_predicate = "skos:relatedMatch" if old_predicate != "skos:relatedMatch" else "skos:closeMatch"
    new_rows = []
    for r in rows:
        if r is removed:
            continue
        if r is changed:
            r = list(r)
            r[col("predicate")] = new_predicate
        new_rows.append(r)
    added = list(rows[5])
    added[col("mapping_id")] = "EPD-NEW-1"
    added[col("justification")] = "a new row"
    new_rows.append(added)
    new_meta = [f"#mapping_set_version: {old_version}.1" if line.startswith("#mapping_set_version:") else line
                for line in meta]
    old, new = tmp_path / "old.tsv", tmp_path / "new.tsv"
    old.write_text(_join(meta, header, rows), encoding="utf-8")
    new.write_text(_join(new_meta, header, new_rows), encoding="utf-8")
    return {
        "old": old, "new": new, "changed": changed[0], "removed": removed[0], "added": "EPD-NEW-1",
        "old_predicate": old_predicate, "new_predicate": new_predicate,
        "old_version": old_version, "new_version": f"{old_version}.1",
    }


def test_text_names_each_change_with_its_mapping_id_and_columns(versions, capsys):
    v = versions
    assert main(["diff", str(v["old"]), str(v["new"])]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert f'metadata #mapping_set_version: "{v["old_version"]}" -> "{v["new_version"]}"' in lines
    assert any(line.startswith(f"- {v['removed']} removed") for line in lines)
    assert any(line.startswith(f"+ {v['added']} added") for line in lines)
    assert any(line.startswith(f"~ {v['changed']} changed (predicate)") for line in lines)
    assert f'    predicate: "{v["old_predicate"]}" -> "{v["new_predicate"]}"' in lines
    assert "1 added, 1 removed, 1 changed, 0 moved" in out
    # nothing else: 440 rows compared, three differ
    assert sum(line[:2] in ("- ", "+ ", "~ ", "> ") for line in lines) == 3


def test_json_names_each_change(versions, capsys):
    v = versions
    assert main(["diff", str(v["old"]), str(v["new"]), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["identical"] is False
    assert data["metadata"] == [{"key": "mapping_set_version", "old": v["old_version"], "new": v["new_version"]}]
    assert [r["mapping_id"] for r in data["added"]] == [v["added"]]
    assert data["added"][0]["justification"] == "a new row"
    assert [r["mapping_id"] for r in data["removed"]] == [v["removed"]]
    (change,) = data["changed"]
    assert change["mapping_id"] == v["changed"] and change["columns"] == ["predicate"]
    assert change["changes"] == [{"column": "predicate", "old": v["old_predicate"], "new": v["new_predicate"]}]
    assert data["moved"] == [] and data["notes"] == []


def test_markdown_for_a_pull_request(versions, capsys):
    v = versions
    assert main(["diff", str(v["old"]), str(v["new"]), "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert f"| {v['changed']} " in md and "| `predicate` |" in md
    assert f"| removed | {v['removed']} |" in md.replace("\\-", "-")
    assert f"| added | {v['added']} |" in md.replace("\\-", "-")
    assert "`#mapping_set_version`" in md


def test_identical_tables_exit_0(capsys):
    assert main(["diff", str(SHIPPED), str(SHIPPED), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["identical"] is True and data["summary"] == {"added": 0, "removed": 0, "changed": 0, "moved": 0,
                                                               "metadata": 0}
    assert main(["diff", str(SHIPPED), str(SHIPPED)]) == 0
    assert "no differences" in capsys.readouterr().out


def test_moved_rows_and_reordered_columns(tmp_path, capsys):
    meta, header, rows = _split(SHIPPED.read_text(encoding="utf-8"))
    moved = rows[10]
    reordered = rows[:10] + rows[11:30] + [moved] + rows[30:]
    perm = list(reversed(range(len(header))))  # column order is not a change
    new = tmp_path / "new.tsv"
    new.write_text(_join(meta, [header[i] for i in perm], [[r[i] for i in perm] for r in reordered]), encoding="utf-8")
    assert main(["diff", str(SHIPPED), str(new), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["moved"] == [moved[0]]
    assert data["changed"] == [] and data["added"] == [] and data["removed"] == []


def test_a_broken_table_still_diffs(tmp_path, capsys):
    meta, header, rows = _split(SHIPPED.read_text(encoding="utf-8"))
    col = header.index
    broken = [list(r) for r in rows]
    broken[7][col("ephyto_path")] = "rsm:[[not a path"
    broken[8] = broken[8][:5]  # a ragged row
    new = tmp_path / "broken.tsv"
    new.write_text(_join(meta, header, broken), encoding="utf-8")
    with pytest.raises(TableError):
        parse_table(new.read_text(encoding="utf-8"), str(new))
    assert main(["diff", str(SHIPPED), str(new), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    by_id = {c["mapping_id"]: c for c in data["changed"]}
    assert by_id[rows[7][0]]["columns"] == ["ephyto_path"]
    assert by_id[rows[7][0]]["changes"][0]["new"] == "rsm:[[not a path"
    assert rows[8][0] in by_id and "dip_path" not in by_id[rows[8][0]]["columns"]
    assert [n["line"] for n in data["notes"]] == [len(meta) + 2 + 8]  # header, then rows from 0
    assert main(["diff", str(SHIPPED), str(new)]) == 0
    err = capsys.readouterr().err
    assert "TABLE-SYNTAX" in err and "broken.tsv" in err


def test_added_column_and_metadata_key(tmp_path, capsys):
    meta, header, rows = _split(SHIPPED.read_text(encoding="utf-8"))
    new = tmp_path / "new.tsv"
    new.write_text(_join([*meta, "#reviewed_by: WCO DMPT"], [*header, "note"], [[*r, ""] for r in rows]),
                   encoding="utf-8")
    assert main(["diff", str(SHIPPED), str(new), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["columns"] == {"added": ["note"], "removed": []}
    assert data["metadata"] == [{"key": "reviewed_by", "old": None, "new": "WCO DMPT"}]
    assert data["changed"] == []


@pytest.mark.parametrize("content", [None, b"\xff\xfe\x00binary", b"#mapping_set_version: 1\nno\theader\n"])
def test_unreadable_input_exits_2(tmp_path, capsys, content):
    bad = tmp_path / "bad.tsv"
    if content is not None:
        bad.write_bytes(content)
    assert main(["diff", str(SHIPPED), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.tsv" in err and ("IO-READ" in err or "TABLE-SYNTAX" in err) and "Traceback" not in err
