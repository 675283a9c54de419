"""Business changes made outside a request (a task, a command, the demo, an import) name the user who made them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from openpyxl import Workbook

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import excel, services
from berdaya.business.models import CashEntry, CashMonth
from berdaya.business.tests.factories import kube_with_members
from berdaya.regions.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


def _history_rows() -> list[object]:
    models = [m for m in apps.get_app_config("business").get_models() if m.__name__.startswith("Historical")]
    return [row for model in models for row in model.objects.all()]


@pytest.fixture
def by():
    return UserFactory(username="bendahara")


def test_a_cash_entry_recorded_outside_a_request_names_its_user(by):
    kube = kube_with_members(2)

    entry = services.record_cash_entry(
        kube=kube,
        entry_date=dt.date(2027, 11, 5),
        kind="expense",
        category="materials",
        amount=60_000,
        description="Tepung",
        by=by,
    )

    assert entry.history.get().history_user == by


def test_a_closed_month_names_the_user_who_closed_it(by):
    kube = kube_with_members(2)
    services.record_cash_entry(
        kube=kube,
        entry_date=dt.date(2027, 9, 5),
        kind="expense",
        category="materials",
        amount=60_000,
        description="Tepung",
        by=UserFactory(username="another"),
    )

    month = services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=by)

    assert month.history.get().history_user == by


def test_paying_an_aid_stage_names_the_payer_on_the_stage_and_its_cash_entry(by):
    kube = kube_with_members(2)
    stage = services.add_aid_stage(
        kube=kube, planned_on=dt.date(2027, 8, 1), condition="none", amount=2_000_000, by=UserFactory(username="p")
    )

    services.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 8, 2), transfer_reference="SP2D-1", by=by)

    assert stage.history.latest().history_user == by
    assert CashEntry.objects.get(aid_stage=stage).history.get().history_user == by


def test_an_imported_book_names_the_importer_on_every_entry(tmp_path, by):
    kube = kube_with_members(2)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Tanggal", "Uraian", "Masuk", "Keluar"])
    sheet.append(["2027-11-05", "Iuran anggota", 150_000, None])
    sheet.append(["2027-11-06", "Beli tepung", None, 60_000])
    path = tmp_path / "kas.xlsx"
    workbook.save(path)

    excel.check_cash_book_file(kube=kube, path=path, by=by, commit=True)

    users = {row.history_user_id for row in CashEntry.history.all()}
    assert CashEntry.objects.count() == 2
    assert users == {by.pk}


def test_every_business_action_outside_a_request_leaves_history_naming_a_user(by):
    kube = kube_with_members(2)
    plan = services.save_business_plan(
        kube=kube, summary="Kue", products="Kue lapis", expected_monthly_revenue=1_000_000, revolving_fund=True, by=by
    )
    line = services.add_budget_line(plan=plan, item="Oven", quantity=1, unit="unit", unit_price=500_000, by=by)
    services.add_budget_line(plan=plan, item="Loyang", quantity=2, unit="unit", unit_price=50_000, by=by)
    services.remove_budget_line(line=line, by=by)
    services.submit_business_plan(plan=plan, by=by)
    services.approve_business_plan(plan=plan, by=by)
    stage = services.add_aid_stage(
        kube=kube, planned_on=dt.date(2027, 8, 1), condition="training_done", amount=4_000_000, by=by
    )
    services.mark_condition_met(stage=stage, met_on=dt.date(2027, 8, 1), by=by)
    services.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 8, 2), transfer_reference="SP2D-1", by=by)
    asset = services.add_asset(
        kube=kube, item="Oven", quantity=1, value=500_000, received_on=dt.date(2027, 8, 3), by=by
    )
    services.check_asset(asset=asset, checked_on=dt.date(2027, 9, 1), condition="fair", by=by)
    sale = services.record_cash_entry(
        kube=kube,
        entry_date=dt.date(2027, 8, 10),
        kind="income",
        category="sales",
        amount=1_500_000,
        description="Jual kue",
        product="Kue lapis",
        channel="local_market",
        by=by,
    )
    services.reverse_cash_entry(entry=sale, reason="Salah catat", on=dt.date(2027, 8, 11), by=by)
    services.record_cash_entry(
        kube=kube,
        entry_date=dt.date(2027, 8, 12),
        kind="income",
        category="sales",
        amount=1_000_000,
        description="Jual kue",
        product="Kue lapis",
        channel="local_market",
        by=by,
    )
    services.close_cash_month(kube=kube, month=dt.date(2027, 8, 1), by=by)
    services.allocate_profit(kube=kube, period_start=dt.date(2027, 8, 1), period_end=dt.date(2027, 8, 31), by=by)
    services.record_iks_contribution(
        kube=kube, entry_date=dt.date(2027, 9, 2), amount=50_000, description="Iuran", by=by
    )
    services.use_iks(
        kube=kube,
        entry_date=dt.date(2027, 9, 3),
        purpose="member_hardship",
        amount=10_000,
        beneficiary="Ibu Sari",
        description="Sakit",
        by=by,
    )
    loan = services.lend(
        kube=kube,
        borrower="Pak Dedi",
        is_member=True,
        principal=100_000,
        issued_on=dt.date(2027, 9, 4),
        instalments=2,
        by=by,
    )
    services.repay(loan=loan, paid_on=dt.date(2027, 10, 4), amount=50_000, by=by)
    credit = services.apply_for_credit(
        kube=kube, scheme="kur", lender="BRI", amount_requested=5_000_000, applied_on=dt.date(2027, 9, 5), by=by
    )
    services.decide_credit(
        application=credit, outcome="approved", decided_on=dt.date(2027, 9, 20), amount_approved=4_000_000, by=by
    )
    services.add_partnership(kube=kube, partner="Toko Makmur", kind="buyer", started_on=dt.date(2027, 9, 6), by=by)
    event = services.create_market_event(
        region=RegionFactory(code="64.72"), name="Bazar", held_on=dt.date(2027, 10, 1), by=by
    )
    services.record_market_participation(event=event, kube=kube, sales=300_000, by=by)

    rows = _history_rows()
    assert len(rows) > 30
    assert {row.history_user_id for row in rows} == {by.pk}
    assert CashMonth.objects.filter(kube=kube).exists()
