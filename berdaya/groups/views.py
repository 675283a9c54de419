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
from berdaya.targeting.services import letterhead_for

from . import documents, selectors, services
from .forms import (
    AssignForm,
    KubeCreateForm,
    KubeProfileForm,
    KubeRulesForm,
    LeaveForm,
    MemberAddForm,
    OfficersForm,
    ReplaceForm,
    StatusForm,
)
from .models import FacilitatorAssignment, Kube, Membership


def _kube(request: AuthedRequest, pk: int) -> Kube:
    return get_object_or_404(
        Kube.objects.visible_to(request.user).select_related("cycle", "village__parent", "facilitator"), pk=pk
    )


def _membership(request: AuthedRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.visible_to(request.user).select_related("kube__cycle", "kube__village__parent", "person"),
        pk=pk,
    )


def _nominees_for(request: AuthedRequest, kube: Kube) -> Any:
    return selectors.available_nominees(cycle=kube.cycle, kecamatan_code=kube.kecamatan_code, user=request.user)


@permission_required("groups.view_kube", raise_exception=True)
def kube_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    kubes = selectors.kube_list(
        user=request.user, status=status, query=request.GET.get("q", ""), kecamatan=request.GET.get("kecamatan", "")
    )
    context = {
        "kubes": kubes[:200],
        "statuses": Kube.Status.choices,
        "status": status,
        "kecamatan_options": selectors.kecamatan_for(user=request.user),
    }
    return render(request, "groups/kube_list.html", context)


@permission_required("groups.add_kube", raise_exception=True)
def kube_create(request: AuthedRequest) -> HttpResponse:
    cycles = selectors.cycles_with_approvals(user=request.user)
    kecamatan_options = selectors.kecamatan_for(user=request.user)
    cycle = cycles.filter(pk=request.GET.get("cycle") or 0).first()
    kecamatan = kecamatan_options.filter(code=request.GET.get("kecamatan", "")).first()
    form = None
    if cycle is not None and kecamatan is not None:
        form = KubeCreateForm(
            request.POST or None,
            villages=kecamatan.children.order_by("name"),
            nominees=selectors.available_nominees(cycle=cycle, kecamatan_code=kecamatan.code, user=request.user),
            facilitators=selectors.facilitators_for(user=request.user),
        )
        if request.method == "POST" and form.is_valid():
            try:
                kube = services.form_kube(cycle=cycle, by=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The group was formed. Elect its officers next."))
                return redirect(kube)
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "kecamatan_options": kecamatan_options,
        "kecamatan": kecamatan,
        "form": form,
    }
    return render(request, "groups/kube_create.html", context)


@permission_required("groups.view_kube", raise_exception=True)
def kube_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    can_change = request.user.has_perm("groups.change_kube") and kube.status not in Kube.ENDED
    context: dict[str, Any] = {
        "kube": kube,
        "members": selectors.kube_members(kube=kube),
        "assignments": FacilitatorAssignment.objects.filter(kube=kube).select_related("facilitator"),
        "readiness": services.readiness_problems(kube) if kube.status == Kube.Status.FORMING else [],
        "can_change": can_change,
        "mentored": kube.status in Kube.MENTORED,
    }
    if can_change:
        context["officers_form"] = OfficersForm(kube=kube)
        context["add_form"] = MemberAddForm(nominees=_nominees_for(request, kube))
        context["status_form"] = StatusForm(allowed=services.TRANSITIONS[kube.status])
        context["assign_form"] = AssignForm(facilitators=selectors.facilitators_for(user=request.user))
    if request.user.has_perm("accounts.view_history"):
        context["history"] = record_history(kube)
    return render(request, "groups/kube_detail.html", context)


@permission_required("groups.change_kube", raise_exception=True)
def kube_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = KubeProfileForm(request.POST or None, request.FILES or None, instance=Kube.objects.get(pk=kube.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in KubeProfileForm.Meta.fields}
        try:
            services.update_kube(kube=kube, by=request.user, signboard=form.cleaned_data["signboard"], **fields)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(kube)
    return render(request, "groups/kube_form.html", {"kube": kube, "form": form, "title": _("Group profile")})


@permission_required("groups.change_kube", raise_exception=True)
def kube_rules(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = KubeRulesForm(request.POST or None, instance=Kube.objects.get(pk=kube.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_rules(kube=kube, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect(kube)
    return render(request, "groups/kube_form.html", {"kube": kube, "form": form, "title": _("Group rules (AD/ART)")})


def _done(request: AuthedRequest, back: Kube, form: Any, action: Any, **kwargs: Any) -> HttpResponse:
    """Run a service from a posted form; its refusal or the form's errors become messages."""
    if form.is_valid():
        try:
            action(by=request.user, **kwargs, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect(back)


@require_POST
@permission_required("groups.change_kube", raise_exception=True)
def kube_officers(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    return _done(request, kube, OfficersForm(request.POST, kube=kube), services.set_officers, kube=kube)


@require_POST
@permission_required("groups.add_membership", raise_exception=True)
def member_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = MemberAddForm(request.POST, nominees=_nominees_for(request, kube))
    return _done(request, kube, form, services.add_member, kube=kube)


@require_POST
@permission_required("groups.change_kube", raise_exception=True)
def kube_status(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    return _done(
        request,
        kube,
        StatusForm(request.POST, allowed=services.TRANSITIONS[kube.status]),
        services.change_status,
        kube=kube,
    )


@require_POST
@permission_required("groups.change_kube", raise_exception=True)
def kube_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = AssignForm(request.POST, facilitators=selectors.facilitators_for(user=request.user))
    return _done(request, kube, form, services.assign_facilitator, kube=kube)


@permission_required("groups.view_kube", raise_exception=True)
def membership_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    context: dict[str, Any] = {"membership": membership, "kube": membership.kube}
    if request.user.has_perm("groups.change_membership") and membership.is_current:
        context["leave_form"] = LeaveForm()
        context["replace_form"] = ReplaceForm(nominees=_nominees_for(request, membership.kube))
    if request.user.has_perm("accounts.view_history"):
        context["history"] = record_history(membership)
    return render(request, "groups/membership_detail.html", context)


@require_POST
@permission_required("groups.change_membership", raise_exception=True)
def member_leave(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    return _done(request, membership.kube, LeaveForm(request.POST), services.remove_member, membership=membership)


@require_POST
@permission_required("groups.change_membership", raise_exception=True)
def member_replace(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = ReplaceForm(request.POST, nominees=_nominees_for(request, membership.kube))
    return _done(request, membership.kube, form, services.replace_member, membership=membership)


@permission_required("groups.view_kube", raise_exception=True)
def kube_signboard(request: AuthedRequest, pk: int) -> FileResponse:
    kube = _kube(request, pk)
    if not kube.signboard_photo:
        raise Http404
    return FileResponse(kube.signboard_photo.open("rb"), content_type="image/jpeg")


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@permission_required("groups.view_kube", raise_exception=True)
def kube_minutes_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    content = documents.formation_minutes_pdf(
        kube=kube,
        members=list(selectors.kube_members(kube=kube).filter(left_on__isnull=True)),
        letterhead=letterhead_for(kube.cycle),
    )
    return _pdf_response(content, f"berita-acara-kube-{kube.pk}.pdf")


@permission_required("groups.view_kube", raise_exception=True)
def kube_members_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    content = documents.member_list_pdf(
        kube=kube,
        members=list(selectors.kube_members(kube=kube).filter(left_on__isnull=True)),
        letterhead=letterhead_for(kube.cycle),
    )
    return _pdf_response(content, f"anggota-kube-{kube.pk}.pdf")
