"""Findings: one record for every check, and the library's own exception types.

Every validator, reader and writer reports :class:`Finding` records with a stable ``code``
(documented in ``docs/findings.md``). The library raises only :class:`EphytoDipError`
subclasses, each carrying the findings that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # generated from CODES below (findings_doc --constants), so not needed to run it
    from .codes import FindingCode
    from .jsontypes import JSONObject


class Severity(str, Enum):
    """How bad a finding is. A ``str``: ``Severity.ERROR == "error"``, and JSON writes ``"error"``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    __str__ = str.__str__  # f"{severity}" is "error", as before the enum
    __format__ = str.__format__  # type: ignore[assignment]  # str's formatting on purpose, not Enum's


ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO

# Stable codes and what they mean. docs/findings.md is generated from this table.
CODES: dict[str, str] = {
    # input and parsing
    "USAGE": "the library or a command was called with an argument it does not accept",
    "IO-READ": "the file cannot be read (missing, a directory, no permission)",
    "IO-WRITE": "the output cannot be written",
    "IO-OVERWRITE-INPUT": "the output would replace an input (the same file by any spelling, or a batch output "
                          "directory that is or lies inside the input directory); nothing is written",
    "XML-EMPTY": "the file is empty",
    "XML-MALFORMED": "the file is not well-formed XML",
    "XML-DOCTYPE": "a DOCTYPE (DTD, entities) is present; refused for safety",
    "XML-TOO-LARGE": "the file exceeds the size cap",
    "XML-TOO-DEEP": "the document exceeds the nesting-depth cap",
    "XML-ENCODING": "the declared encoding is wrong or unknown",
    "XML-NAMESPACE-UNDECLARED": "prefixes were used without declaration; namespaces were inferred",
    "JSON-MALFORMED": "the file is not well-formed JSON (syntax, not UTF-8, a member twice in one object)",
    "JSON-TOO-DEEP": "the JSON document nests deeper than a DIP can",
    "JSON-STRUCTURE": "DIP JSON with a member, type or value the DIP schema does not allow (at a JSON pointer)",
    "DOC-UNKNOWN-ROOT": "the root element is not an ePhyto certificate, Hub envelope or ePhyto DIP",
    "DOC-UNSUPPORTED-VERSION": "a known document type in a version this tool does not read",
    "DOC-UNSUPPORTED-TYPE": "an SPS certificate that is not phytosanitary (e.g. a TRACES CHED, type 636)",
    "ENVELOPE-CONTENT": "the Hub envelope's Content cannot be decoded to a certificate",
    # reading against the table
    "READ-NOT-CARRIED": "an element or attribute of the input has no row in the table and is not carried",
    "READ-EXCLUDED": "an element deliberately not carried (mappings/exclusions.tsv gives the reason)",
    "READ-CARDINALITY": "more occurrences than the model holds; the extra ones are not carried",
    "READ-MERGED": "repeated containers were merged into one (values kept, grouping lost)",
    "READ-LENIENT": "a value was read from a place or form the schema does not allow; "
                    "carried, but the sender should fix it",
    "READ-PLACEHOLDER": "an empty element was kept as an empty value (a sender's placeholder)",
    "CODELIST-UNMAPPED": "a code has no translation in the row's code list",
    # schema validation
    "XSD-EPHYTO": "the certificate is not valid against the SPS 17 schema",
    "XSD-DIP": "the DIP document is not valid against the ePhyto DIP schema",
    # ISPM 12 business rules
    "RULE-MANDATORY": "an ISPM 12 box that mappings/ispm12-boxes.tsv marks must_fill is missing or empty",
    "RULE-TYPE-CODE": "the document type code is not 851 (export) or 657 (re-export)",
    "RULE-STATUS-CODE": "the status code has no WCO message function in the status code list, so no DIP can state it",
    "RULE-COUNTRY": "not an ISO 3166-1 alpha-2 country code",
    "RULE-TRANSPORT-MODE": "not a UN/ECE Rec 19 transport mode",
    "RULE-UNIT": "not a UN/ECE Rec 20 unit code",
    "RULE-PACKAGE-TYPE": "not a UN/ECE Rec 21 package type code",
    "RULE-NOTE-SUBJECT": "a note subject or characteristic acronym is not on the IPPC list",
    "RULE-NULL-PLACEHOLDER": "the literal text NULL stands in for a value",
    "RULE-DATE": "a date is not in ISO 8601 form",
    "RULE-BASE64": "an attachment is not valid base64 (truncated or corrupted)",
    "RULE-REPLACEMENT": "a replacement certificate's notes are incomplete",
    "RULE-REEXPORT": "re-export notes on a certificate that is not a re-export (657) or missing on one",
    "RULE-DECIMAL": "a quantity or measure is not a decimal number",
    # table alignment (check)
    "TABLE-SYNTAX": "a table row cannot be parsed",
    "TABLE-PATH-EPHYTO": "an ePhyto path does not exist in the SPS 17 schema",
    "TABLE-PATH-DIP": "a DIP path does not exist in the DIP schema",
    "TABLE-FIELD": "a field does not exist in the model, or a model field has no row",
    "TABLE-BOX": "an ISPM 12 box has no row",
    "TABLE-GAP": "a row without a WCO term is in no proposed DMR (mappings/wco-dmr.tsv) nor in the SPS-structure "
                 "list (mappings/sps-structure.tsv), or those tables name an unknown row, a row twice, a WCO "
                 "class the element table does not have, or a DMR without its required content",
    "TABLE-CROSSWALK": "the ISPM 12 box-level crosswalk disagrees with the element table (an unknown row, a WCO "
                       "ID, class, name, format, path or predicate that is not the primary row's), or a box or "
                       "row is missing from it",
    "TABLE-UNMAPPED-ELEMENT": "a schema element is neither mapped nor excluded with a reason",
    "TABLE-REVERSIBILITY": "a row cannot be reversed as declared",
    "TABLE-CODELIST": "a code list table is incomplete or inconsistent",
    "TABLE-PREDICATE": "a predicate or cardinality value is not allowed",
    "TABLE-FORMAT": "a row's WCO format is not the WCO's own, or the DIP widens it without a reason",
    "TABLE-WCO": "a row's WCO ID, name, class or format disagrees with the WCO-annotated list it cites, "
    "or a row without a WCO ID does not say which lists were searched",
    "REVIEW-DECISION": "a review decision names an unknown row, a row twice, or has a decision, reviewer or date "
                       "that is not allowed; the decisions file is refused whole",
    "REVIEW-STALE": "a review decision's row_hash no longer matches its row: the row changed since it was "
                    "reviewed; the decisions file is refused whole",
    "DIP-FORMAT-WIDER": "a value is longer than its WCO format; the DIP carries it whole under its own format",
    # round trip
    "ROUNDTRIP-LOSS": "a value of the input did not survive ePhyto → DIP → ePhyto",
    # attach
    "ATTACH-NO-MATCH": "a certificate line matched no goods item of the declaration",
    "ATTACH-NO-CERTIFICATE": "a goods item of plant products has no certificate",
    "ATTACH-QUANTITY": "declared net mass exceeds the certified quantity",
    "ATTACH-QUANTITY-UNCHECKED": "declared and certified quantities could not be compared "
                                 "(no mass, or not a mass unit)",
    "ATTACH-REFERENCE-UNMATCHED": "a goods item already references the certificate, but no certificate line matches it",
    "ATTACH-CERTIFICATE": "the certificate cannot be referenced "
                          "(no number, withdrawn, no lines, or a type without document code)",
    "ATTACH-STATUS-CODE": "the document status code is not on the rules table's list",
    "ATTACH-NOT-DECLARATION": "the document is not a goods declaration of the rules table's schema",
    "ATTACH-RULES": "the attach rules table is incomplete or inconsistent",
    "XSD-DEC": "the goods declaration is not valid against the declaration schema of the rules table",
    "ATTACH-STATUS": "the certificate's status does not let it cover goods (only an issued certificate does)",
    "ATTACH-REPLACED": "a replaced certificate, or a goods item still referencing the number a replacement replaces",
    "ATTACH-DATE": "the certificate was issued after the declaration (or today), or its replacement dates disagree",
    "ATTACH-AGE": "the certificate is older than the rules table allows (or no maximum age is set)",
    "ATTACH-CONSIGNEE": "the consignee is not the declaration's importer (by identifier, else by name), "
                        "or was not compared",
    "ATTACH-CONSIGNOR": "the consignor's name does not read as the declaration's exporter",
    "ATTACH-DESTINATION": "the certificate is addressed to another country than the declaring one",
    "ATTACH-ORIGIN": "a goods item's country of origin is not the certified line's",
    "ATTACH-DISPATCH": "a goods item is dispatched from another country than the certificate's exporting one",
    "ATTACH-LINE": "a goods item draws on a certificate line that does not exist",
    "ATTACH-HS": "a goods item's commodity code does not agree with the certificate line it draws on",
    "ATTACH-PLACE": "the declared point of entry is not the declaration's goods location",
    "ATTACH-TRANSPORT": "mode of transport or a container differs between certificate and declaration",
    "ATTACH-DOCUMENT-ID": "the reference does not carry the identifier the national system expects (UK: CHED-PP)",
    "ATTACH-STATUS-USE": "the document status code (exhausted, part use) disagrees with the ledger's balance",
    "ATTACH-RESERVATION": "the ledger refused the declaration's write-off (CERTEX reason code in the message)",
    "LEDGER-IO": "the ledger cannot be opened, reached or written (file, URL, lock)",
    "LEDGER-SCHEMA": "the ledger's stored schema version is not one this version reads",
    "LEDGER-UNKNOWN": "the ledger holds no such certificate or declaration",
}


