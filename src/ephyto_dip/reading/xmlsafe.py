"""Hardened XML parsing: no DTD, no entities, no network, caps on size and depth.

Every byte that enters the library goes through :func:`parse_bytes`. A DOCTYPE of any kind
is refused before libxml2 sees the internal subset, so entity bombs and external entities
cost nothing. Errors become :class:`~ephyto_dip.findings.InputError` with a stable code,
the file name and the line.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from ..findings import ERROR, WARNING, Finding, InputError, UsageError

if TYPE_CHECKING:
    from ..codes import FindingCode

# libxml2 refuses documents nested deeper than this without its "huge" option (which stays off),
# so a larger cap could never be reached; it is refused as a setting instead.
PARSER_MAX_DEPTH = 256
_SUFFIXES = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
_SIZE_RE = re.compile(r"\s*(\d+)\s*([KMG]?)(?:I?B)?\s*", re.IGNORECASE)


def _setting(value: object, what: str, low: int, high: int | None, size: bool = False) -> int:
    """An integer setting in [low, high]; ``"64M"``-style strings for sizes; UsageError otherwise."""
    n: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    elif isinstance(value, str):
        m = _SIZE_RE.fullmatch(value)
        if m and (size or m.group(2) == ""):
            n = int(m.group(1)) * _SUFFIXES[m.group(2).upper()]
    if n is None or n < low or (high is not None and n > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
        raise UsageError(Finding("USAGE", f"{what} must be a whole number {bound}"
                                 f"{' (a size may end in K, M or G)' if size else ''}; got {shown}"))
    return n


def _from_env(var: str, default: int, low: int, high: int | None, size: bool = False) -> int:
    raw = os.environ.get(var)
    if raw is None or raw.strip() == "":
        return default
    return _setting(raw, f"the environment value {var}", low, high, size)


class Limits:
    """Caps applied to every input: ``Limits(max_bytes=…, max_depth=…)`` per call, or the
    environment values ``EPHYTO_DIP_MAX_BYTES`` (``65536``, ``64M``) and ``EPHYTO_DIP_MAX_DEPTH``.

    A cap left out follows the environment when it is used (not when the library is imported),
    so a bad environment value is a :class:`UsageError` on the first call, never an import error.
    Immutable: one instance may be shared by every thread.
    """

    __slots__ = ("_max_bytes", "_max_depth")
    _max_bytes: int | None
    _max_depth: int | None

    def __init__(self, max_bytes: int | None = None, max_depth: int | None = None) -> None:
        object.__setattr__(self, "_max_bytes", None if max_bytes is None else
                           _setting(max_bytes, "Limits.max_bytes", 1, None, size=True))
        object.__setattr__(self, "_max_depth", None if max_depth is None else
                           _setting(max_depth, "Limits.max_depth", 1, PARSER_MAX_DEPTH))

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("Limits is immutable: make a new one")

    @property
    def max_bytes(self) -> int:
        mb: int | None = self._max_bytes
        return mb if mb is not None else _from_env("EPHYTO_DIP_MAX_BYTES", 64 * 1024 * 1024, 1, None, size=True)

    @property
    def max_depth(self) -> int:
        md: int | None = self._max_depth
        return md if md is not None else _from_env("EPHYTO_DIP_MAX_DEPTH", 64, 1, PARSER_MAX_DEPTH)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Limits) and (self.max_bytes, self.max_depth) == (other.max_bytes, other.max_depth)

    def __hash__(self) -> int:
        return hash((self._max_bytes, self._max_depth))

    def __repr__(self) -> str:
        return f"Limits(max_bytes={self._max_bytes!r}, max_depth={self._max_depth!r})"

    def __reduce__(self) -> tuple[type[Limits], tuple[int | None, int | None]]:  # sent to workers as given
        return Limits, (self._max_bytes, self._max_depth)


DEFAULT_LIMITS = Limits()
_MAX_NAME = 120  # a name in an error message is cut to this many characters


def short_name(name: str) -> str:
    """A file name fit for a one-line message: a runaway one is cut, not echoed whole."""
    return name if len(name) <= _MAX_NAME else name[: _MAX_NAME - 1] + "…"


def schema_file_parser(remove_comments: bool = False) -> etree.XMLParser:
    """The parser for the project's own bundled files (XSDs, code lists): no entities, no DTD, no
    network, like every parser here, but without the caps meant for untrusted input. A new one
    per call: an lxml parser must not be used by two threads at once."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=remove_comments)


def _parser(recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,  # keeps libxml2's own depth and text-size limits on
        remove_blank_text=False,
        remove_comments=False,
        recover=recover,
        collect_ids=False,
    )


# A fresh parser per call: its error log then holds this document's errors only, and
# nothing is shared between threads.

