"""Which rows a user may see, decided in one place.

One region predicate in two forms: `region_q(path, code)` for queries and `region_contains(scope, code)` for
plain Python, and one queryset, `ScopedQuerySet`, whose `visible_to(user)` every list, detail, form choice,
export, count, task and endpoint starts from. Scope says which rows; the permissions of a role
(accounts/roles.py) say which actions. A model that needs more than its region and its facilitator declares it
with the `extra_visible` hook; no model overrides `visible_to`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, Self, TypeVar

from django.db import models
from django.db.models import Q

_M = TypeVar("_M", bound=models.Model)


class ScopeUser(Protocol):
    """What scoping needs to know of a user (accounts.User has it; lib does not import accounts)."""

    pk: Any

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_facilitator(self) -> bool: ...

    @property
    def region_id(self) -> str | None: ...


def region_q(path: str, code: str) -> Q:
    """Rows whose region at `path` is the region `code` or anything below it.

    The dot keeps "64.01" from matching "64.010…" inside a segment.
    """
    return Q(**{path: code}) | Q(**{f"{path}__startswith": f"{code}."})


def region_contains(scope: str, code: str) -> bool:
    """The region `code` is the region `scope` or lies below it: `region_q` for one value in Python."""
    return code == scope or code.startswith(f"{scope}.")


def province_of(code: str | None) -> str:
    """The province a region lies in, as its two-digit code ("64.01.04.2004" -> "64"); "" for no region.

    The registry's tables are partitioned by it on PostgreSQL (registry migration 0009).
    """
    return (code or "")[:2]


def region_ancestors(code: str) -> list[str]:
    """The codes of the regions above `code`, from the province down: "64.01.04" -> ["64", "64.01"]."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def kecamatan_code(code: str) -> str:
    """The kecamatan a village (or the kecamatan itself) belongs to: "64.01.04.2004" -> "64.01.04"."""
    return ".".join(code.split(".")[:3])


def regency_code(code: str) -> str:
    """The regency a region lies in (or the regency itself): "64.01.04.2004" -> "64.01"."""
    return ".".join(code.split(".")[:2])


def can_see_region(user: ScopeUser, code: str) -> bool:
    """The user's region scope holds the region `code` (the Python form of a region-scoped `visible_to`)."""
    if not user.is_authenticated or not user.is_active or user.region_id is None:
        return False
    return region_contains(user.region_id, code)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that knows where its rows' region is. Subclasses set `region_path`.

    A facilitator sees the rows reached from its own groups (`facilitator_path`), or, where
    `facilitator_by_region` is set (reference data such as regions), the rows of its region like any other role.
    Everyone else sees the rows of its region and below it, plus what `extra_visible` adds.
    """

    # Path from the row to a region's code: "code", "region__code", "village__code", "household__village__code".
    region_path: ClassVar[str]
    # Path from the row to the facilitator user: "facilitator", "kube__facilitator". None: facilitators see none.
    facilitator_path: ClassVar[str | None] = None
    # Reference data a facilitator reads by its region rather than through its groups.
    facilitator_by_region: ClassVar[bool] = False
    # Paths to columns holding the row's province code (the registry's partition key on PostgreSQL: "province",
    # "household__province"). A region-scoped read names the province too, so that PostgreSQL reads only that
    # province's partitions; the region filter alone would not tell it.
    partition_paths: ClassVar[tuple[str, ...]] = ()

    def extra_visible(self, user: ScopeUser) -> Q | None:
        """Rows a region-scoped user sees beyond its region (e.g. the regency's open cycles); None for none.

        Reach to-many relations through a `pk__in` subquery, so that no row comes twice.
        """
        return None

    def visible_to(self, user: ScopeUser) -> Self:
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_facilitator and not self.facilitator_by_region:
            if self.facilitator_path is None:
                return self.none()
            # Filter by pk so that a to-many path (person -> memberships -> kube) cannot return a row twice.
            theirs = self.model._default_manager.filter(**{self.facilitator_path: user.pk}).values("pk")
            return self.filter(pk__in=theirs)
        # Fail closed: an account without a region (half-made, or its region deleted) sees nothing.
        if user.region_id is None:
            return self.none()
        condition = self._in_region(user.region_id)
        extra = self.extra_visible(user)
        return self.filter(condition if extra is None else condition | extra)

    def in_region(self, code: str) -> Self:
        """Rows of the region `code` and below it, whoever reads them (a task, a screening run): the region filter
        of `visible_to` for a region known otherwise."""
        return self.filter(self._in_region(code))

    def _in_region(self, code: str) -> Q:
        condition = region_q(self.region_path, code)
        province = province_of(code)
        if self.partition_paths and len(province) == 2:  # a region above the provinces (none yet) reads them all
            condition &= Q(**dict.fromkeys(self.partition_paths, province))
        return condition
