"""Monev visits of the Dinas: the aid stage they gate, when a group is due one, recording one, and its pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from berdaya.business import services as business
from berdaya.business.models import AidStage
from berdaya.business.tests.factories import kube_with_members
from berdaya.groups.models import Kube
from berdaya.inbox.models import Notification
from berdaya.lib.stored_text import show
from berdaya.lib.waiting import run_plan
from berdaya.mentoring.defaults import install_practices
from berdaya.mentoring.models import EnvironmentPractice, EnvironmentRecord
from berdaya.mentoring.tests.factories import jpeg
from berdaya.monitoring import monev
from berdaya.monitoring.defaults import install_questions
from berdaya.monitoring.models import MonevPhoto, MonevQuestion, MonevVisit, RuleSet
from berdaya.monitoring.rules import Rules

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 12, 15)
PASSED, GUIDANCE = MonevVisit.Verdict.CONTINUE, MonevVisit.Verdict.GUIDANCE


@pytest.fixture(autouse=True)
def today() -> Iterator[Any]:
    with time_machine.travel(dt.datetime(2027, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Makassar")), tick=False) as t:
        yield t


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def kube(users, regions) -> Kube:
    """An active group of Tanah Periuk with two members (aid Rp 4.000.000) in facilitator A's care."""
    # The checklists, as their migrations install them: a flushed test database has lost them.
    install_practices(EnvironmentPractice)
    install_questions(MonevQuestion)
    return kube_with_members(2, village=regions["village_a"], facilitator=users["facilitator"], name="KUBE Mawar")


def _stages(kube: Kube, officer: Any, *, first_paid_on: dt.date = dt.date(2027, 8, 1)) -> tuple[AidStage, AidStage]:
    """Half of the aid paid, the other half waiting for a passed monev."""
    first = business.add_aid_stage(kube=kube, planned_on=first_paid_on, condition="none", share=Decimal(50), by=officer)
    business.pay_aid_stage(stage=first, paid_on=first_paid_on, transfer_reference="SP2D-1", by=officer)
    second = business.add_aid_stage(
        kube=kube, planned_on=dt.date(2027, 12, 1), condition="monitoring_passed", share=Decimal(50), by=officer
    )
    return first, second


def _monev(kube: Kube, by: Any, *, verdict: str = PASSED, visited_on: dt.date = dt.date(2027, 12, 10), **kw: Any):
    return monev.record_monev(
        kube=kube,
        kind=MonevVisit.Kind.AFTER_AID,
        visited_on=visited_on,
        answers={"u_running": True, "k_meetings": False},
        findings="Usaha kue berjalan, penjualan rutin ke warung.",
        recommendation="Catat buku kas setiap hari.",
        verdict=verdict,
        by=by,
        **kw,
    )


def _pay(stage: AidStage, by: Any, **kw: Any) -> AidStage:
    return business.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 12, 14), transfer_reference="SP2D-2", by=by, **kw)


# The gate --------------------------------------------------------------------------------------------------------


def test_a_second_aid_stage_cannot_be_paid_before_a_passed_monev(users, kube):
    _first, second = _stages(kube, users["officer"])

    with pytest.raises(business.AidError, match="not met yet"):
        _pay(second, users["officer"])

    second.refresh_from_db()
    assert second.paid_on is None


def test_paying_before_the_monev_with_the_override_is_audited(users, kube):
    _first, second = _stages(kube, users["officer"])

    _pay(second, users["officer"], override_reason="Bahan baku musim panen harus dibeli sekarang")

    latest = second.history.latest()
    assert latest.paid_on == dt.date(2027, 12, 14)
    assert latest.history_user == users["officer"]
    assert "paid before its condition was met" in latest.history_change_reason


def test_a_passed_monev_makes_the_waiting_stage_payable(users, kube):
    _first, second = _stages(kube, users["officer"])

    _monev(kube, users["officer"], verdict=PASSED, visited_on=dt.date(2027, 12, 10))
    paid = _pay(second, users["officer"])

    assert paid.condition_met_on == dt.date(2027, 12, 10)
    assert paid.is_paid and paid.override_reason == ""


def test_a_needs_guidance_verdict_does_not_release_the_stage(users, kube):
    _first, second = _stages(kube, users["officer"])

    _monev(kube, users["officer"], verdict=GUIDANCE)

    second.refresh_from_db()
    assert second.awaits_condition
    with pytest.raises(business.AidError, match="not met yet"):
        _pay(second, users["officer"])


