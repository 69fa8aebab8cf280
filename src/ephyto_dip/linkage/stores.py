"""Where the ledger lives: a SQLite file (the embedded default) or a PostgreSQL server (by URL).

Both give the ledger the same three things: ``rows`` / ``run`` with ``?`` parameters, and
``locked(number)``, a transaction that holds one certificate's lock until it ends (SQLite:
``BEGIN IMMEDIATE``, one writer at a time; PostgreSQL: a transaction-scoped advisory lock on the
certificate number, so instances of a single window on several machines serialise per
certificate). It commits when the block ends and rolls back on any exception, so an interrupted
run leaves the ledger as it was. The schema carries its version; a ledger of another version is
refused, never altered.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

from ..findings import Finding, LedgerError

SCHEMA_VERSION = "1"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS certificate (number TEXT PRIMARY KEY, status TEXT NOT NULL, registered TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS certificate_line (number TEXT NOT NULL REFERENCES certificate (number), "
    "line TEXT NOT NULL, position INTEGER NOT NULL, commodity_code TEXT NOT NULL, unit TEXT NOT NULL, "
    "quantity TEXT NOT NULL, PRIMARY KEY (number, line))",
    "CREATE TABLE IF NOT EXISTS declaration (number TEXT NOT NULL REFERENCES certificate (number), "
    "declaration_id TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('reserved', 'consumed')), "
    "document_status TEXT NOT NULL, office TEXT NOT NULL, event_time TEXT NOT NULL, "
    "PRIMARY KEY (number, declaration_id))",
    "CREATE TABLE IF NOT EXISTS allocation (number TEXT NOT NULL, declaration_id TEXT NOT NULL, "
    "goods_item INTEGER NOT NULL, line TEXT NOT NULL, commodity_code TEXT NOT NULL, declared_quantity TEXT NOT NULL, "
    "declared_unit TEXT NOT NULL, quantity TEXT NOT NULL, PRIMARY KEY (number, declaration_id, goods_item, line), "
    "FOREIGN KEY (number, declaration_id) REFERENCES declaration (number, declaration_id), "
    "FOREIGN KEY (number, line) REFERENCES certificate_line (number, line))",
    "CREATE TABLE IF NOT EXISTS replacement (replaced TEXT NOT NULL, replacing TEXT NOT NULL, "
    "PRIMARY KEY (replaced, replacing))",
)


def _fail(location: str, what: str, exc: BaseException) -> LedgerError:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return LedgerError(Finding("LEDGER-IO", f"ledger {what}: {reason}", file=location))


def _check_version(found: Sequence[tuple[Any, ...]], location: str) -> None:
    if found and found[0][0] != SCHEMA_VERSION:
        raise LedgerError(Finding("LEDGER-SCHEMA", f"the ledger's schema version is {found[0][0]}; this version of "
                                  f"ephyto-dip reads version {SCHEMA_VERSION} only (nothing was changed)",
                                  file=location, value=found[0][0]))


class _Store:
    """Queries with ``?`` parameters, each failure a LEDGER-IO naming the ledger; one connection,
    shared by the threads of a process under a lock."""

    location: str
    conn: Any  # a sqlite3 or psycopg connection: execute, close (psycopg also transaction)
    _lock: threading.RLock
    _errors: type[BaseException] | tuple[type[BaseException], ...]

    def _sql(self, sql: str) -> str:
        return sql

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                found: list[tuple[Any, ...]] = self.conn.execute(self._sql(sql), params).fetchall()
                return found
            except self._errors as exc:
                raise _fail(self.location, "cannot be read", exc) from None

    def run(self, sql: str, params: Sequence[object] = ()) -> None:
        with self._lock:
            try:
                self.conn.execute(self._sql(sql), params)
            except self._errors as exc:
                raise _fail(self.location, "cannot be written", exc) from None

    def close(self) -> None:
        self.conn.close()


class SQLiteStore(_Store):
    """A ledger file; created with its schema on first use."""

    _errors = sqlite3.Error

    def __init__(self, path: str, timeout: float):
        self.location = path
        self._lock = threading.RLock()
        p = Path(path)
        if p.is_dir():
            raise LedgerError(Finding("LEDGER-IO", "ledger cannot be opened: it is a directory", file=path))
        if not p.parent.is_dir():
            raise LedgerError(Finding("LEDGER-IO", f"ledger cannot be created: folder {p.parent} does not exist",
                                      file=path))
        try:
            self.conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
            # WAL: readers never wait for the writer, and a commit is one fsync of the log (FULL keeps
            # every committed reservation through a power cut)
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = FULL")
            with self.locked(None):
                for statement in SCHEMA:
                    self.conn.execute(statement)
                _check_version(self.rows("SELECT value FROM ledger_meta WHERE key = 'schema_version'"), path)
                self.run("INSERT INTO ledger_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                         (SCHEMA_VERSION,))
        except sqlite3.Error as exc:
            raise _fail(path, "cannot be opened", exc) from None

    @contextmanager
    def locked(self, number: str | None) -> Iterator[None]:
        with self._lock:
            try:
                self.conn.execute("BEGIN IMMEDIATE")  # the write lock now, not at the first write
            except sqlite3.Error as exc:
                raise _fail(self.location, "is locked or cannot be opened", exc) from None
            try:
                yield
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self.conn.execute("ROLLBACK")
                raise _fail(self.location, "cannot be written", exc) from None


def redact(url: str) -> str:
    """A URL fit for a message: the password is never shown."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