_DOCTYPE_RE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_UTF16_DOCTYPE = ("<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def _has_doctype(data: bytes) -> bool:
    """A DOCTYPE (in any case) in the first 64 kB, or a UTF-16 one in the first 128 kB.

    ``bytes.find`` for each ``<!`` rather than a case-blind regular expression over the text,
    and no slices copied: this runs on every input."""
    i = data.find(b"<!", 0, 65536)
    while i != -1:
        if data[i + 2 : i + 9].upper() == b"DOCTYPE":
            return True
        i = data.find(b"<!", i + 2, 65536)
    return any(data.find(d, 0, 131072) != -1 for d in _UTF16_DOCTYPE)


@dataclass
class Parsed:
    root: etree._Element
    findings: list[Finding]


def read_file(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """Read a file within the size cap, or raise InputError(IO-READ / XML-TOO-LARGE)."""
    name = short_name(os.fspath(path))
    try:
        with open(path, "rb") as fh:  # one open and one fstat: a batch reads thousands of files
            size = os.fstat(fh.fileno()).st_size
            if size > limits.max_bytes:
                raise InputError(
                    Finding(
                        "XML-TOO-LARGE",
                        f"file is {size} bytes; the cap is {limits.max_bytes} (set EPHYTO_DIP_MAX_BYTES or "
                        "Limits.max_bytes)",
                        file=name,
                    )
                )
            return fh.read(limits.max_bytes + 1)
    except InputError:
        raise
    except IsADirectoryError:
        raise InputError(Finding("IO-READ", "is a directory, not a file", file=name)) from None
    except FileNotFoundError:
        raise InputError(Finding("IO-READ", "no such file", file=name)) from None
    except PermissionError:
        raise InputError(Finding("IO-READ", "permission denied", file=name)) from None
    except OSError as exc:
        raise InputError(Finding("IO-READ", f"cannot read: {exc.strerror or exc}", file=name)) from None


def parse_bytes(
    data: bytes, name: str = "<input>", limits: Limits = DEFAULT_LIMITS, allow_undeclared_prefixes: bool = False
) -> Parsed:
    """Parse ``data`` safely. Returns the root and any warnings from lenient recovery."""
    if len(data) > limits.max_bytes:
        raise InputError(
            Finding("XML-TOO-LARGE", f"input is {len(data)} bytes; the cap is {limits.max_bytes}", file=name)
        )
    if not data.strip():
        raise InputError(Finding("XML-EMPTY", "the file is empty", file=name))
    if _has_doctype(data):
        found = _DOCTYPE_RE.search(data)
        line = data[: found.start()].count(b"\n") + 1 if found else None
        raise InputError(
            Finding(
                "XML-DOCTYPE",
                "DOCTYPE declarations (DTDs, entities) are refused: ePhyto never needs them",
                file=name,
                line=line,
            )
        )
    _check_declared_encoding(data, name)
    findings: list[Finding] = []
    parser = _parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        root = None
        if allow_undeclared_prefixes and _only_namespace_errors(parser.error_log):
            root = _recover(data, name, findings)
        if root is None:
            raise InputError(_syntax_finding(exc, name)) from None
    except ValueError as exc:  # e.g. unicode strings with encoding declaration
        raise InputError(Finding("XML-ENCODING", str(exc), file=name)) from None
    if root is None:
        raise InputError(Finding("XML-MALFORMED", "no root element", file=name))
    if root.getroottree().docinfo.doctype:
        raise InputError(Finding("XML-DOCTYPE", "DOCTYPE declarations are refused", file=name))
    _check_depth(root, name, limits)
    return Parsed(root, findings)


_DECL_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""", re.ASCII)

# Byte-order marks and the encodings a declaration behind them may name (lower case, "_" as "-").
# UTF-32 marks come first: FF FE 00 00 also begins with the UTF-16 LE mark.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 (little-endian)", ("utf-32", "utf-32le", "ucs-4", "iso-10646-ucs-4")),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 (big-endian)", ("utf-32", "utf-32be", "ucs-4", "iso-10646-ucs-4")),
    (codecs.BOM_UTF8, "utf-8", "UTF-8", ("utf-8", "utf8")),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (little-endian)", ("utf-16", "utf16", "utf-16le", "ucs-2",
                                                                "iso-10646-ucs-2")),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (big-endian)", ("utf-16", "utf16", "utf-16be", "ucs-2",
                                                               "iso-10646-ucs-2")),
)
_WIDE = ("utf-16", "utf-32", "ucs-2", "ucs-4", "utf16", "utf32", "iso-10646-ucs")


def _check_declared_encoding(data: bytes, name: str) -> None:
    """The declaration must not contradict the bytes (XML 1.0 §4.3.3: a fatal error).

    libxml2 lets a byte-order mark win silently and would otherwise fail later with an
    unrelated message ("Blank needed here"), so both lies are refused here: a BOM whose
    encoding the declaration contradicts (a UTF-8 BOM before ``encoding="UTF-16"``), and a
    declaration readable as 8-bit text that claims UTF-16 or UTF-32.
    """
    for bom, codec, bom_name, agreeing in _BOMS:
        if data.startswith(bom):
            # the declaration, read in the encoding the mark announces
            declared, shown = _declared(data[len(bom): len(bom) + 800].decode(codec, errors="replace"))
            if declared and declared not in agreeing:
                raise InputError(
                    Finding(
                        "XML-ENCODING",
                        f"the file begins with a {bom_name} byte-order mark but its XML declaration says {shown} "
                        "(XML 1.0 §4.3.3: re-save the file in one encoding, or fix the declaration)",
                        file=name,
                        line=1,
                    )
                )
            return
    declared, shown = _declared(data[:200].decode("latin-1"))
    if declared.startswith(_WIDE):
        raise InputError(
            Finding(
                "XML-ENCODING",
                f"the XML declaration says {shown} but the bytes are 8-bit text "
                "(re-save the file in the encoding it declares, or fix the declaration)",
                file=name,
                line=1,
            )
        )


def _declared(head: str) -> tuple[str, str]:
    """(the declared encoding normalised, as written) of a document's first characters; ("", "") if none."""
    m = _DECL_ENCODING.match(head)
    if not m:
        return "", ""
    return m.group(1).lower().replace("_", "-"), m.group(1)


def _only_namespace_errors(log: Iterable[etree._LogEntry]) -> bool:
    entries = list(log)
    return bool(entries) and all(e.domain_name == "NAMESPACE" for e in entries)


def _recover(data: bytes, name: str, findings: list[Finding]) -> etree._Element | None:
    parser = _parser(recover=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        return None
    log = list(parser.error_log)
    if root is None or any(e.domain_name != "NAMESPACE" for e in log):
        return None
    prefixes = sorted({m for e in log for m in re.findall(r"prefix (\S+) ", e.message)})
    findings.append(
        Finding(
            "XML-NAMESPACE-UNDECLARED",
            f"undeclared namespace prefixes {', '.join(prefixes) or '?'}; namespaces inferred from element names",
            severity=WARNING,
            file=name,
            line=log[0].line if log else None,
        )
    )
    return root


def _syntax_finding(exc: etree.XMLSyntaxError, name: str) -> Finding:
    msg = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc).strip()
    line = exc.lineno if getattr(exc, "lineno", None) else None
    low = msg.lower()
    code: FindingCode
    if "encoding" in low or "utf-8" in low or "not proper" in low or "bytes:" in low:
        code = "XML-ENCODING"
    elif "depth" in low:
        code = "XML-TOO-DEEP"
    elif "entity" in low or "doctype" in low:
        code = "XML-DOCTYPE"
    else:
        code = "XML-MALFORMED"
    return Finding(code, msg.splitlines()[0], severity=ERROR, file=name, line=line)


_DEPTH_PROBES: dict[int, etree.XPath] = {}


def _check_depth(root: etree._Element, name: str, limits: Limits) -> None:
    # one XPath evaluated in C: is there an element deeper than the cap?
    probe = _DEPTH_PROBES.get(limits.max_depth)
    if probe is None:
        probe = _DEPTH_PROBES[limits.max_depth] = etree.XPath("(/" + "/*" * (limits.max_depth + 1) + ")[1]")
    deep = probe(root)
    if deep:
        raise InputError(
            Finding(
                "XML-TOO-DEEP",
                f"nesting deeper than {limits.max_depth} levels (set EPHYTO_DIP_MAX_DEPTH or Limits.max_depth)",
                file=name,
                line=deep[0].sourceline,
            )
        )


def element_xpath(el: etree._Element, cache: dict[etree._Element, str] | None = None) -> str:
    """A readable, prefix-free XPath for messages: /SPSCertificate/SPSConsignment[1]/…

    With ``cache`` (one per document), each element's path is remembered: the findings of one
    document share most of their ancestors."""
    if cache is not None:
        hit = cache.get(el)
        if hit is not None:
            return hit
    parent = el.getparent()
    tag = el.tag
    local = tag.rpartition("}")[2] if isinstance(tag, str) else "node()"
    if parent is None:
        path = "/" + local
    else:
        count = pos = 0
        # (the same proxy while ``el`` is held: identity works)
        for c in parent.iterchildren(tag):  # type: ignore[arg-type]  # a comment's tag: its factory
            count += 1
            if c is el:
                pos = count
        above = element_xpath(parent, cache)
        path = f"{above}/{local}[{pos}]" if count > 1 else f"{above}/{local}"
    if cache is not None:
        cache[el] = path
    return path
