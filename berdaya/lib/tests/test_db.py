"""digits_prefix: a NIK or KK prefix search as a range of the unique index, exactly the values that start with it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from berdaya.lib.db import digits_prefix

digits = st.text(alphabet="0123456789", min_size=1, max_size=16)


def _in_range(value: str, condition) -> bool:
    bounds = dict(condition.children)
    return value >= bounds["nik__gte"] and ("nik__lt" not in bounds or value < bounds["nik__lt"])


@given(prefix=digits, value=digits)
def test_the_range_holds_exactly_the_values_that_start_with_the_prefix(prefix, value):
    assert _in_range(value, digits_prefix("nik", prefix)) == value.startswith(prefix)


@given(prefix=digits, rest=st.text(alphabet="0123456789", max_size=10))
def test_every_value_that_starts_with_the_prefix_is_in_the_range(prefix, rest):
    assert _in_range(prefix + rest, digits_prefix("nik", prefix))


def test_a_prefix_ending_in_nines_carries_into_the_digit_before():
    assert dict(digits_prefix("nik", "640199").children) == {"nik__gte": "640199", "nik__lt": "6402"}


def test_a_prefix_of_only_nines_has_no_upper_bound():
    assert dict(digits_prefix("nik", "99").children) == {"nik__gte": "99"}


@pytest.mark.parametrize("text", ["", "6401a", "６４０１", "64 01"])
def test_a_text_that_is_not_ascii_digits_is_refused(text):
    with pytest.raises(ValueError, match="not a digit string"):
        digits_prefix("nik", text)
