"""A value is an element's whole character data: comments and processing instructions inside
it are left out, text and CDATA joined (XML 1.0 §2.4, §2.7). Every reader sees it whole, so a
certificate whose values are split that way converts, validates and attaches exactly like the
clean one. Each test here failed before ``xmltext.text_of``: the reader took the text up to the
first comment."""

from __future__ import annotations

import base64
import random
import re
from xml.sax.saxutils import escape

import pytest
from hypothesis import given, note
from hypothesis import strategies as st
from lxml import etree

import ephyto_dip as ed
from ephyto_dip.documents import serialize
from ephyto_dip.linkage import attach
from ephyto_dip.reading.xmltext import text_of
from ephyto_dip.testing import strategies as eds

from .helpers import sample
from .test_attach import IM030A, certificate, line

NUMBER = "491412337BO"  # sample 05's certificate number


def _edit(data: bytes, old: str, new: str, count: int = 1) -> bytes:
    """``data`` with ``old`` replaced by ``new`` (``count`` occurrences, or all with 0)."""
    text = data.decode("utf-8")
    assert text.count(old) >= max(count, 1), old
    return text.replace(old, new, count or -1).encode("utf-8")


def _findings(findings) -> list[tuple]:
    """Findings without the file name (the clean and the split copy are different inputs)."""
    return [(f.code, f.severity, f.message, f.xpath) for f in findings]


def _same_conversion(clean: bytes, split: bytes) -> bytes:
    """Both convert to the same bytes with the same findings; returns the output."""
    # lenient: the same verdict is asserted through the findings; the bytes are compared either way
    a, b = ed.convert(clean, name="clean.xml", lenient=True), ed.convert(split, name="split.xml", lenient=True)
    assert _findings(b.findings) == _findings(a.findings) and a.input_valid == b.input_valid
    assert b.to_bytes() == a.to_bytes()
    return a.to_bytes()


@pytest.mark.parametrize("split", [
    "4914<!-- c -->12337<?pi x?>BO",
    "4914<![CDATA[12337]]>BO",
    "<!--a--><![CDATA[4914]]><?p?>12337BO<!--z-->",
    "491412337<![CDATA[]]>BO<!---->",
])
def test_a_split_certificate_number_is_read_whole(split):
    clean = sample("05").read_bytes()
    data = _edit(_edit(clean, f"<ram:ID>{NUMBER}</ram:ID>", f"<ram:ID>{split}</ram:ID>"),
                 "<ram:Name>Santa Cruz</ram:Name>", "<ram:Name>Santa <!--x-->Cruz</ram:Name>")
    dip = _same_conversion(clean, data)
    assert f">{NUMBER}<".encode() in dip and b"Santa Cruz" in dip
    assert ed.read(data).certificate.number == NUMBER
    assert _findings(list(ed.iter_findings(data))) == _findings(list(ed.iter_findings(clean)))


def test_the_ispm12_rules_see_the_whole_value():
    clean = sample("05").read_bytes()
    # the first country code: read as "B" before, a RULE-COUNTRY error
    data = _edit(clean, "<ram:ID>BO</ram:ID>", "<ram:ID>B<!--x-->O</ram:ID>")
    found = list(ed.iter_findings(data))
    assert "RULE-COUNTRY" not in {f.code for f in found}
    assert _findings(found) == _findings(list(ed.iter_findings(clean)))


def test_a_split_predicate_value_still_selects_its_row():
    clean = sample("05").read_bytes()  # Subject SPSFL discriminates the note rows
    data = _edit(clean, "<ram:Subject>SPSFL</ram:Subject>", "<ram:Subject>SPS<?pi?>F<![CDATA[L]]></ram:Subject>")
    _same_conversion(clean, data)


def test_comments_and_pis_between_elements_are_ignored():
    clean = sample("05").read_bytes()
    data = _edit(clean, "</ram:Name>", "</ram:Name><!-- between --><?pi between?>", count=0)
    _same_conversion(clean, data)


def test_a_split_value_in_a_dip_is_read_whole():
    dip = ed.convert(sample("05").read_bytes()).to_bytes()
    split = _edit(dip, f">{NUMBER}<", ">4914<!--c-->123<![CDATA[37]]><?x?>BO<")
    _same_conversion(dip, split)


def test_a_split_value_in_a_hub_envelope_is_read_whole():
    clean = sample("02").read_bytes()
    data = _edit(clean, ">BO-5845145424<", ">BO-<!--x-->5845145424<")  # the envelope header
    data = _edit(data, "The consignment is free", "The consignment <?pi?>is free")  # the certificate in it
    _same_conversion(clean, data)
    assert ed.read(data).certificate.hub_envelope.nppo_certificate_number == "BO-5845145424"


