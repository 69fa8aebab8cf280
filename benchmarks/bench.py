"""Benchmark ephyto-dip against the floor, measured in the same run.

The floor for one certificate is what any XML pipeline must pay: lxml parse + XSD validate
(SPS 17) + serialize of the same file. Every figure below is printed beside it.

    python benchmarks/bench.py                 # in-process per-certificate costs + batch runs
    python benchmarks/bench.py --quick         # smaller repetitions and batches
    python benchmarks/bench.py --json out.json # also write the numbers

In-process: read, convert (to DIP, with output validation), reverse (DIP → ePhyto) and
validate (schema + ISPM 12 rules), each the median of repeated runs per sample.
Whole process: ``ephyto-dip convert DIR -o OUT`` on a batch of real samples (cycled to N files)
against a floor process doing parse + validate + serialize of the same files; one
``ephyto-dip convert cert.xml`` cold start; peak memory of a 400- and a 2,000-file batch.
This is a benchmark, not a test: nothing here asserts a duration.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "tests" / "data" / "ephyto-samples"

import ephyto_dip as ed  # noqa: E402
from ephyto_dip.reading.schemas import ephyto_xsd, ephyto_xsd_path  # noqa: E402

FLOOR_SCRIPT = r"""
import sys
from pathlib import Path
from lxml import etree
src, out = Path(sys.argv[1]), Path(sys.argv[2])
parser = etree.XMLParser(resolve_entities=False, no_network=True)
schema = etree.XMLSchema(etree.parse(sys.argv[3], parser))
done = refused = 0
for p in sorted(src.iterdir()):
    try:
        root = etree.fromstring(p.read_bytes(), parser)
    except etree.XMLSyntaxError:  # the Hub SOAP sample declares no namespaces: lxml refuses it
        refused += 1
        continue
    schema.validate(root)
    (out / p.name).write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    done += 1
