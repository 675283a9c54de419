"""An uploaded file leaves through one response: streamed by Django, or handed to nginx with X-Accel-Redirect."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from berdaya.lib.files import protected_file_response

JPEG = b"\xff\xd8\xff\xe0 a tiny stand-in for a photo"


@pytest.fixture
def stored(settings, tmp_path: Path) -> FieldFile:
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("targeting/verval/7/rumah.jpg", ContentFile(JPEG))
    return FieldFile(instance=None, field=FileField(name="photo"), name=name)


def test_without_an_accel_prefix_django_streams_the_file(settings, stored):
    settings.BERDAYA_MEDIA_ACCEL_PREFIX = ""

    response = protected_file_response(stored)
    content = b"".join(response.streaming_content)
    stored.close()  # what the server does at the end of the response

    assert isinstance(response, FileResponse)
    assert content == JPEG
    assert response["Content-Type"] == "image/jpeg"


def test_with_an_accel_prefix_nginx_sends_the_file_and_the_body_is_empty(settings, stored):
    settings.BERDAYA_MEDIA_ACCEL_PREFIX = "/protected-media/"

    response = protected_file_response(stored)

    assert response["X-Accel-Redirect"] == "/protected-media/targeting/verval/7/rumah.jpg"
    assert response.content == b""
    assert response["Content-Type"] == "image/jpeg"


def test_a_download_names_its_file_for_nginx_too(settings, stored):
    settings.BERDAYA_MEDIA_ACCEL_PREFIX = "/protected-media"

    response = protected_file_response(stored, as_attachment=True, filename="bukti.jpg")

    assert response["Content-Disposition"] == 'attachment; filename="bukti.jpg"'


def test_a_record_without_a_file_is_not_found(settings):
    empty = FieldFile(instance=None, field=FileField(name="photo"), name="")

    with pytest.raises(Http404):
        protected_file_response(empty)


def test_a_file_the_disk_no_longer_holds_is_not_found(settings, stored):
    settings.BERDAYA_MEDIA_ACCEL_PREFIX = ""
    default_storage.delete(stored.name)

    with pytest.raises(Http404):
        protected_file_response(stored)
