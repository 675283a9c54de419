"""Every import runs as background tasks (django-tasks, database queue: `berdaya db_worker` runs them): the request
that uploads a file only stores it (docs/architecture.md, Imports)."""

from __future__ import annotations

import io
from pathlib import Path

from django_tasks import task

from berdaya.lib import uploads

from . import hooks, services
from .importing import run_import, write_report
from .models import ImportJob


def progress_name(job: ImportJob) -> str:
    return f"registry-{job.pk}"


def read_progress(job: ImportJob) -> int:
    """How many rows the running job has got through (written by the worker, read by the page it polls)."""
    return uploads.read_progress(progress_name(job))


def process_import(job_id: int, *, commit: bool) -> None:
    """Check (and, with `commit`, store) the file of an import job; save its summary and XLSX report.

    Every change is made as the user who uploaded the file, so the job's history and the rows it stores name them.
    """
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    by = job.created_by
    services.mark_import_started(job=job, commit=commit, by=by)
    name = progress_name(job)
    uploads.write_progress(name, 0)
    try:
        result = run_import(
            Path(job.file.path),
            kind=job.kind,  # type: ignore[arg-type]
            by=by,
            mapping=job.mapping,
            dry_run=not commit,
            accepted_only=job.accepted_only,
            progress=lambda rows: uploads.write_progress(name, rows),
        )
    except Exception:
        services.mark_import_failed(job=job, by=by)
        raise
    buffer = io.BytesIO()
    write_report(result, buffer)
    services.record_import_result(job=job, result=result, report=buffer.getvalue(), by=by)
    uploads.clear_progress(name)
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
