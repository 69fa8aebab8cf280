"""The quantity ledger: per certificate line, what is available, reserved per declaration, consumed.

The running balance across declarations is what CSW-CERTEX keeps for a CHED and what a single
window needs for an ePhyto line [17–22, 26 of the linkage specification]:

    available(line) = certified(line) − Σ reserved(line, other declarations) − Σ consumed(line)

A reservation takes nothing unless every goods item passes; re-lodging the same declaration
replaces its hold; a refusal for quantity (05) drops the declaration's earlier hold, other
refusals keep it; release turns a hold into consumed quantity, which never comes back; cancel
gives an unreleased hold back; a declaration released once cannot reserve again (06). Every
answer carries the whole per-line summary, on refusals too.

Storage is ``stores.py`` (SQLite file, or PostgreSQL by URL); each operation is one transaction
that holds the certificate's lock, so two declarations racing for the last quantity cannot both
win. Quantities are exact decimals, stored as text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING

from ..findings import Finding, LedgerError, UsageError
from ..jsontypes import JSONObject
from .quantities import Amount, convert
from .values import common_prefix, fmt

if TYPE_CHECKING:
    from .stores import Store

# CSW-CERTEX ReservationFailureReason (DEFRA/trade-gateway ReservationFailureReasons.cs)
REASONS = {
    "01": "base for extract", "02": "PCA document used", "03": "CN codes mismatch", "04": "inappropriate status",
    "05": "quantities insufficient", "06": "write-off for this MRN and document already exists",
    "07": "line numbers mismatch", "08": "country of destination mismatch", "09": "licence holder mismatch",
    "10": "measurement unit mismatch", "11": "quantities cannot be validated",
}
# CSW-CERTEX clearance outcomes (release / cancel)
OUTCOMES = {
    "01": "executed",
    "02": "nothing reserved for this declaration",
    "03": "already consumed",
    "04": "executed with status warning",
}
RESERVED, CONSUMED = "reserved", "consumed"  # a cancelled hold is deleted: it holds nothing


@dataclass(frozen=True)
class CertifiedLine:
    """What a certificate line certifies: the basis every write-off is converted to."""

    line: str
    commodity_code: str
    unit: str
    quantity: Decimal


@dataclass(frozen=True)
class Request:
    """One goods item of a declaration drawing on one certificate line."""

    goods_item: int
    line: str
    commodity_code: str  # as declared
    amount: Amount  # as declared


@dataclass(frozen=True)
class Allocation:
    declaration_id: str
    goods_item: int
    line: str
    commodity_code: str
    declared: Amount
    quantity: Decimal  # in the line's unit
    state: str  # reserved | consumed
    event_time: str
    office: str = ""


@dataclass(frozen=True)
class LineBalance:
    line: str
    commodity_code: str
    unit: str
    certified: Decimal
    reserved: Decimal
    consumed: Decimal

    @property
    def available(self) -> Decimal:
        return self.certified - self.reserved - self.consumed


@dataclass(frozen=True)
class Balance:
    certificate: str
    status: str
    lines: tuple[LineBalance, ...]
    allocations: tuple[Allocation, ...]
    document_statuses: Mapping[str, str] = field(default_factory=dict)  # declaration -> its status code

    def line(self, label: str) -> LineBalance | None:
        return next((ln for ln in self.lines if ln.line == label), None)

    def open_to(self, declaration_id: str, label: str) -> Decimal:
        """What a declaration may hold of a line: the available quantity plus its own hold, which a
        new reservation replaces rather than adds to."""
        ln = self.line(label)
        own = sum((a.quantity for a in self.allocations
                   if a.declaration_id == declaration_id and a.line == label and a.state == RESERVED), Decimal(0))
        return (ln.available if ln is not None else Decimal(0)) + own

    def to_dict(self) -> JSONObject:
        return {
            "certificate": self.certificate,
            "status": self.status,
            "lines": [{"line": ln.line, "commodity_code": ln.commodity_code, "unit": ln.unit,
                       "certified": fmt(ln.certified), "reserved": fmt(ln.reserved), "consumed": fmt(ln.consumed),
                       "available": fmt(ln.available)} for ln in self.lines],
            "allocations": [{"declaration": a.declaration_id, "goods_item": a.goods_item, "line": a.line,
                             "commodity_code": a.commodity_code, "declared": str(a.declared),
                             "quantity": fmt(a.quantity), "state": a.state, "event_time": a.event_time,
                             **({"office": a.office} if a.office else {})} for a in self.allocations],
        }

    def to_certex(self) -> JSONObject:
        """The CSW-CERTEX QuantityManagementSummary: available per line, every allocation by state."""
        def allocation(a: Allocation) -> JSONObject:
            return {"GoodsItemNumber": a.goods_item, "CommodityCode": a.commodity_code[:6],
                    "SwSupportingDocument": {"UnitOfMeasure": a.declared.unit, "Quantity": fmt(a.declared.value),
                                             "CertificateLineNumber": a.line},
                    "EventDateTime": a.event_time, "CompetentCustomsOffice": {"ReferenceNumber": a.office},
                    "MRN": a.declaration_id}
        return {
            "AvailableQuantity": [{"CommodityCode": ln.commodity_code, "UnitOfMeasure": ln.unit,
                                   "Quantity": fmt(ln.available), "CertificateLineNumber": ln.line}
                                  for ln in self.lines],
            "ReservedQuantity": [allocation(a) for a in self.allocations if a.state == RESERVED],
            "ConsumedQuantity": [allocation(a) for a in self.allocations if a.state == CONSUMED],
        }


@dataclass(frozen=True)
class Answer:
    """The ledger's answer to one operation: accepted or the reason, and the whole balance after it."""

    operation: str  # reserve | release | cancel
    certificate: str
    declaration_id: str
    accepted: bool
    balance: Balance
    reason: str | None = None  # REASONS code of a refused reservation
    failed_goods_item: int | None = None
    failed_line: str | None = None
    outcome: str | None = None  # OUTCOMES code of a release or cancel
    message: str = ""

    def to_dict(self) -> JSONObject:
        out: JSONObject = {"operation": self.operation, "certificate": self.certificate,
                     "declaration": self.declaration_id, "accepted": self.accepted}
        if self.reason:
            out["reason"] = {"code": self.reason, "name": REASONS[self.reason]}
        if self.failed_goods_item is not None:
            out["failed"] = {"goods_item": self.failed_goods_item,
                             **({"line": self.failed_line} if self.failed_line else {})}
        if self.outcome:
            out["outcome"] = {"code": self.outcome, "name": OUTCOMES[self.outcome]}
        if self.message:
            out["message"] = self.message
        out["balance"] = self.balance.to_dict()
        return out

    def to_certex(self) -> JSONObject:
        """The answer in the CSW-CERTEX reservation (or clearance) result shape."""
        out: JSONObject = {"MRN": self.declaration_id, "DocumentReference": self.certificate}
        if self.operation == "reserve":
            out["ReservationResult"] = 1 if self.accepted else 0
            if self.reason:
                out["ReservationFailureReason"] = self.reason
            if self.failed_goods_item is not None:
                out["ReservationFailureConsignmentItem"] = {
                    "GoodsItemNumber": self.failed_goods_item,
                    **({"DocumentLineItemNumber": self.failed_line} if self.failed_line else {})}
        else:
            out["GoodsClearanceInformation"] = "01" if self.operation == "release" else "02"
            out["OperationOutcome"] = self.outcome
        out["QuantityManagementSummary"] = self.balance.to_certex()
        return out


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


