"""``check``: the code lists a row names are complete for the values the rules accept, declare
their policy, and agree with the literals of their group rows (``TABLE-CODELIST``)."""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import TYPE_CHECKING

from ..findings import ERROR, WARNING, Finding, Severity, TableError
from ..mapping.codelists import POLICIES, CodeList, parse_codelist
from ..mapping.table import Row, Table
from .reversibility import MANY_TO_ONE

if TYPE_CHECKING:
    from ..codes import FindingCode

# Codes each code list must translate: the values the ISPM 12 rules accept as valid
# (ePhyto status, UNTDID 4405: 70 issued, 40 withdrawn; 44 replaced is refused, see status-function.tsv).
REQUIRED_CODES: dict[str, tuple[str, ...]] = {"status-function": ("70", "40")}


# ----------------------------------------------------------------------------- code lists


def _codelist(name: str, table_path: FsPath) -> tuple[CodeList | None, str | None]:
    """The code list ``name`` beside the table (``codelists/``), else the shipped one."""
    from ..resources import resource_path

    for p in (table_path.parent / "codelists" / f"{name}.tsv", resource_path("mappings", "codelists", f"{name}.tsv")):
        if p.is_file():
            try:
                return parse_codelist(p.read_text(encoding="utf-8"), name), str(p)
            except TableError:
                return None, str(p)
    return None, None


def check_codelists(table: Table, table_path: str | FsPath) -> list[Finding]:
    """TABLE-CODELIST (complete, consistent, policy declared) and TABLE-REVERSIBILITY of code-list rows."""
    table_path = FsPath(table_path)
    name = str(table_path)
    findings: list[Finding] = []
    users: dict[str, list[Row]] = {}
    for row in table.rows:
        if row["codelist"]:
            users.setdefault(row["codelist"], []).append(row)
    for cl_name, rows in users.items():
        first = rows[0]
        cl, where = _codelist(cl_name, table_path)

        def add(code: FindingCode, msg: str, severity: Severity = ERROR, row: Row = first, file: str | None = where,
                detail: str | None = None, cl_name: str = cl_name) -> None:
            findings.append(Finding(code, msg, severity=severity, file=file or name,
                                    line=None if file else row.line, mapping_id=row.id, value=cl_name,
                                    detail=detail))

        if cl is None:
            add("TABLE-CODELIST", f"code list {cl_name} (used by {first.id}) is missing or unreadable")
            continue
        if "unmapped" not in cl.metadata:
            add("TABLE-CODELIST", f"code list {cl_name} does not declare its #unmapped policy",
                detail=f"policies: {', '.join(POLICIES)}")
        if cl.policy == "fixed" and not cl.fixed:
            add("TABLE-CODELIST", f"code list {cl_name}: policy fixed without a #fixed value")
        for code in REQUIRED_CODES.get(cl_name, ()):
            if code not in cl.forward:
                add("TABLE-CODELIST", f"code list {cl_name} has no row for ePhyto code {code}, which the ISPM 12 "
                                      "rules accept as valid")
        fwd: dict[str, set[str]] = {}
        rev: dict[str, set[str]] = {}
        for e, d in cl.pairs:
            fwd.setdefault(e, set()).add(d)
            rev.setdefault(d, set()).add(e)
        for e, ds in fwd.items():
            unconditional = [d for d, when in cl.choices.get(e, []) if not when]
            if len(ds) > 1 and (len(unconditional) != 1 or cl.choices[e][-1][1]):
                add("TABLE-CODELIST", f"code list {cl_name}: ePhyto code {e} has several DIP codes "
                                      f"({', '.join(sorted(ds))}); only the first would ever be written "
                                      "(rows with a `when` field must come before the one unconditional row)")
        # a value row translates values; a group row's code list says which literal its DIP path holds
        values = [r for r in rows if r.kind != "group"]
        for row in rows:
            if row.kind == "group":
                why = _group_literal_disagrees(row, cl)
                if why:
                    add("TABLE-CODELIST", f"{row.id}: {why}", row=row, file=None)
        merged = {d: es for d, es in rev.items() if len(es) > 1}
        if merged and values and not all(r["cardinality"] in MANY_TO_ONE for r in values):
            for d, es in sorted(merged.items()):
                add("TABLE-CODELIST", f"code list {cl_name}: DIP code {d} is used for ePhyto codes "
                                      f"{', '.join(sorted(es))}; every DIP value must be unique")
        if values:
            _codelist_reversibility(cl, values, merged, name, findings)
    return findings


