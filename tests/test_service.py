"""The library as a service calls it: any kind of source, one read per conversion, verdicts
on input and output apart, and only the library's own, documented errors."""

from __future__ import annotations

import array
import io
import os
import subprocess
import sys

import pytest

import ephyto_dip as ed
from ephyto_dip.findings import CODES

from .helpers import REPO, sample

VALID = sample("03")  # schema-valid, no error finding
INVALID = sample("01")  # fails the SPS 17 schema


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "array", "BytesIO", "open file", "str path",
                                  "PathLike"])
def test_every_kind_of_source_gives_the_same_conversion(kind):
    data = VALID.read_bytes()
    expected = ed.convert(data, name=VALID.name).to_bytes()
    source = {
        "bytes": lambda: data,
        "bytearray": lambda: bytearray(data),
        "memoryview": lambda: memoryview(data),
        "array": lambda: array.array("B", data),
        "BytesIO": lambda: io.BytesIO(data),
        "open file": lambda: open(VALID, "rb"),  # noqa: SIM115 -- the open file is the input; closed below
        "str path": lambda: str(VALID),
        "PathLike": lambda: VALID,
    }[kind]()
    try:
        result = ed.convert(source, name=VALID.name)
    finally:
        if hasattr(source, "close"):
            source.close()
    assert result.ok and result.to_bytes() == expected


def test_a_file_object_names_its_file_in_findings():
    with open(INVALID, "rb") as fh:
        findings = list(ed.iter_findings(fh))
    assert findings and all(f.file == str(INVALID) for f in findings if f.code == "XSD-EPHYTO")


def test_a_str_holding_xml_is_refused_with_a_short_message_saying_to_pass_bytes():
    text = VALID.read_text(encoding="utf-8")
    for verb in (ed.read, ed.convert, ed.validate):
        with pytest.raises(ed.UsageError) as exc:
            verb(text)
        (f,) = exc.value.findings
        assert f.code == "USAGE" and "bytes" in f.message
        assert len(str(exc.value)) < 200 and "SPSCertificate" not in str(exc.value)


def test_a_runaway_path_is_not_echoed_whole():
    with pytest.raises(ed.InputError) as exc:
        ed.read("x" * 5000)  # no newline, no '<': a path, too long for the OS
    assert exc.value.findings[0].code == "IO-READ"
    assert len(str(exc.value)) < 300


def test_a_text_mode_file_and_an_unreadable_type_are_usage_errors():
    with open(VALID, encoding="utf-8") as fh, pytest.raises(ed.UsageError, match="binary mode"):
        ed.read(fh)
    with pytest.raises(ed.UsageError, match="cannot read a int"):
        ed.read(42)  # type: ignore[arg-type]


def test_a_stream_over_the_size_cap_is_refused():
    with pytest.raises(ed.InputError) as exc:
        ed.read(io.BytesIO(VALID.read_bytes()), limits=ed.Limits(max_bytes=1000))
    assert exc.value.findings[0].code == "XML-TOO-LARGE"


def test_convert_reports_the_input_verdict_as_validate_does_from_one_read():
    for path in (VALID, INVALID):
        doc = ed.read(path.read_bytes(), name=path.name)
        expected = [f.to_dict() for f in list(ed.iter_findings(path.read_bytes(), name=path.name))]
        assert [f.to_dict() for f in list(ed.iter_findings(doc))] == expected  # an already-read document
        lenient = ed.convert(doc, lenient=True)
        assert [f.to_dict() for f in lenient.input_findings] == expected
        assert lenient.input_valid == (path == VALID)
        assert lenient.output_valid  # the table writes a schema-valid DIP of either
    refused = ed.convert(INVALID)
    assert not refused.input_valid and not refused.output_valid and refused.root is None


def test_severity_is_an_enum_that_still_reads_as_its_string():
    f = next(f for f in list(ed.iter_findings(INVALID)) if f.code == "XSD-EPHYTO")
    assert f.severity is ed.Severity.ERROR and f.severity == "error"
    assert f.to_dict()["severity"] == "error" and f"{f.severity}" == "error"
    assert ed.Finding("USAGE", "m", severity="warning").severity is ed.Severity.WARNING  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs", [{"max_depth": 10000}, {"max_depth": 0}, {"max_bytes": -1},
                                    {"max_bytes": "lots"}, {"max_depth": 2.5}])
def test_bad_limits_are_a_usage_error(kwargs):
    with pytest.raises(ed.UsageError) as exc:
        ed.Limits(**kwargs)
    assert exc.value.findings[0].code == "USAGE"


def test_sizes_take_a_suffix_and_the_deepest_cap_still_parses():
    assert ed.Limits(max_bytes="64M").max_bytes == 64 * 1024 * 1024  # type: ignore[arg-type]
    assert ed.convert(VALID, limits=ed.Limits(max_depth=256)).ok


