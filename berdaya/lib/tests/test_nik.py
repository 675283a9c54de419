import datetime as dt

import pytest

from berdaya.lib.nik import check_kk, check_nik, clean_number, nik_facts, nik_relation

TODAY = dt.date(2026, 1, 15)
PASER = {"640101", "640104"}


def test_a_mans_nik_gives_birth_date_sex_and_region():
    facts = nik_facts("6401041203850012", today=TODAY)

    assert facts is not None
    assert (facts.birth_date, facts.sex, facts.kecamatan, facts.regency, facts.serial) == (
        dt.date(1985, 3, 12),
        "L",
        "64.01.04",
        "64.01",
        "0012",
    )


def test_a_womans_nik_carries_day_plus_40():
    facts = nik_facts("6401045207910003", today=TODAY)

    assert facts is not None
    assert (facts.birth_date, facts.sex) == (dt.date(1991, 7, 12), "P")


def test_a_two_digit_year_never_puts_the_birth_in_the_future():
    assert nik_facts("6401041203300012", today=TODAY).birth_date == dt.date(1930, 3, 12)  # type: ignore[union-attr]
    assert nik_facts("6401041203200012", today=TODAY).birth_date == dt.date(2020, 3, 12)  # type: ignore[union-attr]


@pytest.mark.parametrize("day", ["00", "32", "35", "40", "72", "99"])
def test_an_impossible_day_is_rejected(day):
    check = check_nik(f"640104{day}03850012", today=TODAY)

    assert not check.ok
    assert "bad_day" in check.codes


@pytest.mark.parametrize("month", ["00", "13"])
def test_an_impossible_month_is_rejected(month):
    assert "bad_month" in check_nik(f"64010412{month}850012", today=TODAY).codes


def test_31_february_is_rejected():
    assert "bad_date" in check_nik("6401043102850012", today=TODAY).codes


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("640104120385001", "excel_truncated"),
        ("6401041203850", "length"),
        ("64010412O3850012", "not_digits"),
        ("", "missing"),
    ],
)
def test_a_nik_of_the_wrong_shape_is_rejected(raw, code):
    assert check_nik(raw, today=TODAY).codes == (code,)


def test_an_unknown_kecamatan_is_rejected_only_when_the_caller_knows_the_regions():
    assert check_nik("6401991203850012", today=TODAY).ok
    check = check_nik("6401991203850012", today=TODAY, known_regions=PASER)

    assert check.codes == ("unknown_region",)
    assert check.errors[0].params["region"] == "64.01.99"
    assert str(check.errors[0]) == "NIK 6401991203850012 starts with 64.01.99, which is not a known kecamatan."


def test_known_regions_may_be_a_predicate():
    assert check_nik("6401991203850012", today=TODAY, known_regions=lambda code: code.startswith("64")).ok


def test_a_nik_that_disagrees_with_the_record_is_warned_not_rejected():
    check = check_nik("6401041203850012", today=TODAY, birth_date=dt.date(1985, 3, 21), sex="P")

    assert check.ok
    assert [w.code for w in check.warnings] == ["birth_date_mismatch", "sex_mismatch"]


def test_a_nik_that_agrees_with_the_record_has_no_warning():
    check = check_nik("6401045207910003", today=TODAY, birth_date=dt.date(1991, 7, 12), sex="P")

    assert check.ok and not check.warnings


def test_scientific_notation_from_excel_is_rejected_as_lost():
    check = check_nik("6.40104E+15", today=TODAY)

    assert check.codes == ("excel_scientific",)
    assert check.nik == ""


@pytest.mark.parametrize("raw", ["'6401041203850012", "6401041203850012.0", " 6401 0412 0385 0012 "])
def test_harmless_spreadsheet_damage_is_repaired_with_a_warning_at_most(raw):
    check = check_nik(raw, today=TODAY)

    assert check.ok
    assert check.nik == "6401041203850012"


def test_clean_number_reports_the_apostrophe():
    digits, problems = clean_number("'6401041203850012")

    assert digits == "6401041203850012"
    assert [p.code for p in problems] == ["apostrophe"]


@pytest.mark.parametrize(
    ("a", "b", "relation"),
    [
        ("6401041203850012", "6401041203850012", "same"),
        ("6401041203850012", "6401041203850021", "transposition"),
        ("6401041203850012", "6401041230850012", "transposition"),
        ("6401041203850012", "6401041203850013", "one_digit"),
        ("6401041203850012", "640104120385001", "truncated"),
        ("6401041203850012", "6401041203850099", "different"),
        ("6401041203850012", "", "missing"),
    ],
)
def test_nik_relation_names_the_kind_of_difference(a, b, relation):
    assert nik_relation(a, b) == relation


def test_a_kk_number_must_have_16_digits_and_a_known_region():
    assert check_kk("6401040101100003").ok
    assert [e.code for e in check_kk("640104010110000").errors] == ["excel_truncated"]
    assert [e.code for e in check_kk("6499040101100003", known_regions=PASER).errors] == ["unknown_region"]
