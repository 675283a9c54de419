"""Uploads never stall the office: the request only stores the file, the task worker reads it, and a file that
expands to more than an import may read is refused there, by its limit and its own figure, with nothing stored."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from berdaya.lib.tests import hostile_files
from berdaya.registry.importing import reading, run_import
from berdaya.registry.models import Household, ImportJob, Person
from berdaya.registry.tasks import check_import

HEADER = ["NIK", "Nomor KK", "Nama", "Kode Desa", "Jenis Kelamin", "Tanggal Lahir"]

HOSTILE = {
    # name: (how the file is made, what the refusal says)
    "a million empty rows in a few KB": (
        lambda path: hostile_files.empty_rows(path, HEADER, count=3_000_000),
        r"sheet1\.xml of the file is compressed [\d,]+ times \(17 MB unpacked\); .* at most 100 times",
    ),
    "a zip bomb": (
        lambda path: hostile_files.zip_bomb(path, HEADER, megabytes=64),
        r"compressed [\d,]+ times \(64 MB unpacked\)",
    ),
    "a sheet that declares 16,384 columns by 1,048,576 rows": (
        lambda path: hostile_files.declared_giant(path, HEADER),
        r"The sheet has 17,179,869,184 cells \(empty cells count too\); an import may have at most 20,000,000",
    ),
}


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # the task backend stays the database queue, as in production


@pytest.fixture
def nothing_is_read(monkeypatch):
    """Reading a row (or a header) in the request fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the request read the file")

    monkeypatch.setattr(reading, "open_rows", refuse)
    monkeypatch.setattr("openpyxl.load_workbook", refuse)


def upload(client, path):
    with path.open("rb") as handle:
        return client.post(reverse("registry:import-list"), {"kind": "registry", "file": handle})


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_upload_request_stores_the_file_and_queues_it_without_reading_it(
    hostile, client, users, tmp_path, media, nothing_is_read, django_assert_max_num_queries
):
    path = HOSTILE[hostile][0](tmp_path / "data.xlsx")
    client.force_login(users["officer"])

    with django_assert_max_num_queries(12):
        response = upload(client, path)

    job = ImportJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert job.status == ImportJob.Status.PENDING
    assert job.file.size == path.stat().st_size
    assert DBTaskResult.objects.get().args_kwargs["args"] == [job.pk]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_the_worker_refuses_a_hostile_file_naming_the_limit_and_stores_nothing(hostile, client, users, tmp_path, media):
    build, message = HOSTILE[hostile]
    client.force_login(users["officer"])
    upload(client, build(tmp_path / "data.xlsx"))
    job = ImportJob.objects.get()

    with translation.override("en"):
        check_import.call(job.pk)  # as `berdaya db_worker` runs it

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.summary["total"] == 0
    assert re.search(message, job.summary["error"])
    assert not Person.objects.exists()
    assert not Household.objects.exists()


def test_the_rows_a_sheet_skips_count_against_the_row_limit(client, users, tmp_path, media, settings):
    settings.BERDAYA_IMPORT_LIMITS = {
        **settings.BERDAYA_IMPORT_LIMITS,
        "registry": {**settings.BERDAYA_IMPORT_LIMITS["registry"], "rows": 10_000},
    }
    client.force_login(users["officer"])
    upload(client, hostile_files.far_row(tmp_path / "far.xlsx", HEADER))
    job = ImportJob.objects.get()

    with translation.override("en"):
        check_import.call(job.pk)

    job.refresh_from_db()
    assert (job.status, job.summary["error"]) == (
        ImportJob.Status.FAILED,
        "The file has more than 10,000 rows (empty rows count too).",
    )


def test_the_refusal_is_shown_on_the_import_page(client, users, tmp_path, media):
    client.force_login(users["officer"])
    upload(client, hostile_files.declared_giant(tmp_path / "giant.xlsx", HEADER))
    with translation.override("id"):  # the worker writes in the office's language (LANGUAGE_CODE)
        check_import.call(ImportJob.objects.get().pk)

    page = client.get(ImportJob.objects.get().get_absolute_url()).content.decode()

    assert 'role="alert"' in page
    assert "17.179.869.184" in page  # the file's figure, in the reader's (Indonesian) digits
    assert "20.000.000" in page


def test_a_file_over_the_byte_limit_is_refused_by_the_upload_form(client, users, tmp_path, media, settings):
    settings.BERDAYA_IMPORT_LIMITS = {
        **settings.BERDAYA_IMPORT_LIMITS,
        "registry": {**settings.BERDAYA_IMPORT_LIMITS["registry"], "bytes": 1024},
    }
    path = tmp_path / "big.csv"
    path.write_bytes(b"nik,nama\n" + b"1,a\n" * 1000)
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = upload(client, path)

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["The file is 4 KB; an import may be at most 1 KB."]
    assert not ImportJob.objects.exists()


def test_a_file_whose_first_rows_are_all_rejected_is_not_checked_to_its_end(users, tmp_path):
    path = tmp_path / "junk.csv"
    path.write_text("NIK,Nomor KK,Nama,Kode Desa,Jenis Kelamin,Tanggal Lahir\n" + "x,x,x,x,x,x\n" * 5000)

    with translation.override("en"):
        result = run_import(path, kind="registry", by=users["officer"], dry_run=True)

    assert result.summary.total < 5000
    assert result.summary.error.startswith(f"The first {result.summary.total:,} rows were all rejected")
    assert len({issue.line for issue in result.issues}) == result.summary.total  # the report says why, row by row
