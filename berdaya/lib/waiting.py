"""What waits for a user: one line of their "My tasks" page, as each app's `waiting_for(user)` reports it.

Each app counts its own kinds of work (one query per kind at most, from `visible_to(user)` and the models' own state
predicates, behind the permission that lets the user take the step); the project's worklist gathers them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
