"""The one way the system tells the next responsible person that work reached them.

Every app's service calls `notify` after a state change, inside its own transaction:

    notify(
        kind="list.submitted",
        region=nomination_list.village,
        roles=[User.Role.KECAMATAN_OPERATOR],
        subject=keep(N_("%(village)s submitted its list for %(cycle)s"), village=..., cycle=...),
        url=nomination_list.get_absolute_url(),
        by=by,
    )

The recipients are the active users of `roles` whose scope holds the record's region (the region itself or one
above it) and the `users` named (a group's facilitator), never the acting user. When no one holds those roles
there, one notification is addressed to the office: whoever of those roles is given the region later reads it.
Each recipient with an e-mail address is mailed once the transaction commits; the sender finds every message on
the Sent messages page with a WhatsApp link to pass it on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from berdaya.accounts.models import User
from berdaya.lib.audit import acting_as
from berdaya.lib.scoping import region_ancestors
from berdaya.lib.stored_text import show
from berdaya.regions.models import Region

from .models import Notification, roles_field, site_url

# The notifications made while `collect_told` runs (a request's action), for the message that says who was told.
_told: ContextVar[list[Notification] | None] = ContextVar("berdaya_told", default=None)


@contextmanager
def collect_told() -> Iterator[list[Notification]]:
    """Collect the notifications that the enclosed code made (the caller keeps those still in the database: a
    rolled-back action told no one)."""
    told: list[Notification] = []
    token = _told.set(told)
    try:
        yield told
    finally:
        _told.reset(token)


def _recipients(code: str, roles: Iterable[str], users: Iterable[User | None]) -> list[User]:
    roles = list(roles)
    found: dict[int, User] = {}
    if roles:
        for user in User.objects.filter(
            is_active=True, role__in=roles, region_id__in=[code, *region_ancestors(code)]
        ).order_by("pk"):
            found.setdefault(user.pk, user)
    for user in users:
        if user is not None and user.is_active:
            found.setdefault(user.pk, user)
    return list(found.values())


def notify(
    *,
    kind: str,
    region: Region | str,
    subject: dict[str, Any],
    url: str,
    body: dict[str, Any] | str = "",
    roles: Iterable[str] = (),
    users: Iterable[User | None] = (),
    by: User | None = None,
) -> list[Notification]:
    """Tell the users of `roles` over `region` and the `users` named that work reached them; returns what it made.

    `subject` (and `body`, unless someone typed it) come from stored_text.keep, so that each reader sees them in
    their own language; the stored text, the e-mail and the WhatsApp message are in the office's language.
    """
    code = region.code if isinstance(region, Region) else region
    roles = list(roles)
    message = {"subject": subject, **({"body": body} if isinstance(body, dict) else {})}
    with translation.override(settings.LANGUAGE_CODE):
        subject_text = show(subject)[:200]
        body_text = show(body) if isinstance(body, dict) else body
    fields: dict[str, Any] = {
        "recipient_region_id": code,
        "sender": by,
        "kind": kind,
        "subject": subject_text,
        "body": body_text,
        "message": message,
        "url": url,
    }
    candidates = _recipients(code, roles, users)
    recipients = [user for user in candidates if by is None or user.pk != by.pk]
    if recipients:
        made = [Notification(recipient_user=user, **fields) for user in recipients]
    elif not candidates and roles:
        # No one holds these roles there yet: the office's inbox keeps it for whoever will.
        made = [Notification(recipient_roles=roles_field(roles), **fields)]
    else:
        return []
    with transaction.atomic():
        Notification.objects.bulk_create(made)
    link = site_url(url)
    for user in recipients:
        if user.email:
            # After commit: an action that is rolled back must not have told anyone.
            transaction.on_commit(
                partial(
                    send_mail, subject_text, f"{body_text}\n\n{link}".strip(), None, [user.email], fail_silently=True
                )
            )
    told = _told.get()
    if told is not None:
        told.extend(made)
    return made


def mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark a message in the user's inbox as read."""
    if notification.read_at is None:
        with acting_as(by):
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification
