"""A record sent from the field is stored once, however many times a phone sends it (its outbox retries).

Each such record carries a `client_key` (a UUID the phone made when the form was filled) under a unique constraint.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Protocol, TypeVar

from django.db import IntegrityError, models


class _FromTheField(Protocol):
    kube_id: int


_Sent = TypeVar("_Sent", bound=models.Model)


def sent_once(
    model: type[_Sent],
    client_key: uuid.UUID | None,
    *,
    kube: models.Model,
    by: models.Model,
    store: Callable[[], _Sent],
    refuse: Exception,
    by_field: str = "by_id",
) -> _Sent:
    """`store()` the record unless its key is already stored: then return the stored one, unchecked (even if the group
    closed meanwhile). Two copies arriving at once: the unique key lets one in and the other finds it. A key stored
    for another group or by another user (the record's `by_field`) raises `refuse`.
    """
    if client_key is not None and (sent := model._default_manager.filter(client_key=client_key).first()) is not None:
        return _the_same(sent, kube, by, refuse, by_field)
    try:
        return store()
    except IntegrityError:
        sent = model._default_manager.filter(client_key=client_key).first() if client_key is not None else None
        if sent is None:
            raise
        return _the_same(sent, kube, by, refuse, by_field)


def _the_same(record: _Sent, kube: models.Model, by: models.Model, refuse: Exception, by_field: str) -> _Sent:
    fields: _FromTheField = record  # type: ignore[assignment]  # every model with a client_key has kube and a user
    if fields.kube_id != kube.pk or getattr(record, by_field) != by.pk:
        raise refuse
    return record
