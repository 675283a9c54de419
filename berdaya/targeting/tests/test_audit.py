"""History names who acted, also when a service runs outside a request (a task, a command, the demo)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps

from berdaya.targeting import services
from berdaya.targeting.models import Cycle, Nominee, Verval
from berdaya.targeting.tests.test_workflow import CHECKED, submitted, verified

pytestmark = pytest.mark.django_db


def test_issuing_the_decree_names_the_officer_and_the_reason_in_history(village_list, users, cycle):
    nominee = verified(village_list, users, 1)[0]
    services.approve_nominee(nominee=nominee, by=users["officer"])

    services.issue_decree(cycle=cycle, by=users["admin"])

    latest = Cycle.objects.get(pk=cycle.pk).history.latest()
    assert (latest.history_user, latest.history_change_reason, latest.status) == (
        users["admin"],
        "decree issued",
        "decided",
    )


def test_verifying_a_nominee_names_the_officer_on_the_verval_and_the_nominee(village_list, users):
    nominee = submitted(village_list, users, 1)[0]
    services.endorse_list(nomination_list=village_list, by=users["camat"])

    verval = services.verify_nominee(
        nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=CHECKED, by=users["officer"]
    )

    assert Verval.objects.get(pk=verval.pk).history.get().history_user == users["officer"]
    step = Nominee.objects.get(pk=nominee.pk).history.latest()
    assert (step.history_user, step.history_change_reason) == (users["officer"], "verify")


def test_removing_a_nominee_names_who_removed_it(village_list, users):
    nominee = services.nominate_new(
        nomination_list=village_list,
        nik="6401041203850099",
        name="Orang Baru",
        kk_number="6401040101150099",
        birth_date=dt.date(1985, 3, 12),
        sex="L",
        address="",
        reason="no_income",
        by=users["desa_a"],
    )

    pk = nominee.pk

    services.remove_nominee(nominee=nominee, by=users["desa_a"])

    removal = Nominee.history.filter(id=pk, history_type="-").get()
    assert (removal.history_user, removal.history_change_reason) == (users["desa_a"], "removed")


def test_every_history_row_of_a_whole_round_names_a_user(village_list, users, cycle, regions):
    history = [
        model for model in apps.get_app_config("targeting").get_models() if model.__name__.startswith("Historical")
    ]
    for model in history:
        model.objects.all().delete()  # the fixtures' rows were made by factories, not by services
    services.save_letterhead(region=regions["regency"], signatory_name="Dra. Hj. Siti", by=users["admin"])
    first, second = verified(village_list, users, 2)
    services.approve_nominee(nominee=first, by=users["officer"])
    services.reject_nominee(nominee=second, reason="Pensiunan PNS", by=users["officer"])

    services.issue_decree(cycle=cycle, by=users["officer"])

    written = {model.__name__: model.objects.count() for model in history}
    unnamed = {model.__name__: model.objects.filter(history_user__isnull=True).count() for model in history}
    assert all(written[name] for name in ("HistoricalCycle", "HistoricalNominee", "HistoricalVerval"))
    assert {name: count for name, count in unnamed.items() if count} == {}
