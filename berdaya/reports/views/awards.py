"""Award pages: the rounds, one round (shortlist, left out and why, ranking), one entry with the committee's form,
and the result as PDF and XLSX."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.lib.actions import act, perform
from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region
from berdaya.reports import awards
from berdaya.reports.forms import AssessmentForm, AwardRoundForm
from berdaya.reports.models import Assessment, AwardEntry, AwardRound

VIEW = "reports.view_awardround"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(request: AuthedRequest, pk: int) -> AwardRound:
    return get_object_or_404(AwardRound.objects.visible_to(request.user).select_related("region"), pk=pk)


def _entry(request: AuthedRequest, pk: int) -> AwardEntry:
    entries = AwardEntry.objects.visible_to(request.user).select_related("round__region", "kube", "facilitator")
    return get_object_or_404(entries.filter(shortlisted=True), pk=pk)


@permission_required(VIEW, raise_exception=True)
def award_list(request: AuthedRequest) -> HttpResponse:
    rounds = AwardRound.objects.visible_to(request.user).select_related("region")
    return render(request, "reports/awards_list.html", {"rounds": rounds})


@permission_required("reports.add_awardround", raise_exception=True)
def award_create(request: AuthedRequest) -> HttpResponse:
    regencies = Region.objects.visible_to(request.user).filter(level=Region.Level.REGENCY).order_by("code")
    form = AwardRoundForm(request.POST or None, regencies=regencies)
    if request.method == "POST":
        outcome = perform(request, awards.create_round, form=form, success=_("The award round was opened."))
        if outcome:
            return redirect(outcome.value)
    return render(request, "reports/awards_form.html", {"form": form})


@permission_required(VIEW, raise_exception=True)
def award_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    award = _round(request, pk)
    entries = list(award.entries.select_related("kube", "facilitator"))
    mine = set(Assessment.objects.filter(entry__round=award, assessor=request.user).values_list("entry_id", flat=True))
    context = {
        "award": award,
        "actions": awards.actions_for(request.user, award),
        "ranked": awards.ranking(award),
        "left_out": [entry for entry in entries if not entry.shortlisted],
        "mine": mine,
    }
    return render(request, "reports/awards_detail.html", context)


@require_POST
@permission_required("reports.add_awardround", raise_exception=True)
def award_shortlist(request: AuthedRequest, pk: int) -> HttpResponse:
    award = _round(request, pk)
    return act(request, awards.build_shortlist, back=award, success=_("The shortlist was built."), award=award)


@permission_required(VIEW, raise_exception=True)
def award_entry(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    award = entry.round
    can_assess = "assess" in awards.actions_for(request.user, award)
    own = Assessment.objects.filter(entry=entry, assessor=request.user).first()
    form = AssessmentForm(request.POST or None, instance=own) if can_assess else None
    if request.method == "POST":
        if form is None:
            return HttpResponse(status=403)
        outcome = perform(
            request, awards.record_assessment, form=form, success=_("Your marks were recorded."), entry=entry
        )
        if outcome:
            return redirect(award)
    context = {
        "award": award,
        "entry": entry,
        "form": form,
        "own": own,
        "assessments": entry.assessments.select_related("assessor"),
    }
    return render(request, "reports/awards_entry.html", context)


@require_POST
@permission_required("reports.add_assessment", raise_exception=True)
def award_close(request: AuthedRequest, pk: int) -> HttpResponse:
    award = _round(request, pk)
    return act(
        request, awards.close_assessment, back=award, success=_("The committee's marking is closed."), award=award
    )


@require_POST
@permission_required("reports.decide_awardround", raise_exception=True)
def award_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    award = _round(request, pk)
    return act(
        request,
        awards.decide_round,
        back=award,
        confirm=lambda: awards.decide_confirmation(award),
        success=_("The result was decided."),
        award=award,
    )


@permission_required(VIEW, raise_exception=True)
def award_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    award = _round(request, pk)
    return _download(awards.result_pdf(award=award), "application/pdf", f"penghargaan-{award.year}-{award.pk}.pdf")


@permission_required(VIEW, raise_exception=True)
def award_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    award = _round(request, pk)
    return _download(awards.result_xlsx(award=award), XLSX, f"penghargaan-{award.year}-{award.pk}.xlsx")


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
