from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.lib.actions import act, perform
from berdaya.lib.confirm import Confirmation
from berdaya.lib.exports import csv_response
from berdaya.lib.files import protected_file_response
from berdaya.lib.formats import number
from berdaya.lib.history import record_history
from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region

from . import privacy, selectors, services
from .forms import DisclosureFilterForm, HouseholdForm, ImportMappingForm, ImportUploadForm, PersonForm
from .importing import issue_from_dict
from .models import Disclosure, Household, ImportJob, Person
from .tasks import read_progress

PAGE_SIZE = 50


def _filters(request: AuthedRequest) -> dict[str, str]:
    return {"query": request.GET.get("q", "").strip(), "village": request.GET.get("village", "").strip()}


def _list_context(request: AuthedRequest, records: Any) -> dict[str, Any]:
    filters = _filters(request)
    return {
        "page": Paginator(records, PAGE_SIZE).get_page(request.GET.get("page")),
        "villages": selectors.villages_for_filter(user=request.user),
        "q": filters["query"],
        "village": filters["village"],
    }


@permission_required("registry.view_person", raise_exception=True)
def person_list(request: AuthedRequest) -> HttpResponse:
    persons = selectors.persons_for_list(user=request.user, **_filters(request))
    template = "registry/_person_rows.html" if request.htmx else "registry/person_list.html"
    return render(request, template, _list_context(request, persons))


@permission_required("registry.view_person", raise_exception=True)
def person_export(request: AuthedRequest) -> StreamingHttpResponse:
    """The persons found by the search, as a spreadsheet; NIK, KK number and address under the personal-data rule
    (registry.privacy), a full copy logged with its row count."""
    persons = selectors.persons_for_list(user=request.user, **_filters(request))
    user = request.user
    if privacy.may_see_full(user):
        _log_export(request, Disclosure.Kind.PERSON_EXPORT, persons)
    header = [
        _("NIK"),
        _("Name"),
        _("KK number"),
        _("Relation to head"),
        _("Sex"),
        _("Birth place"),
        _("Birth date"),
        _("Village code"),
        _("Village"),
        _("Address"),
        _("Decile"),
    ]

    def row(p: Person) -> list[Any]:
        shown = privacy.shown_person(user, p)
        return [
            shown.nik,
            p.name,
            shown.kk_number,
            p.get_relation_display(),
            p.sex,
            p.birth_place,
            p.birth_date,
            p.household.village_id,
            p.household.village.name,
            shown.address,
            p.household.decile,
        ]

    return csv_response("berdaya-persons.csv", header, (row(p) for p in persons.iterator(chunk_size=2000)))


def _export_region(request: AuthedRequest) -> str:
    """The region an export covers: the village filtered on when it lies in the user's region, else the region."""
    village, scope = _filters(request)["village"], request.user.region_id or ""
    return (
        village if scope and village.startswith(f"{scope}.") and Region.objects.filter(pk=village).exists() else scope
    )


def _log_export(request: AuthedRequest, kind: str, persons: Any, count: int | None = None) -> None:
    """One access-log row for a full export: its row count (the persons, unless given) and every person it carries."""
    ids = list(persons.order_by().values_list("pk", flat=True))
    privacy.record_disclosure(
        by=request.user,
        kind=kind,
        region=_export_region(request),
        persons=ids,
        count=len(ids) if count is None else count,
        document=" · ".join(value for value in _filters(request).values() if value),
        request=request,
    )


@permission_required("registry.view_person", raise_exception=True)
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("household__village"), pk=pk)
    return render(request, "registry/person_detail.html", _person_context(request, person))


def _person_context(request: AuthedRequest, person: Person, **extra: Any) -> dict[str, Any]:
    return {
        "person": person,
        "household": person.household,
        "members": person.household.members.exclude(pk=person.pk).order_by("name"),
        "assistance": selectors.person_assistance(person=person),
        "history": record_history(person) if request.user.has_perm("accounts.view_history") else [],
        **extra,
    }


@permission_required("registry.change_person", raise_exception=True)
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    form = PersonForm(request.POST or None, instance=Person.objects.get(pk=person.pk))
    if request.method == "POST" and perform(
        request, services.update_person, form=form, person=person, success=_("The changes were saved.")
    ):
        return redirect(person)
    return render(request, "registry/form.html", {"form": form, "record": person, "title": _("Edit person")})


