"""Thin views: parse, call one service or selector, render. Every record comes from `visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.lib.actions import act, confirm_first, perform
from berdaya.lib.confirm import Confirmation
from berdaya.lib.files import protected_file_response
from berdaya.lib.formats import day, number, rupiah
from berdaya.lib.history import record_history
from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region
from berdaya.registry.models import Disclosure

from . import documents, selectors, services
from .forms import (
    CycleForm,
    EndorseForm,
    JustifyForm,
    LetterheadForm,
    MinutesForm,
    NewNomineeForm,
    PickPersonForm,
    QuotaForm,
    ReasonForm,
    RelayForm,
    VervalForm,
)
from .models import Cycle, NominationList, Nominee, Verval


def _cycle(request: AuthedRequest, pk: int) -> Cycle:
    return get_object_or_404(Cycle.objects.visible_to(request.user), pk=pk)


def _list(request: AuthedRequest, pk: int) -> NominationList:
    return get_object_or_404(NominationList.objects.visible_to(request.user).select_related("cycle", "village"), pk=pk)


def _nominee(request: AuthedRequest, pk: int) -> Nominee:
    return get_object_or_404(
        Nominee.objects.visible_to(request.user).select_related("nomination_list__village", "cycle"), pk=pk
    )


# Cycles ----------------------------------------------------------------------------------------------------------


@permission_required("targeting.view_cycle", raise_exception=True)
def cycle_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "targeting/cycle_list.html", {"cycles": selectors.cycles_for_list(user=request.user)})


@permission_required("targeting.add_cycle", raise_exception=True)
def cycle_create(request: AuthedRequest) -> HttpResponse:
    form = CycleForm(request.POST or None)
    if request.method == "POST" and (done := perform(request, services.create_cycle, form=form)):
        return redirect(done.value)
    return render(request, "targeting/cycle_form.html", {"form": form})


@permission_required("targeting.change_cycle", raise_exception=True)
def cycle_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and perform(request, services.update_cycle, form=form, cycle=cycle):
        return redirect(cycle)
    return render(request, "targeting/cycle_form.html", {"form": form, "cycle": cycle})


@permission_required("targeting.view_cycle", raise_exception=True)
def cycle_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    dashboard = selectors.cycle_dashboard(cycle=cycle, user=request.user)
    if request.htmx:
        return render(request, "targeting/_dashboard.html", {"dashboard": dashboard, "cycle": cycle})
    return render(
        request,
        "targeting/cycle_detail.html",
        {
            "cycle": cycle,
            "actions": selectors.actions_for(request.user, cycle),
            "dashboard": dashboard,
            "own_list": selectors.own_list(cycle=cycle, user=request.user),
            "quota_form": QuotaForm(kecamatan=selectors.cycle_kecamatan(cycle=cycle, user=request.user)),
            "relay_form": RelayForm(kecamatan=selectors.relay_kecamatan(cycle=cycle, user=request.user)),
            "relayed": selectors.relayed_kecamatan(cycle=cycle),
            "history": record_history(cycle),
        },
    )


@require_POST
@permission_required("targeting.change_cycle", raise_exception=True)
def quota_set(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    form = QuotaForm(request.POST, kecamatan=Region.objects.visible_to(request.user).kecamatan())
    if not form.is_valid():
        messages.error(request, _("Choose a kecamatan and a quota of at least 1."))
        return redirect(cycle)
    return act(request, services.set_quota, back=cycle, form=form, cycle=cycle)


@require_POST
@permission_required("targeting.open_cycle", raise_exception=True)
def cycle_open(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    success = _("Nominations are open; the kecamatan have the call in their inbox.")
    return act(
        request,
        services.open_cycle,
        back=cycle,
        success=success,
        confirm=lambda: _open_confirmation(request, cycle),
        cycle=cycle,
    )


def _open_confirmation(request: AuthedRequest, cycle: Cycle) -> Confirmation | None:
    if "open" not in selectors.actions_for(request.user, cycle):
        return None
    quotas = selectors.cycle_quotas(cycle=cycle)
    if not quotas:
        return None  # the service asks for a quota first
    return Confirmation(
        title=_("Open nominations for %(cycle)s?") % {"cycle": cycle.name},
        effects=[
            _("The call goes to %(kecamatan)s kecamatan for %(households)s households in all.")
            % {"kecamatan": number(len(quotas)), "households": number(sum(h for _, h in quotas))},
            _("Budget %(budget)s, %(aid)s aid per member; villages nominate until %(deadline)s.")
            % {
                "budget": rupiah(cycle.budget),
                "aid": rupiah(cycle.aid_per_member),
                "deadline": day(cycle.nomination_deadline),
            },
        ],
        rows=[(name, number(households)) for name, households in quotas],
        rows_title=_("Quota per kecamatan (households)"),
        final=_("The cycle's rules (budget, aid per member, group size, age, welfare decile) and its quotas freeze."),
        button=_("Open nominations and send the call"),
    )


@require_POST
@permission_required("targeting.relay_call", raise_exception=True)
def cycle_relay(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    form = RelayForm(request.POST, kecamatan=selectors.relay_kecamatan(cycle=cycle, user=request.user))
    success = None
    if form.is_valid():
        success = _("The call went to the villages of %(kecamatan)s.") % {"kecamatan": form.cleaned_data["kecamatan"]}
    return act(request, services.relay_call, back=cycle, form=form, success=success, cycle=cycle)


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def list_start(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    village = request.user.region
    if village is None:
        raise Http404
    started = perform(request, services.start_list, cycle=cycle, village=village)
    return redirect(started.value if started else cycle)


@require_POST
@permission_required("targeting.decide", raise_exception=True)
def cycle_approve_clean(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    if (asked := confirm_first(request, lambda: _approve_clean_confirmation(request, cycle), back=cycle)) is not None:
        return asked
    if approved := perform(request, services.approve_verified_clean, cycle=cycle):
        count = len(approved.value)
        messages.success(request, _("%(count)d verified nominees without flags approved.") % {"count": count})
    return redirect(cycle)


def _approve_clean_confirmation(request: AuthedRequest, cycle: Cycle) -> Confirmation | None:
    if "approve_clean" not in selectors.actions_for(request.user, cycle):
        return None
    summary = selectors.approve_clean_summary(cycle=cycle, user=request.user)
    if not summary.count:
        return None  # nothing to approve: it runs and says so
    return Confirmation(
        title=_("Approve all verified nominees without flags?"),
        effects=[
            _("%(count)s verified nominees without flags and with a full verval checklist will be approved.")
            % {"count": number(summary.count)},
            _("Each kecamatan's quota still applies: nominees beyond it stay verified and wait for a decision."),
        ],
        rows=[(village, number(count)) for village, count in summary.by_village],
        rows_title=_("Nominees per village"),
        final=_("An approved nominee cannot be rejected afterwards; the decree will name them."),
        button=_("Approve them"),
    )


@require_POST
@permission_required("targeting.decide", raise_exception=True)
def cycle_decree(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    return act(
        request,
        services.issue_decree,
        back=cycle,
        success=_("The decree is issued."),
        confirm=lambda: _decree_confirmation(request, cycle),
        cycle=cycle,
    )


def _decree_confirmation(request: AuthedRequest, cycle: Cycle) -> Confirmation | None:
    if "issue_decree" not in selectors.actions_for(request.user, cycle):
        return None
    summary = selectors.decree_summary(cycle=cycle)
    if not summary.families or summary.verified:
        return None  # nothing to decree, or verified nominees still to decide: the service says so
    effects = [
        _("%(families)s families, %(amount)s will be decreed")
        % {"families": number(summary.families), "amount": rupiah(summary.amount)},
        _("The decree gets the next number of the Dinas and today's date; the cycle is then decided."),
    ]
    if summary.undecided:
        effects.append(
            _("%(count)s nominees not yet decided are left out of the decree.") % {"count": number(summary.undecided)}
        )
    return Confirmation(
        title=_("Issue the decree for %(cycle)s?") % {"cycle": cycle.name},
        effects=effects,
        rows=[(village, number(count)) for village, count in summary.by_village],
        rows_title=_("Families named, per village"),
        final=_("No nominee can be approved, rejected or added afterwards: the decree fixes the list."),
        button=_("Issue the decree"),
    )


@permission_required("targeting.view_cycle", raise_exception=True)
def cycle_sk_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    nominees = list(selectors.approved_nominees(cycle=cycle, user=request.user))
    pdf = documents.decree_pdf(
        cycle=cycle, nominees=nominees, letterhead=selectors.letterhead_for(cycle), user=request.user
    )
    _log_full_copy(request, cycle, nominees, Disclosure.Kind.SK_PDF)
    return _download(pdf, "application/pdf", f"sk-{cycle.pk}.pdf")


@permission_required("targeting.view_cycle", raise_exception=True)
def cycle_bnba_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    nominees = list(selectors.approved_nominees(cycle=cycle, user=request.user))
    data = documents.bnba_xlsx(cycle=cycle, nominees=nominees, user=request.user)
    _log_full_copy(request, cycle, nominees, Disclosure.Kind.BNBA_XLSX)
    return _download(data, documents.XLSX, f"bnba-{cycle.pk}.xlsx")


def _log_full_copy(request: AuthedRequest, cycle: Cycle, nominees: list[Nominee], kind: str) -> None:
    documents.log_full_copy(
        cycle=cycle, rows=documents.bnba_rows(nominees, user=request.user), kind=kind, request=request
    )


@permission_required("targeting.view_cycle", raise_exception=True)
def minutes_template_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = _cycle(request, pk)
    region = request.user.region
    village = region if region is not None and region.level == Region.Level.VILLAGE else None
    pdf = documents.minutes_template_pdf(cycle=cycle, village=village, letterhead=selectors.letterhead_for(cycle))
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
        "actions": selectors.actions_for(request.user, nomination_list),
        "nominees": selectors.list_nominees(nomination_list=nomination_list),
        "pick_form": PickPersonForm(persons=persons),
        "persons": persons,
        # Its own ids: the pick form beside it has fields of the same names.
        "new_form": NewNomineeForm(auto_id="new_%s"),
        "minutes_form": MinutesForm(),
        "reason_form": ReasonForm(),
        **extra,
    }


@permission_required("targeting.view_nominationlist", raise_exception=True)
def list_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    context = _list_context(request, nomination_list)
    context["transitions"] = selectors.list_steps(nomination_list=nomination_list)
    return render(request, "targeting/list_detail.html", context)


def _nominees_response(
    request: AuthedRequest, nomination_list: NominationList, form: forms.Form, *, invalid: str = ""
) -> HttpResponse:
    """After a change to the rows: the rows again for htmx (with what went wrong), else the list's page."""
    refusals = form.non_field_errors()
    error = str(refusals[0]) if refusals else (invalid if form.errors else "")
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(nomination_list)
    nomination_list.refresh_from_db()
    return render(request, "targeting/_nominees.html", _list_context(request, nomination_list, error=error))


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
    form = PickPersonForm(
        request.POST, persons=selectors.village_persons(nomination_list=nomination_list, user=request.user)
    )
    perform(request, services.nominate_person, form=form, nomination_list=nomination_list)
    return _nominees_response(
        request, nomination_list, form, invalid=_("Choose a person of this village and a reason.")
    )


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def list_add_new(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    form = NewNomineeForm(request.POST)
    perform(request, services.nominate_new, form=form, nomination_list=nomination_list)
    return _nominees_response(request, nomination_list, form, invalid=_("Fill in the NIK, name, KK number and reason."))


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def nominee_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    nomination_list = nominee.nomination_list
    if (
        asked := confirm_first(request, lambda: _remove_confirmation(request, nominee), back=nomination_list)
    ) is not None:
        return asked
    form = forms.Form({})  # no input: it carries a refusal to the rows
    if not perform(request, services.remove_nominee, form=form, nominee=nominee) and request.htmx:
        # As a full page would: the refusal also waits as a message, beside the one shown in the rows.
        messages.error(request, str(form.non_field_errors()[0]))
    return _nominees_response(request, nomination_list, form)


def _remove_confirmation(request: AuthedRequest, nominee: Nominee) -> Confirmation | None:
    if "remove" not in selectors.actions_for(request.user, nominee):
        return None
    return Confirmation(
        title=_("Remove %(name)s from the list?") % {"name": nominee.name},
        effects=[
            _("%(name)s is taken off the list of %(village)s, with the reason and any justification written for them.")
            % {"name": nominee.name, "village": nominee.nomination_list.village.name}
        ],
        final=_("To nominate them again, add them anew and write the reason again."),
        button=_("Remove"),
    )


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def list_minutes(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    form = MinutesForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the minutes file."))
        return redirect(nomination_list)
    return act(
        request,
        services.attach_minutes,
        back=nomination_list,
        form=form,
        success=_("Minutes attached."),
        nomination_list=nomination_list,
    )


@permission_required("targeting.view_nominationlist", raise_exception=True)
def list_minutes_download(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return protected_file_response(_list(request, pk).minutes, as_attachment=True)


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def list_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    success = _("The list is submitted to the kecamatan.")
    return act(
        request,
        services.submit_list,
        back=nomination_list,
        success=success,
        confirm=lambda: _list_confirmation(request, nomination_list, "submit"),
        nomination_list=nomination_list,
    )


@require_POST
@permission_required("targeting.endorse", raise_exception=True)
def list_endorse(request: AuthedRequest, pk: int) -> HttpResponse:
    nomination_list = _list(request, pk)
    return act(
        request,
        services.endorse_list,
        back=nomination_list,
        form=EndorseForm(request.POST),
        success=_("The list is endorsed and goes to the Dinas for verval."),
        confirm=lambda: _list_confirmation(request, nomination_list, "endorse"),
        nomination_list=nomination_list,
    )


def _list_confirmation(request: AuthedRequest, nomination_list: NominationList, step: str) -> Confirmation | None:
    """Submitting a village list (to the kecamatan) or endorsing it (to the Dinas): who goes, and what then freezes."""
    if step not in selectors.actions_for(request.user, nomination_list):
        return None
    names = list(nomination_list.nominees.order_by("name").values_list("name", flat=True))
    if not names:
        return None  # the service says the list is empty
    village = nomination_list.village.name
    if step == "submit":
        return Confirmation(
            title=_("Submit the list of %(village)s?") % {"village": village},
            effects=[
                _("%(count)s nominees of %(village)s go to the kecamatan for review.")
                % {"count": number(len(names)), "village": village}
            ],
            rows=[(name, "") for name in names],
            rows_title=_("Nominees"),
            final=_(
                "The village can no longer add, remove or change nominees; only the kecamatan can return the list."
            ),
            button=_("Submit the list to the kecamatan"),
        )
    return Confirmation(
        title=_("Endorse the list of %(village)s?") % {"village": village},
        effects=[
            _("All %(count)s nominees of %(village)s are endorsed and go to the Dinas for verval.")
            % {"count": number(len(names)), "village": village}
        ],
        rows=[(name, "") for name in names],
        rows_title=_("Nominees"),
        final=_("The kecamatan can no longer return this list to the village; only the Dinas can return it."),
        button=_("Endorse the whole list"),
    )


@require_POST
@permission_required("targeting.endorse", raise_exception=True)
def list_return(request: AuthedRequest, pk: int) -> HttpResponse:
    """The kecamatan returns a submitted list to its village."""
    nomination_list = _list(request, pk)
    return act(
        request,
        services.return_to_village,
        back=nomination_list,
        form=ReasonForm(request.POST),
        success=_("The list was returned."),
        nomination_list=nomination_list,
    )


@require_POST
@permission_required("targeting.decide", raise_exception=True)
def list_return_to_kecamatan(request: AuthedRequest, pk: int) -> HttpResponse:
    """The Dinas returns an endorsed list to its kecamatan."""
    nomination_list = _list(request, pk)
    return act(
        request,
        services.return_to_kecamatan,
        back=nomination_list,
        form=ReasonForm(request.POST),
        success=_("The list was returned."),
        nomination_list=nomination_list,
    )


# Nominees --------------------------------------------------------------------------------------------------------


@permission_required("targeting.view_nominee", raise_exception=True)
def nominee_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    return render(
        request,
        "targeting/nominee_detail.html",
        {
            "nominee": nominee,
            "actions": selectors.actions_for(request.user, nominee),
            "flags": nominee.flags.all(),
            "verval": getattr(nominee, "verval", None),
            "verval_form": VervalForm(),
            "reason_form": ReasonForm(),
            "transitions": selectors.nominee_steps(nominee=nominee),
            "history": record_history(nominee),
        },
    )


@permission_required("targeting.view_nominee", raise_exception=True)
def verval_photo(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The photo of a verval visit, for a user whose scope holds the nominee (a 404 otherwise)."""
    verval = get_object_or_404(Verval.objects.visible_to(request.user), pk=pk)
    return protected_file_response(verval.photo)


@require_POST
@permission_required("targeting.nominate", raise_exception=True)
def nominee_override(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    form = JustifyForm(request.POST)
    return act(
        request, services.override_flags, back=nominee, form=form, success=_("Justification recorded."), nominee=nominee
    )


@require_POST
@permission_required("targeting.verify", raise_exception=True)
def nominee_verify(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    form = VervalForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Enter the visit date."))
        return redirect(nominee)
    return act(
        request, services.verify_nominee, back=nominee, form=form, success=_("Verval recorded."), nominee=nominee
    )


@require_POST
@permission_required("targeting.decide", raise_exception=True)
def nominee_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    return act(
        request,
        services.approve_nominee,
        back=nominee,
        form=ReasonForm(request.POST),
        confirm=lambda: _decision_confirmation(request, nominee, "approve"),
        nominee=nominee,
    )


@require_POST
@permission_required("targeting.decide", raise_exception=True)
def nominee_reject(request: AuthedRequest, pk: int) -> HttpResponse:
    nominee = _nominee(request, pk)
    return act(
        request,
        services.reject_nominee,
        back=nominee,
        form=ReasonForm(request.POST),
        confirm=lambda: _decision_confirmation(request, nominee, "reject"),
        nominee=nominee,
    )


def _decision_confirmation(request: AuthedRequest, nominee: Nominee, step: str) -> Confirmation | None:
    """Approving or rejecting one nominee: who, from where, the reason as typed and who reads it."""
    if step not in selectors.actions_for(request.user, nominee):
        return None
    village = nominee.nomination_list.village.name
    reason = request.POST.get("reason", "").strip()
    if step == "reject":
        if not reason:
            return None  # the service says a reason is needed
        return Confirmation(
            title=_("Reject %(name)s?") % {"name": nominee.name},
            effects=[
                _("%(name)s of %(village)s is rejected and will not be named in the decree.")
                % {"name": nominee.name, "village": village},
                _("The village and the kecamatan will see this reason."),
            ],
            quote=reason,
            quote_label=_("Reason"),
            final=_("A rejected nominee cannot be approved again in this cycle."),
            button=_("Reject"),
        )
    place = selectors.quota_place(nominee=nominee)
    return Confirmation(
        title=_("Approve %(name)s?") % {"name": nominee.name},
        effects=[
            _("%(name)s of %(village)s is approved and will be named in the decree, with %(aid)s aid.")
            % {"name": nominee.name, "village": village, "aid": rupiah(nominee.cycle.aid_per_member)},
            _("%(kecamatan)s: %(approved)s of its %(quota)s households approved so far; this takes one more place.")
            % {"kecamatan": place.kecamatan, "approved": number(place.approved), "quota": number(place.quota)},
        ],
        quote=reason,
        quote_label=_("Reason") if reason else "",
        final=_("An approved nominee cannot be rejected afterwards."),
        button=_("Approve"),
    )


# Settings --------------------------------------------------------------------------------------------------------


@permission_required("targeting.change_letterhead", raise_exception=True)
def letterhead_edit(request: AuthedRequest) -> HttpResponse:
    region = request.user.region
    if region is None:
        raise Http404
    instance = selectors.letterhead_of(region_id=region.code)
    form = LetterheadForm(request.POST or None, request.FILES or None, instance=instance)
    if request.method == "POST" and perform(
        request, services.save_letterhead, form=form, success=_("Letterhead saved."), region=region
    ):
        return redirect("targeting:letterhead")
    return render(request, "targeting/letterhead_form.html", {"form": form})
