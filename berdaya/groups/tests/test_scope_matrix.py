"""Who sees which page and download of groups, mentoring and training: a facilitator its own groups, a village
operator its village's groups (read-only), the Dinas everything in the regency; everyone else a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from berdaya.groups.models import Kube
from berdaya.mentoring.models import FollowUp, Meeting, MonthlyReport, VisitPhoto
from berdaya.mentoring.tests.factories import ProblemFactory, VisitFactory, jpeg
from berdaya.training.models import Participant, Training

from .factories import KubeFactory, MembershipFactory

pytestmark = pytest.mark.django_db

EVERYONE = [
    "admin",
    "officer",
    "monitor",
    "camat",
    "camat_c",
    "desa_a",
    "desa_b",
    "desa_c",
    "facilitator",
    "other_facilitator",
    "no_region",
]
# Who sees a record of a group in Tanah Periuk (64.01.04.2004) mentored by "facilitator".
SEES_GROUP = {"admin", "officer", "monitor", "camat", "desa_a", "facilitator"}


@pytest.fixture
def world(users, regions):
    kube = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    member = MembershipFactory(kube=kube)
    visit = VisitFactory(kube=kube, by=users["facilitator"])
    photo = VisitPhoto(visit=visit)
    photo.image.save("foto.jpg", jpeg(size=(40, 30)), save=True)
    follow_up = FollowUp.objects.create(visit=visit, action="Isi buku kas", due_on=dt.date(2027, 8, 10))
    meeting = Meeting.objects.create(kube=kube, held_on=dt.date(2027, 7, 5), agenda="Rapat", by=users["facilitator"])
    problem = ProblemFactory(kube=kube, by=users["facilitator"])
    training = Training.objects.create(
        title="Pembukuan",
        kind="bookkeeping",
        starts_on=dt.date(2027, 7, 1),
        ends_on=dt.date(2027, 7, 2),
        trainer="Dinas",
        place="Aula",
        region=regions["kec_a"],
        created_by=users["admin"],
    )
    Participant.objects.create(training=training, membership=member)
    report = MonthlyReport.objects.create(facilitator=users["facilitator"], month=dt.date(2027, 7, 1))
    return {
        "kube": kube,
        "member": member,
        "visit": visit,
        "photo": photo,
        "follow_up": follow_up,
        "meeting": meeting,
        "problem": problem,
        "training": training,
        "report": report,
    }


GROUP_PAGES = [
    ("groups:kube-detail", "kube"),
    ("groups:kube-minutes-pdf", "kube"),
    ("groups:kube-members-pdf", "kube"),
    ("groups:membership-detail", "member"),
    ("mentoring:kube-timeline", "kube"),
    ("mentoring:visit-detail", "visit"),
    ("mentoring:photo", "photo"),
    ("mentoring:meeting-detail", "meeting"),
    ("mentoring:problem-detail", "problem"),
    ("training:member-history", "member"),
]


@pytest.mark.parametrize("username", EVERYONE)
def test_a_groups_pages_are_seen_only_inside_its_scope(client, users, world, username):
    client.force_login(users[username])
    expected = 200 if username in SEES_GROUP else 404

    statuses = {}
    for url_name, key in GROUP_PAGES:
        response = client.get(reverse(url_name, args=[world[key].pk]))
        if response.streaming:
            # Reading a download to the end closes its file the way Django's test client means it to; calling
            # close() directly would fire request_finished and close the database connection mid-test.
            b"".join(response.streaming_content)
        statuses[url_name] = response.status_code

    assert statuses == dict.fromkeys(statuses, expected)


@pytest.mark.parametrize("username", EVERYONE)
def test_a_training_is_seen_by_its_kecamatan_and_its_participants_scope(client, users, world, username):
    client.force_login(users[username])

    response = client.get(world["training"].get_absolute_url())

    assert response.status_code == (200 if username in SEES_GROUP else 404)


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 200),
        ("officer", 200),
        ("monitor", 200),
        ("facilitator", 200),
        ("other_facilitator", 404),
        ("camat", 403),
        ("desa_a", 403),
        ("no_region", 404),
    ],
)
@pytest.mark.parametrize("url_name", ["mentoring:report-detail", "mentoring:report-pdf"])
def test_a_monthly_report_is_seen_by_its_facilitator_and_the_dinas(client, users, world, url_name, username, status):
    client.force_login(users[username])

    assert client.get(reverse(url_name, args=[world["report"].pk])).status_code == status


@pytest.mark.parametrize("username", EVERYONE)
def test_lists_show_only_the_groups_in_scope(client, users, world, username):
    client.force_login(users[username])
    markers = {
        "groups:kube-list": f'data-kube="{world["kube"].pk}"',
        "mentoring:caseload": f'data-kube="{world["kube"].pk}"',
        "mentoring:problem-list": f'data-problem="{world["problem"].pk}"',
        "training:training-list": f'data-training="{world["training"].pk}"',
    }

    shown = {}
    for url_name, marker in markers.items():
        response = client.get(reverse(url_name))
        assert response.status_code == 200
        shown[url_name] = marker in response.content.decode()

    assert shown == dict.fromkeys(markers, username in SEES_GROUP)


@pytest.mark.parametrize("username", ["desa_a", "camat", "monitor"])
def test_a_village_operator_reads_its_groups_but_cannot_change_them(client, users, world, username):
    client.force_login(users[username])
    kube = world["kube"]

    page = client.get(kube.get_absolute_url()).content.decode()
    edit = client.get(reverse("groups:kube-edit", args=[kube.pk]))
    status = client.post(reverse("groups:kube-status", args=[kube.pk]), {"to": "inactive", "reason": "x"})
    visit = client.post(reverse("mentoring:visit-create", args=[kube.pk]), {"purpose": "x"})

    assert 'id="officers-form"' not in page
    assert (edit.status_code, status.status_code, visit.status_code) == (403, 403, 403)
    kube.refresh_from_db()
    assert kube.status == Kube.Status.ACTIVE


def test_another_facilitator_cannot_record_a_visit_to_a_group_not_theirs(client, users, world):
    client.force_login(users["other_facilitator"])

    response = client.post(
        reverse("mentoring:visit-create", args=[world["kube"].pk]), {"visited_on": "2027-08-01", "purpose": "x"}
    )

    assert response.status_code == 404
    assert world["kube"].visits.count() == 1


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 200),
        ("officer", 200),
        ("monitor", 200),
        ("facilitator", 200),
        ("other_facilitator", 404),
        ("camat", 403),
        ("desa_a", 403),
        ("no_region", 404),
    ],
)
def test_a_facilitators_profile_is_seen_by_the_dinas_and_themselves(client, users, username, status):
    client.force_login(users[username])

    response = client.get(reverse("mentoring:facilitator-detail", args=[users["facilitator"].pk]))

    assert response.status_code == status


def test_a_signboard_that_is_not_a_photo_is_refused_and_the_profile_is_unchanged(client, users, world):
    client.force_login(users["officer"])
    client.cookies["django_language"] = "en"
    kube = world["kube"]
    fake = SimpleUploadedFile("papan.jpg", b"GIF89a but not really", content_type="image/jpeg")

    response = client.post(
        reverse("groups:kube-edit", args=[kube.pk]),
        {"name": "Nama baru", "sector": "trade", "signboard": fake},
    )

    assert "is not a photo" in " ".join(response.context["form"].non_field_errors())
    stored = Kube.objects.get(pk=kube.pk)
    assert (stored.name, bool(stored.signboard_photo)) == (kube.name, False)