class PostgresStore(_Store):
    """A ledger in a PostgreSQL database (psycopg 3); the tables are created on first use."""

    def __init__(self, url: str, timeout: float):
        self.location = redact(url)
        self.timeout = timeout
        self._lock = threading.RLock()
        try:
            import psycopg
        except ImportError:
            raise LedgerError(Finding("LEDGER-IO", "a PostgreSQL ledger needs psycopg 3: pip install "
                                      "'ephyto-dip[postgres]'", file=self.location)) from None
        self._errors = psycopg.Error
        try:
            self.conn = psycopg.connect(url, autocommit=True, connect_timeout=max(1, int(timeout)))
        except psycopg.Error as exc:
            raise _fail(self.location, "cannot be reached", exc) from None
        with self.locked("ephyto-dip ledger schema"):  # two first uses at once create the tables once
            for statement in SCHEMA:
                self.run(statement)
            _check_version(self.rows("SELECT value FROM ledger_meta WHERE key = 'schema_version'"), self.location)
            self.run("INSERT INTO ledger_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                     (SCHEMA_VERSION,))

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s")

    @contextmanager
    def locked(self, number: str | None) -> Iterator[None]:
        with self._lock:
            try:
                tx = self.conn.transaction()
                tx.__enter__()
                self.conn.execute(f"SET LOCAL lock_timeout = '{int(self.timeout * 1000)}ms'")
                self.conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (str(number),))
            except self._errors as exc:
                raise _fail(self.location, "is locked or cannot be reached", exc) from None
            try:
                yield
            except BaseException as exc:
                tx.__exit__(type(exc), exc, exc.__traceback__)
                raise
            try:
                tx.__exit__(None, None, None)
            except self._errors as exc:
                raise _fail(self.location, "cannot be written", exc) from None


Store: TypeAlias = "SQLiteStore | PostgresStore"  # what a Ledger keeps its balances in


def open_store(target: str, *, timeout: float = 10.0) -> SQLiteStore | PostgresStore:
    if re.match(r"postgres(ql)?://", target):
        return PostgresStore(target, timeout)
    if "://" in target:
        raise LedgerError(Finding("LEDGER-IO", "a ledger is a SQLite file path or a postgresql:// URL",
                                  file=redact(target)))
    return SQLiteStore(target, timeout)