def test_monitoring_passed_cannot_be_marked_met_by_hand(users, kube):
    _first, second = _stages(kube, users["officer"])

    with pytest.raises(business.AidError, match="met by recording a monev"):
        business.mark_condition_met(stage=second, met_on=dt.date(2027, 12, 10), by=users["officer"])

    second.refresh_from_db()
    assert second.condition_met_on is None


def test_the_aid_page_links_to_the_monev_form_instead_of_marking_the_condition(client, users, kube):
    _first, second = _stages(kube, users["officer"])
    client.force_login(users["officer"])

    page = client.get(reverse("business:aid", args=[kube.pk])).content.decode()

    assert f'id="record-monev-{second.pk}"' in page
    assert reverse("monitoring:monev-create", args=[kube.pk]) in page
    assert reverse("business:aidstage-met", args=[kube.pk, second.pk]) not in page


def test_the_dinas_is_told_the_stage_may_be_paid_and_the_facilitator_the_verdict(users, kube):
    _stages(kube, users["officer"])

    _monev(kube, users["officer"], verdict=PASSED)

    payable = Notification.objects.filter(kind="aid.condition_met", recipient_user=users["admin"])
    verdict = Notification.objects.get(kind="monev.continue")
    assert payable.count() == 1
    assert (verdict.recipient_user, show(verdict.message["subject"])) == (
        users["facilitator"],
        "The monev of KUBE Mawar passed: the group continues",
    )


# When a group is due a monev -------------------------------------------------------------------------------------


def test_a_monev_is_due_the_cadences_days_after_an_aid_stage_is_paid(users, kube):
    business.pay_aid_stage(
        stage=business.add_aid_stage(
            kube=kube, planned_on=dt.date(2027, 11, 1), condition="none", share=Decimal(50), by=users["officer"]
        ),
        paid_on=dt.date(2027, 11, 1),
        transfer_reference="SP2D-1",
        by=users["officer"],
    )

    due = monev.due_for(kube)

    assert (due.due_on, due.reason) == (dt.date(2027, 11, 1) + dt.timedelta(days=60), monev.AFTER_AID)
    assert not due.is_due(TODAY)


def test_after_a_monev_the_next_one_is_periodic(users, kube):
    _stages(kube, users["officer"])
    _monev(kube, users["officer"], visited_on=dt.date(2027, 12, 10))
    _pay(AidStage.objects.get(kube=kube, number=2), users["officer"])

    due = monev.due_for(kube)

    # Stage 2 was paid on 14 December, after the monev: due 60 days later, before the periodic one in June.
    assert (due.due_on, due.reason) == (dt.date(2028, 2, 12), monev.AFTER_AID)


def test_the_periodic_monev_counts_from_the_last_one():
    due = monev.next_due(
        today=TODAY, rules=Rules(), last_monev=dt.date(2027, 8, 31), paid=[dt.date(2027, 7, 1)], holding=()
    )

    assert (due.due_on, due.reason) == (dt.date(2028, 2, 29), monev.PERIODIC)


def test_a_group_holding_an_aid_stage_is_due_now(users, kube):
    _stages(kube, users["officer"], first_paid_on=dt.date(2027, 12, 1))

    due = monev.due_for(kube)

    assert (due.due_on, due.reason, due.holds_stage) == (dt.date(2027, 12, 1), monev.AID_STAGE, 2)
    assert due.is_due(TODAY)


def test_the_regencys_rules_set_the_cadence(users, kube, regions):
    RuleSet.objects.create(
        region=regions["regency"],
        effective_from=dt.date(2027, 1, 1),
        rules={"monev_after_aid_days": 30},
        note="Lebih cepat",
        created_by=users["admin"],
    )
    business.pay_aid_stage(
        stage=business.add_aid_stage(
            kube=kube, planned_on=dt.date(2027, 11, 1), condition="none", share=Decimal(50), by=users["officer"]
        ),
        paid_on=dt.date(2027, 11, 1),
        transfer_reference="SP2D-1",
        by=users["officer"],
    )

    assert monev.due_for(kube).due_on == dt.date(2027, 12, 1)


