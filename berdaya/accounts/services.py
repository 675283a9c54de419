"""Managing the people who use Berdaya: one function per action, each with its rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from berdaya.lib.audit import acting_as
from berdaya.lib.errors import DomainError
from berdaya.lib.scoping import can_see_region
from berdaya.regions.models import Region

from .models import AccessToken, User
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


# --- personal access tokens for the API -----------------------------------------------------------------------------

TOKEN_START = "bdy_"


@dataclass(frozen=True)
class NewToken:
    """A token just made: the record, and the token itself, which is shown this once and never stored."""

    record: AccessToken
    secret: str


def hash_token(secret: str) -> str:
    """What is stored of a token: its SHA-256 (a token is 40 random characters, so no slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def may_manage_tokens(*, by: User, owner: User) -> bool:
    """One's own tokens; and an Admin Dinas those of a service account in its region."""
    if owner.pk == by.pk:
        return by.is_active
    return (
        owner.is_service_account
        and by.has_perm("accounts.change_user")
        and User.objects.visible_to(by).filter(pk=owner.pk).exists()
    )


def create_token(*, by: User, owner: User, name: str, expires_on: dt.date, read_only: bool) -> NewToken:
    """Make a personal access token for `owner`, valid until the end of `expires_on` (at most a year ahead)."""
    if not may_manage_tokens(by=by, owner=owner):
        raise AccountError(_("You may only make tokens for yourself or for a service account of your region."))
    if not owner.is_active:
        raise AccountError(_("This account is disabled: it cannot have a token."))
    today = timezone.localdate()
    longest = today + dt.timedelta(days=settings.BERDAYA_API_TOKEN_MAX_DAYS)
    if expires_on <= today:
        raise AccountError(_("Choose an expiry date after today."))
    if expires_on > longest:
        raise AccountError(
            _("A token may last at most %(days)d days: until %(date)s.")
            % {"days": settings.BERDAYA_API_TOKEN_MAX_DAYS, "date": formats.date_format(longest)}
        )
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(30)}"
    end_of_day = dt.datetime.combine(expires_on, dt.time.max, tzinfo=timezone.get_current_timezone())
    with acting_as(by):
        record = AccessToken.objects.create(
            name=name.strip(),
            user=owner,
            prefix=prefix,
            key_hash=hash_token(secret),
            read_only=read_only,
            created_by=by,
            expires_at=end_of_day,
        )
    return NewToken(record=record, secret=secret)


def revoke_token(*, by: User, token: AccessToken) -> AccessToken:
    """Stop a token at once: every later call with it is refused (401)."""
    if not may_manage_tokens(by=by, owner=token.user):
        raise AccountError(_("You may only revoke your own tokens or those of a service account of your region."))
    if token.revoked_at is not None:
        raise AccountError(_("This token was already revoked."))
    with acting_as(by, "token revoked"):
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_for(secret: str) -> AccessToken | None:
    """The usable token whose secret this is (not revoked, not expired), with its user; None otherwise."""
    if not secret.startswith(TOKEN_START):
        return None
    token = AccessToken.objects.select_related("user").filter(key_hash=hash_token(secret)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    return token


def note_token_use(token: AccessToken) -> None:
    """Remember when a token was last used, at most once a minute (a script may call hundreds of times a minute)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
