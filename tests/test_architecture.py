"""The shape of the package, kept by tests: the folders show the flow (reading -> mapping ->
validation -> review; linkage and testing beside, commands on top), imports run one way, and
modules stay small enough to read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "ephyto_dip"

# rank of each part: a module may import only parts of the same or a lower rank
RANKS = {
    "__version__": 0,  # the package's version string, which anything may print
    "findings": 0, "codes": 0, "jsontypes": 0, "resources": 0, "tsv": 0, "output": 0,
    "reading": 1,
    "mapping": 2,
    "documents": 3,  # the facade that ties reading and mapping: read, to_dip, to_ephyto
    "validation": 4,
    "conversion": 5,
    "review": 6, "linkage": 6,
    "testing": 7,
    "findings_doc": 8, "commands": 8, "cli": 8, "__init__": 8,
}
MAX_LINES = 400
# generated from another module by a tool (a test keeps each current): read the source instead
GENERATED = {"reading/shapes.py"}
# modules still over MAX_LINES, with their size when this list was written: it may only shrink
STILL_TO_SPLIT: dict[str, int] = {}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        parts = list(rel.with_suffix("").parts)
        yield path, rel, parts


def _part(dotted: list[str]) -> str:
    return dotted[0] if dotted else "__init__"


def _imports(path: Path, parts: list[str]):
    package = parts[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = base + (node.module.split(".") if node.module else [])
            elif node.module and node.module.split(".")[0] == "ephyto_dip":
                target = node.module.split(".")[1:]
            else:
                continue
            if not target:  # from . import x: x is a part, or a name of the package itself
                name = node.names[0].name
                is_part = (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").exists()
                target = [name] if is_part else ["__version__" if name == "__version__" else "__init__"]
            yield node.lineno, target
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "ephyto_dip" and a.name != "ephyto_dip":
                    yield node.lineno, a.name.split(".")[1:]


@pytest.mark.parametrize("path, rel, parts", list(_modules()), ids=lambda x: str(x) if isinstance(x, Path) else None)
def test_imports_run_one_way(path, rel, parts):
    own = _part(parts)
    assert own in RANKS, f"{rel}: a new top-level part; give it a rank in RANKS"
    for line, target in _imports(path, parts):
        other = _part(target)
        assert other in RANKS, f"{rel}:{line} imports an unknown part {'.'.join(target)}"
        assert RANKS[other] <= RANKS[own], (
            f"{rel}:{line} imports {'.'.join(target)}: {own} (rank {RANKS[own]}) must not depend on "
            f"{other} (rank {RANKS[other]})")


def test_modules_are_small_enough_to_read_in_one_sitting():
    sizes = {str(rel): len(path.read_text(encoding="utf-8").splitlines()) for path, rel, _ in _modules()
             if str(rel) not in GENERATED}
    over = {m: n for m, n in sizes.items() if n > MAX_LINES}
    assert set(over) <= set(STILL_TO_SPLIT), f"new modules over {MAX_LINES} lines: {set(over) - set(STILL_TO_SPLIT)}"
    for m, n in over.items():
        assert n <= STILL_TO_SPLIT[m], f"{m} grew to {n} lines (was {STILL_TO_SPLIT[m]}): split it instead"
    small = set(STILL_TO_SPLIT) - set(over)
    assert not small, f"now small enough, take off STILL_TO_SPLIT: {small}"


def test_no_private_name_is_imported_across_modules():
    found = []
    for path, rel, _parts in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("ephyto_dip")):
                found += [f"{rel}:{node.lineno} {a.name}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == [], found


def test_no_cache_is_keyed_by_object_identity():
    # an id() can be reused once its object is gone: caches are keyed by content or path, or
    # live on the object they describe (the table's Rows keep their plans)
    found = [f"{rel}:{node.lineno}" for path, rel, _ in _modules()
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "id"]
    assert found == [], found


def test_plans_live_with_the_table_rows():
    from ephyto_dip.mapping.plans import plan_for
    from ephyto_dip.mapping.table import Rows, load_table

    table = load_table(None)
    group = next(r for r in table.rows if r.children)
    assert isinstance(table.roots, Rows) and isinstance(group.children, Rows)
    assert plan_for(group.children, "dip") is plan_for(group.children, "dip")  # made once, kept with the rows
    assert plan_for(list(group.children), "dip") is not plan_for(list(group.children), "dip")  # a plain list: per call