class Transaction:
    """The ledger of one certificate, locked for the length of a ``with ledger.transaction(...)``."""

    def __init__(self, store: Store, number: str) -> None:
        self.store = store
        self.number = number

    # ------------------------------------------------------------------ reading

    def known(self) -> bool:
        return bool(self.store.rows("SELECT 1 FROM certificate WHERE number = ?", (self.number,)))

    def balance(self) -> Balance:
        cert = self.store.rows("SELECT status FROM certificate WHERE number = ?", (self.number,))
        lines = [CertifiedLine(r[0], r[1], r[2], Decimal(r[3])) for r in self.store.rows(
            "SELECT line, commodity_code, unit, quantity FROM certificate_line WHERE number = ? ORDER BY position",
            (self.number,))]
        allocs = tuple(Allocation(r[0], int(r[1]), r[2], r[3], Amount(Decimal(r[4]), r[5]), Decimal(r[6]), r[7], r[8],
                                  r[9] or "") for r in self.store.rows(
            "SELECT a.declaration_id, a.goods_item, a.line, a.commodity_code, a.declared_quantity, a.declared_unit, "
            "a.quantity, d.state, d.event_time, d.office FROM allocation a JOIN declaration d "
            "ON d.number = a.number AND d.declaration_id = a.declaration_id "
            "WHERE a.number = ? ORDER BY d.event_time, a.declaration_id, a.goods_item, a.line", (self.number,)))
        statuses = {r[0]: r[1] or "" for r in self.store.rows(
            "SELECT declaration_id, document_status FROM declaration WHERE number = ?", (self.number,))}
        out = []
        for ln in lines:
            mine = [a for a in allocs if a.line == ln.line]
            out.append(LineBalance(ln.line, ln.commodity_code, ln.unit, ln.quantity,
                                   sum((a.quantity for a in mine if a.state == RESERVED), Decimal(0)),
                                   sum((a.quantity for a in mine if a.state == CONSUMED), Decimal(0))))
        return Balance(self.number, cert[0][0] if cert else "", tuple(out), allocs, statuses)

    def declaration_state(self, declaration_id: str) -> str | None:
        rows = self.store.rows("SELECT state FROM declaration WHERE number = ? AND declaration_id = ?",
                               (self.number, declaration_id))
        return rows[0][0] if rows else None

    # ------------------------------------------------------------------ writing

    def register(self, status: str, lines: Sequence[CertifiedLine], replaces: Sequence[str] = ()) -> None:
        """Record the certificate (first use) or its current status; its lines are fixed at first use."""
        if self.known():
            self.store.run("UPDATE certificate SET status = ? WHERE number = ?", (status, self.number))
            return
        self.store.run("INSERT INTO certificate (number, status, registered) VALUES (?, ?, ?)",
                       (self.number, status, now()))
        for pos, ln in enumerate(lines):
            self.store.run("INSERT INTO certificate_line (number, line, position, commodity_code, unit, quantity) "
                           "VALUES (?, ?, ?, ?, ?, ?)", (self.number, ln.line, pos, ln.commodity_code, ln.unit,
                                                         fmt(ln.quantity)))
        for old in replaces:
            self.store.run("INSERT INTO replacement (replaced, replacing) VALUES (?, ?) ON CONFLICT DO NOTHING",
                           (old, self.number))

    def reserve(self, declaration_id: str, requests: Sequence[Request], mass_units: Mapping[str, Decimal], *,
                covering: bool = True, office: str = "", document_status: str = "",
                hs_digits: int = 6) -> Answer:
        pairs = [(rq.goods_item, rq.line) for rq in requests]
        if len(set(pairs)) < len(pairs):
            raise UsageError(Finding("USAGE", "a reservation names one goods item and line twice; give each pair once "
                                     "with its whole quantity", file=self.store.location))
        balance = self.balance()

        def refuse(reason: str, message: str, item: int | None = None, line: str | None = None,
                   drop: bool = False) -> Answer:
            if drop:  # a refusal for quantity is the declaration's new position: its hold goes
                self._drop(declaration_id)
            return Answer("reserve", self.number, declaration_id, False, self.balance() if drop else balance,
                          reason, item, line, message=message)

        if not covering:
            return refuse("04", f"certificate {self.number} has status {balance.status}, which does not cover goods")
        if self.declaration_state(declaration_id) == CONSUMED:
            return refuse("06", f"declaration {declaration_id} has already written off certificate {self.number}")
        wanted: dict[str, Decimal] = {}
        converted: list[Decimal] = []
        for rq in requests:
            ln = balance.line(rq.line)
            if ln is None:
                return refuse("07", f"goods item {rq.goods_item} draws on line {rq.line}, which certificate "
                              f"{self.number} does not have", rq.goods_item)
            if ln.commodity_code and common_prefix(ln.commodity_code, rq.commodity_code) < min(
                    hs_digits, len(ln.commodity_code)):
                return refuse("03", f"goods item {rq.goods_item} (commodity {rq.commodity_code}) does not fall under "
                              f"line {ln.line}'s code {ln.commodity_code}", rq.goods_item, ln.line)
            q = convert(rq.amount, ln.unit, mass_units)
            if q is None:
                return refuse("10", f"goods item {rq.goods_item} is declared in {rq.amount.unit}; line {ln.line} "
                              f"is certified in {ln.unit}", rq.goods_item, ln.line)
            converted.append(q)
            wanted[ln.line] = wanted.get(ln.line, Decimal(0)) + q
        units = {ln.line: ln.unit for ln in balance.lines}  # (every wanted line is one: checked above)
        for label, q in wanted.items():
            available = balance.open_to(declaration_id, label)
            if q > available:
                first = next(rq.goods_item for rq in requests if rq.line == label)
                return refuse("05", f"declaration {declaration_id} asks {fmt(q)} {units[label]} of line {label}; "
                              f"{fmt(available)} {units[label]} is available", first, label, drop=True)
        self._drop(declaration_id)
        stamp = now()
        self.store.run("INSERT INTO declaration (number, declaration_id, state, document_status, office, event_time) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       (self.number, declaration_id, RESERVED, document_status, office, stamp))
        for rq, q in zip(requests, converted, strict=True):
            self.store.run(
                "INSERT INTO allocation (number, declaration_id, goods_item, line, commodity_code, declared_quantity, "
                "declared_unit, quantity) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (self.number, declaration_id, rq.goods_item, rq.line, rq.commodity_code, fmt(rq.amount.value),
                 rq.amount.unit, fmt(q)))
        return Answer("reserve", self.number, declaration_id, True, self.balance(),
                      message=f"declaration {declaration_id} holds "
                      + "; ".join(f"{fmt(q)} {units[k]} of line {k}" for k, q in wanted.items()))

    def _drop(self, declaration_id: str) -> None:
        self.store.run("DELETE FROM allocation WHERE number = ? AND declaration_id = ?", (self.number, declaration_id))
        self.store.run("DELETE FROM declaration WHERE number = ? AND declaration_id = ? AND state = ?",
                       (self.number, declaration_id, RESERVED))

    def release(self, declaration_id: str, *, covering: bool = True) -> Answer:
        """The declaration is cleared: its hold is consumed for good (04: the certificate no longer covers goods)."""
        state = self.declaration_state(declaration_id)
        if state != RESERVED:
            outcome = "03" if state == CONSUMED else "02"
            return Answer("release", self.number, declaration_id, False, self.balance(), outcome=outcome,
                          message=OUTCOMES[outcome])
        self.store.run("UPDATE declaration SET state = ?, event_time = ? WHERE number = ? AND declaration_id = ?",
                       (CONSUMED, now(), self.number, declaration_id))
        outcome = "01" if covering else "04"
        message = OUTCOMES[outcome] + ("" if covering else f": certificate {self.number} no longer covers goods "
                                       f"(status {self.balance().status})")
        return Answer("release", self.number, declaration_id, True, self.balance(), outcome=outcome, message=message)

    def cancel(self, declaration_id: str) -> Answer:
        """The declaration is withdrawn or invalidated before release: its hold comes back."""
        state = self.declaration_state(declaration_id)
        if state != RESERVED:
            outcome = "03" if state == CONSUMED else "02"
            return Answer("cancel", self.number, declaration_id, False, self.balance(), outcome=outcome,
                          message=OUTCOMES[outcome])
        self._drop(declaration_id)
        return Answer("cancel", self.number, declaration_id, True, self.balance(), outcome="01",
                      message=OUTCOMES["01"])


