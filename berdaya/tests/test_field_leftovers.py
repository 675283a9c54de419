"""What a Dinas office saw on its first cycle (issue #12, point 6), each proved gone: a training listed once per member
in a group's timeline, GPS coordinates labelled "Jabatan" (a job title) and written with decimal commas, and change
history labelled with English field names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.models import MonthlyReport
from berdaya.mentoring.selectors import kube_timeline
from berdaya.mentoring.tests.factories import VisitFactory
from berdaya.training.models import Participant, Training

pytestmark = pytest.mark.django_db


def test_a_training_three_members_attended_is_in_the_groups_timeline_once(users, regions):
    kube = KubeFactory(village=regions["village_a"], created_by=users["admin"])
    members = [MembershipFactory(kube=kube, added_by=users["admin"]) for _ in range(3)]
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
    for member in members:
        Participant.objects.create(training=training, membership=member, attended=True)

    trainings = [entry for entry in kube_timeline(kube=kube) if entry.kind == "training"]

    assert [entry.title for entry in trainings] == ["Pembukuan"]


def test_a_visits_gps_position_is_labelled_as_a_location_with_decimal_points(client, users, regions):
    kube = KubeFactory(village=regions["village_a"], created_by=users["admin"])
    visit = VisitFactory(kube=kube, latitude=Decimal("-1.912345"), longitude=Decimal("116.193456"), by=users["admin"])
    client.force_login(users["admin"])

    page = client.get(reverse("mentoring:visit-detail", args=[visit.pk])).content.decode()  # in Indonesian

    assert "Jabatan" not in page
    assert "Lokasi" in page
    assert "-1.912345, 116.193456" in page


def test_every_field_a_history_shows_has_a_name_in_the_readers_language():
    unnamed = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("berdaya") and hasattr(model, "history")
        for field in model._meta.local_concrete_fields
        if field.name != "id" and not isinstance(field.verbose_name, Promise)
    ]

    assert unnamed == [], "fields without a translatable verbose_name: the history shows their English name"


@pytest.mark.parametrize("kept", ["inactive", "Tidak aktif", "Inactive"])
def test_a_monthly_reports_group_status_is_shown_in_the_readers_language(users, kept):
    report = MonthlyReport.objects.create(
        facilitator=users["facilitator"],
        month=dt.date(2027, 8, 1),
        summary={"groups": [{"name": "KUBE Mawar", "status": kept, "visits": 1, "meetings": 0}], "visits": []},
    )

    with translation.override("en"):
        english = report.shown_summary["groups"][0]["status"]
    with translation.override("id"):
        indonesian = report.shown_summary["groups"][0]["status"]

    assert english == "Inactive"
    assert indonesian == "Tidak aktif"
