"""One audit context: who is acting, for every history row written inside it.

Every service runs its writes inside `acting_as(by)`: it opens the transaction and names the acting user (and,
optionally, the reason) for django-simple-history, so that a change made by a view, a background task, a
management command, an import or the demo is attributed alike. Inside a request the middleware's user is the
fallback; outside one, a write that is not inside `acting_as` has no user, and the tests look for those.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record


@dataclass(frozen=True)
class _Acting:
    user: models.Model  # the User model; lib does not import accounts
    reason: str


_acting: ContextVar[_Acting | None] = ContextVar("berdaya_acting", default=None)
# The way the change came in when it is not a page: "via API token 1a2b3c4d" (set for a whole API request).
_via: ContextVar[str] = ContextVar("berdaya_via", default="")


@contextmanager
def coming_through(channel: str) -> Iterator[None]:
    """Name the way in (an API token) on every history row written inside, after the service's own reason."""
    token = _via.set(str(channel))
    try:
        yield
    finally:
        _via.reset(token)


def name_way_in(channel: str) -> None:
    """Name the way in for the rest of the enclosing `coming_through` (an API call learns its token after it began)."""
    _via.set(str(channel))


def way_in() -> str:
    """The channel named by the innermost `coming_through`, or "" (a page, a task, a command)."""
    return _via.get()


@contextmanager
def acting_as(by: models.Model, reason: str = "") -> Iterator[None]:
    """Run the enclosed writes in one transaction, as `by`, each history row naming `by` (and `reason`).

    Nested contexts name the innermost user and reason; the transaction nests as a savepoint.
    """
    token = _acting.set(_Acting(by, str(reason) if reason else ""))
    try:
        with transaction.atomic():
            yield
    finally:
        _acting.reset(token)


def acting_user() -> models.Model | None:
    """The user named by the innermost `acting_as`, or None (for writes that bypass the ORM, e.g. bulk copies)."""
    acting = _acting.get()
    return None if acting is None else acting.user


def because(record: models.Model, reason: str) -> None:
    """Give the next history row of this one record its own reason ("escalated", "decree issued")."""
    record._change_reason = str(reason)  # type: ignore[attr-defined]  # read by django-simple-history


@receiver(pre_create_historical_record, dispatch_uid="berdaya.lib.audit.name_the_actor")
def _name_the_actor(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    acting = _acting.get()
    if acting is not None:
        if acting.user.pk is not None:
            history_instance.history_user_id = acting.user.pk
        if acting.reason and not history_instance.history_change_reason:
            history_instance.history_change_reason = acting.reason
    via = _via.get()
    if via:
        reason = history_instance.history_change_reason
        history_instance.history_change_reason = f"{reason} ({via})" if reason else via


@receiver(pre_create_historical_record, dispatch_uid="berdaya.lib.audit.fit_the_reason")
def _fit_the_reason(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """Shorten a long reason to the history column (a hand-set level's reason is kept whole on its record)."""
    reason = history_instance.history_change_reason or ""
    limit = history_instance._meta.get_field("history_change_reason").max_length
    if limit and len(reason) > limit:
        history_instance.history_change_reason = reason[: limit - 1] + "…"