class Ledger:
    """A quantity ledger over a store; every operation is one locked transaction."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def location(self) -> str:
        return self.store.location

    @contextmanager
    def transaction(self, number: str) -> Iterator[Transaction]:
        """Lock certificate ``number`` until the block ends; commit at its end, roll back on any exception."""
        with self.store.locked(number):
            yield Transaction(self.store, number)

    def balance(self, number: str) -> Balance:
        with self.transaction(number) as tx:
            if not tx.known():
                raise LedgerError(Finding("LEDGER-UNKNOWN", f"the ledger holds no certificate {number}",
                                          file=self.location, value=number))
            return tx.balance()

    def release(self, number: str, declaration_id: str, *, covering: bool = True) -> Answer:
        with self.transaction(number) as tx:
            return tx.release(declaration_id, covering=covering)

    def cancel(self, number: str, declaration_id: str) -> Answer:
        with self.transaction(number) as tx:
            return tx.cancel(declaration_id)

    def replaced_by(self, number: str) -> str | None:
        """The certificate that replaces ``number``, when the ledger has seen it."""
        rows = self.store.rows("SELECT replacing FROM replacement WHERE replaced = ?", (number,))
        return rows[0][0] if rows else None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_ledger(target: str, *, timeout: float = 10.0) -> Ledger:
    """A ledger at ``target``: a SQLite file (created on first use) or a ``postgresql://`` URL."""
    from .stores import open_store

    return Ledger(open_store(target, timeout=timeout))
