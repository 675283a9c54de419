"""Thin views: parse, call one service or selector, render. Every record comes from `visible_to(user)`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from berdaya.groups.models import Membership
from berdaya.lib.actions import act, perform
from berdaya.lib.http import AuthedRequest, form_errors

from . import selectors, services
from .forms import AttendanceForm, InviteForm, TrainingForm
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
    form = TrainingForm(request.POST or None, regions=selectors.training_regions(user=request.user))
    if request.method == "POST" and (created := perform(request, services.create_training, form=form)):
        return redirect(created.value)
    return render(request, "training/training_form.html", {"form": form})


@permission_required("training.view_training", raise_exception=True)
def training_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    training = _training(request, pk)
    actions = selectors.actions_for(request.user, training)
    context = {
        "training": training,
        "actions": actions,
        "participants": selectors.participants_of(training=training, user=request.user),
        "invite_form": InviteForm(kubes=selectors.invitable_kubes(training=training, user=request.user))
        if "invite" in actions
        else None,
    }
    return render(request, "training/training_detail.html", context)


@permission_required("training.change_training", raise_exception=True)
def training_invite(request: AuthedRequest, pk: int) -> HttpResponse:
    training = _training(request, pk)
    if request.method != "POST":
        return redirect(training)
    form = InviteForm(request.POST, kubes=selectors.invitable_kubes(training=training, user=request.user))
    invited = perform(request, services.invite_groups, form=form, training=training)
    if invited:
        messages.success(request, _("%(count)d members invited.") % {"count": len(invited.value)})
    for message in form_errors(form):
        messages.error(request, message)
    return redirect(training)


@permission_required("training.change_training", raise_exception=True)
def training_attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    training = _training(request, pk)
    if request.method != "POST":
        return redirect(training)
    participants = list(selectors.participants_of(training=training, user=request.user))
    form = AttendanceForm(request.POST, participants=participants)
    return act(
        request, services.record_attendance, back=training, form=form, success=_("Attendance saved."), training=training
    )


@permission_required("groups.view_kube", raise_exception=True)
def member_history(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.visible_to(request.user).select_related("person", "kube"), pk=pk)
    context = {
        "membership": membership,
        "history": selectors.member_training_history(membership=membership, user=request.user),
    }
    return render(request, "training/member_history.html", context)
