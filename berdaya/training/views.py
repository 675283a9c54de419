"""Thin views: parse, call one service or selector, render. Every record comes from `visible_to(user)`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from berdaya.groups.models import Kube, Membership
from berdaya.lib.errors import DomainError
from berdaya.lib.http import AuthedRequest
from berdaya.regions.models import Region

from . import selectors, services
from .forms import InviteForm, TrainingForm
from .models import Training


def _training(request: AuthedRequest, pk: int) -> Training:
    return get_object_or_404(Training.objects.visible_to(request.user).select_related("region"), pk=pk)


@permission_required("training.view_training", raise_exception=True)
def training_list(request: AuthedRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    context = {
        "trainings": selectors.training_list(user=request.user, kind=kind)[:200],
        "kinds": Training.Kind.choices,
        "kind": kind,
    }
    return render(request, "training/training_list.html", context)


@permission_required("training.add_training", raise_exception=True)
def training_create(request: AuthedRequest) -> HttpResponse:
    regions = Region.objects.visible_to(request.user).filter(level__in=[2, 3]).order_by("code")
    form = TrainingForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.create_training(by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(training)
    return render(request, "training/training_form.html", {"form": form})


def _invitable(request: AuthedRequest, training: Training) -> object:
    return (
        Kube.objects.visible_to(request.user)
        .running()
        .filter(village__code__startswith=f"{training.region_id}.")
        .order_by("name")
    )


@permission_required("training.view_training", raise_exception=True)
def training_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    training = _training(request, pk)
    can_change = request.user.has_perm("training.change_training")
    context = {
        "training": training,
        "participants": selectors.participants_of(training=training, user=request.user),
        "can_change": can_change,
        "invite_form": InviteForm(kubes=_invitable(request, training)) if can_change else None,  # type: ignore[arg-type]
    }
    return render(request, "training/training_detail.html", context)


@permission_required("training.change_training", raise_exception=True)
def training_invite(request: AuthedRequest, pk: int) -> HttpResponse:
    training = _training(request, pk)
    form = InviteForm(request.POST or None, kubes=_invitable(request, training))  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            added = services.invite_groups(training=training, kubes=form.cleaned_data["kubes"], by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)d members invited.") % {"count": len(added)})
    return redirect(training)


@permission_required("training.change_training", raise_exception=True)
def training_attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    training = _training(request, pk)
    if request.method == "POST":
        participants = list(selectors.participants_of(training=training, user=request.user))
        present_ids = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        attended = [p.membership for p in participants if p.membership_id in present_ids]
        skills = {p.membership_id: request.POST.get(f"skills-{p.membership_id}", p.skills) for p in participants}
        try:
            services.record_attendance(training=training, attended=attended, skills=skills, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Attendance saved."))
    return redirect(training)


@permission_required("groups.view_kube", raise_exception=True)
def member_history(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.visible_to(request.user).select_related("person", "kube"), pk=pk)
    context = {"membership": membership, "history": selectors.member_training_history(membership=membership)}
    return render(request, "training/member_history.html", context)
