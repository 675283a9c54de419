"""Aid stages add up to the group's aid, are paid only once their condition is met (or with a justification)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import selectors, services
from berdaya.business.models import AidStage, Asset, CashEntry
from berdaya.business.tests.factories import AidStageFactory, AssetFactory, kube_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return UserFactory(username="petugas")


def _stage(kube, by, **kwargs):
    return services.add_aid_stage(kube=kube, planned_on=dt.date(2027, 8, 1), condition="none", by=by, **kwargs)


def test_the_group_aid_is_the_aid_per_member_times_the_members():
    kube = kube_with_members(3)

    assert selectors.group_aid(kube) == 6_000_000


def test_stages_by_share_add_up_to_the_aid_exactly(officer):
    kube = kube_with_members(3, cycle__aid_per_member=1_000_001)  # 3,000,003: not divisible by 3

    stages = [_stage(kube, officer, share=Decimal("33.33")) for _ in range(2)]
    stages.append(_stage(kube, officer, share=Decimal("33.34")))

    assert sum(s.amount for s in stages) == 3_000_003
    assert [s.number for s in stages] == [1, 2, 3]


def test_a_stage_beyond_the_aid_is_refused(officer):
    kube = kube_with_members(2)
    _stage(kube, officer, amount=3_000_000)

    with pytest.raises(services.AidError, match="more than the group's aid of Rp 4,000,000"):
        _stage(kube, officer, amount=1_000_001)

    assert AidStage.objects.count() == 1


def test_a_stage_needs_either_an_amount_or_a_share(officer):
    with pytest.raises(services.AidError, match="either the amount or the share"):
        _stage(kube_with_members(1), officer, amount=1, share=Decimal("10"))


def test_paying_a_stage_opens_the_cash_book(officer):
    kube = kube_with_members(2)
    stage = _stage(kube, officer, amount=2_000_000)

    services.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 8, 2), transfer_reference="TRF-001", by=officer)

    entry = CashEntry.objects.get(kube=kube)
    assert (entry.category, entry.kind, entry.amount, entry.aid_stage) == ("aid", "income", 2_000_000, stage)


def test_a_stage_is_not_paid_before_its_condition_is_met(officer):
    kube = kube_with_members(2)
    stage = services.add_aid_stage(
        kube=kube, planned_on=dt.date(2027, 9, 1), condition="monitoring_passed", amount=2_000_000, by=officer
    )

    with pytest.raises(services.AidError, match="not met yet"):
        services.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 9, 2), transfer_reference="TRF-2", by=officer)

    assert not CashEntry.objects.exists()


def test_a_stage_is_paid_once_its_condition_is_met(officer):
    kube = kube_with_members(2)
    stage = services.add_aid_stage(
        kube=kube, planned_on=dt.date(2027, 9, 1), condition="training_done", amount=2_000_000, by=officer
    )
    services.mark_condition_met(stage=stage, met_on=dt.date(2027, 9, 1), by=officer)

    paid = services.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 9, 2), transfer_reference="TRF-2", by=officer)

    assert paid.is_paid


def test_an_override_is_justified_and_audited(officer):
    kube = kube_with_members(2)
    stage = services.add_aid_stage(
        kube=kube, planned_on=dt.date(2027, 9, 1), condition="monitoring_passed", amount=2_000_000, by=officer
    )

    services.pay_aid_stage(
        stage=stage,
        paid_on=dt.date(2027, 9, 2),
        transfer_reference="TRF-2",
        override_reason="Musim panen: bahan baku harus dibeli sekarang",
        by=officer,
    )

    latest = stage.history.latest()
    assert latest.override_reason == "Musim panen: bahan baku harus dibeli sekarang"
    assert "before its condition" in latest.history_change_reason


def test_a_payment_beyond_the_aid_is_refused(officer):
    kube = kube_with_members(1)
    # Planned when the group was larger: the aid is now 2,000,000.
    stage = AidStageFactory(kube=kube, number=1, amount=2_500_000)

    with pytest.raises(services.AidError, match="more than the Rp 2,000,000 allowed"):
        services.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 8, 2), transfer_reference="TRF-1", by=officer)

    stage.refresh_from_db()
    assert stage.paid_on is None
    assert not CashEntry.objects.exists()


def test_a_stage_is_paid_only_once(officer):
    kube = kube_with_members(2)
    stage = _stage(kube, officer, amount=1_000_000)
    services.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 8, 2), transfer_reference="TRF-1", by=officer)

    with pytest.raises(services.AidError, match="already been paid"):
        services.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 8, 3), transfer_reference="TRF-1", by=officer)


def test_a_condition_check_updates_the_assets_condition(officer):
    asset = AssetFactory()

    services.check_asset(
        asset=asset, checked_on=dt.date(2027, 11, 1), condition="broken", note="Selang bocor", by=officer
    )

    asset.refresh_from_db()
    assert asset.condition == Asset.Condition.BROKEN
    assert asset.checks.count() == 1


def test_an_older_check_does_not_overwrite_a_newer_condition(officer):
    asset = AssetFactory()
    services.check_asset(asset=asset, checked_on=dt.date(2027, 11, 1), condition="fair", by=officer)

    services.check_asset(asset=asset, checked_on=dt.date(2027, 10, 1), condition="good", by=officer)

    asset.refresh_from_db()
    assert asset.condition == Asset.Condition.FAIR


def test_a_stage_without_a_condition_has_none_to_meet(officer):
    stage = services.add_aid_stage(
        kube=kube_with_members(2), planned_on=dt.date(2027, 9, 1), condition="none", amount=2_000_000, by=officer
    )

    with pytest.raises(services.AidError, match="no condition waiting"):
        services.mark_condition_met(stage=stage, met_on=dt.date(2027, 9, 1), by=officer)

    stage.refresh_from_db()
    assert stage.condition_met_on is None
