"""Quantities in units: a mass converts into any mass unit of the rules table; any other unit
(pieces H87, litres …) goes only with itself, as CSW-CERTEX does."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .values import fmt


@dataclass(frozen=True)
class Amount:
    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{fmt(self.value)} {self.unit}"


def parse_amount(value: str, unit: str | None) -> tuple[Amount | None, str | None]:
    """``(amount, None)``, or ``(None, why not)`` for a value without unit or not a finite number."""
    if not unit:
        return None, f"{value} has no unit and the rules table assumes none"
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None, f"{value!r} is not a number"
    if not amount.is_finite() or amount < 0:
        return None, f"{value!r} is not a finite quantity"
    return Amount(amount, unit), None


def convert(amount: Amount, unit: str, mass_units: Mapping[str, Decimal]) -> Decimal | None:
    """``amount`` in ``unit``, exactly; None when the two units do not convert."""
    if amount.unit == unit:
        return amount.value
    if amount.unit in mass_units and unit in mass_units:
        return amount.value * mass_units[amount.unit] / mass_units[unit]
    return None


def kilograms(amount: Amount | None, mass_units: Mapping[str, Decimal]) -> Decimal | None:
    return None if amount is None or amount.unit not in mass_units else amount.value * mass_units[amount.unit]
