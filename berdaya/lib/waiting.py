"""What waits for a user: one line of their "My tasks" page, as each app's `waiting_for(user)` reports it.

Each app counts its own kinds of work, from `visible_to(user)` and the queryset forms of the models' own state
predicates, behind the permission that lets the user take the step; the project's worklist (berdaya/worklist.py)
gathers them. The apps add their figures to one `Tally`, so that every kind of work of every app is counted in a
single query: the menu shows the count on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, Func, Model, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# A deadline this many days away, or past, makes the work urgent.
URGENT_DAYS = 3


class Effort:
    """The four empowerment efforts (DOMAIN.md §2), by which the tasks page groups what waits."""

    HUMAN = "human"
    BUSINESS = "business"
    COMMUNITY = "community"
    INSTITUTION = "institution"

    LABELS: dict[str, Promise] = {
        HUMAN: _("Human development (bina manusia)"),
        BUSINESS: _("Business development (bina usaha)"),
        COMMUNITY: _("Community and environment (bina lingkungan)"),
        INSTITUTION: _("Institution building (bina kelembagaan)"),
    }
    ORDER = (HUMAN, BUSINESS, COMMUNITY, INSTITUTION)


@dataclass(frozen=True)
class Waiting:
    """Work of one kind waiting for the user: how many, where the step is taken, and whether it is urgent.

    `label` is a lazy, plural-aware message with a `%(count)s` placeholder (`ngettext_lazy(..., "count")`); `text`
    gives it in the reader's language with the count filled in.
    """

    label: Promise
    count: int
    url: str
    effort: str = Effort.HUMAN
    kind: str = ""
    urgent: bool = False
    due: dt.date | None = None
    # Other placeholders of the label besides the count, as (name, value) pairs.
    params: tuple[tuple[str, object], ...] = ()

    @property
    def text(self) -> str:
        return str(self.label % {"count": self.count, **dict(self.params)})

    @property
    def effort_label(self) -> str:
        return str(Effort.LABELS.get(self.effort, ""))


def is_urgent(due: dt.date | None, today: dt.date | None = None) -> bool:
    """A deadline within URGENT_DAYS days, or already past."""
    if due is None:
        return False
    return (due - (today or timezone.localdate())).days <= URGENT_DAYS


def one_or_list(count: int, pk: object, record: str, listing: str) -> str:
    """Where to do the work: the record (URL name `record`, argument `pk`) when there is exactly one, else `listing`."""
    if count == 1 and pk is not None:
        return reverse(record, args=[pk])
    return listing


def link(name: str, *args: object, query: str = "") -> str:
    """A URL by name, with an optional query string ("status=submitted")."""
    url = reverse(name, args=args)
    return f"{url}?{query}" if query else url


# Counting many kinds of work in one query --------------------------------------------------------------------------


@dataclass
class Figures:
    """The figures one app asked of one queryset; readable once the tally has run."""

    tally: Tally
    names: dict[str, str]

    def __getitem__(self, name: str) -> Any:
        return self.tally.value(self.names[name])


@dataclass
class Tally:
    """Figures about many querysets (how many rows, the least or greatest of a field, whether any), worked out in
    one query: each becomes a scalar subquery of a single SELECT, so that the menu's count of what waits costs one
    query on every page, however many kinds of work the apps report.

    An app adds what it needs (`count`, `figures`, `exists`) and returns a function that reads the figures and
    builds its lines once `run` has been called.
    """

    _expressions: dict[str, Any] = field(default_factory=dict)
    _values: dict[str, Any] | None = None

    def _name(self) -> str:
        return f"f{len(self._expressions)}"

    def figures(self, queryset: QuerySet[Any], **wanted: tuple[str, str]) -> Figures:
        """`figures(qs, n=("COUNT", "pk"), due=("MIN", "cycle__verval_deadline"))`: SQL aggregates of the rows.

        The aggregate is a plain function to Django (no GROUP BY), so each is one number over all the rows.
        """
        names = {}
        for label, (function, path) in wanted.items():
            name = names[label] = self._name()
            rows = queryset.order_by().annotate(_figure=Func(F(path), function=function)).values("_figure")
            self._expressions[name] = Subquery(rows[:1])
        return Figures(self, names)

    def exists(self, queryset: QuerySet[Any]) -> Figures:
        name = self._name()
        self._expressions[name] = Exists(queryset.order_by())
        return Figures(self, {"any": name})

    def run(self, user: Model) -> None:
        """One query, anchored on the user's own row, whatever was asked; none when nothing was."""
        if not self._expressions:
            self._values = {}
            return
        manager = user.__class__._default_manager  # the model class, also behind a request's lazy user
        self._values = manager.filter(pk=user.pk).annotate(**self._expressions).values(*self._expressions).get()

    def value(self, name: str) -> Any:
        if self._values is None:
            raise RuntimeError("Read a tally's figures after it has run.")
        return self._values[name]


# What an app gives the worklist: it adds its figures to the tally and returns how to read them into lines.
Plan = Callable[[], list[Waiting]]


def run_plan(user: Model, plan: Callable[[Tally], Plan]) -> list[Waiting]:
    """One app's `waiting_for` on its own: its figures in one query, then its lines."""
    tally = Tally()
    read = plan(tally)
    tally.run(user)
    return read()
