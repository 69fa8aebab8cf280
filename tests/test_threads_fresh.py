"""Thread safety from the first call: fresh processes convert from 8 threads at once.

A warmed-up process cannot show a start-up race (the caches are full before the threads
start), so each run here is a new interpreter whose 8 threads make their first conversions
together, released by a barrier. Every thread's results must equal those of a sequential
run in another fresh process: the bytes of each output, both verdicts, every finding.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from .helpers import REPO, sample

# an envelope, an annotated certificate and one with a treatment and an attachment: three read plans
FILES = [str(sample(p)) for p in ("02", "03", "05")]
THREADS = 8
PROCESSES = 6

WORKER = r"""
import hashlib, json, sys, threading
import ephyto_dip as ed

mode, files = sys.argv[1], sys.argv[2:]
datas = [open(f, "rb").read() for f in files]

def one(data, name):
    r = ed.convert(data, name=name, lenient=True)
    v = list(ed.iter_findings(data, name=name))
    return [hashlib.sha256(r.to_bytes()).hexdigest(), r.input_valid, r.output_valid,
            [f.one_line() for f in r.findings], [f.one_line() for f in v]]

def run():
    return [one(d, f.rsplit("/", 1)[-1]) for d, f in zip(datas, files)]

if mode == "sequential":
    out = [run()]
else:
    n = int(mode)
    barrier = threading.Barrier(n)
    out = [None] * n
    def work(i):
        barrier.wait()  # every thread's first call at the same moment
        out[i] = run()
    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
print(json.dumps(out))
"""


def _fresh(mode: str) -> list:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    # the threads' runs with EPHYTO_DIP_PRELOAD=0: the import prepares nothing, so their first calls
    # are where everything is loaded and planned, at once; the sequential run is prepared at import
    env["EPHYTO_DIP_PRELOAD"] = "1" if mode == "sequential" else "0"
    done = subprocess.run([sys.executable, "-c", WORKER, mode, *FILES], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_first_calls_from_8_threads_in_fresh_processes_equal_a_sequential_run():
    (expected,) = _fresh("sequential")
    assert [r[2] for r in expected] == [True, True, True]  # the outputs are DIP-schema-valid
    with ThreadPoolExecutor(max_workers=2) as pool:  # two interpreters at a time: CI has 2 cores
        runs = list(pool.map(_fresh, [str(THREADS)] * PROCESSES))
    for p, threads in enumerate(runs):
        assert len(threads) == THREADS
        for t, got in enumerate(threads):
            assert got == expected, f"process {p}, thread {t} differs from the sequential run"
