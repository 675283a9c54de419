"""What a page offers: actions_for(user, record) from the role's permissions and the record's state."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.targeting import services
from berdaya.targeting.models import Cycle, NominationList, Nominee
from berdaya.targeting.selectors import actions_for
from berdaya.targeting.services import TransitionError
from berdaya.targeting.tests.factories import CycleFactory, NomineeFactory
from berdaya.targeting.tests.test_workflow import CHECKED, submitted

pytestmark = pytest.mark.django_db


def test_a_draft_cycle_offers_the_dinas_its_quotas_and_opening_but_no_decree(users, regions):
    draft = CycleFactory(region=regions["regency"])

    assert actions_for(users["admin"], draft) == {"edit", "set_quota", "open"}


def test_an_open_cycle_offers_the_dinas_its_decisions_and_documents(users, cycle):
    assert actions_for(users["officer"], cycle) == {"relay", "approve_clean", "issue_decree", "download"}


def test_an_open_cycle_offers_a_village_to_start_its_list(users, cycle):
    assert actions_for(users["desa_a"], cycle) == {"start_list", "download"}


def test_a_decided_cycle_offers_only_its_documents(users, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.DECIDED)
    cycle.refresh_from_db()

    assert actions_for(users["officer"], cycle) == {"download"}


@pytest.mark.parametrize(
    ("status", "username", "offered"),
    [
        ("draft", "desa_a", {"edit", "submit"}),
        ("draft", "camat", set()),
        ("submitted", "desa_a", set()),
        ("submitted", "camat", {"endorse", "return_to_village"}),
        ("submitted", "officer", set()),
        ("endorsed", "camat", set()),
        ("endorsed", "officer", {"return_to_kecamatan"}),
        ("endorsed", "monitor", set()),
    ],
)
def test_a_village_list_offers_each_role_the_step_its_status_allows(village_list, users, status, username, offered):
    NominationList.objects.filter(pk=village_list.pk).update(status=status)
    village_list.refresh_from_db()

    assert actions_for(users[username], village_list) == offered


@pytest.mark.parametrize(
    ("status", "username", "offered"),
    [
        ("endorsed", "officer", {"verify"}),
        ("endorsed", "camat", set()),
        ("verified", "officer", {"approve", "reject"}),
        ("verified", "monitor", set()),
        ("approved", "officer", set()),
    ],
)
def test_a_nominee_offers_the_dinas_verval_then_the_decision(village_list, users, status, username, offered):
    NominationList.objects.filter(pk=village_list.pk).update(status="endorsed")
    nominee = NomineeFactory(nomination_list=NominationList.objects.get(pk=village_list.pk), status=status)

    assert actions_for(users[username], nominee) == offered


@pytest.mark.parametrize("status", Nominee.Status.values)
def test_verify_is_offered_exactly_when_the_service_accepts_it(village_list, users, status):
    nominee = NomineeFactory(nomination_list=village_list, status=status)
    offered = "verify" in actions_for(users["officer"], nominee)

    try:
        services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=CHECKED, by=users["officer"])
    except TransitionError:
        accepted = False
    else:
        accepted = True

    assert offered == accepted


def test_a_submitted_list_shows_the_kecamatan_its_review_and_not_the_village_its_editing(client, users, village_list):
    submitted(village_list, users, 1)

    client.force_login(users["camat"])
    as_camat = client.get(village_list.get_absolute_url()).content.decode()
    client.force_login(users["desa_a"])
    as_village = client.get(village_list.get_absolute_url()).content.decode()

    assert ('id="endorse-list"' in as_camat, 'id="submit-list"' in as_village) == (True, False)
