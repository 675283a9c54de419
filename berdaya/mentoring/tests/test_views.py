"""The mentoring pages: bad input gets a clear message and stores nothing; lists keep their query count flat."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.models import MonthlyReport, Visit

from .factories import ProblemFactory, VisitFactory, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def kube(users, regions):
    return KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)


def post_visit(client, kube, **data):
    return client.post(
        reverse("mentoring:visit-create", args=[kube.pk]), {"visited_on": "2027-08-01", "purpose": "Monitoring", **data}
    )


def error_text(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


def test_a_facilitator_records_a_visit_with_a_photo(client, users, kube):
    member = MembershipFactory(kube=kube)
    client.force_login(users["facilitator"])

    response = post_visit(client, kube, attendees=[member.pk], photo=jpeg())

    visit = Visit.objects.get()
    assert response.status_code == 302
    assert (list(visit.attendees.all()), visit.photos.count()) == ([member], 1)


def test_a_form_sent_twice_stores_one_visit_and_both_answers_lead_to_it(client, users, kube):
    client.force_login(users["facilitator"])
    key = str(uuid.uuid4())

    first = post_visit(client, kube, client_key=key)
    second = post_visit(client, kube, client_key=key)

    visit = Visit.objects.get()
    assert first["Location"] == second["Location"] == visit.get_absolute_url()


def test_the_visit_form_gives_each_showing_its_own_key(client, users, kube):
    client.force_login(users["facilitator"])
    url = reverse("mentoring:visit-create", args=[kube.pk])

    keys = {client.get(url).context["form"]["client_key"].value() for _ in range(2)}

    assert len(keys) == 2


def test_the_meeting_form_hides_its_key(client, users, kube):
    client.force_login(users["facilitator"])

    page = client.get(reverse("mentoring:meeting-create", args=[kube.pk])).content.decode()

    assert '<input type="hidden" name="client_key"' in page
    assert "Client key" not in page and "client_key</label>" not in page


def test_one_visit_takes_several_photos(client, users, kube):
    client.force_login(users["facilitator"])

    post_visit(client, kube, photo=[jpeg(), jpeg()])

    assert Visit.objects.get().photos.count() == 2


def test_more_than_five_photos_in_one_visit_are_refused(client, users, kube):
    client.force_login(users["facilitator"])

    client.cookies["django_language"] = "en"
    response = post_visit(client, kube, photo=[jpeg() for _ in range(6)])

    assert "At most 5 photos per visit." in response.context["form"].errors["photo"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"photo": SimpleUploadedFile("foto.jpg", b"not an image", content_type="image/jpeg")}, "is not a photo"),
        ({"visited_on": "2027-08-03"}, "cannot be in the future"),
    ],
)
def test_bad_visits_are_refused_with_a_message_and_nothing_is_stored(client, users, kube, data, message):
    client.force_login(users["facilitator"])

    client.cookies["django_language"] = "en"  # the UI is Indonesian unless the user picks English
    response = post_visit(client, kube, **data)

    assert response.status_code == 200
    assert message in error_text(response)
    assert not Visit.objects.exists()


def test_a_30_mb_photo_is_refused_with_a_message(client, users, kube):
    client.force_login(users["facilitator"])
    huge = SimpleUploadedFile("besar.jpg", jpeg().read() + b"\0" * (30 * 1024 * 1024), content_type="image/jpeg")

    client.cookies["django_language"] = "en"  # the UI is Indonesian unless the user picks English
    response = post_visit(client, kube, photo=huge)

    assert "the limit is 10.0 MB" in error_text(response)
    assert not Visit.objects.exists()


def test_the_caseload_puts_the_group_needing_attention_first(client, users, regions):
    fine = KubeFactory(name="A baik", village=regions["village_a"], facilitator=users["facilitator"], status="active")
    late = KubeFactory(name="B lama", village=regions["village_a"], facilitator=users["facilitator"], status="active")
    VisitFactory(kube=fine, visited_on=dt.date(2027, 7, 30))
    VisitFactory(kube=late, visited_on=dt.date(2027, 5, 1))
    ProblemFactory(kube=late)
    MonthlyReport.objects.create(facilitator=users["facilitator"], month=dt.date(2027, 7, 1), status="submitted")
    client.force_login(users["facilitator"])

    rows = client.get(reverse("mentoring:caseload")).context["rows"]

    assert [row.kube for row in rows] == [late, fine]
    assert (rows[0].days_since_visit, rows[0].open_problems, rows[1].reasons) == (93, 1, [])


@pytest.mark.parametrize("url_name", ["mentoring:caseload", "mentoring:problem-list", "groups:kube-list"])
def test_list_pages_keep_a_flat_query_count(client, users, regions, url_name, django_assert_max_num_queries):
    for _ in range(8):
        kube = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status="active")
        MembershipFactory(kube=kube)
        VisitFactory(kube=kube)
        ProblemFactory(kube=kube)
    client.force_login(users["officer"])

    with django_assert_max_num_queries(12):
        response = client.get(reverse(url_name))

    assert response.status_code == 200


def test_a_monthly_report_is_drafted_submitted_and_returned(client, users, kube):
    VisitFactory(kube=kube, visited_on=dt.date(2027, 7, 20))
    client.force_login(users["facilitator"])
    client.post(reverse("mentoring:report-draft"), {"month": "2027-07"})
    report = MonthlyReport.objects.get()
    client.post(report.get_absolute_url(), {"narrative": "Baik", "next_plan": "Lanjut", "submit": "1"})
    client.force_login(users["officer"])

    client.post(reverse("mentoring:report-return", args=[report.pk]), {"note": "Tambahkan foto"})

    report.refresh_from_db()
    assert (report.status, report.summary["groups"][0]["visits"], report.review_note) == (
        "returned",
        1,
        "Tambahkan foto",
    )
