"""The mapping table as a review page (HTML) or a pull-request summary (Markdown).

Technical experts (NPPOs, customs, the WCO data-model team) review the table, not the code:
this module turns its rows into what they read — rows grouped by ISPM 12 box, the predicate
as a plain-words badge, coverage counts and the WCO gap list. With an example certificate
each row also shows the values it takes on that certificate and in its DIP, found by walking
the row paths through both trees (nothing field-specific here: the rows drive it).

The HTML page is one self-contained file (inline CSS and JS, a Content-Security-Policy that
forbids any load) so it can be mailed, attached to an issue or opened from ``file://``.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import jinja2
from lxml import etree
from markupsafe import Markup, escape

from ..findings import Finding
from ..jsontypes import JSONObject
from ..mapping.child_index import ChildIndex
from ..mapping.engine import select_nodes
from ..mapping.metadata import certificate_element
from ..mapping.plans import rows_for
from ..mapping.table import PREDICATES, Row, Table, load_table
from ..reading.xmltext import text_of
from .markdown import md_text

if TYPE_CHECKING:
    from ..reading.sources import Source
    from .crosswalk import CrosswalkRow

# What each SSSOM/SKOS predicate says, in the words of a reviewer (subject: ePhyto, object: WCO).
PREDICATE_LABELS = {
    "skos:exactMatch": "exact",
    "skos:closeMatch": "close",
    "skos:broadMatch": "broader",
    "skos:narrowMatch": "narrower",
    "skos:relatedMatch": "related",
    "sssom:NoTermFound": "no WCO equivalent",
}
PREDICATE_HELP = {
    "skos:exactMatch": "the WCO element means exactly the same",
    "skos:closeMatch": "the WCO element means nearly the same (format or code list differs)",
    "skos:broadMatch": "the WCO element is broader than the ePhyto element",
    "skos:narrowMatch": "the WCO element is narrower than the ePhyto element",
    "skos:relatedMatch": "the WCO element is related but not equivalent",
    "sssom:NoTermFound": "no WCO Data Model element: carried in the DIP's IPPC extension (a gap)",
}
NO_TERM = "sssom:NoTermFound"
EXAMPLE_VALUE_MAX = 160  # attachments are base64 megabytes: show their start only
_XML_NOISE_NS = ("{http://www.w3.org/2001/XMLSchema-instance}", "{http://www.w3.org/XML/1998/namespace}")


@dataclass
class Value:
    """One value a row takes on an example: ``label`` says which occurrence (may be empty)."""

    label: str
    text: str


@dataclass
class ReportRow:
    row: Row
    depth: int
    parent_id: str
    parent_field: str
    ephyto_values: list[Value] = field(default_factory=list)
    dip_values: list[Value] = field(default_factory=list)

    def __getitem__(self, column: str) -> str:
        return self.row[column]

    @property
    def id(self) -> str:
        return self.row.id

    @property
    def predicate(self) -> str:
        return self.row["predicate"]

    @property
    def predicate_label(self) -> str:
        return PREDICATE_LABELS.get(self.predicate, self.predicate or "(no predicate)")

    @property
    def predicate_class(self) -> str:
        return predicate_class(self.predicate)

    @property
    def predicate_help(self) -> str:
        return PREDICATE_HELP.get(self.predicate, "not one of the SSSOM predicates this table allows")

    @property
    def kind(self) -> str:
        return self.row.kind

    @property
    def row_hash(self) -> str:
        from .decisions import row_hash

        return row_hash(self.row.cells)


@dataclass
class Section:
    """The rows of one ISPM 12 box, in table order."""

    box: str
    anchor: str
    rows: list[ReportRow]


@dataclass
class Example:
    name: str
    side: str
    certificate_id: str
    findings: list[Finding]


@dataclass
class Report:
    table: Table
    rows: list[ReportRow]
    sections: list[Section]
    by_predicate: list[tuple[str, str, str, int]]  # (predicate, label, css class, count)
    by_status: list[tuple[str, int]]
    gaps: list[tuple[str, list[ReportRow]]]  # box -> rows without a WCO term
    example: Example | None = None
    crosswalk: list[CrosswalkRow] = field(default_factory=list)  # CrosswalkRow of the crosswalk beside the table

    @property
    def title(self) -> str:
        return self.table.metadata.get("mapping_set_title") or "ePhyto → WCO DM DIP mapping table"

    @property
    def version(self) -> str:
        return self.table.metadata.get("mapping_set_version", "")

    @property
    def table_name(self) -> str:
        return os.path.basename(self.table.path)

    @property
    def gap_count(self) -> int:
        return sum(len(rows) for _, rows in self.gaps)

    @property
    def boxes(self) -> list[str]:
        return [s.box for s in self.sections]

    @property
    def statuses(self) -> list[str]:
        return [s for s, _ in self.by_status]

    @property
    def hash_cells(self) -> JSONObject:
        """What the page's script hashes (``rowHash``): the HASH_COLUMNS cells of every row, in order."""
        from .decisions import HASH_COLUMNS

        return {"columns": list(HASH_COLUMNS),
                "rows": {r.id: [r.row.cells.get(c, "") for c in HASH_COLUMNS] for r in self.rows}}

    @property
    def reviewed(self) -> int:
        return sum(bool(r["reviewer"]) for r in self.rows)

    @property
    def reviewers(self) -> list[tuple[str, list[ReportRow]]]:
        """Who reviewed what: each reviewer named in the table with the rows they decided."""
        out: dict[str, list[ReportRow]] = {}
        for r in self.rows:
            if r["reviewer"]:
                out.setdefault(r["reviewer"], []).append(r)
        return sorted(out.items())