@require_POST
@permission_required("registry.reveal_nik", raise_exception=True)
def person_reveal_nik(request: AuthedRequest, pk: int) -> HttpResponse:
    """Show one full NIK; the reveal is logged."""
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("household__village"), pk=pk)
    outcome = perform(request, services.reveal_nik, person=person, request=request)
    if not outcome:
        return redirect(person)
    nik = outcome.value
    if request.htmx:
        return render(request, "registry/_nik.html", {"person": person, "revealed_nik": nik})
    return render(request, "registry/person_detail.html", _person_context(request, person, revealed_nik=nik))


@permission_required("registry.view_household", raise_exception=True)
def household_list(request: AuthedRequest) -> HttpResponse:
    households = selectors.households_for_list(user=request.user, **_filters(request))
    template = "registry/_household_rows.html" if request.htmx else "registry/household_list.html"
    return render(request, template, _list_context(request, households))


@permission_required("registry.view_household", raise_exception=True)
def household_export(request: AuthedRequest) -> StreamingHttpResponse:
    """The households found by the search; KK number and address under the personal-data rule, a full copy logged
    with its row count (and the members of every household it lists)."""
    households = selectors.households_for_list(user=request.user, **_filters(request))
    user = request.user
    if privacy.may_see_full(user):
        members = Person.objects.filter(household__in=households.order_by().values("pk"))
        _log_export(request, Disclosure.Kind.HOUSEHOLD_EXPORT, members, count=households.count())
    header = [
        _("KK number"),
        _("Village code"),
        _("Village"),
        _("Address"),
        _("Decile"),
        _("DTSEN/DTKS id"),
        _("Last verified on"),
    ]

    def row(h: Household) -> list[Any]:
        shown = privacy.shown_for(user, nik="", kk_number=h.kk_number, address=h.address, village_code=h.village_id)
        return [
            shown.kk_number,
            h.village_id,
            h.village.name,
            shown.address,
            h.decile,
            h.register_id,
            h.register_verified_on,
        ]

    return csv_response("berdaya-households.csv", header, (row(h) for h in households.iterator(chunk_size=2000)))


@permission_required("registry.view_household", raise_exception=True)
def household_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(Household.objects.visible_to(request.user).select_related("village"), pk=pk)
    context = {
        "household": household,
        "members": household.members.order_by("relation", "name"),
        "assistance": household.assistance.select_related("person").order_by("-year", "programme"),
        "history": record_history(household) if request.user.has_perm("accounts.view_history") else [],
    }
    return render(request, "registry/household_detail.html", context)


@permission_required("registry.change_household", raise_exception=True)
def household_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(Household.objects.visible_to(request.user), pk=pk)
    form = HouseholdForm(request.POST or None, instance=Household.objects.get(pk=household.pk), user=request.user)
    if request.method == "POST" and perform(
        request, services.update_household, form=form, household=household, success=_("The changes were saved.")
    ):
        return redirect(household)
    return render(request, "registry/form.html", {"form": form, "record": household, "title": _("Edit household")})


# --- imports ----------------------------------------------------------------------------------------------------


