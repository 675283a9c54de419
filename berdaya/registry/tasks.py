"""Imports run as background tasks (django-tasks, database queue: `berdaya db_worker` runs them)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from . import hooks
from .importing import run_import, write_report
from .models import ImportJob


def progress_path(job: ImportJob) -> Path:
    """Where a running job writes how far it got.

    A file, not the database: a commit is one transaction, and its progress must be readable while it runs.
    """
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{job.pk}.json"


def read_progress(job: ImportJob) -> int:
    try:
        return int(json.loads(progress_path(job).read_text())["rows"])
    except (OSError, ValueError, KeyError):
        return 0


def _progress_writer(job: ImportJob) -> Any:
    path = progress_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(rows: int) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"rows": rows}))
        os.replace(tmp, path)  # atomic: the page never reads half a file

    return write


def process_import(job_id: int, *, commit: bool) -> None:
    """Check (and, with `commit`, store) the file of an import job; save its summary and XLSX report."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    job.status = ImportJob.Status.IMPORTING if commit else ImportJob.Status.CHECKING
    job.save(update_fields=["status"])
    _progress_writer(job)(0)
    try:
        result = run_import(
            Path(job.file.path),
            kind=job.kind,  # type: ignore[arg-type]
            by=job.created_by,
            mapping=job.mapping,
            dry_run=not commit,
            accepted_only=job.accepted_only,
            progress=_progress_writer(job),
        )
    except Exception:
        job.status = ImportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        raise
    buffer = io.BytesIO()
    write_report(result, buffer)
    if job.report:
        job.report.delete(save=False)
    job.report.save(f"report-{job.pk}.xlsx", ContentFile(buffer.getvalue()), save=False)
    job.summary = result.summary.as_dict()
    if result.summary.committed:
        job.status = ImportJob.Status.DONE
    else:
        job.status = ImportJob.Status.CHECKED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "summary", "report", "finished_at"])
    progress_path(job).unlink(missing_ok=True)
    if job.status == ImportJob.Status.DONE:
        for hook in hooks.AFTER_IMPORT_COMMIT:
            hook(job)


@task()
def check_import(job_id: int) -> None:
    """The dry run of an uploaded file: a report of every row, nothing stored."""
    process_import(job_id, commit=False)


@task()
def commit_import(job_id: int) -> None:
    """Store the rows of a checked file in one transaction."""
    process_import(job_id, commit=True)