@dataclass(frozen=True)
class Finding:
    """One thing found, immutable and hashable: code paths that add a place or a prefix make a
    new finding (``dataclasses.replace``), so an exception built from findings never goes stale."""

    code: FindingCode  # a key of CODES; ephyto_dip.codes names each as a constant
    message: str
    severity: Severity = ERROR
    file: str | None = None
    line: int | None = None
    xpath: str | None = None
    mapping_id: str | None = None
    value: str | None = None
    detail: str | None = None  # what is too long for one line (allowed values, why): JSON and --verbose

    def __post_init__(self) -> None:
        if self.code not in CODES:  # a typo in a code is a bug, not a finding
            raise ValueError(f"undocumented finding code {self.code!r}")
        if not isinstance(self.severity, Severity):  # "warning" as a plain string still works
            object.__setattr__(self, "severity", Severity(self.severity))

    def to_dict(self) -> JSONObject:
        """The finding as JSON-ready data: the fields that are set, severity as its string."""
        out: JSONObject = {}
        for k in ("code", "message", "severity", "file", "line", "xpath", "mapping_id", "value", "detail"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v.value if isinstance(v, Severity) else v
        return out

    def one_line(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}"
        parts = [f"{where}: {self.severity}: {self.code}: {self.message}"]
        if self.xpath:
            parts.append(f"at {self.xpath}")
        if self.mapping_id:
            parts.append(f"[{self.mapping_id}]")
        return " ".join(parts).replace("\n", " ")


class EphytoDipError(Exception):
    """Base of every exception the library raises; ``findings`` says what went wrong."""

    findings: list[Finding]

    def __init__(self, findings: list[Finding] | Finding):
        if isinstance(findings, Finding):
            findings = [findings]
        self.findings = findings
        super().__init__(*findings)

    def __str__(self) -> str:  # built from the findings whenever asked, so it says what they say
        return "; ".join(f.one_line() for f in self.findings[:3]) or "error"

    # rebuilt from its findings, not its message, when sent to another process
    def __reduce__(self) -> tuple[type[EphytoDipError], tuple[list[Finding]]]:
        return type(self), (self.findings,)


class InputError(EphytoDipError):
    """The input cannot be read or parsed (I/O, malformed XML, hostile constructs)."""


class UnsupportedDocumentError(EphytoDipError):
    """Well-formed XML that is not a document this tool converts."""


class ConversionError(EphytoDipError):
    """A certificate was read but cannot be converted (e.g. an unmapped code)."""


class TableError(EphytoDipError):
    """The mapping table or a code list cannot be loaded."""


class ValidationError(EphytoDipError):
    """``validate`` found an error in the input; ``findings`` holds every finding, warnings too."""


class UsageError(EphytoDipError):
    """An argument the library does not accept (an unknown target side, say)."""


class OutputError(EphytoDipError):
    """An output file cannot be written."""


class LedgerError(EphytoDipError):
    """The quantity ledger cannot be opened, reached, locked in time, or is of an unknown schema."""
