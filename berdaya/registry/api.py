"""The registry over the API: households and persons of the caller's scope, under the one rule for personal data.

`shown` and `reveal` are the API's only ways to a NIK, KK number or address: every endpoint that returns a person
(here, in targeting and in groups) goes through `shown`, which asks `privacy.shown_for` as a page does (masked numbers
for every role, the address only for a role that keeps the registry, the name alone for a person outside the
caller's region), and the reveal endpoint through `reveal`, which calls the same service as the page's "Show NIK"
button, so the full number is written to the access log alike (docs/architecture.md, Personal data).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Body, Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from berdaya.accounts.models import User
from berdaya.lib.api import ApiError, ErrorOut, KeysetPagination, get_visible, not_found, require
from berdaya.lib.http import AuthedRequest
from berdaya.lib.scoping import region_q

from . import privacy, selectors, services
from .forms import ImportUploadForm
from .importing import FIELDS
from .importing.results import issue_from_dict
from .models import Household, HouseholdQuerySet, ImportJob, Person, PersonQuerySet
from .tasks import read_progress

router = Router(tags=["registry"])


# The one place that decides what the API shows of a person (see the module's docstring).
def shown(
    user: User, *, village_code: str | None, nik: str | None = None, kk_number: str | None = None, address: str = ""
) -> privacy.Shown:
    """A person's numbers and address as the API returns them: as a page shows them, never in full (a full number
    leaves only through the logged reveal, or a logged document or export)."""
    return privacy.shown_for(
        user, nik=nik, kk_number=kk_number, address=address, village_code=village_code, issuer=False
    )


def reveal(user: User, person: Person, request: AuthedRequest) -> str:
    """One person's full NIK, logged as the page's reveal is (refused for a role that may not see it)."""
    return services.reveal_nik(person=person, by=user, request=request)


class HouseholdOut(Schema):
    id: int
    kk_number: str
    address: str
    village: str
    decile: int | None
    register_id: str
    register_verified_on: dt.date | None

    @staticmethod
    def resolve_kk_number(household: Household, context: dict[str, AuthedRequest]) -> str:
        return shown(
            context["request"].user, kk_number=household.kk_number, village_code=household.village_id
        ).kk_number

    @staticmethod
    def resolve_address(household: Household, context: dict[str, AuthedRequest]) -> str:
        return shown(context["request"].user, address=household.address, village_code=household.village_id).address

    @staticmethod
    def resolve_village(household: Household) -> str:
        return household.village_id


class PersonOut(Schema):
    id: int
    nik: str
    name: str
    household: int
    village: str
    relation: str
    sex: str
    birth_date: dt.date | None
    marital_status: str
    education: str
    occupation: str
    disability: str

    @staticmethod
    def resolve_nik(person: Person, context: dict[str, AuthedRequest]) -> str:
        return shown(context["request"].user, nik=person.nik, village_code=person.household.village_id).nik

    @staticmethod
    def resolve_household(person: Person) -> int:
        return person.household_id

    @staticmethod
    def resolve_village(person: Person) -> str:
        return person.household.village_id


class RevealOut(Schema):
    id: int
    nik: str


@router.get("/households", response=list[HouseholdOut], operation_id="registry_households_list")
@paginate(KeysetPagination)
def households_list(request: AuthedRequest, region: str = "", q: str = "") -> HouseholdQuerySet:
    """Households of your scope: in a `region` (a kecamatan or village code), found by KK number, NIK or name (`q`)."""
    require(request, "registry.view_household")
    return selectors.households_for_list(user=request.user, query=q, village=region)


@router.get(
    "/households/{pk}",
    response={200: HouseholdOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="registry_households_detail",
)
def households_detail(request: AuthedRequest, pk: int) -> Household:
    """One household of your scope."""
    require(request, "registry.view_household")
    return get_visible(Household.objects.visible_to(request.user), pk)


@router.get("/persons", response=list[PersonOut], operation_id="registry_persons_list")
@paginate(KeysetPagination)
def persons_list(request: AuthedRequest, region: str = "", household: int | None = None, q: str = "") -> PersonQuerySet:
    """Persons of your scope: in a `region`, of a `household`, found by NIK, KK number or name (`q`)."""
    require(request, "registry.view_person")
    if not q:
        # The list's own filter without its name ordering (pages go by id): one index range per page.
        persons = Person.objects.visible_to(request.user).select_related("household")
        if region:
            persons = persons.filter(region_q("household__village__code", region))
    else:
        persons = selectors.persons_for_list(user=request.user, query=q, village=region)
    if household is not None:
        persons = persons.filter(household_id=household)
    return persons


@router.get(
    "/persons/{pk}", response={200: PersonOut, 403: ErrorOut, 404: ErrorOut}, operation_id="registry_persons_detail"
)
def persons_detail(request: AuthedRequest, pk: int) -> Person:
    """One person of your scope."""
    require(request, "registry.view_person")
    return get_visible(Person.objects.visible_to(request.user).select_related("household"), pk)


@router.post(
    "/persons/{pk}/reveal",
    response={200: RevealOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="registry_persons_reveal",
)
def persons_reveal(request: AuthedRequest, pk: int) -> RevealOut:
    """One person's full NIK, for a role that may reveal NIKs; logged in the NIK reveal log as the page's button is."""
    require(request, "registry.reveal_nik")
    person = get_visible(Person.objects.visible_to(request.user), pk)
    return RevealOut(id=person.pk, nik=reveal(request.user, person, request))


# --- Imports: the upload page's dry run and commit, by a program (docs/api.md "Bulk exchange") -------------------


class ImportIssueOut(Schema):
    line: int
    column: str
    value: str
    level: str
    message: str


class ImportSummaryOut(Schema):
    """The dry run's (or the commit's) counts, as the import page shows them, and the first refused rows."""

    total: int = 0
    accepted: int = 0
    warnings: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    committed: bool = False
    error: str = ""
    refused: bool = False
    headers: list[str] = Field(default_factory=list)
    unknown_headers: list[str] = Field(default_factory=list)
    issues: list[ImportIssueOut] = Field(default_factory=list)


class ImportJobOut(Schema):
    id: int
    kind: str
    file_name: str
    status: str
    url: str
    # Rows read so far while the worker checks or stores the file; the row count once it is done.
    progress: int
    mapping: dict[str, str]
    summary: ImportSummaryOut
    # The dry run's full report (every refused row) as XLSX, once there is one.
    report_url: str | None
    actions: list[str]
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportCommitIn(Schema):
    confirm: bool = Field(False, description="Must be true: storing a checked file cannot be taken back as a whole.")
    accepted_only: bool = Field(False, description="Store only the accepted rows, skipping the rejected ones.")


def _import_out(request: AuthedRequest, job: ImportJob) -> ImportJobOut:
    summary = job.summary or {}
    issues = [
        ImportIssueOut(
            line=issue.line, column=issue.column, value=issue.value, level=str(issue.level), message=issue.text()
        )
        for issue in (issue_from_dict(data) for data in summary.get("issues", []))
    ]
    fields = {name: summary[name] for name in ImportSummaryOut.model_fields if name in summary and name != "issues"}
    return ImportJobOut(
        id=job.pk,
        kind=job.kind,
        file_name=job.original_name,
        status=job.status,
        url=request.build_absolute_uri(reverse("api:registry_imports_detail", kwargs={"pk": job.pk})),
        progress=read_progress(job) if job.is_running else int(summary.get("total", 0)),
        mapping=job.mapping or {},
        summary=ImportSummaryOut(**fields, issues=issues),
        report_url=request.build_absolute_uri(reverse("registry:import-report", args=[job.pk])) if job.report else None,
        actions=sorted(selectors.actions_for(request.user, job)),
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


def _mapping(raw: str, kind: str) -> dict[str, str]:
    """The `mapping` form field: a JSON object, header as written in the file -> a field Berdaya knows."""
    if not raw:
        return {}
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    known = FIELDS.get(kind, {})
    if not isinstance(mapping, dict) or not all(
        isinstance(header, str) and isinstance(name, str) and name in known for header, name in mapping.items()
    ):
        message = _("Give a JSON object naming, for each header of the file, one of the fields: %(fields)s.") % {
            "fields": ", ".join(known)
        }
        raise ApiError(422, "invalid", _("Some values are not valid: see the fields."), fields={"mapping": [message]})
    return mapping


def _importing(request: AuthedRequest) -> None:
    require(request, "registry.add_importjob")


@router.post(
    "/imports",
    response={202: ImportJobOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="registry_imports_create",
    summary="Upload a registry or assistance-history file",
)
def imports_create(
    request: AuthedRequest,
    file: File[UploadedFile],
    kind: Form[Literal["registry", "history"]],
    mapping: Form[str] = "",
) -> Status[ImportJobOut]:
    """Upload a file (CSV or XLSX) as the import page does: the job is made and its check (a dry run: nothing is
    stored) queued for the task worker. Poll the job's `url` until `status` is `checked` (or `failed`), read its
    `summary`, then commit it. `mapping` (a JSON object) names headers Berdaya does not know."""
    _importing(request)
    if request.user.region is None:
        raise not_found()
    form = ImportUploadForm({"kind": kind}, MultiValueDict({"file": [file]}))
    if not form.is_valid():
        fields = {name: [str(message) for message in messages] for name, messages in form.errors.items()}
        raise ApiError(422, "invalid", _("Some values are not valid: see the fields."), fields=fields)
    job = services.upload_import(
        kind=form.cleaned_data["kind"], file=form.cleaned_data["file"], by=request.user, mapping=_mapping(mapping, kind)
    )
    job.refresh_from_db()  # the immediate task backend has already checked it
    return Status(202, _import_out(request, job))


@router.get(
    "/imports/{pk}",
    response={200: ImportJobOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="registry_imports_detail",
    url_name="registry_imports_detail",
    summary="One import: status, progress and the dry run's report",
)
def imports_detail(request: AuthedRequest, pk: int) -> ImportJobOut:
    """An import of your scope: its status, its progress while it runs, and the counts and refused rows of its dry
    run (or commit); `report_url` is the full report (XLSX)."""
    _importing(request)
    return _import_out(request, get_visible(ImportJob.objects.visible_to(request.user), pk))


@router.post(
    "/imports/{pk}/commit",
    response={202: ImportJobOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    operation_id="registry_imports_commit",
    summary="Store a checked import",
)
def imports_commit(request: AuthedRequest, pk: int, body: Body[ImportCommitIn | None] = None) -> Status[ImportJobOut]:
    """Store the rows of a checked file (`"confirm": true` is required: the page asks the same), queued for the task
    worker as the page's commit is; poll the job's `url` until `status` is `done`."""
    _importing(request)
    job = get_visible(ImportJob.objects.visible_to(request.user), pk)
    wanted = body or ImportCommitIn(confirm=False, accepted_only=False)
    if not wanted.confirm:
        message = _('Storing a checked file cannot be taken back as a whole: send "confirm": true to store it.')
        raise ApiError(400, "confirm_required", message)
    job = services.commit_import_job(job=job, accepted_only=wanted.accepted_only, by=request.user)
    job.refresh_from_db()
    return Status(202, _import_out(request, job))
