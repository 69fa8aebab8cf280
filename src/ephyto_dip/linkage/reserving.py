"""From a matched declaration to ledger requests, and what the ledger's answer means for the declaration.

Each goods item draws on the lines it matched (or the lines the caller named). An item on one
line asks its whole quantity of it; an item on several lines fills them in line order, each up
to what is available, the rest on the last, so the ledger refuses (05) only when the lines
together cannot hold it. The quantity is the goods item's net mass for a line certified by
mass, its supplementary quantity when the line is certified in that unit; anything else is
sent as declared and the ledger answers 10 (unit mismatch).
"""

from __future__ import annotations

from decimal import Decimal

from ..findings import INFO, Finding
from .certificate import CertificateLine
from .declaration import GoodsItem
from .ledger import REASONS, Answer, Balance, CertifiedLine, Request
from .matching import Plan
from .quantities import Amount, convert
from .rules import Rules
from .values import fmt


def certified_lines(plan: Plan) -> list[CertifiedLine]:
    """Lines with a quantity basis; a line without one has nothing to write off."""
    return [CertifiedLine(ln.label, ln.commodity_code, ln.quantity.unit, ln.quantity.value)
            for ln in plan.lines if ln.quantity is not None]


def _amount(item: GoodsItem, line: CertificateLine, rules: Rules) -> Amount | None:
    unit = line.quantity.unit if line.quantity else None
    if unit in rules.mass_units:
        return item.net
    if item.tariff_quantity is not None and item.tariff_quantity.unit == unit:
        return item.tariff_quantity
    return item.net or item.tariff_quantity


def requests(plan: Plan, balance: Balance, rules: Rules, declaration_id: str, name: str
             ) -> tuple[list[Request], list[Finding]]:
    """The declaration's requests, or the findings that say why its quantities cannot be validated (11)."""
    out: list[Request] = []
    problems: list[Finding] = []
    asked: dict[str, Decimal] = {}
    for item in plan.matched_items():
        labels = [lb for lb in plan.lines_of(item) if plan.line(lb).quantity is not None]
        if not labels:
            problems.append(_unvalidated(item, "none of its certificate lines states a quantity", declaration_id, name))
            continue
        amount = _amount(item, plan.line(labels[0]), rules)
        if amount is None:
            problems.append(_unvalidated(item, item.net_problem or "no quantity", declaration_id, name))
            continue
        code = (item.hs_codes or [""])[0]
        left = amount
        for i, label in enumerate(labels):
            ln = balance.line(label)
            last = i == len(labels) - 1
            if last or ln is None:
                out.append(Request(item.sequence, label, code, left))
                break
            free = balance.open_to(declaration_id, label) - asked.get(label, Decimal(0))
            wanted = convert(left, ln.unit, rules.mass_units)
            if wanted is None or wanted <= free:
                out.append(Request(item.sequence, label, code, left))
                break
            if free > 0:  # this line's rest, the remainder on the next
                out.append(Request(item.sequence, label, code, Amount(free, ln.unit)))
                asked[label] = asked.get(label, Decimal(0)) + free
                rest = wanted - free  # left in the line's unit
                left = Amount(rest, ln.unit)
    return out, problems


def _unvalidated(item: GoodsItem, why: str, declaration_id: str, name: str) -> Finding:
    return Finding("ATTACH-RESERVATION", f"declaration {declaration_id}: {item.label} cannot be written off: {why} "
                   f"[CERTEX 11 {REASONS['11']}]", file=name, line=item.line, xpath=item.xpath, value="11")


def refusal(answer: Answer, plan: Plan, name: str) -> Finding:
    """The ledger's refusal as a finding on the goods item it names."""
    item = next((it for it in plan.items if it.sequence == answer.failed_goods_item), None)
    where = f"goods item {answer.failed_goods_item}" + (f", certificate line {answer.failed_line}"
                                                        if answer.failed_line else "")
    return Finding("ATTACH-RESERVATION", f"the ledger refused declaration {answer.declaration_id}"
                   + (f" at {where}" if answer.failed_goods_item is not None else "")
                   + f": {answer.message} [CERTEX {answer.reason} {REASONS[answer.reason or '']}]", file=name,
                   line=item.line if item else None, xpath=item.xpath if item else None, value=answer.reason)


def earlier_exhausted(balance: Balance, rules: Rules, declaration_id: str, name: str) -> list[Finding]:
    """[24a] an earlier declaration declared the certificate exhausted by its entry: no later one may cite it."""
    out = []
    for other, status in balance.document_statuses.items():
        if other != declaration_id and rules.status_uses.get(status) == "exhausted":
            out.append(Finding("ATTACH-STATUS-USE", f"declaration {other} declared certificate {balance.certificate} "
                               f"with status {status} ({rules.statuses.get(status, '')}): exhausted by that entry, "
                               "so no other declaration may cite it [24]", file=name, value=status))
    return out


def status_agreement(answer: Answer, used: list[str], status: str, rules: Rules, name: str) -> list[Finding]:
    """[24b, c] the status code said of the quantity against what the write-off left."""
    use = rules.status_uses.get(status, "")
    found = {lb: ln for lb in used if (ln := answer.balance.line(lb)) is not None}
    left = {lb: ln.available for lb, ln in found.items()}
    if not left:
        return []
    rest = "; ".join(f"line {lb}: {fmt(q)} {found[lb].unit}" for lb, q in left.items())
    if use == "part" and all(q <= 0 for q in left.values()):
        exhausted = next((s for s, u in rules.status_uses.items() if u == "exhausted"), "")
        return [Finding("ATTACH-STATUS-USE", f"status {status} says part use, but this write-off exhausts the "
                        f"certificate ({rest}); {exhausted} would be the usual code [24]",
                        severity=rules.severity("ATTACH-STATUS-USE", INFO), file=name, value=status)]
    if use == "exhausted" and any(q > 0 for q in left.values()):
        return [Finding("ATTACH-STATUS-USE", f"status {status} says the certificate is exhausted by this entry, but "
                        f"quantity remains ({rest}) [24]", severity=rules.severity("ATTACH-STATUS-USE", INFO),
                        file=name, value=status)]
    return []



def leaves_quantity(requests: list[Request], balance: Balance, rules: Rules, declaration_id: str) -> bool:
    """Whether quantity remains on the lines drawn on once these requests are written off."""
    wanted: dict[str, Decimal] = {}
    for rq in requests:
        ln = balance.line(rq.line)
        q = convert(rq.amount, ln.unit, rules.mass_units) if ln is not None else None
        if q is None:
            return False
        wanted[rq.line] = wanted.get(rq.line, Decimal(0)) + q
    return any(balance.open_to(declaration_id, lb) - q > 0 for lb, q in wanted.items())
