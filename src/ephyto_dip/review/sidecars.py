"""The tables that sit beside the element table and must agree with it, as ``check`` runs them.

* ``ispm12-crosswalk.tsv``: the box-level crosswalk (TABLE-CROSSWALK, :mod:`ephyto_dip.review.crosswalk`);
* ``wco-dmr.tsv`` and ``sps-structure.tsv``: every row without a WCO term is in a proposed
  DMR or in the SPS-structure list (TABLE-GAP, :mod:`ephyto_dip.review.dmr`);
* ``codelist-crosswalks.tsv``: the code-list crosswalks (TABLE-CODELIST, :mod:`ephyto_dip.review.codelist_crosswalk`).

Each is checked when it lies in the element table's directory (``mappings/`` for the shipped
table), so a table copied elsewhere to try an edit is checked on its own.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from ..findings import Finding
from ..mapping.table import Table


def check_sidecars(table: Table, table_path: FsPath, boxes: list[str],
                   crosswalk_path: str | FsPath | None = None) -> list[Finding]:
    out: list[Finding] = []
    here = FsPath(table_path).parent
    cw = FsPath(crosswalk_path) if crosswalk_path else here / "ispm12-crosswalk.tsv"
    if crosswalk_path or cw.is_file():
        from .crosswalk import check_shipped

        out += check_shipped(table, cw, boxes)
    if (here / "wco-dmr.tsv").is_file():
        from .dmr import check_accounted

        out += check_accounted(table, here)
    if (here / "codelist-crosswalks.tsv").is_file():
        from .codelist_crosswalk import check_codelist_crosswalk

        out += check_codelist_crosswalk(table, here / "codelist-crosswalks.tsv")
    return out
