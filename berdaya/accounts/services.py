"""Managing the people who use Berdaya: one function per action, each with its rules."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from berdaya.lib.audit import acting_as
from berdaya.lib.errors import DomainError
from berdaya.lib.scoping import can_see_region
from berdaya.regions.models import Region

from .models import User
from .roles import ROLE_SCOPE_LEVELS


class AccountError(DomainError):
    pass


def _check_scope(*, role: str, region: Region | None, by: User) -> None:
    if region is None:
        raise AccountError(_("Choose the region this user works in."))
    if not can_see_region(by, region.code):
        raise AccountError(_("You can only give a scope inside your own region."))
    if region.level not in ROLE_SCOPE_LEVELS[role]:
        allowed = ", ".join(str(Region.Level(level).label) for level in ROLE_SCOPE_LEVELS[role])
        raise AccountError(
            _("A %(role)s works at the level of: %(levels)s. %(region)s is a %(kind)s.")
            % {"role": User.Role(role).label, "levels": allowed, "region": region.name, "kind": region.kind_label}
        )


def create_user(*, by: User, username: str, password: str, role: str, region: Region | None, **fields: Any) -> User:
    """Create an account with its role and region scope."""
    _check_scope(role=role, region=region, by=by)
    with acting_as(by):
        user = User(username=username, role=role, region=region, **fields)
        user.set_password(password)
        user.save()
    return user


def update_user(*, by: User, user: User, role: str, region: Region | None, is_active: bool, **fields: Any) -> User:
    """Change an account's details, role, scope or whether it may log in."""
    if user.pk == by.pk and (role != user.role or region != user.region or not is_active):
        # An admin who demotes or disables themselves may leave the office without anyone to manage accounts.
        raise AccountError(_("You cannot change your own role, scope or status; ask another Admin Dinas."))
    _check_scope(role=role, region=region, by=by)
    with acting_as(by):
        for name, value in fields.items():
            setattr(user, name, value)
        user.role, user.region, user.is_active = role, region, is_active
        user.save()
    return user


def unlock_user(*, by: User, user: User) -> int:
    """Lift a lockout after too many wrong passwords, before the cool-off ends."""
    from axes.utils import reset

    with acting_as(by, "unlocked after failed logins"):
        # Nothing on the account changes; saving one field unchanged gives the history a row naming who unlocked it.
        user.save(update_fields=["is_active"])
        return int(reset(username=user.username))


def set_user_password(*, by: User, user: User, password: str) -> None:
    """Give an account a new password (validated by the form with Django's password validators)."""
    with acting_as(by):
        user.set_password(password)
        user.save(update_fields=["password"])
