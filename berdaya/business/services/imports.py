"""A cash-book spreadsheet import as a job: uploaded, checked (a dry run), then committed once, the check and the
commit by the task worker (business/tasks.py), as every import (docs/architecture.md, Imports)."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.audit import acting_as

from .. import excel
from ..models import CashImport


def check_cash_import(*, kube: Kube, file: UploadedFile[bytes], by: User) -> CashImport:
    """Keep an uploaded cash-book file and queue its check (a dry run: nothing is stored in the book)."""
    with acting_as(by):
        job = CashImport(kube=kube, filename=(file.name or "")[:255], by=by)
        job.file.save(file.name or "import.xlsx", file, save=False)
        job.save()
    _start(job, commit=False)
    return job


def commit_cash_import(*, job: CashImport, by: User) -> CashImport:
    """Queue the storing of a checked file's rows in the book, all of them or none."""
    with acting_as(by):
        job = CashImport.objects.select_for_update().get(pk=job.pk)
        if not job.can_be_committed:
            raise excel.CashImportError(_("Only a checked file that has not been imported yet can be imported."))
        job.status = CashImport.Status.PENDING
        job.save(update_fields=["status"])
    _start(job, commit=True)
    return job


def _start(job: CashImport, *, commit: bool) -> None:
    from .. import tasks  # the tasks record what they found through the services below

    (tasks.commit_cash_import if commit else tasks.check_cash_import).enqueue(job.pk)


def mark_cash_import_started(*, job: CashImport, commit: bool) -> None:
    """The job's file is being checked (or, with `commit`, stored)."""
    job.status = CashImport.Status.IMPORTING if commit else CashImport.Status.CHECKING
    job.save(update_fields=["status"])


def record_cash_import(*, job: CashImport, report: excel.ImportReport) -> None:
    """Keep what a check or commit found: the job is checked, imported, or failed with the file's refusal."""
    job.report = report.as_dict()
    if report.error:
        job.status = CashImport.Status.FAILED
    else:
        job.status = CashImport.Status.COMMITTED if report.committed else CashImport.Status.CHECKED
    job.finished_at = timezone.now()
    # Outside the commit's transaction, which has ended: the job says what happened even when the commit failed.
    with transaction.atomic():
        job.save(update_fields=["report", "status", "finished_at"])
