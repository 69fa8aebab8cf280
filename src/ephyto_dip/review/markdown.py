"""The one Markdown escape of the project, for table cells of the generated documents and pages."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_BREAKS = re.compile(r"[\t\r\n]+")


def md_text(value: object, *, keep_markup: bool = False) -> str:
    """``value`` made safe in a GFM table cell: on one line, no cell break.

    Text from a table or an input (``keep_markup`` False) is also made inert: no markup, no
    HTML. The project's own prose (a finding's meaning, a DMR's definition) keeps its code spans
    and emphasis (``keep_markup`` True): only what would break the cell is escaped.
    """
    text = _BREAKS.sub(" ", str(value))
    if keep_markup:
        return text.replace("|", "\\|")
    return _SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))
