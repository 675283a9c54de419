"""Two officers acting on the same nominee at the same moment: one wins, the other gets a clear message.

SQLite serialises writers anyway; the row locks matter on PostgreSQL, so this runs there only.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from berdaya.registry.tests.factories import PersonFactory
from berdaya.targeting import services
from berdaya.targeting.models import Nominee, Transition
from berdaya.targeting.services import TransitionError
from berdaya.targeting.tests.conftest import minutes_pdf
from berdaya.targeting.tests.test_workflow import CHECKED

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (DATABASE_URL=postgres://…)")


def race(action, users_and_kwargs):
    """Run the same service in two threads released at once; return what each got."""
    barrier = threading.Barrier(len(users_and_kwargs))
    results: list[object] = [None] * len(users_and_kwargs)

    def run(index, kwargs):
        try:
            barrier.wait()
            results[index] = action(**kwargs)
        except TransitionError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, kw)) for i, kw in enumerate(users_and_kwargs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_officers_approving_one_nominee_at_once_approve_it_once(users, village_list):
    person = PersonFactory(household__village=village_list.village)
    nominee = services.nominate_person(
        nomination_list=village_list, person=person, reason="no_income", by=users["desa_a"]
    )
    services.attach_minutes(nomination_list=village_list, file=minutes_pdf(), meeting_date=None, by=users["desa_a"])
    services.submit_list(nomination_list=village_list, by=users["desa_a"])
    services.endorse_list(nomination_list=village_list, by=users["camat"])
    services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=CHECKED, by=users["officer"])

    results = race(
        services.approve_nominee,
        [{"nominee": nominee, "by": users["officer"]}, {"nominee": nominee, "by": users["admin"]}],
    )

    assert sorted(type(r).__name__ for r in results) == ["Nominee", "TransitionError"]
    assert Nominee.objects.get(pk=nominee.pk).status == Nominee.Status.APPROVED
    assert Transition.objects.filter(nominee=nominee, action="approve").count() == 1


def test_two_approvals_for_the_last_quota_place_leave_the_quota_kept(users, village_list, cycle):
    cycle.quotas.filter(kecamatan_id="64.01.04").update(households=1)
    persons = PersonFactory.create_batch(2, household__village=village_list.village)
    nominees = [
        services.nominate_person(nomination_list=village_list, person=p, reason="no_income", by=users["desa_a"])
        for p in persons
    ]
    services.attach_minutes(nomination_list=village_list, file=minutes_pdf(), meeting_date=None, by=users["desa_a"])
    services.submit_list(nomination_list=village_list, by=users["desa_a"])
    services.endorse_list(nomination_list=village_list, by=users["camat"])
    for nominee in nominees:
        services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=CHECKED, by=users["officer"])

    race(
        services.approve_nominee,
        [{"nominee": nominees[0], "by": users["officer"]}, {"nominee": nominees[1], "by": users["admin"]}],
    )

    assert Nominee.objects.filter(status=Nominee.Status.APPROVED).count() == 1
