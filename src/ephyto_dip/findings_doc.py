"""``docs/findings.md``, rendered from :data:`ephyto_dip.findings.CODES` so it cannot drift.

Regenerate after adding a code::

    python -m ephyto_dip.findings_doc > docs/findings.md
    python -m ephyto_dip.findings_doc --constants > src/ephyto_dip/codes.py

Tests compare the committed files with :func:`render_findings_doc` and :func:`render_constants`.
"""

from __future__ import annotations

import sys

from .findings import CODES
from .review.markdown import md_text

# Sections in document order: (code prefixes, title).
SECTIONS = (
    (("IO-", "XML-", "JSON-", "DOC-", "ENVELOPE-"), "Input and parsing"),
    (("READ-", "CODELIST-"), "Reading against the mapping table"),
    (("XSD-",), "Schema validation"),
    (("RULE-",), "ISPM 12 business rules"),
    (("TABLE-",), "Table alignment (`ephyto-dip check`)"),
    (("ROUNDTRIP-",), "Round trip"),
    (("ATTACH-",), "Attaching certificates to a declaration (`ephyto-dip attach`)"),
)

# How severe a code is when it is reported, and why. Codes without an entry are rendered
# with the meaning only: the command that reports them decides.
SEVERITY: dict[str, str] = {
    "IO-READ": "error; raised, exit code 2",
    "IO-WRITE": "error; raised, exit code 2",
    "IO-OVERWRITE-INPUT": "error; raised, exit code 2, before anything is converted",
    "XML-EMPTY": "error; raised",
    "XML-MALFORMED": "error; raised",
    "XML-DOCTYPE": "error; raised (refused for safety)",
    "XML-TOO-LARGE": "error; raised",
    "XML-TOO-DEEP": "error; raised",
    "XML-ENCODING": "error; raised",
    "XML-NAMESPACE-UNDECLARED": "warning: the document is read with inferred namespaces (real Hub senders do this)",
    "JSON-MALFORMED": "error; raised (the message gives line and column)",
    "JSON-TOO-DEEP": "error; raised",
    "JSON-STRUCTURE": "error; raised, every problem up to 20, each with its JSON pointer",
    "DOC-UNKNOWN-ROOT": "error; raised",
    "DOC-UNSUPPORTED-VERSION": "error; raised",
    "DOC-UNSUPPORTED-TYPE": "error; raised (the RULE-TYPE-CODE rule covers certificates built in code)",
    "ENVELOPE-CONTENT": "error when the Content cannot be decoded; warning when the envelope header "
    "(number, type, status, From, To) disagrees with the certificate",
    "READ-NOT-CARRIED": "warning: the value is lost in conversion; add a row to carry it",
    "READ-CARDINALITY": "error: values beyond the first are lost",
    "READ-MERGED": "info: values kept, grouping lost",
    "READ-PLACEHOLDER": "info: an empty element is kept as an empty value",
    "CODELIST-UNMAPPED": "error: the value cannot be translated",
    "DIP-FORMAT-WIDER": "warning: the value is converted whole; a receiver that holds only the WCO format "
    "(the row's wco_format) would have to cut it, so it is named",
    "TABLE-SYNTAX": "error; loading the table raises (exit code 2)",
    "TABLE-FIELD": "error; loading the table raises when rows and model disagree (exit code 2)",
    "TABLE-CODELIST": "error; loading a code list table raises (exit code 2)",
    "TABLE-WCO": "error: the claim is not what the cited WCO list says (`check` exits 1)",
    "XSD-EPHYTO": "error",
    "XSD-DIP": "error",
    "RULE-MANDATORY": "error",
    "RULE-TYPE-CODE": "error (the message names the UNTDID 1001 document the code stands for, if any)",
    "RULE-STATUS-CODE": "error: the certificate cannot be converted, so validate and convert both refuse it",
    "RULE-COUNTRY": "error",
    "RULE-TRANSPORT-MODE": "error",
    "RULE-UNIT": "error for a malformed code or a unit of the wrong kind (a length for a volume); warning "
    "for a well-formed code outside the bundled Rec 20 subset named in the message (the full Rec 20 "
    "list is not bundled; concentration units are not checked against any list) and for a measure "
    "without unitCode",
    "RULE-PACKAGE-TYPE": "error for a malformed code; warning for a well-formed code outside the bundled "
    "2006 list (later revisions added codes)",
    "RULE-NOTE-SUBJECT": "warning: the note is carried, but a receiver will not know what it is",
    "RULE-NULL-PLACEHOLDER": "warning (seen in real traffic)",
    "RULE-DATE": "error for a date element (IssueDateTime, StartDateTime …); warning for a note that "
    "should hold a date (ADDIEDL, ADDITLIL, ADRD), which the schema types as text",
    "RULE-BASE64": "error: the attachment cannot be opened",
    "RULE-REPLACEMENT": "error when the replaced certificate's number (ADRPN) is missing; warning for the "
    "other replacement notes (ADRP, ADRPR, ADRD) and for an ADRPN equal to the certificate's own number",
    "RULE-REEXPORT": "error for a 657 without any RPCST, RPCCO or RPCRF note; warning for a 657 item "
    "missing one of them, and for RPC* notes on any other type (real test traffic does this)",
    "RULE-DECIMAL": "error for a measure, quantity or numeric that is not a decimal; warning for a "
    "negative weight, volume, package count or duration and for an OQV note that is not a decimal",
}


