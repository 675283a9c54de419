"""The API's writes of the field records: the page's form and service, the caller's scope and role, the client key.

Each write is posted as its page posts it (multipart), by a token (another tool) or by the signed-in browser (the
phone's outbox, berdaya/static/berdaya/outbox.js).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from berdaya.accounts.models import AccessToken, User
from berdaya.accounts.services import create_token
from berdaya.business.models import CashEntry
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.models import EnvironmentRecord, Meeting, MonthlyReport, Problem, Visit
from berdaya.mentoring.tests.factories import ProblemFactory, jpeg
from berdaya.monitoring.models import MonevVisit

pytestmark = pytest.mark.django_db

DAY = "2027-08-01"
PROBLEM = {
    "reported_on": DAY,
    "origin": "internal",
    "category": "bookkeeping",
    "severity": "2",
    "description": "Kas tidak cocok",
}
CASH = {
    "entry_date": DAY,
    "kind": "income",
    "category": "sales",
    "amount": "150000",
    "description": "Jual keripik",
    "product": "Keripik",
    "channel": "local_market",
}
MONEV = {"kind": "periodic", "visited_on": DAY, "findings": "Usaha berjalan.", "verdict": "continue"}


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()


@pytest.fixture(autouse=True)
def _today(settings, tmp_path):
    """On 2 August 2027 (after the factories' cycle was decided), with the photos in a passing media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2027, 8, 2, 10, 0, tzinfo=ZoneInfo("Asia/Makassar")), tick=False):
        yield


@pytest.fixture
def kube(users, regions):
    return KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)


def token(user: User, *, read_only: bool = False) -> str:
    expires = timezone.localdate() + dt.timedelta(days=30)
    return create_token(by=user, owner=user, name="aplikasi", expires_on=expires, read_only=read_only).secret


def post(path: str, secret: str, data: dict[str, object], **headers: str):
    return Client(enforce_csrf_checks=True).post(path, data, headers={"Authorization": f"Bearer {secret}", **headers})


def visits(kube: Kube) -> str:
    return f"/api/v1/mentoring/kubes/{kube.pk}/visits"


# Created ------------------------------------------------------------------------------------------------------------


def test_a_visit_with_members_and_a_photo_is_created_with_its_page(users, kube):
    member = MembershipFactory(kube=kube)

    response = post(
        visits(kube),
        token(users["facilitator"]),
        {"visited_on": DAY, "purpose": "Monitoring", "attendees": [member.pk], "photo": jpeg()},
    )

    visit = Visit.objects.get()
    assert response.status_code == 201
    assert (response.json()["id"], response.json()["url"]) == (visit.pk, visit.get_absolute_url())
    assert (list(visit.attendees.all()), visit.photos.count(), visit.by) == ([member], 1, users["facilitator"])


def test_a_visit_with_its_bina_lingkungan_section_stores_the_record_with_it(users, kube):
    data = {"visited_on": DAY, "purpose": "Monitoring", "env-practice_waste": "on", "env-neighbours_employed": "3"}

    post(visits(kube), token(users["facilitator"]), data)

    assert EnvironmentRecord.objects.get().visit == Visit.objects.get()


@pytest.mark.parametrize(
    ("path", "data", "model"),
    [
        ("meetings", {"held_on": DAY, "agenda": "Rapat anggota"}, Meeting),
        ("problems", PROBLEM, Problem),
        ("environment", {"recorded_on": DAY, "practice_water": "on", "complaints": "Asap"}, EnvironmentRecord),
    ],
)
def test_a_meeting_problem_or_bina_lingkungan_record_is_created(users, kube, path, data, model):
    response = post(f"/api/v1/mentoring/kubes/{kube.pk}/{path}", token(users["facilitator"]), data)

    assert response.status_code == 201
    assert response.json()["id"] == model.objects.get(kube=kube).pk


def test_a_cash_entry_is_created(users, kube):
    response = post(f"/api/v1/business/kubes/{kube.pk}/cash-entries", token(users["facilitator"]), CASH)

    assert response.status_code == 201
    entry = CashEntry.objects.get(kube=kube, category="sales")
    assert (response.json()["id"], entry.amount) == (entry.pk, 150_000)


