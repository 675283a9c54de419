"""A cash-book spreadsheet import as a job: uploaded and checked (a dry run), then committed once."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.audit import acting_as
from berdaya.lib.errors import DomainError

from .. import excel
from ..models import CashImport


def check_cash_import(*, kube: Kube, file: UploadedFile[bytes], by: User) -> CashImport:
    """Keep an uploaded cash-book file with the report of its dry run; a file that cannot be read is not kept."""
    job = CashImport(kube=kube, filename=(file.name or "")[:255], by=by)
    job.file.save(file.name or "import.xlsx", file, save=False)
    try:
        report = excel.check_cash_book_file(kube=kube, path=job.file.path, by=by)
    except DomainError:
        job.file.delete(save=False)
        raise
    with acting_as(by):
        job.report = report.as_dict()
        job.save()
    return job


def commit_cash_import(*, job: CashImport, by: User) -> excel.ImportReport:
    """Store a checked file's rows in the book, all of them or none; the job is then imported."""
    with acting_as(by):
        job = CashImport.objects.select_for_update().get(pk=job.pk)
        if not job.can_be_committed:
            raise excel.CashImportError(_("This file has already been imported."))
        report = excel.check_cash_book_file(kube=job.kube, path=job.file.path, by=by, commit=True)
        job.report = report.as_dict()
        job.status = CashImport.Status.COMMITTED
        job.save()
        return report
