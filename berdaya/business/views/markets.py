"""Pages of capital and markets: credit applications, partnerships, market events and the groups' stands."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.lib.actions import act
from berdaya.lib.confirm import Confirmation
from berdaya.lib.formats import day, rupiah
from berdaya.lib.http import AuthedRequest

from .. import selectors, services
from ..forms import CreditDecisionForm, CreditForm, MarketEventForm, ParticipationForm, PartnershipForm
from ..models import CreditApplication
from .common import VIEW, child, group


@permission_required(VIEW, raise_exception=True)
def access(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    today = timezone.localdate()
    found = selectors.access(kube=kube)
    context = {
        "kube": kube,
        "tab": "access",
        "credits": [(credit, selectors.actions_for(request.user, credit)) for credit in found.credits],
        "partnerships": found.partnerships,
        "participations": found.participations,
        "credit_form": CreditForm(initial={"applied_on": today}),
        "decision_form": CreditDecisionForm(initial={"decided_on": today}),
        "partnership_form": PartnershipForm(initial={"started_on": today}),
        "participation_form": ParticipationForm(events=selectors.events_for_kube(kube)),
    }
    return render(request, "business/access.html", context)


@require_POST
@permission_required("business.add_creditapplication", raise_exception=True)
def credit_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return act(
        request,
        services.apply_for_credit,
        back=reverse("business:access", args=[kube.pk]),
        form=CreditForm(request.POST),
        kube=kube,
        success=_("Application recorded."),
    )


@require_POST
@permission_required("business.add_creditapplication", raise_exception=True)
def credit_decide(request: AuthedRequest, pk: int, credit_pk: int) -> HttpResponse:
    kube = group(request, pk)
    application = child(request, CreditApplication, kube, credit_pk)
    form = CreditDecisionForm(request.POST)
    return act(
        request,
        services.decide_credit,
        back=reverse("business:access", args=[kube.pk]),
        form=form,
        application=application,
        success=_("Decision recorded."),
        confirm=lambda: _decide_confirmation(request, application, form),
    )


def _decide_confirmation(
    request: AuthedRequest, application: CreditApplication, form: CreditDecisionForm
) -> Confirmation | None:
    """Recording the bank's decision: the outcome and amount as they will stand."""
    if "decide" not in selectors.actions_for(request.user, application):
        return None
    outcome = CreditApplication.Outcome(form.cleaned_data["outcome"])
    approved = form.cleaned_data["amount_approved"]
    if outcome == CreditApplication.Outcome.APPROVED and approved is None:
        return None  # the service asks for the amount
    effects = [
        _("The application to %(lender)s for %(requested)s is recorded as %(outcome)s on %(date)s.")
        % {
            "lender": application.lender,
            "requested": rupiah(application.amount_requested),
            "outcome": outcome.label,
            "date": day(form.cleaned_data["decided_on"]),
        }
    ]
    if outcome == CreditApplication.Outcome.APPROVED:
        effects.append(_("Amount approved: %(amount)s.") % {"amount": rupiah(approved)})
    return Confirmation(
        title=_("Record the bank's decision?"),
        effects=effects,
        final=_("The decision cannot be changed afterwards."),
        button=_("Record the decision"),
    )


@require_POST
@permission_required("business.add_partnership", raise_exception=True)
def partnership_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return act(
        request,
        services.add_partnership,
        back=reverse("business:access", args=[kube.pk]),
        form=PartnershipForm(request.POST),
        kube=kube,
        success=_("Partnership recorded."),
    )


@require_POST
@permission_required("business.add_marketparticipation", raise_exception=True)
def participation_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return act(
        request,
        services.record_market_participation,
        back=reverse("business:access", args=[kube.pk]),
        form=ParticipationForm(request.POST, events=selectors.events_for_kube(kube)),
        kube=kube,
        success=_("Sales at the event recorded."),
    )


@permission_required(VIEW, raise_exception=True)
def event_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.has_perm("business.add_marketevent") or request.user.region is None:
            raise Http404
        return act(
            request,
            services.create_market_event,
            back=reverse("business:event-list"),
            form=MarketEventForm(request.POST),
            region=request.user.region,
            success=_("Saved."),
        )
    events = selectors.events_for_user(request.user)
    return render(request, "business/event_list.html", {"events": events, "form": MarketEventForm(), "tab": "events"})