def _group_literal_disagrees(row: Row, cl: CodeList) -> str | None:
    """Why a group row's DIP literals are not what its code list gives for its ePhyto literal (None: they are).

    The literal is the ePhyto path's discriminator (``IncludedSPSNote[Subject='ADEDL']``); an
    ``[otherwise]`` group stands for every code the list does not name, so the list's ``#fixed``
    value applies. The DIP path's last step must hold the list's DIP value among its literals
    (``AdditionalInformation[StatementTypeCode='AAI'][ippc:NoteSubject='ADEDL']``). The way back
    does not go through the list: the DIP literals themselves tell the groups apart (collisions
    are checked as for every row).
    """
    eph, dip = row.paths.get("ephyto"), row.paths.get("dip")
    if eph is None or dip is None or not eph.steps or not dip.steps:
        return f"code list {cl.name} on a group row needs a path with a last step on both sides"
    last = eph.steps[-1]
    if last.pred_child is not None:
        key = last.pred_value or ""
        options = cl.choices.get(key)
        if not options:
            return (f"code list {cl.name} has no row for {key!r}, the literal of the group's ePhyto path"
                    + (f" ({cl.refused[key]})" if key in cl.refused else ""))
        expected = options[0][0]
    elif last.otherwise:
        if cl.policy != "fixed" or not cl.fixed:
            return (f"an [otherwise] group takes every code code list {cl.name} does not name: "
                    "the list needs #unmapped: fixed")
        expected, key = cl.fixed, "[otherwise]"
    else:
        return f"code list {cl.name} on a group row needs a literal or [otherwise] on the ePhyto path's last step"
    literals = [v for _, v in dip.steps[-1].child_predicates]
    if expected not in literals:
        return (f"code list {cl.name} gives {expected!r} for {key}, but the DIP path {row['dip_path']!r} does not "
                "hold it as a literal")
    return None


def _codelist_reversibility(cl: CodeList, rows: list[Row], merged: dict[str, set[str]], name: str,
                            findings: list[Finding]) -> None:
    reasons = []
    if merged:
        reasons.append(
            "; ".join(f"ePhyto {', '.join(sorted(es))} all become DIP {d}" for d, es in sorted(merged.items()))
        )
    if cl.policy == "fixed":
        reasons.append(f"every ePhyto code not in the list becomes the fixed DIP value {cl.fixed!r}")
    for row in rows:
        if reasons:
            declared = row["cardinality"] in MANY_TO_ONE
            findings.append(
                Finding(
                    "TABLE-REVERSIBILITY",
                    f"code list {cl.name} is not reversible: {'; '.join(reasons)}, so the way back cannot "
                    "tell them apart" + (f" (declared {row['cardinality']})" if declared else
                                         f"; the row declares {row['cardinality'] or 'no cardinality'}"),
                    severity=WARNING if declared else ERROR,
                    file=name,
                    line=row.line,
                    mapping_id=row.id,
                    value=cl.name,
                )
            )
        if cl.policy == "pass":
            collide = sorted(d for d in cl.reverse if d not in cl.forward or cl.forward[d] != d)
            if collide:
                findings.append(
                    Finding(
                        "TABLE-REVERSIBILITY",
                        f"code list {cl.name} passes unknown codes through; an ePhyto code equal to a DIP "
                        f"code of the list ({', '.join(collide)}) would come back translated",
                        severity=WARNING,
                        file=name,
                        line=row.line,
                        mapping_id=row.id,
                        value=cl.name,
                    )
                )
