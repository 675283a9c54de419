"""Privacy duties (UU 27/2022): everything held about one person for the office, and retention of the access log
and of home and visit photos (`berdaya purge`)."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse

from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.models import VisitPhoto
from berdaya.mentoring.tests.factories import VisitFactory
from berdaya.registry.models import Disclosure, PurgeRun
from berdaya.registry.privacy import record_disclosure
from berdaya.registry.tests.factories import AssistanceRecordFactory
from berdaya.targeting.models import Verval

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def member(regions: dict[str, Any], users: dict[str, Any]) -> Any:
    """A KUBE member of Tanah Periuk with an earlier PKH, a verval with a home photo, a visit she attended with a
    photo, and her NIK revealed once."""
    kube = KubeFactory(village=regions["village_a"], created_by=users["admin"])
    member = MembershipFactory(kube=kube, added_by=users["admin"])
    AssistanceRecordFactory(person=member.person, year=2023)
    verval = Verval(nominee=member.nominee, visit_date=dt.date(2020, 5, 4), by=users["officer"])
    verval.photo.save("rumah.jpg", ContentFile(b"jpeg"), save=True)
    visit = VisitFactory(kube=kube, visited_on=dt.date(2027, 7, 20), by=users["facilitator"])
    visit.attendees.add(member)
    photo = VisitPhoto(visit=visit)
    photo.image.save("kunjungan.jpg", ContentFile(b"jpeg"), save=True)
    record_disclosure(
        by=users["officer"], kind=Disclosure.Kind.REVEAL, region=regions["village_a"], person=member.person
    )
    return member


def _export(client: Any, person: Any) -> dict[str, Any]:
    response = client.get(reverse("privacy:person-data-export", args=[person.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_person_data_export_holds_everything_about_the_person(client, users, member):
    client.force_login(users["admin"])

    data = _export(client, member.person)

    assert data["person"]["nik"] == member.person.nik
    assert data["household"]["kk_number"] == member.person.household.kk_number
    assert [record["year"] for record in data["assistance"]] == [2023]
    assert data["nominations"][0]["verval"]["visit_date"] == "2020-05-04"
    assert data["memberships"][0]["kube_name"] == member.kube.name
    assert len(data["visits_attended"]) == 1
    assert sorted(photo["kind"] for photo in data["photos"]) == ["home (verval)", "visit"]
    assert [row["kind"] for row in data["access_log"]] == ["reveal"]


def test_the_person_data_export_is_itself_logged(client, users, member):
    client.force_login(users["admin"])

    _export(client, member.person)

    latest = Disclosure.objects.order_by("-pk").first()
    assert latest is not None
    assert (latest.kind, latest.person, latest.by) == (Disclosure.Kind.PERSON_DATA, member.person, users["admin"])


@pytest.mark.parametrize("username", ["officer", "monitor", "camat", "desa_a", "facilitator"])
def test_only_the_admin_dinas_exports_a_persons_data(client, users, member, username):
    client.force_login(users[username])

    assert client.get(reverse("privacy:person-data-export", args=[member.person.pk])).status_code == 403


def test_a_person_outside_the_admins_region_cannot_be_exported(client, users, member, regions):
    users["admin"].region = regions["kec_c"]
    users["admin"].save()
    client.force_login(users["admin"])

    assert client.get(reverse("privacy:person-data-export", args=[member.person.pk])).status_code == 404


# --- retention -----------------------------------------------------------------------------------------------------


@pytest.fixture
def old_and_new(member, users, regions, settings):
    """The member's verval photo (2020) and visit photo (2027), and access-log rows from 2019 and 2027, under a
    retention of five years for both."""
    settings.BERDAYA_ACCESS_LOG_RETENTION_DAYS = 1826
    settings.BERDAYA_PHOTO_RETENTION_DAYS = 1826
    with time_machine.travel(dt.datetime(2019, 1, 2, tzinfo=dt.UTC), tick=False):
        old = record_disclosure(
            by=users["admin"], kind=Disclosure.Kind.REVEAL, region=regions["village_a"], person=member.person
        )
    return {"old": old, "verval": member.nominee.verval, "photo": VisitPhoto.objects.get()}


def _purge(*args: str) -> str:
    out = StringIO()
    call_command("purge", "--today", "2027-08-01", *args, stdout=out)
    return out.getvalue()


def test_purge_is_a_dry_run_by_default(old_and_new):
    out = _purge()

    assert "access_log: 1" in out
    assert "home_photos: 1" in out
    assert "visit_photos: 0" in out
    assert Disclosure.objects.filter(pk=old_and_new["old"].pk).exists()
    assert Verval.objects.get().photo
    assert not PurgeRun.objects.exists()


def test_purge_removes_what_is_past_retention_and_keeps_the_rest(old_and_new):
    home_photo = old_and_new["verval"].photo.name

    _purge("--apply")

    assert not Disclosure.objects.filter(pk=old_and_new["old"].pk).exists()
    assert Disclosure.objects.count() == 1  # the 2027 reveal stays
    verval = Verval.objects.get()
    assert (verval.photo.name, verval.visit_date) == ("", dt.date(2020, 5, 4))  # the verval itself stays
    assert not default_storage.exists(home_photo)
    assert VisitPhoto.objects.get() == old_and_new["photo"]
    assert default_storage.exists(old_and_new["photo"].image.name)


def test_purge_records_what_it_did(old_and_new):
    _purge("--apply")

    run = PurgeRun.objects.get()
    assert run.removed == {"access_log": 1, "home_photos": 1, "visit_photos": 0}
    assert run.cutoffs["access_log"] == "2022-08-01"


def test_a_retention_of_zero_keeps_for_ever(old_and_new, settings):
    settings.BERDAYA_ACCESS_LOG_RETENTION_DAYS = 0
    settings.BERDAYA_PHOTO_RETENTION_DAYS = 0

    _purge("--apply")

    assert Disclosure.objects.count() == 2
    assert Verval.objects.get().photo
