"""Demo screening: the Dinas has screened the registry once, so the Duplicates page has pairs waiting for review.

Runs the screening service itself (the run a Petugas Dinas starts from the Duplicates page, here at once rather than
by the task worker); the pairs it finds are the people the registry demo recorded twice, and whatever else the
engine judges to be one person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.lib.stored_text import in_office_language
from berdaya.screening import services
from berdaya.screening.models import MatchCandidate, ScreeningRun


@dataclass(frozen=True)
class DemoScreening:
    persons: int
    pairs: int
    pending: int


def create_demo_screening(*, scale: str) -> DemoScreening:
    """Screen (once) the registry of the Petugas Dinas's region, as `dinas` would from the Duplicates page."""
    del scale  # the whole registry at both scales: the engine compares 20,000 people in seconds
    officer = User.objects.filter(username="dinas").first() or User.objects.filter(role=User.Role.OFFICER).first()
    if not ScreeningRun.objects.exists() and officer is not None and officer.region_id is not None:
        run = services.start_screening(
            region_code=officer.region_id, by=officer, trigger=in_office_language(N_("on demand"))
        )
        services.screen_registry(run=run)
    last = ScreeningRun.objects.filter(status=ScreeningRun.Status.DONE).first()  # the newest
    if last is None:
        return DemoScreening(0, 0, 0)
    return DemoScreening(last.persons, last.pairs, MatchCandidate.objects.pending().count())
