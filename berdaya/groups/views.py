"""Thin views: parse, call one service or selector, render. Every record comes from `visible_to(user)`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.lib.actions import act, perform
from berdaya.lib.confirm import Confirmation
from berdaya.lib.files import protected_file_response
from berdaya.lib.formats import day, number
from berdaya.lib.history import record_history
from berdaya.lib.http import AuthedRequest, query_id
from berdaya.registry.models import Disclosure
from berdaya.registry.privacy import record_disclosure
from berdaya.targeting.selectors import letterhead_for

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
from .models import Kube, Membership


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
    cycle = cycles.filter(pk=query_id(request, "cycle") or 0).first()
    kecamatan = kecamatan_options.filter(code=request.GET.get("kecamatan", "")).first()
    form, not_offered = None, []
    if cycle is not None and kecamatan is not None:
        not_offered = selectors.unavailable_nominees(cycle=cycle, kecamatan_code=kecamatan.code, user=request.user)
        form = KubeCreateForm(
            request.POST or None,
            villages=kecamatan.children.order_by("name"),
            nominees=selectors.available_nominees(cycle=cycle, kecamatan_code=kecamatan.code, user=request.user),
            facilitators=selectors.facilitators_for(user=request.user),
        )
        if request.method == "POST":
            formed = perform(
                request,
                services.form_kube,
                form=form,
                cycle=cycle,
                success=_("The group was formed. Elect its officers next."),
            )
            if formed:
                return redirect(formed.value)
    context = {
        "cycles": cycles,
        "cycle": cycle,
        "kecamatan_options": kecamatan_options,
        "kecamatan": kecamatan,
        "form": form,
        "not_offered": not_offered,
    }
    return render(request, "groups/kube_create.html", context)


@permission_required("groups.view_kube", raise_exception=True)
def kube_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    actions = selectors.actions_for(request.user, kube)
    context: dict[str, Any] = {
        "kube": kube,
        "actions": actions,
        "members": selectors.kube_members(kube=kube),
        "assignments": selectors.kube_assignments(kube=kube),
        "readiness": selectors.readiness_problems(kube) if kube.is_forming else [],
    }
    if "officers" in actions:
        context["officers_form"] = OfficersForm(kube=kube)
    if "add_member" in actions:
        context["add_form"] = MemberAddForm(nominees=_nominees_for(request, kube))
    if "change_status" in actions:
        context["status_form"] = StatusForm(allowed=selectors.status_choices(actions, kube))
    if "assign" in actions:
        context["assign_form"] = AssignForm(facilitators=selectors.facilitators_for(user=request.user))
    if request.user.has_perm("accounts.view_history"):
        context["history"] = record_history(kube)
    return render(request, "groups/kube_detail.html", context)


@permission_required("groups.change_kube", raise_exception=True)
def kube_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    # A copy to bind the form to: a form that does not validate must not change the group shown on the page.
    form = KubeProfileForm(request.POST or None, request.FILES or None, instance=Kube.objects.get(pk=kube.pk))
    # The form's fields (the profile's, and the signboard photo) are the service's arguments.
    if request.method == "POST" and perform(request, services.update_kube, form=form, kube=kube):
        return redirect(kube)
    return render(request, "groups/kube_form.html", {"kube": kube, "form": form, "title": _("Group profile")})


@permission_required("groups.change_kube", raise_exception=True)
def kube_rules(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = KubeRulesForm(request.POST or None, instance=Kube.objects.get(pk=kube.pk))
    if request.method == "POST" and perform(request, services.set_rules, form=form, kube=kube):
        return redirect(kube)
    return render(request, "groups/kube_form.html", {"kube": kube, "form": form, "title": _("Group rules (AD/ART)")})


@require_POST
@permission_required("groups.change_kube", raise_exception=True)
def kube_officers(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    return act(request, services.set_officers, back=kube, form=OfficersForm(request.POST, kube=kube), kube=kube)


@require_POST
@permission_required("groups.add_membership", raise_exception=True)
def member_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = MemberAddForm(request.POST, nominees=_nominees_for(request, kube))
    return act(request, services.add_member, back=kube, form=form, kube=kube)


@require_POST
@permission_required("groups.change_kube", raise_exception=True)
def kube_status(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = StatusForm(request.POST, allowed=selectors.status_choices(selectors.actions_for(request.user, kube), kube))
    return act(
        request, services.change_status, back=kube, form=form, confirm=lambda: _end_confirmation(kube, form), kube=kube
    )


def _end_confirmation(kube: Kube, form: StatusForm) -> Confirmation | None:
    """Graduating or dissolving a group ends it for good; the other moves can be made back, so they are not asked."""
    to = form.cleaned_data["to"]
    if to not in Kube.ENDED or not form.cleaned_data["reason"].strip():
        return None  # not an end, or no reason given: the service says what is missing
    members = kube.memberships.current().count()
    return Confirmation(
        title=_("%(kube)s becomes %(status)s?") % {"kube": kube.name, "status": Kube.Status(to).label},
        effects=[
            _("%(kube)s, with %(members)s current members, becomes %(status)s on %(date)s.")
            % {
                "kube": kube.name,
                "members": number(members),
                "status": Kube.Status(to).label,
                "date": day(form.cleaned_data["on"]),
            },
        ],
        quote=form.cleaned_data["reason"],
        quote_label=_("Reason"),
        final=_("A graduated or dissolved group cannot become active again and takes no new members."),
        button=_("Confirm"),
    )


@require_POST
@permission_required("groups.change_kube", raise_exception=True)
def kube_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = AssignForm(request.POST, facilitators=selectors.facilitators_for(user=request.user))
    return act(request, services.assign_facilitator, back=kube, form=form, kube=kube)


@permission_required("groups.view_kube", raise_exception=True)
def membership_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    actions = selectors.actions_for(request.user, membership)
    context: dict[str, Any] = {"membership": membership, "kube": membership.kube, "actions": actions}
    if "leave" in actions:
        context["leave_form"] = LeaveForm()
    if "replace" in actions:
        context["replace_form"] = ReplaceForm(nominees=_nominees_for(request, membership.kube))
    if request.user.has_perm("accounts.view_history"):
        context["history"] = record_history(membership)
    return render(request, "groups/membership_detail.html", context)


@require_POST
@permission_required("groups.change_membership", raise_exception=True)
def member_leave(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = LeaveForm(request.POST)
    return act(request, services.remove_member, back=membership.kube, form=form, membership=membership)


@require_POST
@permission_required("groups.change_membership", raise_exception=True)
def member_replace(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = _membership(request, pk)
    form = ReplaceForm(request.POST, nominees=_nominees_for(request, membership.kube))
    return act(request, services.replace_member, back=membership.kube, form=form, membership=membership)


@permission_required("groups.view_kube", raise_exception=True)
def kube_signboard(request: AuthedRequest, pk: int) -> HttpResponseBase:
    return protected_file_response(_kube(request, pk).signboard_photo)


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
    rows = documents.member_rows(
        list(selectors.kube_members(kube=kube).filter(left_on__isnull=True)), viewer=request.user
    )
    content = documents.member_list_pdf(kube=kube, rows=rows, letterhead=letterhead_for(kube.cycle))
    if full := [row.member.person_id for row in rows if row.shown.full]:
        record_disclosure(
            by=request.user,
            kind=Disclosure.Kind.MEMBER_LIST_PDF,
            region=kube.kecamatan_code,  # members may live in any village of the group's kecamatan
            persons=full,
            document=kube.name,
            request=request,
        )
    return _pdf_response(content, f"anggota-kube-{kube.pk}.pdf")