def _section(code: str) -> str:
    for prefixes, title in SECTIONS:
        if code.startswith(prefixes):
            return title
    return "Other"


def _cell(text: str) -> str:
    return md_text(text, keep_markup=True)


def render_findings_doc() -> str:
    """The Markdown of ``docs/findings.md``: every code in CODES, grouped, with severity."""
    out = [
        "# Finding codes",
        "",
        "<!-- generated by `python -m ephyto_dip.findings_doc > docs/findings.md`; do not edit -->",
        "",
        "Every check reports findings with a stable `code`, a `severity` (`error`, `warning`, `info`),",
        "a one-line `message`, and where known the `file`, `line`, `xpath`, `mapping_id` (the table row)",
        "and `value`; what does not fit on that line (allowed values, the reasoning) is in `detail`,",
        "shown in JSON output and by `check --verbose`. `ephyto-dip validate` exits 1 when any finding",
        "is at error level; \"raised\" means the library raises an `EphytoDipError` carrying the",
        "finding instead of returning it.",
        "",
    ]
    titles = [t for _, t in SECTIONS] + ["Other"]
    grouped: dict[str, list[str]] = {t: [] for t in titles}
    for code in CODES:
        grouped[_section(code)].append(code)
    for title in titles:
        codes = grouped[title]
        if not codes:
            continue
        out += [f"## {title}", "", "| code | meaning | severity |", "|---|---|---|"]
        for code in codes:
            severity = SEVERITY.get(code, "set by the reporting command")
            out.append(f"| `{code}` | {_cell(CODES[code])} | {_cell(severity)} |")
        out.append("")
    return "\n".join(out)


def constant_name(code: str) -> str:
    return code.replace("-", "_")


def render_constants() -> str:
    """The source of ``ephyto_dip.codes``: each code as a typed constant, and their Literal type."""
    out = [
        '"""Every finding code as a constant, for code that compares codes (``f.code == codes.RULE_MANDATORY``).',
        "",
        "Generated from :data:`ephyto_dip.findings.CODES` by",
        "``python -m ephyto_dip.findings_doc --constants > src/ephyto_dip/codes.py``; do not edit.",
        "``FindingCode`` is the type of a code; docs/findings.md says what each one means.",
        '"""',
        "",
        "from typing import Final, Literal",
        "",
    ]
    out += [f'{constant_name(c)}: Final = "{c}"' for c in CODES]
    out += ["", "FindingCode = Literal["]
    out += [f'    "{c}",' for c in CODES]
    out += ["]", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sys.stdout.write(render_constants() if args == ["--constants"] else render_findings_doc())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
