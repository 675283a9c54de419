"""Changes to the registry: one function per action, each in a transaction and recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.lib.audit import acting_as, because
from berdaya.lib.errors import DomainError
from berdaya.lib.nik import Problem, check_kk, check_nik
from berdaya.regions.models import Region

from . import privacy
from .models import Disclosure, Household, ImportJob, Person

if TYPE_CHECKING:
    from .importing import ImportResult


class RegistryError(DomainError):
    pass


def _check_village(*, village: Region, by: User) -> None:
    if village.level != Region.Level.VILLAGE:
        raise RegistryError(_("Choose a village (desa or kelurahan)."))
    if not village.code_within(by.region_id):
        raise RegistryError(_("%(village)s is outside your region.") % {"village": village.name})


def update_household(*, household: Household, by: User, **fields: Any) -> Household:
    """Change a household's address, village, decile or register details."""
    if "village" in fields:
        _check_village(village=fields["village"], by=by)
    with acting_as(by):
        for name, value in fields.items():
            setattr(household, name, value)
        household.full_clean()
        household.save()
    return household


def update_person(*, person: Person, by: User, **fields: Any) -> Person:
    """Change a person's details; the NIK and the household stay as registered."""
    if "nik" in fields or "household" in fields:
        raise RegistryError(_("The NIK and the household are changed by importing a corrected registry."))
    with acting_as(by):
        for name, value in fields.items():
            setattr(person, name, value)
        person.full_clean()
        person.save()
    return person


def _refusal(problem: Problem) -> RegistryError:
    return RegistryError(_(problem.message) % problem.params)


def register_person(
    *,
    nik: str,
    name: str,
    kk_number: str,
    village: Region,
    by: User,
    birth_date: dt.date | None = None,
    sex: str = "",
    address: str = "",
    reason: str = "entered by hand",
) -> Person:
    """The registry's person with this NIK, entered by hand when there is none yet (with a nomination, say).

    The NIK and KK number pass the same checks as an import's; the household is the one with this KK number, made in
    the village when the registry has none. Nothing of the register (decile, DTSEN id) is invented: the eligibility
    checks still see that this person did not come from the register.
    """
    nik_check = check_nik(nik, today=timezone.localdate(), birth_date=birth_date, sex=sex or None)
    if not nik_check.ok:
        raise _refusal(nik_check.errors[0])
    kk_check = check_kk(kk_number)
    if not kk_check.ok:
        raise _refusal(kk_check.errors[0])
    found = Person.objects.filter(nik=nik_check.nik).select_related("household").first()
    if found is not None:
        return found
    _check_village(village=village, by=by)
    with acting_as(by):
        household = Household.objects.filter(kk_number=kk_check.kk_number).first()
        if household is None:
            household = Household(kk_number=kk_check.kk_number, village=village, address=address)
            because(household, reason)
            household.full_clean()
            household.save()
        person = Person(
            nik=nik_check.nik,
            name=name.strip(),
            household=household,
            birth_date=birth_date,
            sex=sex if sex in Person.Sex.values else "",
        )
        because(person, reason)
        person.full_clean()
        try:
            with transaction.atomic():  # a savepoint: someone else may register the same NIK at this moment
                person.save()
        except IntegrityError:
            return Person.objects.select_related("household").get(nik=nik_check.nik)
    return person


def reveal_nik(*, person: Person, by: User, request: HttpRequest | None = None) -> str:
    """Show a person's full NIK to a user who may see it, and log that they did."""
    if not privacy.may_see_full(by, person.household.village_id):
        raise RegistryError(_("You may not reveal NIKs."))
    with acting_as(by):
        privacy.record_disclosure(
            by=by, kind=Disclosure.Kind.REVEAL, region=person.household.village_id, person=person, request=request
        )
    return person.nik


# --- imports: an uploaded file from its dry run to its commit -----------------------------------------------------


def upload_import(*, kind: str, file: UploadedFile[Any], by: User, mapping: dict[str, str] | None = None) -> ImportJob:
    """Keep an uploaded registry or assistance-history file and queue its check (a dry run: nothing is stored).

    `mapping` (header as written in the file -> field name) names columns Berdaya does not know from the start, as
    the page's mapping form does after a first check (the API sends it with the file)."""
    if by.region is None:
        raise RegistryError(_("Your account has no region."))
    with acting_as(by):
        job = ImportJob.objects.create(
            kind=kind,
            file=file,
            original_name=(file.name or "")[:255],
            region=by.region,
            created_by=by,
            mapping=mapping or {},
        )
    _start(job, commit=False)
    return job


def map_import_columns(*, job: ImportJob, mapping: dict[str, str], by: User) -> ImportJob:
    """Say which field each column Berdaya did not know holds, and check the file again."""
    with acting_as(by):
        job = _checked(job)
        job.mapping = mapping
        job.status = ImportJob.Status.PENDING
        job.save(update_fields=["mapping", "status"])
    _start(job, commit=False)
    return job


def commit_import_job(*, job: ImportJob, accepted_only: bool, by: User) -> ImportJob:
    """Store the rows of a checked file (all of them, or with `accepted_only` the accepted ones)."""
    with acting_as(by):
        job = _checked(job)
        job.accepted_only = accepted_only
        job.status = ImportJob.Status.PENDING
        job.save(update_fields=["accepted_only", "status"])
    _start(job, commit=True)
    return job


def _checked(job: ImportJob) -> ImportJob:
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not job.is_checked:
        raise RegistryError(_("Only a checked file can be imported or checked again."))
    return job


def _start(job: ImportJob, *, commit: bool) -> None:
    """Queue the check or commit of the job's file for the task worker; the job's page shows its progress.

    Never in the request, however small the file: what a file expands to is only known once it is read.
    """
    from . import tasks  # the tasks record their progress through the services below

    (tasks.commit_import if commit else tasks.check_import).enqueue(job.pk)


def mark_import_started(*, job: ImportJob, commit: bool, by: User) -> None:
    """The job's file is being checked (or, with `commit`, stored)."""
    with acting_as(by):
        job.status = ImportJob.Status.IMPORTING if commit else ImportJob.Status.CHECKING
        job.save(update_fields=["status"])


def mark_import_failed(*, job: ImportJob, by: User) -> None:
    """The check or commit stopped on an error nobody could have foreseen (the task raises it on)."""
    with acting_as(by):
        job.status = ImportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])


def record_import_result(*, job: ImportJob, result: ImportResult, report: bytes, by: User) -> None:
    """Keep what a check or commit found, and its XLSX report; the job is checked, or done once committed."""
    with acting_as(by):
        if job.report:
            job.report.delete(save=False)
        job.report.save(f"report-{job.pk}.xlsx", ContentFile(report), save=False)
        job.summary = result.summary.as_dict()
        if result.summary.refused:  # beyond the import limits: nothing was read, there is nothing to map or commit
            job.status = ImportJob.Status.FAILED
        else:
            job.status = ImportJob.Status.DONE if result.summary.committed else ImportJob.Status.CHECKED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "summary", "report", "finished_at"])
