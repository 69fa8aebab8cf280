"""What a parsed XML file loses and an edited copy should keep: its byte order mark, its XML
declaration as written, its encoding and its line endings.

An XML parser turns CRLF into LF and forgets how the declaration was spelled, so a tool that
edits a customs declaration in place (``attach``) would otherwise hand back a file whose every
line changed. A file with mixed endings gets the ending most of its lines have.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from lxml import etree

_DECLARATION = re.compile(rb"<\?xml[^>]*\?>")


@dataclass(frozen=True)
class Layout:
    bom: bytes = b""
    declaration: bytes | None = None  # as written, None when the file had none
    encoding: str = "UTF-8"
    newline: str = "\n"

    @classmethod
    def of(cls, data: bytes, encoding: str | None = None) -> Layout:
        """The layout of ``data``; ``encoding`` as the parser found it (lxml's docinfo.encoding)."""
        bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
        found = _DECLARATION.match(data, len(bom))
        crlf = data.count(b"\r\n")
        newline = "\r\n" if crlf and crlf * 2 >= data.count(b"\n") else "\n"
        return cls(bom, found.group(0) if found else None, encoding or "UTF-8", newline)

    @property
    def _ascii_compatible(self) -> bool:
        try:
            return codecs.lookup(self.encoding).encode("<?x")[0] == b"<?x"
        except LookupError:
            return False

    def serialize(self, tree: etree._ElementTree) -> bytes:
        """The whole document (comments and PIs beside the root too) in this layout."""
        if not self._ascii_compatible:  # UTF-16 and kin: lxml writes the BOM and declaration itself
            return etree.tostring(tree, xml_declaration=True, encoding=self.encoding)
        text = etree.tostring(tree, encoding="unicode")
        if self.newline != "\n":
            text = text.replace("\n", self.newline)  # newlines in attributes are written as &#10;
        head = self.bom
        if self.declaration is not None:
            head += self.declaration + self.newline.encode("ascii")
        return head + text.encode(self.encoding, "xmlcharrefreplace")
