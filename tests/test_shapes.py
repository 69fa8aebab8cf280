"""ephyto_dip.reading.shapes (the model's classes without pydantic) is current, equals the model, and the
rules find the same on a shape as on the model; convert and validate never import pydantic."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from hypothesis import HealthCheck, given, settings

import ephyto_dip as ed
import ephyto_dip.testing.strategies as eds
from ephyto_dip.mapping.table import load_table
from ephyto_dip.reading import model as m
from ephyto_dip.reading import shapes
from ephyto_dip.validation.rules import check_certificate, iter_values

from .helpers import EXAMPLES, REPO, SAMPLES


def _tool():
    spec = importlib.util.spec_from_file_location("gen_shapes", REPO / "tools" / "gen_shapes.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_shapes_are_current():
    assert (REPO / "src" / "ephyto_dip" / "reading" / "shapes.py").read_text(encoding="utf-8") == _tool().generate(), \
        "src/ephyto_dip/reading/shapes.py is stale: run python tools/gen_shapes.py"


def _plain(obj):
    """A model or a shape as (class name, fields) all the way down."""
    if isinstance(obj, list):
        return [_plain(o) for o in obj]
    if isinstance(obj, (m.ModelBase, shapes.Shape)):
        return (type(obj).__name__, {k: _plain(v) for k, v in obj.__dict__.items()})
    return obj


def _docs():
    return [ed.read(p) for p in [*SAMPLES, *sorted(EXAMPLES.glob("*.xml"))]]


def test_every_row_links_to_the_shape_of_its_model_type():
    for row in load_table().rows:
        if row.shape is str:
            assert row.model_type is str
        else:
            assert row.model_type is getattr(m, row.shape.__name__)
            assert issubclass(row.model_type, m.ModelBase)


def test_the_shape_of_a_document_equals_its_model():
    for doc in _docs():
        shape = shapes.certificate_from_reader(doc.content)
        assert shape is not None
        assert _plain(shape) == _plain(doc.certificate)
        assert shape.number == doc.certificate.number and shape.is_reexport == doc.certificate.is_reexport


def _same_findings(cert_model, cert_shape, name="x.xml"):
    a = [f.to_dict() for f in check_certificate(cert_model, name=name)]
    b = [f.to_dict() for f in check_certificate(cert_shape, name=name)]
    assert a == b
    assert [(p, _plain(v)) for p, v in iter_values(cert_model)] == [(p, _plain(v)) for p, v in iter_values(cert_shape)]


def test_the_rules_find_the_same_on_the_shape_and_on_the_model():
    for doc in _docs():
        _same_findings(doc.certificate, doc.shape, doc.name)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(eds.certificates(max_items=3))
def test_the_rules_find_the_same_on_drawn_certificates(cert):
    data = cert.model_dump(exclude_none=True)
    shape = shapes.certificate_from_reader(data)
    assert shape is not None
    assert _plain(shape) == _plain(m.Certificate.model_validate(data))
    _same_findings(cert, shape)


def test_convert_and_validate_never_import_pydantic():
    code = (
        "import sys, ephyto_dip as ed\n"
        f"for p in {[str(p) for p in SAMPLES]!r}:\n"
        "    data = open(p, 'rb').read()\n"
        "    r = ed.convert(data, lenient=True)\n"
        "    ed.convert(r.to_bytes(), lenient=True).to_bytes()\n"
        "    list(ed.iter_findings(data))\n"
        "print(sorted(n for n in sys.modules if n.startswith('pydantic') or n == 'ephyto_dip.reading.model'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(REPO / "src"), "PATH": ""})
    assert out.stdout.strip() == "[]", out.stdout