def test_the_due_list_puts_overdue_groups_first_and_filters_by_kecamatan(users, regions):
    officer = users["officer"]
    late = kube_with_members(1, village=regions["village_a"], name="KUBE Lama")
    soon = kube_with_members(1, village=regions["village_c"], name="KUBE Baru")
    never = kube_with_members(1, village=regions["village_a"], name="KUBE Belum")
    for kube, paid_on in ((late, dt.date(2027, 8, 1)), (soon, dt.date(2027, 12, 1))):
        stage = business.add_aid_stage(kube=kube, planned_on=paid_on, condition="none", share=Decimal(50), by=officer)
        business.pay_aid_stage(stage=stage, paid_on=paid_on, transfer_reference="SP2D", by=officer)

    rows = monev.monev_due(user=officer, today=TODAY)
    in_tanah_grogot = monev.monev_due(user=officer, today=TODAY, kecamatan="64.01.04")

    assert [row.kube for row in rows] == [late, soon, never]
    assert [row.kube for row in in_tanah_grogot] == [late, never]


def test_my_tasks_count_the_groups_holding_aid_and_those_due(users, kube, regions):
    officer = users["officer"]
    _stages(kube, officer)
    due = kube_with_members(1, village=regions["village_c"])
    stage = business.add_aid_stage(
        kube=due, planned_on=dt.date(2027, 8, 1), condition="none", share=Decimal(50), by=officer
    )
    business.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 8, 1), transfer_reference="SP2D", by=officer)

    lines = {w.kind: w for w in run_plan(officer, lambda tally: monev.plan_monev_waiting(officer, tally, today=TODAY))}

    assert (lines["monitoring.monev_aid"].count, lines["monitoring.monev_aid"].urgent) == (1, True)
    assert lines["monitoring.monev_due"].count == 1
    assert lines["monitoring.monev_aid"].text == "1 group waits for a monev before its next aid stage"


def test_my_tasks_count_as_the_due_list_does(users, regions):
    """The tally's SQL and the due list's Python agree, a regency's own cadence included."""
    officer = users["officer"]
    RuleSet.objects.create(
        region=regions["regency"],
        effective_from=dt.date(2027, 1, 1),
        rules={"monev_after_aid_days": 200, "monev_every_months": 3},
        note="Jarang",
        created_by=users["admin"],
    )
    for number, paid_on in enumerate([dt.date(2027, 5, 1), dt.date(2027, 6, 1), dt.date(2027, 9, 15)]):
        kube = kube_with_members(1, village=regions["village_a"], name=f"KUBE {number}")
        stage = business.add_aid_stage(kube=kube, planned_on=paid_on, condition="none", share=Decimal(50), by=officer)
        business.pay_aid_stage(stage=stage, paid_on=paid_on, transfer_reference="SP2D", by=officer)
        if number == 1:
            _monev(kube, officer, visited_on=dt.date(2027, 9, 20), verdict=GUIDANCE)

    listed = sum(1 for row in monev.monev_due(user=officer, today=TODAY) if row.due.is_due(TODAY))
    counted = monev.kubes_due(officer, today=TODAY).count()

    assert listed == counted == 2


def test_only_the_dinas_who_make_monevs_see_the_due_list(client, users):
    client.force_login(users["desa_a"])

    assert client.get(reverse("monitoring:monev-due")).status_code == 403


def test_the_due_list_takes_a_bounded_number_of_queries(client, users, regions, django_assert_max_num_queries):
    for number in range(6):
        kube_with_members(1, village=regions["village_a"], name=f"KUBE {number}")
    client.force_login(users["officer"])

    with django_assert_max_num_queries(15):
        response = client.get(reverse("monitoring:monev-due"))

    assert response.status_code == 200


# Recording a monev -----------------------------------------------------------------------------------------------


def test_a_monev_is_recorded_from_the_form_with_its_checklist(client, users, kube):
    client.force_login(users["officer"])

    response = client.post(
        reverse("monitoring:monev-create", args=[kube.pk]),
        {
            "kind": "periodic",
            "visited_on": "2027-12-10",
            "q_u_running": "yes",
            "q_k_meetings": "no",
            "findings": "Penjualan turun karena hujan.",
            "verdict": "guidance",
        },
    )

    recorded = MonevVisit.objects.get()
    assert response.url == recorded.get_absolute_url()
    assert (recorded.answers, recorded.verdict, recorded.by) == (
        {"u_running": True, "k_meetings": False},
        "guidance",
        users["officer"],
    )


