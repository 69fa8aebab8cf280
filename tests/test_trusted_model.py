"""The Certificate built from the reader's dictionaries without validation equals the validated one."""

from __future__ import annotations

import pytest

import ephyto_dip as ed
from ephyto_dip.documents import serialize, to_dip
from ephyto_dip.reading import model as m
from ephyto_dip.reading.trusted_model import certificate_from_reader

from .helpers import SAMPLES


def _same(a, b, path="cert"):
    assert type(a) is type(b), path
    if isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, m.ModelBase):
        assert a.model_fields_set == b.model_fields_set, path
        assert list(a.__dict__) == list(b.__dict__), path
        for k in a.__dict__:
            _same(a.__dict__[k], b.__dict__[k], f"{path}.{k}")
    else:
        assert a == b, path


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name[:2])
def test_trusted_construction_equals_validation(path):
    doc = ed.read(path)
    for d in (doc, ed.read(serialize(to_dip(doc.content)), name="x.dip.xml")):
        built = certificate_from_reader(d.content)
        assert built is not None
        validated = m.Certificate.model_validate(d.content)
        assert built == validated and repr(built) == repr(validated)
        assert built.model_dump() == validated.model_dump()
        _same(built, validated)


def test_other_shapes_are_left_to_validation():
    content = ed.read(SAMPLES[0]).content
    assert certificate_from_reader({**content, "no_such_field": {"value": "x"}}) is None
    assert certificate_from_reader({**content, "id": "not a dict"}) is None
    assert certificate_from_reader({**content, "items": [{"descriptions": [{"value": 1}]}]}) is None
    assert certificate_from_reader({**content, "items": [{"descriptions": [{}]}]}) is None  # value required
