"""The ledger under concurrency and on a real PostgreSQL server.

Two processes race for the last quantity of a line, released together by a barrier, on SQLite
and on PostgreSQL: exactly one wins, every round. The PostgreSQL server is a real one this test
starts (initdb + pg_ctl in a temporary folder, a Unix socket, no TCP); where PostgreSQL or psycopg
is not installed the tests say so and skip (``.ci/run`` installs both).
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from ephyto_dip.linkage import open_ledger
from ephyto_dip.linkage.ledger import CertifiedLine, Request
from ephyto_dip.linkage.quantities import Amount

from .test_linkage import worked_example

KG = {"KGM": Decimal(1)}
ROUNDS = 8


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server of its own for this module; its URL."""
    pytest.importorskip("psycopg", reason="psycopg 3 is not installed (pip install '.[postgres]')")
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql); the PostgreSQL ledger is "
                    "not tested here")
    base = Path(tempfile.mkdtemp(prefix="ephyto-dip-pg-"))  # not under pytest's root-only folder: postgres runs it
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres")
        shutil.chown(sock, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = lambda *cmd: subprocess.run(as_user + list(cmd), check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
            f"-k {sock} -p {port} -c listen_addresses=''", "start")
    except subprocess.CalledProcessError as exc:
        pytest.fail(f"PostgreSQL is installed but did not start: {exc.stderr or exc.stdout}")
    yield f"postgresql://postgres@/postgres?host={sock}&port={port}"
    subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                   capture_output=True)
    shutil.rmtree(base, ignore_errors=True)


def _racer(target: str, number: str, declaration: str, barrier, results) -> None:
    with open_ledger(target) as ledger:
        barrier.wait()
        with ledger.transaction(number) as tx:
            tx.register("70", [CertifiedLine("1", "070993", "KGM", Decimal(1000))])
            answer = tx.reserve(declaration, [Request(1, "1", "07099310", Amount(Decimal(600), "KGM"))], KG)
        results.put((declaration, answer.accepted, answer.reason))


def race(target: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    open_ledger(target).close()  # the schema exists before the race, as in a running single window
    for n in range(ROUNDS):
        number = f"RACE{os.getpid()}-{n}"
        barrier, results = ctx.Barrier(2), ctx.Queue()
        procs = [ctx.Process(target=_racer, args=(target, number, d, barrier, results)) for d in ("A", "B")]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
            assert p.exitcode == 0
        answers = sorted(results.get(timeout=5) for _ in procs)
        assert sorted(ok for _, ok, _ in answers) == [False, True], answers
        assert [r for _, ok, r in answers if not ok] == ["05"]
        with open_ledger(target) as ledger:
            line = ledger.balance(number).line("1")
            assert (line.reserved, line.available) == (600, 400)


def test_two_processes_racing_on_sqlite_cannot_both_win(tmp_path):
    race(str(tmp_path / "race.db"))


def test_two_processes_racing_on_postgresql_cannot_both_win(postgres):
    race(postgres)


def test_the_worked_example_on_postgresql(postgres):
    with open_ledger(postgres) as ledger:
        worked_example(ledger)
        assert ledger.location.startswith("postgresql://postgres@/postgres")
