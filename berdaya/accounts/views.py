from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.lib.actions import act, perform
from berdaya.lib.confirm import Confirmation
from berdaya.lib.exports import csv_response
from berdaya.lib.formats import day_time
from berdaya.lib.history import record_history
from berdaya.lib.http import AuthedRequest

from . import selectors
from .forms import AdminSetPasswordForm, LoginForm, TokenForm, UserCreateForm, UserForm
from .models import User
from .services import (
    create_token,
    create_user,
    may_manage_tokens,
    revoke_token,
    set_user_password,
    unlock_user,
    update_user,
)


class LoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_not_required
def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """Shown by django-axes instead of the dashboard when a username has too many failed logins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(request)
    message = _(
        "This account is locked for %(minutes)d minutes after %(limit)d wrong passwords. "
        "Wait, or ask your Admin Dinas to unlock it."
    ) % {"minutes": minutes, "limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/login.html", {"form": form, "locked_message": message}, status=429)


@permission_required("accounts.view_user", raise_exception=True)
def user_list(request: AuthedRequest) -> HttpResponse:
    users = selectors.users_for_list(
        user=request.user, query=request.GET.get("q", ""), role=request.GET.get("role", "")
    )
    template = "accounts/_user_rows.html" if request.htmx else "accounts/user_list.html"
    return render(request, template, {"users": users, "roles": User.Role.choices, "q": request.GET.get("q", "")})


@permission_required("accounts.view_user", raise_exception=True)
def user_export(request: AuthedRequest) -> StreamingHttpResponse:
    users = selectors.users_for_list(
        user=request.user, query=request.GET.get("q", ""), role=request.GET.get("role", "")
    )
    header = [_("Username"), _("Name"), _("Role"), _("Region code"), _("Region"), _("Email"), _("Phone"), _("Active")]
    rows = (
        [u.username, u.get_full_name(), u.get_role_display(), u.region_id, u.region, u.email, u.phone, u.is_active]
        for u in users.iterator()
    )
    return csv_response("berdaya-users.csv", header, rows)


@permission_required("accounts.view_user", raise_exception=True)
def user_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.visible_to(request.user).select_related("region"), pk=pk)
    history = record_history(account) if request.user.has_perm("accounts.view_history") else []
    failures = selectors.failed_logins(account)
    context = {"account": account, "history": history, "failures": failures}
    context["locked"] = failures >= settings.AXES_FAILURE_LIMIT
    return render(request, "accounts/user_detail.html", context)


@require_POST
@permission_required("accounts.change_user", raise_exception=True)
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    return act(
        request,
        unlock_user,
        back=account,
        user=account,
        success=_("%(username)s may log in again.") % {"username": account.username},
    )


@permission_required("accounts.add_user", raise_exception=True)
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = ("username", "role", "region", "first_name", "last_name", "email", "phone")
        outcome = perform(
            request, create_user, form=form, data={"password": data["password1"], **{f: data[f] for f in fields}}
        )
        if outcome:
            messages.success(request, _("Account %(username)s created.") % {"username": outcome.value.username})
            return redirect(outcome.value)
    return render(request, "accounts/user_form.html", {"form": form, "title": _("New user")})


@permission_required("accounts.change_user", raise_exception=True)
def user_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    form = UserForm(request.POST or None, instance=account, user=request.user)
    # The form edits `account` in place; the service compares with the stored record.
    if request.method == "POST" and perform(request, update_user, form=form, user=User.objects.get(pk=account.pk)):
        messages.success(request, _("Changes to %(username)s saved.") % {"username": account.username})
        return redirect(account)
    return render(request, "accounts/user_form.html", {"form": form, "account": account, "title": _("Edit user")})


@permission_required("accounts.change_user", raise_exception=True)
def user_set_password(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    form = AdminSetPasswordForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        success = _("New password set for %(username)s.") % {"username": account.username}
        if perform(
            request, set_user_password, user=account, password=form.cleaned_data["new_password1"], success=success
        ):
            return redirect(account)
    return render(request, "accounts/user_form.html", {"form": form, "account": account, "title": _("Set password")})


# Personal access tokens for the API (docs/api.md) -------------------------------------------------------------------


def _tokens_page(request: AuthedRequest, owner: User) -> HttpResponse:
    """An account's tokens and the form for a new one; a token just made is shown here once, never again."""
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST":
        outcome = perform(request, create_token, form=form, owner=owner)
        if outcome:
            new_token = outcome.value.secret
            form = TokenForm()
    context = {
        "owner": owner,
        "own": owner.pk == request.user.pk,
        "tokens": selectors.tokens_of(owner=owner),
        "form": form,
        "new_token": new_token,
    }
    return render(request, "accounts/token_list.html", context)


def token_list(request: AuthedRequest) -> HttpResponse:
    """My API tokens: make one, see when each was last used, revoke one."""
    return _tokens_page(request, request.user)


@permission_required("accounts.change_user", raise_exception=True)
def user_tokens(request: AuthedRequest, pk: int) -> HttpResponse:
    """The API tokens of a service account of the Admin Dinas's region."""
    owner = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    if not may_manage_tokens(by=request.user, owner=owner):
        raise Http404
    return _tokens_page(request, owner)


@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(selectors.manageable_tokens(user=request.user).select_related("user"), pk=pk)
    back = (
        reverse("accounts:token-list")
        if token.user_id == request.user.pk
        else reverse("accounts:user-tokens", args=[token.user_id])
    )
    confirmation = Confirmation(
        title=_("Revoke the token %(name)s?") % {"name": token.name},
        effects=[
            _("Every program that calls the API with this token (%(prefix)s…) is refused from now on.")
            % {"prefix": token.prefix}
        ],
        final=_("A revoked token cannot be used again; make a new one if it is still needed."),
        button=_("Revoke"),
        rows=[
            (_("Owner"), str(token.user)),
            (_("Last used"), day_time(token.last_used_at) if token.last_used_at else "—"),
        ],
    )
    return act(
        request,
        revoke_token,
        back=back,
        token=token,
        confirm=confirmation if token.revoked_at is None else None,
        success=_("Token %(name)s revoked.") % {"name": token.name},
    )
