"""The cash-book import through the task worker: the upload only stores the file; the worker checks it, with its
progress on the page, and refuses a file beyond the cash book's limits, empty rows counted, with nothing stored."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from openpyxl import Workbook

from berdaya.business import tasks
from berdaya.business.models import CashEntry, CashImport
from berdaya.groups.tests.factories import KubeFactory
from berdaya.lib.tests import hostile_files

pytestmark = pytest.mark.django_db

HEADER = ["Tanggal", "Uraian", "Masuk", "Keluar"]


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"  # the task backend stays the database queue, as in production


@pytest.fixture
def kube(users):
    return KubeFactory(facilitator=users["facilitator"])


@pytest.fixture
def as_treasurer(client, users):
    client.force_login(users["facilitator"])
    return client


def upload(client, kube, path):
    with path.open("rb") as handle:
        return client.post(reverse("business:cash-import", args=[kube.pk]), {"file": handle})


def good_book(tmp_path):
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["2027-11-05", "Jual kue", 150000, None])
    path = tmp_path / "kas.xlsx"
    workbook.save(path)
    return path


def test_the_upload_stores_the_file_and_queues_its_check_without_reading_it(
    as_treasurer, kube, tmp_path, media, monkeypatch, django_assert_max_num_queries
):
    path = hostile_files.empty_rows(tmp_path / "kas.xlsx", HEADER, count=3_000_000)
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("the request read the file"))

    with django_assert_max_num_queries(12):
        response = upload(as_treasurer, kube, path)

    job = CashImport.objects.get()
    assert response.url == reverse("business:cashimport-detail", args=[kube.pk, job.pk])
    assert job.status == CashImport.Status.PENDING
    assert DBTaskResult.objects.get().args_kwargs["args"] == [job.pk]


def test_the_page_shows_the_progress_bar_while_the_worker_has_not_finished(as_treasurer, kube, tmp_path, media):
    upload(as_treasurer, kube, good_book(tmp_path))
    job = CashImport.objects.get()

    page = as_treasurer.get(reverse("business:cashimport-detail", args=[kube.pk, job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in page
    assert reverse("business:cashimport-progress", args=[kube.pk, job.pk]) in page


def test_the_worker_checks_then_commits_the_file(as_treasurer, kube, tmp_path, media):
    upload(as_treasurer, kube, good_book(tmp_path))
    job = CashImport.objects.get()
    tasks.check_cash_import.call(job.pk)
    job.refresh_from_db()
    checked = (job.status, job.report["accepted"], CashEntry.objects.count())

    as_treasurer.post(reverse("business:cashimport-commit", args=[kube.pk, job.pk]), {"confirmed": "1"})
    queued = CashImport.objects.get().status
    tasks.commit_cash_import.call(job.pk)

    assert checked == (CashImport.Status.CHECKED, 1, 0)
    assert queued == CashImport.Status.PENDING
    assert CashImport.objects.get().status == CashImport.Status.COMMITTED
    assert CashEntry.objects.get().amount == 150_000


def test_the_progress_fragment_reloads_the_page_once_the_worker_is_done(as_treasurer, kube, tmp_path, media):
    upload(as_treasurer, kube, good_book(tmp_path))
    job = CashImport.objects.get()
    tasks.check_cash_import.call(job.pk)

    response = as_treasurer.get(
        reverse("business:cashimport-progress", args=[kube.pk, job.pk]), headers={"HX-Request": "true"}
    )

    assert response["HX-Refresh"] == "true"


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda path: hostile_files.empty_rows(path, HEADER, count=3_000_000), "compressed"),
        (lambda path: hostile_files.zip_bomb(path, HEADER, megabytes=16), "compressed"),
        (lambda path: hostile_files.declared_giant(path, HEADER), "The sheet has 1,048,576 rows"),
        # 25,000 empty rows, not compressed enough to look like a bomb: counted, they pass the 20,000 rows limit.
        (lambda path: hostile_files.empty_rows(path, HEADER, count=25_000), "more than 20,000 rows"),
    ],
    ids=["a million empty rows", "a zip bomb", "a declared giant", "empty rows past the limit"],
)
def test_the_worker_refuses_a_hostile_file_and_stores_nothing(as_treasurer, kube, tmp_path, media, build, message):
    upload(as_treasurer, kube, build(tmp_path / "kas.xlsx"))
    job = CashImport.objects.get()

    with translation.override("en"):
        tasks.check_cash_import.call(job.pk)

    job.refresh_from_db()
    assert job.status == CashImport.Status.FAILED
    assert message in job.report["error"]
    assert not CashEntry.objects.exists()


def test_the_refusal_is_shown_on_the_import_page(as_treasurer, kube, tmp_path, media):
    upload(as_treasurer, kube, hostile_files.declared_giant(tmp_path / "kas.xlsx", HEADER))
    job = CashImport.objects.get()
    with translation.override("id"):  # the worker writes in the office's language (LANGUAGE_CODE)
        tasks.check_cash_import.call(job.pk)

    page = as_treasurer.get(reverse("business:cashimport-detail", args=[kube.pk, job.pk])).content.decode()

    assert 'id="import-error"' in page
    assert "1.048.576" in page
    assert 'id="commit"' not in page


def test_a_file_that_is_not_a_zip_is_refused_by_the_upload_form(as_treasurer, kube, media, settings):
    as_treasurer.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = as_treasurer.post(
        reverse("business:cash-import", args=[kube.pk]), {"file": SimpleUploadedFile("kas.xlsx", b"Tanggal;")}
    )

    assert response.context["form"].errors["file"] == [
        "The file is not an XLSX workbook (an XLSX file is a zip archive)."
    ]
    assert not CashImport.objects.exists()
