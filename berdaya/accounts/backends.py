"""Authentication by username and password, with permissions that come from the user's role."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.backends import ModelBackend

from .roles import ROLE_PERMISSIONS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Model

    from .models import User


class RoleBackend(ModelBackend):
    """ModelBackend whose permissions are the role's, from roles.ROLE_PERMISSIONS, not per-user grants."""

    def get_all_permissions(self, user_obj: User | AnonymousUser, obj: Model | None = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), frozenset()))

    def get_user_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        return set()

    def get_group_permissions(self, user_obj: Any, obj: Model | None = None) -> set[str]:
        return set()