@pytest.mark.parametrize("encoding", ["base64", "escaped"])
def test_envelope_content_split_by_a_comment_is_read_whole(encoding):
    raw = sample("05").read_bytes()
    content = base64.b64encode(raw).decode() if encoding == "base64" else escape(raw.decode("utf-8"))
    half = len(content) // 2
    while content[half - 1] == "&" or ("&" in content[half - 6:half] and ";" not in content[half - 6:half]):
        half += 1  # cut between escapes, not inside one
    envelope = ('<Envelope xmlns="http://ephyto.ippc.int/HUB.Entities"><From>BO</From><To>EC</To>'
                "<CertificateType>851</CertificateType><NPPOCertificateNumber>491412337BO</NPPOCertificateNumber>"
                "<Content>{}</Content></Envelope>")
    clean = envelope.format(content).encode("utf-8")
    split = envelope.format(content[:half] + "<!-- cut -->" + content[half:]).encode("utf-8")
    assert ed.read(split).certificate.number == NUMBER
    _same_conversion(clean, split)


def test_attach_reads_the_declaration_values_whole(tmp_path):
    cert = certificate(line("070993", net="11000", unit="KGM"))  # 11,600 kg declared: too much
    clean = IM030A.read_bytes()
    split = _edit(_edit(clean, "<ID>07099310</ID>", "<ID>0709<!--x-->9310</ID>"),
                  "<NetNetWeightMeasure>11600<", "<NetNetWeightMeasure>1<?pi?>1600<")
    a, b = attach(cert, clean), attach(cert, split)
    assert [mt.to_dict() for mt in b.matches] == [mt.to_dict() for mt in a.matches] and a.matches
    assert [f.code for f in b.findings] == [f.code for f in a.findings]
    assert [f.code for f in a.findings if f.severity == "error"] == ["ATTACH-QUANTITY"]


@pytest.mark.parametrize("xml,expected", [
    ("<a/>", None),
    ("<a>x</a>", "x"),
    ("<a><!--c--></a>", None),
    ("<a><!--c-->x<?p?>y<![CDATA[<z>]]></a>", "xy<z>"),
    ("<a>x<b>inner</b>tail<!--c-->more</a>", "xmore"),  # an element child and its tail stay out
])
def test_text_of(xml, expected):
    assert text_of(etree.fromstring(xml)) == expected


# ------------------------------------------------------------------------- property

_MARK = "SPLITVALUE{}X"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _hostile(text: str, rnd: random.Random) -> str:
    """``text`` as XML character data cut at random places by comments, PIs and CDATA boundaries."""
    cuts = sorted(rnd.sample(range(len(text) + 1), min(len(text) + 1, rnd.randint(1, 4))))
    pieces = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    out = []
    for piece in pieces:
        # CDATA holds text raw; a CR in it would be read as LF, "]]>" would end it
        if rnd.random() < 0.4 and "\r" not in piece and "]]>" not in piece:
            out.append(f"<![CDATA[{piece}]]>")
        else:
            out.append(_escape(piece))
        out.append(rnd.choice(["<!-- c -->", "<?pi x?>", "<!---->", "<?x?>", ""]))
    return "".join(out)


def _split_values(root: etree._Element, rnd: random.Random) -> bytes:
    """The document with many of its values split, and comments and PIs between elements."""
    root = etree.fromstring(serialize(root))
    fragments = {}
    for el in list(root.iter(etree.Element)):
        if len(el) == 0 and el.text and el.text.strip() and rnd.random() < 0.7:
            mark = _MARK.format(len(fragments))
            fragments[mark] = _hostile(el.text, rnd)
            el.text = mark
        elif len(el) and rnd.random() < 0.2:
            el.insert(rnd.randrange(len(el) + 1), etree.Comment(" between "))
    data = serialize(root).decode("utf-8")
    for mark, fragment in fragments.items():
        data = data.replace(mark, fragment)
    return data.encode("utf-8")


# a seed, not st.randoms(): thousands of draws per document would each cost hypothesis a choice
@given(eds.certificates(), st.integers(0, 2**32 - 1))
def test_split_values_convert_like_the_clean_certificate(cert, seed):
    rnd = random.Random(seed)
    for clean_root in (ed.to_ephyto(cert), ed.to_dip(cert)):
        clean = serialize(clean_root)
        split = _split_values(clean_root, rnd)
        note(split.decode("utf-8"))
        assert re.search(rb"<!--|<\?pi|CDATA", split) or not re.search(rb">[^<\s]", clean)
        _same_conversion(clean, split)
