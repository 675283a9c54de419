"""Numbers, Rupiah, dates and times as each language writes them: in templates (the filters) and in the messages the
code builds (errors, stored messages, checks), through berdaya/lib/formats.py.

Indonesian groups thousands with dots (Rp 2.000.000.000), English with commas (Rp 2,000,000,000); a date is "3 Des
2026" / "3 Dec 2026"; a moment is shown in the office's zone (settings.TIME_ZONE, WITA for Paser), to the minute.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from berdaya.business import services
from berdaya.business.cash_rules import amount_error, closed_month_error
from berdaya.business.models import Asset
from berdaya.business.tests.factories import BusinessPlanFactory
from berdaya.groups.tests.factories import KubeFactory
from berdaya.lib.formats import iso_month, rupiah_short
from berdaya.lib.history import shown_reason
from berdaya.lib.stored_text import keep, show
from berdaya.targeting.models import Flag

UTC = dt.UTC
# 01:14:15.123456 UTC is 09:14 in Tanah Grogot (WITA, UTC+8).
MOMENT = dt.datetime(2026, 12, 3, 1, 14, 15, 123456, tzinfo=UTC)
DAY = dt.date(2026, 12, 3)

FILTERS = Template(
    "{{ amount|rupiah }} | {{ count|number }} | {{ day|day }} | {{ moment|day_time }} | {{ day|month }} | "
    "{{ day|long_day }}"
)
RENDERED = {
    "id": "Rp 2.000.000.000 | 12.345 | 3 Des 2026 | 3 Des 2026 09:14 | Des 2026 | 3 Desember 2026",
    "en": "Rp 2,000,000,000 | 12,345 | 3 Dec 2026 | 3 Dec 2026 09:14 | Dec 2026 | 3 December 2026",
}


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_template_filters_write_amounts_dates_and_times_as_the_language_does(language, settings):
    settings.TIME_ZONE = "Asia/Makassar"
    context = Context({"amount": 2_000_000_000, "count": 12_345, "day": DAY, "moment": MOMENT})

    with translation.override(language):
        rendered = FILTERS.render(context)

    assert rendered == RENDERED[language]


def test_a_moment_is_shown_in_the_offices_zone_without_seconds(settings):
    settings.TIME_ZONE = "Asia/Makassar"

    with translation.override("id"):
        rendered = Template("{{ moment|day_time }}").render(Context({"moment": MOMENT.astimezone(ZoneInfo("UTC"))}))

    assert rendered == "3 Des 2026 09:14"


GROUPED = {"id": ("Rp 2.000.000.000", "Rp 1.500.000.000"), "en": ("Rp 2,000,000,000", "Rp 1,500,000,000")}


@pytest.mark.parametrize("language", ["id", "en"])
def test_an_amount_in_a_cash_book_message_is_grouped_as_the_language_does(language):
    error = amount_error(2_000_000_000, ceiling=1_500_000_000)
    assert error is not None

    with translation.override(language):
        text = error.text

    assert GROUPED[language][0] in text
    assert GROUPED[language][1] in text


LEND = {"id": "Rp 2.000.000", "en": "Rp 2,000,000"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_refused_loan_names_the_amount_as_the_language_does(language, users):
    kube = KubeFactory()
    BusinessPlanFactory(kube=kube, revolving_fund=True)

    with translation.override(language), pytest.raises(services.LoanError) as refused:
        services.lend(
            kube=kube,
            borrower="Siti",
            is_member=True,
            principal=2_000_000,
            issued_on=timezone.localdate(),
            instalments=10,
            by=users["facilitator"],
        )

    assert LEND[language] in str(refused.value)


@pytest.mark.parametrize(("language", "month"), [("id", "Agu 2027"), ("en", "Aug 2027")])
def test_a_closed_month_is_named_by_its_month_not_as_digits(language, month):
    with translation.override(language):
        error = closed_month_error(dt.date(2027, 8, 20), dt.date(2027, 8, 31))
        assert error is not None
        text = error.text

    assert month in text
    assert "08/2027" not in text


@pytest.mark.parametrize(("language", "shown"), [("id", "3 Des 2026"), ("en", "3 Dec 2026")])
def test_a_date_kept_in_a_stored_message_is_shown_in_the_readers_language(language, shown):
    kept = keep(
        N_("Quota for %(kecamatan)s: %(quota)s households. Villages submit their lists by %(deadline)s."),
        kecamatan="Tanah Grogot",
        quota=12,
        deadline=DAY.isoformat(),
    )

    with translation.override(language):
        text = show(kept)

    assert shown in text
    assert "2026-12-03" not in text


@pytest.mark.parametrize(("language", "shown"), [("id", "3 Des 2026"), ("en", "3 Dec 2026")])
def test_a_checks_dates_are_shown_in_the_readable_style(language, shown):
    flag = Flag(
        code=Flag.Code.NIK,
        severity=Flag.Severity.SOFT,
        message="NIK %(value)s says born %(nik_date)s but the record says %(date)s.",
        params={"value": "6401044312260001", "nik_date": DAY.isoformat(), "date": "1990-01-01"},
    )

    with translation.override(language):
        text = flag.text

    assert shown in text
    assert "2026-12-03" not in text


@pytest.mark.parametrize(("language", "shown"), [("id", "1 Sep 2027"), ("en", "1 Sep 2027")])
def test_a_history_reason_with_a_date_is_shown_translated_with_the_date_readable(language, shown):
    with translation.override(language):
        reason = shown_reason(Asset, "condition check on 2027-09-01")
        expected = gettext("Condition check on %(date)s") % {"date": shown}

    assert reason == expected
    assert "2027-09-01" not in reason


def test_a_month_kept_in_a_message_reads_as_a_month_in_each_language():
    kept = keep(N_("Your monthly report %(month)s was returned"), month=iso_month(dt.date(2026, 10, 1)))

    with translation.override("id"):
        assert "Okt 2026" in show(kept)
    with translation.override("en"):
        assert show(kept) == "Your monthly report Oct 2026 was returned"


@pytest.mark.parametrize(
    ("language", "amount", "shown"),
    [
        ("id", 114_404_000, "Rp 114,4 jt"),
        ("id", 1_250_000_000, "Rp 1,3 M"),
        ("id", 850_000, "Rp 850.000"),
        ("en", 114_404_000, "Rp 114.4 m"),
        ("en", 2_000_000_000_000, "Rp 2.0 tn"),
    ],
)
def test_a_large_amount_on_a_card_is_written_short_as_the_language_does(language, amount, shown):
    with translation.override(language):
        assert rupiah_short(amount) == shown
