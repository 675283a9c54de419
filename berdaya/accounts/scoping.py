"""Which rows a user may see, decided in one place.

Every list, detail, form choice, export, count, task and endpoint starts from `Model.objects.visible_to(user)`.
Scope says which rows; the permissions of a role (see roles.py) say which actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from berdaya.accounts.models import User

_M = TypeVar("_M", bound=models.Model)


def region_filter(path: str, code: str) -> Q:
    """Rows whose region at `path` is the region `code` or anything below it.

    The dot keeps "64.01" from matching "64.010…" inside a segment.
    """
    return Q(**{path: code}) | Q(**{f"{path}__startswith": f"{code}."})


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that knows where its rows' region is. Subclasses set `region_path`."""

    # Path from the row to a region's code: "code", "region__code", "village__code", "household__village__code".
    region_path: ClassVar[str]
    # Path from the row to the facilitator user: "facilitator", "kube__facilitator". None: facilitators see none.
    facilitator_path: ClassVar[str | None] = None

    def visible_to(self, user: User | Any) -> Self:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role == user.Role.FACILITATOR:
            if self.facilitator_path is None:
                return self.none()
            # Filter by pk so that a to-many path (person -> memberships -> kube) cannot return a row twice.
            theirs = self.model._default_manager.filter(**{self.facilitator_path: user}).values("pk")
            return self.filter(pk__in=theirs)
        # Fail closed: an account without a region (half-made, or its region deleted) sees nothing.
        if user.region_id is None:
            return self.none()
        return self.filter(region_filter(self.region_path, user.region_id))
