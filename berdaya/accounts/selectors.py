from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import AccessToken, User, UserQuerySet


def users_for_list(*, user: User, query: str = "", role: str = "") -> UserQuerySet:
    """The accounts an admin may manage, filtered by a search text and a role."""
    users: UserQuerySet = User.objects.visible_to(user).select_related("region").order_by("username")
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
        )
    if role in User.Role.values:
        users = users.filter(role=role)
    return users


def failed_logins(user: User) -> int:
    """Wrong passwords counted against this username since its last successful login (django-axes)."""
    from axes.models import AccessAttempt

    return sum(AccessAttempt.objects.filter(username=user.username).values_list("failures_since_start", flat=True))


def tokens_of(*, owner: User) -> QuerySet[AccessToken]:
    """An account's access tokens, newest first (revoked and expired ones too: the list says so)."""
    return AccessToken.objects.filter(user=owner).select_related("created_by").order_by("-created_at", "-pk")


def manageable_tokens(*, user: User) -> QuerySet[AccessToken]:
    """The tokens `user` may revoke: its own, and (an Admin Dinas) those of the service accounts in its region."""
    own = Q(user=user)
    if user.has_perm("accounts.change_user"):
        services = User.objects.visible_to(user).filter(is_service_account=True).values("pk")
        own |= Q(user__in=services)
    return AccessToken.objects.filter(own)
