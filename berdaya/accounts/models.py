from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from berdaya.lib.scoping import ScopedQuerySet

from .roles import ROLE_SCOPE_LEVELS, Role


class UserQuerySet(ScopedQuerySet["User"]):
    region_path = "region__code"


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who works in Berdaya: an officer of the Dinas, a kecamatan or village operator, a facilitator."""

    Role = Role

    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.MONITOR)
    # The scope: the user sees records in this region and below it. Null means the account sees nothing.
    region = models.ForeignKey(
        "regions.Region", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("region scope")
    )
    phone = models.CharField(_("phone (WhatsApp)"), max_length=20, blank=True)
    # An account for another system (a province's dashboard tool): it calls the API with tokens that the Admin Dinas of
    # its region makes for it, and nobody logs in with it.
    is_service_account = models.BooleanField(_("service account (for another system's API tokens)"), default=False)

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("view_history", _("Can view the change history of records"))]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user-detail", args=[self.pk])

    @property
    def is_facilitator(self) -> bool:
        """A facilitator sees the records of its own groups rather than those of a region."""
        return self.role == Role.FACILITATOR

    @property
    def works_in_the_field(self) -> bool:
        """Facilitators, and the Dinas staff who make monev visits: their pages carry the phone's outbox, so that a
        form filled without signal is sent later (static/berdaya/outbox.js)."""
        return self.is_facilitator or self.has_perm("monitoring.add_monevvisit")

    @property
    def scope_levels(self) -> tuple[int, ...]:
        return ROLE_SCOPE_LEVELS.get(self.role, ())


class AccessTokenQuerySet(ScopedQuerySet["AccessToken"]):
    region_path = "user__region__code"
    facilitator_path = "user"


class AccessToken(models.Model):
    """A personal access token: how another system (a province's dashboard tool, a script) calls the API as a user.

    Only a SHA-256 hash of the secret is stored: the token itself is shown once, when it is made. The prefix, which
    is part of the token, names it in lists and in the audit trail without revealing it.
    """

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(User, models.CASCADE, related_name="access_tokens", verbose_name=_("owner"))
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    read_only = models.BooleanField(_("read only"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(User, models.PROTECT, related_name="+", verbose_name=_("created by"))
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()
    # last_used_at is written with update(), outside the history: a use is not a change of the token.
    history = HistoricalRecords(excluded_fields=["key_hash", "last_used_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        """Neither revoked nor expired: the API accepts it."""
        return self.revoked_at is None and self.expires_at > timezone.now()
