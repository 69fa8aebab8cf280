"""The public API is typed: a small service client (examples/service_client.py, shown in
docs/service.md) passes ``mypy --strict``, and the same client with one attribute misspelt fails,
so the check reads real types, not ``Any``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .helpers import EXAMPLES, REPO

CONFIG = """[mypy]
strict = True
cache_dir = {cache}

[mypy-ephyto_dip.*]
# the library's own internals are not the client's concern (as for an installed package)
ignore_errors = True

[mypy-lxml.*]
ignore_missing_imports = True
"""


def mypy(path, tmp_path) -> subprocess.CompletedProcess:
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install '.[test]'")
    config = tmp_path / "mypy.ini"
    config.write_text(CONFIG.format(cache=tmp_path / "cache"), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(config), str(path)],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={"MYPYPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}, timeout=600)


def test_the_service_client_passes_mypy_strict(tmp_path):
    client = EXAMPLES / "service_client.py"
    done = mypy(client, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    wrong = tmp_path / "wrong_client.py"
    wrong.write_text(client.read_text(encoding="utf-8").replace("answer.accepted", "answer.acepted"), encoding="utf-8")
    failed = mypy(wrong, tmp_path)
    assert failed.returncode == 1 and '"Answer" has no attribute "acepted"' in failed.stdout


def test_a_misspelt_finding_code_fails_the_type_check(tmp_path):
    # Finding.code is the Literal of every documented code: comparing it with a code that does not
    # exist is a type error under --strict (strict equality), as a misspelt constant is
    client = (EXAMPLES / "service_client.py").read_text(encoding="utf-8")
    assert "f.code == codes.RULE_MANDATORY" in client
    for typo, says in (('f.code == "RULE-MANDATRY"', "Non-overlapping equality check"),
                       ("f.code == codes.RULE_MANDATRY", 'has no attribute "RULE_MANDATRY"')):
        wrong = tmp_path / "typo_client.py"
        wrong.write_text(client.replace("f.code == codes.RULE_MANDATORY", typo), encoding="utf-8")
        failed = mypy(wrong, tmp_path)
        assert failed.returncode == 1 and says in failed.stdout, failed.stdout


def test_the_service_client_runs(tmp_path):
    import json
    import re
    import runpy

    client = runpy.run_path(str(EXAMPLES / "service_client.py"))
    answer = json.loads(client["handle"]((EXAMPLES / "BO-EC_851_wood-decking.xml").read_bytes(), "cert.xml"))
    assert answer["ok"] is True and answer["errors"] == 0
    bad = json.loads(client["handle"](b"<not xml", "bad.xml"))
    assert bad["ok"] is False and bad["findings"][0]["code"] == "XML-MALFORMED"
    wood = (EXAMPLES / "BO-EC_851_wood-decking.xml").read_bytes()
    assert client["missing_boxes"](wood) == []
    assert client["accept"](wood) is True
    lacking = re.sub(rb"<ram:ScientificName>[^<]*</ram:ScientificName>", b"", wood)
    assert any("botanical" in m.lower() for m in client["missing_boxes"](lacking)), client["missing_boxes"](lacking)
    assert client["accept"](lacking) is False
    cert = (EXAMPLES / "attach" / "constructed_CL-GB_851_courgettes.xml").read_bytes()
    declaration = (EXAMPLES / "attach" / "Step1_TT_IM030a.xml").read_bytes()
    assert client["link"](cert, declaration, str(tmp_path / "ledger.db")) is True
    assert client["link"](cert, declaration, str(tmp_path / "ledger.db")) is True  # re-lodged: replaces its hold
