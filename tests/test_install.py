"""An installed (non-editable) package works from any directory: data files ship inside it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from .helpers import REPO, sample


def test_wheel_installs_and_reads_a_certificate_outside_the_tree(tmp_path):
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels), str(REPO)],
        capture_output=True, text=True)
    if build.returncode != 0:  # no hatchling in this environment: build in isolation
        build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO)],
                               capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ephyto_dip/_data/mappings/ephyto-dip.tsv" in names
    assert "ephyto_dip/_data/schemas/dip/ePhytoDIP_1p0.xsd" in names
    assert "ephyto_dip/py.typed" in names
    assert "ephyto_dip/review/templates/report.html.j2" in names
    assert "ephyto_dip/_data/mappings/attach-uk-cds.tsv" in names
    assert "ephyto_dip/_data/mappings/codelists/status-function.tsv" in names
    assert any(n.startswith("ephyto_dip/_data/schemas/wco-dec/") for n in names)
    assert any(n.startswith("ephyto_dip/_data/schemas/codelists/") for n in names)
    target = tmp_path / "site"
    inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)],
                          capture_output=True, text=True)
    assert inst.returncode == 0, inst.stderr
    code = (
        "import ephyto_dip, sys; "
        "assert 'site' in ephyto_dip.__file__, ephyto_dip.__file__; "
        f"r = ephyto_dip.convert({str(sample('03'))!r}); "
        "assert r.ok; "
        f"f = list(ephyto_dip.iter_findings({str(sample('05'))!r})); "
        "assert not [x for x in f if x.severity == 'error'], f; "
        "from ephyto_dip.review.alignment import check_table; "
        "assert not [x for x in check_table() if x.severity == 'error']; "
        "from ephyto_dip.review.report import build_report, render_html; "
        "assert 'EPD-001' in render_html(build_report()); "
        "print(r.root.findtext('{urn:ephyto-dip:datamodel:ePhytoDIP:1}PhytosanitaryCertificate/{urn:ephyto-dip:datamodel:ePhytoDIP:1}ID'))"
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "123456789CO"
