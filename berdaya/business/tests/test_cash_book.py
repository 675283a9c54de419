"""The cash book's rules: whole positive amounts, closed months locked, corrections by reversal, closing in order."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import selectors, services
from berdaya.business.models import CashEntry, CashMonth
from berdaya.business.tests.factories import CashEntryFactory, ExpenseFactory
from berdaya.groups.tests.factories import KubeFactory
from berdaya.lib.errors import DomainError

pytestmark = pytest.mark.django_db


def _sale(kube, *, by, amount=150_000, on=dt.date(2027, 11, 5), **extra):
    values = {"product": "Kue lapis", "channel": "local_market", **extra}
    return services.record_cash_entry(
        kube=kube,
        entry_date=on,
        kind="income",
        category="sales",
        amount=amount,
        description="Jual kue",
        by=by,
        **values,
    )


@pytest.fixture
def treasurer():
    return UserFactory(username="bendahara")


def test_a_sale_is_recorded_with_its_product_and_channel(treasurer):
    kube = KubeFactory()

    entry = _sale(kube, by=treasurer, quantity=30, unit_price=5_000)

    assert (entry.product, entry.channel, entry.amount, entry.entered_by) == (
        "Kue lapis",
        "local_market",
        150_000,
        treasurer,
    )


@pytest.mark.parametrize("amount", [0, -5_000])
def test_an_amount_of_zero_or_less_is_refused(treasurer, amount):
    kube = KubeFactory()

    with pytest.raises(services.BusinessError, match="more than zero"):
        _sale(kube, by=treasurer, amount=amount)

    assert not CashEntry.objects.exists()


def test_an_absurd_amount_is_refused_by_the_ceiling_setting(treasurer, settings):
    settings.BERDAYA_CASH_ENTRY_MAX = 100_000_000
    kube = KubeFactory()

    with pytest.raises(services.BusinessError, match="extra zeros"):
        _sale(kube, by=treasurer, amount=100_000_001)

    assert not CashEntry.objects.exists()


@pytest.mark.parametrize("amount", [150000.0, "150000", True])
def test_an_amount_that_is_not_an_int_is_refused(treasurer, amount):
    kube = KubeFactory()

    with pytest.raises(services.BusinessError, match="whole number"):
        _sale(kube, by=treasurer, amount=amount)


def test_quantity_times_unit_price_must_equal_the_amount(treasurer):
    kube = KubeFactory()

    with pytest.raises(services.CashBookError, match="not Rp 140,000"):
        _sale(kube, by=treasurer, amount=140_000, quantity=30, unit_price=5_000)


def test_a_sale_needs_a_product_and_a_channel(treasurer):
    kube = KubeFactory()

    with pytest.raises(services.CashBookError, match="product and the market channel"):
        _sale(kube, by=treasurer, channel="")


def test_an_entry_in_the_future_is_refused(treasurer):
    with pytest.raises(services.CashBookError, match="future"):
        _sale(KubeFactory(), by=treasurer, on=dt.date(2027, 12, 16))


def test_a_receipt_that_is_not_a_photo_is_refused_and_nothing_is_written(treasurer):
    kube = KubeFactory()
    fake = SimpleUploadedFile("nota.jpg", b"not an image", content_type="image/jpeg")

    with pytest.raises(DomainError, match="not a photo"):
        _sale(kube, by=treasurer, receipt=fake)

    assert not CashEntry.objects.exists()


def test_a_receipt_photo_is_stored_as_a_jpeg(treasurer):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    photo = SimpleUploadedFile("nota.png", buffer.getvalue(), content_type="image/png")

    entry = _sale(KubeFactory(), by=treasurer, receipt=photo)

    assert entry.receipt.name.endswith(".jpg")


def test_closing_a_month_fixes_its_totals(treasurer):
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3), amount=500_000)
    ExpenseFactory(kube=kube, entry_date=dt.date(2027, 9, 20), amount=120_000)

    closed = services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=treasurer)

    assert (closed.opening_balance, closed.income, closed.expense, closed.closing_balance) == (
        0,
        500_000,
        120_000,
        380_000,
    )


def test_an_entry_in_a_closed_month_is_refused_and_nothing_is_written(treasurer):
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3))
    services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=treasurer)

    with pytest.raises(services.CashBookError, match="Sep 2027 is closed"):
        _sale(kube, by=treasurer, on=dt.date(2027, 9, 30))

    assert CashEntry.objects.count() == 1


def test_closing_one_month_locks_every_month_before_it(treasurer):
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 8, 3))
    services.close_cash_month(kube=kube, month=dt.date(2027, 8, 1), by=treasurer)

    with pytest.raises(services.CashBookError, match="closed"):
        _sale(kube, by=treasurer, on=dt.date(2027, 7, 31))


def test_months_are_closed_in_order(treasurer):
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 8, 3))

    with pytest.raises(services.CashBookError, match="close Aug 2027 first"):
        services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=treasurer)


def test_a_month_that_has_not_ended_cannot_be_closed(treasurer):
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 12, 1))

    with pytest.raises(services.CashBookError, match="after it has ended"):
        services.close_cash_month(kube=kube, month=dt.date(2027, 12, 1), by=treasurer)


def test_closing_the_same_month_twice_says_it_is_already_closed(treasurer):
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3))
    services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=treasurer)

    with pytest.raises(services.CashBookError, match="already closed"):
        services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=UserFactory(username="ketua"))

    assert CashMonth.objects.count() == 1


def test_the_database_refuses_a_second_closing_of_the_same_month(treasurer):
    kube = KubeFactory()
    values = {"kube": kube, "month": dt.date(2027, 9, 1), "closed_by": treasurer}
    values |= {"opening_balance": 0, "income": 0, "expense": 0, "closing_balance": 0}
    CashMonth.objects.create(**values)

    with pytest.raises(IntegrityError), transaction.atomic():
        CashMonth.objects.create(**values)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_treasurers_closing_the_same_month_at_once_close_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3))
    people = [UserFactory(username="bendahara"), UserFactory(username="ketua")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def close(user):
        try:
            barrier.wait()
            with translation.override("en"):  # the language is per thread
                services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=user)
            outcomes.append("closed")
        except services.CashBookError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=close, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["Sep 2027 is already closed.", "closed"]
    assert CashMonth.objects.filter(kube=kube).count() == 1


def test_a_reversal_cancels_the_entry_in_an_open_month(treasurer):
    kube = KubeFactory()
    entry = CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3), amount=500_000)
    ExpenseFactory(kube=kube, entry_date=dt.date(2027, 9, 4), amount=100_000)
    services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=treasurer)

    reversal = services.reverse_cash_entry(entry=entry, reason="salah ketik", by=treasurer)

    assert (reversal.kind, reversal.amount, reversal.entry_date) == ("expense", 500_000, dt.date(2027, 12, 15))
    assert selectors.cash_balance(kube=kube) == -100_000
    assert CashMonth.objects.get(kube=kube).closing_balance == 400_000


def test_an_entry_is_reversed_only_once(treasurer):
    entry = CashEntryFactory(entry_date=dt.date(2027, 11, 3))
    services.reverse_cash_entry(entry=entry, reason="dobel", by=treasurer)

    with pytest.raises(services.CashBookError, match="already been reversed"):
        services.reverse_cash_entry(entry=entry, reason="dobel", by=treasurer)


def test_a_reversal_cannot_be_reversed(treasurer):
    entry = CashEntryFactory(entry_date=dt.date(2027, 11, 3))
    reversal = services.reverse_cash_entry(entry=entry, reason="dobel", by=treasurer)

    with pytest.raises(services.CashBookError, match="cannot itself be reversed"):
        services.reverse_cash_entry(entry=reversal, reason="lagi", by=treasurer)


def test_a_reversal_needs_a_reason(treasurer):
    with pytest.raises(services.CashBookError, match="why"):
        services.reverse_cash_entry(entry=CashEntryFactory(), reason=" ", by=treasurer)


def test_the_balance_is_an_exact_int(treasurer):
    kube = KubeFactory()
    CashEntryFactory(kube=kube, amount=900_000_000_001)
    ExpenseFactory(kube=kube, amount=1)

    balance = selectors.cash_balance(kube=kube)

    assert type(balance) is int
    assert balance == 900_000_000_000


def test_an_entry_that_is_neither_in_nor_out_is_refused(treasurer):
    with pytest.raises(services.CashBookError, match="came in or went out"):
        services.record_cash_entry(
            kube=KubeFactory(),
            entry_date=dt.date(2027, 11, 5),
            kind="sideways",
            category="sales",
            amount=1_000,
            description="x",
            by=treasurer,
        )
