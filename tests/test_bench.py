"""The benchmark's own honesty: both sides handle every file of the batch, or it stops.

(A floor that died on the first file lxml refuses once exited 1 after one file, and the
benchmark took its start-up time for the cost of the whole batch.) No duration is asserted.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_batch_round_accounts_for_every_file_on_both_sides(bench, tmp_path):
    n = 12  # the nine samples cycled: the Hub SOAP sample (02) comes up twice
    result = bench.batch(n, 2, tmp_path, rounds=1)
    assert result["files"] == n
    assert result["floor_refused"] == 2  # lxml refuses the SOAP envelope without declarations
    assert all(len(v) == 1 and v[0] > 0 for v in result["runs"].values())
    assert result["ratio"] == result["runs"]["ours"][0] / result["runs"]["floor"][0]


def test_a_run_that_fails_stops_the_benchmark(bench):
    with pytest.raises(SystemExit, match="exited 3"):
        bench.run_timed([bench.sys.executable, "-c", "raise SystemExit(3)"])


def test_the_in_process_part_measures_every_sample(bench):
    rows = bench.in_process(repeat=1)  # (the schema-invalid sample 01 is measured too: validate raised on it once)
    assert len(rows) == len(bench.samples())
    assert all(r["convert_ms"] > 0 and r["validate_ms"] > 0 for r in rows)
