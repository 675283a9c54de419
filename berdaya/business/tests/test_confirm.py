"""A second look before the business steps that cannot be undone: closing a cash month, importing a file, approving
a plan. The first POST runs nothing and shows the figures; the POST from that page runs it; Cancel goes back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from berdaya.business import services
from berdaya.business.models import AidStage, BusinessPlan, CashEntry, CashImport, CashMonth, CreditApplication
from berdaya.business.tests.factories import (
    AidStageFactory,
    BusinessPlanFactory,
    CashEntryFactory,
    ExpenseFactory,
    kube_with_members,
)
from berdaya.lib.formats import month

pytestmark = pytest.mark.django_db

CONFIRMED = {"confirmed": "1"}


@pytest.fixture
def kube(users):
    return kube_with_members(2, village__code="64.01.04.2004", facilitator=users["facilitator"])


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


# Closing a month -------------------------------------------------------------------------------------------------


@pytest.fixture
def september(kube):
    """September 2027: Rp 500,000 in, Rp 120,000 out, after an August that ended at Rp 80,000 (closed)."""
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 8, 5), amount=80_000)
    CashMonth.objects.create(
        kube=kube,
        month=dt.date(2027, 8, 1),
        opening_balance=0,
        income=80_000,
        expense=0,
        closing_balance=80_000,
        closed_by=kube.facilitator,
    )
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3), amount=500_000)
    ExpenseFactory(kube=kube, entry_date=dt.date(2027, 9, 20), amount=120_000)
    return kube


def close(client, kube, **extra):
    return client.post(reverse("business:cashmonth-close", args=[kube.pk]), {"month": "2027-09", **extra})


def test_closing_a_month_first_shows_the_month_and_its_totals_and_closes_nothing(as_user, users, september):
    response = close(as_user(users["facilitator"]), september)

    assert response.status_code == 200
    assert f"Close {month(dt.date(2027, 9, 1))}?" in page_text(response)
    assert dict(response.context["confirmation"].rows) == {
        "Opening balance": "Rp 80,000",
        "Money in": "Rp 500,000",
        "Money out": "Rp 120,000",
        "Closing balance": "Rp 460,000",
    }
    assert not CashMonth.objects.filter(kube=september, month=dt.date(2027, 9, 1)).exists()


def test_the_confirmed_closing_fixes_the_totals_it_showed(as_user, users, september):
    close(as_user(users["facilitator"]), september, **CONFIRMED)

    closed = CashMonth.objects.get(kube=september, month=dt.date(2027, 9, 1))
    assert (closed.opening_balance, closed.income, closed.expense, closed.closing_balance) == (
        80_000,
        500_000,
        120_000,
        460_000,
    )


def test_cancel_goes_back_to_the_cash_book(as_user, users, september):
    response = close(as_user(users["facilitator"]), september)

    assert response.context["cancel"] == reverse("business:cash-book", args=[september.pk])


def test_closing_a_month_out_of_order_is_refused_with_its_message(as_user, users, september):
    client = as_user(users["facilitator"])

    response = client.post(
        reverse("business:cashmonth-close", args=[september.pk]), {"month": "2027-10", **CONFIRMED}, follow=True
    )

    assert "Months are closed in order: close Sep 2027 first." in page_text(response)


def test_a_month_not_to_close_now_is_not_asked_about_but_refused(as_user, users, september):
    response = as_user(users["facilitator"]).post(
        reverse("business:cashmonth-close", args=[september.pk]), {"month": "2027-12"}, follow=True
    )

    assert "confirmation" not in response.context
    assert "A month can be closed only after it has ended." in page_text(response)


# Importing a file ------------------------------------------------------------------------------------------------


@pytest.fixture
def checked_import(kube, tmp_path, users, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # the worker, at once
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Tanggal", "Uraian", "Kategori", "Masuk", "Keluar", "Produk", "Saluran"])
    sheet.append(["2027-11-05", "Jual kue", None, 150000, None, "Kue lapis", "Warung desa"])
    sheet.append(["2027-11-06", "Beli tepung", None, None, 40000, None, None])
    path = tmp_path / "kas.xlsx"
    workbook.save(path)
    upload = SimpleUploadedFile("kas.xlsx", path.read_bytes())
    return services.check_cash_import(kube=kube, file=upload, by=users["facilitator"])


def test_committing_an_import_first_shows_what_goes_in_and_stores_nothing(as_user, users, kube, checked_import):
    url = reverse("business:cashimport-commit", args=[kube.pk, checked_import.pk])

    response = as_user(users["facilitator"]).post(url)

    assert "2 entries go into the cash book" in page_text(response)
    rows = dict(response.context["confirmation"].rows)
    assert rows["Money in"] == "Rp 150,000"
    assert rows["Money out"] == "Rp 40,000"
    assert rows["Balance after the import"] == "Rp 110,000"
    assert CashEntry.objects.count() == 0
    assert response.context["cancel"] == reverse("business:cashimport-detail", args=[kube.pk, checked_import.pk])


def test_a_confirmed_import_stores_the_entries(as_user, users, kube, checked_import):
    url = reverse("business:cashimport-commit", args=[kube.pk, checked_import.pk])

    as_user(users["facilitator"]).post(url, CONFIRMED)

    assert CashEntry.objects.count() == 2
    assert CashImport.objects.get(pk=checked_import.pk).status == CashImport.Status.COMMITTED


# Approving a plan ------------------------------------------------------------------------------------------------


@pytest.fixture
def submitted_plan(kube, users):
    plan = BusinessPlanFactory(kube=kube)
    services.add_budget_line(plan=plan, item="Oven", quantity=2, unit="unit", unit_price=1_500_000, by=users["admin"])
    services.submit_business_plan(plan=plan, by=users["admin"])
    return plan


def test_approving_a_plan_first_shows_its_budget_and_approves_nothing(as_user, users, kube, submitted_plan):
    response = as_user(users["officer"]).post(reverse("business:plan-approve", args=[kube.pk]))

    assert "The plan with 1 budget lines, Rp 3,000,000 in all, is approved." in page_text(response)
    assert dict(response.context["confirmation"].rows) == {"Oven": "Rp 3,000,000"}
    assert BusinessPlan.objects.get(pk=submitted_plan.pk).status == BusinessPlan.Status.SUBMITTED


def test_a_confirmed_plan_approval_approves(as_user, users, kube, submitted_plan):
    as_user(users["officer"]).post(reverse("business:plan-approve", args=[kube.pk]), CONFIRMED)

    assert BusinessPlan.objects.get(pk=submitted_plan.pk).status == BusinessPlan.Status.APPROVED


# Releasing an aid stage ------------------------------------------------------------------------------------------


def pay(client, kube, stage, **extra):
    data = {"paid_on": "2027-12-01", "transfer_reference": "TRF-0042", "override_reason": "", **extra}
    return client.post(reverse("business:aidstage-pay", args=[kube.pk, stage.pk]), data)


def test_paying_a_stage_first_shows_the_amount_and_the_aid_paid_after_and_pays_nothing(as_user, users, kube):
    stage = AidStageFactory(kube=kube, amount=1_500_000)

    response = pay(as_user(users["officer"]), kube, stage)

    assert "Rp 1,500,000 paid to" in page_text(response)
    assert dict(response.context["confirmation"].rows) == {
        "Aid of the group": "Rp 4,000,000",
        "Paid before": "Rp 0",
        "Paid after this stage": "Rp 1,500,000",
    }
    assert 'type="file" name="proof"' in response.content.decode()
    assert AidStage.objects.get(pk=stage.pk).paid_on is None


def test_a_confirmed_payment_with_the_proof_chosen_again_is_recorded(as_user, users, kube):
    stage = AidStageFactory(kube=kube, amount=1_500_000)
    proof = SimpleUploadedFile("bukti.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")

    pay(as_user(users["officer"]), kube, stage, confirmed="1", proof=proof)

    paid = AidStage.objects.get(pk=stage.pk)
    assert paid.paid_on == dt.date(2027, 12, 1)
    assert paid.proof.name
    assert CashEntry.objects.filter(aid_stage=paid, amount=1_500_000).exists()


# Reversing an entry, recording a bank's decision -----------------------------------------------------------------


def test_reversing_an_entry_first_shows_it_and_the_reason_and_reverses_nothing(as_user, users, kube):
    entry = CashEntryFactory(kube=kube, entry_date=dt.date(2027, 12, 3), amount=150_000, description="Penjualan kue")
    url = reverse("business:cashentry-reverse", args=[kube.pk, entry.pk])

    response = as_user(users["facilitator"]).post(url, {"reason": "Salah catat"})

    text = page_text(response)
    assert "An opposite entry of Rp 150,000" in text
    assert "Penjualan kue" in text and "Salah catat" in text
    assert not CashEntry.objects.filter(reverses=entry).exists()


def test_a_confirmed_reversal_reverses(as_user, users, kube):
    entry = CashEntryFactory(kube=kube, entry_date=dt.date(2027, 12, 3), amount=150_000)
    url = reverse("business:cashentry-reverse", args=[kube.pk, entry.pk])

    as_user(users["facilitator"]).post(url, {"reason": "Salah catat", **CONFIRMED})

    assert CashEntry.objects.get(reverses=entry).amount == 150_000


def test_recording_a_credit_decision_first_shows_it_then_records_it(as_user, users, kube):
    application = CreditApplication.objects.create(
        kube=kube,
        lender="BRI Unit Tanah Grogot",
        amount_requested=10_000_000,
        applied_on=dt.date(2027, 10, 1),
        by=users["admin"],
    )
    client = as_user(users["facilitator"])
    url = reverse("business:credit-decide", args=[kube.pk, application.pk])
    data = {"outcome": "approved", "decided_on": "2027-11-01", "amount_approved": "8000000"}

    asked = client.post(url, data)
    pending_after_asking = CreditApplication.objects.get(pk=application.pk).is_pending
    client.post(url, {**data, **CONFIRMED})

    assert "Amount approved: Rp 8,000,000." in page_text(asked)
    assert pending_after_asking
    assert CreditApplication.objects.get(pk=application.pk).amount_approved == 8_000_000