def build_report(
    table: Table | str | os.PathLike[str] | None = None, example: str | os.PathLike[str] | None = None
) -> Report:
    """Gather what the page shows. ``example``: a certificate (ePhyto, Hub envelope or DIP).

    Raises :class:`~ephyto_dip.findings.TableError` for a broken table and the reading /
    conversion errors of :func:`ephyto_dip.read` / :func:`ephyto_dip.to_dip` for the example.
    """
    tab = table if isinstance(table, Table) else load_table(table)
    rows = [_report_row(r) for r in tab.rows]
    by_id = {r.id: r for r in rows}

    sections: dict[str, Section] = {}
    for r in rows:
        box = r["ispm12_box"] or "(no box)"
        if box not in sections:
            sections[box] = Section(box, f"box-{len(sections) + 1}", [])
        sections[box].rows.append(r)

    counts = Counter(r.predicate for r in rows)
    known = [p for p in PREDICATES if counts[p]] + sorted(p for p in counts if p not in PREDICATES)
    by_predicate = [(p, PREDICATE_LABELS.get(p, p or "(no predicate)"), predicate_class(p), counts[p]) for p in known]
    status_counts = Counter(r["status"] or "(no status)" for r in rows)
    by_status = sorted(status_counts.items(), key=lambda kv: (-kv[1], kv[0]))

    gaps = [(s.box, [r for r in s.rows if r.predicate == NO_TERM]) for s in sections.values()]
    gaps = [(box, rs) for box, rs in gaps if rs]

    report = Report(tab, rows, list(sections.values()), by_predicate, by_status, gaps)
    report.crosswalk = _crosswalk_beside(tab)
    if example is not None:
        report.example = _fill_example(report, by_id, example)
    return report


def _crosswalk_beside(tab: Table) -> list[CrosswalkRow]:
    """The box-level crosswalk in the table's directory (``mappings/``), if there is one."""
    from .crosswalk import load_crosswalk

    path = os.path.join(os.path.dirname(os.path.abspath(tab.path)), "ispm12-crosswalk.tsv")
    return load_crosswalk(path).rows if os.path.isfile(path) else []


def predicate_class(predicate: str) -> str:
    """CSS class of a predicate badge; anything outside the allowed list looks like a warning."""
    label = PREDICATE_LABELS.get(predicate)
    return "p-" + re.sub(r"[^a-z]+", "-", label.lower()) if label else "p-other"


def _report_row(row: Row) -> ReportRow:
    depth, p = 0, row.parent
    while p is not None:
        depth, p = depth + 1, p.parent
    parent = row.parent
    return ReportRow(row, depth, parent.id if parent else "", parent.field if parent else "")


# ------------------------------------------------------------------------ example values


def _fill_example(report: Report, by_id: dict[str, ReportRow], source: Source) -> Example:
    from ..documents import read, to_dip, to_ephyto

    tab = report.table
    doc = read(source, table=tab)
    trees: dict[str, etree._Element | None]
    if doc.side == "dip":
        trees = {"ephyto": to_ephyto(doc.certificate, tab), "dip": doc.certificate_root}
    else:  # the certificate as sent, with everything the table does not carry
        trees = {"ephyto": doc.root, "dip": certificate_element(to_dip(doc.certificate, tab))}
    for side, root in trees.items():
        assert root is not None  # a DIP's certificate, or the one to_dip wrote
        found: dict[str, list[Value]] = {}
        _walk(root, tab.roots, side, [], found)
        for mapping_id, values in found.items():
            setattr(by_id[mapping_id], f"{side}_values", values)
    cert_id = doc.certificate.id.value if doc.certificate.id is not None else ""
    # the file's name, not where it sat on the machine that made the page
    return Example(os.path.basename(doc.name), doc.side, cert_id, doc.findings)


