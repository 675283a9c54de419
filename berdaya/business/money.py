"""Whole-Rupiah arithmetic: no floats, no Rupiah lost to rounding. Pure Python, no Django."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction


class MoneyTypeError(TypeError):
    pass


def whole(value: object) -> int:
    """An amount from the database or a form as an exact int: None is 0; a float or a fraction is a bug."""
    if value is None:
        return 0
    if isinstance(value, bool):
        raise MoneyTypeError("a boolean is not an amount")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value == value.to_integral_value():
        # PostgreSQL sums bigints as numeric; an integral Decimal converts exactly.
        return int(value)
    raise MoneyTypeError(f"{value!r} is not a whole number of Rupiah")


def allocate(total: int, weights: Sequence[Decimal | int]) -> list[int]:
    """Split `total` Rupiah in proportion to `weights` so that the parts add up to `total` exactly.

    Largest remainder (Hamilton): every part gets the floor of its exact share, then the Rupiah left over go one
    each to the parts with the largest remainders (the earlier part on a tie), so the result is deterministic.
    """
    total = whole(total)
    if any(isinstance(w, float) for w in weights):
        raise MoneyTypeError("weights must be Decimal or int, not float")
    exact = [Fraction(w) for w in weights]
    if any(w < 0 for w in exact):
        raise ValueError("weights cannot be negative")
    weight_sum = sum(exact, Fraction(0))
    if weight_sum == 0:
        raise ValueError("the weights add up to zero")
    shares = [total * w / weight_sum for w in exact]
    parts = [share.numerator // share.denominator for share in shares]
    left = total - sum(parts)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts


def percent_of(total: int, percent: Decimal) -> int:
    """`percent` % of `total` Rupiah, rounded down to a whole Rupiah."""
    share = Fraction(whole(total)) * Fraction(percent) / 100
    return share.numerator // share.denominator
