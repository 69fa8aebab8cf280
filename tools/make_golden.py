"""Regenerate the golden DIP files in examples/ (run after a deliberate table change).

Each examples/<name>.xml that is an ePhyto certificate or Hub envelope gets
examples/golden/<name>.dip.xml and <name>.dip.json; tests/test_golden.py compares
conversions with them byte for byte and validates them against the DIP schema.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import ephyto_dip as ed  # noqa: E402


def golden_pairs():
    for src in sorted((ROOT / "examples").glob("*.xml")):
        golden = ROOT / "examples" / "golden"
        yield src, golden / f"{src.stem}.dip.xml", golden / f"{src.stem}.dip.json"


def main() -> int:
    for src, xml_out, json_out in golden_pairs():
        result = ed.convert(src)
        if not result.ok:
            print(f"{src.name}: conversion has errors; not written", file=sys.stderr)
            return 1
        xml_out.parent.mkdir(exist_ok=True)
        xml_out.write_bytes(result.to_bytes("xml"))
        json_out.write_bytes(result.to_bytes("json"))
        print(f"wrote {xml_out.relative_to(ROOT)}, {json_out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