def test_findings_are_required(client, users, kube):
    client.force_login(users["officer"])

    response = client.post(
        reverse("monitoring:monev-create", args=[kube.pk]),
        {"kind": "periodic", "visited_on": "2027-12-10", "verdict": "continue"},
    )

    assert "findings" in response.context["form"].errors
    assert not MonevVisit.objects.exists()


def test_a_monev_in_the_future_is_refused(users, kube):
    with pytest.raises(monev.MonevError, match="future"):
        _monev(kube, users["officer"], visited_on=dt.date(2027, 12, 16))


def test_a_monev_sent_twice_is_stored_once(users, kube):
    key = "6b1f7c1e-0f6e-4a55-9b1e-3c1f8c2d9a10"

    first = _monev(kube, users["officer"], client_key=key)
    again = _monev(kube, users["officer"], client_key=key)

    assert first == again
    assert MonevVisit.objects.count() == 1


def test_photos_are_stored_with_their_position_and_served_only_in_scope(client, users, kube):
    recorded = _monev(kube, users["officer"], photos=[jpeg(gps=(-1.9, 116.2)), jpeg()])
    photo = recorded.photos.first()
    assert isinstance(photo, MonevPhoto)
    url = photo.get_absolute_url()

    answers = {}
    for who in ("facilitator", "desa_a", "desa_b", "other_facilitator"):
        client.force_login(users[who])
        response = client.get(url)
        answers[who] = response.status_code
        if response.streaming:
            # Read to the end: the test client then closes the file. Calling close() by hand would also fire
            # request_finished, whose handler closes PostgreSQL's connection in the middle of the test.
            b"".join(response.streaming_content)

    assert recorded.photos.count() == 2
    assert (recorded.latitude, recorded.longitude) == (Decimal("-1.900000"), Decimal("116.200000"))
    assert answers == {"facilitator": 200, "desa_a": 200, "desa_b": 404, "other_facilitator": 404}


def test_the_monev_page_shows_the_checklist_and_the_map_link(client, users, kube):
    recorded = _monev(kube, users["officer"], latitude=Decimal("-1.9"), longitude=Decimal("116.2"))
    client.force_login(users["camat"])

    page = client.get(recorded.get_absolute_url()).content.decode()

    assert 'data-code="u_running"' in page
    assert "openstreetmap.org/?mlat=-1.900000&amp;mlon=116.200000" in page


def test_the_groups_monev_history_lists_its_monevs(client, users, kube):
    recorded = _monev(kube, users["officer"])
    client.force_login(users["facilitator"])

    page = client.get(reverse("monitoring:monev-list", args=[kube.pk])).content.decode()

    assert f'data-monev="{recorded.pk}"' in page


def test_the_group_page_offers_a_monev_to_the_dinas(client, users, kube):
    url = reverse("monitoring:monev-create", args=[kube.pk])
    shown = {}
    for who in ("officer", "facilitator"):
        client.force_login(users[who])
        shown[who] = url in client.get(kube.get_absolute_url()).content.decode()

    assert shown == {"officer": True, "facilitator": False}


def _post_monev(client: Any, kube: Kube, **extra: str) -> Any:
    data = {"kind": "periodic", "visited_on": "2027-12-10", "findings": "Usaha berjalan.", "verdict": "continue"}
    return client.post(reverse("monitoring:monev-create", args=[kube.pk]), {**data, **extra})


def test_the_bina_lingkungan_section_is_stored_with_the_monev(client, users, kube):
    client.force_login(users["officer"])

    _post_monev(client, kube, **{"env-practice_waste": "on", "env-neighbours_employed": "2", "env-neighbour_days": "6"})

    recorded = MonevVisit.objects.select_related("environment").get()
    assert recorded.environment is not None
    assert (recorded.environment.kube, recorded.environment.recorded_on) == (kube, dt.date(2027, 12, 10))
    assert (recorded.environment.practices["waste"], recorded.environment.neighbours_employed) == (True, 2)


def test_a_blank_bina_lingkungan_section_records_nothing(client, users, kube):
    client.force_login(users["officer"])

    _post_monev(client, kube)

    assert MonevVisit.objects.get().environment is None
    assert not EnvironmentRecord.objects.exists()


def test_a_refused_bina_lingkungan_section_stores_no_monev(client, users, kube):
    client.force_login(users["officer"])

    response = _post_monev(client, kube, **{"env-neighbour_days": "6"})  # days of work, but no neighbour employed

    assert "no neighbour employed" in str(response.context["form"].non_field_errors())
    assert not MonevVisit.objects.exists()
