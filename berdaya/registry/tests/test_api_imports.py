"""Registry imports through the API: the upload page's job, dry run and commit, by a program with a token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from berdaya.accounts.services import create_token
from berdaya.lib.tests import hostile_files
from berdaya.registry.models import ImportJob, Person

from .test_importing import HEADER, IMMEDIATE, good_rows

pytestmark = pytest.mark.django_db

URL = "/api/v1/registry/imports"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    """Uploads in a temporary folder, and the task worker's work done at once."""
    cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


def token(user, *, read_only: bool = False) -> str:
    expires = timezone.localdate() + dt.timedelta(days=30)
    return create_token(by=user, owner=user, name="impor", expires_on=expires, read_only=read_only).secret


def call(method: str, path: str, user, *, read_only: bool = False, **kwargs):
    headers = {"Authorization": f"Bearer {token(user, read_only=read_only)}", "Accept-Language": "en"}
    return getattr(Client(), method)(path, headers=headers, **kwargs)


def csv_file(lines: list[str], name: str = "upload.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def upload(user, lines: list[str], **fields):
    return call("post", URL, user, data={"kind": "registry", "file": csv_file(lines), **fields})


def test_an_upload_makes_the_pages_import_job_and_answers_its_dry_run(users):
    response = upload(users["officer"], [HEADER, *good_rows()])

    assert response.status_code == 202
    job = ImportJob.objects.get()
    body = response.json()
    assert (body["id"], body["status"], body["summary"]["accepted"]) == (job.pk, "checked", 3)
    assert body["url"].endswith(f"/api/v1/registry/imports/{job.pk}")
    assert (job.created_by, job.region) == (users["officer"], users["officer"].region)
    assert Person.objects.count() == 0  # a dry run stores nothing


def test_the_job_tells_the_refused_rows_of_its_dry_run(users):
    rows = good_rows()
    rows[0] = "123" + rows[0][16:]  # a NIK of three digits
    job_id = upload(users["officer"], [HEADER, *rows]).json()["id"]

    body = call("get", f"{URL}/{job_id}", users["officer"]).json()

    assert body["summary"]["rejected"] == 1
    assert body["summary"]["issues"][0]["line"] == 2
    assert body["summary"]["issues"][0]["column"] == "nik"
    assert body["report_url"].endswith(f"/registry/imports/{job_id}/report.xlsx")


def test_committing_with_confirm_stores_the_rows(users):
    job_id = upload(users["officer"], [HEADER, *good_rows()]).json()["id"]

    response = call(
        "post", f"{URL}/{job_id}/commit", users["officer"], data={"confirm": True}, content_type="application/json"
    )

    assert response.status_code == 202
    assert response.json()["status"] == "done"
    assert Person.objects.count() == 3


def test_a_commit_without_confirm_stores_nothing(users):
    job_id = upload(users["officer"], [HEADER, *good_rows()]).json()["id"]

    response = call("post", f"{URL}/{job_id}/commit", users["officer"], data={}, content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (400, "confirm_required")
    assert ImportJob.objects.get().status == "checked"
    assert Person.objects.count() == 0


def test_a_job_already_imported_is_refused_with_the_pages_message(users):
    job_id = upload(users["officer"], [HEADER, *good_rows()]).json()["id"]
    call("post", f"{URL}/{job_id}/commit", users["officer"], data={"confirm": True}, content_type="application/json")

    again = call(
        "post", f"{URL}/{job_id}/commit", users["officer"], data={"confirm": True}, content_type="application/json"
    )

    assert again.status_code == 400
    assert again.json() == {
        "code": "refused",
        "message": "Only a checked file can be imported or checked again.",
        "fields": {},
    }


def test_a_mapping_sent_with_the_file_is_the_jobs(users):
    lines = [HEADER.replace("address", "Alamat Rumah"), *good_rows()]

    body = upload(users["officer"], lines, mapping='{"Alamat Rumah": "address"}').json()

    assert body["mapping"] == {"Alamat Rumah": "address"}
    assert body["summary"]["unknown_headers"] == []


def test_a_mapping_to_an_unknown_field_is_a_422_naming_the_field(users):
    response = upload(users["officer"], [HEADER, *good_rows()], mapping='{"Alamat": "nowhere"}')

    assert response.status_code == 422
    assert list(response.json()["fields"]) == ["mapping"]
    assert not ImportJob.objects.exists()


def test_a_hostile_file_ends_the_job_failed_with_the_limits_message(users, tmp_path):
    path = hostile_files.declared_giant(tmp_path / "giant.xlsx", HEADER.split(","))
    with path.open("rb") as handle:
        response = call("post", URL, users["officer"], data={"kind": "registry", "file": handle})

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "failed"
    assert "17,179,869,184 cells" in body["summary"]["error"]
    assert Person.objects.count() == 0


def test_a_file_over_the_size_limit_is_a_422_in_the_error_shape(users, settings):
    settings.BERDAYA_IMPORT_LIMITS = {
        **settings.BERDAYA_IMPORT_LIMITS,
        "registry": {**settings.BERDAYA_IMPORT_LIMITS["registry"], "bytes": 10},
    }

    response = upload(users["officer"], [HEADER, *good_rows()])

    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "fields"}
    assert list(response.json()["fields"]) == ["file"]
    assert not ImportJob.objects.exists()


def test_an_upload_without_a_file_is_a_422(users):
    response = call("post", URL, users["officer"], data={"kind": "registry"})

    assert (response.status_code, response.json()["code"]) == (422, "invalid")


def test_an_import_outside_the_scope_is_a_404(users):
    job_id = upload(users["officer"], [HEADER, *good_rows()]).json()["id"]

    assert call("get", f"{URL}/{job_id}", users["other_facilitator"]).status_code in (403, 404)
    assert call("get", f"{URL}/{job_id}", users["camat"]).status_code == 404


def test_a_role_that_may_not_import_is_a_403(users):
    response = upload(users["monitor"], [HEADER, *good_rows()])

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert not ImportJob.objects.exists()


def test_a_read_only_token_cannot_upload(users):
    response = call(
        "post", URL, users["officer"], read_only=True, data={"kind": "registry", "file": csv_file([HEADER])}
    )

    assert (response.status_code, response.json()["code"]) == (403, "token_read_only")
    assert not ImportJob.objects.exists()


def test_a_read_only_token_cannot_commit(users):
    job_id = upload(users["officer"], [HEADER, *good_rows()]).json()["id"]

    response = call(
        "post",
        f"{URL}/{job_id}/commit",
        users["officer"],
        read_only=True,
        data={"confirm": True},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert Person.objects.count() == 0
