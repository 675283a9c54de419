from __future__ import annotations

from django.db.models import Q

from .models import User, UserQuerySet


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