def test_a_monev_is_created_by_the_dinas(users, kube):
    response = post(f"/api/v1/monitoring/kubes/{kube.pk}/monev", token(users["officer"]), MONEV)

    assert response.status_code == 201
    assert response.json()["url"] == MonevVisit.objects.get().get_absolute_url()


# Refused ------------------------------------------------------------------------------------------------------------


def test_an_invalid_form_is_a_422_naming_each_field_in_the_callers_language(users, kube):
    response = post(visits(kube), token(users["facilitator"]), {"visited_on": "kemarin"}, **{"Accept-Language": "en"})

    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "Some values are not valid: see the fields.",
        "fields": {"visited_on": ["Enter a valid date."], "purpose": ["This field is required."]},
    }
    assert not Visit.objects.exists()


def test_the_field_messages_are_the_pages_in_indonesian_by_default(users, kube):
    response = post(visits(kube), token(users["facilitator"]), {"visited_on": DAY})

    assert response.json()["fields"] == {"purpose": ["Bidang ini tidak boleh kosong."]}


def test_a_refused_bina_lingkungan_section_names_its_prefixed_field(users, kube):
    data = {"visited_on": DAY, "purpose": "Monitoring", "env-neighbour_days": "-1"}

    response = post(visits(kube), token(users["facilitator"]), data, **{"Accept-Language": "en"})

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "__all__": ["Check the bina lingkungan section."],
        "env-neighbour_days": ["Ensure this value is greater than or equal to 0."],
    }
    assert not Visit.objects.exists()


def test_the_services_refusal_is_a_400_with_the_pages_message(users, kube):
    data = {"visited_on": "2999-01-01", "purpose": "Monitoring"}

    response = post(visits(kube), token(users["facilitator"]), data, **{"Accept-Language": "en"})

    assert response.status_code == 400
    assert response.json() == {"code": "refused", "message": "The visit date cannot be in the future.", "fields": {}}


def test_a_monev_refused_for_its_section_stores_nothing(users, kube):
    data = {**MONEV, "env-neighbour_days": "6"}  # days of work, but no neighbour employed

    response = post(f"/api/v1/monitoring/kubes/{kube.pk}/monev", token(users["officer"]), data)

    assert response.status_code == 400
    assert not MonevVisit.objects.exists()


WRITES = [
    ("mentoring", "visits", {"visited_on": DAY, "purpose": "Monitoring"}),
    ("mentoring", "meetings", {"held_on": DAY, "agenda": "Rapat"}),
    ("mentoring", "problems", PROBLEM),
    ("mentoring", "environment", {"recorded_on": DAY, "complaints": "Asap"}),
    ("business", "cash-entries", CASH),
]


@pytest.mark.parametrize(("app", "path", "data"), WRITES, ids=[path for _app, path, _data in WRITES])
def test_a_group_outside_the_scope_is_a_404(users, regions, app, path, data):
    elsewhere = KubeFactory(
        village=regions["village_a"], facilitator=users["other_facilitator"], status=Kube.Status.ACTIVE
    )

    response = post(f"/api/v1/{app}/kubes/{elsewhere.pk}/{path}", token(users["facilitator"]), data)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("app", "path", "data"), WRITES, ids=[path for _app, path, _data in WRITES])
def test_a_role_that_may_not_write_is_a_403(users, kube, app, path, data):
    response = post(f"/api/v1/{app}/kubes/{kube.pk}/{path}", token(users["monitor"]), data)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(("app", "path", "data"), WRITES, ids=[path for _app, path, _data in WRITES])
def test_a_read_only_token_cannot_write(users, kube, app, path, data):
    response = post(f"/api/v1/{app}/kubes/{kube.pk}/{path}", token(users["facilitator"], read_only=True), data)

    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"


def test_a_dinas_monev_is_refused_to_a_facilitator(users, kube):
    response = post(f"/api/v1/monitoring/kubes/{kube.pk}/monev", token(users["facilitator"]), MONEV)

    assert response.status_code == 403


