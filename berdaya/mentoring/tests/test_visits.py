"""Recording visits, meetings and problems: dates, attendance, photos, and bad input that stores nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.lib.images import PhotoError
from berdaya.mentoring.models import FollowUp, Meeting, Problem, Visit, VisitPhoto
from berdaya.mentoring.selectors import problem_register
from berdaya.mentoring.services import (
    MentoringError,
    escalate_problem,
    record_meeting,
    record_visit,
    report_problem,
    resolve_problem,
)

from .factories import ProblemFactory, jpeg

pytestmark = pytest.mark.django_db


def visit(kube, **kwargs):
    defaults = {"visited_on": dt.date(2027, 8, 1), "purpose": "Monitoring usaha", "by": UserFactory()}
    return record_visit(kube=kube, **(defaults | kwargs))


def test_a_visit_keeps_attendance_photos_and_follow_ups():
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    present, _absent = MembershipFactory.create_batch(2, kube=kube)

    recorded = visit(kube, attendees=[present], photos=[jpeg()], follow_ups=[("Isi buku kas", dt.date(2027, 8, 15))])

    assert list(recorded.attendees.all()) == [present]
    assert FollowUp.objects.get(visit=recorded).due_on == dt.date(2027, 8, 15)
    with recorded.photos.get().image.open("rb") as stored, Image.open(stored) as image:
        assert max(image.size) == 1600


def test_the_photos_gps_position_becomes_the_visits_position():
    kube = KubeFactory(status=Kube.Status.ACTIVE)

    recorded = visit(kube, photos=[jpeg(gps=(-1.9089, 116.1978))])

    photo = recorded.photos.get()
    assert (photo.latitude, photo.longitude) == (Decimal("-1.908900"), Decimal("116.197800"))
    assert (recorded.latitude, recorded.longitude) == (photo.latitude, photo.longitude)


def test_a_visit_dated_in_the_future_is_refused():
    kube = KubeFactory(status=Kube.Status.ACTIVE)

    with pytest.raises(MentoringError, match="cannot be in the future"):
        visit(kube, visited_on=dt.date(2027, 8, 3))

    assert not Visit.objects.exists()


def test_a_photo_that_is_not_an_image_stores_nothing():
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    fake = SimpleUploadedFile("foto.jpg", b"this is a text file", content_type="image/jpeg")

    with pytest.raises(PhotoError, match="is not a photo"):
        visit(kube, photos=[jpeg(), fake])

    assert not Visit.objects.exists()
    assert not VisitPhoto.objects.exists()


def test_a_30_mb_photo_is_refused_before_anything_is_stored():
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    small = jpeg()
    huge = SimpleUploadedFile("besar.jpg", small.read() + b"\0" * (30 * 1024 * 1024), content_type="image/jpeg")

    with pytest.raises(PhotoError, match="the limit is 10.0 MB"):
        visit(kube, photos=[huge])

    assert not Visit.objects.exists()


def test_only_the_groups_members_can_attend():
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    outsider = MembershipFactory()

    with pytest.raises(MentoringError, match="Only members of"):
        visit(kube, attendees=[outsider])

    assert not Visit.objects.exists()


def test_a_dissolved_group_gets_no_visits():
    kube = KubeFactory(status=Kube.Status.DISSOLVED)

    with pytest.raises(MentoringError):
        visit(kube)


def test_a_meeting_in_the_future_is_refused():
    kube = KubeFactory(status=Kube.Status.ACTIVE)

    with pytest.raises(MentoringError, match="cannot be in the future"):
        record_meeting(kube=kube, held_on=dt.date(2027, 9, 1), agenda="Rapat", by=UserFactory())


def test_a_problem_is_logged_escalated_and_resolved():
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    by = UserFactory(role="facilitator")
    problem = report_problem(
        kube=kube,
        reported_on=dt.date(2027, 7, 1),
        origin=Problem.Origin.EXTERNAL,
        category=Problem.Category.MARKET,
        severity=Problem.Severity.HIGH,
        description="Pembeli berhenti membeli.",
        by=by,
    )

    escalate_problem(problem=problem, note="Perlu akses pasar", by=by)
    resolve_problem(problem=problem, resolved_on=dt.date(2027, 8, 1), steps="Dinas mencarikan pembeli", by=by)

    problem.refresh_from_db()
    assert (problem.escalated_on, problem.resolved_on, problem.age_days()) == (
        dt.date(2027, 8, 2),
        dt.date(2027, 8, 1),
        31,
    )


def test_a_problem_cannot_be_resolved_before_it_was_noticed():
    problem = ProblemFactory(reported_on=dt.date(2027, 7, 10))

    with pytest.raises(MentoringError, match="before it was noticed"):
        resolve_problem(problem=problem, resolved_on=dt.date(2027, 7, 1), steps="", by=UserFactory())


def test_the_register_lists_open_problems_before_resolved_ones(users, regions):
    kube = KubeFactory(village=regions["village_a"])
    solved = ProblemFactory(kube=kube, reported_on=dt.date(2027, 6, 1), resolved_on=dt.date(2027, 6, 5))
    still_open = ProblemFactory(kube=kube, reported_on=dt.date(2027, 7, 1))

    problems = list(problem_register(user=users["officer"], state="all"))

    assert problems == [still_open, solved]


def meeting(kube, **kwargs):
    defaults = {"held_on": dt.date(2027, 8, 1), "agenda": "Rapat anggota", "by": UserFactory()}
    return record_meeting(kube=kube, **(defaults | kwargs))


def problem(kube, **kwargs):
    defaults = {
        "reported_on": dt.date(2027, 8, 1),
        "origin": "internal",
        "category": "bookkeeping",
        "severity": 2,
        "description": "Kas tidak cocok",
        "by": UserFactory(),
    }
    return report_problem(kube=kube, **(defaults | kwargs))


FIELD_RECORDS = [pytest.param(visit, Visit, id="visit"), pytest.param(meeting, Meeting, id="meeting")]
FIELD_RECORDS.append(pytest.param(problem, Problem, id="problem"))


@pytest.mark.parametrize(("record", "model"), FIELD_RECORDS)
def test_a_report_sent_twice_is_stored_once(record, model):
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    facilitator, key = UserFactory(), uuid.uuid4()

    first = record(kube, by=facilitator, client_key=key)
    again = record(kube, by=facilitator, client_key=key)

    assert again.pk == first.pk
    assert model.objects.count() == 1


def test_a_visits_photos_are_stored_once_when_it_is_sent_twice():
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    facilitator, key = UserFactory(), uuid.uuid4()

    visit(kube, by=facilitator, client_key=key, photos=[jpeg()])
    visit(kube, by=facilitator, client_key=key, photos=[jpeg()])

    assert VisitPhoto.objects.count() == 1


@pytest.mark.parametrize(("record", "model"), FIELD_RECORDS)
def test_a_report_sent_again_after_the_group_closed_is_the_one_stored(record, model):
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    facilitator, key = UserFactory(), uuid.uuid4()
    first = record(kube, by=facilitator, client_key=key)
    Kube.objects.filter(pk=kube.pk).update(status=Kube.Status.DISSOLVED)
    kube.refresh_from_db()

    assert record(kube, by=facilitator, client_key=key).pk == first.pk


@pytest.mark.parametrize(("record", "model"), FIELD_RECORDS)
def test_another_users_report_key_is_refused(record, model):
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    key = uuid.uuid4()
    record(kube, client_key=key)

    with pytest.raises(MentoringError, match="already sent"):
        record(kube, client_key=key)

    assert model.objects.count() == 1


def test_reports_without_a_key_are_each_stored():
    kube = KubeFactory(status=Kube.Status.ACTIVE)

    visit(kube)
    visit(kube)

    assert Visit.objects.count() == 2


def test_only_a_facilitator_passes_a_problem_up_to_the_dinas():
    problem = ProblemFactory(reported_on=dt.date(2027, 7, 1))

    with pytest.raises(MentoringError, match="Only the group's facilitator"):
        escalate_problem(problem=problem, note="Mohon bantuan", by=UserFactory(role="officer"))

    problem.refresh_from_db()
    assert not problem.is_escalated
