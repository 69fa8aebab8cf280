"""An output never replaces an input: convert, attach and the library's write helper refuse an
output that is an input by any spelling (``./x``, ``../d/x``, a symlink, a hard link), and a
batch output directory that is, or lies inside, the input directory. Exit 2, nothing written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ephyto_dip.cli import main
from ephyto_dip.findings import OutputError
from ephyto_dip.output import refuse_output_dir_in_input_dir, write_atomic

from .helpers import REPO, sample
from .test_attach import IM030A, assert_schema_valid, certificate, line, write_cert


@pytest.fixture
def cert_dir(tmp_path, monkeypatch):
    """A directory holding a copy of a real certificate (cert.xml), a symlink and a hard link to it."""
    cert = tmp_path / "cert.xml"
    shutil.copyfile(sample("05"), cert)
    (tmp_path / "link.xml").symlink_to(cert)
    os.link(cert, tmp_path / "hard.xml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _listing(d):
    return sorted((p.relative_to(d).as_posix(), p.read_bytes()) for p in d.rglob("*") if p.is_file())


@pytest.mark.parametrize("output", ["cert.xml", "./cert.xml", "{dir}/cert.xml", "../{name}/cert.xml", "link.xml",
                                    "hard.xml", "{dir}/./sub/../cert.xml"])
def test_convert_refuses_output_over_its_input(cert_dir, capsys, output):
    before = _listing(cert_dir)
    output = output.format(dir=cert_dir, name=cert_dir.name)
    (cert_dir / "sub").mkdir()
    assert main(["convert", "cert.xml", "-o", output]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "IO-OVERWRITE-INPUT" in err and "Traceback" not in err
    assert _listing(cert_dir) == before  # the certificate and its links untouched, no temp file


def test_convert_refuses_output_over_its_mapping_table(cert_dir, capsys):
    table = cert_dir / "table.tsv"
    shutil.copyfile(REPO / "mappings" / "ephyto-dip.tsv", table)
    before = table.read_bytes()
    assert main(["convert", "cert.xml", "--table", "table.tsv", "-o", "./table.tsv"]) == 2
    assert "IO-OVERWRITE-INPUT" in capsys.readouterr().err and table.read_bytes() == before


def test_convert_to_another_file_still_writes(cert_dir):
    assert main(["convert", "cert.xml", "-o", "out.xml"]) == 0
    assert b"PhytosanitaryCertificate" in (cert_dir / "out.xml").read_bytes()


@pytest.mark.parametrize("output", ["in", "in/", "./in", "in/sub", "in/sub/deeper", "inlink", "inlink/sub"])
def test_batch_refuses_output_dir_in_its_input_dir(tmp_path, monkeypatch, capsys, output):
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "in"
    src.mkdir()
    for prefix in ("05", "06"):
        shutil.copyfile(sample(prefix), src / sample(prefix).name)
    (tmp_path / "inlink").symlink_to(src)
    before = _listing(src)
    assert main(["convert", "in", "-o", output, "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "IO-OVERWRITE-INPUT" in err and "converted" not in err
    assert _listing(src) == before and not (src / "sub").exists()


def test_batch_beside_its_input_dir_still_converts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in").mkdir()
    shutil.copyfile(sample("05"), tmp_path / "in" / "a.xml")
    assert main(["convert", "in", "-o", "in-dip", "--jobs", "1"]) == 0  # a sibling whose name starts alike
    assert (tmp_path / "in-dip" / "a.xml").exists()


def test_write_atomic_refuses_an_input(cert_dir):
    before = (cert_dir / "cert.xml").read_bytes()
    for spelling in ("cert.xml", "./link.xml", str(cert_dir / "hard.xml")):
        with pytest.raises(OutputError) as exc:
            write_atomic(spelling, b"<x/>", inputs=[cert_dir / "cert.xml"])
        assert exc.value.findings[0].code == "IO-OVERWRITE-INPUT"
    assert (cert_dir / "cert.xml").read_bytes() == before
    write_atomic("new.xml", b"<x/>", inputs=["cert.xml"])  # another file is written
    assert (cert_dir / "new.xml").read_bytes() == b"<x/>"


def test_output_dir_guard_on_a_directory_not_yet_made(tmp_path):
    with pytest.raises(OutputError):
        refuse_output_dir_in_input_dir(tmp_path / "a" / "b" / "c", tmp_path)
    refuse_output_dir_in_input_dir(tmp_path.parent / (tmp_path.name + "-out"), tmp_path)  # a sibling is fine


# ----------------------------------------------------------------------------- attach


@pytest.fixture
def declaration(tmp_path):
    dec = tmp_path / "dec.xml"
    shutil.copyfile(IM030A, dec)
    return dec


def _cert(tmp_path):
    return write_cert(tmp_path, certificate(line("070993", net="12000", unit="KGM")))


@pytest.mark.parametrize("spelling", ["dec.xml", "./dec.xml", "declink.xml"])
def test_attach_refuses_to_write_over_its_declaration(tmp_path, monkeypatch, capsys, declaration, spelling):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "declink.xml").symlink_to(declaration)
    cert = _cert(tmp_path)
    before = declaration.read_bytes()
    assert main(["attach", cert, "dec.xml", "-o", spelling]) == 2
    err = capsys.readouterr().err
    assert "IO-OVERWRITE-INPUT" in err and "Traceback" not in err
    assert declaration.read_bytes() == before


def test_attach_refuses_to_write_over_its_certificate(tmp_path, capsys, declaration):
    cert = _cert(tmp_path)
    before = Path(cert).read_bytes()
    assert main(["attach", cert, str(declaration), "-o", cert]) == 2
    assert "IO-OVERWRITE-INPUT" in capsys.readouterr().err and Path(cert).read_bytes() == before


def test_attach_in_place_rewrites_the_declaration(tmp_path, declaration):
    cert = _cert(tmp_path)
    before = declaration.read_bytes()
    assert main(["attach", cert, str(declaration), "--in-place"]) == 0
    after = declaration.read_bytes()
    assert after != before and b"123456789CO" in after
    assert_schema_valid(after)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cert.xml", "dec.xml"]  # no temp file left


def test_attach_in_place_with_another_output_is_a_usage_error(tmp_path, capsys, declaration):
    cert = _cert(tmp_path)
    before = declaration.read_bytes()
    assert main(["attach", cert, str(declaration), "--in-place", "-o", str(tmp_path / "other.xml")]) == 2
    assert "USAGE" in capsys.readouterr().err
    assert declaration.read_bytes() == before and not (tmp_path / "other.xml").exists()
