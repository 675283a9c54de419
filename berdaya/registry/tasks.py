"""Imports run as background tasks (django-tasks, database queue: `berdaya db_worker` runs them)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django_tasks import task

from . import hooks, services
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
    """Check (and, with `commit`, store) the file of an import job; save its summary and XLSX report.

    Every change is made as the user who uploaded the file, so the job's history and the rows it stores name them.
    """
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    by = job.created_by
    services.mark_import_started(job=job, commit=commit, by=by)
    _progress_writer(job)(0)
    try:
        result = run_import(
            Path(job.file.path),
            kind=job.kind,  # type: ignore[arg-type]
            by=by,
            mapping=job.mapping,
            dry_run=not commit,
            accepted_only=job.accepted_only,
            progress=_progress_writer(job),
        )
    except Exception:
        services.mark_import_failed(job=job, by=by)
        raise
    buffer = io.BytesIO()
    write_report(result, buffer)
    services.record_import_result(job=job, result=result, report=buffer.getvalue(), by=by)
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
