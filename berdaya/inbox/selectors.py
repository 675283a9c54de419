"""What the inbox reads: a person's messages, and what their actions told others."""

from __future__ import annotations

from django.db.models import QuerySet

from berdaya.accounts.models import User

from .models import Notification


def inbox(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).select_related("sender")


def unread_count(*, user: User) -> int:
    return Notification.objects.for_user(user).unread().count()


def sent(*, user: User) -> QuerySet[Notification]:
    """The messages the user's actions sent, newest first, with whom each went to."""
    return Notification.objects.sent_by(user).select_related("recipient_user", "recipient_region")
