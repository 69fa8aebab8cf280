"""The library as a service uses it: threads, first calls, memory, import time (issue 18).

    python benchmarks/service.py            # every figure, printed
    python benchmarks/service.py --quick    # fewer rounds

Each figure that depends on a fresh process (first-call latency, memory of 32 threads' first
calls, import time) is the median of several new interpreters started for it, once as the
library runs by default (the import prepares the conversion to the DIP) and once with
``EPHYTO_DIP_PRELOAD=0`` (the first call prepares it). ``convert`` runs with input
validation on (the default), as a service would call it. This is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "tests" / "data" / "ephyto-samples").glob("0[2-9]*.xml"))
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}

# run in a fresh interpreter: prints one JSON object
FRESH = r"""
import json, resource, sys, threading, time
t0 = time.perf_counter()
import ephyto_dip as ed
imported = time.perf_counter() - t0
paths, threads, mode = sys.argv[1:-2], int(sys.argv[-2]), sys.argv[-1]
data = [open(p, "rb").read() for p in paths]
out = {"import_s": imported, "rss_after_import_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
if mode == "first":
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def round_of_calls():
        barrier = threading.Barrier(threads)
        lat = []
        def work(i):
            barrier.wait()
            s = time.perf_counter()
            r = ed.convert(data[i % len(data)], name=f"s{i}.xml")
            assert r.ok
            lat.append(time.perf_counter() - s)
        ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
        [t.start() for t in ts]; [t.join() for t in ts]
        return max(lat)

    out["first_max_s"] = round_of_calls()
    out["rss_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024
    out["warm_round_max_s"] = round_of_calls()  # the same calls again, all loaded: like against like
    s = time.perf_counter(); ed.convert(data[0], name="warm.xml"); out["warm_s"] = time.perf_counter() - s
print(json.dumps(out))
"""


def fresh(threads: int, mode: str = "first", preload: bool = True) -> dict:
    """One new interpreter's figures; ``preload=False``: EPHYTO_DIP_PRELOAD=0 (the first call prepares)."""
    env = {**ENV, "EPHYTO_DIP_PRELOAD": "1" if preload else "0"}
    res = subprocess.run([sys.executable, "-c", FRESH, *map(str, SAMPLES), str(threads), mode],
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(res.stdout)


def median_of(runs: list[dict], key: str) -> float:
    values = sorted(r[key] for r in runs)
    return values[len(values) // 2]


def throughput(threads: int, seconds: float) -> float:
    """Certificates per second converted (input validated) by ``threads`` threads, warm."""
    from concurrent.futures import ThreadPoolExecutor

    import ephyto_dip as ed

    data = [p.read_bytes() for p in SAMPLES]
    ed.warm_up(*data)
    done = 0
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        while time.perf_counter() - start < seconds:
            batch = [data[i % len(data)] for i in range(threads * 8)]
            for r in pool.map(lambda b: ed.convert(b, name="bench.xml"), batch):
                assert r.ok
            done += len(batch)
    return done / (time.perf_counter() - start)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    seconds = 2.0 if args.quick else 6.0
    sys.path.insert(0, str(ROOT / "src"))
    print(f"{len(SAMPLES)} real samples, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    n = 3 if args.quick else 7  # fresh processes per figure: the median is printed
    for preload in (True, False):
        label = "import prepares (default)" if preload else "EPHYTO_DIP_PRELOAD=0"
        imports = [fresh(1, "import", preload) for _ in range(n)]
        alone = [fresh(1, "first", preload) for _ in range(n)]
        crowd = [fresh(32, "first", preload) for _ in range(max(1, n // 2))]
        first, warm = median_of(alone, "first_max_s"), median_of(alone, "warm_s")
        print(f"{label}:")
        print(f"  import ephyto_dip (fresh process):            {median_of(imports, 'import_s') * 1000:7.0f} ms  "
              f"(goal ≤ 150 ms; memory after it {median_of(imports, 'rss_after_import_mb'):.0f} MB)")
        print(f"  first convert, 1 thread alone:                {first * 1000:7.1f} ms  "
              f"(warm: {warm * 1000:.1f} ms, ×{first / warm:.1f}; goal ≤ 3× warm)")
        print(f"  first convert, slowest of 32 threads at once: {median_of(crowd, 'first_max_s') * 1000:7.0f} ms  "
              f"(the same 32 calls again, warm: {median_of(crowd, 'warm_round_max_s') * 1000:.0f} ms)")
        print(f"  memory growth over 32 threads' first calls:   {median_of(crowd, 'rss_growth_mb'):7.0f} MB  "
              f"(goal ≤ 120 MB)")
    for n in (1, 8):
        print(f"throughput, {n} thread(s), convert + validation: {throughput(n, seconds):7.0f} certificates/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
