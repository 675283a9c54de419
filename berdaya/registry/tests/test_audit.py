"""Every history row an import writes names a user: through the page (inline) and through the task queue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from berdaya.conftest import VILLAGE_A, VILLAGE_B
from berdaya.registry import services
from berdaya.registry.importing import run_import
from berdaya.registry.models import AssistanceRecord, ImportJob, Person
from berdaya.registry.synthetic import build_nik
from berdaya.registry.tasks import process_import

KK_1 = "6401041501150001"
KK_2 = "6401041501150002"
REGISTRY = [
    "nik,kk_number,name,village_code,sex,birth_date,address",
    f"{build_nik(kecamatan='64.01.04', birth_date=dt.date(1980, 5, 2), sex='L', serial=1)},{KK_1},Budi,{VILLAGE_A},L,,",
    f"{build_nik(kecamatan='64.01.04', birth_date=dt.date(1980, 5, 2), sex='P', serial=2)},{KK_1},Siti,{VILLAGE_A},P,,",
    f"{build_nik(kecamatan='64.01.04', birth_date=dt.date(1980, 5, 2), sex='L', serial=3)},{KK_2},Joko,{VILLAGE_B},L,,",
]
HISTORY = [
    "nik,programme,year,amount",
    *(f"{line.split(',')[0]},PKH,2024,2000000" for line in REGISTRY[1:]),
]
FILES = {"registry": REGISTRY, "history": HISTORY}
# The history kept of the rows each kind of file stores.
STORED = {"registry": {"HistoricalHousehold", "HistoricalPerson"}, "history": {"HistoricalAssistanceRecord"}}


def history_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models() if model.__name__.startswith("Historical")]


def last_history_ids() -> dict[type[models.Model], int]:
    return {model: model._default_manager.aggregate(last=models.Max("pk"))["last"] or 0 for model in history_models()}


def rows_since(marks: dict[type[models.Model], int]) -> list[models.Model]:
    return [row for model, last in marks.items() for row in model._default_manager.filter(pk__gt=last)]


def prepare(kind: str, tmp_path: Path, users) -> None:
    """An assistance-history file needs its persons in the registry first."""
    if kind == "history":
        path = tmp_path / "registry.csv"
        path.write_text("\n".join(REGISTRY) + "\n", encoding="utf-8")
        assert run_import(path, kind="registry", by=users["officer"], dry_run=False).summary.committed


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.parametrize("kind", ["registry", "history"])
def test_every_history_row_of_an_import_from_the_page_names_the_uploader(
    kind, client, users, tmp_path, media, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # the worker, at once
    prepare(kind, tmp_path, users)
    client.force_login(users["officer"])
    marks = last_history_ids()
    path = tmp_path / "upload.csv"
    path.write_text("\n".join(FILES[kind]) + "\n", encoding="utf-8")

    with path.open("rb") as f:
        client.post(reverse("registry:import-list"), {"kind": kind, "file": f})
    client.post(reverse("registry:import-commit", args=[ImportJob.objects.get().pk]), {"confirmed": "1"})

    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    written = rows_since(marks)
    assert {type(row).__name__ for row in written} == {"HistoricalImportJob", *STORED[kind]}
    assert {row.history_user_id for row in written} == {users["officer"].pk}


@pytest.mark.parametrize("kind", ["registry", "history"])
def test_every_history_row_of_an_import_run_by_the_task_queue_names_the_uploader(
    kind, users, tmp_path, media, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    prepare(kind, tmp_path, users)
    marks = last_history_ids()
    upload = SimpleUploadedFile("upload.csv", ("\n".join(FILES[kind]) + "\n").encode())

    job = services.upload_import(kind=kind, file=upload, by=users["officer"])
    process_import(job.pk, commit=False)  # as the worker runs it: no request, no middleware
    services.commit_import_job(job=ImportJob.objects.get(pk=job.pk), accepted_only=False, by=users["officer"])
    process_import(job.pk, commit=True)

    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    stored = AssistanceRecord.objects.count() if kind == "history" else Person.objects.count()
    assert stored == 3
    written = rows_since(marks)
    assert {type(row).__name__ for row in written} == {"HistoricalImportJob", *STORED[kind]}
    assert {row.history_user_id for row in written} == {users["officer"].pk}