@permission_required("registry.add_importjob", raise_exception=True)
def import_list(request: AuthedRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if request.user.region is None:
            raise Http404
        if outcome := perform(request, services.upload_import, form=form):
            return redirect(outcome.value)
    jobs = selectors.recent_imports(user=request.user)
    return render(request, "registry/import_list.html", {"form": form, "jobs": jobs})


def _import_context(request: AuthedRequest, job: ImportJob) -> dict[str, Any]:
    summary = job.summary or {}
    return {
        "job": job,
        "actions": selectors.actions_for(request.user, job),
        "summary": summary,
        "issues": [issue_from_dict(data) for data in summary.get("issues", [])],
        "progress": read_progress(job) if job.is_running else summary.get("total", 0),
        "total": summary.get("total", 0),
        "progress_url": reverse("registry:import-progress", args=[job.pk]),
    }


@permission_required("registry.add_importjob", raise_exception=True)
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    context = _import_context(request, job)
    if "map" in context["actions"]:
        context["mapping_form"] = ImportMappingForm(
            headers=job.summary.get("headers", []), kind=job.kind, initial_mapping=job.mapping
        )
    return render(request, "registry/import_detail.html", context)


@permission_required("registry.add_importjob", raise_exception=True)
def import_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress fragment the import page polls every second while the job runs."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    response = render(request, "_import_progress.html", _import_context(request, job))
    if not job.is_running and request.htmx:
        # Finished: reload the whole page once, to show the report and the next step.
        response["HX-Refresh"] = "true"
    return response


@require_POST
@permission_required("registry.add_importjob", raise_exception=True)
def import_map(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    form = ImportMappingForm(request.POST, headers=job.summary.get("headers", []), kind=job.kind, initial_mapping={})
    return act(request, services.map_import_columns, back=job, form=form, job=job)


@require_POST
@permission_required("registry.add_importjob", raise_exception=True)
def import_commit(request: AuthedRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    accepted_only = request.POST.get("accepted_only") == "on"
    return act(
        request,
        services.commit_import_job,
        back=job,
        confirm=lambda: _commit_confirmation(request, job, accepted_only=accepted_only),
        job=job,
        accepted_only=accepted_only,
    )


def _commit_confirmation(request: AuthedRequest, job: ImportJob, *, accepted_only: bool) -> Confirmation | None:
    """Storing a checked file: the rows its check counted, new and changed, and what is skipped."""
    if "commit" not in selectors.actions_for(request.user, job):
        return None
    summary = job.summary or {}
    effects = [
        _("%(created)s new and %(changed)s changed records of %(file)s are stored.")
        % {
            "created": number(summary.get("created", 0)),
            "changed": number(summary.get("updated", 0)),
            "file": job.original_name,
        }
    ]
    if accepted_only and summary.get("rejected"):
        effects.append(_("%(count)s rejected rows are skipped.") % {"count": number(summary["rejected"])})
    return Confirmation(
        title=_("Import %(file)s?") % {"file": job.original_name},
        effects=effects,
        rows=[
            (_("Rows in the file"), number(summary.get("total", 0))),
            (_("Accepted"), number(summary.get("accepted", 0))),
            (_("Rejected"), number(summary.get("rejected", 0))),
            (_("New"), number(summary.get("created", 0))),
            (_("Changed"), number(summary.get("updated", 0))),
        ],
        final=_("The import cannot be taken back as a whole: each changed record keeps its history, one by one."),
        button=_("Import"),
    )


@permission_required("registry.add_importjob", raise_exception=True)
def import_report(request: AuthedRequest, pk: int) -> HttpResponseBase:
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    return protected_file_response(job.report, as_attachment=True, filename=f"berdaya-import-{job.pk}-report.xlsx")


# --- the access log of personal data ---------------------------------------------------------------------------


@permission_required("registry.view_disclosure", raise_exception=True)
def disclosure_list(request: AuthedRequest) -> HttpResponse:
    """Who was shown whose full personal data, when and from where: the Admin Dinas's page, filtered and paged."""
    form = DisclosureFilterForm(request.GET or None, user=request.user)
    log = selectors.disclosures_for_list(user=request.user, **form.filters())
    context = {"form": form, "page": Paginator(log, PAGE_SIZE).get_page(request.GET.get("page"))}
    template = "registry/_disclosure_rows.html" if request.htmx else "registry/disclosure_list.html"
    return render(request, template, context)


@permission_required("registry.view_disclosure", raise_exception=True)
def disclosure_export(request: AuthedRequest) -> StreamingHttpResponse:
    """The filtered access log as a spreadsheet (CSV)."""
    form = DisclosureFilterForm(request.GET or None, user=request.user)
    log = selectors.disclosures_for_list(user=request.user, **form.filters())
    header = [
        _("When"),
        _("Seen by"),
        _("Username"),
        _("Kind"),
        _("Document"),
        _("Rows"),
        _("Person"),
        _("Region"),
        _("IP address"),
        _("Browser"),
        _("Address of the page or file"),
    ]
    rows = (
        [
            timezone.localtime(d.at).strftime("%Y-%m-%d %H:%M:%S"),
            str(d.by),
            d.by.username,
            d.get_kind_display(),
            d.document,
            d.count,
            d.person.name if d.person else "",
            d.region_id,
            d.ip or "",
            d.user_agent,
            d.url,
        ]
        for d in log.iterator(chunk_size=2000)
    )
    return csv_response("berdaya-access-log.csv", header, rows)
