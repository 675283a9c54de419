"""The cash-book import's check and commit, run by the task worker (`berdaya db_worker`): the upload request only
stores the file (docs/architecture.md, Imports)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _
from django_tasks import task

from berdaya.lib import uploads
from berdaya.lib.errors import DomainError

from . import excel
from .models import CashImport
from .services import imports


def progress_name(job: CashImport) -> str:
    return f"cash-book-{job.pk}"


def read_progress(job: CashImport) -> int:
    """How many rows the running job has got through (written by the worker, read by the page it polls)."""
    return uploads.read_progress(progress_name(job))


def process_cash_import(job_id: int, *, commit: bool) -> None:
    """Check (and, with `commit`, store) the file of a cash-book import as the user who uploaded it.

    A file the import refuses as a whole (beyond the limits, unreadable, a rejected row at the commit) ends the job
    failed with the reason, nothing stored; an unforeseen error too, and it is raised on for the worker's log.
    """
    job = CashImport.objects.select_related("kube", "by").get(pk=job_id)
    imports.mark_cash_import_started(job=job, commit=commit)
    name = progress_name(job)
    uploads.write_progress(name, 0)
    try:
        report = excel.check_cash_book_file(
            kube=job.kube,
            path=Path(job.file.path),
            by=job.by,
            commit=commit,
            progress=lambda rows: uploads.write_progress(name, rows),
        )
    except DomainError as error:
        report = excel.ImportReport(error=error.message)
    except Exception:
        unforeseen = _("The file could not be checked because of an unexpected error (it is in the task worker's log).")
        imports.record_cash_import(job=job, report=excel.ImportReport(error=unforeseen))
        raise
    finally:
        uploads.clear_progress(name)
    imports.record_cash_import(job=job, report=report)


@task()
def check_cash_import(job_id: int) -> None:
    """The dry run of an uploaded cash-book file: a report of every row, nothing stored."""
    process_cash_import(job_id, commit=False)


@task()
def commit_cash_import(job_id: int) -> None:
    """Store the rows of a checked cash-book file in one transaction."""
    process_cash_import(job_id, commit=True)
