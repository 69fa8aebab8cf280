"""Benchmark the customs side: attach beside convert, and the quantity ledger's throughput.

    python benchmarks/attach.py            # 1,000 declarations against 100 certificates
    python benchmarks/attach.py --quick    # 200 against 20
    python benchmarks/attach.py --postgres postgresql://…   # the same ledger figures on a server

Per certificate, in process, warm (the median of repeated runs), with the floor of the same run
beside it (lxml parse + SPS 17 XSD validate + serialize of the certificate): ``convert`` of the
certificate, ``attach`` of it to the HMRC sample declaration (both files read, every check,
the declaration validated before and after), and ``attach`` with a SQLite ledger (the same plus
one reservation). Then reservations per second on a SQLite file: N declarations, each one goods
item drawing on one line, spread over M certificates, every reservation its own locked
transaction (goal: at least 500 per second on one core), and the same through ``attach``.
This is a benchmark, not a test: nothing here asserts a duration.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CERT = ROOT / "examples" / "attach" / "constructed_CL-GB_851_courgettes.xml"
DECL = ROOT / "examples" / "attach" / "Step1_TT_IM030a.xml"

import ephyto_dip as ed  # noqa: E402
from bench import floor_once, median_ms  # noqa: E402  (benchmarks/bench.py: one floor for every benchmark)
from ephyto_dip.linkage import attach, open_ledger  # noqa: E402
from ephyto_dip.linkage.ledger import CertifiedLine, Request  # noqa: E402
from ephyto_dip.linkage.quantities import Amount  # noqa: E402

KG = {"KGM": Decimal(1)}


def warm_median_ms(fn, repeat: int) -> float:
    fn()  # the first call builds schemas and plans: not what a warm call costs
    return median_ms(fn, repeat)


def floor() -> None:
    floor_once(CERT.read_bytes())


def with_id(decl: bytes, mrn: str, kg: str) -> bytes:
    return decl.replace(b"U.7849454833T3", mrn.encode()).replace(b"<NetNetWeightMeasure>11600<",
                                                                 f"<NetNetWeightMeasure>{kg}<".encode())


def ledger_rate(target: str, declarations: int, certificates: int) -> float:
    with open_ledger(target) as ledger:
        numbers = [f"BENCH{os.getpid()}-{i}" for i in range(certificates)]
        for n in numbers:  # the certificates are known before the declarations come
            with ledger.transaction(n) as tx:
                tx.register("70", [CertifiedLine("1", "070993", "KGM", Decimal(declarations * 10))])
        t = time.perf_counter()
        for i in range(declarations):
            with ledger.transaction(numbers[i % certificates]) as tx:
                answer = tx.reserve(f"D{i}", [Request(1, "1", "07099310", Amount(Decimal(5), "KGM"))], KG)
                assert answer.accepted
        return declarations / (time.perf_counter() - t)


def attach_rate(folder: Path, declarations: int) -> float:
    decl = DECL.read_bytes()
    bodies = [with_id(decl, f"MRN{i}", "1") for i in range(declarations)]
    cert = ed.read(CERT)
    with open_ledger(str(folder / "attach.db")) as ledger:
        t = time.perf_counter()
        for body in bodies:
            assert attach(cert, body, ledger=ledger).answer.accepted
        return declarations / (time.perf_counter() - t)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--postgres", help="also measure the ledger on this PostgreSQL URL")
    args = ap.parse_args()
    declarations, certificates, repeat = (200, 20, 10) if args.quick else (1000, 100, 30)
    ed.warm_up()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; certificate {CERT.name}, declaration {DECL.name}")
    base = warm_median_ms(floor, repeat)
    conv = warm_median_ms(lambda: ed.convert(CERT), repeat)
    att = warm_median_ms(lambda: attach(CERT, DECL), repeat)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        counter = iter(range(10**9))
        with open_ledger(str(folder / "one.db")) as ledger:
            decl = DECL.read_bytes()
            att_l = warm_median_ms(lambda: attach(CERT, with_id(decl, f"M{next(counter)}", "1"), ledger=ledger), repeat)
        print(f"{'per certificate (warm, median)':34} {'ms':>8} {'x floor':>8}")
        for label, ms in (("floor: parse + XSD + serialize", base), ("convert (ePhyto -> DIP)", conv),
                          ("attach (no ledger)", att), ("attach + SQLite reservation", att_l)):
            print(f"{label:34} {ms:8.2f} {ms / base:8.1f}")
        rate = ledger_rate(str(folder / "ledger.db"), declarations, certificates)
        print(f"SQLite ledger: {declarations} declarations against {certificates} certificates: "
              f"{rate:,.0f} reservations/s (goal >= 500/s)")
        through = attach_rate(folder, max(20, declarations // 10))
        print(f"attach --ledger (SQLite), whole step: {through:,.0f} declarations/s")
        if args.postgres:
            print(f"PostgreSQL ledger: {declarations} declarations against {certificates} certificates: "
                  f"{ledger_rate(args.postgres, declarations, certificates):,.0f} reservations/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