print(done, refused)
"""


def machine() -> dict:
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "lxml": ".".join(map(str, etree.LXML_VERSION)),
        "platform": platform.platform(),
        "ephyto_dip": ed.__version__,
    }


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def samples() -> list[Path]:
    return sorted(SAMPLES_DIR.glob("*.xml"))


def floor_once(data: bytes) -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    ephyto_xsd().validate(root)
    etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def in_process(repeat: int) -> list[dict]:
    rows = []
    for path in samples():
        data = path.read_bytes()
        # lenient: the input checks run on every sample, and the schema-invalid one converts too
        dip = ed.convert(data, lenient=True).to_bytes()
        row = {"sample": path.name[:40], "bytes": len(data)}
        try:
            floor_once(data)
            row["floor_ms"] = median_ms(lambda data=data: floor_once(data), repeat)
        except etree.XMLSyntaxError:  # the Hub SOAP sample declares no namespaces: no plain floor
            row["floor_ms"] = None
        row["read_ms"] = median_ms(lambda data=data: ed.read(data), repeat)
        row["convert_ms"] = median_ms(lambda data=data: ed.convert(data, lenient=True).to_bytes(), repeat)
        row["reverse_ms"] = median_ms(lambda dip=dip: ed.convert(dip, lenient=True).to_bytes(), repeat)
        # (validate raises on an invalid sample)
        row["validate_ms"] = median_ms(lambda data=data: list(ed.iter_findings(data)), repeat)
        rows.append(row)
    return rows


def make_batch(n: int, where: Path) -> Path:
    src = Path(tempfile.mkdtemp(prefix=f"in{n}_", dir=where))
    files = list(samples())
    for i in range(n):
        p = files[i % len(files)]
        shutil.copy(p, src / f"{i:06d}_{p.name}")
    return src


def run_timed(cmd: list[str], ok=(0,)) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) of the largest process of the command's tree, and stdout.

    Any exit code outside ``ok`` stops the benchmark: a run that died early would look fast.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-500:]}")
    return seconds, max(peak, before), proc.stdout


def cli() -> list[str]:
    exe = shutil.which("ephyto-dip")
    return [exe] if exe else [sys.executable, "-m", "ephyto_dip.cli"]


def batch(n: int, jobs: int, tmp: Path, rounds: int) -> dict:
    """Floor and ephyto-dip on the same ``n`` files, interleaved ``rounds`` times (medians).

    Interleaving matters on a shared machine: a slow minute then hits both sides alike.
    Both runs must exit 0 and account for every file, or the benchmark stops.
    """
    src = make_batch(n, tmp)
    times: dict[str, list[float]] = {"floor": [], "ours": [], "ours_1job": []}
    refused = 0
    for r in range(rounds):
        out = tmp / f"round{r}"
        (out / "floor").mkdir(parents=True)
        seconds, _, stdout = run_timed([sys.executable, "-c", FLOOR_SCRIPT, str(src), str(out / "floor"),
                                        str(ephyto_xsd_path())])
        done, refused = map(int, stdout.split())
        if done + refused != n:
            raise SystemExit(f"the floor handled {done + refused} of {n} files")
        times["floor"].append(seconds)
        for key, j in (("ours", jobs), ("ours_1job", 1)):
            target = out / key
            # --lenient: every input is checked as validate checks it, and the real sample that
            # fails its schema is converted (with warnings) rather than refused, so both sides
            # handle the same files
            seconds, _, _ = run_timed([*cli(), "convert", str(src), "-o", str(target), "--jobs", str(j),
                                         "--no-progress", "--quiet", "--lenient"])
            written = sum(1 for _ in target.iterdir())
            if written != n:
                raise SystemExit(f"ephyto-dip wrote {written} of {n} files")
            times[key].append(seconds)
        shutil.rmtree(out)
    med = {k: statistics.median(v) for k, v in times.items()}
    best = {k: min(v) for k, v in times.items()}
    return {"files": n, "rounds": rounds, "jobs": jobs, "floor_refused": refused,
            "floor_s": med["floor"], "ours_s": med["ours"], "ours_1job_s": med["ours_1job"],
            # each round's ratio, then their median: a slow minute hits both runs of a round
            "ratio": statistics.median(o / f for o, f in zip(times["ours"], times["floor"], strict=True)),
            "ratio_1job": statistics.median(o / f for o, f in zip(times["ours_1job"], times["floor"], strict=True)),
            # best against best: what each side costs with no one else on the machine
            "ratio_best": best["ours"] / best["floor"], "ratio_1job_best": best["ours_1job"] / best["floor"],
            "runs": times}


def peak_memory(n: int, tmp: Path, jobs: int) -> int:
    """Peak RSS (KiB) of a batch, measured in a fresh child so earlier runs don't count."""
    src = make_batch(n, tmp)
    command = [*cli(), "convert", str(src), "-o", str(tmp / f"mem{n}"), "--jobs", str(jobs),
               "--no-progress", "--lenient"]
    code = (
        "import resource, subprocess, sys; "
        f"subprocess.run({command!r}, "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def cold_start(repeat: int, tmp: Path) -> float:
    cert = ROOT / "examples" / "BO-EC_851_wood-decking.xml"
    times = [run_timed([*cli(), "convert", str(cert), "-o", str(tmp / "cold.xml")])[0] for _ in range(repeat)]
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, smaller batches")
    ap.add_argument("--json", type=Path, help="also write the results to this file")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    repeat = 5 if args.quick else 30
    big = 400
    results: dict = {"machine": machine()}
    print("machine:", json.dumps(results["machine"]))

    rows = in_process(repeat)
    results["per_certificate"] = rows
    print(f"\nper certificate, in process (median of {repeat}, ms; ratio = ours / floor)")
    print(f"{'sample':42} {'kB':>6} {'floor':>7} {'read':>7} {'convert':>8} {'reverse':>8} {'validate':>9} "
          f"{'conv/floor':>10}")
    for r in rows:
        fl = r["floor_ms"]
        ratio = f"{r['convert_ms'] / fl:10.1f}" if fl else f"{'n/a':>10}"
        print(f"{r['sample']:42} {r['bytes'] / 1024:6.1f} {fl if fl else float('nan'):7.2f} {r['read_ms']:7.2f} "
              f"{r['convert_ms']:8.2f} {r['reverse_ms']:8.2f} {r['validate_ms']:9.2f} {ratio}")

    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        b = batch(big if not args.quick else 100, args.jobs, tmp, 3 if args.quick else 7)
        results["batch"] = b
        print(f"\nwhole process, {b['files']} real certificates, {b['rounds']} interleaved rounds (medians): "
              f"floor {b['floor_s']:.2f} s ({b['floor_refused']} files lxml refuses: Hub SOAP without "
              f"namespace declarations); ephyto-dip convert --jobs {b['jobs']} {b['ours_s']:.2f} s; "
              f"--jobs 1 {b['ours_1job_s']:.2f} s")
        print(f"  ratio to the floor, median of the rounds' ratios: ×{b['ratio']:.2f} with {b['jobs']} jobs "
              f"(goal ≤ ×1.5), ×{b['ratio_1job']:.2f} with 1 (goal ≤ ×2.5)")
        print(f"  best run against best run: ×{b['ratio_best']:.2f} with {b['jobs']} jobs, "
              f"×{b['ratio_1job_best']:.2f} with 1")
        cs = cold_start(3 if args.quick else 5, tmp)
        results["cold_start_s"] = cs
        print(f"one convert of one certificate, whole process: {cs:.2f} s   goal ≤ 0.3 s")
        small, large = (100, 500) if args.quick else (400, 2000)
        m_small, m_large = peak_memory(small, tmp, args.jobs), peak_memory(large, tmp, args.jobs)
        results["peak_rss_kib"] = {str(small): m_small, str(large): m_large}
        print(f"peak memory (largest process): {small} files {m_small / 1024:.1f} MiB; "
              f"{large} files {m_large / 1024:.1f} MiB   goal: equal within noise")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
