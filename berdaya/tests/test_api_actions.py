"""The API's state actions of targeting and aid: the page's `actions_for`, scope, confirmation, form and service.

Each action is posted as a JSON object by a token, as another tool would (docs/api.md "State actions").
"""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from berdaya.accounts.models import AccessToken, User
from berdaya.accounts.services import create_token
from berdaya.business import services as services_business
from berdaya.business.models import AidStage, BusinessPlan, CashEntry
from berdaya.business.tests.factories import AidStageFactory, BusinessPlanFactory, kube_with_members
from berdaya.regions.tests.factories import RegionFactory
from berdaya.registry.tests.factories import PersonFactory
from berdaya.targeting import services
from berdaya.targeting.models import Cycle, NominationList, Nominee
from berdaya.targeting.tests.conftest import minutes_pdf
from berdaya.targeting.tests.factories import CallRelayFactory, CycleFactory, NominationListFactory, QuotaFactory
from berdaya.targeting.tests.test_workflow import CHECKED, registered_nominees

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    """On 1 March 2027, inside the nomination window of the factories' cycle, with a passing media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2027, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Makassar")), tick=False):
        yield


def token(user: User, *, read_only: bool = False) -> str:
    expires = timezone.localdate() + dt.timedelta(days=30)
    return create_token(by=user, owner=user, name="aplikasi", expires_on=expires, read_only=read_only).secret


def act(path: str, secret: str, body: object, **headers: str):
    return Client(enforce_csrf_checks=True).post(
        path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en", **headers},
    )


def via_token() -> str:
    return f"via API token {AccessToken.objects.get().prefix}"


# Targeting --------------------------------------------------------------------------------------------------------


@pytest.fixture
def cycle(users, regions):
    made = CycleFactory(region=regions["regency"], created_by=users["admin"], status=Cycle.Status.OPEN)
    QuotaFactory(cycle=made, kecamatan=regions["kec_a"], households=10)
    CallRelayFactory(cycle=made, kecamatan=regions["kec_a"], by=users["camat"])
    return made


@pytest.fixture
def village_list(cycle, users, regions):
    """A draft list of Tanah Periuk with two nominees and its minutes: ready to submit."""
    made = NominationListFactory(cycle=cycle, village=regions["village_a"], created_by=users["desa_a"])
    registered_nominees(made, users)
    services.attach_minutes(
        nomination_list=made, file=minutes_pdf(), meeting_date=dt.date(2027, 2, 20), by=users["desa_a"]
    )
    return made


@pytest.fixture
def submitted(village_list, users):
    services.submit_list(nomination_list=village_list, by=users["desa_a"])
    return NominationList.objects.get(pk=village_list.pk)


@pytest.fixture
def endorsed(submitted, users):
    services.endorse_list(nomination_list=submitted, by=users["camat"])
    return NominationList.objects.get(pk=submitted.pk)


@pytest.fixture
def verified(endorsed, users):
    nominee = endorsed.nominees.order_by("pk").first()
    services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=CHECKED, by=users["officer"])
    return Nominee.objects.get(pk=nominee.pk)


def lists(nomination_list: NominationList, action: str) -> str:
    return f"/api/v1/targeting/lists/{nomination_list.pk}/{action}"


def nominees(nominee: Nominee, action: str) -> str:
    return f"/api/v1/targeting/nominees/{nominee.pk}/{action}"


def test_the_village_submits_its_list_confirmed(users, village_list):
    response = act(lists(village_list, "submit"), token(users["desa_a"]), {"confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    village_list.refresh_from_db()
    assert village_list.status == NominationList.Status.SUBMITTED
    assert via_token() in village_list.history.latest().history_change_reason


def test_submitting_without_confirm_is_a_400_and_changes_nothing(users, village_list):
    response = act(lists(village_list, "submit"), token(users["desa_a"]), {})

    assert response.status_code == 400
    assert response.json()["code"] == "confirm_required"
    village_list.refresh_from_db()
    assert village_list.status == NominationList.Status.DRAFT


def test_the_kecamatan_may_not_submit_a_villages_list(users, village_list):
    response = act(lists(village_list, "submit"), token(users["camat"]), {"confirm": True})

    assert response.status_code == 403


def test_a_list_of_another_village_is_a_404(users, village_list):
    response = act(lists(village_list, "submit"), token(users["desa_b"]), {"confirm": True})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_read_only_token_cannot_submit(users, village_list):
    response = act(lists(village_list, "submit"), token(users["desa_a"], read_only=True), {"confirm": True})

    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"


def test_the_kecamatan_endorses_a_submitted_list_with_a_note(users, submitted):
    response = act(lists(submitted, "endorse"), token(users["camat"]), {"reason": "Lengkap", "confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "endorsed"
    assert set(submitted.nominees.values_list("status", flat=True)) == {"endorsed"}


def test_endorsing_without_confirm_is_a_400(users, submitted):
    response = act(lists(submitted, "endorse"), token(users["camat"]), {"reason": "Lengkap"})

    assert response.json()["code"] == "confirm_required"


def test_endorsing_a_draft_is_not_offered(users, village_list):
    response = act(lists(village_list, "endorse"), token(users["camat"]), {"confirm": True})

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_the_kecamatan_returns_a_submitted_list_saying_why(users, submitted):
    response = act(lists(submitted, "return-to-village"), token(users["camat"]), {"reason": "Foto kurang"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft"


def test_returning_without_a_reason_is_refused_with_the_pages_message(users, submitted):
    response = act(lists(submitted, "return-to-village"), token(users["camat"]), {})

    assert response.status_code == 400
    assert response.json()["message"] == "Say why the list goes back."


def test_a_kecamatan_outside_the_list_is_a_404(users, submitted):
    response = act(lists(submitted, "return-to-village"), token(users["camat_c"]), {"reason": "x"})

    assert response.status_code == 404


def test_the_dinas_returns_an_endorsed_list_to_the_kecamatan(users, endorsed):
    response = act(lists(endorsed, "return-to-kecamatan"), token(users["officer"]), {"reason": "Kuota"})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"


def test_the_dinas_verifies_an_endorsed_nominee(users, endorsed):
    nominee = endorsed.nominees.order_by("pk").first()
    body = {"visit_date": "2027-03-01", "notes": "Rumah sesuai", **{f"check_{key}": True for key in CHECKED}}

    response = act(nominees(nominee, "verify"), token(users["officer"]), body)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "verified"
    assert Nominee.objects.get(pk=nominee.pk).verval.checklist == CHECKED
    assert via_token() in nominee.history.latest().history_change_reason


def test_a_verval_with_an_invalid_day_is_a_422(users, endorsed):
    nominee = endorsed.nominees.order_by("pk").first()

    response = act(nominees(nominee, "verify"), token(users["officer"]), {"visit_date": "kemarin"})

    assert response.status_code == 422
    assert "visit_date" in response.json()["fields"]


def test_the_kecamatan_may_not_verify(users, endorsed):
    nominee = endorsed.nominees.order_by("pk").first()

    response = act(nominees(nominee, "verify"), token(users["camat"]), {"visit_date": "2027-03-01"})

    assert response.status_code == 403


def test_verifying_a_submitted_nominee_is_not_offered(users, submitted):
    nominee = submitted.nominees.order_by("pk").first()

    response = act(nominees(nominee, "verify"), token(users["officer"]), {"visit_date": "2027-03-01"})

    assert response.json()["code"] == "not_allowed"


def test_the_dinas_approves_a_verified_nominee_confirmed(users, verified):
    response = act(nominees(verified, "approve"), token(users["officer"]), {"confirm": True})

    assert response.status_code == 200, response.content
    assert Nominee.objects.get(pk=verified.pk).status == Nominee.Status.APPROVED


def test_approving_without_confirm_is_a_400_and_changes_nothing(users, verified):
    response = act(nominees(verified, "approve"), token(users["officer"]), {"confirm": False})

    assert response.json()["code"] == "confirm_required"
    assert Nominee.objects.get(pk=verified.pk).status == Nominee.Status.VERIFIED


def test_the_dinas_rejects_a_verified_nominee_saying_why(users, verified):
    response = act(nominees(verified, "reject"), token(users["officer"]), {"reason": "Mampu", "confirm": True})

    assert response.status_code == 200, response.content
    assert Nominee.objects.get(pk=verified.pk).decision_reason == "Mampu"


def test_an_approved_nominee_cannot_be_rejected(users, verified):
    secret = token(users["officer"])
    act(nominees(verified, "approve"), secret, {"confirm": True})

    response = act(nominees(verified, "reject"), secret, {"reason": "Mampu", "confirm": True})

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_a_monitor_may_not_decide(users, verified):
    response = act(nominees(verified, "approve"), token(users["monitor"]), {"confirm": True})

    assert response.status_code == 403


@pytest.mark.parametrize("body", [[1, 2], "confirm"])
def test_a_decision_body_that_is_not_a_json_object_is_a_422(users, verified, body):
    response = act(nominees(verified, "approve"), token(users["officer"]), body)

    assert response.status_code == 422


# Cycle actions -------------------------------------------------------------------------------------------------------


def cycles(cycle: Cycle, action: str) -> str:
    return f"/api/v1/targeting/cycles/{cycle.pk}/{action}"


@pytest.fixture
def draft_cycle(users, regions):
    return CycleFactory(region=regions["regency"], created_by=users["admin"])


@pytest.fixture
def with_quota(draft_cycle, regions):
    QuotaFactory(cycle=draft_cycle, kecamatan=regions["kec_a"], households=10)
    return draft_cycle


def test_the_admin_sets_a_kecamatans_quota(users, regions, draft_cycle):
    body = {"kecamatan": regions["kec_a"].pk, "households": 12}

    response = act(cycles(draft_cycle, "set-quota"), token(users["admin"]), body)

    assert response.status_code == 200, response.content
    assert draft_cycle.quotas.get().households == 12


def test_a_quota_of_zero_is_a_422(users, regions, draft_cycle):
    body = {"kecamatan": regions["kec_a"].pk, "households": 0}

    response = act(cycles(draft_cycle, "set-quota"), token(users["admin"]), body)

    assert response.status_code == 422
    assert "households" in response.json()["fields"]


def test_a_quota_of_an_open_cycle_is_not_offered(users, regions, cycle):
    body = {"kecamatan": regions["kec_a"].pk, "households": 12}

    response = act(cycles(cycle, "set-quota"), token(users["admin"]), body)

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_the_dinas_opens_the_cycle_confirmed(users, with_quota):
    response = act(cycles(with_quota, "open"), token(users["officer"]), {"confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "open"
    with_quota.refresh_from_db()
    assert with_quota.status == Cycle.Status.OPEN
    assert via_token() in with_quota.history.latest().history_change_reason


def test_opening_without_confirm_is_a_400_and_changes_nothing(users, with_quota):
    response = act(cycles(with_quota, "open"), token(users["officer"]), {})

    assert response.status_code == 400
    assert response.json()["code"] == "confirm_required"
    with_quota.refresh_from_db()
    assert with_quota.status == Cycle.Status.DRAFT


def test_opening_without_a_quota_is_refused_with_the_pages_message(users, draft_cycle):
    response = act(cycles(draft_cycle, "open"), token(users["officer"]), {"confirm": True})

    assert response.status_code == 400
    assert response.json()["message"] == "Set a quota for at least one kecamatan before opening the cycle."


def test_the_kecamatan_may_not_open_a_cycle(users, with_quota):
    response = act(cycles(with_quota, "open"), token(users["camat"]), {"confirm": True})

    assert response.status_code == 403


def test_a_read_only_token_cannot_open_a_cycle(users, with_quota):
    response = act(cycles(with_quota, "open"), token(users["officer"], read_only=True), {"confirm": True})

    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"


def test_the_kecamatan_relays_the_call_to_its_villages(users, regions, with_quota):
    services.open_cycle(cycle=with_quota, by=users["officer"])
    body = {"kecamatan": regions["kec_a"].pk, "note": "Musdes minggu depan"}

    response = act(cycles(with_quota, "relay"), token(users["camat"]), body)

    assert response.status_code == 200, response.content
    assert with_quota.relays.get().note == "Musdes minggu depan"


def test_the_village_starts_its_list_once_however_often_it_asks(users, regions, cycle):
    secret = token(users["desa_a"])

    first = act(cycles(cycle, "start-list"), secret, {})
    again = act(cycles(cycle, "start-list"), secret, {})

    assert (first.status_code, again.status_code) == (201, 201), first.content
    made = NominationList.objects.get()
    assert (made.village, made.created_by) == (regions["village_a"], users["desa_a"])
    assert first.json()["id"] == again.json()["id"] == made.pk
    assert made.history.get().history_change_reason == via_token()


def test_a_village_whose_call_was_not_relayed_is_refused_with_the_pages_message(users, regions):
    open_cycle = CycleFactory(region=regions["regency"], created_by=users["admin"], status=Cycle.Status.OPEN)

    response = act(cycles(open_cycle, "start-list"), token(users["desa_a"]), {})

    assert response.status_code == 400
    assert response.json()["message"] == "The kecamatan has not relayed the call to its villages yet."
    assert not NominationList.objects.exists()


def test_the_kecamatan_does_not_start_a_village_list(users, cycle):
    response = act(cycles(cycle, "start-list"), token(users["camat"]), {})

    assert response.status_code == 403
    assert not NominationList.objects.exists()


def test_the_dinas_officer_may_not_set_a_quota(users, regions, draft_cycle):
    body = {"kecamatan": regions["kec_a"].pk, "households": 12}

    response = act(cycles(draft_cycle, "set-quota"), token(users["officer"]), body)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_relaying_a_decided_cycle_is_not_offered(users, regions):
    decided = CycleFactory(region=regions["regency"], created_by=users["admin"], status=Cycle.Status.DECIDED)
    QuotaFactory(cycle=decided, kecamatan=regions["kec_a"], households=10)

    response = act(cycles(decided, "relay"), token(users["camat"]), {"kecamatan": regions["kec_a"].pk})

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_the_dinas_approves_the_clean_nominees_confirmed(users, verified):
    response = act(cycles(verified.cycle, "approve-clean"), token(users["officer"]), {"confirm": True})

    assert response.status_code == 200, response.content
    assert Nominee.objects.get(pk=verified.pk).status == Nominee.Status.APPROVED


def test_approving_the_clean_nominees_without_confirm_is_a_400(users, verified):
    response = act(cycles(verified.cycle, "approve-clean"), token(users["officer"]), {})

    assert response.json()["code"] == "confirm_required"
    assert Nominee.objects.get(pk=verified.pk).status == Nominee.Status.VERIFIED


def test_the_dinas_issues_the_decree_confirmed(users, verified):
    services.approve_nominee(nominee=verified, reason="", by=users["officer"])

    response = act(cycles(verified.cycle, "issue-decree"), token(users["officer"]), {"confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["sk_number"]
    assert Cycle.objects.get(pk=verified.cycle_id).status == Cycle.Status.DECIDED


def test_issuing_the_decree_without_confirm_is_a_400(users, verified):
    services.approve_nominee(nominee=verified, reason="", by=users["officer"])

    response = act(cycles(verified.cycle, "issue-decree"), token(users["officer"]), {"confirm": False})

    assert response.json()["code"] == "confirm_required"
    assert Cycle.objects.get(pk=verified.cycle_id).status == Cycle.Status.OPEN


def test_a_decree_with_nothing_approved_is_refused_with_the_pages_message(users, verified):
    response = act(cycles(verified.cycle, "issue-decree"), token(users["officer"]), {"confirm": True})

    assert response.status_code == 400
    assert response.json()["message"] == "No nominee is approved yet."


def test_the_kecamatan_may_not_issue_the_decree(users, cycle):
    response = act(cycles(cycle, "issue-decree"), token(users["camat"]), {"confirm": True})

    assert response.status_code == 403


def test_a_cycle_outside_the_scope_is_a_404(users, regions):
    regency = RegionFactory(code="64.02", name="Kabupaten Lain")
    elsewhere = CycleFactory(region=regency, created_by=users["admin"], status=Cycle.Status.OPEN)

    response = act(cycles(elsewhere, "issue-decree"), token(users["officer"]), {"confirm": True})

    assert response.status_code == 404


# The village's nominee actions --------------------------------------------------------------------------------------


def test_the_village_justifies_a_nominee(users, village_list):
    nominee = village_list.nominees.order_by("pk").first()

    response = act(nominees(nominee, "justify"), token(users["desa_a"]), {"reason": "Rumah baru saja terbakar"})

    assert response.status_code == 200, response.content
    assert Nominee.objects.get(pk=nominee.pk).override_justification == "Rumah baru saja terbakar"


def test_a_short_justification_is_refused_with_the_pages_message(users, village_list):
    nominee = village_list.nominees.order_by("pk").first()

    response = act(nominees(nominee, "justify"), token(users["desa_a"]), {"reason": "x"})

    assert response.status_code == 400
    assert "at least 10 characters" in response.json()["message"]


def test_justifying_on_a_submitted_list_is_not_offered(users, submitted):
    nominee = submitted.nominees.order_by("pk").first()

    response = act(nominees(nominee, "justify"), token(users["desa_a"]), {"reason": "Rumah baru saja terbakar"})

    assert response.json()["code"] == "not_allowed"


def test_the_village_removes_a_nominee_confirmed(users, village_list):
    nominee = village_list.nominees.order_by("pk").first()

    response = act(nominees(nominee, "remove"), token(users["desa_a"]), {"confirm": True})

    assert response.status_code == 200, response.content
    assert response.json()["id"] == village_list.pk
    assert not Nominee.objects.filter(pk=nominee.pk).exists()


def test_removing_without_confirm_is_a_400_and_keeps_the_nominee(users, village_list):
    nominee = village_list.nominees.order_by("pk").first()

    response = act(nominees(nominee, "remove"), token(users["desa_a"]), {})

    assert response.json()["code"] == "confirm_required"
    assert Nominee.objects.filter(pk=nominee.pk).exists()


def test_another_village_cannot_remove_a_nominee(users, village_list):
    nominee = village_list.nominees.order_by("pk").first()

    response = act(nominees(nominee, "remove"), token(users["desa_b"]), {"confirm": True})

    assert response.status_code == 404


# Nominating --------------------------------------------------------------------------------------------------------

NEW_NOMINEE = {
    "nik": "6401041203850099",
    "name": "Orang Baru",
    "kk_number": "6401040101150099",
    "birth_date": "1985-03-12",
    "sex": "L",
    "reason": "no_income",
}


def test_the_village_nominates_a_registered_person(users, village_list):
    person = PersonFactory(household__village=village_list.village)

    response = act(
        lists(village_list, "nominees"), token(users["desa_a"]), {"person": person.pk, "reason": "no_income"}
    )

    assert response.status_code == 201, response.content
    assert response.json()["person"] == person.pk
    assert village_list.nominees.filter(person=person).exists()


def test_nominating_a_person_of_another_village_is_a_422(users, regions, village_list):
    person = PersonFactory(household__village=regions["village_b"])

    response = act(
        lists(village_list, "nominees"), token(users["desa_a"]), {"person": person.pk, "reason": "no_income"}
    )

    assert response.status_code == 422
    assert "person" in response.json()["fields"]


def test_nominating_on_a_submitted_list_is_not_offered(users, submitted):
    person = PersonFactory(household__village=submitted.village)

    response = act(lists(submitted, "nominees"), token(users["desa_a"]), {"person": person.pk, "reason": "no_income"})

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_another_village_cannot_nominate_to_the_list(users, village_list):
    person = PersonFactory(household__village=village_list.village)

    response = act(
        lists(village_list, "nominees"), token(users["desa_b"]), {"person": person.pk, "reason": "no_income"}
    )

    assert response.status_code == 404


def test_a_read_only_token_cannot_nominate(users, village_list):
    person = PersonFactory(household__village=village_list.village)
    secret = token(users["desa_a"], read_only=True)

    response = act(lists(village_list, "nominees"), secret, {"person": person.pk, "reason": "no_income"})

    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"


def test_the_village_nominates_a_household_not_yet_registered(users, village_list):
    response = act(lists(village_list, "nominees/new"), token(users["desa_a"]), NEW_NOMINEE)

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Orang Baru"
    assert via_token() in village_list.nominees.get(name="Orang Baru").history.latest().history_change_reason


def test_a_new_nominee_with_a_wrong_nik_is_refused_with_the_pages_message(users, village_list):
    response = act(lists(village_list, "nominees/new"), token(users["desa_a"]), {**NEW_NOMINEE, "nik": "123"})

    assert response.status_code == 400
    assert response.json()["message"]
    assert not village_list.nominees.filter(name="Orang Baru").exists()


def test_a_new_nominee_without_a_reason_is_a_422(users, village_list):
    response = act(lists(village_list, "nominees/new"), token(users["desa_a"]), {**NEW_NOMINEE, "reason": ""})

    assert response.status_code == 422
    assert "reason" in response.json()["fields"]


# Business plans and aid stages ---------------------------------------------------------------------------------------


@pytest.fixture
def kube(users, regions):
    return kube_with_members(2, village=regions["village_a"], facilitator=users["facilitator"])


@pytest.fixture
def plan(kube, users):
    return BusinessPlanFactory(kube=kube, created_by=users["facilitator"])


def plans(plan: BusinessPlan, action: str) -> str:
    return f"/api/v1/business/plans/{plan.pk}/{action}"


def stages(stage: AidStage, action: str) -> str:
    return f"/api/v1/business/aid-stages/{stage.pk}/{action}"


PAY = {"paid_on": "2027-02-28", "transfer_reference": "TRF-001", "confirm": True}


def test_the_facilitator_submits_a_draft_plan(users, plan):
    services_business.add_budget_line(
        plan=plan, item="Oven", quantity=1, unit="unit", unit_price=3_000_000, by=users["facilitator"]
    )

    response = act(plans(plan, "submit"), token(users["facilitator"]), {})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert via_token() in plan.history.latest().history_change_reason


def test_another_facilitators_plan_is_a_404(users, plan):
    response = act(plans(plan, "submit"), token(users["other_facilitator"]), {})

    assert response.status_code == 404


def test_the_dinas_approves_a_submitted_plan_confirmed(users, plan):
    BusinessPlan.objects.filter(pk=plan.pk).update(status=BusinessPlan.Status.SUBMITTED)

    response = act(plans(plan, "approve"), token(users["officer"]), {"confirm": True})

    assert response.status_code == 200, response.content
    assert BusinessPlan.objects.get(pk=plan.pk).status == BusinessPlan.Status.APPROVED


def test_approving_a_plan_without_confirm_is_a_400(users, plan):
    BusinessPlan.objects.filter(pk=plan.pk).update(status=BusinessPlan.Status.SUBMITTED)

    response = act(plans(plan, "approve"), token(users["officer"]), {})

    assert response.json()["code"] == "confirm_required"
    assert BusinessPlan.objects.get(pk=plan.pk).status == BusinessPlan.Status.SUBMITTED


def test_approving_a_draft_plan_is_not_offered(users, plan):
    response = act(plans(plan, "approve"), token(users["officer"]), {"confirm": True})

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_the_facilitator_may_not_approve_a_plan(users, plan):
    BusinessPlan.objects.filter(pk=plan.pk).update(status=BusinessPlan.Status.SUBMITTED)

    response = act(plans(plan, "approve"), token(users["facilitator"]), {"confirm": True})

    assert response.status_code == 403


def test_the_dinas_returns_a_plan_saying_what_to_change(users, plan):
    BusinessPlan.objects.filter(pk=plan.pk).update(status=BusinessPlan.Status.SUBMITTED)

    refused = act(plans(plan, "return"), token(users["officer"]), {})
    returned = act(plans(plan, "return"), token(users["officer"]), {"reason": "Rincikan biaya"})

    assert (refused.status_code, refused.json()["message"]) == (400, "Say what the group should change in the plan.")
    assert returned.status_code == 200, returned.content
    assert returned.json()["status"] == "draft"


@pytest.fixture
def stage(kube, users):
    return services_business.add_aid_stage(
        kube=kube, planned_on=dt.date(2027, 2, 1), condition="training_done", amount=2_000_000, by=users["officer"]
    )


def test_the_dinas_records_a_stages_condition_met(users, stage):
    response = act(stages(stage, "condition-met"), token(users["officer"]), {"met_on": "2027-02-20"})

    assert response.status_code == 200, response.content
    assert response.json()["condition_met_on"] == "2027-02-20"


def test_a_condition_met_with_an_invalid_day_is_a_422(users, stage):
    response = act(stages(stage, "condition-met"), token(users["officer"]), {"met_on": "besok"})

    assert response.status_code == 422
    assert "met_on" in response.json()["fields"]


def test_the_dinas_pays_a_stage_confirmed_and_it_enters_the_cash_book(users, stage):
    services_business.mark_condition_met(stage=stage, met_on=dt.date(2027, 2, 20), by=users["officer"])

    response = act(stages(stage, "pay"), token(users["officer"]), PAY)

    assert response.status_code == 200, response.content
    assert response.json()["transfer_reference"] == "TRF-001"
    assert CashEntry.objects.get(aid_stage=stage).amount == 2_000_000
    assert via_token() in stage.history.latest().history_change_reason


def test_paying_without_confirm_is_a_400_and_pays_nothing(users, stage):
    response = act(stages(stage, "pay"), token(users["officer"]), {**PAY, "confirm": False})

    assert response.json()["code"] == "confirm_required"
    assert not CashEntry.objects.exists()


def test_paying_before_the_condition_without_a_reason_is_refused(users, stage):
    response = act(stages(stage, "pay"), token(users["officer"]), PAY)

    assert response.status_code == 400
    assert not CashEntry.objects.exists()


def test_a_paid_stage_is_not_offered_again(users, stage):
    secret = token(users["officer"])
    act(stages(stage, "pay"), secret, {**PAY, "override_reason": "Musim panen"})

    response = act(stages(stage, "pay"), secret, {**PAY, "transfer_reference": "TRF-002"})

    assert response.json()["code"] == "not_allowed"
    assert CashEntry.objects.count() == 1


def test_a_payment_without_its_reference_is_a_422(users, stage):
    response = act(stages(stage, "pay"), token(users["officer"]), {"paid_on": "2027-02-28", "confirm": True})

    assert response.status_code == 422
    assert "transfer_reference" in response.json()["fields"]


def test_the_facilitator_may_not_pay(users, stage):
    response = act(stages(stage, "pay"), token(users["facilitator"]), PAY)

    assert response.status_code == 403


def test_a_stage_outside_the_scope_is_a_404(users, regions):
    elsewhere = kube_with_members(2, village=regions["other_regency"])
    far = AidStageFactory(kube=elsewhere, created_by=users["admin"])

    response = act(stages(far, "pay"), token(users["officer"]), PAY)

    assert response.status_code == 404


def test_a_read_only_token_cannot_pay(users, stage):
    response = act(stages(stage, "pay"), token(users["officer"], read_only=True), PAY)

    assert response.json()["code"] == "token_read_only"


def test_a_payment_posted_as_a_form_takes_its_proof_and_a_form_confirm(users, stage):
    services_business.mark_condition_met(stage=stage, met_on=dt.date(2027, 2, 20), by=users["officer"])
    data = {"paid_on": "2027-02-28", "transfer_reference": "TRF-009", "confirm": "true", "proof": minutes_pdf()}

    response = Client(enforce_csrf_checks=True).post(
        stages(stage, "pay"), data, headers={"Authorization": f"Bearer {token(users['officer'])}"}
    )

    assert response.status_code == 200, response.content
    assert AidStage.objects.get(pk=stage.pk).proof
