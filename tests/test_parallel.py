"""The library is safe to call from several threads and processes, and maps over files with
Dask as docs/performance.md shows (that example, run locally)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import dask.bag as db

import ephyto_dip as ed

from .helpers import SAMPLES


def convert_to_bytes(path) -> tuple[str, bool, bytes]:
    """What a cluster worker runs: one file in, picklable results out."""
    try:
        result = ed.convert(path)
    except ed.EphytoDipError as exc:
        return str(path), False, "\n".join(f.one_line() for f in exc.findings).encode()
    if not result.ok:  # refused: the input has error findings (sample 01 fails its schema)
        return str(path), False, "\n".join(f.one_line() for f in result.findings if f.severity == "error").encode()
    return str(path), True, result.to_bytes()


def _sequential():
    return [convert_to_bytes(p) for p in SAMPLES]


def test_threads_give_the_same_bytes_as_one_thread():
    expected = _sequential() * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(convert_to_bytes, SAMPLES * 4))
    assert got == expected


def test_threads_validate_concurrently_without_mixing_error_logs():
    # sample 01 is schema-invalid, 03 valid: concurrent validations must not see each other's errors
    paths = [p for p in SAMPLES if p.name[:2] in ("01", "03")] * 8
    expected = {str(p): [f.to_dict() for f in list(ed.iter_findings(p))] for p in set(paths)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda p: (str(p), [f.to_dict() for f in list(ed.iter_findings(p))]), paths))
    for path, findings in got:
        assert findings == expected[path]


def test_processes_give_the_same_bytes():
    with ProcessPoolExecutor(max_workers=2) as pool:
        got = list(pool.map(convert_to_bytes, SAMPLES))
    assert got == _sequential()


def test_dask_bag_example_from_the_docs():
    bag = db.from_sequence(SAMPLES, npartitions=3).map(convert_to_bytes)
    results = bag.compute(scheduler="processes", num_workers=2)
    assert results == _sequential()
    assert [p.rsplit("/", 1)[-1][:2] for p, ok, _ in results if not ok] == ["01"]
