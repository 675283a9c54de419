from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from django.views.decorators.http import require_POST

from berdaya.lib.actions import confirm_first, perform
from berdaya.lib.confirm import Confirmation
from berdaya.lib.formats import number
from berdaya.lib.history import record_history
from berdaya.lib.http import AuthedRequest, form_errors, record_id
from berdaya.lib.stored_text import in_office_language
from berdaya.registry.models import Person

from . import selectors
from .forms import ReviewForm
from .models import MatchCandidate, MergedPerson
from .services import merge_persons, review_candidate, start_screening
from .tasks import run_screening


@permission_required("screening.view_matchcandidate", raise_exception=True)
def candidate_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", MatchCandidate.Status.PENDING)
    page = Paginator(selectors.candidates_for_queue(user=request.user, status=status), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "status": status,
        "statuses": MatchCandidate.Status.choices,
        "counts": selectors.status_counts(user=request.user),
        "runs": selectors.recent_runs(user=request.user),
        "q": request.GET.get("q", ""),
        "merged": selectors.merged_records(user=request.user, query=request.GET.get("q", "")),
    }
    return render(request, "screening/candidate_list.html", context)


@require_POST
@permission_required("screening.add_screeningrun", raise_exception=True)
def run_start(request: AuthedRequest) -> HttpResponse:
    outcome = perform(
        request,
        start_screening,
        region_code=request.user.region_id or "",
        trigger=in_office_language(N_("on demand")),
        success=_("Screening started. New pairs appear here when it finishes."),
    )
    if outcome:
        run_screening.enqueue(outcome.value.pk)
    return redirect("screening:candidate-list")


@permission_required("screening.view_matchcandidate", raise_exception=True)
def run_status(request: AuthedRequest) -> HttpResponse:
    """The recent runs; htmx polls it while one is running."""
    return render(request, "screening/_runs.html", {"runs": selectors.recent_runs(user=request.user)})


@permission_required("screening.view_matchcandidate", raise_exception=True)
def candidate_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        MatchCandidate.objects.visible_to(request.user).select_related("left__household", "right__household"), pk=pk
    )
    history = record_history(candidate) if request.user.has_perm("accounts.view_history") else []
    context = {"candidate": candidate, "history": history, "actions": selectors.actions_for(request.user, candidate)}
    return render(request, "screening/candidate_detail.html", context)


@require_POST
@permission_required("screening.change_matchcandidate", raise_exception=True)
def candidate_review(request: AuthedRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(MatchCandidate.objects.visible_to(request.user), pk=pk)
    form = ReviewForm(request.POST)
    if outcome := perform(request, review_candidate, form=form, candidate=candidate):
        candidate = outcome.value
    errors = form_errors(form)
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        return redirect(candidate)
    context = {
        "candidate": candidate,
        "error": errors[0] if errors else None,
        "actions": selectors.actions_for(request.user, candidate),
    }
    return render(request, "screening/_decision.html", context)


@require_POST
@permission_required("screening.merge_persons", raise_exception=True)
def candidate_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(MatchCandidate.objects.visible_to(request.user), pk=pk)
    keep = get_object_or_404(Person.objects.visible_to(request.user), pk=record_id(request.POST.get("keep")) or 0)
    if (
        asked := confirm_first(request, lambda: _merge_confirmation(request, candidate, keep), back=candidate)
    ) is not None:
        return asked
    outcome = perform(request, merge_persons, candidate=candidate, keep=keep)
    if not outcome:
        return redirect(candidate)
    result = outcome.value
    messages.success(
        request, _("Merged into %(name)s; %(moved)d linked records moved.") % {"name": keep, "moved": result.moved}
    )
    return redirect(result.kept)


def _merge_confirmation(request: AuthedRequest, candidate: MatchCandidate, keep: Person) -> Confirmation | None:
    """Merging a pair: which record stays, which goes, and how many linked rows move."""
    if "merge" not in selectors.actions_for(request.user, candidate) or keep.pk not in (
        candidate.left_id,
        candidate.right_id,
    ):
        return None  # the service says why not
    kept, gone = (
        (candidate.left_label, candidate.right_label)
        if keep.pk == candidate.left_id
        else (candidate.right_label, candidate.left_label)
    )
    duplicate = candidate.right if keep.pk == candidate.left_id else candidate.left
    if duplicate is None:
        return None  # one record is already gone: the service says the pair cannot be merged
    moving = selectors.references_to(duplicate)
    return Confirmation(
        title=_("Merge the two records?"),
        effects=[
            _("%(kept)s is kept; %(gone)s is deleted and its old id and NIK lead to the kept record.")
            % {"kept": kept, "gone": gone},
            _("%(count)s linked records move to the kept record.") % {"count": number(sum(n for _, n in moving))},
        ],
        rows=[(kind, number(count)) for kind, count in moving],
        rows_title=_("Linked records that move"),
        final=_("The two records cannot be separated again."),
        button=_("Merge"),
    )


def merged_person(request: AuthedRequest, old_id: int) -> HttpResponseRedirect:
    """An old person id from before a merge leads to the record it was merged into."""
    merged = get_object_or_404(MergedPerson.objects.visible_to(request.user), old_id=old_id)
    return redirect(merged.kept)
