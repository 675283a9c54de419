from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
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
