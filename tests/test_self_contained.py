"""A clone of the repository alone runs: nothing reads outside it, every fixture says where it came from."""

from __future__ import annotations

import hashlib
import re

import pytest

from .helpers import DATA, REPO, SAMPLES, SAMPLES_DIR

# Ways code has reached the reference folder beside the checkout: a relative path, a path
# built from the checkout's parent, or the absolute location of the workspace.
# The folder's name is assembled here so that this file does not itself spell a way out.
_REF = "sha" + "red"
OUTSIDE = re.compile(rf"""\.\./{_REF}|parents?\b[^\n]{{0,40}}["']{_REF}["']|/work/{_REF}""")
SCANNED = ["src", "tests", "tools", "benchmarks", ".ci"]


def _code_files():
    for top in SCANNED:
        for path in sorted((REPO / top).rglob("*")):
            if path.is_file() and path.suffix not in (".xml", ".xsd", ".tsv", ".md", ".png", ".pyc"):
                yield path


def test_no_code_reads_outside_the_repository():
    files = list(_code_files())
    assert any(p.name == "helpers.py" for p in files)  # the scan sees the test helpers
    hits = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert hits == []


@pytest.mark.parametrize("line", [
    f'SHARED = REPO.parent / "{_REF}"',
    f"open('../{_REF}/upstream/x.xml')",
    f'ROOT.parents[1] / "{_REF}" / "research"',
    f'Path("/work/{_REF}/upstream")',
])
def test_the_scan_catches_the_ways_out(line):
    assert OUTSIDE.search(line)


def test_the_scan_leaves_ordinary_words_alone():
    assert not OUTSIDE.search("shared = sorted(w for w in item.tokens)  # words shared")


def test_the_nine_real_samples_are_bundled_as_listed():
    listed = dict(
        reversed(line.split())
        for line in (SAMPLES_DIR / "SOURCES.md").read_text(encoding="utf-8").splitlines()
        if re.fullmatch(r"[0-9a-f]{40}  \S+\.xml", line)
    )
    assert len(SAMPLES) == 9 and sorted(listed) == [p.name for p in SAMPLES]
    for path in SAMPLES:
        assert hashlib.sha1(path.read_bytes()).hexdigest() == listed[path.name], path.name


def test_every_fixture_has_a_sources_entry():
    missing = []
    for path in sorted(DATA.rglob("*")):
        if path.is_file() and path.name != "SOURCES.md":
            sources = path.parent / "SOURCES.md"
            if not sources.is_file() or path.name not in sources.read_text(encoding="utf-8"):
                missing.append(path.relative_to(REPO).as_posix())
    assert missing == []