# Sent once ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data", "model"),
    [
        ("visits", {"visited_on": DAY, "purpose": "Monitoring", "env-complaints": "Asap"}, Visit),
        ("meetings", {"held_on": DAY, "agenda": "Rapat anggota"}, Meeting),
        ("problems", PROBLEM, Problem),
        ("environment", {"recorded_on": DAY, "complaints": "Asap"}, EnvironmentRecord),
    ],
)
def test_the_same_client_key_twice_stores_once_and_answers_the_first_record(users, kube, path, data, model):
    secret, key = token(users["facilitator"]), str(uuid.uuid4())

    answers = [post(f"/api/v1/mentoring/kubes/{kube.pk}/{path}", secret, {**data, "client_key": key}) for _ in "12"]

    stored = model.objects.get()
    assert [answer.status_code for answer in answers] == [201, 201]
    assert {answer.json()["id"] for answer in answers} == {stored.pk}


def test_a_visit_sent_twice_stores_one_bina_lingkungan_record(users, kube):
    secret, key = token(users["facilitator"]), str(uuid.uuid4())
    data = {"visited_on": DAY, "purpose": "Monitoring", "env-practice_water": "on", "client_key": key}

    for _ in range(2):
        post(visits(kube), secret, data)

    assert (Visit.objects.count(), EnvironmentRecord.objects.count()) == (1, 1)


def test_a_monev_sent_twice_is_stored_once(users, kube):
    secret, key = token(users["officer"]), str(uuid.uuid4())

    answers = [post(f"/api/v1/monitoring/kubes/{kube.pk}/monev", secret, {**MONEV, "client_key": key}) for _ in "12"]

    assert {answer.json()["id"] for answer in answers} == {MonevVisit.objects.get().pk}


def test_a_key_another_user_sent_is_refused(users, kube):
    key = str(uuid.uuid4())
    post(visits(kube), token(users["facilitator"]), {"visited_on": DAY, "purpose": "A", "client_key": key})
    Kube.objects.filter(pk=kube.pk).update(facilitator=users["other_facilitator"])  # the group changed hands

    response = post(
        visits(kube), token(users["other_facilitator"]), {"visited_on": DAY, "purpose": "B", "client_key": key}
    )

    assert response.status_code == 400
    assert Visit.objects.get().purpose == "A"


# Audit and the browser ----------------------------------------------------------------------------------------------


def test_the_history_names_the_token(users, kube):
    secret = token(users["facilitator"])

    post(visits(kube), secret, {"visited_on": DAY, "purpose": "Monitoring"})

    row = Visit.history.get()
    assert (row.history_user, row.history_change_reason) == (
        users["facilitator"],
        f"via API token {AccessToken.objects.get().prefix}",
    )


def test_the_browser_writes_with_its_session_and_csrf_token(users, kube):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(users["facilitator"])
    page = browser.get(f"/mentoring/groups/{kube.pk}/visits/new/")
    csrf = page.cookies["csrftoken"].value

    refused = browser.post(visits(kube), {"visited_on": DAY, "purpose": "Monitoring"})
    stored = browser.post(visits(kube), {"visited_on": DAY, "purpose": "Monitoring"}, headers={"X-CSRFToken": csrf})

    assert (refused.status_code, stored.status_code) == (403, 201)
    assert Visit.objects.get().history.get().history_change_reason in (None, "")


def test_the_outbox_sending_a_form_at_once_leaves_the_pages_recorded_message(users, kube):
    browser = Client()
    browser.force_login(users["facilitator"])

    browser.post(visits(kube), {"visited_on": DAY, "purpose": "Monitoring"}, headers={"X-Berdaya-Direct": "1"})
    page = browser.get(Visit.objects.get().get_absolute_url())

    assert "Kunjungan telah dicatat." in page.content.decode()


def test_the_visit_form_names_its_api_endpoint_for_the_outbox(users, kube):
    browser = Client()
    browser.force_login(users["facilitator"])

    page = browser.get(f"/mentoring/groups/{kube.pk}/visits/new/").content.decode()

    assert f'data-api="{visits(kube)}"' in page


def test_the_page_no_longer_answers_json(users, kube):
    browser = Client()
    browser.force_login(users["facilitator"])

    response = browser.post(
        f"/mentoring/groups/{kube.pk}/visits/new/",
        {"visited_on": DAY, "purpose": "Monitoring"},
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 302


# State actions ------------------------------------------------------------------------------------------------------


def act(path: str, secret: str, body: object, **headers: str):
    return Client(enforce_csrf_checks=True).post(
        path,
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}", **headers},
    )


@pytest.fixture
def problem(users, kube):
    return ProblemFactory(kube=kube, by=users["facilitator"])


