"""Thin views: parse, call one service or selector, render. Every record comes from `visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.lib.errors import DomainError
from berdaya.lib.history import record_history
from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region
from berdaya.registry.models import Person

from . import documents, selectors, services
from .forms import (
    CycleForm,
    LetterheadForm,
    MinutesForm,
    NewNomineeForm,
    PickPersonForm,
    QuotaForm,
    ReasonForm,
    RelayForm,
    VervalForm,
)
from .models import Cycle, Letterhead, NominationList, Nominee, Notification


def _cycle(request: AuthedRequest, pk: int) -> Cycle:
    return get_object_or_404(Cycle.objects.visible_to(request.user), pk=pk)


def _list(request: AuthedRequest, pk: int) -> NominationList:
    return get_object_or_404(NominationList.objects.visible_to(request.user).select_related("cycle", "village"), pk=pk)


def _nominee(request: AuthedRequest, pk: int) -> Nominee:
    return get_object_or_404(
        Nominee.objects.visible_to(request.user).select_related("nomination_list__village", "cycle"), pk=pk
    )


def _kecamatan_choices(request: AuthedRequest, cycle: Cycle) -> list[tuple[str, str]]:
    return [
        (q.kecamatan_id, q.kecamatan.name) for q in cycle.quotas.visible_to(request.user).select_related("kecamatan")
    ]


def _run(request: AuthedRequest, action: Any, **kwargs: Any) -> bool:
    """Call a service; a refusal becomes an error message for the user."""
    try:
        action(by=request.user, **kwargs)
    except DomainError as error:
        messages.error(request, error.message)
        return False
    return True


# Cycles ----------------------------------------------------------------------------------------------------------


@permission_required("targeting.view_cycle", raise_exception=True)
def cycle_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "targeting/cycle_list.html", {"cycles": selectors.cycles_for_list(user=request.user)})


@permission_required("targeting.add_cycle", raise_exception=True)
def cycle_create(request: AuthedRequest) -> HttpResponse:
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.create_cycle(by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(cycle)
    return render(request, "targeting/cycle_form.html", {"form": form})


@permission_required("targeting.change_cycle", raise_exception=True)
def cycle_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.update_cycle(cycle=Cycle.objects.get(pk=cycle.pk), by=request.user, **fields)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(cycle)
    return render(request, "targeting/cycle_form.html", {"form": form, "cycle": cycle})


@permission_required("targeting.view_cycle", raise_exception=True)
def cycle_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    dashboard = selectors.cycle_dashboard(cycle=cycle, user=request.user)
    if request.htmx:
        return render(request, "targeting/_dashboard.html", {"dashboard": dashboard, "cycle": cycle})
    kecamatan = Region.objects.visible_to(request.user).filter(
        level=Region.Level.KECAMATAN, code__startswith=f"{cycle.region_id}."
    )
    own_list = None
    if request.user.region_id and request.user.region_id.count(".") == 3:
        own_list = NominationList.objects.filter(cycle=cycle, village_id=request.user.region_id).first()
    return render(
        request,
        "targeting/cycle_detail.html",
        {
            "cycle": cycle,
            "dashboard": dashboard,
            "own_list": own_list,
            "quota_form": QuotaForm(kecamatan_choices=[(k.code, k.name) for k in kecamatan]),
            "relay_form": RelayForm(kecamatan_choices=_kecamatan_choices(request, cycle)),
            "relayed": set(cycle.relays.values_list("kecamatan_id", flat=True)),
            "history": record_history(cycle),
        },
    )


@require_POST
@permission_required("targeting.change_cycle", raise_exception=True)
def quota_set(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    kecamatan = Region.objects.visible_to(request.user).filter(level=Region.Level.KECAMATAN)
    form = QuotaForm(request.POST, kecamatan_choices=[(k.code, k.name) for k in kecamatan])
    if form.is_valid():
        region = kecamatan.get(code=form.cleaned_data["kecamatan"])
        _run(request, services.set_quota, cycle=cycle, kecamatan=region, households=form.cleaned_data["households"])
    else:
        messages.error(request, _("Choose a kecamatan and a quota of at least 1."))
    return redirect(cycle)


@require_POST
@permission_required("targeting.open_cycle", raise_exception=True)
def cycle_open(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    if _run(request, services.open_cycle, cycle=cycle):
        messages.success(request, _("Nominations are open; the kecamatan have the call in their inbox."))
    return redirect(cycle)


@require_POST
@permission_required("targeting.relay_call", raise_exception=True)
def cycle_relay(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    form = RelayForm(request.POST, kecamatan_choices=_kecamatan_choices(request, cycle))
    if form.is_valid():
        kecamatan = get_object_or_404(Region.objects.visible_to(request.user), pk=form.cleaned_data["kecamatan"])
        if _run(request, services.relay_call, cycle=cycle, kecamatan=kecamatan, note=form.cleaned_data["note"]):
            messages.success(request, _("The call went to the villages of %(kecamatan)s.") % {"kecamatan": kecamatan})
    return redirect(cycle)


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def list_start(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    village = request.user.region
    if village is None:
        raise Http404
    try:
        nomination_list = services.start_list(cycle=cycle, village=village, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(cycle)
    return redirect(nomination_list)


@require_POST
@permission_required("targeting.decide", raise_exception=True)
def cycle_approve_clean(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    nominees = Nominee.objects.visible_to(request.user).filter(cycle=cycle)
    approved = services.approve_verified_clean(cycle=cycle, nominees=nominees, by=request.user)
    messages.success(request, _("%(count)d verified nominees without flags approved.") % {"count": len(approved)})
    return redirect(cycle)


@require_POST
@permission_required("targeting.decide", raise_exception=True)
def cycle_decree(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    if _run(request, services.issue_decree, cycle=cycle):
        messages.success(request, _("The decree is issued."))
    return redirect(cycle)


@permission_required("targeting.view_cycle", raise_exception=True)
def cycle_sk_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    nominees = list(selectors.approved_nominees(cycle=cycle, user=request.user))
    pdf = documents.decree_pdf(cycle=cycle, nominees=nominees, letterhead=services.letterhead_for(cycle))
    return _download(pdf, "application/pdf", f"sk-{cycle.pk}.pdf")


@permission_required("targeting.view_cycle", raise_exception=True)
def cycle_bnba_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    nominees = list(selectors.approved_nominees(cycle=cycle, user=request.user))
    data = documents.bnba_xlsx(cycle=cycle, nominees=nominees)
    return _download(data, documents.XLSX, f"bnba-{cycle.pk}.xlsx")


@permission_required("targeting.view_cycle", raise_exception=True)
def minutes_template_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    village = request.user.region if request.user.region and request.user.region.level == 4 else None
    pdf = documents.minutes_template_pdf(cycle=cycle, village=village, letterhead=services.letterhead_for(cycle))
    return _download(pdf, "application/pdf", "berita-acara-musyawarah-desa.pdf")


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Village lists ---------------------------------------------------------------------------------------------------


def _list_context(request: AuthedRequest, nomination_list: NominationList, **extra: Any) -> dict[str, Any]:
    persons = selectors.persons_to_nominate(nomination_list=nomination_list, user=request.user)
    return {
        "list": nomination_list,
        "cycle": nomination_list.cycle,
        "nominees": selectors.list_nominees(nomination_list=nomination_list),
        "pick_form": PickPersonForm(persons=persons),
        "persons": persons,
        # Its own ids: the pick form beside it has fields of the same names.
        "new_form": NewNomineeForm(auto_id="new_%s"),
        "minutes_form": MinutesForm(),
        "reason_form": ReasonForm(),
        "editable": nomination_list.status == NominationList.Status.DRAFT,
        **extra,
    }


@permission_required("targeting.view_nominationlist", raise_exception=True)
def list_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    context = _list_context(request, nomination_list)
    context["transitions"] = nomination_list.transitions.filter(nominee=None).select_related("by")
    return render(request, "targeting/list_detail.html", context)


def _nominees_response(request: AuthedRequest, nomination_list: NominationList, **extra: Any) -> HttpResponse:
    if not request.htmx:
        return redirect(nomination_list)
    nomination_list.refresh_from_db()
    return render(request, "targeting/_nominees.html", _list_context(request, nomination_list, **extra))


@permission_required("targeting.nominate", raise_exception=True)
def list_person_search(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    persons = selectors.persons_to_nominate(
        nomination_list=nomination_list, user=request.user, query=request.GET.get("q", "")
    )
    return render(request, "targeting/_person_options.html", {"persons": persons})


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def list_pick(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    persons = Person.objects.visible_to(request.user).filter(household__village=nomination_list.village)
    form = PickPersonForm(request.POST, persons=persons)
    error = ""
    if form.is_valid():
        try:
            services.nominate_person(nomination_list=nomination_list, by=request.user, **form.cleaned_data)
        except DomainError as refused:
            error = refused.message
    else:
        error = _("Choose a person of this village and a reason.")
    if error and not request.htmx:
        messages.error(request, error)
    return _nominees_response(request, nomination_list, error=error)


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def list_add_new(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    form = NewNomineeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.nominate_new(nomination_list=nomination_list, by=request.user, **form.cleaned_data)
        except DomainError as refused:
            error = refused.message
    else:
        error = _("Fill in the NIK, name, KK number and reason.")
    if error and not request.htmx:
        messages.error(request, error)
    return _nominees_response(request, nomination_list, error=error)


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def nominee_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    nomination_list = nominee.nomination_list
    error = ""
    try:
        services.remove_nominee(nominee=nominee, by=request.user)
    except DomainError as refused:
        error = refused.message
        messages.error(request, error)
    return _nominees_response(request, nomination_list, error=error)


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def list_minutes(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    form = MinutesForm(request.POST, request.FILES)
    if form.is_valid():
        if _run(
            request,
            services.attach_minutes,
            nomination_list=nomination_list,
            file=form.cleaned_data["file"],
            meeting_date=form.cleaned_data["meeting_date"],
        ):
            messages.success(request, _("Minutes attached."))
    else:
        messages.error(request, _("Choose the minutes file."))
    return redirect(nomination_list)


@permission_required("targeting.view_nominationlist", raise_exception=True)
def list_minutes_download(request: AuthedRequest, pk: int) -> FileResponse:
    nomination_list = _list(request, pk)
    if not nomination_list.minutes:
        raise Http404
    return FileResponse(nomination_list.minutes.open("rb"), as_attachment=True)


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def list_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    if _run(request, services.submit_list, nomination_list=nomination_list):
        messages.success(request, _("The list is submitted to the kecamatan."))
    return redirect(nomination_list)


@require_POST
@permission_required("targeting.endorse", raise_exception=True)
def list_endorse(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    if _run(request, services.endorse_list, nomination_list=nomination_list, note=form.cleaned_data.get("reason", "")):
        messages.success(request, _("The list is endorsed and goes to the Dinas for verval."))
    return redirect(nomination_list)


@require_POST
@permission_required("targeting.view_nominationlist", raise_exception=True)
def list_return(request: AuthedRequest, pk: int) -> HttpResponse:
    """Return a list one step: the kecamatan to the village, the Dinas to the kecamatan."""
    nomination_list = _list(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    if nomination_list.status == NominationList.Status.SUBMITTED and request.user.has_perm("targeting.endorse"):
        action: Any = services.return_to_village
    elif nomination_list.status == NominationList.Status.ENDORSED and request.user.has_perm("targeting.decide"):
        action = services.return_to_kecamatan
    else:
        messages.error(request, _("You cannot return this list now."))
        return redirect(nomination_list)
    if _run(request, action, nomination_list=nomination_list, reason=reason):
        messages.success(request, _("The list was returned."))
    return redirect(nomination_list)


# Nominees --------------------------------------------------------------------------------------------------------


@permission_required("targeting.view_nominee", raise_exception=True)
def nominee_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    return render(
        request,
        "targeting/nominee_detail.html",
        {
            "nominee": nominee,
            "flags": nominee.flags.all(),
            "verval": getattr(nominee, "verval", None),
            "verval_form": VervalForm(),
            "reason_form": ReasonForm(),
            "transitions": nominee.transitions.select_related("by"),
            "history": record_history(nominee),
        },
    )


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def nominee_override(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    if _run(request, services.override_flags, nominee=nominee, justification=form.cleaned_data.get("reason", "")):
        messages.success(request, _("Justification recorded."))
    return redirect(nominee)


@require_POST
@permission_required("targeting.verify", raise_exception=True)
def nominee_verify(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    form = VervalForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        if _run(
            request,
            services.verify_nominee,
            nominee=nominee,
            visit_date=data["visit_date"],
            checklist=form.checklist(),
            photo=data.get("photo"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            notes=data.get("notes", ""),
        ):
            messages.success(request, _("Verval recorded."))
    else:
        messages.error(request, _("Enter the visit date."))
    return redirect(nominee)


@require_POST
@permission_required("targeting.decide", raise_exception=True)
def nominee_decide(request: AuthedRequest, pk: int, decision: str) -> HttpResponse:
    nominee = _nominee(request, pk)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    if decision == "approve":
        _run(request, services.approve_nominee, nominee=nominee, reason=reason)
    else:
        _run(request, services.reject_nominee, nominee=nominee, reason=reason)
    return redirect(request.POST.get("next") or nominee.get_absolute_url())


# Inbox and settings ----------------------------------------------------------------------------------------------


def inbox(request: AuthedRequest) -> HttpResponse:
    return render(request, "targeting/inbox.html", {"notifications": selectors.inbox(user=request.user)[:100]})


@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    services.mark_read(notification=notification, by=request.user)
    return redirect(notification.url or "targeting:inbox")


@permission_required("targeting.change_letterhead", raise_exception=True)
def letterhead_edit(request: AuthedRequest) -> HttpResponse:
    region = request.user.region
    if region is None:
        raise Http404
    instance = Letterhead.objects.filter(region=region).first() or Letterhead(region=region)
    form = LetterheadForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        if fields.get("logo") is None:
            fields.pop("logo")
        try:
            services.save_letterhead(region=region, by=request.user, **fields)
        except DomainError as error:
            form.add_error("number_format", error.message)
        else:
            messages.success(request, _("Letterhead saved."))
            return redirect("targeting:letterhead")
    return render(request, "targeting/letterhead_form.html", {"form": form})
