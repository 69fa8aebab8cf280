"""``gaps``: the WCO formats the table had to widen (the proposed Data Maintenance Requests are
data: :mod:`ephyto_dip.review.dmr`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FsPath

from ..jsontypes import JSONObject
from ..mapping.formats import format_wider
from ..mapping.table import Table, default_table_path

# ====================================================================================== gaps


@dataclass
class LengthGap:
    """A WCO format the DIP departs from: the row's ``dip_format`` beside its official ``wco_format``."""

    wco_id: str
    wco_name: str
    wco_class: str
    wco_format: str  # official
    dip_format: str  # the DIP's own
    wider: bool  # does the DIP allow more than the WCO format?
    reason: str  # the row's dip_format_reason ("" = not yet documented)
    mapping_ids: list[str]

    @property
    def documented(self) -> bool:
        return bool(self.reason)

    def to_dict(self) -> JSONObject:
        from dataclasses import asdict

        return asdict(self)


@dataclass
class Gaps:
    table: str
    length_gaps: list[LengthGap]

    def to_dict(self) -> JSONObject:
        return {"table": self.table, "length_gaps": [g.to_dict() for g in self.length_gaps]}


def gap_list(table_path: str | FsPath | None = None) -> Gaps:
    """The WCO formats the table widens (length gaps). The proposed DMRs themselves are data
    (``mappings/wco-dmr.tsv``): see :mod:`ephyto_dip.review.dmr` and :func:`ephyto_dip.review.dmr_doc.gaps_data`."""
    from ..mapping.table import load_table

    table = load_table(table_path)
    name = str(FsPath(table_path) if table_path else default_table_path())
    return Gaps(name, _length_gaps(table))


def _length_gaps(table: Table) -> list[LengthGap]:
    """Every row whose DIP format differs from its official WCO format, grouped by element."""
    groups: dict[tuple[str, str, str, str], LengthGap] = {}
    for row in table.rows:
        official, own = row["wco_format"], row["dip_format"]
        if not (row["wco_id"] and official and own and own != official):
            continue
        key = (row["wco_id"], official, own, row["dip_format_reason"])
        gap = groups.get(key)
        if gap is None:
            gap = groups[key] = LengthGap(
                wco_id=row["wco_id"], wco_name=row["wco_name"], wco_class=row["wco_class"], wco_format=official,
                dip_format=own, wider=format_wider(own, official), reason=row["dip_format_reason"], mapping_ids=[],
            )
        gap.mapping_ids.append(row.id)
    return list(groups.values())