def _walk(ctx: etree._Element, rows: list[Row], side: str, labels: list[str], out: dict[str, list[Value]],
          index: ChildIndex | None = None) -> None:
    """Record, for every row under ``ctx``, the values its path reaches on ``side``.

    Elements are selected exactly as the reader selects them (``engine.select_nodes``).
    """
    index = index if index is not None else ChildIndex()
    for row in rows_for(rows, side):
        path = row.paths[side]
        assert path is not None  # rows_for keeps the rows with a path on this side
        nodes = select_nodes(ctx, row, rows, side, index)
        if not nodes:
            continue
        if row.kind == "group":
            what = f"{len(nodes)} occurrence{'s' if len(nodes) != 1 else ''}" if row.is_list else "present"
            out.setdefault(row.id, []).append(Value(" › ".join(labels), what))
            for i, node in enumerate(nodes, start=1):
                more = [f"{_singular(row.attr)} {i}"] if row.is_list else []
                _walk(node, row.children, side, labels + more, out, index)
            continue
        for i, node in enumerate(nodes, start=1):
            here = labels + ([str(i)] if row.is_list and len(nodes) > 1 else [])
            text = node.get(path.attribute) if path.attribute is not None else _element_value(node)
            out.setdefault(row.id, []).append(Value(" › ".join(here), _shorten(text or "")))


def _element_value(el: etree._Element) -> str:
    """Text of an element (a date's ``DateTimeString`` child included) and its attributes."""
    texts, attrs = [], []
    for node in [el, *el.iterdescendants()]:
        if not isinstance(node.tag, str):  # comments in annotated samples
            continue
        value = (text_of(node) or "").strip()  # a value split by a comment, whole
        if value:
            texts.append(value)
        for k, v in node.attrib.items():
            if not k.startswith(_XML_NOISE_NS):
                attrs.append(f"{etree.QName(k).localname}={v}")
    text = " ".join(texts) if texts else "(empty)"
    return f"{text} [{', '.join(attrs)}]" if attrs else text


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > EXAMPLE_VALUE_MAX:
        return f"{text[:EXAMPLE_VALUE_MAX]}… ({len(text)} characters)"
    return text


def _singular(attr: str) -> str:
    word = attr.replace("_", " ")
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def breakable(text: str) -> Markup:
    """Escaped text with line-break opportunities after ``/`` and ``.`` (long paths and fields)."""
    return Markup(re.sub(r"([/.])", r"\1<wbr>", str(escape(text))))


def values_text(values: list[Value]) -> str:
    """``item 1: a; item 2: b`` — one line, for Markdown and plain text."""
    return "; ".join(f"{v.label}: {v.text}" if v.label else v.text for v in values)


# ----------------------------------------------------------------------------- rendering


def _environment(markdown: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ephyto_dip.review", "templates"),
        autoescape=not markdown,
        finalize=_md_finalize if markdown else None,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md_code"] = md_code
    env.filters["values_text"] = values_text
    env.filters["slug"] = lambda s: re.sub(r"[^a-z0-9]+", "-", str(s).lower()).strip("-") or "none"
    env.filters["breakable"] = breakable
    env.globals["predicate_help"] = PREDICATE_HELP
    return env


def render_html(report: Report) -> str:
    from .. import __version__

    env = _environment(markdown=False)
    # CSS and JS are inlined verbatim (read, not rendered: a "{#" in them is no template syntax)
    loader = env.loader
    assert loader is not None  # _environment gives it one
    css, *scripts = (loader.get_source(env, name)[0] for name in ("report.css", "rowhash.js", "report.js",
                                                                          "review.js"))
    css, js = Markup(css), Markup("\n".join(scripts))
    return env.get_template("report.html.j2").render(r=report, tool_version=__version__, css=css, js=js)


def render_markdown(report: Report) -> str:
    from .. import __version__

    return _environment(markdown=True).get_template("report.md.j2").render(r=report, tool_version=__version__)


# what can start markup inside a line (emphasis, code, links, HTML, strikethrough, a cell break)
def _md_finalize(value: object) -> object:
    if isinstance(value, Markup):  # already made safe (md_code)
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    return md_text(value)


def md_code(value: object) -> Markup:
    """A code span; ``|`` escaped for the table, fence longer than any backtick run inside."""
    text = " ".join(str(value).split())
    if not text:
        return Markup("")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}")
