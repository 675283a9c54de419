"""A message that tells the next responsible person that work reached them: the one inbox of every app."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Self
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from berdaya.accounts.roles import Role
from berdaya.lib.scoping import region_q
from berdaya.lib.stored_text import show

if TYPE_CHECKING:
    from berdaya.accounts.models import User


def roles_field(roles: list[str] | tuple[str, ...]) -> str:
    """The roles a notification to an office is for, as stored: ",kecamatan,village," (portable `contains`)."""
    return f",{','.join(sorted(set(roles)))}," if roles else ""


def whatsapp_number(phone: str) -> str:
    """An Indonesian phone number as wa.me wants it: digits only, country code 62 instead of the leading 0.

    "0812-3456-789" -> "628123456789", "+62 812 3456 789" -> "628123456789"; too short to be a number -> "".
    """
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    elif digits.startswith("8"):
        digits = "62" + digits
    return digits if len(digits) >= 9 else ""


def site_url(path: str) -> str:
    """An absolute URL of this site (BERDAYA_SITE_URL) for a path; a URL that is already absolute as it is."""
    if not path or "://" in path:
        return path
    return settings.BERDAYA_SITE_URL.rstrip("/") + "/" + path.lstrip("/")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: User) -> Self:
        """A user's inbox: addressed to them, or to an office of their scope when no one there was named.

        A notification to an office names the roles it is for and reaches whoever of those roles holds the region
        or a region above it; one without roles (older ones) is the office's of exactly that region.
        """
        if not user.is_active:
            return self.none()
        mine = Q(recipient_user=user)
        if user.region_id is not None:
            office = Q(recipient_user__isnull=True)
            exact = Q(recipient_roles="", recipient_region_id=user.region_id)
            by_role = region_q("recipient_region__code", user.region_id) & Q(recipient_roles__contains=f",{user.role},")
            mine |= office & (exact | by_role)
        return self.filter(mine)

    def sent_by(self, user: User) -> Self:
        """What the user's actions told others, newest first."""
        if not user.is_active:
            return self.none()
        return self.filter(sender=user)

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message in a user's (or an office's) inbox: a cycle's call, a list to endorse, a report returned."""

    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    recipient_region = models.ForeignKey("regions.Region", models.CASCADE, related_name="+")
    # For a notification to an office (no recipient_user): the roles it is for, see roles_field.
    recipient_roles = models.CharField(max_length=100, blank=True, editable=False)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent_notifications",
        verbose_name=_("sender"),
    )
    # What happened, as a short code ("list.submitted"): for filtering and tests, never shown.
    kind = models.CharField(max_length=50, blank=True)
    # In the office's language (Indonesian), as e-mailed; `message` keeps what the system wrote so that each reader
    # sees it in their own language. A body someone typed (a reason, a note) is shown as typed.
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    message = models.JSONField(default=dict, blank=True, editable=False)
    # What the reader follows: a path of this site.
    url = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["sender", "-created_at"], name="inbox_sent_idx")]

    def __str__(self) -> str:
        return self.shown_subject

    @property
    def shown_subject(self) -> str:
        return show(self.message.get("subject")) or self.subject

    @property
    def shown_body(self) -> str:
        return show(self.message.get("body")) or self.body

    @property
    def recipient_label(self) -> str:
        """Who it went to: "Andi Saputra (Operator Kecamatan)", or the office "Tanah Grogot (Operator Kecamatan)"."""
        if self.recipient_user is not None:
            user = self.recipient_user
            return f"{user} ({user.get_role_display()})"
        roles = [str(Role(code).label) for code in self.recipient_roles.strip(",").split(",") if code in Role.values]
        region = str(self.recipient_region.name)
        return f"{region} ({', '.join(roles)})" if roles else region

    @property
    def absolute_url(self) -> str:
        return site_url(self.url)

    @property
    def whatsapp_text(self) -> str:
        """The message as the sender passes it on: subject, body and link, in the office's language."""
        return "\n\n".join(part for part in (self.subject, self.body, self.absolute_url) if part)

    @property
    def whatsapp_url(self) -> str:
        """A wa.me link that opens WhatsApp with the message written, to the recipient's number when it is known."""
        phone = whatsapp_number(self.recipient_user.phone) if self.recipient_user is not None else ""
        return f"https://wa.me/{phone}?text={quote(self.whatsapp_text, safe='')}"
