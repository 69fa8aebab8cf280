"""The mapping table's alignment, made checkable: ``ephyto-dip check`` and ``ephyto-dip gaps``.

:func:`check_table` verifies, row by row, what a reviewer would otherwise take on trust:

* every path exists in its schema (resolved through the XSDs from the root, following each
  group row's context; predicates, positions, alternatives and attributes included);
* every field of the model has a row; every ISPM 12 box has a row carrying it on both sides;
* every element of both schemas is mapped or excluded with a reason (``mappings/exclusions.tsv``);
* predicates, cardinalities and code lists agree with what the round trip needs;
* every WCO claim agrees with the WCO-annotated list it cites.

Each check lives in its own module (``schema_paths``, ``coverage``, ``reversibility``,
``codelist_check``, ``wco_sources``, ``sidecars`` for the crosswalk and DMR tables); this one
runs them in order. :func:`gap_list` lists the WCO formats the table had to widen; the proposed WCO Data
Maintenance Requests are data (``mappings/wco-dmr.tsv``, :mod:`ephyto_dip.review.dmr`). See
``docs/alignment.md``.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from ..findings import ERROR, WARNING, Finding, TableError
from ..mapping.exclusions import load_exclusions
from ..mapping.formats import format_wider
from ..mapping.table import Table, default_table_path, parse_table
from ..reading.schema_info import SchemaInfo
from ..tsv import read_table_text
from .codelist_check import check_codelists
from .coverage import check_boxes, check_fields, load_boxes, model_fields  # noqa: F401  (model_fields: API)
from .gaps import gap_list  # noqa: F401  (the gaps verb, beside check)
from .reversibility import check_reversibility
from .schema_paths import CHECK_CODES, Resolver, unmapped_elements
from .wco_sources import check_wco_claims, cites_element

# ===================================================================================== check


def check_table(
    table_path: str | FsPath | None = None,
    *,
    exclusions_path: str | FsPath | None = None,
    boxes_path: str | FsPath | None = None,
    crosswalk_path: str | FsPath | None = None,
) -> list[Finding]:
    """Every alignment finding for the table at ``table_path`` (the shipped one by default).

    The box-level crosswalk and the DMR tables are checked when they lie beside the table
    (as in ``mappings/``) or ``crosswalk_path`` names the crosswalk.

    Raises :class:`TableError` only when the table (or the exclusions or box list) cannot be
    read at all; anything wrong inside is a finding naming the row.
    """
    path = FsPath(table_path) if table_path else default_table_path()
    name = str(path)
    table, findings = _parse(path)
    if table is None:
        return findings
    excl = load_exclusions(exclusions_path)
    boxes = load_boxes(boxes_path)
    for side, info in (("ephyto", _ephyto_info()), ("dip", _dip_info())):
        resolver = Resolver(table, side, info, name)
        resolver.run()
        findings += resolver.findings
        findings += unmapped_elements(side, info, resolver, excl)
    findings += check_fields(table, name)
    findings += check_boxes(table, boxes, name)
    unresolved = {f.mapping_id for f in findings
                  if f.code in CHECK_CODES.values() and f.severity == ERROR and f.mapping_id is not None}
    findings += check_reversibility(table, name, unresolved)
    findings += check_codelists(table, path)
    findings += check_formats(table, name)
    findings += check_wco_claims(table, name)
    from .sidecars import check_sidecars

    findings += check_sidecars(table, path, [b.box for b in boxes], crosswalk_path)
    return findings


def check_formats(table: Table, name: str = "<table>") -> list[Finding]:
    """TABLE-FORMAT: ``wco_format`` is the WCO's own; a DIP format that widens it needs its reason."""
    out: list[Finding] = []
    for row in table.rows:
        official, own, reason = row["wco_format"], row["dip_format"], row["dip_format_reason"]
        if official and not row["wco_id"] and not cites_element(row):
            out.append(Finding("TABLE-FORMAT", f"wco_format {official} on a row without a WCO ID: an IPPC "
                               "extension element has no WCO format; put its format in dip_format",
                               file=name, line=row.line, mapping_id=row.id))
        elif own and official and own != official and format_wider(own, official) and not reason:
            out.append(Finding("TABLE-FORMAT", f"dip_format {own} widens the WCO format {official} without a "
                               "reason in dip_format_reason", severity=WARNING, file=name, line=row.line,
                               mapping_id=row.id))
    return out


def _parse(path: FsPath) -> tuple[Table | None, list[Finding]]:
    text = read_table_text(path)
    try:
        return parse_table(text, str(path)), []
    except TableError as exc:
        found = list(exc.findings)
    # go on with the rows that parse, so one bad row does not hide every other finding
    try:
        return parse_table(text, str(path), strict=False), found
    except TableError as exc:  # no header, missing columns: not a table to check (exit 2)
        raise TableError(found + [f for f in exc.findings if f not in found]) from None


def _ephyto_info() -> SchemaInfo:
    from ..reading.schemas import ephyto_schema_info

    return ephyto_schema_info()


def _dip_info() -> SchemaInfo:
    from ..reading.schemas import dip_schema_info

    return dip_schema_info()