def test_the_facilitator_escalates_a_problem_with_a_note(users, problem):
    response = act(f"/api/v1/mentoring/problems/{problem.pk}/escalate", token(users["facilitator"]), {"note": "Bantu"})

    problem.refresh_from_db()
    assert response.status_code == 200
    assert (response.json()["escalation_note"], problem.escalation_note) == ("Bantu", "Bantu")


def test_an_action_the_page_would_not_offer_the_role_is_a_403(users, problem):
    response = act(f"/api/v1/mentoring/problems/{problem.pk}/escalate", token(users["officer"]), {"note": "Bantu"})

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_an_action_on_a_resolved_problem_is_refused(users, problem):
    secret = token(users["facilitator"])
    act(f"/api/v1/mentoring/problems/{problem.pk}/resolve", secret, {"resolved_on": DAY, "steps": "Dibukukan"})

    again = act(f"/api/v1/mentoring/problems/{problem.pk}/resolve", secret, {"resolved_on": DAY})

    problem.refresh_from_db()
    assert problem.resolved_on == dt.date(2027, 8, 1)
    assert (again.status_code, again.json()["code"]) == (403, "not_allowed")


def test_an_action_with_an_invalid_field_is_a_422(users, problem):
    response = act(
        f"/api/v1/mentoring/problems/{problem.pk}/resolve",
        token(users["facilitator"]),
        {"resolved_on": "besok"},
        **{"Accept-Language": "en"},
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"resolved_on": ["Enter a valid date."]}


@pytest.mark.parametrize("body", [[1, 2], "teks", 3])
def test_an_action_body_that_is_not_a_json_object_is_a_422(users, problem, body):
    response = act(f"/api/v1/mentoring/problems/{problem.pk}/escalate", token(users["facilitator"]), body)

    assert response.status_code == 422


def test_an_action_on_a_problem_outside_the_scope_is_a_404(users, problem):
    response = act(
        f"/api/v1/mentoring/problems/{problem.pk}/escalate", token(users["other_facilitator"]), {"note": "x"}
    )

    assert response.status_code == 404


def test_an_action_by_a_read_only_token_is_a_403(users, problem):
    secret = token(users["facilitator"], read_only=True)

    response = act(f"/api/v1/mentoring/problems/{problem.pk}/escalate", secret, {"note": "x"})

    assert response.json()["code"] == "token_read_only"


def test_a_monthly_report_is_submitted_then_returned_with_a_note(users):
    report = MonthlyReport.objects.create(
        facilitator=users["facilitator"], month=dt.date(2027, 7, 1), narrative="Baik", next_plan="Lanjut"
    )

    submitted = act(f"/api/v1/mentoring/reports/{report.pk}/submit", token(users["facilitator"]), {})
    without_note = act(f"/api/v1/mentoring/reports/{report.pk}/return", token(users["officer"]), {})
    returned = act(f"/api/v1/mentoring/reports/{report.pk}/return", token(users["officer"]), {"note": "Tambah foto"})

    assert (submitted.status_code, submitted.json()["status"]) == (200, MonthlyReport.Status.SUBMITTED)
    assert (without_note.status_code, without_note.json()["code"]) == (400, "refused")
    assert (returned.status_code, returned.json()["status"]) == (200, MonthlyReport.Status.RETURNED)


def test_a_facilitator_may_not_review_a_report(users):
    report = MonthlyReport.objects.create(facilitator=users["facilitator"], month=dt.date(2027, 7, 1))

    response = act(f"/api/v1/mentoring/reports/{report.pk}/acknowledge", token(users["facilitator"]), {})

    assert response.status_code == 403


def test_a_cash_entry_sent_twice_with_its_key_is_written_once(users, kube):
    secret, key = token(users["facilitator"]), str(uuid.uuid4())
    path = f"/api/v1/business/kubes/{kube.pk}/cash-entries"

    answers = [post(path, secret, {**CASH, "client_key": key}) for _ in range(2)]

    entry = CashEntry.objects.get(client_key=key)
    assert [answer.status_code for answer in answers] == [201, 201]
    assert {answer.json()["id"] for answer in answers} == {entry.pk}
    assert CashEntry.objects.filter(kube=kube, category="sales").count() == 1
