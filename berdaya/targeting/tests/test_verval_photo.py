"""The photo of a household's home taken at verval is shown only inside the nominee's scope, never at a public URL."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from berdaya.registry.tests.factories import PersonFactory
from berdaya.targeting import services
from berdaya.targeting.models import Verval
from berdaya.targeting.tests.conftest import minutes_pdf

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "brown").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def verval(village_list, users) -> Verval:
    """Tanah Periuk's nominee, verified by the Dinas with a photo of the home."""
    person = PersonFactory(household__village=village_list.village)
    nominee = services.nominate_person(
        nomination_list=village_list, person=person, reason="no_income", by=users["desa_a"]
    )
    services.attach_minutes(nomination_list=village_list, file=minutes_pdf(), meeting_date=None, by=users["desa_a"])
    services.submit_list(nomination_list=village_list, by=users["desa_a"])
    services.endorse_list(nomination_list=village_list, by=users["camat"])
    services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist={}, by=users["officer"])
    made = Verval.objects.get(nominee=nominee)
    made.photo.save("rumah.jpg", ContentFile(_jpeg()), save=True)
    return made


def _photo_url(verval: Verval) -> str:
    return reverse("targeting:verval-photo", args=[verval.pk])


@pytest.mark.parametrize("username", ["desa_c", "camat_c", "desa_b", "no_region"])
def test_the_verval_photo_is_not_found_outside_the_nominees_scope(client, users, verval, username):
    client.force_login(users[username])

    assert client.get(_photo_url(verval)).status_code == 404


def test_a_facilitator_may_not_see_verval_photos(client, users, verval):
    client.force_login(users["facilitator"])

    assert client.get(_photo_url(verval)).status_code == 403


@pytest.mark.parametrize("username", ["officer", "monitor", "camat", "desa_a"])
def test_the_verval_photo_is_shown_inside_the_nominees_scope(client, users, verval, username):
    client.force_login(users[username])

    response = client.get(_photo_url(verval))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == _jpeg()


def test_the_nominee_page_shows_the_photo_through_the_scoped_view(client, users, verval):
    client.force_login(users["officer"])

    page = client.get(verval.nominee.get_absolute_url()).content.decode()

    assert f'src="{_photo_url(verval)}"' in page
    assert verval.photo.name not in page


def test_with_the_accel_prefix_nginx_sends_the_photo_after_the_scope_check(client, settings, users, verval):
    settings.BERDAYA_MEDIA_ACCEL_PREFIX = "/protected-media/"
    client.force_login(users["officer"])

    response = client.get(_photo_url(verval))

    assert response["X-Accel-Redirect"] == f"/protected-media/{verval.photo.name}"
    assert response.content == b""


def test_the_accel_prefix_does_not_open_the_photo_outside_the_scope(client, settings, users, verval):
    settings.BERDAYA_MEDIA_ACCEL_PREFIX = "/protected-media/"
    client.force_login(users["desa_c"])

    response = client.get(_photo_url(verval))

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_the_media_url_of_the_photo_is_not_served(client, settings, users, verval):
    client.force_login(users["officer"])

    assert client.get(f"/{settings.MEDIA_URL}{verval.photo.name}").status_code == 404
