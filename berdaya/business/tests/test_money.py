"""No float anywhere in money: the arithmetic itself is exact and refuses floats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from berdaya.business.money import MoneyTypeError, allocate, percent_of, whole


def test_whole_refuses_a_float():
    with pytest.raises(MoneyTypeError):
        whole(1500.0)


def test_whole_refuses_a_decimal_with_a_fraction():
    with pytest.raises(MoneyTypeError):
        whole(Decimal("10.5"))


def test_whole_turns_an_integral_decimal_into_an_int():
    value = whole(Decimal("123456789012345678"))

    assert type(value) is int
    assert value == 123456789012345678


def test_allocate_refuses_float_weights():
    with pytest.raises(MoneyTypeError):
        allocate(100, [0.5, 0.5])


def test_a_rupiah_left_by_rounding_goes_to_the_largest_remainder():
    assert allocate(100, [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]) == [33, 33, 34]


def test_ties_go_to_the_earlier_part_so_the_result_is_deterministic():
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]


def test_allocation_of_a_huge_profit_is_exact():
    profit = 10**18 + 7

    parts = allocate(profit, [Decimal("50"), Decimal("40"), Decimal("10")])

    assert sum(parts) == profit
    assert all(type(part) is int for part in parts)


def test_percent_of_rounds_down_to_a_whole_rupiah():
    share = percent_of(20_000_001, Decimal("50"))

    assert type(share) is int
    assert share == 10_000_000