def _python(code: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": str(REPO / "src"), **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=60)


def test_environment_values_are_read_when_used_and_a_bad_one_is_a_usage_error():
    code = (f"import ephyto_dip as ed\n"
            f"try:\n    ed.read({str(VALID)!r})\n"
            f"except ed.UsageError as e:\n    print('USAGE', e.findings[0].message)\n")
    bad = _python(code, EPHYTO_DIP_MAX_DEPTH="64M")
    assert bad.returncode == 0, bad.stderr  # importing did not fail
    assert bad.stdout.startswith("USAGE") and "EPHYTO_DIP_MAX_DEPTH" in bad.stdout
    ok = _python("import ephyto_dip as ed; print(ed.Limits().max_bytes)", EPHYTO_DIP_MAX_BYTES="64M")
    assert ok.stdout.strip() == str(64 * 1024 * 1024)


def test_the_cli_exits_2_on_a_bad_environment_value(tmp_path):
    done = subprocess.run([sys.executable, "-m", "ephyto_dip.cli", "convert", str(VALID),
                           "-o", str(tmp_path / "o.xml")],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src"), "EPHYTO_DIP_MAX_BYTES": "big"})
    assert done.returncode == 2 and "EPHYTO_DIP_MAX_BYTES" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "o.xml").exists()


def test_every_error_class_is_the_librarys_own_and_carries_documented_findings():
    for cls in (ed.InputError, ed.UsageError, ed.ConversionError, ed.TableError, ed.OutputError,
                ed.UnsupportedDocumentError):
        assert issubclass(cls, ed.EphytoDipError)
    for source in (b"", b"<a", "<x/>", 3.5):
        with pytest.raises(ed.EphytoDipError) as exc:
            ed.convert(source)  # type: ignore[arg-type]
        assert exc.value.findings and all(f.code in CODES for f in exc.value.findings)


def test_warm_up_then_convert_gives_the_same_bytes():
    before = ed.convert(VALID).to_bytes()
    ed.warm_up(VALID.read_bytes())
    assert ed.convert(VALID).to_bytes() == before


def test_threads_starting_together_wait_for_one_preparation(monkeypatch):
    import threading

    from ephyto_dip import conversion
    from ephyto_dip.mapping.plans import plan_for
    from ephyto_dip.mapping.table import default_table_path, parse_table
    from ephyto_dip.tsv import read_table_text

    table = parse_table(read_table_text(default_table_path()), "fresh.tsv")  # a table no one has planned
    calls, real = [], conversion.warm_up
    monkeypatch.setattr(conversion, "warm_up", lambda **kw: (calls.append(kw["to"]), real(**kw)))
    data, barrier, outputs = VALID.read_bytes(), threading.Barrier(8), []

    def work():
        barrier.wait()
        outputs.append(ed.convert(data, name=VALID.name, table=table).to_bytes())

    threads = [threading.Thread(target=work) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert calls == ["dip"] and len(set(outputs)) == 1 and outputs[0] == ed.convert(data, name=VALID.name).to_bytes()
    # every context is planned for reading the ePhyto side and for writing the DIP side
    group = next(r for r in table.rows if r.kind == "group" and r.paths.get("ephyto") and r.paths.get("dip"))
    assert "ephyto" in group.parent.children.plans if group.parent else "ephyto" in table.roots.plans
    assert any(k[0] == "write" and k[1] == "dip" for k in table.roots.plans if isinstance(k, tuple))
    assert plan_for(table.roots, "ephyto") is table.roots.plans["ephyto"]


def test_threads_asking_for_a_table_at_once_wait_for_one_parse(tmp_path, monkeypatch):
    import threading

    from ephyto_dip.mapping import table as tables
    from ephyto_dip.tsv import read_table_text

    copy = tmp_path / "table.tsv"
    copy.write_text(read_table_text(tables.default_table_path()), encoding="utf-8")
    parses, real = [], tables.parse_table
    monkeypatch.setattr(tables, "parse_table", lambda text, name: (parses.append(name), real(text, name))[1])
    barrier, loaded = threading.Barrier(8), []

    def work():
        barrier.wait()
        loaded.append(tables.load_table(copy))

    threads = [threading.Thread(target=work) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(parses) == 1 and len(loaded) == 8 and all(t is loaded[0] for t in loaded)


def test_a_long_real_path_keeps_its_whole_name(tmp_path):
    deep = tmp_path / ("a" * 100) / ("b" * 100)
    deep.mkdir(parents=True)
    cert = deep / "certificate.xml"
    cert.write_bytes(VALID.read_bytes())
    assert ed.read(str(cert)).name == str(cert) and ed.read(cert).name == str(cert)


def test_the_verbs_stay_functions_after_the_cli_ran(tmp_path, capsys):
    """A submodule of the same name as a verb would replace it on the package once imported."""
    import ephyto_dip as ed
    from ephyto_dip.cli import main

    assert main(["convert", str(REPO / "examples" / "BO-EC_851_wood-decking.xml"), "-o", str(tmp_path / "o.xml")]) == 0
    for name in ed.__all__:
        value = getattr(ed, name)
        assert not isinstance(value, type(ed)), f"ed.{name} is a module"
    assert ed.convert(REPO / "examples" / "BO-EC_851_wood-decking.xml").output_valid


_FIRST_CALL = r"""
import sys
import ephyto_dip as ed

prepared_at_import = "ephyto_dip.conversion" in sys.modules and "ephyto_dip.mapping.writer" in sys.modules
from ephyto_dip import conversion

def prepare_again(**kw):
    raise SystemExit("the first convert prepared its direction again")

conversion.warm_up = prepare_again  # what a first call runs if nothing was prepared
try:
    ok = ed.convert(open(sys.argv[1], "rb").read()).output_valid
except SystemExit as exc:
    ok = str(exc)
print(prepared_at_import, ok)
"""


@pytest.mark.parametrize(("preload", "expected"), [(None, "True True"), ("0", "False the first convert prepared "
                                                                              "its direction again")])
def test_import_prepares_the_conversion_to_the_dip_unless_told_not_to(preload, expected):
    """A service's first request costs what a later one does: the import prepared it all
    (EPHYTO_DIP_PRELOAD=0 leaves it to the first call, which then prepares it)."""
    env = {k: v for k, v in os.environ.items() if k != "EPHYTO_DIP_PRELOAD"}
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    if preload is not None:
        env["EPHYTO_DIP_PRELOAD"] = preload
    done = subprocess.run([sys.executable, "-c", _FIRST_CALL, str(VALID)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == expected
